"""Plan the gathering of the real-page texts on a new machine: the labels grouped by search query, split into
parts that helper sessions fetch in parallel (benchmarks/real_pages/GATHER.md).

    python benchmarks/gather_plan.py --parts 4 --out PLAN_DIR      # PLAN_DIR/part1.json … part4.json
    python benchmarks/gather_plan.py --check                       # texts against the manifest's hashes

A part is a list of ``{"query", "ids": [{"id", "url", "excerpt_start"}]}``: one search returns every page of
a group. ``--check`` compares each gathered text with the SHA-256 the manifest recorded when it was labelled,
and names the lines that differ (line_roles.py keeps a hash per line).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import line_roles


def plan(parts: int) -> list[list[dict[str, object]]]:
    groups: dict[str, list[dict[str, object]]] = {}
    for path in sorted(line_roles.LABELS.glob("*.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        item = {"id": label["id"], "url": label["url"], "excerpt_start": label.get("excerpt_start")}
        groups.setdefault(label["query"], []).append(item)
    out: list[list[dict[str, object]]] = [[] for _ in range(parts)]
    sizes = [0] * parts
    for query, ids in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        k = sizes.index(min(sizes))  # the lightest part takes the next largest group
        out[k].append({"query": query, "ids": ids})
        sizes[k] += len(ids)
    return out


def check() -> int:
    rows = [line.split("\t") for line in line_roles.MANIFEST.read_text(encoding="utf-8").splitlines()[1:]]
    missing = changed = 0
    for pid, _url, _query, digest, _lines in rows:
        path = line_roles.TEXTS / f"{pid}.txt"
        if not path.exists():
            missing += 1
            continue
        text = path.read_text(encoding="utf-8")
        if line_roles.text_hash(text) != digest:
            changed += 1
            _, roles = line_roles.read_roles(pid)
            lines = text.split("\n")
            pairs = zip(lines, roles, strict=False)  # a text that changed may have more or fewer lines
            differ = [n for n, (line, (_, h)) in enumerate(pairs, 1) if line_roles.line_hash(line) != h]
            print(f"{pid}: not the labelled text ({len(lines)} lines, {len(roles)} labelled; lines {differ[:8]})")
    print(f"{len(rows)} texts in the manifest: {missing} not gathered, {changed} different from the labelled text")
    return 1 if changed else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parts", type=int, default=4, help="how many helper sessions share the work")
    ap.add_argument("--out", type=Path, help="folder for part1.json …")
    ap.add_argument("--check", action="store_true", help="compare the gathered texts with the manifest")
    args = ap.parse_args(argv)
    if args.check:
        return check()
    if args.out is None:
        ap.error("--out is needed to write a plan")
    args.out.mkdir(parents=True, exist_ok=True)
    for k, part in enumerate(plan(args.parts), 1):
        (args.out / f"part{k}.json").write_text(json.dumps(part, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"part{k}.json: {len(part)} queries, {sum(len(g['ids']) for g in part)} pages")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
