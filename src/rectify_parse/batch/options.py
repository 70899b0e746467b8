"""The options of a run: :class:`BatchOptions`, what ``rectify-parse batch`` accepts, as a library call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..corpus import DEFAULT_THRESHOLD
from ..decode import MAX_CHARS
from ..html import FormatOption

DEFAULT_CHUNK = 32
# Seconds one input may take to parse. The largest input allowed (MAX_CHARS) parses in seconds; an
# input still running after two minutes is stuck, and one such page must not hold a run of millions.
DEFAULT_TIMEOUT = 120.0
MAX_TIMEOUT = 1e6  # about eleven days; setitimer refuses much larger values


@dataclass(frozen=True)
class BatchOptions:
    """Everything ``rectify-parse batch`` accepts, as a library call."""

    inputs: Sequence[str]
    output: str
    globs: Sequence[str] = ()
    text_field: str = "text"  # the JSONL field of the notice, or several tried in order: "html,text"
    id_field: str = "id"
    workers: int | None = 1  # None: chosen from the work and the machine (batch.plan)
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
    max_chars: int = MAX_CHARS  # an input of more characters is an InputTooLargeError record
