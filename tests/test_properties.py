"""Property-based tests: invariants that hold for any input."""

from __future__ import annotations

import itertools
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rectify_parse
from rectify_parse.diff import apply_variants, variants
from rectify_parse.normalize import fold, make_view, one_line
from rectify_parse.patterns import parse_date


def assert_spans_consistent(notice: rectify_parse.Notice, source: str) -> None:
    """Every span in the record points at the text the record claims came from there: a value is that text,
    the listed cleaning applied, read as one line (``one_line``); a section's text keeps its lines."""

    cleaned = sorted(notice.cleaned, key=lambda c: c.span)

    def at(span: tuple[int, int] | None) -> str:
        """The value at ``span``: the source text there, the record's listed cleaning applied, as one line."""
        return one_line(written(span))

    def written(span: tuple[int, int] | None) -> str:
        """The source text at ``span`` with the record's listed cleaning applied."""
        assert span is not None
        s, e = span
        assert 0 <= s <= e <= len(source), (span, len(source))
        pieces, pos = [], s
        for c in cleaned:
            if c.span[0] >= s and c.span[1] <= e:
                pieces += [source[pos : c.span[0]], c.replacement]
                pos = c.span[1]
        return "".join([*pieces, source[pos:e]])

    header = notice.header
    for key, span in header.spans.items():
        if key in header.extra:
            assert at(span) == header.extra[key]
        else:
            assert at(span) == header.raw[key]
            value = getattr(header, key)
            if key in ("date_written", "date_published"):
                assert value is None or parse_date(fold(at(span)))[0] == value
            else:
                assert value == at(span)
    if notice.title is not None:
        assert at(notice.title_span) == notice.title
    if notice.addressee is not None:
        assert at(notice.addressee_span) == notice.addressee

    def walk(sections: list[rectify_parse.Section]) -> None:
        for section in sections:
            assert at(section.heading_span) == section.heading
            assert written(section.span).startswith(section.marker)
            assert section.text in written(section.span)  # as written, its line breaks kept
            assert section.span[0] <= section.heading_span[0] <= section.heading_span[1] <= section.span[1]
            walk(section.children)

    # The first document, then every further one on the page, parsed alike.
    for document in [notice, *notice.segments]:
        walk(document.sections)
        for problem in document.problems:
            assert at(problem.title_span) == problem.title
            if problem.status is not None:
                assert at(problem.status_span) == problem.status
            assert [at(s) for s in problem.measure_spans] == problem.measures
            assert {k: at(s) for k, s in problem.field_spans.items()} == problem.fields
            assert problem.span[0] <= problem.title_span[0] and problem.title_span[1] <= problem.span[1]
        assert [at(s) for s in document.attachment_spans] == document.attachments
        closing = document.closing
        for key in ("signature", "contact_phone"):
            if getattr(closing, key) is not None:
                assert at(closing.spans[key]) == getattr(closing, key)
        if closing.date is not None:
            assert parse_date(fold(at(closing.spans["date"])))[0] == closing.date
    for segment in notice.segments:
        if segment.title is not None:
            assert at(segment.title_span) == segment.title
        assert written(segment.span).startswith(segment.text.split("\n")[0])
    for item in notice.boilerplate:
        assert source[item.span[0] : item.span[1]] == item.text
    for c in notice.cleaned:
        assert source[c.span[0] : c.span[1]] == c.text
    for variant in notice.duplicates.variants:  # differences between the raw copies: nothing cleaned
        assert source[variant.canonical_span[0] : variant.canonical_span[1]] == variant.before
        assert source[variant.copy_span[0] : variant.copy_span[1]] == variant.after
    for copy in notice.duplicates.copies:
        written(copy.span)
    for warning in notice.warnings:
        if warning.span is not None:
            written(warning.span)


