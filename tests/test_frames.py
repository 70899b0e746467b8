"""``rectify_parse.to_frames``: the export's tables as pandas DataFrames, typed, from lines or a file."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import rectify_parse
from conftest import FIXTURES
from outputs import REPORT_FIXTURES, batch_output, read_lines
from rectify_parse.errors import ConfigError, InputRecordError
from rectify_parse.export import TABLES, export
from rectify_parse.frames import DTYPES, PANDAS_MISSING


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("frames")
    return batch_output(tmp / "out.jsonl", REPORT_FIXTURES, FIXTURES / "corpus", FIXTURES / "status_kinds.txt")


def test_frames_have_the_export_columns_and_typed_values(output: Path) -> None:
    frames = rectify_parse.to_frames(output)
    assert list(frames) == [t.name for t in TABLES]
    for table in TABLES:
        frame = frames[table.name]
        assert list(frame.columns) == [c.name for c in table.columns]
        assert [str(frame[c.name].dtype) for c in table.columns] == [DTYPES[c.type] for c in table.columns]
    notices = frames["notices"].set_index("id")
    copy = notices.loc[str(REPORT_FIXTURES / "copy_variant.txt")]
    assert copy["title"] == "榆岭县市场监督管理局关于巡察反馈问题整改情况的报告"
    assert copy["date_written"] == pd.Timestamp(dt.date(2024, 4, 8)) and copy["problems"] == 4
    assert copy["quality"] == 1.0 and copy["contact_phone"] == "0856-7712093"
    assert pd.isna(copy["group"]) and pd.isna(copy["text"])  # no group; the text only when asked for
    site_b = notices.loc[str(REPORT_FIXTURES / "site_b.txt")]
    assert (site_b["source"], site_b["signature"]) == ("梧川市人民政府网", "梧川市水务局")
    measures = frames["measures"]
    mine = measures[measures["notice_id"] == str(REPORT_FIXTURES / "copy_variant.txt")]
    assert list(mine["text"][:2]) == ["制定年度学习计划", "增强学习考核"]
    assert list(mine["problem"]) == [0, 0, 1, 1, 2, 2, 3, 3]
    # Joined on (notice_id, position), every measure finds its problem and its number.
    joined = measures.merge(
        frames["problems"], left_on=["notice_id", "problem"], right_on=["notice_id", "position"], how="left"
    )
    assert len(joined) == len(measures) and (joined["number"] == joined["problem_number"]).all()
    assert frames["problems"]["measures"].sum() == len(measures)


def test_frames_hold_what_the_csv_export_holds(output: Path, tmp_path: Path) -> None:
    export(output, tmp_path, "csv", text=True)
    frames = rectify_parse.to_frames(output, text=True)
    for table in TABLES:
        with (tmp_path / f"{table.name}.csv").open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert [{k: as_csv(v) for k, v in row.items()} for row in frames[table.name].to_dict("records")] == rows


def as_csv(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def test_lines_from_parse_many_give_the_same_frames(output: Path) -> None:
    paths = sorted(REPORT_FIXTURES.glob("*.txt"))
    lines = rectify_parse.parse_many([(str(p), p) for p in paths], workers=1)
    from_lines = rectify_parse.to_frames(lines)
    from_file = rectify_parse.to_frames([line for line in read_lines(output) if Path(line["id"]) in paths])
    group_columns = ("group", "near_duplicate_of", "same_template_as", "template_differs", "script", "rewritten")
    for name in from_lines:
        if name == "group_variants":  # the file's lines come from a --dedup run, these do not
            assert len(from_lines[name]) == 0 and len(from_file[name]) > 0
            continue
        without_groups = [c for c in from_lines[name].columns if c not in group_columns]
        pd.testing.assert_frame_equal(from_lines[name][without_groups], from_file[name][without_groups])


def test_empty_compact_and_error_lines() -> None:
    frames = rectify_parse.to_frames([])
    assert all(len(f) == 0 for f in frames.values())
    assert str(frames["notices"]["date_written"].dtype) == "datetime64[s]"
    notice = rectify_parse.parse(REPORT_FIXTURES / "copy_variant.txt")
    lines = [
        {"id": "c", "record": {"title": notice.title, "problems": [p.to_dict() for p in notice.problems]}},
        {"id": "bad.txt", "error": {"type": "DecodeError", "message": "not text"}},
    ]
    frames = rectify_parse.to_frames(lines)
    notices = frames["notices"]
    assert list(notices["error_type"].fillna("")) == ["", "DecodeError"]
    assert notices["problems"].tolist()[0] == 4 and pd.isna(notices["publisher"][0])
    assert len(frames["measures"]) == 8


def test_bad_lines_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InputRecordError, match=r"line 2: not an output line"):
        rectify_parse.to_frames([{"id": "a"}, {"record": {}}])
    with pytest.raises(InputRecordError, match=r"line 1: column 'date_written' expects date32"):
        rectify_parse.to_frames([{"id": "a", "record": {"header": {"date_written": "昨天"}}}])
    with pytest.raises(ConfigError, match="cannot read"):
        rectify_parse.to_frames(tmp_path / "missing.jsonl")


def test_without_pandas_the_error_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ConfigError, match=r"pip install -e '\.\[pandas\]'.*pip install 'rectify-parse\[pandas\]'"):
        rectify_parse.to_frames([])
    assert "pip install -e '.[pandas]'" in PANDAS_MISSING
