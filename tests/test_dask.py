"""Dask support: a real LocalCluster (scheduler and worker processes on loopback) gives the local results."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip("distributed")
dask_bag = pytest.importorskip("dask.bag")

from rectify_parse import dask as rectify_dask  # noqa: E402
from rectify_parse.batch import main_batch, parse_item  # noqa: E402
from rectify_parse.corpus import find_near_duplicates  # noqa: E402
from rectify_parse.dask import near_duplicate_groups, parse_bag  # noqa: E402

# When port 8787 is taken (another cluster on this machine), distributed moves the scheduler's HTTP
# routes to another port and leaks the socket of its failed attempt; neither matters to these tests.
PORT_TAKEN = "ignore:Port 8787 is already in use:UserWarning"
LEAKED_SOCKET = "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"
pytestmark = [pytest.mark.filterwarnings(PORT_TAKEN), pytest.mark.filterwarnings(LEAKED_SOCKET)]

FIXTURES = Path(__file__).parent.parent / "fixtures"
FILES = sorted(FIXTURES.glob("*.txt")) + sorted((FIXTURES / "corpus").glob("*.txt"))
START_TIMEOUT = 60


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, timeout=START_TIMEOUT
    )
    try:
        with distributed.Client(cluster, timeout=START_TIMEOUT) as dask_client:
            dask_client.wait_for_workers(2, timeout=START_TIMEOUT)
            yield dask_client
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def items() -> list[tuple[str, bytes]]:
    return [(f"{p.parent.name}/{p.name}", p.read_bytes()) for p in FILES]


def test_parse_bag_equals_local_parse(client: Any, items: list[tuple[str, bytes]]) -> None:
    bag = dask_bag.from_sequence(items, npartitions=4)
    got = parse_bag(bag).compute()
    assert got == [parse_item(doc_id, raw) for doc_id, raw in items]
    assert all("record" in obj for obj in got)


def test_near_duplicate_groups_equal_local_run(client: Any, items: list[tuple[str, bytes]]) -> None:
    bag = dask_bag.from_sequence(items, npartitions=5)
    groups = near_duplicate_groups(parse_bag(bag))
    assert [g.to_dict() for g in groups] == [g.to_dict() for g in find_near_duplicates(items)]
    expected = json.loads((FIXTURES / "corpus" / "groups.json").read_text(encoding="utf-8"))
    got = sorted(sorted(Path(i).stem for i in g.ids) for g in groups)
    assert got == sorted(sorted(g) for g in expected["groups"])


def test_batch_on_the_cluster_writes_the_local_output(client: Any, tmp_path: Path) -> None:
    inputs = [str(p) for p in FILES]
    local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    local_summary, remote_summary = tmp_path / "local.json", tmp_path / "remote.json"
    assert main_batch([*inputs, "-o", str(local), "--workers", "1", "--dedup", "--summary", str(local_summary)]) == 0
    address = client.scheduler.address
    args = ["-o", str(remote), "--scheduler", address, "--chunk-size", "3", "--dedup", "--summary", str(remote_summary)]
    assert main_batch([*inputs, *args]) == 0
    assert remote.read_bytes() == local.read_bytes()
    want, got = (json.loads(p.read_text(encoding="utf-8")) for p in (local_summary, remote_summary))
    for key in ("notices", "errors_by_type", "pages_with_copies", "wording_variants", "groups", "warnings_by_code"):
        assert got[key] == want[key], key
    assert got["scheduler"] == address and got["workers"] is None


def test_batch_starts_a_local_cluster(tmp_path: Path) -> None:
    local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    inputs = [str(p) for p in FILES[:6]]
    assert main_batch([*inputs, "-o", str(local), "--workers", "1", "--quiet"]) == 0
    assert main_batch([*inputs, "-o", str(remote), "--scheduler", "local", "--quiet"]) == 0
    assert remote.read_bytes() == local.read_bytes()


def test_unreachable_scheduler_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(rectify_dask, "CONNECT_TIMEOUT", "1s")
    out = tmp_path / "out.jsonl"
    assert main_batch([str(FILES[0]), "-o", str(out), "--scheduler", "tcp://127.0.0.1:9"]) == 3
    assert "cannot connect to the Dask scheduler" in capsys.readouterr().err
