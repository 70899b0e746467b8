"""Regenerate src/rectify_parse/traditional.txt: the traditional forms of the Han characters that the
parser's own rules match (labels, vocabularies, chrome words), each with its simplified form.

Mirror sites print notices in traditional characters (問題, 整改情況, 發佈機構). The matching view folds
these characters onto their simplified forms one to one, so every rule written in simplified characters
matches them too; values keep the text as written. Only characters of the rules are folded, and never a
traditional form that is itself a simplified character the rules use, so folding stays idempotent.

Needs OpenCC's tables once, at generation time: ``pip install opencc-purepy``.
"""

from __future__ import annotations

from pathlib import Path

from opencc_purepy import OpenCC

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "rectify_parse"
to_simplified = OpenCC("t2s")
# The rules' characters, less the traditional examples their comments quote (問題 in a docstring).
vocabulary = {
    ch
    for path in PACKAGE.glob("*.py")
    for ch in path.read_text(encoding="utf-8")
    if "\u4e00" <= ch <= "\u9fff" and to_simplified.convert(ch) == ch
}
# Every CJK character whose simplified form is one of the rules' characters (佈 and 布 both give 布).
pairs: dict[str, str] = {}
for code in range(0x4E00, 0xA000):
    traditional = chr(code)
    simplified = to_simplified.convert(traditional)
    if simplified in vocabulary and simplified != traditional and traditional not in vocabulary:
        pairs[traditional] = simplified
lines = [f"{t}{s}" for t, s in sorted(pairs.items())]
(PACKAGE / "traditional.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
print(f"{len(lines)} traditional characters")
