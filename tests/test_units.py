"""Focused unit tests of the stages: header layouts, markers, dates, statuses, enumerations, chrome."""

from __future__ import annotations

import pytest

import rectify_parse
from conftest import FIXTURES
from rectify_parse.chrome import classify_line
from rectify_parse.normalize import one_line
from rectify_parse.patterns import cn_to_int, parse_date
from rectify_parse.problems import classify_status


def parse(text: str) -> rectify_parse.Notice:
    return rectify_parse.parse(text)


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("索 引 号 | 000014349/2021-01096 | 主题分类 | 其他 |\n正文第一段。", "index_no", "000014349/2021-01096"),
        ("发布日期:2023-01-06 11:16信息来源:某市审计局浏览次数:\n正文。", "source", "某市审计局"),
        ("发布日期:2023-01-06 11:16信息来源:某市审计局浏览次数:\n正文。", "date_published", "2023-01-06"),
        # A counter or a widget after the source, its value left to a script: 点击：, 访问次数 :,
        # 文字大小：[ ] 背景色：.
        ("发布时间：2021-03-02 来源：某县人大 点击：\n正文。", "source", "某县人大"),
        ("来源:本站原创 访问次数 :\n正文。", "source", "本站原创"),
        ("发布时间:2020-05-06 来源:某街道文字大小:[    ] 背景色:\n正文。", "source", "某街道"),
        # A source is a name: it ends at its first gap of blanks (a widget, a counter or a byline follows).
        ("发布时间：2021-03-02 来源：某某晚报 参与互动(0)\n正文。", "source", "某某晚报"),
        ("来源：某区民政局\u3000\u3000发布人：某某\n正文。", "source", "某区民政局"),
        ("来源：城管局(文明办) 某某某\n正文。", "source", "城管局(文明办)"),
        ("索引号 X-1 主题分类 财政\n正文。", "category", "财政"),
        ("文    号：某政办发〔2023〕8号\n名    称：关于某事的通知\n正文。", "doc_number", "某政办发〔2023〕8号"),
        ("文    号：某政办发〔2023〕8号\n名    称：关于某事的通知\n正文。", "title", "关于某事的通知"),
        ("【发布时间：2022-06-30】\n正文。", "date_published", "2022-06-30"),
        ("- 发布日期: 2023-05-06\n- 来源: 某县政府\n\n正文。", "source", "某县政府"),
        ("成文日期：\n\n二〇二三年三月二日\n发布机构：某局\n正文。", "date_written", "2023-03-02"),
        ("成文日期：二○○五年十月九日\n正文。", "date_written", "2005-10-09"),
        ("成文日期：二OO六年一月五日\n正文。", "date_written", "2006-01-05"),
        ("发布时间：2011- 09- 01 14: 58: 15\n正文。", "date_published", "2011-09-01"),
        ("发文字号：[2005]13号\n正文。", "doc_number", "[2005]13号"),
        ("发文机关：某市人民政府\n正文。", "issuer", "某市人民政府"),
        ("有效性：有效\n正文。", "validity", "有效"),
        # A meta row drawn as a table row, its date first without a label.
        (
            "|| 2021-05-06 08:10:00 编辑: 某某 阅读次数:35 |\n会议传达了有关精神，部署了下一步工作。",
            "date_published",
            "2021-05-06",
        ),
        # A value ends at the border of the row's next cell (a widget).
        ("发布时间:2021年05月06日 08:10 | 进入论坛 | 来源:某某日报 | 手机看视频\n正文。", "source", "某某日报"),
        # An aggregator's unlabelled row: column word, date and time, an empty source.
        ("关于某路段交通管制的通告\n\n本地新闻2021-05-06 08:10:00未知\n\n正文第一段。", "date_published", "2021-05-06"),
    ],
)
def test_header_layouts(text: str, key: str, value: str) -> None:
    assert getattr(parse(text).header, key) == value


@pytest.mark.parametrize(
    "text",
    [
        "发布时间:2021年05月06日 08:10 | 来源:某某日报 | 手机看视频\n正文。",
        "关于某路段交通管制的通告\n\n本地新闻2021-05-06 08:10:00未知\n\n正文第一段。",
    ],
)
def test_meta_row_cells_stay_out_of_the_text(text: str) -> None:
    # The row's last cell (a widget) and an unlabelled row's words are the row's, not content.
    assert "手机看视频" not in parse(text).text and "未知" not in parse(text).text


