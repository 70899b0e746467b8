"""``rectify-parse batch``: streaming, ordering, error records, resume, dedup, summary, exit codes."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gzip
import io
import json
import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rectify_parse
from rectify_parse import batch
from rectify_parse.batch import main_batch
from rectify_parse.batch.sources import InputSize
from rectify_parse.errors import ConfigError, ParseTimeoutError
from rectify_parse.records import Notice

FIXTURES = Path(__file__).parent.parent / "fixtures"
CORPUS = FIXTURES / "corpus"


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def record_of(path: Path) -> dict[str, Any]:
    return rectify_parse.parse(path.read_bytes()).to_dict()


def run(*args: str | Path) -> int:
    return main_batch([str(a) for a in args])


@pytest.fixture
def mixed_dir(tmp_path: Path) -> Path:
    """Good notices with a binary, an empty, an undecodable file and a broken link in the middle."""
    top = tmp_path / "in"
    (top / "d_sub").mkdir(parents=True)
    (top / "a_good.txt").write_bytes((CORPUS / "a1.txt").read_bytes())
    (top / "b_binary.txt").write_bytes(bytes(range(256)) * 4)  # binary under a text name
    (top / "c_empty.txt").write_bytes(b"")
    (top / "d_sub" / "e_good.txt").write_bytes((FIXTURES / "gb18030_notice.txt").read_bytes())
    (top / "f_undecodable.txt").write_bytes(b"\xff\xfe\xfd\x80\x81\x82" * 50)
    (top / "g_broken.txt").symlink_to(top / "missing.txt")
    (top / "h_good.txt").write_bytes((CORPUS / "b1.txt").read_bytes())
    return top


def test_bad_inputs_become_error_records_in_order(mixed_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert run(mixed_dir, "-o", out, "--workers", "1") == 1
    lines = read_lines(out)
    names = ["a_good.txt", "b_binary.txt", "c_empty.txt", "d_sub/e_good.txt", "f_undecodable.txt"]
    names += ["g_broken.txt", "h_good.txt"]
    assert [line["id"] for line in lines] == [os.path.join(mixed_dir, n) for n in names]
    errors = {Path(line["id"]).name: line["error"]["type"] for line in lines if "error" in line}
    assert errors == {
        "b_binary.txt": "DecodeError",
        "f_undecodable.txt": "DecodeError",
        "g_broken.txt": "InputReadError",
    }
    by_name = {Path(line["id"]).name: line for line in lines}
    assert by_name["a_good.txt"]["record"] == record_of(CORPUS / "a1.txt")
    assert by_name["e_good.txt"]["record"] == record_of(FIXTURES / "gb18030_notice.txt")
    assert by_name["e_good.txt"]["record"]["encoding"] == "gb18030"
    assert [w["code"] for w in by_name["c_empty.txt"]["record"]["warnings"]] == ["no_body"]
    assert "not text in any supported encoding" in by_name["b_binary.txt"]["error"]["message"]
    assert not (tmp_path / "out.jsonl.tmp").exists()


def test_a_missing_input_named_on_the_command_line_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    assert run(CORPUS / "s1.txt", tmp_path / "nope.txt", CORPUS / "s2.txt", "-o", out, "--workers", "1") == 2
    err = capsys.readouterr().err
    assert "no such input" in err and "nope.txt" in err
    assert not out.exists() and not (tmp_path / "out.jsonl.tmp").exists()


@pytest.mark.parametrize(
    ("name", "output"), [("dump.jsonl", "dump.jsonl"), ("a.txt", "a.txt"), ("o.jsonl.tmp", "o.jsonl")]
)
def test_an_output_that_is_an_input_is_refused_and_the_input_kept(tmp_path: Path, name: str, output: str) -> None:
    path = tmp_path / name
    content = (CORPUS / "a1.txt").read_bytes()
    path.write_bytes(content)
    assert run(path, "-o", tmp_path / output, "--workers", "1") == 2
    assert path.read_bytes() == content  # the input's bytes, unchanged


def test_a_glob_that_matches_nothing_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    assert run(CORPUS, "-o", out, "--glob", "*.nothing") == 2
    assert "no input files match --glob *.nothing" in capsys.readouterr().err
    assert not out.exists()


def test_blank_jsonl_lines_are_error_records_and_a_wrong_field_says_which_fields_there_are(tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text('{"id": "a", "body": "通知"}\n\n{"id": "b", "body": "通报"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run(dump, "-o", out, "--workers", "1") == 1
    lines = read_lines(out)
    assert [line["error"]["type"] for line in lines] == ["InputRecordError"] * 3
    assert "blank" in lines[1]["error"]["message"]
    assert "its fields: id, body; choose with --text-field" in lines[0]["error"]["message"]
    assert run(dump, "-o", out, "--workers", "1", "--text-field", "body") == 1  # the blank line still is an error
    assert [("record" in line) for line in read_lines(out)] == [True, False, True]


def test_the_summary_names_the_failing_inputs(mixed_dir: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    assert run(mixed_dir, "-o", tmp_path / "out.jsonl", "--workers", "1", "--summary", summary) == 1
    examples = json.loads(summary.read_text(encoding="utf-8"))["error_examples"]
    assert [(Path(e["id"]).name, e["type"]) for e in examples] == [
        ("b_binary.txt", "DecodeError"),
        ("f_undecodable.txt", "DecodeError"),
        ("g_broken.txt", "InputReadError"),
    ]
    assert all(e["message"] for e in examples)


def test_all_good_exits_zero(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert run(CORPUS, "-o", out, "--workers", "1", "--glob", "*.txt") == 0
    files = sorted(CORPUS.glob("*.txt"))
    lines = read_lines(out)
    assert [line["id"] for line in lines] == [str(p) for p in files]
    assert [line["record"] for line in lines] == [record_of(p) for p in files]
    assert all("near_duplicate_of" not in line for line in lines)


def test_jsonl_input(tmp_path: Path) -> None:
    notice = (CORPUS / "s1.txt").read_text(encoding="utf-8")
    source = tmp_path / "dump.jsonl"
    rows = [
        json.dumps({"url": "u1", "body": notice}, ensure_ascii=False),
        json.dumps({"body": notice}),  # no id: path:line
        '{"url": "u3", "body": ',  # not JSON
        "",  # blank: an input all the same, an error record
        json.dumps({"url": "u5", "title": "no body"}),
        json.dumps({"url": "u6", "body": 42}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"url": 8, "body": "详见附件。"}),
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run(source, "-o", out, "--text-field", "body", "--id-field", "url", "--workers", "1") == 1
    lines = read_lines(out)
    ids = ["u1", f"{source}:2", f"{source}:3", f"{source}:4", "u5", "u6", f"{source}:7", "8"]
    assert [line["id"] for line in lines] == ids
    assert lines[0]["record"] == lines[1]["record"] == rectify_parse.parse(notice).to_dict()
    assert [line.get("error", {}).get("type") for line in lines] == [None, None] + ["InputRecordError"] * 5 + [None]
    assert "not valid JSON" in lines[2]["error"]["message"]
    assert "line 4" in lines[3]["error"]["message"] and "is blank" in lines[3]["error"]["message"]
    assert "'body' is missing (its fields: url, title;" in lines[4]["error"]["message"]
    assert "'body' is an int, not a string" in lines[5]["error"]["message"]
    assert "not an object" in lines[6]["error"]["message"]


PAGE = (
    "<!DOCTYPE html><html><head><title>关于做好防汛工作的通知_某县人民政府</title></head><body>"
    "<h1>关于做好防汛工作的通知</h1><p>各乡镇：</p><p>请做好防汛工作。</p></body></html>"
)
TEXT = "关于做好防汛工作的通知\n各乡镇：\n请做好防汛工作。"


def test_text_fields_are_tried_in_order_and_each_line_is_told_page_or_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dump mixing both: --text-field html,text reads whichever a line holds (a blank or null html gives way
    to the text), and --format auto tells a page from text line by line."""
    rows = [
        {"id": "page", "html": PAGE, "text": "摘要"},
        {"id": "text", "text": TEXT},
        {"id": "null_html", "html": None, "text": TEXT},
        {"id": "blank_html", "html": "  ", "text": TEXT},
        {"id": "blank_both", "html": "", "text": ""},
        {"id": "neither", "html": None, "url": "u"},
        {"id": "not_text", "html": ["<p>"], "text": 3},
    ]
    dump = tmp_path / "dump.jsonl"
    dump.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run(dump, "-o", out, "--workers", "1", "--text-field", "html,text", "--quiet") == 1
    lines = read_lines(out)
    assert [line["id"] for line in lines] == [r["id"] for r in rows]
    assert lines[0]["record"] == rectify_parse.parse(PAGE).to_dict()
    assert lines[0]["record"]["input_format"] == "html"
    assert lines[1]["record"] == lines[2]["record"] == lines[3]["record"] == rectify_parse.parse(TEXT).to_dict()
    assert lines[1]["record"]["input_format"] == "text"
    assert [w["code"] for w in lines[4]["record"]["warnings"]] == ["no_body"]  # blank in both: an empty notice
    assert lines[5]["error"] == {
        "type": "InputRecordError",
        "message": f"line 6 of {dump}: no text field holds the notice: 'html' is null, 'text' is missing "
        "(its fields: id, html, url; choose with --text-field, several separated by commas)",
    }
    assert lines[6]["error"]["message"] == (
        f"line 7 of {dump}: no text field holds the notice: 'html' is a list, not a string, "
        "'text' is an int, not a string"
    )


