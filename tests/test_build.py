"""The build: the parser's modules compiled by mypyc (setup.py) where a C compiler is there."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path
from typing import Any

import pytest

import rectify_parse
from conftest import ROOT


def _compiled_list() -> list[str]:
    """The ``COMPILED`` tuple of setup.py, read without running the build."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "COMPILED" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError("setup.py has no COMPILED list")


def test_every_module_setup_compiles_exists() -> None:
    names = _compiled_list()
    assert names == sorted(set(names))
    for name in names:
        assert (ROOT / "src" / "rectify_parse" / f"{name}.py").is_file(), name
    # The record classes stay Python: orjson reads a dataclass's fields from its Python layout.
    assert "records" not in names


def _compiler_present() -> bool:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(compiler) is not None


@pytest.mark.skipif(
    os.environ.get("RECTIFY_PARSE_PURE", "") not in ("", "0") or not _compiler_present(),
    reason="a pure-Python build was asked for (RECTIFY_PARSE_PURE), or there is no C compiler",
)
def test_the_parser_is_compiled_where_a_compiler_is_there() -> None:
    assert rectify_parse.COMPILED
    for name in _compiled_list():
        module = importlib.import_module(f"rectify_parse.{name}")
        assert not (module.__file__ or "").endswith(".py"), name


def test_the_version_says_which_build_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rectify_parse", "--version"], capture_output=True, text=True, check=True
    )
    build = "compiled" if rectify_parse.COMPILED else "pure Python"
    assert done.stdout.strip() == f"rectify-parse {rectify_parse.__version__} ({build})"


def _setup_module() -> Any:
    """setup.py as a module (it calls setup() only when run as a script, as the build backend runs it)."""
    spec = importlib.util.spec_from_file_location("rectify_parse_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Compiler:
    """The private steps of a distutils Unix compiler that ``parallel_compile`` drives, recorded."""

    def __init__(self, sizes: dict[str, int], tmp_path: Path, fail: str = "") -> None:
        self.sources = {}
        for name, size in sizes.items():
            path = tmp_path / f"{name}.c"
            path.write_bytes(b" " * size)
            self.sources[f"{name}.o"] = (str(path), ".c")
        self.fail = fail
        self.started: list[str] = []
        self.lock = threading.Lock()

    def _setup_compile(self, *args: Any) -> tuple[Any, ...]:
        return None, list(self.sources), ["-O3"], ["-Iinclude"], self.sources

    def _get_cc_args(self, pp_opts: list[str], debug: bool, before: Any) -> list[str]:
        return ["-c", *pp_opts]

    def _compile(self, obj: str, src: str, ext: str, cc_args: list[str], extra: list[str], pp_opts: list[str]) -> None:
        assert cc_args == ["-c", "-Iinclude"] and extra == ["-O3"] and src == self.sources[obj][0]
        with self.lock:
            self.started.append(obj)
        if obj == self.fail:
            raise RuntimeError(f"cc failed on {src}")


def test_the_build_compiles_an_extensions_files_in_parallel_largest_first(tmp_path: Path) -> None:
    parallel_compile = _setup_module().parallel_compile
    compiler = _Compiler({"small": 10, "huge": 5000, "mid": 300}, tmp_path)
    assert parallel_compile(compiler, 1)(["ignored"]) == ["small.o", "huge.o", "mid.o"]  # the objects, in order
    assert compiler.started == ["huge.o", "mid.o", "small.o"]
    two = _Compiler({f"m{i}": i for i in range(1, 40)}, tmp_path)
    assert sorted(parallel_compile(two, 2)(["ignored"])) == sorted(two.sources)
    assert sorted(two.started) == sorted(two.sources)  # each once
    failing = _Compiler({"a": 1, "b": 2}, tmp_path, fail="a.o")
    with pytest.raises(RuntimeError, match="cc failed"):
        parallel_compile(failing, 2)(["ignored"])


@pytest.mark.skipif(not _compiler_present(), reason="no C compiler")
def test_the_parallel_build_ext_builds_a_working_extension(tmp_path: Path) -> None:
    """Two C files of one extension, compiled side by side by setup.py's build_ext and linked into one module."""
    (tmp_path / "half.c").write_text("int half(int x) { return x / 2; }\n")
    (tmp_path / "twin.c").write_text(
        "#define PY_SSIZE_T_CLEAN\n#include <Python.h>\nint half(int x);\n"
        "static PyObject *h(PyObject *self, PyObject *arg) { return PyLong_FromLong(half((int)PyLong_AsLong(arg))); }\n"
        'static PyMethodDef methods[] = {{"half", h, METH_O, NULL}, {NULL, NULL, 0, NULL}};\n'
        'static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "twin", NULL, -1, methods};\n'
        "PyMODINIT_FUNC PyInit_twin(void) { return PyModule_Create(&module); }\n"
    )
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import importlib.util as u\n"
        "spec = u.spec_from_file_location('s', sys.argv[2]); s = u.module_from_spec(spec); spec.loader.exec_module(s)\n"
        "from setuptools import Extension, setup\n"
        "setup(name='twin', ext_modules=[Extension('twin', ['twin.c', 'half.c'])],"
        " cmdclass={'build_ext': s.ParallelBuildExt}, script_args=['-q', 'build_ext', '--inplace'])\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path), str(ROOT / "setup.py")], cwd=tmp_path, check=True)
    done = subprocess.run(
        [sys.executable, "-c", "import twin; print(twin.half(84))"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.stdout.strip() == "42", done.stderr
