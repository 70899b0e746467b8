"""Learned decisions: a sequence labeller (a linear-chain CRF, trained with python-crfsuite) over a body's items.

The rules of ``problems.py`` recognise problems by layout, each behind gates tuned on the pages they were
written for; on pages nobody tuned them on they miss whole layouts. As GROBID does for scholarly papers, the
decision "is this item a problem" is learned from labelled real pages instead, and the rules become
features of it: what they compute (marker family and number, the heading above, the line that introduces a
list, words of shortcomings, statuses and measures, labelled fields) and what they decided (the rule that
took the item) are features beside the item's own characters. A new labelled page then improves the
decision without a new rule (``benchmarks/train_roles.py``; the evaluation is ``benchmarks/LEARNING.md``).

Units: every line of the body, cut again where an item starts inline (a marker after a sentence stop or a
comma: …存在以下问题：1.… 2.…, 一是…二是…, 其一…其二…, [1] …, - …), so a page that lost its newlines still
shows its items. Labels: ``P`` (a problem starts here), ``M`` (another item with a marker), ``T`` (text).

The model is package data (``models/problems.json``: the CRF's weights, exported by the training script from
crfsuite's model), loaded once per process and applied here (forward-backward over the units), so parsing
needs no compiled CRF library; :func:`model_version` names it in every record (``Notice.model``).
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import itertools
import json
import math
import re
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import NamedTuple

from .markers import MARKER_START, LineMarkers, Marker, match_marker
from .patterns import (
    ENUM_ITEM,
    MEASURE_LABELS,
    PROBLEM_PREFIX,
    STATUS_LABELS,
    STATUS_WORDS,
    cn_to_int,
)
from .problems import (
    DEFICIENCY,
    Found,
    ProblemFinder,
    announces_shortcomings,
    heading_kind,
    introduces_problems,
    introduces_report,
    problem_fields,
)

MODEL_FILE = "problems.json"
LINE_MODEL_FILE = "lines.json"
PROBLEM, ITEM, TEXT = "P", "M", "T"
# Where the rules found no problem, a unit becomes one where the model gives it at least this probability. The
# rules' problems all stay: at the size of the labelled corpus the model does not yet beat them where they fire
# (benchmarks/LEARNING.md gives the leave-one-batch-out figures this was chosen on). 0.6 with the problem model's
# L2 weight at 0.1 (2,661 pages): as many given as 0.7 with 0.01, 24 more of them real; 0.5 gave 47 more for 23 real.
ADD = 0.6
# Beside the rules' problems, a unit outside them becomes one at this probability (leave-one-batch-out over the
# 1,575 pages of batches 0-31, every unit read: 0.95 found 34 more problems, 47 given, against 0.7's 12 right in
# 21 on batches 0-11 when this was first tried; a rules' hazard list per venue that stops at its first venue is
# the usual case). Read in sibling_windows only, over the 1,874 pages of batches 0-37: 28 more found, 33 given.
BESIDE = 0.95
# Lines either side of a unit asked about beside the rules' problems that the model reads (see sibling_windows).
BESIDE_CONTEXT = 3
# How many lines up the item a line lies under is looked for (its window opens there, so the model reads it).
_PARENT_REACH = 20

# Item starts that are not heading markers: 其一，/ [1] / - / 第3项.
_ITEM_START = re.compile(
    r"其[一二三四五六七八九十]{1,2}[,，、:：]|\[\d{1,2}\]|-[ \t]|第[一二三四五六七八九十\d]{1,3}[项个条](?!件)"
)
_ITEM_HEADS = frozenset("其[-第")
_ITEM_NUMBER = re.compile(r"\d+|[一二三四五六七八九十]+")
_CN_DIGITS = frozenset("一二三四五六七八九十")
_FIRST_CLAUSE_END = re.compile(r"[。;；!！?？\n]")
_STATUS = re.compile(STATUS_WORDS)
# Verbs that open a measure (加强…, 进一步完善…), not a finding.
_MEASURE_START = re.compile(
    r"(?:进一步|认真|切实|及时|全面)?(?:加强|完善|建立|健全|落实|推进|开展|组织|强化|严格|规范|提高|提升|做好|抓好|"
    r"制定|召开|督促|坚持|着力|深化|加大|加快|实行|实施|印发|出台|成立|明确|压实)"
)
_PLANS_WORDS = re.compile(r"措施|下一步|计划|打算|建议|要求")
# Someone ordering or doing the work (学校要求总务处…, 督促…, 已…): a measure's opening, within its first words.
_ORDERS = re.compile(r"要求|督促|责令|立即|已经?|组织|安排|对照|针对")
# Marker families and their depth on the GB/T 9704 ladder (and its relatives); items of running text last.
_RANKS = {
    "chapter": 1,
    "part": 2,
    "article": 3,
    "cn_dun": 11,
    "cn_paren": 12,
    "arabic_dot": 13,
    "arabic_paren": 14,
    "circled": 15,
}
_INLINE_RANK = 20
_NONE = "none"


class Unit(NamedTuple):
    """One item of the body: view offsets, whether it opens a line, and its marker."""

    start: int
    end: int
    line_start: bool
    family: str  # a marker family (cn_dun, arabic_dot …), yishi (一是), qi (其一), bracket, dash, ordinal or none
    number: int
    body: int  # where the item's own text starts, after its marker


def rank(family: str) -> int:
    """How deep a marker family sits: chapter 1 … circled 15, inline items 20, none 99."""
    if family == _NONE:
        return 99
    return _RANKS.get(family, _INLINE_RANK)


def _marker(text: str, start: int, end: int, ladder: Marker | bool | None = True) -> tuple[str, int, int]:
    """A unit's marker family, number and where its own text starts. ``ladder``: its heading marker when the
    caller knows it (a whole line's, from the structure stage's cache; None for none), True to match it."""
    m = match_marker(text, start, end) if ladder is True else ladder
    if isinstance(m, Marker):
        return m.family, m.number, m.end
    head = text[start] if start < end else ""
    if head in _ITEM_HEADS:
        it = _ITEM_START.match(text, start, end)
        if it is not None:
            family = {"其": "qi", "[": "bracket", "-": "dash"}.get(head, "ordinal")
            digits = _ITEM_NUMBER.search(it.group())
            number = (cn_to_int(digits.group()) or 0) if digits else 0
            return family, number, it.end()
    if head in _CN_DIGITS:
        y = ENUM_ITEM.match(text, start, end)
        if y is not None:
            return "yishi", cn_to_int(y["num"]) or 0, y.end()
    return _NONE, 0, start


def _starts_item(text: str, pos: int, end: int) -> bool:
    head = text[pos]
    if head in _ITEM_HEADS and _ITEM_START.match(text, pos, end) is not None:
        return True
    if match_marker(text, pos, end) is not None:
        return True
    return head in _CN_DIGITS and ENUM_ITEM.match(text, pos, end) is not None


# Where a unit may start inside a line: after a boundary and spaces, at what can open an item (a marker's
# first character); after a semicolon, anything; after a colon, anything when a semicolon list follows. One
# character class opens the pattern, so the search scans for it alone (three times faster than alternatives).
_CUT = re.compile(
    r"[。;；:：!！?？,， \t](?:(?<=[;；:：])[ \t]*|[ \t]*(?=[其\[\-第一二三四五六七八九十百(0-9\u2460-\u2473]))"
)
_MIN_UNIT = 4


def body_units(text: str, lines: Sequence[tuple[int, int]], markers: LineMarkers | None = None) -> list[Unit]:
    """The body's lines, each cut where an item starts inline (see the module docstring), and after every
    semicolon and a colon that opens a semicolon list (…突出问题包括：A；B；C): clauses are items too.
    ``markers``: the heading markers of these lines, as the structure stage found them."""
    out: list[Unit] = []
    for start, end in lines:
        cuts = [start]
        if end - start > 2 * _MIN_UNIT:
            semicolons = text.find(";", start, end) != -1 or text.find("；", start, end) != -1
            for m in _CUT.finditer(text, start, end):
                q = m.end()
                if q >= end or q - cuts[-1] < _MIN_UNIT:
                    continue
                ch = text[m.start()]
                clause = semicolons and (ch in ";；" or (ch in ":：" and _has_semicolon(text, q, end)))
                if clause or (q < end and _starts_item(text, q, end)):
                    cuts.append(q)
        for k, cut in enumerate(cuts):
            stop = cuts[k + 1] if k + 1 < len(cuts) else end
            ladder = markers.at(start, end) if k == 0 and markers is not None else True
            family, number, body = _marker(text, cut, stop, ladder)
            if family == _NONE and k > 0:
                family = "clause"  # a clause after a semicolon (or the colon before the first one)
            out.append(Unit(cut, stop, k == 0, family, number, body))
    return out


def _has_semicolon(text: str, start: int, end: int) -> bool:
    """Whether a semicolon follows in the sentence that starts at ``start``."""
    stop = text.find("。", start, end)
    stop = end if stop == -1 else stop
    return text.find(";", start, stop) != -1 or text.find("；", start, stop) != -1


def candidate_units(text: str, units: Sequence[Unit], found: Sequence[Found]) -> list[Unit]:
    """The units the model labels: items (a marker, a clause of a semicolon list), units whose first clause
    states a shortcoming, and units a rule's problem starts in. The others (plain lines of running text that
    say nothing is wrong) hold 6 of the 349 problems of the labelled pages, and leaving them out halves the
    model's work on a page."""
    starts = [u.start for u in units]
    ruled = {_unit_of(starts, units, f.body) for f in found}
    return [
        u
        for k, u in enumerate(units)
        if u.family != _NONE or k in ruled or DEFICIENCY.search(text, u.body, _clause_end(text, u.body, u.end))
    ]


