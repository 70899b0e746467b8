"""Learned decisions over a page's lines: which of the lines the rules kept as the document's are site chrome,
which of the lines the rules' zones took for chrome are the document's, which is the page's meta row where
the header rules read no publication date, and which is the title where the title rules find none.

The chrome rules name what they know (breadcrumbs, print and share rows, footers, counters); on sites nobody
tuned them on, each new widget is a miss. As GROBID's segmentation model does, a linear-chain CRF labels the
lines of a page that are not running text chrome ``C``, header ``H``, title ``I``, closing ``E`` or body
``B``, trained on the checked line roles of the labelled real pages (``benchmarks/real_pages/roles``); its
features are the rules' decisions (the chrome rule that named a line, header and title lines), the line's
class, form and marker, its length, ends and character pairs, its place from the top and the bottom, and its
neighbours'. Its decisions are used only where they are safe: a line the rules kept, above the document's
first paragraph of running text or below its last, with a probability of at least ``CHROME_ADD``, becomes
chrome (rule ``learned``: it stays in the record's boilerplate with its span, so nothing is lost). Between
the first paragraph and the last a short line is a heading, a caption or a speaker's lead far more often
than a widget, and running text is never chrome. The other way, a line below the document's first paragraph
that a rule took for chrome from its place or shape alone (the bottom zone, a line of symbols or short words)
goes back to the document where the model gives it less than ``CHROME_VETO`` and takes it for body (a
venue's name above its 存在隐患： line after the last paragraph). Among both kinds of candidate, where the
header lacks its publication date or source, a line with a probability of header of at least ``HEADER_ADD``
is a meta row: pipeline.py reads what the header lacks from it (header.header_from_line). ``line_roles``
gives the model's view of every line it reads, for ``explain_lines``.

``benchmarks/line_model.py`` measures it (leave-one-batch-out, and batches first seen); the model is package
data (``models/lines.json``), applied by ``roles.marginals``.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from .lines import PARAGRAPH, LineTable, line_form, own_class
from .patterns import HEADER_LABELS
from .roles import (
    Weights,
    _bucket,
    _weights,
    line_model,
    marginals,
    marginals_of,
    probabilities,
    scores,
    weighed_for,
)

CHROME = "C"
HEADER = "H"
TITLE = "I"
BODY = "B"
# The labels' names, as the line roles of the labelled pages call them (body covers heading and problem lines).
ROLE_NAMES = {"C": "chrome", "H": "header", "I": "title", "E": "closing", "B": "body"}
# A line the rules keep as the document's becomes chrome where the line model gives it at least this
# (chosen on leave-one-batch-out over batches 0-13, before batches 14-17 were opened).
CHROME_ADD = 0.93
# A line is a meta row, where the header lacks date_published or source, at this probability of header
# (leave-one-batch-out over batches 0-20, dates only: 27 right, none wrong, 5 where the label has none; over
# 0-23 with sources and the bottom zone's lines: 9 more fields right, 2 the label does not have).
HEADER_ADD = 0.7
# Where the rules found no title, the line model's most probable title line above the first paragraph is the
# title at this probability (leave-one-batch-out over the 1,385 labelled pages: 0.5 gave 16 titles and invented 4,
# 0.7 gave 14 and invented 2, 0.8 gave 13 and invented 2).
TITLE_ADD = 0.7
# The rules of the page stage's top zone that take a line for want of a title, not by naming it.
_UNNAMED_TOP = frozenset(("top_zone", "menu", "symbols"))
# A line's place from the top and the bottom, in buckets: chrome and header crowd the ends.
_PLACES = (0, 1, 2, 3, 5, 8, 12, 20)
_HEADER_WORD = re.compile("|".join(sorted(HEADER_LABELS, key=len, reverse=True)) + r"|来源|发布|浏览|点击|阅读")
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")
_PAIRS = 16  # character pairs of a line read, at most
_DATE_LIKE = re.compile(r"\d{4}\s*[-./年]\s*\d{1,2}")
_END_KIND = {**dict.fromkeys("。.!！?？", "stop"), **dict.fromkeys(":：", "colon"), **dict.fromkeys(";；", "semi")}
_CONTEXT = 2  # lines either side of a candidate the model is run over
# A sign-off's forms: the document's own lines, which the closing stage reads (3 of the 109 such candidates
# on the labelled pages were chrome); leaving them out halves the candidates of many pages.
_SIGN_OFF = frozenset(("date", "contact", "attachment", "public_note", "closing"))
# A page whose candidates all have less than this probability of chrome from their own features is left alone.
# 0.5 since session 16: the models trained on 2,792 pages ran the chain on 73 of 150 short generated pages
# against 33; leave-one-batch-out the chrome removed fell by 6 lines of 4,759 (83.7% -> 83.6%), nothing else.
_PLAUSIBLE = 0.5
# A line a chrome rule guessed from its place or shape goes back to the document where the model gives it less
# than this probability of chrome and takes it for body (leave-one-batch-out over the 1,166 labelled pages: 135
# lines of the document given back, 14 of them problems' lines, for 11 lines of chrome kept).
CHROME_VETO = 0.05
# The rules that guess: the zone below the document and short lines between chrome (page.py), and a line's shape
# (lines.py). Every line after a footer stays chrome (the model gave none of them back). So does a line a rule
# names (上一篇, 版权所有, a web address): there the model's doubt is mostly want of examples (上一篇 lines are on 3
# of the labelled pages). Above the document the rules stand too: there a line the model does not take for
# chrome is most often the title, which the page stage has already chosen.
_GUESSED = frozenset(("bottom_zone", "between_chrome", "symbols", "menu"))
# The chain is run where a line a rule guessed has less than this probability of chrome from its own features
# (then every such line is decided: beside its neighbours' a line's probability moves far).
_VETO_PLAUSIBLE = 0.5


def _place(k: int) -> str:
    bucket = 0
    for b in _PLACES:  # a loop, not next() over a generator: compiled, this is a few comparisons
        if k >= b:
            bucket = b
    return str(bucket)


@functools.lru_cache(maxsize=8192)
def _text_features(line: str) -> tuple[str, ...]:
    """The features of a line that its text alone decides (a site's widget lines recur page after page)."""
    t = line.strip()
    f = [f"class={own_class(line)}", "len=" + _bucket(len(t))]
    form = line_form(t)
    if form is not None:
        f.append(f"form={form}")
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
    return tuple(f)


def _place_features(table: LineTable, i: int, k: int, n: int) -> list[str]:
    """Line ``i``'s features of its place and of the rules' decisions on it; ``k`` is its place among the
    ``n`` lines that are not running text."""
    f = [f"top={_place(k)}", f"bottom={_place(n - 1 - k)}"]
    rule = table.chrome.get(i)
    if rule is not None:
        f += [f"chrome_rule={rule}", "chrome_rule"]
    if i in table.fragments:
        f.append("fragment")
    if i in table.header:
        f.append("header_rule")
    if i in table.title_lines:
        f.append("title_rule")
    marker = table.marker(i)
    if marker is not None:
        f.append(f"mk={marker.family}")
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


def _context_features(table: LineTable, seq: list[int], k: int) -> list[str]:
    """The features of the line at place ``k`` of ``seq`` (the lines that are not running text) that are
    not its text's: its place, the rules' decisions, its neighbours'."""
    n = len(seq)
    f = _place_features(table, seq[k], k, n)
    f += _near(table, seq[k - 1], "-1:") if k > 0 else ["-1:edge"]
    f += _near(table, seq[k + 1], "1:") if k + 1 < n else ["1:edge"]
    return f


def _running(table: LineTable) -> list[bool]:
    return [running_text(t) for t in table.texts]


def _sequence(table: LineTable, running: list[bool]) -> list[int]:
    """The page's lines that are not running text: running text is the document's whatever the model says."""
    return [i for i, t in enumerate(table.texts) if not running[i] and t.strip()]


def line_features(table: LineTable) -> tuple[list[int], list[list[str]]]:
    """The page's lines that are not running text (their indices) and each one's features: the chrome rule,
    header and title stage decisions already written in the table, the line's own class, form, marker,
    length, shape, edges and character pairs, its place from the top and the bottom, and its neighbours'
    class and decisions. The model is trained on these sequences."""
    seq = _sequence(table, _running(table))
    return seq, [[*_text_features(table.texts[i]), *_context_features(table, seq, k)] for k, i in enumerate(seq)]


def running_text(line: str) -> bool:
    """A line of running text (longer than a paragraph's opening, with a sentence stop or a comma) is the
    document's, as the page stage holds: the line model never removes one (on a page that lost its newlines
    the whole document is such a line)."""
    return len(line) > PARAGRAPH and len(line.strip()) > PARAGRAPH and any(ch in line for ch in "。,，;；")


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


@functools.lru_cache(maxsize=8192)
def _text_scores(model: str, line: str) -> tuple[float, ...]:
    """Each label's score from the features of a line's text, for one model."""
    return tuple(scores(_weights(model), _text_features(line)))


def _row(model: str, weights: Weights, table: LineTable, seq: list[int], k: int) -> list[float]:
    """Each label's score for the line at place ``k`` of ``seq``: its text's (cached by ``model``'s name) and
    its context's (by ``weights``, the model's)."""
    row = list(_text_scores(model, table.texts[seq[k]]))
    context = scores(weights, _context_features(table, seq, k))
    for y in range(len(row)):
        row[y] += context[y]
    return row


class Learned(NamedTuple):
    """The line model's decisions on a page: lines the rules kept that are site chrome, lines that are a meta
    row, and lines a chrome rule guessed that are the document's."""

    chrome: list[int]
    header: list[int]
    document: list[int]


def learned_lines(table: LineTable, header: bool = False) -> Learned:
    """The lines the rules kept as the document's that the line model takes for site chrome; the lines a
    chrome rule guessed below the document's first paragraph that it takes for the document's (a venue's name
    and its 存在隐患： line below the last paragraph, which the rules' bottom zone took); and, when ``header`` is
    asked (the header lacks date_published or source), the lines among both that it takes for a meta row the
    header rules did not read (2018-07-19 21:01:03 某某县应急局 参与评论()人, 来源：某某日报 below the body). None
    without a model, or on a page without running text: there the document is not told from its surroundings.

    The model is run over a few lines around the candidates only, not the page's whole sequence: a label's
    probability hardly depends on lines further away (on the labelled pages the decisions are those of the
    whole sequence but for a few lines), and most pages have two or three candidates among thirty lines.
    Where no candidate is plausible from its own features (a sign-off or a date the rules kept, a copyright
    line they named), the chain is not run at all."""
    model = line_model()
    if model is None:
        return Learned([], [], [])
    running = _running(table)
    prose = [i for i, r in enumerate(running) if r]
    if not prose:
        return Learned([], [], [])
    first, last = prose[0], prose[-1]
    seq = _sequence(table, running)
    chrome = table.chrome
    decided = chrome.keys() | table.header | set(table.title_lines)
    adds = [
        k for k, i in enumerate(seq) if i not in decided and not first < i < last and table.form(i) not in _SIGN_OFF
    ]
    vetoes = [k for k, i in enumerate(seq) if i > first and chrome.get(i) in _GUESSED]
    if not adds and not vetoes:
        return Learned([], [], [])
    weights = _weights(model)
    c = weights.labels.index(CHROME)
    b = weights.labels.index(BODY)
    header = header and HEADER in weights.labels  # a model without the label decides no header line
    h = weights.labels.index(HEADER) if header else c
    rows = {k: _row(model, weights, table, seq, k) for k in adds}
    plausible = any(max(q[c], q[h] if header else 0.0) >= _PLAUSIBLE for q in map(probabilities, rows.values()))
    for k in vetoes:
        rows[k] = row = _row(model, weights, table, seq, k)
        plausible = plausible or probabilities(row)[c] < _VETO_PLAUSIBLE
    if not plausible:
        return Learned([], [], [])
    out = Learned([], [], [])
    for lo, hi in _windows(sorted(rows), len(seq)):
        window = [rows.get(k) or _row(model, weights, table, seq, k) for k in range(lo, hi)]
        marginal = marginals_of(weights, window)
        for k in range(lo, hi):
            if k not in rows:
                continue
            p = marginal[k - lo]
            if seq[k] in chrome:
                if p[c] < CHROME_VETO and p[b] == max(p):
                    out.document.append(seq[k])
                elif header and p[h] >= HEADER_ADD:
                    out.header.append(seq[k])  # a meta row the rules' zone took: 来源：某某日报 below the body
            elif p[c] >= CHROME_ADD:
                out.chrome.append(seq[k])
            elif header and p[h] >= HEADER_ADD:
                out.header.append(seq[k])
    return out


def learned_title(table: LineTable) -> int | None:
    """Where the rules found no title: the line above the document's first paragraph that the line model takes
    for the title, at ``TITLE_ADD`` or more (a news headline over a bare date row, 亳州市档案局对…开展档案执法检查,
    which no title rule scores: it neither ends like a document nor sits over a header). The candidates are the
    lines no rule named: the ones kept and the ones the top zone took for want of a title. None without a model
    or running text."""
    model = line_model()
    if model is None:
        return None
    running = _running(table)
    first = next((i for i, r in enumerate(running) if r), None)
    if first is None:
        return None
    seq = _sequence(table, running)
    places = [
        k
        for k, i in enumerate(seq)
        if i < first and table.chrome.get(i, "top_zone") in _UNNAMED_TOP and i not in table.header
    ]
    if not places:
        return None
    weights = _weights(model)
    if TITLE not in weights.labels:
        return None  # a model without the label names no title
    t = weights.labels.index(TITLE)
    hi = min(len(seq), places[-1] + _CONTEXT + 1)
    window = [_row(model, weights, table, seq, k) for k in range(hi)]
    if max(probabilities(window[k])[t] for k in places) < _PLAUSIBLE:
        return None  # no candidate is a title even on its own features: the chain is not run
    marginal = marginals_of(weights, window)
    best = max(places, key=lambda k: marginal[k][t])
    return seq[best] if marginal[best][t] >= TITLE_ADD else None


class LineRole(NamedTuple):
    """The line model's view of one line (``rectify_parse.explain_lines``)."""

    role: str  # its most probable label: chrome, header, title, closing or body
    probability: float
    chrome: float  # its probability of chrome, the one label the parser acts on (CHROME_ADD)
    weighed: list[tuple[str, float]]  # the features that weighed most for (+) or against (-) ``role``


def line_roles(table: LineTable) -> dict[int, LineRole]:
    """The line model's labels for every line it reads (those that are not running text), by line index: for
    explaining its decisions. Unlike ``learned_lines`` the model is run over the whole sequence, so a
    probability here may differ a little from the one the parser acted on around its candidates; none without a
    model."""
    model = line_model()
    if model is None:
        return {}
    seq, xseq = line_features(table)
    weights = _weights(model)
    c = weights.labels.index(CHROME)
    out: dict[int, LineRole] = {}
    for k, row in enumerate(marginals(weights, xseq)):
        y = max(range(len(row)), key=row.__getitem__)
        role = ROLE_NAMES.get(weights.labels[y], weights.labels[y])
        out[seq[k]] = LineRole(role, round(row[y], 4), round(row[c], 4), weighed_for(weights, y, xseq[k]))
    return out
