"""The page around the document: its title, and the site chrome that no single rule names.

Lines are classified in context, in the manner of jusText (Pomikálek 2011) adapted to Chinese text lines.
Each line's class from its own features (``good``, ``short``, ``bad:<rule>``) comes from the line table
(``lines.py``). Then context decides: the document's region runs from its title or header to its last
good line. Before it, every line but the title is chrome (``top_zone`` unless a bad class names it);
after it, short lines that sit with bad ones are chrome (``bottom_zone``); inside it, only bad lines are,
and short lines between two of them. The title is the best-scored candidate of the top (document-type
ending, place next to the header or body, repetition, the header's 标题), with column prefixes
(政务服务丨, 每日观点：), campaign tags (【…行动进行时】), document numbers and site names or spam tails
(…的通告 -某某首页app) cut off. Where no candidate scores, the line model may name the title (``title_at``,
linemodel.learned_title: a news headline over a bare date row); a page that shows none gets none.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import regex

from .chrome import TITLE_SPAM_HEAD, TITLE_SPAM_TAIL
from .header import is_date_label, read_line
from .lines import PARAGRAPH, LineTable, han_count
from .markers import MARKER_START as _MARKER_START
from .markers import is_title
from .normalize import PINYIN
from .patterns import DATE_VALUE, DOC_NUMBER, DOC_TYPE_WORDS, TITLE_END, cell_text, is_cell_column_row, is_header_cell

Line = tuple[int, int]

# A short line ending like this names a site or a body, not a document.
_ORG_TAIL = re.compile(r"(?:网|网站|门户网站?|官网|文库|人民政府|政府|委员会|办公室|局|厅|委|院|中心|集团|公司)$")
_FUNCTION = re.compile(r"[的了和在是对与为将以及等从按于]")
_SUBTITLE = re.compile(r"[ \t]*(?:——|—|--|[(（])")
_SUBTITLE_LINE = re.compile(r"[ \t]*(?:——|--)")
# A column or site prefix before a title (政务服务丨…, 政策新闻 | …) and a document number before or after it.
_TITLE_PREFIX = re.compile(r"[ \t]*[^|丨｜\n]{1,10}?[ \t]*[丨｜|][ \t]*(?=\S)")
_TITLE_DOC_HEAD = regex.compile(rf"[ \t]*{DOC_NUMBER}[ \t]*[:：]?[ \t]*(?=\S)")
_TITLE_DOC_TAIL = regex.compile(rf"[ \t]*[(（]?{DOC_NUMBER}[)）]?[ \t]*$")
# What spam tags, site tails, column bars and subtitle dashes need one of (_strip_title's first test).
_AFFIX_MARK = re.compile(r"[【_|｜丨\-–—]")
# A campaign or topic tag before a headline (【“三抓三促”行动进行时】…): longer than the spam marks the chrome
# rules cut (【最新】), still no part of the headline.
_TAG_HEAD = re.compile(r"[ \t]*【[^【】\n]{2,16}】[ \t]*(?=\S)")
# A site's, brand's or spam tail after a title that ends like a document (…的通告 -某某首页app, …的通知_某某):
# a spaced dash or an underscore, then words that name no document.
_SITE_TAIL = regex.compile(r"(?:[ \t]+[-–|｜]{1,2}|[ \t]*_)[ \t]*[^\s_|｜]{2,24}[ \t]*$")
_DOC_TYPE_WORD = re.compile("|".join(DOC_TYPE_WORDS))
# A news column before a colon (每日观点:…, 今日要闻:…) is cut; a topic or a place (环保督察:…, 天长:…) is the
# headline's own lead and stays.
_COLUMN_HEAD = re.compile(r"[ \t]*\S{0,6}?(?:观点|要闻|快讯|资讯|速递|播报|时评|视点|头条)[ \t]*[:：][ \t]*(?=\S)")
_LABEL_HEAD = re.compile(r"[ \t]*[^:：\s]{2,8}[:：][ \t]*(?=\S)")
# A site's column tag after a dash at a title's end (…多数没整改到位-【新闻】): the column, not the headline. A
# document's own state (【征求意见稿】, 【试行】) is the title's.
_TAG_TAIL = re.compile(
    r"[ \t]*[-_–|｜][ \t]*【(?![^【】\n]*(?:稿|试行|暂行|草案|修订|废止|失效))[^【】\n]{1,8}】[ \t]*$"
)
# A title quoted whole with its day after it in brackets (《关于…的通告》(2022年9月16日)): the name inside.
_DATED_QUOTE = regex.compile(
    rf"[ \t]*《(?P<name>[^《》\n]+)》[ \t]*[(（][ \t]*(?:{DATE_VALUE.pattern})[ \t]*[)）][ \t]*"
)
_FILE_WRAPPER = regex.compile(r"[ \t]*《?(?P<name>[^《》\n]+?)\.(?:docx?|pdf|wps|txt)》?[ \t]*", regex.IGNORECASE)
_DOC_NUMBER_LINE = regex.compile(rf"[ \t]*(?:{DOC_NUMBER}|\d{{4}}年第\d{{1,3}}号)[ \t]*(?:[(（][^()（）]*[)）])?[ \t]*")
_NOT_TITLE = regex.compile(
    r"(?:长|主任|书记|主席|委员|部长|审计长|代表|记者|通讯员)[ \t]+\p{Han}{2,4}[ \t]*$|[:：].*[:：]|>|»|›|->"
    r"|\d{1,2}月\d{1,2}日(?:电|讯)"  # a news dateline (某某网11月10日讯, 新华社北京3月5日电) opens the body
)
# A news credit (□记者 某某 报道, 通讯员 某某 摄, 本报记者 某某): who wrote it, never what it is called. Led by
# the marks a feed puts before its lines (□, ■, ???) and read without pinyin glosses (報(bào)道).
_CREDIT = regex.compile(
    r"[ \t?？□■]*(?:本报|本台|本网|本報|本網|特约|特約)?(?:记者|記者|通讯员|通訊員|摄影|攝影|撰稿)[ \t:：]*"
    r"\p{Han}{2,4}(?:[ \t、,，]+(?:(?:记者|記者|通讯员|通訊員|摄影|攝影)[ \t:：]*)?\p{Han}{2,4})*"
    r"[ \t]*(?:报道|報道|摄|攝|文|图|圖)?[ \t]*"
)
# A short label and its value (体裁: 通知, • 主题词: 创卫) among a header's lines is one more of its fields.
_FIELD_LINE = re.compile(r"[ \t•·\-*]*[^:：\s]{2,6}[ \t]*[:：][ \t]*(?P<value>[^:：]*)")
# A label and a number (时间:2020-01-17, 热度:56) is a meta line; a headline may hold one before a phrase
# (督察整改:66项整改任务已完成27项): after the number it goes on in words.
_LABEL_NUMBER = re.compile(r"[:：][ \t]*\d")
_HEADLINE_WORDS = 6
_FIELD_NAME = regex.compile(r"\p{Han}{2,6}")
_HAN_RUN = regex.compile(r"\p{Han}{2,}")
# A numeric date opening a line that counts something after it (2018-12-25  本文已影响0人  某用户, 2020/01/17
# 阅读 56) is a blog's or a portal's meta row: a headline names its day in words (12月25日…), if at all.
_DATED_COUNTER = re.compile(
    r"[ \t]*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ \t]+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?[ \t]+\D*\d"
)
_COLUMN_HEADLINE = 10
# A news headline over its subtitle (九届省委第二轮巡视全面展开 / 13个巡视组全部进驻…): a line of words, no
# clause marks (a greeting, a label), that the story's first lines retell: half a share of its character pairs.
# A page that opens with running text (a summary, a field table read as text) may show its headline under
# it: right above the meta row (来源:… 发布时间:…), or after the line that brings the document in (文件详情如下:).
_LATE_WINDOW = 12
_LATE_SCORE = 6
_INTRO_END = re.compile(r"如下[ \t]*[:：][ \t]*$")
_STACK_MARKS = re.compile(r"[,，:：!！?？;；。、|｜]")
_STACK_BODY = 300
_STACK_SHARE = 0.25
# A breadcrumb's steps: arrows, or a spaced hyphen on a site that writes 当前位置：某某网 - 栏目 - 标题.
_BREADCRUMB_SEP = re.compile(r">|»|›|->|→|[ \t]+-[ \t]+")
_MAX_TITLE = 100
_MIN_TITLE = 4
_TOP_WINDOW = 25
# The lines after the first of a wrapped title are short.
_WRAPPED_PIECE = 30


@dataclass(frozen=True, slots=True)
class PageLayout:
    """Chrome found in context (line index -> rule) and the title (view offsets), if the page shows one."""

    chrome: dict[int, str]
    title: Line | None
    title_lines: tuple[int, ...]  # one, or two or three for a wrapped title
    # A title wrapped over two lines: the line break (and spaces) between its pieces, dropped from its value.
    title_breaks: tuple[Line, ...] = ()


# A gambling brand glued before a spam mirror's headline (澳门新葡官网进入网站…, 77779193永利官网2021年…, 365体育网址…):
# a name holding a digit, a Latin letter or a gambling word, ending in 官网, 网址 or 入口.
_BRAND_HEAD = regex.compile(
    r"[ \t]*(?P<brand>[\p{Han}A-Za-z0-9]{1,16}?)(?:官网|网址|平台入口|入口)(?:进入网站|官方网站|网站|官网)*[ \t_|｜]*"
)
_BRAND_MARK = regex.compile(r"[A-Za-z0-9]|澳门|永利|新葡|葡京|威尼斯|金沙|体育|比分|娱乐|棋牌|彩票")
_BRAND_WORDS = ("官网", "网址", "入口")
_MAX_BRAND = 26
# A repost's 原标题： label before the headline it names.
_ORIGINAL_HEAD = re.compile(r"[ \t]*原标题[ \t]*[:：][ \t]*(?=\S)")


def _strip_brand(text: str, start: int, end: int) -> int:
    """Where the headline starts after a gambling brand glued before it (``start`` when there is none)."""
    near = min(end, start + _MAX_BRAND)
    if all(text.find(word, start, near) == -1 for word in _BRAND_WORDS):
        return start
    brand = _BRAND_HEAD.match(text, start, end)
    if brand is None or _BRAND_MARK.search(brand["brand"]) is None or end - brand.end() < _COLUMN_HEADLINE:
        return start
    return brand.end()


def _strip_title(text: str, start: int, end: int) -> Line:
    """The title without a column prefix, a document number before or after it, or spam around it
    (【最新】…_某某网)."""
    # Most lines have none of the marks that spam tags, site tails, column bars and subtitle dashes need: the
    # patterns that need one are not run on them (the cut only shrinks the line, so no mark appears later).
    start = _strip_brand(text, start, end)
    if text.find("原标题", start, start + 8) != -1 and (original := _ORIGINAL_HEAD.match(text, start, end)):
        start = original.end()
    marked = _AFFIX_MARK.search(text, start, end) is not None
    if text.find(".", start, end) != -1:
        wrapper = _FILE_WRAPPER.fullmatch(text, start, end)
        if wrapper is not None:  # 《某某情况报告.docx》 on a document-sharing site
            start, end = wrapper.span("name")
    if text.find("《", start, end) != -1:
        quoted = _DATED_QUOTE.fullmatch(text, start, end)
        if quoted is not None and TITLE_END.search(text, *quoted.span("name")) is not None:
            start, end = quoted.span("name")
    if marked:
        start, end = _strip_marked(text, start, end)
    for head in (_TAG_HEAD, _COLUMN_HEAD):
        m = head.match(text, start, end)
        if m is not None and end - m.end() >= _COLUMN_HEADLINE:
            start = m.end()
    if text.find("号", start, end) != -1:
        doc_head = _TITLE_DOC_HEAD.match(text, start, end)
        if doc_head is not None and doc_head.end() < end:
            start = doc_head.end()
    if marked:
        prefix = _TITLE_PREFIX.match(text, start, end)
        if (
            prefix is not None
            and (
                TITLE_END.search(text, prefix.end(), end) is not None
                # 丨 is a column's mark (廉洁某地丨…), never a menu's: a headline after it loses the column too.
                or ("丨" in text[prefix.start() : prefix.end()] and end - prefix.end() >= _COLUMN_HEADLINE)
                or _bar_column(text, prefix.end(), start, end)
            )
        ):
            start = prefix.end()
    if text.find("号", start, end) != -1:
        doc_tail = _TITLE_DOC_TAIL.search(text, start, end)
        if doc_tail is not None and doc_tail.start() > start:
            end = doc_tail.start()
    dash = text.find("——", start, end) if marked else -1
    if dash > start and TITLE_END.search(text, start, dash) is not None:
        end = dash  # …整改情况的报告——2024年4月在市人大常委会会议上
    while end > start and text[end - 1] in " \t":
        end -= 1
    return start, end


def _strip_marked(text: str, start: int, end: int) -> Line:
    """The title without spam tags before it, or a column's tag, a spam tail or a site's tail after it."""
    spam_head = TITLE_SPAM_HEAD.match(text, start, end)
    if spam_head is not None and spam_head.end() < end:
        start = spam_head.end()
    tag_tail = _TAG_TAIL.search(text, start, end)
    if tag_tail is not None and tag_tail.start() > start:
        end = tag_tail.start()
    spam_tail = TITLE_SPAM_TAIL.search(text, start, end)
    if spam_tail is not None and spam_tail.start() > start:
        end = spam_tail.start()
    site_tail = _SITE_TAIL.search(text, start, end)
    if (
        site_tail is not None
        and TITLE_END.search(text, start, site_tail.start()) is not None
        and _DOC_TYPE_WORD.search(text, site_tail.start(), end) is None
    ):
        end = site_tail.start()
    return start, end


def _bar_column(text: str, cut: int, start: int, end: int) -> bool:
    """Whether the ``|`` before ``cut`` ends a column's name (“双创”曝光台|问题清单…) rather than a menu's item:
    the line's only bar, then a headline as 丨 asks, with no spaced items after it as a menu would have."""
    rest = text[cut:end]
    bars = sum(text.count(bar, start, end) for bar in "|｜丨")
    return bars == 1 and len(rest) >= _COLUMN_HEADLINE and " " not in rest and "\t" not in rest


