"""``rectify-parse report``: the page holds the right numbers and texts, escapes everything and stays capped."""

from __future__ import annotations

import copy
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES
from outputs import REPORT_FIXTURES, batch_output, read_lines, write_lines
from rectify_parse.cli import main
from rectify_parse.errors import ConfigError, InputRecordError
from rectify_parse.report import locate, write_report

COPY = str(REPORT_FIXTURES / "copy_variant.txt")


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    inputs = (REPORT_FIXTURES, FIXTURES / "corpus", FIXTURES / "pages", FIXTURES / "repeats")
    return batch_output(tmp / "out.jsonl", *inputs)


def panes(page: str) -> list[tuple[str, str]]:
    """The texts of every side-by-side pair, as a reader sees them (tags dropped, entities decoded)."""
    texts = [
        html.unescape(re.sub(r"<[^>]+>", "", t)) for t in re.findall(r'<pre class="text"[^>]*>(.*?)</pre>', page, re.S)
    ]
    return list(zip(texts[::2], texts[1::2], strict=True))


def marks(page: str, kind: str) -> list[str]:
    return re.findall(rf'<mark class="v v-{kind}" id="p\d+[ab]\d+"[^>]*>([^<]*)</mark>', page)


def totals(page: str) -> dict[str, str]:
    return {k: v for v, k in re.findall(r'<div class="total"><b>([^<]*)</b><span>([^<]*)</span>', page)}


