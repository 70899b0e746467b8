"""Site chrome: navigation, widgets, counters and footers that are not part of the notice.

Rules are matched against whole lines of the view (``LINE_RULES``) or against a trailing fragment of
a content line (``TRAILING_FRAGMENT``). A line made only of widget words (打印本页 关闭窗口 【大】【中】【小】)
is chrome whatever its order. Official lines that look like chrome (（此件公开发布）, 特此公示！, 联系电话,
附件) match no rule on purpose.
"""

from __future__ import annotations

import re
from functools import lru_cache

import regex

from .lines import PARAGRAPH, Fragment, LineTable
from .normalize import lines_containing, lines_matching
from .patterns import CHROME_LABELS, HEADER_LABEL, TITLE_END, without_spaces

LINE_RULES: tuple[tuple[str, regex.Pattern[str]], ...] = (
    (
        "breadcrumb",
        regex.compile(
            r"(?:当前位置|当前的位置|您当前的位置|您当前位置|您的位置|您现在的位置|你的位置|你现在的位置|所在位置)\s*[:：>]|首页\s*(?:>|》|»|/|>>|→)"
        ),
    ),
    ("today", regex.compile(r"今天是\s*[:：]?\s*(?:\d{4}|$)")),
    ("welcome", regex.compile(r"欢迎(?:来到|访问|光临|您访问)")),
    (
        "view_counter",
        regex.compile(r"(?:浏览次数|浏览量|访问量|点击数|点击量|阅读次数|阅读量)\s*[:：]?|热度\s*[:：]\s*\d"),
    ),
    # A photo's stock caption on a line of its own: (资料图), 图片来源：某某网, and the placeholder an
    # aggregator prints where a photo was (图片发自某某App).
    ("caption", regex.compile(r"[(（]?(?:资料图片?|资料照片|配图)[)）]?\s*$|图片来源\s*[:：]|图片发自")),
    ("prev_next", regex.compile(r"(?:上一篇|下一篇|上一条|下一条|上一页|下一页)\s*[:：]")),
    ("share", regex.compile(r"分享到\s*[:：]?")),
    ("scan_qr", regex.compile(r"扫一扫(?:在手机上?(?:打开|查看|浏览|阅读)(?:当前页面?|本页)?|分享)")),
    ("related_links", regex.compile(r"(?:相关|友情)(?:链接|文章|阅读|信息|附件)\s*[:：]?\s*$")),
    # Teasers and links to other items: 相关解读：…, 核心提示：…, 热门搜索：, 你可能感兴趣的：…
    (
        "related_item",
        regex.compile(
            r"(?:相关解读|会议解读|图片解读|图解|核心提示|延伸阅读|推荐阅读|热门推荐|热门搜索|热点新闻|你可能感兴趣的?|猜你喜欢)"
            r"\s*[:：]"
        ),
    ),
    # A site's disclaimer footer, however long its text: 免责声明：凡本网注明“来源：…”的作品…
    ("disclaimer", regex.compile(r"(?:免责声明|版权声明)\s*[:：]")),
    # A document-sharing site's notes: uploads, previews, membership, where the text came from.
    (
        "doc_site",
        regex.compile(
            r"来源于网友上传|不代表本站观点|仅供预览|本文档由用户|用户上传|如涉及侵权|收益归属内容提供方|由会员分享|可在线阅读|"
            r"欢迎大家阅读借鉴|未经本网授权|不得转载|转载请(?:注明|附上|保留)|追究其相关法律责任|不代表本网赞同|正式会员|"
            r"省略\d+字|上传人\s*[:：]|文档编号\s*[:：]|上传时间\s*[:：]|文档下载"
        ),
    ),
    # A news item's tag list: 标签： or 热词： then its tags, on the line or as bullets under it (no sentence);
    # also a template's tag left unfilled ([标签:标题]).
    ("tags", regex.compile(r"\[?(?:标签|热词|Tags?|TAG)\s*[:：][^。，,；;]{0,40}$")),
    # A portal's "more" link before a column's name (更多 今日话题, 更多>> 排行榜): a short name, no sentence.
    ("more_link", regex.compile(r"更多[ \t]*(?:>>|>|»|[ \t])[ \t]*[^。，,；;:：\s]{1,12}$")),
    # A paywall or login wall over the text: hidden content, a word count for members, 【点此注册】 prompts.
    (
        "paywall",
        regex.compile(
            r"查看隐藏内容|需先?登录|请先登录|登录后(?:才能)?(?:查看|阅读|下载)|本文共\d+字|站内会员|会员可免费|"
            r"【[^】\n]{0,4}(?:注册|登录|刷新)[^】\n]{0,4}】|内容预览\s*[:：]\s*$"
        ),
    ),
    # A template site's promotion lines: 范文库, 本站范文, [了解我站].
    ("template_site", regex.compile(r"范文库|本站范文|了解我站")),
    ("download", regex.compile(r"下载地址\s*[:：]|点击此处下载")),
    ("captcha", regex.compile(r"请输入验证码|验证码\s*[:：]")),
    ("exit_link", regex.compile(r"您访问的链接即将离开|即将离开本网站|您即将离开")),
    (
        "copyright",
        regex.compile(r"版权所有|Copyright|©|主办单位\s*[:：]|技术支持\s*[:：]|网站标识码|ICP备|公网安备|网站地图"),
    ),
    (
        "ai_widget",
        regex.compile(r"点击开始解析文章内容|总结生成摘要|基于AI自动解读|AI(?:智能)?(?:解读|摘要)|与主办方无直接关联"),
    ),
)

