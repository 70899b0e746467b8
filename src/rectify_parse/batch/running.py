"""Parsing one input and a chunk of inputs, with a time limit: what runs in the workers.

An input that takes longer than ``--timeout`` seconds to parse is stopped and becomes an error record
``ParseTimeoutError``. The limit is a SIGALRM in the process that parses, which interrupts Python code
(with ``--workers`` of 2 or more the pool also kills a worker stuck past it where no alarm reaches: see
``pool``). Signals need Unix and the main thread: on Windows only the pool's limit applies, and on a Dask
cluster, whose workers run tasks in threads, none does.
"""

from __future__ import annotations

import functools
import signal
import sys
import threading
from types import FrameType
from typing import Any, NamedTuple

import orjson

from ..corpus import Sketch, sketch
from ..decode import MAX_CHARS
from ..errors import ParseTimeoutError
from ..html import FormatOption
from ..identity import identity_of
from ..pipeline import parse
from ..records import Notice, document_text, shape_record
from .sources import Failure, Item

# After the limit the alarm repeats this often: a raise swallowed on its way up does not lift the limit.
ALARM_REPEAT = 1.0


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
    max_chars: int = MAX_CHARS  # the characters an input may have (--max-chars)


class Result(NamedTuple):
    """One output line, produced by a worker."""

    id: str
    line: bytes  # one JSON object, UTF-8, no newline
    outcome: Outcome
    size: int
    sketch: Sketch | None  # the clean body's, sent back only for --dedup (computed here: in parallel)


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
            notice = parse(payload, format=shape.format, max_chars=shape.max_chars)
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
    body = sketch(document_text(notice), identity_of(notice)) if shape.sketch else None
    return Result(item.id, line, notice_outcome(notice), item.size, body)


def _error_result(item: Item, error_type: str, message: str) -> Result:
    obj = error_dict(item.id, error_type, message)
    return Result(item.id, orjson.dumps(obj), outcome_of(obj), item.size, None)


def notice_outcome(notice: Notice) -> Outcome:
    """``outcome_of`` for a record not yet written."""
    variants = notice.duplicates.variants
    wording = sum(1 for v in variants if v.kind == "wording")
    return Outcome(None, len(notice.duplicates.copies), wording, tuple(w.code for w in notice.warnings))


def process_chunk(items: list[Item], shape: Shape, timeout: float | None = None) -> list[Result]:
    """Worker entry point: one result per item, in order, each parse limited to ``timeout`` seconds
    where this thread can take signals (see the module's notes)."""
    limit = timeout if timeout and _ALARM.usable() else None
    if limit is None:
        return [process_item(item, shape) for item in items]
    warm_up()
    previous = signal.signal(signal.SIGALRM, _ALARM.fire)
    try:
        return [process_item(item, shape, limit) for item in items]
    finally:
        _ALARM.disarm()
        signal.setitimer(signal.ITIMER_REAL, 0)  # whatever was interrupted: no alarm outlives the chunk
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)  # None: set from C


# A page whose parse runs the parser's one-time set-up (numpy, its class tables): done once per process
# before any limit is armed, so no input pays for it and no alarm interrupts it (a pool's workers run it
# as they start, outside any task's time limit).
_WARM_UP_PAGE = "\n".join(
    ["关于整改情况的报告", "一、整改情况", "1.问题一。", "整改措施：一是加强管理。二是落实责任。", "完成情况：已完成。"]
)


@functools.cache
def warm_up() -> None:
    parse(_WARM_UP_PAGE)


def preloaded() -> bool:
    """Whether this process inherited the pool's shared set-up (``preload``, run in the fork server it was
    forked from): importing it here would run it, so only a module already loaded counts."""
    preload = sys.modules.get(f"{__package__}.preload")
    return bool(getattr(preload, "PREPARED", False))


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