def test_totals_and_problem_counts_match_the_output(output: Path, tmp_path: Path) -> None:
    lines = read_lines(output)
    stats = write_report(output, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    problems = [p for line in lines for p in line["record"]["problems"]]
    got = totals(page)
    assert got["notices"] == str(len(lines)) == str(stats.notices)
    assert got["problems"] == str(len(problems)) and got["errors"] == "0"
    assert got["pages with copies"] == str(sum(len(x["record"]["duplicates"]["copies"]) > 1 for x in lines))
    assert got["near-duplicate groups"] == str(len({x["group"] for x in lines if x["group"] is not None}))
    status = dict(
        re.findall(r'<tr><th scope="row">(\w+)</th><td class="num">([\d,]+)</td><td class="bar"><span class="s-', page)
    )
    assert status["completed"] == str(sum(p["status_kind"] == "completed" for p in problems))
    assert re.search(
        r'<th scope="row">榆岭县市场监督管理局</th><td class="num">4</td><td class="num">2</td>'
        r'<td class="num">1</td><td class="num">1</td><td class="num">0</td>',
        page,
    )
    assert page.count("<script>") == 1 and "http" not in page  # self-contained: no external resource


def test_a_pages_copies_side_by_side_with_the_variants_marked(output: Path, tmp_path: Path) -> None:
    write_report(output, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    record = next(x["record"] for x in read_lines(output) if x["id"] == COPY)
    source = (REPORT_FIXTURES / "copy_variant.txt").read_text(encoding="utf-8")
    a, b = next(p for p in panes(page) if "增强学习考核" in p[0])
    assert a == record["text"]
    assert b == source.__getitem__(slice(*record["duplicates"]["copies"][1]["span"]))  # the copy, rebuilt exactly
    pair = re.search(r'二是<mark class="v v-wording" id="p(\d+)a0" data-v="0">增强</mark>学习考核', page)
    assert pair is not None
    assert f'二是<mark class="v v-wording" id="p{pair[1]}b0" data-v="0">提高</mark>学习考核' in page
    assert f'专题调研<mark class="v v-punctuation" id="p{pair[1]}b1" data-v="1">,</mark>二是' in page
    # A page whose clean text trims the copy's indentation: the variant is still placed at its place.
    assert re.search(r'各培训机构要<mark class="v v-wording" id="p\d+a0" data-v="0">认真</mark>组织自查', page)
    assert "not placed" not in page


def test_a_copy_that_stops_early_is_shown_to_its_end(output: Path, tmp_path: Path) -> None:
    write_report(output, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    name = FIXTURES / "repeats" / "thrice_truncated.txt"
    record = next(x["record"] for x in read_lines(output) if x["id"] == str(name))
    source = name.read_text(encoding="utf-8")
    third = source.__getitem__(slice(*record["duplicates"]["copies"][2]["span"]))
    pairs = [p for p in panes(page) if p[0] == record["text"]]
    assert len(pairs) == 2 and pairs[0][1] == record["text"]  # the second copy is the same text
    assert pairs[1][1].endswith(third) and len(pairs[1][1]) < len(record["text"])
    assert "This copy stops early" in page


def test_a_groups_members_side_by_side_with_their_differences_marked(output: Path, tmp_path: Path) -> None:
    write_report(output, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    a, b = next(p for p in panes(page) if "梧川市水务局" in p[0])
    assert "确保每座水库" in a and "保证每座水库" in b
    group = re.search(r'<details class="detail" id="group\d+" data-search="[^"]*site_a\.txt.*?</details>', page, re.S)
    assert group is not None and marks(group[0], "wording") == ["确保", "保证"]


def test_compact_lines_place_variants_by_their_context(tmp_path: Path) -> None:
    out = batch_output(tmp_path / "c.jsonl", REPORT_FIXTURES, options=("--compact",))
    write_report(out, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert marks(page, "wording")[:2] == ["增强", "提高"] and "not placed" not in page


def test_fields_lines_give_a_report_that_says_what_is_missing(tmp_path: Path) -> None:
    out = batch_output(tmp_path / "f.jsonl", REPORT_FIXTURES, options=("--dedup", "--fields", "title,problems"))
    write_report(out, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert totals(page)["problems"] == "4"
    assert "Some lines lack record fields (duplicates, header, text, warnings)" in page
    assert "The texts are not in this output" in page and "No page holds copies." in page


def test_scraped_markup_is_escaped(output: Path, tmp_path: Path) -> None:
    line = next(x for x in read_lines(output) if x["id"] == COPY)
    hostile = copy.deepcopy(line)
    hostile["id"] = '"><img src=x onerror="window.__pwned=2">'
    hostile["record"]["title"] = "<script>window.__pwned=1</script>"
    hostile["record"]["header"]["publisher"] = "<b>局</b>"
    hostile["record"]["text"] = hostile["record"]["text"].replace("增强", "增强</pre><script>x</script>")
    write_report(
        write_lines(tmp_path / "o.jsonl", [hostile, {"id": "<e>", "error": {"type": "<T>", "message": "<m>"}}]),
        tmp_path / "r.html",
    )
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count("<script") == 1 and "<img" not in page and "<b>局" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page and "&lt;b&gt;局&lt;/b&gt;" in page
    assert "&lt;e&gt;</code> &lt;T&gt;: &lt;m&gt;" in page


def test_detail_sections_are_capped_and_say_how_many_were_left_out(output: Path, tmp_path: Path) -> None:
    lines = read_lines(output)
    line = next(x for x in lines if x["id"] == COPY)
    many = [
        {
            **copy.deepcopy(line),
            "id": f"page-{i}",
            "group": i // 4,
            "near_duplicate_of": None if i % 4 == 0 else f"page-{i - i % 4}",
        }
        for i in range(40)
    ]
    stats = write_report(write_lines(tmp_path / "o.jsonl", many), tmp_path / "r.html", top=3, members=2)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert (stats.pages_shown, stats.pages_with_copies, stats.groups_shown, stats.groups) == (3, 40, 3, 10)
    assert "37 more pages with copies left out" in page and "7 more groups left out" in page
    assert page.count('class="pair"') == 3 + 3 * 2 and "1 more members not compared here." in page


def test_errors_and_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.jsonl").write_text('{"id": "a", "record": {}}\n[1]\n', encoding="utf-8")
    with pytest.raises(InputRecordError, match=r"bad\.jsonl line 2"):
        write_report(tmp_path / "bad.jsonl", tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()
    with pytest.raises(ConfigError, match="cannot read"):
        write_report(tmp_path / "none.jsonl", tmp_path / "r.html")
    assert main(["report", str(tmp_path / "bad.jsonl"), "-o", str(tmp_path / "r.html")]) == 1
    assert main(["report", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "r.html")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_odd_structures_in_a_line_do_not_break_the_report(tmp_path: Path) -> None:
    record = {
        "title": ["not", "text"],
        "header": {"publisher": ["a"]},
        "problems": [1, {"status_kind": ["x"]}],
        "segments": [3, {"problems": "none"}],
        "duplicates": {"copies": [1, {}, {"canonical": True}], "variants": [2, {"copy": 0, "before": None}]},
        "warnings": "none",
        "text": 5,
    }
    lines = [{"id": "odd", "record": record, "group": 0}, {"id": "odd2", "record": None, "group": True}]
    stats = write_report(write_lines(tmp_path / "o.jsonl", lines), tmp_path / "r.html")
    assert (stats.notices, stats.pages_with_copies, stats.groups) == (2, 1, 1)
    assert totals((tmp_path / "r.html").read_text(encoding="utf-8"))["problems"] == "1"
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert write_report(tmp_path / "empty.jsonl", tmp_path / "e.html").notices == 0
    assert "No page holds copies." in (tmp_path / "e.html").read_text(encoding="utf-8")


def test_cli_writes_the_page(output: Path, tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["report", str(output), "-o", str(tmp_path / "r.html"), "--top", "1"], out=out) == 0
    assert re.match(
        r".*r\.html: [\d.]+ MB, \d+ notices; side by side: 1 of \d+ pages with copies, 1 of \d+ groups", out.getvalue()
    )


@pytest.mark.parametrize(
    ("text", "variant", "base", "want"),
    [
        ("甲乙丙增强丁", {"before": "增强", "context": "甲乙丙增强丁", "canonical_span": [13, 15]}, 10, 3),
        # the clean text lost two characters before the copy: the context still finds it
        ("乙丙增强丁", {"before": "增强", "context": "甲乙丙增强丁", "canonical_span": [13, 15]}, 10, 2),
        # an insertion (empty before) is placed by its context's halves
        ("一二三四五六", {"before": "", "context": "一二三四五六", "canonical_span": [3, 3]}, 0, 3),
        ("二三四五六", {"before": "", "context": "一二三四五六", "canonical_span": [3, 3]}, 0, 2),
        ("一二三", {"before": "七", "context": "六七八", "canonical_span": [1, 2]}, 0, None),
    ],
)
def test_locate(text: str, variant: dict[str, Any], base: int, want: int | None) -> None:
    assert locate(text, variant, base, base) == want


def test_seed_copy_variant_is_marked(seed_path: Path, tmp_path: Path) -> None:
    out = batch_output(tmp_path / "s.jsonl", seed_path.parent)
    write_report(out, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert marks(page, "wording") == ["增强", "提高"]
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["record"]["duplicates"]["variants"]


def publisher_rows(page: str) -> dict[str, tuple[str, str]]:
    """Publisher → (problems, read from) as the page shows them."""
    table = page.split('id="publishers"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r'<th scope="row">([^<]*)</th><td class="num">([\d,]+)</td>.*?<td class="from">([^<]*)</td>', table
    )
    return {html.unescape(name): (n, html.unescape(via)) for name, n, via in rows}


def test_publishers_fall_back_to_the_issuer_signature_and_source_and_say_which(tmp_path: Path) -> None:
    line = read_lines(batch_output(tmp_path / "o.jsonl", REPORT_FIXTURES / "copy_variant.txt", options=()))[0]

    def variant(name: str, header: dict[str, Any], signature: str | None) -> dict[str, Any]:
        out = copy.deepcopy(line)
        out["id"] = name
        out["record"]["header"].update({"publisher": None, "issuer": None, "source": None, **header})
        out["record"]["closing"]["signature"] = signature
        return out

    lines = [
        variant("a", {"publisher": "甲县审计局", "source": "甲县政府网"}, "乙县审计局"),
        variant("b", {"issuer": "丙县人民政府", "source": "丙县日报"}, "丙县办公室"),
        variant("c", {"source": "本站"}, " 甲县审计局 "),  # the signature before the source, trimmed
        variant("d", {"source": "丁县日报"}, None),
        variant("e", {}, None),
        variant("f", {"source": "  "}, ""),  # blank values are not publishers
    ]
    write_report(write_lines(tmp_path / "all.jsonl", lines), tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert publisher_rows(page) == {
        "甲县审计局": ("8", "header.publisher 4, closing.signature 4"),
        "(no publisher)": ("8", ""),
        "丙县人民政府": ("4", "header.issuer"),
        "丁县日报": ("4", "header.source"),
    }
    assert "<th>read from</th>" in page and "else the body that signed it (closing.signature)" in page


def test_template_siblings_are_shown_apart_from_copies_and_mirrors_by_their_script(tmp_path: Path) -> None:
    import opencc

    s2 = (FIXTURES / "corpus" / "s2.txt").read_text(encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    other = s2.replace("松禾县", "白沙县").replace("2024", "2023").replace("二〇二四", "二〇二三")
    pages = {"s2": s2, "s2_mirror": opencc.OpenCC("s2t").convert(s2.replace("广泛开展", "深入开展")), "other": other}
    for name, text in pages.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(folder), "--dedup", "-o", str(out), "--workers", "1", "--quiet"]) == 0
    write_report(out, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    siblings = page[page.index('<section id="siblings">') :]
    groups = page[page.index('<section id="groups">') : page.index('<section id="siblings">')]
    # The other county's notice is listed as a sibling with the fields that differ, in no group.
    assert "doc_number, title, signature, date" in siblings and "other.txt" not in groups
    # The mirror is compared script-blind: one wording variant, and a note on its script.
    assert "written in traditional characters" in groups
    assert marks(groups, "wording") == ["广泛开展", "深入開展"] and marks(groups, "punctuation") == []
