"""rectify_parse: scraped Chinese government notices to clean, structured, deduplicated records.

>>> import rectify_parse
>>> notice = rectify_parse.parse("关于做好某项工作的通知\\n各科室：\\n一、工作要求\\n请按时报送。")
>>> notice.title, notice.addressee, notice.sections[0].heading
('关于做好某项工作的通知', '各科室', '工作要求')
"""

from __future__ import annotations

from . import pipeline as _pipeline
from .api import decode, explain_lines, explain_units, parse, source_text
from .corpus import Group, NearDuplicateFinder, TemplateSibling, find_near_duplicates
from .decode import MAX_CHARS
from .errors import (
    BatchError,
    ConfigError,
    DecodeError,
    InputReadError,
    InputRecordError,
    InputStreamError,
    InputTooLargeError,
    InputTypeError,
    ParseError,
    ParseTimeoutError,
    RectifyError,
)
from .frames import to_frames
from .lines import LineRow
from .records import (
    SCHEMA_VERSION,
    Boilerplate,
    Cleaning,
    Closing,
    Copy,
    Duplicates,
    Header,
    Notice,
    Problem,
    Section,
    Segment,
    Variant,
    Warning,
)
from .roles import UnitRow

__version__ = "0.1.0"
# Whether the parser's modules run compiled: setup.py builds them with mypyc where a C compiler is there.
COMPILED: bool = not (_pipeline.__file__ or "").endswith(".py")

__all__ = [
    "COMPILED",
    "MAX_CHARS",
    "SCHEMA_VERSION",
    "BatchError",
    "Boilerplate",
    "Cleaning",
    "Closing",
    "ConfigError",
    "Copy",
    "DecodeError",
    "Duplicates",
    "Group",
    "Header",
    "InputReadError",
    "InputRecordError",
    "InputStreamError",
    "InputTooLargeError",
    "InputTypeError",
    "LineRow",
    "NearDuplicateFinder",
    "Notice",
    "ParseError",
    "ParseTimeoutError",
    "Problem",
    "RectifyError",
    "Section",
    "Segment",
    "TemplateSibling",
    "UnitRow",
    "Variant",
    "Warning",
    "__version__",
    "decode",
    "explain_lines",
    "explain_units",
    "find_near_duplicates",
    "parse",
    "parse_many",
    "source_text",
    "to_frames",
]


def __getattr__(name: str) -> object:
    # parse_many runs the batch machinery (process pool, output lines): imported when first asked for.
    if name == "parse_many":
        from .batch import parse_many

        return parse_many
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
