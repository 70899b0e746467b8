"""How readable the decoded text is, 0..1: catches text decoded with the wrong codec.

Four kinds of damage are measured: U+FFFD replacement characters; Chinese replaced by ``?`` (a lossy
encode), where question marks crowd out everything else; and mojibake (UTF-8 bytes read as GBK or the
like), which turns common characters into rare ones; and UTF-8 read as Windows-1252, which turns them
into accented Latin letters. Real Chinese text uses the 3,500 most frequent
characters for over 95% of its Han characters; mojibake for about half.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

# Character classes as bits of a table over the BMP: one numpy lookup classifies every character of the
# sample at once (regex scans cost a match object or a run per hit; this costs a few array passes).
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_ASTRAL_HAN = (0x20000, 0x3134F)
_LATIN_MOJIBAKE = "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2026\u2030\u2039\u203a\u20ac\u2122"
_LATIN_RANGES = ((0x00C0, 0x024F), (0x2018, 0x201E), (0x2020, 0x2022))
_SPACES = " \t\r\n\u3000\xa0"
_IS_HAN, _IS_COMMON, _IS_LATIN, _IS_SPACE = 1, 2, 4, 8
_MIN_HAN = 20
# Common-character share at or below which text is fully garbled, and at or above which it is clean.
_GARBLED_SHARE, _CLEAN_SHARE = 0.55, 0.9
GARBLED_BELOW = 0.6
_SAMPLE = 4_000


@lru_cache(maxsize=1)
def _classes() -> Any:
    """The class bits of every BMP code point (the common characters come from ``common_chars.txt``)."""
    import numpy as np

    table = np.zeros(0x10000, dtype=np.uint8)
    for lo, hi in _HAN_RANGES:
        table[lo : hi + 1] |= _IS_HAN
    for lo, hi in _LATIN_RANGES:
        table[lo : hi + 1] |= _IS_LATIN
    chars = resources.files("rectify_parse").joinpath("common_chars.txt").read_text(encoding="utf-8")
    for group, bit in ((chars, _IS_COMMON), (_LATIN_MOJIBAKE, _IS_LATIN), (_SPACES, _IS_SPACE)):
        table[[ord(ch) for ch in set(group) if ord(ch) < 0x10000]] |= bit
    return table


@lru_cache(maxsize=1)
def _having() -> Any:
    """Row k marks the bit combinations that include class k (Han, common, Latin, space)."""
    import numpy as np

    bits = (_IS_HAN, _IS_COMMON, _IS_LATIN, _IS_SPACE)
    return np.array([[1 if combination & bit else 0 for combination in range(16)] for bit in bits], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Counts:
    """Characters of a sample by class."""

    visible: int
    han: int
    common: int
    latin: int


def count_classes(text: str) -> Counts:
    """Visible, Han, common and Latin-mojibake characters of ``text``, from one table lookup."""
    import numpy as np

    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    astral = len(points) > 0 and int(points.max()) > 0xFFFF
    # One pass: how many characters carry each of the 16 combinations of class bits.
    by_bits = np.bincount(_classes()[np.minimum(points, 0xFFFF) if astral else points], minlength=16)
    astral_han = (
        int(np.count_nonzero((points >= _ASTRAL_HAN[0]) & (points <= _ASTRAL_HAN[1]))) if astral else 0
    )  # U+FFFF, where other astral characters land, is a noncharacter: class 0

    # Characters having each class: the counts of every combination that includes its bit, summed.
    han, common, latin, space = (_having() @ by_bits).tolist()
    return Counts(visible=len(text) - space, han=han + astral_han, common=common, latin=latin)


def quality(text: str) -> float:
    """Readability score: 1.0 for clean text, toward 0.0 the more of it is garbled."""
    text = text[:_SAMPLE]  # damage shows in any long stretch; a sample keeps huge inputs cheap
    counts = count_classes(text)
    visible, han = counts.visible, counts.han
    if not visible:
        return 1.0
    scores = [1.0 - 5.0 * text.count("\ufffd") / visible]
    questions = text.count("?")
    if questions > 0.1 * visible and han < questions:
        scores.append(1.0 - 2.0 * questions / visible)
    # UTF-8 read as Windows-1252 / Latin-1: Chinese becomes runs of accented Latin letters (å\ufffd‘å¸ƒ).
    if counts.latin >= _MIN_HAN and counts.latin > han:
        scores.append(1.0 - 1.5 * counts.latin / (counts.latin + han))
    if han >= _MIN_HAN:
        share = counts.common / han
        scores.append((share - _GARBLED_SHARE) / (_CLEAN_SHARE - _GARBLED_SHARE))
    return round(max(0.0, min(1.0, *scores)), 3)
