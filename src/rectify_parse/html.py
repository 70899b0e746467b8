"""HTML input: recognise a saved page, read its declared charset, and extract the text the pipeline parses.

The page is parsed by selectolax (the lexbor engine, an HTML5 parser: the tree a browser builds, whatever
the markup's faults) and walked once, iteratively, so any nesting depth is safe. The text it gives:

* the title from the page's head as the first line, where the page stage scores it among the title
  candidates with the ``<h1>`` and the other top lines: ``<meta name="ArticleTitle">`` where the page's
  system writes it, else the ``<title>`` text; when separators (``_``, ``|``, ``-``) join that to the site's
  and column's names, the one piece that is neither (``<meta name="SiteName">``, ``"ColumnName"``), else
  its longest piece that ends like a title (通知, 报告 …). It is left out when a line of the page (the
  heading) is the same text, which then stands for it where the page puts it (after the header table, say);
  :class:`PageText` says when it is there and where it came from, and ``PubDate`` and ``ContentSource``
  come with it for the header (see ``header.header_from_meta``);
* scripts, styles, comments, ``<noscript>``, ``<template>``, ``<select>`` menus, SVG and embedded
  objects dropped;
* a line break at every block element (p, div, li, h1-h6, table, section, nav …) and ``<br>``; runs of
  HTML whitespace inside a line collapse to one space, and a source line break between two Chinese
  characters to nothing (the CSS rule for East Asian text); entities decoded; ``&nbsp;`` and ``\\u3000``
  kept as written, as the text path keeps them (they are folded for matching only);
* inline elements written one against the other (``…</span><span>…``) that a browser shows apart by the
  site's style sheet get a space between them: after a field (``label：value``), an element that starts
  another field or a widget (``【大 中 小】``, ``打印``), and links side by side; a word split across
  elements (``<span>整改</span><span>情况</span>``) stays whole;
* a table row of two or more filled cells as one ``cell | cell |`` line, the layout the header reader
  and the table-row problem rule read; an empty cell stays as ``|``, a cell's own line breaks become
  spaces (nothing next to a Chinese character). A row that lays out the page rather than holding
  data (a cell that holds a table, a heading or more than ``_MAX_CELL_LINES`` lines, or a single filled
  cell) gives its cells' lines one after another.

Block containers nested more than ``_MAX_DEPTH`` deep (hostile or broken markup; the HTML5 tree builder
takes quadratic time over them) are read as ``<p>``: the same lines, in linear time.

Record spans index this extracted text; :func:`source_text` returns it for any input.
"""

from __future__ import annotations

import re
from typing import Any, Literal, NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .decode import MAX_CHARS, decode_bytes, input_bytes, uncompressed
from .errors import ConfigError, InputTooLargeError
from .patterns import HEADER_LABEL, TITLE_END
from .records import InputFormat

FormatOption = Literal["text", "html", "auto"]
FORMATS: tuple[FormatOption, ...] = ("auto", "text", "html")

