"""The problem model: each layout rule on a small notice, the statuses read from elsewhere, and what is
not a problem. Whole-notice layouts live in fixtures/layouts/ (golden records with hand-written facts)."""

from __future__ import annotations

import opencc
import pytest

import rectify_parse
from conftest import FIXTURES, fixture_names
from rectify_parse.problems import RULES, classify_status
from rectify_parse.script import fold_scripts, script_of


def problems(text: str) -> list[tuple[int, str, str, str | None, str | None]]:
    return [(p.number, p.rule, p.title, p.status, p.status_kind) for p in rectify_parse.parse(text).problems]


def test_problem_headings_drop_their_lead_and_tail() -> None:
    text = (
        "关于审计发现问题整改情况的报告\n一、针对利息收入上缴不及时的问题\n整改情况：已整改。\n"
        "二、关于签证办理滞后问题的整改情况。\n目前该问题已整改到位。\n"
    )
    assert problems(text) == [
        (1, "problem_heading", "利息收入上缴不及时的问题", "已整改", "completed"),
        (2, "problem_heading", "签证办理滞后问题", "已整改到位", "completed"),
    ]


def test_a_heading_that_acts_on_problems_is_not_one() -> None:
    text = "巡察整改情况报告\n一、聚焦关键领域，着力解决突出问题\n召开会议3次。\n二、针对整改问题召开推进会议\n"
    assert problems(text) == []


def test_items_under_a_heading_naming_problems() -> None:
    text = (
        "审计整改情况公告\n一、基本情况\n单位概况。\n二、审计查出的主要问题及整改情况\n"
        "(一)预算编制不精准。年初预算与执行偏差大。\n(二)公务接待审批不严。\n三、下一步工作打算\n(一)加强预算管理。\n"
    )
    assert [(n, r, t) for n, r, t, _, _ in problems(text)] == [
        (1, "problem_list", "预算编制不精准"),
        (2, "problem_list", "公务接待审批不严"),
    ]


def test_an_unmarked_line_opens_a_problem_list_and_measures_close_it() -> None:
    text = (
        "关于安全隐患排查整改的报告\n存在的主要问题：\n1、消防通道堆放杂物。\n2、灭火器过期未换。\n"
        "具体整改措施：\n1、清理通道杂物，已完成。\n2、更换灭火器12具，正在整改。\n"
    )
    found = rectify_parse.parse(text).problems
    assert [(p.number, p.rule, p.title, p.status_kind) for p in found] == [
        (1, "parallel_lists", "消防通道堆放杂物", "completed"),
        (2, "parallel_lists", "灭火器过期未换", "in_progress"),
    ]
    assert found[0].measures == ["清理通道杂物，已完成"]


def test_yishi_items_state_the_problems_of_an_aspect() -> None:
    text = (
        "巡察整改进展情况\n一、反馈问题整改进展\n(一)责任落实方面。一是台账管理不规范。已补齐台账。目前已整改。"
        "二是会议记录不完整。正在推进。\n"
    )
    assert problems(text) == [
        (1, "yishi_items", "台账管理不规范", "已整改", "completed"),
        (2, "yishi_items", "会议记录不完整", "正在推进", "in_progress"),
    ]
    assert {p.aspect for p in rectify_parse.parse(text).problems} == {"责任落实方面"}


def test_yishi_measures_are_not_problems() -> None:
    text = "巡察整改情况\n一、整改工作开展情况\n(一)加强组织领导。一是成立领导小组。二是制定整改方案。三是建立台账。\n"
    assert problems(text) == []


def test_a_list_in_running_text_after_a_clause_naming_problems() -> None:
    text = (
        "区委巡察组反馈巡察情况\n巡察发现，该局存在一些问题，主要是：一是学习制度执行不严；二是资金管理不规范；"
        "三是干部作风不扎实。巡察组提出三点意见建议。一是加强学习；二是完善制度。\n"
    )
    assert [(n, r, t) for n, r, t, _, _ in problems(text)] == [
        (1, "yishi_items", "学习制度执行不严"),
        (2, "yishi_items", "资金管理不规范"),
        (3, "yishi_items", "干部作风不扎实"),
    ]


