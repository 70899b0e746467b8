"""The inputs of a run, enumerated lazily and read into :class:`Item` objects a worker takes.

Inputs are files, directories (walked recursively in sorted order; without ``--glob`` only notice-like
files are read, :data:`NOTICE_SUFFIXES`, and the others are counted as skipped; ``--glob`` chooses the
file names instead) and JSONL files (``*.jsonl``: one notice per line, its text in ``--text-field``, its
id in ``--id-field``, else ``path:line``; blank lines are not inputs).
"""

from __future__ import annotations

import json
import os
import stat
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from fnmatch import fnmatch
from pathlib import Path
from typing import IO, Any, NamedTuple

import orjson

from ..decode import read_file
from ..errors import BatchError, InputReadError, InputRecordError, InputTooLargeError, RectifyError
from ..pipeline import MAX_CHARS

# A file above this size cannot hold MAX_CHARS characters or fewer (UTF-8 needs at most 4 bytes a
# character), so it is reported as too large without being read into memory.
MAX_INPUT_BYTES = 4 * MAX_CHARS
_MAX_FIELDS_NAMED = 8
# What a directory walk reads without --glob: text, saved pages (with their server's suffix, too) and JSONL
# dumps. A file without a suffix is read as well (crawlers name pages by hash); scripts, styles, images and
# documentation files of a saved-page folder are not notices.
NOTICE_SUFFIXES = frozenset(
    (".txt", ".text", ".htm", ".html", ".shtml", ".xhtml", ".asp", ".aspx", ".jsp", ".php", ".jsonl", "")
)


class Failure(NamedTuple):
    """An input that failed before it could be parsed."""

    type: str
    message: str


class Source(NamedTuple):
    """One input as enumerated: a file not read yet, a JSONL text, or an early failure."""

    id: str
    payload: Path | str | Failure
    size: int


class Item(NamedTuple):
    """One input ready for a worker."""

    id: str
    payload: bytes | str | Failure
    size: int


def iter_sources(
    inputs: Iterable[str],
    *,
    globs: Sequence[str] = (),
    text_field: str = "text",
    id_field: str = "id",
    exclude: frozenset[str] = frozenset(),
    skipped: Counter[str] | None = None,
) -> Iterator[Source]:
    """Enumerate the inputs lazily, in a deterministic order (``--resume`` relies on it).

    ``exclude`` holds absolute paths skipped while walking directories (the run's own output files).
    ``skipped`` counts, by suffix, the files a walk passed over as not notice-like (no ``globs`` given).
    Raises :class:`BatchError` when a JSONL file cannot be read: its number of inputs is unknown.
    """
    walk = _Walk(globs, text_field, id_field, exclude, Counter() if skipped is None else skipped)
    for name in inputs:
        if os.path.isdir(name):
            yield from walk.files(name)
        else:
            yield from _file_sources(name, text_field, id_field)


class InputSize:
    """The inputs' total size in bytes and their number of files, as far as counted: a directory walk is
    counted in a background thread while the run goes (``count``), so the progress line can show the share
    done and an ETA once ``done``, and the worker count can be chosen from the work. The count stats the
    files the run's walk reads (the same choice of names), never reads them: a JSONL file counts its size."""

    def __init__(self, total: int = 0, *, done: bool = True) -> None:
        self.bytes = total
        self.files = 0
        self.done = done  # set last by the counting thread: once True, bytes and files are final
        self._stopped = False
        self._thread: threading.Thread | None = None

    @classmethod
    def count(
        cls, inputs: Sequence[str], globs: Sequence[str] = (), exclude: frozenset[str] = frozenset()
    ) -> InputSize:
        """Start counting ``inputs`` (files and directories, walked as the run walks them) in a daemon thread."""
        folders = [name for name in inputs if os.path.isdir(name)]
        files = [name for name in inputs if name not in folders]  # named files and JSONL: known at once
        size = cls(sum(map(_size_of, files)), done=not folders)
        size.files = len(files)
        if folders:
            walk = _Walk(globs, "", "", exclude, Counter())  # its own skipped count: the run keeps the real one
            size._thread = threading.Thread(target=size._count, args=(folders, walk), name="input-size", daemon=True)
            size._thread.start()
        return size

    def _count(self, folders: list[str], walk: _Walk) -> None:
        for folder in folders:
            for path, error in walk.paths(folder):
                if self._stopped:
                    return
                if error is None:
                    self.bytes += _size_of(path)
                    self.files += 1
        self.done = True

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds for the count to finish; whether it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.done

    def stop(self) -> None:
        """Stop counting (the run ended first); the count stays unfinished."""
        self._stopped = True


