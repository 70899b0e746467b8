"""Hostile input: long runs of markers, colons, pipes, digits and CJK must cost linear time.

Each case is timed at n and 4n characters: linear work grows about 4x, a quadratic regex or loop 16x.
The bound (8x) leaves room for timing noise while still catching a blow-up; absolute times are reported
by benchmarks/bench_parse.py, not asserted here.
"""

from __future__ import annotations

import gc
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rectify_parse

UNITS = [
    "一、",
    "（一）",
    "1.",
    "（1）",
    "①",
    "：",
    ":",
    "|",
    "｜",
    "1",
    "1.1.",
    "第一条",
    "一是",
    "整改进度：",
    "索引号：",
    "索 引 号 | |\n",
    "发布日期:2023-01-06",
    "<p>",
    "政(zheng)",
    "【",
    "“",
    "。 ",
    " ",
    "\n",
    "二〇二三年三月二日",
    "整改",
    "附件：1.",
    "联系电话：",
    "一、（一）1.（1）①：|",
    "。一、",
    "\ufffd",
    "?",
]
# Large enough that the small case takes milliseconds: at a fraction of one, scheduling noise decides the ratio.
SMALL = 80_000


def _seconds(text: str, format: str = "auto") -> float:
    """Best of two parses of ``text``, read in ``format``."""
    # CPU time: on a busy machine the wall clock also counts the waits for a core.
    # The collector's passes over a big heap (other test modules import dask) are not the parser's cost.
    gc.collect()
    gc.disable()
    try:
        best = float("inf")
        for _ in range(2):
            start = time.process_time()
            rectify_parse.parse(text, format=format)
            best = min(best, time.process_time() - start)
        return best
    finally:
        gc.enable()


def _growth(unit: str) -> float:
    small = unit * (SMALL // len(unit))
    return _seconds(small * 4) / max(_seconds(small), 1e-3)


@pytest.mark.parametrize("unit", UNITS)
def test_runs_of_one_unit_cost_linear_time(unit: str) -> None:
    assert _growth(unit) < 8


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(UNITS), min_size=2, max_size=5))
def test_runs_of_mixed_units_cost_linear_time(units: list[str]) -> None:
    assert _growth("".join(units)) < 8


# Runs the test above found quadratic in the compiled build: thousands of short lines at the top looked
# through for a wrapped title's next pieces, and thousands of learned problems each looking back for its
# parent item.
@pytest.mark.parametrize("units", [["索 引 号 | |\n", "整改进度："], ["整改进度：", "索 引 号 | |\n", "附件：1."]])
def test_runs_the_mixed_search_found_cost_linear_time(units: list[str]) -> None:
    assert _growth("".join(units)) < 8


def test_input_size_limit_is_a_clear_error() -> None:
    with pytest.raises(rectify_parse.InputTooLargeError, match="limit"):
        rectify_parse.parse("整改" * 600, max_chars=1000)
