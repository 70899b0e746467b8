"""The matching view: a normalised copy of the text used only for matching, with a map back.

Folding is one-to-one (full-width ASCII forms to ASCII, exotic spaces to a plain space, traditional
characters to simplified ones by OpenCC's character table) and deletion
removes invisible characters (zero-width spaces, soft hyphens, stray BOMs). A :class:`View` keeps the
positions of the deletions only, so mapping costs memory in proportion to what was deleted, not to the
length of the text. Records never hold view text: every span is mapped back with :meth:`View.span`.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

from .records import Span
from .script import char_ranges, traditional_fold

# Full-width ASCII block U+FF01..U+FF5E folds onto U+0021..U+007E; spaces of every width onto " ".
_FOLD: dict[int, str] = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
_FOLD.update(
    {
        c: " "
        for c in (
            0x3000,
            0x00A0,
            0x2002,
            0x2003,
            0x2004,
            0x2005,
            0x2006,
            0x2007,
            0x2008,
            0x2009,
            0x200A,
            0x202F,
            0x205F,
            0x1680,
        )
    }
)
_FOLD.update({0x2028: "\n", 0x2029: "\n", 0x0B: "\n", 0x0C: "\n", 0x85: "\n"})
# Traditional characters (問題 → 问题, 發佈 → 发布, 關於 → 关于): OpenCC's t2s character table (see
# script.py), so rules written in simplified characters read mirror sites too, and copies in two scripts
# compare alike. Those of the Basic Multilingual Plane only: no rule is written with a rarer character,
# and one astral character in the class below makes the engine test its ranges one by one (30x slower).
_FOLD.update({ord(k): v for k, v in traditional_fold().items() if ord(k) <= 0xFFFF})
_FOLD_CHARS = {chr(k): v for k, v in _FOLD.items()}
# The stdlib engine scans a plain character class (a table lookup for BMP characters) many times faster
# than str.translate maps a non-ASCII string through a dict, and most scraped text has few characters to
# fold. A traditional page has many (a third of its characters and more): when its start shows it, one
# numpy gather through a table of every BMP code point folds it (35x faster than translate).
_FOLDABLE = re.compile("[" + "".join(char_ranges(_FOLD)) + "]")
_PROBE, _DENSE = 400, 40  # characters looked at, and folds among them that make a page dense

# Characters with no visible form; they break label and marker matching when left in.
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]+")
# Markup left in scraped text: block tags stand for a line break, inline tags for nothing.
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|tr|h[1-6]|table|ul|ol)\b[^<>\n]{0,300}>", re.IGNORECASE)
_INLINE_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]{0,10}\b[^<>\n]{0,300}>")
_ENTITIES = {
    "&nbsp;": " ",
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&#39;": "'",
    "&ensp;": " ",
    "&emsp;": " ",
}
_ENTITY = re.compile("|".join(re.escape(e) for e in _ENTITIES), re.IGNORECASE)
# Pinyin injected after characters by spam mirrors: 政(zheng)府(fu). Lower-case only, so acronyms such as
# 政府和社会资本合作(PPP) stay; and only when a page shows it several times.
# Tone marks count as letters: 首頁(yè) is injected pinyin like 政(zheng).
PINYIN = regex.compile(r"(?<=\p{Han})\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{1,6}[1-5]?\)")
_MIN_PINYIN = 3


def _fold_one(match: re.Match[str]) -> str:
    return _FOLD_CHARS[match.group()]


# Full-width punctuation common in Chinese text: replaced by str.replace (one C-level pass each) before
# the regex, whose per-match callback would otherwise run for every comma.
_FREQUENT = "，：（）；！？\u3000"


def fold(text: str) -> str:
    """Width, space and traditional-character folding only (no deletion, same length); idempotent."""
    for ch in _FREQUENT:
        if ch in text:
            text = text.replace(ch, _FOLD_CHARS[ch])
    if len(text) > _DENSE and len(_FOLDABLE.findall(text, 0, _PROBE)) > _DENSE:
        return _fold_dense(text)
    return _FOLDABLE.sub(_fold_one, text)


def _fold_dense(text: str) -> str:
    """``fold`` of a text with many characters to fold, by a table gather (translate when it holds a
    character beyond the BMP, which the table does not cover)."""
    import numpy as np

    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if points.max(initial=0) > 0xFFFF:
        return text.translate(_FOLD)
    folded: str = fold_table().take(points).tobytes().decode("utf-32-le", "surrogatepass")
    return folded


@lru_cache(maxsize=1)
def fold_table() -> Any:
    """The folded code point of every BMP code point (uint32)."""
    import numpy as np

    table = np.arange(0x10000, dtype=np.uint32)
    table[np.fromiter(_FOLD, dtype=np.int64, count=len(_FOLD))] = [ord(v) for v in _FOLD.values()]
    return table


@dataclass(frozen=True, slots=True)
class Edit:
    """A stretch of the source replaced in the view by ``replacement`` (empty or one character)."""

    start: int
    end: int
    replacement: str
    rule: str


@dataclass(frozen=True, slots=True)
class View:
    """Normalised text plus the map from view offsets to source offsets."""

    text: str
    source_len: int
    edits: tuple[Edit, ...] = ()
    # From view offset ``_breaks[k]`` on, a view offset maps to source offset + ``_shifts[k]``.
    _breaks: tuple[int, ...] = ()
    _shifts: tuple[int, ...] = ()
    _edit_starts: tuple[int, ...] = ()

    def to_source(self, pos: int) -> int:
        """Source offset of the view character at ``pos`` (``len(text)`` maps to the source end)."""
        if not self._breaks:
            return pos  # nothing was dropped: offsets are shared
        if pos >= len(self.text):
            return self.source_len if pos == len(self.text) else self.source_len + pos - len(self.text)
        k = bisect.bisect_right(self._breaks, pos) - 1
        return pos + (self._shifts[k] if k >= 0 else 0)

    def _edit_at(self, source_pos: int) -> Edit | None:
        k = bisect.bisect_right(self._edit_starts, source_pos) - 1
        if k >= 0 and self.edits[k].start <= source_pos < self.edits[k].end:
            return self.edits[k]
        return None

    def span(self, start: int, end: int) -> Span:
        """Source span of the view range ``[start, end)``, tight around the characters it holds."""
        if not self.edits:  # the common page: view and source offsets are the same
            return (start, end) if end > start else (start, start)
        if end <= start:
            # An empty range sits just after the character before it: characters the view dropped there
            # (a zero-width space ending a line) stay outside, as they do for the spans that contain it.
            s = self.span(start - 1, start)[1] if start > 0 else self.to_source(start)
            return (s, s)
        last = self.to_source(end - 1)
        edit = self._edit_at(last) if self.edits else None
        return (self.to_source(start), edit.end if edit is not None else last + 1)

    def raw(self, source: str, start: int, end: int) -> str:
        """The source text of a view range with the view's edits applied but no width folding: what a
        record holds (``<p>``, pinyin, zero-width characters and hard-wrap breaks removed)."""
        if not self.edits:
            return source[start:end]
        s, e = self.span(start, end)
        k = max(0, bisect.bisect_right(self._edit_starts, s) - 1)
        pieces: list[str] = []
        pos = s
        while k < len(self.edits) and self.edits[k].start < e:
            edit = self.edits[k]
            if edit.end > s:
                pieces.append(source[pos : max(pos, edit.start)])
                if edit.start >= s:
                    pieces.append(edit.replacement)
                pos = max(pos, edit.end)
            k += 1
        pieces.append(source[pos:e] if pos < e else "")
        return "".join(pieces)


def noise_edits(folded: str) -> list[Edit]:
    """Invisible characters, markup and injected pinyin to drop from the view."""
    edits: list[Edit] = []
    if any(ch in folded for ch in _INVISIBLE_CHARS):  # seven C-level finds cost a fifth of the class scan
        edits += [Edit(m.start(), m.end(), "", "invisible") for m in INVISIBLE.finditer(folded)]
    if "<" in folded:
        edits += [Edit(m.start(), m.end(), "\n", "html_tag") for m in _BLOCK_TAG.finditer(folded)]
        edits += [Edit(m.start(), m.end(), "", "html_tag") for m in _INLINE_TAG.finditer(folded)]
    if "&" in folded:
        edits += [
            Edit(m.start(), m.end(), _ENTITIES[m.group().lower()], "html_entity") for m in _ENTITY.finditer(folded)
        ]
    if "(" in folded:
        pinyin = list(PINYIN.finditer(folded))
        if len(pinyin) >= _MIN_PINYIN:
            edits += [Edit(m.start(), m.end(), "", "pinyin") for m in pinyin]
    return edits


def _non_overlapping(edits: list[Edit]) -> list[Edit]:
    out: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, -e.end)):
        if not out or edit.start >= out[-1].end:
            out.append(edit)
    return out


def make_view(source: str, extra: list[Edit] | None = None, *, folded: str | None = None) -> View:
    """Build the matching view of ``source``; ``extra`` edits (hard-wrap joins) come on top of noise.
    ``folded`` is ``fold(source)`` when the caller has it already."""
    folded = fold(source) if folded is None else folded
    edits = _non_overlapping(noise_edits(folded) + (extra or []))
    if not edits:
        return View(folded, len(source))
    pieces: list[str] = []
    breaks: list[int] = []
    shifts: list[int] = []
    last = 0
    shift = 0
    vpos = 0
    for edit in edits:
        pieces.append(folded[last : edit.start])
        pieces.append(edit.replacement)
        vpos += edit.start - last + len(edit.replacement)
        shift += edit.end - edit.start - len(edit.replacement)
        breaks.append(vpos)
        shifts.append(shift)
        last = edit.end
    pieces.append(folded[last:])
    return View("".join(pieces), len(source), tuple(edits), tuple(breaks), tuple(shifts), tuple(e.start for e in edits))


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


# A line break inside a value, with the spaces around it (indentation of the next line included).
_VALUE_BREAK = re.compile(r"[ \t\u3000\xa0]*(?:\r\n|\r|\n)[ \t\u3000\xa0\r\n]*")
_NARROW = re.compile(r"[A-Za-z0-9]")


def _joined(m: re.Match[str]) -> str:
    text, start, end = m.string, m.start(), m.end()
    narrow = start > 0 and end < len(text) and _NARROW.match(text[start - 1]) and _NARROW.match(text[end])
    return " " if narrow else ""


def one_line(value: str) -> str:
    """A record value read as one line: each line break (a hard wrap inside a sentence, 涉及金额\\n1.5万元,
    or between the sentences of a field), with the spaces around it, is dropped, or becomes one space
    between two Latin letters or digits. Chinese text puts nothing between its lines' characters."""
    if "\n" not in value and "\r" not in value:  # nearly every value: two C-level finds
        return value
    return _VALUE_BREAK.sub(_joined, value)


