"""Compressed inputs: gzip, bzip2, xz and zstd, told by their first bytes, read as what they hold.

Crawlers store their dumps compressed (``dump.jsonl.gz``) and often their pages too (``page.html.gz``, or a
response body saved still gzip-encoded under any name), so the compression is recognised by its magic
number, never by the file's name: a ``.gz`` that holds plain text is read as it is. A single notice is
decompressed whole, up to a limit (a few KB of gzip can unpack to gigabytes); a JSONL dump is read as a
stream (:func:`open_stream`), so memory stays flat however large it is.

gzip, bzip2 and xz come with Python. zstd comes with Python 3.14 (``compression.zstd``); before it,
``backports.zstd`` (the same module, ``pip install 'rectify-parse[zstd]'``) reads it, and without it a zstd
input is a :class:`ConfigError` naming the install.

A corrupt or truncated stream raises one of :data:`STREAM_ERRORS` while it is read; :func:`decompress` turns
it into a :class:`DecodeError` for that input.
"""

from __future__ import annotations

import bz2
import gzip
import importlib
import io
import lzma
import re
import zlib
from types import ModuleType
from typing import Any, BinaryIO

from .errors import ConfigError, DecodeError, InputTooLargeError

# The first bytes of each format (bzip2: "BZh", the block size, then a block's or the end's magic).
_MAGIC = re.compile(
    rb"(?P<gzip>\x1f\x8b)|(?P<xz>\xfd7zXZ\x00)|(?P<zstd>\x28\xb5\x2f\xfd)"
    rb"|(?P<bz2>BZh[1-9](?:1AY&SY|\x17rE8P\x90))"
)
HEAD_BYTES = 10  # enough for every magic number above
NAMES = {"gzip": "gzip", "bz2": "bzip2", "xz": "xz", "zstd": "zstd"}
# The file-name suffixes of these formats: a directory walk reads ``notice.txt.gz`` as it reads ``notice.txt``.
SUFFIXES = frozenset((".gz", ".bz2", ".xz", ".zst"))

ZSTD_INSTALL = (
    "reading zstd-compressed input needs Python 3.14 or the backports.zstd package: "
    "pip install 'rectify-parse[zstd]' (in a checkout: pip install -e '.[zstd]')"
)

# What reading a damaged stream raises: EOFError when it ends early, OSError for a bad gzip header or CRC, a
# bad bzip2 stream and a disk that fails, zlib.error and lzma.LZMAError for corrupt data; zstd's own error is
# added below when zstd can be read.
STREAM_ERRORS: tuple[type[Exception], ...] = (EOFError, OSError, zlib.error, lzma.LZMAError)


def _zstd_module() -> ModuleType | None:
    for name in ("compression.zstd", "backports.zstd"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


_ZSTD = _zstd_module()
if _ZSTD is not None:
    STREAM_ERRORS = (*STREAM_ERRORS, _ZSTD.ZstdError)


def compression_of(head: bytes) -> str | None:
    """``gzip``, ``bz2``, ``xz`` or ``zstd`` when ``head`` (the first :data:`HEAD_BYTES` bytes or more)
    starts a stream of that format, else None. Text never starts so: each starts with a control byte or,
    for bzip2, ``BZh`` and a digit then a binary block mark."""
    found = _MAGIC.match(head)
    return None if found is None else found.lastgroup


def open_stream(kind: str, raw: BinaryIO) -> io.BufferedIOBase:
    """A binary file object reading ``raw`` (positioned at the stream's start) decompressed, lazily.
    Concatenated streams (several gzip members, zstd frames) read as one. Raises :class:`ConfigError`
    for zstd when no module can read it."""
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if kind == "bz2":
        return bz2.BZ2File(raw, "rb")
    if kind == "xz":
        return lzma.LZMAFile(raw, "rb")
    if kind == "zstd":
        if _ZSTD is None:
            raise ConfigError(ZSTD_INSTALL)
        stream: Any = _ZSTD.ZstdFile(raw, "rb")
        return stream  # type: ignore[no-any-return]
    raise ValueError(f"unknown compression {kind!r}")


def decompress(data: bytes, limit: int) -> bytes:
    """``data`` itself, or what it holds when it is compressed (see the module's notes).

    Raises :class:`DecodeError` for a corrupt or truncated stream, :class:`InputTooLargeError` when it holds
    more than ``limit`` bytes (read no further than that), :class:`ConfigError` for zstd without a reader."""
    kind = compression_of(data[:HEAD_BYTES])
    if kind is None:
        return data
    name = NAMES[kind]
    try:
        with open_stream(kind, io.BytesIO(data)) as stream:
            out = stream.read(limit + 1)
    except STREAM_ERRORS as exc:
        raise DecodeError(f"{name} data of {len(data)} bytes is corrupt or truncated: {exc}") from exc
    if len(out) > limit:
        raise InputTooLargeError(
            f"{name} input unpacks to more than {limit} bytes, 4 × the limit of characters "
            "(raise it with max_chars=, or --max-chars on the command line)"
        )
    return out