def _clause_end(text: str, start: int, end: int) -> int:
    """The end of the unit's first clause (a stop or a line end), at most 80 characters on."""
    m = _FIRST_CLAUSE_END.search(text, start, min(end, start + 80))
    return m.start() if m else min(end, start + 80)


def _first_clause(text: str, start: int, end: int) -> str:
    return text[start : _clause_end(text, start, end)]


def _ends_with_colon(text: str, start: int, end: int) -> bool:
    while end > start and text[end - 1] in " \t":
        end -= 1
    return end > start and text[end - 1] in ":："


def _bucket(n: int) -> str:
    return "<10" if n < 10 else "<30" if n < 30 else "<80" if n < 80 else "<200" if n < 200 else "long"


def _intro_kind(before: str) -> str:
    """What the text before a list says of it: ``list`` (names problems), ``report``, ``plans``, ``short``
    (says shortcomings remain), ``colon`` or ``text``."""
    b = before.rstrip()
    if not b:
        return _NONE
    if introduces_problems(b):
        return "list"
    if introduces_report(b):
        return "report"
    if _PLANS_WORDS.search(b, max(0, len(b) - 30)):
        return "plans"
    if announces_shortcomings(b):
        return "short"
    return "colon" if b.endswith((":", "：")) else "text"


def _runs(units: Sequence[Unit]) -> list[int]:
    """For each unit its run (items of one family numbered in turn; -1 for units without a marker)."""
    run_of = [-1] * len(units)
    last_of_run: list[int] = []
    open_runs: dict[str, int] = {}
    for k, u in enumerate(units):
        if u.family == _NONE:
            continue
        r = open_runs.get(u.family)
        previous = last_of_run[r] if r is not None else -1
        # Numbered items continue their run in turn; numberless ones (clauses, dashes) only side by side.
        follows = units[previous].number + 1 == u.number if u.number else previous == k - 1
        if r is None or not follows:
            r = len(last_of_run)
            last_of_run.append(k)
            open_runs[u.family] = r
        last_of_run[r] = k
        run_of[k] = r
        depth = rank(u.family)
        for family in [f for f in open_runs if rank(f) > depth]:
            del open_runs[family]  # a shallower marker closes the deeper lists
    return run_of


