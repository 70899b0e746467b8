"""Build: the single-notice parser is compiled to C with mypyc when it can be, pure Python otherwise.

The parser's modules are type-checked under ``mypy --strict`` already; mypyc turns them into C extensions
that run the same code with about a quarter fewer machine instructions per page
(``benchmarks/count_instructions.py``). Everything else (batch, corpus, report, CLI, the record classes,
which orjson reads field by field) stays Python.

Compiling is most of an install's time. mypyc writes one C file per module (``multi_file``) into the one shared
library, so the C compiler's work splits into pieces that are smaller (55 s of compiler CPU time instead of 76 s
for the single file, whose optimiser cost grows faster than its size) and run side by side:
:class:`ParallelBuildExt` runs one compiler a core, the largest file first. The compiled parser runs as fast
as the single file made it (README, Performance: instruction counts and bench_parse.py).

``RECTIFY_PARSE_PURE=1 pip install ...`` skips compiling: for editing the parser, where a compiled module
would hide an edit until the next install (the tests refuse a compiled module older than its source).
Without a C compiler the build falls back to pure Python by itself; ``rectify_parse.COMPILED`` tells which
build is installed.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# The modules parse() runs through, sorted (tests/test_build.py checks the names).
COMPILED = (
    "chrome",
    "decode",
    "diff",
    "header",
    "html",
    "layout",
    "linemodel",
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
        multi_file=True,
    )
    for extension in extensions:
        extension.optional = True  # no compiler, or a compile error: the .py modules are used instead
    return extensions


def _jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def parallel_compile(compiler: Any, jobs: int) -> Any:
    """A ``compile`` for a distutils Unix compiler that runs ``jobs`` compilers at once, the largest file first:
    what the compiler's own ``compile`` does (the same private steps that pybind11's ParallelCompile drives),
    from a thread pool. A compile error is raised as the serial one would."""

    def compile_all(
        sources: list[str],
        output_dir: str | None = None,
        macros: Any = None,
        include_dirs: Any = None,
        debug: bool = False,
        extra_preargs: Any = None,
        extra_postargs: Any = None,
        depends: Any = None,
    ) -> list[str]:
        macros, objects, extra_postargs, pp_opts, build = compiler._setup_compile(
            output_dir, macros, include_dirs, sources, depends, extra_postargs
        )
        cc_args = compiler._get_cc_args(pp_opts, debug, extra_preargs)

        def one(obj: str) -> None:
            src, suffix = build[obj]
            compiler._compile(obj, src, suffix, cc_args, extra_postargs, pp_opts)

        largest_first = sorted(objects, key=lambda obj: -os.path.getsize(build[obj][0]))
        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(one, largest_first))  # list(): the first error is raised here
        return list(objects)

    return compile_all


class ParallelBuildExt(build_ext):
    """build_ext compiling the C files of each extension in parallel, one compiler a core (distutils compiles
    them one after another). Compilers other than the Unix one (MSVC) keep their own ``compile``."""

    def build_extension(self, ext: Any) -> None:
        compiler: Any = self.compiler
        if compiler.compiler_type != "unix" or _jobs() < 2 or len(ext.sources) < 2:
            super().build_extension(ext)
            return
        compiler.compile = parallel_compile(compiler, _jobs())
        try:
            super().build_extension(ext)
        finally:
            del compiler.compile  # back to the class's own


if __name__ == "__main__":  # how setuptools' build backend runs this file; the tests import it
    setup(ext_modules=ext_modules(), cmdclass={"build_ext": ParallelBuildExt})
