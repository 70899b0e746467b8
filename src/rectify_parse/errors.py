"""The error tree of rectify_parse.

Recoverable oddities in a notice become warnings on the record; only these exceptions escape::

    RectifyError (ValueError)
    ├── DecodeError        input bytes are not text in any supported encoding
    ├── InputTooLargeError input is larger than the configured limit
    ├── ConfigError        a caller passed an invalid option (bad threshold, unknown field …)
    └── ParseError         an unexpected failure inside the parser: a bug, reported with its cause
"""

from __future__ import annotations


class RectifyError(ValueError):
    """Base class of every error rectify_parse raises on purpose."""


class DecodeError(RectifyError):
    """The input bytes are not text: binary, or undecodable in every supported encoding."""


class InputTooLargeError(RectifyError):
    """The input exceeds the size limit given to the parser."""


class ConfigError(RectifyError):
    """An option passed by the caller is invalid."""


class ParseError(RectifyError):
    """An unexpected failure inside the parser (a bug); the original exception is chained."""
