"""Batch-clean a corpus: ``rectify-parse batch INPUT... -o OUT.jsonl``.

Every input becomes exactly one JSON line of the output, in input order::

    {"id": "<input id>", "record": {...}}                       parsed
    {"id": "<input id>", "error": {"type": "...", "message": "..."}}   not parsed (the batch goes on)

One module per concern, each depending only on those above it:

* ``options``: :class:`BatchOptions`, what a run accepts;
* ``sources``: the inputs (files, directories, JSONL lines), enumerated lazily and read;
* ``running``: parsing one input and a chunk of inputs in a worker, with its time limit;
* ``dedup``: the near-duplicate index of a ``--dedup`` run;
* ``pool``: chunks run in order, in-process, in a process pool (pebble's) that survives dead and stuck
  workers, or on a Dask cluster;
* ``summary``: the running tally, the summary and the progress line;
* ``output``: the run itself: output file (``.tmp``, ``--resume``), stream, :func:`parse_many`;
* ``command``: the ``rectify-parse batch`` command line and its exit codes.

This package re-exports the names the rest of the library, the tests and the benchmarks use. A test that
replaces a function or constant must patch the module that looks it up (``running.parse``,
``pool.HARD_GRACE``, ...): a patch on a name re-exported here reaches no caller.
"""

from __future__ import annotations

from .command import (
    EXIT_PIPE_CLOSED,
    FIELDS_HELP,
    add_batch_parser,
    add_max_chars_argument,
    add_record_arguments,
    exit_process,
    field_names,
    main_batch,
    options_from_args,
    stdout_closed,
)
from .dedup import DedupIndex
from .options import DEFAULT_TIMEOUT, BatchOptions
from .output import parse_many, run_batch
from .pool import run_items
from .running import Result, error_dict, parse_item, process_item
from .sources import Item, load
from .summary import Progress, Tally

__all__ = [
    "DEFAULT_TIMEOUT",
    "EXIT_PIPE_CLOSED",
    "FIELDS_HELP",
    "BatchOptions",
    "DedupIndex",
    "Item",
    "Progress",
    "Result",
    "Tally",
    "add_batch_parser",
    "add_max_chars_argument",
    "add_record_arguments",
    "error_dict",
    "exit_process",
    "field_names",
    "load",
    "main_batch",
    "options_from_args",
    "parse_item",
    "parse_many",
    "process_item",
    "run_batch",
    "run_items",
    "stdout_closed",
]
