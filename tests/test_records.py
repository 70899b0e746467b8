"""``Notice.from_dict``: a record dict (or its JSON) loads back into the same typed record."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rectify_parse
from conftest import FIXTURES
from outputs import batch_output, read_lines
from rectify_parse import Notice, Problem, Section
from rectify_parse.errors import InputRecordError
from rectify_parse.records import compact, records_hints

ALL_FIXTURES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".txt", ".html"))


def test_fixture_records_load_back_equal() -> None:
    assert len(ALL_FIXTURES) > 100
    for path in ALL_FIXTURES:
        notice = rectify_parse.parse(path)
        assert Notice.from_dict(notice.to_dict()) == notice, path
        assert Notice.from_dict(json.loads(json.dumps(notice.to_dict(), ensure_ascii=False))) == notice, path


def test_batch_lines_load_back_to_the_parsed_records(tmp_path: Path) -> None:
    """The batch writes records with orjson from the dataclasses, not with to_dict: they load back too."""
    lines = read_lines(batch_output(tmp_path / "out.jsonl", FIXTURES, options=("--glob", "*.html")))
    assert len(lines) > 100
    for line in lines:
        loaded = Notice.from_dict(line["record"])
        assert loaded == rectify_parse.parse(Path(line["id"])), line["id"]
        assert isinstance(loaded.title_span, (tuple, type(None))) and isinstance(loaded.header, rectify_parse.Header)


def test_nested_records_are_typed_again() -> None:
    notice = rectify_parse.parse(FIXTURES / "report" / "copy_variant.txt")
    loaded = Notice.from_dict(json.loads(json.dumps(notice.to_dict())))
    problem = loaded.problems[0]
    assert isinstance(problem, Problem) and isinstance(loaded.sections[0], Section)
    assert problem.span == notice.problems[0].span and type(problem.span) is tuple
    assert all(type(s) is tuple for s in problem.measure_spans)
    assert Problem.from_dict(notice.problems[0].to_dict()) == notice.problems[0]


def test_compact_and_fields_records_are_refused_naming_what_is_missing() -> None:
    record = rectify_parse.parse(FIXTURES / "report" / "copy_variant.txt").to_dict()
    with pytest.raises(InputRecordError, match=r"record\.title_span: missing \(from_dict needs a full record"):
        Notice.from_dict(compact(record))
    with pytest.raises(InputRecordError, match=r"record\.schema_version: missing"):
        Notice.from_dict({"title": record["title"], "problems": record["problems"]})  # --fields title,problems


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["problems"][0].update(number="一"), r"record\.problems\[0\]\.number: expected an int, got '一'"),
        (lambda r: r["problems"][0].update(status_kind="done"), r"status_kind: expected one of 'completed'"),
        (lambda r: r.update(title_span=[1]), r"record\.title_span: expected a span \[start, end\], got \[1\]"),
        (lambda r: r["header"].update(extra={"a": 1}), r"record\.header\.extra\.a: expected a str, got 1"),
        (lambda r: r.update(quality=True), r"record\.quality: expected a number, got True"),
        (lambda r: r.update(sections={}), r"record\.sections: expected a list"),
        (lambda r: r.update(header=None), r"record\.header: expected an object \(Header\), got None"),
        (lambda r: r["closing"].update(phone="1"), r"record\.closing: unknown field\(s\) phone for Closing"),
    ],
)
def test_a_wrong_value_is_an_error_naming_its_path(change: Any, message: str) -> None:
    record = rectify_parse.parse(FIXTURES / "report" / "copy_variant.txt").to_dict()
    change(record)
    with pytest.raises(InputRecordError, match=message):
        Notice.from_dict(record)


def test_an_output_line_is_refused_with_the_fix() -> None:
    record = rectify_parse.parse("关于做好某项工作的通知\n各科室：\n请按时报送。").to_dict()
    with pytest.raises(InputRecordError, match=r"unknown field\(s\) id, record for Notice \(an output line: pass"):
        Notice.from_dict({"id": "a", "record": record})


# --- generated records: every field filled, every type and shape -------------------------------------------


def strategy(tp: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of a record field's type; records with every field generated (``st.builds`` would leave fields
    with defaults at their default), section trees at most three levels deep."""
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = records_hints(tp)
        return st.builds(tp, **{f.name: strategy(hints[f.name], depth + 1) for f in dataclasses.fields(tp)})
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (Union, types.UnionType):
        return st.one_of(*(st.none() if a is type(None) else strategy(a, depth) for a in args))
    if origin is Literal:
        return st.sampled_from(args)
    if origin is list:
        if args[0] is Section and depth > 3:
            return st.just([])
        return st.lists(strategy(args[0], depth), max_size=2)
    if origin is tuple:
        return st.tuples(*(strategy(a, depth) for a in args))
    if origin is dict:
        return st.dictionaries(st.text(max_size=4), strategy(args[1], depth), max_size=2)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(max_size=6),
        int: st.integers(min_value=-(2**53), max_value=2**53),
        float: st.floats(allow_nan=False, allow_infinity=False),  # what JSON can hold
        bool: st.booleans(),
    }
    return simple[tp]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(strategy(Notice))
def test_any_record_round_trips_through_to_dict_and_json(notice: Notice) -> None:
    assert Notice.from_dict(notice.to_dict()) == notice
    assert Notice.from_dict(json.loads(json.dumps(notice.to_dict()))) == notice
