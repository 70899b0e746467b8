"""Tables from the batch's output: ``rectify-parse export OUT.jsonl --to csv|parquet DIR``.

Four tables, each defined once below as a list of :class:`Column` (name, type, documentation, how to read
the value from a line); the CSV header, the Parquet schema, the pandas frames of
:func:`rectify_parse.to_frames` and the README's column tables (:func:`columns_markdown`, checked by
``tests/test_export.py``) all come from that one definition, and :func:`line_rows` turns a line into rows
for every consumer.

- ``notices``: one row per output line (errors included);
- ``problems``: one row per problem, of the first document and of every further document (``segment``);
- ``measures``: one row per measure (一是 / 二是 … item) of a problem;
- ``variants``: one row per difference between a page's canonical copy and its other copies;
- ``group_variants``: one row per difference between a near-duplicate group's representative and a member
  (``--dedup`` outputs), computed after the lines are read, from the offsets of each group's lines.

The clean text of each notice (``notices.text``) is the one column that can be large: about as large as the
input itself. It is filled only when asked for (``--with-text``, ``text=True``) and empty otherwise, so the
tables keep one shape either way.

The JSONL is streamed: CSV rows are written as they are read, Parquet rows are buffered ``batch_rows`` at a
time and written as one row group. Each file is written to ``NAME.tmp`` and renamed when the export is
complete, so a failed export leaves no half-written table under the final name.

CSV files are UTF-8 *with* a byte-order mark (``utf-8-sig``): Excel reads a BOM-less UTF-8 CSV as the
local ANSI code page and garbles the Chinese, while pandas, DuckDB, R and Python's csv module (with
``encoding="utf-8-sig"``) skip the mark. Empty cells are nulls; a list is its items joined by spaces.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple, Protocol

from .errors import ConfigError, InputRecordError, install_extra
from .output import clean_text, count, dicts, dig, error_type, items, iter_output, open_output, read_at

Format = Literal["csv", "parquet"]
ColumnType = Literal["string", "int32", "int64", "float64", "date32", "list<string>"]
FORMATS: tuple[Format, ...] = ("csv", "parquet")
BATCH_ROWS = 10_000
PYARROW_MISSING = f"Parquet output needs pyarrow: {install_extra('parquet')} (or choose --to csv)"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table: its name, Parquet type, documentation and how to read it from a row source."""

    name: str
    type: ColumnType
    doc: str
    get: Callable[[Any], Any]
    bulky: bool = False  # filled only when the caller asks for it (the clean text: ``--with-text``)


@dataclass(frozen=True, slots=True)
class Table:
    """A table: its name, columns, and the row sources one output line gives (each read by the columns)."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    rows: Callable[[dict[str, Any]], Iterable[Any]]


# --- reading values from a line -------------------------------------------------------------------------


def _headings(sections: Any) -> int | None:
    """Every heading of a tree, all levels."""
    if not isinstance(sections, list):
        return None
    return sum(1 + (_headings(s.get("children")) or 0) for s in sections if isinstance(s, dict))


def _problem_count(record: Any) -> int | None:
    first = count(record, "problems")
    if first is None:
        return None
    return first + sum(count(seg, "problems") or 0 for seg in items(record, "segments"))


def _wording(record: Any) -> int | None:
    variants = dig(record, "duplicates", "variants")
    if not isinstance(variants, list):
        return None
    return sum(1 for v in variants if isinstance(v, dict) and v.get("kind") == "wording")


def _warning_codes(record: Any) -> list[str] | None:
    warnings = dig(record, "warnings")
    if not isinstance(warnings, list):
        return None
    return sorted({str(w.get("code")) for w in warnings if isinstance(w, dict)})


class ProblemRow(NamedTuple):
    """A problem with where it is: its notice, its document (None: the first) and its position among all the
    notice's problems (the key that ``measures`` rows point to, since numbers repeat across aspects)."""

    notice_id: str
    segment: int | None
    position: int
    problem: dict[str, Any]


