"""How readable the decoded text is, 0..1: catches text decoded with the wrong codec.

Four kinds of damage are measured: U+FFFD replacement characters; Chinese replaced by ``?`` (a lossy
encode), where question marks crowd out everything else; and mojibake (UTF-8 bytes read as GBK or the
like), which turns common characters into rare ones; and UTF-8 read as Windows-1252, which turns them
into accented Latin letters. Real Chinese text uses the 3,500 most frequent
characters for over 95% of its Han characters; mojibake for about half.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

# The stdlib engine: these are plain character classes, scanned once per notice.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_LATIN_MOJIBAKE = re.compile(
    r"[\u00c0-\u024f\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+"
)
_MIN_HAN = 20
# Common-character share at or below which text is fully garbled, and at or above which it is clean.
_GARBLED_SHARE, _CLEAN_SHARE = 0.55, 0.9
GARBLED_BELOW = 0.6
_SAMPLE = 4_000


@lru_cache(maxsize=1)
def _common_pattern() -> re.Pattern[str]:
    """One character class of the common characters: counted in a single C-level scan."""
    chars = resources.files("rectify_parse").joinpath("common_chars.txt").read_text(encoding="utf-8")
    return re.compile("[" + "".join(sorted(set(chars))) + "]+")


def _count(runs: re.Pattern[str], text: str) -> int:
    """Characters of ``text`` in the class that ``runs`` matches runs of: a list of runs, not of characters."""
    return sum(map(len, runs.findall(text)))


def quality(text: str) -> float:
    """Readability score: 1.0 for clean text, toward 0.0 the more of it is garbled."""
    text = text[:_SAMPLE]  # damage shows in any long stretch; a sample keeps huge inputs cheap
    visible = len(text) - sum(text.count(ch) for ch in " \t\r\n\u3000\xa0")
    if not visible:
        return 1.0
    han = _count(_HAN, text)
    scores = [1.0 - 5.0 * text.count("\ufffd") / visible]
    questions = text.count("?")
    if questions > 0.1 * visible and han < questions:
        scores.append(1.0 - 2.0 * questions / visible)
    # UTF-8 read as Windows-1252 / Latin-1: Chinese becomes runs of accented Latin letters (å\ufffd‘å¸ƒ).
    # latin can exceed han only when han is under half the visible text: skip the scan otherwise.
    latin = _count(_LATIN_MOJIBAKE, text) if 2 * han < visible else 0
    if latin >= _MIN_HAN and latin > han:
        scores.append(1.0 - 1.5 * latin / (latin + han))
    if han >= _MIN_HAN:
        share = _count(_common_pattern(), text) / han
        scores.append((share - _GARBLED_SHARE) / (_CLEAN_SHARE - _GARBLED_SHARE))
    return round(max(0.0, min(1.0, *scores)), 3)
