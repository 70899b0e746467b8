"""The run: results written as output lines to a file, a stream or the caller of :func:`parse_many`.

Inputs stream through a bounded pipeline, so memory does not grow with the corpus (``--dedup``
excepted, see ``dedup``).

The output is written to ``OUT.jsonl.tmp`` and renamed over ``OUT.jsonl`` only once complete, so a
file named ``OUT.jsonl`` is never a truncated run; ``--resume`` continues an interrupted ``.tmp``.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import IO, Any, TextIO

import orjson

from ..corpus import DEFAULT_THRESHOLD
from ..decode import MAX_CHARS, input_bytes
from ..errors import BatchError, ConfigError, InputStreamError, RectifyError
from ..html import FormatOption, check_format
from ..identity import identity_of
from ..records import check_fields, document_text
from .dedup import DedupIndex, dedup_index, line_reader
from .options import DEFAULT_CHUNK, DEFAULT_TIMEOUT, MAX_TIMEOUT, BatchOptions
from .plan import Plan
from .pool import run_items
from .running import Result, outcome_of
from .sources import Failure, InputSize, Item, Source, iter_sources, load, max_bytes, read_input
from .summary import Progress, Tally, build_summary, format_skipped


class OutputClosed(Exception):
    """Standard output was closed by its reader before the run finished."""


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


class _UntilDamage(Iterator[Source]):
    """The sources, ending where an input can no longer be read (a truncated dump: :class:`InputStreamError`),
    so that every input read before the damage is parsed and written, by a pool too; :meth:`check` then
    raises the error, and the run ends with its lines in ``OUT.tmp``."""

    def __init__(self, sources: Iterator[Source]) -> None:
        self._sources = sources
        self.failure: InputStreamError | None = None

    def __next__(self) -> Source:
        if self.failure is not None:
            raise StopIteration
        try:
            return next(self._sources)
        except InputStreamError as exc:
            self.failure = exc
            raise StopIteration from None

    def check(self) -> None:
        if self.failure is not None:
            raise self.failure


def _replay(tmp: Path, sources: _UntilDamage, tally: Tally, dedup: DedupIndex | None) -> int:
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
            sources.check()  # the input is damaged before the lines kept end: say so, not "another run"
            if source is None or source.id != doc_id:
                found = "no input" if source is None else f"input {source.id!r}"
                raise BatchError(
                    f"{tmp} line {kept} is for {doc_id!r} but there is {found} at that place: "
                    "it belongs to another run; delete it or run without --resume"
                )
            tally.add(outcome_of(obj), 0, doc_id)
            if dedup is not None:
                record = obj.get("record")
                body = None if record is None else document_text(record)
                identity = None if record is None else identity_of(record)
                dedup.add(kept - 1, doc_id, body, offset, raw.rstrip(b"\n"), identity=identity)
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
                # After follow(), this also verifies the input's candidates: while a pool parses the next ones.
                dedup.add(ordinal, result.id, result.sketch, offset, result.line)
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
    max_chars: int = MAX_CHARS,
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
    ``max_chars``: an input of more characters is an ``InputTooLargeError`` object, as in :func:`parse`.
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
        max_chars=max_chars,
    )
    if workers < 1 or chunk_size < 1:
        raise ConfigError(f"workers and chunk_size must be at least 1, got {workers} and {chunk_size}")
    _check_options(options)
    limit = max_bytes(max_chars)
    results = run_items((_item(doc_id, raw, limit) for doc_id, raw in items), options)
    if not dedup:
        with closing(results):
            for result in results:
                yield orjson.loads(result.line)
        return
    index = dedup_index(options)
    with tempfile.TemporaryFile("w+b") as first:
        _follow(index, first, options)
        _write_results(first.write, results, Tally(), index, Progress(sys.stderr, False))
        yield from map(orjson.loads, _annotated(first, index, Progress(sys.stderr, False)))


def _follow(dedup: DedupIndex, first: IO[bytes], options: BatchOptions, plan: Plan | None = None) -> None:
    """When other processes parse (a pool, a cluster), group as results come: the main process mostly
    waits for them, and the grouping left after the last parse is then little. In-process (one worker)
    the parse and the grouping take turns on one core either way, and grouping once at the end costs
    less (one sort finds every candidate pair). A run that chooses its workers follows from the moment
    it starts a pool, if it does."""
    if options.workers is None and options.scheduler is None:
        if plan is not None:
            plan.on_pool = lambda: dedup.follow(line_reader(first))
    elif options.workers != 1 or options.scheduler is not None:
        dedup.follow(line_reader(first))


def _item(doc_id: str, raw: Any, limit: int) -> Item:
    """An in-memory input as a worker takes it: text or bytes; a failure to read it is its error object, and
    a file of more than ``limit`` bytes is not read."""
    try:
        data = read_input(Path(os.fsdecode(raw)), limit) if isinstance(raw, os.PathLike) else input_bytes(raw)
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

    # Grouping that followed the run has checked the pairs already: what is left is cutting the linked sets.
    what = "linked notices placed" if dedup.following else "candidate pairs checked"

    def checked(done: int, total: int) -> None:
        progress.note(f"grouping near-duplicates: {done:,} of {total:,} {what}", force=done == total)

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
    options: BatchOptions,
    target: Path,
    tally: Tally,
    dedup: DedupIndex | None,
    progress: Progress,
    log: TextIO,
    plan: Plan | None = None,
) -> None:
    tmp, dedup_tmp = _tmp_paths(target)
    sources = _UntilDamage(_sources(options, _own_files(options), tally.skipped))
    resuming = options.resume and tmp.exists()
    if resuming:
        _replay(tmp, sources, tally, dedup)
    elif tmp.exists():
        log.write(f"note: overwriting {tmp} from an earlier run (--resume would continue it)\n")
    # Under --dedup the first pass is read back while it is written (candidates' bodies, see _follow).
    mode = ("a" if resuming else "w") + ("+b" if dedup is not None else "b")
    with _open_binary(tmp, mode) as out:
        offset = out.seek(0, os.SEEK_END)
        if dedup is not None:
            _follow(dedup, out, options, plan)
        results = run_items(_loaded(sources, options), options, plan)
        _write_results(out.write, results, tally, dedup, progress, offset)
        if dedup is None or sources.failure is not None:
            _sync(out)  # under --dedup the first pass is read back and replaced: only the final file is synced
    sources.check()
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
    options: BatchOptions,
    out: TextIO,
    tally: Tally,
    dedup: DedupIndex | None,
    progress: Progress,
    plan: Plan | None = None,
) -> None:
    sources = _UntilDamage(_sources(options, frozenset(), tally.skipped))
    results = run_items(_loaded(sources, options), options, plan)
    if dedup is None:
        _write_results(_text_writer(out), results, tally, None, progress)
        out.flush()
        sources.check()
        return
    # Near-duplicates are known only at the end: the first pass goes to an anonymous file.
    with tempfile.TemporaryFile("w+b") as first:
        _follow(dedup, first, options, plan)
        _write_results(first.write, results, tally, dedup, progress)
        sources.check()  # the lines of a damaged run are not grouped
        write = _text_writer(out)
        for line in _annotated(first, dedup, progress):
            write(line)
    out.flush()


def _loaded(sources: Iterator[Source], options: BatchOptions) -> Iterator[Item]:
    """Each source read (a file's bytes), files larger than ``--max-chars`` allows left unread."""
    limit = max_bytes(options.max_chars)
    return (load(source, limit) for source in sources)


def _own_files(options: BatchOptions) -> frozenset[str]:
    """The run's own output files (absolute paths): a directory walk skips them."""
    if options.output == "-":
        return frozenset()
    own = (options.output, *_tmp_paths(Path(options.output)), *((options.summary,) if options.summary else ()))
    return frozenset(os.path.abspath(p) for p in own)


def _sources(options: BatchOptions, exclude: frozenset[str], skipped: Counter[str] | None = None) -> Iterator[Source]:
    return iter_sources(
        options.inputs,
        globs=options.globs,
        text_field=options.text_field,
        id_field=options.id_field,
        exclude=exclude,
        skipped=skipped,
        max_chars=options.max_chars,
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
        if not options.resume and not is_run_output(Path(options.output)):
            raise ConfigError(
                f"the output {options.output} exists and is not the output of a batch run (its first line is not "
                '{"id", "record"} or {"id", "error"}): it is never replaced; choose another -o'
            )
    skipped: Counter[str] = Counter()
    try:
        first = next(_sources(options, _own_files(options), skipped), None)
    except InputStreamError as exc:  # damaged before its first line: nothing is written, nothing to resume
        raise BatchError(str(exc)) from exc
    if first is None:
        if options.globs:
            matched = f" match --glob {' '.join(options.globs)}"
        else:
            passed = f" (skipped {format_skipped(skipped)}; --glob '*' reads every file)" if skipped else ""
            matched = f" are there{passed}"
        raise ConfigError(f"no input files{matched} in {', '.join(options.inputs)}")


# The start of an output line: orjson (batch) and json (parse) write the id first, then record or error.
_RUN_LINE = re.compile(rb'\{"id": ?"(?:[^"\\]|\\.)*", ?"(?:record|error)":')


def is_run_output(path: Path) -> bool:
    """True when ``path`` may be replaced by a run's output: missing, empty, or a run's output already (its
    first line is an output line). A notice, an input dump or a directory there is never replaced."""
    try:
        if not path.exists():
            return True
        if not path.is_file():
            return False
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
    except OSError:
        return True  # unreadable: writing it fails with its own message
    return not head or _RUN_LINE.match(head) is not None


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
    if options.max_chars < 1:
        raise ConfigError(f"max_chars must be at least 1, got {options.max_chars}")
    if options.timeout is not None and not 0.0 <= options.timeout <= MAX_TIMEOUT:
        raise ConfigError(f"timeout must be None or from 0 to {MAX_TIMEOUT:g} seconds, got {options.timeout!r}")
    if options.output == "-" and options.resume:
        raise ConfigError("--resume needs an output file (-o OUT): standard output cannot be continued")


def _run_batch(options: BatchOptions, out: TextIO | None, log: TextIO | None) -> dict[str, Any]:
    """:func:`run_batch` once its options and inputs are checked."""
    stream = log if log is not None else sys.stderr
    started = time.perf_counter()
    tally = Tally()
    dedup = dedup_index(options) if options.dedup else None
    show = options.progress if options.progress is not None else stream.isatty()
    # Counted while the run goes, when something reads it: the progress line's share and ETA, and the work
    # a chosen worker count follows.
    shown = show and not options.quiet
    choose = options.workers is None and options.scheduler is None
    size = InputSize.count(options.inputs, options.globs, _own_files(options)) if shown or choose else None
    plan = Plan(size) if choose and size is not None else None
    progress = Progress(stream, shown, size)
    try:
        if options.output == "-":
            _run_to_stream(options, out if out is not None else sys.stdout, tally, dedup, progress, plan)
        else:
            _run_to_file(options, Path(options.output), tally, dedup, progress, stream, plan)
    except BrokenPipeError as exc:
        if options.output == "-":
            raise OutputClosed from exc
        raise BatchError(f"output failed: {exc}") from exc
    except OSError as exc:
        raise BatchError(f"output failed: {exc}") from exc
    finally:
        progress.close(tally)
    summary = build_summary(
        tally, None if dedup is None else dedup.groups, time.perf_counter() - started, options, plan
    )
    if dedup is not None:
        summary["split_groups"] = dedup.split_groups
        summary["template_siblings"] = len(dedup.siblings)
    return summary
