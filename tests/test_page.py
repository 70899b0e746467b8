"""The page around the document: line classes, chrome found in context, the title. Whole pages live in
fixtures/pages/ (golden records with hand-written facts)."""

from __future__ import annotations

import pytest

import rectify_parse
from rectify_parse.lines import line_class


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("首页 政务公开 政务服务 互动交流", "bad:menu"),
        ("网站首页 | 政务公开 | 巡察整改", "bad:menu"),
        ("联 系 人：李政", "short"),  # a spaced label, not a menu
        ("手机站   |   客户端", "bad:ui"),
        ("免费视频app下载", "bad:spam"),
        ("第1页共3页", "bad:page_counter"),
        ("本篇文章230字,读完约1分钟", "bad:page_counter"),  # a reading-time widget, a page counter's kin
        ("您需要登录后才可以回帖 登录 | 立即注册", "bad:ui"),  # a login prompt offers both
        ("您好,欢迎来到某某网! [请登录] [免费注册]", "bad:ui"),
        ("(一)用户注册登录", "short"),  # a list item that names them is a document's (the view folds （一）)
        ("请各单位于5月前完成平台注册登录。", "good"),
        ("阅读需要 3 分钟", "bad:page_counter"),
        ("责任编辑：张三", "bad:editor"),
        ("责编 周禾", "bad:editor"),  # credits without a colon
        ("审核 林立", "bad:editor"),
        ("责任编辑 / 顾晓", "bad:editor"),
        ("编辑部门职责", "short"),  # the role glued to more words is no credit
        ("评论留言", "bad:ui"),
        ("详细信息", "bad:ui"),  # the tabs of a disclosure page
        ("公开具体内容", "bad:ui"),
        ("公开征求意见", "short"),
        ("关注华体会登录界面", "bad:spam"),
        ('【字体大?。?a href="javascript:doZoom(20)">大', "bad:markup"),  # a tag whose < was lost
        ("壟!-- /1234/web_site/bottom_ad01 -->", "bad:markup"),  # an HTML comment whose < was mis-encoded
        ('p.cjk { font-family: "宋体"; font-size: 10pt }', "bad:markup"),  # a style rule printed as text
        ("@page { size: 8.5in 11in; margin-left: 1in }", "bad:markup"),
        ("channelId 1 1 1", "bad:markup"),  # a script's variable and its values
        ("评分", "bad:ui"),
        ("评分标准", "short"),
        ("p. 12", "short"),
        ("Qzone", "bad:symbols"),
        ("www.example.com", "bad:url"),
        ("会议强调，要以文明城区创建为抓手，持续提升城市精细化治理水平。", "good"),
        ("各乡镇人民政府：", "good"),
        ("县委第二轮巡察集中反馈会议召开", "short"),
        ("人大常委会组成人员和人大代表参加会议", "short"),  # 成人 inside a word is no spam
    ],
)
def test_line_classes(line: str, kind: str) -> None:
    assert line_class(line) == kind