def test_a_list_of_what_is_done_to_the_problems_named_before_it_is_no_list_of_problems() -> None:
    # A page that lost its newlines: the headings run on inside one line, so only the intros tell the lists apart.
    found = "二、自查情况1. 本次自查共排查出以下消防安全隐患：(1)部分灭火器过期；(2)个别疏散通道堆放杂物。"
    acted = "三、整改措施1. 立即对排查出的消防安全隐患进行整改，包括：(1)更换过期的灭火器；(2)清理疏散通道。"
    text = "医院消防安全自查报告\n一、概述现将自查情况报告如下。" + found + acted + "\n"
    assert [t for _, _, t, _, _ in problems(text)] == ["部分灭火器过期", "个别疏散通道堆放杂物"]


def test_table_rows_under_a_column_row() -> None:
    text = (
        "巡察反馈问题整改清单\n序号 | 问题 | 整改措施 | 责任单位 | 完成情况 |\n"
        "1 | 食堂账目不清。 | 建立台账 | 后勤科 | 已完成 |\n2 | 车辆登记缺失。 | 补录登记 | 办公室 | 正在整改 |\n"
    )
    found = rectify_parse.parse(text).problems
    assert [(p.number, p.rule, p.title, p.status, p.status_kind) for p in found] == [
        (1, "table_row", "食堂账目不清", "已完成", "completed"),
        (2, "table_row", "车辆登记缺失", "正在整改", "in_progress"),
    ]
    assert found[1].fields == {"责任单位": "办公室"} and found[1].measures == ["补录登记"]


def test_a_closure_notice_with_labelled_task_lines() -> None:
    text = (
        "督察交办问题整改销号公示\n问题编号5：河道两岸垃圾堆放问题突出。\n责任单位：县城管局\n"
        "整改目标：清理河道垃圾。\n完成情况：已清运垃圾120吨。该问题已完成整改，具备销号条件。\n"
    )
    found = rectify_parse.parse(text).problems
    assert [(p.number, p.rule, p.title, p.status, p.status_kind) for p in found] == [
        (5, "task_notice", "河道两岸垃圾堆放问题突出", "已完成整改", "completed"),
    ]
    assert found[0].fields == {"责任单位": "县城管局", "整改目标": "清理河道垃圾"}


def test_a_group_status_covers_the_problems_before_it() -> None:
    text = "审计整改情况报告\n一、审计发现的问题\n(一)资产台账不完整。\n(二)合同到期未续签。\n以上问题均已完成整改。\n"
    found = rectify_parse.parse(text).problems
    assert [(p.status, p.status_kind) for p in found] == [("已完成整改", "completed")] * 2
    source = text
    assert all(source[p.status_span[0] : p.status_span[1]] == "已完成整改" for p in found)  # type: ignore[index]


def test_a_group_status_may_name_hazards_and_say_when_they_were_put_right() -> None:
    # 以上…隐患 groups a safety check's hazards as 以上问题 groups findings; 已经现场 / 按时 may stand between 已
    # and the verb.
    text = (
        "消防安全检查情况通报\n一、检查发现的问题\n(一)灭火器压力不足。\n(二)安全出口堵塞。\n"
        "以上火灾隐患已经现场整改完毕。\n二、下一步工作\n(一)持续开展检查。\n"
    )
    found = rectify_parse.parse(text).problems
    assert [(p.title, p.status, p.status_kind) for p in found] == [
        ("灭火器压力不足", "已经现场整改完毕", "completed"),
        ("安全出口堵塞", "已经现场整改完毕", "completed"),
    ]
    assert all(text[p.status_span[0] : p.status_span[1]] == "已经现场整改完毕" for p in found)  # type: ignore[index]
    one = "审计整改情况报告\n一、审计发现的问题\n(一)资产台账不完整，已按时整改到位。\n(二)合同到期未续签。\n"
    assert [(p.status, p.status_kind) for p in rectify_parse.parse(one).problems] == [
        ("已按时整改到位", "completed"),
        (None, None),
    ]


