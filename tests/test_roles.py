"""The learned decision (roles.py): body units, their features, the model's part in the problems, training."""

from __future__ import annotations

import hashlib
import itertools
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rectify_parse
from conftest import FIXTURES
from rectify_parse import roles
from rectify_parse.normalize import fold
from rectify_parse.problems import Found

ROOT = Path(__file__).resolve().parent.parent


def _units(text: str) -> list[tuple[str, str]]:
    """(family, text) of each unit of ``text``'s lines (text already in view form)."""
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    return [(u.family, text[u.start : u.end]) for u in roles.body_units(text, lines)]


def test_a_line_is_cut_where_items_start_inline() -> None:
    text = fold("检查发现以下问题：1.消防通道堵塞；2.灭火器过期。一是台账不全，二是制度缺失。其一，围墙开裂")
    assert _units(text) == [
        ("none", "检查发现以下问题:"),
        ("arabic_dot", "1.消防通道堵塞;"),
        ("arabic_dot", "2.灭火器过期。"),
        ("yishi", "一是台账不全,"),
        ("yishi", "二是制度缺失。"),
        ("qi", "其一,围墙开裂"),
    ]


def test_semicolon_clauses_are_units_and_so_is_the_first_after_a_colon() -> None:
    text = fold("会议指出，突出问题包括：理论学习不够深入；台账管理不规范；活动形式单一。会议要求逐项整改。")
    assert _units(text) == [
        ("none", "会议指出,突出问题包括:"),
        ("clause", "理论学习不够深入;"),
        ("clause", "台账管理不规范;"),
        ("clause", "活动形式单一。会议要求逐项整改。"),
    ]


def test_numbers_that_are_not_items_do_not_cut() -> None:
    text = fold("共投入资金1.5万元，完成率达到95%，于2023年底前完成。")
    assert [family for family, _ in _units(text)] == ["none"]


_PIECES = st.sampled_from(
    [
        "1.",
        "2、",
        "(一)",
        "一是",
        "二是",
        "其一,",
        "[1]",
        "- ",
        "第3项",
        "存在问题",
        "；",
        ";",
        "：",
        "。",
        "，",
        " ",
        "未",
        "整改",
        "x",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=12).map("".join), min_size=1, max_size=5))
def test_units_partition_every_line_in_order(lines: list[str]) -> None:
    text = "\n".join(lines)
    spans, pos = [], 0
    for line in lines:
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    units = roles.body_units(text, spans)
    for start, end in spans:
        mine = [u for u in units if start <= u.start < end or (start == end == u.start)]
        assert mine[0].start == start and mine[-1].end == end and mine[0].line_start
        for a, b in itertools.pairwise(mine):
            assert a.end == b.start and a.start < b.start and not b.line_start
        for u in mine:
            assert u.start <= u.body <= u.end


def test_features_say_what_the_rules_compute_and_a_rule_only_when_it_fired() -> None:
    text = fold("检查发现以下问题：\n1.消防通道未清理；\n2.灭火器过期未更换。")
    lines = [(0, 9), (10, 19), (20, len(text))]
    units = roles.body_units(text, lines)
    plain = roles.unit_features(text, units, "rectification")
    assert {"mk=arabic_dot", "run_intro=list", "def", "run_def=all", "num1=True"} <= set(plain[1])
    assert not any(x.startswith("rule") for xs in plain for x in xs)
    ruled = roles.unit_features(text, units, "rectification", [None, "problem_list", None])
    assert {"rule=problem_list", "rule|arabic_dot"} <= set(ruled[1])
    assert not any(x.startswith("rule") for x in ruled[2])


def test_the_model_finds_a_list_of_shortcomings_the_rules_miss() -> None:
    """Six numbered shortcomings whose introduction the scrape cut off: no rule takes them, the model does."""
    raw = (FIXTURES / "pages" / "learned_cut_intro_list.txt").read_bytes()
    with roles.using_model(None):
        assert rectify_parse.parse(raw).problems == []
    found = rectify_parse.parse(raw).problems
    assert [(p.number, p.rule) for p in found] == [(n, "learned") for n in range(1, 7)]
    assert found[1].title == "集镇农贸市场排水沟堵塞，异味严重"


def test_the_model_adds_nothing_to_a_notice_of_requirements() -> None:
    raw = (FIXTURES / "pages" / "learned_requirements_not_problems.txt").read_bytes()
    assert rectify_parse.parse(raw).problems == []


def test_the_record_names_the_models_and_they_are_loaded_once() -> None:
    models = ROOT / "src" / "rectify_parse" / "models"
    problems, lines = (
        hashlib.sha256((models / f).read_bytes()).hexdigest()[:12] for f in (roles.MODEL_FILE, roles.LINE_MODEL_FILE)
    )
    raw = (FIXTURES / "audit_rectify.txt").read_bytes()
    assert rectify_parse.parse(raw).model == roles.model_version() == f"problems-{problems} lines-{lines}"
    loaded = roles._weights.cache_info().misses
    rectify_parse.parse(raw)
    assert roles._weights.cache_info().misses == loaded
    with roles.using_model(None):
        assert rectify_parse.parse(raw).model == f"lines-{lines}"
        with roles.using_line_model(None):
            assert rectify_parse.parse(raw).model == "rules"


