"""Near-duplicates across the run: the index of a ``--dedup`` run and what its first pass keeps.

Memory under ``--dedup`` grows with the corpus: the index keeps 25 LSH band keys, a 128-value
signature and the output offset of every notice, and reads the bodies of candidate pairs back from the
first-pass output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import IO

import orjson

from ..corpus import DEFAULT_THRESHOLD, Group, NearDuplicateFinder, Sketch
from ..errors import BatchError
from ..records import check_fields, document_text
from .options import BatchOptions


class DedupIndex:
    """NearDuplicateFinder over a run, keyed by input id; a repeated id is indexed as ``id#N``.

    ``N`` is the 1-based position of the input in the run; the finder needs unique keys and the
    output must still say which input is meant. Unless ``keep_texts``, bodies are not kept in memory:
    the index remembers where each record's line starts in the first-pass output and reads candidates
    back from there.
    """

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, *, keep_texts: bool = False, drop: Iterable[str] = ()
    ) -> None:
        self._finder = NearDuplicateFinder(threshold=threshold, keep_texts=keep_texts)
        self._drop = tuple(drop)  # record keys the first pass kept only for reading bodies back
        self._seen: set[str] = set()
        self._keys: list[str] = []  # by ordinal; the strings are the ones the finder keeps anyway
        self._offsets: dict[str, int] = {}
        self._representative: dict[str, str] = {}
        self._group_of: dict[str, int] = {}
        self._groups: list[Group] | None = None

    def add(self, ordinal: int, doc_id: str, body: str | Sketch | None, offset: int = -1) -> None:
        """Record input ``ordinal`` (0-based, in order): its clean body or the body's sketch (None when it
        failed; a sketch only when texts are not kept) and the byte offset of its line in the first-pass
        output (unused when texts are kept)."""
        if ordinal != len(self._keys):
            raise BatchError(f"input {ordinal} recorded out of order (expected {len(self._keys)})")
        key = f"{doc_id}#{ordinal + 1}" if doc_id in self._seen else doc_id
        self._seen.add(doc_id)
        self._keys.append(key)
        if isinstance(body, str):
            self._finder.add(key, body)
        elif body is not None:
            self._finder.add_sketch(key, body)
        if body is not None:
            self._offsets[key] = offset

    def verify(
        self,
        first: IO[bytes] | None = None,
        *,
        variants: bool = True,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Verify the candidate pairs and form the groups, reading bodies back from ``first`` (the
        first-pass output; None when texts are kept); ``variants`` and ``progress`` as for
        ``NearDuplicateFinder.groups``."""

        load = None if first is None else self._reader(first)
        self._groups = self._finder.groups(load, variants=variants, progress=progress)
        self._representative = {member: g.representative for g in self._groups for member in g.ids[1:]}
        self._group_of = {member: k for k, g in enumerate(self._groups) for member in g.ids}

    def _reader(self, first: IO[bytes]) -> Callable[[str], str]:
        def body(key: str) -> str:
            first.seek(self._offsets[key])
            return document_text(orjson.loads(first.readline())["record"])

        return body

    @property
    def groups(self) -> list[Group]:
        """The groups found by ``verify``."""
        if self._groups is None:
            raise BatchError("near-duplicate groups asked for before they were verified")
        return self._groups

    def annotate(self, ordinal: int, line: bytes) -> bytes:
        """Output line ``ordinal`` (an object, its newline optional) with ``near_duplicate_of`` (the
        representative's id, or None) and ``group`` (the group's index in the summary's ``groups``, or
        None) added, and a newline (call ``verify`` first). The group index tells the members of a group
        apart even when ids repeat."""
        key = self._keys[ordinal]
        if self._drop:
            line = _without(line, self._drop)
        target = orjson.dumps(self._representative.get(key))
        group = orjson.dumps(self._group_of.get(key))
        # One copy of the (long) line up to its closing brace: a chain of + would copy it once per piece.
        end = len(line) - 1 - line.endswith(b"\n")
        return b"".join((memoryview(line)[:end], b',"near_duplicate_of":', target, b',"group":', group, b"}\n"))


def _without(line: bytes, keys: Sequence[str]) -> bytes:
    obj = orjson.loads(line)
    record = obj.get("record")
    if record is not None:
        for key in keys:
            record.pop(key, None)
    return orjson.dumps(obj)


# Grouping reads each candidate's documents back from the first pass: their text, in every segment.
_DEDUP_FIELDS = ("text", "segments")


def first_pass_fields(options: BatchOptions) -> tuple[str, ...] | None:
    """The record keys the workers write: the chosen ones, plus under ``--dedup`` what grouping reads."""
    if options.fields is None or not options.dedup:
        return options.fields
    return check_fields([*options.fields, *_DEDUP_FIELDS])


def dedup_index(options: BatchOptions) -> DedupIndex:
    """The index of a ``--dedup`` run; it drops again the keys the first pass kept only for grouping."""
    drop = () if options.fields is None else [key for key in _DEDUP_FIELDS if key not in options.fields]
    return DedupIndex(options.threshold, drop=drop)
