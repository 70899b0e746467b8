"""The metadata header in its layouts, merged into canonical keys.

Layouts handled by one line reader: ``label | value |`` table rows, ``label：value`` one or several per
line, pairs glued with no separator (the next label must then be followed by a colon), labels without
colons separated from values by spaces, spaced labels (索 引 号), ``【发布时间：…】`` brackets and
markdown bullets. A label whose value sits alone on the next line (bullets, label / blank / value) takes
that line when it is short and not a sentence.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import NamedTuple

import regex

from .lines import URL_LED_ROW, LineTable, strong_chrome
from .markers import trim_end
from .normalize import View, fold, one_line, strip_span
from .patterns import (
    ANY_MARKER,
    CANONICAL_KEYS,
    CATEGORY_PRIMARY,
    CHROME_LABELS,
    DATE_KEYS,
    DATE_VALUE,
    DOC_NUMBER,
    HEADER_LABEL,
    HEADER_LABELS,
    LABEL_COLON,
    TITLE_END,
    VALIDITY_VALUE,
    parse_date,
    without_spaces,
)
from .records import Boilerplate, Header, Span, Warning

_LEAD_CHARS = " \t-*•·●▪◆■|【[>(（"  # the decoration before a label
_LEAD = re.compile("[" + re.escape(_LEAD_CHARS) + "]*")
_AFTER_LABEL = re.compile(r"[ \t]*(?:[:|】\]]|$)|[ \t]+(?=\S)")
_GLUED_AFTER = re.compile(r"[ \t]*:")
_SEPARATOR = re.compile(r"[ \t]*[:|】\]]?[ \t]*")
_VALUE_TRIM = " \t|"
_BRACKETS = {"【": "】", "[": "]"}
_PARENS = "(（"  # a line wrapped in them (文章来源：某某日报) as in 【来源：某某日报】; a value's own ")" may close a
_CLOSE_PARENS = ")）"  # pinyin gloss (日報(bào)), so they are trimmed only where the line opened with one
# A value that starts and ends with none of these has nothing to trim (most values).
_TRIM_FIRST = frozenset(_VALUE_TRIM) | frozenset(_BRACKETS)
_TRIM_LAST = frozenset(_VALUE_TRIM) | frozenset(_BRACKETS.values())
_MAX_VALUE_LINE = 60
# Short lines before the header do not end its zone, within this many lines of the top.
_TOP_LINES = 30
_MAX_DATE_LINE = 32
_MAX_META_ROW = 120
_PARAGRAPH = 40
# Running text breaks into clauses; a long line without any clause stop is a title, a menu or a site bar.
_CLAUSE_STOP = re.compile(r"[。，,；;！!？?]")
_GLUED_REST = 12
# A value that ends with a whole date (and time) has that date glued to it; it is the row's date.
_TRAILING_DATE = re.compile(DATE_VALUE.pattern + r"[ \t]*$")
_MIN_GLUED_DATE = 12
_GLUED_DATE_LABEL = "日期"
# A meta row drawn as a table row opens with its border (|| 2022-03-23 11:18:04 编辑：… |).
_LEADING_DATE = re.compile(r"[ \t•·\-*|]*(?P<date>" + DATE_VALUE.pattern + r")[ \t]*")
_ROW_LEAD = " \t|"
_URL_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")  # a site's address's first letter
# A line that is only a date (and time) in the top zone: the page's publication date.
_DATE_ONLY = re.compile(r"[ \t•·\-*【\[(]*(?P<date>" + DATE_VALUE.pattern + r")[ \t】\])]*")
_DOC_NUMBER_ONLY = regex.compile(rf"[ \t]*(?P<number>{DOC_NUMBER})[ \t]*")
_DOC_NUMBER_LABEL = "文号"
_SITE_LABEL = "网站"
_SITE_DATE = regex.compile(r"[ \t]*(?P<site>\p{Han}{2,16})[ \t]+(?P<date>" + DATE_VALUE.pattern + r")[ \t]*")
_CHROME_LABEL_SET = frozenset(CHROME_LABELS)
_WIDGET_HINT = re.compile("打印|关闭|收藏|分享|中[ \t]*小")
# Widgets after a meta row's last value: print, close, bookmark, share, and the font-size switch (【大 中 小】).
_WIDGET_WORDS = r"(?:打印页面|关闭页面|打印本页|关闭窗口|打印|关闭|收藏|分享|大[ \t]*中[ \t]*小)"
# A widget in brackets needs no space before it (…审计局【大 中 小】); one without them (打印) does.
_BRACKETED_WIDGET = r"[【\[][ \t]*" + _WIDGET_WORDS + r"[ \t]*[】\]]"
_PLAIN_WIDGET = r"[【\[]?(?:打印页面|关闭页面|打印本页|关闭窗口|打印|关闭|收藏|分享|大[ \t]+中[ \t]+小)[】\]]?"
_TRAILING_WIDGETS = re.compile(
    rf"(?:[ \t]*{_BRACKETED_WIDGET}|[ \t]+{_PLAIN_WIDGET})(?:[ \t]*(?:{_BRACKETED_WIDGET}|{_PLAIN_WIDGET}))*[ \t]*$"
)


def _starts_with_date_row(text: str, start: int, end: int) -> bool:
    """Whether a line may be a meta row that starts with its date (2015-11-10 01:51 信息来源：…): a year
    first, a label's colon later."""
    while start < end and text[start] in _ROW_LEAD:
        start += 1
    return text[start : start + 4].isdigit() and text.find(":", start, end) != -1