def test_a_source_cut_at_its_gap_keeps_its_span_on_its_name() -> None:
    text = "发布时间：2021-03-02 来源：  某某日报 大字体 小字体\n正文。"
    header = parse(text).header
    assert header.source == "某某日报"
    start, end = header.spans["source"]
    assert text[start:end] == "某某日报"


def test_header_keeps_other_labels_in_extra_and_counters_out() -> None:
    notice = parse("主题词：巡察 整改\n公开方式：主动公开\n浏览次数：{{ pvCount }}\n组配分类：其他\n正文。")
    assert notice.header.extra == {"主题词": "巡察 整改", "公开方式": "主动公开", "组配分类": "其他"}
    assert notice.header.category == "其他"
    assert any(b.rule == "view_counter" for b in notice.boilerplate)


@pytest.mark.parametrize(
    ("row", "raw_date"),
    [
        # A counter after the date: its number before its label, in the next cell.
        ("来源:某县宣传 | 作者:某某 | 发布时间: 2021-01-06 | 668 次浏览: | 分享到:", "2021-01-06"),
        # An empty counter after a bare date: the date is the row's, without the spaces before the counter.
        ("2024-03-26       浏览人数:", "2024-03-26"),
        ("发布时间:2022-08-01 09:35 来源:某县人民政府办公室 浏览:", "2022-08-01 09:35"),
    ],
)
def test_meta_row_counters_stay_out_of_values(row: str, raw_date: str) -> None:
    notice = parse(f"关于某事的通知\n{row}\n正文第一段，写明事项。\n")
    assert notice.header.raw["date_published"] == raw_date
    assert notice.header.source in (None, "某县宣传", "某县人民政府办公室")
    assert "浏览" not in notice.text


def test_a_date_led_row_with_a_counter_phrase_is_a_meta_row() -> None:
    notice = parse("某某督导简报\n2018-12-25  本文已影响0人  某某\n正文第一段，写明督导情况。\n")
    assert notice.header.date_published == "2018-12-25"
    assert [b.text for b in notice.boilerplate if b.rule == "view_counter"] == ["本文已影响0人  某某"]
    # A date-led line that is a sentence stays content.
    notice = parse("某某督导简报\n2018-12-25，检查组检查了12家单位，1024人次参与。\n")
    assert notice.header.date_published is None


def test_a_date_led_row_whose_counter_lost_its_number_is_a_meta_row() -> None:
    notice = parse("乌桕县开展清雪活动\n2011/1/8 9:05:41 次浏览 分类:政府动态    来源:\n8日,全县开展清雪活动。\n")
    assert notice.header.date_published == "2011-01-08"
    assert [b.text for b in notice.boilerplate if b.rule == "view_counter"] == ["次浏览 分类:政府动态    来源:"]
    # A word for views not right after the date is no empty counter.
    notice = parse("乌桕县开展清雪活动\n2011/1/8 全县人阅读材料\n8日,全县开展清雪活动,保障出行。\n")
    assert notice.header.date_published is None


def test_header_merge_keeps_filled_values_and_warns_on_conflict() -> None:
    text = (
        "发布机构 | 甲局 | 公文时效 | 有效 |\n发布机构：乙局\n公文时效：\n"
        "成文日期：2021-11-04\n成文日期：2021年11月04日\n\n正文。"
    )
    notice = parse(text)
    assert notice.header.publisher == "甲局" and notice.header.validity == "有效"
    conflicts = [w for w in notice.warnings if w.code == "header_conflict"]
    assert len(conflicts) == 1 and "甲局" in conflicts[0].message and "乙局" in conflicts[0].message


