"""Reading the batch's output lines back: the shared input of ``export`` and ``report``.

A line is ``{"id", "record"}`` or ``{"id", "error"}`` (plus ``near_duplicate_of`` and ``group`` under
``--dedup``). Lines written with ``--compact`` or ``--fields`` lack some record fields: the accessors here
return None for what is absent, so a table gets an empty cell and a report an empty section, never a
``KeyError``. A line that is not a JSON object with an ``id`` is an :class:`InputRecordError` naming the
file and line number.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

import orjson

from .errors import ConfigError, InputRecordError


class OutputLine(NamedTuple):
    """One output line read back, with where it was in the file (so a second pass can seek to it)."""

    lineno: int
    offset: int
    obj: dict[str, Any]


def open_output(path: str | Path) -> IO[bytes]:
    """The JSONL file opened for reading; :class:`ConfigError` when it cannot be."""
    try:
        return Path(path).open("rb")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None


def parse_line(raw: bytes, where: str) -> dict[str, Any]:
    """One output line as a dict; :class:`InputRecordError` (naming ``where``) when it is not one."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputRecordError(f"{where}: not JSON ({exc})") from None
    return check_line(obj, where)


def check_line(obj: Any, where: str) -> dict[str, Any]:
    """``obj`` when it is an output line (an object with a string ``id``); else :class:`InputRecordError`."""
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        raise InputRecordError(f"{where}: not an output line (a JSON object with a string 'id')")
    return obj


def iter_output(path: str | Path) -> Iterator[OutputLine]:
    """Every non-blank line of an output file, streamed (one line in memory at a time)."""
    with open_output(path) as handle:
        offset = 0
        for lineno, raw in enumerate(handle, 1):
            if raw.strip():
                yield OutputLine(lineno, offset, parse_line(raw, f"{path} line {lineno}"))
            offset += len(raw)


def read_at(handle: IO[bytes], offset: int, where: str) -> dict[str, Any]:
    """The line that starts at ``offset`` (found by :func:`iter_output`)."""
    handle.seek(offset)
    return parse_line(handle.readline(), where)


def dig(obj: Any, *keys: str) -> Any:
    """``obj[k1][k2]…``, or None when any level is missing or not an object."""
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def items(obj: Any, *keys: str) -> list[Any]:
    """The list at ``obj[k1][k2]…``, or an empty list when it is absent."""
    found = dig(obj, *keys)
    return found if isinstance(found, list) else []


def dicts(obj: Any, *keys: str) -> list[dict[str, Any]]:
    """The objects in the list at ``obj[k1][k2]…`` (anything else in it skipped)."""
    return [value for value in items(obj, *keys) if isinstance(value, dict)]


def count(obj: Any, *keys: str) -> int | None:
    """Length of the list at ``obj[k1][k2]…``, or None when it is absent (left out by ``--fields``)."""
    found = dig(obj, *keys)
    return len(found) if isinstance(found, list) else None


def clean_text(record: Any) -> str | None:
    """The clean text of every document of a record dict (the first document's ``text``, then each segment's,
    joined by newlines: what near-duplicates are found on), or None when the line holds no ``text`` (written
    with ``--fields`` without it)."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return None
    return "\n".join([record["text"], *(str(s.get("text") or "") for s in dicts(record, "segments"))])


def error_type(line: dict[str, Any]) -> str | None:
    """The error type of an error line, else None."""
    found = dig(line, "error", "type")
    return str(found) if found is not None else ("Error" if "error" in line else None)
