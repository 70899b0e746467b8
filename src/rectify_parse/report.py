"""A visual report of a batch output: ``rectify-parse report OUT.jsonl -o report.html``.

One static HTML page with its CSS and a few lines of JavaScript inline (no network, no template engine):
totals, problems by status kind and by publisher, warnings and errors by type, and side-by-side views of
the pages with copies and of the near-duplicate groups, every variant highlighted.

It reads the JSONL twice and never holds it: the first pass counts and keeps, per notice of interest, only
its id, a score and the offset of its line (:class:`Tally`); the second reads back the lines of the pages
and groups shown in detail. The detail sections are capped (``top`` pages and groups, ``members`` members
per group, ``MAX_PANE_CHARS`` characters per text) and say how many were left out, so the page stays a
few megabytes at any corpus size.

Where the texts come from: a page's canonical copy is the record's ``text``; the other copy is rebuilt from
it by applying the copy's variants (``before`` → ``after``), each placed in ``text`` near where its span
says, by its context (:func:`locate`). A group's members are diffed with :func:`rectify_parse.diff.variants`
on their clean text, as the batch did when it grouped them. Every value is HTML-escaped.
"""

from __future__ import annotations

import heapq
import html
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .corpus import member_variants
from .diff import _CONTEXT as CONTEXT_CHARS
from .errors import ConfigError
from .output import clean_text, dicts, dig, error_type, iter_output, open_output, read_at

TOP = 25  # pages with copies, and near-duplicate groups, shown side by side
MEMBERS = 3  # members of a group compared with its representative
MAX_SIBLINGS = 200  # template siblings listed
MAX_PANE_CHARS = 20_000  # characters of one text shown in a pane
MAX_VARIANT_ROWS = 200  # variants listed under a pair (all are marked in the panes)
TOP_PUBLISHERS = 30
TOP_CODES = 50
MAX_ERROR_EXAMPLES = 10
STATUS_KINDS = ("completed", "in_progress", "not_started", "unknown")
NO_PUBLISHER = "(no publisher)"
# Where a notice's publisher is read, in order: the header's 发布机构, its 发文机关, the body that signed the
# notice, then the header's 来源, last because it often names the site or paper that ran the notice
# (人民日报, 本站) rather than the body that wrote it.
PUBLISHER_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("header.publisher", ("header", "publisher")),
    ("header.issuer", ("header", "issuer")),
    ("closing.signature", ("closing", "signature")),
    ("header.source", ("header", "source")),
)


class Mark(NamedTuple):
    """A stretch of a text to highlight: ``[start, end)``, the variant's kind and its number in the pair."""

    start: int
    end: int
    kind: str
    number: int


class Pair(NamedTuple):
    """Two texts side by side with their marks."""

    label_a: str
    label_b: str
    a: str
    b: str
    marks_a: list[Mark]
    marks_b: list[Mark]
    rows: list[dict[str, Any]]  # the variants as listed under the panes: kind, before, after, located
    note: str


