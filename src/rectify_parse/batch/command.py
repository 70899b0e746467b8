"""The command line: ``rectify-parse batch`` (argparse, the handler, exit codes).

Exit codes:
    0  every input parsed
    1  some inputs failed; each is in the output as an error record, the others are parsed
    2  bad command line
    3  the run itself failed: output not writable, a JSONL input unreadable, a ``.tmp`` that does not
       belong to these inputs, a lost scheduler or worker pool, or interrupted (``--resume`` continues it)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from ..corpus import DEFAULT_THRESHOLD
from ..decode import MAX_CHARS
from ..errors import BatchError, ConfigError, InputStreamError, RectifyError
from ..html import FORMATS
from ..records import check_fields
from .options import DEFAULT_CHUNK, DEFAULT_TIMEOUT, MAX_TIMEOUT, BatchOptions
from .output import OutputClosed, _check_options, _run_batch, check_inputs
from .pool import PoolLost
from .sources import text_fields
from .summary import format_summary

EXIT_OK = 0
EXIT_INPUT_FAILED = 1
EXIT_USAGE = 2
EXIT_RUN_FAILED = 3
# The reader of standard output went away (… | head): the run ends quietly with the status of a process a
# SIGPIPE ended, as Unix tools do.
EXIT_PIPE_CLOSED = 128 + 13


_DESCRIPTION = """\
Parse every notice of a corpus into one JSON line each, in input order: {"id", "record"} when it
parsed, {"id", "error": {"type", "message"}} when it did not (the batch always goes on). Output goes
to OUT.tmp and is renamed to OUT only when complete. A summary is printed to stderr at the end.

exit codes: 0 all parsed; 1 some inputs failed (error records in the output); 2 bad command line;
3 the run failed (output not writable, JSONL unreadable or damaged, interrupted: continue with --resume)."""

_EPILOG = """\
examples:
  rectify-parse batch scraped/ -o notices.jsonl                  every file under scraped/, recursively
  rectify-parse batch scraped/ --glob '*.txt' --glob '*.htm*' -o out.jsonl   text and saved pages, told apart
  rectify-parse batch dump.jsonl --text-field html --format html -o out.jsonl  JSONL of page sources
  rectify-parse batch dump.jsonl --text-field body --id-field url -o out.jsonl
  rectify-parse batch dump.jsonl --text-field html,text -o out.jsonl  a dump mixing page sources and text
  rectify-parse batch dump.jsonl.gz -o out.jsonl                 a compressed dump (.gz, .bz2, .xz, .zst), streamed
  rectify-parse batch scraped/ -o out.jsonl --dedup --summary summary.json
  rectify-parse batch scraped/ -o out.jsonl --resume             continue after Ctrl-C or a crash
  rectify-parse batch scraped/ -o - | jq .id                     stream to standard output
  rectify-parse batch scraped/ -o out.jsonl --scheduler tcp://scheduler.example:8786   run on a Dask cluster"""


# argparse's own message for a type function's ValueError names the function ("invalid _positive_int value"),
# so each says what is wrong in words instead.


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more (got {text!r})")
    return value


def _workers(text: str) -> int | None:
    """``--workers``: a count of at least 1, or ``auto`` (None: the run chooses, see ``batch.plan``)."""
    if text == "auto":
        return None
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more, or auto (got {text!r})") from None


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 < value <= 1.0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a number above 0 and at most 1 (got {text!r})")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= MAX_TIMEOUT:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a number of seconds from 0 to {MAX_TIMEOUT:,.0f} (got {text!r})")
    return value