def _label_number(text: str, start: int, end: int) -> bool:
    """Whether a line is a label and its number (时间:2020-01-17 16:04) rather than a headline with one."""
    m = _LABEL_NUMBER.search(text, start, end)
    return m is not None and han_count(text[m.end() : end]) < _HEADLINE_WORDS


# What a dateline holds beside its date: a weekday, the hour's units (09時56分).
_DATELINE_WORDS = re.compile(r"星期[一二三四五六日天]?|周[一二三四五六日]|[时分秒時]")
# A dateline names at most a paper or a place beside its date (2021年05月04日 09時56分 山西日報); the labelled
# titles that hold a full date hold nine characters or more beside it.
_DATELINE_HAN = 6
_DIGIT_PAIR = re.compile(r"\d\d")  # what a dated line holds; the date's own pattern is dearer to search for


def _dateline(text: str, start: int, end: int) -> bool:
    """Whether a line is a date with a weekday, a time or a short name (2021年01月27日 星期三): a dateline. A
    date in brackets is a short title's edition (《某某县志》（2023年5月8日）)."""
    m = DATE_VALUE.search(text, start, end) if _DIGIT_PAIR.search(text, start, end) is not None else None
    if m is None or (m.start() > start and text[m.start() - 1] in "（(【[〔"):
        return False
    rest = _DATELINE_WORDS.sub("", text[start : m.start()] + text[m.end() : end])
    return han_count(rest) <= _DATELINE_HAN


