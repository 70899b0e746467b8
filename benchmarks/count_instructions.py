"""Parsing cost as machine instructions per page: a figure that does not move with the machine's load.

Wall-clock timings on a shared machine swing by a third between runs; the instructions a parse executes do
not. This script counts them with valgrind's cachegrind (``apt-get install valgrind``) for each corpus: the
whole program run over ``n`` pages and over one page, the difference divided by ``n - 1``, so start-up and
imports cancel out. Hash seeds and BLAS threads are pinned, and the package is imported once beforehand so
no ``.pyc`` is compiled inside a counted run. Results repeat to about 0.1%.

    python benchmarks/count_instructions.py                      # this checkout
    python benchmarks/count_instructions.py --src OTHER/src      # another checkout, to compare versions

Corpora: ``short`` and ``long`` (bench_batch's generated pages, about 1 K and 3 K characters),
``synthetic`` (bench_parse's corpus), ``real`` (the real-page texts of batches 0-7 under
benchmarks/real_pages/texts, when gathered), ``seed`` (the example notice, when present).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEEDS = ROOT.parent / "shared" / "seeds"
CORPORA = ("short", "long", "synthetic", "real", "seed")
# The real corpus is the first texts by name of batches 0-7, a fixed set: new batches' ids would sort among
# them (n1401 before n201) and move the figure.
_REAL_LAST_BATCH = 7
# Generated corpora are drawn 400 pages at a time and cut to --n, so the same pages are measured whatever n.
_POOL = 400

# Run under valgrind: parse the first `n` texts of a corpus file (the first once more beforehand, a page with
# a wording variant and one the learned models read, so every lazily loaded module and table exists before
# the counted pages).
_RUNNER = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import rectify_parse
texts = json.load(open(sys.argv[2], encoding="utf-8"))[: int(sys.argv[3])]
# A body pasted twice with one word changed loads what only such pages need (the word diff, jieba).
body = "一、工作要求\n各单位要进一步增强责任意识，认真落实各项整改措施，确保按期完成。\n"
rectify_parse.parse("关于做好整改工作的通知\n" + body + body.replace("增强", "提高"))
# Prose with short lines under it and a list no rule takes loads the learned models' weights, where a
# version has them (else a counted page would load them, and their cost be spread over the pages).
prose = "检查中发现，部分学校食堂留样记录不全，个别从业人员健康证过期，已当场责令整改到位。\n"
rectify_parse.parse("某校检查情况\n" + prose + "1.消防通道堵塞。\n2.灭火器过期未更换。\n本文阅读量:\n扫一扫 手机阅读\n")
rectify_parse.parse(texts[0])
for text in texts:
    rectify_parse.parse(text)
"""

# Which build a checkout runs (checkouts from before setup.py compiled anything have no COMPILED flag).
_BUILD = r"""
import sys
sys.path.insert(0, sys.argv[1])
import rectify_parse
print("compiled" if getattr(rectify_parse, "COMPILED", False) else "pure Python")
"""


def corpus_texts(name: str, n: int) -> list[str]:
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))  # bench_batch and bench_parse build the generated corpora
    if name in ("short", "long"):
        import bench_batch

        with tempfile.TemporaryDirectory() as folder:
            corpus = bench_batch.build_corpus(_POOL, 11, Path(folder), name)
            lines = corpus.path.read_text(encoding="utf-8").splitlines()[:n]
            return [json.loads(line)["text"] for line in lines]
    if name == "synthetic":
        import bench_parse

        return bench_parse.synthetic_corpus(_POOL, seed=5)[:n]
    if name == "real":
        texts = sorted((HERE / "real_pages" / "texts").glob("*.txt"))
        return [p.read_text(encoding="utf-8") for p in texts if int(p.stem[1:-2] or 0) <= _REAL_LAST_BATCH][:n]
    if name == "seed":
        seed = sorted(SEEDS.glob("*.txt"))[:1]
        return [seed[0].read_bytes().decode("utf-8", "replace")] * min(n, 20) if seed else []
    raise ValueError(name)


def instructions(src: str, corpus: Path, n: int) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    run = subprocess.run(
        [*command, sys.executable, "-c", _RUNNER, src, str(corpus), str(n)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpora", nargs="*", metavar="CORPUS", help=f"any of {', '.join(CORPORA)} (default: all)")
    ap.add_argument("--src", default=str(ROOT / "src"), help="the src folder of the checkout to measure")
    ap.add_argument("--n", type=int, default=150, help="pages per corpus (default 150)")
    args = ap.parse_args()
    unknown = sorted(set(args.corpora) - set(CORPORA))
    if unknown:
        ap.error(f"unknown corpus {', '.join(unknown)}; choose from {', '.join(CORPORA)}")
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    # Compile every module once, outside the counted runs.
    subprocess.run([sys.executable, "-c", _RUNNER, args.src, "/dev/stdin", "1"], input='["x"]', text=True, check=True)
    build = subprocess.run(
        [sys.executable, "-c", _BUILD, args.src], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"{args.src}: {build} build")
    with tempfile.TemporaryDirectory() as folder:
        for name in args.corpora or CORPORA:
            texts = corpus_texts(name, args.n)
            if len(texts) < 2:
                print(f"{name:10} skipped: no texts")
                continue
            path = Path(folder) / f"{name}.json"
            path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
            per_page = (instructions(args.src, path, len(texts)) - instructions(args.src, path, 1)) / (len(texts) - 1)
            chars = sum(map(len, texts)) / len(texts)
            print(f"{name:10} {len(texts):4} pages, {chars:6.0f} characters each: {per_page / 1e6:7.3f} M instructions")


if __name__ == "__main__":
    main()
