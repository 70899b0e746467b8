"""Learned decisions over a page's lines: which of the lines the rules kept as the document's are site chrome.

The chrome rules name what they know (breadcrumbs, print and share rows, footers, counters); on sites nobody
tuned them on, each new widget is a miss. As GROBID's segmentation model does, a linear-chain CRF labels the
lines of a page that are not running text chrome ``C``, header ``H``, title ``I``, closing ``E`` or body
``B``, trained on the checked line roles of the labelled real pages (``benchmarks/real_pages/roles``); its
features are the rules' decisions (the chrome rule that named a line, header and title lines), the line's
class, form and marker, its length, ends and character pairs, its place from the top and the bottom, and its
neighbours'. Only its chrome decision is used, and only where it is safe: a line the rules kept, above the
document's first paragraph of running text or below its last, with a probability of at least
``CHROME_ADD``, becomes chrome (rule ``learned``: it stays in the record's boilerplate with its span, so
nothing is lost). Between the first paragraph and the last a short line is a heading, a caption or a
speaker's lead far more often than a widget, and running text is never chrome.

``benchmarks/line_model.py`` measures it (leave-one-batch-out, and batches first seen); the model is package
data (``models/lines.json``), applied by ``roles.marginals``.
"""

from __future__ import annotations

import re

from .lines import PARAGRAPH, LineTable
from .patterns import HEADER_LABELS
from .roles import _bucket, _weights, line_model, marginals

CHROME = "C"
# A line the rules keep as the document's becomes chrome where the line model gives it at least this
# (chosen on leave-one-batch-out over batches 0-13, before batches 14-17 were opened).
CHROME_ADD = 0.93
# A line's place from the top and the bottom, in buckets: chrome and header crowd the ends.
_PLACES = (0, 1, 2, 3, 5, 8, 12, 20)
_HEADER_WORD = re.compile("|".join(sorted(HEADER_LABELS, key=len, reverse=True)) + r"|来源|发布|浏览|点击|阅读")
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")
_PAIRS = 40  # character pairs of a line read, at most
_CONTEXT = 2  # lines either side of a candidate the model is run over
_DATE_LIKE = re.compile(r"\d{4}\s*[-./年]\s*\d{1,2}")


_END_KIND = {**dict.fromkeys("。.!！?？", "stop"), **dict.fromkeys(":：", "colon"), **dict.fromkeys(";；", "semi")}


def _place(k: int) -> str:
    return str(next((b for b in reversed(_PLACES) if k >= b), 0))


def _own(table: LineTable, i: int, k: int, n: int) -> list[str]:
    """Line ``i``'s own features; ``k`` is its place among the ``n`` lines that are not running text."""
    t = table.texts[i].strip()
    f = [f"class={table.own_class(i)}", f"top={_place(k)}", f"bottom={_place(n - 1 - k)}", "len=" + _bucket(len(t))]
    rule = table.chrome.get(i)
    if rule is not None:
        f += [f"chrome_rule={rule}", "chrome_rule"]
    if i in table.fragments:
        f.append("fragment")
    if i in table.header:
        f.append("header_rule")
    if i in table.title_lines:
        f.append("title_rule")
    form = table.form(i)
    if form is not None:
        f.append(f"form={form}")
    marker = table.marker(i)
    if marker is not None:
        f.append(f"mk={marker.family}")
    if _HEADER_WORD.search(t) is not None:
        f.append("header_word")
    if _DATE_LIKE.search(t) is not None:
        f.append("date_like")
    if "|" in t:
        f.append("bar")
    f.append("end=" + _END_KIND.get(t[-1], "other"))
    f += ["first=" + t[:2], "last=" + t[-2:]]
    bare = _NOT_HAN.sub("", t)
    f += ["c2=" + bare[j : j + 2] for j in range(min(len(bare) - 1, _PAIRS))]
    return f


def _near(table: LineTable, i: int, side: str) -> list[str]:
    """What line ``i`` shows its neighbour on ``side`` (``-1:`` the line below it, ``1:`` the one above):
    its class and the rules' decisions on it."""
    f = [f"{side}class={table.own_class(i)}"]
    if i in table.chrome:
        f.append(f"{side}chrome_rule")
    if i in table.header:
        f.append(f"{side}header_rule")
    if i in table.title_lines:
        f.append(f"{side}title_rule")
    return f


def _features(table: LineTable, seq: list[int], k: int) -> list[str]:
    """The features of the line at place ``k`` of ``seq`` (the lines that are not running text)."""
    n = len(seq)
    f = _own(table, seq[k], k, n)
    f += _near(table, seq[k - 1], "-1:") if k > 0 else ["-1:edge"]
    f += _near(table, seq[k + 1], "1:") if k + 1 < n else ["1:edge"]
    return f


def _sequence(table: LineTable) -> list[int]:
    """The page's lines that are not running text: running text is the document's whatever the model says."""
    return [i for i, t in enumerate(table.texts) if t.strip() and not running_text(t)]


def line_features(table: LineTable) -> tuple[list[int], list[list[str]]]:
    """The page's lines that are not running text (their indices) and each one's features: the chrome rule,
    header and title stage decisions already written in the table, the line's own class, form, marker,
    length, shape, edges and character pairs, its place from the top and the bottom, and its neighbours'
    class and decisions. The model is trained on these sequences."""
    seq = _sequence(table)
    return seq, [_features(table, seq, k) for k in range(len(seq))]


def running_text(line: str) -> bool:
    """A line of running text (longer than a paragraph's opening, with a sentence stop or a comma) is the
    document's, as the page stage holds: the line model never removes one (on a page that lost its newlines
    the whole document is such a line)."""
    return len(line.strip()) > PARAGRAPH and any(ch in line for ch in "。,，;；")


def _windows(places: list[int], n: int) -> list[tuple[int, int]]:
    """The stretches of the sequence the model is run over: each run of candidate places (gaps of at most
    ``2 * _CONTEXT`` between them) with ``_CONTEXT`` lines either side."""
    out: list[tuple[int, int]] = []
    for k in places:
        lo, hi = max(0, k - _CONTEXT), min(n, k + _CONTEXT + 1)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def learned_chrome(table: LineTable) -> list[int]:
    """The lines the rules kept as the document's that the line model takes for site chrome (none without
    a model, or on a page without running text: there the document is not told from its surroundings).

    The model is run over a few lines around each candidate only, not the page's whole sequence: a label's
    probability hardly depends on lines further away (on the labelled pages the decisions are those of the
    whole sequence), and most pages have two or three candidates among thirty lines."""
    model = line_model()
    if model is None:
        return []
    texts = table.texts
    prose = [i for i, t in enumerate(texts) if running_text(t)]
    if not prose:
        return []
    first, last = prose[0], prose[-1]
    seq = _sequence(table)
    decided = table.chrome.keys() | table.header | set(table.title_lines)
    places = [k for k, i in enumerate(seq) if i not in decided and not first < i < last]
    if not places:
        return []
    weights = _weights(model)
    c = weights.labels.index(CHROME)
    wanted = set(places)
    out: list[int] = []
    for lo, hi in _windows(places, len(seq)):
        rows = marginals(weights, [_features(table, seq, k) for k in range(lo, hi)])
        out += [seq[k] for k in range(lo, hi) if k in wanted and rows[k - lo][c] >= CHROME_ADD]
    return out