@pytest.mark.parametrize("value", ["二三年三月", "20211228日", "2023-02-30"])
def test_unreadable_dates_warn_and_keep_the_raw_text(value: str) -> None:
    notice = parse(f"成文日期：{value}\n发布机构：某局\n正文。")
    assert notice.header.date_written is None
    assert notice.header.raw["date_written"] == value
    assert any(w.code == "bad_date" and value in w.message for w in notice.warnings)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2022年06月30日", "2022-06-30"),
        ("二〇二三年十二月三十一日", "2023-12-31"),
        ("2021/1/5", "2021-01-05"),
        ("二三年三月二日", None),
        ("没有日期", None),
        ("18.11.2016 16:40", "2016-11-18"),  # day first, with dots: a portal template's date row
        ("见08.03.2018与2018-01-01", "2018-03-08"),  # the first date in the text, whichever its order
        ("1.2.2023", None),  # a decimal heading, not a date
        ("01.02.2023年", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text)[0] == iso


def test_a_day_first_date_row_under_a_headline_gives_the_publication_date() -> None:
    page = "某县档案局开展档案执法检查\n18.11.2016 16:40\n本文来源: 档案局\n检查发现，部分单位文件材料归档不及时。\n"
    notice = parse(page)
    assert notice.title == "某县档案局开展档案执法检查"
    assert notice.header.date_published == "2016-11-18"
    assert page[slice(*notice.header.spans["date_published"])].startswith("18.11.2016")


@pytest.mark.parametrize(
    ("text", "n"),
    [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("一百零五", 105), ("12", 12), ("甲", None)],
)
def test_chinese_numbers(text: str, n: int | None) -> None:
    assert cn_to_int(text) == n


def test_heading_ladder_full_and_half_width_and_skipped_levels() -> None:
    text = "\n".join(
        [
            "一、总体要求",
            "（一）工作目标。到2025年完成。",
            "1. 第一项",
            "（1）细项",
            "(二)保障措施",
            "二、具体任务",
            "1．直接到三级",
            "2、顿号也算",
            "①圈号",
        ]
    )
    sections = parse(text).sections
    assert [(s.level, s.number, s.heading) for s in sections] == [(1, 1, "总体要求"), (1, 2, "具体任务")]
    first = sections[0].children
    assert [(s.level, s.marker, s.heading, s.text) for s in first] == [
        (2, "（一）", "工作目标", "到2025年完成。"),
        (2, "(二)", "保障措施", ""),
    ]
    assert first[0].children[0].heading == "第一项"
    assert first[0].children[0].children[0].level == 4
    skipped = sections[1].children
    assert [(s.level, s.number) for s in skipped] == [(3, 1), (3, 2)]
    assert skipped[1].children[0].level == 5


@pytest.mark.parametrize(
    "line",
    ["1.5万元用于设备采购。", "2023年底前完成。", "3月19日召开会议。", "1,825.95亿元。", "1、2月份完成投资3亿元。"],
)
def test_numbers_that_are_not_headings(line: str) -> None:
    assert parse(f"一、总体情况\n{line}").sections[0].children == []


def test_an_item_may_open_with_a_day_or_a_year() -> None:
    text = "一、检查发现的问题\n1、10月9日督查发现，某路口垃圾堆积。\n2、2023年抽查发现，台账不全。"
    items = parse(text).sections[0].children
    assert [(s.level, s.number, s.marker) for s in items] == [(3, 1, "1、"), (3, 2, "2、")]
    assert items[0].heading.startswith("10月9日督查发现")


def test_quoted_heading_sentence_keeps_its_inner_stop() -> None:
    section = parse("（一）落实“三个一。”要求。随后展开。").sections[0]
    assert section.heading == "落实“三个一。”要求"
    assert section.text == "随后展开。"


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("已完成,并长期坚持", "completed"),
        ("已完成并长期坚持", "completed"),
        ("已完成整改", "completed"),
        ("正在整改", "in_progress"),
        ("整改中", "in_progress"),
        ("正在推进", "in_progress"),
        ("基本完成", "in_progress"),
        ("持续推进", "in_progress"),
        ("部分整改", "in_progress"),
        ("长期坚持", "in_progress"),
        ("未启动", "not_started"),
        ("未完成", None),
        ("另行研究", None),
    ],
)
def test_status_kinds(status: str, kind: str | None) -> None:
    assert classify_status(status) == kind


