"""Every document on a page is parsed: the plan or regulation a notice issues, and a second document."""

from __future__ import annotations

import rectify_parse
from rectify_parse.records import document_text

COVER = """关于印发《青松县{name}管理办法》的通知
各乡镇人民政府，县直有关单位：
现将《青松县{name}管理办法》印发给你们，请认真贯彻执行。
青松县人民政府
2024年3月1日
"""
RULES = {
    "森林防火": [
        "第一章 总则",
        "第一条 为加强森林防火工作，保护森林资源和人民群众生命财产安全，根据有关法律法规，制定本办法。",
        "第二条 本办法适用于本县行政区域内森林火灾的预防、扑救和火灾后的处置工作。",
        "第二章 火源管理",
        "第三条 森林防火期内，禁止在林区野外吸烟、烧荒、燃放孔明灯等一切野外用火行为。",
        "第四条 各乡镇应当在林区主要路口设立防火检查站，对进入林区的人员和车辆进行检查登记。",
    ],
    "农村集体资产": [
        "第一章 总则",
        "第一条 为规范农村集体资产管理，防止集体资产流失，维护集体经济组织成员合法权益，制定本办法。",
        "第二条 本办法所称农村集体资产，是指村集体经济组织所有的资源性、经营性和非经营性资产。",
        "第二章 资产清查",
        "第三条 村集体经济组织每年年底前应当对集体资产进行一次全面清查，建立健全资产台账。",
        "第四条 集体资产的出租、发包应当经村民代表会议讨论通过，并在村务公开栏公示。",
    ],
}


def page(name: str) -> str:
    return COVER.format(name=name) + f"青松县{name}管理办法\n" + "\n".join(RULES[name]) + "\n"


def test_an_issued_regulation_is_parsed_as_its_own_document() -> None:
    notice = rectify_parse.parse(page("森林防火"))
    assert notice.title == "关于印发《青松县森林防火管理办法》的通知"
    assert notice.closing.date == "2024-03-01"
    (segment,) = notice.segments
    assert (segment.kind, segment.title) == ("issued", "青松县森林防火管理办法")
    assert [s.heading for s in segment.sections] == ["总则", "火源管理"]
    assert [len(s.children) for s in segment.sections] == [2, 2]
    assert "第三条" in segment.text and "第三条" not in notice.text
    assert "second_document" in {w.code for w in notice.warnings}


def test_pages_issuing_different_regulations_are_not_near_duplicates() -> None:
    a, b = page("森林防火"), page("农村集体资产")
    assert rectify_parse.find_near_duplicates([("a", a), ("b", b)]) == []
    # The same page scraped twice still is.
    groups = rectify_parse.find_near_duplicates([("a", a), ("a2", a.replace("认真", "切实"))])
    assert [g.ids for g in groups] == [["a", "a2"]] or [g.ids for g in groups] == [["a2", "a"]]


def test_document_text_joins_every_document() -> None:
    notice = rectify_parse.parse(page("森林防火"))
    assert document_text(notice) == notice.text + "\n" + notice.segments[0].text
    assert document_text(notice.to_dict()) == document_text(notice)