def _text_field(text: str) -> str:
    """``--text-field html,text``: checked here, kept as given (BatchOptions takes the text)."""
    try:
        text_fields(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


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


def add_record_arguments(parser: argparse.ArgumentParser) -> None:
    """``--compact``, ``--fields``, ``--format`` and ``--max-chars``: how inputs are read and records written,
    shared by ``parse`` and ``batch``."""
    parser.add_argument(
        "--compact",
        action="store_true",
        help="records without spans, section text and the cleaned list: about a third smaller (example: --compact)",
    )
    parser.add_argument("--fields", type=field_names, metavar="NAMES", help=FIELDS_HELP)
    parser.add_argument("--format", choices=FORMATS, default="auto", help=FORMAT_HELP)
    add_max_chars_argument(parser)


def add_max_chars_argument(parser: argparse.ArgumentParser) -> None:
    """``--max-chars N``: the library's ``max_chars=``."""
    parser.add_argument(
        "--max-chars",
        type=_positive_int,
        default=MAX_CHARS,
        metavar="N",
        help=f"an input of more characters (after decoding and unpacking) is an InputTooLargeError, unread past "
        f"what N characters can take (default {MAX_CHARS:,}; example: --max-chars 50000000)",
    )


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
        "line); any of them compressed with gzip, bzip2, xz or zstd (example: scraped/ extra.txt dump.jsonl.gz)",
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
        help="in directories, read only files whose name matches; repeatable; default notice-like files "
        "(.txt, .htm, .html, .shtml, .jsonl, saved pages' .asp/.aspx/.jsp/.php, no suffix), compressed or not "
        "(.gz, .bz2, .xz, .zst), the others are counted as skipped (example: --glob '*.txt'; --glob '*' reads "
        "every file)",
    )
    p.add_argument(
        "--text-field",
        type=_text_field,
        default="text",
        metavar="NAMES",
        help="JSONL field holding the notice, or several separated by commas, tried in order on each line: the "
        "first that holds text is read (with --format auto a page's source and plain text are told apart line "
        "by line) (default text; example: --text-field html,text)",
    )
    p.add_argument(
        "--id-field",
        default="id",
        metavar="NAME",
        help="JSONL field holding the id; 'path:line' when absent (example: --id-field url)",
    )
    p.add_argument(
        "--workers",
        type=_workers,
        default=None,
        metavar="N",
        help="worker processes; 1 parses in-process; output is the same for any N (default auto: in-process "
        "for a small job or a busy machine, else one worker a free core, from when the work left is worth "
        "a pool; the summary says what was chosen and why; example: --workers 4)",
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
        f"goes on; 0 for no limit (with --workers 2 or more an input still stops after an hour) "
        f"(default {DEFAULT_TIMEOUT:g}; example: --timeout 30)",
    )
    add_record_arguments(p)
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
        max_chars=args.max_chars,
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
    with _terminate_as_interrupt():
        return _run_command(options, out)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (``kill``, ``timeout``, a service manager) ends the run as Ctrl-C does: the pool's workers are
    stopped on the way out and ``--resume`` continues; by default the signal would end this process alone and
    leave its workers running."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _resume_hint(options: BatchOptions) -> str:
    """Where the lines of a run that ended early are, and how to go on; nothing for standard output, which
    cannot be resumed."""
    return "" if options.output == "-" else f"; the lines so far are in {options.output}.tmp, --resume continues"


def _run_command(options: BatchOptions, out: TextIO | None) -> int:
    try:
        try:
            _check_options(options)  # options that do not go together: --resume with -o -
            check_inputs(options)
        except ConfigError as exc:  # a missing input, an output that is an input, nothing to parse: exit 2
            sys.stderr.write(f"rectify-parse batch: {exc}\n")
            return EXIT_USAGE
        if options.summary and not Path(options.summary).absolute().parent.is_dir():
            raise BatchError(f"cannot write the summary {options.summary}: no such directory")
        summary = _run_batch(options, out, None)  # the inputs are checked above
        if options.summary:
            _write_summary(options.summary, summary)
    except OutputClosed:
        return stdout_closed()
    except KeyboardInterrupt:
        sys.stderr.write(f"rectify-parse batch: interrupted{_resume_hint(options)}\n")
        return EXIT_RUN_FAILED
    except (PoolLost, InputStreamError) as exc:
        sys.stderr.write(f"rectify-parse batch: {exc}{_resume_hint(options)}\n")
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


def stdout_closed() -> int:
    """The exit code of a command whose reader closed standard output (``… | head``): nothing more can reach
    it, and Python must not complain at exit while flushing stdout either."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_PIPE_CLOSED


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
