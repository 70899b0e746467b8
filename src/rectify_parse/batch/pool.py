"""Running chunks in order: in-process, in a process pool, or on a Dask cluster.

A worker process that dies (killed, or crashed in native code) does not end a run with ``--workers``
of 2 or more: its inputs are parsed again in a new pool, and an input that kills a worker again is
an error record ``WorkerDied``. With ``--workers 1`` inputs are parsed in the main process.

Beyond each worker's own time limit (see ``running``), the parent watches which input each worker is
parsing and since when, kills the workers when one is stuck outside Python code (``HARD_GRACE``
seconds past the limit), and runs the chunks in flight again without that input.
"""

from __future__ import annotations

import signal
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from concurrent.futures import wait as futures_wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from ..errors import ParseTimeoutError
from .dedup import first_pass_fields
from .options import BatchOptions
from .running import _CLOCK, Result, Shape, _error_result, _over_time, process_chunk
from .sources import Item

# Chunks waiting for or held by a worker, per worker: enough to keep workers busy, few enough that
# memory stays flat.
IN_FLIGHT_PER_WORKER = 4
# Seconds the workers get to finish their chunks when the reader of the results stops early.
CLOSE_GRACE = 2.0
# Seconds the parent waits past an input's limit before it kills a worker stuck outside Python code.
HARD_GRACE = 5.0
# Seconds between the parent's looks at its workers' clocks while it waits for a chunk.
_POLL = 1.0


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
        # Here only: rectify_parse.dask imports the batch when it loads, the batch never loads it.
        from ..dask import scheduler_submit

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
