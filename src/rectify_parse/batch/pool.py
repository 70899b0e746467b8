"""Running chunks in order: in-process, in a process pool (pebble's ``ProcessPool``), or on a Dask cluster.

With ``--workers`` of 2 or more each chunk is one task of the pool, at most ``IN_FLIGHT_PER_WORKER`` per
worker at a time, taken back in input order. Every task has a time limit, ``--timeout`` plus ``HARD_GRACE``
seconds (``NO_LIMIT`` without ``--timeout``): inside it the alarm of ``running`` stops an input stuck in
Python code at ``--timeout`` (its error record, and the chunk goes on); past it (an input stuck in native
code) the pool kills the task's worker. A chunk whose task ran out of time or whose worker died runs again,
one input per task: an input out of time alone is a ``ParseTimeoutError`` record, not retried (a page stuck
in native code costs its chunk's limit and its own, not a third); an input whose worker died alone runs
once more (the out-of-memory killer may have picked it by chance), and dies again as a ``WorkerDied``
record. With ``--workers 1`` inputs are parsed in the main process.

The pool as a whole can stop: a worker killed while it holds the pool's channel lock stalls it (pebble
issue 163), and one that dies while no task runs breaks it. Waiting for results has a watchdog: when no
task finishes for ``watchdog(limit)`` seconds, or the pool breaks, the run ends with :class:`PoolLost`
(exit 3; ``--resume`` continues it). An interrupted run (Ctrl-C, SIGTERM, a closed output) stops the
workers, stuck or not.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeoutError
from concurrent.futures.process import BrokenProcessPool
from importlib.machinery import ModuleSpec
from typing import Any

from pebble import ProcessExpired, ProcessPool

from ..errors import BatchError, ParseTimeoutError
from .dedup import first_pass_fields
from .options import BatchOptions
from .plan import Plan
from .running import Result, Shape, _error_result, _over_time, process_chunk, warm_up
from .sources import InputSize, Item

# Chunks waiting for or held by a worker, per worker: enough to keep workers busy, few enough that
# memory stays flat.
IN_FLIGHT_PER_WORKER = 4
# Seconds past --timeout before the pool kills the worker of a task: the alarm stops Python code at
# --timeout, this stops code no signal handler reaches (a C extension).
HARD_GRACE = 5.0
# A task's limit when the run has no --timeout: an input still running after an hour is stuck (the largest
# input allowed parses in seconds), and every task needs a limit (see pebble issue 153).
NO_LIMIT = 3600.0
# Seconds added to twice a task's limit before the watchdog takes a pool in which no task finishes for
# stalled: a task ends within its limit, and a killed worker is replaced in seconds.
WATCHDOG_GRACE = 30.0
_DIED = "the worker process parsing this input died (killed, or crashed in native code)"


def watchdog(limit: float) -> float:
    """Seconds without any task of the pool finishing after which the pool is taken for lost."""
    return 2 * limit + WATCHDOG_GRACE


class PoolLost(BatchError):
    """The worker pool stopped working (stalled or broken): the run ends (exit 3). The command line adds where
    its lines are and that ``--resume`` continues it, when they went to a file."""


def _chunks(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


Pending = Callable[[], list[Result]]


def ordered_results(
    chunks: Iterable[list[Item]], submit: Callable[[list[Item]], Pending], in_flight: int
) -> Iterator[Result]:
    """Submit chunks with at most ``in_flight`` outstanding and yield their results in input order;
    ``submit`` returns what gives a chunk's results when called."""
    pending: deque[Pending] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= in_flight:
            yield from pending.popleft()()
    while pending:
        yield from pending.popleft()()


# A stand-in for the main module's spec while a worker starts: a child told that main is "__main__" does not
# import the caller's script again (multiprocessing's _fixup_main_from_name skips that name).
_NO_MAIN = ModuleSpec("__main__", None)
_MAIN_SWAP = threading.Lock()


@contextlib.contextmanager
def _main_not_rerun() -> Iterator[None]:
    """While a worker process is prepared, hide the main module from it. A worker re-imports the caller's
    script otherwise, and a script that calls parse_many at its top level, without ``if __name__ ==
    "__main__":``, would then run again in every worker (and fail there). Workers need nothing of it: their
    tasks and inputs are rectify_parse's functions, bytes and str."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    with _MAIN_SWAP:
        spec = getattr(main, "__spec__", None)
        main.__spec__ = _NO_MAIN
        try:
            yield
        finally:
            main.__spec__ = spec


# fork() in a process that may hold threads (a Dask client, a test runner) can deadlock.
_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
_START: Any = multiprocessing.get_context(_METHOD)


class _Process(_START.Process):  # type: ignore[misc]  # each start method's context declares its own Process
    """The start method's process, prepared with the main module hidden (at module level: it is pickled)."""

    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        with _main_not_rerun():
            return _START.Process._Popen(process_obj)