# Elements whose content is never page text.
_DROP = frozenset(
    {"head", "script", "style", "noscript", "template", "select", "svg", "math", "iframe", "object", "embed", "canvas"}
)
# Elements that start and end a line.
_BLOCK = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt fieldset figcaption
    figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu nav ol p pre section
    summary table tbody tfoot thead ul""".split()  # noqa: SIM905 - a list of words reads better as words
)
_CELLS = frozenset({"td", "th"})
# Elements a data table's cell never holds: a cell with one is a column of the page's layout.
_LAYOUT = frozenset({"table", "h1", "h2", "h3", "h4", "h5", "h6"})
# A cell with more lines than this is a page's column, not a value.
_MAX_CELL_LINES = 8

_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
# Inline elements written one against the other (…</span><span>…) that a browser shows apart, by the site's
# style sheet: a meta row's fields (<span>发布时间：…</span><span>来源：…</span>), a field and a widget after it
# (<span>信息来源：某局</span><span>【大 中 小】</span>), and links side by side (a menu). Between such
# elements the text gets a space. A word a site splits across elements (<span>整改</span><span>情况</span>)
# is neither a field nor a widget, and stays whole.
_FIELD = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff \t]{1,8}[：:][ \t\u3000\xa0]*[^\s：:]")
_FIELD_START = re.compile(rf"[ \t]*(?:{HEADER_LABEL.pattern})[ \t]*[：:]")
_WIDGET_START = re.compile(r"[【\[]|(?:打印|关闭|收藏|分享|字号|字体)")
_WIDE = r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]"
# A source line break between two wide characters renders as nothing (CSS Text 3, segment breaks).
_WIDE_CHAR = re.compile(_WIDE)
_WIDE_BREAK = re.compile(rf"(?<={_WIDE})[ \t\r\f]*\n[ \t\n\r\f]*(?={_WIDE})")

# lexbor, like a browser, scans its stack of open elements at every block start tag, so blocks nested deep
# cost quadratic time (16,000 nested <div> take half a second). Nested deeper than this, block containers are
# read as <p>, which gives the same lines without the nesting.
_MAX_DEPTH = 5000
_CONTAINERS = (
    "address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset|figcaption|figure|footer|header"
    "|hgroup|main|menu|nav|ol|section|summary|ul"
)
_CONTAINER_TAG = re.compile(rf"<(/?)(?:{_CONTAINERS})(?=[\s/>])", re.IGNORECASE)

# What joins a page's title to its site's and column's names in <title>: not a dash inside a year range.
_TITLE_SEPARATOR = re.compile(r"\s*[_|｜]\s*|\s+[-–—]{1,2}\s+|(?<![0-9])[-–—]{1,2}(?![0-9])")

# Detection: a document start, or a page that opens with a tag and is mostly markup.
_SNIFF_CHARS = 4096
_DOCUMENT_START = re.compile(
    r"\ufeff?\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]{0,200}>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_TAG_START = re.compile(r"\ufeff?\s*<[A-Za-z!]")
_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>")
_MARKUP_SAMPLE = 65536
_MIN_MARKUP_SHARE = 0.25

# The charset a page declares, in its first bytes (WHATWG reads 1024; scraped pages put long comments first).
_CHARSET_BYTES = 4096
_DECLARED = re.compile(
    rb"""<meta\b[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})"""
    rb"""|<\?xml\b[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})""",
    re.IGNORECASE,
)
# WHATWG labels of GBK and GB18030 (all read as GB18030, their superset) and of UTF-8.
_GB_LABELS = "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk gb18030 cp936 euc-cn"
_UTF8_LABELS = "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8"
_CHARSETS = {**dict.fromkeys(_GB_LABELS.split(), "gb18030"), **dict.fromkeys(_UTF8_LABELS.split(), "utf-8")}


def looks_like_html(text: str) -> bool:
    """True for a saved page: it starts with ``<!DOCTYPE html``, ``<html`` or ``<head`` (after comments or
    an XML declaration), or it opens with a tag and at least a quarter of its first 64 K non-space
    characters are markup. Text with a few tags left in it stays text (the text path drops them)."""
    if _DOCUMENT_START.match(text, 0, _SNIFF_CHARS):
        return True
    if not _TAG_START.match(text, 0, _SNIFF_CHARS):
        return False
    sample = text[:_MARKUP_SAMPLE]
    solid = len(sample) - sum(map(len, _HTML_SPACE.findall(sample)))
    markup = sum(map(len, _TAG.findall(sample)))
    return markup >= _MIN_MARKUP_SHARE * max(solid, 1)


def declared_charset(data: bytes) -> str | None:
    """The codec a page's ``<meta charset>``, ``<meta http-equiv … content="…charset=…">`` or XML
    declaration names in its first 4 KB, as ``"gb18030"`` (for GBK, GB2312 and GB18030) or ``"utf-8"``;
    None when it declares nothing or another charset."""
    found = _DECLARED.search(data, 0, _CHARSET_BYTES)
    if found is None:
        return None
    label = (found.group(1) or found.group(2)).decode("ascii").lower()
    return _CHARSETS.get(label)


def _apart(before: str, after: str, links: bool) -> bool:
    """Whether the text of two inline elements written one against the other is shown apart: ``before`` is
    the text since the line's start or the last such boundary, ``after`` the text after it; ``links`` when
    both elements are links. See ``_FIELD``."""
    if not before or not after or before[-1].isspace() or after[0].isspace():
        return False
    if links:
        return True
    if _FIELD.search(before) is None:
        return False
    start = _FIELD_START.match(after)
    if start is not None:
        # 信息</span><span>来源： is one label split, not a field after a field.
        label = "".join(start.group().split()).rstrip("：:")
        return not any(HEADER_LABEL.fullmatch(before[-k:] + label) for k in range(1, 5) if len(before) >= k)
    return _WIDGET_START.match(after) is not None


class _Lines:
    """Lines of text being written: a page, or one table cell."""

    __slots__ = ("boundaries", "buffer", "lays_out", "lines", "pre")

    def __init__(self) -> None:
        # A line, or a cell of a layout row whose lines come here: held, not copied, so tables nested n
        # deep cost n, not n² (see _flatten).
        self.lines: list[str | _Lines] = []
        self.buffer: list[str] = []
        self.lays_out = False  # holds a table or a heading: a page's column, not a table cell's value
        self.pre = 0  # open <pre> elements: their line breaks are kept
        # Where in the buffer two inline elements meet (…</span><span>…), and whether both are links.
        self.boundaries: list[tuple[int, bool]] = []

    def boundary(self, links: bool) -> None:
        """Two inline elements meet here, no text between them (see :func:`_apart`)."""
        if self.buffer and not self.pre:
            self.boundaries.append((len(self.buffer), links))

    def text(self, text: str) -> None:
        if self.pre and "\n" in text:
            first, *rest = text.split("\n")
            self.buffer.append(first)
            for piece in rest:
                self.end_line()
                self.buffer.append(piece)
        else:
            self.buffer.append(text)

    def end_line(self) -> None:
        if not self.buffer:
            return
        line = self._joined() if self.boundaries else "".join(self.buffer)
        self.buffer.clear()
        if "\n" in line:
            line = _WIDE_BREAK.sub("", line)
        line = _HTML_SPACE.sub(" ", line).strip(" ")
        if line and not line.isspace():
            self.lines.append(line)

    def _joined(self) -> str:
        """The buffer's text, with a space where two inline elements meet that a browser shows apart."""
        pieces: list[str] = []
        last = 0
        for at, links in self.boundaries:
            pieces.append("".join(self.buffer[last:at]))
            last = at
            before = pieces[-1]
            if _apart(before, _head(self.buffer, at), links):
                pieces.append(" ")
        pieces.append("".join(self.buffer[last:]))
        self.boundaries.clear()
        return "".join(pieces)


