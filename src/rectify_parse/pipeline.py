"""The single-notice pipeline: named stages (``STAGES``) run in order over one page state.

    view → chrome (named rules) → header → page (chrome in context, title) → body lines
         → documents (further documents cut off) → copies (keep the first complete one, diff the others)
         → structure → segments (every further document parsed like the first) → record

The view stage builds the line table (``lines.py``): every line of the view with its features, computed
once. The chrome, header and page stages read it and write their decisions into it; the body stage takes
the lines the table leaves to the document. Each stage is a function of what the earlier ones found;
nothing is kept between calls, so the same input always gives the same record whatever was parsed before.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from .chrome import find_chrome
from .decode import MAX_CHARS, Input
from .diff import variants as diff_variants
from .errors import ParseError, RectifyError
from .header import (
    HeaderResult,
    find_header_lines,
    header_from_line,
    header_from_meta,
    lacking_row_fields,
    merge_header,
)
from .html import read_source
from .layout import second_document_start, split_inline_headings
from .linemodel import learned_lines, learned_title, line_roles
from .lines import LineRow, LineTable
from .markers import LineMarkers
from .normalize import View, fold, hard_wrap_edits, make_view, split_lines, strip_span
from .page import PageLayout
from .page import analyse as analyse_page
from .quality import GARBLED_BELOW, quality
from .records import (
    SCHEMA_VERSION,
    Boilerplate,
    Cleaning,
    Closing,
    Copy,
    Duplicates,
    Header,
    InputFormat,
    Notice,
    Segment,
    SegmentKind,
    Span,
    Variant,
    Warning,
)
from .repeats import CopyCut, Repeats, find_repeats
from .roles import UnitRow, model_version, problem_probabilities, using_line_model, weighed
from .structure import BodyParser, BodyResult, ProblemScope

# Words of rectification and inspection: an opening that names one is read for problems.
_INSPECTION_WORDS = "整改|整治|问题清单|巡察|巡视|督查|督察|审计|检视|查摆|自查|隐患|销号"
# Each alternative opens with a literal character, so the search scans for those characters alone (sre
# finds a first-character set only then): seven times faster on an opening that names none.
_RECTIFICATION = re.compile(
    "|".join(verb + r"(?:的|以下)?(?:主要|突出)?问题" for verb in ("发现", "发觉", "存在", "查出", "反馈", "指出"))
    + r"|存在[^,。]{1,10}问题|"
    + _INSPECTION_WORDS
)
_INTRO_LINES = 6
# A research report (调研组…开展调研, 调研报告): its 存在问题 are findings to advise on, not problems to rectify,
# unless its opening speaks of inspection or rectification. 调研 is the word only such reports use; 视察 and 考察
# also open ordinary notices (贯彻习近平总书记考察…时的重要讲话精神).
_RESEARCH = "调研"
_INSPECTED = re.compile(_INSPECTION_WORDS + "|检查")
# A notice that issues the document after it: 关于印发《…办法》的通知, 转发…的通知.
_ISSUES = re.compile(r"印发|转发|发布|颁布|公布")

Line = tuple[int, int]


def parse(raw: Input, *, max_chars: int = MAX_CHARS, format: str = "auto") -> Notice:
    """The parser behind :func:`rectify_parse.parse`, whose wrapper in api.py carries the documentation
    (a function compiled by mypyc keeps none)."""
    with _internal_errors_reported():
        return _record(_run_stages(raw, format, max_chars))


def explain_lines(raw: Input, *, max_chars: int = MAX_CHARS, format: str = "auto") -> list[LineRow]:
    """The work of :func:`rectify_parse.explain_lines` (documented in api.py)."""
    with _internal_errors_reported():
        p = _run_stages(raw, format, max_chars, last="page")  # the last stage that writes into the table
        # The model is explained on what it read: the table as the rules left it (a line it gave back to the
        # document still shows the rule that took it; a line it took shows no rule of its own).
        with using_line_model(None):
            ruled = _run_stages(raw, format, max_chars, last="page")
        learned = line_roles(ruled.table)
    out: list[LineRow] = []
    for row in p.table.rows():
        span = p.view.span(*row.span)
        row = row._replace(span=span, text=p.source[span[0] : span[1]])
        seen = learned.get(row.number)
        if seen is not None:
            row = row._replace(
                role=seen.role,
                probability=seen.probability,
                chrome_probability=seen.chrome,
                weighed=tuple(seen.weighed),
            )
        out.append(row)
    return out


def explain_units(raw: Input, *, max_chars: int = MAX_CHARS, format: str = "auto") -> list[UnitRow]:
    """The work of :func:`rectify_parse.explain_units` (documented in api.py)."""
    with _internal_errors_reported():
        p = _run_stages(raw, format, max_chars, last="structure", explain=True)
    units, xseq = p.result.units, p.result.unit_features
    probabilities = problem_probabilities(xseq)
    starts = {problem.title_span[0] for problem in p.result.problems}
    out: list[UnitRow] = []
    for k, (unit, features) in enumerate(zip(units, xseq, strict=True)):
        span = p.view.span(unit.start, unit.end)
        rule = next((x[len("rule=") :] for x in features if x.startswith("rule=")), None)
        taken = any(span[0] <= s < max(span[1], span[0] + 1) for s in starts)
        row = UnitRow(k, span, p.source[span[0] : span[1]], unit.family, rule, round(probabilities[k], 4), taken, [])
        out.append(row._replace(weighed=weighed(features)))
    return out


@dataclass(frozen=True, slots=True)
class _Body:
    """Content lines of the page (view offsets, stripped) and what sat around them."""

    lines: list[Line]
    after_download: list[bool]
    boilerplate: list[Boilerplate]


def _content_lines(view: View, source: str, table: LineTable) -> _Body:
    """The lines left when the table's chrome (whole lines and fragments) and header lines are gone."""
    lines, chrome, fragments, header_lines, header_rests = (
        table.spans,
        table.chrome,
        table.fragments,
        table.header,
        table.header_rests,
    )
    text = view.text
    out: list[Line] = []
    after_download: list[bool] = []
    boilerplate: list[Boilerplate] = []
    download_pending = False
    special = chrome.keys() | fragments.keys() | header_lines
    texts = table.texts
    for i, (start, end) in enumerate(lines):
        plain = i not in special  # most lines: no chrome, fragment or header to take off
        if not plain:
            if i in chrome:
                s, e = strip_span(text, start, end)
                span = view.span(s, e)
                boilerplate.append(Boilerplate(source[span[0] : span[1]], span, chrome[i]))
                download_pending = download_pending or chrome[i] == "download"
                continue
            for fragment in fragments.get(i, ()):
                s, e = strip_span(text, fragment.start, fragment.end)
                span = view.span(s, e)
                boilerplate.append(Boilerplate(source[span[0] : span[1]], span, fragment.rule))
                if fragment.start == start:
                    start = fragment.end
                else:
                    end = min(end, fragment.start)
            if i in header_lines:
                if i not in header_rests:
                    continue
                start = header_rests[i]
        s, e = start, end
        t = texts[i] if plain else text[s:e]
        if not t or t[0].isspace() or t[-1].isspace():  # most lines have no space at either end
            s, e = strip_span(text, start, end)
            if s == e:
                continue
        out.append((s, e))
        after_download.append(download_pending)
        download_pending = False
    return _Body(out, after_download, boilerplate)