class MeasureRow(NamedTuple):
    """One measure of a problem: its ordinal from 1, its text and its span (None under ``--compact``)."""

    of: ProblemRow
    measure: int
    text: Any
    span: Any


def _problem(key: str) -> Callable[[Any], Any]:
    return lambda row: row.problem.get(key)


def _variant(key: str) -> Callable[[Any], Any]:
    return lambda row: row[1].get(key)


def _span(key: str, index: int) -> Callable[[Any], Any]:
    """One end of a variant's span; None when spans were left out (``--compact``)."""

    def get(row: Any) -> Any:
        return _span_end(row[1].get(key), index)

    return get


def _notice_rows(line: dict[str, Any]) -> Iterable[Any]:
    return (line,)


def _problem_rows(line: dict[str, Any]) -> Iterator[ProblemRow]:
    record = line.get("record")
    documents = [(None, record), *enumerate(items(record, "segments"))]
    position = 0
    for segment, document in documents:
        for problem in dicts(document, "problems"):
            yield ProblemRow(line["id"], segment, position, problem)
            position += 1


def _measure_rows(line: dict[str, Any]) -> Iterator[MeasureRow]:
    for row in _problem_rows(line):
        spans = items(row.problem, "measure_spans")
        for index, text in enumerate(items(row.problem, "measures")):
            yield MeasureRow(row, index + 1, text, spans[index] if index < len(spans) else None)


def _span_end(span: Any, index: int) -> Any:
    """One end of a ``[start, end]`` span; None when spans were left out (``--compact``)."""
    return span[index] if isinstance(span, list) and len(span) == 2 else None


