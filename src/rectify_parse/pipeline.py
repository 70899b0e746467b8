"""The single-notice pipeline, its stages in order:

    decode → matching view → lines → chrome → header → body lines → second documents
           → repeated copies (keep the first complete one, diff the others) → structure → record

Each stage is a function of what the earlier ones found; nothing is kept between calls, so the same
input always gives the same record whatever was parsed before.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from .chrome import Fragment, find_chrome
from .decode import decode
from .diff import variants as diff_variants
from .errors import InputTooLargeError, ParseError, RectifyError
from .header import find_header_lines, merge_header
from .layout import second_document_start, split_inline_headings
from .markers import LineMarkers
from .normalize import View, fold, hard_wrap_edits, make_view, split_lines, strip_span
from .page import analyse as analyse_page
from .page import strong_chrome
from .quality import GARBLED_BELOW, quality
from .records import (
    SCHEMA_VERSION,
    Boilerplate,
    Cleaning,
    Copy,
    Duplicates,
    Notice,
    Segment,
    SegmentKind,
    Span,
    Variant,
    Warning,
)
from .repeats import CopyCut, Repeats, find_repeats
from .structure import BodyParser

# Inputs above this many characters raise InputTooLargeError instead of being parsed.
MAX_CHARS = 20_000_000

_RECTIFICATION = regex.compile(r"整改|问题清单|查出问题|反馈问题|存在问题|巡察|巡视|督查|督察|审计|检视|查摆|隐患|销号")
_INTRO_LINES = 6
# A notice that issues the document after it: 关于印发《…办法》的通知, 转发…的通知.
_ISSUES = regex.compile(r"印发|转发|发布|颁布|公布")

Line = tuple[int, int]


def parse(raw: bytes | bytearray | memoryview | str, *, max_chars: int = MAX_CHARS) -> Notice:
    """Parse one scraped notice (text, or bytes in UTF-8 / UTF-8 with BOM / GBK / GB18030).

    Raises :class:`~rectify_parse.errors.DecodeError` for bytes that are not text and
    :class:`~rectify_parse.errors.InputTooLargeError` above ``max_chars`` characters; everything else
    that is odd about the input becomes a warning on the record.
    """
    source, encoding = decode(raw)
    if len(source) > max_chars:
        raise InputTooLargeError(f"input has {len(source)} characters; the limit is {max_chars} (max_chars=)")
    try:
        return _parse(source, encoding)
    except RectifyError:
        raise
    except Exception as exc:  # pragma: no cover - only reached through a bug
        raise ParseError(f"internal error while parsing ({type(exc).__name__}: {exc})") from exc


@dataclass(frozen=True, slots=True)
class _Body:
    """Content lines of the page (view offsets, stripped) and what sat around them."""

    lines: list[Line]
    after_download: list[bool]
    boilerplate: list[Boilerplate]


def _content_lines(
    view: View,
    source: str,
    lines: list[Line],
    chrome: dict[int, str],
    fragments: dict[int, list[Fragment]],
    header_lines: frozenset[int],
    header_rests: dict[int, int],
) -> _Body:
    text = view.text
    out: list[Line] = []
    after_download: list[bool] = []
    boilerplate: list[Boilerplate] = []
    download_pending = False
    for i, (start, end) in enumerate(lines):
        if i in chrome:
            s, e = strip_span(text, start, end)
            span = view.span(s, e)
            boilerplate.append(Boilerplate(source[span[0] : span[1]], span, chrome[i]))
            download_pending = download_pending or chrome[i] == "download"
            continue
        for fragment in fragments.get(i, []):
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
        if s == e or text[s].isspace() or text[e - 1].isspace():  # most lines have no space at either end
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
    """What was dropped from values: the view's edits, and the line break inside a wrapped title."""
    out = [Cleaning(source[e.start : e.end], (e.start, e.end), e.rule, e.replacement) for e in view.edits]
    for brk in title_breaks:
        s, e = view.span(*brk)
        out.append(Cleaning(source[s:e], (s, e), "hard_wrap", ""))
    return sorted(out, key=lambda c: c.span)


