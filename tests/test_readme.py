"""The README's set-up commands stay true: CI runs the test command it shows, and the main job runs."""

from __future__ import annotations

import io
import json
import re

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


def test_readme_main_job_runs_on_the_bundled_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    command = _readme_commands()[0]
    assert "rectify-parse parse fixtures/*.txt" in command
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "fixtures").glob("*.txt"))
    out = io.StringIO()
    monkeypatch.chdir(ROOT)
    assert main(["parse", *files], out=out) == 0
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == len(files) and all("error" not in r for r in records)
