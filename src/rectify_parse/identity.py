"""Which document a near-duplicate is: its identity fields, and the structure of its text.

Notices written from one template (another county, another year) can be as alike as two copies of one
notice: 松禾县 for 白沙县 and 2024 for 2023 change a few characters of a long body. What tells them apart
is what names the document: its document number, its title, who signed it and when. Two members whose
identity disagrees are template siblings, not copies. A mirror often drops the header: a field one of
the two lacks is not compared, so each pair is judged on what both have.

(``corpus.skeleton`` gives what a synonym rewriter leaves alone in the text itself: its numbers and
heading markers.)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from rapidfuzz.distance import Indel

from .normalize import fold

# Document dates (成文日期, the sign-off's date) further apart than this are two documents; a mirror copies
# them as they are (the date it publishes on is its own, so date_published is not compared).
DATE_TOLERANCE_DAYS = 3
# Two titles (or signatures) that differ are two documents only when they read alike: a template's
# particulars changed (a place, a year, a number). Two unalike values say more about the parse of one of
# them (a site's name taken for the title) than about the documents.
ALIKE = 0.5
_NOT_WORD = re.compile(r"[\W_]+")


class Identity(NamedTuple):
    """What names a document, each value folded to its letters and digits (None when the record has none)."""

    doc_number: str | None
    title: str | None
    signature: str | None  # the sign-off's issuing body, else the header's 发文机关
    date: str | None  # ISO: the header's 成文日期, else the sign-off's date


FIELDS = Identity._fields


def _key(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    kept = _NOT_WORD.sub("", fold(value))
    return kept or None


def _get(record: Any, *keys: str) -> Any:
    for key in keys:
        record = record.get(key) if isinstance(record, Mapping) else getattr(record, key, None)
    return record


def identity_of(record: Any) -> Identity:
    """The identity of a record: a :class:`~rectify_parse.records.Notice` or its dict (fields a
    ``--fields`` line left out count as missing)."""
    return Identity(
        _key(_get(record, "header", "doc_number")),
        _key(_get(record, "title")),
        _key(_get(record, "closing", "signature")) or _key(_get(record, "header", "issuer")),
        _get(record, "header", "date_written") or _get(record, "closing", "date"),
    )


def _names_differ(a: str, b: str) -> bool:
    return a not in b and b not in a and Indel.normalized_similarity(a, b) >= ALIKE


def _days_apart(a: str, b: str) -> int | None:
    try:
        return abs((dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days)
    except ValueError:
        return None


def differing(a: Identity, b: Identity, *, rewritten: bool = False) -> tuple[str, ...]:
    """The identity fields on which ``a`` and ``b`` name different documents (empty: the same document,
    as far as the fields both have tell). For a synonym-rewritten copy (``rewritten``) the title is not
    compared: the rewriter swaps its words as it does the body's, while names, numbers and dates stay."""
    out: list[str] = []
    if a.doc_number and b.doc_number and a.doc_number != b.doc_number:
        out.append("doc_number")
    for name in ("signature",) if rewritten else ("title", "signature"):
        x, y = getattr(a, name), getattr(b, name)
        if x and y and _names_differ(x, y):
            out.append(name)
    if a.date and b.date:
        days = _days_apart(a.date, b.date)
        if days is not None and days > DATE_TOLERANCE_DAYS:
            out.append("date")
    return tuple(out)


def merged(a: Identity, b: Identity) -> Identity:
    """``a`` with the fields it lacks taken from ``b`` (a group's identity grows as its members join)."""
    return Identity(*(x if x else y for x, y in zip(a, b, strict=True)))