# Building blocks of notice-like text, so generated inputs reach the parser's deeper paths.
_PIECES = [
    "一、",
    "二、",
    "（一）",
    "(二)",
    "1.",
    "2、",
    "（1）",
    "①",
    "一是",
    "二是",
    "整改进度：",
    "整改情况：",
    "完成情况:已完成。",
    "责任单位：",
    "问题：",
    "索 引 号 | ",
    "主题分类：",
    "发布机构:",
    "成文日期：2023年3月2日",
    "文号：",
    "存在的主要问题：",
    "二、审计查出的主要问题及整改情况",
    "关于",
    "问题的整改情况",
    "方面存在的问题",
    "主要表现在：",
    "以上问题均已完成整改。",
    "第2项问题已整改到位。",
    "序号 | 问题 | 整改措施 | 完成情况 |",
    "整改任务：",
    "三、下一步工作打算",
    "問題",
    "已銷號",
    "|",
    "：",
    ":",
    "。",
    "，",
    "\n",
    "\n\n",
    "\r\n",
    "\u3000",
    "\u200b",
    " ",
    "附件：1.",
    "联系电话：0477-1234567",
    "当前位置：首页 > ",
    "打印本页 关闭窗口",
    "点击开始解析文章内容,总结生成摘要...",
    "二〇二三年三月二日",
    "2021-11-04",
    "关于加强管理的通知",
    "各单位：",
    "加强组织领导",
    "已完成并长期坚持",
    "正在整改",
    "共反馈3个方面8个问题",
    "目录",
    "下载地址: ",
    "（此件公开发布）",
    "1.5万元",
    "𠮷",
    "\x00",
    "\ufffd",
    "?",
    "<p>",
    "政(zheng)府(fu)",
]
notice_like = st.lists(st.sampled_from(_PIECES) | st.text(max_size=8), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400) | notice_like)
def test_any_text_parses_and_spans_hold(text: str) -> None:
    notice = rectify_parse.parse(text)
    # The text itself, unless it looks like an HTML page (then the text extracted from it).
    assert_spans_consistent(notice, rectify_parse.source_text(text))
    notice.to_dict()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | notice_like.map(lambda t: t.encode("gb18030", errors="ignore")))
def test_any_bytes_give_a_record_or_a_decode_error(raw: bytes) -> None:
    try:
        notice = rectify_parse.parse(raw)
    except rectify_parse.DecodeError as exc:
        assert "tried" in str(exc)
        return
    assert_spans_consistent(notice, rectify_parse.source_text(raw))


@given(st.text(max_size=300) | notice_like)
def test_matching_view_is_idempotent_and_maps_in_order(text: str) -> None:
    view = make_view(text)
    assert make_view(view.text).text == view.text
    assert fold(fold(text)) == fold(text)
    assert fold(view.text) == view.text  # stages compare view text without folding it again
    positions = [view.to_source(i) for i in range(len(view.text) + 1)]
    assert positions == sorted(set(positions))
    assert all(0 <= p <= len(text) for p in positions)
    assert positions[-1] == len(text)
    replaced = {e.start: e.replacement for e in view.edits}
    for i, ch in enumerate(view.text):
        assert replaced.get(positions[i], fold(text[positions[i]])) == ch


