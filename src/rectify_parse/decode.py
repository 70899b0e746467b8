"""Bytes to text, with the decision recorded.

Order tried: UTF-8 with BOM, UTF-16 with BOM, UTF-8, GB18030 (a superset of GBK and GB2312, so a page
declared as gb2312 or gbk is read as gb18030). Each decode is strict; the first that succeeds and yields
text (not binary) wins. Nothing is guessed silently: the caller gets the encoding name back.

Bytes compressed with gzip, bzip2, xz or zstd (``page.html.gz``, a response body saved still encoded) are
decompressed first (:mod:`rectify_parse.compressed`); the text inside is what is decoded.

Inputs: ``str``, bytes-like objects, ``os.PathLike`` (the file's bytes are read) and binary file objects
(``read()`` returning bytes); anything else raises :class:`InputTypeError` instead of being coerced (a
``Path`` is not parsed as its own name, an ``int`` does not become zero bytes).
"""

from __future__ import annotations

import os
import re
from typing import Any

from .compressed import decompress
from .errors import DecodeError, InputReadError, InputTypeError
from .quality import GARBLED_BELOW, quality

# Inputs above this many characters raise InputTooLargeError instead of being parsed (``max_chars=``).
MAX_CHARS = 20_000_000
# Bytes per character at most (UTF-8 and GB18030): a compressed input is unpacked up to this many times
# ``max_chars`` bytes, and no further.
MAX_BYTES_PER_CHAR = 4

ENCODINGS = ("utf-8-sig", "utf-16", "utf-8", "gb18030")

# Control characters other than tab, newline, carriage return, form feed: a few occur in scraped text,
# a share above this marks binary data that merely happened to decode.
_MAX_CONTROL_SHARE = 0.01
_CONTROL_CHAR = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def looks_binary(text: str) -> bool:
    """True when text holds NUL bytes or more control characters than real text does."""
    if "\x00" in text:
        return True
    if not text:
        return False
    sample = text[:65536]
    controls = len(_CONTROL_CHAR.findall(sample))
    return controls > max(2, _MAX_CONTROL_SHARE * len(sample))


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u3000-\u303f\uff00-\uffef]")


def _cjk_share(text: str) -> float:
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))  # counted in C, not per character
    return len(_CJK.findall(text)) / non_ascii if non_ascii else 1.0


def _gbk_read_as_utf8(data: bytes, text: str, declared_gb: bool = False) -> bool:
    """True when valid UTF-8 is really GBK text: short GBK byte runs can be valid UTF-8 by chance,
    and then decode to combining marks and rare scripts instead of Chinese. A page that declares a GB
    charset needs only to decode in it; Chinese read as UTF-8 stays UTF-8 whatever it declares (a crawler
    re-encoded the page and kept its ``<meta>``)."""
    if _cjk_share(text) >= 0.5:
        return False
    try:
        other = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return declared_gb or _cjk_share(other) >= 0.9


Input = str | bytes | bytearray | memoryview | os.PathLike[str] | os.PathLike[bytes]

# A str longer than this, or on several lines, is never taken for a file name.
_MAX_NAME = 4096


def read_file(path: os.PathLike[str] | os.PathLike[bytes] | str) -> bytes:
    """The bytes of the file at ``path``; :class:`InputReadError` when it cannot be read (missing, a
    directory, no permission), the one error a caller of ``parse`` or a batch sees for that."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise InputReadError(f"cannot read {os.fsdecode(path)}: {exc.strerror or exc}") from exc


def _names_a_file(text: str) -> bool:
    """True for a str that is the name of an existing file and holds no Chinese: a caller who meant the
    file (``parse("notice.txt")``) would otherwise get the record of its name, with no warning."""
    if len(text) > _MAX_NAME or "\n" in text or _CJK.search(text) is not None:
        return False
    try:
        return os.path.isfile(text)
    except (OSError, ValueError):  # NUL characters, names too long for the system
        return False


def input_bytes(raw: Any) -> bytes | str:
    """The text or bytes an input stands for: a path's file, a binary file's content, bytes-like data.

    Raises :class:`InputReadError` for a file that cannot be read and :class:`InputTypeError` for an input
    of another type, or for a str that only names a file (a str is always the notice's text)."""
    if isinstance(raw, str):
        if _names_a_file(raw):
            raise InputTypeError(
                f"the str {raw!r} names a file but is not a notice (a str is read as the notice's text): "
                f"pass pathlib.Path({raw!r}) to parse the file"
            )
        return raw
    if isinstance(raw, (bytes, bytearray, memoryview)):
        return bytes(raw)
    if isinstance(raw, os.PathLike):
        return read_file(raw)
    read = getattr(raw, "read", None)
    if callable(read):
        data = read()
        if isinstance(data, (bytes, bytearray)):
            return bytes(data)
        raise InputTypeError(f"the file object gave {type(data).__name__}, not bytes: open it in binary mode ('rb')")
    raise InputTypeError(
        f"cannot parse an input of type {type(raw).__name__}: pass str, bytes, an os.PathLike or a binary file object"
    )


def uncompressed(data: bytes, max_chars: int = MAX_CHARS) -> bytes:
    """``data``, or the bytes it holds when it is compressed, up to what ``max_chars`` characters can take
    (see :func:`rectify_parse.compressed.decompress` for the errors)."""
    return decompress(data, MAX_BYTES_PER_CHAR * max_chars)


def decode(raw: Input | Any, *, declared: str | None = None) -> tuple[str, str]:
    """The work of :func:`rectify_parse.decode` (documented in api.py): ``(text, encoding)``."""
    data = input_bytes(raw)
    if isinstance(data, str):
        return data, "str"
    return decode_bytes(uncompressed(data), declared=declared)


def decode_bytes(data: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` of bytes already decompressed (see :func:`decode`)."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates: tuple[str, ...] = ("utf-8-sig", "gb18030")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16", "gb18030")  # a byte order mark: UTF-16 as Windows tools save it
    else:
        candidates = ENCODINGS[2:]
    failures: list[str] = []
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            failures.append(f"{encoding} (byte {exc.start})")
            continue
        if looks_binary(text):
            failures.append(f"{encoding} (decodes, but to binary control characters)")
            continue
        if encoding == "utf-8" and declared != "utf-8" and _gbk_read_as_utf8(data, text, declared == "gb18030"):
            return data.decode("gb18030"), "gb18030"
        if encoding == "utf-16" and quality(text) < GARBLED_BELOW:
            # Two bytes that look like a byte order mark, then noise: any even run of bytes is UTF-16.
            failures.append(f"{encoding} (decodes, but to text that is not readable)")
            continue
        return text, encoding
    raise DecodeError(
        f"input of {len(data)} bytes is not text in any supported encoding; tried: " + ", ".join(failures)
    )