def test_a_news_headline_before_its_meta_row_is_the_title() -> None:
    page = (
        "某某县人民政府 | 关怀版 | 无障碍\n首页 新闻中心 政务公开\n县委第二轮巡察集中反馈会议召开\n"
        "发布日期：2023-06-02 10:20 信息来源：县纪委 浏览次数：\n"
        "6月1日，县委第二巡察组向县水利局党组反馈巡察情况，会议指出了存在的问题。\n"
    )
    notice = rectify_parse.parse(page)
    assert notice.title == "县委第二轮巡察集中反馈会议召开"
    assert (notice.header.date_published, notice.header.source) == ("2023-06-02", "县纪委")
    assert {b.text for b in notice.boilerplate} >= {"某某县人民政府 | 关怀版 | 无障碍", "首页 新闻中心 政务公开"}
    assert notice.text.split("\n")[1].startswith("6月1日")  # text keeps the title line, then the body


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("政务服务丨关于调整窗口服务时间的通知", "关于调整窗口服务时间的通知"),
        ("瑞政办〔2011〕129号 转发市政府关于加强安全生产工作的通知", "转发市政府关于加强安全生产工作的通知"),
        ("关于印发实施方案的通知（某政发〔2017〕2号）", "关于印发实施方案的通知"),
        ("【最新】【官方】关于做好防汛工作的通知_某某县人民政府网", "关于做好防汛工作的通知"),
        ("《某某镇工作情况报告.docx》", "某某镇工作情况报告"),
        ("某某市审计整改情况的报告——2024年4月在市人大常委会会议上", "某某市审计整改情况的报告"),
        ("某某县人民政府关于做好防汛工作的通知 -某某娱乐首页app", "某某县人民政府关于做好防汛工作的通知"),
        ("【“三抓三促”行动进行时】某某镇：巡察反馈问题整改清零", "某某镇：巡察反馈问题整改清零"),
        ("每日观点：全市重大事故隐患排查整治现场检查工作已全部完成", "全市重大事故隐患排查整治现场检查工作已全部完成"),
        ("环保督察：66项整改任务已整改完成27项", "环保督察：66项整改任务已整改完成27项"),  # a topic lead stays
        ("“清单”曝光台|问题清单整改“回头看”专篇", "问题清单整改“回头看”专篇"),  # a column before its only bar
        ("乌桕县城区背街小巷问题整改大半-【资讯】", "乌桕县城区背街小巷问题整改大半"),  # a column tag after a dash
        ("《关于乌桕县城区部分路段临时封闭施工的通告》（2023年5月8日）", "关于乌桕县城区部分路段临时封闭施工的通告"),
        ("《乌桕县志》（2023年5月8日）", "《乌桕县志》（2023年5月8日）"),  # a book's name, no document's: kept
        ("8888澳门某某官网进入网站宿舍卫生检查结果通告", "宿舍卫生检查结果通告"),  # a gambling brand glued before it
        ("99998888某某官网2021年冬季学生寝室安全卫生检查结果通报", "2021年冬季学生寝室安全卫生检查结果通报"),
        ("某某体育网址和平街办事处关于提案的答复", "和平街办事处关于提案的答复"),
        ("关于规范政府网站官网名称的通知", "关于规范政府网站官网名称的通知"),  # 官网 in the headline itself
        ("市政府门户网站入口改版的通知", "市政府门户网站入口改版的通知"),
        ("原标题：乌桕县责令年检不合格民办学校停止办学", "乌桕县责令年检不合格民办学校停止办学"),  # a repost's label
    ],
)
def test_title_affixes_are_cut_and_spans_stay_exact(line: str, title: str) -> None:
    page = f"首页 > 政务公开\n{line}\n各有关单位：\n为做好相关工作，现将有关事项通知如下，请认真贯彻落实。\n"
    notice = rectify_parse.parse(page)
    assert notice.title == title
    s, e = notice.title_span  # type: ignore[misc]
    assert page[s:e] == title


@pytest.mark.parametrize(
    "top",
    [
        "首页 政务公开 通知公告",  # chrome only
        "市审计局局长 某某某",  # a speaker line
        "长审公告字〔2023〕5号",  # a document number alone
        "某某县人民政府",  # a site's or a body's own name
        "2018-12-25  本文已影响0人  某某用户_e980",  # a blog's meta row: a date and a counter
        "□记者 张海(zhāng)波 报(bào)道",  # a reporter's credit, pinyin glosses and all
        "■通讯员 李某 记者 王某某",  # two credits
        "ad9_210*60",  # an ad slot's id
        "s_0692be2946514061aa1ce82ececeebf7.jpg",  # an image's file name
        "http://www.example.com 2007年8月1日 《安全》 2007年第8期",  # an address and a journal's issue
    ],
)
def test_no_title_is_invented(top: str) -> None:
    page = f"{top}\n根据工作安排，市审计局对市本级预算执行情况进行了审计，现将整改情况报告如下。\n一、总体情况\n"
    assert rectify_parse.parse(page).title is None


