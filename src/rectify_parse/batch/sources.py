"""The inputs of a run, enumerated lazily and read into :class:`Item` objects a worker takes.

Inputs are files, directories (walked recursively in sorted order; without ``--glob`` only notice-like
files are read, :data:`NOTICE_SUFFIXES`, compressed or not, and the others are counted as skipped;
``--glob`` chooses the file names instead) and JSONL files (``*.jsonl``, or compressed: ``*.jsonl.gz``,
``.bz2``, ``.xz``, ``.zst``; one notice per line, its text in the first of the ``--text-field`` names that
holds one, its id in ``--id-field``, else ``path:line``; a blank line is an input too, an error record).

A compressed JSONL dump is read as a stream, line by line, as a plain one is; what a file holds is told by
its first bytes (:mod:`rectify_parse.compressed`), so a ``.gz`` that is plain text reads as plain text. A
dump that cannot be read to its end (an I/O error, a truncated or corrupt stream) ends the run with
:class:`InputStreamError` once the lines before the damage are parsed and written.
"""

from __future__ import annotations

import io
import json
import os
import stat
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from .. import compressed
from ..decode import MAX_BYTES_PER_CHAR, MAX_CHARS, read_file
from ..errors import (
    BatchError,
    ConfigError,
    InputReadError,
    InputRecordError,
    InputStreamError,
    InputTooLargeError,
    RectifyError,
)

# A file above this size cannot hold MAX_CHARS characters or fewer (UTF-8 needs at most 4 bytes a
# character; a compressed file adds its framing, FILE_ALLOWANCE at most), so it is reported as too large
# without being read into memory; --max-chars scales it (max_bytes).
FILE_ALLOWANCE = 1 << 16
MAX_INPUT_BYTES = MAX_BYTES_PER_CHAR * MAX_CHARS + FILE_ALLOWANCE
# A JSONL line longer than JSON_BYTES_PER_CHAR × --max-chars + LINE_ALLOWANCE bytes is too large, unread.
JSON_BYTES_PER_CHAR = 6
LINE_ALLOWANCE = 1 << 20
_MAX_FIELDS_NAMED = 8
_RAISE_LIMIT = (
    ", 4 bytes for each character allowed and 64 KB for a compressed file's framing (raise it with max_chars=, "
    "or --max-chars on the command line)"
)
# What a directory walk reads without --glob: text, saved pages (with their server's suffix, too) and JSONL
# dumps, each compressed or not (notice.txt.gz, dump.jsonl.zst). A file without a suffix is read as well
# (crawlers name pages by hash, 3f2a or 3f2a.gz); scripts, styles, images, archives (.tar.gz) and
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
    max_chars: int = MAX_CHARS,
) -> Iterator[Source]:
    """Enumerate the inputs lazily, in a deterministic order (``--resume`` relies on it).

    ``text_field``: the JSONL field holding the notice, or several separated by commas (``html,text``),
    tried in order on each line (see :func:`text_fields`).
    ``exclude`` holds absolute paths skipped while walking directories (the run's own output files).
    ``skipped`` counts, by suffix, the files a walk passed over as not notice-like (no ``globs`` given).
    A JSONL line longer than a notice of ``max_chars`` can take (:func:`max_line_bytes`) is an
    ``InputTooLargeError``, unread.
    Raises :class:`BatchError` when a JSONL file cannot be read: its number of inputs is unknown.
    """
    limit = max_line_bytes(max_chars)
    walk = _Walk(globs, text_fields(text_field), id_field, exclude, Counter() if skipped is None else skipped, limit)
    for name in inputs:
        if os.path.isdir(name):
            yield from walk.files(name)
        else:
            yield from _file_sources(name, walk.text_fields, id_field, limit)


def max_bytes(max_chars: int) -> int:
    """The bytes a file of ``max_chars`` characters can take at most (4 a character, and
    :data:`FILE_ALLOWANCE` for a compressed file's own framing); a larger file is too large without being
    read."""
    return MAX_BYTES_PER_CHAR * max_chars + FILE_ALLOWANCE


