"""Build: the single-notice parser is compiled to C with mypyc when it can be, pure Python otherwise.

The parser's modules are type-checked under ``mypy --strict`` already; mypyc turns them into C extensions
that run the same code with about a quarter fewer machine instructions per page
(``benchmarks/count_instructions.py``). Everything else (batch, corpus, report, CLI, the record classes,
which orjson reads field by field) stays Python.

``RECTIFY_PARSE_PURE=1 pip install ...`` skips compiling: for editing the parser, where a compiled module
would hide an edit until the next install (the tests refuse a compiled module older than its source).
Without a C compiler the build falls back to pure Python by itself; ``rectify_parse.COMPILED`` tells which
build is installed.
"""

from __future__ import annotations

import os
import sys

from setuptools import Extension, setup

# The modules parse() runs through, sorted (tests/test_build.py checks the names).
COMPILED = (
    "chrome",
    "decode",
    "diff",
    "header",
    "html",
    "layout",
    "lines",
    "markers",
    "normalize",
    "page",
    "patterns",
    "pipeline",
    "problems",
    "quality",
    "repeats",
    "roles",
    "structure",
    "tree",
)


def ext_modules() -> list[Extension]:
    if os.environ.get("RECTIFY_PARSE_PURE", "") not in ("", "0"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("rectify-parse: mypyc is not available; building pure Python", file=sys.stderr)
        return []
    extensions: list[Extension] = mypycify(
        [f"src/rectify_parse/{name}.py" for name in COMPILED],
        opt_level="3",
        group_name="rectify_parse",
    )
    for extension in extensions:
        extension.optional = True  # no compiler, or a compile error: the .py modules are used instead
    return extensions


setup(ext_modules=ext_modules())