_REST_TRIM = " \t|【】[]"
_CELL_BORDER = re.compile(r"[ \t]+[|｜]")
# What follows a header line's last value is content, unless it is the row's own cell: after a border,
# short and without a clause (| 手机看视频).
_MAX_ROW_CELL = 24


def is_date_label(label: str) -> bool:
    return HEADER_LABELS.get(label) in DATE_KEYS or label.endswith(("日期", "时间"))


class Pair(NamedTuple):  # a tuple: a header line makes several, and a frozen dataclass is 5x dearer to build
    """One label and its value, in view offsets of the whole text."""

    label: str
    label_start: int
    value_start: int
    value_end: int
    separator: str  # ":" "|" "】" "" (none) — decides whether a value may sit on the next line


class _Label(NamedTuple):
    """An accepted label in a line: where it starts and ends, and the label it is read as."""

    start: int
    end: int
    label: str


# A label that says when the page was put up or changed (内容更新时间：, 信息提供日期：, 頒布時間：) is the
# page's date, as 发布时间 is: a verb of publishing, maybe after the thing put up, glued before 日期 or 时间.
# Other qualified dates (废止时间, 公示时间：…至…) are a notice's own terms and stay in its text.
_QUALIFIED_DATE = re.compile(
    r"(?:内容|信息|文章|页面|网页)?(?:更新|提供|颁布|颁发|公布|发表|发稿|刊发|录入|上传)(?P<label>日期|时间)"
    r"(?=[ \t]*[:：】\]])"
    # The verb alone, a year right after it (发布：2019-04-05, 发表于 2017-2-22 15:25): a forum's or a CMS's row.
    r"|(?:发布|发表|更新)于?(?=[ \t]*[:：]?[ \t]*(?:19|20)\d\d)"
)
# The first two characters of every label, and of every qualified date label, by the first: a line that opens
# with a label's first character and neither its second nor a space (索 引 号) holds no label at its start.
_LABEL_HEADS = [*HEADER_LABELS, *CHROME_LABELS, "内容", "信息", "文章", "页面", "网页", "更新", "提供", "颁布"]
_LABEL_HEADS += ["颁发", "公布", "发表", "发稿", "刊发", "录入", "上传", "发布"]  # _QUALIFIED_DATE's
_SECOND_CHARS = {head[0]: frozenset(h[1] for h in _LABEL_HEADS if h[0] == head[0]) for head in _LABEL_HEADS}


def _may_open_header(text: str, start: int, end: int) -> bool:
    """Whether a line may be a header line: it opens with a label's first two characters (after the decoration
    read_line skips, and the spaces of a spread-out label: 索 引 号), with a year (a row led by its date) or with a
    site's address. A cheap test on the line's first characters before the labels' regex, which most lines fail;
    every character indexed is a new string in the compiled build, so it looks at as few as it can."""
    first = text[start]
    seconds = _SECOND_CHARS.get(first)
    if seconds is not None:
        return start + 1 < end and (text[start + 1] in seconds or text[start + 1] in " \t")
    if first in _LEAD_CHARS:
        k = start + 1
        while k < end and text[k] in _LEAD_CHARS:
            k += 1
        if k >= end:
            return False
        head = text[k]
        if head.isdigit():
            return True  # a row led by its date after a border or spaces: read_line decides
        seconds = _SECOND_CHARS.get(head)
        if seconds is None:
            return False
        j = k + 1
        while j < end and text[j] in " \t":
            j += 1
        return j < end and text[j] in seconds
    if first.isdigit():
        return _starts_with_date_row(text, start, end)
    return first in _URL_START and URL_LED_ROW.match(text, start, end) is not None


_MAX_QUALIFIER = 6