def _credit_line(text: str, start: int, end: int) -> bool:
    """Whether a line only credits a reporter or a photographer (□記者 某某 報(bào)道)."""
    return _CREDIT.fullmatch(PINYIN.sub("", text[start:end])) is not None


def _header_field(table: LineTable, i: int) -> bool:
    """Whether line ``i`` is a short ``label: value`` next to a header line: one of its fields the header
    stage did not name (• 体裁: 通知), not a headline with a column label (本级巡察整改：…)."""
    m = _FIELD_LINE.fullmatch(table.texts[i])
    if m is None or han_count(m["value"]) >= _COLUMN_HEADLINE:
        return False
    return any(k in table.header for k in (i - 1, i + 1))


def _title_score(
    text: str, line: Line, place: int, repeated: bool, header_title: str | None, crumb: bool = False
) -> int:
    """How much a stripped line looks like the page's title; ``place`` is 5 for a headline right above a
    meta row (a header of one or two lines), 3 right before a header, 2 for the candidate nearest the body or
    right after the header, 0 elsewhere; ``crumb`` when a breadcrumb ends with it."""
    s, e = line
    candidate = text[s:e]
    score = place
    if TITLE_END.search(candidate) is not None:
        score += 3
    if "关于" in candidate or "印发" in candidate or "转发" in candidate:
        score += 1
    if crumb:
        score += 4  # the page names it: the headline a breadcrumb ends with
    elif repeated:
        score += 2
    if header_title is not None and candidate.replace(" ", "") == header_title.replace(" ", ""):
        score += 4
    if 10 <= e - s <= 60:
        score += 1
    if "。" in candidate:
        score -= 3  # a sentence
    if _ORG_TAIL.search(candidate) is not None and e - s <= 16:
        score -= 3  # a site's or a body's own name
    if _SUBTITLE.match(candidate) is not None:
        score -= 2  # ——在…会议上的讲话: a subtitle under the title
    if e - s <= 8 and _FUNCTION.search(candidate) is None:
        score -= 1
    return score


