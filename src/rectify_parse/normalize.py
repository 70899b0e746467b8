"""The matching view: a normalised copy of the text used only for matching, with a map back.

Folding is one-to-one (full-width ASCII forms to ASCII, exotic spaces to a plain space) and deletion
removes invisible characters (zero-width spaces, soft hyphens, stray BOMs). A :class:`View` keeps the
positions of the deletions only, so mapping costs memory in proportion to what was deleted, not to the
length of the text. Records never hold view text: every span is mapped back with :meth:`View.span`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import regex

from .records import Span

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
_FOLD_CHARS = {chr(k): v for k, v in _FOLD.items()}
# The stdlib engine scans a plain character class many times faster than str.translate maps a
# non-ASCII string through a dict, and most scraped text has few characters to fold.
_FOLDABLE = re.compile("[" + "".join(re.escape(ch) for ch in _FOLD_CHARS) + "]")

# Characters with no visible form; they break label and marker matching when left in.
INVISIBLE = regex.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]+")


def _fold_one(match: re.Match[str]) -> str:
    return _FOLD_CHARS[match.group()]


def fold(text: str) -> str:
    """Width and space folding only (no deletion, same length); idempotent."""
    return _FOLDABLE.sub(_fold_one, text)


@dataclass(frozen=True, slots=True)
class View:
    """Normalised text plus the map from view offsets to source offsets."""

    text: str
    source_len: int
    # After deletion run k the view offset ``_breaks[k]`` maps to source offset + ``_shifts[k]``.
    _breaks: tuple[int, ...] = ()
    _shifts: tuple[int, ...] = ()

    def to_source(self, pos: int) -> int:
        """Source offset of the view character at ``pos`` (``len(text)`` maps to the source end)."""
        if pos >= len(self.text):
            return self.source_len if pos == len(self.text) else self.source_len + pos - len(self.text)
        k = bisect.bisect_right(self._breaks, pos) - 1
        return pos + (self._shifts[k] if k >= 0 else 0)

    def span(self, start: int, end: int) -> Span:
        """Source span of the view range ``[start, end)``, tight around the characters it holds."""
        if end <= start:
            s = self.to_source(start)
            return (s, s)
        return (self.to_source(start), self.to_source(end - 1) + 1)


def make_view(source: str) -> View:
    """Build the matching view of ``source``."""
    folded = fold(source)
    if INVISIBLE.search(folded) is None:
        return View(folded, len(source))
    pieces: list[str] = []
    breaks: list[int] = []
    shifts: list[int] = []
    last = 0
    deleted = 0
    vpos = 0
    for m in INVISIBLE.finditer(folded):
        pieces.append(folded[last : m.start()])
        vpos += m.start() - last
        deleted += m.end() - m.start()
        breaks.append(vpos)
        shifts.append(deleted)
        last = m.end()
    pieces.append(folded[last:])
    return View("".join(pieces), len(source), tuple(breaks), tuple(shifts))


_LINE_BREAK = regex.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every line of ``text``, line breaks (LF, CRLF, CR) excluded."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _LINE_BREAK.finditer(text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return out


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow ``[start, end)`` of ``text`` so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