def _qualifier_start(text: str, start: int) -> int:
    """Where a date label found glued after its qualifier (…福田区审计局 信息提供日期：) really starts; ``start``
    when the words before it are not one."""
    k = start
    while k > 0 and start - k < _MAX_QUALIFIER and "\u4e00" <= text[k - 1] <= "\u9fff":
        k -= 1
    # The qualifier stands after a space, the border of the value before it.
    while k < start and not (k > 0 and text[k - 1] in " \t" and _QUALIFIED_DATE.match(text, k) is not None):
        k += 1
    return k


def _accepted_labels(text: str) -> list[_Label]:
    start = _LEAD.match(text)
    first = start.end() if start else 0
    head = HEADER_LABEL.match(text, first)
    if head is None:
        qualified = _QUALIFIED_DATE.match(text, first)
        if qualified is None:
            return []  # a header line starts with a label; most lines are body text and stop here
        head_label = _Label(first, qualified.end(), qualified.group("label") or _GLUED_DATE_LABEL)
    found: list[_Label] = [head_label] if head is None else []
    for m in HEADER_LABEL.finditer(text, first if head is not None else head_label.end):
        after = _AFTER_LABEL.match(text, m.end())
        label = without_spaces(m.group())
        if not found:
            if m.start() != first or after is None:
                return []
            found.append(_Label(m.start(), m.end(), label))
            continue
        prev = text[m.start() - 1]
        spaced = prev in " \t|】]【["
        if (spaced and after is not None) or _GLUED_AFTER.match(text, m.end()):
            s = _qualifier_start(text, m.start()) if is_date_label(label) else m.start()
            found.append(_Label(s, m.end(), label))
    return found


