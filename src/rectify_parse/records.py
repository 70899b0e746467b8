"""Typed records: what a parse returns.

Every record is a frozen dataclass whose fields carry a ``doc`` in their metadata; the JSON Schema in
:mod:`rectify_parse.schema` is generated from these types, so the documentation and the schema cannot
drift apart. ``to_dict()`` gives plain JSON-compatible values (spans become two-item lists).

A *span* is ``(start, end)``: half-open character offsets into the decoded input, so
``source[start:end]`` is the text a value was read from. Values hold the raw text as written, read as one
line (a line break inside a value is dropped: ``normalize.one_line``); the normalised matching view is
never copied into a record.
"""

from __future__ import annotations

import sys
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Literal, TypeVar, Union

from .errors import ConfigError, InputRecordError

SCHEMA_VERSION = "1.3"  # 1.1: input_format (text or html); 1.2: model; 1.3: model names each model, chrome rule learned

Span = tuple[int, int]
StatusKind = Literal["completed", "in_progress", "not_started"]
VariantKind = Literal["wording", "punctuation", "whitespace"]
SegmentKind = Literal["issued", "second"]
InputFormat = Literal["text", "html"]


def doc(text: str, **kwargs: Any) -> Any:
    """A dataclass field with documentation attached (read by the schema generator)."""
    return field(metadata={"doc": text}, **kwargs)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    names = _FIELD_NAMES.get(cls)
    if names is None and is_dataclass(cls):
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def to_plain(value: Any) -> Any:
    """Convert records, tuples and containers to JSON-compatible builtins."""
    cls = type(value)
    if cls is str or cls is int or cls is float or cls is bool or value is None:
        return value
    names = _field_names(cls)
    if names is not None:
        return {name: to_plain(getattr(value, name)) for name in names}
    if cls is list or cls is tuple:
        return [to_plain(v) for v in value]
    if cls is dict:
        return {k: to_plain(v) for k, v in value.items()}
    return value


R = TypeVar("R", bound="_Record")


