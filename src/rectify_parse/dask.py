"""Dask support (optional extra: ``pip install -e '.[dask]'`` in a checkout, ``'rectify-parse[dask]'`` otherwise).

* :func:`parse_bag` maps a bag of ``(id, raw)`` items to the batch's output objects
  (``{"id", "record"}`` or ``{"id", "error"}``), computed by the same function as ``rectify-parse batch``.
* :func:`near_duplicate_groups` groups a bag of those objects: the clean bodies are computed on the
  cluster and grouped on the client with the same :class:`~rectify_parse.corpus.NearDuplicateFinder`
  as a local run, so the groups are the same.
* :func:`scheduler_submit` lets ``rectify-parse batch --scheduler ADDRESS`` send its chunks to a
  cluster; the batch keeps them in order and writes the same output file as a local run.

Dask is imported inside the functions: importing this module never needs it. This module imports the
batch's parts when it loads; the batch loads without it and imports it only inside a ``--scheduler`` run
(``batch.pool.run_items``), so loading either module never goes round a circle.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .batch.dedup import DedupIndex
from .batch.running import parse_item
from .corpus import DEFAULT_THRESHOLD, Group
from .errors import BatchError, ConfigError, install_extra
from .identity import Identity, identity_of
from .records import document_text

# Partitions computed at once by near_duplicate_groups: parallel enough, bounded memory on the client.
WINDOW = 8
CONNECT_TIMEOUT = "20s"
_EXTRA = install_extra("dask")


def _import_dask() -> Any:
    """The ``dask`` package, with ``dask.bag`` loaded."""
    try:
        import dask.bag
    except ImportError as exc:
        raise ConfigError(f"Dask support needs the optional dask extra: {_EXTRA} ({exc})") from exc
    return dask


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise ConfigError(f"--scheduler needs the optional dask extra: {_EXTRA} ({exc})") from exc
    return distributed


def _parse_pair(item: tuple[str, bytes | str]) -> dict[str, Any]:
    doc_id, raw = item
    return parse_item(doc_id, raw)


def _id_and_text(obj: dict[str, Any]) -> tuple[str, str | None, Identity | None]:
    record = obj.get("record")
    if record is None:
        return obj["id"], None, None
    return obj["id"], document_text(record), identity_of(record)


def parse_bag(bag: Any) -> Any:
    """A ``dask.bag.Bag`` of the output object of each ``(id, raw)`` item, in the same order."""
    _import_dask()
    return bag.map(_parse_pair)


def near_duplicate_groups(bag_of_records: Any, *, threshold: float = DEFAULT_THRESHOLD) -> list[Group]:
    """Near-duplicate groups over a bag of output objects (from :func:`parse_bag`), as a local run finds them.

    Error objects take part only in the numbering of repeated ids (``id#N``, as in the batch).
    """
    dask = _import_dask()

    index = DedupIndex(threshold, keep_texts=True)
    parts = bag_of_records.map(_id_and_text).to_delayed()
    ordinal = 0
    for start in range(0, len(parts), WINDOW):
        for part in dask.compute(*parts[start : start + WINDOW]):
            for doc_id, text, identity in part:
                index.add(ordinal, doc_id, text, identity=identity)
                ordinal += 1
    index.verify()
    return index.groups


def _local_cluster(distributed: Any) -> Any:
    with warnings.catch_warnings():
        # The scheduler's HTTP routes move off port 8787 when another cluster holds it; this private
        # cluster has no dashboard, so the move does not matter.
        warnings.filterwarnings("ignore", message="Port 8787 is already in use", category=UserWarning)
        return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)


@contextmanager
def scheduler_submit(address: str) -> Iterator[tuple[Callable[..., Any], int]]:
    """Connect to ``address`` (``tcp://HOST:PORT``, or ``local`` for a cluster on this machine).

    Yields ``(submit, parallelism)``: ``submit(fn, *args)`` returns a future, ``parallelism`` is the
    number of worker threads. The cluster (when started here) and the client are closed on exit.
    """
    distributed = _import_distributed()
    cluster = None
    try:
        if address == "local":
            cluster = _local_cluster(distributed)
        client = distributed.Client(cluster or address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, ValueError) as exc:  # unreachable scheduler (TimeoutError is an OSError), bad address
        if cluster is not None:
            cluster.close()
        raise BatchError(f"cannot connect to the Dask scheduler {address!r}: {exc}") from exc
    try:
        parallelism = max(1, sum(client.nthreads().values()))

        def submit(fn: Callable[..., Any], *args: Any) -> Any:
            return client.submit(fn, *args, pure=False)

        yield submit, parallelism
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