def analyse(
    table: LineTable,
    header_title: str | None,
    garbled: bool = False,
    title_at: Callable[[LineTable], int | None] | None = None,
) -> PageLayout:
    """Classify the lines the rules left in context; find the title. On a garbled page (mojibake, ``?``
    for every character) only lines that a strong feature names are chrome, and a title must end with a
    document-type word. Reads the chrome rules' and the header's decisions from the table. ``title_at``: where
    the rules find no title, the line it names is the title (the line model's pick, made on the table with the
    top zone's decisions in it; stripped of its affixes, and still no title if it is what is never one: a
    speaker, a label, a reporter's credit)."""
    text, lines, chrome, header, markers = table.text, table.spans, table.chrome, table.header, table.markers
    n = len(lines)
    classes: list[str] = [""] * n  # filled where needed: the top and the bottom, and suspects between

    def classify(i: int) -> str:
        if not classes[i]:
            s, e = lines[i]
            if i in chrome:
                c = "chrome"
            elif i in header:
                c = "header"
            elif s == e:
                c = "empty"
            else:
                # Running text is good on its own features; a short line may still have a document's form.
                c = table.own_class(i)
                if garbled and c in ("bad:symbols", "bad:ui", "bad:menu"):
                    c = "short"
                # A row of short cells above rows cut the same way is a table's column row, not a menu.
                cells = _cells(text, lines[i]) if c == "bad:menu" else 0
                if cells > 2 and i + 1 < n and _cells(text, lines[i + 1]) >= cells - 1:
                    c = "good"
            classes[i] = c
        return classes[i]

    first_good = next((i for i in range(n) if classify(i) == "good"), n)
    if first_good == n:
        return PageLayout({}, None, ())
    # A site footer (主办单位, 网站标识码, 版权所有) after the document: what follows it is the site's, its
    # contact lines included, however much they look like the notice's own.
    footer = next((i for i in range(first_good + 1, n) if chrome.get(i) == "copyright"), n)
    last_good = next((i for i in range(footer - 1, first_good - 1, -1) if classify(i) == "good"), first_good)
    # A table flattened one cell per line after the text (学校 / 具体问题 / 整改情况, then its rows) is the
    # document's, though its cells are short lines.
    last_good = _table_end(table, last_good, footer, classify)
    # Between them a long line of running text (a sentence stop or a comma) is the document's without
    # further test; among the others only the bad lines and the short ones matter (headings and field lines
    # are the document's whatever their class).
    bad: list[int] = []
    walls: list[int] = []  # the bad lines and the lines a chrome rule named, in order
    for i in range(first_good + 1, last_good):
        s, e = lines[i]
        if e - s > PARAGRAPH and (text.find("。", s, e) != -1 or text.find(",", s, e) != -1):
            continue
        if i in chrome or i in header or s == e:
            classify(i)
            if i in chrome:
                walls.append(i)
            continue
        if text[s] in _MARKER_START and markers.at(s, e) is not None:
            continue  # a heading: the document's (asked through the structure stage's cache)
        c = table.line_class(i)
        if c.startswith("bad:") and _empty_cell(table, i):
            classes[i] = "short"  # a lone | among cells closed by | is a table's empty cell
        elif c.startswith("bad:"):
            c = classify(i)  # the full class: a document's form rescues it
            if c.startswith("bad:"):
                bad.append(i)
                walls.append(i)
        elif c in ("short", "empty"):
            classes[i] = c
    headers = [i for i in header if i < first_good]
    anchor = min(headers) if headers else first_good
    # Inside the document: bad lines, and short lines between two of them (or two lines a chrome rule named:
    # [ / 加入收藏] [ / 打印本文] [ / 关闭窗口]) with nothing else between.
    rest: dict[int, str] = {}
    for i in bad:
        rest[i] = classes[i][4:]
    for k, i in enumerate(walls):
        if k and i - walls[k - 1] > 1:
            between = range(walls[k - 1] + 1, i)
            if all(classes[j] in ("short", "empty", "chrome", "header") for j in between):
                rest.update((j, "between_chrome") for j in between if classes[j] == "short" and table.form(j) is None)
    # After it: short lines count as chrome where chrome is there too; after a footer, every line.
    tail = range(last_good + 1, len(lines))
    if not garbled and any(classify(i).startswith("bad:") or classes[i] == "chrome" for i in tail):
        for i in tail:
            c = classify(i)
            if c.startswith("bad:"):
                rest[i] = c[4:]
            elif c == "short" or (i > footer and c == "good"):
                rest[i] = "bottom_zone" if i < footer else "footer"
    title_lines, title = _find_title(table, classes, headers, anchor, first_good, header_title, garbled)
    found = {**_top_zone(table, classes, first_good, title_lines, garbled), **rest}
    if title is None and title_at is not None and not garbled:
        # The line model reads the page as the rules leave it without a title.
        named = dict(chrome)
        chrome.update(found)
        try:
            line = title_at(table)
        finally:
            chrome.clear()
            chrome.update(named)
        if line is not None and (stripped := _title_line(table, line)) is not None:
            title_lines, title = (line,), stripped
            found = {**_top_zone(table, classes, first_good, title_lines, garbled), **rest}
    breaks = tuple(_between(lines[a], lines[b]) for a, b in itertools.pairwise(title_lines))
    return PageLayout(found, title, title_lines, breaks)


