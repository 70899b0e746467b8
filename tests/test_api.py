"""The public surface: exported names, errors, decoding."""

from __future__ import annotations

import inspect
import pkgutil
from pathlib import Path

import pytest

import rectify_parse
from rectify_parse.errors import RectifyError


def test_exported_members_exist_and_nothing_public_is_missing() -> None:
    exported = rectify_parse.__all__
    assert len(set(exported)) == len(exported)  # the order itself is kept by ruff's RUF022
    for name in exported:
        assert hasattr(rectify_parse, name), name
    public = {n for n in dir(rectify_parse) if not n.startswith("_")}
    modules = {m.name for m in pkgutil.iter_modules(rectify_parse.__path__)} | {"annotations"}
    assert public - modules <= set(exported)


def test_errors_are_value_errors() -> None:
    for cls in (
        rectify_parse.DecodeError,
        rectify_parse.InputTooLargeError,
        rectify_parse.ConfigError,
        rectify_parse.ParseError,
        rectify_parse.InputTypeError,
    ):
        assert issubclass(cls, RectifyError) and issubclass(cls, ValueError)
    assert issubclass(rectify_parse.InputTypeError, TypeError)


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        ("通知".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "通知".encode(), "utf-8-sig"),
        ("通知".encode("gbk"), "gb18030"),
        ("𠮷岭乡".encode("gb18030"), "gb18030"),
        ("通知".encode("utf-16"), "utf-16"),  # with its byte order mark, as Windows tools save it
        ("通知".encode("utf-16-be").join([b"\xfe\xff", b""]), "utf-16"),
        ("通知", "str"),
    ],
)
def test_decoding_is_recorded(raw: bytes | str, encoding: str) -> None:
    notice = rectify_parse.parse(raw)
    assert notice.encoding == encoding
    assert notice.text.endswith(("通知", "𠮷岭乡"))


def test_the_schema_explains_every_encoding_a_record_can_name() -> None:
    """``str`` above all: a record of text input says it, and the schema says what it means."""
    from rectify_parse.schema import record_schema

    described = record_schema()["properties"]["encoding"]["description"]
    for encoding in ("utf-8", "utf-8-sig", "utf-16", "gb18030", "str"):
        assert f"`{encoding}`" in described
    assert "`str` when the input was already text" in described and "nothing was decoded" in described


def test_binary_input_raises_decode_error_naming_what_was_tried() -> None:
    with pytest.raises(rectify_parse.DecodeError, match=r"tried: utf-8.*gb18030"):
        rectify_parse.parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")


def test_too_large_input_raises_its_own_error() -> None:
    with pytest.raises(rectify_parse.InputTooLargeError, match="limit is 10"):
        rectify_parse.parse("一" * 11, max_chars=10)


@pytest.mark.parametrize("raw", ["", "   \n\n", "打印本页 关闭窗口\n当前位置：首页 > 通知公告\n"])
def test_empty_or_chrome_only_input_gives_a_warning(raw: str) -> None:
    notice = rectify_parse.parse(raw)
    assert [w.code for w in notice.warnings] == ["no_body"]
    assert notice.text == "" and notice.body_span is None


def test_crlf_and_cr_line_ends() -> None:
    for sep in ("\r\n", "\r"):
        notice = rectify_parse.parse(sep.join(["关于加强管理的通知", "各科室：", "一、总体要求", "请认真落实。"]))
        assert notice.title == "关于加强管理的通知"
        assert notice.addressee == "各科室"
        assert [s.heading for s in notice.sections] == ["总体要求"]


def test_paths_and_binary_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_bytes("关于做好防汛工作的通知\n各乡镇：\n请做好防汛工作。".encode("gb18030"))
    by_path = rectify_parse.parse(path)
    with open(path, "rb") as handle:
        by_file = rectify_parse.parse(handle)
    assert by_path.title == by_file.title == "关于做好防汛工作的通知"
    assert by_path.encoding == "gb18030"


@pytest.mark.parametrize(("raw", "name"), [(12345, "int"), (None, "NoneType"), (3.5, "float"), (["通知"], "list")])
def test_other_input_types_raise_the_librarys_error(raw: object, name: str) -> None:
    with pytest.raises(rectify_parse.InputTypeError) as caught:
        rectify_parse.parse(raw)  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"cannot parse an input of type {name}: pass str, bytes, an os.PathLike or a binary file object"
    )


def test_a_text_mode_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_text("通知", encoding="utf-8")
    with open(path, encoding="utf-8") as handle, pytest.raises(rectify_parse.InputTypeError, match="'rb'"):
        rectify_parse.parse(handle)  # type: ignore[arg-type]


def test_every_public_name_keeps_its_signature_and_docstring() -> None:
    """In the compiled build too: the documented functions are Python wrappers (api.py), since a function
    compiled by mypyc keeps neither (help() showed ``parse(...)``)."""
    for name in rectify_parse.__all__:
        obj = getattr(rectify_parse, name)
        if not callable(obj):
            continue
        assert obj.__doc__ and len(obj.__doc__.strip()) > 20, name
        if isinstance(obj, type) and issubclass(obj, BaseException):
            continue  # an exception's signature is its builtin base's, which inspect cannot show
        assert inspect.signature(obj).parameters, name
    assert list(inspect.signature(rectify_parse.parse).parameters) == ["raw", "max_chars", "format"]
    assert "a ``str`` is always the notice's text" in (rectify_parse.parse.__doc__ or "")


def test_a_str_naming_a_file_is_refused_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("audit_rectify.txt").write_text("关于整改情况的报告\n一、存在问题", encoding="utf-8")
    for raw in ("audit_rectify.txt", str(tmp_path / "audit_rectify.txt")):
        with pytest.raises(rectify_parse.InputTypeError, match=r"names a file.*pathlib\.Path"):
            rectify_parse.parse(raw)
    assert rectify_parse.parse(Path("audit_rectify.txt")).title == "关于整改情况的报告"
    # Text that merely looks like a name is text: no such file, or Chinese in it.
    assert rectify_parse.parse("missing.txt").title is None
    Path("通知.txt").write_text("x", encoding="utf-8")
    assert rectify_parse.parse("通知.txt").text == "通知.txt"


def test_a_missing_file_is_one_typed_error_in_parse_and_parse_many(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(rectify_parse.InputReadError, match=r"cannot read .*nope\.txt: No such file") as caught:
        rectify_parse.parse(missing)
    assert isinstance(caught.value, OSError) and isinstance(caught.value, RectifyError)
    with pytest.raises(rectify_parse.InputReadError, match="cannot read"):
        rectify_parse.parse(tmp_path)  # a directory
    [line] = rectify_parse.parse_many([("gone", missing)])
    assert line["error"] == {"type": "InputReadError", "message": str(caught.value)}