def unit_features(
    text: str, units: Sequence[Unit], scope: str, rules: Sequence[str | None] | None = None
) -> list[list[str]]:
    """The features of each unit: its own, its run's, its block's (to the next item), the heading above it
    and its neighbours'. ``rules``: the rule that found a problem starting in each unit (None for none)."""
    n = len(units)
    clauses = [_first_clause(text, u.body, u.end) for u in units]
    deficient = [DEFICIENCY.search(c) is not None for c in clauses]
    measure = [_MEASURE_START.match(c) is not None or _ORDERS.search(c, 0, 8) is not None for c in clauses]
    run_of = _runs(units)
    members: dict[int, list[int]] = {}
    for k, r in enumerate(run_of):
        if r >= 0:
            members.setdefault(r, []).append(k)
    run_feats: dict[int, list[str]] = {}
    run_intro: dict[int, str] = {}  # what introduces each run (see _intro_kind)
    for r, ks in members.items():
        share = sum(deficient[k] for k in ks) / len(ks)
        measures = sum(measure[k] for k in ks) / len(ks)
        first = units[ks[0]]
        prev = units[ks[0] - 1] if ks[0] > 0 else None
        if prev is not None and first.line_start and rank(prev.family) < rank(first.family):
            intro = "heading"  # the list opens right under its heading: the parent features say what that is
        elif first.line_start:
            intro = _intro_kind(text[prev.start : prev.end] if prev is not None else "")
        else:
            intro = _intro_kind(text[max(text.rfind("\n", 0, first.start) + 1, first.start - 200) : first.start])
        run_feats[r] = [
            "run_def=" + ("0" if share == 0 else "lo" if share < 0.5 else "hi" if share < 1 else "all"),
            "run_n=" + ("1" if len(ks) == 1 else "2-3" if len(ks) <= 3 else "4+"),
            "run_measures=" + ("0" if measures == 0 else "lo" if measures < 0.5 else "hi"),
            "run_intro=" + intro,
        ]
        run_intro[r] = intro
    own: list[list[str]] = []
    seen: list[list[str]] = []  # what a unit's neighbours see of it: marker, shortcoming, heading kind, run
    last_number: dict[str, int] = {}
    # (rank, heading kind, deficient, what its run's intro says) of the items above
    parents: list[tuple[int, str, bool, str]] = []
    for k, u in enumerate(units):
        fam, clause = u.family, clauses[k]
        depth = rank(fam)
        f = [f"mk={fam}", f"scope={scope}", f"start={u.line_start}", "len=" + _bucket(u.end - u.start)]
        near = [f[0]]
        while parents and parents[-1][0] >= depth:
            parents.pop()
        if parents:
            _, pkind, pdef, _ = parents[-1]
            f += [f"parent={pkind}", f"parent_def={pdef}", f"parent_mk={pkind}|{fam}"]
            # What the items above say, however far up: 具体问题如下： 1.市科技馆 (1)… is a list of problems.
            above = {kind for _, kind, _, _ in parents} | {intro for _, _, _, intro in parents}
            f += [f"above_{kind}" for kind in ("list", "plans", "report", "problem") if kind in above]
        else:
            f.append("parent=root")
        if fam != _NONE:
            kind = heading_kind(clause)
            f += [f"num1={u.number == 1}", f"cont={last_number.get(fam, 0) + 1 == u.number}"]
            f += [f"kind={kind}", f"mk_kind={fam}|{kind}"]
            last_number[fam] = u.number
            rf = run_feats[run_of[k]]
            run = rf + [x + "|" + fam for x in rf]
            f += run
            near += [f"kind={kind}", *run]
            j = k + 1
            while j < n and units[j].family == _NONE:
                j += 1
            block_end = units[j - 1].end
            labels = {label for _, _, label in problem_fields(text[u.body : block_end])}
            if labels.intersection(STATUS_LABELS):
                f.append("blk_status_field")
            if labels.intersection(MEASURE_LABELS):
                f.append("blk_measure_field")
            if labels.difference(STATUS_LABELS, MEASURE_LABELS):
                f.append("blk_other_field")
            if _STATUS.search(text, u.body, block_end) is not None:
                f.append("blk_status")
            if j > k + 1 and DEFICIENCY.search(text, units[k + 1].start, block_end) is not None:
                f.append("blk_def")
            f.append(f"children={j < n and rank(units[j].family) > depth}")
            parents.append((depth, kind, deficient[k], run_intro[run_of[k]]))
        if deficient[k]:
            f += ["def", f"def|{fam}"]
            near += ["def", f"def|{fam}"]
        if _STATUS.search(text, u.start, u.end) is not None:
            f.append("status")
        if measure[k]:
            f.append("measure_start")
        if PROBLEM_PREFIX.match(text, u.body, u.end) is not None:
            f.append("prefix")
        if "问题" in clause:
            f.append("wenti")
        if _ends_with_colon(text, u.start, u.end):
            f.append("colon_end")
            near.append("colon_end")
        f += ["c2=" + clause[j : j + 2] for j in range(min(6, len(clause) - 1))]
        own.append(f)
        seen.append(near)
    before = [["-1:" + x for x in near] for near in seen]
    after = [["1:" + x for x in near] for near in seen]
    out: list[list[str]] = []
    for k, f in enumerate(own):
        g = f + (before[k - 1] if k > 0 else ["-1:edge"]) + (after[k + 1] if k + 1 < n else ["1:edge"])
        rule = rules[k] if rules is not None else None
        if rule is not None:  # only a hit is a feature: a miss says nothing on pages the rules were not tuned on
            g += [f"rule={rule}", f"rule|{units[k].family}"]
        out.append(g)
    return out


