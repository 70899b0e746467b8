"""Validate one label of a new batch against its text (used while labelling, before the batch joins real_pages):

    python benchmarks/check_label.py BATCH/labels/r1201.json     # its text is BATCH/texts/r1201.txt

It checks the schema (as score_real_pages.py --check-labels does for the committed labels) and that every
chrome line is a whole line of the text and that every keep snippet, problem key, status and the title occur
in it. Exit status 1 when anything is wrong.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

from rectify_parse.patterns import CANONICAL_KEYS

KEYS = ("id", "url", "query", "excerpt_start", "kind", "layouts", "title", "header", "chrome", "keep", "copies")
HEADER = frozenset(key for key in CANONICAL_KEYS if key != "title")  # the title is a label field of its own
STATUS_KINDS = (None, "completed", "in_progress", "not_started")
_NOISE = re.compile(r"[\s\W_]+")


def norm(text: str | None) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or ""))


def check(label: dict[str, Any], name: str, text: str | None) -> list[str]:
    errors = [f"missing key {k}" for k in (*KEYS, "problems", "notes") if k not in label]
    if errors:
        return errors
    if label["id"] != name:
        errors.append("id differs from the file name")
    if not re.fullmatch(r"[rn]\d{3,4}", label["id"]):
        errors.append("id must be r or n, the batch number and two digits")
    if label["kind"] not in ("rectification", "other"):
        errors.append(f"kind {label['kind']!r}")
    if (label["kind"] == "rectification") != label["id"].startswith("r"):
        errors.append("r ids are rectification pages, n ids other notices")
    if label["kind"] == "other" and label["problems"]:
        errors.append("other pages have no problems")
    for key, value in label["header"].items():
        if key not in HEADER:
            errors.append(f"header key {key} is not canonical")
        elif key.startswith("date") and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or ""):
            errors.append(f"{key} is not an ISO date")
    if not isinstance(label["copies"], int) or label["copies"] < 1:
        errors.append("copies must be an integer >= 1")
    for problem in label["problems"]:
        if set(problem) != {"number", "title_key", "status", "status_kind"}:
            errors.append(f"problem keys {sorted(problem)}")
        if problem.get("status_kind") not in STATUS_KINDS:
            errors.append(f"status_kind {problem.get('status_kind')!r}")
    if text is None:
        return [*errors, "no text"]
    keyed = norm(text)
    lines = {line.strip() for line in text.splitlines()}
    if label["excerpt_start"] and not text.startswith(label["excerpt_start"]):
        errors.append("excerpt_start is not the start of the text")
    if label["title"] and norm(label["title"]) not in keyed:
        errors.append(
            "title not in the text (fine only when the text splits it with other characters: say so in notes)"
        )
    errors += [f"chrome line is not a whole line of the text: {c!r}" for c in label["chrome"] if c.strip() not in lines]
    errors += [f"keep snippet not in the text: {s!r}" for s in label["keep"] if s not in text]
    for problem in label["problems"]:
        if problem.get("title_key", "") not in text:
            errors.append(f"title_key not in the text as written: {problem.get('title_key')!r}")
        if problem.get("status") and norm(problem["status"]) not in keyed:
            errors.append(f"status not in the text: {problem['status']!r}")
    return errors


def main(argv: list[str]) -> int:
    path = Path(argv[0])
    label = json.loads(path.read_text(encoding="utf-8"))
    text_path = path.parent.parent / "texts" / f"{path.stem}.txt"
    text = text_path.read_text(encoding="utf-8") if text_path.exists() else None
    errors = check(label, path.stem, text)
    print("\n".join(errors) if errors else "ok")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
