"""Score the parser on real pages labelled by hand (benchmarks/real_pages/README.md).

    python benchmarks/score_real_pages.py                 # per-field accuracy over every page with a text
    python benchmarks/score_real_pages.py --page r012     # one page: what was expected, what was parsed
    python benchmarks/score_real_pages.py --misses        # every miss, page by page
    python benchmarks/score_real_pages.py --check-labels  # validate the label files only
    python benchmarks/score_real_pages.py --missing       # ids whose text is not in texts/ yet
    python benchmarks/score_real_pages.py --ids 'r3*' 'n3*'  # only pages whose id matches a pattern

Matching is lenient on form and strict on content: titles, header values, chrome lines and problem title
keys are compared after NFKC folding with whitespace, punctuation and quote marks removed.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import json
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

import rectify_parse
from rectify_parse.normalize import PINYIN
from rectify_parse.patterns import CANONICAL_KEYS
from rectify_parse.records import document_text

ROOT = Path(__file__).resolve().parent / "real_pages"
LABELS = ROOT / "labels"
TEXTS = ROOT / "texts"

KINDS = ("rectification", "other")
STATUS_KINDS = (None, "completed", "in_progress", "not_started")
# The header's canonical keys; the title is scored on its own.
HEADER_KEYS = tuple(key for key in CANONICAL_KEYS if key != "title")
REQUIRED = ("id", "url", "query", "kind", "title", "header", "chrome", "keep", "copies", "problems")
_NOISE = regex.compile(r"[\s\p{P}\p{S}]+")


def norm(text: str | None) -> str:
    """The comparison key: NFKC, no injected pinyin, whitespace, punctuation or symbols."""
    # Pinyin a mirror injected after characters (政(zheng)府, 首頁(yè)): values drop it, so keys do too.
    return _NOISE.sub("", unicodedata.normalize("NFKC", PINYIN.sub("", text or "")))


def check_label(label: dict[str, Any], name: str) -> list[str]:
    """Every way a label file breaks the schema (empty when it is valid)."""
    errors = [f"missing key {key!r}" for key in REQUIRED if key not in label]
    if errors:
        return errors
    if label["id"] != name:
        errors.append(f"id {label['id']!r} is not the file name {name!r}")
    if label["kind"] not in KINDS:
        errors.append(f"kind {label['kind']!r} not in {KINDS}")
    if label["title"] is not None and not isinstance(label["title"], str):
        errors.append("title must be a string or null")
    for key in label["header"]:
        if key not in HEADER_KEYS:
            errors.append(f"header key {key!r} is not canonical")
    if not all(isinstance(line, str) and line.strip() for line in label["chrome"]):
        errors.append("chrome lines must be non-empty strings")
    if not isinstance(label["copies"], int) or label["copies"] < 1:
        errors.append("copies must be an integer >= 1")
    if label["kind"] == "other" and label["problems"]:
        errors.append("an 'other' page has no problems")
    for k, problem in enumerate(label["problems"]):
        if not isinstance(problem.get("title_key"), str) or not norm(problem["title_key"]):
            errors.append(f"problem {k + 1}: title_key must be a non-empty string")
        if problem.get("status_kind") not in STATUS_KINDS:
            errors.append(f"problem {k + 1}: status_kind {problem.get('status_kind')!r} not in {STATUS_KINDS}")
    return errors


def load_labels() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(LABELS.glob("*.json"))]


@dataclass
class Tally:
    """Hits over trials for one measure, with the pages that missed."""

    hits: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, miss: str) -> None:
        self.total += 1
        self.hits += ok
        if not ok:
            self.misses.append(miss)

    def rate(self) -> str:
        return f"{self.hits / self.total:6.1%}" if self.total else "   n/a"


@dataclass
class Scores:
    measures: dict[str, Tally] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Tally:
        return self.measures.setdefault(name, Tally())


def match_problems(labelled: list[dict[str, Any]], parsed: list[dict[str, Any]]) -> list[int | None]:
    """For each labelled problem, the index of the parsed problem it matches (in order), or None."""
    out: list[int | None] = []
    used: set[int] = set()
    keys = [norm(p["title"]) for p in parsed]
    for want in labelled:
        key = norm(want["title_key"])
        found = next(
            (
                j
                for j, got in enumerate(keys)
                if j not in used and got and (key in got or (len(got) >= 4 and got in key))
            ),
            None,
        )
        if found is not None:
            used.add(found)
        out.append(found)
    return out


def _kept(chrome_line: str, text_lines: set[str], text_key: str) -> bool:
    key = norm(chrome_line)
    if not key:
        return False
    return key in text_lines or (len(key) >= 6 and key in text_key)


def score_page(label: dict[str, Any], record: dict[str, Any], scores: Scores) -> None:
    pid = label["id"]
    rect = label["kind"] == "rectification"
    # Title: found where the page has one; none invented where it has none.
    if label["title"] is not None:
        scores["title"].add(norm(record["title"]) == norm(label["title"]), f"{pid}: {record['title']!r}")
    else:
        scores["no invented title"].add(record["title"] is None, f"{pid}: {record['title']!r}")
    for key, want in label["header"].items():
        got = record["header"].get(key)
        scores["header fields"].add(norm(got) == norm(want), f"{pid} {key}: {got!r} != {want!r}")
    # And the other way: each value the parser gave a canonical key is the label's (a value the label does not
    # hold is a false one: the labels hold every field a page shows).
    for key in HEADER_KEYS:
        got = record["header"].get(key)
        if got:
            want = label["header"].get(key)
            scores["parsed header values that are labelled"].add(norm(got) == norm(want), f"{pid} {key}: {got!r}")
    text = document_text(record)  # every document on the page: the notice, then what it issues
    text_lines = {norm(line) for line in text.split("\n")}
    text_key = norm(text)
    for line in label["chrome"]:
        scores["chrome lines removed"].add(not _kept(line, text_lines, text_key), f"{pid}: {line!r}")
    for snippet in label.get("keep", []):
        scores["body kept"].add(norm(snippet) in text_key, f"{pid}: {snippet!r}")
    copies = max(1, len(record["duplicates"]["copies"]))
    if label["copies"] == 1:
        scores["no false repeated body"].add(copies == 1, f"{pid}: {copies} copies")
    else:
        scores["repeated body found"].add(copies > 1, f"{pid}: {copies} copies")
    parsed = record["problems"]
    if not rect:
        scores["other pages without false problems"].add(not parsed, f"{pid}: {[p['title'][:20] for p in parsed]}")
        return
    labelled = label["problems"]
    matches = match_problems(labelled, parsed)
    scores["exact problem count"].add(len(parsed) == len(labelled), f"{pid}: {len(parsed)} != {len(labelled)}")
    for want, j in zip(labelled, matches, strict=True):
        scores["problems found"].add(j is not None, f"{pid}: {want['title_key']!r}")
        if j is None:
            continue
        got = parsed[j]
        if want.get("status") is not None or want.get("status_kind") is not None:
            scores["status kind"].add(
                got["status_kind"] == want.get("status_kind"),
                f"{pid} #{want.get('number')}: {got['status_kind']} != {want.get('status_kind')}",
            )
        if got["status_kind"] is not None:
            # And the other way: a status the parser gave a problem whose label has none is a false one.
            scores["parsed statuses that are labelled"].add(
                want.get("status_kind") is not None, f"{pid} #{want.get('number')}: {got['status']!r}"
            )
        if want.get("status") is not None:
            scores["status text"].add(
                bool(got["status"]) and norm(want["status"]) in norm(got["status"]),
                f"{pid} #{want.get('number')}: {got['status']!r} lacks {want['status']!r}",
            )
    matched = {j for j in matches if j is not None}
    for j, got in enumerate(parsed):
        scores["parsed problems that are labelled"].add(j in matched, f"{pid}: {got['title'][:24]!r}")


def run(labels: Iterable[dict[str, Any]]) -> tuple[Scores, int, int]:
    scores = Scores()
    scored = skipped = 0
    for label in labels:
        path = TEXTS / f"{label['id']}.txt"
        if not path.exists():
            skipped += 1
            continue
        record = rectify_parse.parse(path.read_bytes()).to_dict()
        score_page(label, record, scores)
        scored += 1
    return scores, scored, skipped


def show_page(label: dict[str, Any]) -> None:
    record = rectify_parse.parse((TEXTS / f"{label['id']}.txt").read_bytes()).to_dict()
    print(f"== {label['id']} ({label['kind']}) {label['url']}")
    print(f"title   want {label['title']!r}\n        got  {record['title']!r}")
    for key, want in label["header"].items():
        print(f"header  {key}: want {want!r} got {record['header'].get(key)!r}")
    print("problems (want):")
    for p in label["problems"]:
        print(f"  {p.get('number')} {p['title_key']!r} {p.get('status')!r} {p.get('status_kind')}")
    print("problems (got):")
    for p in record["problems"]:
        print(f"  {p['number']} [{p.get('rule')}] {p['title'][:30]!r} {p['status']!r} {p['status_kind']}")
    scores = Scores()
    score_page(label, record, scores)
    for name, tally in scores.measures.items():
        for miss in tally.misses:
            print(f"  MISS {name}: {miss}")


def _models(args: argparse.Namespace) -> contextlib.AbstractContextManager[None]:
    """The models to parse with: ``--rules`` none, ``--model F`` that problem model, else the package's."""
    from rectify_parse import roles

    stack = contextlib.ExitStack()
    if args.rules:
        stack.enter_context(roles.using_model(None))
        stack.enter_context(roles.using_line_model(None))
    elif args.model:
        stack.enter_context(roles.using_model(args.model))
    return stack


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--page", help="show one page's expected and parsed values")
    ap.add_argument("--misses", action="store_true", help="list every miss")
    ap.add_argument("--check-labels", action="store_true", help="validate the label files and stop")
    ap.add_argument("--missing", action="store_true", help="list ids without a text and stop")
    ap.add_argument("--kind", choices=KINDS, help="score only pages of this kind")
    ap.add_argument("--rules", action="store_true", help="parse with the rules alone (no learned model)")
    ap.add_argument("--model", help="parse with this problem model file instead of the package's")
    ap.add_argument(
        "--ids",
        nargs="+",
        metavar="PATTERN",
        help="score only pages whose id matches one of these shell-style patterns (e.g. 'r3*' 'n3*')",
    )
    args = ap.parse_args(argv)
    labels = load_labels()
    bad = {
        label.get("id", "?"): errs
        for label, p in zip(labels, sorted(LABELS.glob("*.json")), strict=True)
        if (errs := check_label(label, p.stem))
    }
    if args.check_labels or bad:
        for pid, errs in bad.items():
            print(f"{pid}: " + "; ".join(errs))
        print(f"{len(labels)} labels, {len(bad)} invalid")
        return 1 if bad else 0
    if args.missing:
        for label in labels:
            if not (TEXTS / f"{label['id']}.txt").exists():
                print(label["id"], label["query"], label["url"])
        return 0
    if args.page:
        with _models(args):
            show_page(next(label for label in labels if label["id"] == args.page))
        return 0
    if args.kind:
        labels = [label for label in labels if label["kind"] == args.kind]
    if args.ids:
        labels = [label for label in labels if any(fnmatch.fnmatchcase(label["id"], pat) for pat in args.ids)]
    with _models(args):
        scores, scored, skipped = run(labels)
    kinds = {k: sum(1 for label in labels if label["kind"] == k) for k in KINDS}
    print(f"{scored} pages scored ({kinds}), {skipped} without a text (--missing)")
    for name, tally in scores.measures.items():
        print(f"{name:38} {tally.rate()}  {tally.hits:5} / {tally.total}")
        if args.misses:
            for miss in tally.misses:
                print(f"    {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
