"""Bytes to text, with the decision recorded.

Order tried: UTF-8 with BOM, UTF-8, GB18030 (a superset of GBK and GB2312, so a page declared as
gb2312 or gbk is read as gb18030). Each decode is strict; the first that succeeds and yields text
(not binary) wins. Nothing is guessed silently: the caller gets the encoding name back.
"""

from __future__ import annotations

import regex

from .errors import DecodeError

ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")

# Control characters other than tab, newline, carriage return, form feed: a few occur in scraped text,
# a share above this marks binary data that merely happened to decode.
_MAX_CONTROL_SHARE = 0.01
_CONTROL_CHAR = regex.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def looks_binary(text: str) -> bool:
    """True when text holds NUL bytes or more control characters than real text does."""
    if "\x00" in text:
        return True
    if not text:
        return False
    sample = text[:65536]
    controls = len(_CONTROL_CHAR.findall(sample))
    return controls > max(2, _MAX_CONTROL_SHARE * len(sample))


_CJK = regex.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u3000-\u303f\uff00-\uffef]")


def _cjk_share(text: str) -> float:
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))  # counted in C, not per character
    return len(_CJK.findall(text)) / non_ascii if non_ascii else 1.0


def _gbk_read_as_utf8(data: bytes, text: str) -> bool:
    """True when valid UTF-8 is really GBK text: short GBK byte runs can be valid UTF-8 by chance,
    and then decode to combining marks and rare scripts instead of Chinese."""
    if _cjk_share(text) >= 0.5:
        return False
    try:
        other = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return _cjk_share(other) >= 0.9


def decode(raw: bytes | bytearray | memoryview | str) -> tuple[str, str]:
    """Return ``(text, encoding)``; ``encoding`` is ``"str"`` when the input was already text.

    Raises :class:`DecodeError` naming every encoding tried when the bytes are not text.
    """
    if isinstance(raw, str):
        return raw, "str"
    data = bytes(raw)
    if data.startswith(b"\xef\xbb\xbf"):
        candidates: tuple[str, ...] = ("utf-8-sig", "gb18030")
    else:
        candidates = ENCODINGS[1:]
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
        if encoding == "utf-8" and _gbk_read_as_utf8(data, text):
            return data.decode("gb18030"), "gb18030"
        return text, encoding
    raise DecodeError(
        f"input of {len(data)} bytes is not text in any supported encoding; tried: " + ", ".join(failures)
    )