def _top_zone(
    table: LineTable, classes: list[str], first_good: int, title_lines: tuple[int, ...], garbled: bool
) -> dict[int, str]:
    """The chrome before the document: every line but the title and the header; between the title and the
    body, short lines are the document's (——在…会议上的讲话, 某某局局长 某某, （2023年3月2日通过）)."""
    text, lines = table.text, table.spans
    title_line = title_lines[-1] if title_lines else None
    found: dict[int, str] = {}
    for i in range(first_good):
        c = classes[i]
        if c in ("chrome", "header", "empty") or i in title_lines:
            continue
        if (
            c == "short"
            and (garbled or (title_line is not None and i > title_line))
            and not _site_field(table, classes, i)
        ):
            continue
        if (
            c == "short"
            and DATE_VALUE.search(text, *lines[i]) is not None
            and not (title_line is not None and i < title_line and _among_chrome(classes, i))
        ):
            continue  # a date kept for the document, unless a row of chrome above the title holds it
        found[i] = c[4:] if c.startswith("bad:") else "top_zone"
    return found


def _among_chrome(classes: list[str], i: int) -> bool:
    """Whether the filled lines right before and after line ``i`` (above the title) are both chrome: bad, named
    by a rule, or short lines of the top zone; a doc-sharing site's item list (- 约6.92千字 / - 2026-02-02
    发布于四川 / - 举报)."""

    def neighbour(step: int) -> str:
        k = i + step
        while 0 <= k < len(classes) and classes[k] == "empty":
            k += step
        return classes[k] if 0 <= k < len(classes) else ""

    return all(c.startswith("bad:") or c in ("chrome", "short") for c in (neighbour(-1), neighbour(1)))