def _variant_rows(line: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for variant in dicts(line.get("record"), "duplicates", "variants"):
        yield line["id"], variant


def _fields_json(problem: dict[str, Any]) -> str | None:
    found = problem.get("fields")
    return json.dumps(found, ensure_ascii=False) if isinstance(found, dict) else None


def _record(key: str, *keys: str) -> Callable[[Any], Any]:
    return lambda line: dig(line, "record", key, *keys)


NOTICES = Table(
    "notices",
    "one row per output line, error lines included",
    (
        Column("id", "string", "The line's id (input file path or JSONL id).", lambda line: line["id"]),
        Column("title", "string", "The notice title.", _record("title")),
        Column("publisher", "string", "header.publisher (发布机构).", _record("header", "publisher")),
        Column("doc_number", "string", "header.doc_number (文号), as written.", _record("header", "doc_number")),
        Column("index_no", "string", "header.index_no (索引号).", _record("header", "index_no")),
        Column("date_written", "date32", "header.date_written (成文日期).", _record("header", "date_written")),
        Column("date_published", "date32", "header.date_published (发布日期).", _record("header", "date_published")),
        Column("input_format", "string", "`text` or `html`: how the input was read.", _record("input_format")),
        Column("quality", "float64", "Readability of the decoded text, 0..1.", _record("quality")),
        Column(
            "problems",
            "int32",
            "Problems of the first document and of every further one.",
            lambda line: _problem_count(line.get("record")),
        ),
        Column(
            "sections",
            "int32",
            "Headings of the first document's tree, all levels.",
            lambda line: _headings(dig(line, "record", "sections")),
        ),
        Column(
            "copies",
            "int32",
            "Copies of the body in the page (0 when it appears once).",
            lambda line: count(line, "record", "duplicates", "copies"),
        ),
        Column(
            "variants",
            "int32",
            "Differences between the copies, every kind.",
            lambda line: count(line, "record", "duplicates", "variants"),
        ),
        Column("wording_variants", "int32", "Differences in wording only.", lambda line: _wording(line.get("record"))),
        Column("warnings", "int32", "Warnings on the record.", lambda line: count(line, "record", "warnings")),
        Column(
            "warning_codes",
            "list<string>",
            "Distinct warning codes, sorted.",
            lambda line: _warning_codes(line.get("record")),
        ),
        Column(
            "near_duplicate_of",
            "string",
            "(--dedup) The id of the group's representative; empty for a representative or a unique notice.",
            lambda line: line.get("near_duplicate_of"),
        ),
        Column(
            "group",
            "int32",
            "(--dedup) Index of the near-duplicate group in the summary's groups; empty when in none.",
            lambda line: line.get("group"),
        ),
        Column("error_type", "string", "Error lines: the error type, e.g. `DecodeError`.", error_type),
        Column(
            "error_message", "string", "Error lines: the error message.", lambda line: dig(line, "error", "message")
        ),
        Column("issuer", "string", "header.issuer (发文机关).", _record("header", "issuer")),
        Column("source", "string", "header.source (来源 / 信息来源).", _record("header", "source")),
        Column("category", "string", "header.category (主题分类 …).", _record("header", "category")),
        Column("validity", "string", "header.validity (公文时效 / 有效性).", _record("header", "validity")),
        Column("addressee", "string", "The 主送 line without its colon.", _record("addressee")),
        Column(
            "signature",
            "string",
            "closing.signature: the issuing body written above the closing date.",
            _record("closing", "signature"),
        ),
        Column(
            "contact_phone",
            "string",
            "closing.contact_phone: the number on a 联系电话 / 咨询电话 line.",
            _record("closing", "contact_phone"),
        ),
        Column(
            "text",
            "string",
            "(--with-text) The clean text: the record's `text`, then each further document's, joined by newlines "
            "(what near-duplicates are found on); empty without the option.",
            lambda line: clean_text(line.get("record")),
            bulky=True,
        ),
        Column(
            "same_template_as",
            "string",
            "(--dedup) The representative this notice is as alike as a copy to but kept apart from: its identity "
            "fields disagree (a template sibling: another county's or year's notice); empty otherwise.",
            lambda line: dig(line, "same_template_as", "id"),
        ),
        Column(
            "template_differs",
            "list<string>",
            "(--dedup) The identity fields that disagree with `same_template_as`: `doc_number`, `title`, "
            "`signature`, `date`.",
            lambda line: dig(line, "same_template_as", "differs"),
        ),
        Column(
            "script",
            "string",
            "(--dedup) `simplified`, `traditional` or `mixed`: the script the notice is written in (empty when "
            "its text does not tell).",
            lambda line: line.get("script"),
        ),
        Column(
            "rewritten",
            "float64",
            "(--dedup) For a synonym-rewritten copy in a group: the share of the representative's words changed.",
            lambda line: line.get("rewritten"),
        ),
    ),
    _notice_rows,
)

PROBLEMS = Table(
    "problems",
    "one row per problem",
    (
        Column("notice_id", "string", "The notice's id (`notices.id`).", lambda row: row[0]),
        Column(
            "segment",
            "int32",
            "Index of the further document in `segments`; empty for the first document.",
            lambda row: row[1],
        ),
        Column("number", "int32", "The problem's number as written.", _problem("number")),
        Column("rule", "string", "The rule that recognised it (`labelled_fields`, `table_row` …).", _problem("rule")),
        Column("aspect", "string", "Heading of the enclosing section (方面).", _problem("aspect")),
        Column("title", "string", "First sentence of the problem.", _problem("title")),
        Column("description", "string", "Text after the title, before the labelled fields.", _problem("description")),
        Column("status", "string", "The status phrase as written (整改进度 / 完成情况 …).", _problem("status")),
        Column(
            "status_kind",
            "string",
            "`completed`, `in_progress`, `not_started`; empty when unknown.",
            _problem("status_kind"),
        ),
        Column(
            "measures",
            "int32",
            "Number of measures (一是 / 二是 … items; each is a row of `measures`).",
            lambda row: count(row.problem, "measures"),
        ),
        Column(
            "fields",
            "string",
            "Every other labelled line, as a JSON object text.",
            lambda row: _fields_json(row.problem),
        ),
        Column(
            "position",
            "int32",
            "Position among the notice's problems from 0 (the first document's, then each further one's): with "
            "`notice_id` the key of the row, since `number` repeats when each aspect counts from 1.",
            lambda row: row.position,
        ),
    ),
    _problem_rows,
)

MEASURES = Table(
    "measures",
    "one row per measure of a problem",
    (
        Column("notice_id", "string", "The notice's id (`notices.id`).", lambda row: row.of.notice_id),
        Column(
            "problem",
            "int32",
            "The problem's `position` in `problems` (join on `notice_id` and `position`).",
            lambda row: row.of.position,
        ),
        Column(
            "segment",
            "int32",
            "Index of the further document in `segments`; empty for the first document.",
            lambda row: row.of.segment,
        ),
        Column("problem_number", "int32", "The problem's number as written.", lambda row: row.of.problem.get("number")),
        Column("measure", "int32", "The measure's ordinal in its problem, from 1 (一是 → 1).", lambda row: row.measure),
        Column("text", "string", "The measure's text.", lambda row: row.text),
        Column(
            "start",
            "int64",
            "Start of the text in the input (empty under --compact).",
            lambda row: _span_end(row.span, 0),
        ),
        Column("end", "int64", "End of the text in the input (exclusive).", lambda row: _span_end(row.span, 1)),
    ),
    _measure_rows,
)

VARIANTS = Table(
    "variants",
    "one row per difference between a page's canonical copy and another copy",
    (
        Column("notice_id", "string", "The notice's id (`notices.id`).", lambda row: row[0]),
        Column("copy", "int32", "Index of the other copy in `duplicates.copies`.", _variant("copy")),
        Column("kind", "string", "`wording`, `punctuation` or `whitespace`.", _variant("kind")),
        Column("a", "string", "Text in the canonical copy (empty for an insertion).", _variant("before")),
        Column("b", "string", "Text in the other copy (empty for a deletion).", _variant("after")),
        Column("a_start", "int64", "Start of `a` in the input (empty under --compact).", _span("canonical_span", 0)),
        Column("a_end", "int64", "End of `a` in the input (exclusive).", _span("canonical_span", 1)),
        Column("b_start", "int64", "Start of `b` in the input.", _span("copy_span", 0)),
        Column("b_end", "int64", "End of `b` in the input (exclusive).", _span("copy_span", 1)),
        Column("context", "string", "A few characters of canonical text around the difference.", _variant("context")),
    ),
    _variant_rows,
)


def _no_rows(line: dict[str, Any]) -> Iterable[Any]:
    return ()


def _group_variant(key: str) -> Callable[[Any], Any]:
    return lambda row: row[3].get(key)


# Filled after the lines are read (a group's members are spread over the file): see _group_variant_rows.
GROUP_VARIANTS = Table(
    "group_variants",
    "one row per difference between a near-duplicate group's representative and a member, under --dedup",
    (
        Column("group", "int32", "The group's index (`notices.group`).", lambda row: row[0]),
        Column("representative", "string", "The representative's id.", lambda row: row[1]),
        Column("member", "string", "The member's id.", lambda row: row[2]),
        Column("kind", "string", "`wording`, `punctuation` or `whitespace`.", _group_variant("kind")),
        Column("a", "string", "Text in the representative (empty for an insertion).", _group_variant("before")),
        Column("b", "string", "Text in the member, as written (empty for a deletion).", _group_variant("after")),
        Column(
            "context", "string", "A few characters of the representative's text around it.", _group_variant("context")
        ),
    ),
    _no_rows,
)

TABLES: tuple[Table, ...] = (NOTICES, PROBLEMS, MEASURES, VARIANTS, GROUP_VARIANTS)


class _Groups:
    """Where each group's lines are in the file: its representative's and its members' offsets."""

    def __init__(self) -> None:
        self.members: dict[int, list[tuple[int, bool]]] = {}

    def add(self, line: dict[str, Any], offset: int) -> None:
        group = line.get("group")
        if isinstance(group, int) and not isinstance(group, bool):
            self.members.setdefault(group, []).append((offset, line.get("near_duplicate_of") is None))


def _group_variant_rows(path: str | Path, groups: _Groups) -> Iterator[tuple[int, str, str, dict[str, Any]]]:
    """:func:`group_variant_rows` of a file's groups, each group's lines read back from their offsets."""
    with open_output(path) as handle:
        yield from group_variant_rows(
            (index, [read_at(handle, offset, f"{path} (group {index})") for offset, _ in entries])
            for index, entries in sorted(groups.members.items())
            # the representative first
            for entries in [sorted(entries, key=lambda e: (not e[1], e[0]))]
        )


def group_variant_rows(
    groups: Iterable[tuple[int, list[dict[str, Any]]]],
) -> Iterator[tuple[int, str, str, dict[str, Any]]]:
    """The differences between each group's representative (its first line) and its members, diffed as the
    groups are (``corpus.member_variants``: script-blind, on the clean text), in group order: the rows of
    ``group_variants``. A group whose lines hold no text (``--fields`` without it) gives none."""
    from .corpus import member_variants

    for index, lines in groups:
        texts = [clean_text(line.get("record")) for line in lines]
        rep_text = texts[0]
        if rep_text is None:
            continue
        for number, (line, text) in enumerate(zip(lines[1:], texts[1:], strict=True), start=1):
            if text is None:
                continue
            for variant in member_variants(rep_text, text, copy=number):
                yield index, lines[0]["id"], line["id"], variant.to_dict()


def group_rows(variant: tuple[int, str, str, dict[str, Any]], where: str) -> list[Any]:
    """A ``group_variants`` row, each value checked as :func:`line_rows` checks the other tables'."""
    return [_checked(c, c.get(variant), where) for c in GROUP_VARIANTS.columns]


# --- checking and converting values ---------------------------------------------------------------------


def _checked(column: Column, value: Any, where: str) -> Any:
    """The value in the column's Python type (dates as ``datetime.date``); a value of another type is an
    :class:`InputRecordError` naming the line and column, so a foreign JSONL fails clearly."""
    if value is None:
        return None
    kind = column.type
    ok = (
        (kind == "string" and isinstance(value, str))
        or (kind in ("int32", "int64") and isinstance(value, int) and not isinstance(value, bool))
        or (kind == "float64" and isinstance(value, (int, float)) and not isinstance(value, bool))
        or (kind == "list<string>" and isinstance(value, list))
        or (kind == "date32" and isinstance(value, str))
    )
    if ok and kind == "date32":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            ok = False
    if not ok:
        raise InputRecordError(f"{where}: column {column.name!r} expects {kind}, got {value!r:.80}")
    return value


def line_rows(line: dict[str, Any], where: str, *, text: bool = False) -> Iterator[tuple[Table, list[Any]]]:
    """Every row an output line gives, table by table in :data:`TABLES` order, each value checked against
    its column's type (see :func:`_checked`); bulky columns (the clean text) are None unless ``text``. The
    one place that turns lines into rows: the CSV and Parquet writers and :func:`rectify_parse.to_frames`
    all read it."""
    for table in TABLES:
        for source in table.rows(line):
            yield table, [None if c.bulky and not text else _checked(c, c.get(source), where) for c in table.columns]


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    return value


# --- writers ---------------------------------------------------------------------------------------------


class _Sink(Protocol):
    def add(self, row: list[Any]) -> None: ...
    def close(self) -> None: ...


class _CsvSink:
    def __init__(self, path: Path, table: Table) -> None:
        self._handle: IO[str] = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._handle)
        self._writer.writerow([c.name for c in table.columns])

    def add(self, row: list[Any]) -> None:
        self._writer.writerow([_csv_cell(v) for v in row])

    def close(self) -> None:
        self._handle.close()


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ConfigError(PYARROW_MISSING) from None
    return pyarrow, pyarrow.parquet


