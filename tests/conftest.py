"""Shared test helpers: fixture discovery and the hand-written facts checker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEEDS = ROOT.parent / "shared" / "seeds"


def _stale_compiled_modules() -> list[str]:
    """Modules of a source checkout whose compiled form (setup.py, mypyc) is older than their source: the
    tests would run yesterday's code."""
    package = ROOT / "src" / "rectify_parse"
    stale = []
    for built in package.glob("*.so"):
        source = package / (built.name.split(".")[0] + ".py")
        if source.exists() and source.stat().st_mtime > built.stat().st_mtime:
            stale.append(source.name)
    return sorted(stale)


def pytest_sessionstart(session: pytest.Session) -> None:
    stale = _stale_compiled_modules()
    if stale:
        raise pytest.UsageError(
            f"compiled modules older than their source ({', '.join(stale)}): run `pip install -e .` again, "
            "or `RECTIFY_PARSE_PURE=1 pip install -e .` to edit the parser without compiling it"
        )


def fixture_names(folder: Path = FIXTURES) -> list[str]:
    return sorted(p.name[: -len(".txt")] for p in folder.glob("*.txt"))


def fact_checks(record: dict[str, Any], facts: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """Every check the hand-written facts ask for, as ``(field, passed, message)``."""
    checks: list[tuple[str, bool, str]] = []

    def expect(field: str, what: str, got: Any, want: Any) -> None:
        checks.append((field, got == want, f"{what}: got {got!r}, want {want!r}"))

    def require(field: str, ok: bool, message: str) -> None:
        checks.append((field, ok, message))

    if "encoding" in facts:
        expect("encoding", "encoding", record["encoding"], facts["encoding"])
    for key, want in facts.get("header", {}).items():
        if key == "extra":
            for label, value in want.items():
                expect("header", f"header.extra[{label}]", record["header"]["extra"].get(label), value)
        else:
            expect("header", f"header.{key}", record["header"][key], want)
    for key in ("title", "addressee"):
        if key in facts:
            expect(key, key, record[key], facts[key])
    if "top_sections" in facts:
        expect("sections", "top_sections", [s["heading"] for s in record["sections"]], facts["top_sections"])
    if "section_counts" in facts:
        expect("sections", "section_counts", [len(s["children"]) for s in record["sections"]], facts["section_counts"])
    if "max_level" in facts:

        def depth(nodes: list[dict[str, Any]]) -> int:
            return max((max(n["level"], depth(n["children"])) for n in nodes), default=0)

        expect("sections", "max_level", depth(record["sections"]), facts["max_level"])
    if "problems_count" in facts:
        expect("problems", "problems_count", len(record["problems"]), facts["problems_count"])
    for i, want in enumerate(facts.get("problems", [])):
        if i >= len(record["problems"]):
            require("problems", False, f"problem #{i + 1} missing")
            continue
        got = record["problems"][i]
        for key, value in want.items():
            if key == "measures_count":
                expect("problems", f"problem {i + 1} measures_count", len(got["measures"]), value)
            elif key == "fields":
                for label, v in value.items():
                    expect("problems", f"problem {i + 1} fields[{label}]", got["fields"].get(label), v)
            else:
                expect("problems", f"problem {i + 1} {key}", got[key], value)
    if "attachments" in facts:
        expect("attachments", "attachments", record["attachments"], facts["attachments"])
    for key, want in facts.get("closing", {}).items():
        expect("closing", f"closing.{key}", record["closing"][key], want)
    removed = " ".join(b["text"] for b in record["boilerplate"])
    for needle in facts.get("boilerplate_contains", []):
        require("chrome", needle in removed, f"boilerplate lacks {needle!r}")
    for needle in facts.get("text_excludes", []):
        require("text", needle not in record["text"], f"text holds {needle!r}")
    for needle in facts.get("text_includes", []):
        require("text", needle in record["text"], f"text lacks {needle!r}")
    codes = {w["code"] for w in record["warnings"]}
    for code in facts.get("warning_codes", []):
        require("warnings", code in codes, f"warning {code!r} not raised (got {sorted(codes)})")
    if "quality_max" in facts:
        require(
            "warnings",
            record["quality"] <= facts["quality_max"],
            f"quality {record['quality']} above {facts['quality_max']}",
        )
    dup = record["duplicates"]
    if "copies" in facts:
        expect("duplicates", "copies", max(1, len(dup["copies"])), facts["copies"])
    if "complete" in facts:
        expect("duplicates", "complete", [c["complete"] for c in dup["copies"]] or [True], facts["complete"])
    if "wording_variants" in facts:
        got_pairs = [[v["before"], v["after"]] for v in dup["variants"] if v["kind"] == "wording"]
        expect("duplicates", "wording_variants", got_pairs, facts["wording_variants"])
    if "has_punctuation_variants" in facts:
        expect(
            "duplicates",
            "has_punctuation_variants",
            any(v["kind"] == "punctuation" for v in dup["variants"]),
            facts["has_punctuation_variants"],
        )
    if "second_document_title" in facts:
        expect(
            "segments",
            "second_document_title",
            [s["title"] for s in record["segments"]],
            [facts["second_document_title"]],
        )
    return checks


def check_facts(record: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """Every difference between a record and the hand-written facts about it (empty when they agree)."""
    return [message for _, ok, message in fact_checks(record, facts) if not ok]


@pytest.fixture(scope="session")
def seed_path() -> Path:
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not seeds:
        pytest.skip("../shared/seeds is not present")
    return seeds[0]


def golden(record: dict[str, Any]) -> dict[str, Any]:
    """A record as its golden file keeps it: without ``model``, which names the trained model's file and would
    change every golden record with each retraining (the model's decisions show in the problems instead);
    a test checks the field apart (test_roles.py)."""
    return {k: v for k, v in record.items() if k != "model"}


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
