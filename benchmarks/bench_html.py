"""HTML parsers on real-sized government pages: selectolax (lexbor) against lxml (libxml2).

Generates pages of 5-200 KB in the shape of a 信息公开 page (head with metas, styles and scripts, menus,
breadcrumb, a header table of th/td cells, the body in <p> tags, a footer), then times for each parser
the parse alone and the parse plus one walk over the tree that emits the text with a line break at
every block element (the work an extractor has to do whatever it does with the text), then
``rectify_parse.html.extract`` (selectolax) end to end and its share of a whole ``rectify_parse.parse``.
It first checks both parsers on pages that break parsers (deep nesting, an XML declaration, an empty
document, a cell left open). Best of several runs; the machine is shared, so compare figures from one
run. Needs lxml, which rectify_parse does not (``pip install lxml``). Run: ``python benchmarks/bench_html.py``.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator

import lxml.html
from bench_parse import best_of
from lxml import etree
from selectolax.lexbor import LexborHTMLParser, LexborNode

import rectify_parse
from rectify_parse.html import extract

SIZES_KB = (5, 20, 50, 100, 200)
BLOCKS = frozenset(
    """address article aside blockquote body dd div dl dt fieldset figure footer form h1 h2 h3 h4 h5 h6 header
    hr li main nav ol p pre section table tbody td th thead tr ul""".split()  # noqa: SIM905
)
SKIP = frozenset({"script", "style", "noscript", "template", "head"})

_WORDS = "整改 落实 巡察 反馈 问题 制度 建设 工作 推进 加强 完善 监督 管理 责任 考核 服务 群众 政策 学习 会议".split()  # noqa: SIM905


def _sentence(rng: random.Random) -> str:
    return "".join(rng.choice(_WORDS) for _ in range(rng.randrange(8, 30))) + "。"


def make_page(kb: int, seed: int = 1) -> str:
    """An invented 信息公开 page of about ``kb`` kilobytes (UTF-8)."""
    rng = random.Random(seed)
    menu = "".join(f'<li><a href="/col{i}/">栏目{i}</a></li>' for i in range(24))
    script = "<script>var cfg={" + ",".join(f'"k{i}":{i}' for i in range(60)) + "};</script>"
    style = "<style>" + "".join(f".c{i}{{margin:{i}px;color:#{i:03d}}}" for i in range(60)) + "</style>"
    head = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于巡察整改情况的报告_某某县人民政府</title>'
        + style
        + script
        + "</head>"
    )
    top = (
        f'<body><div class="top"><ul class="nav">{menu}</ul></div>'
        '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a>政务公开</a></div>'
        '<table class="xxgk"><tr><th>索引号</th><td>000014349/2021-01096</td><th>主题分类</th><td>其他</td></tr>'
        "<tr><th>发布机构</th><td>某某县政务服务局</td><th>文号</th><td></td></tr></table>"
        '<h1>关于巡察整改情况的报告</h1><div class="content">'
    )
    foot = f'</div><div class="footer"><p>主办单位：某某县人民政府办公室</p>{script}</div></body></html>'
    parts = [head, top]
    size = len((head + top + foot).encode())
    while size < kb * 1024:
        para = f'<p style="text-indent:2em">{_sentence(rng)}{_sentence(rng)}</p>'
        if rng.random() < 0.1:
            para += f'<!-- {_sentence(rng)} --><div class="share">{menu[:200]}</div>'
        parts.append(para)
        size += len(para.encode())
    parts.append(foot)
    return "".join(parts)


def _lexbor_events(root: LexborNode) -> Iterator[tuple[int, LexborNode]]:
    """(+1, node) on entering, (-1, node) on leaving, (0, node) for text: an iterative walk, no recursion."""
    node: LexborNode | None = root
    while node is not None:
        tag = node.tag
        if tag == "-text":
            yield 0, node
        elif tag is not None and not tag.startswith(("-", "_")) and tag not in SKIP:
            yield 1, node
            child = node.first_child
            if child is not None:
                node = child
                continue
            yield -1, node
        while node is not None and node is not root and node.next is None:
            node = node.parent
            if node is not None:
                yield -1, node
        if node is None or node is root:
            return
        node = node.next


def selectolax_text(page: str) -> str:
    tree = LexborHTMLParser(page)
    out: list[str] = []
    for kind, node in _lexbor_events(tree.root or tree.body):  # type: ignore[arg-type]
        if kind == 0:
            out.append(node.text_content or "")
        elif node.tag in BLOCKS:
            out.append("\n")
    return "".join(out)


def lxml_text(page: str) -> str:
    root = lxml.html.document_fromstring(page)
    out: list[str] = []
    skip = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if skip or tag in SKIP or not tag:
                skip += 1
                continue
            if tag in BLOCKS:
                out.append("\n")
            if el.text:
                out.append(el.text)
        else:
            if skip:
                skip -= 1
            elif tag in BLOCKS:
                out.append("\n")
            if not skip and el.tail:
                out.append(el.tail)
    return "".join(out)


# Pages a scraper meets that a parser must survive: (name, page, text that must come out).
_ODD_PAGES = [
    ("300 nested <div>", "<div>" * 300 + "深" + "</div>" * 300, "深"),
    ("XML declaration", '<?xml version="1.0" encoding="gbk"?><html><body><p>正文</p></body></html>', "正文"),
    ("empty document", "", ""),
    ("<p> inside a table cell left open", "<table><tr><td>甲<p>乙</td><td>丙</td></tr></table>", "甲乙丙"),
]


def _survives(parse_text: Callable[[str], str], page: str, want: str) -> str:
    try:
        got = "".join(parse_text(page).split())
    except Exception as exc:
        return f"raises {type(exc).__name__}"
    return "ok" if got == want else f"gives {got[:20]!r}"


def _table(header: list[str], rows: list[tuple[str, list[str]]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for name, cells in rows:
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()


def _timed(kb: int, runs: list[Callable[[], object]]) -> list[float]:
    """Best time of each run on the page of ``kb`` KB, repeated more on small pages."""
    return [best_of(max(5, 400 // kb), run) for run in runs]


def main() -> None:
    odd = [
        (name, [_survives(selectolax_text, page, want), _survives(lxml_text, page, want)])
        for name, page, want in _ODD_PAGES
    ]
    _table(["odd page", "selectolax", "lxml"], odd)
    parsers: list[tuple[str, list[str]]] = []
    shares: list[tuple[str, list[str]]] = []
    for kb in SIZES_KB:
        page = make_page(kb)
        size = len(page.encode())
        calls: list[Callable[[str], object]] = [
            LexborHTMLParser,
            lxml.html.document_fromstring,
            selectolax_text,
            lxml_text,
            extract,
        ]
        times = _timed(kb, [functools.partial(call, page) for call in calls])
        parsers.append((f"{size / 1024:.0f} KB", [f"{t * 1000:.2f} ms ({size / t / 1e6:.0f} MB/s)" for t in times]))
        text = extract(page)
        steps = ((rectify_parse.parse, page), (extract, page), (rectify_parse.parse, text))
        times = _timed(kb, [functools.partial(call, arg) for call, arg in steps])
        shares.append((f"{size / 1024:.0f} KB", [f"{t * 1000:.1f} ms" for t in times]))
    _table(
        ["page", "selectolax parse", "lxml parse", "selectolax parse + walk", "lxml parse + walk", "extract()"], parsers
    )
    _table(["page", "rectify_parse.parse(page)", "of which extract()", "parse of the extracted text"], shares)


if __name__ == "__main__":
    main()