def arrow_schema(table: Table) -> Any:
    """The table's pyarrow schema, each field with its documentation in the field metadata."""
    pa, _ = _pyarrow()
    types = {
        "string": pa.string(),
        "int32": pa.int32(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "date32": pa.date32(),
        "list<string>": pa.list_(pa.string()),
    }
    return pa.schema([pa.field(c.name, types[c.type], metadata={"doc": c.doc}) for c in table.columns])


class _ParquetSink:
    def __init__(self, path: Path, table: Table, batch_rows: int) -> None:
        self._pa, pq = _pyarrow()
        self._schema = arrow_schema(table)
        self._writer = pq.ParquetWriter(str(path), self._schema, compression="zstd")
        self._batch_rows = batch_rows
        self._rows: list[list[Any]] = []

    def add(self, row: list[Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self._batch_rows:
            self._flush()

    def _flush(self) -> None:
        columns = list(zip(*self._rows, strict=True)) if self._rows else [() for _ in self._schema]
        batch = self._pa.RecordBatch.from_arrays(
            [self._pa.array(values, type=f.type) for values, f in zip(columns, self._schema, strict=True)],
            schema=self._schema,
        )
        self._writer.write_batch(batch)
        self._rows = []

    def close(self) -> None:
        if self._rows:
            self._flush()
        self._writer.close()


def _sink(fmt: Format, path: Path, table: Table, batch_rows: int) -> _Sink:
    return _CsvSink(path, table) if fmt == "csv" else _ParquetSink(path, table, batch_rows)


def table_path(out_dir: str | Path, table: Table, fmt: Format) -> Path:
    """Where ``export`` writes a table: ``DIR/NAME.csv`` or ``DIR/NAME.parquet``."""
    return Path(out_dir) / f"{table.name}.{fmt}"


def export(
    path: str | Path, out_dir: str | Path, fmt: Format = "csv", *, text: bool = False, batch_rows: int = BATCH_ROWS
) -> dict[str, int]:
    """Write the tables (:data:`TABLES`; ``group_variants`` from a ``--dedup`` output's groups) of the output
    file ``path`` into ``out_dir`` as CSV or Parquet; return
    the number of rows written to each. ``text``: fill ``notices.text`` with each notice's clean text (about
    the size of the input; empty cells otherwise). Raises :class:`ConfigError` for a bad format,
    an unreadable input or a missing pyarrow, :class:`InputRecordError` for a line that is not an output
    line or holds a value of the wrong type (nothing is left under the final names then)."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; choose from: {', '.join(FORMATS)}")
    if fmt == "parquet":
        _pyarrow()  # fail before reading anything
    target = Path(out_dir)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create {target}: {exc.strerror or exc}") from None
    finals = [table_path(target, t, fmt) for t in TABLES]
    tmps = [p.with_name(p.name + ".tmp") for p in finals]
    sinks: list[_Sink] = []
    counts = dict.fromkeys((t.name for t in TABLES), 0)
    try:
        sinks.extend(_sink(fmt, tmp, t, batch_rows) for tmp, t in zip(tmps, TABLES, strict=True))
        by_name = {t.name: sink for t, sink in zip(TABLES, sinks, strict=True)}
        groups = _Groups()
        for line in iter_output(path):
            groups.add(line.obj, line.offset)
            for table, row in line_rows(line.obj, f"{path} line {line.lineno}", text=text):
                by_name[table.name].add(row)
                counts[table.name] += 1
        group_sink = by_name[GROUP_VARIANTS.name]
        for variant in _group_variant_rows(path, groups):
            group_sink.add(group_rows(variant, f"{path} group {variant[0]}"))
            counts[GROUP_VARIANTS.name] += 1
        for sink in sinks:
            sink.close()
        for tmp, final in zip(tmps, finals, strict=True):
            os.replace(tmp, final)
    except BaseException:
        for sink in sinks:
            _close_quietly(sink)
        for tmp in tmps:
            tmp.unlink(missing_ok=True)
        raise
    return counts


def _close_quietly(sink: _Sink) -> None:
    with contextlib.suppress(Exception):  # the export already failed; its own error is the one to report
        sink.close()


def columns_markdown() -> str:
    """The README's column tables, generated from :data:`TABLES`."""
    parts: list[str] = []
    for table in TABLES:
        parts.append(f"`{table.name}` ({table.doc}):\n")
        parts.append("| column | type | meaning |\n| --- | --- | --- |")
        parts.extend(f"| `{c.name}` | `{c.type}` | {c.doc} |" for c in table.columns)
        parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"
