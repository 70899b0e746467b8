"""Regenerate src/rectify_parse/common_chars.txt: the 3,500 most frequent Han characters, weighted by the
word frequencies of jieba's bundled dictionary, then the traditional forms of those characters (OpenCC's
tables), so a mirror site's traditional text reads as clean. quality.py uses the list to tell real Chinese
text from mojibake (text decoded with the wrong codec is dominated by rare characters).

Needs jieba and OpenCC's tables at generation time: ``pip install jieba opencc-purepy``."""

from __future__ import annotations

import collections
import os
from pathlib import Path

import jieba
from opencc_purepy import OpenCC

freq: collections.Counter[str] = collections.Counter()
with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as dictionary:
    for line in dictionary:
        word, count, *_ = line.split()
        for ch in word:
            if "\u4e00" <= ch <= "\u9fff":
                freq[ch] += int(count)
out = Path(__file__).resolve().parent.parent / "src" / "rectify_parse" / "common_chars.txt"
common = [ch for ch, _ in freq.most_common(3500)]
seen = set(common)
for config in ("s2t", "s2tw", "s2hk"):
    converter = OpenCC(config)
    for ch in list(common):
        traditional = converter.convert(ch)
        if len(traditional) == 1 and traditional not in seen:
            seen.add(traditional)
            common.append(traditional)
out.write_text("".join(common), encoding="utf-8")