class _Context(type(_START)):  # type: ignore[misc]
    Process = _Process


# What the fork server imports before it forks any worker (see ``preload``): the parser set up and jieba's
# dictionary loaded once, shared copy-on-write by every worker instead of loaded by each.
PRELOAD = "rectify_parse.batch.preload"


def _pool_context() -> Any:
    context = _Context()
    if _METHOD == "forkserver":
        # Effective when this process starts its fork server (its first pool); a server some other code
        # started before keeps its own list, and the workers then set up on their own (warm_up).
        context.set_forkserver_preload([PRELOAD])
    return context


def run_items(items: Iterator[Item], options: BatchOptions, plan: Plan | None = None) -> Generator[Result, None, None]:
    """Results of every item, in order, computed in-process, in a process pool or on a Dask cluster. With
    ``options.workers`` None the run chooses (``plan``: the inputs' size, and where the choice is recorded)."""
    shape = Shape(options.dedup, options.compact, first_pass_fields(options), options.format, options.max_chars)
    timeout = options.timeout
    chunks = _chunks(items, options.chunk_size)
    if options.scheduler is not None:
        # Here only: rectify_parse.dask imports the batch when it loads, the batch never loads it.
        from ..dask import scheduler_submit

        with scheduler_submit(options.scheduler) as (submit, parallelism):
            in_flight = parallelism * IN_FLIGHT_PER_WORKER
            yield from ordered_results(chunks, lambda c: submit(process_chunk, c, shape, timeout).result, in_flight)
    elif options.workers is None:
        yield from _chosen(chunks, shape, timeout, plan or Plan(InputSize()))
    elif options.workers == 1:
        for chunk in chunks:
            yield from process_chunk(chunk, shape, timeout)
    else:
        pool = _Pool(options.workers, shape, timeout)
        try:
            yield from ordered_results(chunks, pool.submit, options.workers * IN_FLIGHT_PER_WORKER)
        finally:  # done, or interrupted (Ctrl-C, SIGTERM, a closed output, a lost pool): no worker stays
            pool.stop()


def _chosen(
    chunks: Iterator[list[Item]], shape: Shape, timeout: float | None, plan: Plan
) -> Generator[Result, None, None]:
    """Parse here chunk after chunk until the work left is worth a pool (``plan``), then in a pool of the
    workers it chose, this process parsing on while the pool starts."""
    # Work that would be long even at the fastest speed a page parses starts its pool at once: a first chunk
    # that loads jieba's dictionary (a page with copies) would otherwise hold the pool back by a second.
    ahead = 0  # bytes this process may parse ahead while the pool starts: none unless it is set up already
    if plan.decide(0, 1 / FASTEST_BYTES_A_S, 0.0, bound=True) == 1:
        ahead = AHEAD_BYTES  # once probed, this process is set up: what it parses ahead is work the pool saves
        warm_up()  # the parser's one-time set-up: not parsing time, it would make the work look longer
        parsed, busy, cheapest = 0, 0.0, math.inf
        for chunk in chunks:
            started = time.perf_counter()
            results = process_chunk(chunk, shape, timeout)
            took = time.perf_counter() - started
            size = sum(result.size for result in results)
            parsed, busy = parsed + size, busy + took
            if size:
                cheapest = min(cheapest, took / size)
            yield from results
            if cheapest < math.inf and plan.decide(parsed, cheapest, busy) > 1:
                break
        else:
            return
    plan.on_pool()
    pool = _Pool(plan.workers, shape, timeout)
    try:
        yield from _overlapped(chunks, pool, shape, timeout, plan.workers * IN_FLIGHT_PER_WORKER, ahead)
    finally:
        pool.stop()


# Bytes a second one process parses at the most (compiled, on pages of a few KB; bench_parse.py measures 5-21
# MB/s): the bound an auto run decides with before it has timed a chunk of its own.
FASTEST_BYTES_A_S = 25e6
# While a pool starts, results this process parsed ahead wait for the pool's first ones; bytes of their lines
# held at most (the same bound on memory as the chunks in flight of a pool at full speed, roughly).
AHEAD_BYTES = 32 << 20


def _ready(results: list[Result]) -> Pending:
    return lambda: results