def _spread(body: _Body, lines: list[Line]) -> list[bool]:
    """``after_download`` for lines split from the body's lines: only a piece that starts a line keeps it."""
    starts = {line[0]: flag for line, flag in zip(body.lines, body.after_download, strict=True)}
    return [starts.get(start, False) for start, _ in lines]


def _raw(view: View, source: str, line: Line) -> str:
    return view.raw(source, *line)


def _span_of(view: View, lines: list[Line]) -> Span:
    return (view.span(*lines[0])[0], view.span(*lines[-1])[1])


def _duplicates(view: View, source: str, lines: list[Line], found: Repeats) -> tuple[Duplicates, int]:
    """Copies as records, variants of every other copy against the canonical one, canonical index."""
    cuts = found.copies
    if not cuts:
        return Duplicates(), -1
    canonical = next((k for k, c in enumerate(cuts) if c.complete), 0)
    copies = [
        Copy(_span_of(view, lines[c.start : c.end]), c.complete, k == canonical, round(c.similarity, 4))
        for k, c in enumerate(cuts)
    ]
    canon_span = copies[canonical].span
    canon_text = source[canon_span[0] : canon_span[1]]
    found_variants: list[Variant] = []
    for k, (cut, copy) in enumerate(zip(cuts, copies, strict=True)):
        if k == canonical:
            continue
        a, a_end = canon_text, canon_span[1]
        if not cut.complete:
            # Compare a cut-off copy with the same stretch of the canonical one, not with all of it.
            last = cuts[canonical].start + (cut.end - cut.start) - 1
            a_end = view.span(*lines[min(last, cuts[canonical].end - 1)])[1]
            a = source[canon_span[0] : a_end]
        b = source[copy.span[0] : copy.span[1]]
        diffs = diff_variants(a, b, copy=k, a_offset=canon_span[0], b_offset=copy.span[0], truncated=not cut.complete)
        found_variants.extend(diffs)
    return Duplicates(copies, found_variants), canonical