def test_a_null_text_field_says_it_is_null(tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"id": "a", "html": None, "text": TEXT}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run(dump, "-o", out, "--workers", "1", "--text-field", "html", "--quiet") == 1
    assert read_lines(out)[0]["error"]["message"] == f"line 1 of {dump}: text field 'html' is null"


@pytest.mark.parametrize("names", ["html,", ",text", "html,,text", " "])
def test_an_empty_text_field_name_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], names: str
) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"id": "a", "text": TEXT}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run(dump, "-o", tmp_path / "out.jsonl", "--text-field", names) == 2
    assert "holds an empty name" in capsys.readouterr().err
    options = batch.BatchOptions(inputs=[str(dump)], output=str(tmp_path / "o.jsonl"), text_field=names)
    with pytest.raises(ConfigError, match="empty name"):
        batch.run_batch(options)


def test_jsonl_line_too_long_is_skipped_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "dump.jsonl"
    rows = [json.dumps({"id": "big", "text": "长" * 500}), json.dumps({"id": "ok", "text": "详见附件。"})]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    big_file = tmp_path / "big.txt"
    big_file.write_text("长" * 500, encoding="utf-8")
    read = []
    monkeypatch.setattr(batch.sources, "read_file", lambda path: read.append(path) or b"")
    monkeypatch.setattr(batch.sources, "LINE_ALLOWANCE", 0)
    monkeypatch.setattr(batch.sources, "FILE_ALLOWANCE", 0)
    out = tmp_path / "out.jsonl"
    # A file of 200 bytes at most, a line of 300.
    assert run(source, big_file, "-o", out, "--workers", "1", "--max-chars", "50") == 1
    lines = read_lines(out)
    assert [line["id"] for line in lines] == [f"{source}:1", "ok", str(big_file)]
    assert [line.get("error", {}).get("type") for line in lines] == ["InputTooLargeError", None, "InputTooLargeError"]
    assert lines[0]["error"]["message"].startswith(f"line 1 of {source} is longer than 300 bytes, 6 bytes for each")
    assert lines[2]["error"]["message"].startswith("file has 1500 bytes; the limit is 200")
    assert all("--max-chars" in lines[k]["error"]["message"] for k in (0, 2))
    assert read == []  # the large file was never read


