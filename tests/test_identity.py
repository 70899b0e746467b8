"""Same document or template sibling: traditional mirrors, other counties' and years' notices, rewrites."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import opencc
import pytest

import rectify_parse
from conftest import FIXTURES
from rectify_parse.cli import main
from rectify_parse.corpus import NearDuplicateFinder, Sketch, skeleton, sketch, words_changed
from rectify_parse.diff import word_boundaries
from rectify_parse.identity import Identity, differing, identity_of, merged
from rectify_parse.records import document_text

S2T = opencc.OpenCC("s2t")
S2 = (FIXTURES / "corpus" / "s2.txt").read_text(encoding="utf-8")
A1 = (FIXTURES / "corpus" / "a1.txt").read_text(encoding="utf-8")
SYNONYMS = {
    "开展": "进行",
    "加强": "强化",
    "问题": "情况",
    "整改": "改正",
    "落实": "执行",
    "检查": "查验",
    "及时": "按时",
}
SYNONYMS |= {"制度": "规章", "进一步": "更进一步", "完善": "健全", "要求": "需要", "工作": "事务", "确保": "保证"}
SYNONYMS |= {"组织": "安排", "推进": "促进", "单位": "机构", "情况": "状况", "全面": "全方位", "隐患": "风险"}


def sibling_place(text: str) -> str:
    return text.replace("松禾县", "白沙县")


def sibling_year(text: str) -> str:
    return text.replace("2024", "2023").replace("二〇二四", "二〇二三")


def headerless(text: str) -> str:
    """The page as a mirror that drops the breadcrumb and the header rows: title and body only."""
    lines = text.split("\n")
    return "\n".join(lines[lines.index(next(x for x in lines[4:] if x.endswith("通知"))) :])


def rewrite(text: str) -> str:
    """Near-synonyms swapped in for whole words, as a 词语替换 tool does."""
    out = []
    for line in text.split("\n"):
        bounds = word_boundaries(line)
        out.append("".join(SYNONYMS.get(line[s:e], line[s:e]) for s, e in itertools.pairwise(bounds)))
    return "\n".join(out)


def grouped(pages: dict[str, str]) -> tuple[list[list[str]], NearDuplicateFinder]:
    finder = NearDuplicateFinder()
    for doc_id, text in pages.items():
        notice = rectify_parse.parse(text)
        finder.add(doc_id, document_text(notice), identity_of(notice))
    return [g.ids for g in finder.groups()], finder


def test_the_issue_s_template_sibling_is_kept_apart_and_reported() -> None:
    """s2 and the same text for another county and year were one group at 0.9685."""
    groups, finder = grouped({"s2": S2, "other": sibling_year(sibling_place(S2))})
    assert groups == []
    [sibling] = finder.siblings
    assert {sibling.id, sibling.same_template_as} == {"other", "s2"}  # the longer body is the representative
    assert set(sibling.differs) == {"doc_number", "title", "signature", "date"}
    assert sibling.similarity > 0.9 and finder.split_groups == 1


@pytest.mark.parametrize(
    ("change", "differs"),
    [
        (sibling_place, {"title", "signature"}),
        (sibling_year, {"doc_number", "title", "date"}),
        (lambda t: t.replace("〕6号", "〕9号"), {"doc_number"}),
        (lambda t: S2T.convert(sibling_place(t)), {"title", "signature"}),
    ],
)
def test_siblings_that_differ_in_one_particular(change: object, differs: set[str]) -> None:
    assert callable(change)
    groups, finder = grouped({"s2": S2, "sibling": change(S2)})
    assert groups == [] and set(finder.siblings[0].differs) == differs


def test_mirrors_group_in_both_scripts_with_and_without_pinyin_and_header() -> None:
    traditional = S2T.convert(S2)
    pinyin = "".join(
        f"{ch}(xx)" if "\u4e00" <= ch <= "\u9fff" and k % 3 == 0 else ch for k, ch in enumerate(traditional)
    )
    pages = {"s2": S2, "trad": traditional, "trad_pinyin": pinyin, "trad_headerless": headerless(traditional)}
    groups, finder = grouped(pages)
    assert groups == [["s2", "trad", "trad_headerless", "trad_pinyin"]]
    assert finder.siblings == [] and finder.split_groups == 0
    [group] = rectify_parse.find_near_duplicates(list(pages.items()))
    assert group.similarity == 1.0 and group.variants == []  # no script difference is a variant
    assert group.scripts == ["simplified", "traditional", "traditional", "traditional"]


def test_a_headerless_mirror_is_judged_on_what_it_has() -> None:
    """Both counties' notices and a header-less traditional mirror of each: each mirror joins its own."""
    other = sibling_place(S2)
    pages = {"a": S2, "a_mirror": headerless(S2T.convert(S2)), "b": other, "b_mirror": headerless(S2T.convert(other))}
    groups, finder = grouped(pages)
    assert sorted(groups) == [["a", "a_mirror"], ["b", "b_mirror"]]
    assert {(s.id, s.same_template_as) for s in finder.siblings} <= {("b", "a"), ("b_mirror", "a"), ("a", "b")}
    assert finder.split_groups >= 1


def test_a_group_s_identity_grows_with_its_members() -> None:
    """A representative without a header (no doc number) does not let two documents in: the first
    member's number becomes the group's, and the other year's copy is kept out."""
    bare = headerless(S2).replace("2024年7月10日", "")  # no doc number, no date: nothing to disagree with
    pages = {"bare": bare + "\n" * 3, "with_number": S2, "other_year": S2.replace("〕6号", "〕7号")}
    groups, finder = grouped(pages)
    assert len(groups) == 1 and len(groups[0]) == 2 and [s.differs for s in finder.siblings] == [("doc_number",)]


