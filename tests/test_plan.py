"""The worker count a run chooses when ``--workers`` is not given, and the pool's shared set-up."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pebble import ProcessPool

from rectify_parse import batch
from rectify_parse.batch import plan, pool, running
from rectify_parse.batch.plan import POOL_WORTH_S, Plan, choose_workers
from rectify_parse.batch.sources import InputSize, Item

FIXTURES = Path(__file__).parent.parent / "fixtures"
CORPUS = FIXTURES / "corpus"


def run(*args: str | Path) -> int:
    return batch.main_batch([str(a) for a in args])


def test_a_small_job_or_a_busy_machine_parses_in_process() -> None:
    assert choose_workers(POOL_WORTH_S / 2, cpus=2, others=0.0) == 1  # the README's sample job
    assert choose_workers(60.0, cpus=2, others=1.6) == 1  # another job holds a core and more
    assert choose_workers(60.0, cpus=1, others=0.0) == 1
    assert choose_workers(60.0, cpus=2, others=0.3) == 2
    assert choose_workers(60.0, cpus=8, others=3.2) == 5  # one worker a free core


@given(st.floats(0, 1e6), st.integers(1, 256), st.floats(0, 1e3))
def test_the_choice_stays_within_the_cores(left_s: float, cpus: int, others: float) -> None:
    workers = choose_workers(left_s, cpus, others)
    assert 1 <= workers <= cpus
    assert workers == 1 or left_s >= POOL_WORTH_S
    assert choose_workers(left_s * 2, cpus, others) >= workers  # more work never fewer workers


def test_the_plan_follows_the_count_and_says_why() -> None:
    size = InputSize(0, done=False)
    chosen = Plan(size, cpus=2, load=lambda busy: 0.2)
    size.bytes = 1_000_000  # counted so far: a lower bound
    assert chosen.decide(parsed_bytes=100_000, seconds_a_byte=1e-6, busy_s=0.1) == 1  # 0.9 s left
    assert chosen.reason == "0.9 s of parsing left counted so far, 2 cores, other jobs' load 0.2"
    size.bytes, size.done = 10_000_000, True
    assert chosen.decide(parsed_bytes=200_000, seconds_a_byte=1e-6, busy_s=0.2) == 2
    assert chosen.workers == 2 and chosen.reason.startswith("9.8 s of parsing left, 2 cores")


def test_the_own_run_is_not_counted_as_other_jobs_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan.os, "getloadavg", lambda: (1.5, 1.0, 1.0))
    assert plan.other_load(0.0) == 1.5
    assert plan.other_load(600.0) == pytest.approx(0.5, abs=1e-3)  # a run busy for ten minutes adds about 1


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_the_default_parses_a_small_job_in_process(tmp_path: Path) -> None:
    out, one, summary = tmp_path / "auto.jsonl", tmp_path / "one.jsonl", tmp_path / "s.json"
    assert run(CORPUS, "-o", out, "--summary", summary, "--quiet") == 0
    assert run(CORPUS, "-o", one, "--workers", "1", "--quiet") == 0
    assert _lines(out) == _lines(one)
    chosen = json.loads(summary.read_text(encoding="utf-8"))
    assert chosen["workers"] == 1 and "s of parsing left" in chosen["workers_chosen"]


@pytest.fixture
def eager(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any work is worth a pool, on an idle machine of two cores: an auto run starts one after its first chunk."""
    monkeypatch.setattr(plan, "POOL_WORTH_S", 0.0)
    monkeypatch.setattr(plan, "other_load", lambda busy: 0.0)
    monkeypatch.setattr(plan, "usable_cpus", lambda: 2)