def test_a_status_in_the_progressive_may_end_with_zhong() -> None:
    # 正在整改中 is 正在整改 as 整改中 is: the clause's end comes after 中.
    text = "审计整改情况报告\n一、审计发现的问题\n(一)资产台账不完整，正在整改中。\n(二)合同到期未续签。\n"
    found = rectify_parse.parse(text).problems
    assert [(p.status, p.status_kind) for p in found] == [("正在整改中", "in_progress"), (None, None)]
    assert text[found[0].status_span[0] : found[0].status_span[1]] == "正在整改中"  # type: ignore[index]


def test_statuses_given_later_by_number() -> None:
    text = (
        "审计整改情况报告\n一、审计发现的问题\n(一)资产台账不完整。\n(二)合同到期未续签。\n(三)债权未清收。\n"
        "二、整改完成情况\n第一项、第三项问题已完成整改，第二项问题持续整改。\n"
    )
    assert [(p[3], p[4]) for p in problems(text)] == [
        ("已完成整改", "completed"),
        ("持续整改", "in_progress"),
        ("已完成整改", "completed"),
    ]


def test_traditional_characters_read_like_simplified_ones() -> None:
    text = "關於審計發現問題整改情況的報告\n一、關於水費收繳率偏低問題的整改情況\n整改情況:已銷號。\n"
    assert problems(text) == [(1, "problem_heading", "水費收繳率偏低問題", "已銷號", "completed")]


def test_plan_items_phrased_as_problems_are_targets() -> None:
    text = (
        "关于开展安全生产专项整治的通知\n一、整治内容\n1.政治站位不高问题。对安全生产重视不够。\n"
        "2.隐患排查不彻底问题。\n二、工作要求\n"
    )
    assert problems(text) == []


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("已整改", "completed"),
        ("整改到位", "completed"),
        ("已立行立改", "completed"),
        ("已销号", "completed"),
        ("已办结", "completed"),
        ("已立即整改", "completed"),
        ("已经现场整改完毕", "completed"),
        ("阶段性完成", "in_progress"),
        ("持续整改", "in_progress"),
        ("未完成", None),
        ("拟对围墙进行拆除重建", "not_started"),
        ("将于近日安装到位", "in_progress"),
    ],
)
def test_status_vocabulary(status: str, kind: str | None) -> None:
    assert classify_status(status) == kind


def _to_traditional(text: str) -> str:
    """The text as a mirror site prints it: OpenCC's s2t conversion (phrases included: 干部 → 幹部)."""
    return str(opencc.OpenCC("s2t").convert(text))


@pytest.mark.parametrize("name", fixture_names(FIXTURES / "layouts"))
def test_layouts_in_traditional_characters_give_the_same_problems(name: str) -> None:
    text = (FIXTURES / "layouts" / f"{name}.txt").read_text(encoding="utf-8")
    simplified = rectify_parse.parse(text).problems
    traditional = rectify_parse.parse(_to_traditional(text)).problems
    assert [(p.number, p.rule, p.status_kind, len(p.measures)) for p in traditional] == [
        (p.number, p.rule, p.status_kind, len(p.measures)) for p in simplified
    ]
    assert [fold_scripts(p.title) for p in simplified] == [fold_scripts(p.title) for p in traditional]
    assert all(script_of(p.title) != "simplified" for p in traditional if script_of(p.title))  # as written


def test_every_rule_is_documented_in_the_schema() -> None:
    from rectify_parse.schema import record_schema

    doc = str(record_schema())
    assert all(f"`{rule}`" in doc for rule in RULES)


