"""Word-level variants between two copies of a text.

1. Align the two texts with rapidfuzz (lines first, then characters inside the lines that differ), so the
   cost follows the size of the differences, not the product of the lengths.
2. Merge adjacent edits into regions and classify each: ``whitespace`` (only spacing differs),
   ``punctuation`` (only marks or their width differ), or ``wording``.
3. Widen each wording region to whole words: jieba tokenizes a short window around the region in
   both copies (never the whole text), and the region grows over the shared context on both sides
   until it starts and ends on a word boundary in both copies.

Applying every variant (``before`` → ``after`` at ``canonical_span``) to the first text gives the second:
the regions cover every edit, do not overlap, and only ever grow over text the two copies share.
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
import re
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import regex
from rapidfuzz.distance import Indel

from .normalize import fold
from .records import Variant, VariantKind
from .script import fold_scripts

_WINDOW = 16  # characters of context tokenized on each side of a wording region
_CONTEXT = 12  # characters of canonical text shown on each side in ``Variant.context``
_DIRECT_LIMIT = 4_000_000  # above len(a) * len(b) align line by line first
_PUNCT_OR_SPACE = regex.compile(r"[\s\p{P}\p{S}]*")
_SPACE = re.compile(r"\s+")
_HAN = regex.compile(r"\p{Han}")
_LINE = re.compile(r"[^\n]*\n|[^\n]+")

_jieba_lock = threading.Lock()
_tokenizer: Any = None


def _jieba() -> Any:
    """jieba's tokenizer, built on first use and without its start-up chatter on stderr."""
    global _tokenizer
    with _jieba_lock:
        if _tokenizer is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # jieba imports pkg_resources on some setups
                import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizer = tokenizer
    return _tokenizer


def word_boundaries(text: str) -> list[int]:
    """Offsets in ``text`` where jieba puts a word boundary (0 and len(text) included)."""
    bounds = [0]
    for _word, _start, end in _jieba().tokenize(text, HMM=False):
        bounds.append(end)
    return bounds


@dataclass(slots=True)
class _Region:
    a1: int
    a2: int
    b1: int
    b2: int
    kind: VariantKind


def _char_edits(a: str, b: str, a0: int, b0: int) -> Iterator[tuple[int, int, int, int]]:
    """Non-equal stretches (a1, a2, b1, b2) of a character alignment, offsets shifted by a0/b0."""
    pending: list[int] | None = None
    for op in Indel.opcodes(a, b):
        if op.tag == "equal":
            if pending is not None:
                yield pending[0], pending[1], pending[2], pending[3]
                pending = None
            continue
        if pending is None:
            pending = [a0 + op.src_start, a0 + op.src_end, b0 + op.dest_start, b0 + op.dest_end]
        else:
            pending[1], pending[3] = a0 + op.src_end, b0 + op.dest_end
    if pending is not None:
        yield pending[0], pending[1], pending[2], pending[3]


def _lines(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _LINE.finditer(text)]


