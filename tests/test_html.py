"""HTML input: saved pages parse like their text twins, spans index the extracted text, charsets declared
in ``<meta>`` are honoured, and hostile markup raises nothing but the library's errors.

Regenerate the golden records of ``fixtures/html`` with ``RECTIFY_REGEN=1 pytest tests/test_html.py`` and
review the diff by hand.
"""

from __future__ import annotations

import html
import io
import itertools
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rectify_parse
from conftest import FIXTURES, golden, load_json
from rectify_parse.cli import EXIT_OK, EXIT_USAGE, main
from rectify_parse.decode import decode
from rectify_parse.html import declared_charset, extract, looks_like_html
from rectify_parse.schema import line_schema, record_schema
from test_hostile import _seconds
from test_properties import assert_spans_consistent

HTML = FIXTURES / "html"
TWINS: dict[str, str] = load_json(HTML / "twins.json")
PAGES = sorted(TWINS)
REGEN = os.environ.get("RECTIFY_REGEN") == "1"
_SPANS = "span spans title_span status_span measure_spans field_spans heading_span addressee_span attachment_spans"
_SPAN_KEYS = frozenset([*_SPANS.split(), "canonical_span", "copy_span", "body_span"])


def _content(record: dict[str, Any]) -> dict[str, Any]:
    """What a page says, whatever it was saved as: values without spans (which index different texts) and
    line ends as ``\\n`` (a twin may have CR line ends)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in _SPAN_KEYS}
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, str):
            return value.replace("\r\n", "\n").replace("\r", "\n")
        return value

    keys = ("header", "title", "addressee", "sections", "problems", "attachments", "closing", "duplicates", "text")
    return {key: strip(record[key]) for key in keys}


def _parse(path: Path) -> rectify_parse.Notice:
    return rectify_parse.parse(path.read_bytes())


@pytest.mark.parametrize("page", PAGES)
def test_a_page_parses_like_its_text_twin(page: str) -> None:
    notice = _parse(HTML / page)
    twin = _parse(FIXTURES / TWINS[page])
    assert (notice.input_format, twin.input_format) == ("html", "text")
    assert _content(notice.to_dict()) == _content(twin.to_dict())
    # Not an empty agreement: every twin has a title, header fields and a body.
    assert notice.title and notice.header.spans and notice.text


@pytest.mark.parametrize("page", PAGES)
def test_every_span_points_into_the_extracted_text(page: str) -> None:
    raw = (HTML / page).read_bytes()
    source = rectify_parse.source_text(raw)
    assert "<" not in source and "function" not in source and "{" not in source  # no markup, script or style
    assert_spans_consistent(rectify_parse.parse(raw), source)


@pytest.mark.parametrize("page", PAGES)
def test_golden_record(page: str) -> None:
    record = _parse(HTML / page).to_dict()
    jsonschema.validate(record, record_schema())
    record = golden(record)
    path = HTML / page.replace(".html", ".expected.json")
    if REGEN:
        path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert record == load_json(path)


def test_each_page_is_a_near_duplicate_of_its_twin_with_no_variant() -> None:
    items = [(page, (HTML / page).read_bytes()) for page in PAGES]
    items += [(TWINS[page], (FIXTURES / TWINS[page]).read_bytes()) for page in PAGES]
    groups = rectify_parse.find_near_duplicates(items)
    assert sorted(sorted(g.ids) for g in groups) == sorted(sorted([page, TWINS[page]]) for page in PAGES)
    assert [g.variants for g in groups] == [[]] * len(PAGES)  # not even a space, let alone a script or a menu


def test_the_page_chrome_is_boilerplate_and_the_site_name_leaves_the_title() -> None:
    notice = _parse(HTML / "gov_xxgk.html")
    assert notice.title == "中共青桐县自然资源局党组关于巡察整改情况的报告"
    source = rectify_parse.source_text((HTML / "gov_xxgk.html").read_bytes())
    assert "青桐县人民政府\n" not in source.split("关于巡察整改情况的报告", 1)[0]  # <title>: the <h1> stands for it
    removed = {b.text: b.rule for b in notice.boilerplate}
    assert removed["当前位置：首页 > 政务公开 > 信息公开目录"] == "breadcrumb"
    assert removed["【打印本页】 【关闭窗口】"] == "widget_row"
    assert "网站标识码" in " ".join(removed)
    assert "访问量" not in source  # written by a script


def test_declared_charsets_are_read() -> None:
    gbk = _parse(HTML / "gbk_table_layout.html")
    assert gbk.encoding == "gb18030" and gbk.header.publisher == "石楼县水利局"
    gb2312 = _parse(HTML / "gb2312_declared.html")  # GB18030-only characters in a page declared gb2312
    assert gb2312.encoding == "gb18030" and gb2312.header.publisher == "白杉县𠮷岭乡人民政府"
    assert _parse(HTML / "gov_xxgk.html").encoding == "utf-8"
    assert rectify_parse.parse((HTML / "gov_xxgk.html").read_text(encoding="utf-8")).encoding == "str"


# ---------------------------------------------------------------------------------------------------
# Extraction


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def test_scripts_styles_comments_noscript_template_and_menus_are_dropped() -> None:
    page = _page(
        "<p>正文一</p><script>var a = '<p>脚本</p>';</script><style>p{color:red}</style><!-- 注释 -->"
        "<noscript>请启用脚本</noscript><template><p>模板</p></template>"
        "<select><option>省政府</option><option>市政府</option></select><svg><text>图</text></svg><p>正文二</p>",
        head="<script>var b = 1;</script><style>.x{}</style><meta name='k' content='关键词'>",
    )
    assert extract(page) == "正文一\n正文二"


def test_blocks_and_br_are_lines_and_inline_elements_are_not() -> None:
    page = _page(
        "<div>甲<span>乙</span><b>丙</b></div><p>一<br>二<br/><br>三</p><ul><li>项一</li><li>项二</li></ul>"
        "<h1>标题</h1><section>节</section><article>文</article><footer>脚</footer><nav>导航</nav>"
    )
    assert extract(page).split("\n") == ["甲乙丙", "一", "二", "三", "项一", "项二", "标题", "节", "文", "脚", "导航"]


def test_entities_and_spaces() -> None:
    page = _page(
        "<p>A&amp;B &lt;c&gt; &ldquo;引号&rdquo; &#x6574;&#25913;</p><p>&nbsp;&nbsp;缩进</p><p>\u3000\u3000全角</p>"
        "<p>  many   spaces\tand\ttabs  </p><p>整改\n   工作</p><p>word\nwrap</p><p>&nbsp;</p>"
    )
    assert extract(page).split("\n") == [
        "A&B <c> “引号” 整改",
        "\xa0\xa0缩进",  # kept as written, as the text path keeps them: folded for matching only
        "\u3000\u3000全角",
        "many spaces and tabs",
        "整改工作",  # a source line break between Chinese characters is no space
        "word wrap",
    ]


def test_pre_keeps_its_line_breaks() -> None:
    assert extract(_page("<pre>第一行\n第二行</pre>")) == "第一行\n第二行"


def test_the_issue_header_table_gives_the_text_layout_header() -> None:
    table = (
        "<table><tr><th>索 引 号</th><td>000014349/2021-01096</td><th>主题分类</th><td>其他</td></tr>"
        "<tr><th>发布机构</th><td>东胜区政务服务局</td><th>文 号</th><td></td></tr>"
        "<tr><th>成文日期</th><td>2021-11-04</td><th>公文时效</th><td>正常</td></tr></table>"
    )
    text = "索 引 号 | 000014349/2021-01096 | 主题分类 | 其他 |\n发布机构 | 东胜区政务服务局 | 文 号 | |\n"
    text += "成文日期 | 2021-11-04 | 公文时效 | 正常 |"
    assert extract(_page(table)) == text
    body = "<p>关于整改情况的报告</p><p>一、整改情况</p><p>已按要求完成整改。</p>"
    from_html = rectify_parse.parse(_page(table + body)).header
    from_text = rectify_parse.parse(text + "\n关于整改情况的报告\n一、整改情况\n已按要求完成整改。").header
    assert from_html.to_dict() | {"spans": None} == from_text.to_dict() | {"spans": None}
    assert (from_html.index_no, from_html.category, from_html.publisher, from_html.validity) == (
        "000014349/2021-01096",
        "其他",
        "东胜区政务服务局",
        "正常",
    )


def test_a_definition_list_header_reads_as_label_and_value_lines() -> None:
    pairs = [("索引号", "11330000MB001/2023-00012"), ("发布机构", "某某县应急管理局"), ("成文日期", "2023-03-02")]
    header = "<dl>" + "".join(f"<dt>{label}：</dt><dd>{value}</dd>" for label, value in pairs) + "</dl>"
    notice = rectify_parse.parse(_page(header + "<h1>关于开展安全检查的通知</h1><p>请于3月底前完成自查。</p>"))
    h = notice.header
    assert (h.index_no, h.publisher, h.date_written) == ("11330000MB001/2023-00012", "某某县应急管理局", "2023-03-02")
    assert notice.title == "关于开展安全检查的通知"


def test_layout_tables_give_their_cells_as_lines() -> None:
    long_cell = "".join(f"<p>第{i}段。</p>" for i in range(12))
    page = _page(
        "<table><tr><td>网站首页</td></tr>"  # one cell: a layout row
        f"<tr><td><a>栏目</a></td><td>{long_cell}</td></tr>"  # a page column: more lines than a value has
        "<tr><td><table><tr><td>索引号</td><td>001</td></tr></table></td><td>旁注</td></tr>"  # a nested table
        "<tr><td>首页</td><td><h2>关于开展自查的通知</h2><p>请于月底前完成。</p></td></tr></table>"  # a heading
    )
    lines = extract(page).split("\n")
    assert lines[:3] == ["网站首页", "栏目", "第0段。"]
    assert lines[-5:] == ["索引号 | 001 |", "旁注", "首页", "关于开展自查的通知", "请于月底前完成。"]


def test_cells_with_several_lines_are_joined() -> None:
    cells = "<td>问题</td><td><p>一是甲;</p><p>二是乙。</p></td><td>a<br>b</td><td>2024<br>年</td>"
    assert extract(_page(f"<table><tr>{cells}</tr></table>")) == "问题 | 一是甲;二是乙。 | a b | 2024年 |"


def test_title_line_comes_first_unless_the_page_shows_it() -> None:
    head = "<title>关于开展安全检查的通知_某某县人民政府</title>"
    prefixed = extract(_page("<h1>政务服务丨关于开展安全检查的通知</h1><p>正文。</p>", head))
    assert prefixed == "关于开展安全检查的通知\n政务服务丨关于开展安全检查的通知\n正文。"
    for same in (head, "<title> 关于开展安全检查的通知 </title>"):
        assert extract(_page("<h1>关于开展安全检查的通知</h1><p>正文。</p>", same)) == "关于开展安全检查的通知\n正文。"
    # A page with no heading gets its title from <title>, the site's and column's names cut off.
    for title in [
        "关于开展安全检查的通知_某某县人民政府",
        "某某县人民政府-关于开展安全检查的通知",
        "关于开展安全检查的通知 - 某某县应急管理局",
        "关于开展安全检查的通知|某某县人民政府门户网站",
        "关于开展安全检查的通知_通知公告_某某县人民政府",
    ]:
        notice = rectify_parse.parse(_page("<p>各科室：</p><p>请于3月底前完成自查。</p>", f"<title>{title}</title>"))
        assert notice.title == "关于开展安全检查的通知", title
    year_range = "<title>关于印发《某某县2023-2025年行动计划》的通知</title>"
    assert extract(_page("<p>正文。</p>", year_range)).split("\n")[0] == "关于印发《某某县2023-2025年行动计划》的通知"
    assert rectify_parse.parse(_page("<p>各科室：</p><p>请自查。</p>", "<title>某某县人民政府网</title>")).title is None


# ---------------------------------------------------------------------------------------------------
# Detection and formats


@pytest.mark.parametrize(
    "text",
    [
        "<!DOCTYPE html><p>x</p>",
        "\ufeff  <!doctype HTML>\n<html>",
        "<html><body>x</body></html>",
        "<!-- saved by a crawler -->\n<html>",
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN">',
        "<head><meta charset=utf-8></head>",
        '<div class="TRS_Editor"><p style="text-indent:2em;font-family:仿宋">正文。</p><p style="x">二。</p></div>',
    ],
)
def test_pages_are_detected(text: str) -> None:
    assert looks_like_html(text)
    assert rectify_parse.parse(text).input_format == "html"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "关于开展安全检查的通知\n一、工作要求",
        "关于<b>整改</b>的报告<p>正文很长很长很长很长很长很长很长很长很长很长很长很长。",  # a few tags left in text
        "<p>\u3000\u3000当前正值秋粮生产关键时期，稻飞虱等病虫害进入发生高峰，县农业农村局决定开展统防统治。</p>",
        "<<关于整改的报告>>",
    ],
)
def test_text_stays_text(text: str) -> None:
    assert not looks_like_html(text)
    assert rectify_parse.parse(text).input_format == "text"


def test_the_text_fixture_with_tags_left_in_stays_text() -> None:
    assert _parse(FIXTURES / "damaged" / "noise_pinyin_html.txt").input_format == "text"


def test_format_can_be_forced_and_is_checked() -> None:
    raw = (HTML / "gov_xxgk.html").read_bytes()
    as_text = rectify_parse.parse(raw, format="text")
    assert as_text.input_format == "text" and rectify_parse.source_text(raw, format="text") == raw.decode("utf-8")
    assert rectify_parse.parse("关于整改的报告\n正文。", format="html").input_format == "html"
    with pytest.raises(rectify_parse.ConfigError, match="auto, text, html"):
        rectify_parse.parse(raw, format="xml")
    with pytest.raises(rectify_parse.InputTooLargeError):
        rectify_parse.parse(raw, max_chars=100)  # the decoded page counts, before any HTML is parsed


# ---------------------------------------------------------------------------------------------------
# Charsets


@pytest.mark.parametrize(
    ("head", "codec"),
    [
        (b'<meta charset="gbk">', "gb18030"),
        (b"<meta charset=GB2312>", "gb18030"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />', "gb18030"),
        (b"<META HTTP-EQUIV='content-type' CONTENT='text/html;charset=GB18030'>", "gb18030"),
        (b'<meta charset="utf-8">', "utf-8"),
        (b'<?xml version="1.0" encoding="UTF-8"?>', "utf-8"),
        (b'<meta charset="big5">', None),  # not one of ours: the decoder decides
        (b"<p>charset=gbk</p>", None),  # not a declaration
        (b"<!--" + b"x" * 5000 + b'--><meta charset="gbk">', None),  # past the first 4 KB
    ],
)
def test_declared_charset(head: bytes, codec: str | None) -> None:
    assert declared_charset(b"<html><head>" + head + b"</head>") == codec


# A short GBK run that is also valid UTF-8 (and reads as symbols there): only the declaration can tell.
_AMBIGUOUS = "鈪⑩渽檀赂".encode("gbk")


def test_a_declaration_settles_bytes_valid_in_both_charsets() -> None:
    assert _AMBIGUOUS.decode("utf-8") == "Ⅲ✅̴¸"
    assert decode(_AMBIGUOUS) == ("Ⅲ✅̴¸", "utf-8")
    assert decode(_AMBIGUOUS, declared="gb18030") == ("鈪⑩渽檀赂", "gb18030")
    page = b'<html><head><meta charset="gbk"></head><body><p>' + _AMBIGUOUS + b"</p></body></html>"
    assert rectify_parse.source_text(page) == "鈪⑩渽檀赂"
    assert rectify_parse.parse(page).encoding == "gb18030"
    assert rectify_parse.source_text(page, format="text").startswith("<html>")  # text: no declaration read
    # UTF-8 whose bytes also read as Chinese in GB18030 stays UTF-8 when it says so.
    latin = "café résumé".encode()
    assert decode(latin) == ("caf茅 r茅sum茅", "gb18030")
    assert decode(latin, declared="utf-8") == ("café résumé", "utf-8")


def test_a_stale_declaration_does_not_garble_the_page() -> None:
    """A crawler saved the page as UTF-8 and kept its ``charset=gb2312``; GBK bytes declared UTF-8."""
    body = "<p>关于开展安全检查的通知</p><p>请各单位于3月底前完成自查。</p>"
    utf8 = ('<html><head><meta charset="gb2312"></head><body>' + body + "</body></html>").encode()
    assert (rectify_parse.parse(utf8).encoding, rectify_parse.source_text(utf8).split("\n")[0]) == (
        "utf-8",
        "关于开展安全检查的通知",
    )
    gbk = ('<html><head><meta charset="utf-8"></head><body>' + body + "</body></html>").encode("gbk")
    assert rectify_parse.parse(gbk).encoding == "gb18030"


# ---------------------------------------------------------------------------------------------------
# The command line and the batch


def _run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


def test_parse_with_source_gives_the_extracted_text() -> None:
    path = HTML / "gbk_table_layout.html"
    code, out = _run(["parse", "--with-source", str(path)])
    line = json.loads(out)
    assert code == EXIT_OK and line["record"]["input_format"] == "html"
    jsonschema.validate(line, line_schema())
    assert line["source"] == rectify_parse.source_text(path.read_bytes())
    s, e = line["record"]["title_span"]
    title = "石楼县水利局关于做好2021年农村饮水安全工程运行管护工作的通知"
    assert line["source"][s:e] == line["record"]["title"] == title
    code, out = _run(["parse", "--with-source", "--format", "text", str(path)])
    assert json.loads(out)["record"]["input_format"] == "text" and json.loads(out)["source"].startswith("<html>")
    assert _run(["parse", "--format", "xml", str(path)])[0] == EXIT_USAGE


def test_batch_reads_pages_and_text_together(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    argv = ["batch", str(HTML), str(FIXTURES / "rectify_fullwidth.txt"), "--glob", "*.html", "-o", str(out)]
    assert _run([*argv, "--quiet", "--workers", "1"])[0] == EXIT_OK
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [Path(line["id"]).name for line in lines] == [*PAGES, "rectify_fullwidth.txt"]
    assert [line["record"]["input_format"] for line in lines] == ["html"] * len(PAGES) + ["text"]
    assert lines[PAGES.index("gov_xxgk.html")]["record"] == _parse(HTML / "gov_xxgk.html").to_dict()
    assert _run([*argv, "--quiet", "--format", "text"])[0] == EXIT_OK
    forced = [json.loads(line)["record"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert {record["input_format"] for record in forced} == {"text"}


def test_parse_many_takes_the_format() -> None:
    page = (HTML / "news_meta.html").read_bytes()
    auto, text = (next(rectify_parse.parse_many([("p", page)], format=f)) for f in ("auto", "text"))
    assert (auto["record"]["input_format"], text["record"]["input_format"]) == ("html", "text")
    assert auto["record"]["title"] == "县委第二轮巡察集中反馈会议召开"
    with pytest.raises(rectify_parse.ConfigError):
        next(rectify_parse.parse_many([("p", page)], format="pdf"))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------
# The issue's page: the example notice saved as HTML


def test_the_example_notice_saved_as_a_page(seed_path: Path) -> None:
    lines = rectify_parse.decode(seed_path.read_bytes())[0].splitlines()
    rows = []
    for line in lines[:9]:  # the header, as th/td table rows
        cells = [c.strip() for c in line.split("|")][: max(2, line.count("|"))]
        row = "".join(f"<th>{c}</th>" if k % 2 == 0 else f"<td>{c}</td>" for k, c in enumerate(cells))
        rows.append(f"<tr>{row}</tr>")
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines[9:] if line.strip())
    title = "东胜区政务服务局关于优化营商环境专项巡察整改情况的报告"
    page = (
        f"<!DOCTYPE html><html><head><title>{title}_东胜区人民政府</title><style>.nav a{{margin:0 8px}}</style>"
        "<script>function share(){ var u = location.href; return u.replace(/#.*/, ''); }</script></head><body>"
        "<div class='nav'><a>首页</a><a>政务公开</a><a>政务服务</a></div><div>当前位置：首页 > 政务公开</div>"
        f"<table class='xxgk'>{''.join(rows)}</table><h1>{title}</h1><div class='content'>{body}</div>"
        "<div class='footer'>主办单位：东胜区人民政府办公室</div></body></html>"
    )
    notice = rectify_parse.parse(page.encode("utf-8"))
    text = rectify_parse.parse(seed_path.read_bytes())
    assert notice.input_format == "html" and notice.title == title
    assert notice.header.to_dict() | {"spans": None} == text.header.to_dict() | {"spans": None}
    assert notice.header.index_no == "000014349/2021-01096" and notice.header.validity == "正常"
    assert len(notice.problems) == 8
    assert [(p.number, p.title, p.status, p.measures) for p in notice.problems] == [
        (p.number, p.title, p.status, p.measures) for p in text.problems
    ]
    assert [(v.kind, v.before, v.after) for v in notice.duplicates.variants] == [("wording", "增强", "提高")]
    assert "function" not in notice.text and "margin" not in notice.text and "DOCTYPE" not in notice.text
    assert_spans_consistent(notice, rectify_parse.source_text(page))


# ---------------------------------------------------------------------------------------------------
# Hostile markup


_HOSTILE = [
    "<table><tr><td>a<td>b<tr><td>c",  # unclosed rows and cells
    "<table>" * 3000 + "<tr><td>深" + "</td></tr>" * 10,  # unclosed nested tables
    "<div>" * 20000 + "深层" + "</div>" * 5,  # nesting far past any recursion limit
    "<div><p>层" * 6000 + "</div>" * 6000,  # nested past the depth where block containers are read as <p>
    "<p title='" + "x" * 1_000_000 + "'>属性很长</p>",  # a huge attribute
    "<p>未闭合的<b><i><u>标签</p></b>正文<//p><p <p>>>",  # misnested and malformed tags
    "<!-- 注释没有结束 <p>正文</p>",
    "<script>没有结束的脚本 <p>正文</p>",
    "<html><body>\x00\x01\x7f\ufffd\ud800<p>\x0b\x0c正文</p>",  # control characters, a lone surrogate
    "<td>索引号</td><td>1</td>" * 5000,  # cells outside any table
    "<br>" * 50000,
    "<table><tr>" + "<td>格</td>" * 20000 + "</tr></table>",  # one row of 20,000 cells
    "&#0;&#xD800;&#x110000;&#99999999999;&amp&lt&gt&nbsp&unknown;",  # bad character references
]


@pytest.mark.parametrize("page", _HOSTILE, ids=range(len(_HOSTILE)))
def test_hostile_markup_gives_a_record(page: str) -> None:
    notice = rectify_parse.parse(page, format="html")
    assert notice.input_format == "html"
    assert_spans_consistent(notice, rectify_parse.source_text(page, format="html"))
    notice.to_dict()


def test_binary_junk_gives_a_record_or_a_decode_error() -> None:
    junk = b'<html><head><meta charset="gbk"></head><body>' + bytes(range(256)) * 40 + b"</body></html>"
    with pytest.raises(rectify_parse.DecodeError, match="tried"):
        rectify_parse.parse(junk)
    with pytest.raises(rectify_parse.DecodeError):
        rectify_parse.parse(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, format="html")


def test_deep_blocks_read_as_paragraphs_give_the_same_lines() -> None:
    for depth in (4000, 6000):  # below and above the depth where block containers become <p>
        page = "<div>行<section>节" * (depth // 2) + "</section></div>" * (depth // 2)
        assert extract(page) == "\n".join(["行", "节"] * (depth // 2))


@pytest.mark.parametrize(
    "unit",
    [
        "<div>",
        "<section><span>",
        "<ul><li>",
        "<table><tr><td>深",  # layout tables nested: each level's cells held, not copied
        "<table><tr><td>a</td><td>b<table><tr><td>",
        "<p>整改",
        "<td>a</td>",
        "<!--",
        "<b>",
    ],
)
def test_hostile_markup_costs_linear_time(unit: str) -> None:
    """Timed at n and 4n characters, as tests/test_hostile.py times the text path: linear work grows 4x."""
    small = unit * (100_000 // len(unit))
    assert _seconds(small * 4, "html") / max(_seconds(small, "html"), 1e-3) < 8


_TAGS = st.sampled_from(["<p>", "</p>", "<table>", "<tr>", "<td>", "</td>", "<th>", "<br>", "<div>", "</div>",
                         "<script>", "</script>", "<title>", "<pre>", "<!--", "-->", "&nbsp;", "&amp;", "<h1>",
                         "索引号：", "整改进度：已完成。", "1.", "一、", "|", "\n", "关于整改的报告", "<span>",
                         "</span>", "<a>", "</a>", "来源：", "【大 中 小】",
                         '<meta name="PubDate" content="2023-01-02">', '<meta name="ContentSource" content="某局">',
                         '<meta name="ArticleTitle" content="关于整改的报告">'])  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TAGS | st.text(max_size=6), max_size=60).map("".join))
def test_any_markup_parses_and_spans_hold(page: str) -> None:
    notice = rectify_parse.parse(page, format="html")
    assert_spans_consistent(notice, rectify_parse.source_text(page, format="html"))


# -- inline elements side by side ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line"),
    [
        # A field, then a widget written against it: the widget is no part of the source.
        (
            "<div><span>信息来源：青山市审计局</span><span>【<a>大</a> <a>中</a> <a>小</a>】</span></div>",
            "信息来源：青山市审计局 【大 中 小】",
        ),
        # A meta row's fields one against the other, a counter's number in its own element.
        (
            "<div><span>发布时间：2023-05-06</span><span>来源：青山市审计局</span><span>浏览：<em>3</em></span></div>",
            "发布时间：2023-05-06 来源：青山市审计局 浏览：3",
        ),
        (
            "<div><span>来源：青山市审计局</span><a>打印本页</a><a>关闭窗口</a></div>",
            "来源：青山市审计局 打印本页 关闭窗口",
        ),
        ("<nav><a href='/'>首页</a><a href='/x'>信息公开</a><a>互动交流</a></nav>", "首页 信息公开 互动交流"),
        # Words a site splits across elements stay whole, labels too.
        ("<p><span>整改</span><span>情况</span></p>", "整改情况"),
        ("<div><span>信息</span><span>来源：某局</span></div>", "信息来源：某局"),
        (
            "<p><span>已完成。</span><b>整改措施：</b><span>一是加强管理。</span></p>",
            "已完成。整改措施：一是加强管理。",
        ),
        ("<p><span>问题：学习不深入</span><span>整改时间：2023年</span></p>", "问题：学习不深入整改时间：2023年"),
        ("<p><b>一、</b><span>总体情况</span></p>", "一、总体情况"),
        # Space already there, or text between the elements: nothing added.
        ("<div><span>来源：某局</span> <span>【大 中 小】</span></div>", "来源：某局 【大 中 小】"),
        ("<div><span>来源：某局</span>|<span>日期：2023-01-02</span></div>", "来源：某局|日期：2023-01-02"),
    ],
)
def test_inline_elements_a_browser_shows_apart_are_read_apart(body: str, line: str) -> None:
    assert extract(_page(body)) == line


def test_a_field_glued_to_a_widget_gives_the_source_alone() -> None:
    page = _page(
        "<h1>关于开展审计整改工作的通知</h1>"
        "<div><span>信息来源：青山市审计局</span><span>【<a>大</a> <a>中</a> <a>小</a>】</span></div>"
        "<p>各单位：</p><p>为做好审计整改工作，现将有关事项通知如下。</p>"
    )
    notice = rectify_parse.parse(page)
    assert notice.header.source == "青山市审计局"
    assert notice.title == "关于开展审计整改工作的通知"
    assert_spans_consistent(notice, rectify_parse.source_text(page))


# -- the <meta> tags of government site systems --------------------------------------------------------------

_META_HEAD = (
    '<meta name="SiteName" content="青山市人民政府"><meta name="ColumnName" content="工作动态">'
    '<meta name="ArticleTitle" content="青山市召开审计整改推进会">'
    '<meta name="PubDate" content="2023-05-06 10:20"><meta name="ContentSource" content="青山市审计局">'
    "<title>青山市召开审计整改推进会_工作动态_青山市人民政府</title>"
)
_NEWS = (
    "<div class='nav'><a href='/'>首页</a><a href='/gzdt'>工作动态</a></div>"
    "<div class='content'><p>5月5日，青山市召开审计整改推进会，通报审计查出问题整改情况。</p>"
    "<p>会议要求各单位压实整改责任，确保问题按期整改到位。</p></div>"
)


def test_meta_tags_give_what_the_page_does_not_show_and_say_so() -> None:
    page = _page(_NEWS, _META_HEAD)
    notice = rectify_parse.parse(page)
    source = rectify_parse.source_text(page)
    assert notice.title == "青山市召开审计整改推进会"
    assert source.split("\n")[0] == notice.title  # the head's line, in the text the spans index
    assert notice.header.date_published == "2023-05-06"
    assert notice.header.source == "青山市审计局"
    # Not in the extracted text: no span, the tag's content as written in raw, a warning naming the tag.
    assert "date_published" not in notice.header.spans and "source" not in notice.header.spans
    assert notice.header.raw["date_published"] == "2023-05-06 10:20"
    head = {w.message.split(" read from ")[0]: w for w in notice.warnings if w.code == "from_head"}
    assert set(head) == {"title", "date_published", "source"}
    assert '<meta name="PubDate" content="2023-05-06 10:20">' in head["date_published"].message
    assert '<meta name="ArticleTitle">' in head["title"].message
    assert head["title"].span == notice.title_span and head["date_published"].span is None
    assert_spans_consistent(notice, source)


def test_what_the_page_shows_wins_over_its_meta_tags() -> None:
    shown = "<h1>青山市召开审计整改推进会</h1><div><span>发布时间：2023-05-07</span> <span>来源：青山日报</span></div>"
    notice = rectify_parse.parse(_page(shown + _NEWS, _META_HEAD))
    assert (notice.header.date_published, notice.header.source) == ("2023-05-07", "青山日报")
    assert notice.title == "青山市召开审计整改推进会"
    assert [w for w in notice.warnings if w.code == "from_head"] == []
    # A date the page shows but that cannot be read stays the page's (bad_date), not the tag's.
    damaged = rectify_parse.parse(_page(shown.replace("2023-05-07", "2023年13月40日") + _NEWS, _META_HEAD))
    assert damaged.header.date_published is None and "bad_date" in {w.code for w in damaged.warnings}


def test_the_site_and_column_names_leave_the_title_and_lower_case_names_count() -> None:
    head = (
        '<meta name="sitename" content="青山市人民政府"><meta name="columnname" content="工作动态">'
        "<title>青山市召开审计整改推进会_工作动态_青山市人民政府</title>"
    )
    notice = rectify_parse.parse(_page(_NEWS, head))
    assert notice.title == "青山市召开审计整改推进会"  # no piece ends like a title: the names tell them apart
    assert any(w.code == "from_head" and "<title>" in w.message for w in notice.warnings)
    # Without the names the whole <title> is offered, as before.
    plain = rectify_parse.parse(_page(_NEWS, "<title>青山市召开审计整改推进会_工作动态_青山市人民政府</title>"))
    assert plain.title != "青山市召开审计整改推进会"


def test_empty_or_unreadable_meta_tags_are_ignored() -> None:
    head = '<meta name="PubDate" content=""><meta name="ContentSource" content="  "><meta name="ArticleTitle">'
    notice = rectify_parse.parse(_page(_NEWS, head + '<meta name="pubdate" content="不详">'))
    assert (notice.header.date_published, notice.header.source) == (None, None)
    assert [w.code for w in notice.warnings if w.code == "from_head"] == []


@settings(max_examples=200, deadline=None)
@given(
    st.text(st.sampled_from("整改情况报告关于问题已完成一二三年月日0123456789。，、（）"), min_size=1, max_size=30),
    st.lists(st.integers(0, 30), max_size=8),
)
def test_text_split_across_inline_elements_reads_as_the_text(text: str, cuts: list[int]) -> None:
    """However a site splits running text (no field, no widget) across inline elements, it reads whole."""
    points = sorted({0, len(text), *(c % (len(text) + 1) for c in cuts)})
    spans = "".join(f"<span>{text[a:b]}</span>" for a, b in itertools.pairwise(points))
    assert extract(_page(f"<p>{spans}</p>")) == extract(_page(f"<p>{text}</p>"))