REPORT = """关于巡察整改情况的报告
共反馈2个方面3个问题，已完成整改2个、正在整改1个。
一、问题整改情况
（一）学习方面
1.问题：学习不深入。描述文字。
整改措施：一是加强学习。二是统一是前提的制度。三是按时考核。
责任单位：办公室
整改时限：长期坚持
完成情况：已完成。
2.制度不健全。部分制度未修订。
整改进度：正在整改。
整改情况：正在修订制度。
（二）作风方面
3.作风不扎实。该问题已完成整改。
"""


def test_problems_with_labelled_fields() -> None:
    notice = parse(REPORT)
    p1, p2, p3 = notice.problems
    assert (p1.number, p1.aspect, p1.title, p1.description) == (1, "学习方面", "学习不深入", "描述文字。")
    assert p1.measures == ["加强学习", "统一是前提的制度", "按时考核"]
    assert p1.fields == {"责任单位": "办公室", "整改时限": "长期坚持"}
    assert (p1.status, p1.status_kind) == ("已完成", "completed")
    assert (p2.status_kind, p2.measures) == ("in_progress", ["正在修订制度"])
    # The status is the phrase, not its subject (该问题).
    assert (p3.aspect, p3.status, p3.status_kind) == ("作风方面", "已完成整改", "completed")
    assert not [w for w in notice.warnings if w.code == "count_mismatch"]


def test_declared_counts_that_do_not_add_up_warn() -> None:
    notice = parse(REPORT.replace("2个方面3个问题", "3个方面4个问题").replace("正在整改1个", "正在整改2个"))
    messages = [w.message for w in notice.warnings if w.code == "count_mismatch"]
    assert len(messages) == 3
    assert any("4 problems" in m for m in messages) and any("3 aspects" in m for m in messages)
    assert any("in_progress" in m for m in messages)


def test_ordinary_notice_list_items_are_not_problems() -> None:
    text = "关于做好防汛工作的通知\n各乡镇：\n一、工作要求\n1.加强值守。责任单位：应急局\n2.及时报告。\n特此通知。"
    assert parse(text).problems == []


def test_numbering_gaps_and_repeats_warn() -> None:
    page = "一、甲\n二、乙\n四、丁\n四、丁又一次"
    found = [(w.code, w.message, w.span) for w in parse(page).warnings]
    assert found == [
        ("numbering_gap", "四、 follows 2: numbers skipped", (8, 10)),
        ("numbering_repeat", "四、 follows 4: number repeated", (12, 14)),
    ]


def test_attachments_and_closing() -> None:
    text = "\n".join(
        [
            "关于报送材料的通知",
            "各单位：",
            "请按时报送。",
            "附件：1.统计表。",
            "2.清单",
            "某市人民政府办公室",
            "                2023年1月5日",
            "（此件公开发布）",
            "联系电话：0871-6312457",
        ]
    )
    notice = parse(text)
    assert notice.attachments == ["统计表", "清单"]
    assert (notice.closing.signature, notice.closing.date) == ("某市人民政府办公室", "2023-01-05")
    assert notice.closing.contact_phone == "0871-6312457"
    assert notice.sections == []


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("当前位置：首页 > 政务公开", "breadcrumb"),
        ("首页 >> 通知公告", "breadcrumb"),
        ("打印本页 关闭窗口", "widget_row"),
        ("【打印】 【关闭】", "widget_row"),
        ("【大】 【中】 【小】", "widget_row"),
        ("分享到：", "share"),
        ("扫一扫在手机打开当前页", "scan_qr"),
        ("上一篇：关于某事的通知", "prev_next"),
        ("版权所有：某市人民政府", "copyright"),
        ("本内容提供均基于AI自动解读,与主办方无直接关联。", "ai_widget"),
        ("您访问的链接即将离开某市政府网站", "exit_link"),
        ("【浏览字体:", "widget_row"),  # a font widget cut after its label
        ("图片发自App", "caption"),
        ("你可能感兴趣的:(某某工作简报)", "related_item"),
        ("标签:", "tags"),
        ("标签：水利 防汛", "tags"),
        # A disclaimer runs longer than any other chrome line.
        ("免责声明：凡本网注明“来源：某某网”的作品，均转载自其它媒体。" + "转载请注明。" * 30, "disclaimer"),
        ("[标签:标题]", "tags"),  # a template's tag left unfilled
        ("热词:", "tags"),
        ("更多 今日话题", "more_link"),
        ("更多>> 排行榜", "more_link"),
        ("更多惠民政策落地见效", None),
        ("更多群众受益，满意度明显提升。", None),
        ("标签标识应当清晰，标明生产日期。", None),
        ("（此件公开发布）", None),
        ("特此公示！", None),
        ("联系电话：0477-8575333", None),
        ("附件：1.统计表", None),
        ("大", None),
    ],
)
def test_chrome_rules(line: str, rule: str | None) -> None:
    assert classify_line(line) == rule