# The models the parser uses, by kind: the package's; None (training, evaluation of the rules) leaves the
# decision to the rules. Set only through ``using_model`` and ``using_line_model``.
_models: dict[str, str | None] = {"problems": MODEL_FILE, "lines": LINE_MODEL_FILE}


@contextlib.contextmanager
def _using(kind: str, path: str | None) -> Iterator[None]:
    previous, _models[kind] = _models[kind], path
    try:
        yield
    finally:
        _models[kind] = previous


def using_model(path: str | None) -> contextlib.AbstractContextManager[None]:
    """Parse with another problem model file, or with the rules alone (None): training and evaluation."""
    return _using("problems", path)


def using_line_model(path: str | None) -> contextlib.AbstractContextManager[None]:
    """Parse with another line model file (``linemodel.py``), or with the chrome rules alone (None)."""
    return _using("lines", path)


def line_model() -> str | None:
    """The line model file in use (None: the chrome rules decide alone)."""
    return _models["lines"]


def model_version() -> str:
    """The models in use, each named by its kind and the first 12 hex digits of its file's SHA-256
    (``problems-… lines-…``); ``rules`` without any."""
    names = [_version(kind, name) for kind, name in _models.items() if name]
    return " ".join(names) or "rules"


@functools.lru_cache(maxsize=8)
def _version(kind: str, name: str) -> str:
    return f"{kind}-" + hashlib.sha256(_model_bytes(name)).hexdigest()[:12]