@dataclass
class Tally:
    """What the first pass keeps: counts, and the offsets of the lines the detail sections will read."""

    top: int = TOP
    lines: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    error_examples: list[tuple[str, str, str]] = field(default_factory=list)
    problems: int = 0
    status: Counter[str] = field(default_factory=Counter)
    by_publisher: dict[str, Counter[str]] = field(default_factory=dict)
    publisher_fields: dict[str, Counter[str]] = field(default_factory=dict)  # name -> problems by field read
    warnings: Counter[str] = field(default_factory=Counter)
    with_copies: int = 0
    variants: Counter[str] = field(default_factory=Counter)
    pages: list[tuple[int, int, int, int]] = field(default_factory=list)  # heap of (wording, variants, -lineno, offset)
    groups: dict[int, list[tuple[str, int, bool]]] = field(default_factory=dict)  # index -> (id, offset, is rep)
    missing: set[str] = field(default_factory=set)  # record fields absent from some line
    siblings: list[tuple[str, str, str, list[str]]] = field(default_factory=list)  # id, title, kept from, fields
    sibling_count: int = 0

    def add(self, obj: dict[str, Any], lineno: int, offset: int) -> None:
        self.lines += 1
        if "error" in obj:
            kind = error_type(obj) or "Error"
            self.errors[kind] += 1
            if len(self.error_examples) < MAX_ERROR_EXAMPLES:
                self.error_examples.append((obj["id"], kind, str(dig(obj, "error", "message") or "")))
        group = obj.get("group")
        if isinstance(group, int) and not isinstance(group, bool):
            rep = obj.get("near_duplicate_of") is None
            self.groups.setdefault(group, []).append((obj["id"], offset, rep))
        template = obj.get("same_template_as")
        if isinstance(template, dict):
            self.sibling_count += 1
            if len(self.siblings) < MAX_SIBLINGS:
                differs = template.get("differs")
                fields = [str(f) for f in differs] if isinstance(differs, list) else []
                title = str(dig(obj, "record", "title") or "")
                self.siblings.append((obj["id"], title, str(template.get("id")), fields))
        record = obj.get("record")
        if isinstance(record, dict):
            self._add_record(record, lineno, offset)

    def _add_record(self, record: dict[str, Any], lineno: int, offset: int) -> None:
        for key in ("problems", "warnings", "duplicates", "header", "text"):
            if key not in record:
                self.missing.add(key)
        publisher, read_from = publisher_of(record)
        for problem in _problems(record):
            kind = str(problem.get("status_kind") or "unknown")
            self.problems += 1
            self.status[kind] += 1
            self.by_publisher.setdefault(publisher, Counter())[kind] += 1
            self.publisher_fields.setdefault(publisher, Counter())[read_from] += 1
        self.warnings.update(str(w.get("code")) for w in dicts(record, "warnings"))
        found = dicts(record, "duplicates", "variants")
        self.variants.update(str(v.get("kind")) for v in found)
        if len(dicts(record, "duplicates", "copies")) > 1:
            self.with_copies += 1
            wording = sum(1 for v in found if v.get("kind") == "wording")
            entry = (wording, len(found), -lineno, offset)
            if len(self.pages) < self.top:
                heapq.heappush(self.pages, entry)
            else:
                heapq.heappushpop(self.pages, entry)


def publisher_of(record: dict[str, Any]) -> tuple[str, str]:
    """The notice's publisher and the field it was read from (:data:`PUBLISHER_FIELDS`, the first filled);
    ``("(no publisher)", "")`` when none is."""
    for label, keys in PUBLISHER_FIELDS:
        value = dig(record, *keys)
        if isinstance(value, str) and value.strip():
            return value.strip(), label
    return NO_PUBLISHER, ""


def _problems(record: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield from dicts(record, "problems")
    for segment in dicts(record, "segments"):
        yield from dicts(segment, "problems")


# --- placing a page's variants in its text ----------------------------------------------------------------


def _start(span: Any) -> int | None:
    ok = isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) for x in span)
    return int(span[0]) if ok else None


def locate(text: str, variant: dict[str, Any], body_start: int | None, copy_start: int | None) -> int | None:
    """Where the variant's ``before`` starts in ``text`` (the record's clean body, which began at input offset
    ``body_start``; the canonical copy began at ``copy_start``), or None when it cannot be placed. The clean
    text drops chrome and trims lines, so the input offset only says *near where*: the variant's context
    (``before`` with up to 12 characters of the copy on each side), then its two halves, then ``before``
    alone are searched for, the occurrence nearest that guess winning. Without spans (``--compact``) the
    context alone places it."""
    before = str(variant.get("before") or "")
    context = str(variant.get("context") or "")
    start = _start(variant.get("canonical_span"))
    if start is not None and body_start is not None and copy_start is not None:
        guess = start - body_start
        lead = min(CONTEXT_CHARS, max(start - copy_start, 0))
    else:
        guess = len(text) // 2
        lead = context.find(before) if before else -1
    tries: list[tuple[str, int]] = []
    if lead >= 0 and context[lead : lead + len(before)] == before:
        tries = [(context, lead), (context[lead:], 0), (context[: lead + len(before)], lead)]
    tries.append((before, 0))
    for needle, offset in tries:
        if len(needle) > len(before) or (before and needle == before):
            found = _nearest(text, needle, guess - offset)
            if found is not None:
                return found + offset
    return None


