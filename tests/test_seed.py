"""The example notice from ../shared/seeds (skipped when that folder is absent)."""

from __future__ import annotations

from pathlib import Path

import rectify_parse
from test_properties import assert_spans_consistent


def test_seed_notice(seed_path: Path) -> None:
    raw = seed_path.read_bytes()
    notice = rectify_parse.parse(raw)
    source = rectify_parse.decode(raw)[0]
    h = notice.header
    assert (h.index_no, h.category, h.publisher, h.doc_number, h.date_written, h.validity) == (
        "000014349/2021-01096",
        "其他",
        "东胜区政务服务局",
        None,
        "2021-11-04",
        "正常",  # the second layout lacks it; the merged header keeps the first layout's value
    )
    assert notice.title is None
    assert [s.heading for s in notice.sections] == ["整改工作开展情况", "问题整改落实情况", "建立长效机制,巩固整改成果"]
    assert len(notice.sections[1].children) == 3
    assert [p.number for p in notice.problems] == list(range(1, 9))
    assert {p.status for p in notice.problems} == {"已完成,并长期坚持"}
    assert {p.status_kind for p in notice.problems} == {"completed"}
    assert [len(p.measures) for p in notice.problems] == [3, 3, 4, 3, 2, 3, 3, 3]
    assert notice.problems[0].aspect == "聚焦贯彻落实党的路线方针政策和党中央决策部署方面"
    assert notice.problems[7].title == "监督责任落实不到位"
    assert notice.closing.contact_phone == "0477-8575333"
    removed = [b for b in notice.boilerplate if b.rule == "ai_widget"]
    assert [b.text for b in removed] == [
        "点击开始解析文章内容,总结生成摘要...",
        "本内容提供均基于AI自动解读,与主办方无直接关联。",
    ]
    assert "AI自动解读" not in notice.text and "索 引 号" not in notice.text
    # The body is pasted twice; the copies differ in exactly one word.
    copies = notice.duplicates.copies
    assert [(c.complete, c.canonical) for c in copies] == [(True, True), (True, False)]
    assert [(v.kind, v.before, v.after) for v in notice.duplicates.variants] == [("wording", "增强", "提高")]
    assert notice.text.count("按照东胜区委巡察工作的统一部署") == 1
    assert not [w for w in notice.warnings if w.code in ("count_mismatch", "numbering_gap", "numbering_repeat")]
    assert_spans_consistent(notice, source)