def test_rules_alone_give_the_rules_problems(tmp_path: Path) -> None:
    raw = (FIXTURES / "rectify_fullwidth.txt").read_bytes()
    with roles.using_model(None):
        ruled = rectify_parse.parse(raw).problems
    assert ruled and rectify_parse.parse(raw).problems == ruled  # the model keeps every rule's problem


def test_training_is_deterministic_and_the_parser_applies_crfsuites_model(tmp_path: Path) -> None:
    """Training twice (pages in any order) writes the same weights; roles.marginals on those weights gives the
    probabilities crfsuite's own tagger gives."""
    import pycrfsuite

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import train_roles

    pages = [p for p in train_roles.fixture_pages() if p.xseq]
    assert sum(p.aligned for p in pages) >= 0.95 * sum(p.labelled for p in pages)
    a, b, crf = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "a.crfsuite"
    train_roles.train(pages, a, crfsuite_copy=crf)
    train_roles.train(list(reversed(pages)), b)
    assert a.read_bytes() == b.read_bytes()
    tagger = pycrfsuite.Tagger()
    tagger.open(str(crf))
    weights = roles._weights(str(a))
    for page in pages[:20]:
        tagger.set(page.xseq)
        ours = roles.marginals(weights, page.xseq)
        theirs = [[tagger.marginal(y, t) for y in weights.labels] for t in range(len(page.xseq))]
        assert max(abs(x - y) for r, s in zip(ours, theirs, strict=True) for x, y in zip(r, s, strict=True)) < 1e-4


