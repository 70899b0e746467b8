"""Near-duplicate notices across a corpus: the same document scraped from several sites.

Candidates come from MinHash/LSH (datasketch) over character shingles of the *matching text* of each
clean body (header and chrome already removed by the parser; width folded; spaces and punctuation
dropped, so a different layout or punctuation style does not hide a copy). Every candidate pair is then
verified with rapidfuzz's normalised Indel similarity, and only verified pairs are grouped, so notices
written from one template (same intro and closing, different problems) stay apart: their shingles may
collide in LSH, but their texts are not ``threshold``-similar.

Bodies with fewer than ``MIN_SHINGLES`` shingles are never grouped: their shingle sets are empty or too
small for similarity to mean anything (``详见附件。`` on two pages says nothing about the pages).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Indel

from .diff import variants as diff_variants
from .errors import ConfigError, RectifyError
from .normalize import fold
from .records import Variant, doc, to_plain
from .repeats import line_key

DEFAULT_THRESHOLD = 0.9
SHINGLE = 5
NUM_PERM = 128
LSH_THRESHOLD = 0.5
MIN_SHINGLES = 30


def matching_text(text: str) -> str:
    """The part of a clean body that near-duplicate detection compares."""
    return line_key(fold(text))


def _shingles(matching: str) -> set[bytes]:
    return {matching[i : i + SHINGLE].encode("utf-8") for i in range(len(matching) - SHINGLE + 1)}


@dataclass(frozen=True, slots=True)
class Group:
    """Documents that are the same notice."""

    ids: list[str] = doc("Member ids, the representative first, the others sorted.")
    representative: str = doc("The member with the longest body (ties: smallest id).")
    similarity: float = doc("Lowest similarity of a member to the representative (0..1).")
    variants: list[Variant] = doc(
        "Word-level differences between the representative and each member, on the clean bodies: spans index "
        "each document's `text`, and `copy` is the member's index in `ids`."
    )

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = to_plain(self)
        return result


@dataclass(slots=True)
class NearDuplicateFinder:
    """Incremental grouping: ``add`` documents one by one, then ask for ``groups``."""

    threshold: float = DEFAULT_THRESHOLD
    _texts: dict[str, str] = field(default_factory=dict)
    _matching: dict[str, str] = field(default_factory=dict)
    _pairs: set[tuple[str, str]] = field(default_factory=set)
    _lsh: Any = None

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"threshold must be in (0, 1], got {self.threshold!r}")
        from datasketch import MinHashLSH

        self._lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)

    def add(self, doc_id: str, text: str) -> None:
        """Index one clean body under ``doc_id`` (ids must be unique)."""
        if doc_id in self._texts:
            raise ConfigError(f"duplicate document id {doc_id!r}")
        matching = matching_text(text)
        self._texts[doc_id] = text
        self._matching[doc_id] = matching
        shingles = _shingles(matching)
        if len(shingles) < MIN_SHINGLES:
            return
        from datasketch import MinHash

        signature = MinHash(num_perm=NUM_PERM, seed=1)
        signature.update_batch(sorted(shingles))
        for other in self._lsh.query(signature):
            self._pairs.add((min(other, doc_id), max(other, doc_id)))
        self._lsh.insert(doc_id, signature)

    def _similarity(self, a: str, b: str) -> float:
        return float(Indel.normalized_similarity(self._matching[a], self._matching[b]))

    def groups(self) -> list[Group]:
        """Verified groups of two or more documents, ordered by representative id."""
        parent: dict[str, str] = {}

        def root(x: str) -> str:
            while parent.get(x, x) != x:
                parent[x] = parent.get(parent[x], parent[x])
                x = parent[x]
            return x

        for a, b in sorted(self._pairs):
            if self._similarity(a, b) >= self.threshold:
                ra, rb = root(a), root(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
        members: dict[str, list[str]] = {}
        for x in {*parent, *parent.values()}:
            members.setdefault(root(x), []).append(x)
        out: list[Group] = []
        for component in members.values():
            out.extend(self._split(sorted(set(component))))
        return sorted(out, key=lambda g: g.representative)

    def _split(self, component: list[str]) -> list[Group]:
        """Groups around representatives; members linked only through a chain start their own group."""
        out: list[Group] = []
        rest = component
        while len(rest) >= 2:
            rep = min(rest, key=lambda x: (-len(self._matching[x]), x))
            close = {x: self._similarity(rep, x) for x in rest if x != rep}
            kept = sorted(x for x, s in close.items() if s >= self.threshold)
            if kept:
                out.append(self._group(rep, kept, min(close[x] for x in kept)))
            rest = [x for x in rest if x != rep and x not in kept]
        return out

    def _group(self, rep: str, others: list[str], similarity: float) -> Group:
        ids = [rep, *others]
        found: list[Variant] = []
        for index, other in enumerate(others, start=1):
            found.extend(diff_variants(self._texts[rep], self._texts[other], copy=index))
        return Group(ids, rep, round(similarity, 4), found)


def find_near_duplicates(
    items: Iterable[tuple[str, str | bytes]], *, threshold: float = DEFAULT_THRESHOLD
) -> list[Group]:
    """Group the notices in ``items`` (``(doc_id, raw text or bytes)``) that are the same document.

    Each item is parsed first, so headers, chrome and repeated copies do not count. A document that
    cannot be parsed raises its :class:`~rectify_parse.errors.RectifyError` with the id in the message.
    """
    from .pipeline import parse

    finder = NearDuplicateFinder(threshold=threshold)
    for doc_id, raw in items:
        try:
            notice = parse(raw)
        except RectifyError as exc:
            raise type(exc)(f"document {doc_id!r}: {exc}") from exc
        finder.add(doc_id, notice.text)
    return finder.groups()