def _nearest(text: str, needle: str, guess: int) -> int | None:
    best: int | None = None
    start = text.find(needle)
    while start >= 0:
        if best is None or abs(start - guess) < abs(best - guess):
            best = start
        start = text.find(needle, start + 1)
    return best


def copy_pair(record: dict[str, Any], copy: int, canonical: int) -> Pair:
    """The canonical copy and copy number ``copy`` of a page, side by side, variants marked."""
    text = str(record.get("text") or "")
    copies = dicts(record, "duplicates", "copies")
    body_start, copy_start = _start(record.get("body_span")), _start(copies[canonical].get("span"))
    placed: list[tuple[int, int, dict[str, Any]]] = []
    rows: list[dict[str, Any]] = []
    for number, variant in enumerate(v for v in dicts(record, "duplicates", "variants") if v.get("copy") == copy):
        start = locate(text, variant, body_start, copy_start)
        before = str(variant.get("before") or "")
        if start is not None and any(s < start + len(before) and start < e for s, e, _ in _spans(placed)):
            start = None  # overlaps a variant already placed: listed, not marked
        rows.append(_row(variant, number, start is not None))
        if start is not None:
            placed.append((start, number, variant))
    placed.sort(key=lambda p: p[0])
    marks_a = [Mark(s, s + len(str(v.get("before") or "")), str(v.get("kind")), n) for s, n, v in placed]
    b_parts: list[str] = []
    marks_b: list[Mark] = []
    pos = length = 0
    for start, number, variant in placed:
        b_parts.append(text[pos:start])
        length += start - pos
        after = str(variant.get("after") or "")
        marks_b.append(Mark(length, length + len(after), str(variant.get("kind")), number))
        b_parts.append(after)
        length += len(after)
        pos = start + len(str(variant.get("before") or ""))
    b_parts.append(text[pos:])
    other = "".join(b_parts)
    note = ""
    if copies[copy].get("complete") is False:
        note = "This copy stops early: it was compared with the same stretch of the canonical copy."
        end = _copy_end(other, copies[copy].get("span"), body_start, copy_start)
        other = other if end is None else other[:end]
    return Pair("canonical copy", f"copy {copy}", text, other, marks_a, marks_b, rows, note)


def _copy_end(other: str, span: Any, body_start: int | None, copy_start: int | None) -> int | None:
    """Where a copy that stops early ends in its rebuilt text: the canonical copy's start in the clean text
    (moved to the nearest line start, as copies start at line starts), plus the copy's length. Approximate
    when the clean text trimmed characters inside the copy (an indented line): it is then a little long."""
    if _start(span) is None or body_start is None or copy_start is None:
        return None
    guess = copy_start - body_start
    starts = [i + 1 for i in (other.rfind("\n", 0, guess), other.find("\n", guess)) if i >= 0] + [0]
    start = min(starts, key=lambda i: abs(i - guess))
    return min(len(other), start + int(span[1]) - int(span[0]))


def _spans(placed: list[tuple[int, int, dict[str, Any]]]) -> Iterable[tuple[int, int, int]]:
    for start, number, variant in placed:
        yield start, start + len(str(variant.get("before") or "")), number


def _row(variant: dict[str, Any], number: int, located: bool) -> dict[str, Any]:
    return {
        "number": number,
        "kind": str(variant.get("kind")),
        "before": str(variant.get("before") or ""),
        "after": str(variant.get("after") or ""),
        "located": located,
    }