def _head(buffer: list[str], at: int, size: int = 16) -> str:
    """The first ``size`` characters or so of the buffer's text from ``buffer[at]``: enough to see a label."""
    out = ""
    for piece in buffer[at:]:
        out += piece
        if len(out) >= size:
            break
    return out


def _flatten(root: _Lines) -> list[str]:
    """Every line under ``root`` in order, the cells of layout rows opened where they stand."""
    out: list[str] = []
    stack = [iter(root.lines)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, str):
                out.append(item)
            else:
                stack.append(iter(item.lines))
                break
        else:
            stack.pop()
    return out


def _cell_text(cell: _Lines) -> str:
    """A cell's lines on one line: joined by a space, or by nothing next to a wide character (Chinese text
    puts no space between sentences). Only a data row's cells are read so, and they hold no layout cells."""
    out = ""
    for item in cell.lines:
        line = item.strip() if isinstance(item, str) else " ".join(_flatten(item))  # (a data cell has none)
        if out and line and not (_WIDE_CHAR.match(out[-1]) or _WIDE_CHAR.match(line[0])):
            out += " "
        out += line
    return out


def _write_row(out: _Lines, cells: list[_Lines]) -> None:
    """A data row as one ``a | b |`` line; a layout row as its cells' lines in order."""
    out.end_line()
    # Decided before any cell is read: reading every level of nested layout tables would cost n².
    filled = sum(1 for cell in cells if cell.lines)
    if filled < 2 or any(cell.lays_out or len(cell.lines) > _MAX_CELL_LINES for cell in cells):
        out.lines.extend(cells)
    else:
        out.lines.append(" ".join(f"{text} |" if text else "|" for text in map(_cell_text, cells)))


