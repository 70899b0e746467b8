"""Batch-clean a corpus: ``rectify-parse batch INPUT... -o OUT.jsonl``.

Every input becomes exactly one JSON line of the output, in input order::

    {"id": "<input id>", "record": {...}}                       parsed
    {"id": "<input id>", "error": {"type": "...", "message": "..."}}   not parsed (the batch goes on)

Inputs are files, directories (walked recursively in sorted order, ``--glob`` filters file names) and
JSONL files (``*.jsonl``: one notice per line, its text in ``--text-field``, its id in ``--id-field``,
else ``path:line``; blank lines are not inputs). Inputs stream through a bounded pipeline, so memory
does not grow with the corpus (``--dedup`` excepted: it keeps 25 LSH band keys, a 128-value signature
and the output offset of every notice, and reads the bodies of candidate pairs back from the first-pass
output).

The output is written to ``OUT.jsonl.tmp`` and renamed over ``OUT.jsonl`` only once complete, so a
file named ``OUT.jsonl`` is never a truncated run; ``--resume`` continues an interrupted ``.tmp``.

Exit codes:
    0  every input parsed
    1  some inputs failed; each is in the output as an error record, the others are parsed
    2  bad command line
    3  the run itself failed: output not writable, a JSONL input unreadable, a ``.tmp`` that does not
       belong to these inputs, a lost scheduler, or interrupted (``--resume`` continues it)

A worker process that dies (killed, or crashed in native code) does not end a run with ``--workers``
of 2 or more: its inputs are parsed again in a new pool, and an input that kills a worker again is
an error record ``WorkerDied``. With ``--workers 1`` inputs are parsed in the main process.

An input that takes longer than ``--timeout`` seconds to parse is stopped and becomes an error record
``ParseTimeoutError``. The limit is a SIGALRM in the process that parses, which interrupts Python code;
with ``--workers`` of 2 or more the parent also watches which input each worker is parsing and since
when, kills the workers when one is stuck outside Python code (``HARD_GRACE`` seconds past the limit),
and runs the chunks in flight again without that input.
Signals need Unix and the main thread: on Windows only the pool's limit applies, and on a Dask
cluster, whose workers run tasks in threads, none does.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import signal
import stat
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from concurrent.futures import wait as futures_wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from types import FrameType
from typing import IO, Any, NamedTuple, NoReturn, Protocol, TextIO

import orjson

from .corpus import DEFAULT_THRESHOLD, Group, NearDuplicateFinder, Sketch, sketch
from .decode import input_bytes
from .errors import BatchError, ConfigError, InputRecordError, InputTooLargeError, ParseTimeoutError, RectifyError
from .html import FORMATS, FormatOption, check_format
from .pipeline import MAX_CHARS, parse
from .records import Notice, check_fields, document_text, shape_record

EXIT_OK = 0
EXIT_INPUT_FAILED = 1
EXIT_USAGE = 2
EXIT_RUN_FAILED = 3
# The reader of standard output went away (… | head): the run ends quietly with the status of a process a
# SIGPIPE ended, as Unix tools do.
EXIT_PIPE_CLOSED = 128 + 13


class OutputClosed(Exception):
    """Standard output was closed by its reader before the run finished."""


# A file above this size cannot hold MAX_CHARS characters or fewer (UTF-8 needs at most 4 bytes a
# character), so it is reported as too large without being read into memory.
MAX_INPUT_BYTES = 4 * MAX_CHARS
# Chunks waiting for or held by a worker, per worker: enough to keep workers busy, few enough that
# memory stays flat.
IN_FLIGHT_PER_WORKER = 4
DEFAULT_CHUNK = 32
PROGRESS_INTERVAL = 0.5  # seconds between updates of the status line on a terminal
PROGRESS_LOG_INTERVAL = 5.0  # ... and between lines when stderr is a file or pipe (forced by --progress)
# Seconds one input may take to parse. The largest input allowed (MAX_CHARS) parses in seconds; an
# input still running after two minutes is stuck, and one such page must not hold a run of millions.
DEFAULT_TIMEOUT = 120.0
# Seconds the workers get to finish their chunks when the reader of the results stops early.
CLOSE_GRACE = 2.0
MAX_TIMEOUT = 1e6  # about eleven days; setitimer refuses much larger values
# Seconds the parent waits past an input's limit before it kills a worker stuck outside Python code.
HARD_GRACE = 5.0
# After the limit the alarm repeats this often: a raise swallowed on its way up does not lift the limit.
ALARM_REPEAT = 1.0
# Seconds between the parent's looks at its workers' clocks while it waits for a chunk.
_POLL = 1.0


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


class Outcome(NamedTuple):
    """What the summary needs to know about one output line."""

    error: str | None
    copies: int
    wording_variants: int
    warnings: tuple[str, ...]
    message: str = ""  # the error's message, for the summary's examples


class Shape(NamedTuple):
    """How a worker writes each input's record, and whether it also returns the documents' sketch."""

    sketch: bool  # the near-duplicate sketch of the documents' clean text, for --dedup
    compact: bool  # the record without spans, section text and cleaned (--compact)
    fields: tuple[str, ...] | None  # the record's keys to keep (--fields); None: all
    format: FormatOption = "auto"  # the inputs' format (--format): text, html, or told apart by content


class Result(NamedTuple):
    """One output line, produced by a worker."""

    id: str
    line: bytes  # one JSON object, UTF-8, no newline
    outcome: Outcome
    size: int
    sketch: Sketch | None  # the clean body's, sent back only for --dedup (computed here: in parallel)


@dataclass(frozen=True)
class BatchOptions:
    """Everything ``rectify-parse batch`` accepts, as a library call."""

    inputs: Sequence[str]
    output: str
    globs: Sequence[str] = ()
    text_field: str = "text"
    id_field: str = "id"
    workers: int = 1
    chunk_size: int = DEFAULT_CHUNK
    dedup: bool = False
    threshold: float = DEFAULT_THRESHOLD
    resume: bool = False
    scheduler: str | None = None
    summary: str | None = None
    progress: bool | None = None  # None: only when stderr is a terminal
    quiet: bool = False
    timeout: float | None = DEFAULT_TIMEOUT  # seconds per input; None: no limit
    compact: bool = False  # records without spans, section text and cleaned
    fields: tuple[str, ...] | None = None  # the record's top-level keys to write; None: all
    format: FormatOption = "auto"  # text, html, or told apart by each input's content


MAX_ERROR_EXAMPLES = 10
_MAX_FIELDS_NAMED = 8


# ---------------------------------------------------------------------------------------------------
# Inputs


def iter_sources(
    inputs: Iterable[str],
    *,
    globs: Sequence[str] = (),
    text_field: str = "text",
    id_field: str = "id",
    exclude: frozenset[str] = frozenset(),
) -> Iterator[Source]:
    """Enumerate the inputs lazily, in a deterministic order (``--resume`` relies on it).

    ``exclude`` holds absolute paths skipped while walking directories (the run's own output files).
    Raises :class:`BatchError` when a JSONL file cannot be read: its number of inputs is unknown.
    """
    for name in inputs:
        if os.path.isdir(name):
            yield from _walk(name, globs, text_field, id_field, exclude)
        else:
            yield from _file_sources(name, text_field, id_field)


def _walk(top: str, globs: Sequence[str], text_field: str, id_field: str, exclude: frozenset[str]) -> Iterator[Source]:
    try:
        with os.scandir(top) as entries:
            names = sorted(entry.name for entry in entries)  # names only: a huge flat directory stays cheap
    except OSError as exc:
        yield _failed(top, exc)
        return
    for name in names:
        path = os.path.join(top, name)
        kind = _kind(path)
        if kind == "dir":
            yield from _walk(path, globs, text_field, id_field, exclude)
        elif kind == "file" and _selected(name, globs) and os.path.abspath(path) not in exclude:
            yield from _file_sources(path, text_field, id_field)


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


def _selected(name: str, globs: Sequence[str]) -> bool:
    return not globs or any(fnmatch(name, pattern) for pattern in globs)


def _file_sources(path: str, text_field: str, id_field: str) -> Iterator[Source]:
    if path.endswith(".jsonl"):
        yield from _jsonl_sources(path, text_field, id_field)
    else:
        yield Source(path, Path(path), 0)


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
        size = payload.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputTooLargeError(f"file has {size} bytes; the limit is {MAX_INPUT_BYTES} (4 × MAX_CHARS)")
        data = payload.read_bytes()
    except (OSError, RectifyError) as exc:
        return Item(source.id, Failure(type(exc).__name__, str(exc)), 0)
    return Item(source.id, data, len(data))


# ---------------------------------------------------------------------------------------------------
# Parsing one input (runs in workers)


def error_dict(doc_id: str, error_type: str, message: str) -> dict[str, Any]:
    return {"id": doc_id, "error": {"type": error_type, "message": message}}


def parse_item(doc_id: str, raw: bytes | str) -> dict[str, Any]:
    """The output object of one input: ``{"id", "record"}`` or ``{"id", "error"}``; never raises."""
    try:
        record = parse(raw).to_dict()
    except Exception as exc:  # one input must never stop a batch; the type name tells what happened
        return error_dict(doc_id, type(exc).__name__, str(exc))
    return {"id": doc_id, "record": record}


def outcome_of(obj: dict[str, Any]) -> Outcome:
    error = obj.get("error")
    if error is not None:
        return Outcome(str(error["type"]), 0, 0, (), str(error.get("message", "")))
    record = obj["record"]
    duplicates = record["duplicates"]
    wording = sum(1 for v in duplicates["variants"] if v["kind"] == "wording")
    return Outcome(None, len(duplicates["copies"]), wording, tuple(w["code"] for w in record["warnings"]))


def process_item(item: Item, shape: Shape, limit: float | None = None) -> Result:
    """One output line; an exception past the parser (a record JSON cannot hold) is the input's error.
    ``limit``: seconds the parse may take, enforced by the alarm ``process_chunk`` installs."""
    payload = item.payload
    if isinstance(payload, Failure):
        return _error_result(item, payload.type, payload.message)
    try:
        try:
            _ALARM.arm(limit)
            notice = parse(payload, format=shape.format)
        finally:
            _ALARM.disarm()
        # orjson writes the dataclasses directly: no intermediate dict tree, several times faster than
        # to_dict() + json.dumps on the records of a batch.
        if shape.compact:
            record: Any = shape_record(notice, shape.fields, lighter=True)
        elif shape.fields is not None:
            record = {name: getattr(notice, name) for name in shape.fields}  # orjson writes these dataclasses
        else:
            record = notice
        line = orjson.dumps({"id": item.id, "record": record})
    except Exception as exc:  # one input must never stop a batch; the type name tells what happened
        _ALARM.disarm()  # again: an alarm handled on the way into the first disarm skipped it
        return _error_result(item, type(exc).__name__, str(exc))
    body = sketch(document_text(notice)) if shape.sketch else None
    return Result(item.id, line, notice_outcome(notice), item.size, body)


def _error_result(item: Item, error_type: str, message: str) -> Result:
    obj = error_dict(item.id, error_type, message)
    return Result(item.id, orjson.dumps(obj), outcome_of(obj), item.size, None)


def notice_outcome(notice: Notice) -> Outcome:
    """``outcome_of`` for a record not yet written."""
    variants = notice.duplicates.variants
    wording = sum(1 for v in variants if v.kind == "wording")
    return Outcome(None, len(notice.duplicates.copies), wording, tuple(w.code for w in notice.warnings))


def process_chunk(items: list[Item], shape: Shape, timeout: float | None = None, ticket: int = -1) -> list[Result]:
    """Worker entry point: one result per item, in order, each parse limited to ``timeout`` seconds
    where this thread can take signals (see the module's notes); ``ticket`` names the chunk to the
    parent, which watches which input of which chunk each worker is parsing."""
    limit = timeout if timeout and _ALARM.usable() else None
    if limit is None:
        return _process_items(items, shape, None, ticket)
    _warm_up()
    previous = signal.signal(signal.SIGALRM, _ALARM.fire)
    try:
        return _process_items(items, shape, limit, ticket)
    finally:
        _ALARM.disarm()
        signal.setitimer(signal.ITIMER_REAL, 0)  # whatever was interrupted: no alarm outlives the chunk
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)  # None: set from C


def _process_items(items: list[Item], shape: Shape, limit: float | None, ticket: int) -> list[Result]:
    out: list[Result] = []
    for index, item in enumerate(items):
        _CLOCK.start(ticket, index)
        out.append(process_item(item, shape, limit))
        _CLOCK.stop()
    return out


# A page whose parse runs the parser's one-time set-up (numpy, its class tables): done once per process
# before any limit is armed, so no input pays for it and no alarm interrupts it.
_WARM_UP_PAGE = "\n".join(
    ["关于整改情况的报告", "一、整改情况", "1.问题一。", "整改措施：一是加强管理。二是落实责任。", "完成情况：已完成。"]
)


@functools.cache
def _warm_up() -> None:
    parse(_WARM_UP_PAGE)


def _over_time(limit: float) -> str:
    return f"parsing took longer than {limit:g} s (--timeout)"


class _Alarm:
    """The time limit of one parse: SIGALRM, whose handler raises ParseTimeoutError while a limit is
    armed and does nothing once it is disarmed (a signal may be handled a few instructions late)."""

    def __init__(self) -> None:
        self.limit: float | None = None

    @staticmethod
    def usable() -> bool:
        return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def fire(self, signum: int, frame: FrameType | None) -> None:
        if self.limit is None:
            return
        while frame is not None:
            if frame.f_code.co_filename.startswith("<frozen importlib._bootstrap"):
                return  # a module half imported would fail every later input: the alarm repeats soon
            frame = frame.f_back
        raise ParseTimeoutError(_over_time(self.limit))

    def arm(self, limit: float | None) -> None:
        if limit is not None:
            self.limit = limit
            signal.setitimer(signal.ITIMER_REAL, limit, ALARM_REPEAT)

    def disarm(self) -> None:
        if self.limit is not None:
            self.limit = None  # first: a signal handled from here on is ignored
            signal.setitimer(signal.ITIMER_REAL, 0)


_ALARM = _Alarm()


class _Clock:
    """Which input this worker process is parsing and since when, in a slot of memory its pool shares:
    ``(started, ticket, index)`` as doubles, ``started`` from ``time.monotonic()`` (one clock for every
    process) and 0.0 while idle. The parent sees a worker stuck on one input, where no alarm reaches,
    and which input it is."""

    def __init__(self) -> None:
        self.slots: Any = None  # a shared array of 3 doubles per worker; None outside a pool
        self.slot = -1

    def claim(self, slots: Any, claimed: Any) -> None:
        with claimed.get_lock():
            self.slot, claimed.value = claimed.value, claimed.value + 1
        self.slots = slots if 3 * self.slot < len(slots) else None  # a worker beyond the pool's size

    def start(self, ticket: int, index: int) -> None:
        if self.slots is not None:
            base = 3 * self.slot
            self.slots[base + 1], self.slots[base + 2] = ticket, index
            self.slots[base] = time.monotonic()  # last: a parent that sees the time sees the input too

    def stop(self) -> None:
        if self.slots is not None:
            self.slots[3 * self.slot] = 0.0


_CLOCK = _Clock()


# ---------------------------------------------------------------------------------------------------
# Running chunks in order


class _Future(Protocol):
    def result(self) -> list[Result]: ...


Submit = Callable[[list[Item]], _Future]


def _chunks(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ordered_results(chunks: Iterable[list[Item]], submit: Submit, in_flight: int) -> Iterator[Result]:
    """Submit chunks with at most ``in_flight`` outstanding and yield their results in input order."""
    pending: deque[_Future] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= in_flight:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def _init_worker(slots: Any, claimed: Any) -> None:
    # Ctrl-C reaches the whole process group: the parent stops the run; workers must not print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _CLOCK.claim(slots, claimed)


def _pool_context() -> Any:
    import multiprocessing

    # fork() in a process that may hold threads (a Dask client, a test runner) can deadlock.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def run_items(items: Iterator[Item], options: BatchOptions) -> Generator[Result, None, None]:
    """Results of every item, in order, computed in-process, in a process pool or on a Dask cluster."""
    shape = Shape(options.dedup, options.compact, first_pass_fields(options), options.format)
    timeout = options.timeout
    chunks = _chunks(items, options.chunk_size)
    if options.scheduler is not None:
        from .dask import scheduler_submit

        with scheduler_submit(options.scheduler) as (submit, parallelism):
            in_flight = parallelism * IN_FLIGHT_PER_WORKER
            yield from ordered_results(chunks, lambda c: submit(process_chunk, c, shape, timeout), in_flight)
    elif options.workers == 1:
        for chunk in chunks:
            yield from process_chunk(chunk, shape, timeout)
    else:
        pool = _Pool(options.workers, timeout)
        finished = False
        grace = 0.0
        try:
            in_flight = options.workers * IN_FLIGHT_PER_WORKER
            yield from ordered_results(chunks, lambda c: pool.submit(c, shape), in_flight)
            finished = True
        except GeneratorExit:
            # The reader stopped (its output closed, or Ctrl-C while it wrote): the workers get a moment to
            # finish the few chunks they hold, so the pool closes cleanly; killed mid-write, they would
            # leave the pool's exit handlers waiting. A worker stuck past the moment is killed all the same.
            grace = CLOSE_GRACE
            raise
        finally:
            pool.shutdown(finished, grace)  # interrupted: kill the workers, which may be stuck and ignore Ctrl-C


class _OutOfTime(BrokenProcessPool):
    """A worker was parsing one input past the time limit; the pool's workers were killed."""


# Seconds to wait for a killed pool to mark its futures broken before going on regardless.
_SETTLE = 30.0


class _Pool:
    """A process pool that outlives a worker killed by an input (a crash in a C extension, the kernel's
    out-of-memory killer): the chunks it held are run again in a new pool, the chunk that broke it one
    input at a time, and an input that kills its worker again becomes a ``WorkerDied`` error record.

    Each submitted chunk gets a ticket, and each worker writes the ticket and index of the input it is
    parsing, with the time it started, to memory the pool shares (``_Clock``). While the parent waits,
    it looks at them once a second: a worker on one input longer than the limit plus ``HARD_GRACE`` is
    stuck where the alarm cannot reach, so the pool's workers are killed, that input becomes a
    ``ParseTimeoutError`` error record, and every chunk in flight runs again without it."""

    def __init__(self, workers: int, timeout: float | None = None) -> None:
        self._workers = workers
        self._timeout = timeout
        self._generation = 0
        self._tickets = 0
        self._timed_out: set[tuple[int, int]] = set()  # (ticket, index) of inputs found stuck
        self._started: Any = None  # the workers' _Clock slots
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        context = _pool_context()
        self._started = context.Array("d", 3 * self._workers, lock=False)
        claimed = context.Value("i", 0)
        return ProcessPoolExecutor(
            self._workers, mp_context=context, initializer=_init_worker, initargs=(self._started, claimed)
        )

    def _stuck(self) -> list[tuple[int, int]]:
        """(ticket, index) of the inputs a worker has been parsing past the limit and its grace."""
        if not self._timeout:
            return []
        now, slots = time.monotonic(), self._started[:]
        return [
            (int(slots[k + 1]), int(slots[k + 2]))
            for k in range(0, len(slots), 3)
            if slots[k] and now - slots[k] > self._timeout + HARD_GRACE
        ]

    def kill(self, generation: int) -> None:
        """Kill the workers of ``generation``'s pool (a worker stuck in native code ignores everything
        else); its chunks then fail as from a broken pool."""
        if generation != self._generation:
            return
        executor: Any = self._executor
        if hasattr(executor, "kill_workers"):  # Python 3.14+
            executor.kill_workers()
            return
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            process.kill()

    def _restart(self, generation: int) -> None:
        """A new pool, unless one was already started since ``generation`` broke."""
        if generation == self._generation:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._new_executor()
            self._generation += 1

    def submit(self, chunk: list[Item], shape: Shape) -> _Job:
        return _Job(self, chunk, shape)

    def run(self, chunk: list[Item], shape: Shape) -> tuple[int, int, Future[list[Result]]]:
        """Submit ``chunk``: its pool's generation, its ticket and its future."""
        self._tickets += 1
        future = self._executor.submit(process_chunk, chunk, shape, self._timeout, self._tickets)
        return self._generation, self._tickets, future

    def wait(self, generation: int, future: Future[list[Result]]) -> list[Result]:
        """The future's results. Raises BrokenProcessPool (or CancelledError) for a broken pool, and its
        subclass _OutOfTime when a worker was stuck (the pool's workers are then killed)."""
        if not self._timeout:
            return future.result()
        while True:
            try:
                return future.result(timeout=_POLL)
            except FutureTimeoutError:
                stuck = self._stuck() if generation == self._generation else []
                if stuck:
                    self._timed_out.update(stuck)
                    self.kill(generation)
                    # Once the pool sees its workers dead it fails every future it holds; restarting it
                    # before that would cancel them instead.
                    futures_wait([future], timeout=_SETTLE)
                    raise _OutOfTime("an input ran past its time limit; the pool's workers were killed") from None

    @property
    def generation(self) -> int:
        return self._generation

    def recover(self, generation: int, ticket: int, chunk: list[Item], shape: Shape) -> list[Result]:
        """The results of a chunk whose pool broke (any chunk in flight may have broken it): its inputs
        found stuck are timeout records, the others run again."""
        self._restart(generation)
        stuck = {index for t, index in self._timed_out if t == ticket}
        self._timed_out -= {(ticket, index) for index in stuck}
        rest = self._settle([item for index, item in enumerate(chunk) if index not in stuck], shape)
        return self._merged(chunk, stuck, rest)

    def _settle(self, items: list[Item], shape: Shape) -> list[Result]:
        """``items`` run again in the current pool, alone in it. When it breaks with one of them stuck,
        that one is a timeout record and the others run again; when it breaks otherwise, they run one
        at a time, and an input that breaks its pool alone is a ``WorkerDied`` record."""
        if not items:
            return []
        generation, ticket, future = self.run(items, shape)
        try:
            return self.wait(generation, future)
        except (BrokenProcessPool, CancelledError):
            pass
        if any(t == ticket for t, _ in self._timed_out):
            return self.recover(generation, ticket, items, shape)
        self._restart(generation)
        if len(items) > 1:
            return [result for item in items for result in self._settle([item], shape)]
        message = "the worker process parsing this input died (killed, or crashed in native code)"
        return [_error_result(items[0], "WorkerDied", message)]

    def _merged(self, chunk: list[Item], stuck: set[int], rest: list[Result]) -> list[Result]:
        """``rest`` (the results of the inputs not stuck) with the stuck inputs' timeout records put back."""
        message = f"{_over_time(self._timeout or 0.0)}; its worker was killed"
        others = iter(rest)
        return [
            _error_result(item, ParseTimeoutError.__name__, message) if index in stuck else next(others)
            for index, item in enumerate(chunk)
        ]

    def shutdown(self, finished: bool = True, grace: float = 0.0) -> None:
        """Wait for the workers to exit when the run finished; when it was interrupted, give them ``grace``
        seconds to finish what they hold, then kill the ones still running."""
        if finished:
            self._executor.shutdown(wait=True, cancel_futures=True)
            return
        executor: Any = self._executor
        # Taken before shutdown(), which forgets them.
        processes = list((getattr(executor, "_processes", None) or {}).values())
        call_queue = getattr(executor, "_call_queue", None)
        executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + grace
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        stuck = [process for process in processes if process.is_alive()]
        for process in stuck:
            process.kill()  # a worker stuck in native code ignores everything else
        if stuck and call_queue is not None:
            # The queue's feeder thread may be blocked writing a chunk no worker will read; without this
            # the interpreter waits for it at exit, forever.
            call_queue.cancel_join_thread()


class _Job:
    """A submitted chunk; ``result`` recovers from a broken pool."""

    def __init__(self, pool: _Pool, chunk: list[Item], shape: Shape) -> None:
        self._pool, self._chunk, self._shape = pool, chunk, shape
        self._future: Future[list[Result]] | None = None
        self._ticket = -1
        try:
            self._generation, self._ticket, self._future = pool.run(chunk, shape)
        except BrokenProcessPool:  # the pool broke before this chunk could be sent
            self._generation = pool.generation

    def result(self) -> list[Result]:
        if self._future is not None:
            try:
                return self._pool.wait(self._generation, self._future)
            except (BrokenProcessPool, CancelledError):
                pass
        return self._pool.recover(self._generation, self._ticket, self._chunk, self._shape)


# ---------------------------------------------------------------------------------------------------
# Near-duplicates across the run


class DedupIndex:
    """NearDuplicateFinder over a run, keyed by input id; a repeated id is indexed as ``id#N``.

    ``N`` is the 1-based position of the input in the run; the finder needs unique keys and the
    output must still say which input is meant. Unless ``keep_texts``, bodies are not kept in memory:
    the index remembers where each record's line starts in the first-pass output and reads candidates
    back from there.
    """

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, *, keep_texts: bool = False, drop: Iterable[str] = ()
    ) -> None:
        self._finder = NearDuplicateFinder(threshold=threshold, keep_texts=keep_texts)
        self._drop = tuple(drop)  # record keys the first pass kept only for reading bodies back
        self._seen: set[str] = set()
        self._keys: list[str] = []  # by ordinal; the strings are the ones the finder keeps anyway
        self._offsets: dict[str, int] = {}
        self._representative: dict[str, str] = {}
        self._group_of: dict[str, int] = {}
        self._groups: list[Group] | None = None

    def add(self, ordinal: int, doc_id: str, body: str | Sketch | None, offset: int = -1) -> None:
        """Record input ``ordinal`` (0-based, in order): its clean body or the body's sketch (None when it
        failed; a sketch only when texts are not kept) and the byte offset of its line in the first-pass
        output (unused when texts are kept)."""
        if ordinal != len(self._keys):
            raise BatchError(f"input {ordinal} recorded out of order (expected {len(self._keys)})")
        key = f"{doc_id}#{ordinal + 1}" if doc_id in self._seen else doc_id
        self._seen.add(doc_id)
        self._keys.append(key)
        if isinstance(body, str):
            self._finder.add(key, body)
        elif body is not None:
            self._finder.add_sketch(key, body)
        if body is not None:
            self._offsets[key] = offset

    def verify(
        self,
        first: IO[bytes] | None = None,
        *,
        variants: bool = True,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Verify the candidate pairs and form the groups, reading bodies back from ``first`` (the
        first-pass output; None when texts are kept); ``variants`` and ``progress`` as for
        ``NearDuplicateFinder.groups``."""

        load = None if first is None else self._reader(first)
        self._groups = self._finder.groups(load, variants=variants, progress=progress)
        self._representative = {member: g.representative for g in self._groups for member in g.ids[1:]}
        self._group_of = {member: k for k, g in enumerate(self._groups) for member in g.ids}

    def _reader(self, first: IO[bytes]) -> Callable[[str], str]:
        def body(key: str) -> str:
            first.seek(self._offsets[key])
            return document_text(orjson.loads(first.readline())["record"])

        return body

    @property
    def groups(self) -> list[Group]:
        """The groups found by ``verify``."""
        if self._groups is None:
            raise BatchError("near-duplicate groups asked for before they were verified")
        return self._groups

    def annotate(self, ordinal: int, line: bytes) -> bytes:
        """Output line ``ordinal`` (an object, its newline optional) with ``near_duplicate_of`` (the
        representative's id, or None) and ``group`` (the group's index in the summary's ``groups``, or
        None) added, and a newline (call ``verify`` first). The group index tells the members of a group
        apart even when ids repeat."""
        key = self._keys[ordinal]
        if self._drop:
            line = _without(line, self._drop)
        target = orjson.dumps(self._representative.get(key))
        group = orjson.dumps(self._group_of.get(key))
        # One copy of the (long) line up to its closing brace: a chain of + would copy it once per piece.
        end = len(line) - 1 - line.endswith(b"\n")
        return b"".join((memoryview(line)[:end], b',"near_duplicate_of":', target, b',"group":', group, b"}\n"))


def _without(line: bytes, keys: Sequence[str]) -> bytes:
    obj = orjson.loads(line)
    record = obj.get("record")
    if record is not None:
        for key in keys:
            record.pop(key, None)
    return orjson.dumps(obj)


# Grouping reads each candidate's documents back from the first pass: their text, in every segment.
_DEDUP_FIELDS = ("text", "segments")


def first_pass_fields(options: BatchOptions) -> tuple[str, ...] | None:
    """The record keys the workers write: the chosen ones, plus under ``--dedup`` what grouping reads."""
    if options.fields is None or not options.dedup:
        return options.fields
    return check_fields([*options.fields, *_DEDUP_FIELDS])


def dedup_index(options: BatchOptions) -> DedupIndex:
    """The index of a ``--dedup`` run; it drops again the keys the first pass kept only for grouping."""
    drop = () if options.fields is None else [key for key in _DEDUP_FIELDS if key not in options.fields]
    return DedupIndex(options.threshold, drop=drop)


# ---------------------------------------------------------------------------------------------------
# Counting and reporting


@dataclass
class Tally:
    """Running counts for the progress line and the summary."""

    notices: int = 0
    resumed: int = 0
    bytes: int = 0
    pages_with_copies: int = 0
    wording_variants: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    # The first failing inputs, (id, error type, message): the summary says what went wrong and where.
    error_examples: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, outcome: Outcome, size: int = 0, doc_id: str = "") -> None:
        self.notices += 1
        self.bytes += size
        if outcome.error is not None:
            self.errors[outcome.error] += 1
            if len(self.error_examples) < MAX_ERROR_EXAMPLES:
                self.error_examples.append((doc_id, outcome.error, outcome.message))
        self.pages_with_copies += int(outcome.copies > 1)
        self.wording_variants += outcome.wording_variants
        self.warnings.update(outcome.warnings)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def build_summary(tally: Tally, groups: list[Group] | None, elapsed: float, options: BatchOptions) -> dict[str, Any]:
    processed = tally.notices - tally.resumed
    rate = elapsed if elapsed > 0 else float("inf")
    return {
        "output": options.output,
        "notices": tally.notices,
        "parsed": tally.notices - tally.error_count,
        "errors": tally.error_count,
        "errors_by_type": dict(sorted(tally.errors.items())),
        "error_examples": [{"id": i, "type": t, "message": m} for i, t, m in tally.error_examples],
        "resumed": tally.resumed,
        "pages_with_copies": tally.pages_with_copies,
        "wording_variants": tally.wording_variants,
        "near_duplicate_groups": None if groups is None else len(groups),
        "groups": [
            {"ids": g.ids, "representative": g.representative, "similarity": g.similarity} for g in groups or []
        ],
        "warnings_by_code": dict(sorted(tally.warnings.items())),
        "bytes": tally.bytes,
        "elapsed_s": round(elapsed, 3),
        "notices_per_s": round(processed / rate, 1),
        "mb_per_s": round(tally.bytes / 1e6 / rate, 3),
        "workers": None if options.scheduler else options.workers,
        "scheduler": options.scheduler,
    }


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counter.items()) or "none"


def format_summary(summary: dict[str, Any]) -> str:
    groups = summary["near_duplicate_groups"]
    grouped = sum(len(g["ids"]) for g in summary["groups"])
    near = "not computed (use --dedup)" if groups is None else f"{groups} ({grouped} notices)"
    resumed = f" ({summary['resumed']} kept from the interrupted run)" if summary["resumed"] else ""
    return "\n".join(
        [
            f"batch: {summary['notices']} notices{resumed} -> {summary['output']}",
            f"  parsed {summary['parsed']}, errors {summary['errors']}: {_counts(summary['errors_by_type'])}",
            *(f"    {e['id']}: {e['type']}: {e['message']}" for e in summary.get("error_examples", [])),
            f"  pages with repeated copies {summary['pages_with_copies']}, "
            f"wording variants {summary['wording_variants']}",
            f"  near-duplicate groups: {near}",
            f"  warnings: {_counts(summary['warnings_by_code'])}",
            f"  {summary['notices_per_s']} notices/s, {summary['mb_per_s']} MB/s, {summary['elapsed_s']} s",
        ]
    )


class Progress:
    """A throttled status line on stderr: rewritten in place on a terminal, one line per update otherwise."""

    def __init__(self, stream: TextIO, enabled: bool, total_bytes: int | None = None) -> None:
        self._stream = stream
        self._enabled = enabled
        self._total = total_bytes  # the inputs' size when known (files and JSONL, not directories)
        self._tty = stream.isatty()
        self._interval = PROGRESS_INTERVAL if self._tty else PROGRESS_LOG_INTERVAL
        self._start = time.perf_counter()
        self._last = self._start

    def update(self, tally: Tally, *, force: bool = False) -> None:
        now = time.perf_counter()
        if not self._enabled or (not force and now - self._last < self._interval):
            return
        self._last = now
        elapsed = max(now - self._start, 1e-9)
        rate = (tally.notices - tally.resumed) / elapsed
        share = ""
        if self._total:
            done = min(tally.bytes / self._total, 1.0)
            left = (self._total - tally.bytes) / max(tally.bytes / elapsed, 1e-9)
            share = f"  {done:.0%}  ETA {_clock(left) if done < 1 else '0:00'}"
        line = f"{tally.notices} notices{share}  {rate:.0f}/s  {tally.error_count} errors"
        self._write(line)

    def note(self, message: str, *, force: bool = True) -> None:
        """A stage without notice counts (near-duplicate grouping): say it instead of leaving the line
        still; unless ``force``, at most once an interval."""
        now = time.perf_counter()
        if self._enabled and (force or now - self._last >= self._interval):
            self._last = now
            self._write(message)

    def _write(self, line: str) -> None:
        self._stream.write(f"\r{line}  " if self._tty else line + "\n")
        self._stream.flush()

    def close(self, tally: Tally) -> None:
        """Show the final count (a run shorter than the interval shows only this line)."""
        if self._enabled:
            self.update(tally, force=True)
            if self._tty:
                self._stream.write("\n")


def _clock(seconds: float) -> str:
    """``h:mm:ss`` or ``m:ss``."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _total_bytes(inputs: Sequence[str]) -> int | None:
    """The inputs' size, when every one is a file (a directory's would need a walk first)."""
    if any(os.path.isdir(name) for name in inputs):
        return None
    try:
        return sum(os.path.getsize(name) for name in inputs)
    except OSError:
        return None


# ---------------------------------------------------------------------------------------------------
# The run


def _tmp_paths(target: Path) -> tuple[Path, Path]:
    return target.with_name(target.name + ".tmp"), target.with_name(target.name + ".dedup.tmp")


def _complete_length(path: Path) -> int:
    """Bytes up to and including the last newline: the complete lines of an interrupted write."""
    with open(path, "rb") as handle:
        end = handle.seek(0, os.SEEK_END)
        while end > 0:
            start = max(0, end - 65536)
            handle.seek(start)
            block = handle.read(end - start)
            cut = block.rfind(b"\n")
            if cut >= 0:
                return start + cut + 1
            end = start
    return 0


def _replay(tmp: Path, sources: Iterator[Source], tally: Tally, dedup: DedupIndex | None) -> int:
    """Keep the complete lines of an interrupted run: count them, check they belong to these inputs."""
    os.truncate(tmp, _complete_length(tmp))
    kept = 0
    offset = 0
    with open(tmp, "rb") as handle:
        for kept, raw in enumerate(handle, start=1):
            try:
                obj = orjson.loads(raw)
                doc_id = str(obj["id"])
            except (ValueError, KeyError, TypeError) as exc:
                raise BatchError(f"{tmp} line {kept} is not a batch output line ({exc}); delete the file") from exc
            source = next(sources, None)
            if source is None or source.id != doc_id:
                found = "no input" if source is None else f"input {source.id!r}"
                raise BatchError(
                    f"{tmp} line {kept} is for {doc_id!r} but there is {found} at that place: "
                    "it belongs to another run; delete it or run without --resume"
                )
            tally.add(outcome_of(obj), 0, doc_id)
            if dedup is not None:
                record = obj.get("record")
                dedup.add(kept - 1, doc_id, None if record is None else document_text(record), offset)
            offset += len(raw)
    tally.resumed = kept
    return kept


def _write_results(
    write: Callable[[bytes], object],
    results: Generator[Result, None, None],
    tally: Tally,
    dedup: DedupIndex | None,
    progress: Progress,
    offset: int = 0,
) -> None:
    """Write every result as a line; ``offset`` is where the first one lands in the file (for --dedup)."""
    ordinal = tally.notices
    with closing(results):
        for result in results:
            write(result.line + b"\n")
            if dedup is not None:
                dedup.add(ordinal, result.id, result.sketch, offset)
                offset += len(result.line) + 1
            tally.add(result.outcome, result.size, result.id)
            ordinal += 1
            progress.update(tally)


def parse_many(
    items: Iterable[tuple[str, Any]],
    *,
    workers: int = 1,
    dedup: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    timeout: float | None = DEFAULT_TIMEOUT,
    chunk_size: int = DEFAULT_CHUNK,
    compact: bool = False,
    fields: Iterable[str] | None = None,
    format: FormatOption = "auto",
) -> Iterator[dict[str, Any]]:
    """Parse many notices and yield, in input order, the batch's output objects: ``{"id", "record"}``
    (the record as a dict) or ``{"id", "error": {"type", "message"}}``, with ``near_duplicate_of`` (the
    id of the group's representative, or None) when ``dedup``. ``items`` are ``(id, raw)`` pairs, ``raw``
    anything :func:`rectify_parse.parse` takes (a path or a binary file is read here, in the caller's
    process). ``workers`` > 1 parses in a process pool, with the batch's guarantees: order kept, one object
    per input, an input over ``timeout`` seconds or one that kills its worker is an error object.

    Without ``dedup`` the objects are yielded as they are parsed; with it, after the last input (the
    groups are known only then; the lines wait in a temporary file, not in memory).

    ``compact`` leaves out spans, section text and ``cleaned``; ``fields`` (record keys, e.g.
    ``["title", "problems"]``) keeps only those, and an unknown name is a :class:`ConfigError`.
    ``format``: ``"auto"`` (each input's content tells text from HTML), ``"text"`` or ``"html"``.
    """
    chosen = None if fields is None else check_fields([fields] if isinstance(fields, str) else fields)
    options = BatchOptions(
        inputs=(),
        output="-",
        workers=workers,
        chunk_size=chunk_size,
        dedup=dedup,
        threshold=threshold,
        timeout=timeout,
        quiet=True,
        compact=compact,
        fields=chosen,
        format=format,
    )
    if workers < 1 or chunk_size < 1:
        raise ConfigError(f"workers and chunk_size must be at least 1, got {workers} and {chunk_size}")
    _check_options(options)
    results = run_items((_item(doc_id, raw) for doc_id, raw in items), options)
    if not dedup:
        with closing(results):
            for result in results:
                yield orjson.loads(result.line)
        return
    index = dedup_index(options)
    with tempfile.TemporaryFile("w+b") as first:
        _write_results(first.write, results, Tally(), index, Progress(sys.stderr, False))
        yield from map(orjson.loads, _annotated(first, index, Progress(sys.stderr, False)))


def _item(doc_id: str, raw: Any) -> Item:
    """An in-memory input as a worker takes it: text or bytes; a failure to read it is its error object."""
    try:
        data = input_bytes(raw)
    except (RectifyError, OSError) as exc:
        return Item(doc_id, Failure(type(exc).__name__, str(exc)), 0)
    return Item(doc_id, data, len(data))


# The buffer of the --dedup pass that reads the first pass's lines back and writes them annotated.
_PASS_BUFFER = 1 << 20


def _annotated(first: IO[bytes], dedup: DedupIndex, progress: Progress) -> Iterator[bytes]:
    """Verify the groups, reading candidate bodies back from ``first`` (the first pass), then its lines
    with ``near_duplicate_of`` and ``group`` added."""
    first.flush()
    progress.note("grouping near-duplicates …")

    def checked(done: int, total: int) -> None:
        progress.note(f"grouping near-duplicates: {done:,} of {total:,} candidate pairs checked", force=done == total)

    dedup.verify(first, variants=False, progress=checked)  # the summary lists ids and similarity, not word diffs
    first.seek(0)
    # Read in large blocks: lines of tens of KB through the default 8 KB buffer cost twice the time.
    with open(first.fileno(), "rb", buffering=_PASS_BUFFER, closefd=False) as lines:
        for ordinal, line in enumerate(lines):
            yield dedup.annotate(ordinal, line)


def _text_writer(out: TextIO) -> Callable[[bytes], object]:
    return lambda line: out.write(line.decode("utf-8"))


def _sync(handle: IO[Any]) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _sync_dir(path: Path) -> None:
    """Make a rename durable; directories cannot be opened for fsync on every platform."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _open_binary(path: Path, mode: str, buffering: int = -1) -> IO[bytes]:
    try:
        return open(path, mode, buffering)  # lines are UTF-8 JSON from orjson, written as they come
    except OSError as exc:
        raise BatchError(f"cannot {'read' if 'r' in mode else 'write'} {path}: {exc}") from exc


def _run_to_file(
    options: BatchOptions, target: Path, tally: Tally, dedup: DedupIndex | None, progress: Progress, log: TextIO
) -> None:
    tmp, dedup_tmp = _tmp_paths(target)
    sources = _sources(options, _own_files(options))
    resuming = options.resume and tmp.exists()
    if resuming:
        _replay(tmp, sources, tally, dedup)
    elif tmp.exists():
        log.write(f"note: overwriting {tmp} from an earlier run (--resume would continue it)\n")
    with _open_binary(tmp, "ab" if resuming else "wb") as out:
        offset = out.seek(0, os.SEEK_END)
        _write_results(out.write, run_items(map(load, sources), options), tally, dedup, progress, offset)
        if dedup is None:
            _sync(out)  # under --dedup the first pass is read back and replaced: only the final file is synced
    if dedup is not None:
        with _open_binary(tmp, "rb") as first, _open_binary(dedup_tmp, "wb", _PASS_BUFFER) as final:
            for line in _annotated(first, dedup, progress):
                final.write(line)
            _sync(final)
        os.replace(dedup_tmp, target)
        tmp.unlink()
    else:
        os.replace(tmp, target)
    _sync_dir(target.parent)


def _run_to_stream(
    options: BatchOptions, out: TextIO, tally: Tally, dedup: DedupIndex | None, progress: Progress
) -> None:
    results = run_items(map(load, _sources(options, frozenset())), options)
    if dedup is None:
        _write_results(_text_writer(out), results, tally, None, progress)
        out.flush()
        return
    # Near-duplicates are known only at the end: the first pass goes to an anonymous file.
    with tempfile.TemporaryFile("w+b") as first:
        _write_results(first.write, results, tally, dedup, progress)
        write = _text_writer(out)
        for line in _annotated(first, dedup, progress):
            write(line)
    out.flush()


def _own_files(options: BatchOptions) -> frozenset[str]:
    """The run's own output files (absolute paths): a directory walk skips them."""
    if options.output == "-":
        return frozenset()
    return frozenset(os.path.abspath(p) for p in (options.output, *_tmp_paths(Path(options.output))))


def _sources(options: BatchOptions, exclude: frozenset[str]) -> Iterator[Source]:
    return iter_sources(
        options.inputs, globs=options.globs, text_field=options.text_field, id_field=options.id_field, exclude=exclude
    )


def check_inputs(options: BatchOptions) -> None:
    """Mistakes in what a run is given, said before anything is written (:class:`ConfigError`, exit 2): a
    missing input, an output (or its ``.tmp``) that is one of the inputs, inputs that hold no notice."""
    missing = [name for name in options.inputs if not os.path.exists(name)]
    if missing:
        raise ConfigError(f"no such input: {', '.join(missing)}")
    if options.output != "-":
        written = {os.path.abspath(p) for p in (options.output, _tmp_paths(Path(options.output))[0])}
        clash = [name for name in options.inputs if os.path.abspath(name) in written]
        if clash:
            raise ConfigError(f"the output {options.output} would overwrite the input {clash[0]}: choose another -o")
    if next(_sources(options, _own_files(options)), None) is None:
        matched = f" match --glob {' '.join(options.globs)}" if options.globs else " are there"
        raise ConfigError(f"no input files{matched} in {', '.join(options.inputs)}")


def run_batch(options: BatchOptions, *, out: TextIO | None = None, log: TextIO | None = None) -> dict[str, Any]:
    """Run a batch and return its summary (see :func:`build_summary`).

    ``out`` receives the lines when ``options.output`` is ``-`` (default standard output); ``log`` the
    progress and notes (default standard error). Raises :class:`BatchError` when the run cannot
    complete (a ``.tmp`` of the complete lines is left for ``--resume``); per-input failures are error
    records in the output instead.
    """
    _check_options(options)
    check_inputs(options)
    return _run_batch(options, out, log)


def _check_options(options: BatchOptions) -> None:
    check_format(options.format)
    if options.timeout is not None and not 0.0 <= options.timeout <= MAX_TIMEOUT:
        raise ConfigError(f"timeout must be None or from 0 to {MAX_TIMEOUT:g} seconds, got {options.timeout!r}")
    if options.output == "-" and options.resume:
        raise BatchError("--resume needs an output file; standard output cannot be continued")


def _run_batch(options: BatchOptions, out: TextIO | None, log: TextIO | None) -> dict[str, Any]:
    """:func:`run_batch` once its options and inputs are checked."""
    stream = log if log is not None else sys.stderr
    started = time.perf_counter()
    tally = Tally()
    dedup = dedup_index(options) if options.dedup else None
    show = options.progress if options.progress is not None else stream.isatty()
    progress = Progress(stream, show and not options.quiet, _total_bytes(options.inputs))
    try:
        if options.output == "-":
            _run_to_stream(options, out if out is not None else sys.stdout, tally, dedup, progress)
        else:
            _run_to_file(options, Path(options.output), tally, dedup, progress, stream)
    except BrokenPipeError as exc:
        if options.output == "-":
            raise OutputClosed from exc
        raise BatchError(f"output failed: {exc}") from exc
    except OSError as exc:
        raise BatchError(f"output failed: {exc}") from exc
    finally:
        progress.close(tally)
    groups = dedup.groups if dedup is not None else None
    return build_summary(tally, groups, time.perf_counter() - started, options)


# ---------------------------------------------------------------------------------------------------
# Command line


_DESCRIPTION = """\
Parse every notice of a corpus into one JSON line each, in input order: {"id", "record"} when it
parsed, {"id", "error": {"type", "message"}} when it did not (the batch always goes on). Output goes
to OUT.tmp and is renamed to OUT only when complete. A summary is printed to stderr at the end.

exit codes: 0 all parsed; 1 some inputs failed (error records in the output); 2 bad command line;
3 the run failed (output not writable, JSONL unreadable, interrupted: continue with --resume)."""

_EPILOG = """\
examples:
  rectify-parse batch scraped/ -o notices.jsonl                  every file under scraped/, recursively
  rectify-parse batch scraped/ --glob '*.txt' --glob '*.htm*' -o out.jsonl   text and saved pages, told apart
  rectify-parse batch dump.jsonl --text-field html --format html -o out.jsonl  JSONL of page sources
  rectify-parse batch dump.jsonl --text-field body --id-field url -o out.jsonl
  rectify-parse batch scraped/ -o out.jsonl --dedup --summary summary.json
  rectify-parse batch scraped/ -o out.jsonl --resume             continue after Ctrl-C or a crash
  rectify-parse batch scraped/ -o - | jq .id                     stream to standard output
  rectify-parse batch scraped/ -o out.jsonl --scheduler tcp://scheduler.example:8786   run on a Dask cluster"""


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _threshold(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {value}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= MAX_TIMEOUT:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a number of seconds from 0 to {MAX_TIMEOUT:g}, got {text}")
    return value


def field_names(text: str) -> tuple[str, ...]:
    """``--fields title,header,problems``: comma-separated record keys, checked (argparse's type)."""
    try:
        return check_fields(text.split(","))
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


FORMAT_HELP = (
    "the inputs' format: html parses saved pages (scripts, styles and menus dropped, table rows read as "
    "label | value rows), text reads them as they are, auto tells them apart by their content "
    "(default auto; example: --format html)"
)


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    """``--format text|html|auto``, shared by ``parse`` and ``batch``."""
    parser.add_argument("--format", choices=FORMATS, default="auto", help=FORMAT_HELP)


FIELDS_HELP = (
    "write only these top-level record fields, comma-separated, in the record's order; the id, error and "
    "group keys of a line stay (example: --fields title,header,problems)"
)


def add_batch_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``batch`` subcommand (its handler is :func:`run_batch_command`)."""
    p = subparsers.add_parser(
        "batch",
        help="parse a corpus of notices into a JSONL file, in parallel",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="a notice file, a directory (walked recursively, sorted) or a JSONL file (*.jsonl, one notice per "
        "line) (example: scraped/ extra.txt dump.jsonl)",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="output JSONL file, or '-' for stdout (example: -o out.jsonl)",
    )
    p.add_argument(
        "--glob",
        dest="globs",
        action="append",
        default=[],
        metavar="PATTERN",
        help="in directories, read only files whose name matches; repeatable; default all files "
        "(example: --glob '*.txt')",
    )
    p.add_argument(
        "--text-field",
        default="text",
        metavar="NAME",
        help="JSONL field holding the notice (example: --text-field body)",
    )
    p.add_argument(
        "--id-field",
        default="id",
        metavar="NAME",
        help="JSONL field holding the id; 'path:line' when absent (example: --id-field url)",
    )
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes; 1 parses in-process; output is the same for any N (default: CPU count; "
        "example: --workers 4)",
    )
    p.add_argument(
        "--chunk-size",
        type=_positive_int,
        default=DEFAULT_CHUNK,
        metavar="N",
        help=f"inputs handed to a worker at a time (default {DEFAULT_CHUNK}; example: --chunk-size 128)",
    )
    p.add_argument(
        "--dedup",
        action="store_true",
        help="group near-duplicate notices across the run: each record gains 'near_duplicate_of' (the "
        "representative's id, or null) and the summary lists the groups (example: --dedup)",
    )
    p.add_argument(
        "--threshold",
        type=_threshold,
        default=DEFAULT_THRESHOLD,
        metavar="X",
        help=f"similarity of clean bodies for --dedup, in (0, 1] (default {DEFAULT_THRESHOLD}; example: "
        "--threshold 0.95)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the OUT.tmp left by an interrupted run with the same inputs (example: --resume)",
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop parsing an input after this long; it becomes a ParseTimeoutError error record and the run "
        f"goes on; 0 for no limit (default {DEFAULT_TIMEOUT:g}; example: --timeout 30)",
    )
    p.add_argument(
        "--compact",
        action="store_true",
        help="records without spans, section text and the cleaned list: about a third smaller (example: --compact)",
    )
    p.add_argument("--fields", type=field_names, metavar="NAMES", help=FIELDS_HELP)
    add_format_argument(p)
    p.add_argument("--summary", metavar="FILE", help="also write the summary as JSON (example: --summary summary.json)")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="parse on a Dask cluster ('local' starts one on this machine); needs rectify-parse[dask] "
        "(example: --scheduler tcp://scheduler.example:8786)",
    )
    shown = p.add_mutually_exclusive_group()
    shown.add_argument(
        "--progress",
        action="store_true",
        default=None,
        help="show progress on stderr even when it is not a terminal (example: --progress)",
    )
    shown.add_argument("--quiet", action="store_true", help="no progress and no summary on stderr (example: --quiet)")
    p.set_defaults(handler=run_batch_command)


def options_from_args(args: argparse.Namespace) -> BatchOptions:
    return BatchOptions(
        inputs=list(args.inputs),
        output=args.output,
        globs=list(args.globs),
        text_field=args.text_field,
        id_field=args.id_field,
        workers=args.workers,
        chunk_size=args.chunk_size,
        dedup=args.dedup,
        threshold=args.threshold,
        resume=args.resume,
        scheduler=args.scheduler,
        summary=args.summary,
        progress=args.progress,
        quiet=args.quiet,
        timeout=args.timeout or None,
        compact=args.compact,
        fields=args.fields,
        format=args.format,
    )


def _write_summary(path: str, summary: dict[str, Any]) -> None:
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    os.replace(tmp, target)


def run_batch_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Handler of ``rectify-parse batch``: run, report on stderr, return the exit code.

    ``out`` receives the records for ``-o -`` (default standard output).
    """
    options = options_from_args(args)
    try:
        try:
            check_inputs(options)
        except ConfigError as exc:  # a missing input, an output that is an input, nothing to parse: exit 2
            sys.stderr.write(f"rectify-parse batch: {exc}\n")
            return EXIT_USAGE
        if options.summary and not Path(options.summary).absolute().parent.is_dir():
            raise BatchError(f"cannot write the summary {options.summary}: no such directory")
        _check_options(options)
        summary = _run_batch(options, out, None)  # the inputs are checked above
        if options.summary:
            _write_summary(options.summary, summary)
    except OutputClosed:
        # Nothing more can reach the reader; Python must not complain at exit while flushing stdout either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE_CLOSED
    except KeyboardInterrupt:
        where = "" if options.output == "-" else f"; the lines so far are in {options.output}.tmp, --resume continues"
        sys.stderr.write(f"rectify-parse batch: interrupted{where}\n")
        return EXIT_RUN_FAILED
    except (RectifyError, OSError) as exc:  # BatchError, ConfigError (missing extra), summary not writable
        sys.stderr.write(f"rectify-parse batch: {exc}\n")
        return EXIT_RUN_FAILED
    except Exception as exc:  # a lost scheduler, or a bug: still the documented "run failed"
        traceback.print_exc()
        sys.stderr.write(f"rectify-parse batch: the run failed ({type(exc).__name__}: {exc})\n")
        return EXIT_RUN_FAILED
    if not options.quiet:
        sys.stderr.write(format_summary(summary) + "\n")
    return EXIT_INPUT_FAILED if summary["errors"] else EXIT_OK


def exit_process(code: int) -> NoReturn:
    """End the command-line process with ``code``. A run that failed or was interrupted may have killed its
    workers mid-write: the process pool's exit handlers would then wait for a message that never comes, so
    such a run leaves at once, its output written and closed by now."""
    if code == EXIT_RUN_FAILED:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError):
                stream.flush()
        os._exit(code)
    sys.exit(code)


def main_batch(argv: Sequence[str] | None = None) -> int:
    """``rectify-parse batch`` on its own: ``argv`` are the arguments after ``batch``."""
    parser = argparse.ArgumentParser(prog="rectify-parse")
    add_batch_parser(parser.add_subparsers(dest="command", required=True))
    try:
        args = parser.parse_args(["batch", *(sys.argv[1:] if argv is None else argv)])
    except SystemExit as exc:  # --help and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    # Run the package's module, not this file as __main__, so worker processes unpickle the same functions.
    from rectify_parse.batch import exit_process, main_batch

    exit_process(main_batch())