def test_trailing_chrome_fragment_is_cut_from_a_content_line() -> None:
    notice = parse("请各单位认真落实。【打印】【关闭】")
    assert notice.text == "请各单位认真落实。"
    assert [b.text for b in notice.boilerplate] == ["【打印】【关闭】"]


def test_table_of_contents_is_not_a_second_set_of_headings() -> None:
    text = "目录\n一、总体情况\n二、下一步打算\n一、总体情况\n内容甲。\n二、下一步打算\n内容乙。"
    assert [s.heading for s in parse(text).sections] == ["总体情况", "下一步打算"]


def _tree(sections: list[rectify_parse.Section]) -> list[tuple[int, str, str, list]]:  # type: ignore[type-arg]
    return [(s.level, s.marker, s.heading, _tree(s.children)) for s in sections]


def test_regulation_chapters_and_articles_nest_the_gb_ladder() -> None:
    text = "\n".join(
        [
            "某某县公共资源交易管理办法",
            "第一章 总则",
            "第一条 为了规范交易活动，制定本办法。",
            "第二条 本办法适用于下列项目：",
            "（一）工程建设项目；",
            "（二）政府采购项目。",
            "第二章 交易程序",
            "第三条 交易应当公开。",
        ]
    )
    assert _tree(parse(text).sections) == [
        (
            1,
            "第一章",
            "总则",
            [
                (3, "第一条", "为了规范交易活动，制定本办法", []),
                (
                    3,
                    "第二条",
                    "本办法适用于下列项目",
                    [(2, "（一）", "工程建设项目", []), (2, "（二）", "政府采购项目", [])],
                ),
            ],
        ),
        (1, "第二章", "交易程序", [(3, "第三条", "交易应当公开", [])]),
    ]


def test_decimal_numbering_only_where_the_document_uses_it() -> None:
    text = "1 总则\n1.1 目的\n为规范管理。\n3月19日召开会议。\n1.2 适用范围\n2 职责\n2.1 主管部门"
    assert _tree(parse(text).sections) == [
        (1, "1", "总则", [(2, "1.1", "目的", []), (2, "1.2", "适用范围", [])]),
        (1, "2", "职责", [(2, "2.1", "主管部门", [])]),
    ]
    assert parse("一、总体情况\n1 个别单位未落实。").sections[0].children == []


def test_lost_newlines_headings_inline_are_split() -> None:
    text = (
        "关于巡察整改情况的报告按照区委统一部署，巡察组开展了巡察，共反馈1个方面2个问题，现将整改情况报告如下："
        "一、整改工作开展情况（一）加强组织领导。成立了领导小组。（二）强化督促检查。每周调度，共投入资金1.5万元。"
        "二、问题整改落实情况（一）学习贯彻方面1.学习不深入。专题学习次数偏少。整改进度：已完成。"
        "整改情况：一是修订学习制度。二是增强考核。2.制度不健全。部分制度未修订。整改进度：正在整改。"
        "整改情况：正在修订制度。三、下一步打算。持续巩固整改成果。"
    )
    notice = parse(text)
    assert notice.title == "关于巡察整改情况的报告"
    assert [s.heading for s in notice.sections] == ["整改工作开展情况", "问题整改落实情况", "下一步打算"]
    assert [c.heading for c in notice.sections[0].children] == ["加强组织领导", "强化督促检查"]
    assert [(p.number, p.status_kind, len(p.measures)) for p in notice.problems] == [
        (1, "completed", 2),
        (2, "in_progress", 1),
    ]
    assert notice.warnings == []