def test_a_site_footer_keeps_its_contact_away_from_the_notice() -> None:
    page = (
        "关于调整公交线路的公告\n为方便群众出行，经研究决定调整部分公交线路，现公告如下。\n"
        "联系电话：0736-7215804\n某某县交通运输局\n2023年8月14日\n"
        "主办单位：某某县人民政府办公室\n网站标识码：4310990022\n联系电话：0736-7200110\n地址：某某县迎宾路16号\n"
    )
    notice = rectify_parse.parse(page)
    assert notice.closing.contact_phone == "0736-7215804"
    assert "0736-7200110" not in notice.text and "迎宾路" not in notice.text
    assert notice.closing.signature == "某某县交通运输局"


def test_a_damaged_signoff_date_is_a_warning_and_the_signature_stays() -> None:
    page = "关于做好走访慰问工作的通知\n各乡镇：\n请做好走访慰问工作。\n某某县民政局\n二三年九月二十九日\n"
    notice = rectify_parse.parse(page)
    assert notice.closing.signature == "某某县民政局" and notice.closing.date is None
    assert "bad_date" in {w.code for w in notice.warnings}


def test_a_table_column_row_is_not_a_menu() -> None:
    page = "整改清单\n序号 | 问题 | 整改措施 | 完成情况 |\n1 | 账目不清。 | 建立台账 | 已完成 |\n"
    notice = rectify_parse.parse(page)
    assert not notice.boilerplate and "序号" in notice.text


def test_a_meta_row_led_by_the_site_name_and_the_date() -> None:
    page = (
        "关于河道整治任务整改情况的公示\n某某区人民政府 2019-12-13 16:36 来源: 区河湖管理中心\n"
        "根据督察反馈意见，现将河道整治任务整改情况公示如下，请社会各界监督。\n"
    )
    notice = rectify_parse.parse(page)
    assert (notice.header.date_published, notice.header.source) == ("2019-12-13", "区河湖管理中心")
    assert ("某某区人民政府", "site_name") in {(b.text, b.rule) for b in notice.boilerplate}
    assert notice.title == "关于河道整治任务整改情况的公示"


_NEWS_BODY = "近日，区应急管理局组织检查组对辖区商场开展消防安全检查，发现部分安全出口堵塞、灭火器过期等问题。\n"


@pytest.mark.parametrize(
    ("row", "date", "source"),
    [
        ("海川日报 2023年08月25日 星期五", "2023-08-25", "海川日报"),  # the name first, a weekday after
        ("海川网2021-11-07", "2021-11-07", "海川网"),  # glued
        ("2018-07-19 21:01:03    海川新闻网  参与评论()人", "2018-07-19", "海川新闻网"),  # a widget after
        ("2024-07-16 06:25:36 - 海川晚报", "2024-07-16", "海川晚报"),
        ("   2019-03-14 海川新闻网4970", "2019-03-14", "海川新闻网"),  # a view counter glued after
        ("社会热点2022-10-12 06:32:26未知", "2022-10-12", None),  # a column word and "unknown": no source
    ],
)
def test_an_unlabelled_meta_row_gives_the_date_and_a_media_name_as_the_source(
    row: str, date: str, source: str | None
) -> None:
    page = f"区应急管理局开展商场消防安全检查\n{row}\n{_NEWS_BODY}"
    notice = rectify_parse.parse(page)
    assert (notice.header.date_published, notice.header.source) == (date, source)
    assert notice.title == "区应急管理局开展商场消防安全检查"
    assert row.strip() not in notice.text  # the row is the header's
    if source is not None:
        start, end = notice.header.spans["source"]
        assert page[start:end] == source


@pytest.mark.parametrize("row", ["2018-06-23 13:32:06 小沐管家 0", "招商动态 |2016-07-21", "2024年4月27日 星期"])
def test_a_name_that_does_not_end_like_a_media_is_no_source(row: str) -> None:
    # A poster, a column, a weekday left without its day.
    assert rectify_parse.parse(f"区应急管理局开展商场消防安全检查\n{row}\n{_NEWS_BODY}").header.source is None


