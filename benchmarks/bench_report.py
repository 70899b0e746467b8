"""Measure ``export`` and ``report`` on a large batch output made by repeating and perturbing real lines.

    python benchmarks/bench_report.py               # 100,000 notices
    python benchmarks/bench_report.py --n 10000     # quicker

The base lines are the batch output of the bundled fixtures (``--dedup``: pages with copies, groups, errors
none). Line ``i`` is base line ``i mod len(base)`` with a new id, one of 2,000 publishers, its title
numbered, and, for every tenth notice, membership in a near-duplicate group of 2 to 5 notices whose
members' documents are the representative's with one character of its text substituted (so the groups'
side-by-side views and the group_variants table have something to show). Each step runs in a fresh
process; printed: input size, time, peak RSS of that process, and the sizes of what was written.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def base_lines(tmp: Path) -> list[dict[str, Any]]:
    out = tmp / "base.jsonl"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rectify_parse",
            "batch",
            str(ROOT / "fixtures"),
            "--glob",
            "*.txt",
            "--dedup",
            "--quiet",
            "-o",
            str(out),
        ],
        check=True,
    )
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def synthetic(base: list[dict[str, Any]], n: int, path: Path) -> None:
    rng = random.Random(13)
    group = 0
    members_left = 0
    representative = ""
    documents: tuple[str, Any] = ("", [])  # the representative's text and further documents
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            line = json.loads(json.dumps(base[i % len(base)]))
            line["id"] = f"synthetic/{i:06d}.txt"
            record = line.get("record")
            line["group"] = line["near_duplicate_of"] = None
            if isinstance(record, dict):
                record["header"]["publisher"] = f"合成县第{rng.randrange(2000)}局"
                record["title"] = f"{record.get('title') or '无题'}（{i}）"
                if members_left == 0 and i % 10 == 0 and len(record.get("text", "")) > 200:
                    members_left, representative = rng.randint(2, 5), line["id"]
                    documents = (record["text"], record.get("segments", []))
                    group += 1
                if members_left:
                    line["group"] = group - 1
                    if line["id"] != representative:
                        # A copy of the representative's documents with one character substituted.
                        line["near_duplicate_of"] = representative
                        text = documents[0]
                        k = rng.randrange(len(text) // 4, len(text) // 2)
                        record["text"] = text[:k] + "某" + text[k + 1 :]
                        record["segments"] = json.loads(json.dumps(documents[1]))
                    members_left -= 1
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


_STEP = """
import resource, sys, time
from rectify_parse.export import export
from rectify_parse.report import write_report
start = time.perf_counter()
what, src, dst = sys.argv[1:4]
result = write_report(src, dst) if what == "report" else export(src, dst, what)
print(round(time.perf_counter() - start, 2), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, result)
"""


def step(what: str, src: Path, dst: Path) -> str:
    done = subprocess.run([sys.executable, "-c", _STEP, what, str(src), str(dst)], check=True, capture_output=True)
    seconds, rss, result = done.stdout.decode().split(" ", 2)
    return f"{what}: {seconds} s, peak RSS {rss} MB; {result.strip()}"


def size(path: Path) -> str:
    files = [path] if path.is_file() else sorted(path.iterdir())
    return ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        start = time.perf_counter()
        src = tmp / "out.jsonl"
        synthetic(base_lines(tmp), args.n, src)
        print(f"{args.n:,} notices: {size(src)} (made in {time.perf_counter() - start:.0f} s)")
        for what, dst in (("csv", tmp / "csv"), ("parquet", tmp / "parquet"), ("report", tmp / "report.html")):
            print(step(what, src, dst))
            print("  ", size(dst))


if __name__ == "__main__":
    main()