def edits(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """Every differing stretch between ``a`` and ``b``, in order."""
    if a == b:
        return []
    if len(a) * len(b) <= _DIRECT_LIMIT:
        return list(_char_edits(a, b, 0, 0))
    la, lb = _lines(a), _lines(b)
    keys_a = [a[s:e] for s, e in la]
    keys_b = [b[s:e] for s, e in lb]
    # Indel has no "replace": a changed line is a delete next to an insert, so runs of non-equal line
    # ops are gathered into one block before the characters inside are aligned.
    blocks: list[list[int]] = []
    for op in Indel.opcodes(keys_a, keys_b):
        if op.tag == "equal":
            continue
        if blocks and blocks[-1][1] == op.src_start and blocks[-1][3] == op.dest_start:
            blocks[-1][1], blocks[-1][3] = op.src_end, op.dest_end
        else:
            blocks.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    out: list[tuple[int, int, int, int]] = []
    for sa, ea, sb, eb in blocks:
        a1 = la[sa][0] if sa < len(la) else len(a)
        a2 = la[ea - 1][1] if ea > sa else a1
        b1 = lb[sb][0] if sb < len(lb) else len(b)
        b2 = lb[eb - 1][1] if eb > sb else b1
        out.extend(_char_edits(a[a1:a2], b[b1:b2], a1, b1))
    return _merge_touching(out)


def _merge_touching(found: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    out: list[tuple[int, int, int, int]] = []
    for e in found:
        if out and out[-1][1] == e[0] and out[-1][3] == e[2]:
            prev = out.pop()
            e = (prev[0], e[1], prev[2], e[3])
        out.append(e)
    return out


def classify(before: str, after: str) -> VariantKind:
    """``whitespace``, ``punctuation`` or ``wording`` for one differing stretch. A character written in
    the other script (区 → 區) is wording: folding reads it alike, but it is a different character."""
    if _SPACE.sub("", before) == _SPACE.sub("", after):
        return "whitespace"
    fa, fb = _SPACE.sub("", fold(before)), _SPACE.sub("", fold(after))
    if fa == fb:
        return "wording" if _HAN.findall(before) != _HAN.findall(after) else "punctuation"  # width, or script
    if _PUNCT_OR_SPACE.fullmatch(fa) and _PUNCT_OR_SPACE.fullmatch(fb):
        return "punctuation"  # one mark for another
    return "wording"


def _tighten(edit: tuple[int, int, int, int], a: str, b: str) -> tuple[int, int, int, int]:
    """Drop what both sides of an edit share at its ends (an aligner may pick either equal-cost path)."""
    a1, a2, b1, b2 = edit
    while a1 < a2 and b1 < b2 and a[a1] == b[b1]:
        a1, b1 = a1 + 1, b1 + 1
    while a2 > a1 and b2 > b1 and a[a2 - 1] == b[b2 - 1]:
        a2, b2 = a2 - 1, b2 - 1
    return a1, a2, b1, b2


def _width_regions(a: str, b: str, found: list[tuple[int, int, int, int]]) -> list[_Region]:
    """Characters that differ only in width inside the stretches the folded alignment found equal."""
    out: list[_Region] = []
    pa = pb = 0
    for a1, a2, b1, b2 in [*found, (len(a), len(a), len(b), len(b))]:
        if a[pa:a1] != b[pb:b1]:
            run: _Region | None = None
            for k in range(a1 - pa):
                if a[pa + k] == b[pb + k]:
                    run = None
                    continue
                if run is not None and run.a2 == pa + k:
                    run.a2, run.b2 = pa + k + 1, pb + k + 1
                    continue
                run = _Region(pa + k, pa + k + 1, pb + k, pb + k + 1, "punctuation")
                out.append(run)
        pa, pb = a2, b2
    for r in out:
        r.kind = classify(a[r.a1 : r.a2], b[r.b1 : r.b2])
    return out


def _snap(pos: int, bounds: list[int], *, left: bool) -> int:
    """Nearest boundary at or before (left) / at or after (right) ``pos``."""
    k = bisect.bisect_right(bounds, pos) - 1 if left else bisect.bisect_left(bounds, pos)
    k = max(0, min(k, len(bounds) - 1))
    return bounds[k]


def _widen(regions: list[_Region], a: str, b: str, boundaries: Callable[[str], list[int]]) -> None:
    """Grow wording regions over shared context until both copies' sides sit on word boundaries."""
    for idx, r in enumerate(regions):
        if r.kind != "wording":
            continue
        lo_limit = regions[idx - 1].a2 if idx > 0 else 0
        ws_a = max(lo_limit, r.a1 - _WINDOW)
        ws_b = r.b1 - (r.a1 - ws_a)
        we_a = min(len(a), r.a2 + _WINDOW)
        we_b = min(len(b), r.b2 + (we_a - r.a2))
        if idx + 1 < len(regions):
            we_a = min(we_a, regions[idx + 1].a1)
            we_b = min(we_b, regions[idx + 1].b1)
        bounds_a = [ws_a + x for x in boundaries(a[ws_a:we_a])]
        bounds_b = [ws_b + x for x in boundaries(b[ws_b:we_b])]
        for _ in range(_WINDOW):
            left = max(r.a1 - _snap(r.a1, bounds_a, left=True), r.b1 - _snap(r.b1, bounds_b, left=True))
            right = max(_snap(r.a2, bounds_a, left=False) - r.a2, _snap(r.b2, bounds_b, left=False) - r.b2)
            left = min(left, r.a1 - ws_a, r.b1 - ws_b)
            right = min(right, we_a - r.a2, we_b - r.b2)
            if left <= 0 and right <= 0:
                break
            r.a1 -= left
            r.b1 -= left
            r.a2 += right
            r.b2 += right


def _coalesce(regions: list[_Region]) -> list[_Region]:
    """Merge regions that overlap after widening, and wording regions that touch."""
    out: list[_Region] = []
    for r in regions:
        if out and (
            r.a1 < out[-1].a2
            or r.b1 < out[-1].b2
            or (r.a1 == out[-1].a2 and r.b1 == out[-1].b2 and r.kind == out[-1].kind == "wording")
        ):
            prev = out[-1]
            prev.a2, prev.b2 = max(prev.a2, r.a2), max(prev.b2, r.b2)
            prev.kind = "wording" if "wording" in (prev.kind, r.kind) else prev.kind
        else:
            out.append(r)
    return out


def variants(
    a: str,
    b: str,
    *,
    copy: int,
    a_offset: int = 0,
    b_offset: int = 0,
    boundaries: Callable[[str], list[int]] = word_boundaries,
    truncated: bool = False,
    script_blind: bool = False,
) -> list[Variant]:
    """Every difference between text ``a`` (canonical) and ``b`` (another copy) as word-level variants.

    Spans are shifted by ``a_offset`` / ``b_offset`` so they point into the callers' inputs. With
    ``truncated`` the text ``b`` is a copy cut off early: its missing end is not reported. With
    ``script_blind`` a character written in the other script (區 for 区) is no difference: the texts are
    compared with traditional characters folded (one for one, so spans hold) and the variants show them
    as written (a near-duplicate group's member carries its script instead).
    """
    if script_blind:
        blind = variants(
            fold_scripts(a),
            fold_scripts(b),
            copy=copy,
            a_offset=a_offset,
            b_offset=b_offset,
            boundaries=boundaries,
            truncated=truncated,
        )
        return [_as_written(v, a, b, a_offset, b_offset) for v in blind]
    # Align the folded texts (same length as the raw ones), so a full-width comma against a half-width
    # one is not an edit that swallows the word next to it; width differences are collected afterwards.
    fa, fb = fold(a), fold(b)
    found = [_tighten(e, fa, fb) for e in edits(fa, fb)]
    if truncated and found and found[-1][1] == len(a) and found[-1][2] == found[-1][3] == len(b):
        # ``b`` stops early: what it lacks at its end is not a variant, so ``a`` is cut to match.
        a = a[: found.pop()[0]]
    regions = [_Region(a1, a2, b1, b2, classify(a[a1:a2], b[b1:b2])) for a1, a2, b1, b2 in found]
    regions.extend(_width_regions(a, b, found))
    regions.sort(key=lambda r: (r.a1, r.b1))
    if any(r.kind == "wording" for r in regions):
        _widen(regions, a, b, boundaries)
        regions = _coalesce(regions)
        for r in regions:
            if r.kind != "wording":
                continue
            r.kind = classify(a[r.a1 : r.a2], b[r.b1 : r.b2])
    return [
        Variant(
            copy=copy,
            kind=r.kind,
            before=a[r.a1 : r.a2],
            after=b[r.b1 : r.b2],
            canonical_span=(a_offset + r.a1, a_offset + r.a2),
            copy_span=(b_offset + r.b1, b_offset + r.b2),
            context=a[max(0, r.a1 - _CONTEXT) : r.a2 + _CONTEXT],
        )
        for r in regions
    ]


def _as_written(v: Variant, a: str, b: str, a_offset: int, b_offset: int) -> Variant:
    """``v``, found on folded texts, with its texts taken from ``a`` and ``b`` as written."""
    a1, a2 = v.canonical_span[0] - a_offset, v.canonical_span[1] - a_offset
    b1, b2 = v.copy_span[0] - b_offset, v.copy_span[1] - b_offset
    context = a[max(0, a1 - _CONTEXT) : a2 + _CONTEXT]
    return dataclasses.replace(v, before=a[a1:a2], after=b[b1:b2], context=context)


def apply_variants(a: str, found: list[Variant], *, a_offset: int = 0) -> str:
    """Rebuild the other copy from ``a`` and its variants (used by tests and by callers who audit)."""
    out: list[str] = []
    pos = 0
    for v in sorted(found, key=lambda v: v.canonical_span):
        s, e = v.canonical_span[0] - a_offset, v.canonical_span[1] - a_offset
        out.append(a[pos:s])
        out.append(v.after)
        pos = e
    out.append(a[pos:])
    return "".join(out)