def test_differing_fields() -> None:
    base = Identity("松体20246号", "松禾县体育局关于举办活动的通知", "松禾县体育局", "2024-07-10")
    assert differing(base, base) == ()
    assert differing(base, Identity(None, None, None, None)) == ()  # nothing to compare: the same, as far as known
    assert differing(base, base._replace(date="2024-07-12")) == ()  # a few days apart
    assert differing(base, base._replace(date="2024-07-20")) == ("date",)
    assert differing(base, base._replace(title="首页")) == ()  # unalike: a parse of a site's name, not evidence
    assert differing(base, base._replace(title="松禾县体育局关于举办活动的通知（修订）")) == ()  # an affix left
    assert differing(base, base._replace(title="白沙县体育局关于举办活动的通知")) == ("title",)
    assert differing(base, base._replace(title="白沙县体育局关于举办活动的通知"), rewritten=True) == ()
    assert merged(Identity(None, "t", None, None), base) == base._replace(title="t")


def test_identity_of_a_record_and_its_dict() -> None:
    notice = rectify_parse.parse(S2)
    expected = Identity(
        "松体20246号", "松禾县体育局关于举办2024年全民健身月系列活动的通知", "松禾县体育局", "2024-07-10"
    )
    assert identity_of(notice) == identity_of(notice.to_dict()) == expected
    assert identity_of(rectify_parse.parse(S2T.convert(S2))) == expected  # folded: script-blind
    assert identity_of({"title": "x"}) == Identity(None, "x", None, None)  # a --fields line


def test_synonym_rewrites_are_grouped_and_flagged() -> None:
    for source in (A1, *((FIXTURES / "corpus" / f"{n}.txt").read_text(encoding="utf-8") for n in ("b1", "t1"))):
        copy = rewrite(source)
        assert copy != source
        [group] = rectify_parse.find_near_duplicates([("source", source), ("copy", copy)])
        flagged = next(iter(group.rewritten.values()))
        assert set(group.rewritten) <= {"source", "copy"} and 0.08 <= flagged <= 0.5
    # The unrelated look-alikes of one template stay apart, rewritten or not.
    t1, t2 = ((FIXTURES / "corpus" / f"{n}.txt").read_text(encoding="utf-8") for n in ("t1", "t2"))
    assert rectify_parse.find_near_duplicates([("t1", t1), ("t2", rewrite(t2))]) == []


def test_a_copy_with_a_wording_edit_is_not_a_rewrite() -> None:
    [group] = rectify_parse.find_near_duplicates([("a", S2), ("b", S2.replace("广泛开展", "深入开展"))])
    assert group.rewritten == {}


def test_words_changed_and_skeleton() -> None:
    assert words_changed("加强制度建设", "加强制度建设") == 0.0
    assert 0.3 <= words_changed("加强制度建设", "强化规章建设") <= 0.7
    assert skeleton(A1) == skeleton(rewrite(A1)) == skeleton(S2T.convert(A1)) != b""
    assert skeleton(S2) != skeleton(sibling_year(S2))
    assert skeleton("一、总则\n第1条") == b""  # too few tokens to pair on


def test_a_sketch_carries_script_and_identity() -> None:
    notice = rectify_parse.parse(S2T.convert(S2))
    body = sketch(document_text(notice), identity_of(notice))
    assert isinstance(body, Sketch) and body.script == "traditional" and body.identity == identity_of(notice)


def test_batch_lines_say_why_a_notice_is_in_or_out(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    pages = {"s2": S2, "s2_trad": S2T.convert(S2), "other": sibling_year(sibling_place(S2)), "rewrite": rewrite(A1)}
    pages["a1"] = A1
    for name, text in pages.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    out, summary = tmp_path / "out.jsonl", tmp_path / "summary.json"
    for workers in ("1", "2"):
        args = ["batch", str(folder), "--dedup", "-o", str(out), "--summary", str(summary), "--workers", workers]
        assert main([*args, "--quiet"]) == 0
        lines = {Path(line["id"]).stem: line for line in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
        assert (lines["s2_trad"]["script"], lines["s2"]["script"]) == ("traditional", "simplified")
        # "other" (same length, smaller id) is the one kept: s2 is the sibling kept out of its group.
        assert lines["other"]["near_duplicate_of"] is None and lines["other"]["group"] is None
        differs = ["doc_number", "title", "signature", "date"]
        assert lines["s2"]["same_template_as"] == {"id": lines["other"]["id"], "differs": differs}
        # s2's mirror is as alike to "other" as s2 is: kept out too, and grouped with s2.
        assert lines["s2_trad"]["same_template_as"] == lines["s2"]["same_template_as"]
        assert lines["s2_trad"]["near_duplicate_of"] == lines["s2"]["id"]
        shares = [lines[n]["rewritten"] for n in ("a1", "rewrite")]
        assert lines["a1"]["group"] == lines["rewrite"]["group"] is not None and any(shares)
        data = json.loads(summary.read_text(encoding="utf-8"))
        assert (data["split_groups"], data["template_siblings"]) == (1, 2)
        assert sorted(g["scripts"] for g in data["groups"]) == [
            ["simplified", "simplified"],
            ["simplified", "traditional"],
        ]
