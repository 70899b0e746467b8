"""The build: the parser's modules compiled by mypyc (setup.py) where a C compiler is there."""

from __future__ import annotations

import ast
import importlib
import os
import shutil
import subprocess
import sys
import sysconfig

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