def _is_rectification(view: View, lines: list[Line], title: str | None) -> bool:
    intro = " ".join(view.text[s:e] for s, e in lines[:_INTRO_LINES])
    return _RECTIFICATION.search(intro + (title or "")) is not None


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
    result = parser.parse(rectification=_is_rectification(view, lines, None))
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


def _parse(source: str, encoding: str) -> Notice:
    folded = fold(source)
    folded_lines = split_lines(folded)
    wraps = hard_wrap_edits(folded, folded_lines)
    view = make_view(source, wraps, folded=folded)
    text = view.text
    lines = folded_lines if text is folded else split_lines(text)  # no edits: the view is the folded text
    chrome, fragments = find_chrome(text, lines)
    # Spam and page counters are never header lines, and must not end the header's zone at the top.
    header_found, header_rests = find_header_lines(view, lines, frozenset(chrome), is_chrome=strong_chrome)
    header = merge_header(view, source, header_found)
    markers = LineMarkers(text)
    readable = quality(source)
    page = analyse_page(text, lines, chrome, header.lines, markers, header.header.title, readable < GARBLED_BELOW)
    chrome.update(page.chrome)
    body = _content_lines(view, source, lines, chrome, fragments, header.lines, header_rests)
    warnings: list[Warning] = list(header.warnings)

    # Further documents on the page (an issued plan, a second notice) are parsed on their own, below.
    lines_ = split_inline_headings(text, body.lines, markers)
    after_download = body.after_download if len(lines_) == len(body.lines) else _spread(body, lines_)
    starts = _document_starts(text, lines_, after_download)
    documents = [lines_[a:b] for a, b in itertools.pairwise([*starts, len(lines_)])]
    lines_ = lines_[: starts[0]] if starts else lines_

    repeats = find_repeats([text[s:e] for s, e in lines_])
    duplicates, canonical = _duplicates(view, source, lines_, repeats)
    canon = _canonical_lines(lines_, repeats, canonical)

    if not canon:
        warnings.append(Warning("no_body", "no body text left after removing header and site chrome", None))
    if readable < GARBLED_BELOW:
        warnings.append(
            Warning(
                "garbled_text",
                f"the text looks garbled (quality {readable}): decoded with the wrong codec, replacement "
                "characters, or Chinese turned into '?'; values extracted from it are unreliable",
                None,
            )
        )
    parser = BodyParser(
        view,
        source,
        canon,
        header_title=header.header.title,
        header_title_span=header.header.spans.get("title"),
        page_title=page.title,
        page_title_breaks=page.title_breaks,
        markers=markers,
    )
    result = parser.parse(rectification=bool(canon) and _is_rectification(view, canon, header.header.title))
    page_title_span = view.span(*page.title) if page.title is not None else None
    warnings.extend(result.warnings)
    segments: list[Segment] = []
    for document in documents:
        segment, found = _segment(view, source, document, markers, result.title or "")
        segments.append(segment)
        warnings.extend(found)
    warnings.sort(key=lambda w: (w.span or (-1, -1), w.code))
    boilerplate = sorted([*body.boilerplate, *header.boilerplate], key=lambda b: b.span)
    return Notice(
        schema_version=SCHEMA_VERSION,
        encoding=encoding,
        quality=readable,
        header=header.header,
        title=result.title,
        title_span=result.title_span,
        addressee=result.addressee,
        addressee_span=result.addressee_span,
        sections=result.sections,
        problems=result.problems,
        attachments=result.attachments,
        attachment_spans=result.attachment_spans,
        closing=result.closing,
        boilerplate=boilerplate,
        cleaned=_cleaned(view, source, page.title_breaks if result.title_span == page_title_span else ()),
        duplicates=duplicates,
        segments=segments,
        text="\n".join(_raw(view, source, line) for line in canon),
        body_span=_span_of(view, canon) if canon else None,
        warnings=warnings,
    )
