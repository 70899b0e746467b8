"""Near-duplicate notices across a corpus: the same document scraped from several sites.

Candidates come from MinHash signatures (datasketch's, computed with numpy), banded for LSH, over
character shingles of the *matching text* of each clean body: header and chrome already removed by the
parser, width folded, spaces and punctuation dropped, so a different layout or punctuation style does
not hide a copy. Every candidate pair is then verified with rapidfuzz's normalised Indel similarity
(after cheaper tests that can only say no: equal digests, lengths, ``similarity_bound``), and only
verified pairs are grouped, so notices written from one template (same intro and closing, different
problems) stay apart: their shingles may collide in LSH, but their texts are not ``threshold``-similar.

Bodies with fewer than ``MIN_SHINGLES`` shingles are never grouped: their shingle sets are empty or too
small for similarity to mean anything (``详见附件。`` on two pages says nothing about the pages).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import sys
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from rapidfuzz.distance import Indel, LCSseq

from .diff import variants as diff_variants
from .errors import ConfigError, RectifyError
from .identity import Identity, differing, identity_of, merged
from .normalize import fold, fold_table
from .records import Variant, doc, document_text, to_plain
from .repeats import line_key
from .script import Script, fold_scripts, script_of_counts, scripts_table, simplified_only, traditional_only

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
SAMPLE_MOD = 4  # a power of two
# A band collision becomes a candidate pair only if the two full signatures agree on at least this share
# of their values (an estimate of the shingle overlap). Pages written from one template collide in some
# band by chance with an overlap of 0.1-0.3; near-duplicates agree on nearly all values; and a pair below
# this overlap had less than a one-in-four chance to collide in any band at all.
MIN_AGREEMENT = 0.4
# A bucket is compared with at most this many of its latest members: a band shared by thousands of pages
# (one boilerplate paragraph) must not cost a comparison with each, and a true copy also collides in
# other bands.
MAX_BUCKET_CHECKS = 32
# A synonym-rewritten copy (词语替换: the same text with near-synonyms swapped in) is grouped with its source
# when their skeletons match (skeleton(): numbers and heading markers in order), their matching
# texts are at least this alike, and at most this share of the words changed.
REWRITE_SIMILARITY = 0.6
REWRITE_SHARE = 0.5
# ... and their signatures agree on at least this share of their values (an estimate of the 5-gram overlap:
# about 0.4 when a sixth of the words changed, 0.1 at a third; unrelated bodies 0-0.03).
REWRITE_AGREEMENT = 0.05
# A copy less alike than this to the representative, with the same skeleton and at least this share of its
# words changed, is a rewrite too (light enough to pass for a copy); its title is not compared, as the
# rewriter swaps its words too. A copy with a few words changed (a wording edit) is far more alike.
REWRITE_CHECK_BELOW = 0.97
REWRITE_MIN_SHARE = 0.08
# Representatives tried when most members read as rewrites of the longest (see NearDuplicateFinder._split).
ALTERNATIVES = 3


def matching_text(text: str) -> str:
    """The part of a clean body that near-duplicate detection compares: its letters and digits, width
    and script folded: ``fold_scripts(fold(line_key(text)))`` (folding after the key is the same, as
    both folds map word characters to word characters), so a traditional mirror reads as its source."""
    return str(_matching(text).tobytes().decode("utf-32-le"))


def _matching(text: str) -> Any:
    """The code points of ``matching_text(text)`` (a uint32 array), by one numpy gather through
    ``_matching_table`` instead of two passes over the text; astral characters (a rare ideograph in a
    name) are looked up one by one."""
    return _matching_points(_points(text))


def _points(text: str) -> Any:
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _matching_points(points: Any) -> Any:
    import numpy as np

    table = _matching_table()
    if not len(points) or points.max() < len(table):
        mapped = table.take(points)
    else:
        mapped = table.take(np.minimum(points, len(table) - 1)).astype(np.uint32)
        astral = points >= len(table)
        mapped[astral] = [_matching_point(p) for p in points[astral].tolist()]
    return mapped[mapped != 0].astype(np.uint32, copy=False)


@lru_cache(maxsize=4096)
def _matching_point(point: int) -> int:
    """What ``matching_text`` makes of one character: its folded code point, or 0 when it is dropped."""
    kept = fold_scripts(fold(line_key(chr(point))))
    return ord(kept) if kept else 0


@lru_cache(maxsize=1)
def _script_table() -> Any:
    """Each BMP code point's script class: 1 simplified only, 2 traditional only, 0 either or none."""
    import numpy as np

    table = np.zeros(0x10000, dtype=np.uint8)
    for chars, value in ((simplified_only(), 1), (traditional_only(), 2)):
        codes = [ord(ch) for ch in chars if ord(ch) < 0x10000]
        table[np.array(codes, dtype=np.int64)] = value
    return table


def script_of_points(points: Any) -> Script | None:
    """``script.script_of`` of the text of code ``points`` (a uint32 array), by one table gather."""
    import numpy as np

    bmp = points if points.max(initial=0) <= 0xFFFF else points[points <= 0xFFFF]
    counts = np.bincount(_script_table().take(bmp), minlength=3)
    return script_of_counts(int(counts[1]), int(counts[2]))


@lru_cache(maxsize=1)
def _matching_table() -> Any:
    """``_matching_point`` of each BMP code point. ``fold`` maps each character to one character on its
    own, so folding all of them at once gives the table; ``line_key`` keeps what ``str.isalnum``
    accepts (``_`` is not), as its own table does."""
    import numpy as np

    every = "".join(map(chr, range(0x10000)))
    folded = scripts_table().take(fold_table())  # both tables map each character on its own
    kept = np.fromiter((ch.isalnum() for ch in every), dtype=bool, count=0x10000)
    # 16 bits: fold keeps BMP characters in it (a test compares every one), and half the cache lines.
    return np.where(kept, folded, 0).astype(np.uint16)


def shingle_hashes(matching: str) -> Any:
    """Distinct 32-bit hashes of the ``SHINGLE``-character shingles of ``matching`` (a numpy array)."""
    import numpy as np

    return _distinct(_rolling_hashes(np.frombuffer(matching.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)))