# Lines made of these words (with brackets, bars and spaces between) are widget rows.
_WIDGET_WORDS = (
    "打印本页",
    "打印此页",
    "打印文章",
    "关闭窗口",
    "关闭本页",
    "关闭",
    "打印",
    "收藏本页",
    "收藏",
    "返回顶部",
    "返回首页",
    "返回",
    "我要纠错",
    "纠错",
    "视力保护色",
    "色调调节",
    "关怀版",
    "无障碍",
    "简体",
    "繁体",
    "长者模式",
    "字号",
    "字体",
    "浏览",  # 【浏览字体：大 中 小】, or its first words where the row was cut
    "默认",
    "大",
    "中",
    "小",
    "微信",
    "微博",
    "QQ空间",
    "朋友圈",
    "分享",
    "保存",
    "打印正文",
    "【",
    "】",
    "[",
    "]",
    "|",
    ":",
    "：",
    "/",
    "·",
    "丨",
)
_WIDGET_ROW = re.compile(
    r"(?:\s*(?:" + "|".join(re.escape(w) for w in sorted(_WIDGET_WORDS, key=len, reverse=True)) + r"))+\s*"
)
# Words that must occur for a widget row to count: a row of brackets and 大中小 alone is not enough
# unless it has the bracket form 【大】【中】【小】.
_WIDGET_ANCHOR = re.compile(r"打印|关闭|收藏|返回|纠错|保护色|色调|关怀版|无障碍|繁体|字号|字体|【大】|\[大\]|分享")

TRAILING_FRAGMENT = regex.compile(r"(?:\s*[【\[](?:打印|关闭|打印本页|关闭窗口|收藏|返回顶部)[】\]])+\s*$")


# The one kind of chrome line that runs long: a disclaimer, which says what it is first.
_LONG_CHROME = re.compile(r"[ \t]*(?:免责声明|版权声明)[ \t]*[:：]")
_MAX_TAIL = 60
_ANYWHERE = ("copyright", "ai_widget", "exit_link", "doc_site", "paywall", "template_site")
_BULLET = re.compile(r"^[•·\-*]+[ \t]*")
# Every line rule needs one of these words: a single scan rules out most content lines.
_HINT = re.compile(
    "位置|首页|今天是|浏览|热度|资料图|资料照片|配图|图片来源|图片发自|感兴趣|猜你喜欢|标签|热词|更多[ \t>»]|Tag|TAG|"
    "访问量|点击|阅读|上一|下一|分享|扫一扫|相关(?:链接|文章|阅读|信息|附件)|下载|验证码|离开|版权|Copyright|©|主办|承办|"
    "友情|解读|图解|核心提示|推荐|热门|热点|网友|本站|预览|文档|会员|本网|转载|省略|上传|侵权|欢迎|隐藏|登录|注册|刷新|"
    "本文共|范文|了解我站|"
    "技术支持|网站|ICP|公网安备|声明|AI|摘要|解析|打印|关闭|收藏|返回|纠错|保护色|色调|关怀版|无障碍|繁体|字号|字体|【大】|\\[大\\]"
)
_MAX_SPAM_LINE = 140
TITLE_SPAM_HEAD = re.compile(r"(?:[ \t]*【[^】\n]{1,6}】)+[ \t]*")
TITLE_SPAM_TAIL = regex.compile(
    r"[ \t]*(?:_|\||｜|-{1,2}|–|—{1,2})[ \t]*[^_|｜\s]{2,24}(?:网|网站|门户|政府网|官网|在线|频道|政府)[ \t]*$"
)


