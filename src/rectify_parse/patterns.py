"""Compiled patterns and label tables, all matched against the folded view (see normalize.py).

Every pattern here is anchored or bounded so that matching a line is linear in its length: no nested
quantifiers over the same characters, and label alternations built from literal strings.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache

import regex

# --- numbers ---------------------------------------------------------------------------------------

CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "O": 0,
    "o": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


@lru_cache(maxsize=1024)  # a handful of numerals (一 … 十二, 2019) come back on every page
def cn_to_int(text: str) -> int | None:
    """Chinese numeral (一 … 九十九, 一百零五) or ASCII digits to int; None when unreadable."""
    if text.isdigit():
        return int(text)
    if not text or len(text) > 6:
        return None
    total = 0
    current = 0
    for ch in text:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


# --- heading markers (GB/T 9704 ladder and relatives) -----------------------------------------------
# (level, rank, family, pattern); group "num" holds the number. Matched at a paragraph start. ``level`` is
# the rung on the marker's own ladder; ``rank`` orders ladders for nesting: a regulation's 章 / 节 / 条 and
# decimal numbering sit above the GB/T 9704 ladder, so a （一） inside 第三条 nests under it.
_CN = "[一二三四五六七八九十百]{1,4}"
MARKERS: tuple[tuple[int, int, str, regex.Pattern[str]], ...] = (
    (1, 1, "chapter", regex.compile(rf"第(?P<num>{_CN}|\d{{1,3}})章[ \t]*")),
    (2, 2, "part", regex.compile(rf"第(?P<num>{_CN}|\d{{1,3}})节[ \t]*")),
    (3, 3, "article", regex.compile(rf"第(?P<num>{_CN}|\d{{1,3}})条[ \t]*")),
    (1, 11, "cn_dun", regex.compile(rf"(?P<num>{_CN})[、.](?![、.])")),
    (2, 12, "cn_paren", regex.compile(rf"\((?P<num>{_CN})\)")),
    # 1. / 1、 but not 1.5万元, 2023.; a number must not run on into digits or a percent sign, unless an item
    # opens with a day or a year (1、10月9日督查发现…, 2、2023年…), which 1、2月份 (two months) does not.
    (
        3,
        13,
        "arabic_dot",
        regex.compile(r"(?P<num>\d{1,3})(?:[.、](?![\d%.])|、(?=\d{1,2}月\d{1,2}日|\d{4}年)|\.(?=\s))"),
    ),
    (4, 14, "arabic_paren", regex.compile(r"\((?P<num>\d{1,3})\)")),
    (5, 15, "circled", regex.compile(r"(?P<num>[\u2460-\u2473])")),
)
# All of them in one alternation (same order), so a paragraph start costs one match, not one per family:
# group f<i> tells the family, n<i> its number. The stdlib engine: it is asked at every line start.
ANY_MARKER = re.compile(
    "|".join(
        f"(?P<f{i}>" + pattern.pattern.replace("(?P<num>", f"(?P<n{i}>") + ")"
        for i, (_, _, _, pattern) in enumerate(MARKERS)
    )
)
# Decimal numbering (1 总则 / 1.1 目的 / 1.1.2 …), only in documents that use it on several lines.
DECIMAL_MARKER = regex.compile(
    r"(?P<all>\d{1,2}(?:[ \t]+|(?:\.\d{1,2}){1,3}(?:[ \t]+|(?=\p{Han})))(?![年月日号个万亿元项条次%]))(?=\S)"
)
DECIMAL_EVIDENCE = regex.compile(r"\d{1,2}(?:\.\d{1,2}){1,3}[ \t]{0,4}\p{Han}")
DECIMAL_RANK = 3  # decimal level k nests at rank 3 + k: under 条, above the GB/T 9704 ladder

CIRCLED_BASE = 0x2460

# --- enumerations inside paragraphs -----------------------------------------------------------------
# 一是 / 二是 … ; the sequence check in tree.enumeration keeps 统一是 or 唯一是 from counting.
ENUM_ITEM = re.compile(rf"(?P<num>{_CN})(?P<kind>是|要|方面)(?=[^\s,，、。;；:：])")

# --- header labels ----------------------------------------------------------------------------------
# label -> canonical key; None marks a label kept under ``extra`` only.
HEADER_LABELS: dict[str, str | None] = {
    "索引号": "index_no",
    "信息索引号": "index_no",
    "索取号": "index_no",
    "主题分类": "category",
    "公文目录": "category",
    "公开目录": "category",
    "组配分类": "category",
    "体裁分类": "category",
    "发布机构": "publisher",
    "发文机构": "publisher",
    "发布单位": "publisher",
    "发文单位": "publisher",
    "发文机关": "issuer",
    "来源": "source",
    "信息来源": "source",
    "文章来源": "source",
    # 来源 qualified by what came (稿件来源, 新闻来源, 本文来源) and its synonyms on a meta row (出处, 供稿); not
    # 来自, which names a poster (来自：某某) or a column (来自 某栏目 的文章) as often as a source.
    "稿件来源": "source",
    "新闻来源": "source",
    "本文来源": "source",
    "消息来源": "source",
    "稿源": "source",
    "出处": "source",
    "供稿": "source",
    "文号": "doc_number",
    "发文字号": "doc_number",
    "文件编号": "doc_number",
    "成文日期": "date_written",
    "成文时间": "date_written",
    "发文日期": "date_written",
    "生成日期": "date_written",
    "发布日期": "date_published",
    "发布时间": "date_published",
    "日期": "date_published",  # 日期：2023-05-04 来源：… on a meta row
    "发表时间": "date_published",
    "时间": "date_published",
    "公开日期": "date_published",
    "公文时效": "validity",
    "有效性": "validity",
    "时效": "validity",
    "效力状态": "validity",
    "标题": "title",
    "名称": "title",
    "文件名称": "title",
    "主题词": None,
    "公开方式": None,
    "公开范围": None,
    "归档时间": None,
    "更新日期": None,
    "内容概述": None,
    "作者": None,
    "责编": None,
    "版次": None,
    "栏目": None,
    "公开时限": None,
    "信息类别": None,
    "所属主题": None,
    "关键词": None,
    "实施日期": None,
    "废止日期": None,
    "分类": None,
    "信息分类": None,
    "公文种类": None,
    "公开类型": None,
    "上载日期": None,
    "部门": None,
}
# Labels whose value is a view counter or widget: removed as chrome wherever they sit in the header.
CHROME_LABELS = (
    "浏览次数",
    "浏览量",
    "浏览数",
    "浏览人数",
    "浏览",  # 来源：某某办公室 浏览： (a counter whose number a script fills in)
    "访问量",
    "点击数",
    "点击量",
    "点击",  # 来源：县人大 点击： (a counter whose number a script fills in, as 浏览：)
    "访问次数",
    "文字大小",
    "背景色",
    "阅读次数",
    "字号",
    "字体",
    "视力保护色",
    "色调调节",
    "字体大小",
    "字体显示",
    "编辑",
    "责任编辑",
    "审核",  # the credits under a notice: 来源 某某 / 责编 某某 / 审核 某某
    "审校",
    "校对",
    "一审",
    "二审",
    "三审",
    "阅读",
    "阅读量",
    "网站",  # 网站：某某文库 | 时间：… on a document-sharing site's meta row
    "阅读数",
    "人气",
    "分享",
)
# 公文时效 / 有效性 take a word from a closed vocabulary: nothing after it belongs to the value.
VALIDITY_VALUE = re.compile(r"[ \t]*(?:现行有效|有效|已失效|失效|已废止|废止|正常|已修改|部分失效|尚未生效|无效)")
# When several labels fill one key, the first of these wins the canonical slot; the others stay in extra.
CATEGORY_PRIMARY = "主题分类"
DATE_KEYS = frozenset({"date_written", "date_published"})
CANONICAL_KEYS = (
    "index_no",
    "category",
    "publisher",
    "issuer",
    "doc_number",
    "date_written",
    "date_published",
    "validity",
    "title",
    "source",
)


def _spaced(label: str) -> str:
    # Labels are often spread out to fill a table cell: 索 引 号, 文    号.
    return "[ \t]*".join(regex.escape(ch) for ch in label)


_ALL_LABELS = sorted([*HEADER_LABELS, *CHROME_LABELS], key=len, reverse=True)
HEADER_LABEL = re.compile("(?:" + "|".join(_spaced(lb) for lb in _ALL_LABELS) + ")")


def without_spaces(text: str) -> str:
    """``text`` without spaces and tabs: a spaced label (索 引 号) as its name, a folded value comparable."""
    return text.replace(" ", "").replace("\t", "")


# --- dates ------------------------------------------------------------------------------------------
DATE_NUMERIC = re.compile(
    r"(?P<y>\d{4})\s{0,3}[-/.年]\s{0,3}(?P<m>\d{1,2})\s{0,3}[-/.月]\s{0,3}(?P<d>\d{1,2})(?!\d)\s{0,3}日?"
)
# Day first, two digits each, dots only (18.11.2016 16:40, a portal template's date row); a year of this era, so
# that a decimal heading (1.2.3) or a version is no date.
DATE_DAY_FIRST = re.compile(r"(?<![\d.])(?P<d>\d{2})\.(?P<m>\d{2})\.(?P<y>(?:19|20)\d{2})(?![\d.年])")
_CN_YEAR = "[〇○O零一二三四五六七八九]{4}"
_CN_SMALL = "[一二三四五六七八九十〇○O]{1,3}"
DATE_CHINESE = re.compile(rf"(?P<y>{_CN_YEAR})年(?P<m>{_CN_SMALL})月(?P<d>{_CN_SMALL})日")


# A whole date value, with an optional time: the end of a header date glued to the next text. Every numeric
# form opens with two digits, written once: a search then only stops where a digit is (the day-first form's
# look-behind, first, would make it try every position).
DATE_VALUE = re.compile(
    r"(?:\d{2}(?:\d{2}\s{0,3}[-/.年]\s{0,3}\d{1,2}\s{0,3}[-/.月]\s{0,3}\d{1,2}(?!\d)\s{0,3}日?"
    r"|(?<![\d.]\d\d)\.\d{2}\.(?:19|20)\d{2}(?![\d.年]))"  # the day-first form of DATE_DAY_FIRST
    rf"|{_CN_YEAR}年{_CN_SMALL}月{_CN_SMALL}日)"
    r"(?:\s{0,3}\d{1,2}\s{0,2}:\s{0,2}\d{2}(?:\s{0,2}:\s{0,2}\d{2})?)?"
)


def _cn_year(text: str) -> int | None:
    digits = [CN_DIGITS.get(ch) for ch in text]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


def parse_date(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """Find one date in ``text`` (view form); return ``(iso, (start, end))`` or ``(None, None)``.

    A match that does not form a real calendar date returns ``(None, span)`` so the caller can warn.
    """
    m = DATE_NUMERIC.search(text)
    first = DATE_DAY_FIRST.search(text, 0, m.start() if m is not None else len(text))
    if first is not None:
        m = first
    if m is not None:
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    else:
        m = DATE_CHINESE.search(text)
        if m is None:
            return None, None
        year = _cn_year(m["y"])
        month, day = cn_to_int(m["m"].replace("〇", "零")), cn_to_int(m["d"].replace("〇", "零"))
        if year is None or month is None or day is None:
            return None, m.span()
        y, mo, d = year, month, day
    try:
        return _dt.date(y, mo, d).isoformat(), m.span()
    except ValueError:
        return None, m.span()


# --- problem fields ---------------------------------------------------------------------------------
STATUS_LABELS = ("整改进度", "整改完成情况", "完成情况", "整改结果", "整改状态", "完成进度")
MEASURE_LABELS = ("整改情况", "整改措施", "整改举措")
OTHER_PROBLEM_LABELS = (
    "整改任务",
    "整改目标",
    "责任单位",
    "责任领导",
    "责任人",
    "整改责任人",
    "牵头单位",
    "配合单位",
    "整改时限",
    "完成时限",
    "整改成效",
    "问题描述",
    "存在问题",
)
PROBLEM_LABELS = sorted({*STATUS_LABELS, *MEASURE_LABELS, *OTHER_PROBLEM_LABELS}, key=len, reverse=True)
# A labelled field: a label and its colon. It counts only at the start of a line or after a sentence end
# (problems.problem_fields checks that around each hit of this plain scan).
PROBLEM_LABEL = re.compile("(" + "|".join(PROBLEM_LABELS) + r")[ \t]{0,8}[:：]")
PROBLEM_PREFIX = re.compile(r"\s*问题[ \t]*[:：]\s*")

# Ordered: first match decides. Specific phrases come before the general words they contain
# (基本完成 before 完成), and weak ongoing words (长期坚持) last so 已完成并长期坚持 stays completed.
# 拟 before what it plans (拟对, 拟于 …; not the 拟 of 拟命名), and 将于 with a near day.
_PLANNED = "拟(?:对|于|在|将|进行|实施|开展|采取|通过|结合|安排|组织)"
_SOON = "将于(?:近日|近期|本周|本月|月底|下周)"
# When or how work was done, between 已 and its verb: 已经现场整改完毕, 已按时整改到位, 已立即整改.
_DONE_HOW = "现场|当场|按时|按期|如期|及时|立即"
STATUS_VOCAB: tuple[tuple[regex.Pattern[str], str | None], ...] = (
    (regex.compile(r"未整改到位|未全部整改"), None),  # not finished: whether work started is not said
    # An inspection's verdict alone (a table's 检查结果 cell): rectification was ordered, not yet done.
    (regex.compile(r"^(?:责令)?限期整改$"), "not_started"),
    (regex.compile(r"未启动|未开始|尚未开始|尚未启动|未整改"), "not_started"),
    (regex.compile(r"基本完成|部分整改|部分完成|正在|整改中|推进中|阶段性"), "in_progress"),
    # Work only planned (拟对…进行修复) or about to be finished (将于近日安装到位): see PLANNED_CLAUSE.
    (regex.compile("^" + _PLANNED), "not_started"),
    (regex.compile("^" + _SOON), "in_progress"),
    (regex.compile(r"未完成|尚未完成|未全部完成"), None),
    (
        regex.compile(
            r"已完成|已整改|完成整改|已办结|办结|已落实|整改完毕|已解决|已经完成|已全部完成|整改到位|立行立改|销号|完成"
            rf"|已(?:经)?(?:{_DONE_HOW})整改"
            r"|进行了整改|完成了整改"
        ),
        "completed",
    ),
    (regex.compile(r"持续推进|长期坚持|长期推进|逐步|持续整改"), "in_progress"),
)
# Evidence that a numbered item is a problem: a sentence saying the problem's state.
STATUS_SENTENCE = regex.compile(
    r"(?:该|此|本)?问题(?:已完成整改|已整改完成|已整改到位|已完成|正在整改|整改中|基本完成|已解决|尚未完成)"
)
# A status phrase, as read from a problem's text (目前已整改。/ 该问题已整改到位 / 整改结果：正在整改).
STATUS_WORDS = (
    rf"已(?:经)?(?:全部|{_DONE_HOW})?(?:完成整改|整改完成|整改到位|整改完毕|完成|整改|办结|销号|立行立改|落实|解决)"
    r"(?:并长期坚持)?"
    r"|整改到位|立行立改|完成整改|正在整改(?:中)?|整改中|持续整改|基本完成(?:整改)?|阶段性完成|部分完成|部分整改"
    r"|长期坚持|持续推进|正在推进|未完成(?:整改)?|尚未完成|未整改到位|未启动|未开始|取得阶段性(?:成果|进展|成效)"
)
# A clause that states a status: at a sentence or clause start, after at most a short lead (目前, 该问题,
# 截至2023年底); the status is group "s".
STATUS_CLAUSE = re.compile(
    r"(?:^|(?<=[。;,:!?\n]))[ \t]*(?:目前|现已|现|截至目前|截至[^。;,\n]{1,12}?[,]?)?[ \t]*"
    r"(?:[^。;,:!?\n]{0,8}?(?:问题|任务|单位|我局|我委|我们)|均|已全部)?[ \t]*(?:均|已全部)?"
    rf"[ \t]*(?P<s>{STATUS_WORDS})(?=[。;,!\n]|$)"
)
# A clause of a problem's text that plans its work (学校拟对走廊内墙进行全面修复) or says it ends soon (将于近日
# 安装到位): the status of a problem whose text states none; group "s" runs from 拟 / 将于 to the clause end.
PLANNED_CLAUSE = re.compile(
    r"(?:^|(?<=[。;,:!?\n]))[ \t]*[^。;,:!?\n]{0,10}?"
    rf"(?P<s>{_PLANNED}[^。;,:!?\n]{{2,40}}"
    rf"|{_SOON}[^。;,:!?\n]{{0,16}}?(?:完成|到位|完工|投入使用))(?=[。;,!?\n]|$)"
)
# A value that is nothing but a status: 整改情况：已整改。
BARE_STATUS = re.compile(rf"[ \t]*(?:目前|现已)?[ \t]*(?:{STATUS_WORDS})[ \t。.]*")
# 以上问题均已完成整改 / 上述5个问题已全部整改到位: one status for the problems before it.
GROUP_STATUS = re.compile(
    r"(?:以上|上述|前述)(?:[\d一二三四五六七八九十两]{1,3}(?:个|项|条|处))?(?:问题|事项|任务|整改任务|(?:火灾|安全)?隐患)"
    rf"(?:均|全部|都|已全部|均已)?(?P<s>{STATUS_WORDS})"
)
# 第3项问题已整改到位 / 问题3已整改: a later sentence giving one problem's status by its number.
_ORDINAL = r"第(?:\d{1,3}|[一二三四五六七八九十]{1,3})(?:项|个|条)"
NUMBERED_STATUS = regex.compile(
    rf"(?:(?P<ns>{_ORDINAL}(?:[、,和及与]{_ORDINAL})*)问题|问题(?P<n2>\d{{1,3}}))"
    # The status runs to its clause's end: 持续整改跟踪中, not 持续整改.
    rf"[^。;\n]{{0,20}}?(?P<s>(?:{STATUS_WORDS})[^。;,!?\n]{{0,6}})"
)
ORDINAL_NUMBER = re.compile(r"第(?P<n>\d{1,3}|[一二三四五六七八九十]{1,3})")

# --- declared counts --------------------------------------------------------------------------------
_NUM = r"(?:\d{1,4}|[一二三四五六七八九十百两]{1,5})"
DECLARED_ASPECTS_PROBLEMS = regex.compile(
    rf"(?P<aspects>{_NUM})个方面(?:的|共|存在的|共计)?(?:共)?(?P<problems>{_NUM})(?:个|项|条)(?:具体)?问题"
)
DECLARED_PROBLEMS = re.compile(
    rf"(?:反馈|指出|发现|查出|交办|梳理出?|涉及|共有?)(?:了|问题)?(?:共|共计)?(?P<problems>{_NUM})(?:个|项|条)(?:具体)?问题"
)
# 已完成整改19个 / 正在整改6个 / 3个问题已完成整改: a status phrase and its count, in either order.
_STATUS_PHRASE = (
    "已完成整改|已整改完成|已完成|已整改|完成整改|正在整改|整改中|正在推进|推进中|基本完成|部分完成|持续推进"
    "|未启动|尚未启动|未开始"
)
STATUS_PHRASE = re.compile(_STATUS_PHRASE)
DECLARED_STATUS = re.compile(
    rf"(?P<phrase>{_STATUS_PHRASE})(?:的)?(?:问题)?(?:共)?(?P<n>{_NUM})(?:个|项|条)"
    rf"|(?P<n2>{_NUM})(?:个|项|条)(?:问题)?(?P<phrase2>{_STATUS_PHRASE})"
)

# --- document parts ---------------------------------------------------------------------------------
# A document number (文号): 某政办发〔2023〕8号, 京政办发[2016]26号, 长审公告字(2023)5号.
DOC_NUMBER = r"\p{Han}{1,12}[〔\[(【]\d{4}[〕\])】]\s*\d{1,4}\s*号"
DOC_TYPE_WORDS = (
    "规范",
    "准则",
    "指南",
    "守则",
    "须知",
    "章程",
    "纲要",
    "导则",
    "通知",
    "通报",
    "报告",
    "公告",
    "公示",
    "决定",
    "意见",
    "办法",
    "方案",
    "规定",
    "细则",
    "批复",
    "函",
    "纪要",
    "情况",
    "规划",
    "计划",
    "要点",
    "总结",
    "说明",
    "条例",
    "清单",
    "决算",
    "预算",
    "通告",
    "答复",
    "复函",
    "指引",
    "制度",
    "标准",
    "材料",
    "汇报",
    "结果",
)
# A title ends with a document-type word, then maybe a draft mark, a closing 》 or a short qualifier in
# brackets (…整改情况公示(牛栏溪流域)).
# Anchored at the end: searched from the end (REVERSE), it tries a few positions, not every one.
# A label glued to its colon (公开形式:, 公示时间：…): a field's, never an issuer's name or a value.
LABEL_COLON = regex.compile(r"\p{Han}[ \t]*[:：]")
TITLE_END = regex.compile("(?:" + "|".join(DOC_TYPE_WORDS) + r")(?:\([^()\n]{1,12}\)|》)?\s*$", regex.REVERSE)
ATTACHMENT_HEAD = re.compile(r"\s*附\s*件\s*(?P<n>\d{1,2})?\s*[:：]\s*")
BARE_ATTACHMENT = re.compile(r"\s*附\s*件\s*\d{0,2}\s*[:：]?\s*")
ATTACHMENT_ITEM = re.compile(r"\s*(?P<n>\d{1,2})\s*[.、．]\s*(?=\S)")
CONTACT_PHONE = re.compile(
    r"(?:联系电话|咨询电话|联系方式|举报电话|监督电话|电话)\s*[:：]?\s*"
    r"(?P<phone>\(?0?\d{2,4}\)?[-—－ ]?\d{6,8}(?:[-—－转]\d{1,5})?|1\d{10})"
)
CONTACT_LABELS = (
    "联系人",
    "联系电话",
    "咨询电话",
    "联系方式",
    "举报电话",
    "监督电话",
    "电子邮箱",
    "邮政信箱",
    "通讯地址",
    "邮编",
)
CONTACT_LINE = re.compile(r"\s*(?:" + "|".join(CONTACT_LABELS) + r")\s*[:：]")
CLOSING_FORMULA = re.compile(r"\s*特此(?:通知|通报|公告|公示|报告|函告|批复|说明)\s*[。!！]?\s*")
# Searched along whole lines: no leading \s* (a search would retry it at every space of a long run).
# A sign-off date, also when scraping damaged it (二三年九月二十九日 lost a 〇, 20211228日 its 年 and 月): the
# sign-off is still read, and the date that cannot be read is a bad_date warning.
DATE_LINE = regex.compile(
    rf"(?:\d{{4}}[ \t]{{0,3}}年[ \t]{{0,3}}\d{{1,2}}[ \t]{{0,3}}月[ \t]{{0,3}}\d{{1,2}}[ \t]{{0,3}}日"
    rf"|[〇○O零一二三四五六七八九]{{2,4}}年{_CN_SMALL}月{_CN_SMALL}日|\d{{4}}([-./])\d{{1,2}}\1\d{{1,2}}|\d{{6,8}}日)\s*+$"
)
# The longest date DATE_LINE takes (2024 年 12 月 31 日, spaced): a date that ends a line starts this near it.
_LONGEST_DATE_LINE = 26


def date_line_search(text: str, start: int, end: int) -> regex.Match[str] | None:
    """``DATE_LINE.search(text, start, end)``, scanning only the stretch a date ending the line can take."""
    stop = end
    while stop > start and text[stop - 1].isspace():  # every character \s takes is a space to isspace
        stop -= 1
    return DATE_LINE.search(text, max(start, stop - _LONGEST_DATE_LINE), end)


PUBLIC_NOTE = re.compile(r"\s*[(（]\s*此件(?:公开发布|主动公开|不公开|依申请公开)\s*[)）]\s*$")


# --- tables flattened to text -----------------------------------------------------------------------
# Table columns: the problem's own column, and the others a problem table has.
PROBLEM_COLUMN = re.compile(
    r"(?:存在的?|主要|反馈|具体|巡察发现的?|审计发现的?)?问题(?:描述|内容|表现|名称|清单)?|整改任务|反馈意见|问题及表现"
)
TABLE_COLUMN = re.compile(
    r"序号|编号|整改措施|整改情况|责任单位|责任领导|责任人|牵头单位|整改时限|完成时限|完成情况|整改进展|整改进度|"
    r"整改结果|整改目标|整改要求|办理情况|备注|类别|问题类型|整改完成情况|完成时间|进展情况"
)
NUMBER_COLUMNS = frozenset({"序号", "编号"})
_CELL_PUNCTUATION = frozenset("。，,；;：:！!？?、")


def cell_text(line: str) -> str:
    """A line as one table cell: without the bars around it and the spaces in it (检查 结果 |)."""
    return line.strip(" \t|").replace(" ", "")


def is_header_cell(cell: str) -> bool:
    """A cell (spaces and bars gone) that may name a column: a short label, no number, no sentence stop."""
    return 2 <= len(cell) <= 8 and not cell.isdigit() and not any(ch in _CELL_PUNCTUATION for ch in cell)


def is_cell_column_row(names: list[str]) -> bool:
    """Whether cells one per line are a problem table's column row: one problem column, and a number column
    first or another known column (学校 / 具体问题 / 整改情况)."""
    problem = sum(1 for n in names if PROBLEM_COLUMN.fullmatch(n))
    known = sum(1 for n in names if TABLE_COLUMN.fullmatch(n))
    return problem == 1 and (names[0] in NUMBER_COLUMNS or known >= 1)
