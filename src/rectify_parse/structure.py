"""Structure of one body copy: title, addressee, heading tree, problems, attachments, sign-off.

The input is the list of content lines of the canonical copy (view offsets, stripped, chrome and header
already removed). Every value is read from the view for matching and sliced from the source for the
record, through the view's offset map.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import regex

from .markers import MAX_INLINE_HEADING, LineMarkers, is_title, match_marker
from .normalize import View
from .patterns import (
    ATTACHMENT_HEAD,
    ATTACHMENT_ITEM,
    CLOSING_FORMULA,
    CONTACT_LABELS,
    CONTACT_LINE,
    CONTACT_PHONE,
    DATE_LINE,
    DECIMAL_EVIDENCE,
    DECLARED_ASPECTS_PROBLEMS,
    DECLARED_PROBLEMS,
    DECLARED_STATUS,
    ENUM_ITEM,
    MEASURE_LABELS,
    PROBLEM_LABEL,
    PROBLEM_PREFIX,
    PUBLIC_NOTE,
    STATUS_LABELS,
    STATUS_SENTENCE,
    STATUS_VOCAB,
    cn_to_int,
    parse_date,
)
from .records import Closing, Problem, Section, Span, StatusKind, Warning

Line = tuple[int, int]  # view offsets of a stripped, non-empty line
# 一是 run onto a heading, not the 一 of 统一 / 唯一 / 同一 / 第一 / 单一 / 逐一 / 之一.
_HEADING_THEN_ENUM = regex.compile(r"(?<=\p{Han})(?<![统唯同第单逐之专万])一是(?=[^\n]{2,300}?二是)")

_OPEN = '“‘"《「『(（[【〔'
_CLOSE = '”’"》」』)）]】〕'
_TRAILING_PUNCT = "。;；,，、:： \t\n"
_ENUM_BOUNDARY = "。;；,，、:：!！?？ \t\n"
_MAX_ADDRESSEE = 60
_MAX_SIGNATURE = 40


@dataclass(slots=True)
class _Node:
    level: int
    rank: int
    family: str
    number: int
    marker: Line
    heading: Line
    text_start: int
    end: int
    children: list[_Node] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BodyResult:
    title: str | None
    title_span: Span | None
    addressee: str | None
    addressee_span: Span | None
    sections: list[Section]
    problems: list[Problem]
    attachments: list[str]
    attachment_spans: list[Span]
    closing: Closing
    warnings: list[Warning]


class _Reader:
    """Holds the source, the view and its map, so helpers can turn view ranges into record text."""

    def __init__(self, view: View, source: str) -> None:
        self.text = view.text
        # The view's own methods, bound once: helpers call them for every value they read.
        self.span: Callable[[int, int], Span] = view.span
        self.raw: Callable[[int, int], str] = functools.partial(view.raw, source)

    def trim(self, start: int, end: int, chars: str = " \t\r\n") -> Line:
        text = self.text
        while start < end and text[start] in chars:
            start += 1
        while end > start and text[end - 1] in chars:
            end -= 1
        return start, end


_SPACE_NOT_NEWLINE = re.compile(r"[^\S\n]+")


def lines_without_spaces(joined: str) -> list[str]:
    """Each line of ``joined`` without its whitespace."""
    lines = joined.split("\n")
    # Most pages hold no space inside a line (split() then drops only the newlines): no substitution,
    # which tries its class at every character of the page.
    if sum(map(len, joined.split())) == len(joined) - len(lines) + 1:
        return lines
    return _SPACE_NOT_NEWLINE.sub("", joined).split("\n")


_DECIMAL_HINT = re.compile(r"\d\.\d")
_SENTENCE_EVENT = re.compile("[。!?！？\n" + re.escape(_OPEN + _CLOSE) + "]")


def first_sentence_end(text: str, start: int, end: int) -> int:
    """Offset of the first 。!?！？ in ``text[start:end]`` outside quotes and brackets, or -1."""
    depth = 0
    pos = start
    # Only stops, newlines and brackets change anything: jump between them with a C-level search.
    while (m := _SENTENCE_EVENT.search(text, pos, end)) is not None:
        ch, i = m.group(), m.start()
        if ch in _OPEN and not (ch == '"' and depth):
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        elif depth == 0 and ch in "。!?！？":
            return i
        elif ch == "\n":
            return -1
        pos = i + 1
    return -1


# An intro sentence ending in a colon (现将有关情况报告如下：) is not an addressee.
_NOT_ADDRESSEE = regex.compile(r"如下|现将|根据|按照|为了|关于|《")


def _is_addressee(text: str) -> bool:
    stripped = text.strip()
    return (
        2 <= len(stripped) <= _MAX_ADDRESSEE
        and _NOT_ADDRESSEE.search(stripped) is None
        and stripped[-1] == ":"
        and "。" not in stripped
        and PROBLEM_LABEL.match(stripped) is None  # stripped: a label at 0 starts the text
        and ATTACHMENT_HEAD.match(stripped) is None
        and match_marker(stripped, 0, len(stripped)) is None
    )


_FIELD_BOUNDARY = "\n。;；!！?？"


def problem_fields(chunk: str) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` of the labelled fields of ``chunk`` (整改情况：…): labels found by a plain scan,
    kept when they start the chunk or a line or follow a sentence end, up to 8 spaces or tabs before
    (``start`` takes those in)."""
    out: list[tuple[int, int, str]] = []
    for m in PROBLEM_LABEL.finditer(chunk):
        k = s = m.start()
        while k > 0 and s - k < 8 and chunk[k - 1] in " \t":
            k -= 1
        if k == 0 or chunk[k - 1] in _FIELD_BOUNDARY:
            out.append((k, m.end(), m[1]))
    return out