# A site prints the same chrome lines on every page: a scrape asks about the same few strings again and again.
@lru_cache(maxsize=4096)
def classify_line(text: str) -> str | None:
    """Name of the chrome rule a (view) line matches, or None for content."""
    stripped = text.strip()
    if not stripped:
        return None
    if len(stripped) <= 60 and _WIDGET_ROW.fullmatch(stripped) and _WIDGET_ANCHOR.search(stripped):
        return "widget_row"
    if (len(stripped) > 200 and _LONG_CHROME.match(stripped) is None) or _HINT.search(stripped) is None:
        # Chrome lines are short and name what they are; most content lines stop here.
        return None
    bare = _BULLET.sub("", stripped)  # • 当前位置： / - 今天是：
    for name, pattern in LINE_RULES:
        m = pattern.match(bare) if name not in _ANYWHERE else pattern.search(stripped)
        if m is not None:
            if name == "view_counter" and _has_metadata(stripped):
                return None  # 浏览次数： 作者：… 发布日期：… is a meta row: the header takes it, less its counters
            return name
    return None


def _has_metadata(line: str) -> bool:
    """Whether a line holds a header label that is not a counter or widget (来源, 发布日期 …)."""
    return any(without_spaces(m.group()) not in CHROME_LABELS for m in HEADER_LABEL.finditer(line))


def _title_spam(text: str, start: int, end: int) -> list[Fragment]:
    """【最新】【官方】 before a title and _某某网 after it, on a line that is a title once they are gone."""
    if not 0 < end - start <= _MAX_SPAM_LINE or (text[start] != "【" and "网" not in text[max(start, end - 4) : end]):
        return []
    head = TITLE_SPAM_HEAD.match(text, start, end)
    tail = TITLE_SPAM_TAIL.search(text, start, end)
    core_start = head.end() if head else start
    core_end = tail.start() if tail else end
    if (head is None and tail is None) or TITLE_END.search(text, core_start, core_end) is None:
        return []
    out = [Fragment(start, head.end(), "title_spam")] if head else []
    return out + ([Fragment(tail.start(), end, "title_spam")] if tail else [])


# Title spam needs 【 at the start of its line or 网 at its end.
_SPAM_HINT = "【网"


def find_chrome(table: LineTable) -> tuple[dict[int, str], dict[int, list[Fragment]]]:
    """Chrome line indices with their rule, and the chrome fragments inside content lines."""
    view_text, lines, texts = table.text, table.spans, table.texts
    whole: dict[int, str] = {}
    fragments: dict[int, list[Fragment]] = {}
    # Every line rule, widget row and trailing fragment needs a hint word: other lines are content.
    hinted = lines_matching(_HINT, view_text, table.starts)
    for i in sorted(hinted | lines_containing(_SPAM_HINT, view_text, table.starts)):
        start, end = lines[i]
        found = _title_spam(view_text, start, end)
        if i in hinted:
            text = texts[i]
            rule = classify_line(text)
            if rule is not None:
                whole[i] = rule
                continue
            tail = max(0, len(text) - _MAX_TAIL)  # the fragment sits at the end; never scan a long line for it
            m = TRAILING_FRAGMENT.search(text, tail)
            if m is not None and m.start() > 0:
                found.append(Fragment(start + m.start(), end, "print_close"))
        if found:
            fragments[i] = found
    lede = _lede_copy(table, whole)
    if lede is not None:
        whole[lede] = "lede_copy"
    return whole, fragments


# How far down the page its first line and the copy of it are looked for.
_LEDE_WINDOW = 16
_LEDE_SENTENCE = re.compile(r"[,，。;；]")
_LEDE_CUT = "\"'>/.…。 \t"


def _lede_copy(table: LineTable, whole: dict[int, str]) -> int | None:
    """The page's first line when it is a paragraph cut short that the next paragraph goes on from, with only
    short lines between (the page's description over its headline, meta row and story: 中新网12月16日电 … / 首页 ›
    新闻 / 标题 / 来源 / 中新网12月16日电 …): the copy above the headline is the site's, not the story's start."""
    texts = table.texts
    first = next((i for i in range(min(len(texts), _LEDE_WINDOW)) if texts[i].strip()), None)
    if first is None or first in whole:
        return None
    lede = texts[first].strip()
    if len(lede) <= PARAGRAPH or table.own_class(first) != "good":
        return None
    # Cut short where a description ends (…相關監管工">, …的通知…): a whole paragraph printed twice is a
    # repeated body, which the copies stage keeps once.
    core = lede.rstrip(_LEDE_CUT)
    if len(core) <= PARAGRAPH or _LEDE_SENTENCE.search(core) is None or TITLE_END.search(core) is not None:
        return None  # a title glued to its text (某某局 关于…的通知 / 某某局 关于…的通知 各区…) is the page's
    for j in range(first + 1, min(len(texts), first + _LEDE_WINDOW)):
        line = texts[j].strip()
        if len(line) > PARAGRAPH and table.own_class(j) == "good":
            return first if len(line) > len(core) and line.startswith(core) and line != lede else None
    return None