def split_lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every line of ``text``, line breaks (LF, CRLF, CR) excluded."""
    if "\r" not in text:
        # The common case, without a Python step per line: line starts are running sums of lengths.
        lengths = list(map(len, text.split("\n")))
        starts = [0, *itertools.accumulate(map(operator.add, lengths[:-1], itertools.repeat(1)))]
        return list(zip(starts, map(operator.add, starts, lengths), strict=True))
    out: list[tuple[int, int]] = []
    start = 0
    for m in _LINE_BREAK.finditer(text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return out


def lines_matching(pattern: re.Pattern[str] | regex.Pattern[str], text: str, starts: Sequence[int]) -> set[int]:
    """Indices of the lines (by their ``starts``) that hold a match of ``pattern``, which must not match
    across a line break: one scan of the page instead of one search per line."""
    return {bisect.bisect_right(starts, m.start()) - 1 for m in pattern.finditer(text)}


def lines_containing(chars: str, text: str, starts: Sequence[int]) -> set[int]:
    """Indices of the lines (by their ``starts``) that hold one of ``chars``: ``lines_matching`` for a class of
    a few characters, with str.find, which skips to each at memory-scan speed where a pattern steps."""
    out: set[int] = set()
    for ch in chars:
        pos = text.find(ch)
        while pos != -1:
            i = bisect.bisect_right(starts, pos) - 1
            out.add(i)
            pos = text.find(ch, starts[i + 1]) if i + 1 < len(starts) else -1
    return out


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow ``[start, end)`` of ``text`` so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# Hard wraps: most lines of a paragraph end at one width (~36 characters), often mid-word.
_MIN_WRAP_WIDTH = 16
_MIN_WRAPPED_LINES = 4
_WRAPPED_SHARE = 0.4
_OPEN_END_SHARE = 0.6
_SENTENCE_END = "。！？!?；;：:"
_WRAP_MARKER = re.compile(
    r"\s*(?:[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十\d]{1,3}\)|第[一二三四五六七八九十百]+[章条节])"
)


def hard_wrap_edits(folded: str, lines: list[tuple[int, int]] | None = None) -> list[Edit]:
    """Line breaks that a hard wrap inserted (to be dropped from the view), or nothing.

    A page is hard-wrapped when a large share of its lines have (nearly) the same length; then a break
    after such a full line is a wrap unless the line ends a sentence and the next starts a heading.
    """
    lines = split_lines(folded) if lines is None else lines
    lengths = [len(folded[s:e].rstrip()) for s, e in lines]
    every = Counter(lengths)
    need = max(_MIN_WRAPPED_LINES, _WRAPPED_SHARE * (len(lengths) - every[0]))
    counts = {n: k for n, k in every.items() if n >= _MIN_WRAP_WIDTH}
    # Full lines are within one of the width: at most three lengths' worth. Most pages stop here.
    if not counts or 3 * max(k for n, k in every.items() if n >= _MIN_WRAP_WIDTH - 1) < need:
        return []
    width = max(counts, key=lambda n: (counts[n] + counts.get(n - 1, 0), n))
    full = [width - 1 <= n <= width + 1 for n in lengths]
    if sum(full) < need:
        return []
    # Wrapped lines stop mid-sentence; lines that merely happen to be equally long end sentences.
    open_ends = sum(1 for i, (s, e) in enumerate(lines) if full[i] and folded[s:e].rstrip()[-1] not in _SENTENCE_END)
    if open_ends < _OPEN_END_SHARE * sum(full):
        return []
    edits: list[Edit] = []
    for i in range(len(lines) - 1):
        (s, e), (ns, ne) = lines[i], lines[i + 1]
        if not full[i] or not lengths[i + 1]:
            continue
        text = folded[s:e].rstrip()
        if text[-1] in _SENTENCE_END and _WRAP_MARKER.match(folded, ns, ne):
            continue
        edits.append(Edit(s + len(text), ns, "", "hard_wrap"))
    return edits
