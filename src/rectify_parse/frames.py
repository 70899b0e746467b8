"""pandas DataFrames of the export tables: :func:`rectify_parse.to_frames`.

The tables, their columns and the rows a line gives are those of ``rectify-parse export``
(:data:`rectify_parse.export.TABLES` and :func:`~rectify_parse.export.line_rows`); only the column types are
said here, in pandas' nullable dtypes, so a missing value is ``<NA>`` (``NaT`` for a date) and an integer
column stays integer: ``string``, ``Int32``, ``Int64``, ``Float64``, ``datetime64[s]`` for dates, and Python
lists (object) for list columns. pandas is an optional extra (``rectify-parse[pandas]``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import ConfigError, install_extra
from .export import GROUP_VARIANTS, TABLES, ColumnType, group_rows, group_variant_rows, line_rows
from .output import check_line, iter_output

PANDAS_MISSING = f"to_frames needs pandas: {install_extra('pandas')}"
DTYPES: dict[ColumnType, str] = {
    "string": "string",
    "int32": "Int32",
    "int64": "Int64",
    "float64": "Float64",
    "date32": "datetime64[s]",  # seconds, not nanoseconds: any year a date can hold fits
    "list<string>": "object",
}


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ConfigError(PANDAS_MISSING) from None
    return pandas


def _lines(lines: Iterable[dict[str, Any]] | str | os.PathLike[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each line with where it is, for error messages: ``FILE line N`` or ``line N`` of the iterable."""
    if isinstance(lines, (str, os.PathLike)):
        for line in iter_output(Path(lines)):
            yield f"{os.fspath(lines)} line {line.lineno}", line.obj
        return
    for number, obj in enumerate(lines, 1):
        where = f"line {number}"
        yield where, check_line(obj, where)


def to_frames(lines: Iterable[dict[str, Any]] | str | os.PathLike[str], *, text: bool = False) -> dict[str, Any]:
    """The export's tables as pandas DataFrames, keyed by table name (``notices``, ``problems``,
    ``measures``, ``variants``, ``group_variants``), with the columns ``rectify-parse export`` writes (see the
    README); the groups' variants are diffed once every line is read, as ``export`` does.

    ``lines``: output lines as :func:`rectify_parse.parse_many` yields them (``{"id", "record"}`` or
    ``{"id", "error"}``), or the path of a JSONL file a batch wrote. ``text``: fill ``notices.text`` with each
    notice's clean text (left empty otherwise, as ``export`` does without ``--with-text``).

    Raises :class:`~rectify_parse.errors.ConfigError` when pandas is not installed (naming the install) or
    the file cannot be read, :class:`~rectify_parse.errors.InputRecordError` for a line that is not an output
    line or holds a value of the wrong type."""
    pd = _pandas()
    values: dict[str, list[list[Any]]] = {t.name: [[] for _ in t.columns] for t in TABLES}
    grouped: dict[int, list[dict[str, Any]]] = {}  # a --dedup output's groups, the representative first

    def add(table: str, row: list[Any]) -> None:
        for column, value in zip(values[table], row, strict=True):
            column.append(value)

    for where, obj in _lines(lines):
        for table, row in line_rows(obj, where, text=text):
            add(table.name, row)
        group = obj.get("group")
        if isinstance(group, int) and not isinstance(group, bool):
            members = grouped.setdefault(group, [])
            members.insert(0, obj) if obj.get("near_duplicate_of") is None else members.append(obj)
    for variant in group_variant_rows(sorted(grouped.items())):
        add(GROUP_VARIANTS.name, group_rows(variant, f"group {variant[0]}"))
    return {
        table.name: pd.DataFrame(
            {
                column.name: pd.Series(found, dtype=DTYPES[column.type])
                for column, found in zip(table.columns, values[table.name], strict=True)
            }
        )
        for table in TABLES
    }
