"""Repeated copies inside one page: many copies, truncation, what is not a copy, lazy and quiet jieba."""

from __future__ import annotations

import subprocess
import sys

import rectify_parse
from conftest import FIXTURES
from rectify_parse.diff import apply_variants

BODY = (FIXTURES / "repeats" / "base_body.txt").read_text(encoding="utf-8")


def test_forty_pasted_copies() -> None:
    page = BODY.replace("加强", "强化", 1) + "\n" + "\n".join([BODY] * 39)
    notice = rectify_parse.parse(page)
    copies = notice.duplicates.copies
    assert len(copies) == 40 and all(c.complete for c in copies)
    assert [c.canonical for c in copies] == [True] + [False] * 39
    wording = [(v.copy, v.before, v.after) for v in notice.duplicates.variants if v.kind == "wording"]
    assert wording == [(k, "强化", "加强") for k in range(1, 40)]
    assert notice.text.count(BODY.splitlines()[0]) == 1


def test_truncated_copy_is_marked_and_not_diffed_for_what_it_lacks() -> None:
    cut = BODY[: len(BODY) * 2 // 3]
    page = BODY + "\n" + BODY + "\n" + cut
    notice = rectify_parse.parse(page)
    assert [c.complete for c in notice.duplicates.copies] == [True, True, False]
    assert notice.duplicates.variants == []


def test_first_complete_copy_is_canonical_and_variants_rebuild_each_copy() -> None:
    second = BODY.replace("，", ",").replace("加强", "强化", 1)
    page = BODY + "\n" + second
    notice = rectify_parse.parse(page)
    canon, other = notice.duplicates.copies
    assert canon.canonical and not other.canonical
    found = notice.duplicates.variants
    rebuilt = apply_variants(page[canon.span[0] : canon.span[1]], found, a_offset=canon.span[0])
    assert rebuilt == page[other.span[0] : other.span[1]]
    assert {v.kind for v in found} == {"punctuation", "wording"}


def test_a_page_whose_body_appears_once_has_no_copies() -> None:
    notice = rectify_parse.parse(BODY)
    assert notice.duplicates.copies == [] and notice.duplicates.variants == []


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)


def test_jieba_is_not_loaded_when_no_difference_needs_words() -> None:
    code = (
        "import sys, rectify_parse; from pathlib import Path;"
        f"rectify_parse.parse(Path({str(FIXTURES / 'rectify_fullwidth.txt')!r}).read_bytes());"
        f"rectify_parse.parse(Path({str(FIXTURES / 'repeats' / 'punct_only.txt')!r}).read_bytes());"
        "print('jieba' in sys.modules)"
    )
    assert _run(code).stdout.strip() == "False"


def test_jieba_loads_quietly_when_it_is_needed() -> None:
    code = (
        "import sys, rectify_parse; from pathlib import Path;"
        f"n = rectify_parse.parse(Path({str(FIXTURES / 'repeats' / 'twice_two_changes.txt')!r}).read_bytes());"
        "print('jieba' in sys.modules, sum(v.kind == 'wording' for v in n.duplicates.variants))"
    )
    result = _run(code)
    assert result.stdout.strip() == "True 2"
    assert result.stderr == ""
