"""What the structure and problem stages share: the heading-tree node, the reader that turns view ranges
into record values and spans, sentence ends outside quotes, and 一是 / 二是 enumerations."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .normalize import View, one_line
from .patterns import ENUM_ITEM, cn_to_int
from .records import Span

Line = tuple[int, int]  # view offsets of a stripped, non-empty line

OPEN = '“‘"《「『(（[【〔'
CLOSE = '”’"》」』)）]】〕'
TRAILING_PUNCT = "。;；,，、:： \t\n"
_FIRST_ITEMS = ("一是", "一要", "一方面")
_ENUM_BOUNDARY = "。;；,，、:：!！?？ \t\n"


@dataclass(slots=True)
class Node:
    """A heading of the tree: its marker, heading and text as view ranges."""

    level: int
    rank: int
    family: str
    number: int
    marker: Line
    heading: Line
    text_start: int
    end: int
    children: list[Node] = field(default_factory=list)

    @property
    def own_end(self) -> int:
        """End of the node's own text: its first child's marker, or its end."""
        return self.children[0].marker[0] if self.children else self.end


def _same_span(start: int, end: int) -> Span:
    """``View.span`` of a view without edits."""
    return (start, end) if end > start else (start, start)


class Reader:
    """Holds the source, the view and its map, so helpers can turn view ranges into record values."""

    def __init__(self, view: View, source: str) -> None:
        self.text = view.text
        # The view's own methods, bound once: helpers call them for every value they read. On a page the view
        # left as it was (most pages), offsets are shared and a value is a plain slice.
        self.span: Callable[[int, int], Span] = view.span if view.edits else _same_span
        self.as_written: Callable[[int, int], str] = (
            functools.partial(view.raw, source) if view.edits else lambda start, end: source[start:end]
        )

    def raw(self, start: int, end: int) -> str:
        """The record value of a view range: the source as written, the view's edits applied, read as one line
        (:func:`~rectify_parse.normalize.one_line`: a hard line break inside a field's sentence is no part of
        the value; its span still covers it). :attr:`as_written` keeps the line breaks (a section's text)."""
        return one_line(self.as_written(start, end))

    def trim(self, start: int, end: int, chars: str = " \t\r\n") -> Line:
        text = self.text
        while start < end and text[start] in chars:
            start += 1
        while end > start and text[end - 1] in chars:
            end -= 1
        return start, end

    def enumerate(self, start: int, end: int) -> list[Line]:
        """Split ``[start, end)`` into its 一是 / 二是 … items; one item when it is not enumerated."""
        markers = enumeration(self.text, start, end)
        if len(markers) < 2:
            item = self.trim(start, end, TRAILING_PUNCT)
            return [item] if item[0] < item[1] else []
        # Items without their 一是 markers; a lead-in before 一是 is an introduction, not an item.
        items: list[Line] = []
        for k, (_, me) in enumerate(markers):
            ie = markers[k + 1][0] if k + 1 < len(markers) else end
            item = self.trim(me, ie, TRAILING_PUNCT)
            if item[0] < item[1]:
                items.append(item)
        return items


def enumeration(text: str, start: int, end: int, kinds: str = "是要方面") -> list[Line]:
    """The markers of the 一是 / 二是 … run in ``text[start:end]``: numbered 1, 2, … in order, one kind."""
    markers: list[Line] = []
    # The run must open with 一是 / 一要 / 一方面: without one there is nothing to scan for.
    if all(text.find(first, start, end) == -1 for first in _FIRST_ITEMS if first[1:] in kinds):
        return markers
    expected = 1
    kind: str | None = None
    for m in ENUM_ITEM.finditer(text, start, end):
        if m.start() > start and text[m.start() - 1] not in _ENUM_BOUNDARY:
            continue  # 统一是 / 唯一是: part of a word
        if m["kind"] not in kinds or cn_to_int(m["num"]) != expected or (kind is not None and m["kind"] != kind):
            continue
        kind = m["kind"]
        markers.append((m.start(), m.end()))
        expected += 1
    return markers


_SENTENCE_EVENT = re.compile("[。!?！？\n" + re.escape(OPEN + CLOSE) + "]")


def first_sentence_end(text: str, start: int, end: int) -> int:
    """Offset of the first 。!?！？ in ``text[start:end]`` outside quotes and brackets, or -1."""
    depth = 0
    pos = start
    # Only stops, newlines and brackets change anything: jump between them with a C-level search.
    while (m := _SENTENCE_EVENT.search(text, pos, end)) is not None:
        ch, i = m.group(), m.start()
        if ch in OPEN and not (ch == '"' and depth):
            depth += 1
        elif ch in CLOSE and depth:
            depth -= 1
        elif depth == 0 and ch in "。!?！？":
            return i
        elif ch == "\n":
            return -1
        pos = i + 1
    return -1