def _model_bytes(name: str) -> bytes:
    if "/" in name:
        with open(name, "rb") as handle:
            return handle.read()
    return (resources.files("rectify_parse") / "models" / name).read_bytes()


# A model has at most this many labels (the line model's five). Each feature's weights are five floats in one
# flat list (zero beyond the model's labels), found by the feature's offset and summed in five C doubles when
# compiled: a list of floats per feature would box every sum, a tuple unbox all five on each lookup.
_STRIDE = 5


class Weights(NamedTuple):
    """A trained linear-chain CRF: each feature's weight for each label, and each label pair's."""

    labels: tuple[str, ...]
    by_label: list[dict[str, float]]  # for each label (``labels`` order): feature -> weight
    transition: list[list[float]]  # [from label][to label]
    exp_transition: list[list[float]]  # exp of each, which forward-backward multiplies by
    offset: dict[str, int]  # feature -> where its weights start in ``flat``
    flat: list[float]  # each feature's weight for each label, ``_STRIDE`` a feature


@functools.lru_cache(maxsize=4)
def _weights(name: str) -> Weights:
    data = json.loads(_model_bytes(name))
    labels = tuple(data["labels"])
    if len(labels) > _STRIDE:
        raise ValueError(f"model {name} has {len(labels)} labels; at most {_STRIDE} are supported")
    transition = [[data["transition"][a][b] for b in labels] for a in labels]
    by_label = [{attr: by[y] for attr, by in data["state"].items() if by.get(y)} for y in labels]
    offset: dict[str, int] = {}
    flat: list[float] = []
    for x, by in data["state"].items():
        offset[x] = len(flat)
        flat += [by.get(y, 0.0) for y in labels] + [0.0] * (_STRIDE - len(labels))
    exp_transition = [[math.exp(w) for w in row] for row in transition]
    return Weights(labels, by_label, transition, exp_transition, offset, flat)


def scores(weights: Weights, xs: Sequence[str]) -> list[float]:
    """Each label's score at one position: the sum of its features' weights."""
    offset, flat = weights.offset, weights.flat
    a = b = c = d = e = 0.0
    for x in xs:
        i = offset.get(x, -1)
        if i >= 0:
            a += flat[i]
            b += flat[i + 1]
            c += flat[i + 2]
            d += flat[i + 3]
            e += flat[i + 4]
    return [a, b, c, d, e][: len(weights.labels)]


def probabilities(row: Sequence[float]) -> list[float]:
    """Each label's probability from its scores at one position alone, without its neighbours' labels."""
    top = max(row)
    return _normalised([math.exp(v - top) for v in row])


def marginals(weights: Weights, xseq: Sequence[Sequence[str]]) -> list[list[float]]:
    """The probability of each label at each position (forward-backward, scaled at every step): what
    crfsuite's tagger gives, computed here so that parsing needs no compiled CRF library."""
    return marginals_of(weights, [scores(weights, xs) for xs in xseq])