def _after_cell(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` starts, after spaces, with a table cell's border ``|``."""
    rest = text[start:end].lstrip(" \t")
    return rest.startswith("|") and bool(rest.strip(_VALUE_TRIM))


def _trim_value(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip spaces, bars and the brackets of a 【label：value】 wrapper, but not brackets the value owns
    (文号 [2005]13号)."""
    if start >= end or (text[start] not in _TRIM_FIRST and text[end - 1] not in _TRIM_LAST):
        return start, end
    while True:
        before = (start, end)
        while start < end and text[start] in _VALUE_TRIM:
            start += 1
        while end > start and text[end - 1] in _VALUE_TRIM:
            end -= 1
        if start < end and text[start] in _BRACKETS and _BRACKETS[text[start]] not in text[start + 1 : end]:
            start += 1
        if start < end and text[end - 1] in _BRACKETS.values():
            opening = next(o for o, c in _BRACKETS.items() if c == text[end - 1])
            if opening not in text[start : end - 1]:
                end -= 1
        if (start, end) == before:
            return start, end


def read_line(text: str, offset: int) -> list[Pair]:
    """Label/value pairs of one view line; empty when the line is not a header line."""
    url = URL_LED_ROW.match(text) if text[:1] in _URL_START else None
    if url is not None:
        # www.example.com 2013-10-09 08:55 来源：某某晚报: the site's address, then the row.
        cut = url.end()
        date = _DATE_ONLY.fullmatch(text, cut)
        if date is None:
            return read_line(text[cut:], offset + cut)
        ds, de = date.span("date")
        return [Pair(_GLUED_DATE_LABEL, offset + ds, offset + ds, offset + trim_end(text, ds, de), "")]
    lead = _LEADING_DATE.match(text) if text.lstrip(_ROW_LEAD)[:1].isdigit() else None
    if lead is not None:
        # 2015-11-10 01:51:51 信息来源：… : a meta row whose date comes first, without a label.
        rest = read_line(text[lead.end() :], offset + lead.end())
        if rest:
            # DATE_VALUE takes the spaces before an optional 日: they are not the date's.
            ds, de = offset + lead.start("date"), offset + trim_end(text, lead.start("date"), lead.end("date"))
            return [Pair(_GLUED_DATE_LABEL, ds, ds, de, ""), *rest]
    labels = _accepted_labels(text)
    pairs: list[Pair] = []
    for i, m in enumerate(labels):
        sep = _SEPARATOR.match(text, m.end)
        value_start = sep.end() if sep else m.end
        value_end = labels[i + 1].start if i + 1 < len(labels) else len(text)
        value_start = min(value_start, value_end)
        # 来源：某某日报 | 手机看视频: a spaced bar is the border of the row's next cell, a widget or a link.
        border = _CELL_BORDER.search(text, value_start, value_end)
        if border is not None and border.start() > value_start:
            value_end = border.start()
        # 来源：区政府办公室 打印页面 关闭页面 (a plain find first: most values hold no widget word); a chrome
        # label's pair (字体显示：【大 中 小】) is chrome whole.
        if m.label not in _CHROME_LABEL_SET and _WIDGET_HINT.search(text, value_start, value_end) is not None:
            widget = _TRAILING_WIDGETS.search(text, value_start, value_end)
            if widget is not None:
                value_end = widget.start()
        value_start, value_end = _trim_value(text, value_start, value_end)
        sep_text = sep.group().strip() if sep else ""
        label = m.label
        glued_date: tuple[int, int] | None = None
        if is_date_label(label):
            # A date glued to what follows (…发布日期：2023-02-24中共某局关于…, a page that lost its
            # newlines) ends with the date; the rest of the line is content. So does a date before a cell
            # border: what follows is the next cell's (| 668 次浏览:).
            date = DATE_VALUE.match(text, value_start, value_end)
            last = i + 1 == len(labels)
            if date is not None and (
                (last and value_end - date.end() > _GLUED_REST) or _after_cell(text, date.end(), value_end)
            ):
                value_end = trim_end(text, value_start, date.end())
        elif HEADER_LABELS.get(label) == "validity":
            # A closed vocabulary: 公文时效：有效 ends there, whatever follows on a page that lost its newlines.
            word = VALIDITY_VALUE.match(text, value_start, value_end)
            if word is not None:
                value_end = word.end()
        elif (
            value_end - value_start > _MIN_GLUED_DATE
            and (text[value_end - 1].isdigit() or text[value_end - 1] == "日")
            and not is_date_label(label)
        ):
            # 来源：市政务服务中心2022-09-27 14:39: the row's date glued to the end of another value.
            date = _TRAILING_DATE.search(text, value_start, value_end)
            if date is not None and date.start() > value_start:
                glued_date = date.span()
                value_end = trim_end(text, value_start, date.start())
        if (
            i + 1 == len(labels)
            and value_end > value_start
            and text[value_end - 1] in _CLOSE_PARENS
            and any(p in text[: labels[0].start] for p in _PARENS)
        ):
            value_end -= 1
        pairs.append(Pair(label, offset + m.start, offset + value_start, offset + value_end, sep_text))
        if glued_date is not None:
            ds, de = offset + glued_date[0], offset + glued_date[1]
            pairs.append(Pair(_GLUED_DATE_LABEL, ds, ds, de, ""))
    return pairs


def _site_date_row(text: str, start: int, end: int) -> list[Pair]:
    """``某某区人民政府 2019-12-13 16:36 来源：…``: a meta row led by the site's name and the date, without
    labels for either; the name is the site's (chrome), the date the page's."""
    if text.find(":", start, end) == -1:
        return []
    row = _SITE_DATE.match(text, start, end)
    if row is None:
        return []
    rest = read_line(text[row.end() : end], row.end())
    if not rest:
        return []
    (ns, ne), (ds, de) = row.span("site"), row.span("date")
    de = trim_end(text, ds, de)
    return [Pair(_SITE_LABEL, ns, ns, ne, ""), Pair(_GLUED_DATE_LABEL, ds, ds, de, ""), *rest]


def _unlabelled(text: str, start: int, end: int) -> list[Pair]:
    """The pair of a line that is only a date or only a document number, or none."""
    if end - start > _MAX_DATE_LINE:
        return []
    date = _DATE_ONLY.fullmatch(text, start, end)
    if date is not None:
        ds, de = date.span("date")
        de = trim_end(text, ds, de)
        return [Pair(_GLUED_DATE_LABEL, ds, ds, de, "")]
    number = _DOC_NUMBER_ONLY.fullmatch(text, start, end)
    if number is not None:
        ns, ne = number.span("number")
        return [Pair(_DOC_NUMBER_LABEL, ns, ns, ne, "")]
    return []


# A view counter written as a phrase, its number inside: 本文已影响0人, 1024人阅读, 阅读 56 次.
_COUNTER_PHRASE = re.compile(
    r"(?:本文)?已?(?:被)?(?:影响|阅读|浏览|围观)了?[ \t]*\d+[ \t]*[人次]|\d+[ \t]*[人次](?:阅读|浏览|看过|围观)"
)
_COUNTER_LABEL = "浏览"
# The counter right after the date, its number left to a script that did not run (2010/1/6 16:43:13 次浏览).
_EMPTY_COUNTER = re.compile(r"[人次](?:阅读|浏览|围观)")


def _date_counter_row(text: str, start: int, end: int) -> list[Pair]:
    """``2018-12-25  本文已影响0人  某某``: a blog's meta row, the date first, then a view counter and the
    poster's name, no sentence. The date is the page's; the rest is a counter (chrome)."""
    lead = _LEADING_DATE.match(text, start, end)
    if lead is None or _CLAUSE_STOP.search(text, lead.end(), end) is not None:
        return []
    counter = _COUNTER_PHRASE.search(text, lead.end(), end) or _EMPTY_COUNTER.match(text, lead.end(), end)
    if counter is None:
        return []
    ds = lead.start("date")
    de = trim_end(text, ds, lead.end("date"))
    cs = counter.start()
    return [Pair(_GLUED_DATE_LABEL, ds, ds, de, ""), Pair(_COUNTER_LABEL, cs, cs, trim_end(text, cs, end), "")]


def _row_cell(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is the last cell of a meta row: after a border, short, no clause."""
    return (
        _after_cell(text, start, end) and end - start <= _MAX_ROW_CELL and _CLAUSE_STOP.search(text, start, end) is None
    )


# A news aggregator's meta row without labels: a column word, the date and time, the source (or 未知 for
# none), glued together (社会热点2022-10-12 06:32:26未知). The time of day makes it a row, not a title.
_DATETIME_ROW = regex.compile(r"[ \t]*\p{Han}{0,8}[ \t]*(?P<date>" + DATE_VALUE.pattern + r")[ \t]*\p{Han}{0,8}[ \t]*")
_TIME_OF_DAY = re.compile(r"\d[ \t]*:[ \t]*\d\d[ \t]*$")


def _datetime_row(text: str, start: int, end: int) -> list[Pair]:
    """The date of a short unlabelled meta row glued around a date and time; the words are the row's."""
    row = _DATETIME_ROW.fullmatch(text, start, end)
    if row is None or _TIME_OF_DAY.search(text, *row.span("date")) is None:
        return []
    ds = row.start("date")
    return [Pair(_GLUED_DATE_LABEL, ds, ds, trim_end(text, ds, row.end("date")), "")]


# A meta row without labels, a media name glued before or after the date (光明日报 2023年08月25日 星期五,
# 央视网2021-11-07, 2018-07-19 21:01:03 新华网 参与评论()人): the name is the page's source. After it only a
# counter or a widget may follow (中国新闻网4970, 新华网 】【打印). A name is a media's when it ends like one
# (…日报, …网, …社, …台, …中心, …客户端): the other names such rows carry are columns (招商动态), posters
# (小沐管家, 王新老师) and widgets (大字), which are no source.
_ROW_NAME = r"[\p{Han}·•/]{2,16}"
_NAME_DATE_ROW = regex.compile(
    r"[ \t\-*•·|©]*(?:原创[ \t]*)?"
    rf"(?:(?P<before>{_ROW_NAME})[ \t|\-]*)?(?P<date>{DATE_VALUE.pattern})[ \t]*(?:星期[一二三四五六日天][ \t]*)?"
    rf"(?:[|\-][ \t]*)?(?:(?P<after>{_ROW_NAME})(?P<tail>[^,，。;；:：]*))?"
)
_MEDIA_END = ("报", "网", "社", "台", "刊", "站", "中心", "客户端", "在线", "新闻", "发布", "融媒", "媒体", "频道")
_MAX_NAME_ROW = 48
_YEAR = re.compile(r"(?:19|20)\d\d")
_MAX_ROW_TAIL = 16
_SOURCE_LABEL = "来源"


def _name_date_row(text: str, start: int, end: int) -> list[Pair]:
    """The date and the source of a short unlabelled meta row with a media name before or after its date
    (the one after when both are: a column word may lead)."""
    if end - start > _MAX_NAME_ROW or _YEAR.search(text, start, end) is None:
        return []  # (the row's regex backtracks over every name length: most lines, a title, hold no year)
    row = _NAME_DATE_ROW.fullmatch(text, start, end)
    if row is None:
        return []
    ts, te = row.span("tail")
    if te - ts > _MAX_ROW_TAIL or (ts < te and not (text[ts] in " \t|】]【[" or text[ts].isdigit())):
        return []  # the name runs on into words: a sentence, not a row
    name = next(
        (span for span in (row.span("after"), row.span("before")) if text[span[0] : span[1]].endswith(_MEDIA_END)),
        None,
    )
    if name is None:
        return []
    ds = row.start("date")
    date = Pair(_GLUED_DATE_LABEL, ds, ds, trim_end(text, ds, row.end("date")), "")
    return [date, Pair(_SOURCE_LABEL, name[0], name[0], name[1], "")]


def _is_paragraph(text: str, start: int, end: int) -> bool:
    """A line of running text: long and broken into clauses, or holding a sentence stop, or ending in a
    colon (各乡镇：). A long title (shown twice, the page heading and the headline) is not one: it must not
    end the top zone before the meta row under it."""
    if text.find("。", start, end) != -1 or text[end - 1] in ":：":
        return True
    return end - start >= _PARAGRAPH and _CLAUSE_STOP.search(text, start, end) is not None


def _is_value_line(text: str) -> bool:
    stripped = text.strip()
    if not stripped or len(stripped) > _MAX_VALUE_LINE or stripped.endswith(("。", ":", "：")):
        return False
    # a row of fields the vocabulary does not know (公开形式:) is no value
    return ANY_MARKER.match(stripped) is None and LABEL_COLON.search(stripped) is None


@dataclass(frozen=True, slots=True)
class HeaderResult:
    header: Header
    lines: frozenset[int]
    boilerplate: list[Boilerplate]
    warnings: list[Warning]


def find_header_lines(view: View, table: LineTable) -> tuple[dict[int, list[Pair]], dict[int, int]]:
    """Header lines (index -> pairs): the block at the top, and any block of 3+ labels elsewhere; and for
    a header line whose end is content (a glued page), the view offset where that content starts.

    Chrome lines (the table's rules) are skipped; a long line at the top that is chrome beyond doubt (spam,
    a web address) does not end the header's zone."""
    lines, texts, skip = table.spans, table.texts, table.chrome
    text = view.text
    found: dict[int, list[Pair]] = {}
    rests: dict[int, int] = {}
    block: dict[int, list[Pair]] = {}
    # The top zone ends at the first paragraph after a header line, or at the second paragraph (short lines,
    # such as a title, menus and site names the chrome rules did not know, may precede the header).
    in_top = True
    content_seen = 0

    def close_block() -> None:
        if in_top or sum(len(p) for p in block.values()) >= 3:
            found.update(block)
        block.clear()

    # Only a line starting like a label can be a header line. Past the top zone, with no block open,
    # the lines between two such lines change nothing: jump over them.
    label_start = [s < e and _may_open_header(text, s, e) for s, e in lines]
    candidates = [i for i, may_start in enumerate(label_start) if may_start]
    i = 0
    while i < len(lines):
        if not in_top and not block:
            k = bisect.bisect_left(candidates, i)
            if k == len(candidates):
                break
            i = candidates[k]
        start, end = lines[i]
        if i in skip or start == end or not texts[i].strip():
            i += 1
            continue
        pairs = read_line(texts[i], start) if label_start[i] else []
        if not pairs and in_top and content_seen == 0 and i < _TOP_LINES and end - start <= _MAX_META_ROW:
            # Under the title, before any paragraph (not a sign-off): a line that is only a date, or only a
            # document number (长审公告字〔2023〕5号), is the page's date or 文号 without its label; a row led
            # by the site's name and the date, or by the date and a counter (本文已影响0人), or a date and time
            # glued between a column word and the source (社会热点2022-10-12 06:32:26未知), is a meta row.
            pairs = (
                _unlabelled(text, start, end)
                or _site_date_row(text, start, end)
                or _date_counter_row(text, start, end)
                or _name_date_row(text, start, end)
                or _datetime_row(text, start, end)
            )
        if not pairs:
            if i < _TOP_LINES and (not _is_paragraph(text, start, end) or strong_chrome(texts[i])):
                close_block()  # a menu, a site name, a title, spam: the top zone goes on past them
                i += 1
                continue
            content_seen += 1
            if found or block or content_seen >= 2:
                close_block()
                in_top = False
            i += 1
            continue
        block[i] = pairs
        last = pairs[-1]
        if last.label == _DOC_NUMBER_LABEL and last.label_start == last.value_start:
            rests[i] = start  # an unlabelled 文号 line is read and stays in the body, as the page shows it
        elif (
            text[last.value_end : end].strip(_REST_TRIM)
            and not _row_cell(text, last.value_end, end)
            and any(p.label_start != p.value_start for p in pairs)  # an unlabelled row's words are its own
        ):
            rests[i] = last.value_end
        if last.value_start == last.value_end and last.separator in ("", ":"):
            # Value on a line of its own (bullets; label, blank line, value).
            j = i + 1
            while j < len(lines) and (j in skip or not texts[j].strip()):
                j += 1
            if (
                j < len(lines)
                and last.label not in CHROME_LABELS
                and not read_line(texts[j], lines[j][0])
                and _is_value_line(texts[j])
                and (HEADER_LABELS.get(last.label) == "title" or TITLE_END.search(text, *lines[j]) is None)
            ):
                vs, ve = strip_span(text, *lines[j])
                pairs[-1] = Pair(last.label, last.label_start, vs, ve, last.separator)
                block[j] = []
                i = j
        i += 1
    close_block()
    return found, {i: r for i, r in rests.items() if i in found}


# A source's name ends at a gap of blanks or where its page's address is glued on (某某政府网http://…).
_BLANKS = re.compile(r"[ \t\u3000]+|(?<=[^\x00-\x7f])(?:https?://|www\.)")


def _source_name(text: str, pair: Pair) -> Pair:
    """A source is a name, which ends at its first gap of blanks: what follows on the row is a widget, a counter
    or a byline (大众日报 大字体 小字体, 武汉晚报 参与互动(0), 城管局(文明办) 朱曼玉), or the page's address glued
    on. Of the 443 sources the labelled real pages give, 3 hold a blank."""
    start, _ = strip_span(text, pair.value_start, pair.value_end)
    gap = _BLANKS.search(text, start, pair.value_end)
    return pair if gap is None else pair._replace(value_end=gap.start())


def merge_header(view: View, source: str, found: dict[int, list[Pair]]) -> HeaderResult:
    """Merge every header pair into one :class:`Header`.

    An empty value never overrides a filled one; two different filled values for one key keep the
    first and raise ``header_conflict`` naming both. Dates become ISO, or ``bad_date`` with the raw text
    kept in ``raw``.
    """
    extra: dict[str, str] = {}
    spans: dict[str, Span] = {}
    warnings: list[Warning] = []
    boilerplate: list[Boilerplate] = []
    # key -> [(label, value as written, span, value in the matching view)]
    candidates: dict[str, list[tuple[str, str, Span, str]]] = {}
    unlabelled: set[Span] = set()  # the spans of values read without a label
    for index in sorted(found):
        for pair in found[index]:
            key = HEADER_LABELS.get(pair.label)
            if key == "source":
                pair = _source_name(view.text, pair)
            span = view.span(pair.value_start, pair.value_end)
            value = one_line(view.raw(source, pair.value_start, pair.value_end))
            if pair.label in CHROME_LABELS:
                chrome_span = view.span(pair.label_start, pair.value_end)
                rule = "site_name" if pair.label == _SITE_LABEL else "view_counter"
                boilerplate.append(Boilerplate(source[chrome_span[0] : chrome_span[1]], chrome_span, rule))
                continue
            if not value:
                continue
            matchable = view.text[pair.value_start : pair.value_end]
            if key is None or (key == "category" and pair.label != CATEGORY_PRIMARY):
                _fill(extra, spans, pair.label, value, span, without_spaces(matchable), warnings, pair.label)
                if key is None and is_date_label(pair.label) and parse_date(matchable)[0] is None:
                    warnings.append(Warning("bad_date", f"{pair.label} value {value!r} is not a readable date", span))
            if key is not None:
                candidates.setdefault(key, []).append((pair.label, value, span, matchable))
                if pair.label_start == pair.value_start:
                    unlabelled.add(span)

    values: dict[str, str] = {}
    raw: dict[str, str] = {}
    for key, entries in candidates.items():
        if key == "category":
            # 主题分类 outranks 公文目录 / 组配分类 / 体裁分类, which also stay in extra.
            entries = sorted(entries, key=lambda e: e[0] != CATEGORY_PRIMARY)
            entries = [e for e in entries if e[0] == entries[0][0]]
        elif key == "source":
            # A labelled 来源 outranks a name read off an unlabelled row (_name_date_row), wherever it sits.
            entries = sorted(entries, key=lambda e: e[2] in unlabelled)
        seen: list[str] = []
        for label, value, span, matchable in entries:
            comparable = without_spaces(matchable)
            if key in DATE_KEYS:
                iso, _ = parse_date(matchable)
                if iso is None:
                    warnings.append(Warning("bad_date", f"{label} value {value!r} is not a readable date", span))
                    raw.setdefault(key, value)
                    spans.setdefault(key, span)
                    continue
                comparable = iso
            if key not in values:
                values[key] = comparable if key in DATE_KEYS else value
                raw[key] = value
                spans[key] = span
                seen.append(comparable)
            elif comparable not in seen:
                warnings.append(
                    Warning("header_conflict", f"{label}: {raw[key]!r} and {value!r} differ; kept {raw[key]!r}", span)
                )
                seen.append(comparable)
    header = Header(**{k: values.get(k) for k in CANONICAL_KEYS}, extra=extra, raw=raw, spans=spans)
    return HeaderResult(header, frozenset(found), boilerplate, warnings)


# Header keys a page's <meta name> tags fill when the page shows no value for them: (lower-case name, spelling).
_META_FIELDS = {"date_published": ("pubdate", "PubDate"), "source": ("contentsource", "ContentSource")}


def header_from_meta(result: HeaderResult, meta: Mapping[str, str]) -> HeaderResult:
    """The header with ``date_published`` and ``source`` taken from the page's ``<meta name="PubDate">`` and
    ``<meta name="ContentSource">`` where the page shows none (no value and nothing unreadable either): the
    value has no span (it is not in the text spans index), ``raw`` holds the tag's content as written, and a
    ``from_head`` warning says where it came from."""
    header = result.header
    values: dict[str, str] = {}
    raw = dict(header.raw)
    warnings = list(result.warnings)
    for key, (name, spelled) in _META_FIELDS.items():
        content = meta.get(name)
        if content is None or getattr(header, key) is not None or key in header.spans:
            continue
        value = parse_date(fold(content))[0] if key in DATE_KEYS else one_line(content)
        if not value:
            continue
        values[key], raw[key] = value, content
        warnings.append(
            Warning(
                "from_head",
                f'{key} read from the page\'s <meta name="{spelled}" content="{content}">: the page shows none',
                None,
            )
        )
    if not values:
        return result
    filled = replace(
        header,
        raw=raw,
        date_published=values.get("date_published", header.date_published),
        source=values.get("source", header.source),
    )
    return replace(result, header=filled, warnings=warnings)


# The fields of a page's meta row (发布时间：2023-01-06 来源：某局 浏览次数：): those a line the line model takes for
# one may give, where the header rules read none.
_ROW_FIELDS = ("date_published", "source")


def lacking_row_fields(header: Header) -> list[str]:
    """The meta-row fields the header rules read nothing for (no value, not even an unreadable one in raw)."""
    return [key for key in _ROW_FIELDS if getattr(header, key) is None and key not in header.raw]


def header_from_line(header: Header, view: View, source: str, line: tuple[int, int]) -> tuple[Header, Warning] | None:
    """The header with the meta-row fields it lacks (``date_published``, ``source``) read from a line (view
    offsets) that the line model takes for the page's meta row: its label/value pairs as the header rules read
    them (a 来源：鄂州日报 line below the body, where the header rules do not look; an unlabelled row with a media
    name, 2018-07-19 21:01:03 某某日报), else its first readable date (a row whose name is no media's:
    2018-07-19 21:01:03 某某县应急局 参与评论()人), each with its span; and a ``learned_header`` warning that names
    the line, so no value is a silent guess. None when the line gives none of the fields the header lacks."""
    wanted = lacking_row_fields(header)
    if not wanted:
        return None  # an earlier meta row gave all it lacked
    start, end = line
    text = view.text[start:end]
    pairs = read_line(text, start) or _name_date_row(view.text, start, end)
    read = merge_header(view, source, {0: pairs}).header if pairs else None
    values: dict[str, str] = {}
    raw: dict[str, str] = {}
    spans: dict[str, Span] = {}
    if read is not None:
        for key in wanted:
            value = getattr(read, key)
            if value is not None:
                values[key], raw[key], spans[key] = value, read.raw[key], read.spans[key]
    labelled_date = read is not None and "date_published" in read.raw  # read, even if unreadable: no other guess
    if "date_published" in wanted and "date_published" not in values and not labelled_date:
        iso, where = parse_date(text)
        if iso is not None and where is not None:
            a = start + where[0]
            span = view.span(a, trim_end(view.text, a, start + where[1]))  # the pattern takes the spaces after the day
            values["date_published"], raw["date_published"], spans["date_published"] = iso, source[slice(*span)], span
    if not values:
        return None
    filled = replace(
        header,
        date_published=values.get("date_published", header.date_published),
        source=values.get("source", header.source),
        raw={**header.raw, **raw},
        spans={**header.spans, **spans},
    )
    line_span = view.span(start, end)
    row = one_line(source[line_span[0] : line_span[1]])
    keys = [key for key in _ROW_FIELDS if key in values]
    read_out = ", ".join(f"{key} {values[key]!r}" for key in keys)
    note = f"{read_out} read from {row!r}, which the line model takes for the page's meta row"
    return filled, Warning("learned_header", note, spans[keys[0]])


def _fill(
    target: dict[str, str],
    spans: dict[str, Span],
    key: str,
    value: str,
    span: Span,
    comparable: str,
    warnings: list[Warning],
    label: str,
) -> None:
    """Fill an ``extra`` label unless filled; a different filled value is a conflict, never an override."""
    if key not in target:
        target[key] = value
        spans[key] = span
    elif _comparable(target[key]) != comparable:
        warnings.append(
            Warning("header_conflict", f"{label}: {target[key]!r} and {value!r} differ; kept the first", span)
        )


def _comparable(value: str) -> str:
    return without_spaces(fold(value))
