"""Near-duplicate notices across a corpus: the same document scraped from several sites.

Candidates come from MinHash signatures (datasketch), banded for LSH, over character shingles of the
*matching text* of each clean body: header and chrome already removed by the parser, width folded,
spaces and punctuation dropped, so a different layout or punctuation style does not hide a copy.
Every candidate pair is then verified with rapidfuzz's normalised Indel similarity, and only verified
pairs are grouped, so notices written from one template (same intro and closing, different problems)
stay apart: their shingles may collide in LSH, but their texts are not ``threshold``-similar.

Bodies with fewer than ``MIN_SHINGLES`` shingles are never grouped: their shingle sets are empty or too
small for similarity to mean anything (``详见附件。`` on two pages says nothing about the pages).
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import Indel

from .diff import variants as diff_variants
from .errors import ConfigError, RectifyError
from .normalize import fold
from .records import Variant, doc, document_text, to_plain
from .repeats import line_key

DEFAULT_THRESHOLD = 0.9
SHINGLE = 5
NUM_PERM = 128
# LSH banding: 25 bands of 5 rows catch pairs whose shingle sets overlap by about (1/25)^(1/5) ≈ 0.53 or
# more (datasketch's optimum for a 0.5 threshold at 128 permutations); verification decides the rest.
BANDS, ROWS = 25, 5
MIN_SHINGLES = 30
# Only shingles whose hash is 0 modulo SAMPLE_MOD enter the signature (Broder's mod-m sampling): the same
# shingle is kept or dropped in every document, so the Jaccard similarity of the samples estimates that of
# the whole sets, and a signature costs a quarter of the work. A body without such a shingle keeps all.
SAMPLE_MOD = 4
# A band collision becomes a candidate pair only if the two full signatures agree on at least this share
# of their values (an estimate of the shingle overlap). Pages written from one template collide in some
# band by chance with an overlap of 0.1-0.3; near-duplicates agree on nearly all values; and a pair below
# this overlap had less than a one-in-four chance to collide in any band at all.
MIN_AGREEMENT = 0.4
# A bucket is compared with at most this many of its latest members: a band shared by thousands of pages
# (one boilerplate paragraph) must not cost a comparison with each, and a true copy also collides in
# other bands.
MAX_BUCKET_CHECKS = 32


def matching_text(text: str) -> str:
    """The part of a clean body that near-duplicate detection compares: its letters and digits, width
    folded (folding after the key is the same, as fold maps word characters to word characters, and
    it leaves little to fold)."""
    return fold(line_key(text))


def shingle_hashes(matching: str) -> Any:
    """Distinct 32-bit hashes of the ``SHINGLE``-character shingles of ``matching`` (a numpy array).

    A polynomial rolling hash computed with numpy over the code points: one vectorised pass instead of
    a Python-level hash call per shingle, and the same values in every process (no PYTHONHASHSEED).
    """
    import numpy as np

    points = np.frombuffer(matching.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    count = len(points) - SHINGLE + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint32)
    hashes = points[:count].copy()
    for k in range(1, SHINGLE):
        hashes *= np.uint32(1_000_003)  # uint32 arithmetic wraps: the hash is taken modulo 2**32
        hashes += points[k : k + count]
    hashes.sort()  # distinct values by sort and compare: np.unique costs several times more on small arrays
    first = np.ones(count, dtype=bool)
    np.not_equal(hashes[1:], hashes[:-1], out=first[1:])
    return hashes[first]


def sample_shingles(hashes: Any) -> Any:
    """The shingle hashes a signature is computed from (see ``SAMPLE_MOD``)."""
    sample = hashes[hashes % SAMPLE_MOD == 0]
    return sample if len(sample) else hashes


_BAND_PRIME = 0x100000001B3


def band_keys(hashvalues: Any) -> Any:
    """The signature cut into ``BANDS`` bands of ``ROWS`` values, each folded into a 64-bit key (numpy)."""
    import numpy as np

    rows = hashvalues[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
    return rows @ _band_weights()


@lru_cache(maxsize=1)
def _band_weights() -> Any:
    """Powers of the band prime: ``rows @ weights`` is the polynomial hash of each band, sum(row[k] *
    P**(ROWS-1-k)) modulo 2**64 (uint64 products wrap)."""
    import numpy as np

    return np.array([pow(_BAND_PRIME, ROWS - 1 - k, 2**64) for k in range(ROWS)], dtype=np.uint64)


def _identity(value: int) -> int:
    return value


@lru_cache(maxsize=1)
def _reference() -> Any:
    """A MinHash whose permutation tables (built once) every signature shares."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1)


def new_minhash() -> Any:
    """A MinHash over already hashed values, sharing the reference permutations."""
    from datasketch import MinHash

    ref = _reference()
    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_identity, permutations=ref.permutations, scheme=ref.scheme)