def max_line_bytes(max_chars: int) -> int:
    """The bytes a JSONL line holding a notice of ``max_chars`` characters can take: its text as a JSON string
    (6 bytes a character written ``\\uXXXX``) and the line's other fields (:data:`LINE_ALLOWANCE`)."""
    return JSON_BYTES_PER_CHAR * max_chars + LINE_ALLOWANCE


def text_fields(text_field: str) -> tuple[str, ...]:
    """The names of ``--text-field html,text``, in order; :class:`ConfigError` for an empty one."""
    names = tuple(name.strip() for name in text_field.split(","))
    if not all(names):
        raise ConfigError(f"--text-field {text_field!r} holds an empty name; separate field names by commas")
    return names


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
            walk = _Walk(globs, (), "", exclude, Counter(), 0)  # its own skipped count: the run keeps the real one
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
    """A file name's suffix as the walk tells notices by: lower case, ``""`` for none, and for a compressed
    file the suffix inside with the compression's (``.txt.gz``, ``.tar.gz``, ``.gz`` for ``3f2a.gz``)."""
    stem, last = os.path.splitext(name.lower())
    if last in compressed.SUFFIXES:
        return os.path.splitext(stem)[1] + last
    return last


def _inner(key: str) -> str:
    """The suffix under a compression's (``.txt`` of ``.txt.gz``, ``""`` of ``.gz``)."""
    cut = key.rfind(".")
    return key[:cut] if cut >= 0 and key[cut:] in compressed.SUFFIXES else key


def is_jsonl(name: str) -> bool:
    """A JSONL dump by its name: ``*.jsonl``, compressed or not (``*.jsonl.gz``, ``.bz2``, ``.xz``, ``.zst``)."""
    return _inner(suffix(os.path.basename(name))) == ".jsonl"


class _Walk:
    """A directory walk's choices: which files are inputs, and a count of those passed over."""

    def __init__(
        self,
        globs: Sequence[str],
        text_fields: tuple[str, ...],
        id_field: str,
        exclude: frozenset[str],
        skipped: Counter[str],
        limit: int,
    ) -> None:
        self.globs, self.text_fields, self.id_field = globs, text_fields, id_field
        self.exclude, self.skipped, self.limit = exclude, skipped, limit

    def files(self, top: str) -> Iterator[Source]:
        for path, error in self.paths(top):
            if error is not None:
                yield _failed(path, _read_error(path, error))
            else:
                yield from _file_sources(path, self.text_fields, self.id_field, self.limit)

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
        if _inner(key) in NOTICE_SUFFIXES:
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


def _file_sources(path: str, text_fields: tuple[str, ...], id_field: str, limit: int) -> Iterator[Source]:
    if is_jsonl(path):
        yield from _jsonl_sources(path, text_fields, id_field, limit)
    else:
        yield Source(path, Path(path), 0)


def _read_error(path: str | Path, exc: OSError) -> InputReadError:
    return InputReadError(f"cannot read {path}: {exc.strerror or exc}")


def _failed(doc_id: str, exc: BaseException) -> Source:
    return Source(doc_id, Failure(type(exc).__name__, str(exc)), 0)


def _jsonl_sources(path: str, text_fields: tuple[str, ...], id_field: str, limit: int) -> Iterator[Source]:
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by the with below, errors reported first
        kind = compressed.compression_of(raw.read(compressed.HEAD_BYTES))
        raw.seek(0)
    except OSError as exc:
        raise BatchError(f"cannot read JSONL input {path}: {exc}") from exc
    with raw:
        try:
            handle = raw if kind is None else compressed.open_stream(kind, raw)
        except RectifyError as exc:  # zstd without a module to read it
            raise BatchError(f"cannot read JSONL input {path}: {exc}") from exc
        lines = _bounded_lines(handle, limit)
        lineno = 0
        read = 0  # bytes of the file read so far: a compressed line's size is its share of them
        while True:
            try:
                numbered = next(lines, None)
            except compressed.STREAM_ERRORS as exc:  # OSError among them
                what = "" if kind is None else f" (a truncated or corrupt {compressed.NAMES[kind]} file?)"
                raise InputStreamError(
                    f"cannot read JSONL input {path} past line {lineno}: {exc or type(exc).__name__}{what}"
                ) from exc
            if numbered is None:
                return
            lineno, line = numbered
            if kind is None:
                size = len(line) if line is not None else 0
            else:
                size, read = raw.tell() - read, raw.tell()
            yield _jsonl_source(path, lineno, line, size, text_fields, id_field, limit)


