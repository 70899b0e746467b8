"""Problems of a rectification report, in the layouts real reports come in.

Each problem names the rule that recognised it (``Problem.rule``):

- ``labelled_fields``: a numbered item carrying labelled fields (整改情况：, 完成情况：, 责任单位：…), a ``问题：``
  prefix or a status sentence (该问题已完成整改);
- ``problem_heading``: a heading phrased as one problem (关于签证办理滞后问题的整改情况, 针对…的问题), or one
  of sibling headings that tally findings by category with their counts (…设施问题5个。, 发现…企业1家。);
- ``problem_list``: an item under a heading or line that names the problems (存在的主要问题, 审计查出的问题,
  问题清单), the deepest items when the list is grouped by aspect, a line led by a problem's label and
  number (隐患1：, 问题二：), or an item of a bullet list joined onto one line with `` - `` whose group heading
  names the problems (…[1] 巡视反馈的主要问题 - 部分高校…不到位 [2] - …);
- ``yishi_items``: 一是 / 二是 … items that state shortcomings inside an aspect paragraph, or paragraphs
  opened by them in turn after text that says shortcomings remain (…仍然存在一些薄弱环节。);
- ``parallel_lists``: items of a problem list matched by number with the items of a later measures list;
- ``table_row``: a row of a table flattened to text (``|`` rows, or one cell per line) whose columns name
  the problem;
- ``task_notice``: a closure notice written as labelled fields (整改任务：… 完成情况：…), one problem per task.

Where a problem's own text gives no status, a group sentence after it (以上问题均已完成整改) or a later
sentence naming its number (第3项问题已整改到位) does, and ``status_span`` points there. Sections whose
heading says they hold measures, plans or suggestions (整改措施, 下一步, 建议) hold no problems.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import regex

from .markers import LineMarkers, Marker, match_marker
from .patterns import (
    BARE_STATUS,
    DECLARED_ASPECTS_PROBLEMS,
    DECLARED_PROBLEMS,
    DECLARED_STATUS,
    GROUP_STATUS,
    MEASURE_LABELS,
    NUMBER_COLUMNS,
    NUMBERED_STATUS,
    ORDINAL_NUMBER,
    PLANNED_CLAUSE,
    PROBLEM_COLUMN,
    PROBLEM_LABEL,
    PROBLEM_PREFIX,
    STATUS_CLAUSE,
    STATUS_LABELS,
    STATUS_PHRASE,
    STATUS_SENTENCE,
    STATUS_VOCAB,
    STATUS_WORDS,
    TABLE_COLUMN,
    cell_text,
    cn_to_int,
    is_cell_column_row,
    is_header_cell,
)
from .records import Problem, StatusKind, Warning
from .tree import Line, Node, Reader, enumeration, first_sentence_end

RULES = (
    "labelled_fields",
    "problem_heading",
    "problem_list",
    "yishi_items",
    "parallel_lists",
    "table_row",
    "task_notice",
)

_FIELD_BOUNDARY = "\n。;；!！?？"
# In a closing section on the problems' rectification: 该单位已按照要求及时进行了整改。
_SECTION_STATUS = re.compile(r"已[^。;,\n]{0,24}?(?:整改(?:到位|完毕|完成)?|销号)(?=[。;,\n]|$)")
_ITEM_BOUNDARY = re.compile(r"[。;；\n][ \t]*")
# What every STATUS_CLAUSE match ends with.
_STATUS_WORD = re.compile(rf"(?:{STATUS_WORDS})(?=[。;,!\n]|$)")
# A status field longer than this is a report; a status clause inside it says the status.
_LONG_STATUS = 20


def problem_fields(chunk: str) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` of the labelled fields of ``chunk`` (整改情况：…): labels found by a plain scan,
    kept when they start the chunk or a line or follow a sentence end, up to 8 spaces or tabs before
    (``start`` takes those in)."""
    out: list[tuple[int, int, str]] = []
    if ":" not in chunk and "：" not in chunk:
        return out  # every label ends with its colon
    for m in PROBLEM_LABEL.finditer(chunk):
        k = s = m.start()
        while k > 0 and s - k < 8 and chunk[k - 1] in " \t":
            k -= 1
        if k == 0 or chunk[k - 1] in _FIELD_BOUNDARY:
            out.append((k, m.end(), m[1]))
    return out


# Statuses are a small vocabulary (已完成, 正在整改, 长期坚持 …) repeated over a corpus: remember their kinds.
@functools.lru_cache(maxsize=4096)
def classify_status(status: str) -> StatusKind | None:
    for pattern, kind in STATUS_VOCAB:
        if pattern.search(status):
            return kind  # type: ignore[return-value]
    return None