def test_a_labelled_source_outranks_a_media_name_on_an_unlabelled_row() -> None:
    page = f"区应急管理局开展商场消防安全检查\n2021-04-01 10:46:37 海川网\n来源：区应急管理局\n{_NEWS_BODY}"
    notice = rectify_parse.parse(page)
    assert (notice.header.date_published, notice.header.source) == ("2021-04-01", "区应急管理局")
    conflicts = [w.message for w in notice.warnings if w.code == "header_conflict"]
    assert len(conflicts) == 1 and "海川网" in conflicts[0]  # the other name is named, never dropped silently


def test_the_headline_above_a_subtitle_is_the_title() -> None:
    page = (
        "内容预览：\n"
        "农村危房排查与督查结果差距较大亟待整改\n"
        "——某县督查室关于全县危房排查差距问题的汇报\n"
        "为查清全县危房底数，县督查室会同住建局分组到各乡镇实地核查，现将有关情况汇报如下。\n"
        "一、核查情况\n"
    )
    notice = rectify_parse.parse(page)
    assert notice.title == "农村危房排查与督查结果差距较大亟待整改"
    assert "——某县督查室" in notice.text  # the subtitle is the document's


def test_a_title_printed_twice_at_the_head_of_a_run_on_page_is_the_title() -> None:
    body = (
        "今年以来，我镇对照标准逐项开展了自查，通过自查发现以下问题："
        "一、健康教育阵地建设不够完善。二、农贸市场环境卫生有待改善。"
    )
    page = "关于创建省级卫生镇的自查报告关于创建省级卫生镇的自查报告_县爱国卫生运动委员会:" + body * 2
    assert rectify_parse.parse(page).title == "关于创建省级卫生镇的自查报告"
    # A sentence that names a notice, commas before it, is not cut off as a title.
    sentence = "为贯彻落实省政府办公厅关于开展安全生产大检查的通知,现就有关事项通知如下:" + body * 2
    assert rectify_parse.parse(sentence).title != "为贯彻落实省政府办公厅关于开展安全生产大检查的通知"


def test_a_news_dateline_is_never_the_title() -> None:
    page = (
        "某某网临澜11月10日讯(记者 张某 李某 通讯员 王某 赵某为保障\n"  # a first line cut short
        "执法人员逐项检查了企业的生产环境、原料进货查验和出厂检验记录，对发现的问题当场责令整改。\n"
    )
    assert rectify_parse.parse(page).title is None


@pytest.mark.parametrize(
    "dateline", ["2021年01月27日 星期三", "| 2021年05月04日 09時56分 海川日報 |", "2024年4月27日 星期"]
)
def test_a_dateline_above_the_body_is_never_the_title(dateline: str) -> None:
    page = f"{dateline}\n{_NEWS_BODY}整改工作正在进行中，检查组将适时开展复查，确保问题整改到位。\n"
    assert rectify_parse.parse(page).title is None
    dated = "第二督导组工作简报(2018年11月28日)"  # a title that holds a date holds more words beside it
    assert rectify_parse.parse(f"{dated}\n{_NEWS_BODY}").title == dated


def test_a_news_headline_stacked_over_its_subtitle_is_the_title() -> None:
    page = (
        "乌桕县第三轮县委巡察进驻全面展开\n"
        "6个巡察组分赴12个单位开展常规巡察\n"
        "来源:县委巡察办 发布时间:2024-03-18 09:30\n"
        "日前,乌桕县第三轮县委巡察进驻全面展开,6个巡察组已分别进驻县林业局等12个单位。\n"
    )
    notice = rectify_parse.parse(page)
    assert notice.title == "乌桕县第三轮县委巡察进驻全面展开"
    assert "6个巡察组分赴12个单位开展常规巡察" in notice.text  # the subtitle is the document's