def group_pair(rep_id: str, rep_text: str, member_id: str, member_text: str, note: str = "") -> Pair:
    """A group's representative and one member side by side, their word-level differences marked (as the
    groups give them: a character in the other script is no difference)."""
    found = member_variants(rep_text, member_text, copy=1)
    marks_a = [Mark(v.canonical_span[0], v.canonical_span[1], v.kind, n) for n, v in enumerate(found)]
    marks_b = [Mark(v.copy_span[0], v.copy_span[1], v.kind, n) for n, v in enumerate(found)]
    rows = [_row(v.to_dict(), n, True) for n, v in enumerate(found)]
    return Pair(rep_id, member_id, rep_text, member_text, marks_a, marks_b, rows, note)


def member_note(rep: dict[str, Any], member: dict[str, Any]) -> str:
    """What a group member's line says of it: its script when the representative's differs, and how much
    a synonym-rewritten copy changed."""
    notes: list[str] = []
    script = member.get("script")
    if script and script != rep.get("script"):
        notes.append(f"written in {script} characters (compared with the scripts folded)")
    share = member.get("rewritten")
    if isinstance(share, (int, float)) and not isinstance(share, bool):
        notes.append(f"synonym-rewritten copy: {share:.0%} of the words changed")
    return "; ".join(notes)


# --- rendering --------------------------------------------------------------------------------------------


