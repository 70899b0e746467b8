"""The error tree of rectify_parse.

Recoverable oddities in a notice become warnings on the record; only these exceptions escape::

    RectifyError (ValueError)
    ├── DecodeError        input bytes are not text in any supported encoding
    ├── InputTypeError     (also a TypeError) the input is not text, bytes, a path or a binary file
    ├── InputReadError     (also an OSError) the file an input names cannot be read
    ├── InputTooLargeError input is larger than the configured limit
    ├── ConfigError        a caller passed an invalid option (bad threshold, unknown field …)
    ├── ParseError         an unexpected failure inside the parser: a bug, reported with its cause
    ├── InputRecordError   (batch) a JSONL line holds no notice; it becomes an error record. Also: an
    │                      output line that export or to_frames cannot read, a dict from_dict cannot load
    ├── ParseTimeoutError  (batch) an input took longer than --timeout; it becomes an error record
    └── BatchError         (batch) the run as a whole cannot go on: exit code 3
        └── InputStreamError   (batch) a JSONL input cannot be read to its end (truncated, corrupt, I/O)
"""

from __future__ import annotations


class RectifyError(ValueError):
    """Base class of every error rectify_parse raises on purpose."""


class DecodeError(RectifyError):
    """The input bytes are not text: binary, or undecodable in every supported encoding."""


class InputTypeError(RectifyError, TypeError):
    """The input is none of: ``str``, a bytes-like object, an ``os.PathLike`` or a binary file object."""


class InputReadError(RectifyError, OSError):
    """The file an input names cannot be read: missing, a directory, no permission, an I/O error. The
    same error for :func:`rectify_parse.parse` and for the error objects of a batch."""


class InputTooLargeError(RectifyError):
    """The input exceeds the size limit given to the parser."""


class ConfigError(RectifyError):
    """An option passed by the caller is invalid."""


class ParseError(RectifyError):
    """An unexpected failure inside the parser (a bug); the original exception is chained."""


class InputRecordError(RectifyError):
    """A JSONL line holds no notice: not JSON, not an object, or no string in the text field. Also an output
    line that ``export`` or ``to_frames`` cannot read, and a dict that ``Record.from_dict`` cannot load (a
    field missing or of the wrong type); the message names the line or the field's path."""


class ParseTimeoutError(RectifyError):
    """(batch) Parsing one input took longer than the run's time limit; the input is an error record."""


class BatchError(RectifyError):
    """The batch run as a whole cannot go on (exit code 3); per-input failures never raise this."""


def install_extra(extra: str) -> str:
    """How to install an optional extra, both ways: rectify-parse is installed from a checkout (the README's
    set-up) as often as from a package index, and ``pip install 'rectify-parse[x]'`` in a checkout would
    fetch another copy of the package, or fail."""
    return (
        f"in a checkout of rectify-parse, pip install -e '.[{extra}]'; otherwise pip install 'rectify-parse[{extra}]'"
    )


class InputStreamError(BatchError):
    """(batch) A JSONL input cannot be read to its end: an I/O error, or a compressed dump that is truncated or
    corrupt. The inputs read before the damage are parsed and written, then the run ends (exit code 3); its
    lines stay in ``OUT.tmp``, which ``--resume`` continues once the input is whole."""