@pytest.mark.parametrize(
    "lead",
    [
        "各地主要做法如下。",  # what was done, not what is wrong
        "下一步，要重点抓好以下工作。",  # plans
    ],
)
def test_yishi_paragraphs_after_a_lead_that_names_no_shortcomings_are_not_problems(lead: str) -> None:
    page = (
        "关于督察整改工作进展情况的通报\n各地扎实推进督察整改工作。\n"
        f"{lead}\n一是不断完善工作机制，压实整改责任。\n二是加大督查力度，对滞后任务挂牌督办。\n"
        "三是强化宣传引导，及时回应群众关切。\n"
    )
    assert rectify_parse.parse(page).problems == []


def test_items_of_a_notice_that_announces_rules_are_not_problems() -> None:
    # 隐患 in the purpose clause makes the page look like a rectification report; 通告如下 introduces rules.
    page = (
        "关于禁止燃放烟花爆竹的通告\n为减少环境污染，杜绝火灾隐患，维护公共安全，现就有关事项通告如下：\n"
        "一、下列地点禁止燃放烟花爆竹\n（一）学校、医院、养老机构；\n（二）车站、商场等人员密集场所；\n"
        "（三）加油站等易燃易爆物品储存场所。\n二、违反本通告的，由公安机关依法处理。\n"
    )
    assert rectify_parse.parse(page).problems == []


def test_a_long_paragraph_ending_in_fangmian_de_wenti_is_no_aspect_heading() -> None:
    from rectify_parse.problems import heading_kind

    assert heading_kind("党的政治建设方面存在的问题") == "aspect"
    long = (
        "被巡察党组织上轮巡察反馈意见整改落实情况，是否常态长效开展整改工作，"
        "查找被巡察党组织在组织保障、问题纠正、问责追究、建章立制等方面的问题"
    )
    assert len(long) > 60 and heading_kind(long) != "aspect"


def test_a_lead_line_gives_the_status_of_the_list_after_it() -> None:
    text = (
        "关于巡察反馈问题整改进展情况的通报\n巡察反馈问题共3项，现将整改进展通报如下。\n"
        "目前，取得阶段性成果的问题有：\n1、关于食堂就餐环境较差的问题。已更换桌椅，正在改造后厨。\n"
        "2、关于宿舍热水供应不足的问题。已完成热水器采购，待安装。\n3、关于停车位不足的问题。已规划新停车场。\n"
    )
    found = rectify_parse.parse(text).problems
    assert [(p.number, p.status, p.status_kind) for p in found] == [
        (1, "取得阶段性成果", "in_progress"),
        (2, "取得阶段性成果", "in_progress"),
        (3, "取得阶段性成果", "in_progress"),
    ]
    s, e = found[0].status_span or (0, 0)
    assert text[s:e] == "取得阶段性成果"


def test_items_that_report_what_was_in_order_are_not_problems() -> None:
    text = (
        "关于创文巩固工作实地督查情况的通报\n为巩固创建成果，市创文办对各社区进行了实地督查，共发现问题5个，突出问题如下：\n"
        "一、东湖社区\n（一）社区居委会\n该点位创建工作整体良好。\n1.显著位置设置公益宣传广告。\n"
        "2.志愿服务站工作人员穿戴志愿者服饰。\n3.家长学校、未成年人活动中心设有管理制度。\n"
        "（二）背街小巷\n1.东湖二巷门前三包责任落实不到位，杂物乱堆乱放。\n2.东湖二巷车辆乱停放现象普遍。\n"
    )
    found = rectify_parse.parse(text).problems
    assert [(p.number, p.title) for p in found] == [
        (1, "东湖二巷门前三包责任落实不到位，杂物乱堆乱放"),
        (2, "东湖二巷车辆乱停放现象普遍"),
    ]