def test_a_slogan_over_a_headline_is_not_the_title() -> None:
    page = (
        "深入学习贯彻党的二十大精神\n"
        "市生态环境局召开专题会议部署督察整改工作\n"
        "发布时间:2024-03-01 来源:市生态环境局\n"
        "3月1日,市生态环境局召开专题会议,深入学习贯彻党的二十大精神,研究部署督察反馈问题整改工作。\n"
    )
    assert rectify_parse.parse(page).title == "市生态环境局召开专题会议部署督察整改工作"


def test_a_headline_ending_in_a_short_second_line_keeps_its_first_line() -> None:
    page = (
        "乌桕县转交第三批群众信访举报件办理情况显示\n"
        "已依法办结56件\n"
        "来源:乌桕日报 发布时间:2024-03-18 09:30\n"
        "截至3月18日,乌桕县转交第三批群众信访举报件办理情况显示,已依法办结56件,其余正在办理。\n"
    )
    assert rectify_parse.parse(page).title == "乌桕县转交第三批群众信访举报件办理情况显示"


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("乌桕县城区停车问题多数没整改到位-【新闻】", "乌桕县城区停车问题多数没整改到位"),
        ("乌桕县城区机动车停放管理办法-【征求意见稿】", "乌桕县城区机动车停放管理办法-【征求意见稿】"),
    ],
)
def test_a_column_tag_after_a_dash_is_cut_but_a_document_state_stays(line: str, title: str) -> None:
    page = f"{line}\n发布时间:2024-03-01 来源:乌桕县人民政府\n为规范城区机动车停放秩序,现就有关事项公告如下。\n"
    assert rectify_parse.parse(page).title == title


@pytest.mark.parametrize(
    "top",
    [
        "登录乌桕县融媒体中心账号",  # a prompt the story does not retell
        "您好欢迎访问乌桕县食品安全网",
    ],
)
def test_a_line_over_a_headline_that_the_story_does_not_retell_stays_chrome(top: str) -> None:
    page = (
        f"{top}\n"
        "乌桕县巡察组进驻县林业局\n"
        "来源:县委巡察办 发布时间:2024-03-18 09:30\n"
        "日前,县委第一巡察组进驻县林业局,对其党组开展常规巡察,为期两个月,受理来信来电来访。\n"
    )
    assert rectify_parse.parse(page).title == "乌桕县巡察组进驻县林业局"


def test_a_speaker_under_a_subtitle_piece_invents_no_stacked_title() -> None:
    page = (
        "——2024年3月1日在乌桕县第五届人民代表大会\n常务委员会第十次会议上\n乌桕县审计局局长 程小溪\n"
        "主任、各位副主任、各位委员:\n"
        "我受县人民政府委托,向县人大常委会报告审计查出问题的整改情况,请审议。\n"
    )
    assert rectify_parse.parse(page).title is None


_TITLE = "乌桕县政务服务管理局 关于通报政务服务事项检查情况的通知"
_STORY = "乌桕日报3月18日讯 乌桕县政务服务管理局18日公布全县政务服务事项检查情况,部分乡镇办事指南要素不全"


def test_a_description_cut_short_above_the_headline_is_chrome() -> None:
    page = f'{_STORY[:50]}">\n乌桕县通报政务服务事项检查情况\n2024-03-18 10:05\n来源:乌桕日报\n{_STORY},仍存在。\n'
    notice = rectify_parse.parse(page)
    assert (f'{_STORY[:50]}">', "lede_copy") in {(b.text, b.rule) for b in notice.boilerplate}
    assert notice.title == "乌桕县通报政务服务事项检查情况"
    assert notice.header.date_published == "2024-03-18"


@pytest.mark.parametrize(
    ("first", "later"),
    [
        (_STORY + ",问题仍然存在。", _STORY + ",问题仍然存在。"),  # printed twice whole: a repeated body
        # a title the text starts with again (the page's heading glued to its text)
        (_TITLE, f"{_TITLE} 各乡镇:{_STORY}"),
    ],
)
def test_a_first_line_printed_again_whole_or_a_title_is_no_description(first: str, later: str) -> None:
    page = f"{first}\n首页 > 本地新闻\n{later}\n"
    rules = {b.rule for b in rectify_parse.parse(page).boilerplate}
    assert "lede_copy" not in rules