def _rolling_hashes(points: Any) -> Any:
    """The hash of each ``SHINGLE``-character shingle of a text given by its code ``points`` (a uint32
    array), repeats included.

    A polynomial rolling hash computed with numpy over the code points: one vectorised pass instead of
    a Python-level hash call per shingle, and the same values in every process (no PYTHONHASHSEED).
    """
    import numpy as np

    count = len(points) - SHINGLE + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint32)
    hashes = points[:count].copy()
    for k in range(1, SHINGLE):
        hashes *= np.uint32(1_000_003)  # uint32 arithmetic wraps: the hash is taken modulo 2**32
        hashes += points[k : k + count]
    return hashes


def _distinct(hashes: Any) -> Any:
    """The distinct values, sorted: by sort and compare (np.unique costs several times more on small arrays)."""
    import numpy as np

    hashes = np.sort(hashes)
    first = np.ones(len(hashes), dtype=bool)
    np.not_equal(hashes[1:], hashes[:-1], out=first[1:])
    return hashes[first]


def sample_shingles(hashes: Any) -> Any:
    """The shingle hashes a signature is computed from (see ``SAMPLE_MOD``)."""
    sample = hashes[hashes % SAMPLE_MOD == 0]
    return sample if len(sample) else hashes


def _signature_input(points: Any) -> Any | None:
    """``sample_shingles(shingle_hashes(matching))`` of the text of code ``points``, or None when it has
    fewer than ``MIN_SHINGLES`` distinct shingles. The sample is taken before the sort that makes values
    distinct: sorting a quarter of the hashes costs a quarter; all are sorted only when the sample alone
    does not show ``MIN_SHINGLES`` distinct shingles."""
    hashes = _rolling_hashes(points)
    sample = _distinct(hashes[(hashes & (SAMPLE_MOD - 1)) == 0])  # a power of two: a mask, not a division
    if len(sample) >= MIN_SHINGLES:
        return sample
    every = _distinct(hashes)
    if len(every) < MIN_SHINGLES:
        return None
    return sample if len(sample) else every


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


# The signature is datasketch's MinHash (``MinHash(num_perm=NUM_PERM, seed=1)``, its default "affine32"
# scheme) of the sampled shingle hashes, computed here with numpy: datasketch calls a hash function per
# value in Python and costs half a second to import, about as much as a thousand signatures. A test pins
# the values to datasketch's.
_SEED = 1


@lru_cache(maxsize=1)
def _permutations() -> tuple[Any, Any]:
    """datasketch's affine32 permutation parameters for ``_SEED``: odd multipliers ``a`` and offsets ``b``
    drawn in this order from ``RandomState(seed)``."""
    import numpy as np

    gen = np.random.RandomState(_SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix32(values: Any) -> Any:
    """MurmurHash3's 32-bit finalizer, the bijection datasketch mixes each hash with first."""
    import numpy as np

    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)  # uint32 products wrap: arithmetic modulo 2**32
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def signature(hashes: Any) -> Any:
    """The ``NUM_PERM`` MinHash values (uint32) of ``hashes``, a non-empty uint32 array: for each
    permutation ``h -> a*h + b`` (mod 2**32) of the mixed hashes, the least image."""
    import numpy as np

    a, b = _permutations()
    # One (NUM_PERM, hashes) array, added to in place and reduced along its rows (the fastest layout).
    images = np.multiply.outer(a, _fmix32(hashes))
    images += b[:, None]
    return images.min(axis=1)


class Sketch(NamedTuple):
    """What grouping keeps of one body, computed where the body is parsed (a batch worker): a few hundred
    bytes to send instead of the text, and the parent no longer shingles and hashes every body itself."""

    length: int  # of the matching text
    digest: bytes  # of the matching text: exact copies are known without reading their bodies back
    signature: bytes  # NUM_PERM uint32 MinHash values; empty when the body has fewer than MIN_SHINGLES
    skeleton: bytes = b""  # skeleton() of the body: synonym-rewritten copies share it
    script: Script | None = None  # the script the body is written in
    identity: Identity | None = None  # the record's identity fields, when known


_DIGEST = 16  # bytes of a sketch's digest


def sketch(text: str, identity: Identity | None = None) -> Sketch:
    """The sketch of a clean body (``identity``: its record's, see ``identity.identity_of``)."""
    raw = _points(text)
    points = _matching_points(raw)
    hashes = _signature_input(points)
    digest = hashlib.sha256(points.tobytes()).digest()[:_DIGEST]  # sha256: hardware-assisted on most CPUs
    value = b"" if hashes is None else signature(hashes).tobytes()
    return Sketch(len(points), digest, value, _skeleton(text, points), script_of_points(raw), identity)


# A skeleton of fewer tokens, or of fewer numbers (heading markers alone are every notice's), says too
# little to pair texts on.
MIN_SKELETON, MIN_NUMBERS = 6, 3
# The markers that open a line's heading (一、 （二）), found after a newline: a literal the engine scans
# for (five times faster than a line-start anchor); the text is read with a newline before it.
_MARKER = re.compile(r"\n[ \t\u3000]*[(（]?([一二三四五六七八九十]{1,3})[)）、]")


def skeleton(text: str) -> bytes:
    """What a synonym rewriter (词语替换: SEO mirrors that swap words for near-synonyms) leaves alone: a digest
    of the numbers of ``text`` in order (the runs of digits of its matching text) and of its heading
    markers in order; empty when there are fewer than ``MIN_SKELETON`` of them or fewer than
    ``MIN_NUMBERS`` numbers. Two texts with one skeleton are compared further even when their characters
    differ too much for a copy."""
    return _skeleton(text, _matching(text))


def _skeleton(text: str, points: Any) -> bytes:
    import numpy as np

    at = np.flatnonzero((points - np.uint32(ord("0"))) < 10)  # the digits (uint32 wraps below "0")
    breaks = np.flatnonzero(np.diff(at) != 1) + 1  # where a number other than the first starts, among them
    if len(at) == 0 or len(breaks) + 1 < MIN_NUMBERS:
        return b""
    markers = _MARKER.findall("\n" + text)
    if len(breaks) + 1 + len(markers) < MIN_SKELETON:
        return b""
    key = hashlib.sha256(points[at].astype(np.uint8).tobytes())
    key.update(breaks.astype(np.uint32).tobytes())
    key.update("".join(markers).encode("utf-8"))
    return key.digest()[:8]