class _Walker:
    """One pass over the tree: writers for the page and each open cell, the cells of each open row."""

    def __init__(self) -> None:
        self.writers = [_Lines()]
        self.rows: list[list[_Lines]] = []
        # Inline elements closed since the last text (None: none; True: a link among them), and opened after
        # them (None: none; True: a link among them): when both are there as text comes, two elements meet
        # with no text between them.
        self.closed: bool | None = None
        self.opened: bool | None = None

    def text(self, text: str) -> None:
        out = self.writers[-1]
        if self.closed is not None:
            if self.opened is not None:
                out.boundary(self.closed and self.opened)
            self.closed = self.opened = None
        out.text(text)

    def enter(self, tag: str) -> None:
        out = self.writers[-1]
        if tag not in _BLOCK and tag not in _CELLS and tag != "tr" and tag != "br":
            if self.closed is not None:
                self.opened = bool(self.opened) or tag == "a"
            return
        self.closed = self.opened = None
        if tag in _CELLS and self.rows:
            out.end_line()
            self.writers.append(_Lines())
        elif tag == "tr":
            out.end_line()
            self.rows.append([])
        elif tag in _BLOCK or tag == "br":
            out.end_line()
            if tag in _LAYOUT:
                out.lays_out = True
            elif tag == "pre":
                out.pre += 1

    def leave(self, tag: str) -> None:
        out = self.writers[-1]
        if tag not in _BLOCK and tag not in _CELLS and tag != "tr":
            if tag != "br":
                self.closed = bool(self.closed) or tag == "a"
                self.opened = None
            return
        self.closed = self.opened = None
        if tag in _CELLS and self.rows:  # enter and leave nest, so the cell's writer is on top
            out.end_line()
            self.writers.pop()
            self.rows[-1].append(out)
        elif tag == "tr" and self.rows:
            _write_row(out, self.rows.pop())
        elif tag in _BLOCK:
            out.end_line()
            if tag == "pre":
                out.pre -= 1

    def walk(self, root: LexborNode) -> list[str]:
        """Every text node under ``root`` in document order, with enter and leave calls for elements; an
        explicit stack of open tags instead of recursion."""
        open_tags: list[str] = []
        node = root.first_child
        while node is not None:
            tag = node.tag or ""
            if tag == "-text":
                self.text(node.text_content or "")
            elif tag[:1].isalpha() and tag not in _DROP:
                self.enter(tag)
                child = node.first_child
                if child is not None:
                    open_tags.append(tag)
                    node = child
                    continue
                self.leave(tag)
            following = node.next
            while following is None and open_tags:
                parent = node.parent
                if parent is None:  # pragma: no cover - every open element has a parent
                    break
                node = parent
                self.leave(open_tags.pop())
                following = node.next
            node = following
        out = self.writers[0]
        out.end_line()
        return _flatten(out)


def _shallow(html: str) -> str:
    """``html``, or with its block containers turned into ``<p>`` when they nest deeper than ``_MAX_DEPTH``."""
    if html.count("<") <= _MAX_DEPTH:
        return html
    depth = 0
    for tag in _CONTAINER_TAG.finditer(html):
        depth = max(depth - 1, 0) if tag.group(1) else depth + 1
        if depth > _MAX_DEPTH:
            return _CONTAINER_TAG.sub(r"<\1p", html)
    return html


# The <meta name> tags Chinese government site systems write (the 政府网站 template: SiteName, ColumnName,
# ArticleTitle, PubDate, ContentSource …) that serve a field: the title, the site's and column's names that
# <title> joins to it, the publication date and the source. Matched without regard to case.
META_NAMES = ("articletitle", "columnname", "sitename", "pubdate", "contentsource")
_META_SPELLING = {"articletitle": "ArticleTitle", "pubdate": "PubDate", "contentsource": "ContentSource"}


def head_meta(tree: LexborHTMLParser) -> dict[str, str]:
    """The page's ``<meta name=… content=…>`` values of :data:`META_NAMES` (lower-case names), the first of
    each that is filled."""
    found: dict[str, str] = {}
    for node in tree.css("meta[name]"):
        name = (node.attributes.get("name") or "").strip().lower()
        content = _HTML_SPACE.sub(" ", node.attributes.get("content") or "").strip()
        if name in META_NAMES and content and name not in found:
            found[name] = content
    return found