def test_max_chars_limits_every_input_of_a_run(tmp_path: Path) -> None:
    top = tmp_path / "in"
    top.mkdir()
    (top / "a_short.txt").write_text("关于防汛的通知", encoding="utf-8")  # 7 characters
    (top / "b_long.txt").write_text("关于做好防汛工作的通知", encoding="utf-8")  # 11 characters, 33 bytes
    (top / "c_long.txt.gz").write_bytes(gzip.compress("关于做好防汛工作的通知".encode()))
    short, long = {"id": "j_short", "text": "关于防汛的通知", "html": None}, {"id": "j_long", "text": "一" * 11}
    (top / "d.jsonl").write_text(json.dumps(short) + "\n" + json.dumps(long) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run(top, "-o", out, "--workers", "2", "--max-chars", "10", "--quiet") == 1
    lines = {line["id"].rsplit("/", 1)[-1]: line for line in read_lines(out)}
    assert sorted(k for k, line in lines.items() if "record" in line) == ["a_short.txt", "j_short"]
    for name in ("b_long.txt", "c_long.txt.gz", "j_long"):
        error = lines[name]["error"]
        assert error["type"] == "InputTooLargeError"
        assert error["message"] == (
            "input has 11 characters; the limit is 10 (raise it with max_chars=, or --max-chars on the command line)"
        )
    assert run(top, "-o", out, "--workers", "1", "--max-chars", "11", "--quiet") == 0
    options = batch.BatchOptions(inputs=[str(top)], output="-", max_chars=0)
    with pytest.raises(ConfigError, match="max_chars must be at least 1"):
        batch.run_batch(options, out=io.StringIO())


def test_parse_many_takes_max_chars(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("关于做好防汛工作的通知", encoding="utf-8")
    items = [("short", "关于防汛的通知"), ("long", "关于做好防汛工作的通知"), ("file", tmp_path / "long.txt")]
    found = [(o["id"], o.get("error", {}).get("type")) for o in rectify_parse.parse_many(items, max_chars=10)]
    assert found == [("short", None), ("long", "InputTooLargeError"), ("file", "InputTooLargeError")]
    assert all("error" not in o for o in rectify_parse.parse_many(items, max_chars=11))


@pytest.mark.parametrize("value", ["0", "-3", "abc"])
def test_max_chars_must_be_a_positive_number(tmp_path: Path, value: str) -> None:
    assert run(CORPUS, "-o", tmp_path / "out.jsonl", "--max-chars", value) == 2


def test_workers_give_identical_output(tmp_path: Path) -> None:
    one, two, three = tmp_path / "one.jsonl", tmp_path / "two.jsonl", tmp_path / "three.jsonl"
    common = [FIXTURES, "--glob", "*.txt", "--chunk-size", "2", "--quiet"]
    assert run(*common, "-o", one, "--workers", "1") == 0
    assert run(*common, "-o", two, "--workers", "2") == 0
    assert run(*common, "-o", three, "--workers", "3") == 0
    assert one.read_bytes() == two.read_bytes() == three.read_bytes()
    assert len(read_lines(one)) == len(list(FIXTURES.rglob("*.txt")))


@pytest.mark.parametrize("extra", [[], ["--dedup"]], ids=["plain", "dedup"])
def test_resume_drops_partial_line_and_matches_clean_run(tmp_path: Path, extra: list[str]) -> None:
    first_pass, clean = tmp_path / "first.jsonl", tmp_path / "clean.jsonl"
    assert run(CORPUS, "-o", first_pass, "--workers", "1") == 0  # the .tmp holds lines without near_duplicate_of
    assert run(CORPUS, "-o", clean, "--workers", "1", *extra) == 0
    lines = first_pass.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = 5
    partial = lines[kept][: len(lines[kept]) // 2]
    (tmp_path / "out.jsonl.tmp").write_text("".join(lines[:kept]) + partial, encoding="utf-8")
    out, summary = tmp_path / "out.jsonl", tmp_path / "summary.json"
    assert run(CORPUS, "-o", out, "--workers", "1", "--resume", "--summary", summary, *extra) == 0
    assert out.read_bytes() == clean.read_bytes()
    assert not (tmp_path / "out.jsonl.tmp").exists()
    assert json.loads(summary.read_text(encoding="utf-8"))["resumed"] == kept


def test_interrupted_run_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = tmp_path / "clean.jsonl"
    assert run(CORPUS, "-o", clean, "--workers", "1", "--quiet") == 0
    real = batch.process_item
    seen: list[str] = []

    def interrupt_at_fifth(item: batch.Item, keep_text: bool, limit: float | None = None) -> batch.Result:
        seen.append(item.id)
        if len(seen) == 5:
            raise KeyboardInterrupt
        return real(item, keep_text, limit)

    out = tmp_path / "out.jsonl"
    monkeypatch.setattr(batch.running, "process_item", interrupt_at_fifth)
    assert run(CORPUS, "-o", out, "--workers", "1", "--chunk-size", "1", "--quiet") == 3
    assert not out.exists()
    assert len((tmp_path / "out.jsonl.tmp").read_text(encoding="utf-8").splitlines()) == 4
    monkeypatch.setattr(batch.running, "process_item", real)
    assert run(CORPUS, "-o", out, "--workers", "1", "--resume", "--quiet") == 0
    assert out.read_bytes() == clean.read_bytes()


def test_resume_refuses_a_tmp_of_other_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    (tmp_path / "out.jsonl.tmp").write_text('{"id": "elsewhere.txt", "error": {"type": "X", "message": ""}}\n')
    assert run(CORPUS, "-o", out, "--workers", "1", "--resume") == 3
    assert "belongs to another run" in capsys.readouterr().err
    assert not out.exists()


def test_dedup_groups_the_corpus(tmp_path: Path) -> None:
    expected = json.loads((CORPUS / "groups.json").read_text(encoding="utf-8"))
    out, summary_path = tmp_path / "out.jsonl", tmp_path / "summary.json"
    assert run(CORPUS, "--glob", "*.txt", "-o", out, "--dedup", "--summary", summary_path, "--workers", "1") == 0
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    stem = {str(CORPUS / f"{name}.txt"): name for name in [n for g in expected["groups"] for n in g]}
    stem.update({str(CORPUS / f"{name}.txt"): name for name in expected["singletons"]})
    groups = [[stem[i] for i in g["ids"]] for g in summary["groups"]]
    assert sorted(sorted(g) for g in groups) == sorted(sorted(g) for g in expected["groups"])
    assert summary["near_duplicate_groups"] == 2
    representative = {stem[m]: stem[g["representative"]] for g in summary["groups"] for m in g["ids"]}
    assert representative == {"a1": "a2", "a2": "a2", "a3": "a2", "b1": "b1", "b2": "b1"}
    assert all(g["ids"][0] == g["representative"] and 0.9 <= g["similarity"] <= 1 for g in summary["groups"])
    got = {stem[line["id"]]: line["near_duplicate_of"] for line in read_lines(out)}
    want = {name: None for name in stem.values()}
    want.update({name: str(CORPUS / f"{rep}.txt") for name, rep in representative.items() if name != rep})
    assert got == want
    assert [line["record"] for line in read_lines(out)] == [record_of(p) for p in sorted(CORPUS.glob("*.txt"))]


def test_dedup_indexes_a_repeated_id_by_position(tmp_path: Path) -> None:
    source = tmp_path / "dump.jsonl"
    texts = [(CORPUS / f"{n}.txt").read_text(encoding="utf-8") for n in ("a2", "a2", "a1", "s1")]
    rows = [json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in zip("xxyz", texts, strict=True)]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out, summary_path = tmp_path / "out.jsonl", tmp_path / "summary.json"
    assert run(source, "-o", out, "--dedup", "--summary", summary_path, "--workers", "1") == 0
    assert [(line["id"], line["near_duplicate_of"]) for line in read_lines(out)] == [
        ("x", None),
        ("x", "x"),
        ("y", "x"),
        ("z", None),
    ]
    groups = json.loads(summary_path.read_text(encoding="utf-8"))["groups"]
    assert [(g["ids"], g["representative"]) for g in groups] == [(["x", "x#2", "y"], "x")]


def test_summary_file(mixed_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, summary_path = tmp_path / "out.jsonl", tmp_path / "summary.json"
    repeats = sorted((FIXTURES / "repeats").glob("*.txt"))
    assert run(mixed_dir, *repeats, "-o", out, "--summary", summary_path, "--workers", "1") == 1
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    records = [record_of(p) for p in repeats]
    assert summary["notices"] == 7 + len(repeats) == len(read_lines(out))
    assert summary["errors_by_type"] == {"DecodeError": 2, "InputReadError": 1}
    assert summary["errors"] == 3
    assert summary["parsed"] == summary["notices"] - 3
    assert summary["pages_with_copies"] == sum(len(r["duplicates"]["copies"]) > 1 for r in records) == 3
    wording = sum(v["kind"] == "wording" for r in records for v in r["duplicates"]["variants"])
    assert summary["wording_variants"] == wording > 0
    assert summary["warnings_by_code"]["no_body"] >= 1
    assert summary["warnings_by_code"]["second_document"] == 1
    assert summary["near_duplicate_groups"] is None and summary["groups"] == []
    assert summary["bytes"] > 0 and summary["notices_per_s"] > 0 and summary["mb_per_s"] > 0
    assert summary["resumed"] == 0 and summary["workers"] == 1 and summary["output"] == str(out)
    err = capsys.readouterr().err
    assert f"batch: {summary['notices']} notices -> {out}" in err
    assert "errors 3: DecodeError 2, InputReadError 1" in err


def test_glob_filters_directory_files(tmp_path: Path) -> None:
    top = tmp_path / "in"
    (top / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.html", "c.htm", "d.md", "sub/e.txt", "sub/f.html"):
        (top / name).write_text("详见附件。", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run(top, "-o", out, "--glob", "*.txt", "--glob", "*.htm", "--workers", "1") == 0
    assert [line["id"] for line in read_lines(out)] == [str(top / n) for n in ("a.txt", "c.htm", "sub/e.txt")]


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"


def test_a_walk_reads_notice_like_files_and_says_what_it_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A saved-page folder: the page and its text are read, its scripts, styles and images are counted."""
    top = tmp_path / "in"
    (top / "page_files").mkdir(parents=True)
    notice = "关于做好防汛工作的通知\n请做好防汛。"
    for name in ("a.txt", "b.html", "c", "page_files/d.shtml"):
        (top / name).write_text(notice, encoding="utf-8")
    for name in ("page_files/app.js", "page_files/site.css", "page_files/logo.png", "README.md", ".DS_Store"):
        (top / name).write_bytes(PNG if name.endswith(".png") else b"body { color: red }")
    (top / "page_files" / "e.jsonl").write_text(json.dumps({"id": "j1", "text": notice}) + "\n", encoding="utf-8")
    out, summary_path = tmp_path / "out.jsonl", tmp_path / "summary.json"
    assert run(top, "-o", out, "--workers", "1", "--summary", summary_path) == 0
    names = ["a.txt", "b.html", "c", "page_files/d.shtml"]
    assert [line["id"] for line in read_lines(out)] == [str(top / n) for n in names] + ["j1"]
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert summary["skipped_files"] == 5
    assert summary["skipped_by_suffix"] == {"(hidden)": 1, ".css": 1, ".js": 1, ".md": 1, ".png": 1}
    assert "skipped 5 files that are not notices: " in capsys.readouterr().err
    assert run(top, "-o", out, "--workers", "1", "--glob", "*") == 1  # every file: the image is a DecodeError
    assert len(read_lines(out)) == 10


def test_a_walk_that_finds_no_notice_says_what_it_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "logo.png").write_bytes(PNG)
    assert run(tmp_path / "in", "-o", tmp_path / "out.jsonl", "--workers", "1") == 2
    err = capsys.readouterr().err
    assert "no input files are there (skipped 1 file that is not notices: .png 1; --glob '*' reads every file)" in err


@pytest.mark.parametrize(
    "content",
    [
        "关于做好防汛工作的通知\n请做好防汛。",
        json.dumps({"id": "1", "text": "关于做好防汛工作的通知"}) + "\n",  # an input dump: id first, no record
    ],
)
def test_an_existing_file_that_is_not_a_runs_output_is_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    """`batch ow -o ow/b.txt` where ow/b.txt is a notice: the walk skips the output, the run must not replace it."""
    top = tmp_path / "ow"
    top.mkdir()
    (top / "a.txt").write_text("关于做好防汛工作的通知\n请做好防汛。", encoding="utf-8")
    target = top / "b.txt"
    target.write_text(content, encoding="utf-8")
    assert run(top, "-o", target, "--workers", "1") == 2
    assert target.read_text(encoding="utf-8") == content
    assert "is not the output of a batch run" in capsys.readouterr().err
    assert run(top, "-o", tmp_path / "elsewhere.jsonl", "--workers", "1") == 0  # b.txt is read as an input
    assert len(read_lines(tmp_path / "elsewhere.jsonl")) == 2


def test_a_previous_runs_output_and_an_empty_file_are_replaced(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("详见附件。", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"")
    assert run(tmp_path / "a.txt", "-o", out, "--workers", "1") == 0
    assert run(tmp_path / "a.txt", "-o", out, "--workers", "1") == 0
    parse_line = tmp_path / "parsed.jsonl"  # what `rectify-parse parse` writes (json, with spaces)
    parse_line.write_text(json.dumps({"id": "a", "error": {"type": "DecodeError", "message": "x"}}) + "\n")
    assert run(tmp_path / "a.txt", "-o", parse_line, "--workers", "1") == 0
    assert read_lines(parse_line)[0]["id"] == str(tmp_path / "a.txt")


PLAIN_SCRIPT = """
from pathlib import Path
import rectify_parse
print("script ran")
items = [(p.name, p) for p in sorted(Path(".").glob("*.txt"))]
lines = list(rectify_parse.parse_many(items, workers=2))
print("lines", len(lines), sum("record" in line for line in lines))
"""


def test_parse_many_with_workers_runs_in_a_script_without_a_main_guard(tmp_path: Path) -> None:
    """The workers must not run the caller's script again (they did, and failed with PoolLost tracebacks)."""
    for name in ("a1.txt", "b1.txt", "s1.txt"):
        (tmp_path / name).write_bytes((CORPUS / name).read_bytes())
    (tmp_path / "plain.py").write_text(PLAIN_SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "plain.py"], cwd=tmp_path, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["script ran", "lines 3 3"]
    assert "Traceback" not in done.stderr


def test_output_inside_input_directory_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("详见附件。", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    for _ in range(2):
        assert run(tmp_path, "-o", out, "--workers", "1") == 0
        assert [line["id"] for line in read_lines(out)] == [str(tmp_path / "a.txt")]


def test_exit_3_when_output_directory_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "missing" / "out.jsonl"
    assert run(CORPUS / "s1.txt", "-o", out, "--workers", "1") == 3
    assert "cannot write" in capsys.readouterr().err
    assert not out.parent.exists()


def test_exit_3_when_jsonl_is_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text('{"id": "a", "text": "通知"}\n', encoding="utf-8")

    def refuse(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path) == str(dump):
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(batch.sources, "open", refuse, raising=False)
    assert run(dump, "-o", tmp_path / "out.jsonl", "--workers", "1") == 3
    assert "cannot read JSONL input" in capsys.readouterr().err


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(CORPUS, "-o", tmp_path / "o.jsonl", "--workers", "0") == 2
    assert run(CORPUS, "--quiet") == 2  # -o is required
    capsys.readouterr()
    assert run(CORPUS, "-o", "-", "--resume") == 2  # stdout cannot be resumed: a bad command line
    captured = capsys.readouterr()
    assert captured.err == (
        "rectify-parse batch: --resume needs an output file (-o OUT): standard output cannot be continued\n"
    )
    assert captured.out == ""
    for bad in ("-1", "nan", "inf", "1e7", "soon"):
        assert run(CORPUS, "-o", tmp_path / "o.jsonl", "--timeout", bad) == 2


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--workers", "abc", "argument --workers: must be a whole number, 1 or more, or auto (got 'abc')"),
        ("--workers", "0", "argument --workers: must be a whole number, 1 or more, or auto (got '0')"),
        ("--chunk-size", "1.5", "argument --chunk-size: must be a whole number, 1 or more (got '1.5')"),
        ("--threshold", "x", "argument --threshold: must be a number above 0 and at most 1 (got 'x')"),
        ("--threshold", "nan", "argument --threshold: must be a number above 0 and at most 1 (got 'nan')"),
        ("--timeout", "soon", "argument --timeout: must be a number of seconds from 0 to 1,000,000 (got 'soon')"),
    ],
)
def test_a_bad_number_is_explained_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    assert run(CORPUS, "-o", tmp_path / "o.jsonl", option, value) == 2
    err = capsys.readouterr().err
    assert err.endswith(f"rectify-parse batch: error: {message}\n") and "_positive_int" not in err


@pytest.mark.parametrize(("given", "timeout"), [([], batch.DEFAULT_TIMEOUT), (["--timeout", "0"], None)])
def test_timeout_option(given: list[str], timeout: float | None) -> None:
    parser = argparse.ArgumentParser()
    batch.add_batch_parser(parser.add_subparsers())
    assert batch.options_from_args(parser.parse_args(["batch", "in", "-o", "o", *given])).timeout == timeout


def test_stdout_output_equals_file_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    assert run(CORPUS, "-o", out, "--dedup", "--workers", "1", "--quiet") == 0
    capsys.readouterr()
    assert run(CORPUS, "-o", "-", "--dedup", "--workers", "1", "--quiet") == 0
    captured = capsys.readouterr()
    assert captured.out == out.read_text(encoding="utf-8")
    assert captured.err == ""


def test_progress_is_forced_on_a_pipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(CORPUS / "s1.txt", "-o", tmp_path / "o.jsonl", "--workers", "1", "--progress") == 0
    err = capsys.readouterr().err
    assert "1 notices" in err and "0 errors" in err and "batch: 1 notices" in err
    assert run(CORPUS / "s1.txt", "-o", tmp_path / "o.jsonl", "--workers", "1") == 0
    assert "0 errors" not in capsys.readouterr().err  # stderr is not a terminal: no progress line


def test_help_has_an_example_for_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main_batch(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    options = "--glob --text-field --id-field --workers --chunk-size --dedup --threshold --resume --timeout --summary"
    for option in ["-o OUT", *options.split(), "--scheduler", "--progress", "--quiet"]:
        assert option in text
    assert text.count("(example:") + text.count("; example:") >= 14
    assert "exit codes: 0 all parsed; 1 some inputs failed" in text


def test_scheduler_needs_the_dask_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    assert run(CORPUS / "s1.txt", "-o", tmp_path / "o.jsonl", "--scheduler", "local") == 3
    assert "in a checkout of rectify-parse, pip install -e '.[dask]'; otherwise pip install 'rectify-parse[dask]'" in (
        capsys.readouterr().err
    )
    monkeypatch.setitem(sys.modules, "dask.bag", None)
    from rectify_parse.dask import parse_bag

    with pytest.raises(ConfigError, match=r"rectify-parse\[dask\]"):
        parse_bag([])


def test_subprocess_run(tmp_path: Path) -> None:
    out, summary_path = tmp_path / "out.jsonl", tmp_path / "summary.json"
    code = "import sys; from rectify_parse.batch import main_batch; sys.exit(main_batch(sys.argv[1:]))"
    args = [str(CORPUS), "--glob", "*.txt", "-o", str(out), "--workers", "2", "--dedup", "--summary", str(summary_path)]
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "near-duplicate groups: 2 (5 notices)" in done.stderr
    lines = read_lines(out)
    assert len(lines) == 13
    assert sum(line["near_duplicate_of"] is not None for line in lines) == 3
    assert json.loads(summary_path.read_text(encoding="utf-8"))["workers"] == 2


def test_an_unserialisable_record_is_that_inputs_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real, target = batch.running.parse, (CORPUS / "s2.txt").read_bytes()

    def odd(raw: bytes | str, **options: Any) -> Notice:
        notice = real(raw, **options)
        if raw == target:
            return dataclasses.replace(notice, text={1j})  # type: ignore[arg-type]  # JSON cannot write this
        return notice

    monkeypatch.setattr(batch.running, "parse", odd)
    out = tmp_path / "out.jsonl"
    assert run(CORPUS / "s1.txt", CORPUS / "s2.txt", CORPUS / "x1.txt", "-o", out, "--workers", "1") == 1
    assert [line.get("error", {}).get("type") for line in read_lines(out)] == [None, "TypeError", None]


def test_a_failure_outside_the_inputs_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def lost_worker(items: Any, options: batch.BatchOptions, plan: Any = None) -> Any:
        yield from ()
        raise RuntimeError("a worker process died")

    monkeypatch.setattr(batch.output, "run_items", lost_worker)
    out = tmp_path / "out.jsonl"
    assert run(CORPUS / "s1.txt", "-o", out) == 3
    assert "the run failed (RuntimeError: a worker process died)" in capsys.readouterr().err
    assert not out.exists() and (tmp_path / "out.jsonl.tmp").exists()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with threads alive warns on Python 3.12+
@pytest.mark.parametrize("chunk", ["32", "2"], ids=["one-chunk", "many-chunks"])
def test_an_input_that_kills_its_worker_is_an_error_record_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: str
) -> None:
    import multiprocessing

    clean = tmp_path / "clean.jsonl"
    assert run(CORPUS, "--glob", "*.txt", "-o", clean, "--workers", "1", "--quiet") == 0
    real, killer = batch.running.parse, (CORPUS / "s2.txt").read_bytes()

    def deadly(raw: bytes | str, **options: Any) -> Notice:
        if raw == killer:
            os._exit(1)  # what a crash in native code or the out-of-memory killer looks like to the pool
        return real(raw, **options)

    # Forked workers inherit the patched parser; the default forkserver would import a fresh one.
    monkeypatch.setattr(batch.running, "parse", deadly)
    monkeypatch.setattr(batch.pool, "_pool_context", lambda: multiprocessing.get_context("fork"))
    out = tmp_path / "out.jsonl"
    assert run(CORPUS, "--glob", "*.txt", "-o", out, "--workers", "2", "--chunk-size", chunk, "--quiet") == 1
    got, want = read_lines(out), read_lines(clean)
    assert [line["id"] for line in got] == [line["id"] for line in want]
    dead = [line for line in got if "error" in line]
    assert [(Path(line["id"]).name, line["error"]["type"]) for line in dead] == [("s2.txt", "WorkerDied")]
    assert [line for line in got if "record" in line] == [line for line in want if not line["id"].endswith("s2.txt")]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with threads alive warns on Python 3.12+
@pytest.mark.parametrize(("chunk", "deaths"), [("2", 2), ("1", 1)], ids=["in-a-chunk", "alone"])
def test_an_input_whose_worker_died_alone_runs_once_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: str, deaths: int
) -> None:
    """A worker killed from outside (the out-of-memory killer) while it parsed an input alone: the input
    runs once more before it is called the killer."""
    import multiprocessing

    clean = tmp_path / "clean.jsonl"
    assert run(CORPUS, "--glob", "*.txt", "-o", clean, "--workers", "1", "--quiet") == 0
    real, target, tries = batch.running.parse, (CORPUS / "s2.txt").read_bytes(), tmp_path / "tries"

    def dies_at_first(raw: bytes | str, **options: Any) -> Notice:
        if raw == target:
            with open(tries, "a") as handle:
                handle.write("x")
            if tries.stat().st_size <= deaths:  # in its chunk (when it has one), then alone
                os._exit(1)
        return real(raw, **options)

    monkeypatch.setattr(batch.running, "parse", dies_at_first)
    monkeypatch.setattr(batch.pool, "_pool_context", lambda: multiprocessing.get_context("fork"))
    out = tmp_path / "out.jsonl"
    assert run(CORPUS, "--glob", "*.txt", "-o", out, "--workers", "2", "--chunk-size", chunk, "--quiet") == 0
    assert out.read_bytes() == clean.read_bytes()
    assert tries.read_text() == "x" * (deaths + 1)


class _StallingPool(batch.pool.ProcessPool):  # type: ignore[misc]
    """A pool whose task for s2's chunk never finishes, as in a pool stalled by pebble issue 163 (tasks
    never start, so they never time out), or whose task fails as in a pool that broke."""

    broken = False

    def schedule(self, function: Any, args: Any = (), kwargs: Any = None, timeout: float | None = None) -> Any:
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        if any(item.id.endswith("s2.txt") for item in args[0]):
            never: Future[Any] = Future()
            if self.broken:
                never.set_exception(BrokenProcessPool("All workers expired"))
            return never
        return super().schedule(function, args, kwargs or {}, timeout)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with threads alive warns on Python 3.12+
@pytest.mark.parametrize("broken", [False, True], ids=["stalled", "broken"])
def test_a_lost_pool_ends_the_run_and_resume_continues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], broken: bool
) -> None:
    import multiprocessing
    import time

    clean = tmp_path / "clean.jsonl"
    assert run(CORPUS, "--glob", "*.txt", "-o", clean, "--workers", "1", "--quiet") == 0
    monkeypatch.setattr(_StallingPool, "broken", broken)
    monkeypatch.setattr(batch.pool, "ProcessPool", _StallingPool)
    monkeypatch.setattr(batch.pool, "watchdog", lambda limit: 2.0)
    monkeypatch.setattr(batch.pool, "_pool_context", lambda: multiprocessing.get_context("fork"))
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    assert run(CORPUS, "--glob", "*.txt", "-o", out, "--workers", "2", "--chunk-size", "2", "--quiet") == 3
    assert time.monotonic() - started < 20
    err = capsys.readouterr().err
    assert ("the worker pool broke" if broken else "no task finished in 2 s") in err
    assert "--resume continues" in err
    assert multiprocessing.active_children() == []
    assert not out.exists()
    kept = (tmp_path / "out.jsonl.tmp").read_bytes()
    assert clean.read_bytes().startswith(kept) and b"s2.txt" not in kept
    monkeypatch.undo()
    assert run(CORPUS, "--glob", "*.txt", "-o", out, "--workers", "2", "--resume", "--quiet") == 0
    assert out.read_bytes() == clean.read_bytes()


def test_a_lost_pool_writing_to_standard_output_does_not_offer_resume(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import multiprocessing

    monkeypatch.setattr(_StallingPool, "broken", True)
    monkeypatch.setattr(batch.pool, "ProcessPool", _StallingPool)
    monkeypatch.setattr(batch.pool, "watchdog", lambda limit: 2.0)
    monkeypatch.setattr(batch.pool, "_pool_context", lambda: multiprocessing.get_context("fork"))
    assert run(CORPUS, "--glob", "*.txt", "-o", "-", "--workers", "2", "--chunk-size", "2", "--quiet") == 3
    err = capsys.readouterr().err
    assert "the worker pool broke" in err
    assert "resume" not in err  # standard output cannot be resumed
    assert multiprocessing.active_children() == []


def _slow_on(target: bytes, *, block_alarm: bool = False, stuck: Path | None = None) -> Any:
    """A parser that is stuck on ``target``: in a Python loop, or (``block_alarm``) in a call no signal
    reaches, as code stuck in a C extension is. ``stuck``: a file created when it gets stuck."""
    import signal
    import time

    real = batch.running.parse

    def parse(raw: bytes | str, **options: Any) -> Notice:
        if raw == target:
            if stuck is not None:
                stuck.touch()
            if block_alarm:
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
                time.sleep(60)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                pass
        return real(raw, **options)

    return parse


def _assert_only_timed_out(out: Path, clean: Path, name: str) -> list[dict[str, Any]]:
    got, want = read_lines(out), read_lines(clean)
    assert [line["id"] for line in got] == [line["id"] for line in want]
    failed = [line for line in got if "error" in line]
    assert [(Path(line["id"]).name, line["error"]["type"]) for line in failed] == [(name, "ParseTimeoutError")]
    assert [line for line in got if "record" in line] == [line for line in want if not line["id"].endswith(name)]
    return failed


def test_an_input_over_the_time_limit_is_an_error_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    clean = tmp_path / "clean.jsonl"
    assert run(CORPUS, "--glob", "*.txt", "-o", clean, "--workers", "1", "--quiet") == 0
    monkeypatch.setattr(batch.running, "parse", _slow_on((CORPUS / "s2.txt").read_bytes()))
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    assert run(CORPUS, "--glob", "*.txt", "-o", out, "--workers", "1", "--timeout", "0.5", "--quiet") == 1
    assert time.monotonic() - started < 20
    (failed,) = _assert_only_timed_out(out, clean, "s2.txt")
    assert failed["error"]["message"] == "parsing took longer than 0.5 s (--timeout)"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with threads alive warns on Python 3.12+
@pytest.mark.parametrize("stuck_in", ["python", "native"])
def test_a_worker_over_the_time_limit_is_stopped_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stuck_in: str
) -> None:
    import multiprocessing
    import time

    clean = tmp_path / "clean.jsonl"
    assert run(CORPUS, "--glob", "*.txt", "-o", clean, "--workers", "1", "--quiet") == 0
    slow = _slow_on((CORPUS / "s2.txt").read_bytes(), block_alarm=stuck_in == "native")
    monkeypatch.setattr(batch.running, "parse", slow)
    monkeypatch.setattr(batch.pool, "_pool_context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(batch.pool, "HARD_GRACE", 0.5)
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    # One chunk of 32 has a budget of 32 × 0.5 + 0.5 s; the workers' clocks catch the stuck input far sooner.
    args = ["--workers", "2", "--chunk-size", "32", "--timeout", "0.5", "--quiet"]
    assert run(CORPUS, "--glob", "*.txt", "-o", out, *args) == 1
    assert time.monotonic() - started < 12
    (failed,) = _assert_only_timed_out(out, clean, "s2.txt")
    # A worker stuck where the alarm cannot reach is killed by the parent; none is left running.
    assert failed["error"]["message"].endswith("its worker was killed") == (stuck_in == "native")
    assert multiprocessing.active_children() == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with threads alive warns on Python 3.12+
def test_an_input_out_of_time_alone_is_not_run_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    clean = tmp_path / "clean.jsonl"
    assert run(CORPUS, "--glob", "*.txt", "-o", clean, "--workers", "1", "--quiet") == 0
    monkeypatch.setattr(batch.running, "parse", _slow_on((CORPUS / "s2.txt").read_bytes(), block_alarm=True))
    monkeypatch.setattr(batch.pool, "_pool_context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(batch.pool, "HARD_GRACE", 0.5)
    tries: list[str] = []  # the tasks s2 was sent in
    real_schedule = batch.pool._Pool._schedule

    def schedule(pool: Any, items: list[batch.Item]) -> Any:
        tries.extend(item.id for item in items if item.id.endswith("s2.txt"))
        return real_schedule(pool, items)

    monkeypatch.setattr(batch.pool._Pool, "_schedule", schedule)
    out = tmp_path / "out.jsonl"
    args = ["--workers", "2", "--chunk-size", "1", "--timeout", "0.5", "--quiet"]
    assert run(CORPUS, "--glob", "*.txt", "-o", out, *args) == 1
    (failed,) = _assert_only_timed_out(out, clean, "s2.txt")
    assert failed["error"]["message"] == "parsing took longer than 0.5 s (--timeout); its worker was killed"
    assert len(tries) == 1  # a stuck page costs one limit, not two
    assert multiprocessing.active_children() == []


def test_a_timeout_out_of_range_is_a_config_error(tmp_path: Path) -> None:
    options = batch.BatchOptions(inputs=[str(CORPUS)], output=str(tmp_path / "o.jsonl"), timeout=-1.0)
    with pytest.raises(ConfigError, match="timeout"):
        batch.run_batch(options)


def test_the_alarm_waits_until_no_import_is_half_done() -> None:
    import sys

    alarm = batch.running._Alarm()
    alarm.limit = 1.0
    # A frame of the import machinery anywhere up the stack: raising there would leave a module half
    # imported for good, so the alarm lets it finish (it repeats a second later).
    inside_import = compile("alarm.fire(14, sys._getframe())", "<frozen importlib._bootstrap>", "exec")
    exec(inside_import, {"alarm": alarm, "sys": sys})
    with pytest.raises(ParseTimeoutError):
        alarm.fire(14, sys._getframe())
    alarm.limit = None
    alarm.fire(14, sys._getframe())  # disarmed: nothing happens


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with threads alive warns on Python 3.12+
def test_an_interrupted_pool_run_kills_its_stuck_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing
    import time

    stuck = tmp_path / "stuck"
    slow = _slow_on((CORPUS / "s2.txt").read_bytes(), block_alarm=True, stuck=stuck)
    monkeypatch.setattr(batch.running, "parse", slow)
    monkeypatch.setattr(batch.pool, "_pool_context", lambda: multiprocessing.get_context("fork"))
    options = batch.BatchOptions(inputs=[str(CORPUS)], output="-", globs=["*.txt"], workers=2, chunk_size=1)
    results = batch.run_items(map(batch.load, batch.output._sources(options, frozenset())), options)
    next(results)  # s2 is in flight behind the first input, stuck where no alarm reaches
    deadline = time.monotonic() + 10
    while not stuck.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stuck.exists()  # a worker is stuck on s2: the patched parser reached the pool's workers
    started = time.monotonic()
    results.close()  # what Ctrl-C does to the run: the pool is shut down on the way out
    assert time.monotonic() - started < 5
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


def test_a_closed_output_pipe_ends_the_run_quietly_and_promptly(tmp_path: Path) -> None:
    """`rectify-parse batch dump.jsonl --workers 2 -o - | head -c 200`: the reader goes away early."""
    notice = (FIXTURES / "rectify_fullwidth.txt").read_text(encoding="utf-8")
    dump = tmp_path / "dump.jsonl"
    dump.write_text(
        "".join(json.dumps({"id": f"n{i}", "text": notice}, ensure_ascii=False) + "\n" for i in range(1500)),
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "rectify_parse", "batch", str(dump), "--workers", "2", "-o", "-"]
    for _ in range(4):  # the hang this guards against came one run in three
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        assert len(proc.stdout.read(200)) == 200
        proc.stdout.close()
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("the batch hung after its output pipe closed") from None
        assert code == batch.EXIT_PIPE_CLOSED
        assert proc.stderr.read() == b""  # quiet, as Unix tools are
        proc.stderr.close()


def test_sigterm_ends_the_run_as_an_interrupt_and_leaves_no_worker(tmp_path: Path) -> None:
    """`kill PID` (or `timeout`, a service manager) on the batch alone: its workers must not outlive it."""
    import signal
    import time

    import psutil

    notice = (FIXTURES / "rectify_fullwidth.txt").read_text(encoding="utf-8")
    dump, out = tmp_path / "dump.jsonl", tmp_path / "out.jsonl"
    dump.write_text(
        "".join(json.dumps({"id": f"n{i}", "text": notice}, ensure_ascii=False) + "\n" for i in range(8_000)),
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "rectify_parse", "batch", str(dump), "--workers", "2", "-o", str(out), "--quiet"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    tmp = Path(f"{out}.tmp")
    deadline = time.monotonic() + 60
    while not (tmp.exists() and tmp.stat().st_size > 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert tmp.exists(), "the run wrote nothing"
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers, "the run has no worker processes to check"
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=30)
        _, alive = psutil.wait_procs(workers, timeout=10)
        assert alive == [], f"workers outlived the run: {alive}"
        _, err = proc.communicate(timeout=10)  # a surviving worker would hold the pipes open
    finally:
        for leftover in [proc, *workers]:
            with contextlib.suppress(psutil.NoSuchProcess, ProcessLookupError):
                leftover.kill()
    assert code == 3
    assert b"interrupted" in err and b"--resume continues" in err


@pytest.mark.parametrize("workers", [1, 2])
def test_parse_many_yields_the_batch_lines_in_order(tmp_path: Path, workers: int) -> None:
    paths = sorted(CORPUS.glob("*.txt"))
    out = tmp_path / "out.jsonl"
    assert run(*paths, "-o", out, "--workers", "1", "--dedup") == 0
    items = [(str(p), p) for p in paths]
    assert list(rectify_parse.parse_many(items, workers=workers, dedup=True)) == read_lines(out)
    plain = list(rectify_parse.parse_many(items, workers=workers))
    assert [line["id"] for line in plain] == [str(p) for p in paths]
    assert all("near_duplicate_of" not in line for line in plain)


def test_parse_many_gives_each_bad_input_its_error_object() -> None:
    items = [
        ("ok", "关于做好防汛工作的通知\n请做好防汛。"),
        ("int", 42),
        ("bin", b"\x00" * 64),
        ("gone", Path("nope.txt")),
    ]
    found = [(o["id"], o.get("error", {}).get("type")) for o in rectify_parse.parse_many(items)]
    assert found == [("ok", None), ("int", "InputTypeError"), ("bin", "DecodeError"), ("gone", "InputReadError")]
    with pytest.raises(ConfigError):
        list(rectify_parse.parse_many(items, workers=0))


def test_progress_shows_share_and_eta_when_the_size_is_known() -> None:
    stream = io.StringIO()
    progress = batch.Progress(stream, True, InputSize(1000))
    tally = batch.Tally(notices=10, bytes=250)
    progress.update(tally, force=True)
    progress.note("grouping near-duplicates …")
    first, second = stream.getvalue().splitlines()
    assert first.startswith("10 notices  25%  ETA ") and first.endswith("0 errors")
    assert second == "grouping near-duplicates …"
    unknown = io.StringIO()
    batch.Progress(unknown, True).update(tally, force=True)
    assert "%" not in unknown.getvalue() and "ETA" not in unknown.getvalue()


def test_progress_of_a_walk_says_how_many_files_so_far_then_the_share_and_eta() -> None:
    size = InputSize(0, done=False)  # a directory walk being counted
    stream = io.StringIO()
    progress = batch.Progress(stream, True, size)
    tally = batch.Tally(notices=10, bytes=250)
    progress.update(tally, force=True)  # nothing counted yet: nothing to say
    size.bytes, size.files = 600, 1234
    progress.update(tally, force=True)
    size.bytes, size.done = 1000, True
    progress.update(tally, force=True)
    first, counting, known = stream.getvalue().splitlines()
    assert "%" not in first and "files" not in first
    assert counting.startswith("10 notices  of 1,234+ files (counting)  ") and "%" not in counting
    assert known.startswith("10 notices  25%  ETA ")


def test_the_size_of_a_walk_counts_what_the_run_reads(tmp_path: Path) -> None:
    top = tmp_path / "scraped"
    (top / "sub").mkdir(parents=True)
    (top / "a.txt").write_bytes(b"x" * 100)
    (top / "sub" / "b.html").write_bytes(b"y" * 30)
    (top / "sub" / "page.shtml").write_bytes(b"z" * 7)
    (top / "style.css").write_bytes(b"c" * 1000)  # not a notice: skipped by the walk, not counted
    (top / "out.jsonl").write_bytes(b"o" * 500)  # the run's own output: excluded
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(b"d" * 40)
    size = InputSize.count([str(top), str(dump)], exclude=frozenset({str(top / "out.jsonl")}))
    assert size.wait(30) and (size.bytes, size.files) == (100 + 30 + 7 + 40, 4)
    chosen = InputSize.count([str(top)], globs=["*.css"])
    assert chosen.wait(30) and (chosen.bytes, chosen.files) == (1000, 1)


def test_a_walk_shows_its_share_done_at_the_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    top = tmp_path / "in"
    top.mkdir()
    for name in ("a1.txt", "b1.txt", "s1.txt"):
        (top / name).write_bytes((CORPUS / name).read_bytes())
    assert run(top, "-o", tmp_path / "out.jsonl", "--workers", "1", "--progress") == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("3 notices  100%  ETA 0:00  ") and lines[0].endswith(" 0 errors")


def test_the_progress_line_moves_while_near_duplicates_are_grouped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every note shown (no throttle): the grouping stage says how many candidate pairs it has checked (with
    # workers, which verify as results come: how many linked notices it has placed in their groups), from
    # the first to the last, instead of leaving the line still.
    monkeypatch.setattr(batch.summary, "PROGRESS_LOG_INTERVAL", 0.0)
    out = tmp_path / "out.jsonl"
    for workers, what in (("1", "candidate pairs checked"), ("2", "linked notices placed")):
        assert run(CORPUS, "--glob", "*.txt", "-o", out, "--dedup", "--workers", workers, "--progress") == 0
        notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("grouping")]
        assert notes[0] == "grouping near-duplicates …"
        assert notes[1].startswith("grouping near-duplicates: 0 of ")
        total = notes[1].split(" of ")[1].split()[0]
        assert notes[-1] == f"grouping near-duplicates: {total} of {total} {what}" and total != "0"


def test_a_throttled_note_waits_for_the_interval_and_a_forced_one_does_not() -> None:
    stream = io.StringIO()
    progress = batch.Progress(stream, True)
    progress.note("first")
    progress.note("skipped", force=False)  # within the interval of the first
    progress.note("last", force=True)
    assert stream.getvalue().splitlines() == ["first", "last"]


class _Terminal(io.StringIO):
    """Captures what is written; a terminal ``columns`` wide (a pseudo-terminal's size), or none known."""

    def __init__(self, columns: int | None = None) -> None:
        super().__init__()
        self._fds: tuple[int, int] | None = None
        if columns is not None:
            termios = pytest.importorskip("termios")
            fcntl = pytest.importorskip("fcntl")
            self._fds = os.openpty()
            fcntl.ioctl(self._fds[1], termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return super().fileno() if self._fds is None else self._fds[1]

    def close(self) -> None:
        for fd in self._fds or ():
            os.close(fd)
        super().close()

    def screen(self) -> list[str]:
        """The rows the terminal shows: each carriage return rewrites its row from the start."""
        rows = []
        for row in self.getvalue().split("\n"):
            shown = ""
            for part in row.split("\r"):
                shown = part + shown[len(part) :]
            rows.append(shown)
        return rows


@pytest.mark.parametrize("columns", [None, 40])
def test_the_status_line_covers_a_longer_one_and_keeps_to_one_row(columns: int | None) -> None:
    # A shorter line after a note must not leave the note's end on screen, and a line wider than the
    # terminal would wrap to a second row that a carriage return cannot reach again.
    with contextlib.closing(_Terminal(columns)) as tty:
        progress = batch.Progress(tty, True, InputSize(1000))
        note = "grouping near-duplicates: 38,919 of 38,919 candidate pairs checked"
        progress.note(note)
        progress.close(batch.Tally(notices=40, bytes=1000))
        width = (columns or 80) - 1
        written = tty.getvalue().replace("\n", "\r").split("\r")
        assert written[1] == note[:width] and max(map(len, written)) <= width
        final = written[-2]  # the count line, before the closing newline
        assert final.startswith("40 notices  100%  ETA 0:00  ") and "pairs" not in final
        assert final.rstrip().endswith("0 errors") or columns is not None
        assert tty.screen() == [final.ljust(min(len(note), width)), ""]  # nothing of the note left


def test_compact_batch_lines_keep_values_and_dedup(tmp_path: Path) -> None:
    full, small = tmp_path / "full.jsonl", tmp_path / "small.jsonl"
    assert run(CORPUS, "--glob", "*.txt", "-o", full, "--workers", "1", "--dedup") == 0
    assert run(CORPUS, "--glob", "*.txt", "-o", small, "--workers", "2", "--dedup", "--compact") == 0
    big, light = read_lines(full), read_lines(small)
    assert [(x["id"], x["near_duplicate_of"], x["group"]) for x in light] == [
        (x["id"], x["near_duplicate_of"], x["group"]) for x in big
    ]
    assert all("body_span" not in x["record"] and "cleaned" not in x["record"] for x in light)
    assert [x["record"]["title"] for x in light] == [x["record"]["title"] for x in big]
    assert small.stat().st_size < full.stat().st_size * 0.8


def test_fields_with_dedup_group_as_the_full_records_do(tmp_path: Path) -> None:
    full, chosen = tmp_path / "full.jsonl", tmp_path / "chosen.jsonl"
    assert run(CORPUS, "--glob", "*.txt", "-o", full, "--dedup") == 0
    # the grouping reads the documents' text back from the first pass: it is kept there, then dropped
    assert run(CORPUS, "--glob", "*.txt", "-o", chosen, "--workers", "2", "--dedup", "--fields", "title") == 0
    big, light = read_lines(full), read_lines(chosen)
    assert [(x["id"], x["near_duplicate_of"], x["group"]) for x in light] == [
        (x["id"], x["near_duplicate_of"], x["group"]) for x in big
    ]
    assert any(x["group"] is not None for x in light)
    assert [x["record"] for x in light] == [{"title": x["record"]["title"]} for x in big]
    items = [(str(p), p) for p in sorted(CORPUS.glob("*.txt"))]
    in_memory = list(rectify_parse.parse_many(items, dedup=True, fields=["title", "text"]))
    assert {tuple(x["record"]) for x in in_memory} == {("title", "text")}
    with pytest.raises(ConfigError, match="choose from"):
        list(rectify_parse.parse_many(items, fields=["titles"]))


def _near_copies_dump(tmp_path: Path) -> tuple[Path, list[set[str]]]:
    """JSONL of the fixture notices, four of them republished 2-6 times with one word added to a line of
    the body, in a shuffled order; and the planted sets of ids."""
    import random

    rng = random.Random(5)
    texts: dict[str, str] = {}
    for path in sorted(FIXTURES.glob("*.txt")):
        with contextlib.suppress(UnicodeDecodeError):
            texts[path.stem] = path.read_bytes().decode("utf-8")
    rows: list[tuple[str, str]] = list(texts.items())
    planted: list[set[str]] = []
    for name in sorted(texts, key=lambda n: -len(texts[n]))[:4]:
        lines = texts[name].splitlines()
        copies = []
        for k in range(rng.randint(2, 6)):
            edited = list(lines)
            at = rng.randrange(len(lines) // 4, 3 * len(lines) // 4)
            edited[at] = edited[at].replace("，", "，切实", 1) if "，" in edited[at] else edited[at] + "切实"
            copies.append((f"{name}-copy{k}", "\n".join(edited)))
        rows += copies
        planted.append({name, *(doc_id for doc_id, _ in copies)})
    rng.shuffle(rows)
    dump = tmp_path / "dump.jsonl"
    dump.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in rows), "utf-8")
    return dump, planted


def test_dedup_groups_as_results_come_with_workers_and_gives_the_one_worker_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump, planted = _near_copies_dump(tmp_path)
    followed: list[bool] = []
    real = batch.DedupIndex.follow

    def follow(self: batch.DedupIndex, read: Any) -> None:
        followed.append(True)
        real(self, read)

    monkeypatch.setattr(batch.DedupIndex, "follow", follow)
    outputs = []
    for workers, chunk in (("1", "32"), ("2", "3"), ("2", "1")):
        out, summary = tmp_path / f"out-{workers}-{chunk}.jsonl", tmp_path / f"summary-{workers}-{chunk}.json"
        followed.clear()
        args = ["--dedup", "--workers", workers, "--chunk-size", chunk, "--summary", summary, "--quiet"]
        assert run(dump, "-o", out, *args) == 0
        assert followed == ([True] if workers == "2" else [])  # one worker: grouped once, at the end
        outputs.append(out.read_bytes())
        groups = [set(g["ids"]) for g in json.loads(summary.read_text(encoding="utf-8"))["groups"]]
        assert all(any(ids <= group for group in groups) for ids in planted)
    assert outputs[0] == outputs[1] == outputs[2]
    items = [(line["id"], line["text"]) for line in read_lines(dump)]
    assert list(rectify_parse.parse_many(items, workers=2, chunk_size=2, dedup=True)) == read_lines(
        tmp_path / "out-1-32.jsonl"
    )


def test_dedup_resumed_with_workers_groups_the_kept_lines_as_well(tmp_path: Path) -> None:
    dump, _ = _near_copies_dump(tmp_path)
    first_pass, clean = tmp_path / "first.jsonl", tmp_path / "clean.jsonl"
    assert run(dump, "-o", first_pass, "--workers", "1", "--quiet") == 0
    assert run(dump, "-o", clean, "--workers", "1", "--dedup", "--quiet") == 0
    lines = first_pass.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "out.jsonl.tmp").write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run(dump, "-o", out, "--workers", "2", "--chunk-size", "2", "--dedup", "--resume", "--quiet") == 0
    assert out.read_bytes() == clean.read_bytes()


_FIELD_VALUES = st.one_of(st.none(), st.text(max_size=5), st.integers(), st.lists(st.integers(), max_size=2))


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["html", "text", "body", "id"]), _FIELD_VALUES, max_size=4),
    st.lists(st.sampled_from(["html", "text", "body"]), min_size=1, max_size=3, unique=True),
)
def test_a_jsonl_line_gives_its_first_text_field_or_says_why_each_failed(obj: dict[str, Any], names: list[str]) -> None:
    line = (json.dumps(obj, ensure_ascii=False) + "\n").encode()
    source = batch.sources._jsonl_source("d.jsonl", 1, line, len(line), tuple(names), "id", 1 << 20)
    strings = [obj[n] for n in names if isinstance(obj.get(n), str)]
    if strings:
        filled = [s for s in strings if s.strip()]
        assert source.payload == (filled or strings)[0]
        return
    assert isinstance(source.payload, batch.sources.Failure)
    message = source.payload.message
    for name in names:
        state = "missing" if name not in obj else "null" if obj[name] is None else "not a string"
        assert f"{name!r} is " in message and state in message.split(f"{name!r} is ", 1)[1]
