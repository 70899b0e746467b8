"""The line table: every line of a page classified once, and what each stage decided about it."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rectify_parse
from rectify_parse.cli import main
from rectify_parse.lines import line_form
from test_properties import notice_like

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

PAGE = (
    "某某县人民政府 | 关怀版 | 无障碍\n"
    "首页 > 政务公开 > 通知公告\n"
    "关于做好防汛工作的通知\n"
    "发布日期：2023-06-02 信息来源：县水利局\n"
    "各乡镇人民政府：\n"
    "一、加强值守\n"
    "汛期实行24小时值班，请认真落实。\n"
    "联系电话：0571-1234567\n"
    "县水利局\n"
    "2023年6月1日\n"
    "打印本页 关闭窗口\n"
)


def test_every_line_has_its_kind_rule_form_and_marker() -> None:
    rows = rectify_parse.explain_lines(PAGE)
    got = [(r.kind, r.rule, r.form, None if r.marker is None else r.marker.level) for r in rows]
    assert got == [
        ("chrome", "menu", None, None),  # the site's top bar: in context, before the title
        ("chrome", "breadcrumb", None, None),  # a named rule
        ("title", None, None, None),
        ("header", None, None, None),
        ("content", None, None, None),
        ("content", None, "marker", 1),
        ("content", None, None, None),
        ("content", None, "contact", None),
        ("content", None, None, None),
        ("content", None, "date", None),
        ("chrome", "widget_row", None, None),
        ("empty", None, None, None),
    ]
    assert [r.number for r in rows] == list(range(len(rows)))


def test_rows_show_the_line_models_role_probability_and_weighed_features() -> None:
    rows = rectify_parse.explain_lines(PAGE)
    by_text = {r.text.strip(): r for r in rows}
    # Lines the model reads: each has its most probable role, that role's probability and what weighed for it.
    assert by_text["首页 > 政务公开 > 通知公告"].role == "chrome"
    assert by_text["关于做好防汛工作的通知"].role == "title"
    assert by_text["发布日期：2023-06-02 信息来源：县水利局"].role == "header"
    assert by_text["打印本页 关闭窗口"].role == "chrome"
    assert by_text["2023年6月1日"].role == "closing"
    for row in rows:
        if row.role is None:
            assert row.probability is None and row.chrome_probability is None and row.weighed == ()
            continue
        assert row.probability is not None and row.chrome_probability is not None
        assert 0.2 <= row.probability <= 1.0 and 0.0 <= row.chrome_probability <= 1.0
        assert (row.role == "chrome") == (row.chrome_probability == row.probability)
        assert row.weighed and all(isinstance(name, str) for name, _ in row.weighed)
        weights = [abs(w) for _, w in row.weighed]
        assert weights == sorted(weights, reverse=True)
    # Running text and empty lines are the document's whatever the model says: it does not read them.
    assert by_text["汛期实行24小时值班，请认真落实。"].role is not None  # short: read
    assert all(r.role is None for r in rows if r.kind == "empty")


def test_rows_without_the_line_model_show_no_role() -> None:
    from rectify_parse import roles

    with roles.using_line_model(None):
        rows = rectify_parse.explain_lines(PAGE)
    assert all(r.role is None and r.probability is None and r.weighed == () for r in rows)
    assert [r.kind for r in rows][:3] == ["chrome", "chrome", "title"]  # the rules' decisions stand


def test_rows_agree_with_the_record() -> None:
    """A chrome row is in the record's boilerplate; the title row holds the record's title unless the
    header's 标题 gave it."""
    for path in sorted(FIXTURES.rglob("*.txt")):
        raw = path.read_bytes()
        notice = rectify_parse.parse(raw)
        rows = rectify_parse.explain_lines(raw)
        removed = {(b.span, b.text) for b in notice.boilerplate}
        for row in rows:
            if row.kind == "chrome":
                stripped = row.text.strip()
                start = row.span[0] + row.text.index(stripped)
                assert ((start, start + len(stripped)), stripped) in removed, (path.name, row)
        titles = [r for r in rows if r.kind == "title"]
        if titles and notice.title_span is not None and notice.title != notice.header.title:
            assert titles[0].span[0] <= notice.title_span[0] <= notice.title_span[1] <= titles[-1].span[1], path.name


def test_spans_of_an_html_page_index_its_extracted_text() -> None:
    page = "<html><body><p>首页 &gt; 政务公开</p><h1>关于做好防汛工作的通知</h1><p>各乡镇人民政府：</p></body></html>"
    source = rectify_parse.source_text(page)
    rows = rectify_parse.explain_lines(page)
    assert all(source[r.span[0] : r.span[1]] == r.text for r in rows)
    assert [r.kind for r in rows if r.text.strip()][:2] == ["chrome", "title"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300) | notice_like)
def test_rows_cover_the_source_in_order_and_point_at_their_text(text: str) -> None:
    source = rectify_parse.source_text(text)
    rows = rectify_parse.explain_lines(text)
    assert all(source[r.span[0] : r.span[1]] == r.text for r in rows)
    assert all(a.span[1] <= b.span[0] for a, b in itertools.pairwise(rows))
    assert all((r.kind == "chrome") == (r.rule is not None) for r in rows)


@pytest.mark.parametrize(
    ("line", "form"),
    [
        ("一、总体要求", "marker"),
        ("1.1 工作目标", "marker"),
        ("2023年6月1日", "date"),
        ("二〇二三年六月一日", "date"),
        ("联系电话：0571-1234567", "contact"),
        ("附件：1.整改清单", "attachment"),
        ("（此件公开发布）", "public_note"),
        ("特此通知。", "closing"),
        ("目录", "contents"),
        ("县水利局", None),
        ("一、", None),  # a bare marker is no heading
    ],
)
def test_line_forms(line: str, form: str | None) -> None:
    assert line_form(line) == form


def test_cli_lines_prints_one_row_per_line(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="gb18030")
    out = io.StringIO()
    assert main(["lines", str(path)], out=out) == 0
    rows = out.getvalue().splitlines()
    header = ["line", "kind", "class", "form", "level", "span", "text", "model", "chrome", "weighed"]
    assert rows[0].split("\t") == header
    assert all(len(row.split("\t")) == len(header) for row in rows)
    assert rows[2].split("\t")[1:3] == ["chrome:breadcrumb", "bad:menu"]
    assert rows[6].split("\t")[3:5] == ["marker", "1"]
    title = rows[3].split("\t")
    assert title[1] == "title" and title[7].startswith("title:") and float(title[8]) < 0.5
    assert title[9].split(" ")[0].count(":") >= 1  # feature:weight pairs
    assert len(rows) == 1 + len(PAGE.split("\n"))


def test_cli_lines_on_a_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lines", str(tmp_path / "absent.txt")], out=io.StringIO()) == 2
    assert "absent.txt" in capsys.readouterr().err