_WORDS = [
    "加强",
    "提高",
    "增强",
    "管理",
    "整改",
    "落实",
    "及时",
    "按时",
    "全面",
    "全力",
    "工作",
    "制度",
    "进一步",
    "问题",
    "督查",
    "意识",
    "学习",
    "，",
    "。",
    ",",
    ".",
    "：",
    ":",
    " ",
    "\u3000",
    "\n",
    "（一）",
    "(一)",
]
texts = st.lists(st.sampled_from(_WORDS), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_variants_rebuild_the_other_copy(a: str, b: str) -> None:
    found = variants(a, b, copy=1)
    assert apply_variants(a, found) == b
    spans = [v.canonical_span for v in found]
    assert spans == sorted(spans)
    assert all(s1[1] <= s2[0] for s1, s2 in itertools.pairwise(spans))
    for v in found:
        assert v.before != v.after
        assert v.kind in ("wording", "punctuation", "whitespace")


@settings(max_examples=100, deadline=None)
@given(texts, st.sampled_from(_WORDS), st.sampled_from(_WORDS))
def test_width_and_spacing_only_changes_are_never_wording(a: str, w1: str, w2: str) -> None:
    b = a.replace("，", ",").replace("：", ":").replace("\u3000", " ")
    assert all(v.kind != "wording" for v in variants(a, b, copy=1))


_SENTENCES = [
    "按照区委巡察工作的统一部署，巡察组对局机关开展了专项巡察。",
    "整改进度：已完成，并长期坚持。",
    "整改情况：一是加强学习教育，提高思想认识。二是完善制度，堵塞管理漏洞。",
    "1.学习贯彻不深入。对上级决策部署学习不及时。",
    "2.制度执行不严格。部分科室未按规定报送材料。",
    "（一）关于学习贯彻方面",
    "一、整改工作开展情况",
    "欢迎广大干部群众对整改落实情况进行监督。联系电话：0477-8575333。",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_SENTENCES), min_size=4, max_size=12, unique=True), st.data())
def test_body_pasted_twice_with_one_word_changed(lines: list[str], data: st.DataObject) -> None:
    body = "\n".join(lines)
    word = data.draw(st.sampled_from(["加强", "及时", "完善", "学习"]))
    if word not in body:
        return
    changed = body.replace(word, "强化", 1)
    page = body + "\n" + changed + "\n"
    notice = rectify_parse.parse(page)
    assert len(notice.duplicates.copies) == 2
    wording = [v for v in notice.duplicates.variants if v.kind == "wording"]
    assert len(wording) == 1 and "强化" in wording[0].after
    assert_spans_consistent(notice, page)
    copy = notice.duplicates.copies[1]
    canon = notice.duplicates.copies[0]
    rebuilt = apply_variants(page[canon.span[0] : canon.span[1]], notice.duplicates.variants, a_offset=canon.span[0])
    assert rebuilt == page[copy.span[0] : copy.span[1]]


def test_parse_is_stateless() -> None:
    first = rectify_parse.parse("关于某事的通知\n一、要求\n请遵照执行。").to_dict()
    rectify_parse.parse("完全不同的页面\n" * 50)
    assert rectify_parse.parse("关于某事的通知\n一、要求\n请遵照执行。").to_dict() == first


_LINE = st.lists(st.sampled_from(_PIECES + _SENTENCES), min_size=1, max_size=8).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, min_size=2, max_size=15), st.data())
def test_pasted_copies_of_any_body_keep_spans_and_rebuild(lines: list[str], data: st.DataObject) -> None:
    other = list(lines)
    other[data.draw(st.integers(0, len(other) - 1))] = data.draw(_LINE)
    page = "\n".join(["\n".join(lines)] + ["\n".join(other)] * data.draw(st.integers(1, 2)))
    notice = rectify_parse.parse(page, format="text")  # its <p> pieces could make it look like a page
    assert_spans_consistent(notice, page)
    copies = notice.duplicates.copies
    canon = next((c for c in copies if c.canonical), None)
    for index, copy in enumerate(copies):
        if canon is None or copy.canonical or not copy.complete:
            continue
        found = [v for v in notice.duplicates.variants if v.copy == index]
        rebuilt = apply_variants(page[canon.span[0] : canon.span[1]], found, a_offset=canon.span[0])
        assert rebuilt == page[copy.span[0] : copy.span[1]]


@given(st.lists(st.text().map(lambda s: s.replace("\n", "")), max_size=12))
def test_repeat_keys_in_one_pass_equal_keys_line_by_line(lines: list[str]) -> None:
    from rectify_parse.repeats import line_key, line_keys

    assert line_keys(lines) == [line_key(line) for line in lines]


