"""The line table: every line of a page's view, classified once, and read by every stage after the view.

A line's own features (``line_class``: ``good``, ``short``, ``empty`` or ``bad:<rule>``; ``own_class``, which
lets a document's form win; its heading marker) are asked of the table, which computes each when first
asked and keeps it: the chrome, header, page, body and structure stages ask about the same lines. The
stages then write their decisions into the table in order: the chrome rules (``chrome``, ``fragments``),
the header (``header``, ``header_rests``), the page in context (more ``chrome``, ``title_lines``).
``kind`` reads the verdict back.

Line classes, after jusText (Pomikálek 2011) adapted to Chinese text lines:

- ``bad``: spam words, a menu (short items between separators), user-interface words only, an address
  of a web page, a page counter (第1页共2页), markup left as text (a tag's attributes href="…", an HTML
  comment !-- … --, a style rule p { … }, a script's variable channelId 1 1 1), an editor's or reviewer's
  credit (责任编辑：, 审核 某某), no Chinese at all, or mojibake;
- ``good``: running text (long, or holding a sentence stop), or a colon-ended lead-in; ``own_class`` also
  calls a line with a document's own form good: a heading marker, a date, a contact or attachment line;
- ``short``: the rest (site names, column names, titles, captions).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal, NamedTuple

import regex

from .markers import LineMarkers, Marker, match_marker
from .patterns import ANY_MARKER, ATTACHMENT_HEAD, CLOSING_FORMULA, CONTACT_LINE, PUBLIC_NOTE, date_line_search

Line = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Fragment:
    """Chrome inside a content line: ``[start, end)`` in view offsets, and the rule that matched (chrome.py
    finds them; the table holds them, so the two modules need not import each other)."""

    start: int
    end: int
    rule: str


LineKind = Literal["chrome", "header", "title", "empty", "content"]

# _SPAM and _URL are matched against the lower-cased line: plain patterns run several times faster than
# case-blind ones.
_SPAM = re.compile(
    r"彩票|体彩|博彩|娱乐城|棋牌|赌场|六合彩|时时彩|百家乐|投注|菠萝视频|视频app|在线播放|在线观看|你懂的|国产精品|"
    r"欧美(?:日韩|在线|大片)|日韩(?:在线|大片|一区)|无码|一区二区|成人(?:网站|视频|影院|电影)|色播|白癜风|男科|"
    # Gambling brands that spam mirrors inject (关注某某登录界面): words of spam, like 伟德.
    r"代孕|伟德|bob体|华体会|九游会|开云体育|体育官网|下载app|app下载"
)
_MAX_SPAM_LINE = 160
# Words of a site's interface; a line made of them (less separators and digits) is chrome.
_UI_WORDS = (  # noqa: SIM905 - a word list reads best as one string
    "首页 首頁 网站首页 登录 注册 无障碍 适老化 繁体版 简体版 繁体 简体 智能机器人 支持IPV6 IPV6 手机站 手机版 客户端 "
    "微信 微博 Qzone QQ空间 评论 留言 抢沙发 参与 热门 推荐 智能推荐 搜索 热门搜索 新闻中心 政务公开 政府信息公开 "
    "互动交流 "
    "政务服务 网上办事 走进 English 友情链接 更多 详细介绍 图片 下载 上传 文档 页数 格式 大小 举报 返回 资源描述 "
    "文档简介 阅读 收藏 关注 扫描 二维码 手机查看 手机 查看 继续 打印 关闭 分享 朗读 长者 助手 关怀版 无障碍版 "
    "用户中心 跳转到内容 当前位置 您的位置 欢迎访问 欢迎来到 信息公开 政策 解读 要闻 动态 新闻 公告 通知 公示 "
    "工作 专题 栏目 频道 正文 相关 链接 进入 阅读全文 点击 查看更多 在线 试用 系统 管理 案例 咨询 电话 热点 观看 "
    "详细信息 具体内容 公开 "  # the tabs of a disclosure page: 详细信息 | 公开具体内容
    "评分 意见反馈 排行榜 "  # a news portal's rating and ranking widgets
    "订阅号 公众号 网站编辑"  # a footer's account and editor labels
).split()
# Matched against the lower-cased line: a plain alternation runs several times faster than a case-blind one.
_UI = re.compile("|".join(sorted((re.escape(w.lower()) for w in _UI_WORDS), key=len, reverse=True)))
_URL = re.compile(r"https?://|www\.|\.(?:com|cn|net|org|gov)(?![a-z])")
# A news meta row led by the site's address (www.example.com 2013-10-09 08:55 来源：某某晚报): a header line, not
# an address line; header.read_line reads it past the address.
URL_LED_ROW = re.compile(
    r"[ \t]*(?:https?://)?[\w-]+(?:\.[\w-]+)*\.(?:com|cn|net|org|gov)(?:\.cn)?(?::\d+)?(?:/\S*)?[ \t]+"
    r"(?=(?:19|20)\d\d[-/.年])",
    re.ASCII,
)
# A tag's attributes left in the text when its < was lost (?a href="javascript:doZoom(20)">大): the line is
# a widget's markup, whatever words it also holds.
# Each alternative opens with a literal, so the search scans for those characters alone.
_MARKUP = re.compile(r"""href\s*=\s*["']|src\s*=\s*["']|onclick\s*=\s*["']|style\s*=\s*["']|javascript:|!--.*-->""")
# A style sheet's rule printed as text (@page { size: …; }, p.cjk { font-family: … }): a selector, then a
# brace and a property's name and colon. Running text never opens with a selector and a brace.
_CSS_RULE = re.compile(r"[@.#]?[a-z][\w.#:\-]*(?:[ \t]*,[ \t]*[\w.#:\-]+)*[ \t]*\{[ \t]*[a-z-]+[ \t]*:")
_MAX_CSS_LINE = 400
# A script's variable name left in the text with its values (channelId 1 1 1): a camel-case identifier on a
# line with no Chinese.
_IDENTIFIER = re.compile(r"(?<![A-Za-z])[a-z]{2,}[A-Z][a-z]+")
# A page counter, and its kin the reading-time widget (本篇文章230字,读完约1分钟; 阅读需要3分钟).
_PAGE_COUNTER = re.compile(
    r"第\s*\d+\s*页|共\s*\d+\s*页|_第\d+页\s*$|已阅读\d+页|还剩\d+页|读完约?\s*\d+\s*分钟|阅读(?:需要|约需|时长|时间)[约:：\s]*\d+\s*分钟"
)
# An editor's or reviewer's credit: the role and a colon, or the role and a name or two after a space or a
# slash (责编 某某, 责任编辑 / 某某); the role glued to more words (编辑部门) is not one.
_EDITOR = regex.compile(
    r"[ \t]*(?:责任编辑|责编|编辑|一审|二审|三审|初审|复审|终审|审核|审校|校对|作者|通讯员)"
    r"(?:[ \t]*[:：]|[ \t]*[/／][ \t]*\p{Han}|[ \t]+\p{Han}{2,4}(?:[ \t、,]+\p{Han}{2,4})*[ \t]*$)"
)
# A login prompt offers both (您需要登录后才可以回帖 登录 | 立即注册, [请登录] [免费注册], 登录/注册 用户中心); a
# sentence (。) or a list item (（一）用户注册登录) that names them is a document's.
_MAX_LOGIN = 60