def test_hard_wrapped_lines_are_rejoined_before_structure() -> None:
    body = (
        "按照县委巡察工作统一部署，县委第二巡察组对县水利局开展了常规巡察，反馈了1个方面2个问题。"
        "现将整改情况报告如下。一、问题整改情况（一）工程管理方面1.工程资金拨付不及时。部分项目资金"
        "拨付滞后，涉及资金1.5万元。整改进度：已完成。整改情况：一是建立资金拨付台账。二是每月通报。"
        "2.项目验收不规范。个别项目未按程序验收，验收资料不全，整改时限为2023年12月底前，已全部补齐。"
        "整改进度：已完成。整改情况：一是补齐验收资料。二是完善制度。三是开展培训。"
    )
    width = 36
    wrapped = "\n".join(body[i : i + width] for i in range(0, len(body), width))
    notice = parse(wrapped)
    assert [(p.number, p.title, len(p.measures)) for p in notice.problems] == [
        (1, "工程资金拨付不及时", 2),
        (2, "项目验收不规范", 3),
    ]
    assert {c.rule for c in notice.cleaned} == {"hard_wrap"}
    assert "\n" not in notice.problems[0].description


def test_an_empty_range_after_a_dropped_character_stays_inside_its_line() -> None:
    # Found by hypothesis: a heading left empty by trimming sat after the zero-width space the view dropped,
    # one character past the end of its section.
    page = "一、\n一、：\u200b\n"
    notice = rectify_parse.parse(page)
    last = notice.sections[-1]
    assert (last.marker, last.heading, last.span) == ("一、", "", (3, 6))
    assert last.heading_span == (6, 6)
    assert page[last.span[0] : last.span[1]] == "一、："


def test_repeat_keys_of_many_lines_equal_those_of_each_line() -> None:
    from rectify_parse.repeats import line_key, line_keys

    lines = ["一、 整改（情况）。", "a b\tc\u3000d", "", "\r", "——…“”《》", "_x_", "😀好"]
    assert line_keys(lines) == [line_key(line) for line in lines]
    assert line_keys([]) == []


def test_qualified_date_labels() -> None:
    """A label naming when the page was put up (内容更新时间, 信息提供日期) is the page's date; the value
    before such a label ends at the space before its qualifier; other qualified dates are no label."""
    from rectify_parse.header import read_line

    pairs = read_line("内容更新时间:2024-06-12 08:15:40来源:某某台", 0)
    assert [(p.label, p.value_start, p.value_end) for p in pairs] == [("时间", 7, 26), ("来源", 29, 32)]
    text = "信息来源:某某县水利局 信息提供日期:2024-06-12"
    pairs = read_line(text, 0)
    assert [text[p.value_start : p.value_end] for p in pairs] == ["某某县水利局", "2024-06-12"]
    assert read_line("公示时间:2024年6月12日至2024年6月18日", 0) == []
    assert read_line("废止时间:2024-06-12", 0) == []
    # Other verbs of publishing, and a bracketed label (【公布日期】2004.04.08).
    for line in ("发表日期:2025-02-19", "颁发日期:2014-1-13", "【公布日期】2004.04.08"):
        assert [p.label for p in read_line(line, 0)] == ["日期"], line


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("稿件来源: 某某在线", "某某在线"),
        ("(新闻来源:某某都市报)", "某某都市报"),  # a line wrapped in brackets, as 【来源：…】
        ("来源:某某日?qǐng)?bào)", "某某日?qǐng)?bào)"),  # a pinyin gloss keeps its ")" on an open line
        ("本文来源: 某某新闻网", "某某新闻网"),
        ("出处:某某新闻网 作者:张三", "某某新闻网"),
        ("供稿:某某县委办公室", "某某县委办公室"),
        ("来自:张三", None),  # 来自 names a poster as often as a source
    ],
)
def test_qualified_source_labels(line: str, value: str | None) -> None:
    from rectify_parse.header import read_line

    pairs = [p for p in read_line(line, 0) if p.label.endswith(("来源", "出处", "供稿"))]
    assert [line[p.value_start : p.value_end] for p in pairs] == ([value] if value else [])