def _size_of(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # unreadable or vanished: the run records its error, it adds no bytes


def suffix(name: str) -> str:
    """A file name's suffix as the walk tells notices by: lower case, ``""`` for none."""
    return os.path.splitext(name)[1].lower()


class _Walk:
    """A directory walk's choices: which files are inputs, and a count of those passed over."""

    def __init__(
        self, globs: Sequence[str], text_field: str, id_field: str, exclude: frozenset[str], skipped: Counter[str]
    ) -> None:
        self.globs, self.text_field, self.id_field = globs, text_field, id_field
        self.exclude, self.skipped = exclude, skipped

    def files(self, top: str) -> Iterator[Source]:
        for path, error in self.paths(top):
            if error is not None:
                yield _failed(path, _read_error(path, error))
            else:
                yield from _file_sources(path, self.text_field, self.id_field)

    def paths(self, top: str) -> Iterator[tuple[str, OSError | None]]:
        """The files the walk reads, in order, each with None; a directory that cannot be listed with its
        error instead."""
        try:
            with os.scandir(top) as entries:
                names = sorted(entry.name for entry in entries)  # names only: a huge flat directory stays cheap
        except OSError as exc:
            yield top, exc
            return
        for name in names:
            path = os.path.join(top, name)
            kind = _kind(path)
            if kind == "dir":
                yield from self.paths(path)
            elif kind == "file" and self._selected(name) and os.path.abspath(path) not in self.exclude:
                yield path, None

    def _selected(self, name: str) -> bool:
        if self.globs:
            return any(fnmatch(name, pattern) for pattern in self.globs)
        key = "(hidden)" if name.startswith(".") else suffix(name)  # .DS_Store, editors' swap files
        if key in NOTICE_SUFFIXES:
            return True
        self.skipped[key] += 1
        return False


def _kind(path: str) -> str:
    """``dir`` to descend into, ``file`` to read, ``skip`` for symlinked directories and special files."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "file"  # vanished or unreadable: reading it records the error
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISLNK(mode):
        return "skip" if os.path.isdir(path) else "file"  # symlinked directories are not followed (loops)
    return "file" if stat.S_ISREG(mode) else "skip"  # FIFOs and devices would block or never end


def _file_sources(path: str, text_field: str, id_field: str) -> Iterator[Source]:
    if path.endswith(".jsonl"):
        yield from _jsonl_sources(path, text_field, id_field)
    else:
        yield Source(path, Path(path), 0)


def _read_error(path: str | Path, exc: OSError) -> InputReadError:
    return InputReadError(f"cannot read {path}: {exc.strerror or exc}")


def _failed(doc_id: str, exc: BaseException) -> Source:
    return Source(doc_id, Failure(type(exc).__name__, str(exc)), 0)


def _jsonl_sources(path: str, text_field: str, id_field: str) -> Iterator[Source]:
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the with below, errors reported first
    except OSError as exc:
        raise BatchError(f"cannot read JSONL input {path}: {exc}") from exc
    with handle:
        lines = _bounded_lines(handle, MAX_INPUT_BYTES)
        while True:
            try:
                numbered = next(lines, None)
            except OSError as exc:
                raise BatchError(f"cannot read JSONL input {path}: {exc}") from exc
            if numbered is None:
                return
            yield _jsonl_source(path, *numbered, text_field, id_field)


def _bounded_lines(handle: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Number and yield the lines; a line longer than ``limit`` bytes is skipped unread and yields None."""
    lineno = 0
    while line := handle.readline(limit + 1):
        lineno += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(1 << 20)
            yield lineno, None
        else:
            yield lineno, line


def _jsonl_source(path: str, lineno: int, line: bytes | None, text_field: str, id_field: str) -> Source:
    where = f"{path}:{lineno}"
    if line is None:
        message = f"line {lineno} of {path} is longer than {MAX_INPUT_BYTES} bytes"
        return Source(where, Failure(InputTooLargeError.__name__, message), 0)
    if not line.strip():  # every input line gives an output line, a blank one too
        return _bad_line(where, f"line {lineno} of {path} is blank", len(line))
    try:
        obj = orjson.loads(line)
    except ValueError as exc:  # JSONDecodeError, or UnicodeDecodeError for bytes that are not UTF-8
        return _bad_line(where, f"line {lineno} of {path} is not valid JSON: {exc}", len(line))
    if not isinstance(obj, dict):
        return _bad_line(where, f"line {lineno} of {path} is a JSON {type(obj).__name__}, not an object", len(line))
    doc_id = _id_value(obj.get(id_field), where)
    text = obj.get(text_field)
    if not isinstance(text, str):
        fields = ", ".join(map(str, list(obj)[:_MAX_FIELDS_NAMED]))
        found = (
            f"is missing (its fields: {fields}; choose one with --text-field)"
            if text is None
            else f"is a {type(text).__name__}, not a string"
        )
        return _bad_line(doc_id, f"line {lineno} of {path}: text field {text_field!r} {found}", len(line))
    return Source(doc_id, text, len(line))


def _bad_line(doc_id: str, message: str, size: int) -> Source:
    return Source(doc_id, Failure(InputRecordError.__name__, message), size)


def _id_value(value: Any, fallback: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return json.dumps(value)
    return fallback


def load(source: Source) -> Item:
    """Read a file source into bytes (the worker needs no file system: it may be on another machine)."""
    payload = source.payload
    if not isinstance(payload, Path):
        return Item(source.id, payload, source.size)
    try:
        try:
            size = payload.stat().st_size
        except OSError as exc:
            raise _read_error(payload, exc) from exc
        if size > MAX_INPUT_BYTES:
            raise InputTooLargeError(f"file has {size} bytes; the limit is {MAX_INPUT_BYTES} (4 × MAX_CHARS)")
        data = read_file(payload)
    except RectifyError as exc:
        return Item(source.id, Failure(type(exc).__name__, str(exc)), 0)
    return Item(source.id, data, len(data))