# --- what a heading says ------------------------------------------------------------------------------
# Words that only say "the problems found" (查出的主要问题, 巡察反馈问题): a heading made of them and 问题
# names a list of problems, not one problem.
_GENERIC = re.compile(
    r"(?:存在|查出|发现|反馈|指出|检视|查摆|移交|交办|提出|梳理|审计|巡察|巡视|督察|督查|检查|自查|专项|"
    r"主要|具体|突出|有关|相关|各类|重点|典型|共性|个性|意见|指出的|反映|工作报告|报告|整改|后|期间|过程中|中|所|的|了|和|及|与|、|"
    r"\s)*"
)
_LIST_TAIL = re.compile(r"(?:清单|及其?|和|与|的|具体|主要|有关|处理|整改|落实|完成|进展|情况|措施|结果|意见)*[。.:;]?")
# A section of measures, plans, tasks or suggestions: its items are not problems (a problem heading in it
# needs a status or labelled fields of its own).
_PLANS_SECTION = re.compile(
    r"措施|举措|下一步|打算|计划|建议|思路|工作目标|目标任务|工作要求|整改要求|保障|部署|整治内容|整治重点|主要任务|"
    r"重点任务|工作任务|任务分工|实施步骤|方法步骤"
)
# A section that reports work done: its items are problems only by their own evidence.
_REPORT_SECTION = re.compile(
    r"成效|成果|做法|开展情况|工作情况|总体情况|基本情况|组织领导|经验|体会|长效|巩固|推进情况|落实情况|完成情况|"
    r"整改情况$"
)
# Verbs of measures: a heading that solves or tackles problems is not one.
_ACTION = re.compile(r"解决|整治|着力|聚焦|破解|化解|推动|狠抓|加强|强化|完善|深化|围绕|抓好|坚持|建立")
_LEAD = re.compile(r"(?:关于|针对|对于|对)[ \t]*")
_TAIL = re.compile(r"(?:的)?(?:整改(?:落实|完成|进展)?情况|整改)?[ \t]*[。.:;]?$")
_MAX_ASPECT = 60
_ASPECT = re.compile(r"(?:方面|方面的?问题|方面存在的问题)(?:\(\S{1,8}\))?[。.:;]?$")
# A section whose items are the measures of a problem list before it (parallel lists).
_MEASURES_SECTION = re.compile(r"措施|举措|整改情况|落实情况|整改落实|整改结果")
_PLANS = re.compile(r"下一步|打算|计划|建议|意见|思路")
# A shortcoming: words that state what is lacking or wrong. 一是 items that state problems carry them; items
# that state measures (加强…, 建立…) mostly do not.
DEFICIENCY = re.compile(
    r"不|未(?!成年)|没有|缺乏|缺少|缺失|欠|滞后|薄弱|偏|弱化|虚化|淡化|短板|差距|漏洞|隐患|超|违规|违反|违纪|过高|过低|较低|"
    r"较少|较多|闲置|拖欠|挤占|挪用|截留|虚报|套取|乱|无|松|难|慢|差|低|弱|少|落后|失|错|重复|形式主义|走过场"
)
# Items listed inside a paragraph (主要是：一是…；二是…；三、…), by marker family; the number is group "n".
_INLINE_MARKERS: tuple[tuple[str, regex.Pattern[str]], ...] = (
    ("yishi_items", regex.compile(r"(?P<n>[一二三四五六七八九十]{1,3})是")),
    ("yishi_items", regex.compile(r"其(?P<n>[一二三四五六七八九十]{1,3})[,，、:：]")),
    ("problem_list", regex.compile(r"(?P<n>[一二三四五六七八九十]{1,3})、")),
    ("problem_list", regex.compile(r"(?P<n>\d{1,2})[.、](?![\d%])")),
    ("problem_list", regex.compile(r"\((?P<n>[一二三四五六七八九十]{1,3})\)")),
    ("problem_list", regex.compile(r"\((?P<n>\d{1,2})\)")),
)
_INLINE_BOUNDARY = ":。;,! \t"
# What introduces problems in running text: a clause naming them, ending in a colon or 主要是 / 表现在.
# 原因 too: the causes a report gives for what went wrong (…仍有漏报现象，主要原因是：) are stated as shortcomings,
# when the sentence says something remains wrong, not of a success (取得成效的原因, 同比提高5个百分点，主要原因是：).
_INLINE_CUE = re.compile(r"问题|不足|短板|差距|薄弱|隐患|不到位|原因")
_SUCCESS = re.compile(r"成效|成绩|成功|经验|取得|亮点|做法")
_REMAINS = re.compile(r"仍|还有|存在|现象")
# A planned clause that tells of a past plan: dated or 原计划 before it, or what became of it after it.
_PAST_PLAN = re.compile(r"\d{4}年|原|曾|去年|上年")
_PLAN_FAILED = re.compile(r"实际|但|却|至今|尚未|仍未|未能")
_CLAUSE_MARK = re.compile("[。;；,，:：]")
_SENTENCE_STOP = re.compile("[。;]")
# An intro that says problems were found: 发现以下问题, 存在的问题主要有, 查出3个问题.
_FOUND_PROBLEMS = re.compile(r"(?:发现|发觉|存在|查出|指出)[^,。]{0,8}问题")
_SECOND_ITEM = re.compile(r"二是|其二|二、|\(二\)|\(2\)|2[.、]")
_INTRODUCER = re.compile(r":|主要|表现|如下|包括|具体有|具体是|分别是")
_INTRO_ENDS = (":", "主要有", "主要是", "表现在", "表现为", "如下", "包括", "具体有", "具体是", "分别是")
# What is done to the problems named before it (对排查出的隐患进行整改，包括：): the list is of actions.
_ACTS_ON = re.compile(r"进行了?(?:整改|治理|处理|整治)|采取")
_INLINE_NOT = re.compile(r"措施|建议|要求|意见|做法|举措|打算|计划|成效|成绩")
_INLINE_WINDOW = 80
_ORDINALS = "一二三四五六七八九十"
_MIN_FINDINGS = 3
# A heading that ends with a count of what was found (…设施问题5个。, 发现…企业1家。): a tally of findings by
# category, where the categories are the problems.
_COUNTED = re.compile(r"(?P<problem>问题)?(?:\d{1,4}|[一二三四五六七八九十两]{1,3})(?:个|家|处|起|宗|项)$")
_COUNT_UNITS = "个家处起宗项"
_MIN_TALLY = 3
# A bullet list flattened onto one line: items joined by " - ", each group's heading the short tail of the
# item before it, after a space and a citation mark (…深层次问题 [1] 巡视反馈的主要问题 - 部分高校…).
_DASH = " - "
_MIN_DASHES = 3
_MIN_DASH_LINE = 100
_HEADING_STOP = re.compile(r"[。;,!?:，；：！？]")
# A line led by a problem's label and its number: 隐患1：, 问题二：, 反馈问题3:.
_ITEM_LABEL = re.compile(
    r"[ \t]*(?:反馈|存在|发现)?(?:问题|隐患)[ \t]*(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})[ \t]*[:：][ \t]*"
)
_REPORT_INTRO = re.compile(r"(?:整改|落实|进展|完成|工作|处理)情况|报告|公示|公布|通报|通告|通知|决定")
# A line that introduces a list of problems without a marker of its own (存在的主要问题：, 问题清单).
_MAX_LIST_LINE = 30
# A lead line that states the status of the list after it is short (目前，取得阶段性成果的项目有：).
_MAX_LEAD = 40
_ANY_STATUS = re.compile(STATUS_WORDS)
# A status word that ends an item's text.
_TAIL_STATUS = re.compile(rf"(?:{STATUS_WORDS})(?=[。;,!\s]*$)")
# A closure notice's task label, and the number it gives the task (第11项, 序号14, 编号364).
# What a closure notice calls its task, as a label (整改任务：) or as a field heading (一、整改任务).
_TASK_WORDS = "整改任务|任务名称|问题描述|反馈问题|交办问题|存在问题|问题内容|具体问题"
_TASK_LABEL = re.compile(rf"(?:{_TASK_WORDS}|督察问题|问题名称|问题)(?:编号|序号)?[ \t]*(?P<n>\d{{1,5}})?[ \t]*[:：]")
_TASK_NUMBER = re.compile(r"第[ \t]*(?P<n>\d{1,4})[ \t]*项|(?:序号|编号)[ \t]*[:：]?[ \t]*(?P<n2>\d{1,5})")
_FIELD_HEADING = re.compile(
    rf"(?:{_TASK_WORDS}|整改目标|整改时限|完成时限|责任单位|"
    r"责任领导|责任人|牵头单位|整改措施|整改情况|完成情况|整改完成情况|整改结果|验收情况|销号情况|整改成效|督察问题|"
    r"整改问题|整改实施主体|实施主体|重点措施|目标任务|整改要求)"
    r"[。.:;]?"
)
_TASK_TITLE_FIELDS = frozenset(
    {
        *("整改任务", "任务名称", "问题描述", "反馈问题", "交办问题"),
        *("存在问题", "问题内容", "具体问题", "督察问题", "整改问题"),
    }
)
_STATUS_FIELDS = frozenset({*STATUS_LABELS, "验收情况", "销号情况"})
# A table column that holds the status (a header cell, not a field label).
_STATUS_COLUMNS = _STATUS_FIELDS | {"整改进展", "进展情况", "办理情况", "检查结果"}
_NO_PROBLEM = frozenset({"无", "无问题", "/", "-", "—", "暂无"})
# A cell one per line is at most this long; a longer line ends an unnumbered table.
_MAX_CELL = 200
_MAX_HEADER_LINE = 16  # a column name's line: eight characters, with spaces and bars around
_PROBLEM_CELL_LINE = re.compile(rf"^[ \t|]*(?:{PROBLEM_COLUMN.pattern})[ \t|]*$", re.MULTILINE)
_DONE_ACCOUNT = re.compile(
    r"[ \t]*(?:已经?|均已)(?!启动|开始|着手|部署|安排|制定|成立|列入|纳入)[^，,。；;\n]{1,24}[。.]?[ \t]*"
)


# Headings and list intros are short strings a corpus repeats (下一步工作打算, 存在的主要问题): remember them.
@functools.lru_cache(maxsize=8192)
def heading_kind(heading: str) -> str:
    """What a heading (view text, marker excluded) says: ``list`` (names the problems found), ``problem``
    (phrased as one problem), ``plans`` (measures, plans, tasks), ``report`` (work done), ``aspect`` or
    ``plain``."""
    h = heading.strip()
    lead = _LEAD.match(h)
    body = h[lead.end() :] if lead else h
    at = body.find("问题")
    if at != -1:
        before = body[:at]
        after = body[at + 2 :]
        generic = _GENERIC.fullmatch(before) is not None
        if generic and _LIST_TAIL.fullmatch(after):
            return "list"
        # Phrased as a problem: it ends with 问题 (or 问题的整改情况), and does not say what is done about it
        # (着力解决突出问题, 针对问题召开会议).
        if (
            not generic
            and len(before.strip(" \t“”\"'《》")) >= 2
            and len(h) <= 80
            and _TAIL.fullmatch(after)
            and _ACTION.search(before) is None
        ):
            return "aspect" if _ASPECT.search(h) else "problem"
    if len(h) <= _MAX_ASPECT and _ASPECT.search(h):
        return "aspect"  # a long sentence that ends …等方面的问题 is a paragraph cut at an inline marker
    deficient = DEFICIENCY.search(body) is not None
    if not deficient and _PLANS_SECTION.search(h):
        return "plans"
    if not deficient and _REPORT_SECTION.search(h):
        return "report"
    if lead is not None and _TAIL.search(h) and deficient:
        return "problem"
    return "plain"


def names_problems(text: str, node: Node) -> bool:
    """Whether a heading names the problems found (存在的主要问题, 审计查出的问题及整改情况)."""
    return heading_kind(text[node.heading[0] : node.heading[1]]) == "list"


