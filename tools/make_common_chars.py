"""Regenerate src/rectify_parse/common_chars.txt: the 3,500 most frequent Han characters, weighted by the
word frequencies of jieba's bundled dictionary. quality.py uses the list to tell real Chinese text from
mojibake (text decoded with the wrong codec is dominated by rare characters)."""

from __future__ import annotations

import collections
import os
from pathlib import Path

import jieba

freq: collections.Counter[str] = collections.Counter()
with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as dictionary:
    for line in dictionary:
        word, count, *_ = line.split()
        for ch in word:
            if "\u4e00" <= ch <= "\u9fff":
                freq[ch] += int(count)
out = Path(__file__).resolve().parent.parent / "src" / "rectify_parse" / "common_chars.txt"
out.write_text("".join(ch for ch, _ in freq.most_common(3500)), encoding="utf-8")
