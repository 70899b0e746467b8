"""Batch outputs that the export and report tests read: made by the real batch on invented fixtures."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from conftest import FIXTURES
from rectify_parse.cli import main

REPORT_FIXTURES = FIXTURES / "report"


def batch_output(out: Path, *inputs: Path, options: tuple[str, ...] = ("--dedup",)) -> Path:
    """Run ``rectify-parse batch INPUTS --glob '*.txt' OPTIONS -o out`` and return ``out``."""
    argv = ["batch", *map(str, inputs), "--glob", "*.txt", "--quiet", "--workers", "1", *options, "-o", str(out)]
    assert main(argv, out=io.StringIO()) == 0
    return out


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_lines(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path