# Statuses are a small vocabulary (已完成, 正在整改, 长期坚持 …) repeated over a corpus: remember their kinds.
@functools.lru_cache(maxsize=4096)
def classify_status(status: str) -> StatusKind | None:
    for pattern, kind in STATUS_VOCAB:
        if pattern.search(status):
            return kind  # type: ignore[return-value]
    return None


class BodyParser:
    def __init__(
        self,
        view: View,
        source: str,
        lines: Sequence[Line],
        *,
        header_title: str | None,
        header_title_span: Span | None,
        markers: LineMarkers | None = None,
    ) -> None:
        self.r = _Reader(view, source)
        self.markers = LineMarkers(view.text) if markers is None else markers
        self.lines = list(lines)
        self.header_title = header_title
        self.header_title_span = header_title_span
        self.reserved: set[int] = set()
        self.warnings: list[Warning] = []
        # 1 / 1.1 decimal numbering counts only in documents that show it on several lines.
        evidence = 0
        if _DECIMAL_HINT.search(view.text) is not None:  # no "1.1" anywhere: no line starts with one
            evidence = sum(
                1 for s, e in self.lines[:400] if view.text[s].isdigit() and DECIMAL_EVIDENCE.match(view.text, s, e)
            )
        self.decimal = evidence >= 2

    # -- preamble -------------------------------------------------------------------------------------
    def _title(self) -> tuple[str | None, Span | None]:
        """The header's 标题, else a title line at the top (and a caption repeating it is skipped)."""
        text = self.r.text
        title: str | None = self.header_title
        title_span = self.header_title_span
        if self.lines and is_title(text[self.lines[0][0] : self.lines[0][1]]):
            start, end = self.lines[0]
            if title is None:
                title, title_span = self.r.raw(start, end), self.r.span(start, end)
            self.reserved.add(0)
            # A caption repeating the title (often in brackets or after a dash) is not body text.
            if len(self.lines) > 1:
                cap = text[self.lines[1][0] : self.lines[1][1]].strip("-—()[]【】 ")
                if cap and cap == text[start:end].strip("-—()[]【】 "):
                    self.reserved.add(1)
        return title, title_span

    def _addressee(self) -> tuple[str | None, Span | None]:
        """The 主送 line: the first line after the title (and a table of contents) ending in a colon."""
        text = self.r.text
        i = next((k for k in range(len(self.lines)) if k not in self.reserved), len(self.lines))
        if i < len(self.lines) and _is_addressee(text[self.lines[i][0] : self.lines[i][1]]):
            start, end = self.r.trim(self.lines[i][0], self.lines[i][1] - 1)
            self.reserved.add(i)
            return self.r.raw(start, end), self.r.span(start, end)
        return None, None

    # -- attachments ----------------------------------------------------------------------------------
    def _attachments(self) -> tuple[list[str], list[Span]]:
        text = self.r.text
        items: list[str] = []
        spans: list[Span] = []
        i = 0 if "附" in text else len(self.lines)  # every attachment head starts with 附
        while i < len(self.lines):
            start, end = self.lines[i]
            head = ATTACHMENT_HEAD.match(text, start, end)
            if head is None:
                i += 1
                continue
            self.reserved.add(i)
            rest = head.end()
            numbered = ATTACHMENT_ITEM.match(text, rest, end)
            if head["n"] is not None:
                self._add_item(rest, end, items, spans)  # 附件1：… one line per attachment
                i += 1
                continue
            if rest < end:
                self._add_item(numbered.end() if numbered else rest, end, items, spans)
            if rest < end and numbered is None:
                i += 1
                continue
            j = i + 1
            while j < len(self.lines):
                s, e = self.lines[j]
                item = ATTACHMENT_ITEM.match(text, s, e)
                if item is None:
                    break
                self.reserved.add(j)
                self._add_item(item.end(), e, items, spans)
                j += 1
            i = j
        return items, spans

    def _add_item(self, start: int, end: int, items: list[str], spans: list[Span]) -> None:
        start, end = self.r.trim(start, end, _TRAILING_PUNCT)
        if start < end:
            items.append(self.r.raw(start, end))
            spans.append(self.r.span(start, end))

    # -- sign-off -------------------------------------------------------------------------------------
    def _closing(self) -> Closing:
        text = self.r.text
        spans: dict[str, Span] = {}
        signature = date = phone = None
        # Every contact label holds 电话 or 联系方式: a page without them needs no per-line search.
        has_contact = "电话" in text or "联系方式" in text
        for i in range(len(self.lines) - 1 if has_contact else -1, -1, -1):
            start, end = self.lines[i]
            m = CONTACT_PHONE.search(text, start, end)
            if m is not None:
                s, e = m.span("phone")
                phone, spans["contact_phone"] = self.r.raw(s, e), self.r.span(s, e)
                break
        lo = max(0, len(self.lines) - 8)
        # Contact lines and closing formulas (特此通报。) belong to the sign-off, not to the last section. Each
        # needs its label or 特此: a last stretch without them needs no per-line matching.
        tail = text[self.lines[lo][0] : self.lines[-1][1]] if self.lines else ""
        if "特此" in tail or any(label in tail for label in CONTACT_LABELS):
            for i in range(lo, len(self.lines)):
                start, end = self.lines[i]
                if CONTACT_LINE.match(text, start, end) or CLOSING_FORMULA.fullmatch(text, start, end):
                    self.reserved.add(i)
        for i in range(len(self.lines) - 1, lo - 1, -1):
            start, end = self.lines[i]
            if PUBLIC_NOTE.fullmatch(text, start, end):
                self.reserved.add(i)
                continue
            if i in self.reserved:
                continue
            m = DATE_LINE.search(text, start, end)
            if m is None:
                continue
            prefix_end = m.start()
            while prefix_end > start and text[prefix_end - 1] in " \t":
                prefix_end -= 1
            iso, _ = parse_date(text[m.start() : end])
            if prefix_end > start and (prefix_end - start > _MAX_SIGNATURE or text[prefix_end - 1] in "。;；,，:："):
                continue  # a sentence ending in a date, not a sign-off
            ds, de = self.r.trim(m.start(), end)
            if iso is None:
                self.warnings.append(
                    Warning("bad_date", f"sign-off date {self.r.raw(ds, de)!r} is not a real date", self.r.span(ds, de))
                )
            else:
                date, spans["date"] = iso, self.r.span(ds, de)
            self.reserved.add(i)
            if prefix_end > start:
                signature, spans["signature"] = self.r.raw(start, prefix_end), self.r.span(start, prefix_end)
            elif i > 0 and i - 1 not in self.reserved:
                s, e = self.lines[i - 1]
                candidate = text[s:e]
                if (
                    len(candidate) <= _MAX_SIGNATURE
                    and candidate[-1] not in "。;；,，:：!！"
                    and self.markers.at(s, e) is None
                    and CONTACT_PHONE.search(candidate) is None
                ):
                    signature, spans["signature"] = self.r.raw(s, e), self.r.span(s, e)
                    self.reserved.add(i - 1)
            break
        return Closing(signature=signature, date=date, contact_phone=phone, spans=spans)

    # -- table of contents ----------------------------------------------------------------------------
    def _table_of_contents(self) -> None:
        """Reserve a table of contents: headings listed (after 目录, or bare) that the body then repeats."""
        text = self.r.text
        # Each line without its spaces, from the lines joined in one string (lines hold no "\n").
        if not self.lines:
            return
        keys = lines_without_spaces("\n".join(text[s:e] for s, e in self.lines))
        later = {key: j for j, key in enumerate(keys)}  # last occurrence
        for i, key in enumerate(keys[:20]):
            if i in self.reserved:
                continue
            labelled = key in ("目录", "目次")
            if not labelled and self.markers.at(*self.lines[i]) is None:
                continue
            j = i + 1 if labelled else i
            while (
                j < len(keys)
                and later[keys[j]] > j
                and (
                    self.markers.at(*self.lines[j]) is not None
                    or (labelled and len(keys[j]) <= 40 and "。" not in keys[j])
                )
            ):
                j += 1
            if j - i >= 2 + labelled:
                self.reserved.update(range(i, j))
            return

    # -- heading tree ---------------------------------------------------------------------------------
    def _tree(self) -> list[_Node]:
        text = self.r.text
        roots: list[_Node] = []
        stack: list[_Node] = []
        last_end = 0
        for i, (start, end) in enumerate(self.lines):
            if i in self.reserved:
                continue
            found = self.markers.at(start, end, decimal=self.decimal)
            if found is not None:
                hs = found.end
                while hs < end and text[hs] in " \t":
                    hs += 1
                stop = first_sentence_end(text, hs, end)
                window = min(end, hs + MAX_INLINE_HEADING)
                # The pattern needs 一是 in the window: a plain find rules out nearly every heading first.
                enum = _HEADING_THEN_ENUM.search(text, hs, window) if text.find("一是", hs, window) != -1 else None
                if enum is not None and (stop == -1 or enum.start() < stop):
                    # 三、下一步工作打算一是…二是…: a heading run into its enumeration (lost newlines).
                    heading = self.r.trim(hs, enum.start())
                    text_start = enum.start()
                elif stop == -1:
                    heading = self.r.trim(hs, end, " \t。;；,，:：")
                    text_start = end
                else:
                    heading = self.r.trim(hs, stop)
                    text_start = stop + 1
                node = _Node(
                    found.level, found.rank, found.family, found.number, (start, found.end), heading, text_start, end
                )
                while stack and stack[-1].rank >= found.rank:
                    stack.pop().end = last_end
                (stack[-1].children if stack else roots).append(node)
                stack.append(node)
            last_end = end
        # A node runs to the end of the last line read while it was open.
        for node in stack:
            node.end = last_end
        return roots

    def _number_warnings(self, roots: list[_Node]) -> None:
        last_seen: dict[str, int] = {}

        def visit(children: list[_Node]) -> None:
            previous: dict[str, int] = {}
            for node in children:
                prev = previous.get(node.family)
                found: tuple[str, str] | None = None
                if prev is None:
                    cont = last_seen.get(node.family)
                    if node.number != 1 and (cont is None or node.number != cont + 1):
                        more = f" or continue from {cont}" if cont else ""
                        found = ("numbering_gap", f"starts a list that should start at 1{more}")
                elif node.number > prev + 1:
                    found = ("numbering_gap", f"follows {prev}: numbers skipped")
                elif node.number <= prev:
                    found = ("numbering_repeat", f"follows {prev}: number repeated")
                if found is not None:  # the marker's text and span only for a warning: most nodes have none
                    code, what = found
                    self.warnings.append(Warning(code, f"{self.r.raw(*node.marker)} {what}", self.r.span(*node.marker)))
                previous[node.family] = node.number
                last_seen[node.family] = node.number
                visit(node.children)

        visit(roots)

    def _section(self, node: _Node) -> Section:
        own_end = node.children[0].marker[0] if node.children else node.end
        ts, te = self.r.trim(min(node.text_start, own_end), own_end)
        return Section(
            level=node.level,
            marker=self.r.raw(*node.marker),
            number=node.number,
            heading=self.r.raw(*node.heading),
            text=self.r.raw(ts, te),
            span=self.r.span(node.marker[0], node.end),
            heading_span=self.r.span(*node.heading),
            children=[self._section(child) for child in node.children],
        )

    # -- problems -------------------------------------------------------------------------------------
    def _problems(self, roots: list[_Node]) -> list[Problem]:
        out: list[Problem] = []

        def visit(nodes: list[_Node], parent: _Node | None) -> None:
            for node in nodes:
                before = len(out)
                visit(node.children, node)
                if len(out) > before:
                    continue  # an aspect holding problems is not itself a problem
                problem = self._problem(node, parent)
                if problem is not None:
                    out.append(problem)

        visit(roots, None)
        return out

    def _problem(self, node: _Node, parent: _Node | None) -> Problem | None:
        text = self.r.text
        start = node.marker[1]
        end = node.children[0].marker[0] if node.children else node.end
        chunk = text[start:end]
        fields_found = problem_fields(chunk)
        prefix = PROBLEM_PREFIX.match(chunk)
        if not fields_found and prefix is None and STATUS_SENTENCE.search(chunk) is None:
            return None  # a list item, not a problem: no labelled field, no 问题： prefix, no status sentence
        # Title: first sentence after an optional 问题： prefix, bounded by the line and the first label.
        ts = start + (prefix.end() if prefix else 0)
        first_label = start + fields_found[0][0] if fields_found else end
        line_end = text.find("\n", ts, end)
        bound = min(first_label, line_end if line_end != -1 else end)
        stop = first_sentence_end(text, ts, bound)
        title_end = stop if stop != -1 else bound
        title = self.r.trim(ts, title_end, " \t\r\n。")
        desc = self.r.trim(title_end + (1 if stop != -1 else 0), max(first_label, title_end), " \t\r\n")
        status: str | None = None
        status_span: Span | None = None
        measures: list[str] = []
        measure_spans: list[Span] = []
        fields_out: dict[str, str] = {}
        field_spans: dict[str, Span] = {}
        measures_taken = False
        for k, (_, label_end, label) in enumerate(fields_found):
            vs, ve = start + label_end, start + (fields_found[k + 1][0] if k + 1 < len(fields_found) else len(chunk))
            if label in STATUS_LABELS and status is None:
                vs, ve = self.r.trim(vs, ve, " \t\r\n。;；")
                status, status_span = self.r.raw(vs, ve), self.r.span(vs, ve)
            elif label in MEASURE_LABELS and not measures_taken:
                measures_taken = True
                for s, e in self._enumerate(vs, ve):
                    measures.append(self.r.raw(s, e))
                    measure_spans.append(self.r.span(s, e))
            elif label not in fields_out:
                vs, ve = self.r.trim(vs, ve, " \t\r\n。;；")
                fields_out[label] = self.r.raw(vs, ve)
                field_spans[label] = self.r.span(vs, ve)
        if status is None:
            sentence = STATUS_SENTENCE.search(chunk)
            if sentence is not None:
                vs, ve = start + sentence.start(), start + sentence.end()
                status, status_span = self.r.raw(vs, ve), self.r.span(vs, ve)
        kind = classify_status(status) if status else None
        if status is not None and kind is None:
            self.warnings.append(
                Warning(
                    "ambiguous_status",
                    f"problem {node.number}: status {status!r} does not say whether work started",
                    status_span,
                )
            )
        return Problem(
            number=node.number,
            aspect=self.r.raw(*parent.heading) if parent is not None else None,
            title=self.r.raw(*title),
            description=self.r.raw(*desc),
            status=status,
            status_kind=kind,
            measures=measures,
            fields=fields_out,
            span=self.r.span(node.marker[0], end),
            title_span=self.r.span(*title),
            status_span=status_span,
            measure_spans=measure_spans,
            field_spans=field_spans,
        )

    def _enumerate(self, start: int, end: int) -> list[Line]:
        """Split ``[start, end)`` into its 一是 / 二是 … items; one item when it is not enumerated."""
        text = self.r.text
        markers: list[tuple[int, int]] = []
        expected = 1
        kind: str | None = None
        for m in ENUM_ITEM.finditer(text, start, end):
            if m.start() > start and text[m.start() - 1] not in _ENUM_BOUNDARY:
                continue  # 统一是 / 唯一是: part of a word
            if cn_to_int(m["num"]) != expected or (kind is not None and m["kind"] != kind):
                continue
            kind = m["kind"]
            markers.append((m.start(), m.end()))
            expected += 1
        if len(markers) < 2:
            item = self.r.trim(start, end, _TRAILING_PUNCT)
            return [item] if item[0] < item[1] else []
        # Items without their 一是 markers; a lead-in before 一是 is an introduction, not a measure.
        items: list[Line] = []
        for k, (_, me) in enumerate(markers):
            ie = markers[k + 1][0] if k + 1 < len(markers) else end
            item = self.r.trim(me, ie, _TRAILING_PUNCT)
            if item[0] < item[1]:
                items.append(item)
        return items

    # -- declared counts ------------------------------------------------------------------------------
    def _check_counts(self, problems: list[Problem], roots: list[_Node]) -> None:
        """Compare totals stated in the intro (三个方面的8个问题, 已完成整改19个) with what was parsed."""
        if not self.lines:
            return
        text = self.r.text
        intro_start = self.lines[0][0]
        intro_end = roots[0].marker[0] if roots else self.lines[-1][1]
        intro = text[intro_start:intro_end]
        aspects = {p.aspect for p in problems}

        def warn(m: regex.Match[str], group: str, parsed: int, what: str) -> None:
            declared = cn_to_int(m[group])
            if declared is not None and declared != parsed:
                span = self.r.span(intro_start + m.start(), intro_start + m.end())
                self.warnings.append(
                    Warning(
                        "count_mismatch",
                        f"text declares {declared} {what} ({m.group()!r}) but {parsed} were parsed",
                        span,
                    )
                )

        m = DECLARED_ASPECTS_PROBLEMS.search(intro)
        if m is not None:
            warn(m, "problems", len(problems), "problems")
            if problems:
                warn(m, "aspects", len(aspects), "aspects")
        else:
            m = DECLARED_PROBLEMS.search(intro)
            if m is not None:
                warn(m, "problems", len(problems), "problems")
        if not problems:
            return
        # Several phrases may add up to one kind (正在整改2个、基本完成1个 are both in progress).
        declared: dict[StatusKind | None, tuple[int, int, int]] = {}
        for m in DECLARED_STATUS.finditer(intro):
            phrase, number = (m["phrase"], m["n"]) if m["phrase"] else (m["phrase2"], m["n2"])
            n = cn_to_int(number)
            if n is None:
                continue
            kind = classify_status(phrase)
            total, s, _ = declared.get(kind, (0, m.start(), m.end()))
            declared[kind] = (total + n, s, m.end())
        for kind, (total, s, e) in declared.items():
            parsed = sum(1 for p in problems if p.status_kind == kind)
            if total != parsed:
                self.warnings.append(
                    Warning(
                        "count_mismatch",
                        f"text declares {total} problems {kind or 'of unclear status'} "
                        f"({intro[s:e]!r}) but {parsed} were parsed",
                        self.r.span(intro_start + s, intro_start + e),
                    )
                )

    # -- driver ---------------------------------------------------------------------------------------
    def parse(self, *, rectification: bool) -> BodyResult:
        title, title_span = self._title()
        self._table_of_contents()
        addressee, addressee_span = self._addressee()
        attachments, attachment_spans = self._attachments()
        closing = self._closing()
        roots = self._tree()
        self._number_warnings(roots)
        sections = [self._section(node) for node in roots]
        problems = self._problems(roots) if rectification else []
        if rectification:
            self._check_counts(problems, roots)
        return BodyResult(
            title,
            title_span,
            addressee,
            addressee_span,
            sections,
            problems,
            attachments,
            attachment_spans,
            closing,
            self.warnings,
        )
