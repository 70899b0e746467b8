"""Bytes to text, with the decision recorded.

Order tried: UTF-8 with BOM, UTF-16 with BOM, UTF-8, GB18030 (a superset of GBK and GB2312, so a page
declared as gb2312 or gbk is read as gb18030). Each decode is strict; the first that succeeds and yields
text (not binary) wins. Nothing is guessed silently: the caller gets the encoding name back.

Inputs: ``str``, bytes-like objects, ``os.PathLike`` (the file's bytes are read) and binary file objects
(``read()`` returning bytes); anything else raises :class:`InputTypeError` instead of being coerced (a
``Path`` is not parsed as its own name, an ``int`` does not become zero bytes).
"""

from __future__ import annotations

import os
import re
from typing import Any

from .errors import DecodeError, InputTypeError
from .quality import GARBLED_BELOW, quality

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


def input_bytes(raw: Any) -> bytes | str:
    """The text or bytes an input stands for: a path's file, a binary file's content, bytes-like data."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, (bytes, bytearray, memoryview)):
        return bytes(raw)
    if isinstance(raw, os.PathLike):
        with open(raw, "rb") as handle:
            return handle.read()
    read = getattr(raw, "read", None)
    if callable(read):
        data = read()
        if isinstance(data, (bytes, bytearray)):
            return bytes(data)
        raise InputTypeError(f"the file object gave {type(data).__name__}, not bytes: open it in binary mode ('rb')")
    raise InputTypeError(
        f"cannot parse a {type(raw).__name__}: pass str, bytes, an os.PathLike or a binary file object"
    )


def decode(raw: Input | Any, *, declared: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)``; ``encoding`` is ``"str"`` when the input was already text.

    ``declared`` (``"utf-8"`` or ``"gb18030"``, from an HTML page's ``<meta charset>``) settles bytes
    that are valid in both: UTF-8 keeps them when declared, GB18030 takes them when declared unless they
    read as Chinese in UTF-8. Bytes invalid in the declared charset are read as if it were not declared.

    Raises :class:`DecodeError` naming every encoding tried when the bytes are not text, and
    :class:`InputTypeError` for an input of another type.
    """
    data = input_bytes(raw)
    if isinstance(data, str):
        return data, "str"
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