@given(st.one_of(st.text(), st.text(st.characters(max_codepoint=0xFFFF)), st.text("_a一。\n ١²Ⅻ\u0301\ud800")))
def test_a_key_is_the_text_without_what_non_word_matches(text: str) -> None:
    from rectify_parse.repeats import line_key

    assert line_key(text) == re.sub(r"[\W_]+", "", text)


@given(st.text())
def test_character_classes_count_what_the_classes_hold(text: str) -> None:
    from rectify_parse.quality import count_classes

    counts = count_classes(text)
    han = sum(
        1
        for ch in text
        if "\u3400" <= ch <= "\u4dbf"
        or "\u4e00" <= ch <= "\u9fff"
        or "\uf900" <= ch <= "\ufaff"
        or "\U00020000" <= ch <= "\U0003134f"
    )
    assert counts.han == han
    assert counts.visible == len(text) - sum(text.count(ch) for ch in " \t\r\n\u3000\xa0")
    assert 0 <= counts.common <= counts.han


@given(st.text())
def test_matching_text_folds_after_the_key_as_before_it(text: str) -> None:
    from rectify_parse.repeats import line_key

    assert fold(line_key(text)) == line_key(fold(text))


_INLINE_PIECES = ["一、", "(二)", "(3)", "1.", "第二章", "。", " ", "\t", ";", ":", "中", "\n", "12、"]


@given(st.lists(st.sampled_from(_INLINE_PIECES), max_size=12).map("".join), st.data())
def test_a_candidate_after_a_stop_is_what_the_lookbehind_defines(text: str, data: st.DataObject) -> None:
    import regex

    from rectify_parse.layout import _INLINE_CANDIDATE, _after_stop

    definition = regex.compile(r"(?<=[。;；:：!！?？][ \t]{0,3})(?:" + _INLINE_CANDIDATE.pattern + ")")
    pos = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(pos, len(text)))
    m = definition.search(text, pos, end)
    assert _after_stop(text, pos, end) == (None if m is None else (m.start(), m.end()))


_FIELD_PIECES = ["整改情况", "完成情况", "整改完成情况", "责任人", "整改责任人", " ", "\t", "：", ":", "。", "\n", "改"]


@given(st.lists(st.sampled_from(_FIELD_PIECES), max_size=14).map("".join))
def test_problem_fields_are_labels_at_a_line_start_or_after_a_sentence_end(chunk: str) -> None:
    import regex

    from rectify_parse.patterns import PROBLEM_LABELS
    from rectify_parse.problems import problem_fields

    # The definition problem_fields implements: a label at a line start or after a sentence end.
    definition = regex.compile(
        r"(?:(?<=^|[\n。;；!！?？])[ \t]{0,8})(?P<label>" + "|".join(PROBLEM_LABELS) + r")[ \t]{0,8}[:：]"
    )
    expected = [(m.start(), m.end(), m["label"]) for m in definition.finditer(chunk)]
    assert problem_fields(chunk) == expected


@given(st.text(st.sampled_from("\n \t\u3000\xa0\r\x0b\u2028a一。")))
def test_lines_without_spaces_drops_every_space_but_newlines(joined: str) -> None:
    from rectify_parse.structure import lines_without_spaces

    assert lines_without_spaces(joined) == [re.sub(r"\s+", "", line) for line in joined.split("\n")]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([*_PIECES, "整", "a"]), max_size=30).map("".join), st.integers(1, 120))
def test_max_chars_refuses_exactly_the_inputs_longer_than_it(text: str, limit: int) -> None:
    try:
        rectify_parse.parse(text, max_chars=limit)
    except rectify_parse.InputTooLargeError as exc:
        assert len(text) > limit
        assert f"input has {len(text)} characters; the limit is {limit}" in str(exc)
    else:
        assert len(text) <= limit