def _site_field(table: LineTable, classes: list[str], i: int) -> bool:
    """Whether line ``i`` names one of the site's fields (项目编号 above 点击查看): a field label next to a bad
    line, the site's widget that hides or shows its value."""
    if not _field_label(table.texts[i].strip()):
        return False
    return any(0 <= k < len(classes) and classes[k].startswith("bad:") for k in (i - 1, i + 1))


def _table_end(table: LineTable, last_good: int, footer: int, classify: Callable[[int], str]) -> int:
    """The last line of a table of one cell per line that opens after ``last_good`` with a problem table's
    column row and runs until chrome; ``last_good`` when there is none."""
    cells = [i for i in range(last_good + 1, footer) if table.texts[i].strip()]
    k = 0
    while k < len(cells):
        j = k
        while j < len(cells) and is_header_cell(cell_text(table.texts[cells[j]])):
            j += 1
        if j - k >= 3 and is_cell_column_row([cell_text(table.texts[c]) for c in cells[k:j]]):
            end = j
            while end < len(cells) and cells[end] not in table.chrome and not classify(cells[end]).startswith("bad:"):
                end += 1
            return cells[end - 1]
        k = max(j, k + 1)
    return last_good


def _empty_cell(table: LineTable, i: int) -> bool:
    """Whether line ``i`` is only a cell border (|) next to a line that is a cell closed by one."""
    if table.texts[i].strip(" \t|｜") or "|" not in table.texts[i]:
        return False
    neighbours = (table.texts[k].rstrip() for k in (i - 1, i + 1) if 0 <= k < len(table))
    return any(len(t) > 1 and t.endswith("|") for t in neighbours)


def _cells(text: str, line: Line) -> int:
    """How many ``|`` or tab separators a line holds."""
    return text.count("|", *line) + text.count("\t", *line)


def _next_filled(filled: list[int], i: int, step: int) -> int:
    """The next non-empty line index from ``i`` in direction ``step`` (-1 when there is none)."""
    k = bisect.bisect_left(filled, i)
    if step < 0:
        return filled[k - 1] if k > 0 else -1
    k = bisect.bisect_right(filled, i)
    return filled[k] if k < len(filled) else -1


def _find_title(
    table: LineTable,
    classes: list[str],
    headers: list[int],
    anchor: int,
    first_good: int,
    header_title: str | None,
    garbled: bool,
) -> tuple[tuple[int, ...], Line | None]:
    """The best title candidate before the document's anchor (or its first line), stripped of affixes, and
    the lines it takes: one, or two when the title wraps (…对照检 / 查材料)."""
    text, lines, texts, chrome = table.text, table.spans, table.texts, table.chrome
    lo = max(0, anchor - _TOP_WINDOW)
    keys: dict[str, int] = {}
    for i in range(0, min(len(lines), first_good + 3)):
        key = texts[i].replace(" ", "")
        keys[key] = keys.get(key, 0) + 1
    # A breadcrumb that ends with the title names it.
    crumbs = [
        _BREADCRUMB_SEP.split(texts[i])[-1].strip().replace(" ", "")
        for i in range(0, first_good)
        if i in chrome and chrome[i] == "breadcrumb"
    ]
    best: tuple[tuple[int, bool], tuple[int, ...], Line, str] | None = None
    bare: dict[str, tuple[tuple[int, ...], Line]] = {}  # the candidates that are a title alone, by key
    # A meta row is no candidate, nor what stands between the title and the body.
    candidates = [
        i for i in range(lo, first_good) if classes[i] == "short" and _DATED_COUNTER.match(text, *lines[i]) is None
    ]
    if first_good < len(lines) and is_title(texts[first_good]):
        candidates.append(first_good)
    wrapped = _wrapped_titles(text, lines, classes, candidates, first_good)
    # Right before the header (a meta row) or nearest the body is where a title sits.
    filled = [i for i in range(min(len(classes), first_good + 3)) if classes[i] != "empty"]
    before_header = {_next_filled(filled, i, -1) for i in headers if i - 1 not in headers}
    after_header = {_next_filled(filled, i, 1) for i in headers if i + 1 not in headers}
    # The candidate nearest the body, over a subtitle (——…) or a row of field labels (项目编号, 预算金额) between.
    nearest = max((i for i in candidates if not _below_title(text, lines[i])), default=-1)
    # A meta row (a header of one or two lines: 发布时间…来源…) comes right under the page's headline.
    before_meta = {_next_filled(filled, i, -1) for i in headers if i - 1 not in headers and i + 2 not in headers}
    for taken in [(i,) for i in candidates] + wrapped:
        i = taken[-1]
        s, e = _strip_title(text, lines[taken[0]][0], lines[i][1])
        if not _MIN_TITLE <= e - s <= _MAX_TITLE:
            continue
        if garbled and TITLE_END.search(text, s, e) is None:
            continue  # a garbled line that does not even end like a title
        if _no_title(table, s, e, i):
            continue
        if text.startswith(("——", "--"), s):
            continue  # a subtitle (——某某关于…的汇报) sits under the title, never is it
        # A column's label before the headline (本级巡察整改：…) shows where the bare headline stands too.
        label = _LABEL_HEAD.match(text, s, e)
        if label is not None and keys.get(text[label.end() : e].replace(" ", ""), 0):
            s = label.end()
        key = text[s:e].replace(" ", "").replace("\n", "")
        own = "".join(texts[k] for k in taken).replace(" ", "")
        # The title elsewhere as a line of its own (page title and heading), or ending a breadcrumb.
        # (A wrapped title's own lines are no copy of it: the copy counted is elsewhere.)
        repeated = keys.get(key, 0) > (1 if key == own and len(taken) == 1 else 0) or key in crumbs
        # A breadcrumb's last step that is a headline, not a column's name (首页 > 通知公告), names the title.
        crumb = key in crumbs and len(key) >= _COLUMN_HEADLINE
        place = 3 if i in before_header else 2 if i == nearest or i in after_header else 0
        if i in before_meta and e - s >= _COLUMN_HEADLINE:
            place = 5
        score = _title_score(text, (s, e), place, repeated, header_title, crumb)
        if key == own:
            bare.setdefault(key, (taken, (s, e)))
        # Between equals, a line that is the title alone is the better copy than one whose affixes were cut.
        rank = (score, key == own)
        if score >= 3 and (best is None or rank > best[0]):
            best = (rank, taken, (s, e), key)
    stacked = _stacked_headline(table, classes, candidates, filled, best[1] if best else None, nearest, first_good)
    if stacked is not None:
        return (stacked[0],), stacked[1]
    if best is None:
        late = _late_title(table, first_good, header_title)
        return ((late[0],), late[1]) if late is not None else ((), None)
    # The title chosen with its affixes cut, seen alone on a line of its own: that line is the title's.
    (score, alone), taken, title, key = best
    return (taken, title) if alone else bare.get(key, (taken, title))


