"""Measure the line model (src/rectify_parse/linemodel.py: a CRF over a page's lines that takes for site chrome
what the rules kept around the document, and gives back what the rules' zones took from it), trained on the
checked line roles.

    python benchmarks/line_model.py                   # leave-one-batch-out: the rules alone, and with the model
    python benchmarks/line_model.py --held 14 15 16 17  # first seen: one model trained without these batches

Each row gives chrome lines removed and body snippets kept (score_real_pages.py), the checked roles of the
lines the model removed (``chrome`` is right, any other a line of the document taken) and of the lines a chrome
rule named that it gave back (``chrome`` is chrome kept, any other a line of the document saved). The totals add
titles and header fields (the model's meta-row date and source, linemodel.HEADER_ADD) with the precision of the
header values. The figures are in benchmarks/LEARNING.md; ``python benchmarks/train_roles.py`` trains the
shipped model.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import score_real_pages as srp
import train_roles

from rectify_parse import roles
from rectify_parse.linemodel import learned_lines, line_features


def decided_roles(held: list[tuple[dict[str, Any], bytes]], model: str) -> tuple[Counter[str], Counter[str]]:
    """The checked roles of the lines the line model removes on the held pages that have roles (``chrome`` is
    right, any other a line of the document lost), and of the lines a chrome rule named that it gives back to
    the document (``chrome`` is a line of chrome kept, any other a line of the document saved)."""
    removed: Counter[str] = Counter()
    restored: Counter[str] = Counter()
    for label, raw in held:
        known = train_roles.page_roles(label, raw)
        if known is None:
            continue
        p, role = known
        with roles.using_line_model(model):
            learned = learned_lines(p.table)
        removed.update(role(i) for i in learned.chrome)
        restored.update(role(i) for i in learned.document)
    return removed, restored


def held_out_scores(
    pages: list[train_roles.Page], held: list[tuple[dict[str, Any], bytes]], batches: set[str]
) -> list[tuple[str, srp.Scores, srp.Scores, tuple[Counter[str], Counter[str]]]]:
    """For each batch of ``batches``: its scores by the chrome rules, with a line model trained on every page
    outside ``batches``, and the checked roles of the lines that model removes and gives back."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lines.json"
        train_roles.train([p for p in pages if p.batch not in batches], path, params=train_roles.LINE_PARAMS)
        for batch in sorted(batches, key=int):
            mine = [(label, raw) for label, raw in held if train_roles.batch_of(label["id"]) == batch]
            rules = train_roles.score(mine, roles.MODEL_FILE, None)
            out.append(
                (batch, rules, train_roles.score(mine, roles.MODEL_FILE, str(path)), decided_roles(mine, str(path)))
            )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--held", nargs="+", metavar="BATCH", help="first seen: train without these batches, score them")
    args = ap.parse_args(argv)
    pages = [p for p in train_roles.load_line_pages(line_features) if p.xseq]
    labelled = list(train_roles.real_pages())
    batches = sorted({train_roles.batch_of(label["id"]) for label, _ in labelled}, key=int)
    folds = [set(args.held)] if args.held else [{b} for b in batches]
    totals = (srp.Scores(), srp.Scores())
    all_removed: Counter[str] = Counter()
    all_restored: Counter[str] = Counter()
    for fold in folds:
        held = [(label, raw) for label, raw in labelled if train_roles.batch_of(label["id"]) in fold]
        for batch, rules, model, (removed, restored) in held_out_scores(pages, held, fold):
            all_removed += removed
            all_restored += restored
            for target, source in zip(totals, (rules, model), strict=True):
                for name, tally in source.measures.items():
                    target[name].hits += tally.hits
                    target[name].total += tally.total
            chrome = [train_roles._cell(s, "chrome lines removed") for s in (rules, model)]
            kept = [train_roles._cell(s, "body kept") for s in (rules, model)]
            print(
                f"batch {batch}: chrome {chrome[0]} -> {chrome[1]}, body kept {kept[0]} -> {kept[1]}; "
                f"lines removed by their roles {dict(removed)}, given back {dict(restored)}"
            )
    names = ("chrome lines removed", "body kept", "title", "no invented title", "header fields")
    for name in (*names, "parsed header values that are labelled"):
        print(f"all: {name} {train_roles._cell(totals[0], name)} -> {train_roles._cell(totals[1], name)}")
    print(f"all: lines the model removed, by their checked roles: {dict(all_removed)}")
    print(f"all: lines a rule named that the model gave back, by their checked roles: {dict(all_restored)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
