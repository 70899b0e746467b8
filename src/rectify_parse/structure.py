"""Structure of one body copy: title, addressee, heading tree, problems, attachments, sign-off.

The input is the list of content lines of the canonical copy (view offsets, stripped, chrome and header
already removed). Every value is read from the view for matching and sliced from the source for the
record, through the view's offset map.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

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
    DECIMAL_EVIDENCE,
    LABEL_COLON,
    PROBLEM_LABEL,
    PUBLIC_NOTE,
    date_line_search,
    parse_date,
)
from .problems import Found, ProblemFinder, check_counts, names_problems
from .records import Closing, Problem, Section, Span, Warning
from .roles import (
    Unit,
    beside,
    body_units,
    candidate_units,
    decide,
    free_units,
    problem_probabilities,
    rule_names,
    ruled_spans,
    sibling_windows,
    unit_features,
)
from .tree import TRAILING_PUNCT, Line, Node, Reader, first_sentence_end

# How a body is read for problems (see BodyParser.parse).
ProblemScope = Literal["rectification", "research", "other"]

# 一是 run onto a heading, not the 一 of 统一 / 唯一 / 同一 / 第一 / 单一 / 逐一 / 之一.
_HEADING_THEN_ENUM = regex.compile(r"(?<=\p{Han})(?<![统唯同第单逐之专万])一是(?=[^\n]{2,300}?二是)")

_MAX_ADDRESSEE = 60
_MAX_SIGNATURE = 40


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
    units: list[Unit]  # the body's units (roles.py) and their features: for training and explanation
    unit_features: list[list[str]]


_SPACE_NOT_NEWLINE = re.compile(r"[^\S\n]+")


def lines_without_spaces(joined: str) -> list[str]:
    """Each line of ``joined`` without its whitespace."""
    lines = joined.split("\n")
    # Most pages hold no space inside a line (split() then drops only the newlines): no substitution,
    # which tries its class at every character of the page.
    if sum(map(len, joined.split())) == len(joined) - len(lines) + 1:
        return lines
    # Spaces and tabs are nearly all of it: str.replace drops them at memory speed; the pattern takes the rest.
    joined = joined.replace(" ", "").replace("\t", "")
    if sum(map(len, joined.split())) == len(joined) - len(lines) + 1:
        return joined.split("\n")
    return _SPACE_NOT_NEWLINE.sub("", joined).split("\n")


# A digit, a dot, a digit; written to start with the dot, which the engine then finds by a plain scan.
_DECIMAL_HINT = re.compile(r"\.(?=\d)(?<=\d\.)")
# An intro sentence ending in a colon (现将有关情况报告如下：) is not an addressee.
_NOT_ADDRESSEE = re.compile(r"如下|现将|根据|按照|为了|关于|《")


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


def _upper(roots: list[Node]) -> list[Node]:
    """The top two levels of the heading tree."""
    return [*roots, *(child for node in roots for child in node.children)]


class BodyParser:
    def __init__(
        self,
        view: View,
        source: str,
        lines: Sequence[Line],
        *,
        header_title: str | None,
        header_title_span: Span | None,
        page_title: Line | None = None,
        page_title_breaks: Sequence[Line] = (),
        markers: LineMarkers | None = None,
        explain: bool = False,
    ) -> None:
        self.r = Reader(view, source)
        self.markers = LineMarkers(view.text) if markers is None else markers
        self.lines = list(lines)
        self.header_title = header_title
        self.header_title_span = header_title_span
        self.page_title = page_title
        self.page_title_breaks = page_title_breaks
        self.reserved: set[int] = set()
        self.warnings: list[Warning] = []
        # The body's units and their features (a rectification report's), kept for training and for explaining
        # the model's decisions; ``explain``: computed even where the model has nothing to decide.
        self.explain = explain
        self.units: list[Unit] = []
        self.unit_features: list[list[str]] = []
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
        if self.page_title is not None:
            # The page's title line (scored among the lines at its top): the body does not hold it.
            s, e = self.page_title
            self.reserved.update(k for k, (ls, le) in enumerate(self.lines[:40]) if ls < e and s < le)
            if title is None:
                # A wrapped title without its line break (listed in ``cleaned`` as a hard wrap).
                pieces = [s, *(p for brk in self.page_title_breaks for p in brk), e]
                title = "".join(self.r.raw(a, b) for a, b in zip(pieces[::2], pieces[1::2], strict=True))
                title_span = self.r.span(s, e)
            return title, title_span
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
        start, end = self.r.trim(start, end, TRAILING_PUNCT)
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
            dated = date_line_search(text, start, end)
            if dated is None:
                continue
            prefix_end = dated.start()
            while prefix_end > start and text[prefix_end - 1] in " \t":
                prefix_end -= 1
            iso, _ = parse_date(text[dated.start() : end])
            if prefix_end > start and (
                prefix_end - start > _MAX_SIGNATURE
                or text[prefix_end - 1] in "。;；,，:："
                or LABEL_COLON.search(text, start, prefix_end) is not None
            ):
                continue  # a sentence ending in a date, or a labelled date (公示时间：…至…), not a sign-off
            ds, de = self.r.trim(dated.start(), end)
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
    def _tree(self) -> list[Node]:
        text = self.r.text
        roots: list[Node] = []
        stack: list[Node] = []
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
                node = Node(
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

    def _number_warnings(self, roots: list[Node]) -> None:
        last_seen: dict[str, int] = {}

        def visit(children: list[Node]) -> None:
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

    def _section(self, node: Node) -> Section:
        own_end = node.own_end
        ts, te = self.r.trim(min(node.text_start, own_end), own_end)
        return Section(
            level=node.level,
            marker=self.r.raw(*node.marker),
            number=node.number,
            heading=self.r.raw(*node.heading),
            text=self.r.as_written(ts, te),
            span=self.r.span(node.marker[0], node.end),
            heading_span=self.r.span(*node.heading),
            children=[self._section(child) for child in node.children],
        )

    # -- driver ---------------------------------------------------------------------------------------
    def _beside(self, ruled: list[Found], finder: ProblemFinder, body_end: int) -> list[Found]:
        """The problems the model adds beside the rules' (``roles.sibling_windows``): it reads only windows of lines
        around items the rules' problems leave out that open as theirs do and state a shortcoming."""
        text = self.r.text
        added: list[Found] = []
        spans = ruled_spans(ruled)
        for lo, hi in sibling_windows(text, self.lines, self.markers, spans):
            units = candidate_units(text, body_units(text, self.lines[lo:hi], self.markers), ruled)
            free = free_units(units, spans, self.lines[hi - 1][1])
            xseq = unit_features(text, units, "rectification", rule_names(units, ruled))
            added += beside(units, problem_probabilities(xseq), free, finder, spans)
        return added

    def _problems(self, roots: list[Node], scope: ProblemScope) -> list[Problem]:
        """The problems: the rules', and the line-role model's (roles.py) where the rules found none or beside
        theirs. The rules look for problems in a report whose opening speaks of rectification or inspection, or
        that lists the problems found (二、存在的主要问题) whatever its intro says; the model reads only the
        former."""
        # The tree's nodes end before the closing's lines; so does the last of the problems.
        body_end = next((self.lines[k][1] for k in reversed(range(len(self.lines))) if k not in self.reserved), 0)
        finder = ProblemFinder(self.r, self.lines, self.warnings, self.markers, body_end, roots)
        ruled = scope == "rectification" or (
            scope == "other" and any(names_problems(self.r.text, node) for node in _upper(roots))
        )
        found = finder.candidates() if ruled else []
        # The model reads a rectification or inspection report: where the rules found no problem, every unit it
        # gives ADD or more is one; beside the rules' problems, a unit outside them it gives BESIDE or more, read
        # around the items that open as the rules' problems do (roles.sibling_windows; benchmarks/LEARNING.md).
        # In the other notices it reads nothing (leave-one-batch-out over 822 pages, 11 false problems against 5
        # true, at the cost of its features on every one). A research report's 存在问题 are findings to advise on,
        # not problems to rectify.
        if scope == "rectification":
            text = self.r.text
            if self.explain or not found:
                units = candidate_units(text, body_units(text, self.lines, self.markers), found)
                xseq = unit_features(text, units, scope, rule_names(units, found))
                self.units, self.unit_features = units, xseq  # for training and explain_units
            if not found:
                found = decide(units, problem_probabilities(xseq), finder, body_end)
            else:
                found = sorted([*found, *self._beside(found, finder, body_end)], key=lambda f: f.start)
        problems = finder.records(found)
        if ruled or problems:
            self.warnings.extend(check_counts(self.r, self.lines, problems, roots))
        return problems

    def parse(self, *, scope: ProblemScope) -> BodyResult:
        """Parse the body. ``scope`` says how to look for problems: ``rectification`` (a report whose opening
        speaks of rectification or inspection), ``other`` (only when a heading names the problems found:
        二、存在的主要问题) or ``research`` (a research report, whose 存在问题 are findings: none)."""
        title, title_span = self._title()
        self._table_of_contents()
        addressee, addressee_span = self._addressee()
        attachments, attachment_spans = self._attachments()
        closing = self._closing()
        roots = self._tree()
        self._number_warnings(roots)
        sections = [self._section(node) for node in roots]
        problems = self._problems(roots, scope)
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
            self.units,
            self.unit_features,
        )
