"""The public functions of the parser, documented here in pure Python.

The parser's modules are compiled with mypyc where a compiler is there (setup.py), and a compiled function
keeps neither its docstring nor its signature: ``help(rectify_parse.parse)`` would show ``parse(...)``.
These thin wrappers stay Python in both builds, so the documented API is the same in each; the work is done
by the functions they call.
"""

from __future__ import annotations

from typing import Any

from . import decode as _decode
from . import html as _html
from . import pipeline as _pipeline
from .decode import MAX_CHARS, Input
from .lines import LineRow
from .records import Notice
from .roles import UnitRow


def parse(raw: Input, *, max_chars: int = MAX_CHARS, format: str = "auto") -> Notice:
    """Parse one scraped notice: text, bytes (UTF-8, UTF-8 or UTF-16 with BOM, GBK / GB18030), a path to
    a file (``pathlib.Path``; a ``str`` is always the notice's text), or a binary file object; plain text
    or a saved HTML page (``format``: ``"auto"`` tells them apart by the content, ``"text"`` or ``"html"``
    says which); bytes compressed with gzip, bzip2, xz or zstd are read as the notice they hold. The spans
    of a page's record index the text extracted from it: :func:`rectify_parse.source_text` returns it.

    Raises :class:`~rectify_parse.errors.DecodeError` for bytes that are not text (a truncated or corrupt
    compressed input too), :class:`~rectify_parse.errors.InputReadError` for a file that cannot be read,
    :class:`~rectify_parse.errors.InputTypeError` for an input of another type (an ``int``, a text-mode
    file, a ``str`` that only names a file), :class:`~rectify_parse.errors.InputTooLargeError` above
    ``max_chars`` characters (a compressed input is unpacked no further than 4 bytes a character) and
    :class:`~rectify_parse.errors.ConfigError` for an unknown ``format`` or a zstd input without a module
    to read it (``pip install 'rectify-parse[zstd]'``);
    everything else that is odd about the input becomes a warning on the record.
    """
    return _pipeline.parse(raw, max_chars=max_chars, format=format)


def explain_lines(raw: Input, *, max_chars: int = MAX_CHARS, format: str = "auto") -> list[LineRow]:
    """Every line of a page with what the parser decided about it, for inspecting why a line was kept or
    removed: its kind (``chrome`` with the rule, ``header``, ``title``, ``content``, ``empty``), its class
    from its own features, the document form it has (a date, a contact …) and its heading marker; for each
    line the line model reads (not running text), its most probable role with that role's probability, its
    probability of chrome (a line the rules kept becomes chrome at 0.93 or more, above the document's first
    paragraph or below its last; a line a rule guessed below the first paragraph goes back to the document
    under 0.05 when the model takes it for body) and the features that weighed most for or against the role,
    as the model read them: with the rules' decisions (a line given back still shows the rule that took it).
    Spans and texts are those of the source (:func:`rectify_parse.source_text` for an HTML page). The input
    and the errors are those of :func:`parse`."""
    return _pipeline.explain_lines(raw, max_chars=max_chars, format=format)


def explain_units(raw: Input, *, max_chars: int = MAX_CHARS, format: str = "auto") -> list[UnitRow]:
    """Every candidate unit of a page's body (its lines, cut again where an item starts inline: 1. … 2. …,
    一是 …, clauses after semicolons) as the line-role model sees it: the rule that found a problem there if
    any, the model's probability that a problem starts there, whether the record has one there, and the
    features that weighed most for (+) or against (-) it. For finding out why an item was or was not taken
    for a problem. Where the rules found problems the record keeps theirs, and the model adds only a unit
    outside them, near an item that opens as theirs do, that it gives 0.95 or more (``roles.BESIDE``); its
    probabilities are shown all the same. Only a rectification or inspection report is read this way: for any
    other notice the list is empty. The input and the errors are those of :func:`parse`."""
    return _pipeline.explain_units(raw, max_chars=max_chars, format=format)


def source_text(raw: Any, *, format: str = "auto") -> str:
    """The text a record's spans index, for the same input and ``format`` as :func:`rectify_parse.parse`
    got: the decoded input, or the text extracted from an HTML page."""
    return _html.source_text(raw, format=format)


def decode(raw: Input | Any, *, declared: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` of an input; ``encoding`` is ``"str"`` when the input was already text
    (nothing was decoded), else the codec that read the bytes: ``utf-8``, ``utf-8-sig``, ``utf-16`` or
    ``gb18030``. Compressed bytes (gzip, bzip2, xz, zstd) are unpacked first, and the text inside decoded.

    ``declared`` (``"utf-8"`` or ``"gb18030"``, from an HTML page's ``<meta charset>``) settles bytes
    that are valid in both: UTF-8 keeps them when declared, GB18030 takes them when declared unless they
    read as Chinese in UTF-8. Bytes invalid in the declared charset are read as if it were not declared.

    Raises :class:`~rectify_parse.errors.DecodeError` naming every encoding tried when the bytes are not
    text, :class:`~rectify_parse.errors.InputReadError` for a file that cannot be read and
    :class:`~rectify_parse.errors.InputTypeError` for an input of another type.
    """
    return _decode.decode(raw, declared=declared)
