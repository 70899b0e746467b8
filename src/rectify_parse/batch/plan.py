"""How many worker processes a run uses when ``--workers`` is not given (``workers=None``: auto).

A pool pays only for work long enough to outweigh what it costs to start (a process that imports the parser
and loads jieba's dictionary, then the workers forked from it) and on cores that other jobs leave free. The
run therefore starts in its own process, parsing chunk after chunk as ``--workers 1`` does, and after each
chunk asks :func:`choose_workers` with what it knows by then (and once before the first, with the fastest
speed a page parses at instead of its own: work that is long even so starts its pool at once):

* the work left: the inputs' bytes counted so far (:class:`~.sources.InputSize`; a directory walk is
  counted while the run goes, so this is a lower bound until the count is done) less the bytes parsed,
  times the run's own seconds a byte (the cheapest chunk so far: a chunk that loaded jieba or met a slow
  page does not make the work look longer than it is);
* the cores: those this process may run on (``os.sched_getaffinity``) less the other jobs' load (the
  1-minute load average, less this run's own share of it).

Once the work left is worth ``POOL_WORTH_S`` seconds or more and two cores or more are free, the rest goes
to a pool of that many workers; until the pool has returned its first result, the run's own process goes on
parsing the next chunks, so its start-up costs no wall time. A small job (the README's sample) or a loaded
machine never starts a pool: the run is then exactly ``--workers 1``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from .sources import InputSize

# Seconds of parsing left, as this process would take, from which a pool is started. Starting one takes a
# core for about a second (imports and jieba's dictionary in the fork server, benchmarks/bench_batch.py), which
# the run's own process overlaps by parsing on; what a pool still costs is that core, the results' transfer
# and the workers' exit. Below this, one process is as fast.
POOL_WORTH_S = 3.0
# The 1-minute load average follows a busy process with this time constant (seconds): a run that has been
# parsing for t seconds has added about 1 - exp(-t / 60) to it, which is not other jobs' load.
_LOAD_TIME_CONSTANT = 60.0


def usable_cpus() -> int:
    """The cores this process may run on (its affinity mask, where the platform tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def other_load(own_busy_s: float) -> float:
    """Runnable processes of other jobs: the 1-minute load average less this run's own part of it (``own_busy_s``:
    seconds this process has been parsing). 0 where the platform has no load average."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0
    return max(0.0, load - (1.0 - math.exp(-own_busy_s / _LOAD_TIME_CONSTANT)))


def choose_workers(left_s: float, cpus: int, others: float) -> int:
    """Worker processes for the work left: 1 (parse in this process) unless ``left_s`` seconds of one
    process's parsing are worth a pool (``POOL_WORTH_S``) and at least two of ``cpus`` cores are free of the
    ``others`` runnable processes of other jobs; then one a free core."""
    free = min(cpus, math.floor(cpus - others + 0.5))
    if left_s < POOL_WORTH_S or free < 2:
        return 1
    return free


@dataclass
class Plan:
    """What an auto run knows and decided: the inputs' size as counted, and the workers it chose (and why)."""

    size: InputSize
    workers: int = 1
    reason: str = "the run was too short for a pool"
    # Called once when a pool is started (the near-duplicate index then verifies as results come).
    on_pool: Callable[[], None] = field(default=lambda: None)
    cpus: int = field(default_factory=usable_cpus)
    load: Callable[[float], float] | None = None  # other jobs' load given own busy seconds; None: other_load
    _most_left: float = -1.0

    def decide(self, parsed_bytes: int, seconds_a_byte: float, busy_s: float, *, bound: bool = False) -> int:
        """The workers for what is left after ``parsed_bytes`` (see the module's notes); records the reason.
        ``bound``: ``seconds_a_byte`` is the least a byte can take, not measured (the work is at least this)."""
        left_s = max(0, self.size.bytes - parsed_bytes) * seconds_a_byte
        others = (self.load or other_load)(busy_s)
        workers = choose_workers(left_s, self.cpus, others)
        if workers > 1 or left_s >= self._most_left:  # the reason worth telling: the switch, or the most work seen
            self._most_left = left_s
            counted = "" if self.size.done else " counted so far"
            least = "at least " if bound else ""
            self.reason = (
                f"{least}{left_s:.1f} s of parsing left{counted}, {self.cpus} cores, other jobs' load {others:.1f}"
            )
        self.workers = workers
        return workers