class _Record:
    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON-compatible values."""
        result: dict[str, Any] = to_plain(self)
        return result

    @classmethod
    def from_dict(cls: type[R], data: Any) -> R:
        """The record a :meth:`to_dict` dict (or its JSON, read back) describes: ``Notice.from_dict(line["record"])``
        loads a batch's record, and ``Notice.from_dict(n.to_dict()) == n``. Spans become tuples again.

        Only a full record is accepted: every field present, with a value of its type, and no other key.
        Records written with ``--compact`` or ``--fields`` (or ``compact=`` / ``fields=``) leave fields out and
        raise :class:`~rectify_parse.errors.InputRecordError` naming the first missing field: read them as dicts,
        or with :func:`rectify_parse.to_frames`. The error names the path of any value of the wrong type too
        (``record.problems[0].number: expected int, got '一'``)."""
        loaded: R = _load(cls, data, "record")
        return loaded


# --- loading a dict back into records (from_dict) ----------------------------------------------------------

_HINTS: dict[type, dict[str, Any]] = {}
_COMPACT_NOTE = "from_dict needs a full record; --compact and --fields leave fields out"


def records_hints(cls: type) -> dict[str, Any]:
    """The resolved field types of a record class (its annotations are strings under ``__future__``)."""
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = typing.get_type_hints(cls, vars(sys.modules[__name__]))
    return found


def _load(tp: Any, value: Any, where: str) -> Any:
    """``value`` (plain JSON-like data) as the type ``tp`` of a record field, checked on the way."""
    if isinstance(tp, type) and is_dataclass(tp):
        return _load_record(tp, value, where)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _load(inner, value, where)
    if origin is Literal:
        if value not in args:
            raise InputRecordError(f"{where}: expected one of {', '.join(map(repr, args))}, got {value!r:.60}")
        return value
    if origin is list:
        _expect(isinstance(value, list), "a list", value, where)
        return [_load(args[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is tuple:  # a span: [start, end]
        _expect(isinstance(value, (list, tuple)) and len(value) == len(args), "a span [start, end]", value, where)
        return tuple(_load(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True)))
    if origin is dict:
        _expect(isinstance(value, dict) and all(isinstance(k, str) for k in value), "an object", value, where)
        return {k: _load(args[1], v, f"{where}.{k}") for k, v in value.items()}
    if tp is float:
        _expect(isinstance(value, (int, float)) and not isinstance(value, bool), "a number", value, where)
        return float(value)
    if tp is int:
        _expect(isinstance(value, int) and not isinstance(value, bool), "an int", value, where)
        return value
    if tp is str or tp is bool:
        _expect(isinstance(value, tp), f"a {tp.__name__}", value, where)
        return value
    raise TypeError(f"{where}: no loader for {tp!r}")  # a record type this function does not know yet


def _load_record(cls: type, value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise InputRecordError(f"{where}: expected an object ({cls.__name__}), got {value!r:.60}")
    hints = records_hints(cls)
    unknown = sorted(set(value).difference(_field_names(cls) or ()))
    if unknown:
        hint = " (an output line: pass its 'record')" if {"id", "record"} <= set(value) else ""
        raise InputRecordError(f"{where}: unknown field(s) {', '.join(unknown)} for {cls.__name__}{hint}")
    names = _field_names(cls) or ()
    missing = next((name for name in names if name not in value), None)
    if missing is not None:  # fields with a default too: a record as to_dict writes it, as the schema requires
        raise InputRecordError(f"{where}.{missing}: missing ({_COMPACT_NOTE})")
    return cls(**{name: _load(hints[name], value[name], f"{where}.{name}") for name in names})


def _expect(ok: bool, what: str, value: Any, where: str) -> None:
    if not ok:
        raise InputRecordError(f"{where}: expected {what}, got {value!r:.60}")


@dataclass(frozen=True, slots=True)
class Warning(_Record):
    """Something that could not be read or does not add up; the parse went on."""

    code: str = doc("Stable machine-readable code, e.g. `count_mismatch`, `bad_date`.")
    message: str = doc("Human-readable explanation naming the values involved.")
    span: Span | None = doc("Where in the input the problem is, when it has a place.", default=None)


@dataclass(frozen=True, slots=True)
class Header(_Record):
    """The metadata header (索引号, 发布机构, 文号, 成文日期 …) in canonical keys."""

    index_no: str | None = doc("索引号 / 信息索引号, kept as an opaque string.", default=None)
    category: str | None = doc("主题分类 (or 公文目录 / 组配分类 / 体裁分类 when it is the only one).", default=None)
    publisher: str | None = doc("发布机构 / 发文机构.", default=None)
    issuer: str | None = doc("发文机关.", default=None)
    doc_number: str | None = doc("文号 / 发文字号 / 文件编号, as written.", default=None)
    date_written: str | None = doc(
        "成文日期 / 发文日期 / 生成日期 as ISO YYYY-MM-DD; without such a field, the sign-off's date under the "
        "issuer's name (GB/T 9704 prints the 成文日期 there), with its span there.",
        default=None,
    )
    date_published: str | None = doc("发布日期 / 发布时间 / 公开日期 as ISO YYYY-MM-DD.", default=None)
    validity: str | None = doc("公文时效 / 有效性 / 时效.", default=None)
    title: str | None = doc("标题 / 名称 / 文件名称.", default=None)
    source: str | None = doc("来源 / 信息来源.", default=None)
    extra: dict[str, str] = doc(
        "Every other label, keyed by the label as written (spaces removed).", default_factory=dict
    )
    raw: dict[str, str] = doc(
        "The value of each canonical key as written (dates before ISO conversion; a `<meta>` tag's content).",
        default_factory=dict,
    )
    spans: dict[str, Span] = doc(
        "Span of each filled value, keyed by canonical key or extra label; none for a value a saved page's "
        "`<meta>` tag gave (`PubDate`, `ContentSource`: not in the text spans index; a `from_head` warning "
        "names the tag).",
        default_factory=dict,
    )


@dataclass(frozen=True, slots=True)
class Section(_Record):
    """A node of the heading tree (GB/T 9704 ladder 一、 → （一） → 1. → （1） and relatives)."""

    level: int = doc("Depth in the numbering ladder: 1 for 一、, 2 for （一）, 3 for 1., 4 for （1）, 5 for ①.")
    marker: str = doc("The marker as written, e.g. `（一）` or `(一)` or `1.`.")
    number: int = doc("The marker's number (一 → 1, 十二 → 12).")
    heading: str = doc("The heading line, or the first sentence when the heading runs into its paragraph.")
    text: str = doc("The section's own text after the heading, up to its first child or next heading.")
    span: Span = doc("From the marker to the end of the section, children included.")
    heading_span: Span = doc("Span of `heading`.")
    children: list[Section] = doc("Subsections in order.", default_factory=list)


@dataclass(frozen=True, slots=True)
class Problem(_Record):
    """One numbered problem of a rectification report."""

    number: int = doc("The problem's number as written (一是 items: their ordinal; a task: 第11项 / 编号364).")
    rule: str = doc(
        "How the problem was recognised: `labelled_fields` (a numbered item with labelled fields such as "
        "整改情况：, a 问题： prefix or a status sentence), `problem_heading` (a heading phrased as one problem: "
        "关于…问题的整改情况, or one of sibling headings tallying findings with their counts: …问题5个), "
        "`problem_list` (an item under a heading or line naming the problems: 存在的主要问题, "
        "审计查出的问题, 问题清单), `yishi_items` (一是 / 二是 items stating shortcomings in an aspect paragraph, "
        "or paragraphs they open), "
        "`parallel_lists` (a problem-list item matched by number with a later measures list), `table_row` (a row "
        "of a table flattened to text whose columns name the problem), `task_notice` (a closure notice written as "
        "labelled fields: 整改任务：… 完成情况：…), `learned` (an item the line-role model took for a problem where "
        "no rule did: see `Notice.model`)."
    )
    aspect: str | None = doc("Heading of the enclosing section (the 方面 the problem belongs to).")
    title: str = doc("First sentence of the problem, without a `问题：` prefix or final 。.")
    description: str = doc("Text of the problem after its title and before its labelled fields.")
    status: str | None = doc(
        "Text of 整改进度 / 完成情况 / 整改完成情况 (or a status sentence or clause: 目前已整改), final 。 trimmed; "
        "else a group status after the problems (以上问题均已完成整改) or a later sentence naming the problem's "
        "number (第3项问题已整改到位)."
    )
    status_kind: StatusKind | None = doc("`completed`, `in_progress`, `not_started`, or null when unknown.")
    measures: list[str] = doc("The 整改情况 / 整改措施 text split into its 一是 / 二是 … items.")
    fields: dict[str, str] = doc("Every other labelled line of the problem, keyed by its label.")
    span: Span = doc("From the problem's marker to its end.")
    title_span: Span = doc("Span of `title`.")
    status_span: Span | None = doc("Span of `status`, wherever it was read.", default=None)
    measure_spans: list[Span] = doc("Span of each item of `measures`.", default_factory=list)
    field_spans: dict[str, Span] = doc("Span of each value in `fields`.", default_factory=dict)


@dataclass(frozen=True, slots=True)
class Closing(_Record):
    """The sign-off and contact lines."""

    signature: str | None = doc("The issuing body written above the closing date.", default=None)
    date: str | None = doc("The closing date as ISO YYYY-MM-DD.", default=None)
    contact_phone: str | None = doc("The number on a 联系电话 / 咨询电话 line.", default=None)
    spans: dict[str, Span] = doc("Span of each filled field.", default_factory=dict)


@dataclass(frozen=True, slots=True)
class Boilerplate(_Record):
    """A line or fragment removed as site chrome."""

    text: str = doc("The removed text as written.")
    span: Span = doc("Where it was.")
    rule: str = doc(
        "Name of the rule that matched, e.g. `breadcrumb`, `ai_widget`, `print_close`; `learned` for a line the "
        "line model took for site chrome (linemodel.py)."
    )


@dataclass(frozen=True, slots=True)
class Cleaning(_Record):
    """Text dropped (or replaced by one character) so values read cleanly: markup, injected pinyin,
    invisible characters, hard-wrap line breaks. Values never contain it; spans still cover it."""

    text: str = doc("The text as written.")
    span: Span = doc("Where it was.")
    rule: str = doc("`html_tag`, `html_entity`, `pinyin`, `invisible` or `hard_wrap`.")
    replacement: str = doc("What stands for it in values: empty, or one character (a line break for <p>).")


@dataclass(frozen=True, slots=True)
class Copy(_Record):
    """One copy of the body found in the page."""

    span: Span = doc("The copy's extent in the input.")
    complete: bool = doc("False when the copy stops before the end of the canonical copy.")
    canonical: bool = doc("True for the copy the structure was parsed from.")
    similarity: float = doc("Similarity to the canonical copy (1.0 for the canonical copy itself).")


@dataclass(frozen=True, slots=True)
class Variant(_Record):
    """One difference between the canonical copy (or representative) and another copy."""

    copy: int = doc("Index of the other copy in `duplicates.copies` (or of the member in a group's ids).")
    kind: VariantKind = doc("`wording` (words changed, added or removed), `punctuation` or `whitespace`.")
    before: str = doc("Text in the canonical copy (empty for an insertion).")
    after: str = doc("Text in the other copy (empty for a deletion).")
    canonical_span: Span = doc("Span of `before` (in the canonical document's input).")
    copy_span: Span = doc("Span of `after` (in the other document's input).")
    context: str = doc("A few characters of canonical text around the difference.")


@dataclass(frozen=True, slots=True)
class Duplicates(_Record):
    """Repeated copies of the body inside one page, and how they differ."""

    copies: list[Copy] = doc("Every copy in page order; empty when the body appears once.", default_factory=list)
    variants: list[Variant] = doc(
        "Every difference between the canonical copy and each other copy.", default_factory=list
    )


@dataclass(frozen=True, slots=True)
class Segment(_Record):
    """A further document on the same page after the first one (not a copy of it), parsed like it."""

    span: Span = doc("Its extent in the input.")
    title: str | None = doc("Its title line, when it has one.")
    kind: SegmentKind = doc(
        "`issued`: the document a 印发 / 转发 / 发布 notice issues (its regulation, plan or rules); `second`: "
        "another document on the page (after a sign-off or a 下载地址 line).",
        default="second",
    )
    title_span: Span | None = doc("Span of `title`.", default=None)
    sections: list[Section] = doc("Its heading tree.", default_factory=list)
    problems: list[Problem] = doc("Its problems, when it is a rectification report.", default_factory=list)
    attachments: list[str] = doc("Items of its 附件 block.", default_factory=list)
    attachment_spans: list[Span] = doc("Span of each attachment.", default_factory=list)
    closing: Closing = doc("Its sign-off and contact lines.", default_factory=Closing)
    text: str = doc("Its clean text (lines joined by newlines).", default="")


@dataclass(frozen=True, slots=True)
class Notice(_Record):
    """Everything read from one scraped notice page."""

    schema_version: str = doc("Version of this record format.")
    model: str = doc(
        "The learned models in use, space-separated, each its kind and the first 12 hex digits of its file's "
        "SHA-256: `problems-…` (the problem decision, roles.py) and `lines-…` (the chrome decision, linemodel.py), "
        "so records from different models are told apart; `rules` when the rules decided alone."
    )
    encoding: str = doc(
        "How the input's bytes were decoded: `utf-8`, `utf-8-sig` (UTF-8 with a byte-order mark), `utf-16` (with "
        "its byte-order mark) or `gb18030` (also GBK and GB2312); `str` when the input was already text (a Python "
        "str, or the text field of a JSONL input), so nothing was decoded."
    )
    input_format: InputFormat = doc(
        "`text`, or `html` for a saved page: its spans then index the text extracted from the page, which "
        "`rectify_parse.source_text(raw)` (and `parse --with-source`) gives."
    )
    quality: float = doc("Readability of the decoded text, 0..1; below 0.6 a `garbled_text` warning explains why.")
    header: Header = doc("The metadata header, merged over every layout it was printed in.")
    title: str | None = doc(
        "The notice title: the header's 标题, else the title line scored among the page's top lines (column "
        "prefixes, document numbers, spam cut off; a wrapped title joined), or null when the page shows none."
    )
    title_span: Span | None = doc("Span of `title`.")
    addressee: str | None = doc("The 主送 line without its colon, or null.")
    addressee_span: Span | None = doc("Span of `addressee`.")
    sections: list[Section] = doc("The heading tree of the canonical copy.")
    problems: list[Problem] = doc("Numbered problems of a rectification report; empty for other notices.")
    attachments: list[str] = doc("Items of the 附件 block, without their numbers.")
    attachment_spans: list[Span] = doc("Span of each attachment.")
    closing: Closing = doc("Sign-off and contact lines.")
    boilerplate: list[Boilerplate] = doc("Everything removed as site chrome, in page order.")
    cleaned: list[Cleaning] = doc("Markup, pinyin, invisible characters and hard wraps dropped from values.")
    duplicates: Duplicates = doc("Repeated copies of the body and their differences.")
    segments: list[Segment] = doc(
        "Further documents on the page after the first one, each parsed like it (a notice's issued plan or "
        "regulation, or a second document)."
    )
    text: str = doc("The clean body: header and chrome removed, one copy only (lines joined by newlines).")
    body_span: Span | None = doc("Extent of the canonical body in the input, or null when there is none.")
    warnings: list[Warning] = doc("What could not be read or does not add up.")


def document_text(record: Notice | dict[str, Any]) -> str:
    """The clean text of every document of a record, a :class:`Notice` or its dict: the first document's
    ``text``, then each segment's, joined by newlines. Near-duplicates are found on it, so two pages that
    issue different regulations under the same covering notice are not taken for copies."""
    if isinstance(record, Notice):
        return "\n".join([record.text, *(segment.text for segment in record.segments)])
    return "\n".join([record["text"], *(segment["text"] for segment in record.get("segments", []))])


_SPAN_KEYS = ("span", "spans")


def compact(record: dict[str, Any]) -> dict[str, Any]:
    """A record dict without what only checking needs: every span, the sections' own text and the list of
    cleaned stretches (``--compact``). The values, problems, warnings and clean text stay."""

    def strip(value: Any, in_section: bool = False) -> Any:
        if isinstance(value, dict):
            return {
                k: strip(v, k in ("sections", "children"))
                for k, v in value.items()
                if not (k in _SPAN_KEYS or k.endswith(("_span", "_spans")) or (in_section and k == "text"))
            }
        if isinstance(value, list):
            return [strip(v, in_section) for v in value]
        return value

    out: dict[str, Any] = strip(record)
    out.pop("cleaned", None)
    return out


def record_fields() -> tuple[str, ...]:
    """The record's top-level keys, in their order: the names ``--fields`` chooses from."""
    return tuple(f.name for f in fields(Notice))


def check_fields(names: Iterable[str]) -> tuple[str, ...]:
    """The chosen field names, each once, in the record's order; :class:`ConfigError` names the unknown ones
    and lists the valid names, so a typo is not an empty column in a million lines."""
    chosen = {name.strip() for name in names} - {""}
    valid = record_fields()
    unknown = sorted(chosen.difference(valid))
    if unknown or not chosen:
        what = f"unknown record field(s) {', '.join(unknown)}" if unknown else "no record field chosen"
        raise ConfigError(f"{what}; choose from: {', '.join(valid)}")
    return tuple(name for name in valid if name in chosen)


def shape_record(notice: Notice, names: Iterable[str] | None, lighter: bool) -> dict[str, Any]:
    """The record as plain values, as the output options ask: only the chosen top-level fields (``--fields``,
    in the record's order, see :func:`check_fields`; None: all), then without spans (``--compact``). Only
    the chosen fields are converted."""
    record = notice.to_dict() if names is None else {name: to_plain(getattr(notice, name)) for name in names}
    return compact(record) if lighter else record