def marginals_of(weights: Weights, rows: Sequence[Sequence[float]]) -> list[list[float]]:
    """``marginals`` from each position's label scores. Plain loops over floats: mypyc compiles them to C
    arithmetic (generator expressions would each allocate an object)."""
    m = len(weights.labels)
    expt = weights.exp_transition
    exps: list[list[float]] = []
    for total in rows:
        top = max(total)
        exps.append([math.exp(v - top) for v in total])  # a constant per position cancels out
    n = len(exps)
    alpha: list[list[float]] = [_normalised(exps[0])] if n else []
    for t in range(1, n):
        prev, here = alpha[t - 1], exps[t]
        row: list[float] = []
        for y in range(m):
            acc = 0.0
            for z in range(m):
                acc += prev[z] * expt[z][y]
            row.append(here[y] * acc)
        alpha.append(_normalised(row))
    beta: list[list[float]] = [[1.0] * m for _ in range(n)]
    for t in range(n - 2, -1, -1):
        after, nxt = exps[t + 1], beta[t + 1]
        row = []
        for y in range(m):
            acc = 0.0
            for z in range(m):
                acc += expt[y][z] * after[z] * nxt[z]
            row.append(acc)
        beta[t] = _normalised(row)
    out: list[list[float]] = []
    for t in range(n):
        a, b = alpha[t], beta[t]
        out.append(_normalised([a[y] * b[y] for y in range(m)]))
    return out


def _normalised(row: list[float]) -> list[float]:
    total = 0.0
    for v in row:
        total += v
    return [v / total for v in row]


def weighed(features: Sequence[str], top: int = 5) -> list[tuple[str, float]]:
    """The features of a unit that weighed most for or against ``P``, largest first (none without a model)."""
    model = _models["problems"]
    if model is None:
        return []
    weights = _weights(model)
    return weighed_for(weights, weights.labels.index(PROBLEM), features, top)


def weighed_for(weights: Weights, label: int, features: Sequence[str], top: int = 5) -> list[tuple[str, float]]:
    """The features that weighed most for (+) or against (-) label ``label`` (an index into ``weights.labels``),
    largest first."""
    table = weights.by_label[label]
    found = [(x, round(table[x], 3)) for x in features if x in table]
    return sorted(found, key=lambda xw: -abs(xw[1]))[:top]


def problem_probabilities(xseq: list[list[str]]) -> list[float]:
    """The probability that each unit starts a problem; without a model, 1 where a rule took the unit."""
    if not xseq:
        return []
    model = _models["problems"]
    if model is None:
        return [1.0 if any(x.startswith("rule=") for x in xs) else 0.0 for xs in xseq]
    weights = _weights(model)
    p = weights.labels.index(PROBLEM)
    return [row[p] for row in marginals(weights, xseq)]


def _unit_of(starts: Sequence[int], units: Sequence[Unit], pos: int) -> int:
    """The unit holding view offset ``pos``, or -1."""
    k = bisect.bisect_right(starts, pos) - 1
    return k if k >= 0 and pos < max(units[k].end, units[k].start + 1) else -1


def rule_names(units: Sequence[Unit], found: Sequence[Found]) -> list[str | None]:
    """For each unit the rule that found a problem whose text starts in it (None for none)."""
    starts = [u.start for u in units]
    out: list[str | None] = [None] * len(units)
    for f in found:
        k = _unit_of(starts, units, f.body)
        if k >= 0 and out[k] is None:
            out[k] = f.rule
    return out


class Ruled(NamedTuple):
    """The rules' problems' spans sorted by start, their starts, and the furthest end of the first k+1 spans:
    computed once a body, for ``sibling_windows`` and each window's ``free_units``."""

    spans: list[tuple[int, int]]
    starts: list[int]
    reach: list[int]


def ruled_spans(found: Sequence[Found]) -> Ruled:
    spans = sorted((f.start, f.end) for f in found)
    return Ruled(spans, [s for s, _ in spans], list(itertools.accumulate((e for _, e in spans), max)))


