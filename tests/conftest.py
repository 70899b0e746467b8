"""Shared test helpers: fixture discovery and the hand-written facts checker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEEDS = ROOT.parent / "shared" / "seeds"


def fixture_names(folder: Path = FIXTURES) -> list[str]:
    return sorted(p.name[: -len(".txt")] for p in folder.glob("*.txt"))


def check_facts(record: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """Every difference between a record and the hand-written facts about it (empty when they agree)."""
    problems: list[str] = []

    def expect(what: str, got: Any, want: Any) -> None:
        if got != want:
            problems.append(f"{what}: got {got!r}, want {want!r}")

    if "encoding" in facts:
        expect("encoding", record["encoding"], facts["encoding"])
    for key, want in facts.get("header", {}).items():
        if key == "extra":
            for label, value in want.items():
                expect(f"header.extra[{label}]", record["header"]["extra"].get(label), value)
        else:
            expect(f"header.{key}", record["header"][key], want)
    for key in ("title", "addressee"):
        if key in facts:
            expect(key, record[key], facts[key])
    if "top_sections" in facts:
        expect("top_sections", [s["heading"] for s in record["sections"]], facts["top_sections"])
    if "max_level" in facts:

        def depth(nodes: list[dict[str, Any]]) -> int:
            return max((max(n["level"], depth(n["children"])) for n in nodes), default=0)

        expect("max_level", depth(record["sections"]), facts["max_level"])
    if "problems_count" in facts:
        expect("problems_count", len(record["problems"]), facts["problems_count"])
    for i, want in enumerate(facts.get("problems", [])):
        if i >= len(record["problems"]):
            problems.append(f"problem #{i + 1} missing")
            continue
        got = record["problems"][i]
        for key, value in want.items():
            if key == "measures_count":
                expect(f"problem {i + 1} measures_count", len(got["measures"]), value)
            elif key == "fields":
                for label, v in value.items():
                    expect(f"problem {i + 1} fields[{label}]", got["fields"].get(label), v)
            else:
                expect(f"problem {i + 1} {key}", got[key], value)
    if "attachments" in facts:
        expect("attachments", record["attachments"], facts["attachments"])
    for key, want in facts.get("closing", {}).items():
        expect(f"closing.{key}", record["closing"][key], want)
    removed = " ".join(b["text"] for b in record["boilerplate"])
    for needle in facts.get("boilerplate_contains", []):
        if needle not in removed:
            problems.append(f"boilerplate lacks {needle!r}")
    for needle in facts.get("text_excludes", []):
        if needle in record["text"]:
            problems.append(f"text holds {needle!r}")
    for needle in facts.get("text_includes", []):
        if needle not in record["text"]:
            problems.append(f"text lacks {needle!r}")
    codes = {w["code"] for w in record["warnings"]}
    for code in facts.get("warning_codes", []):
        if code not in codes:
            problems.append(f"warning {code!r} not raised (got {sorted(codes)})")
    dup = record["duplicates"]
    if "copies" in facts:
        expect("copies", max(1, len(dup["copies"])), facts["copies"])
    if "complete" in facts:
        expect("complete", [c["complete"] for c in dup["copies"]] or [True], facts["complete"])
    if "wording_variants" in facts:
        got_pairs = [[v["before"], v["after"]] for v in dup["variants"] if v["kind"] == "wording"]
        expect("wording_variants", got_pairs, facts["wording_variants"])
    if "has_punctuation_variants" in facts:
        expect(
            "has_punctuation_variants",
            any(v["kind"] == "punctuation" for v in dup["variants"]),
            facts["has_punctuation_variants"],
        )
    if "second_document_title" in facts:
        expect("second_document_title", [s["title"] for s in record["segments"]], [facts["second_document_title"]])
    return problems


@pytest.fixture(scope="session")
def seed_path() -> Path:
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not seeds:
        pytest.skip("../shared/seeds is not present")
    return seeds[0]


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
