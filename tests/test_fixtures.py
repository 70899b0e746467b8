"""Golden records and hand-written facts for every fixture, and the record schema.

Regenerate the golden records after an intended change with ``RECTIFY_REGEN=1 pytest tests/test_fixtures.py``
and review every diff by hand (``git diff fixtures/``) before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import rectify_parse
from conftest import FIXTURES, check_facts, fixture_names, golden, load_json
from rectify_parse.schema import line_schema, record_schema

FOLDERS = [FIXTURES, FIXTURES / "repeats", FIXTURES / "damaged", FIXTURES / "layouts", FIXTURES / "pages"]
CASES = [(folder, name) for folder in FOLDERS for name in fixture_names(folder)]
IDS = [f"{folder.name}/{name}" for folder, name in CASES]
REGEN = os.environ.get("RECTIFY_REGEN") == "1"


def _record(folder: Path, name: str) -> dict[str, Any]:
    return rectify_parse.parse((folder / f"{name}.txt").read_bytes()).to_dict()


def test_enough_fixtures() -> None:
    assert len(fixture_names(FIXTURES)) >= 8


@pytest.mark.parametrize(("folder", "name"), CASES, ids=IDS)
def test_golden_record(folder: Path, name: str) -> None:
    record = golden(_record(folder, name))
    path = folder / f"{name}.expected.json"
    if REGEN:
        path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert path.exists(), f"no golden record for {name}: run with RECTIFY_REGEN=1 and review it"
    assert record == load_json(path)


@pytest.mark.parametrize(("folder", "name"), CASES, ids=IDS)
def test_hand_written_facts(folder: Path, name: str) -> None:
    facts_path = folder / f"{name}.facts.json"
    if not facts_path.exists():
        pytest.skip("no facts file")
    assert check_facts(_record(folder, name), load_json(facts_path)) == []


@pytest.mark.parametrize(("folder", "name"), CASES, ids=IDS)
def test_record_validates_against_schema(folder: Path, name: str) -> None:
    jsonschema.validate(_record(folder, name), record_schema())


@pytest.mark.parametrize(("folder", "name"), CASES, ids=IDS)
def test_every_span_points_at_its_text(folder: Path, name: str) -> None:
    raw = (folder / f"{name}.txt").read_bytes()
    notice = rectify_parse.parse(raw)
    source = rectify_parse.decode(raw)[0]
    from test_properties import assert_spans_consistent

    assert_spans_consistent(notice, source)


def test_shipped_line_schema_is_the_generated_one() -> None:
    shipped = Path(rectify_parse.__file__).parent / "line.schema.json"
    if REGEN:
        shipped.write_text(json.dumps(line_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert json.loads(shipped.read_text(encoding="utf-8")) == line_schema()


def test_shipped_schema_is_the_generated_one() -> None:
    shipped = Path(rectify_parse.__file__).parent / "record.schema.json"
    if REGEN:
        shipped.write_text(json.dumps(record_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert json.loads(shipped.read_text(encoding="utf-8")) == record_schema()