def sibling_windows(
    text: str, lines: Sequence[tuple[int, int]], markers: LineMarkers | None, ruled: Ruled
) -> list[tuple[int, int]]:
    """The windows of lines where the model is asked beside the rules' problems: ``BESIDE_CONTEXT`` lines either
    side of each line no rule's problem covers that opens as a line some rules' problem starts in does, from the
    item it lies under. It opens so with a marker of the same family, its first clause stating a shortcoming,
    or with the same label (隐患问题：1.…；2.…, the next unit's list after the one the rules read). The rules read
    part of a report's hazard lists (of a unit's list closed by a 整改时限 field, only the last item); the items
    above it and the next units' items open as the ones read did. Only the lines' markers, which the structure
    stage has read already, and their labels are looked at to find them: cutting every uncovered line into units
    cost more than the rest of a long report's parse."""
    line_starts = [s for s, _ in lines]
    families: set[str] = set()
    labels: set[str] = set()
    for start in ruled.starts:
        k = bisect.bisect_right(line_starts, start) - 1
        if k < 0:
            continue
        if lines[k][0] == start:
            m = _line_marker(text, markers, *lines[k])
            if m is not None:
                families.add(m.family)
        label = None
        if lines[k][0] < start:  # the problem starts inside its line, maybe after a label
            label = _line_label(text, lines[k][0], start)
        elif k > 0 and _ends_with_colon(text, *lines[k - 1]):  # a label alone over its list (隐患问题：/ 1、…)
            above = _line_label(text, *lines[k - 1])
            label = above if above is not None and not text[above.end() : lines[k - 1][1]].strip() else None
        if label is not None:
            labels.add(label.group(1))
    if not families and not labels:
        return []
    asked: list[tuple[int | None, int]] = []  # (its parent's line, its line) of each line asked about
    for i, (start, end) in enumerate(lines):
        if start >= end:
            continue
        if text[start] in MARKER_START:  # the marker matcher's own first test, without its call
            m = _line_marker(text, markers, start, end)
            if m is not None and m.family in families:
                if not _covered_line(ruled, start, end) and DEFICIENCY.search(
                    text, m.end, _clause_end(text, m.end, end)
                ):
                    asked.append((_parent_line(text, lines, markers, i, rank(m.family)), i))
                continue
        label = _line_label(text, start, end) if labels else None
        # under the label, a list on the line itself (1、…；2、…; a label alone heads the lines below, asked by
        # their marker); a field's value (整改情况：已完成) is no list
        if (
            label is not None
            and label.group(1) in labels
            and _list_after(text, label.end(), end)
            and not _covered_line(ruled, start, end)
        ):
            asked.append((_parent_line(text, lines, markers, i, rank(_NONE)), i))
    return _line_windows(asked, len(lines), BESIDE_CONTEXT)


# A label opening a line (隐患问题：, 存在问题：): the label as written before its colon is group 1.
_LINE_LABEL = re.compile(r"([\u4e00-\u9fff]{2,8})[ \t]*[:：]")


def _line_label(text: str, start: int, end: int) -> re.Match[str] | None:
    return _LINE_LABEL.match(text, start, min(end, start + 12))


def _list_after(text: str, pos: int, end: int) -> bool:
    """Whether an item starts at ``pos`` (past spaces) before ``end``."""
    while pos < end and text[pos] in " \t":
        pos += 1
    return pos < end and _starts_item(text, pos, end)


def _covered_line(ruled: Ruled, start: int, end: int) -> bool:
    """Whether the rules' problems cover the line."""
    k = bisect.bisect_right(ruled.starts, start)
    return bool(k) and ruled.reach[k - 1] >= end and _covered(ruled.spans, k, start, end)


def _line_marker(text: str, markers: LineMarkers | None, start: int, end: int) -> Marker | None:
    """A line's heading marker: from the structure stage's cache when there is one."""
    return markers.at(start, end) if markers is not None else match_marker(text, start, end)


def free_units(units: Sequence[Unit], ruled: Ruled, end: int) -> dict[int, int]:
    """The units of a window that are neither one of the rules' problems nor an item above one, by start, with
    where each one's stretch ends (``end``: the window's)."""
    free: dict[int, int] = {}
    for u, stretch in zip(units, _scope_ends(units, end), strict=True):
        k = bisect.bisect_left(ruled.starts, stretch)  # the spans that start before the unit's stretch ends
        if k == 0 or ruled.reach[k - 1] <= u.start:
            free[u.start] = stretch
    return free


def _covered(spans: Sequence[tuple[int, int]], k: int, start: int, end: int) -> bool:
    """Whether the spans before index ``k`` (sorted by start, the last starting at or before ``start``)
    together cover ``start``..``end`` without a gap that holds a character."""
    pos = end
    for j in range(k - 1, -1, -1):
        s, e = spans[j]
        if e >= pos:
            pos = min(pos, s)
            if pos <= start:
                return True
    return False


def _parent_line(
    text: str, lines: Sequence[tuple[int, int]], markers: LineMarkers | None, i: int, depth: int
) -> int | None:
    """The nearest line above line ``i`` (at most ``_PARENT_REACH`` lines up) that opens with a heading marker
    shallower than ``depth``: the item the unit lies under, whose kind its features read."""
    for j in range(i - 1, max(-1, i - 1 - _PARENT_REACH), -1):
        m = _line_marker(text, markers, *lines[j])
        if m is not None and rank(m.family) < depth:
            return j
    return None