def _title(tree: LexborHTMLParser, meta: dict[str, str]) -> tuple[str, str] | None:
    """The page's title from its head, with where it came from: ``<meta name="ArticleTitle">`` (the
    article's title alone), else the ``<title>``, or its one piece that is neither the site's nor the column's
    name (their ``<meta>`` tags say them), or that ends like a document's title, when separators join them
    (某某县人民政府-关于…的通知, …的通知_通知公告_某某县人民政府)."""
    if "articletitle" in meta:
        return meta["articletitle"], "ArticleTitle"
    node = tree.css_first("title")
    if node is None:
        return None
    title = _HTML_SPACE.sub(" ", node.text()).strip()
    if not title or title.isspace():
        return None
    pieces = [piece.strip() for piece in _TITLE_SEPARATOR.split(title)]
    if len(pieces) > 1:
        names = {"".join(meta[k].split()) for k in ("sitename", "columnname") if k in meta}
        rest = [piece for piece in pieces if "".join(piece.split()) not in names]
        if names and len(rest) == 1 and rest[0]:
            return rest[0], "title"
    # The longest such piece: a column's name may end like a title too (通知公告).
    titles = [piece for piece in pieces if TITLE_END.search(piece) is not None]
    return (max(titles, key=len) if len(pieces) > 1 and titles else title), "title"


def _shown(title: str, lines: list[str]) -> bool:
    """Whether the page shows its title as a line of its own (spaces aside): a heading that repeats it."""
    key = "".join(title.split())
    return any(len(line) >= len(key) and "".join(line.split()) == key for line in lines)


class PageText(NamedTuple):
    """What a saved page gives the parser."""

    text: str  # the extracted text, which record spans index
    head: str | None  # the first line's origin when the page's head gave it: "ArticleTitle" or "title"
    meta: dict[str, str]  # the head's <meta> values that serve a field (head_meta)


def extract_page(html: str) -> PageText:
    """The text of a page (its title from the head as the first line unless a line of the page repeats it,
    then its content lines; see the module's notes), where that first line came from, and the head's
    ``<meta>`` values. A pure function of ``html``."""
    # Bytes: lone surrogates (text decoded with surrogateescape) become U+FFFD instead of an encoding error.
    tree = LexborHTMLParser(_shallow(html).encode("utf-8", "surrogatepass"))
    meta = head_meta(tree)
    title = _title(tree, meta)
    root = tree.root
    lines = _Walker().walk(root) if root is not None else []
    head = None
    if title is not None and not _shown(title[0], lines):
        lines.insert(0, title[0])
        head = title[1]
    return PageText("\n".join(lines), head, meta)


def extract(html: str) -> str:
    """The text of a page (see :func:`extract_page`)."""
    return extract_page(html).text


def check_format(format: str) -> FormatOption:
    """``format`` as given, or :class:`ConfigError` naming the valid ones."""
    for name in FORMATS:
        if format == name:
            return name
    raise ConfigError(f"unknown input format {format!r}; choose from: {', '.join(FORMATS)}")


class Source(NamedTuple):
    """An input read: its text (what record spans index), how it was read, and a page's head."""

    text: str
    encoding: str
    input_format: InputFormat
    head: str | None = None  # PageText.head
    meta: tuple[tuple[str, str], ...] = ()  # PageText.meta's items


def read_source(raw: Any, format: str = "auto", max_chars: int | None = None) -> Source:
    """The :class:`Source` of an input: the decoded input, or for HTML the text extracted from it, which is
    what record spans index, with the page's head. Bytes that declare a charset (``<meta charset>``) are read
    in it where the bytes allow; see :func:`rectify_parse.decode.decode`.

    ``format``: ``"auto"`` (HTML when :func:`looks_like_html`), ``"text"`` or ``"html"``. Raises
    :class:`InputTooLargeError` above ``max_chars`` decoded characters, before any HTML is parsed."""
    chosen = check_format(format)
    data = input_bytes(raw)
    if isinstance(data, str):
        source, encoding = data, "str"
    else:
        data = uncompressed(data, MAX_CHARS if max_chars is None else max_chars)
        declared = declared_charset(data) if chosen != "text" else None
        source, encoding = decode_bytes(data, declared=declared)
    if max_chars is not None and len(source) > max_chars:
        raise InputTooLargeError(
            f"input has {len(source)} characters; the limit is {max_chars} "
            "(raise it with max_chars=, or --max-chars on the command line)"
        )
    if chosen == "html" or (chosen == "auto" and looks_like_html(source)):
        page = extract_page(source)
        return Source(page.text, encoding, "html", page.head, tuple(page.meta.items()))
    return Source(source, encoding, "text")


def source_text(raw: Any, *, format: str = "auto") -> str:
    """The work of :func:`rectify_parse.source_text` (documented in api.py)."""
    return read_source(raw, format).text
