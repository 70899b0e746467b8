"""``rectify-parse export``: the tables hold the values of the batch output, typed, from any output shape."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from conftest import FIXTURES, ROOT
from outputs import REPORT_FIXTURES, batch_output, read_lines, write_lines
from rectify_parse.cli import main
from rectify_parse.errors import ConfigError, InputRecordError
from rectify_parse.export import PYARROW_MISSING, TABLES, arrow_schema, columns_markdown, export


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fixtures with copies (wording and punctuation variants), near-duplicate groups and problems."""
    tmp = tmp_path_factory.mktemp("export")
    return batch_output(tmp / "out.jsonl", REPORT_FIXTURES, FIXTURES / "corpus", FIXTURES / "status_kinds.txt")


def read_csv(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_tables_hold_the_records_values(output: Path, tmp_path: Path) -> None:
    lines = read_lines(output)
    problems = sum(
        len(line["record"]["problems"]) + sum(len(s["problems"]) for s in line["record"]["segments"]) for line in lines
    )
    measures = sum(len(p["measures"]) for line in lines for p in all_problems(line["record"]))
    assert export(output, tmp_path, "csv") == {
        "notices": 17,
        "problems": problems,
        "measures": measures,
        "variants": 2,
        "group_variants": 43,
    }
    notices = {row["id"]: row for row in read_csv(tmp_path / "notices.csv")}
    copy = notices[str(REPORT_FIXTURES / "copy_variant.txt")]
    assert copy["title"] == "榆岭县市场监督管理局关于巡察反馈问题整改情况的报告"
    assert copy["publisher"] == "榆岭县市场监督管理局"
    assert (copy["date_written"], copy["date_published"]) == ("2024-04-08", "2024-04-09")
    assert (copy["problems"], copy["sections"], copy["copies"]) == ("4", "6", "2")
    assert (copy["variants"], copy["wording_variants"], copy["group"], copy["error_type"]) == ("2", "1", "", "")
    member = notices[str(REPORT_FIXTURES / "site_b.txt")]
    assert member["near_duplicate_of"] == str(REPORT_FIXTURES / "site_a.txt")
    assert member["group"] == notices[str(REPORT_FIXTURES / "site_a.txt")]["group"] != ""
    variants = read_csv(tmp_path / "variants.csv")
    assert [(v["kind"], v["a"], v["b"], v["copy"]) for v in variants] == [
        ("wording", "增强", "提高", "1"),
        ("punctuation", "，", ",", "1"),
    ]
    source = (REPORT_FIXTURES / "copy_variant.txt").read_text(encoding="utf-8")
    assert all(source[int(v["a_start"]) : int(v["a_end"])] == v["a"] for v in variants)
    assert all(source[int(v["b_start"]) : int(v["b_end"])] == v["b"] for v in variants)
    # Cross-site differences, one row each: the planted word of each corpus group, a3's punctuation.
    grouped = read_csv(tmp_path / "group_variants.csv")
    wording = [
        (Path(r["representative"]).name, Path(r["member"]).name, r["a"], r["b"])
        for r in grouped
        if r["kind"] == "wording"
    ]
    assert ("b1.txt", "b2.txt", "全面", "全力") in wording
    assert ("site_a.txt", "site_b.txt", "确保", "保证") in wording
    assert {r["kind"] for r in grouped if r["member"].endswith("a3.txt")} == {"punctuation", "wording"}
    assert all(r["group"] == notices[r["member"]]["group"] for r in grouped)
    assert all(notices[r["representative"]]["near_duplicate_of"] == "" for r in grouped)
    assert {(row["script"], row["same_template_as"], row["rewritten"]) for row in notices.values()} == {
        ("simplified", "", "")
    }
    problems = [p for p in read_csv(tmp_path / "problems.csv") if p["notice_id"] == copy["id"]]
    assert [(p["number"], p["position"], p["title"], p["status_kind"], p["measures"]) for p in problems] == [
        ("1", "0", "理论学习不够系统", "completed", "2"),
        ("2", "1", "学习成果转化不足", "in_progress", "2"),
        ("1", "2", "抽检覆盖面偏窄", "completed", "2"),
        ("2", "3", "执法案卷归档不及时", "not_started", "2"),
    ]


def all_problems(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [*record["problems"], *(p for s in record["segments"] for p in s["problems"])]


def test_notices_carry_the_header_closing_and_addressee_values(output: Path, tmp_path: Path) -> None:
    export(output, tmp_path, "csv")
    notices = {Path(row["id"]).name: row for row in read_csv(tmp_path / "notices.csv")}
    keys = ("issuer", "source", "category", "validity", "addressee", "signature", "contact_phone", "text")
    assert [notices["site_b.txt"][k] for k in keys] == [
        "",
        "梧川市人民政府网",
        "",
        "",
        "各区县水务局，局属各单位",
        "梧川市水务局",
        "",
        "",  # the clean text only with --with-text
    ]
    assert [notices["status_kinds.txt"][k] for k in ("category", "validity", "contact_phone")] == [
        "其他",
        "有效",
        "0739-5208163",
    ]
    assert notices["b2.txt"]["issuer"] == "岚溪县应急管理局"
    assert all(row["text"] == "" for row in notices.values())


def test_with_text_the_notices_hold_every_documents_clean_text(tmp_path: Path) -> None:
    two = FIXTURES / "repeats" / "two_documents.txt"
    out = batch_output(tmp_path / "out.jsonl", two, REPORT_FIXTURES / "copy_variant.txt", options=())
    records = {Path(line["id"]).name: line["record"] for line in read_lines(out)}
    export(out, tmp_path / "c", "csv", text=True)
    export(out, tmp_path / "p", "parquet", text=True)
    rows = {Path(row["id"]).name: row for row in read_csv(tmp_path / "c" / "notices.csv")}
    parquet = {Path(row["id"]).name: row for row in pq.read_table(tmp_path / "p" / "notices.parquet").to_pylist()}
    second = records["two_documents.txt"]["segments"][0]["text"]
    assert second and rows["two_documents.txt"]["text"] == records["two_documents.txt"]["text"] + "\n" + second
    assert rows["copy_variant.txt"]["text"] == records["copy_variant.txt"]["text"]  # one copy only
    assert rows["copy_variant.txt"]["text"].count("理论学习不够系统") == 1
    assert {k: v["text"] for k, v in parquet.items()} == {k: v["text"] for k, v in rows.items()}


def test_measures_are_rows_that_join_their_problem(output: Path, tmp_path: Path) -> None:
    export(output, tmp_path, "csv")
    name = str(REPORT_FIXTURES / "copy_variant.txt")
    measures = [m for m in read_csv(tmp_path / "measures.csv") if m["notice_id"] == name]
    assert [(m["problem"], m["segment"], m["problem_number"], m["measure"]) for m in measures] == [
        ("0", "", "1", "1"),
        ("0", "", "1", "2"),
        ("1", "", "2", "1"),
        ("1", "", "2", "2"),
        ("2", "", "1", "1"),
        ("2", "", "1", "2"),
        ("3", "", "2", "1"),
        ("3", "", "2", "2"),
    ]
    assert [m["text"] for m in measures[:2]] == ["制定年度学习计划", "增强学习考核"]
    source = (REPORT_FIXTURES / "copy_variant.txt").read_text(encoding="utf-8")
    assert all(source[int(m["start"]) : int(m["end"])] == m["text"] for m in measures)
    # (notice_id, position) is the key: numbers repeat across aspects, positions do not.
    problems = {(p["notice_id"], p["position"]): p for p in read_csv(tmp_path / "problems.csv")}
    assert len(problems) == len(read_csv(tmp_path / "problems.csv"))
    for m in read_csv(tmp_path / "measures.csv"):
        assert problems[m["notice_id"], m["problem"]]["number"] == m["problem_number"]
    per_problem = Counter((m["notice_id"], m["problem"]) for m in read_csv(tmp_path / "measures.csv"))
    assert all(int(p["measures"]) == per_problem[key] for key, p in problems.items())


def test_measures_of_further_documents_name_their_segment(tmp_path: Path) -> None:
    problem = {"number": 1, "measures": ["一", "二"], "measure_spans": [[5, 6], [8, 9]]}
    record = {"problems": [{"number": 1, "measures": ["甲"]}], "segments": [{"problems": [problem]}]}
    export(write_lines(tmp_path / "o.jsonl", [{"id": "a", "record": record}]), tmp_path / "t", "csv")
    rows = [
        (m["problem"], m["segment"], m["measure"], m["text"], m["start"]) for m in read_csv(tmp_path / "t/measures.csv")
    ]
    assert rows == [("0", "", "1", "甲", ""), ("1", "0", "1", "一", "5"), ("1", "0", "2", "二", "8")]


def test_parquet_tables_have_the_declared_types_and_the_same_values_as_csv(output: Path, tmp_path: Path) -> None:
    export(output, tmp_path / "csv", "csv")
    export(output, tmp_path / "pq", "parquet", batch_rows=5)
    for table in TABLES:
        parquet = pq.read_table(tmp_path / "pq" / f"{table.name}.parquet")
        declared = arrow_schema(table)
        assert [(f.name, f.type, f.metadata) for f in parquet.schema] == [
            (f.name, f.type, f.metadata) for f in declared
        ]
        rows = read_csv(tmp_path / "csv" / f"{table.name}.csv")
        assert parquet.num_rows == len(rows)
        if table.name == "notices":  # 17 rows in row groups of at most 5: written in batches
            assert pq.ParquetFile(tmp_path / "pq" / "notices.parquet").num_row_groups == 4
        for got, want in zip(parquet.to_pylist(), rows, strict=True):
            assert {k: as_csv(v) for k, v in got.items()} == want
    notices = pq.read_table(tmp_path / "pq" / "notices.parquet").to_pylist()
    copy = next(n for n in notices if n["id"].endswith("copy_variant.txt"))
    assert copy["date_written"] == dt.date(2024, 4, 8) and copy["problems"] == 4 and copy["quality"] == 1.0


def as_csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def test_compact_and_fields_lines_give_empty_cells_not_errors(tmp_path: Path) -> None:
    compact = batch_output(tmp_path / "compact.jsonl", REPORT_FIXTURES, options=("--compact",))
    fields = batch_output(tmp_path / "fields.jsonl", REPORT_FIXTURES, options=("--fields", "title,problems"))
    export(compact, tmp_path / "c", "csv")
    variants = read_csv(tmp_path / "c" / "variants.csv")
    assert [(v["a"], v["b"], v["a_start"]) for v in variants] == [("增强", "提高", ""), ("，", ",", "")]
    measures = read_csv(tmp_path / "c" / "measures.csv")
    assert measures and all(m["text"] and m["start"] == m["end"] == "" for m in measures)
    export(fields, tmp_path / "f", "parquet")
    notices = pq.read_table(tmp_path / "f" / "notices.parquet").to_pylist()
    copy = next(n for n in notices if n["id"].endswith("copy_variant.txt"))
    assert copy["title"].startswith("榆岭县") and copy["problems"] == 4
    assert copy["publisher"] is None and copy["copies"] is None and copy["warning_codes"] is None
    assert pq.read_table(tmp_path / "f" / "variants.parquet").num_rows == 0
    assert pq.read_table(tmp_path / "f" / "measures.parquet").num_rows > 0  # problems were kept


def test_error_lines_are_rows_with_their_error(tmp_path: Path) -> None:
    lines = [{"id": "bad.txt", "error": {"type": "DecodeError", "message": "not text"}}]
    export(write_lines(tmp_path / "out.jsonl", lines), tmp_path / "t", "csv")
    (row,) = read_csv(tmp_path / "t" / "notices.csv")
    assert (row["id"], row["error_type"], row["error_message"], row["title"]) == (
        "bad.txt",
        "DecodeError",
        "not text",
        "",
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"id": "a", "record": {}}\n{oops\n', "line 2: not JSON"),
        (b'["a"]\n', "line 1: not an output line"),
        (b'{"id": "a", "record": {"header": {"date_written": "2023\xe5\xb9\xb4"}}}\n', "'date_written' expects date32"),
        (b'{"id": "a", "record": {"problems": 3}}\n', None),  # not a list: no problem rows, no count
        (b'{"id": "a", "record": {"problems": [{"measures": ["x", 3]}]}}\n', "'text' expects string"),
    ],
)
def test_a_foreign_line_is_a_clear_error_and_leaves_no_table(
    tmp_path: Path, content: bytes, message: str | None
) -> None:
    (tmp_path / "out.jsonl").write_bytes(content)
    if message is None:
        assert export(tmp_path / "out.jsonl", tmp_path / "t", "parquet")["problems"] == 0
        return
    with pytest.raises(InputRecordError, match=message):
        export(tmp_path / "out.jsonl", tmp_path / "t", "parquet")
    assert list((tmp_path / "t").iterdir()) == []


def test_odd_structures_and_empty_files(tmp_path: Path) -> None:
    line = {"id": "a", "record": {"problems": [1, {"number": 2}], "duplicates": {"variants": [3]}, "segments": [4]}}
    assert export(write_lines(tmp_path / "o.jsonl", [line]), tmp_path / "t", "csv") == {
        "notices": 1,
        "problems": 1,
        "measures": 0,
        "variants": 0,
        "group_variants": 0,
    }
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert export(tmp_path / "empty.jsonl", tmp_path / "e", "parquet") == {
        "notices": 0,
        "problems": 0,
        "measures": 0,
        "variants": 0,
        "group_variants": 0,
    }
    assert pq.read_table(tmp_path / "e" / "notices.parquet").schema.names[0] == "id"


def test_without_pyarrow_parquet_asks_for_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ConfigError, match=r"in a checkout of rectify-parse, pip install -e '\.\[parquet\]'; otherwise"):
        export(tmp_path / "missing.jsonl", tmp_path / "t", "parquet")
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["export", str(tmp_path / "x.jsonl"), "--to", "parquet", str(tmp_path / "t")]) == 2
    assert PYARROW_MISSING in err.getvalue()