@dataclass(slots=True)
class Found:
    """A problem being built; spans and text are view ranges until the record is made."""

    rule: str
    number: int
    aspect: Line | None
    start: int  # the marker's start (or the item's)
    body: int  # where the problem's text starts, after its marker
    end: int
    heading_title: bool = False  # the title is a heading: strip 关于 … 的整改情况
    clause_title: bool = False  # an item in running text: its title ends at its first clause stop (；)
    cells: dict[str, Line] | None = None  # table_row: the row's other cells by column name
    sections: list[Node] | None = None  # task_notice written as field sections: those sections
    measures: Line | None = None  # parallel_lists: the item of the measures list with the same number


class ProblemFinder:
    """Finds the problems of one body copy (see the module docstring for the rules)."""

    def __init__(
        self,
        reader: Reader,
        lines: Sequence[Line],
        warnings: list[Warning],
        markers: LineMarkers,
        body_end: int | None = None,
        roots: list[Node] | None = None,
    ) -> None:
        self.r = reader
        self.markers = markers  # the heading tree's own marker cache: the lines asked about are its lines
        self.text = reader.text
        self.lines = lines
        self.warnings = warnings
        self._starts = [s for s, _ in lines]
        # Where the text ends before its sign-off (the lines the structure stage took as its closing).
        self.body_end = body_end if body_end is not None else (lines[-1][1] if lines else 0)
        self._roots: list[Node] = roots if roots is not None else []
        self._fields: dict[Line, list[tuple[int, int, str]]] = {}
        self._stated: list[Line] | None = None
        self._later = True  # statuses given after the problems are read (see ``_later_statuses``)

    def _fields_of(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """``problem_fields`` of ``text[start:end]``, remembered: finding a problem and reading it ask about
        the same text."""
        key = (start, end)
        found = self._fields.get(key)
        if found is None:
            found = self._fields[key] = problem_fields(self.text[start:end])
        return found

    # -- driver ---------------------------------------------------------------------------------------
    def find(self) -> list[Problem]:
        """The problems the rules find (``candidates``), as records."""
        return self.records(self.candidates())

    def candidates(self) -> list[Found]:
        """The problems the rules find in the heading tree and the lines, before their records are made."""
        roots = self._roots
        found: list[Found] = []
        measures_of: dict[int, Line] = {}  # parallel lists: problem index -> its measures item
        tables = self._tables()
        fielded = self._field_tasks(roots)
        if fielded:
            self._later = False  # a closure notice's fields say each task's state: nothing after them does
            return fielded
        self._visit(roots, None, None, found, measures_of)
        if tables:
            covered = [(t.start, t.end) for t in tables]
            found = [f for f in found if not any(s <= f.start < e for s, e in covered)] + tables
            found.sort(key=lambda f: f.start)
        if not found:
            # Lists in running text count only on a page whose headings hold none: beside a heading tree of
            # problems, an inline list is the intro's summary of them.
            found = (
                self._inline()
                or self._yishi_lines()
                or self._labelled_items()
                or self._dash_items()
                or self._tasks(roots)
            )
        for f in found:
            f.measures = measures_of.get(id(f))
        return found

    def records(self, found: list[Found]) -> list[Problem]:
        """The records of problems found (by the rules or the model), with the statuses given after them."""
        problems = [self._record(f, f.measures) for f in found]
        return self._later_statuses(found, problems) if self._later else problems

    def learned(self, number: int, aspect: Line | None, start: int, body: int, end: int, inline: bool) -> Found:
        """A problem the line-role model found where no rule did (``roles.decide``)."""
        return Found("learned", number, aspect, start, body, end, clause_title=inline)

    # -- the heading tree -----------------------------------------------------------------------------
    def _line_kind(self, pos: int) -> str | None:
        """``list`` / ``plans`` / ``measures`` / ``report`` when the unmarked line before ``pos`` introduces problems,
        plans or the measures of the problems before it."""
        k = bisect.bisect_left(self._starts, pos)
        if k == 0:
            return None
        s, e = self.lines[k - 1]
        # Only a short heading-like line or one ending in a colon (…问题如下：) introduces a list.
        if e - s > _MAX_LIST_LINE and not self.text.endswith(_INTRO_ENDS, s, e):
            return None
        if PROBLEM_LABEL.match(self.text, s, e) is not None:
            return None  # a labelled field (整改措施：…) does not introduce a list
        line = self.text[s:e]
        stripped = line.rstrip(":：。 \t")
        if len(line) > _MAX_LIST_LINE or _CLAUSE_MARK.search(stripped) is not None:
            # A sentence introduces problems when it names them before its colon, or a report on them.
            if introduces_problems(line):
                return "list"
            return "report" if introduces_report(line) else None
        if self.markers.at(s, e) is not None:
            return None
        kind = heading_kind(stripped)
        if kind == "plans" and _MEASURES_SECTION.search(stripped) and not _PLANS.search(stripped):
            return "measures"  # 具体整改措施： its items may pair with the problems by number
        if kind in ("list", "plans"):
            return kind
        # A short sentence that names the problems found before its colon (也发现以下细节问题亟需整改：).
        return "list" if introduces_problems(line) else None

    def _heading(self, node: Node) -> str:
        return self.text[node.heading[0] : node.heading[1]]

    def _visit(
        self,
        nodes: list[Node],
        parent: Node | None,
        ctx: str | None,
        out: list[Found],
        measures_of: dict[int, Line],
    ) -> None:
        """Walk siblings; ``ctx`` is ``list`` under a heading naming problems, ``plans`` under measures."""
        sib_ctx = ctx
        lists: list[tuple[Node, list[Found]]] = []  # problem lists among these siblings, for parallel lists
        opened = -1  # where in ``out`` the list an unmarked line opened starts
        pairs_measures = False  # an unmarked line opened the measures of a problem list
        tally: set[int] | None = None  # the siblings that tally findings, worked out when one may
        for node in nodes:
            line_kind = self._line_kind(node.marker[0])
            if line_kind == "report":
                # 现将整改情况报告如下： after a list of problems an unmarked line opened: the items after it
                # are those problems' rectification, matched by number (parallel lists).
                line_kind = "measures" if sib_ctx == "list" and opened >= 0 else None
            if line_kind is not None and sib_ctx == "list" and opened >= 0:
                lists.append((node, out[opened:]))  # the next unmarked line closes it
                opened = -1
            if line_kind == "list":
                opened = len(out)
            if line_kind is not None:
                pairs_measures = line_kind == "measures"
                sib_ctx = "plans" if pairs_measures else line_kind
            elif node.number == 1 and ctx != sib_ctx:
                sib_ctx = ctx  # a list restarting at 1 leaves the context an unmarked line opened
            kind = heading_kind(self._heading(node))
            if kind == "list":
                before = len(out)
                self._yishi(node, node, out)
                self._visit(node.children, node, "list", out, measures_of)
                lists.append((node, out[before:]))
                continue
            if kind == "plans" and line_kind != "list":
                if opened >= 0:
                    lists.append((node, out[opened:]))
                    opened = -1
                sib_ctx = ctx if ctx != "list" else None  # measures or plans end a list an unmarked line opened
            if kind == "plans" or sib_ctx == "plans":
                if kind == "plans":
                    self._match_parallel(node, lists, measures_of)
                elif pairs_measures and sib_ctx == "plans":
                    self._match_parallel(node, lists, measures_of, single=True)
                before = len(out)
                self._visit(node.children, node, "plans", out, measures_of)
                if len(out) == before and kind != "plans":
                    problem = self._node_problem(node, parent, "plans", kind)
                    if problem is not None:
                        out.append(problem)
                continue
            before = len(out)
            own_short = node.own_end - node.text_start <= 60
            if kind == "aspect":
                child_ctx: str | None = sib_ctx or "aspect"
            else:
                child_ctx = sib_ctx if sib_ctx == "list" and own_short else None
            self._visit(node.children, node, child_ctx, out, measures_of)
            if child_ctx == "list" and self._findings_not_shortcomings(out[before:]):
                del out[before:]  # (一)社区居委会 1.显著位置设置宣传广告 2.…: what was found in order
                continue
            if len(out) > before:
                continue  # an aspect holding problems is not itself a problem
            # 一是 … items are the problems of an aspect; under a heading that states a problem, its details.
            grouping = kind == "aspect" or (sib_ctx == "list" and not DEFICIENCY.search(self._heading(node)))
            if grouping and self._yishi(node, node, out):
                continue
            if self._ends_with_count(node) != -1 and tally is None:
                tally = self._tally(nodes)  # only once a heading ends with a count: most siblings never do
            if tally is not None and id(node) in tally:
                aspect = parent.heading if parent is not None else None
                out.append(Found("problem_heading", node.number, aspect, node.marker[0], node.marker[1], node.end))
                continue
            problem = self._node_problem(node, parent, sib_ctx, kind)
            if problem is not None:
                out.append(problem)

    def _tally(self, nodes: list[Node]) -> set[int]:
        """Ids of the sibling headings that tally findings by category (二、…设施问题5个。三、…问题4个。): three or
        more, at least half the siblings, end with a count, and two of them count 问题. A count of progress
        (已完成整改问题30个, 正在整改问题6个) is not a category of findings."""
        if len(nodes) < _MIN_TALLY:
            return set()
        counted: list[Node] = []
        problems = 0
        for node in nodes:
            end = self._ends_with_count(node)
            if end != -1 and (m := _COUNTED.search(self.text, node.heading[0], end)) is not None:
                if classify_status(self.text[node.heading[0] : end]) is not None:
                    return set()
                counted.append(node)
                problems += m["problem"] is not None
        if len(counted) < _MIN_TALLY or len(counted) * 2 < len(nodes) or problems < 2:
            return set()
        return {id(node) for node in counted}

    def _ends_with_count(self, node: Node) -> int:
        """The end of the heading before its final 。 when its last character is a count's unit (个, 家 …), else -1:
        the plain test that spares most headings the count's scan."""
        text = self.text
        start, end = node.heading
        while end > start and text[end - 1] in "。.":
            end -= 1
        return end if end > start and text[end - 1] in _COUNT_UNITS else -1

    def _findings_not_shortcomings(self, group: list[Found]) -> bool:
        """Whether a group of three or more list items found under a checked unit, none of them stating a
        shortcoming, reports what was in order rather than problems."""
        text = self.text
        if len(group) < _MIN_FINDINGS or any(f.rule != "problem_list" for f in group):
            return False
        firsts = [text[f.body : _clause_end(text, f.body, f.end)] for f in group]
        return not any(DEFICIENCY.search(first) for first in firsts)

    def _node_problem(self, node: Node, parent: Node | None, ctx: str | None, kind: str) -> Found | None:
        if kind == "report":
            return None  # 整改完成情况 holds statuses of the problems, it is not one
        start, end = node.marker[1], node.end
        if ctx == "plans" and not (
            self._evidence(node, strong=True) or (kind == "problem" and self._status_in(start, end))
        ):
            # A plan's item (整治内容: 1.站位不高问题; 1.完善制度。责任单位：…) is a target, not a finding: under
            # measures or plans only an item with a status or its measures is a problem.
            return None
        if kind == "problem" or (kind == "aspect" and "问题" in self._heading(node)):
            rule = "problem_heading"  # 产业转型方面存在的问题, with no items under it
        elif ctx == "list" or (ctx == "aspect" and DEFICIENCY.search(self._heading(node))):
            rule = "problem_list"
        elif ctx == "plans" or self._evidence(node):  # in plans the guard above has found strong evidence
            rule = "labelled_fields"
        else:
            return None  # a list item, not a problem: no labelled field, no 问题： prefix, no status sentence
        aspect = parent.heading if parent is not None else None
        return Found(rule, node.number, aspect, node.marker[0], start, end, heading_title=rule == "problem_heading")

    def _evidence(self, node: Node, *, strong: bool = False) -> bool:
        """Labelled fields, a 问题： prefix or a status sentence in the node's own text; ``strong``: of the
        fields only a status or measures field (整改进度, 完成情况, 整改措施) counts, not 责任单位 or 时限."""
        text = self.text
        start, own_end = node.marker[1], node.own_end
        fields = self._fields_of(start, own_end)
        if strong:
            fields = [f for f in fields if f[2] in STATUS_LABELS or f[2] in MEASURE_LABELS]
        return (
            bool(fields)
            or PROBLEM_PREFIX.match(text, start, own_end) is not None
            or STATUS_SENTENCE.search(text, start, own_end) is not None
        )

    def _yishi(self, node: Node, aspect: Node | None, out: list[Found]) -> bool:
        """一是 / 二是 … items of ``node``'s own text that state shortcomings become problems."""
        text = self.text
        start, end = node.text_start, node.own_end
        if text.find("一是", start, end) == -1 or self._fields_of(start, end):
            return False
        marks = enumeration(text, start, end, kinds="是")
        # One 一是 is an item only where it opens the paragraph (一是城乡教师交流推进缓慢。…).
        if not marks or (len(marks) == 1 and text[start : marks[0][0]].strip(" \t\n。.:")):
            return False
        items = [(me, marks[k + 1][0] if k + 1 < len(marks) else end) for k, (_, me) in enumerate(marks)]
        firsts = []
        for s, e in items:
            stop = first_sentence_end(text, s, e)
            firsts.append(text[s : stop if stop != -1 else e])
        if not _mostly_shortcomings(firsts):
            return False  # mostly measures or achievements, not shortcomings
        heading = aspect.heading if aspect is not None else None
        for k, ((ms, _), (s, e)) in enumerate(zip(marks, items, strict=True)):
            out.append(Found("yishi_items", k + 1, heading, ms, s, e))
        return True

    def _match_parallel(
        self, node: Node, lists: list[tuple[Node, list[Found]]], measures_of: dict[int, Line], single: bool = False
    ) -> None:
        """A measures section after a problem list: its items, matched by number, are the problems' measures."""
        heading = self._heading(node)
        if not lists or (not single and (_MEASURES_SECTION.search(heading) is None or _PLANS.search(heading))):
            return
        problems = lists[-1][1]
        items = [node] if single else node.children
        by_number = {p.number: p for p in problems}
        for item in items:
            p = by_number.get(item.number)
            if p is not None and id(p) not in measures_of and p.rule == "problem_list":
                measures_of[id(p)] = (item.marker[1], item.end)
                p.rule = "parallel_lists"

    # -- lists inside paragraphs --------------------------------------------------------------------------
    def _inline(self) -> list[Found]:
        """Problems listed inside a paragraph after a clause that names them (发现的问题主要是：一是…；二是…)."""
        text = self.text
        added: list[Found] = []
        for k, (s, e) in enumerate(self.lines):
            if e - s < 20 or _SECOND_ITEM.search(text, s, e) is None:
                continue  # a list in running text has a second item
            # The list needs a clause naming problems and an introducer, on its line or the line before.
            lo = self.lines[k - 1][0] if k else s
            if _INLINE_CUE.search(text, lo, e) is None or _INTRODUCER.search(text, lo, e) is None:
                continue
            for rule, pattern in _INLINE_MARKERS:
                items = self._inline_items(pattern, k, s, e)
                if items:
                    added.extend(Found(rule, n, None, ms, me, ie, clause_title=True) for n, ms, me, ie in items)
                    break
        return added

    def _labelled_items(self) -> list[Found]:
        """Lines led by a problem's label and number (隐患1：…, 问题二：…), numbered in turn from 1: each
        is a problem, running to the next (its 整改措施： lines are its fields)."""
        text = self.text
        lines = self.lines
        heads = [(k, m) for k, (s, e) in enumerate(lines) if (m := _ITEM_LABEL.match(text, s, e)) is not None]
        if len(heads) < 2 or [cn_to_int(m["n"]) for _, m in heads] != list(range(1, len(heads) + 1)):
            return []
        out: list[Found] = []
        for j, (k, m) in enumerate(heads):
            end = lines[heads[j + 1][0] - 1][1] if j + 1 < len(heads) else self.body_end
            out.append(Found("problem_list", j + 1, None, lines[k][0], m.end(), end))
        return out

    def _dash_items(self) -> list[Found]:
        """Bullet lists flattened onto one line (…问题 [1] 巡视反馈的主要问题 - 部分高校…不到位 [2] - 部分高校…
        [2] 巡视整改要求 - …): the items of a group whose heading names the problems, most of them stating a
        shortcoming, are problems."""
        text = self.text
        out: list[Found] = []
        for s, e in self.lines:
            if e - s < _MIN_DASH_LINE or text.count(_DASH, s, e) < _MIN_DASHES:
                continue
            pieces: list[Line] = []
            pos = s
            while (k := text.find(_DASH, pos, e)) != -1:
                pieces.append((pos, k))
                pos = k + len(_DASH)
            pieces.append((pos, e))
            heading: Line | None = None
            items: list[Line] = []
            for k, (ps, pe) in enumerate(pieces):
                item, tail = self._dash_piece(ps, pe, first=k == 0)
                if k > 0 and item is not None:
                    items.append(item)  # the text before the first dash is a heading or an intro
                if tail is not None:
                    self._dash_group(heading, items, out)
                    heading, items = tail, []
            self._dash_group(heading, items, out)
        return out

    def _dash_piece(self, start: int, end: int, *, first: bool) -> tuple[Line | None, Line | None]:
        """The item and the heading of the next group that one piece between dashes holds: the heading is a short
        unpunctuated tail after the piece's last space (the first piece may be all heading); the item drops its
        citation marks ([2])."""
        text = self.text
        start, end = self.r.trim(start, end, " \t")
        if start >= end:
            return None, None
        heading: Line | None = None
        if first and end - start <= _MAX_LIST_LINE and _HEADING_STOP.search(text, start, end) is None:
            return None, (start, end)
        space = max(text.rfind(" ", start, end), text.rfind("\t", start, end))
        if (
            space != -1
            and 2 <= end - space - 1 <= _MAX_LIST_LINE
            and text[space + 1] != "["
            and _HEADING_STOP.search(text, space + 1, end) is None
        ):
            heading = (space + 1, end)
            end = space
        while True:  # citation marks: …不到位 [2] [3]
            start, end = self.r.trim(start, end, " \t")
            if end - start < 3 or text[end - 1] != "]":
                break
            open_at = text.rfind("[", start, end)
            if open_at == -1 or not text[open_at + 1 : end - 1].isdigit():
                break
            end = open_at
        return ((start, end) if start < end else None), heading

    def _dash_group(self, heading: Line | None, items: list[Line], out: list[Found]) -> None:
        """The items of one flattened group, when its heading names the problems."""
        text = self.text
        if heading is None or len(items) < 2 or heading_kind(text[heading[0] : heading[1]]) != "list":
            return
        if _mostly_shortcomings([text[s : _clause_end(text, s, e)] for s, e in items], half=True):
            out.extend(Found("problem_list", n, heading, s, s, e) for n, (s, e) in enumerate(items, 1))

    def _yishi_lines(self) -> list[Found]:
        """Paragraphs opened by 一是, 二是 … in turn, after text that says shortcomings follow (…仍然存在一些
        薄弱环节：), most of them stating one: each paragraph is a problem."""
        text = self.text
        lines = self.lines
        out: list[Found] = []
        k = 0
        while k < len(lines):
            j = k
            while j < len(lines) and j - k < len(_ORDINALS) and text.startswith(_ORDINALS[j - k] + "是", lines[j][0]):
                j += 1
            if j - k < 2 or not (
                k > 0
                and announces_shortcomings(
                    text[max(lines[k - 1][0], lines[k - 1][1] - _INLINE_WINDOW) : lines[k - 1][1]]
                )
            ):
                k = max(j, k + 1)
                continue
            firsts = [text[s + 2 : _clause_end(text, s + 2, e)] for s, e in lines[k:j]]
            if _mostly_shortcomings(firsts):
                out.extend(Found("yishi_items", n + 1, None, s, s + 2, e) for n, (s, e) in enumerate(lines[k:j]))
            k = j
        return out

    def _inline_items(self, pattern: regex.Pattern[str], k: int, s: int, e: int) -> list[tuple[int, int, int, int]]:
        """``(number, marker start, marker end, item end)`` of the introduced inline lists on line ``k``; a list
        introduced again (…发现以下问题：其一…其二…。关于某地发现以下问题：其一…) restarts its numbering."""
        text = self.text
        runs: list[list[tuple[int, int]]] = []
        strong: list[bool] = []  # per run: its intro says problems were found (发现以下问题：)
        marks: list[tuple[int, int]] = []
        found_problems = False
        for m in pattern.finditer(text, s, e):
            n = cn_to_int(m["n"])
            restart = n == 1 and len(marks) >= 2
            if n != len(marks) + 1 and not restart:
                if n == 1:
                    marks = []  # a new run starts: keep looking for one that is introduced
                else:
                    continue
            if m.start() > s and text[m.start() - 1] not in _INLINE_BOUNDARY:
                continue
            if n == 1:
                intro = self._intro(k, s, m.start())
                if intro is None:
                    continue
                if restart:
                    runs.append(marks)
                    strong.append(found_problems)
                marks = []
                found_problems = _FOUND_PROBLEMS.search(intro.rsplit(",", 1)[-1]) is not None
            marks.append(m.span())
        if len(marks) >= 2:
            runs.append(marks)
            strong.append(found_problems)
        items: list[tuple[int, int, int, int]] = []
        for r, run in enumerate(runs):
            bound = runs[r + 1][0][0] if r + 1 < len(runs) else e
            items.extend(self._run_items(run, bound, strong[r]))
        return items

    def _run_items(self, marks: list[tuple[int, int]], e: int, found: bool) -> list[tuple[int, int, int, int]]:
        """The items of one inline list, or none when most of them state no shortcoming (after an intro that
        says problems were found, half of them will do: 堆放施工垃圾 names none of the words)."""
        text = self.text
        semi = all(";" in text[a[1] : b[0]] for a, b in itertools.pairwise(marks))
        items = []
        for j, (ms, me) in enumerate(marks):
            ie = marks[j + 1][0] if j + 1 < len(marks) else e
            if j + 1 == len(marks) and semi:
                stop = text.find("。", me, e)
                ie = stop + 1 if stop != -1 else e
            items.append((j + 1, ms, me, ie))
        clauses = [text[me : _clause_end(text, me, ie)] for _, _, me, ie in items]
        return items if _mostly_shortcomings(clauses, half=found) else []

    def _intro(self, k: int, s: int, at: int) -> str | None:
        """The clause introducing a list that starts at ``at`` on line ``k`` (or the line before), if it
        names problems."""
        text = self.text
        if at - s < 2 and k > 0:
            ps, pe = self.lines[k - 1]
            before = text[max(ps, pe - _INLINE_WINDOW) : pe]
        else:
            before = text[max(s, at - _INLINE_WINDOW) : at]
        return before if introduces_problems(before) else None

    # -- tables flattened to text ---------------------------------------------------------------------
    def _tables(self) -> list[Found]:
        text = self.text
        out: list[Found] = []
        lo, hi = (self.lines[0][0], self.lines[-1][1]) if self.lines else (0, 0)
        # A table has cells in rows (| or tab), or one cell per line with a line that is a problem column's name:
        # most pages have neither, and the page-wide scans say so.
        rows = text.find("|", lo, hi) != -1 or text.find("\t", lo, hi) != -1
        cells = _PROBLEM_CELL_LINE.search(text, lo, hi) is not None
        if not rows and not cells:
            return out
        i = 0
        lines = self.lines
        while i < len(lines):
            s, e = lines[i]
            row = text[s:e]
            columns = _cells(self.r, s, e) if rows and ("|" in row or "\t" in row) else []
            if len(columns) > 1:
                names = [text[a:b] for a, b in columns]
                if self._is_column_row(names):
                    i = self._pipe_rows(i + 1, names, out)
                    continue
            elif cells and self._header_cell(i):
                # One cell per line (a table flattened by the page, or cells each closed by |).
                j = i
                while j < len(lines) and self._header_cell(j):
                    j += 1
                names = [self._cell_text(k) for k in range(i, j)]
                if j - i >= 3 and is_cell_column_row(names):
                    i = self._cell_rows(j, names, out)
                    continue
                i = j
                continue
            i += 1
        return out

    def _cell(self, k: int) -> Line:
        """Line ``k`` as one table cell: without the bars and spaces around it."""
        s, e = self.lines[k]
        return self.r.trim(s, e, " \t|")

    def _header_cell(self, k: int) -> bool:
        s, e = self.lines[k]
        return e - s <= _MAX_HEADER_LINE and is_header_cell(self._cell_text(k))  # most lines are longer

    def _cell_text(self, k: int) -> str:
        s, e = self.lines[k]
        return cell_text(self.text[s:e])

    @staticmethod
    def _is_column_row(names: list[str]) -> bool:
        problem = sum(1 for n in names if PROBLEM_COLUMN.fullmatch(n))
        others = sum(1 for n in names if TABLE_COLUMN.fullmatch(n))
        return problem == 1 and others >= 2

    def _pipe_rows(self, i: int, names: list[str], out: list[Found]) -> int:
        text = self.text
        while i < len(self.lines):
            s, e = self.lines[i]
            if "|" not in text[s:e] and "\t" not in text[s:e]:
                break
            cells = _cells(self.r, s, e)
            if len(cells) >= 2:
                self._row(dict(zip(names, cells, strict=False)), s, e, out)
            i += 1
        return i

    def _cell_rows(self, i: int, names: list[str], out: list[Found]) -> int:
        """Rows of ``len(names)`` cells, one per line: led by their number under a number column, else as long
        as the lines stay cells (short, no heading marker)."""
        text = self.text
        n = len(names)
        numbered = names[0] in NUMBER_COLUMNS
        while i + n <= len(self.lines):
            cells = [self._cell(k) for k in range(i, i + n)]
            if numbered and not text[cells[0][0] : cells[0][1]].isdigit():
                break
            if not numbered and any(
                e - s > _MAX_CELL or self.markers.at(*self.lines[k]) is not None
                for k, (s, e) in zip(range(i, i + n), cells, strict=True)
            ):
                break
            self._row(dict(zip(names, cells, strict=True)), self.lines[i][0], self.lines[i + n - 1][1], out)
            i += n
        return i

    def _row(self, cells: dict[str, Line], start: int, end: int, out: list[Found]) -> None:
        text = self.text
        column = next((n for n in cells if PROBLEM_COLUMN.fullmatch(n)), None)
        problem = cells[column] if column is not None else None
        if problem is None or problem[0] >= problem[1] or text[problem[0] : problem[1]].strip("。 ") in _NO_PROBLEM:
            return  # a row that found nothing (合格 / 无)
        number_cell = next((cells[n] for n in cells if n in NUMBER_COLUMNS), None)
        number = len(out) + 1
        if number_cell is not None:
            digits = text[number_cell[0] : number_cell[1]].strip()
            number = int(digits) if digits.isdigit() else number
        others = {n: c for n, c in cells.items() if n != column and n not in NUMBER_COLUMNS}
        out.append(Found("table_row", number, None, start, problem[0], problem[1], cells=others))

    # -- closure notices ------------------------------------------------------------------------------
    def _field_tasks(self, roots: list[Node]) -> list[Found]:
        """A closure notice whose top sections are its fields (一、整改问题 二、整改目标 … 六、完成情况): one
        problem, or one per item of its problem section."""
        field_roots = [n for n in roots if _FIELD_HEADING.fullmatch(self._heading(n))]
        if len(field_roots) < 3 or len(field_roots) * 2 < len(roots):
            return []
        first = field_roots[0]
        title = next((n for n in field_roots if self._heading(n).rstrip("。.:;") in _TASK_TITLE_FIELDS), None)
        if title is None:
            return []
        if title.children:
            tasks = [Found("task_notice", c.number, None, c.marker[0], c.marker[1], c.end) for c in title.children]
        else:
            number = self._task_number(first.marker[0])
            tasks = [Found("task_notice", number, None, first.marker[0], title.text_start, title.end)]
        for task in tasks:
            task.sections = [n for n in field_roots if n is not title]
        return tasks

    def _tasks(self, roots: list[Node]) -> list[Found]:
        """Tasks written as labelled lines (整改任务：… 整改目标：… 完成情况：…)."""
        text = self.text
        out: list[Found] = []
        for k, (s, e) in enumerate(self.lines):
            m = _TASK_LABEL.match(text, s, e)
            if m is None:
                continue
            if out:
                out[-1].end = self.lines[k - 1][1]
            number = int(m["n"]) if m["n"] else self._task_number(s)
            out.append(Found("task_notice", number, None, s, m.end(), self.lines[-1][1]))
        return out

    def _task_number(self, pos: int) -> int:
        """The number a notice gives its task (第11项, 序号14, 编号364) before ``pos`` or on its line."""
        text = self.text
        lo = self.lines[0][0] if self.lines else 0
        line_end = text.find("\n", pos)
        found = [m["n"] or m["n2"] for m in _TASK_NUMBER.finditer(text, lo, line_end if line_end != -1 else len(text))]
        return int(found[-1]) if found else 1

    # -- records --------------------------------------------------------------------------------------
    def _record(self, f: Found, measures_item: Line | None) -> Problem:
        r = self.r
        text = self.text
        start, end = r.trim(f.body, f.end)
        status: Line | None = None
        status_label: str | None = None  # the field the status was read from
        measures: list[Line] = []
        fields: dict[str, Line] = {}
        if f.cells is not None:  # a table row: the problem cell holds title and description
            first_label = end
            for name, cell in f.cells.items():
                if cell[0] >= cell[1]:
                    continue
                if name in _STATUS_COLUMNS or (name in MEASURE_LABELS and _is_done_account(text, *cell)):
                    if status is None:
                        status, status_label = cell, name
                elif name in MEASURE_LABELS and not measures:
                    measures = r.enumerate(*cell)
                else:
                    fields[name] = cell
        elif f.sections is not None:  # a closure notice whose sections are its fields
            first_label = end
            for node in f.sections:
                label = self._heading(node).rstrip("。.:;")
                value = r.trim(node.text_start, node.end, " \t\r\n。;；")
                m = match_marker(text, *value) if value[0] < value[1] else None
                if m is not None and not _has_next_item(text, m, value[1]):
                    value = r.trim(m.end, value[1], " \t\r\n。;；")  # a lone (一) item: its text is the value
                if value[0] >= value[1]:
                    continue
                if label in _STATUS_FIELDS:
                    if status is None:
                        status, status_label = _status_value(text, *value), label
                elif label in MEASURE_LABELS and not measures:
                    measures = r.enumerate(*value)
                else:
                    fields[label] = value
        else:
            found = self._fields_of(start, end)
            if f.rule == "task_notice":
                found = [k for k in found if k[0] > 0]  # the task's own label opened the chunk
            first_label = start + found[0][0] if found else end
            for k, (_, label_end, label) in enumerate(found):
                vs = start + label_end
                ve = start + found[k + 1][0] if k + 1 < len(found) else end
                value = r.trim(vs, ve, " \t\r\n。;；")
                if label in STATUS_LABELS or (label in MEASURE_LABELS and _is_bare_status(text, *value)):
                    if status is None:
                        status, status_label = _status_value(text, *value), label
                elif label in MEASURE_LABELS and not measures:
                    measures = r.enumerate(vs, ve)
                elif label not in fields:
                    fields[label] = value
        # Title: first sentence after an optional 问题： prefix, bounded by its line and the first label.
        prefix = PROBLEM_PREFIX.match(text, start, end)
        ts = prefix.end() if prefix else start
        line_end = text.find("\n", ts, end)
        bound = min(first_label, line_end if line_end != -1 else end)
        stop = first_sentence_end(text, ts, bound)
        title_end = stop if stop != -1 else bound
        if f.clause_title or f.rule == "yishi_items":
            title_end = _clause_end(text, ts, title_end)
        title = r.trim(ts, title_end, " \t\r\n。:;；")
        if f.heading_title:
            title = _heading_title(text, *title)
        desc = r.trim(title_end + (1 if stop != -1 else 0), max(first_label, title_end), " \t\r\n")
        if measures_item is not None:
            measures = r.enumerate(*measures_item)
        if status is None:
            status = self._status_in(start, end)
            if status is not None and self._in_statement(*status):
                status = self._status_in(start, end, skip=self._statements())
        if status is None and measures_item is not None:
            status = self._status_in(*measures_item)
        if (
            f.rule == "task_notice"
            and status is not None
            and self._status_in(*status) is None
            and (verdict := self._notice_status(f)) is not None
        ):
            # A closure notice whose 整改完成情况 is an account of the work (1.已完成该处池塘…清理工作) with no status
            # phrase of its own: its verdict before the fields (问题已整改完成，并通过核查验收) is the status, and the
            # account is kept as a field.
            if status_label is not None:
                fields.setdefault(status_label, status)
            status = verdict
        if status is not None and status[1] - status[0] > _LONG_STATUS:
            status = self._status_in(*status) or status  # 完成情况：我县根据…进行管理。该问题已完成整改
        if status is not None and classify_status(text[status[0] : status[1]]) is None:
            # A status field that describes the result (经核查，河段水面无垃圾): a status clause inside it says more
            # (a closure notice's verdict has replaced such a field above).
            status = self._status_in(*status) or status
        if status is None:
            status = self._notice_status(f)
        if status is None and (tail := _TAIL_STATUS.search(text, ts, title[1] + 1)) is not None and tail.start() > ts:
            # (3)全民阅读活动正在整改； a one-sentence item that ends with its status, no stop before it (a status
            # word ending a longer account, 确保…全部整改到位, is a promise).
            status = tail.span()
            title = r.trim(title[0], tail.start(), " \t\r\n。:;；,")
        if status is None and (planned := self._planned(title[1], end)) is not None:
            status = planned  # 学校拟对内墙进行全面修复: only planned; 将于近日安装到位: about to be done
        return self._make(f, title, desc, status, measures, fields)

    def _make(
        self,
        f: Found,
        title: Line,
        desc: Line,
        status: Line | None,
        measures: list[Line],
        fields: dict[str, Line],
    ) -> Problem:
        r = self.r
        status_text = r.raw(*status) if status is not None else None
        # Classified on the view, where traditional forms (已經整改) read as simplified ones.
        kind = classify_status(self.text[status[0] : status[1]]) if status is not None else None
        if kind is None and status is not None and _is_done_account(self.text, *status):
            kind = "completed"
        if status is not None and kind is None:
            self.warnings.append(
                Warning(
                    "ambiguous_status",
                    f"problem {f.number}: status {status_text!r} does not say whether work started",
                    r.span(*status),
                )
            )
        return Problem(
            number=f.number,
            rule=f.rule,
            aspect=r.raw(*f.aspect) if f.aspect is not None else None,
            title=r.raw(*title),
            description=r.raw(*desc),
            status=status_text,
            status_kind=kind,
            measures=[r.raw(*m) for m in measures],
            fields={label: r.raw(*v) for label, v in fields.items()},
            span=r.span(f.start, f.end),
            title_span=r.span(*title),
            status_span=r.span(*status) if status is not None else None,
            measure_spans=[r.span(*m) for m in measures],
            field_spans={label: r.span(*v) for label, v in fields.items()},
        )

    def _notice_status(self, f: Found) -> Line | None:
        """A closure notice often says its state once, before the fields: 问题已整改完成，并通过核查验收。"""
        if f.rule != "task_notice" or not self.lines:
            return None
        lo = self.lines[0][0]
        if (found := self._status_in(lo, f.start)) is not None:
            return found
        # …督察整改任务第43项已整改完成，并通过核查验收: a status phrase that ends a clause of the lead.
        m = _STATUS_WORD.search(self.text, lo, f.start)
        return m.span() if m is not None else None

    def _status_in(self, start: int, end: int, skip: Sequence[Line] = ()) -> Line | None:
        """The status a problem's text states: its last status clause, else a status sentence; none inside
        the ``skip`` ranges."""
        text = self.text
        # The clause pattern tries every position; its status word alone is a quick test that it can match.
        if _STATUS_WORD.search(text, start, end) is not None:
            clauses = [m.span("s") for m in STATUS_CLAUSE.finditer(text, start, end)]
            if skip:
                clauses = [c for c in clauses if not _inside(c[0], skip)]
            if clauses:
                return clauses[-1]
        if not skip:
            m = STATUS_SENTENCE.search(text, start, end)
            return m.span() if m is not None else None
        return next(
            (m.span() for m in STATUS_SENTENCE.finditer(text, start, end) if not _inside(m.start(), skip)), None
        )

    def _planned(self, start: int, end: int) -> Line | None:
        """A clause after a problem's title that plans its work or says it ends soon (see ``PLANNED_CLAUSE``);
        the plain tests for 拟 / 将于 spare the scan on the many texts that name neither."""
        text = self.text
        if text.find("拟", start, end) == -1 and text.find("将于", start, end) == -1:
            return None
        for m in PLANNED_CLAUSE.finditer(text, start, end):
            stop = text.find("。", m.end(), end)
            # A plan of the past is part of what went wrong (2023年拟对5个村实施…，实际仅完成2个): not a status.
            if _PAST_PLAN.search(text, m.start(), m.start("s")) is None and (
                _PLAN_FAILED.search(text, m.end(), stop if stop != -1 else end) is None
            ):
                return m.span("s")
        return None

    def _lead_status(self, pos: int) -> Line | None:
        """The status a list's lead line states (目前，已整改到位的问题有：), the line right before ``pos``."""
        k = bisect.bisect_left(self._starts, pos)
        if k == 0:
            return None
        s, e = self.lines[k - 1]
        if e - s > _MAX_LEAD or not self.text.endswith((*_INTRO_ENDS, "有"), s, e):
            return None
        m = _ANY_STATUS.search(self.text, s, e)  # 取得阶段性成果的…: a status word within the clause
        return m.span() if m is not None else None

    def _in_statement(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies in a sentence giving several problems' status (see ``_statements``)."""
        text = self.text
        lo = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
        hi = min((k for k in (text.find("。", end), text.find("\n", end)) if k != -1), default=len(text))
        if text.find("问题", lo, hi) == -1 and text.find("事项", lo, hi) == -1 and text.find("任务", lo, hi) == -1:
            return False  # both kinds of statement name what they are about
        return any(
            m.start() <= start < m.end()
            for pattern in (NUMBERED_STATUS, GROUP_STATUS)
            for m in pattern.finditer(text, lo, hi)
        )

    def _statements(self) -> list[Line]:
        """Where the text gives the status of several problems at once, by number or as a group (目前第一项、第二项
        问题已经整改完成; 以上问题均已完成整改): the last problem's text often runs into such a sentence, which
        ``_later_statuses`` reads for each problem it names."""
        if self._stated is None:
            lo, hi = (self.lines[0][0], self.lines[-1][1]) if self.lines else (0, 0)
            found = [m.span() for m in NUMBERED_STATUS.finditer(self.text, lo, hi)]
            self._stated = found + [m.span() for m in GROUP_STATUS.finditer(self.text, lo, hi)]
        return self._stated

    def _later_statuses(self, found: list[Found], problems: list[Problem]) -> list[Problem]:
        """Statuses given after the problems: a group sentence, or a sentence naming a problem's number."""
        if not problems or all(p.status is not None for p in problems):
            return problems
        text = self.text
        lo, hi = self.lines[0][0], self.lines[-1][1]
        given: dict[int, Line] = {}
        floor = lo
        for m in GROUP_STATUS.finditer(text, lo, hi):
            for k, f in enumerate(found):
                if floor <= f.start < m.start() and k not in given:
                    given[k] = m.span("s")
            floor = m.end()
        # 三、存在问题的处理及整改情况: a closing section on the problems' rectification speaks for all of them.
        for node in self._roots:
            if node.children or node.marker[0] < found[-1].start or heading_kind(self._heading(node)) != "list":
                continue
            said = _SECTION_STATUS.search(text, node.text_start, node.end)
            if said is not None:
                for k in range(len(found)):
                    given.setdefault(k, said.span())
        # 目前，取得阶段性成果的项目有： a lead line before a list states its items' status.
        for k, f in enumerate(found):
            lead = self._lead_status(f.start) if f.number == 1 else None
            j = k
            while lead is not None and j < len(found) and found[j].number == j - k + 1:
                given.setdefault(j, lead)
                j += 1
        by_number: dict[int, int] = {}
        for k, f in enumerate(found):
            by_number.setdefault(f.number, k)
        for stated in NUMBERED_STATUS.finditer(text, found[0].start, hi):
            numbers = [o["n"] for o in ORDINAL_NUMBER.finditer(stated["ns"])] if stated["ns"] else [stated["n2"]]
            for number in numbers:
                n = cn_to_int(number)
                at = by_number.get(n) if n is not None else None
                if at is not None and at not in given and found[at].start < stated.start():
                    given[at] = stated.span("s")
        out: list[Problem] = []
        for k, p in enumerate(problems):
            span = given.get(k)
            if p.status is not None or span is None:
                out.append(p)
                continue
            kind = classify_status(text[span[0] : span[1]])
            out.append(replace(p, status=self.r.raw(*span), status_kind=kind, status_span=self.r.span(*span)))
        return out


def _mostly_shortcomings(clauses: Sequence[str], *, half: bool = False) -> bool:
    """Whether two thirds of ``clauses`` (or half, where an intro already said problems were found) state a
    shortcoming: items that state measures or achievements mostly do not."""
    deficient = sum(1 for clause in clauses if DEFICIENCY.search(clause))
    return deficient * 2 >= len(clauses) if half else deficient * 3 >= len(clauses) * 2


def _is_done_account(text: str, start: int, end: int) -> bool:
    """A status that is a short account of work done (已更换新的防蝇帘): completed, though it names no status
    word; one that only began (已启动, 已部署) is not."""
    return _DONE_ACCOUNT.fullmatch(text, start, end) is not None


def _is_bare_status(text: str, start: int, end: int) -> bool:
    """A field value that is only a status (整改情况：已整改。), not a measure (正在修订制度)."""
    return BARE_STATUS.fullmatch(text, start, end) is not None


@functools.lru_cache(maxsize=8192)
def introduces_problems(before: str) -> bool:
    """Whether running text ending in ``before`` introduces a list of problems (存在以下问题：, 主要表现在)."""
    if not before.rstrip(" \t").endswith(_INTRO_ENDS):
        return False
    sentences = _SENTENCE_STOP.split(before.rstrip(": \t"))
    sentence = sentences[-1]
    last_clause = sentence.rsplit(",", 1)[-1]
    if len(sentence) <= 6 and len(sentences) > 1:  # …等问题。主要表现在：
        sentence = sentences[-2] + sentence
    # 现将问题整改情况报告如下： introduces a report, not problems, though it names them: the report comes after
    # the problems there, while in …整改报告…，检查中发现存在以下问题： the problems come last.
    cues = list(_INLINE_CUE.finditer(sentence))
    if (
        cues
        and all(c.group() == "原因" for c in cues)
        and (_SUCCESS.search(sentence) is not None or _REMAINS.search(sentence, 0, cues[0].start()) is None)
    ):
        return False
    return (
        bool(cues)
        and _INLINE_NOT.search(last_clause) is None
        and _REPORT_INTRO.search(sentence, cues[-1].end()) is None
        and _ACTS_ON.search(sentence, cues[-1].end()) is None
    )


def announces_shortcomings(before: str) -> bool:
    """Whether text ending in ``before`` says shortcomings follow: it introduces problems, or its last clause
    says they remain (…但整改工作仍然存在一些薄弱环节。) and names no measures."""
    if introduces_problems(before):
        return True
    clause = _CLAUSE_MARK.split(before.rstrip(" \t\ufffd。.:："))[-1]
    return ("存在" in clause or _INLINE_CUE.search(clause) is not None) and _INLINE_NOT.search(clause) is None


def introduces_report(before: str) -> bool:
    """Whether running text ending in ``before`` introduces a report on the rectification (现将整改情况报告如下：)."""
    if not before.rstrip(" \t").endswith(_INTRO_ENDS):
        return False
    sentence = _SENTENCE_STOP.split(before.rstrip(": \t"))[-1]
    return _REPORT_INTRO.search(sentence.rsplit(",", 1)[-1]) is not None


def _clause_end(text: str, start: int, end: int) -> int:
    """End of the first clause of ``text[start:end]``: its first 。 or ；, else ``end``."""
    stops = [i for i in (text.find("。", start, end), text.find(";", start, end)) if i != -1]
    return min(stops) if stops else end


def _inside(pos: int, ranges: Sequence[Line]) -> bool:
    return any(s <= pos < e for s, e in ranges)


def _has_next_item(text: str, first: Marker, end: int) -> bool:
    """Whether the item ``first`` opens is followed before ``end`` by the next of its list (1.…；2.…), inline or on
    a line of its own: then the marker is part of the value, not a lone item's."""
    for m in _ITEM_BOUNDARY.finditer(text, first.end, end):
        nxt = match_marker(text, m.end(), end)
        if nxt is not None and nxt.family == first.family and nxt.number == first.number + 1:
            return True
    return False


def _status_value(text: str, start: int, end: int) -> Line:
    """A status field's value up to its line end, and to its first sentence when that says the status
    (完成情况：已完成。新建管网14.6公里…)."""
    line_end = text.find("\n", start, end)
    if line_end != -1:
        end = line_end
    stop = first_sentence_end(text, start, end)
    if stop != -1 and classify_status(text[start:stop]) is not None:
        end = stop
    while end > start and text[end - 1] in " \t。;；":
        end -= 1
    return start, end


def _heading_title(text: str, start: int, end: int) -> Line:
    """A problem heading without its 关于 / 针对 lead and its 的整改情况 tail."""
    lead = _LEAD.match(text, start, end)
    if lead is not None:
        start = lead.end()
    tail = _TAIL.search(text, start, end)
    if tail is not None and tail.start() > start:
        end = tail.start()
    return start, end


def _cells(r: Reader, start: int, end: int) -> list[Line]:
    """The cells of a ``|`` (or tab) separated row, trimmed, empty edge cells dropped."""
    text = r.text
    sep = "|" if "|" in text[start:end] else "\t"
    cells: list[Line] = []
    pos = start
    while pos <= end:
        nxt = text.find(sep, pos, end)
        stop = end if nxt == -1 else nxt
        cells.append(r.trim(pos, stop, " \t"))
        if nxt == -1:
            break
        pos = nxt + 1
    while cells and cells[0][0] == cells[0][1]:
        cells.pop(0)
    while cells and cells[-1][0] == cells[-1][1]:
        cells.pop()
    return cells


def check_counts(r: Reader, lines: Sequence[Line], problems: list[Problem], roots: list[Node]) -> list[Warning]:
    """Compare totals stated in the intro (三个方面的8个问题, 已完成整改19个) with what was parsed."""
    if not lines:
        return []
    warnings: list[Warning] = []
    intro_start = lines[0][0]
    intro_end = roots[0].marker[0] if roots else lines[-1][1]
    intro = r.text[intro_start:intro_end]

    def warn(m: re.Match[str] | regex.Match[str], group: str, parsed: int, what: str) -> None:
        declared = cn_to_int(m[group])
        if declared is not None and declared != parsed:
            span = r.span(intro_start + m.start(), intro_start + m.end())
            message = f"text declares {declared} {what} ({m.group()!r}) but {parsed} were parsed"
            warnings.append(Warning("count_mismatch", message, span))

    # Each total names its unit (个方面, 问题, a status phrase): a plain test spares the scans that cannot match.
    both = DECLARED_ASPECTS_PROBLEMS.search(intro) if "个方面" in intro else None
    if both is not None:
        warn(both, "problems", len(problems), "problems")
        if problems:
            warn(both, "aspects", len({p.aspect for p in problems}), "aspects")
    elif "问题" in intro and (declared_problems := DECLARED_PROBLEMS.search(intro)) is not None:
        warn(declared_problems, "problems", len(problems), "problems")
    if not problems or STATUS_PHRASE.search(intro) is None:
        return warnings
    # Several phrases may add up to one kind (正在整改2个、基本完成1个 are both in progress).
    declared: dict[StatusKind | None, tuple[int, int, int]] = {}
    for m in DECLARED_STATUS.finditer(intro):
        phrase, number = (m["phrase"], m["n"]) if m["phrase"] else (m["phrase2"], m["n2"])
        n = cn_to_int(number)
        if n is None:
            continue
        kind = classify_status(phrase)
        total, s, _ = declared.get(kind, (0, m.start(), m.end()))
        declared[kind] = (total + n, s, m.end())
    for kind, (total, s, e) in declared.items():
        parsed = sum(1 for p in problems if p.status_kind == kind)
        if total != parsed:
            what = f"problems {kind or 'of unclear status'}"
            message = f"text declares {total} {what} ({intro[s:e]!r}) but {parsed} were parsed"
            warnings.append(Warning("count_mismatch", message, r.span(intro_start + s, intro_start + e)))
    return warnings