# A bound below the threshold by less than this still goes to rapidfuzz: floating-point rounding must
# not decide a pair at the threshold differently from it.
_MARGIN = 1e-9
# Candidate pairs between two calls of the ``progress`` callback of ``groups``.
_PROGRESS_EVERY = 64
# The subsets of characters ``similarity_bound`` aligns: those whose code point is 0 modulo one of these,
# the smaller (cheaper) subset first.
BOUND_MODS = (8, 4)  # powers of two, each a multiple of the next
# The characters outside a subset are counted in this many bins (code point modulo the count): the counts
# two texts share bound the characters outside the subset that a common subsequence can hold.
_BINS = 1024


class BoundProfile:
    """What ``similarity_bound`` needs of one text: for each of ``BOUND_MODS``, the characters in its
    subset, in order, and the binned counts of the others; each level computed when first asked for (most
    pairs are decided by the first)."""

    __slots__ = ("_levels", "text")

    def __init__(self, text: str, points: Any = None) -> None:
        self.text = text  # the matching text
        self._levels: list[tuple[str, Any]] = []
        if points is not None:
            self._levels.append(_level(points, BOUND_MODS[0]))

    def level(self, k: int) -> tuple[str, Any]:
        """The subset of level ``k`` and the others' binned counts (a numpy array of ``_BINS``)."""
        import numpy as np

        while len(self._levels) <= k:
            points = np.frombuffer(self.text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            self._levels.append(_level(points, BOUND_MODS[len(self._levels)]))
        return self._levels[k]

    @property
    def size(self) -> int:
        """About the bytes it holds with every level computed (its text included)."""
        return sys.getsizeof(self.text) * 11 // 8 + 2 * _BINS * (2 if len(self.text) < 1 << 16 else 4)


def _level(points: Any, mod: int) -> tuple[str, Any]:
    import numpy as np

    kept = (points & (mod - 1)) == 0  # a power of two: a mask, not a division
    counts = np.bincount(points[~kept] & (_BINS - 1), minlength=_BINS)
    return points[kept].tobytes().decode("utf-32-le"), counts.astype(np.uint16 if len(points) < 1 << 16 else np.uint32)


def _subset(points: Any) -> BoundProfile:
    """The ``BoundProfile`` of a text given by its code ``points`` (a uint32 array)."""
    return BoundProfile(points.tobytes().decode("utf-32-le"), points)


def similarity_bound(a: BoundProfile, b: BoundProfile, total: int, cutoff: float = 0.0) -> float:
    """An upper bound of the normalised Indel similarity ``2 * LCS / total`` of two texts, from their
    ``_subset`` profiles, or 0 when the bound is below ``cutoff`` (rapidfuzz's convention: the cutoff lets it
    stop early). A common subsequence is a common subsequence of the subsets plus one of the other
    characters, which holds each character at most as often as the text that has fewer of it:
    ``LCS <= LCS(subsets) + sum over bins of the fewer counts`` (a bin holding several characters only
    loosens it). Aligning an eighth of each text costs a sixty-fourth of aligning them whole, and it says
    no to pages that share their sentences in another order (one template, or one pool of stock phrases),
    which rapidfuzz would align whole to refuse; when the eighth cannot say no, a quarter is aligned."""
    import numpy as np

    bound = 1.0
    for k in range(len(BOUND_MODS)):
        (sub_a, others_a), (sub_b, others_b) = a.level(k), b.level(k)
        others = int(np.minimum(others_a, others_b).sum(dtype=np.int64))
        # The subsets' LCS the cutoff needs, rounded down by a margin: rounding must never refuse a pair.
        need = max(0, math.ceil((cutoff / 2 - _MARGIN) * total - others))
        if need > min(len(sub_a), len(sub_b)):
            return 0.0
        common = LCSseq.similarity(sub_a, sub_b, score_cutoff=need)  # 0 when below need
        bound = min(bound, 2 * (common + others) / total)
        if bound < cutoff - _MARGIN:
            return 0.0
        if cutoff and bound >= (1 + cutoff) / 2:
            break  # far enough above the cutoff: most likely a copy, which the next subset would not refuse
    return bound


# Signatures and band keys are stored in blocks of this many rows: storage grows without copying.
_BLOCK = 4096
_BLOCK_ENTRIES = _BLOCK * BANDS  # band keys in one block
# Candidate pairs are checked against their signatures this many at a time (two rows of 512 bytes each).
_CHECK_BATCH = 8192


def _bucket_pairs(column: Any) -> Iterator[tuple[Any, Any]]:
    """Row pairs sharing a value of ``column`` (one band's keys by row), each row paired with the
    ``MAX_BUCKET_CHECKS`` rows before it in its bucket: arrays ``(earlier, later)``, one distance within
    the bucket at a time (numpy passes, no Python loop over pairs; memory stays of the order of the rows)."""
    import numpy as np

    order = np.argsort(column, kind="stable")  # stable: a bucket's rows stay in the order they came
    ordered = column[order]
    shared = np.flatnonzero(ordered[1:] == ordered[:-1])  # sorted positions k with k+1 in the same bucket
    if not len(shared):
        return
    # Keep only the rows of buckets with two or more members (most keys belong to one row).
    members = np.unique(np.concatenate([shared, shared + 1]))
    order, ordered = order[members], ordered[members]
    for distance in range(1, MAX_BUCKET_CHECKS + 1):
        same = np.flatnonzero(ordered[distance:] == ordered[:-distance])
        if not len(same):
            return  # no bucket has more than ``distance`` members
        yield order[same], order[same + distance]


@dataclass(frozen=True, slots=True)
class Group:
    """Documents that are the same notice."""

    ids: list[str] = doc("Member ids, the representative first, the others sorted.")
    representative: str = doc("The member with the longest body (ties: smallest id).")
    similarity: float = doc("Lowest similarity of a member to the representative (0..1).")
    variants: list[Variant] = doc(
        "Word-level differences between the representative and each member, on the clean bodies: spans index "
        "each document's `text`, and `copy` is the member's index in `ids`. A character written in the other "
        "script is no difference (`scripts` says which each member is written in)."
    )
    scripts: list[Script | None] = doc(
        "The script each member is written in (`simplified`, `traditional`, `mixed`; null when its text "
        "does not tell), in the order of `ids`.",
        default_factory=list,
    )
    rewritten: dict[str, float] = doc(
        "Members that are synonym-rewritten copies (their structure matches, at least 8% of their words "
        "differ), with the share of words changed against the representative; the representative itself "
        "when every other member reads as a rewrite of it.",
        default_factory=dict,
    )

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = to_plain(self)
        return result


@dataclass(frozen=True, slots=True)
class TemplateSibling:
    """A document as alike as a copy to a group's representative, but another document: their identity
    fields disagree (another county's or year's notice from one template). It is kept out of that group."""

    id: str = doc("The document kept out.")
    same_template_as: str = doc("The representative it is as alike as a copy to.")
    differs: tuple[str, ...] = doc("The identity fields that disagree: doc_number, title, signature, date.")
    similarity: float = doc("Its similarity to that representative (0..1).")

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = to_plain(self)
        return result


@dataclass(slots=True)
class NearDuplicateFinder:
    """Incremental grouping: ``add`` documents one by one, then ask for ``groups``.

    Memory per document, about 1 KB: its 128-value signature and 25 LSH band keys in numpy blocks, its
    id, the length and digest of its matching text; with ``keep_texts`` (the default) its clean body
    compressed too. Band collisions are looked for when they are first needed (``candidate_pairs``,
    ``groups``): one sort of each band's keys. With ``keep_texts=False`` ``groups`` reads the candidates'
    bodies back through its ``load`` argument (the batch reads them from its first-pass output), and
    documents can be added by their ``sketch`` (the batch's workers compute it).
    """

    threshold: float = DEFAULT_THRESHOLD
    keep_texts: bool = True
    _texts: dict[str, bytes] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict)  # id -> position in _ids
    _ids: list[str] = field(default_factory=list)
    _lengths: array[int] = field(default_factory=lambda: array("q"))  # matching-text length, by position
    _digests: bytearray = field(default_factory=bytearray)  # matching-text digests, by position, end to end
    # Row r of the blocks below belongs to document _owners[r] (short bodies get no row).
    _owners: array[int] = field(default_factory=lambda: array("q"))
    _rows: array[int] = field(default_factory=lambda: array("q"))  # the reverse: a document's row, or -1
    _signatures: list[Any] = field(default_factory=list)  # blocks of (_BLOCK, NUM_PERM) uint32
    _band_keys: list[Any] = field(default_factory=list)  # blocks of (_BLOCK, BANDS) uint64
    _pairs: set[tuple[str, str]] | None = None  # None: not looked for since the last add
    _live: _Live | None = None  # set by follow(): candidates searched and verified as documents come
    # By position: what tells documents apart (identity.py), the skeleton rewritten copies share, the script.
    _identities: list[Identity | None] = field(default_factory=list)
    _skeletons: list[bytes] = field(default_factory=list)
    _scripts: list[Script | None] = field(default_factory=list)
    siblings: list[TemplateSibling] = field(default_factory=list)  # set by groups()
    split_groups: int = 0  # set by groups(): groups the identity check split

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"threshold must be in (0, 1], got {self.threshold!r}")

    def add(self, doc_id: str, text: str, identity: Identity | None = None) -> None:
        """Index one clean body under ``doc_id`` (ids must be unique), with its record's identity fields
        (``identity.identity_of``; without them only the text decides)."""
        self._check_new(doc_id)
        # Everything that can fail (a text UTF-8 cannot hold) comes before the finder changes.
        compressed = zlib.compress(text.encode("utf-8"), 1) if self.keep_texts else b""
        body = sketch(text, identity)
        if self.keep_texts:
            self._texts[doc_id] = compressed
        self._index_sketch(doc_id, body, lambda: text)

    def add_sketch(self, doc_id: str, body: Sketch, text: Callable[[], str] | None = None) -> None:
        """Index a body by its ``sketch`` (ids must be unique); only when the finder does not keep texts,
        as ``groups`` then reads the bodies it needs back through ``load``. ``text``, when given, returns
        the body (after ``follow``, the new document's candidates are verified at once: it saves reading
        the body back)."""
        if self.keep_texts:
            raise ConfigError("a finder that keeps texts is given the texts: use add()")
        self._check_new(doc_id)
        self._index_sketch(doc_id, body, text)

    def follow(self, load: Callable[[str], str] | None = None, *, budget: int = 0) -> None:
        """From now on (and for the documents already added), search each new document's candidates as it
        is added and verify them at once, reading earlier documents' bodies through ``load`` (required when
        the finder does not keep texts); ``groups`` then only finishes. The groups are the same as
        without: verification links the same sets whatever the order the pairs come in, and each group
        is cut from its set as ``groups`` cuts it. A program that adds documents while waiting for other
        work (the batch, while its workers parse) gets the verification done in the meantime.
        ``budget``: bytes of matching texts kept for later comparisons (default ``PROFILE_BUDGET``)."""
        if load is None and not self.keep_texts:
            raise ConfigError("follow() needs load= when the finder does not keep texts")
        live = _Live(self, self.text if load is None else load, budget or PROFILE_BUDGET)
        self._live = live
        for position in range(len(self._ids)):
            live.added(position, None)

    def _check_new(self, doc_id: str) -> None:
        if doc_id in self._index:
            raise ConfigError(f"duplicate document id {doc_id!r}")

    def _index_sketch(self, doc_id: str, body: Sketch, text: Callable[[], str] | None = None) -> None:
        import numpy as np

        self._index[doc_id] = len(self._ids)
        self._ids.append(doc_id)
        self._lengths.append(body.length)
        self._digests += body.digest
        self._identities.append(body.identity)
        self._skeletons.append(body.skeleton)
        self._scripts.append(body.script)
        self._pairs = None
        if body.signature:
            values = np.frombuffer(body.signature, dtype=np.uint32)
            row = len(self._owners) % _BLOCK
            if row == 0:
                self._signatures.append(np.empty((_BLOCK, NUM_PERM), dtype=np.uint32))
                self._band_keys.append(np.empty((_BLOCK, BANDS), dtype=np.uint64))
            self._signatures[-1][row] = values
            self._band_keys[-1][row] = band_keys(values)
            self._owners.append(len(self._ids) - 1)
        self._rows.append(len(self._owners) - 1 if body.signature else -1)
        if self._live is not None:
            self._live.added(len(self._ids) - 1, text)

    def _row_keys(self, row: int) -> Any:
        """The band keys of signature row ``row``."""
        return self._band_keys[row // _BLOCK][row % _BLOCK]

    def _digest(self, position: int) -> bytes:
        return bytes(self._digests[position * _DIGEST : (position + 1) * _DIGEST])

    def _candidates(self) -> set[tuple[str, str]]:
        """Id pairs (smaller first) that share a band and whose signatures agree on ``MIN_AGREEMENT`` of
        their values: the band collisions of pages of one template mostly do not."""
        if self._pairs is not None:
            return self._pairs
        import numpy as np

        rows = len(self._owners)
        # Collisions are checked a batch at a time as they come, so a band shared by many pages of one
        # template never holds all its pairs in memory (a pair colliding in several bands is checked again).
        # Agreeing pairs are kept as one integer each, ``earlier * rows + later``, made unique at the end.
        kept: list[Any] = []
        for band in range(BANDS) if rows >= 2 else ():
            column = np.concatenate([block[:, band] for block in self._band_keys])[:rows]  # one band at a time
            for earlier, later in _bucket_pairs(column):
                for start in range(0, len(earlier), _CHECK_BATCH):
                    first, second = earlier[start : start + _CHECK_BATCH], later[start : start + _CHECK_BATCH]
                    agree = self._agreeing(first, second)
                    kept.append(first[agree] * rows + second[agree])
        found: set[tuple[str, str]] = set()
        for key in np.unique(np.concatenate(kept)).tolist() if kept else ():
            x, y = self._ids[self._owners[key // rows]], self._ids[self._owners[key % rows]]
            found.add((min(x, y), max(x, y)))
        self._pairs = found  # only once complete: an interrupted search is not remembered
        return found

    def _agreeing(self, first: Any, second: Any) -> Any:
        """Which row pairs (two integer arrays) have signatures agreeing on ``MIN_AGREEMENT`` of their values."""
        import numpy as np

        same = self._signature_rows(first) == self._signature_rows(second)
        return np.count_nonzero(same, axis=1) >= MIN_AGREEMENT * NUM_PERM

    def _signature_rows(self, rows: Any) -> Any:
        """The signatures of ``rows`` (an integer array), gathered from their blocks."""
        import numpy as np

        out = np.empty((len(rows), NUM_PERM), dtype=np.uint32)
        blocks, offsets = np.divmod(rows, _BLOCK)
        for block in np.unique(blocks).tolist():
            chosen = blocks == block
            out[chosen] = self._signatures[block][offsets[chosen]]
        return out

    def _skeleton_pairs(self) -> list[tuple[str, str]]:
        """Id pairs (smaller first) whose bodies share a skeleton, each document paired with at most the
        ``MAX_BUCKET_CHECKS`` before it: the candidates for synonym-rewritten copies, which share too few
        shingles to collide in LSH."""
        buckets: dict[bytes, list[str]] = {}
        found: list[tuple[str, str]] = []
        for doc_id, key in zip(self._ids, self._skeletons, strict=True):
            if not key:
                continue
            bucket = buckets.setdefault(key, [])
            found.extend((min(x, doc_id), max(x, doc_id)) for x in bucket[-MAX_BUCKET_CHECKS:])
            bucket.append(doc_id)
        return found

    def script(self, doc_id: str) -> Script | None:
        """The script the body indexed under ``doc_id`` is written in."""
        return self._scripts[self._index[doc_id]]

    @property
    def candidate_pairs(self) -> int:
        """Pairs waiting for verification: what ``groups`` will compare."""
        return len(self._candidates())

    def text(self, doc_id: str) -> str:
        """The clean body indexed under ``doc_id`` (only when the finder keeps texts)."""
        if not self.keep_texts:
            raise ConfigError("this finder does not keep texts (keep_texts=False)")
        return zlib.decompress(self._texts[doc_id]).decode("utf-8")

    def groups(
        self,
        load: Callable[[str], str] | None = None,
        *,
        variants: bool = True,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Group]:
        """Verified groups of two or more documents, ordered by representative id. ``load`` gives a body
        back by id; it is required when the finder does not keep texts (after ``follow``, the ``load`` given
        there serves unless another is given). ``variants=False`` leaves each group's variants empty: the
        word diff is the costly part (it loads jieba's dictionary). ``progress(done, total)`` is called
        now and then with the candidate pairs (after ``follow``: the comparisons left) gone through."""
        if self._live is not None:
            return self._live.groups(load, variants, progress)
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

        checker = _Checker(self, text, PROFILE_BUDGET)
        parent: dict[str, str] = {}

        def root(x: str) -> str:
            while parent.get(x, x) != x:
                parent[x] = parent.get(parent[x], parent[x])
                x = parent[x]
            return x

        # The linked sets do not depend on the order pairs are checked in (a pair is skipped only when its
        # documents are linked already). Pairs with the longest documents come first: a set's
        # representative is its longest member, so its own pairs link the set, and the checks against
        # it that cut the groups below are mostly made (and remembered) here.
        pairs = sorted(self._candidates(), key=lambda p: sorted(map(self._rank, p)))
        for done, (a, b) in enumerate(pairs):
            if progress is not None and done % _PROGRESS_EVERY == 0:
                progress(done, len(pairs))
            ra, rb = root(a), root(b)
            # Two documents already linked need no check: the groups are cut from the linked sets below,
            # each member checked against its representative. On a corpus of many near-copies of each
            # page this keeps the checks near one per document instead of one per pair.
            if ra != rb and checker.similarity(a, b) >= self.threshold:
                parent[max(ra, rb)] = min(ra, rb)
        for a, b in self._skeleton_pairs():
            ra, rb = root(a), root(b)
            if ra != rb and checker.rewritten(a, b) is not None:
                parent[max(ra, rb)] = min(ra, rb)
        if progress is not None:
            progress(len(pairs), len(pairs))
        members: dict[str, list[str]] = {}
        for x in {*parent, *parent.values()}:
            members.setdefault(root(x), []).append(x)
        return self._cut([sorted(set(component)) for component in members.values()], checker, text, variants)

    def _cut(
        self,
        sets: list[list[str]],
        checker: _Checker,
        body: Callable[[str], str],
        variants: bool,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Group]:
        """The groups of the linked ``sets``; the template siblings in ``siblings``. ``progress`` is
        called with the documents placed."""
        out: list[Group] = []
        siblings: dict[str, TemplateSibling] = {}
        self.split_groups = 0
        total, done = sum(map(len, sets)), 0
        for component in sets:
            if progress is not None:
                progress(done, total)
            out.extend(self._split(component, checker, body if variants else None, siblings))
            done += len(component)
        if progress is not None:
            progress(total, total)
        self.siblings = sorted(siblings.values(), key=lambda t: t.id)
        return sorted(out, key=lambda g: g.representative)

    def _rank(self, doc_id: str) -> tuple[int, str]:
        """The order in which members become representatives: the longest body first, ties by id."""
        return -self._lengths[self._index[doc_id]], doc_id

    def _split(
        self,
        component: list[str],
        checker: _Checker,
        body: Callable[[str], str] | None,
        siblings: dict[str, TemplateSibling],
    ) -> list[Group]:
        """Groups around representatives; members linked only through a chain start their own group. A
        member as alike as a copy whose identity disagrees with the group's is a template sibling: it stays
        out and may group with others. The representative is the longest member, unless most members read
        as rewrites of it (a rewriter that lengthens words, 进一步 → 更进一步, made it): then of it and the
        ``ALTERNATIVES`` longest of those, the one fewest members read as rewrites of."""
        out: list[Group] = []
        rest = component
        while len(rest) >= 2:
            rep = min(rest, key=self._rank)
            kept, rewritten, kept_out = self._gather(rep, rest, checker)
            if len(rewritten) * 2 > len(kept):
                for alternative in sorted(rewritten, key=self._rank)[:ALTERNATIVES]:
                    found = self._gather(alternative, rest, checker)
                    if len(found[1]) < len(rewritten):
                        rep, (kept, rewritten, kept_out) = alternative, found
            if len(kept) >= 2 and set(rewritten) == set(kept):
                # Every member reads as a rewrite of the representative: the representative is the rewrite.
                rewritten = {rep: min(rewritten.values())}
            for sibling in kept_out:
                siblings.setdefault(sibling.id, sibling)
            self.split_groups += bool(kept_out)
            if kept:
                out.append(self._group(rep, sorted(kept), min(kept.values()), body, rewritten))
            rest = [x for x in rest if x != rep and x not in kept]
        return out

    def _gather(
        self, rep: str, rest: list[str], checker: _Checker
    ) -> tuple[dict[str, float], dict[str, float], list[TemplateSibling]]:
        """The members of ``rest`` that join ``rep``'s group (with their similarity), those among them that
        are synonym rewrites (with the share of words changed), and the template siblings kept out. The
        group's identity is the representative's, with the fields it lacks taken from the members already
        in (the fullest first), so a representative without a number does not let two numbers in."""
        known = self._identities[self._index[rep]]
        kept: dict[str, float] = {}
        rewritten: dict[str, float] = {}
        kept_out: list[TemplateSibling] = []
        for x in sorted((x for x in rest if x != rep), key=self._rank):
            similarity = checker.similarity(rep, x)
            if similarity < self.threshold:
                found = checker.rewritten(rep, x)
                if found is None:
                    continue
                similarity, rewritten[x] = found
            elif similarity < REWRITE_CHECK_BELOW:
                # A copy with changes spread all over may be a rewrite light enough to pass for a copy.
                found = checker.rewritten(rep, x)
                if found is not None and found[1] >= REWRITE_MIN_SHARE:
                    rewritten[x] = found[1]
            other = self._identities[self._index[x]]
            differs: tuple[str, ...] = ()
            if known is not None and other is not None:
                differs = differing(known, other, rewritten=x in rewritten)
            if differs:
                rewritten.pop(x, None)
                kept_out.append(TemplateSibling(x, rep, differs, round(similarity, 4)))
                continue
            if other is not None:
                known = other if known is None else merged(known, other)
            kept[x] = similarity
        return kept, rewritten, kept_out

    def _group(
        self,
        rep: str,
        others: list[str],
        similarity: float,
        body: Callable[[str], str] | None,
        rewritten: dict[str, float],
    ) -> Group:
        """A group; its variants when ``body`` is given to read the bodies to diff."""
        ids = [rep, *others]
        found: list[Variant] = []
        if body is not None:
            rep_body = body(rep)
            for index, other in enumerate(others, start=1):
                found.extend(member_variants(rep_body, body(other), copy=index))
        scripts = [self.script(x) for x in ids]
        return Group(ids, rep, round(similarity, 4), found, scripts, {x: rewritten[x] for x in sorted(rewritten)})


# Bytes of matching texts (and their bound profiles) kept for comparisons; beyond it the least recently
# used are dropped and read again when needed.
PROFILE_BUDGET = 32 << 20
# After ``follow``, a set's members are compared with its representative as they are linked (what ``groups``
# will ask for) while the set has at most this many: a long chain must not cost a comparison per member
# and link.
EAGER_LIMIT = 64
_SPREAD = 0x9E3779B97F4A7C15  # spreads the band over the slots of the band-key table
_FIRST_SLOTS = 1 << 16  # the band-key table's first size (a power of two); it doubles when half full
_GROW_BLOCK = 1 << 18  # slots placed again at a time when it grows


def _place(slots: Any, values: Any, homes: Any) -> None:
    """Put ``values`` in the free ``slots`` (a numpy array, a power of two long) by linear probing from
    their ``homes``, in rounds: each value takes its slot when it is free and no earlier value of the round
    wants it, else it moves on to the next; a value passes only slots that are held, as lookups expect."""
    import numpy as np

    mask = len(slots) - 1
    at, waiting = homes.copy(), np.arange(len(values))
    while len(waiting):
        free = waiting[slots[at[waiting]] == 0]
        wanted, first = np.unique(at[free], return_index=True)
        slots[wanted] = values[free[first]]
        placed = np.zeros(len(values), dtype=bool)
        placed[free[first]] = True
        waiting = waiting[~placed[waiting]]
        at[waiting] = (at[waiting] + 1) & mask


@lru_cache(maxsize=1)
def _spreads() -> Any:
    """What each band's keys are XORed with for their slot: multiples of ``_SPREAD`` (modulo 2**64)."""
    import numpy as np

    return np.arange(BANDS, dtype=np.uint64) * np.uint64(_SPREAD)  # uint64 products wrap


class _Profiles:
    """The matching text and bound profile of documents, computed from ``load``'s body when first asked
    for and kept up to ``budget`` bytes (the least recently used dropped first)."""

    def __init__(self, load: Callable[[str], str], budget: int) -> None:
        self.load = load
        self.budget = budget
        self.size = 0
        self.kept: OrderedDict[str, tuple[BoundProfile, int]] = OrderedDict()
        self.fresh: tuple[str, Callable[[], str]] | None = None  # a document being added, and its body

    def get(self, doc_id: str) -> BoundProfile:
        hit = self.kept.get(doc_id)
        if hit is not None:
            self.kept.move_to_end(doc_id)
            return hit[0]
        fresh = self.fresh
        profile = _subset(_matching(fresh[1]() if fresh is not None and fresh[0] == doc_id else self.load(doc_id)))
        size = profile.size
        self.kept[doc_id] = (profile, size)
        self.size += size
        while self.size > self.budget and len(self.kept) > 1:
            self.size -= self.kept.popitem(last=False)[1][1]
        return profile


class _Checker:
    """The similarity of document pairs of a finder, each pair compared once."""

    def __init__(self, finder: NearDuplicateFinder, load: Callable[[str], str], budget: int) -> None:
        self.finder = finder
        self.profiles = _Profiles(load, budget)
        self.checked: dict[tuple[str, str], float] = {}
        self.rewrites: dict[tuple[str, str], tuple[float, float] | None] = {}

    def rewritten(self, a: str, b: str) -> tuple[float, float] | None:
        """(similarity, share of words changed) when ``b`` is a synonym-rewritten copy of ``a`` (or the
        reverse): their skeletons match, their characters are ``REWRITE_SIMILARITY`` alike and at most
        ``REWRITE_SHARE`` of the words changed; else None."""
        pair = (a, b) if a < b else (b, a)
        if pair not in self.rewrites:
            self.rewrites[pair] = self._rewrite(a, b)
        return self.rewrites[pair]

    def _rewrite(self, a: str, b: str) -> tuple[float, float] | None:
        finder = self.finder
        pa, pb = finder._index[a], finder._index[b]
        if not finder._skeletons[pa] or finder._skeletons[pa] != finder._skeletons[pb]:
            return None
        la, lb = finder._lengths[pa], finder._lengths[pb]
        if 2 * min(la, lb) / (la + lb) < REWRITE_SIMILARITY:
            return None
        # Cheap refusals first, as for copies: a skeleton can be shared by chance (a template's numbering),
        # and unrelated bodies share almost no shingles, where a rewrite keeps some.
        ra, rb = finder._rows[pa], finder._rows[pb]
        if ra >= 0 and rb >= 0:
            same = finder._signatures[ra // _BLOCK][ra % _BLOCK] == finder._signatures[rb // _BLOCK][rb % _BLOCK]
            if int(same.sum()) < REWRITE_AGREEMENT * NUM_PERM:
                return None
        profile_a, profile_b = self.profiles.get(a), self.profiles.get(b)
        if not similarity_bound(profile_a, profile_b, la + lb, REWRITE_SIMILARITY):
            return None
        text_a, text_b = profile_a.text, profile_b.text
        similarity = Indel.normalized_similarity(text_a, text_b, score_cutoff=REWRITE_SIMILARITY)
        if not similarity:
            return None
        share = words_changed(text_a, text_b)
        return (float(similarity), round(share, 4)) if share <= REWRITE_SHARE else None

    def similarity(self, a: str, b: str) -> float:
        pair = (a, b) if a < b else (b, a)  # the measure is symmetric
        value = self.checked.get(pair)
        if value is None:
            value = self.checked[pair] = self._compare(a, b)
        return value

    def _compare(self, a: str, b: str) -> float:
        finder = self.finder
        pa, pb = finder._index[a], finder._index[b]
        if finder._digest(pa) == finder._digest(pb):
            return 1.0  # exact copies (the same page scraped twice): no body read, no alignment
        la, lb = finder._lengths[pa], finder._lengths[pb]
        total = la + lb
        # The cheap tests first; each only says no, as rapidfuzz would (it returns 0 below the cutoff).
        # The lengths alone: LCS <= the shorter length.
        if 2 * min(la, lb) / total < finder.threshold - _MARGIN:
            return 0.0
        profile_a, profile_b = self.profiles.get(a), self.profiles.get(b)
        if not similarity_bound(profile_a, profile_b, total, finder.threshold):
            return 0.0
        # The cutoff lets rapidfuzz stop as soon as the threshold is out of reach (it then returns 0).
        return float(Indel.normalized_similarity(profile_a.text, profile_b.text, score_cutoff=finder.threshold))


class _Live:
    """The candidate search and verification of a finder that ``follow``s its documents.

    Each new signature row is looked up in a table of its 25 band keys (open addressing over one array:
    the slot holds the latest entry ``row * BANDS + band`` of its key), and each entry remembers the row
    before it in its bucket, so the ``MAX_BUCKET_CHECKS`` rows before a new row in each bucket are a walk
    back: the pairs ``_candidates`` finds by sorting, found one row at a time. The keys are read from the
    finder's blocks; the table takes 300-500 bytes a row.
    """

    def __init__(self, finder: NearDuplicateFinder, load: Callable[[str], str], budget: int) -> None:
        self.finder = finder
        self.checker = _Checker(finder, load, budget)
        self.keys: list[memoryview] = []  # the finder's band-key blocks, flat, by entry // _BLOCK_ENTRIES
        self.previous = array("i")  # the row before the entry's row in its bucket, or -1, by entry
        self.slots = array("i", bytes(4 * _FIRST_SLOTS))  # entry + 1, or 0 when free
        self.used = 0
        self.rows = 0  # signature rows searched
        self.parent: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}  # the linked sets of two or more, by root

    def added(self, position: int, text: Callable[[], str] | None) -> None:
        """Search the rows not searched yet; ``text`` gives the body of document ``position``."""
        finder = self.finder
        while self.rows < len(finder._owners):
            row = self.rows
            self.rows += 1
            self._search(row, text if finder._owners[row] == position else None)

    def _search(self, row: int, text: Callable[[], str] | None) -> None:
        """Verify the candidate pairs of signature row ``row`` with the rows before it."""
        agree = self._earlier(row)
        if not agree:
            return
        finder = self.finder
        ids, owners = finder._ids, finder._owners
        new = ids[owners[row]]
        self.checker.profiles.fresh = None if text is None else (new, text)
        try:
            # The longest first: most likely the representative, whose comparisons groups() asks for.
            for other in sorted((ids[owners[r]] for r in agree), key=finder._rank):
                if self._root(new) != self._root(other) and self.checker.similarity(new, other) >= finder.threshold:
                    self._link(new, other)
        finally:
            self.checker.profiles.fresh = None

    def _earlier(self, row: int) -> list[int]:
        """Enter signature row ``row`` in the band-key table; the rows before it that it is a candidate pair
        with: among the ``MAX_BUCKET_CHECKS`` before it in each of its buckets, those whose signature agrees
        with its own on ``MIN_AGREEMENT`` of the values (as ``_candidates`` finds them)."""
        import numpy as np

        finder = self.finder
        row_keys = finder._row_keys(row)
        base = row * BANDS
        if 2 * (self.used + BANDS) > len(self.slots):
            self._grow()
        keys, slots, previous = self.keys, self.slots, self.previous
        if len(keys) * _BLOCK <= row:
            keys.append(memoryview(finder._band_keys[len(keys)]).cast("B").cast("Q"))
        mask = len(slots) - 1
        earlier: set[int] = set()
        # Each band key's slot: open addressing, the next slot while another key holds it.
        homes = ((row_keys ^ _spreads()) & np.uint64(mask)).tolist()
        for band, (key, slot) in enumerate(zip(row_keys.tolist(), homes, strict=True)):
            entry = base + band
            while True:
                held = slots[slot] - 1
                if held < 0:
                    self.used += 1
                    last = -1
                    break
                if held % BANDS == band and keys[held // _BLOCK_ENTRIES][held % _BLOCK_ENTRIES] == key:
                    last = held // BANDS
                    break
                slot = (slot + 1) & mask
            slots[slot] = entry + 1
            previous.append(last)
            for _ in range(MAX_BUCKET_CHECKS):  # back through the bucket: the rows _bucket_pairs pairs it with
                if last < 0:
                    break
                earlier.add(last)
                last = previous[last * BANDS + band]
        if not earlier:
            return []
        rows = np.fromiter(earlier, dtype=np.int64, count=len(earlier))
        same = finder._signature_rows(rows) == finder._signatures[row // _BLOCK][row % _BLOCK]
        agreeing: list[int] = rows[np.count_nonzero(same, axis=1) >= MIN_AGREEMENT * NUM_PERM].tolist()
        return agreeing

    def _grow(self) -> None:
        """Twice the slots, the held entries placed again a block at a time (a few MB of numpy at most)."""
        import numpy as np

        old = np.frombuffer(self.slots, dtype=np.int32)
        slots = np.zeros(2 * len(old), dtype=np.int32)
        for start in range(0, len(old), _GROW_BLOCK):
            held = old[start : start + _GROW_BLOCK]
            held = held[held != 0]
            entries = held.astype(np.int64) - 1
            keys = np.empty(len(entries), dtype=np.uint64)
            blocks, offsets = np.divmod(entries, _BLOCK_ENTRIES)
            for block in np.unique(blocks).tolist():
                chosen = blocks == block
                keys[chosen] = self.finder._band_keys[block].reshape(-1)[offsets[chosen]]
            homes = ((keys ^ _spreads()[entries % BANDS]) & np.uint64(len(slots) - 1)).astype(np.int64)
            _place(slots, held, homes)
        self.slots = array("i", slots.tobytes())

    def _root(self, x: str) -> str:
        parent = self.parent
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def _link(self, a: str, b: str) -> None:
        """Join the sets of ``a`` and ``b``; compare the joined set's representative with its members."""
        ra, rb = self._root(a), self._root(b)
        joined = self.members.pop(ra, [ra]) + self.members.pop(rb, [rb])
        root = min(ra, rb)
        self.parent[max(ra, rb)] = root
        self.members[root] = joined
        if len(joined) <= EAGER_LIMIT:
            rep = min(joined, key=self.finder._rank)
            for member in joined:
                if member != rep:
                    self.checker.similarity(rep, member)

    def groups(
        self, load: Callable[[str], str] | None, variants: bool, progress: Callable[[int, int], None] | None
    ) -> list[Group]:
        """The groups cut from the linked sets, as ``NearDuplicateFinder.groups`` cuts them."""
        if load is not None:
            self.checker.profiles.load = load
        read = self.checker.profiles.load
        for a, b in self.finder._skeleton_pairs():
            if self._root(a) != self._root(b) and self.checker.rewritten(a, b) is not None:
                self._link(a, b)
        sets = [sorted(set(members)) for members in self.members.values()]
        return self.finder._cut(sets, self.checker, read, variants, progress)


def words_changed(a: str, b: str) -> float:
    """The share of the words of ``a`` (jieba's) that ``b`` does not keep in order: 0 for the same words,
    about 0.3 when a synonym rewriter swapped every third word."""
    from .diff import word_boundaries

    words_a, words_b = _words(a, word_boundaries), _words(b, word_boundaries)
    if not words_a:
        return 0.0 if not words_b else 1.0
    kept = LCSseq.similarity(words_a, words_b)
    return 1.0 - kept / max(len(words_a), len(words_b))


def _words(text: str, boundaries: Callable[[str], list[int]]) -> list[str]:
    bounds = boundaries(text)
    return [text[s:e] for s, e in itertools.pairwise(bounds) if e > s]


def member_variants(rep_text: str, member_text: str, *, copy: int) -> list[Variant]:
    """The word-level differences between a group's representative and one member (``copy``: the member's
    index in the group's ids), as the groups give them: script-blind, so a traditional mirror shows only
    the differences it really has, written as each text writes them."""
    return diff_variants(rep_text, member_text, copy=copy, script_blind=True)


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
        finder.add(doc_id, document_text(notice), identity_of(notice))
    return finder.groups()