@pytest.mark.parametrize(
    ("line", "read"),
    [
        ("发布:2019-04-05 来源:某某团  作者:张三", [("日期", "2019-04-05"), ("来源", "某某团"), ("作者", "张三")]),
        ("发表于 2017-2-22 15:25:48 | 只看该作者", [("日期", "2017-2-22 15:25:48")]),  # a forum post's row
        (
            "www.example.com     2013-10-09 08:55:57    来源:某某晚报",
            [("日期", "2013-10-09 08:55:57"), ("来源", "某某晚报")],
        ),
        ("http://www.example.com   2020-07-13 17:45:39", [("日期", "2020-07-13 17:45:39")]),
        ("发布会于本周召开", []),  # the verb without a year after it is no label
        ("www.example.com", []),
    ],
)
def test_rows_led_by_a_bare_verb_or_the_sites_address(line: str, read: list[tuple[str, str]]) -> None:
    from rectify_parse.header import read_line

    assert [(p.label, line[p.value_start : p.value_end]) for p in read_line(line, 0)] == read


def test_an_address_led_meta_row_is_the_header_and_a_glued_address_no_part_of_the_source() -> None:
    body = "近日，区市场监管局对辖区农贸市场开展检查，发现部分摊位价格标签不全。\n"
    notice = rectify_parse.parse(
        "区市场监管局开展农贸市场检查\nwww.example.com 2013-05-09 11:31 来源:某某网 我来说两句\n" + body
    )
    assert (notice.header.date_published, notice.header.source) == ("2013-05-09", "某某网")
    assert "www.example.com" not in notice.text
    glued = rectify_parse.parse(
        "区市场监管局开展农贸市场检查\n来源:某某政府网http://www.example.gov.cn/a?id=2\n" + body
    )
    assert glued.header.source == "某某政府网"


def test_a_row_of_unknown_labels_is_no_value_of_the_label_above() -> None:
    # A flattened table: 公开目录 has an empty cell, and the row below is one of fields, not its value.
    page = (
        "文件名称 | 县农业局部署秸秆禁烧工作 | ||\n索引号 | 公开目录: | ||\n"
        "公开责任部门 | 县政府办 | 公开形式: | |\n有效性 | 未知 | 公开日期: | 2015-05-27 15:10 |\n"
        "正值三夏大忙时节，县农业局及早行动，认真部署秸秆禁烧工作。\n"
    )
    header = rectify_parse.parse(page).header
    assert header.category is None and header.index_no is None
    assert header.date_published == "2015-05-27"


@pytest.mark.parametrize(
    ("value", "one"),
    [
        ("涉及金额\n1.5万元", "涉及金额1.5万元"),
        ("计划\r\n2023年底前完成", "计划2023年底前完成"),
        ("已完成。\n\u3000\u3000欢迎监督", "已完成。欢迎监督"),  # the next line's indentation goes with the break
        ("见第 3 \n 条", "见第 3条"),
        ("GB/T\n9704", "GB/T 9704"),  # two Latin letters or digits keep a space between them
        ("PM2.5\rmonitoring", "PM2.5 monitoring"),
        ("一行", "一行"),
    ],
)
def test_a_value_reads_as_one_line(value: str, one: str) -> None:
    assert one_line(value) == one


def test_a_hard_break_inside_a_field_is_no_part_of_its_value_and_its_span_stays() -> None:
    raw = (FIXTURES / "audit_rectify.txt").read_text(encoding="utf-8")
    notice = rectify_parse.parse(raw)
    described = next(p for p in notice.problems if "涉及金额" in p.description)
    assert "涉及金额1.5万元；" in described.description
    start, end = described.title_span[1], described.span[1]
    assert "涉及金额\n1.5万元" in raw[start:end]  # the source keeps its break
    planned = [
        (m, s) for p in notice.problems for m, s in zip(p.measures, p.measure_spans, strict=True) if "计划2023年" in m
    ]
    assert len(planned) == 1
    measure, (s, e) = planned[0]
    assert measure == "剩余12.42万元涉及资产报废手续尚在办理，计划2023年底前完成"
    assert raw[s:e] == "剩余12.42万元涉及资产报废手续尚在办理，计划\n2023年底前完成"
    assert "\n" in notice.text  # the document's text keeps its lines