def signature(minhash: Any, hashes: Any) -> Any:
    """The MinHash values of ``hashes`` (a numpy array), computed with ``minhash`` (cleared first: one
    MinHash per finder is reused, building one costs as much as a quarter of the update)."""
    minhash.clear()
    minhash.update_batch(hashes.tolist())
    return minhash.hashvalues.copy()


# Signatures and band keys are stored in blocks of this many rows: storage grows without copying.
_BLOCK = 4096
# Candidate pairs are checked against their signatures this many at a time (two rows of 512 bytes each).
_CHECK_BATCH = 8192


def _bucket_pairs(column: Any) -> Iterator[tuple[int, int]]:
    """Row pairs sharing a value of ``column`` (one band's keys by row), each row paired with the
    ``MAX_BUCKET_CHECKS`` rows before it in its bucket."""
    import numpy as np

    order = np.argsort(column, kind="stable")  # stable: a bucket's rows stay in the order they came
    ordered = column[order]
    bounds = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts, ends = np.r_[0, bounds], np.r_[bounds, len(column)]
    shared = np.flatnonzero(ends - starts > 1)  # most keys belong to one row
    for start, end in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
        rows = order[start:end].tolist()
        for j in range(1, len(rows)):
            for i in range(max(0, j - MAX_BUCKET_CHECKS), j):
                yield rows[i], rows[j]


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
    """Incremental grouping: ``add`` documents one by one, then ask for ``groups``.

    Memory per document, about 1 KB: its 128-value signature and 25 LSH band keys in numpy blocks, its
    id and the length of its matching text; with ``keep_texts`` (the default) its clean body compressed
    too. Band collisions are looked for when they are first needed (``candidate_pairs``, ``groups``):
    one sort of each band's keys. With ``keep_texts=False`` ``groups`` reads the candidates' bodies back
    through its ``load`` argument (the batch reads them from its first-pass output).
    """

    threshold: float = DEFAULT_THRESHOLD
    keep_texts: bool = True
    _texts: dict[str, bytes] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict)  # id -> position in _ids
    _ids: list[str] = field(default_factory=list)
    _lengths: array[int] = field(default_factory=lambda: array("q"))  # matching-text length, by position
    # Row r of the blocks below belongs to document _owners[r] (short bodies get no row).
    _owners: array[int] = field(default_factory=lambda: array("q"))
    _signatures: list[Any] = field(default_factory=list)  # blocks of (_BLOCK, NUM_PERM) uint32
    _band_keys: list[Any] = field(default_factory=list)  # blocks of (_BLOCK, BANDS) uint64
    _pairs: set[tuple[str, str]] | None = None  # None: not looked for since the last add
    _minhash: Any = None

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"threshold must be in (0, 1], got {self.threshold!r}")

    def add(self, doc_id: str, text: str) -> None:
        """Index one clean body under ``doc_id`` (ids must be unique)."""
        import numpy as np

        if doc_id in self._index:
            raise ConfigError(f"duplicate document id {doc_id!r}")
        # Everything that can fail (a text UTF-8 cannot hold) comes before the finder changes.
        matching = matching_text(text)
        compressed = zlib.compress(text.encode("utf-8"), 1) if self.keep_texts else b""
        self._index[doc_id] = len(self._ids)
        self._ids.append(doc_id)
        if self.keep_texts:
            self._texts[doc_id] = compressed
        self._lengths.append(len(matching))
        self._pairs = None
        hashes = shingle_hashes(matching)
        if len(hashes) < MIN_SHINGLES:
            return
        if self._minhash is None:
            self._minhash = new_minhash()
        values = signature(self._minhash, sample_shingles(hashes))
        row = len(self._owners) % _BLOCK
        if row == 0:
            self._signatures.append(np.empty((_BLOCK, NUM_PERM), dtype=np.uint32))
            self._band_keys.append(np.empty((_BLOCK, BANDS), dtype=np.uint64))
        self._signatures[-1][row] = values  # MinHash values are 32-bit (datasketch's affine32 scheme)
        self._band_keys[-1][row] = band_keys(values)
        self._owners.append(len(self._ids) - 1)

    def _candidates(self) -> set[tuple[str, str]]:
        """Id pairs (smaller first) that share a band and whose signatures agree on ``MIN_AGREEMENT`` of
        their values: the band collisions of pages of one template mostly do not."""
        if self._pairs is not None:
            return self._pairs
        import numpy as np

        found: set[tuple[str, str]] = set()
        rows = len(self._owners)
        # Collisions are checked a batch at a time as they come, so a band shared by many pages of one
        # template never holds all its pairs in memory (a pair colliding in several bands is checked again).
        batch: list[tuple[int, int]] = []
        for band in range(BANDS) if rows >= 2 else ():
            column = np.concatenate([block[:, band] for block in self._band_keys])[:rows]  # one band at a time
            for pair in _bucket_pairs(column):
                batch.append(pair)
                if len(batch) == _CHECK_BATCH:
                    self._keep_agreeing(batch, found)
                    batch.clear()
        self._keep_agreeing(batch, found)
        self._pairs = found  # only once complete: an interrupted search is not remembered
        return found

    def _keep_agreeing(self, rows: list[tuple[int, int]], found: set[tuple[str, str]]) -> None:
        """Add to ``found`` the id pairs of the row pairs whose signatures agree on ``MIN_AGREEMENT`` of
        their values."""
        import numpy as np

        if not rows:
            return
        pairs = np.array(rows, dtype=np.int64)
        first, second = self._signature_rows(pairs[:, 0]), self._signature_rows(pairs[:, 1])
        agree = np.count_nonzero(first == second, axis=1) >= MIN_AGREEMENT * NUM_PERM
        for a, b in pairs[agree].tolist():
            x, y = self._ids[self._owners[a]], self._ids[self._owners[b]]
            found.add((min(x, y), max(x, y)))

    def _signature_rows(self, rows: Any) -> Any:
        """The signatures of ``rows`` (an integer array), gathered from their blocks."""
        import numpy as np

        out = np.empty((len(rows), NUM_PERM), dtype=np.uint32)
        blocks, offsets = np.divmod(rows, _BLOCK)
        for block in np.unique(blocks).tolist():
            chosen = blocks == block
            out[chosen] = self._signatures[block][offsets[chosen]]
        return out

    @property
    def candidate_pairs(self) -> int:
        """Pairs waiting for verification: what ``groups`` will compare."""
        return len(self._candidates())

    def text(self, doc_id: str) -> str:
        """The clean body indexed under ``doc_id`` (only when the finder keeps texts)."""
        if not self.keep_texts:
            raise ConfigError("this finder does not keep texts (keep_texts=False)")
        return zlib.decompress(self._texts[doc_id]).decode("utf-8")

    def groups(self, load: Callable[[str], str] | None = None, *, variants: bool = True) -> list[Group]:
        """Verified groups of two or more documents, ordered by representative id. ``load`` gives a body
        back by id; it is required when the finder does not keep texts. ``variants=False`` leaves each
        group's variants empty: the word diff is the costly part (it loads jieba's dictionary)."""
        if load is None and not self.keep_texts:
            raise ConfigError("groups() needs load= when the finder does not keep texts")
        read = self.text if load is None else load
        bodies: dict[str, str] = {}

        def text(x: str) -> str:
            # With variants the bodies are read again for the word diff: keep them (only candidates').
            body = bodies.get(x)
            if body is None:
                body = read(x)
                if variants:
                    bodies[x] = body
            return body

        matching: dict[str, str] = {}  # built once: a representative is compared with every member

        def similarity(a: str, b: str) -> float:
            for x in (a, b):
                if x not in matching:
                    matching[x] = matching_text(text(x))
            if matching[a] == matching[b]:
                return 1.0  # exact copies (the same page scraped twice) need no alignment
            # The cutoff lets rapidfuzz stop as soon as the threshold is out of reach (it then returns 0).
            return float(Indel.normalized_similarity(matching[a], matching[b], score_cutoff=self.threshold))

        parent: dict[str, str] = {}

        def root(x: str) -> str:
            while parent.get(x, x) != x:
                parent[x] = parent.get(parent[x], parent[x])
                x = parent[x]
            return x

        for a, b in sorted(self._candidates()):
            ra, rb = root(a), root(b)
            # Two documents already linked need no check: the groups are cut from the linked sets below,
            # each member checked against its representative. On a corpus of many near-copies of each
            # page this keeps the checks near one per document instead of one per pair.
            if ra != rb and similarity(a, b) >= self.threshold:
                parent[max(ra, rb)] = min(ra, rb)
        members: dict[str, list[str]] = {}
        for x in {*parent, *parent.values()}:
            members.setdefault(root(x), []).append(x)
        out: list[Group] = []
        for component in members.values():
            out.extend(self._split(sorted(set(component)), similarity, text if variants else None))
        return sorted(out, key=lambda g: g.representative)

    def _split(
        self, component: list[str], similarity: Callable[[str, str], float], body: Callable[[str], str] | None
    ) -> list[Group]:
        """Groups around representatives; members linked only through a chain start their own group."""
        out: list[Group] = []
        rest = component
        while len(rest) >= 2:
            rep = min(rest, key=lambda x: (-self._lengths[self._index[x]], x))
            close = {x: similarity(rep, x) for x in rest if x != rep}
            kept = sorted(x for x, s in close.items() if s >= self.threshold)
            if kept:
                out.append(self._group(rep, kept, min(close[x] for x in kept), body))
            rest = [x for x in rest if x != rep and x not in kept]
        return out

    def _group(self, rep: str, others: list[str], similarity: float, body: Callable[[str], str] | None) -> Group:
        """A group; its variants when ``body`` is given to read the bodies to diff."""
        ids = [rep, *others]
        found: list[Variant] = []
        if body is not None:
            rep_body = body(rep)
            for index, other in enumerate(others, start=1):
                found.extend(diff_variants(rep_body, body(other), copy=index))
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
        finder.add(doc_id, document_text(notice))
    return finder.groups()
