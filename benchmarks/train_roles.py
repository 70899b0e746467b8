"""Train the line-role model that decides which body items are problems, and measure it honestly.

    python benchmarks/train_roles.py               # train on every labelled page and the fixtures; writes
                                                   # src/rectify_parse/models/problems.json
    python benchmarks/train_roles.py --lobo        # leave-one-batch-out: for every batch, train both models
                                                   # without it and score it (the table of LEARNING.md)
    python benchmarks/train_roles.py --check       # how many labelled problems align with a unit
    python benchmarks/train_roles.py --hold 34 35  # train without the newest batches (their first-seen test)

Training data: the labelled real pages (benchmarks/real_pages: labels committed, texts gathered again on a
new machine, see its README) and the invented fixtures with their golden records (fixtures/**.expected.json).
Each page is parsed with the rules alone (``roles.using_model(None)``) to get its units and their features;
an item is a problem (label ``P``) when a labelled problem's title starts in it after at most its marker and
a short lead-in (关于 …, 问题：). Every page is given twice, once without the rule features, so the model
learns the items' own evidence and does not only copy the rules (which were tuned on these pages).

Training is deterministic (L-BFGS from zero weights over the pages in sorted order). crfsuite trains the
model; its weights are written as JSON (src/rectify_parse/models/problems.json), which the parser applies
itself (roles.marginals), so python-crfsuite is needed for training only.
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycrfsuite
import regex

import rectify_parse
from rectify_parse import linemodel, pipeline, roles
from rectify_parse.normalize import PINYIN, fold

sys.path.insert(0, str(Path(__file__).resolve().parent))
import line_roles
import score_real_pages as srp

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "benchmarks" / "real_pages"
FIXTURES = ROOT / "fixtures"
MODEL = ROOT / "src" / "rectify_parse" / "models" / roles.MODEL_FILE
LINE_MODEL = MODEL.with_name(roles.LINE_MODEL_FILE)
# Line roles (benchmarks/real_pages/roles) as the page-line model's labels; heading, problem and body lines
# are all the body's.
_LINE_LABELS = {"chrome": "C", "header": "H", "title": "I", "closing": "E"}
REPORT = ROOT / "benchmarks" / "LEARNING.md"
LINE_PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 300, "feature.possible_transitions": True}
# The problem model's L2 weight is ten times the line model's: at 0.01 a character pair seen on a dozen items, two
# of them problems, weighed 4 (c2=改问 took 已完成整改问题30个 for a problem). Leave-one-batch-out over 2,661 pages
# (with roles.ADD 0.6): problems found 56.3% -> 57.1% for as many given (real 85.4% -> 86.7%); 1.0 lost 74.
PARAMS = {**LINE_PARAMS, "c2": 0.1}
# A labelled problem's title may start this many characters (no space or punctuation) into its unit:
# the marker and a lead-in (关于“, 问题描述：, 第7项).
_MAX_LEAD = 14
_NOISE = regex.compile(r"[\s\p{P}\p{S}]+")


@dataclass
class Page:
    """One training page: its units' features and gold labels."""

    id: str
    batch: str
    xseq: list[list[str]]
    yseq: list[str]
    aligned: int  # labelled problems found in a unit
    labelled: int