def _login_prompt(line: str) -> bool:
    return (
        len(line) <= _MAX_LOGIN
        and "注册" in line
        and ("登录" in line or "登陆" in line)
        and "。" not in line
        and ANY_MARKER.match(line) is None
    )


_MENU_SPLIT = re.compile(r"[ \t|｜>»›•·/\\]+|->|→|[ \t]+\?[ \t]+")
_SENTENCE = re.compile(r"[。，,；;！!？?]")
_HAN = regex.compile(r"\p{Han}")
_NOT_HAN = regex.compile(r"\P{Han}+")
_LEAD_IN = re.compile(r"[:：]\s*$")
PARAGRAPH = 30
_LONG = 60


@functools.lru_cache(maxsize=8192)
def line_class(line: str) -> str:
    """``good``, ``short``, ``empty`` or ``bad:<rule>`` for one view line (see the module docstring)."""
    line = line.strip()
    n = len(line)
    if n == 0:
        return "empty"
    strong = _strong_class(line)
    if strong is not None:
        return strong
    if n <= 40 and _HAN.search(line) is None and not any(ch.isdigit() for ch in line):
        return "bad:symbols"
    if n <= 40 and _EDITOR.match(line) is not None:
        return "bad:editor"
    sentence = _SENTENCE.search(line) is not None
    if not sentence:  # a line with no separator splits into one item: not a menu
        items = [t for t in _MENU_SPLIT.split(line) if t]
        # A menu: three or more short items, most of them words (联 系 人：李政 is a spaced label).
        words = sum(1 for t in items if len(t) >= 2)
        if len(items) >= 3 and words * 2 > len(items) and all(len(t) <= 8 for t in items):
            return "bad:menu"
    if _login_prompt(line):
        return "bad:ui"
    if n >= _LONG or (n >= PARAGRAPH and sentence) or "。" in line or _LEAD_IN.search(line):
        return "good"
    if n <= 40:
        rest = _UI.sub("", line.lower())
        if len(rest) < n:  # a user-interface word at all
            han = han_count(line)
            if han and han_count(rest) * 10 <= han * 3:
                return "bad:ui"
    return "short"


def han_count(line: str) -> int:
    # Dropping the runs of other characters is four times faster than listing the Han ones.
    return len(_NOT_HAN.sub("", line))


