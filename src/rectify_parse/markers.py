"""What a heading marker and a title line look like: shared by the structure and the layout stages."""

from __future__ import annotations

from typing import Literal, NamedTuple

from .patterns import ANY_MARKER, CIRCLED_BASE, DECIMAL_MARKER, DECIMAL_RANK, MARKERS, TITLE_END, cn_to_int

_MAX_TITLE = 80
# A heading that runs inline into its paragraph (lost newlines) is at most this long.
MAX_INLINE_HEADING = 40


def trim_end(text: str, start: int, end: int) -> int:
    """Move ``end`` back over spaces and tabs."""
    while end > start and text[end - 1] in " \t":
        end -= 1
    return end


MARKER_START = frozenset("第一二三四五六七八九十百(0123456789") | frozenset(chr(c) for c in range(0x2460, 0x2474))
_NUMBER_GROUPS = tuple(f"n{i}" for i in range(len(MARKERS)))


class Marker(NamedTuple):
    level: int
    rank: int
    family: str
    number: int
    end: int


def match_marker(text: str, start: int, end: int, *, decimal: bool = False) -> Marker | None:
    """The heading marker that starts at ``start``, if any (``decimal``: 1 / 1.1 numbering is in use)."""
    return _resolve(_ladder_marker(text, start, end), text, start, end, decimal)


def _resolve(ladder: Marker | Literal[False] | None, text: str, start: int, end: int, decimal: bool) -> Marker | None:
    if ladder is None:
        return _decimal_marker(text, start, end) if decimal else None
    return ladder or None


def _ladder_marker(text: str, start: int, end: int) -> Marker | Literal[False] | None:
    """A GB/T 9704 or chapter marker; False for one that matched but is no heading (decimal is then not
    tried either); None for none."""
    if start >= end or text[start] not in MARKER_START:
        return None
    m = ANY_MARKER.match(text, start, end)
    if m is None:
        return None
    index = int(m.lastgroup[1:])  # type: ignore[index]
    level, rank, family, _ = MARKERS[index]
    num = m[_NUMBER_GROUPS[index]]
    number = ord(num) - CIRCLED_BASE + 1 if family == "circled" else cn_to_int(num)
    if number is None or trim_end(text, m.end(), end) == m.end():
        return False  # unreadable number, or a bare marker: not a heading
    return Marker(level, rank, family, number, trim_end(text, start, m.end()))


def _decimal_marker(text: str, start: int, end: int) -> Marker | None:
    m = DECIMAL_MARKER.match(text, start, end)
    if m is None:
        return None
    parts = m["all"].strip().split(".")
    level = len(parts)
    return Marker(level, DECIMAL_RANK + level, f"decimal{level}", int(parts[-1]), trim_end(text, start, m.end()))


class LineMarkers:
    """``match_marker`` of whole lines of one text, remembered: layout and structure ask about the same lines."""

    __slots__ = ("_seen", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._seen: dict[tuple[int, int], Marker | Literal[False] | None] = {}

    def at(self, start: int, end: int, *, decimal: bool = False) -> Marker | None:
        """``match_marker(text, start, end, decimal=decimal)``."""
        key = (start, end)
        seen = self._seen
        ladder = seen[key] if key in seen else seen.setdefault(key, _ladder_marker(self.text, start, end))
        return _resolve(ladder, self.text, start, end, decimal)


def is_title(text: str) -> bool:
    stripped = text.strip()
    if not 4 <= len(stripped) <= _MAX_TITLE or stripped[-1] in "。;；,，:：":
        return False
    if match_marker(stripped, 0, len(stripped)) is not None:
        return False
    return TITLE_END.search(stripped) is not None