def _canonical_lines(lines: list[Line], found: Repeats, canonical: int) -> list[Line]:
    if canonical < 0:
        return lines
    cut: CopyCut = found.copies[canonical]
    return lines[: found.prefix_end] + lines[cut.start : cut.end] + lines[found.tail_start :]


def _cleaned(view: View, source: str, title_breaks: Sequence[Line]) -> list[Cleaning]:
    """What was dropped from values: the view's edits, and the line break inside a wrapped title (which
    replaces an edit it covers: a tag that made that break, <p> between the title's pieces)."""
    breaks = [view.span(*brk) for brk in title_breaks]
    out = [
        Cleaning(source[e.start : e.end], (e.start, e.end), e.rule, e.replacement)
        for e in view.edits
        if not any(s <= e.start and e.end <= t for s, t in breaks)
    ]
    out += [Cleaning(source[s:e], (s, e), "hard_wrap", "") for s, e in breaks]
    return sorted(out, key=lambda c: c.span)


def _problem_scope(view: View, lines: list[Line], title: str | None) -> ProblemScope:
    """Whether the body is read for problems (see ``BodyParser.parse``), from its title and opening lines."""
    if not lines:
        return "other"
    intro = " ".join(view.text[s:e] for s, e in lines[:_INTRO_LINES]) + (title or "")
    if _RESEARCH in intro and _INSPECTED.search(intro) is None:
        return "research"
    return "rectification" if _RECTIFICATION.search(intro) is not None else "other"


def _document_starts(text: str, lines: list[Line], after_download: list[bool]) -> list[int]:
    """Where each further document on the page starts (line indices, in order)."""
    starts: list[int] = []
    offset = 0
    while (k := second_document_start(text, lines[offset:], after_download[offset:])) is not None:
        offset += k
        starts.append(offset)
    return starts


def _segment(
    view: View, source: str, lines: list[Line], markers: LineMarkers, notice_title: str
) -> tuple[Segment, list[Warning]]:
    """A further document parsed like the first one; ``issued`` when the notice issues it (印发 … 的通知)."""
    span = _span_of(view, lines)
    parser = BodyParser(view, source, lines, header_title=None, header_title_span=None, markers=markers)
    result = parser.parse(scope=_problem_scope(view, lines, None))
    kind: SegmentKind = "issued" if _ISSUES.search(notice_title) is not None else "second"
    first = _raw(view, source, lines[0])
    note = Warning(
        "second_document",
        f"a further document starts at {first!r} ({kind}); it is parsed in segments",
        span,
    )
    segment = Segment(
        span=span,
        title=result.title,
        kind=kind,
        title_span=result.title_span,
        sections=result.sections,
        problems=result.problems,
        attachments=result.attachments,
        attachment_spans=result.attachment_spans,
        closing=result.closing,
        text="\n".join(_raw(view, source, line) for line in lines),
    )
    return segment, [note, *result.warnings]


