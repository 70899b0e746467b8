"""Script folding: OpenCC's character tables read traditional text as simplified, one character for one."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import opencc
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rectify_parse
from conftest import FIXTURES
from rectify_parse.diff import apply_variants, classify, variants
from rectify_parse.normalize import fold
from rectify_parse.script import (
    comparison_fold,
    fold_scripts,
    script_of,
    simplified_only,
    traditional_fold,
    traditional_only,
)

S2T = opencc.OpenCC("s2t")
PACKAGE = Path(rectify_parse.__file__).parent
HAN = "".join(sorted({*traditional_fold(), *comparison_fold(), *"关于整改情况的通知区县统一部署，。、"}))


def _literals(path: Path) -> Iterator[str]:
    """The string literals of a module, docstrings left out: the words its rules are written with."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


def test_the_rules_characters_are_never_folded_away() -> None:
    """A rule written with a character the fold changes could never match (the text it reads is folded):
    every Han character of the package's string literals that a fold changes is a traditional form a rule
    quotes on purpose (首頁 beside 首页), never a simplified word of a rule (乾, 於 and 覆 are both)."""
    used = {
        ch for path in PACKAGE.rglob("*.py") for text in _literals(path) for ch in text if "\u3400" <= ch <= "\u9fff"
    }
    changed = {ch for ch in used if ch in comparison_fold()}
    assert changed <= traditional_only(), sorted(changed - traditional_only())


def test_folds_cover_opencc_and_the_old_hand_kept_table() -> None:
    fold_table = traditional_fold()
    assert len(fold_table) > 3000
    # The characters the hand-kept table of the rules' traditional forms held, among others.
    for traditional, simplified in ("問问", "題题", "關关", "於于", "發发", "佈布", "區区", "後后", "乾干", "臺台"):
        assert fold_table[traditional] == simplified
    assert fold("關於印發《整改情況》的通知") == "关于印发《整改情况》的通知"
    # Comparisons also read the traditional forms OpenCC's phrases write for a simplified character.
    assert fold_scripts("反覆瞭解") == "反复了解"


@given(st.text(alphabet=st.sampled_from(HAN + "ab１２　\n"), max_size=60))
def test_folding_is_one_to_one_and_idempotent(text: str) -> None:
    for folding in (fold, fold_scripts):
        once = folding(text)
        assert len(once) == len(text) and folding(once) == once
    assert fold_scripts(fold(text)) == fold_scripts(fold(fold_scripts(text)))


def test_an_opencc_mirror_folds_back_onto_its_source() -> None:
    for path in sorted((FIXTURES / "corpus").glob("*.txt")):
        source = path.read_text(encoding="utf-8")
        mirror = S2T.convert(source)
        assert mirror != source and len(mirror) == len(source)
        assert fold_scripts(mirror) == fold_scripts(source), path.name


def test_script_of() -> None:
    text = (FIXTURES / "corpus" / "s2.txt").read_text(encoding="utf-8")
    assert script_of(text) == "simplified"
    assert script_of(S2T.convert(text)) == "traditional"
    assert script_of(text[:200] + S2T.convert(text[:200])) == "mixed"
    assert script_of("第1条 ABC") is None  # nothing tells the scripts apart
    assert not simplified_only() & traditional_only()


@pytest.mark.parametrize(("before", "after"), [("区", "區"), ("统一", "統一"), ("，区", ",區")])
def test_a_han_character_difference_is_never_punctuation(before: str, after: str) -> None:
    assert classify(before, after) == "wording"
    assert classify("，", ",") == "punctuation"


def test_script_blind_variants_are_only_the_real_ones() -> None:
    source = (FIXTURES / "corpus" / "s2.txt").read_text(encoding="utf-8")
    edited = source.replace("广泛开展", "深入开展")
    mirror = S2T.convert(edited)
    plain = variants(source, mirror, copy=1)
    assert len(plain) > 40 and not any(v.kind == "punctuation" for v in plain)
    assert apply_variants(source, plain) == mirror  # the copies' contract still holds
    found = variants(source, mirror, copy=1, script_blind=True)
    assert [(v.kind, v.before, v.after) for v in found] == [("wording", "广泛开展", "深入開展")]  # jieba's words
    assert mirror[found[0].copy_span[0] : found[0].copy_span[1]] == "深入開展"  # spans and texts as written


@pytest.mark.parametrize("name", ["layouts/heading_zhendui", "layouts/neg_suggestion_reply", "corpus/s2"])
def test_a_body_pasted_again_in_traditional_characters_is_a_copy(name: str) -> None:
    """Copies inside a page are found on the folded view: a mirror that pastes the body again converted
    (the hand-kept table of the rules' characters missed the first two) is one page with two copies."""
    source = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    alone = rectify_parse.parse(source)
    page = rectify_parse.parse(source + "\n" + S2T.convert(alone.text))
    assert len(page.duplicates.copies) == 2 and page.title == alone.title
    assert [(p.number, p.title) for p in page.problems] == [(p.number, p.title) for p in alone.problems]
    assert page.duplicates.variants and not any(v.kind == "punctuation" for v in page.duplicates.variants)
