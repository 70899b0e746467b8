"""The command line, in-process through main(argv) and once as a real subprocess."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES
from rectify_parse.batch import EXIT_PIPE_CLOSED
from rectify_parse.cli import EXIT_INPUT_FAILED, EXIT_OK, EXIT_USAGE, main
from rectify_parse.schema import line_schema


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue()


def test_parse_one_file_prints_its_line() -> None:
    name = str(FIXTURES / "rectify_fullwidth.txt")
    code, out = run(["parse", name])
    assert code == EXIT_OK
    line = json.loads(out)
    assert line["id"] == name and set(line) == {"id", "record"}
    assert line["record"]["title"] == "中共青桐县自然资源局党组关于巡察整改情况的报告"
    assert len(line["record"]["problems"]) == 6
    assert out.count("\n") == 1


def test_pretty_indents_and_keeps_spans_on_one_line() -> None:
    code, out = run(["parse", "--pretty", str(FIXTURES / "chrome_heavy.txt")])
    assert code == EXIT_OK and out.startswith("{\n  ")
    assert re.search(r'"body_span": \[\d+, \d+\]', out)
    code, out = run(["parse", "--pretty", str(FIXTURES / "chrome_heavy.txt"), str(FIXTURES / "status_kinds.txt")])
    assert [line["id"][-16:] for line in json.loads(out)] == ["chrome_heavy.txt", "status_kinds.txt"]


def test_every_output_line_validates_against_the_line_schema(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01\x02binary")
    files = [str(FIXTURES / "gb18030_notice.txt"), str(bad)]
    schema = line_schema()
    for extra in ([], ["--with-source"]):  # a --compact record leaves out the spans the schema requires
        out = run(["parse", *extra, *files])[1]
        for text in out.splitlines():
            jsonschema.validate(json.loads(text), schema)
    out_file = tmp_path / "out.jsonl"
    assert run(["batch", str(FIXTURES / "corpus"), "-o", str(out_file), "--dedup", "--quiet"])[0] == EXIT_OK
    for text in out_file.read_text(encoding="utf-8").splitlines():
        jsonschema.validate(json.loads(text), schema)


def test_compact_records_leave_spans_out_and_are_smaller() -> None:
    name = str(FIXTURES / "rectify_fullwidth.txt")
    full, small = run(["parse", name])[1], run(["parse", "--compact", name])[1]
    assert "_span" not in small and '"cleaned"' not in small and len(small) < len(full) * 0.7
    assert json.loads(small)["record"]["problems"][0]["title"] == json.loads(full)["record"]["problems"][0]["title"]


def test_several_files_give_json_lines_and_failures_do_not_stop_the_run(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01\x02binary\xff\xfe")
    files = [
        str(FIXTURES / "gb18030_notice.txt"),
        str(bad),
        str(tmp_path / "missing.txt"),
        str(FIXTURES / "status_kinds.txt"),
    ]
    code, out = run(["parse", *files])
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == EXIT_INPUT_FAILED
    assert [line["id"] for line in lines] == files
    assert lines[0]["record"]["encoding"] == "gb18030"
    assert lines[1]["error"]["type"] == "DecodeError"
    assert lines[2]["error"]["type"] == "InputReadError"  # as parse() and a batch call it
    assert len(lines[3]["record"]["problems"]) == 5


def test_with_source_lets_spans_be_checked() -> None:
    code, out = run(["parse", "--with-source", str(FIXTURES / "rectify_halfwidth.txt")])
    assert code == EXIT_OK
    line = json.loads(out)
    record = line["record"]
    s, e = record["problems"][0]["title_span"]
    assert line["source"][s:e] == record["problems"][0]["title"]


def test_schema_command_prints_the_schema() -> None:
    code, out = run(["schema"])
    assert code == EXIT_OK and json.loads(out)["title"] == "rectify_parse notice record"
    code, out = run(["schema", "--line"])
    assert code == EXIT_OK and json.loads(out)["title"] == "rectify_parse output line"


def test_usage_errors_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["frobnicate"])[0] == EXIT_USAGE
    assert run(["parse", "--help"])[0] == EXIT_OK
    assert "example" in capsys.readouterr().out


def test_console_script_runs_as_a_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rectify_parse", "parse", str(FIXTURES / "labelled_fields.txt")],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["record"]["header"]["extra"] == {"主题词": "巡察整改"}
    assert result.stderr == b""


def test_fields_keep_only_the_chosen_record_keys(capsys: pytest.CaptureFixture[str]) -> None:
    name = str(FIXTURES / "rectify_fullwidth.txt")
    full = json.loads(run(["parse", name])[1])["record"]
    code, out = run(["parse", "--fields", "problems, title", "--compact", name])
    record = json.loads(out)["record"]
    assert code == EXIT_OK and list(record) == ["title", "problems"]  # the record's order, not the option's
    assert record["title"] == full["title"] and len(record["problems"]) == len(full["problems"]) == 6
    assert "title_span" not in record["problems"][0] and "title_span" in full["problems"][0]
    capsys.readouterr()
    assert run(["parse", "--fields", "title,titel", name])[0] == EXIT_USAGE
    err = capsys.readouterr().err
    assert "unknown record field(s) titel" in err and "problems" in err
    assert run(["parse", "--fields", ",", name])[0] == EXIT_USAGE


@pytest.mark.parametrize("command", [["schema"], ["schema", "--line"], ["parse", "--pretty"], ["lines"]], ids=" ".join)
def test_a_closed_output_pipe_ends_every_command_quietly(command: list[str]) -> None:
    """`rectify-parse parse … | head`: status 141 and nothing on stderr, as batch does."""
    if command[0] in ("parse", "lines"):
        command = [*command, str(FIXTURES / "audit_rectify.txt")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "rectify_parse", *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command writes: every write meets a closed pipe
    assert proc.wait(timeout=60) == EXIT_PIPE_CLOSED
    assert proc.stderr.read() == b""
    proc.stderr.close()


def test_max_chars_on_parse_and_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notice = tmp_path / "n.txt"
    notice.write_text("关于做好防汛工作的通知\n请做好防汛。", encoding="utf-8")  # 18 characters
    code, out = run(["parse", "--max-chars", "17", str(notice)])
    assert code == EXIT_INPUT_FAILED
    assert json.loads(out)["error"] == {
        "type": "InputTooLargeError",
        "message": "input has 18 characters; the limit is 17 "
        "(raise it with max_chars=, or --max-chars on the command line)",
    }
    assert (
        json.loads(run(["parse", "--max-chars", "18", str(notice)])[1])["record"]["title"] == "关于做好防汛工作的通知"
    )
    assert run(["lines", "--max-chars", "17", str(notice)])[0] == EXIT_USAGE
    assert "--max-chars" in capsys.readouterr().err
    assert run(["lines", "--max-chars", "18", str(notice)])[0] == EXIT_OK
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (4 * 1000 + (1 << 16) + 1))  # more than 1,000 characters can take: never read
    code, out = run(["parse", "--max-chars", "1000", str(big)])
    assert json.loads(out)["error"]["message"].startswith(f"file has {big.stat().st_size} bytes; the limit is")
    for bad in ("0", "x"):
        assert run(["parse", "--max-chars", bad, str(notice)])[0] == EXIT_USAGE