def _line_windows(places: Sequence[tuple[int | None, int]], n: int, context: int) -> list[tuple[int, int]]:
    """Ranges of ``context`` lines either side of each place (from its parent's line, when it has one), merged
    where they touch."""
    ranges = sorted(
        (min(max(0, i - context), i if parent is None else parent), min(n, i + context + 1)) for parent, i in places
    )
    out: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def beside(
    units: Sequence[Unit],
    probabilities: Sequence[float],
    free: dict[int, int],
    finder: ProblemFinder,
    ruled: Ruled,
) -> list[Found]:
    """The problems the model adds beside the rules' in one window of ``units``: the ``free`` units (by start, with
    their stretch's end: ``free_units``) it gives ``BESIDE`` or more. One ends where its stretch does, or
    before the next problem the model or the rules found."""
    found = decide(
        units,
        [p if u.start in free else 0.0 for u, p in zip(units, probabilities, strict=True)],
        finder,
        units[-1].end if units else 0,
        BESIDE,
    )
    for f in found:
        k = bisect.bisect_right(ruled.starts, f.start)  # the next rules' problem starts there
        f.end = min(f.end, free[f.start], *ruled.starts[k : k + 1])
    return [f for f in found if f.end > f.body]


def _scope_ends(units: Sequence[Unit], body_end: int) -> list[int]:
    """Where each unit and what it heads end: an item runs to the next unit of its rank or above, a unit
    without a marker or a clause is itself (a rules' problem inside that stretch is the unit's or under it)."""
    ends = [u.end for u in units]
    open_items: list[int] = []  # items whose stretch has not ended yet, shallowest first
    for k, u in enumerate(units):
        depth = rank(u.family)
        while open_items and rank(units[open_items[-1]].family) >= depth:
            ends[open_items.pop()] = u.start
        if u.family not in (_NONE, "clause"):
            open_items.append(k)
    for k in open_items:
        ends[k] = body_end
    return ends


def decide(
    units: Sequence[Unit], probabilities: Sequence[float], finder: ProblemFinder, body_end: int, at: float = ADD
) -> list[Found]:
    """The problems the model finds in a body where the rules found none: one for every unit it gives ``at``
    (``ADD`` unless ``beside`` asks) or more, ending where the next such unit starts or an item of its rank or
    above does (a unit without a marker: at its own end)."""
    taken = [p >= at for p in probabilities]
    out: list[Found] = []
    above: list[Unit] = []  # the nearest unit of each shallower rank before this one, shallowest first
    for k, u in enumerate(units):
        depth = rank(u.family)
        while above and rank(above[-1].family) >= depth:
            above.pop()
        parent = above[-1] if above else None  # the nearest unit before it of a shallower rank
        above.append(u)
        if not taken[k]:
            continue
        end = _extent(units, taken, k, body_end)
        aspect = (parent.body, parent.body + len(_first_clause_of(finder.text, parent))) if parent else None
        number = u.number or len(out) + 1  # units come in page order: an unnumbered one counts those before it
        out.append(finder.learned(number, aspect, u.start, u.body, max(end, u.body), not u.line_start))
    return out


def _extent(units: Sequence[Unit], taken: Sequence[bool], k: int, body_end: int) -> int:
    """Where a problem the model took at unit ``k`` ends: a unit without a marker or a clause is the problem
    whole; an item runs over the units after it up to the next problem or item of its rank or above, an item
    inside a line no further than its line."""
    u = units[k]
    if u.family in (_NONE, "clause"):
        return u.end
    depth = rank(u.family)
    for j in range(k + 1, len(units)):
        after = units[j]
        if not u.line_start and after.line_start:
            return units[j - 1].end  # an item inside a line ends with its line
        if taken[j] or rank(after.family) <= depth:
            return after.start
    return body_end if u.line_start else units[-1].end


def _first_clause_of(text: str, u: Unit) -> str:
    return _first_clause(text, u.body, u.end)


class UnitRow(NamedTuple):
    """One unit of a body as the model saw it (``rectify_parse.explain_units``)."""

    number: int  # the unit's index in the body
    span: tuple[int, int]  # source offsets (into ``rectify_parse.source_text`` for an HTML page)
    text: str
    family: str  # its marker family: cn_dun (一、), cn_paren (（一）), arabic_dot (1.), yishi (一是), clause, none …
    rule: str | None  # the rule that found a problem starting here, if any
    probability: float  # the model's probability that a problem starts here (1 or 0 with the rules alone)
    problem: bool  # whether a problem of the record starts here
    weighed: list[tuple[str, float]]  # the features that weighed most for (+) or against (-) a problem