def test_planned_work_is_the_status_of_a_problem_that_states_none() -> None:
    text = (
        "某校安全隐患整改报告\n现将整改情况报告如下：\n隐患1：食堂排烟管道油污较重。\n"
        "整改措施：学校拟对排烟管道进行专业清洗，申请将于近日报送。\n隐患2：门卫室监控黑屏。\n"
        "整改措施：已联系维修单位，新硬盘将于近日安装到位。\n隐患3：车棚顶棚破损。\n"
        "整改措施：总务处拟命名的维修队伍有异议的可反映。\n"
    )
    assert problems(text) == [
        (1, "problem_list", "食堂排烟管道油污较重", "拟对排烟管道进行专业清洗", "not_started"),
        (2, "problem_list", "门卫室监控黑屏", "将于近日安装到位", "in_progress"),
        (3, "problem_list", "车棚顶棚破损", None, None),  # 拟命名 (the proposed naming): no plan
    ]


def test_sibling_headings_that_tally_problems_by_category_are_problems() -> None:
    text = (
        "关于道路扬尘督查情况的通报\n督查组共发现问题9个。\n一、渣土车未密闭运输问题4个。\n其中城东2个。\n"
        "二、工地未设置冲洗平台问题3个。\n三、发现违规夜间施工工地2处。\n"
    )
    assert [(n, r, t) for n, r, t, _, _ in problems(text)] == [
        (1, "problem_heading", "渣土车未密闭运输问题4个"),
        (2, "problem_heading", "工地未设置冲洗平台问题3个"),
        (3, "problem_heading", "发现违规夜间施工工地2处"),
    ]


def test_a_plan_of_the_past_in_a_problem_is_not_its_status() -> None:
    text = (
        "关于巡察反馈问题整改情况的报告\n一、存在的主要问题\n"
        "(一)资金拨付滞后。2023年拟对5个村实施道路改造,实际仅完成2个。\n"
        "(二)项目推进缓慢。拟对3个项目进行招标,但资金至今未落实。\n(三)财务报销审核不严。\n"
    )
    assert [(t, s) for _, _, t, s, _ in problems(text)] == [
        ("资金拨付滞后", None),
        ("项目推进缓慢", None),
        ("财务报销审核不严", None),
    ]


@pytest.mark.parametrize(
    "headings",
    [
        "一、督察反馈问题36个。\n二、已完成整改问题30个。\n三、正在整改问题6个。\n",  # counts of progress
        "一、渣土车未密闭运输问题4个。\n二、新开工项目5个。\n三、竣工项目2个。\n",  # one count of 问题
    ],
)
def test_headings_that_count_other_things_are_no_tally(headings: str) -> None:
    assert problems("关于道路扬尘督查情况的通报\n督查组开展了督查。\n" + headings) == []


def test_two_headings_that_each_state_a_shortcoming_found_are_the_models_problems() -> None:
    """Two sibling headings are too few for the rules' tally (three), but each states what the inspection found
    wrong, with its count: the line-role model takes them (before it, the rules gave none)."""
    text = "关于道路扬尘督查情况的通报\n督查组开展了督查。\n"
    text += "一、渣土车未密闭运输问题4个。\n二、工地未设置冲洗平台问题3个。\n"
    assert [(n, r, t) for n, r, t, _, _ in problems(text)] == [
        (1, "learned", "渣土车未密闭运输问题4个"),
        (2, "learned", "工地未设置冲洗平台问题3个"),
    ]


def test_bullets_joined_onto_one_line_under_a_heading_naming_problems() -> None:
    line = (
        "督查安排 - 县督查组对8个部门开展了为期一周的督查,覆盖全部窗口单位 存在的主要问题 - "
        "部分窗口办事指南更新不及时 [2] - 个别部门网上办件率偏低 [2] - 部分窗口一次性告知落实不到位 下一步要求 - "
        "各部门要建立问题台账 - 限期完成整改"
    )
    assert problems("政务服务督查整改通报\n" + line + "\n") == [
        (1, "problem_list", "部分窗口办事指南更新不及时", None, None),
        (2, "problem_list", "个别部门网上办件率偏低", None, None),
        (3, "problem_list", "部分窗口一次性告知落实不到位", None, None),
    ]