def esc(value: Any) -> str:
    """Any value as HTML text (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def marked(text: str, marks: Sequence[Mark], pair: int, side: str) -> str:
    """``text`` as HTML with each mark wrapped in ``<mark>``; text past ``MAX_PANE_CHARS`` is cut off."""
    shown = text[:MAX_PANE_CHARS]
    out: list[str] = []
    pos = 0
    for m in sorted(marks):
        if m.start >= len(shown) or m.start < pos:
            continue
        out.append(esc(shown[pos : m.start]))
        gap = " gap" if m.end == m.start else ""
        out.append(
            f'<mark class="v v-{esc(m.kind)}{gap}" id="p{pair}{side}{m.number}" data-v="{m.number}">'
            f"{esc(shown[m.start : m.end])}</mark>"
        )
        pos = m.end
    out.append(esc(shown[pos:]))
    if len(text) > len(shown):
        out.append(f'<span class="cut">[cut: {len(text) - len(shown):,} more characters]</span>')
    return "".join(out)


def _bars(counts: Sequence[tuple[str, int]], css: str = "") -> str:
    peak = max((n for _, n in counts), default=0) or 1
    rows = "".join(
        f'<tr><th scope="row">{esc(label)}</th><td class="num">{n:,}</td>'
        f'<td class="bar"><span class="{css}{esc(label)}" style="width:{100 * n / peak:.1f}%"></span></td></tr>'
        for label, n in counts
    )
    return f'<table class="bars"><tbody>{rows}</tbody></table>' if counts else '<p class="none">None.</p>'


def _left_out(shown: int, total: int, what: str) -> str:
    if total <= shown:
        return ""
    return f'<p class="note">{total - shown:,} more {what} left out (shown: the first {shown:,} in this order).</p>'


def render_pair(pair: Pair, number: int) -> str:
    rows = "".join(
        f'<tr><td><a href="#p{number}a{r["number"]}" class="jump" data-pair="{number}" data-v="{r["number"]}">'
        f'{r["number"] + 1}</a></td><td>{esc(r["kind"])}</td><td><mark class="v v-{esc(r["kind"])}">'
        f'{esc(r["before"])}</mark></td><td><mark class="v v-{esc(r["kind"])}">{esc(r["after"])}</mark></td>'
        f"<td>{'' if r['located'] else 'not placed in the text'}</td></tr>"
        for r in pair.rows[:MAX_VARIANT_ROWS]
    )
    if len(pair.rows) > MAX_VARIANT_ROWS:
        more = len(pair.rows) - MAX_VARIANT_ROWS
        rows += f'<tr><td colspan="5" class="note">{more:,} more variants, marked above.</td></tr>'
    note = f'<p class="note">{esc(pair.note)}</p>' if pair.note else ""
    return (
        f'<div class="pair" id="pair{number}">{note}<div class="panes">'
        f'<div class="pane"><div class="label">{esc(pair.label_a)}</div>'
        f'<pre class="text" data-side="a">{marked(pair.a, pair.marks_a, number, "a")}</pre></div>'
        f'<div class="pane"><div class="label">{esc(pair.label_b)}</div>'
        f'<pre class="text" data-side="b">{marked(pair.b, pair.marks_b, number, "b")}</pre></div></div>'
        f'<div class="scroll"><table class="variants"><thead><tr><th>#</th><th>kind</th><th>{esc(pair.label_a)}</th>'
        f"<th>{esc(pair.label_b)}</th><th></th></tr></thead><tbody>{rows}</tbody></table></div></div>"
    )


@dataclass
class Detail:
    """One page with copies or one group, with its pairs."""

    anchor: str
    heading: str
    meta: str
    pairs: list[Pair]
    note: str = ""


def _page_details(handle: Any, path: Path, tally: Tally) -> list[Detail]:
    out: list[Detail] = []
    for _wording, _n, neg_lineno, offset in sorted(tally.pages, reverse=True):
        line = read_at(handle, offset, f"{path} line {-neg_lineno}")
        record = line.get("record") or {}
        copies = dicts(record, "duplicates", "copies")
        canonical = next((k for k, c in enumerate(copies) if c.get("canonical")), 0)
        pairs = [copy_pair(record, k, canonical) for k in range(len(copies)) if k != canonical]
        meta = f"{len(copies)} copies, {sum(len(p.rows) for p in pairs)} variants"
        out.append(Detail(f"page{len(out)}", _title(line), meta, pairs))
    return out


def _title(line: dict[str, Any]) -> str:
    title = dig(line, "record", "title")
    return f"{title} ({line['id']})" if title else str(line["id"])


def _group_order(tally: Tally) -> list[int]:
    return sorted(tally.groups, key=lambda g: (-len(tally.groups[g]), g))[: tally.top]


def _group_details(handle: Any, path: Path, tally: Tally, members: int) -> list[Detail]:
    out: list[Detail] = []
    for index in _group_order(tally):
        entries = sorted(tally.groups[index], key=lambda e: not e[2])  # the representative first
        lines = [read_at(handle, offset, f"{path} (group {index})") for _, offset, _ in entries[: members + 1]]
        texts = [clean_text(line.get("record")) for line in lines]
        meta = f"{len(entries)} notices"
        note = ""
        pairs: list[Pair] = []
        if texts[0] is None or any(t is None for t in texts[1:]):
            note = "The texts are not in this output (written with --fields without text): no side-by-side view."
        else:
            pairs = [
                group_pair(lines[0]["id"], str(texts[0]), line["id"], str(text), member_note(lines[0], line))
                for line, text in zip(lines[1:], texts[1:], strict=True)
            ]
        if len(entries) > members + 1:
            note += f" {len(entries) - members - 1:,} more members not compared here."
        out.append(Detail(f"group{index}", f"Group {index}: {_title(lines[0])}", meta, pairs, note.strip()))
    return out


def _detail_html(details: Sequence[Detail], first_pair: int) -> tuple[str, int]:
    parts: list[str] = []
    number = first_pair
    for d in details:
        body: list[str] = []
        for pair in d.pairs:
            body.append(render_pair(pair, number))
            number += 1
        note = f'<p class="note">{esc(d.note)}</p>' if d.note else ""
        parts.append(
            f'<details class="detail" id="{d.anchor}" data-search="{esc(d.heading.lower())}"><summary>'
            f'<span class="h">{esc(d.heading)}</span> <span class="meta">{esc(d.meta)}</span></summary>'
            f"{note}{''.join(body)}</details>"
        )
    return "".join(parts), number


def _siblings_table(tally: Tally) -> str:
    """The template siblings: notices kept out of a group as another document of the same template."""
    if not tally.siblings:
        return '<p class="none">None (or the batch ran without --dedup).</p>'
    rows = "".join(
        f"<tr><td><code>{esc(i)}</code></td><td>{esc(title)}</td><td><code>{esc(target)}</code></td>"
        f"<td>{esc(', '.join(fields))}</td></tr>"
        for i, title, target, fields in tally.siblings
    )
    table = (
        '<div class="scroll"><table class="grid" id="sibling-table"><thead><tr><th>notice</th><th>title</th>'
        f"<th>kept apart from</th><th>fields that differ</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
    return table + _left_out(len(tally.siblings), tally.sibling_count, "template siblings")


def _publisher_table(tally: Tally) -> str:
    ranked = sorted(tally.by_publisher.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    shown = ranked[:TOP_PUBLISHERS]
    head = "".join(f"<th>{esc(k)}</th>" for k in STATUS_KINDS)
    rows = "".join(
        f'<tr><th scope="row">{esc(name)}</th><td class="num">{sum(c.values()):,}</td>'
        + "".join(f'<td class="num">{c[k]:,}</td>' for k in STATUS_KINDS)
        + f'<td class="from">{esc(_read_from(tally.publisher_fields.get(name, Counter())))}</td></tr>'
        for name, c in shown
    )
    table = (
        f'<div class="scroll"><table class="grid" id="publishers"><thead><tr><th>publisher</th><th>problems</th>'
        f"{head}<th>read from</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )
    note = (
        '<p class="note">A notice\'s publisher is its header.publisher (发布机构), else header.issuer (发文机关), '
        "else the body that signed it (closing.signature), else header.source (来源, which often names the site "
        "or paper that ran the notice); &ldquo;read from&rdquo; says which, with the number of problems when a "
        "name was read from several.</p>"
    )
    return (note + table if shown else '<p class="none">None.</p>') + _left_out(len(shown), len(ranked), "publishers")


def _read_from(fields: Counter[str]) -> str:
    """``header.publisher``, or ``closing.signature 3, header.source 1`` when a name came from several fields
    (the number of problems from each, in :data:`PUBLISHER_FIELDS` order); empty for the no-publisher row."""
    found = [(label, fields[label]) for label, _ in PUBLISHER_FIELDS if fields[label]]
    if len(found) == 1:
        return found[0][0]
    return ", ".join(f"{label} {n:,}" for label, n in found)


def _totals(tally: Tally) -> list[tuple[str, str]]:
    in_groups = sum(len(m) for m in tally.groups.values())
    return [
        ("notices", f"{tally.lines:,}"),
        ("parsed", f"{tally.lines - sum(tally.errors.values()):,}"),
        ("errors", f"{sum(tally.errors.values()):,}"),
        ("problems", f"{tally.problems:,}"),
        ("pages with copies", f"{tally.with_copies:,}"),
        ("wording variants", f"{tally.variants['wording']:,}"),
        ("near-duplicate groups", f"{len(tally.groups):,}"),
        ("notices in groups", f"{in_groups:,}"),
    ]


def render(path: Path, tally: Tally, pages: Sequence[Detail], groups: Sequence[Detail]) -> str:
    """The whole page."""
    totals = "".join(f'<div class="total"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for k, v in _totals(tally))
    status = _bars([(k, tally.status[k]) for k in STATUS_KINDS if tally.status[k]], "s-")
    codes = tally.warnings.most_common()
    warnings = _bars(codes[:TOP_CODES]) + _left_out(min(len(codes), TOP_CODES), len(codes), "warning codes")
    errors = _bars(tally.errors.most_common())
    examples = "".join(f"<li><code>{esc(i)}</code> {esc(t)}: {esc(m)}</li>" for i, t, m in tally.error_examples)
    missing = (
        f'<p class="note">Some lines lack record fields ({esc(", ".join(sorted(tally.missing)))}), written with '
        "--fields: what they leave out is not counted.</p>"
        if tally.missing
        else ""
    )
    page_html, next_pair = _detail_html(pages, 0)
    group_html, _ = _detail_html(groups, next_pair)
    return _PAGE.format(
        title=esc(f"rectify-parse report: {path.name}"),
        css=_CSS,
        js=_JS,
        source=esc(path.name),
        totals=totals,
        missing=missing,
        status=status,
        publishers=_publisher_table(tally),
        warnings=warnings,
        errors=errors + (f"<ul class='examples'>{examples}</ul>" if examples else ""),
        pages=page_html or '<p class="none">No page holds copies.</p>',
        pages_left=_left_out(len(pages), tally.with_copies, "pages with copies"),
        groups=group_html or '<p class="none">No near-duplicate groups (run the batch with --dedup).</p>',
        groups_left=_left_out(len(groups), len(tally.groups), "groups"),
        siblings=_siblings_table(tally),
    )


class ReportStats(NamedTuple):
    """What ``write_report`` wrote."""

    notices: int
    pages_shown: int
    pages_with_copies: int
    groups_shown: int
    groups: int
    size: int


def write_report(path: str | Path, out: str | Path, *, top: int = TOP, members: int = MEMBERS) -> ReportStats:
    """Read the output file ``path`` and write the report page to ``out``. Raises :class:`ConfigError`
    for an unreadable input or bad caps, :class:`InputRecordError` for a line that is not an output line."""
    if top < 0 or members < 1:
        raise ConfigError(f"--top must be 0 or more and --members 1 or more (got {top} and {members})")
    source = Path(path)
    tally = Tally(top=top)
    for line in iter_output(source):
        tally.add(line.obj, line.lineno, line.offset)
    with open_output(source) as handle:
        pages = _page_details(handle, source, tally)
        groups = _group_details(handle, source, tally, members)
    page = render(source, tally, pages, groups).encode("utf-8")
    target = Path(out)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_bytes(page)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {target}: {exc.strerror or exc}") from None
    return ReportStats(tally.lines, len(pages), tally.with_copies, len(groups), len(tally.groups), len(page))


_CSS = """
:root{--fg:#1d232b;--muted:#5b6672;--line:#d8dde3;--bg:#f6f7f9;--word:#ffd24d;--word-b:#b07d00;
--punct:#cfe3ff;--space:#e4e4e4;--ok:#2e8b57;--prog:#d99a00;--todo:#c0392b;--unk:#8a94a0}
*{box-sizing:border-box}
body{margin:0;font:15px/1.55 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:var(--fg);
background:var(--bg)}
header,main{max-width:1400px;margin:0 auto;padding:0 20px}
header{padding-top:18px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
.sub{color:var(--muted);margin:0}
.totals{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:10px;margin:14px 0}
.total{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.total b{display:block;font-size:22px}.total span{color:var(--muted);font-size:13px}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:20px}
table{border-collapse:collapse;background:#fff}
th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;overflow-wrap:anywhere}
.scroll{max-width:100%;overflow-x:auto}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;overflow-wrap:normal}
.bars{width:100%}.bars th{font-weight:normal;white-space:nowrap}.bars .bar{width:60%}
.bar span{display:block;height:12px;background:#6b8fb3;border-radius:2px;min-width:1px}
.bar .s-completed{background:var(--ok)}.bar .s-in_progress{background:var(--prog)}
.bar .s-not_started{background:var(--todo)}.bar .s-unknown{background:var(--unk)}
.grid{width:100%}.from{color:var(--muted);font-size:13px;overflow-wrap:normal}.note{color:var(--muted);font-size:13px}.none{color:var(--muted)}
.tools{display:flex;gap:16px;align-items:center;flex-wrap:wrap;margin:8px 0}
.tools input[type=search]{padding:4px 8px;width:260px;max-width:100%}
.detail{background:#fff;border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:6px 10px}
.detail summary{cursor:pointer}.detail .meta{color:var(--muted);font-size:13px}
.pair{margin:10px 0 16px}
.panes{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.pane{min-width:0;border:1px solid var(--line);border-radius:4px}
.label{background:var(--bg);padding:3px 8px;font-size:13px;color:var(--muted);overflow-wrap:anywhere}
pre.text{margin:0;padding:8px;max-height:60vh;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere;font:inherit}
mark.v{border-radius:2px;padding:0 1px}
mark.v-wording{background:var(--word);outline:1px solid var(--word-b);font-weight:600}
mark.v-punctuation{background:var(--punct)}mark.v-whitespace{background:var(--space)}
mark.gap::before{content:"\\2038";color:var(--word-b)}
body.quiet mark.v-punctuation,body.quiet mark.v-whitespace{background:none;outline:none}
mark.v.flash{box-shadow:0 0 0 3px #ff7a00}
table.variants{margin-top:6px;font-size:13px}
.cut{color:var(--muted);font-style:italic}
.examples{font-size:13px}
@media (max-width:760px){.panes{grid-template-columns:1fr}}
"""

# Kept tiny: filter the detail lists, hide punctuation and whitespace marks, and scroll both panes of a
# pair to a variant chosen in its table.
_JS = """
(function(){
  var q=document.getElementById('filter');
  q.addEventListener('input',function(){
    var s=q.value.trim().toLowerCase();
    document.querySelectorAll('details.detail').forEach(function(d){
      d.hidden=s!==''&&d.getAttribute('data-search').indexOf(s)<0;});
  });
  document.getElementById('quiet').addEventListener('change',function(e){
    document.body.classList.toggle('quiet',e.target.checked);});
  document.addEventListener('click',function(e){
    var a=e.target.closest('a.jump'); if(!a) return; e.preventDefault();
    ['a','b'].forEach(function(side){
      var m=document.getElementById('p'+a.dataset.pair+side+a.dataset.v); if(!m) return;
      var pane=m.closest('pre'); pane.scrollTop=m.offsetTop-pane.offsetTop-pane.clientHeight/2;
      m.classList.add('flash'); setTimeout(function(){m.classList.remove('flash');},1200);});
  });
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title}</title><style>{css}</style></head>
<body>
<header><h1>rectify-parse report</h1><p class="sub">{source}</p></header>
<main>
<section id="totals"><div class="totals">{totals}</div>{missing}</section>
<div class="cols">
<section id="status"><h2>Problems by status kind</h2>{status}</section>
<section id="warnings"><h2>Warnings by code</h2>{warnings}</section>
<section id="errors"><h2>Errors by type</h2>{errors}</section>
</div>
<section id="by-publisher"><h2>Problems by publisher</h2>{publishers}</section>
<div class="tools"><label>Filter pages and groups <input type="search" id="filter" placeholder="title or id"></label>
<label><input type="checkbox" id="quiet"> hide punctuation and whitespace differences</label>
<span class="note">Highlighted: <mark class="v v-wording">wording</mark>
<mark class="v v-punctuation">punctuation</mark> <mark class="v v-whitespace">whitespace</mark></span></div>
<section id="copies"><h2>Pages with copies</h2>
<p class="note">Most wording variants first; the canonical copy on the left, the other copy on the right.</p>
{pages}{pages_left}</section>
<section id="groups"><h2>Near-duplicate groups</h2>
<p class="note">Largest groups first; the representative on the left, each member on the right.</p>
{groups}{groups_left}</section>
<section id="siblings"><h2>Template siblings</h2>
<p class="note">Notices as alike as a copy to a group's representative but another document: their document
number, title, signature or date disagree (another county's or year's notice from one template). They are kept
out of that group, not copies of it.</p>
{siblings}</section>
</main>
<script>{js}</script>
</body></html>
"""