class _Page:
    """What the stages know of one page so far; each stage reads earlier fields and sets its own."""

    source: str
    encoding: str
    input_format: InputFormat
    view: View
    text: str  # the matching view's text
    table: LineTable  # every line of the view, with what each stage decided about it
    header: HeaderResult
    readable: float
    layout: PageLayout
    body: _Body
    content: list[Line]  # the first document's lines (inline headings split off)
    documents: list[list[Line]]  # further documents' lines
    duplicates: Duplicates
    canon: list[Line]  # the canonical copy's lines
    result: BodyResult
    segments: list[Segment]

    def __init__(
        self,
        source: str,
        encoding: str,
        input_format: InputFormat,
        head: str | None = None,
        meta: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.source = source
        self.encoding = encoding
        self.input_format = input_format
        self.head = head  # a page's first line came from its head: "ArticleTitle" (its <meta>) or "title"
        self.meta = meta  # a page's <meta> values that serve a field (html.head_meta)
        self.warnings: list[Warning] = []
        self.explain = False


def _stage_view(p: _Page) -> None:
    folded = fold(p.source)
    folded_lines = split_lines(folded)
    p.view = make_view(p.source, hard_wrap_edits(folded, folded_lines), folded=folded)
    p.text = p.view.text
    lines = folded_lines if p.text is folded else split_lines(p.text)  # no edits: the view is the folded text
    p.table = LineTable(p.text, lines)


def _stage_chrome(p: _Page) -> None:
    p.table.chrome, p.table.fragments = find_chrome(p.table)


def _stage_header(p: _Page) -> None:
    # Spam and page counters are never header lines, and must not end the header's zone at the top.
    found, p.table.header_rests = find_header_lines(p.view, p.table)
    p.header = merge_header(p.view, p.source, found)
    if p.meta:  # a saved page's <meta> tags: a date or source the page does not show
        p.header = header_from_meta(p.header, dict(p.meta))
    p.table.header = p.header.lines
    p.warnings.extend(p.header.warnings)


def _stage_page(p: _Page) -> None:
    p.readable = quality(p.source)
    garbled = p.readable < GARBLED_BELOW
    # Where the rules find no title, the line the line model takes for it (the lines between it and the body are
    # then the document's, not the top zone's).
    p.layout = analyse_page(p.table, p.header.header.title, garbled, title_at=learned_title)
    p.table.chrome.update(p.layout.chrome)
    p.table.title_lines = p.layout.title_lines
    # What the rules kept around the document that the line model takes for site chrome, what the rules' zones
    # took that it gives back to the document (linemodel.py), and, where the header rules read no publication
    # date or source, the lines it takes for the page's meta row: they give the header what it lacks. Not on a
    # garbled page: the model weighs a line's characters, and there they are noise (????, 鍏充簬).
    if garbled:
        return
    learned = learned_lines(p.table, header=bool(lacking_row_fields(p.header.header)))
    for i in learned.chrome:
        p.table.chrome[i] = "learned"
    for i in learned.document:
        del p.table.chrome[i]
    for i in learned.header:
        read = header_from_line(p.header.header, p.view, p.source, p.table.spans[i])
        if read is not None:
            p.header = replace(p.header, header=read[0])
            p.warnings.append(read[1])


def _stage_body(p: _Page) -> None:
    p.body = _content_lines(p.view, p.source, p.table)
    p.content = split_inline_headings(p.text, p.body.lines, p.table.markers)


def _stage_documents(p: _Page) -> None:
    # Further documents on the page (an issued plan, a second notice) are parsed on their own (segments).
    body = p.body
    after_download = body.after_download if len(p.content) == len(body.lines) else _spread(body, p.content)
    starts = _document_starts(p.text, p.content, after_download)
    p.documents = [p.content[a:b] for a, b in itertools.pairwise([*starts, len(p.content)])]
    if starts:
        p.content = p.content[: starts[0]]


def _stage_copies(p: _Page) -> None:
    repeats = find_repeats([p.text[s:e] for s, e in p.content])
    p.duplicates, canonical = _duplicates(p.view, p.source, p.content, repeats)
    p.canon = _canonical_lines(p.content, repeats, canonical)


def _stage_structure(p: _Page) -> None:
    if not p.canon:
        p.warnings.append(Warning("no_body", "no body text left after removing header and site chrome", None))
    if p.readable < GARBLED_BELOW:
        p.warnings.append(
            Warning(
                "garbled_text",
                f"the text looks garbled (quality {p.readable}): decoded with the wrong codec, replacement "
                "characters, or Chinese turned into '?'; values extracted from it are unreliable",
                None,
            )
        )
    header = p.header.header
    parser = BodyParser(
        p.view,
        p.source,
        p.canon,
        header_title=header.title,
        header_title_span=header.spans.get("title"),
        page_title=p.layout.title,
        page_title_breaks=p.layout.title_breaks,
        markers=p.table.markers,
        explain=p.explain,
    )
    p.result = parser.parse(scope=_problem_scope(p.view, p.canon, header.title))
    p.warnings.extend(p.result.warnings)
    title_span = p.result.title_span
    if p.head is not None and title_span is not None and title_span[1] <= _first_line_end(p.source):
        # The line a page's head gave (html.extract_page): the page shows no line of its own with the title.
        tag = '<meta name="ArticleTitle">' if p.head == "ArticleTitle" else "<title>"
        note = f"title read from the page's {tag}: no line of the page shows it"
        p.warnings.append(Warning("from_head", note, title_span))


def _first_line_end(text: str) -> int:
    end = text.find("\n")
    return len(text) if end == -1 else end


def _stage_segments(p: _Page) -> None:
    p.segments = []
    for document in p.documents:
        segment, found = _segment(p.view, p.source, document, p.table.markers, p.result.title or "")
        p.segments.append(segment)
        p.warnings.extend(found)


# The single-notice pipeline, in order (markdown-it-py's core rules are the model): each stage reads what
# the earlier ones set on the page state and sets its own.
STAGES: tuple[tuple[str, Callable[[_Page], None]], ...] = (
    ("view", _stage_view),
    ("chrome", _stage_chrome),
    ("header", _stage_header),
    ("page", _stage_page),
    ("body", _stage_body),
    ("documents", _stage_documents),
    ("copies", _stage_copies),
    ("structure", _stage_structure),
    ("segments", _stage_segments),
)


@contextlib.contextmanager
def _internal_errors_reported() -> Iterator[None]:
    """The library's own errors pass; anything else is a bug, raised as ParseError rather than a traceback
    from deep inside."""
    try:
        yield
    except RectifyError:
        raise
    except Exception as exc:  # pragma: no cover - only reached through a bug
        raise ParseError(f"internal error while parsing ({type(exc).__name__}: {exc})") from exc


def _run_stages(raw: Input, format: str, max_chars: int, last: str | None = None, explain: bool = False) -> _Page:
    """Read the input and run the stages on it, up to ``last`` (all by default); ``explain``: keep the body's
    units and their features even where the model has nothing to decide (explain_units, training)."""
    p = _Page(*read_source(raw, format, max_chars))
    p.explain = explain
    for name, stage in STAGES:
        stage(p)
        if name == last:
            break
    return p


def _signed(header: Header, closing: Closing | None, source: str, body: Span | None) -> Header:
    """The header, its 成文日期 taken from the sign-off when no field gives it: GB/T 9704 prints the date a
    document was written under its issuer's name, and the labelled pages name that date so. A signed date with
    no sentence of the body above it is a meta row the closing rules took (网站名 2021-09-05), not a sign-off. A
    成文日期 field the header could not read (a bad_date warning) is not replaced by a guess."""
    if "date_written" in header.raw or closing is None or closing.date is None or closing.signature is None:
        return header
    if body is None or source.find("。", body[0], min(s for s, _ in closing.spans.values())) == -1:
        return header
    span = closing.spans["date"]
    return replace(
        header,
        date_written=closing.date,
        raw={**header.raw, "date_written": source[span[0] : span[1]]},
        spans={**header.spans, "date_written": span},
    )


def _record(p: _Page) -> Notice:
    view, source, result, layout = p.view, p.source, p.result, p.layout
    title_breaks = layout.title_breaks
    if layout.title is None or result.title_span != view.span(*layout.title):
        title_breaks = ()  # the header's 标题 is the title: the wrapped line's break is not in a value
    body_span = _span_of(view, p.canon) if p.canon else None
    return Notice(
        schema_version=SCHEMA_VERSION,
        model=model_version(),
        encoding=p.encoding,
        input_format=p.input_format,
        quality=p.readable,
        header=_signed(p.header.header, result.closing, source, body_span),
        title=result.title,
        title_span=result.title_span,
        addressee=result.addressee,
        addressee_span=result.addressee_span,
        sections=result.sections,
        problems=result.problems,
        attachments=result.attachments,
        attachment_spans=result.attachment_spans,
        closing=result.closing,
        boilerplate=sorted([*p.body.boilerplate, *p.header.boilerplate], key=lambda b: b.span),
        cleaned=_cleaned(view, source, title_breaks),
        duplicates=p.duplicates,
        segments=p.segments,
        text="\n".join(_raw(view, source, line) for line in p.canon),
        body_span=body_span,
        warnings=sorted(p.warnings, key=lambda w: (w.span or (-1, -1), w.code)),
    )