def test_bullets_joined_under_a_problems_heading_that_state_no_shortcoming_are_not_problems() -> None:
    line = (
        "督查安排 - 县督查组对8个部门开展了为期一周的督查,覆盖全部窗口单位 存在的主要问题 - "
        "各窗口设置了帮办专员 [2] - 部门推行了延时服务 [2] - 多数窗口实现不见面审批 下一步要求 - "
        "各部门要建立问题台账 - 限期完成整改"
    )
    assert problems("政务服务督查整改通报\n" + line + "\n") == []


def test_bullets_joined_under_other_headings_are_not_problems() -> None:
    line = (
        "督查安排 - 县督查组对8个部门开展了为期一周的督查,覆盖全部窗口单位 工作亮点 - "
        "部分窗口推行延时服务 [2] - 个别部门实现不见面审批 [2] - 多数窗口设置了帮办专员 下一步要求 - "
        "各部门要建立问题台账 - 限期完成整改"
    )
    assert problems("政务服务督查整改通报\n" + line + "\n") == []


_RESEARCH_BODY = (
    "二、存在的主要问题\n(一)农贸市场摊位布局不合理。\n(二)冷链设施不足。\n三、对策建议\n(一)优化摊位布局。\n"
)


def test_the_problems_of_a_research_report_are_findings_not_problems() -> None:
    lead = "关于城区农贸市场运行情况的调研报告\n县政协调研组走访了6个农贸市场。\n一、基本情况\n共有摊位800个。\n"
    assert problems(lead + _RESEARCH_BODY) == []


def test_a_research_report_that_speaks_of_inspection_keeps_its_problems() -> None:
    lead = "关于城区农贸市场督查整改情况的报告\n县调研督查组走访了6个农贸市场。\n一、基本情况\n共有摊位800个。\n"
    assert [t for _, _, t, _, _ in problems(lead + _RESEARCH_BODY)] == ["农贸市场摊位布局不合理", "冷链设施不足"]


def test_a_line_giving_the_causes_of_what_went_wrong_opens_a_problem_list() -> None:
    text = (
        "关于校车安全督查情况的汇报\n一、督查情况\n校车均已年检。\n复查中仍有超员现象,主要原因是:\n"
        "(一)部分学校接送管理不严。\n(二)家长安全意识淡薄。\n"
    )
    assert [(n, r, t) for n, r, t, _, _ in problems(text)] == [
        (1, "problem_list", "部分学校接送管理不严"),
        (2, "problem_list", "家长安全意识淡薄"),
    ]


def test_the_causes_of_an_improvement_are_not_problems() -> None:
    text = (
        "关于2023年度大气污染防治整改工作情况的报告\n一、工作成效\n"
        "全县空气质量优良天数比例达到92%,同比提高5个百分点,主要原因是:\n"
        "(一)扬尘管控力度加大。\n(二)散煤治理全面推进。\n(三)执法监管持续从严。\n二、下一步打算\n继续巩固成果。\n"
    )
    assert problems(text) == []


def test_a_notice_citing_an_inspection_tour_keeps_its_problems() -> None:
    # 视察 / 考察 open ordinary notices (贯彻…考察…时的重要讲话精神); only 调研 marks a research report.
    text = (
        "关于全市政务服务窗口运行情况的通报\n各县区人民政府:\n"
        "为深入贯彻习近平总书记考察本省时的重要讲话精神,市政务服务中心对全市窗口运行情况进行了评估。\n"
        "一、总体情况\n运行总体平稳。\n二、存在的主要问题\n(一)部分窗口办事指南更新不及时。\n"
        "(二)个别部门网上办件率偏低。\n"
    )
    assert [t for _, _, t, _, _ in problems(text)] == ["部分窗口办事指南更新不及时", "个别部门网上办件率偏低"]


def test_the_causes_of_a_success_are_not_problems() -> None:
    text = (
        "关于校车安全督查情况的汇报\n一、督查情况\n校车均已年检。\n全年安全运行取得成效,主要原因是:\n"
        "(一)部分学校接送管理严格。\n(二)家长安全意识提高。\n"
    )
    assert problems(text) == []