def test_where_the_model_adds_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model that takes every line-opening item: beside the rules' problems it adds only the units outside
    them, only at BESIDE or more, and only around an item that opens as the rules' problems do and states a
    shortcoming (the rules' problems stay as they are); where the rules found none in an inspection or
    rectification report, it decides; an ordinary notice is never given to it."""
    eager = tmp_path / "eager.json"
    eager.write_text(
        '{"labels": ["T", "M", "P"], "state": {"start=True": {"P": 20.0}},'
        ' "transition": {"T": {"T": 0, "M": 0, "P": 0}, "M": {"T": 0, "M": 0, "P": 0}, "P": {"T": 0, "M": 0, "P": 0}}}',
        encoding="utf-8",
    )
    ruled = "关于消防检查情况的通报\n一、存在的主要问题\n1.消防通道堵塞。\n2.灭火器过期未更换。\n"
    ruled += "二、下一步工作\n1.加强巡查。\n"
    shortcoming = ruled + "2.部分单位未建立消防台账，限期补齐。\n"
    plain = "关于消防检查情况的通报\n近日，县消防大队开展消防安全督查。\n1.消防通道堵塞。\n2.灭火器过期未更换。\n"
    notice = "关于做好春节假期安排的通知\n1.放假时间为2月10日至17日。\n2.各单位做好值班安排。\n"
    with roles.using_model(str(eager)):
        assert [p.rule for p in rectify_parse.parse(ruled).problems] == ["problem_list", "problem_list"]
        found = rectify_parse.parse(shortcoming).problems
        assert [(p.rule, p.title) for p in found if p.rule != "learned"] == [
            ("problem_list", "消防通道堵塞"),
            ("problem_list", "灭火器过期未更换"),
        ]
        added = [p for p in found if p.rule == "learned"]
        assert added and all(p.span[0] >= ruled.index("二、下一步工作") for p in added)  # outside the rules'
        monkeypatch.setattr(roles, "BESIDE", 1.01)  # a model never that sure adds nothing beside them
        assert [p.rule for p in rectify_parse.parse(shortcoming).problems] == ["problem_list", "problem_list"]
        assert {p.rule for p in rectify_parse.parse(plain).problems} == {"learned"}
        assert rectify_parse.parse(notice).problems == []


# Hazards per unit, each list closed by a 整改时限 field: the rules read the item before each field as the unit's
# one problem (labelled_fields) and leave the items above it.
UNITS_PAGE = (
    "某县重大火灾隐患单位公示\n为推动火灾隐患整治，现将重大火灾隐患单位公示如下：\n一、重大火灾隐患单位\n"
    "1、县城关镇综合市场\n(1)火灾自动报警系统故障，不能正常运行。\n整改时限：2024年9月30日\n"
    "2、县第二中学学生公寓\n(1)消防控制室无人值班；\n(2)室内消火栓系统无水；\n(3)疏散指示标志损坏。\n"
    "整改时限：2024年9月30日\n"
    "3、县人民医院住院楼\n(1)防火门缺失、损坏；\n(2)自动喷水灭火系统瘫痪。\n整改时限：2024年10月31日\n"
)
RULED = ["火灾自动报警系统故障，不能正常运行", "疏散指示标志损坏", "自动喷水灭火系统瘫痪"]


def test_beside_the_rules_problems_the_model_adds_the_units_it_is_sure_of(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roles, "BESIDE", 2.0)  # never: the rules' problems alone
    assert [(p.rule, p.title) for p in rectify_parse.parse(UNITS_PAGE).problems] == [
        ("labelled_fields", t) for t in RULED
    ]
    monkeypatch.undo()
    notice = rectify_parse.parse(UNITS_PAGE)
    assert [(p.rule, p.title) for p in notice.problems] == [
        ("labelled_fields", RULED[0]),
        ("learned", "消防控制室无人值班"),
        ("learned", "室内消火栓系统无水"),
        ("labelled_fields", RULED[1]),
        ("learned", "防火门缺失、损坏"),
        ("labelled_fields", RULED[2]),
    ]
    for p in notice.problems:  # each in page order, ending before the next, its span on the text it claims
        assert UNITS_PAGE[slice(*p.title_span)] == p.title
    spans = [p.span for p in notice.problems]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert notice.problems[1].fields == {}  # the field is the rules' problem's, below it
    units = rectify_parse.explain_units(UNITS_PAGE)  # the explanation says what the record holds
    assert sum(u.problem for u in units) == 6
    # A unit's items that open otherwise than the rules' problems (1、 here, the units' own marker) are not asked.
    assert not any(u.problem for u in units if u.family == "arabic_dot")


# Hazards per unit under the same label: the rules read the first unit's list, its items on their own lines
# under 隐患问题：, and none of the next units' lists, which run inline after the label.
LABELLED_UNITS_PAGE = (
    "柘湾区消防救援大队关于第三批火灾隐患单位的曝光\n发布时间：2024-11-05 来源：柘湾区消防救援大队\n"
    "为督促社会单位落实消防安全主体责任，我大队对辖区部分单位开展了消防安全检查，现将检查发现存在火灾隐患的单位曝光如下：\n"
    "01 高层住宅\n一、翠湖花园小区\n地址：滨河路88号\n隐患问题：\n1、消防控制室值班人员无证上岗；\n"
    "2、地下车库排烟风机无法启动；\n3、楼顶消防水箱缺水。\n二、锦绣家园小区\n地址：新华路16号\n"
    "隐患问题：1、疏散楼梯堆放杂物；2、室内消火栓被遮挡；3、防火门未保持常闭状态。\n"
    "02 人员密集场所\n一、好又多超市\n地址：青年路118号\n隐患问题：1、电气线路私拉乱接；2、疏散指示标志损坏。\n"
    "二、星光网吧\n地址：新城路108号\n隐患问题：1、安全出口被锁闭；2、灭火器压力不足。\n"
    "以上单位要立即整改，消除火灾隐患。\n"
)


def test_beside_the_rules_problems_the_model_reads_the_lines_under_the_same_label(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(roles, "BESIDE", 2.0)  # never: the rules' problems alone
    ruled = ["消防控制室值班人员无证上岗", "地下车库排烟风机无法启动", "楼顶消防水箱缺水"]
    assert [(p.rule, p.title) for p in rectify_parse.parse(LABELLED_UNITS_PAGE).problems] == [
        ("problem_list", t) for t in ruled
    ]
    monkeypatch.undo()
    notice = rectify_parse.parse(LABELLED_UNITS_PAGE)
    learned = ["疏散楼梯堆放杂物", "室内消火栓被遮挡", "防火门未保持常闭状态", "电气线路私拉乱接", "疏散指示标志损坏"]
    learned += ["安全出口被锁闭", "灭火器压力不足"]
    assert [(p.rule, p.title) for p in notice.problems] == [
        *(("problem_list", t) for t in ruled),
        *(("learned", t) for t in learned),
    ]
    for p in notice.problems:
        assert LABELLED_UNITS_PAGE[slice(*p.title_span)] == p.title


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n")[:-1]:
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


@pytest.mark.parametrize(("label", "asked"), [("隐患问题", [(0, 5)]), ("备注", [])])
def test_a_line_under_the_rules_problems_label_is_asked_about(label: str, asked: list[tuple[int, int]]) -> None:
    """The rules' problem sits under 隐患问题：; a later line under the same label (its list inline) is asked
    about, with the lines around it; under another label it is not (no line opens with the rules' marker)."""
    text = f"隐患问题：\n1、值班人员无证上岗；\n地址：新华路16号\n{label}：1、楼梯堆放杂物。\n说明：无\n"
    start = text.index("1、")
    ruled = roles.ruled_spans([Found("problem_list", 1, None, start, start + 2, text.index("\n地址"))])
    assert roles.sibling_windows(text, _lines(text), None, ruled) == asked
