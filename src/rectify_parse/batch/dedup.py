"""Near-duplicates across the run: the index of a ``--dedup`` run and what its first pass keeps.

Memory under ``--dedup`` grows with the corpus: the index keeps 25 LSH band keys, a 128-value
signature and the output offset of every notice, and reads the bodies of candidate pairs back from the
first-pass output. When it follows a run with workers, it also keeps the band-key table of the search
(300-500 bytes a notice) and up to ``corpus.PROFILE_BUDGET`` of candidates' matching texts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import IO

import orjson

from ..corpus import DEFAULT_THRESHOLD, Group, NearDuplicateFinder, Sketch, TemplateSibling
from ..errors import BatchError
from ..identity import Identity
from ..records import check_fields, document_text
from .options import BatchOptions


class DedupIndex:
    """NearDuplicateFinder over a run, keyed by input id; a repeated id is indexed as ``id#N``.

    ``N`` is the 1-based position of the input in the run; the finder needs unique keys and the
    output must still say which input is meant. Unless ``keep_texts``, bodies are not kept in memory:
    the index remembers where each record's line lies in the first-pass output and reads candidates
    back from there. After ``follow`` each input's candidates are verified as it is added (while a
    pool parses the next inputs), and ``verify`` only finishes.
    """

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, *, keep_texts: bool = False, drop: Iterable[str] = ()
    ) -> None:
        self._finder = NearDuplicateFinder(threshold=threshold, keep_texts=keep_texts)
        self._drop = tuple(drop)  # record keys the first pass kept only for reading bodies back
        self._seen: set[str] = set()
        self._keys: list[str] = []  # by ordinal; the strings are the ones the finder keeps anyway
        self._lines: dict[str, tuple[int, int]] = {}  # offset and length of the first-pass line
        self._read: Callable[[int, int], bytes] | None = None
        self._representative: dict[str, str] = {}
        self._group_of: dict[str, int] = {}
        self._rewritten: dict[str, float] = {}
        self._siblings: dict[str, TemplateSibling] = {}
        self._groups: list[Group] | None = None

    def add(
        self,
        ordinal: int,
        doc_id: str,
        body: str | Sketch | None,
        offset: int = -1,
        line: bytes | None = None,
        *,
        identity: Identity | None = None,
    ) -> None:
        """Record input ``ordinal`` (0-based, in order): its clean body or the body's sketch (None when it
        failed; a sketch only when texts are not kept), the byte offset of its line in the first-pass
        output and the line (no newline; both unused when texts are kept); with a body, its record's
        ``identity`` (a sketch carries its own)."""
        if ordinal != len(self._keys):
            raise BatchError(f"input {ordinal} recorded out of order (expected {len(self._keys)})")
        key = f"{doc_id}#{ordinal + 1}" if doc_id in self._seen else doc_id
        self._seen.add(doc_id)
        self._keys.append(key)
        if body is not None:
            self._lines[key] = (offset, -1 if line is None else len(line))
        if isinstance(body, str):
            self._finder.add(key, body, identity)
        elif body is not None:
            self._finder.add_sketch(key, body, None if line is None else lambda: _body(line))

    def follow(self, read: Callable[[int, int], bytes]) -> None:
        """Verify each input's candidates as it is added (and those added so far), reading earlier bodies
        back from the first-pass output through ``read(offset, length)``."""
        self._read = read
        self._finder.follow(None if self._finder.keep_texts else self._load)

    @property
    def following(self) -> bool:
        """Whether candidates are verified as inputs are added (``follow``)."""
        return self._read is not None and self._finder._live is not None

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
        if first is not None:
            self._read = line_reader(first)
        load = None if first is None else self._load
        self._groups = self._finder.groups(load, variants=variants, progress=progress)
        self._representative = {member: g.representative for g in self._groups for member in g.ids[1:]}
        self._group_of = {member: k for k, g in enumerate(self._groups) for member in g.ids}
        self._rewritten = {member: share for g in self._groups for member, share in g.rewritten.items()}
        self._siblings = {t.id: t for t in self._finder.siblings}

    @property
    def siblings(self) -> list[TemplateSibling]:
        """The template siblings found by ``verify``: kept out of a group their identity disagrees with."""
        return list(self._siblings.values())

    @property
    def split_groups(self) -> int:
        """Groups the identity check split (``NearDuplicateFinder.split_groups``)."""
        return self._finder.split_groups

    def _load(self, key: str) -> str:
        if self._read is None:
            raise BatchError("near-duplicate bodies asked for before the first-pass output can be read")
        offset, length = self._lines[key]
        return _body(self._read(offset, length))

    @property
    def groups(self) -> list[Group]:
        """The groups found by ``verify``."""
        if self._groups is None:
            raise BatchError("near-duplicate groups asked for before they were verified")
        return self._groups

    def annotate(self, ordinal: int, line: bytes) -> bytes:
        """Output line ``ordinal`` (an object, its newline optional) with ``near_duplicate_of`` (the
        representative's id, or None), ``group`` (the group's index in the summary's ``groups``, or
        None), ``same_template_as`` (``{"id", "differs"}`` of the representative it was kept apart from,
        or None), ``script`` and ``rewritten`` added, and a newline (call ``verify`` first). The group
        index tells the members of a group apart even when ids repeat."""
        key = self._keys[ordinal]
        if self._drop:
            line = _without(line, self._drop)
        target = orjson.dumps(self._representative.get(key))
        group = orjson.dumps(self._group_of.get(key))
        sibling = self._siblings.get(key)
        template = orjson.dumps(
            None if sibling is None else {"id": sibling.same_template_as, "differs": sibling.differs}
        )
        script = orjson.dumps(self._finder.script(key) if key in self._lines else None)
        rewritten = orjson.dumps(self._rewritten.get(key))
        # One copy of the (long) line up to its closing brace: a chain of + would copy it once per piece.
        end = len(line) - 1 - line.endswith(b"\n")
        return b"".join(
            (
                memoryview(line)[:end],
                b',"near_duplicate_of":',
                target,
                b',"group":',
                group,
                b',"same_template_as":',
                template,
                b',"script":',
                script,
                b',"rewritten":',
                rewritten,
                b"}\n",
            )
        )


def _body(line: bytes) -> str:
    """The clean text of the record on a first-pass line."""
    return document_text(orjson.loads(line)["record"])


def line_reader(handle: IO[bytes]) -> Callable[[int, int], bytes]:
    """``read(offset, length)``: bytes of the file of ``handle``, which may be being written through it
    (it is flushed first); a length of -1 reads to the end of the line. The handle's position is kept."""

    def read(offset: int, length: int) -> bytes:
        handle.flush()
        if length >= 0 and hasattr(os, "pread"):
            return os.pread(handle.fileno(), length, offset)
        position = handle.tell()
        handle.seek(offset)
        data = handle.read(length) if length >= 0 else handle.readline()
        handle.seek(position)
        return data

    return read


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