@pytest.mark.parametrize("dedup", [[], ["--dedup"]])
def test_a_run_that_starts_a_pool_midway_writes_what_one_worker_writes(
    eager: None, tmp_path: Path, dedup: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    out, one, summary = tmp_path / "auto.jsonl", tmp_path / "one.jsonl", tmp_path / "s.json"
    common = [CORPUS, "--glob", "*.txt", "--chunk-size", "2", *dedup]
    assert run(*common, "-o", out, "--summary", summary) == 0
    assert run(*common, "-o", one, "--workers", "1", "--quiet") == 0
    assert _lines(out) == _lines(one)
    chosen = json.loads(summary.read_text(encoding="utf-8"))
    assert chosen["workers"] == 2 and chosen["workers_chosen"].endswith("2 cores, other jobs' load 0.0")
    if dedup:
        assert chosen["near_duplicate_groups"] >= 1
    assert "  workers: 2 (chosen: " in capsys.readouterr().err


class _Starting:
    """A pool whose workers are up once asked ``up_after`` times whether they are; its tasks run when awaited."""

    def __init__(self, up_after: int) -> None:
        self.submitted = 0
        self.asked = 0
        self.up_after = up_after

    @property
    def started(self) -> bool:
        self.asked += 1
        return self.asked > self.up_after

    def submit(self, chunk: list[Item]) -> pool.Pending:
        self.submitted += 1
        return lambda: running.process_chunk(chunk, SHAPE)


SHAPE = running.Shape(False, True, None)
NOTICE = "关于整改情况的报告\n一、整改情况\n1.问题一。\n完成情况：已完成。\n"


@pytest.mark.parametrize("up_after", [0, 3, 1000])
def test_while_the_pool_starts_this_process_parses_ahead_in_order(up_after: int) -> None:
    items = [Item(f"n{i}", NOTICE + "第" + str(i) + "条。", 0) for i in range(20)]
    starting = _Starting(up_after)
    results = list(pool._overlapped(pool._chunks(iter(items), 2), starting, SHAPE, None, in_flight=2))  # type: ignore[arg-type]
    assert [r.id for r in results] == [item.id for item in items]
    assert [r.line for r in results] == [r.line for r in running.process_chunk(items, SHAPE)]
    # Parsed here: the chunks past the two in flight while the pool is not up (none once it is).
    assert starting.submitted == {0: 10, 3: 7, 1000: 2}[up_after]  # 3: three chunks parsed here


@pytest.mark.parametrize(("ahead_bytes", "submitted"), [(1, 9), (0, 10)])
def test_what_is_parsed_ahead_is_bounded(ahead_bytes: int, submitted: int) -> None:
    # 1 byte: one chunk ahead at most, then the pool's results are awaited; 0: none (a process not set up yet)
    items = [Item(f"n{i}", NOTICE, 0) for i in range(20)]
    starting = _Starting(up_after=1000)
    chunks = pool._chunks(iter(items), 2)
    results = list(pool._overlapped(chunks, starting, SHAPE, None, 2, ahead_bytes))  # type: ignore[arg-type]
    assert [r.id for r in results] == [item.id for item in items]
    assert starting.submitted == submitted  # of 10 chunks


@pytest.mark.skipif(pool._METHOD != "forkserver", reason="the shared set-up needs the forkserver start method")
def test_workers_start_with_the_parser_and_jieba_set_up_in_the_fork_server() -> None:
    with ProcessPool(1, context=pool._pool_context()) as workers:
        assert workers.schedule(running.preloaded).result(timeout=120)
    assert not running.preloaded() or "rectify_parse.batch.preload" in sys.modules  # never set up here


def test_workers_auto_and_bad_counts_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(CORPUS, "-o", tmp_path / "o.jsonl", "--workers", "auto", "--quiet") == 0
    for bad in ("0", "abc", "1.5"):
        assert run(CORPUS, "-o", tmp_path / "o.jsonl", "--workers", bad) == 2
        assert f"--workers: must be a whole number, 1 or more, or auto (got {bad!r})" in capsys.readouterr().err


def test_summary_has_no_choice_when_workers_are_given(tmp_path: Path) -> None:
    summary = tmp_path / "s.json"
    assert run(CORPUS, "-o", tmp_path / "o.jsonl", "--workers", "1", "--summary", summary, "--quiet") == 0
    got = json.loads(summary.read_text(encoding="utf-8"))
    assert got["workers"] == 1 and got["workers_chosen"] is None
    assert "workers:" not in batch.summary.format_summary(got)


def test_work_long_at_any_speed_starts_its_pool_before_parsing(
    eager: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(plan, "POOL_WORTH_S", 1e-9)  # any byte at the fastest speed is worth it
    asked: list[bool] = []
    decide = Plan.decide

    def recorded(self: Plan, *args: Any, bound: bool = False) -> int:
        asked.append(bound)
        return decide(self, *args, bound=bound)

    monkeypatch.setattr(Plan, "decide", recorded)
    dump = tmp_path / "dump.jsonl"  # a JSONL input's size is known at once (a walk's is counted meanwhile)
    texts = [(CORPUS / name).read_text(encoding="utf-8") for name in ("a1.txt", "b1.txt", "s1.txt")]
    dump.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts)))
    summary = tmp_path / "s.json"
    assert run(dump, "-o", tmp_path / "o.jsonl", "--summary", summary, "--quiet") == 0
    assert json.loads(summary.read_text(encoding="utf-8"))["workers_chosen"].startswith("at least ")
    assert asked == [True]  # decided before a chunk was timed, never after