def test_cli_exports_and_reports_rows(output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert main(["export", str(output), "--to", "csv", str(tmp_path / "t")], out=out) == 0
    assert out.getvalue().startswith("notices: 17 rows, problems: ")
    assert ", measures: " in out.getvalue() and "variants: 2 rows, group_variants: 43 rows (csv in" in out.getvalue()
    assert main(["export", str(output), "--to", "csv", "--with-text", str(tmp_path / "w")], out=out) == 0
    texts = {row["id"]: row["text"] for row in read_csv(tmp_path / "w" / "notices.csv")}
    assert texts[str(REPORT_FIXTURES / "site_a.txt")].startswith("梧川市水务局")
    assert main(["export", str(tmp_path / "none.jsonl"), "--to", "csv", str(tmp_path / "t")]) == 2
    assert "cannot read" in capsys.readouterr().err
    (tmp_path / "bad.jsonl").write_text("nope\n", encoding="utf-8")
    assert main(["export", str(tmp_path / "bad.jsonl"), "--to", "csv", str(tmp_path / "t")]) == 1
    assert "bad.jsonl line 1: not JSON" in capsys.readouterr().err
    assert main(["export", str(output), "--to", "xlsx", str(tmp_path / "t")]) == 2
    out = io.StringIO()
    assert main(["export", str(output), str(tmp_path / "default")], out=out) == 0  # without --to: CSV
    assert out.getvalue().endswith(f" rows (csv in {tmp_path / 'default'})\n")
    assert sorted(p.name for p in (tmp_path / "default").iterdir()) == [
        "group_variants.csv",
        "measures.csv",
        "notices.csv",
        "problems.csv",
        "variants.csv",
    ]


def test_readme_documents_the_columns_of_the_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- export-columns: start -->\n", 1)[1].split("<!-- export-columns: end -->", 1)[0]
    assert block == columns_markdown()


def test_a_hard_line_break_in_a_value_does_not_reach_its_csv_cell(tmp_path: Path) -> None:
    out = batch_output(tmp_path / "out.jsonl", FIXTURES / "audit_rectify.txt", options=())
    export(out, tmp_path / "tables", "csv")
    cells = [cell for row in read_csv(tmp_path / "tables" / "problems.csv") for cell in row.values()]
    assert any("涉及金额1.5万元" in cell for cell in cells)
    # Not even escaped inside the fields column's JSON text.
    assert not any("\n" in cell or "\r" in cell or "\\n" in cell for cell in cells)