def _overlapped(
    chunks: Iterator[list[Item]],
    pool: _Pool,
    shape: Shape,
    timeout: float | None,
    in_flight: int,
    ahead_bytes: int = AHEAD_BYTES,
) -> Iterator[Result]:
    """``ordered_results`` over ``pool``, except that until the pool has finished a task (its workers are
    starting), the chunks beyond those in flight are parsed here instead of waiting, their lines up to
    ``ahead_bytes``. (A process not yet set up would spend the pool's start loading jieba's dictionary, as the
    pool's fork server does: no use.)"""
    pending: deque[tuple[bool, Pending]] = deque()  # (a pool task, what gives its results), in input order
    in_pool, ahead = 0, 0
    for chunk in chunks:
        while in_pool >= in_flight and (pool.started or ahead >= ahead_bytes):
            from_pool, results = pending.popleft()
            in_pool -= from_pool
            yield from results()
        if in_pool < in_flight:
            pending.append((True, pool.submit(chunk)))
            in_pool += 1
        else:
            done = process_chunk(chunk, shape, timeout)
            ahead += sum(len(result.line) for result in done)
            pending.append((False, _ready(done)))
    while pending:
        yield from pending.popleft()[1]()


class _Pool:
    """Chunks run as tasks of a pebble ``ProcessPool``, each with its time limit; a chunk that fails runs
    again one input per task (see the module's notes)."""

    def __init__(self, workers: int, shape: Shape, timeout: float | None) -> None:
        self._shape, self._timeout = shape, timeout
        self._limit = timeout + HARD_GRACE if timeout else NO_LIMIT
        self._watchdog = watchdog(self._limit)
        self._finished = 0.0  # time.monotonic() when a task last finished: the pool is working
        self._pool = ProcessPool(workers, initializer=warm_up, context=_pool_context())

    @property
    def started(self) -> bool:
        """Whether a task has finished: the workers are up."""
        return self._finished > 0

    def submit(self, chunk: list[Item]) -> Pending:
        future = self._schedule(chunk)
        return lambda: self._settle(chunk, future)

    def stop(self) -> None:
        self._pool.stop()  # type: ignore[no-untyped-call]  # pebble leaves it unannotated; join() kills the workers
        self._pool.join()

    def _schedule(self, items: list[Item]) -> Future[list[Result]]:
        try:
            future = self._pool.schedule(process_chunk, (items, self._shape, self._timeout), timeout=self._limit)
        except RuntimeError as exc:  # the pool broke: schedule() refuses new tasks
            raise PoolLost(f"the worker pool broke ({exc})") from exc
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[list[Result]]) -> None:
        self._finished = time.monotonic()

    def _settle(self, chunk: list[Item], future: Future[list[Result]]) -> list[Result]:
        """The chunk's results; when its task ran out of time or its worker died, each input's alone."""
        if self._failure(future) is None:
            return future.result()
        if len(chunk) == 1:
            return [self._alone(chunk[0], future)]
        futures = [self._schedule([item]) for item in chunk]
        return [self._alone(item, one) for item, one in zip(chunk, futures, strict=True)]

    def _alone(self, item: Item, future: Future[list[Result]], retry: bool = True) -> Result:
        """The result of ``item`` run alone as ``future``'s task; a task that failed is its error record."""
        failure = self._failure(future)
        if failure is None:
            return future.result()[0]
        if isinstance(failure, FutureTimeoutError):  # not retried: a stuck page would cost its limit again
            limit = _over_time(self._timeout) if self._timeout else f"parsing took longer than {NO_LIMIT:g} s"
            return _error_result(item, ParseTimeoutError.__name__, f"{limit}; its worker was killed")
        if retry:  # once: a worker killed from outside (the out-of-memory killer) may have died by chance
            return self._alone(item, self._schedule([item]), retry=False)
        return _error_result(item, "WorkerDied", _DIED)

    def _failure(self, future: Future[list[Result]]) -> BaseException | None:
        """None once ``future`` holds results; its TimeoutError or ProcessExpired when its task failed. Raises
        PoolLost when the pool broke, or when no task of it finished for the watchdog's time (pebble
        issue 163: tasks that never start never time out), and a task's other exceptions as they are."""
        started = time.monotonic()
        while True:
            left = max(self._finished, started) + self._watchdog - time.monotonic()
            try:
                error = future.exception(timeout=max(0.0, left))
                break
            except FutureTimeoutError:  # waiting timed out; the task's own TimeoutError is returned, not raised
                if left <= 0:
                    raise PoolLost(f"the worker pool stopped: no task finished in {self._watchdog:g} s") from None
        if error is None or isinstance(error, (FutureTimeoutError, ProcessExpired)):
            return error
        if isinstance(error, BrokenProcessPool):
            raise PoolLost(f"the worker pool broke ({error})") from error
        raise error