def _strong_class(line: str) -> str | None:
    """Spam, a web address, a page counter or markup: chrome beyond doubt, whatever surrounds the line."""
    n = len(line)
    lower = line.lower()
    if n <= _MAX_SPAM_LINE and _SPAM.search(lower) is not None:
        return "bad:spam"
    if n <= 80 and _PAGE_COUNTER.search(line) is not None:
        return "bad:page_counter"
    if n <= 120 and _MARKUP.search(lower) is not None:
        return "bad:markup"
    if n <= _MAX_CSS_LINE and _CSS_RULE.match(lower) is not None:
        return "bad:markup"
    if n <= 40 and _HAN.search(line) is None and _IDENTIFIER.search(line) is not None:
        return "bad:markup"
    if (
        n <= 120
        and _URL.search(lower) is not None
        and (n <= 40 or _SENTENCE.search(line) is None)
        and URL_LED_ROW.match(line) is None
    ):
        return "bad:url"
    return None


def strong_chrome(line: str) -> bool:
    """Whether a line is chrome beyond doubt (spam, a web address, a page counter, markup), whatever surrounds it."""
    return _strong_class(line.strip()) is not None  # each class bounds the line's length itself


LineForm = Literal["marker", "contents", "date", "contact", "attachment", "public_note", "closing"]


def line_form(line: str) -> LineForm | None:
    """The document's own form a stripped line has, if any: a heading marker (1.1 decimal ones too), a
    table of contents, a date, a contact, an attachment, 此件公开发布, a closing formula."""
    if not line:
        return None
    last = line[-1]
    if match_marker(line, 0, len(line), decimal=line[0].isdigit()) is not None:
        return "marker"
    if line in ("目录", "目次"):
        return "contents"
    if (last == "日" or last.isdigit()) and date_line_search(line, 0, len(line)) is not None:
        return "date"
    if CONTACT_LINE.match(line) is not None:
        return "contact"
    if ATTACHMENT_HEAD.match(line) is not None:
        return "attachment"
    if PUBLIC_NOTE.fullmatch(line) is not None:
        return "public_note"
    if CLOSING_FORMULA.fullmatch(line) is not None:
        return "closing"
    return None


@functools.lru_cache(maxsize=8192)
def own_class(line: str) -> str:
    """``line_class``, except that a line with a document's form is ``good`` whatever its other features."""
    c = line_class(line)
    if c != "good" and c != "empty" and line_form(line.strip()) is not None:
        return "good"
    return c


class LineRow(NamedTuple):
    """One line of the table as a stage sees it: what it is and why (for inspection and tests)."""

    number: int  # the line's index in the table
    span: Line  # view offsets from LineTable.rows(); source offsets from explain_lines()
    text: str
    kind: LineKind
    rule: str | None  # the chrome rule that removed it
    line_class: str
    form: LineForm | None
    marker: Marker | None
    # The line model's view (explain_lines; None for running text and empty lines, which it does not read):
    # its most probable role, that role's probability, its probability of chrome, and the features that
    # weighed most for (+) or against (-) the role.
    role: str | None = None
    probability: float | None = None
    chrome_probability: float | None = None
    weighed: tuple[tuple[str, float], ...] = ()


class LineTable:
    """Every line of one page's view with its features and the stages' decisions about it."""

    __slots__ = (
        "chrome",
        "fragments",
        "header",
        "header_rests",
        "markers",
        "spans",
        "starts",
        "text",
        "texts",
        "title_lines",
    )

    def __init__(self, text: str, spans: list[Line]) -> None:
        self.text = text
        self.spans = spans
        self.starts = [s for s, _ in spans]
        self.texts = [text[s:e] for s, e in spans]  # sliced once; every stage reads lines from here
        self.markers = LineMarkers(text)  # shared with the structure stage, which asks about the same spans
        self.chrome: dict[int, str] = {}  # line -> rule: named rules first, then the page's context
        self.fragments: dict[int, list[Fragment]] = {}  # chrome inside content lines
        self.header: frozenset[int] = frozenset()
        self.header_rests: dict[int, int] = {}  # a header line whose end is content: where the content starts
        self.title_lines: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.spans)

    def line_class(self, i: int) -> str:
        return line_class(self.texts[i])

    def own_class(self, i: int) -> str:
        return own_class(self.texts[i])

    def form(self, i: int) -> LineForm | None:
        return line_form(self.texts[i].strip())

    def marker(self, i: int, *, decimal: bool = False) -> Marker | None:
        start, end = self.spans[i]
        return self.markers.at(start, end, decimal=decimal)

    def kind(self, i: int) -> LineKind:
        if i in self.chrome:
            return "chrome"
        if i in self.title_lines:
            return "title"
        if i in self.header:
            return "header"
        return "content" if self.texts[i].strip() else "empty"

    def rows(self) -> list[LineRow]:
        return [
            LineRow(
                i,
                span,
                self.texts[i],
                self.kind(i),
                self.chrome.get(i),
                self.own_class(i),
                self.form(i),
                self.marker(i),
            )
            for i, span in enumerate(self.spans)
        ]
