"""The command line, in-process through main(argv) and once as a real subprocess."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES
from rectify_parse.cli import EXIT_INPUT_FAILED, EXIT_OK, EXIT_USAGE, main


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue()


def test_parse_one_file_prints_its_record() -> None:
    code, out = run(["parse", str(FIXTURES / "rectify_fullwidth.txt")])
    assert code == EXIT_OK
    record = json.loads(out)
    assert record["title"] == "中共青桐县自然资源局党组关于巡察整改情况的报告"
    assert len(record["problems"]) == 6
    assert out.count("\n") == 1


def test_pretty_indents() -> None:
    code, out = run(["parse", "--pretty", str(FIXTURES / "chrome_heavy.txt")])
    assert code == EXIT_OK and out.startswith("{\n  ")


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
    assert lines[0]["encoding"] == "gb18030"
    assert lines[1]["error"]["type"] == "DecodeError"
    assert lines[2]["error"]["type"] == "FileNotFoundError"
    assert len(lines[3]["problems"]) == 5


def test_with_source_lets_spans_be_checked() -> None:
    code, out = run(["parse", "--with-source", str(FIXTURES / "rectify_halfwidth.txt")])
    assert code == EXIT_OK
    record = json.loads(out)
    s, e = record["problems"][0]["title_span"]
    assert record["source"][s:e] == record["problems"][0]["title"]


def test_schema_command_prints_the_schema() -> None:
    code, out = run(["schema"])
    assert code == EXIT_OK and json.loads(out)["title"] == "rectify_parse notice record"


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
    assert json.loads(result.stdout)["header"]["extra"] == {"主题词": "巡察整改"}
    assert result.stderr == b""
