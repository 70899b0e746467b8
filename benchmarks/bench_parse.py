"""Single-notice parsing speed: the seed, a synthetic corpus, many pasted copies, one huge notice.

Prints throughput in MB/s and notices/s, and the ratio against ``jieba.lcut`` of the same text (the
cost a pipeline pays when it tokenizes everything). Run: ``python benchmarks/bench_parse.py``.
"""

from __future__ import annotations

import argparse
import logging
import random
import resource
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import rectify_parse

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEEDS = ROOT.parent / "shared" / "seeds"


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def jieba_lcut() -> Callable[[str], list[str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    lcut: Callable[[str], list[str]] = jieba.lcut
    return lcut


def synthetic_corpus(n: int, seed: int = 7) -> list[str]:
    """Pages recombined from the fixtures: bodies pasted once to three times, chrome added or not."""
    rng = random.Random(seed)
    bases = [p.read_bytes() for p in sorted(FIXTURES.glob("*.txt"))]
    texts = [rectify_parse.decode(b)[0] for b in bases]
    chrome = [
        "当前位置：首页 > 政务公开 > 通知公告",
        "打印本页 关闭窗口",
        "分享到：",
        "点击开始解析文章内容,总结生成摘要...",
    ]
    out = []
    for i in range(n):
        text = texts[i % len(texts)].replace("2023", str(2000 + rng.randrange(30)))
        copies = rng.choice([1, 1, 1, 2, 3])
        page = "\n".join([rng.choice(chrome), *([text] * copies), rng.choice(chrome)])
        out.append(page)
    return out


def report(name: str, texts: list[str], lcut: Callable[[str], list[str]], repeat: int) -> None:
    size_mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    ours = best_of(repeat, lambda: [rectify_parse.parse(t) for t in texts])
    theirs = best_of(repeat, lambda: [lcut(t) for t in texts])
    print(
        f"{name:<28} {len(texts):>6} notices {size_mb:8.2f} MB | parse {size_mb / ours:7.2f} MB/s "
        f"{len(texts) / ours:9.1f} notices/s | jieba.lcut {size_mb / theirs:6.2f} MB/s | "
        f"parse is {theirs / ours:5.1f}x faster"
    )


def copies_scaling() -> None:
    body = (FIXTURES / "repeats" / "base_body.txt").read_text(encoding="utf-8")
    one = best_of(5, lambda: rectify_parse.parse(body))
    for k in (2, 10, 40):
        page = body.replace("加强", "强化", 1) + "\n" + "\n".join([body] * (k - 1))
        t = best_of(3, lambda page=page: rectify_parse.parse(page))
        n = rectify_parse.parse(page)
        print(
            f"{k:>3} pasted copies: {t * 1000:8.1f} ms = {t / one:5.1f}x one copy "
            f"({len(n.duplicates.copies)} copies, {len(n.duplicates.variants)} variants)"
        )


def huge_notice(target_mb: float) -> None:
    base = (FIXTURES / "rectify_fullwidth.txt").read_text(encoding="utf-8")
    lines = base.splitlines()
    rng = random.Random(3)
    parts: list[str] = []
    size = 0
    while size < target_mb * 1e6:
        line = rng.choice(lines) + str(rng.randrange(10**6))  # unique lines: no copies to fold away
        parts.append(line)
        size += len(line.encode("utf-8")) + 1
    text = "\n".join(parts)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    notice = rectify_parse.parse(text)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"one {size / 1e6:.1f} MB notice: {elapsed:.2f} s ({size / 1e6 / elapsed:.2f} MB/s), "
        f"peak RSS {peak / 1024:.0f} MB (was {before / 1024:.0f} MB before), "
        f"{len(notice.sections)} top sections, {len(notice.warnings)} warnings"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=2000, help="synthetic notices (default 2000)")
    ap.add_argument("--huge-mb", type=float, default=10.0, help="size of the one huge notice (default 10)")
    args = ap.parse_args()
    build = "compiled" if getattr(rectify_parse, "COMPILED", False) else "pure Python"  # older checkouts: no flag
    print(f"rectify_parse {rectify_parse.__version__}, {build} build")
    lcut = jieba_lcut()
    rectify_parse.parse("一、预热\n加强管理。\n一、预热\n增强管理。")  # load jieba's dictionary for diffs too
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if seeds:
        report("seed notice", [rectify_parse.decode(seeds[0].read_bytes())[0]], lcut, repeat=20)
    report("fixtures", [rectify_parse.decode(p.read_bytes())[0] for p in sorted(FIXTURES.glob("*.txt"))], lcut, 5)
    report("synthetic corpus", synthetic_corpus(args.n), lcut, repeat=1)
    copies_scaling()
    huge_notice(args.huge_mb)


if __name__ == "__main__":
    main()