def _title_line(table: LineTable, i: int) -> Line | None:
    """Line ``i`` stripped of its affixes, as a title; None if it is what is never one (too short or long, a
    speaker, a label, a credit)."""
    s, e = _strip_title(table.text, *table.spans[i])
    if not _MIN_TITLE <= e - s <= _MAX_TITLE or _no_title(table, s, e, i):
        return None
    return s, e


def _no_title(table: LineTable, s: int, e: int, i: int) -> bool:
    """Whether line ``i`` (stripped to ``s:e``) is what is never a title: a speaker (局长 某某), a label
    (号：…), a breadcrumb, a document number alone, a reporter's credit, a dateline, or one more field of the
    header around it."""
    text = table.text
    return (
        _NOT_TITLE.search(text, s, e) is not None
        or _DOC_NUMBER_LINE.fullmatch(text, s, e) is not None
        or _label_number(text, s, e)
        or _credit_line(text, s, e)
        or _dateline(text, s, e)
        or _header_field(table, i)
        or _few_han(text, s, e)
    )


_ENGLISH = re.compile(r"[A-Za-z]+(?: [A-Za-z]+){3}")  # four words of an English headline


def _few_han(text: str, s: int, e: int) -> bool:
    """Whether fewer than a third of the line's visible characters are Chinese and it is no English headline:
    an ad slot's id (ad9_210*60), an image's file name, an address with a date after it. A Chinese notice's
    title is mostly Chinese, its numbers included (督查通报(第201704期))."""
    line = text[s:e]
    if 3 * han_count(line) >= len(line) - line.count(" ") - line.count("\t"):
        return False
    return _ENGLISH.search(line) is None


def _stacked_headline(
    table: LineTable,
    classes: list[str],
    candidates: list[int],
    filled: list[int],
    taken: tuple[int, ...] | None,
    nearest: int,
    first_good: int,
) -> tuple[int, Line] | None:
    """The headline stacked over the title chosen (or, when none was, over the candidate nearest the body)
    when that one is its subtitle: the line right above, a headline of words without clause marks that does
    not end like a document while the lower one does not either, and whose character pairs the body's first
    lines retell (a site's greeting or a login prompt above a headline is not retold)."""
    text, lines = table.text, table.spans
    if taken is not None and len(taken) != 1:
        return None
    low = taken[0] if taken is not None else nearest
    if low < 0 or low >= first_good:
        return None
    up = _next_filled(filled, low, -1)
    if up < 0 or up not in candidates:
        return None
    s, e = _strip_title(text, *lines[up])
    ls, le = lines[low]
    head, below = text[s:e], text[ls:le]
    if (
        not _COLUMN_HEADLINE <= e - s <= 60
        or _STACK_MARKS.search(head) is not None
        or TITLE_END.search(below) is not None
        or TITLE_END.search(head) is not None
        or _ORG_TAIL.search(head) is not None
        or head in below
        or below.strip() in head
        or _no_title(table, ls, le, low)
        or _no_title(table, s, e, up)
    ):
        return None
    pairs = _han_pairs(head)
    if len(pairs) < _HEADLINE_WORDS:
        return None
    # A subtitle speaks of its headline's event (a word in common: 巡视 … 巡视), counts it (13个巡视组…) or ends it
    # in a short line (…办理情况显示 / 已依法办结56件); a slogan over a longer headline (深入学习贯彻…精神 over
    # 市生态环境局召开…会议) does none of these, however much the story repeats the slogan.
    shared = pairs & _han_pairs(below)
    if not shared and not below.lstrip()[:1].isdigit() and len(below.strip()) >= e - s:
        return None
    body_start = lines[first_good][0]
    body = _han_pairs(text[body_start : body_start + _STACK_BODY])
    # Half the pairs retold, or a quarter when the subtitle shares one with the headline.
    share = _STACK_SHARE if shared else 2 * _STACK_SHARE
    if len(pairs & body) < share * len(pairs):
        return None
    return up, (s, e)