def _key(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", PINYIN.sub("", text)))


def _keyed(text: str) -> tuple[str, list[int]]:
    """``_key(text)`` and, for each of its characters, the offset in ``text`` it comes from."""
    drop = bytearray(len(text))
    for m in PINYIN.finditer(text):
        drop[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if drop[i]:
            continue
        for c in unicodedata.normalize("NFKC", ch):
            if not _NOISE.fullmatch(c):
                chars.append(c)
                where.append(i)
    return "".join(chars), where


def _base_labels(units: list[roles.Unit]) -> list[str]:
    return [roles.TEXT if u.family == "none" else roles.ITEM for u in units]


def _state(raw: bytes) -> Any:
    """The page parsed by the rules alone, its body's units and features kept (as explain_units keeps them)."""
    with roles.using_model(None), roles.using_line_model(None):
        return pipeline._run_stages(raw, "auto", pipeline.MAX_CHARS, explain=True)


def _page_from_label(label: dict[str, Any], raw: bytes) -> Page:
    p = _state(raw)
    units, xseq = p.result.units, p.result.unit_features
    yseq = _base_labels(units)
    aligned = 0
    if units:
        text = p.text
        lo, hi = units[0].start, units[-1].end
        keyed, where = _keyed(text[lo:hi])
        starts = [u.start for u in units]
        cursor = 0
        for problem in label["problems"]:
            key = _key(fold(problem["title_key"]))
            at = keyed.find(key, cursor) if key else -1
            if at == -1 and key:
                at = keyed.find(key)
            if at == -1:
                continue
            pos = lo + where[at]
            k = bisect.bisect_right(starts, pos) - 1
            if k >= 0 and len(_key(text[units[k].start : pos])) <= _MAX_LEAD:
                yseq[k] = roles.PROBLEM
                aligned += 1
                cursor = at + len(key)
    return Page(label["id"], batch_of(label["id"]), xseq, yseq, aligned, len(label["problems"]))


def _page_from_fixture(path: Path, expected: dict[str, Any]) -> Page:
    raw = path.read_bytes()
    p = _state(raw)
    units, xseq = p.result.units, p.result.unit_features
    yseq = _base_labels(units)
    spans = [p.view.span(u.start, u.end) for u in units]
    starts = [s for s, _ in spans]
    aligned = 0
    for problem in expected["problems"]:
        pos = problem["title_span"][0]
        k = bisect.bisect_right(starts, pos) - 1
        if k >= 0 and pos < max(spans[k][1], spans[k][0] + 1):
            yseq[k] = roles.PROBLEM
            aligned += 1
    return Page(f"fixture:{path.relative_to(FIXTURES)}", "fixtures", xseq, yseq, aligned, len(expected["problems"]))


def batch_of(page_id: str) -> str:
    """A real page's batch: the hundreds of its number (r312 → 3, r1004 → 10)."""
    return str(int(page_id[1:-2] or 0))


def real_pages() -> Iterable[tuple[dict[str, Any], bytes]]:
    for label in srp.load_labels():
        text = REAL / "texts" / f"{label['id']}.txt"
        if text.exists():
            yield label, text.read_bytes()


def fixture_pages() -> list[Page]:
    pages = []
    for expected_path in sorted(FIXTURES.rglob("*.expected.json")):
        stem = expected_path.name[: -len(".expected.json")]
        inputs = [p for p in expected_path.parent.glob(stem + ".*") if not p.name.endswith(".json")]
        if len(inputs) != 1:
            continue
        pages.append(_page_from_fixture(inputs[0], json.loads(expected_path.read_text(encoding="utf-8"))))
    return pages


def load_pages() -> list[Page]:
    return [_page_from_label(label, raw) for label, raw in real_pages()] + fixture_pages()


# What a page-line model computes of a page's line table: the lines it labels and their features.
LineFeatures = Callable[[Any], tuple[list[int], list[list[str]]]]


def page_roles(label: dict[str, Any], raw: bytes) -> tuple[Any, Callable[[int], str]] | None:
    """The page parsed by the rules up to its page stage, and the checked role of each line of its table
    (``?`` for none); None for a page without a roles file."""
    if not (REAL / "roles" / f"{label['id']}.tsv").exists():
        return None
    with roles.using_model(None), roles.using_line_model(None):
        p = pipeline._run_stages(raw, "auto", pipeline.MAX_CHARS, last="page")
    starts = [0]
    for line in raw.decode("utf-8").split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    rows = [role for role, _ in line_roles.read_roles(label["id"])[1]]

    def role(i: int) -> str:
        k = bisect.bisect_right(starts, p.view.span(*p.table.spans[i])[0]) - 1
        return rows[k] if 0 <= k < len(rows) else "?"

    return p, role


def _line_page(label: dict[str, Any], raw: bytes, features: LineFeatures) -> Page | None:
    """A page's lines as the page-line model sees them, labelled from its checked line roles."""
    known = page_roles(label, raw)
    if known is None:
        return None
    p, role = known
    idx, xseq = features(p.table)
    yseq = [_LINE_LABELS.get(role(i), "B") for i in idx]
    return Page(label["id"], batch_of(label["id"]), xseq, yseq, 0, 0)


def load_line_pages(features: LineFeatures) -> list[Page]:
    """The real pages' lines for a page-line model with these features (benchmarks/line_model.py)."""
    return [page for label, raw in real_pages() if (page := _line_page(label, raw, features)) is not None]


def _without_rules(xseq: list[list[str]]) -> list[list[str]]:
    return [[x for x in xs if "rule" not in x] for xs in xseq]


def train(
    pages: Iterable[Page], path: Path, crfsuite_copy: Path | None = None, params: dict[str, Any] | None = None
) -> None:
    """Train the CRF on ``pages`` and write its weights to ``path`` as the JSON the parser reads (roles.py);
    ``crfsuite_copy`` keeps crfsuite's own model file too (to check the parser's marginals against it)."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for page in sorted(pages, key=lambda p: p.id):
        if not page.xseq:
            continue
        trainer.append(page.xseq, page.yseq)
        trainer.append(_without_rules(page.xseq), page.yseq)
    params = PARAMS if params is None else params
    trainer.set_params(params)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        crf = Path(tmp) / "model.crfsuite"
        trainer.train(str(crf))
        if crfsuite_copy is not None:
            crfsuite_copy.write_bytes(crf.read_bytes())
        tagger = pycrfsuite.Tagger()
        tagger.open(str(crf))
        info = tagger.info()
    labels = tagger.labels()
    state: dict[str, dict[str, float]] = {}
    for (attr, label), weight in info.state_features.items():
        state.setdefault(attr, {})[label] = weight
    transition = {a: {b: info.transitions.get((a, b), 0.0) for b in labels} for a in labels}
    model = {"labels": labels, "transition": transition, "state": state, "params": params}
    path.write_text(
        json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8"
    )


def score(labels: list[tuple[dict[str, Any], bytes]], model: str | None, line_model: str | None = None) -> srp.Scores:
    """The pages' scores parsed with this problem model and line model (None: the rules decide)."""
    scores = srp.Scores()
    with roles.using_model(model), roles.using_line_model(line_model):
        for label, raw in labels:
            srp.score_page(label, rectify_parse.parse(raw).to_dict(), scores)
    return scores


_MEASURES = (
    ("problems found", "problems found"),
    ("given problems that are real", "parsed problems that are labelled"),
    ("exact problem count", "exact problem count"),
    ("other pages without false problems", "other pages without false problems"),
    ("status kind", "status kind"),
    ("titles", "title"),
    ("no invented title", "no invented title"),
    ("chrome lines removed", "chrome lines removed"),
    ("body snippets kept", "body kept"),
    ("header fields", "header fields"),
)


def _cell(scores: srp.Scores, name: str) -> str:
    tally = scores.measures.get(name)
    if tally is None or not tally.total:
        return "n/a"
    return f"{tally.hits / tally.total:.1%} ({tally.hits}/{tally.total})"


def held_out(
    pages: list[Page], line_pages: list[Page], held: list[tuple[dict[str, Any], bytes]], batch: str
) -> tuple[srp.Scores, srp.Scores]:
    """The held batch's scores by the rules alone, and with both models trained on every page but the batch's
    (the problem model on ``pages``, the line model on ``line_pages``)."""
    with tempfile.TemporaryDirectory() as tmp:
        problems, lines = Path(tmp) / "problems.json", Path(tmp) / "lines.json"
        train([p for p in pages if p.batch != batch], problems)
        train([p for p in line_pages if p.batch != batch], lines, params=LINE_PARAMS)
        model = score(held, str(problems), str(lines))
    return score(held, None), model


def lobo(pages: list[Page], line_pages: list[Page], held_out_batches: set[str]) -> str:
    """The leave-one-batch-out table, as markdown, over the batches not held out (--hold keeps the newest for
    their first-seen score: they are neither trained on nor scored here)."""
    labelled = [(label, raw) for label, raw in real_pages() if batch_of(label["id"]) not in held_out_batches]
    batches = sorted({batch_of(label["id"]) for label, _ in labelled}, key=int)
    rows = []
    totals: dict[str, tuple[srp.Scores, srp.Scores]] = {}
    for batch in batches:
        held = [(label, raw) for label, raw in labelled if batch_of(label["id"]) == batch]
        rules, model = held_out(pages, line_pages, held, batch)
        totals[batch] = (rules, model)
        for title, name in _MEASURES:
            rows.append(f"| {batch} | {len(held)} | {title} | {_cell(rules, name)} | {_cell(model, name)} |")
    out = [
        "| batch | pages | measure | rules | model (trained without the batch) |",
        "|---|---|---|---|---|",
        *rows,
    ]
    all_rules, all_model = srp.Scores(), srp.Scores()
    for rules, model in totals.values():
        for target, source in ((all_rules, rules), (all_model, model)):
            for name, tally in source.measures.items():
                t = target[name]
                t.hits += tally.hits
                t.total += tally.total
    for title, name in _MEASURES:
        out.append(f"| all | {len(labelled)} | {title} | {_cell(all_rules, name)} | {_cell(all_model, name)} |")
    return "\n".join(out)


def first_seen(pages: list[Page], line_pages: list[Page], batch: str) -> str:
    """A new batch scored by the rules and by models trained on every other page (those labelled before it)."""
    held = [(label, raw) for label, raw in real_pages() if batch_of(label["id"]) == batch]
    rules, model = held_out(pages, line_pages, held, batch)
    rows = [f"| {title} | {_cell(rules, name)} | {_cell(model, name)} |" for title, name in _MEASURES]
    return "\n".join([f"batch {batch}, {len(held)} pages", "| measure | rules | model |", "|---|---|---|", *rows])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lobo", action="store_true", help="leave-one-batch-out table (benchmarks/LEARNING.md)")
    ap.add_argument("--check", action="store_true", help="how many labelled problems align with a unit")
    ap.add_argument(
        "--first-seen", metavar="BATCH", help="score a new batch: the rules, and a model trained without it"
    )
    ap.add_argument(
        "--hold",
        nargs="+",
        default=[],
        metavar="BATCH",
        help="leave these batches out of training (new batches kept for their first-seen score)",
    )
    ap.add_argument("--add", type=float, help="experiment: roles.ADD")
    ap.add_argument("--model", type=Path, default=MODEL, help="where the trained model goes")
    args = ap.parse_args(argv)
    if args.add is not None:
        roles.ADD = args.add
    held = set(args.hold)
    pages = [p for p in load_pages() if p.batch not in held]
    aligned = sum(p.aligned for p in pages)
    labelled = sum(p.labelled for p in pages)
    print(
        f"{len(pages)} pages ({sum(p.batch != 'fixtures' for p in pages)} real), problems aligned {aligned}/{labelled}"
    )
    if args.check:
        for p in pages:
            if p.aligned != p.labelled:
                print(f"  {p.id}: {p.aligned}/{p.labelled}")
        return 0
    line_pages = [p for p in load_line_pages(linemodel.line_features) if p.batch not in held]
    if args.first_seen:
        print(first_seen(pages, line_pages, args.first_seen))
        return 0
    if args.lobo:
        print(lobo(pages, line_pages, held))
        return 0
    train(pages, args.model)
    print(f"problem model written to {args.model} ({args.model.stat().st_size:,} bytes)")
    train(line_pages, LINE_MODEL, params=LINE_PARAMS)
    print(f"line model written to {LINE_MODEL} ({LINE_MODEL.stat().st_size:,} bytes) from {len(line_pages)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
