"""Counting and reporting: the running tally, the run's summary and the progress line."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..corpus import Group
from .options import BatchOptions
from .plan import Plan
from .running import Outcome
from .sources import InputSize

PROGRESS_INTERVAL = 0.5  # seconds between updates of the status line on a terminal
PROGRESS_LOG_INTERVAL = 5.0  # ... and between lines when stderr is a file or pipe (forced by --progress)
MAX_ERROR_EXAMPLES = 10
CLOSE_WAIT = 0.5  # seconds the last progress line waits for the inputs' count (an interrupted run's may go on)


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
    # Files a directory walk passed over as not notice-like, by suffix (sources.NOTICE_SUFFIXES).
    skipped: Counter[str] = field(default_factory=Counter)
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


def build_summary(
    tally: Tally, groups: list[Group] | None, elapsed: float, options: BatchOptions, plan: Plan | None = None
) -> dict[str, Any]:
    """The run's summary; ``plan``: how a run without ``--workers`` chose its workers."""
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
        "skipped_files": sum(tally.skipped.values()),
        "skipped_by_suffix": dict(sorted(tally.skipped.items())),
        "pages_with_copies": tally.pages_with_copies,
        "wording_variants": tally.wording_variants,
        "near_duplicate_groups": None if groups is None else len(groups),
        "groups": [
            {
                "ids": g.ids,
                "representative": g.representative,
                "similarity": g.similarity,
                "scripts": g.scripts,
                "rewritten": g.rewritten,
            }
            for g in groups or []
        ],
        # Under --dedup (set by the run): groups the identity check split, and the notices it kept out.
        "split_groups": None,
        "template_siblings": None,
        "warnings_by_code": dict(sorted(tally.warnings.items())),
        "bytes": tally.bytes,
        "elapsed_s": round(elapsed, 3),
        "notices_per_s": round(processed / rate, 1),
        "mb_per_s": round(tally.bytes / 1e6 / rate, 3),
        "workers": None if options.scheduler else (plan.workers if plan is not None else options.workers),
        "workers_chosen": None if plan is None else plan.reason,
        "scheduler": options.scheduler,
    }


def format_skipped(skipped: dict[str, int]) -> str:
    """``3 files that are not notices: .png 2, .css 1``."""
    total = sum(skipped.values())
    kinds = ", ".join(f"{key or '(no suffix)'} {n}" for key, n in sorted(skipped.items(), key=lambda kv: -kv[1]))
    return f"{total} {'files that are' if total != 1 else 'file that is'} not notices: {kinds}"


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counter.items()) or "none"


def format_summary(summary: dict[str, Any]) -> str:
    groups = summary["near_duplicate_groups"]
    grouped = sum(len(g["ids"]) for g in summary["groups"])
    near = "not computed (use --dedup)" if groups is None else f"{groups} ({grouped} notices)"
    if summary.get("split_groups"):
        near += (
            f"; {summary['split_groups']} split by identity, {summary['template_siblings']} template siblings "
            "kept apart (same_template_as)"
        )
    resumed = f" ({summary['resumed']} kept from the interrupted run)" if summary["resumed"] else ""
    return "\n".join(
        [
            f"batch: {summary['notices']} notices{resumed} -> {summary['output']}",
            f"  parsed {summary['parsed']}, errors {summary['errors']}: {_counts(summary['errors_by_type'])}",
            *(
                [f"  skipped {format_skipped(summary['skipped_by_suffix'])} (--glob chooses the files)"]
                if summary.get("skipped_files")
                else []
            ),
            *(f"    {e['id']}: {e['type']}: {e['message']}" for e in summary.get("error_examples", [])),
            f"  pages with repeated copies {summary['pages_with_copies']}, "
            f"wording variants {summary['wording_variants']}",
            f"  near-duplicate groups: {near}",
            f"  warnings: {_counts(summary['warnings_by_code'])}",
            *(
                [f"  workers: {summary['workers']} (chosen: {summary['workers_chosen']})"]
                if summary.get("workers_chosen")
                else []
            ),
            f"  {summary['notices_per_s']} notices/s, {summary['mb_per_s']} MB/s, {summary['elapsed_s']} s",
        ]
    )


class Progress:
    """A throttled status line on stderr: rewritten in place on a terminal, one line per update otherwise."""

    def __init__(self, stream: TextIO, enabled: bool, size: InputSize | None = None) -> None:
        self._stream = stream
        self._enabled = enabled
        self._size = size  # the inputs' size, counted while the run goes (None: not known, as for parse_many)
        self._tty = stream.isatty()
        self._interval = PROGRESS_INTERVAL if self._tty else PROGRESS_LOG_INTERVAL
        self._start = time.perf_counter()
        self._last = self._start
        self._shown = 0  # the length of the line now on the terminal

    def update(self, tally: Tally, *, force: bool = False) -> None:
        now = time.perf_counter()
        if not self._enabled or (not force and now - self._last < self._interval):
            return
        self._last = now
        elapsed = max(now - self._start, 1e-9)
        rate = (tally.notices - tally.resumed) / elapsed
        line = f"{tally.notices} notices{self._share(tally, elapsed)}  {rate:.0f}/s  {tally.error_count} errors"
        self._write(line)

    def _share(self, tally: Tally, elapsed: float) -> str:
        """``  40%  ETA 1:05`` once the inputs' size is known, ``  of 1,234+ files`` while a walk is counted."""
        size = self._size
        if size is None:
            return ""
        if not size.done:
            return f"  of {size.files:,}+ files (counting)" if size.files else ""
        if not size.bytes:
            return ""
        done = min(tally.bytes / size.bytes, 1.0)
        left = (size.bytes - tally.bytes) / max(tally.bytes / elapsed, 1e-9)
        return f"  {done:.0%}  ETA {_clock(left) if done < 1 else '0:00'}"

    def note(self, message: str, *, force: bool = True) -> None:
        """A stage without notice counts (near-duplicate grouping): say it instead of leaving the line
        still; unless ``force``, at most once an interval."""
        now = time.perf_counter()
        if self._enabled and (force or now - self._last >= self._interval):
            self._last = now
            self._write(message)

    def _write(self, line: str) -> None:
        if self._tty:  # cover the last line whole, and keep to one row: a wrapped line cannot be rewritten
            line = line[: _columns(self._stream) - 1]
            self._stream.write("\r" + line.ljust(self._shown))
            self._shown = len(line)
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def close(self, tally: Tally) -> None:
        """Show the final count (a run shorter than the interval shows only this line)."""
        if self._size is not None:
            self._size.wait(CLOSE_WAIT)  # a finished run has walked its inputs: the count is done or nearly
            self._size.stop()
        if self._enabled:
            self.update(tally, force=True)
            if self._tty:
                self._stream.write("\n")


def _columns(stream: TextIO) -> int:
    """The terminal's width (80 when it cannot be told)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return 80


def _clock(seconds: float) -> str:
    """``h:mm:ss`` or ``m:ss``."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