def _late_title(table: LineTable, first_good: int, header_title: str | None) -> tuple[int, Line] | None:
    """When nothing before the first paragraph is a title: a headline a little further down, right above a
    meta row that dates the page, or a line ending like a document right after one that brings it in
    (…文件详情如下: / 某某关于印发…的通知)."""
    text, lines, texts = table.text, table.spans, table.texts
    window = range(first_good, min(len(lines), first_good + _LATE_WINDOW))
    filled = [k for k in window if texts[k].strip() and k not in table.chrome]
    for k in range(1, len(filled) - 1):
        i = filled[k]
        if i in table.header or table.own_class(i) != "short":
            continue
        stripped = _title_line(table, i)
        if stripped is None:
            continue
        s, e = stripped
        if text[s] in _MARKER_START and table.markers.at(s, e) is not None:
            continue  # a heading of the text
        below = filled[k + 1]
        if e - s >= _COLUMN_HEADLINE and any(is_date_label(p.label) for p in read_line(texts[below], lines[below][0])):
            place = 5
        elif _INTRO_END.search(texts[filled[k - 1]]) is not None and TITLE_END.search(text, s, e) is not None:
            place = 3
        else:
            continue
        if _title_score(text, (s, e), place, False, header_title) >= _LATE_SCORE:
            return i, (s, e)
    return None


def _han_pairs(line: str) -> set[str]:
    """The pairs of adjacent Han characters in a line."""
    return {run[k : k + 2] for run in _HAN_RUN.findall(line) for k in range(len(run) - 1)}


def _below_title(text: str, line: Line) -> bool:
    """Whether a line is what stands under a headline, not one: a subtitle (——…) or a short field label
    (项目编号, 招标单位: a noun phrase without a function word or a document type)."""
    s, e = line
    return _SUBTITLE_LINE.match(text, s, e) is not None or _field_label(text[s:e].strip())


def _field_label(line: str) -> bool:
    """Whether a line is a short field's name alone (项目编号, 预算金额): a few Han characters, no function word
    and no document type, so no headline."""
    return _FIELD_NAME.fullmatch(line) is not None and _FUNCTION.search(line) is None and TITLE_END.search(line) is None


def _wrapped_titles(
    text: str, lines: Sequence[Line], classes: list[str], candidates: list[int], first_good: int
) -> list[tuple[int, ...]]:
    """Two or three lines that make a title together though the first does not end like one: a title
    wrapped (…民主生活会对照检 / 查材料), or its issuer on a line of its own (某某办公室 / 关于…的通知)."""
    out: list[tuple[int, ...]] = []
    for i in candidates:
        # The pieces are the next filled lines: a page that spaces its lines out spaces a wrapped title too.
        # (the first three only: a page with thousands of short lines at its top must not cost their square;
        # a plain loop, since compiled, islice over a generator expression read the whole range)
        pieces: list[int] = []
        for k in range(i, min(len(lines), first_good + 1)):
            if classes[k] != "empty":
                pieces.append(k)
                if len(pieces) == 3:
                    break
        for size in (2, 3):
            taken = tuple(pieces[:size])
            last = taken[-1]
            if len(taken) < size or any(classes[k] not in ("short", "good") for k in taken):
                break
            s1, e1 = lines[i]
            s2, e2 = lines[last]
            if TITLE_END.search(text, s1, e1) is not None or "。" in text[s1:e2]:
                break
            if any(lines[k][1] - lines[k][0] > _WRAPPED_PIECE for k in taken[1:]):
                break
            if any(_SUBTITLE_LINE.match(text, *lines[k]) is not None for k in taken[1:]):
                break  # a subtitle (——某某关于…的汇报) goes under a title, it does not finish one
            # A line naming a body joins a title only as its issuer, right before 关于.
            if _ORG_TAIL.search(text, s1, e1) is not None and not text.startswith("关于", lines[taken[1]][0]):
                break
            if TITLE_END.search(text, s2, e2) is not None:
                out.append(taken)
                break
    return out


def _between(first: Line, second: Line) -> Line:
    """The line break between two lines of a wrapped title, with the spaces around it."""
    return first[1], second[0]
