"""Repeated copies of the body inside one page.

A page that carries its body k times shows the same long line k times at the same relative place.
The finder takes the first few substantial lines of the body as anchor candidates; the occurrences of
an anchor cut the body into segments, and the cut is accepted only when every segment is a near copy
of the first one (similarity of their matching keys at least ``MIN_SIMILARITY``) or, for the last
segment, a near copy of a prefix of it (a copy cut off mid-page). Anything that is not a whole copy
(field lines repeated under every problem, a table of contents before its headings, a quoted sentence,
a caption) fails that test, because the segments it would produce do not look alike.

Cost: one similarity check per segment against the first, so k copies cost about k times one copy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import Indel

MIN_SIMILARITY = 0.8
# Lines just before an anchor are matched with less evidence: their place already says they correspond.
LEAD_SIMILARITY = 0.5
MIN_COPY_CHARS = 40
MIN_ANCHOR_CHARS = 6
ANCHOR_CANDIDATES = 8
# A last copy shorter than this share of the first is a truncated copy.
COMPLETE_SHARE = 0.95
MIN_PARTIAL_SHARE = 0.2
# A copy has substance: this many lines, and the copies together hold this share of the body's text (a
# title repeated as a caption or in a meta row is not a pasted copy of the body).
MIN_COPY_LINES = 3
MIN_BODY_SHARE = 0.5


# Everything but letters and digits (Han characters are letters); the second keeps newlines. These define
# the keys; on text of the Basic Multilingual Plane (nearly all text) a table lookup gives the same result.
_NOT_KEY = re.compile(r"[\W_]+")
_NOT_KEY_IN_LINE = re.compile(r"(?:[^\w\n]|_)+")


@lru_cache(maxsize=1)
def _kept() -> tuple[Any, Any]:
    """Whether a key keeps each BMP code point (``[\\W_]`` does not match it), without and with newline."""
    import numpy as np

    words = np.fromiter((chr(c).isalnum() for c in range(0x10000)), dtype=bool, count=0x10000)  # "_" is not
    lines = words.copy()
    lines[ord("\n")] = True
    return words, lines


def _without(text: str, general: re.Pattern[str], newlines: bool) -> str:
    """``general.sub("", text)``; on BMP text one numpy gather over UTF-16 code units instead of one regex
    replacement per run of punctuation (a page has hundreds: several times the cost)."""
    data = text.encode("utf-16-le", "surrogatepass")
    if len(data) != 2 * len(text):  # astral characters take two code units: the table cannot see them
        return general.sub("", text)
    import numpy as np

    words, words_and_newlines = _kept()
    units = np.frombuffer(data, dtype=np.uint16)
    kept = units[(words_and_newlines if newlines else words).take(units)]
    return str(kept.tobytes().decode("utf-16-le"))  # a kept unit is never a surrogate


def line_key(text: str) -> str:
    """What two copies of a line share when they differ only in punctuation, symbols and spacing: its
    letters and digits (Han characters included)."""
    return _without(text, _NOT_KEY, newlines=False)


def line_keys(lines: Sequence[str]) -> list[str]:
    """``line_key`` of each line (lines hold no newline), in one pass over the lines joined."""
    if not lines:
        return []
    return _without("\n".join(lines), _NOT_KEY_IN_LINE, newlines=True).split("\n")


@dataclass(frozen=True, slots=True)
class CopyCut:
    """One copy as a range of body line indices ``[start, end)``."""

    start: int
    end: int
    complete: bool
    similarity: float


@dataclass(frozen=True, slots=True)
class Repeats:
    """The copies found, and the lines before the first copy and after the last one."""

    copies: list[CopyCut]
    prefix_end: int  # lines [0, prefix_end) precede the first copy (title printed once …)
    tail_start: int  # lines [tail_start, n) follow the last copy


def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return float(Indel.normalized_similarity(a, b))


def find_repeats(lines: Sequence[str]) -> Repeats:
    """Find repeated copies among body ``lines`` (their matching text, one string per line)."""
    n = len(lines)
    keys = line_keys(lines)
    single = Repeats([], 0, n)
    if n < 2 or len(set(keys)) == n:
        return single  # no line's key occurs twice: no anchor can repeat
    positions: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        if len(key) >= MIN_ANCHOR_CHARS:
            positions.setdefault(key, []).append(i)
    tried = 0
    for a, key in enumerate(keys):
        if tried >= ANCHOR_CANDIDATES:
            break
        if len(key) < MIN_ANCHOR_CHARS:
            continue
        tried += 1
        occ = positions[key]
        if len(occ) < 2 or occ[0] != a:
            continue
        found = _cut(keys, occ)
        if found is not None:
            return found
    return single


def _lead(keys: Sequence[str], occ: Sequence[int]) -> int:
    """How many lines before the first anchor also precede every other anchor (the copies' heads)."""
    lead = occ[0]
    for k in range(1, len(occ)):
        d = 0
        while (
            d < lead
            and occ[k] - d - 1 >= occ[k - 1] + 1
            and _similarity(keys[occ[0] - d - 1], keys[occ[k] - d - 1]) >= LEAD_SIMILARITY
        ):
            d += 1
        lead = min(lead, d)
    return lead


def _cut(keys: Sequence[str], occ: Sequence[int]) -> Repeats | None:
    lead = _lead(keys, occ)
    starts = [p - lead for p in occ]
    head = keys[starts[0] : starts[1]]
    first = "".join(head)
    substantial = sum(1 for key in head if len(key) >= MIN_ANCHOR_CHARS)
    if (
        len(first) < MIN_COPY_CHARS
        or substantial < MIN_COPY_LINES
        or len(first) * len(starts) < MIN_BODY_SHARE * sum(map(len, keys))
    ):
        return None
    copies = [CopyCut(starts[0], starts[1], True, 1.0)]
    for k in range(1, len(starts) - 1):
        seg = "".join(keys[starts[k] : starts[k + 1]])
        sim = _similarity(first, seg)
        if sim < MIN_SIMILARITY:
            return None
        copies.append(CopyCut(starts[k], starts[k + 1], True, sim))
    last = _last_copy(keys, starts[0], starts[1], starts[-1], first)
    if last is None:
        return None
    copies.append(last)
    return Repeats(copies, starts[0], last.end)


def _last_copy(keys: Sequence[str], c0: int, c1: int, start: int, first: str) -> CopyCut | None:
    """The last segment runs to the end of the body: find where the copy stops and what trails it."""
    canon = list(keys[c0:c1])
    rest = list(keys[start:])
    # Line-level alignment tells how far the last copy follows the first; lines after that are a tail.
    covered_canon = 0
    covered_rest = 0
    for op in Indel.opcodes(canon, rest):
        if op.tag == "equal":
            covered_canon, covered_rest = op.src_end, op.dest_end
    # A changed final line (or a line cut mid-sentence) still belongs to the copy.
    if covered_rest < len(rest) and covered_canon < len(canon):
        want, got = canon[covered_canon], rest[covered_rest]
        if _similarity(want, got) >= LEAD_SIMILARITY or _similarity(want[: len(got)], got) >= MIN_SIMILARITY:
            covered_canon += 1
            covered_rest += 1
    seg = "".join(rest[:covered_rest])
    complete = len(seg) >= COMPLETE_SHARE * len(first)
    target = first if complete else first[: len(seg)]
    sim = _similarity(target, seg)
    # A cut-off copy must hold a fair share of the body: one sentence repeated near the end is not a copy.
    if sim < MIN_SIMILARITY or len(seg) < max(MIN_COPY_CHARS, MIN_PARTIAL_SHARE * len(first)):
        return None
    return CopyCut(start, start + covered_rest, complete, sim)
