"""Compressed inputs: single notices and JSONL dumps in gzip, bzip2, xz and zstd, in the library, the
``parse`` command and the batch (walk, damage, resume, streaming)."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rectify_parse
from rectify_parse import batch, compressed
from rectify_parse.batch import main_batch, sources
from rectify_parse.cli import main
from rectify_parse.errors import BatchError, ConfigError, DecodeError, InputTooLargeError

zstd: Any = compressed._ZSTD

FIXTURES = Path(__file__).parent.parent / "fixtures"
CORPUS = FIXTURES / "corpus"


def _zstd(data: bytes) -> bytes:
    if zstd is None:
        pytest.skip("no zstd module (Python 3.14 or backports.zstd)")
    result: bytes = zstd.compress(data)
    return result


PACK: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": _zstd,
}
KINDS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}


def run(*args: str | Path) -> int:
    return main_batch([str(a) for a in args])


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def records(path: Path) -> list[Any]:
    return [line.get("record", line.get("error")) for line in read_lines(path)]


@pytest.mark.parametrize("ext", list(PACK))
def test_each_format_is_told_by_its_first_bytes(ext: str) -> None:
    assert compressed.compression_of(PACK[ext](b"x")[: compressed.HEAD_BYTES]) == KINDS[ext]
    assert compressed.compression_of(PACK[ext](b"")[: compressed.HEAD_BYTES]) == KINDS[ext]


@pytest.mark.parametrize("text", ["BZh9 is a bzip2 header's start", "关于整改情况的报告", "", "\x1f"])
def test_text_is_never_taken_for_a_compressed_stream(text: str) -> None:
    assert compressed.compression_of(text.encode()) is None


@pytest.mark.parametrize("ext", list(PACK))
@pytest.mark.parametrize("name", ["audit_rectify.txt", "gb18030_notice.txt", "html/gbk_table_layout.html"])
def test_a_compressed_notice_reads_as_the_notice_inside(tmp_path: Path, ext: str, name: str) -> None:
    plain = (FIXTURES / name).read_bytes()
    packed = tmp_path / (Path(name).name + ext)
    packed.write_bytes(PACK[ext](plain))
    want = rectify_parse.parse(plain).to_dict()
    assert rectify_parse.parse(packed).to_dict() == want  # a path
    assert rectify_parse.parse(packed.read_bytes()).to_dict() == want  # bytes: told by content, not by name
    assert rectify_parse.source_text(packed) == rectify_parse.source_text(plain)
    assert rectify_parse.decode(packed) == rectify_parse.decode(plain)


def test_a_page_saved_gzip_encoded_under_a_plain_name_reads_as_the_page(tmp_path: Path) -> None:
    page = (FIXTURES / "html" / "gb2312_declared.html").read_bytes()
    saved = tmp_path / "3f2a9c"
    saved.write_bytes(gzip.compress(page))
    notice = rectify_parse.parse(saved)
    assert notice.input_format == "html"
    assert notice.to_dict() == rectify_parse.parse(page).to_dict()  # the declared charset read inside


def test_a_gz_name_holding_plain_text_reads_as_the_text(tmp_path: Path) -> None:
    plain = (FIXTURES / "audit_rectify.txt").read_bytes()
    (tmp_path / "a.txt.gz").write_bytes(plain)
    assert rectify_parse.parse(tmp_path / "a.txt.gz").to_dict() == rectify_parse.parse(plain).to_dict()


@pytest.mark.parametrize("ext", list(PACK))
def test_a_truncated_or_corrupt_notice_is_a_decode_error(ext: str) -> None:
    packed = PACK[ext]((FIXTURES / "audit_rectify.txt").read_bytes() * 3)
    with pytest.raises(DecodeError, match="corrupt or truncated"):
        rectify_parse.parse(packed[: len(packed) // 2])
    if ext != ".zst":  # a zstd frame without a checksum cannot tell a flipped byte (zstd's own choice)
        damaged = bytearray(packed)
        damaged[len(packed) // 2] ^= 0xFF
        with pytest.raises(DecodeError):
            rectify_parse.parse(bytes(damaged))


def test_a_compressed_input_unpacks_no_further_than_max_chars_allows() -> None:
    bomb = gzip.compress(b"\xe5\x85\xb3" * 2_000_000)  # 6 MB of one character in about 6 KB
    with pytest.raises(InputTooLargeError, match="unpacks to more than 4000 bytes"):
        rectify_parse.parse(bomb, max_chars=1000)
    assert rectify_parse.parse(gzip.compress("关于整改的通知".encode()), max_chars=7).title is not None


def test_zstd_without_a_module_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    packed = _zstd("关于整改的通知".encode())
    monkeypatch.setattr(compressed, "_ZSTD", None)
    with pytest.raises(ConfigError, match=r"pip install 'rectify-parse\[zstd\]'"):
        rectify_parse.parse(packed)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.sampled_from([".gz", ".bz2", ".xz"]), st.data())
def test_any_cut_of_a_compressed_notice_is_the_notice_or_a_decode_error(text: str, ext: str, data: Any) -> None:
    """Whole, a compressed input parses as its content; cut anywhere, it is a DecodeError, never another
    exception (and never a record of the compressed bytes)."""
    raw = text.encode("utf-8")
    packed = PACK[ext](raw)
    try:
        want: Any = rectify_parse.parse(raw).to_dict()
    except rectify_parse.RectifyError as exc:
        want = type(exc)
    try:
        got: Any = rectify_parse.parse(packed).to_dict()
    except rectify_parse.RectifyError as exc:
        got = type(exc)
    assert got == want
    cut = data.draw(st.integers(min_value=len(packed[: compressed.HEAD_BYTES]), max_value=len(packed) - 1))
    with pytest.raises(DecodeError):
        rectify_parse.parse(packed[:cut])


def test_the_parse_command_reads_a_compressed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = FIXTURES / "audit_rectify.txt"
    packed = tmp_path / "a.txt.xz"
    packed.write_bytes(lzma.compress(plain.read_bytes()))
    assert main(["parse", str(plain), str(packed)]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["record"] == second["record"]
    (tmp_path / "cut.txt.gz").write_bytes(gzip.compress(plain.read_bytes())[:200])
    assert main(["parse", str(tmp_path / "cut.txt.gz")]) == 1
    assert json.loads(capsys.readouterr().out)["error"]["type"] == "DecodeError"


def _dump(notices: list[tuple[str, str]], pad: int = 0) -> bytes:
    """JSONL of the notices; ``pad`` characters of another field make a line long (bzip2 unpacks 900 KB blocks
    whole: a truncated dump gives back lines only from its complete blocks)."""
    rows = []
    for k, (doc_id, text) in enumerate(notices):
        row = {"id": doc_id, "text": text}
        if pad:
            row["note"] = "".join(chr(0x4E00 + (k * 7919 + i * 104729) % 3000) for i in range(pad))
        rows.append(json.dumps(row, ensure_ascii=False) + "\n")
    return "".join(rows).encode()


def _corpus() -> list[tuple[str, str]]:
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.txt"))]


@pytest.mark.parametrize("ext", list(PACK))
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_compressed_dump_gives_the_plain_dumps_lines(tmp_path: Path, ext: str, workers: str) -> None:
    data = _dump(_corpus())
    plain, packed = tmp_path / "dump.jsonl", tmp_path / f"dump.jsonl{ext}"
    plain.write_bytes(data)
    packed.write_bytes(PACK[ext](data))
    want, got = tmp_path / "want.jsonl", tmp_path / "got.jsonl"
    assert run(plain, "-o", want, "--workers", "1", "--quiet") == 0
    summary = tmp_path / "summary.json"
    assert run(packed, "-o", got, "--workers", workers, "--quiet", "--summary", summary) == 0
    assert got.read_bytes() == want.read_bytes()
    # The summary's bytes are the file's as stored: every compressed byte counted once.
    assert json.loads(summary.read_text(encoding="utf-8"))["bytes"] == packed.stat().st_size


def _peak_while_read(dump: Path) -> tuple[int, int]:
    """The inputs' total size and the peak of Python's memory while every input of ``dump`` is read."""
    total = 0
    tracemalloc.start()
    try:
        for source in sources.iter_sources([str(dump)]):
            total += source.size
        return total, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("ext", list(PACK))
def test_a_compressed_dump_is_read_as_a_stream(tmp_path: Path, ext: str) -> None:
    """Reading every input of a 20 MB dump takes no more memory than reading a dump of one line (the
    decompressor's own state aside: xz's dictionary is 8 MB): memory stays flat."""
    notice = (CORPUS / "a1.txt").read_text(encoding="utf-8") * 6
    lines = [(str(k), notice + f"\n第{k}号") for k in range(2000)]
    large, small = tmp_path / f"large.jsonl{ext}", tmp_path / f"small.jsonl{ext}"
    large.write_bytes(PACK[ext](_dump(lines)))
    small.write_bytes(PACK[ext](_dump(lines[:1])))
    total, peak = _peak_while_read(large)
    assert total == large.stat().st_size  # an input's size is its share of the file as stored
    assert peak - _peak_while_read(small)[1] < 1_000_000, peak  # 20 MB unpacked, a line about 10 KB


def test_a_walk_reads_compressed_notices_and_dumps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    top = tmp_path / "in"
    top.mkdir()
    notice = "关于做好防汛工作的通知\n请做好防汛。".encode()
    for name in ("a.txt.gz", "b.html.bz2", "c.gz", "d.HTM.XZ"):
        (top / name).write_bytes(PACK[Path(name.lower()).suffix](notice))
    (top / "e.jsonl.gz").write_bytes(gzip.compress(_dump([("j1", notice.decode())])))
    for name in ("app.js.gz", "site.tar.gz", "f.css.xz"):
        (top / name).write_bytes(gzip.compress(b"body { color: red }"))
    out, summary_path = tmp_path / "out.jsonl", tmp_path / "summary.json"
    assert run(top, "-o", out, "--workers", "1", "--summary", summary_path) == 0
    lines = read_lines(out)
    assert [line["id"] for line in lines] == [str(top / n) for n in ("a.txt.gz", "b.html.bz2", "c.gz", "d.HTM.XZ")] + [
        "j1"
    ]
    assert all(line["record"]["title"] == "关于做好防汛工作的通知" for line in lines)
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert summary["skipped_by_suffix"] == {".css.xz": 1, ".js.gz": 1, ".tar.gz": 1}
    assert "skipped 3 files that are not notices" in capsys.readouterr().err


def test_a_damaged_compressed_notice_in_a_walk_is_its_error_record(tmp_path: Path) -> None:
    top = tmp_path / "in"
    top.mkdir()
    packed = gzip.compress((FIXTURES / "audit_rectify.txt").read_bytes())
    (top / "a.txt.gz").write_bytes(packed)
    (top / "b.txt.gz").write_bytes(packed[: len(packed) // 2])
    (top / "c.txt.gz").write_bytes(packed)
    out = tmp_path / "out.jsonl"
    assert run(top, "-o", out, "--workers", "2", "--quiet") == 1
    lines = read_lines(out)
    assert [("record" in line) for line in lines] == [True, False, True]
    assert lines[1]["error"]["type"] == "DecodeError"
    assert "gzip data" in lines[1]["error"]["message"] and "truncated" in lines[1]["error"]["message"]


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("ext", [".gz", ".bz2", ".xz", ".zst"])
def test_a_truncated_dump_ends_the_run_with_the_lines_read_kept_and_resume_completes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], workers: str, ext: str
) -> None:
    notices = [(f"{k}-{doc_id}", text) for k, (doc_id, text) in enumerate(_corpus() * 5)]
    data = _dump(notices, pad=8000)  # 2.4 MB: three bzip2 blocks
    packed = PACK[ext](data)
    dump = tmp_path / f"dump.jsonl{ext}"
    dump.write_bytes(packed[: len(packed) * 2 // 3])
    out, clean = tmp_path / "out.jsonl", tmp_path / "clean.jsonl"
    assert run(dump, "-o", out, "--workers", workers, "--chunk-size", "4") == 3
    err = capsys.readouterr().err
    assert f"cannot read JSONL input {dump} past line " in err
    assert f"the lines so far are in {out}.tmp, --resume continues" in err
    read = int(err.split(" past line ")[1].split(":")[0])
    kept = read_lines(Path(f"{out}.tmp"))
    assert 0 < read < len(notices) and len(kept) == read  # every line read before the damage is written
    assert [line["id"] for line in kept] == [i for i, _ in notices[:read]]
    assert not out.exists()
    dump.write_bytes(packed)  # the download completed
    assert run(dump, "-o", out, "--workers", workers, "--resume", "--quiet") == 0
    assert run(dump, "-o", clean, "--workers", "1", "--quiet") == 0
    assert out.read_bytes() == clean.read_bytes()


def test_a_dump_damaged_before_its_first_line_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "dump.jsonl.gz"
    dump.write_bytes(gzip.compress(_dump(_corpus()))[:30])
    assert run(dump, "-o", tmp_path / "out.jsonl", "--workers", "1") == 3
    err = capsys.readouterr().err
    assert "past line 0" in err and "--resume" not in err
    assert not (tmp_path / "out.jsonl.tmp").exists()


def test_an_interrupted_run_on_a_compressed_dump_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dump = tmp_path / "dump.jsonl.xz"
    dump.write_bytes(lzma.compress(_dump(_corpus())))
    clean, out = tmp_path / "clean.jsonl", tmp_path / "out.jsonl"
    assert run(dump, "-o", clean, "--workers", "1", "--quiet") == 0
    real = batch.running.process_item
    seen: list[str] = []

    def interrupt_at_fifth(item: batch.Item, shape: Any, limit: float | None = None) -> batch.Result:
        seen.append(item.id)
        if len(seen) == 5:
            raise KeyboardInterrupt
        return real(item, shape, limit)

    monkeypatch.setattr(batch.running, "process_item", interrupt_at_fifth)
    assert run(dump, "-o", out, "--workers", "1", "--chunk-size", "1", "--quiet") == 3
    assert len(read_lines(Path(f"{out}.tmp"))) == 4
    monkeypatch.setattr(batch.running, "process_item", real)
    assert run(dump, "-o", out, "--workers", "1", "--resume", "--quiet", "--dedup") == 0
    assert run(dump, "-o", clean, "--workers", "1", "--quiet", "--dedup") == 0
    assert out.read_bytes() == clean.read_bytes()


def test_a_zstd_dump_without_a_module_names_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "dump.jsonl.zst"
    dump.write_bytes(_zstd(_dump(_corpus())))
    monkeypatch.setattr(compressed, "_ZSTD", None)
    assert run(dump, "-o", tmp_path / "out.jsonl", "--workers", "1") == 3
    assert "pip install 'rectify-parse[zstd]'" in capsys.readouterr().err
    with pytest.raises(BatchError, match="zstd"):
        list(sources.iter_sources([str(dump)]))