def _bounded_lines(handle: io.BufferedIOBase, limit: int) -> Iterator[tuple[int, bytes | None]]:
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


def _jsonl_source(
    path: str,
    lineno: int,
    line: bytes | None,
    size: int,
    text_fields: tuple[str, ...],
    id_field: str,
    limit: int,
) -> Source:
    """One line's input; ``size`` is the bytes of the file it took (its length, or a compressed share)."""
    where = f"{path}:{lineno}"
    if line is None:
        message = (
            f"line {lineno} of {path} is longer than {limit} bytes, 6 bytes for each character allowed and 1 MB "
            "for its other fields (raise it with max_chars=, or --max-chars on the command line)"
        )
        return Source(where, Failure(InputTooLargeError.__name__, message), size)
    if not line.strip():  # every input line gives an output line, a blank one too
        return _bad_line(where, f"line {lineno} of {path} is blank", size)
    try:
        obj = orjson.loads(line)
    except ValueError as exc:  # JSONDecodeError, or UnicodeDecodeError for bytes that are not UTF-8
        return _bad_line(where, f"line {lineno} of {path} is not valid JSON: {exc}", size)
    if not isinstance(obj, dict):
        return _bad_line(where, f"line {lineno} of {path} is a JSON {type(obj).__name__}, not an object", size)
    doc_id = _id_value(obj.get(id_field), where)
    text = _text_of(obj, text_fields)
    if text is None:
        return _bad_line(doc_id, f"line {lineno} of {path}: {_no_text(obj, text_fields)}", size)
    return Source(doc_id, text, size)


def _text_of(obj: dict[str, Any], names: tuple[str, ...]) -> str | None:
    """The first of the fields that holds text; failing that, the first that holds a string (a blank one:
    its record says there is no body); None when none is a string."""
    blank: str | None = None
    for name in names:
        value = obj.get(name)
        if isinstance(value, str):
            if value and not value.isspace():
                return value
            if blank is None:
                blank = value
    return blank


def _no_text(obj: dict[str, Any], names: tuple[str, ...]) -> str:
    """Why no field of ``names`` holds the notice: each one missing, null or not a string."""
    found = []
    for name in names:
        if name not in obj:
            found.append(f"{name!r} is missing")
        elif obj[name] is None:
            found.append(f"{name!r} is null")
        else:
            found.append(f"{name!r} is {_a(type(obj[name]).__name__)}, not a string")
    what = f"text field {found[0]}" if len(names) == 1 else f"no text field holds the notice: {', '.join(found)}"
    if any(name not in obj for name in names):
        fields = ", ".join(map(str, list(obj)[:_MAX_FIELDS_NAMED]))
        what += f" (its fields: {fields}; choose with --text-field, several separated by commas)"
    return what


def _a(noun: str) -> str:
    """``a dict``, ``an int``: JSON's types as Python names them."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _bad_line(doc_id: str, message: str, size: int) -> Source:
    return Source(doc_id, Failure(InputRecordError.__name__, message), size)


def _id_value(value: Any, fallback: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return json.dumps(value)
    return fallback


def load(source: Source, limit: int = MAX_INPUT_BYTES) -> Item:
    """Read a file source into bytes (the worker needs no file system: it may be on another machine); a file
    of more than ``limit`` bytes is an ``InputTooLargeError``, unread."""
    payload = source.payload
    if not isinstance(payload, Path):
        return Item(source.id, payload, source.size)
    try:
        data = read_input(payload, limit)
    except RectifyError as exc:
        return Item(source.id, Failure(type(exc).__name__, str(exc)), 0)
    return Item(source.id, data, len(data))


def read_input(path: Path, limit: int) -> bytes:
    """The bytes of the file at ``path``: :class:`InputReadError` when it cannot be read,
    :class:`InputTooLargeError` without reading it when it has more than ``limit`` bytes."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _read_error(path, exc) from exc
    if size > limit:
        raise InputTooLargeError(f"file has {size} bytes; the limit is {limit}{_RAISE_LIMIT}")
    return read_file(path)
