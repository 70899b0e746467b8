"""The README's set-up commands stay true: CI runs the test command it shows, and the main job runs."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from conftest import ROOT
from rectify_parse.cli import main


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", setup)


def test_ci_runs_the_readme_test_command() -> None:
    line = next(x for x in (ROOT / ".ci" / "test-command").read_text().splitlines() if x.startswith("TEST_COMMAND="))
    commands = _readme_commands()
    assert len(commands) == 2
    assert commands[1] == line.removeprefix("TEST_COMMAND=")


def test_readme_main_job_runs_on_the_bundled_fixtures(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    command = _readme_commands()[0]
    job = command.split(" && ")[-1].split()
    assert job[:2] == ["rectify-parse", "batch"]
    argv = [a.strip("'").replace("out/", f"{tmp_path}/") for a in job[1:]]
    monkeypatch.chdir(ROOT)
    assert main(argv, out=io.StringIO()) == 0
    records = [json.loads(line) for line in (tmp_path / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(list((ROOT / "fixtures").rglob("*.txt")))
    assert all("record" in r for r in records)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["errors"] == 0 and summary["near_duplicate_groups"] >= 2