def test_a_headline_under_the_first_paragraph_above_its_meta_row_is_the_title() -> None:
    page = (
        "内容分类: 发布日期: 2024-03-21\n称: 乌桕县召开政务公开工作推进会\n"
        "乌桕县召开政务公开工作推进会\n来源:乌桕县人民政府 发布时间:2024-03-21 16:40\n"
        "3月21日,乌桕县召开政务公开工作推进会,副县长程远山出席会议并讲话。\n"
    )
    assert rectify_parse.parse(page).title == "乌桕县召开政务公开工作推进会"


def test_a_document_brought_in_after_a_news_intro_gives_the_title() -> None:
    page = (
        "日前,乌桕县人民政府印发促进县域商贸流通发展若干措施。\n文件详情如下:\n"
        "乌桕县人民政府关于印发促进县域商贸流通发展若干措施的通知\n各乡镇人民政府:\n现印发给你们,请认真贯彻执行。\n"
    )
    assert rectify_parse.parse(page).title == "乌桕县人民政府关于印发促进县域商贸流通发展若干措施的通知"


@pytest.mark.parametrize(
    "page",
    [
        # a short line over a meta row: no headline
        "日前,乌桕县召开会议,部署政务公开工作。\n附件下载\n来源:乌桕县人民政府 发布时间:2024-03-21 16:40\n正文。\n",
        # after 如下: a heading of the text, and a line that does not end like a document
        "为做好防汛工作,现将有关事项通知如下:\n一、关于防汛值班的通知\n各乡镇要落实值班制度,确保联络畅通。\n",
        "为做好防汛工作,现将有关事项通知如下:\n落实防汛值班责任\n各乡镇要落实值班制度,确保联络畅通。\n",
    ],
)
def test_no_late_title_is_invented(page: str) -> None:
    assert rectify_parse.parse(page).title is None


def test_a_widget_row_split_over_lines_inside_the_text_is_chrome() -> None:
    page = (
        "乌桕县督查农贸市场创文工作\n督查组来到城东农贸市场,对经营者的经营许可、卫生状况进行了检查,现场指出问题12处。\n"
        "[\n加入收藏] [\n推荐给朋友] [\n关闭窗口]\n随后,督查组抽查了两家餐饮门店,要求门店立行立改。\n"
    )
    notice = rectify_parse.parse(page)
    assert "加入收藏" not in notice.text and "推荐给朋友" not in notice.text
    assert "要求门店立行立改。" in notice.text


def test_a_short_line_after_one_chrome_line_only_stays() -> None:
    page = (
        "乌桕县督查农贸市场创文工作\n督查组来到城东农贸市场,对经营者的经营许可、卫生状况进行了检查,现场指出问题12处。\n"
        "关闭窗口]\n城东农贸市场\n随后,督查组抽查了两家餐饮门店,要求门店立行立改。\n"
    )
    assert "城东农贸市场\n" in rectify_parse.parse(page).text


def test_a_dated_item_in_a_row_of_chrome_above_the_title_is_chrome() -> None:
    page = (
        "- 约5.1千字\n- 2025-11-03 发布于江西\n- 举报\n乌桕县卫生院自查整改报告\n"
        "根据县医保局工作部署,我院开展了全面自查,现将自查整改情况报告如下。\n"
    )
    notice = rectify_parse.parse(page)
    assert "- 2025-11-03 发布于江西" in {b.text for b in notice.boilerplate}
    assert notice.title == "乌桕县卫生院自查整改报告"


def test_a_dated_line_under_the_title_stays() -> None:
    page = (
        "- 举报\n乌桕县道路交通安全条例\n（2023年3月2日乌桕县人民代表大会通过）\n- 举报\n"
        "第一条 为了维护道路交通秩序,制定本条例。\n"
    )
    assert "（2023年3月2日乌桕县人民代表大会通过）" in rectify_parse.parse(page).text
