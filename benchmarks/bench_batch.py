"""Benchmark ``rectify-parse batch`` on a synthetic corpus built from the fixtures.

    python benchmarks/bench_batch.py              # 20,000 notices
    python benchmarks/bench_batch.py --n 2000     # quicker
    python benchmarks/bench_batch.py --pages long # bodies nearer real size (3 K characters, not 1 K)
    python benchmarks/bench_batch.py --pages real # real scrapes' spread: 1 K to 30 K, median about 4 K
    python benchmarks/bench_batch.py --pages real --near-copies  # a third of the pages in groups of 3-20
    python benchmarks/bench_batch.py --compress gz # the corpus as corpus.jsonl.gz (also bz2, xz, zst)

The corpus (JSONL in a temporary directory) recombines sentences, headings and problem titles of every
fixture with random bureaus, places, numbers and dates (``random.Random(seed)``: the same corpus every
time), in five page layouts modelled on the fixtures (breadcrumbs, label/table/bullet/glued headers,
print/close and share footers, AI-widget lines). Planted on purpose:

* copies: some pages carry their body two or three times;
* near-duplicates: a known set of base notices, each republished once or twice in another layout with
  one word inserted or substituted (the planted groups); with ``--near-copies`` a third of the pages
  belong to groups of 3-20 such copies (aggregator sites republishing one notice many times).

Runs, each in a fresh process: 1 worker and 2 workers without ``--dedup``, 1 worker with it (with
``--near-copies``: 1 and 2 workers, each with and without it; ``--repeat N``: the fastest of N turns).
Printed: notices/s and MB/s, peak RSS (the batch process exactly, its workers by sampling), the ratio to
``jieba.lcut`` over the same texts (the best of three passes over a sample), the ``--dedup`` run's speed
as a share of the run without it, copies found against planted, and pairwise precision/recall of the
near-duplicate groups against the planted ones.
"""

from __future__ import annotations

import argparse
import bz2
import dataclasses
import gzip
import itertools
import json
import logging
import lzma
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NUMERALS = "一二三四五六七八九十"
PLACES = "临澜岚溪杉原澄清河阳安平宁远江华松柏青山长乐永定明德兴隆东湖西岭南浦北川"
BUREAUS = [
    "城市管理局",
    "应急管理局",
    "水利局",
    "林业局",
    "文化和旅游局",
    "农业农村局",
    "审计局",
    "交通运输局",
    "自然资源局",
    "生态环境局",
    "市场监督管理局",
    "卫生健康委员会",
    "教育局",
    "民政局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "财政局",
    "商务局",
    "统计局",
    "医疗保障局",
]
TOPICS = [
    "专项检查发现问题整改情况的报告",
    "巡察反馈问题整改情况的报告",
    "审计查出问题整改情况的公告",
    "开展安全隐患排查的通知",
    "做好重点工作的通知",
    "督查发现问题整改落实情况的通报",
]
WORD_SWAPS = [("全面", "全力"), ("加强", "强化"), ("及时", "按时"), ("认真", "切实"), ("进一步", "持续")]
INSERTS = ["进一步", "切实", "认真", "全面"]
SENTENCE = re.compile(r"(?<![\d.])[\u4e00-\u9fff][^。！？\n]{11,89}[。！？]")
HEADING = re.compile(r"^[一二三四五六七八九十]{1,3}、\s*([\u4e00-\u9fff].{3,23})$")
PROBLEM = re.compile(r"^\d{1,2}[.．、](?!\d)\s*(?:问题[:：]\s*)?([\u4e00-\u9fff][^。]{7,39})。")
DIGITS = re.compile(r"\d+")
FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"})

RUNS = [
    ("1 worker", ["--workers", "1"]),
    ("2 workers", ["--workers", "2"]),
    ("1 worker --dedup", ["--workers", "1", "--dedup"]),
]
NEAR_COPY_RUNS = [
    ("1 worker", ["--workers", "1"]),
    ("2 workers", ["--workers", "2"]),
    ("1 worker --dedup", ["--workers", "1", "--dedup"]),
    ("2 workers --dedup", ["--workers", "2", "--dedup"]),
]
TARGETS = {"ratio": 5.0, "ratio_dedup": 2.0, "dedup_share": 0.8, "rss_mb": 300.0, "pr": 0.99}
# --near-copies: the share of pages in planted groups, and the size range of a group.
NEAR_COPY_SHARE, NEAR_COPY_SIZES = 1 / 3, (3, 20)


@dataclass(frozen=True)
class Pool:
    """Text material taken from the fixtures."""

    sentences: list[str]
    headings: list[str]
    problems: list[str]


def load_pool() -> Pool:
    """Read the raw fixture pages (not parsed: the corpus must not change when the parser does)."""
    sentences: set[str] = set()
    headings: set[str] = set()
    problems: set[str] = set()
    for path in sorted(FIXTURES.rglob("*.txt")):
        raw = path.read_bytes()
        text = raw.decode("utf-8") if raw.isascii() or _is_utf8(raw) else raw.decode("gb18030")
        for line in text.splitlines():
            line = line.strip()
            if m := HEADING.match(line):
                headings.add(m.group(1).rstrip("。"))
            elif m := PROBLEM.match(line):
                problems.add(m.group(1))
            folded = line.translate(FULL_WIDTH)
            sentences.update(m.group(0) for m in SENTENCE.finditer(folded) if "：" not in m.group(0)[:6])
    return Pool(sorted(sentences), sorted(headings), sorted(problems))


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class Meta:
    org: str
    title: str
    doc_number: str
    index_no: str
    written: tuple[int, int, int]
    published: tuple[int, int, int]


def _renumber(rng: random.Random, text: str) -> str:
    return DIGITS.sub(lambda m: str(rng.randint(2, 980)) if len(m.group(0)) < 4 else m.group(0), text)


class _Draw:
    """Sentences and problem titles for one notice, none used twice (a repeated line would look like a copy)."""

    def __init__(self, rng: random.Random, pool: Pool, sentences: int, problems: int, headings: int) -> None:
        self._rng = rng
        self._sentences = rng.sample(pool.sentences, min(sentences, len(pool.sentences)))
        if sentences > len(pool.sentences):  # a body longer than the pool: more sentences, each of two halves
            self._sentences += _joined(rng, pool, sentences - len(pool.sentences), set(self._sentences))
            rng.shuffle(self._sentences)
        self._problems = rng.sample(pool.problems, problems)
        self._headings = rng.sample(pool.headings, headings)

    def sentences(self, k: int) -> str:
        return "".join(_renumber(self._rng, self._sentences.pop()) for _ in range(k))

    def problem(self) -> str:
        return _renumber(self._rng, self._problems.pop())

    def heading(self) -> str:
        return self._headings.pop()

    def left(self) -> int:
        """Sentences not used yet."""
        return len(self._sentences)


def _joined(rng: random.Random, pool: Pool, n: int, taken: set[str]) -> list[str]:
    """``n`` sentences not in ``taken``, each the head of one pool sentence (up to its first comma, or its
    first half) and the tail of another."""
    out: list[str] = []
    while len(out) < n:
        a, b = rng.sample(pool.sentences, 2)
        cut_a, cut_b = a.find("，"), b.find("，")
        joined = a[:cut_a] + b[cut_b:] if cut_a > 0 and cut_b > 0 else a[: len(a) // 2] + b[len(b) // 2 :]
        if joined not in taken:
            taken.add(joined)
            out.append(joined)
    return out


def make_meta(rng: random.Random) -> Meta:
    place = "".join(rng.sample(PLACES, 2)) + rng.choice("市县区")
    org = place + rng.choice(BUREAUS)
    year, month, day = rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 25)
    prefix = "".join(rng.sample(PLACES, 2))
    return Meta(
        org=org,
        title=f"{org}关于{rng.choice(TOPICS)}",
        doc_number=f"{prefix}〔{year}〕{rng.randint(1, 99)}号",
        index_no=f"{prefix.encode().hex()[:4].upper()}-{year}-{rng.randint(1, 99999):05d}",
        written=(year, month, day),
        published=(year, month, day + rng.randint(0, 3)),
    )


def make_body(rng: random.Random, pool: Pool, meta: Meta) -> list[str]:
    """Intro, numbered sections and problems, sign-off: 1-2.5 KB of recombined fixture text."""
    k = rng.randint(3, 6)
    year, month, day = meta.written
    draw = _Draw(rng, pool, 24, 6, 3)  # the most sentences, problems and headings this body uses
    lines = [f"{year}年{month}月，{draw.sentences(1)}共指出{k}个问题。{draw.sentences(1)}"]
    lines += [f"一、{draw.heading()}", draw.sentences(rng.randint(1, 2))]
    lines.append(f"二、{draw.heading()}")
    for i in range(1, k + 1):
        lines.append(f"{i}.{draw.problem()}。{draw.sentences(1)}")
        lines.append(f"整改情况：{draw.sentences(rng.randint(1, 2))}")
        lines.append(f"完成情况：{rng.choice(['已完成。', '正在整改。', '已完成并长期坚持。'])}")
    lines += [f"三、{draw.heading()}", draw.sentences(1)]
    lines += [meta.org, f"{year}年{month}月{day}日"]
    return lines


_ORDINALS = "一二三四五"


def _problem_lines(rng: random.Random, draw: _Draw, k: int) -> list[str]:
    """k numbered problems, each with a description, 2-4 measures (一是 … 四是) and a completion line."""
    lines = []
    for i in range(1, k + 1):
        lines.append(f"{i}.{draw.problem()}。{draw.sentences(rng.randint(1, 3))}")
        measures = [f"{_ORDINALS[m]}是{draw.sentences(rng.randint(1, 2))}" for m in range(rng.randint(2, 4))]
        lines.append("整改情况：" + "".join(measures))
        lines.append(f"完成情况：{rng.choice(['已完成。', '正在整改。', '已完成并长期坚持。'])}")
    return lines


def make_long_body(rng: random.Random, pool: Pool, meta: Meta) -> list[str]:
    """A report nearer real size: 2-4 thousand characters (the seed notice's body has about 4,900), longer
    intro and section paragraphs, 6-12 problems each with a description and 2-4 measures (一是 … 四是)."""
    k = rng.randint(6, 12)
    year, month, day = meta.written
    draw = _Draw(rng, pool, 140, 12, 4)
    lines = [f"{year}年{month}月，{draw.sentences(2)}共指出{k}个问题。{draw.sentences(rng.randint(1, 3))}"]
    lines += [f"一、{draw.heading()}", draw.sentences(rng.randint(3, 5)), draw.sentences(rng.randint(2, 4))]
    lines.append(f"二、{draw.heading()}")
    lines += _problem_lines(rng, draw, k)
    lines += [f"三、{draw.heading()}", draw.sentences(rng.randint(2, 4))]
    lines += [f"四、{draw.heading()}", draw.sentences(rng.randint(2, 3))]
    lines += [meta.org, f"{year}年{month}月{day}日"]
    return lines


# Real scrapes: bodies from 1 K to 30 K characters, median about 4 K (a log-normal draw, clipped). A sentence
# is used once a body, or it would look like a pasted copy; the fixtures' pool of sentences (about 24 K
# characters) fills bodies up to about 18 K, and longer ones add sentences joined from halves of two.
_REAL_MEDIAN, _REAL_SPREAD, _REAL_MIN, _REAL_MAX = 4000, 0.7, 1000, 30000


def make_real_body(rng: random.Random, pool: Pool, meta: Meta) -> list[str]:
    """A body of realistic length (see _REAL_MEDIAN): intro, a long first section, 3-12 problems with their
    measures, and closing sections filled with paragraphs until the drawn length is reached."""
    target = int(min(_REAL_MAX, max(_REAL_MIN, rng.lognormvariate(math.log(_REAL_MEDIAN), _REAL_SPREAD))))
    k = rng.randint(3, 12)
    year, month, day = meta.written
    draw = _Draw(rng, pool, target // 30 + 11 * k + 20, k, 6)
    lines = [f"{year}年{month}月，{draw.sentences(2)}共指出{k}个问题。{draw.sentences(rng.randint(1, 3))}"]
    lines += [f"一、{draw.heading()}"]
    while sum(map(len, lines)) < target * 0.3 and draw.left() > 11 * k + 10:
        lines.append(draw.sentences(rng.randint(2, 5)))
    lines.append(f"二、{draw.heading()}")
    lines += _problem_lines(rng, draw, k)
    for ordinal in "三四五六":
        lines.append(f"{ordinal}、{draw.heading()}")
        while sum(map(len, lines)) < target * (0.55 + 0.15 * "三四五六".index(ordinal)) and draw.left() > 5:
            lines.append(draw.sentences(rng.randint(2, 5)))
    lines += [meta.org, f"{year}年{month}月{day}日"]
    return lines


BODIES: dict[str, Callable[[random.Random, Pool, Meta], list[str]]] = {
    "short": make_body,
    "long": make_long_body,
    "real": make_real_body,
}


def _iso(d: tuple[int, int, int]) -> str:
    return f"{d[0]}-{d[1]:02d}-{d[2]:02d}"


def _layout_labels(m: Meta, body: str) -> str:
    head = f"索引号：{m.index_no}\n发布机构：{m.org}\n文号：{m.doc_number}\n成文日期：{_iso(m.written)}\n"
    return f"您现在的位置：首页 > 政务公开 > 通知公告\n\n{head}\n{m.title}\n\n{body}\n\n打印本页\n关闭窗口\n"


def _layout_table(m: Meta, body: str) -> str:
    head = (
        f"索 引 号 | {m.index_no} | 主题分类 | 综合政务 |\n发布机构 | {m.org} | 文 号 | {m.doc_number} |\n"
        f"成文日期 | {m.written[0]}年{m.written[1]}月{m.written[2]}日 | 发布日期 | {_iso(m.published)} |\n"
    )
    return (
        f"首页 >> 信息公开 >> 部门文件\n\n{head}\n{m.title}\n"
        f"浏览次数：{{{{ pvCount }}}}    字号：【大】 【中】 【小】\n\n{body}\n\n分享到：\n【打印】 【关闭】\n"
    )


def _layout_bullets(m: Meta, body: str) -> str:
    head = f"- 标题：{m.title}\n- 发文机关：{m.org}\n- 文号：{m.doc_number}\n- 发布日期：{_iso(m.published)}\n"
    return (
        f"今天是：{m.published[0]}年{m.published[1]}月{m.published[2]}日\n关怀版 | 无障碍 | 简体 | 繁体\n\n{head}\n"
        f"{m.title}\n\n{body}\n\n我要纠错\n主办单位：{m.org}　版权所有　联系我们\n"
    )


def _layout_glued(m: Meta, body: str) -> str:
    head = f"发布日期:{_iso(m.published)} 09:30信息来源:{m.org}浏览次数:"
    return f"当前位置：首页 > 通知公告\n\n{m.title}\n{head}\n\n{body}\n\n扫一扫在手机打开当前页\n返回顶部\n"


def _layout_bare(m: Meta, body: str) -> str:
    widget = "点击开始解析文章内容,总结生成摘要...\n本内容提供均基于AI自动解读,与主办方无直接关联。"
    return f"{m.title}\n\n{body}\n\n{widget}\n"


LAYOUTS: list[Callable[[Meta, str], str]] = [
    _layout_labels,
    _layout_table,
    _layout_bullets,
    _layout_glued,
    _layout_bare,
]


def edit_one_word(rng: random.Random, lines: list[str]) -> list[str]:
    """Substitute one word of a problem paragraph, or insert one when none of the swaps occurs."""
    out = list(lines)
    candidates = [i for i, line in enumerate(out) if line.startswith("整改情况：")]
    i = rng.choice(candidates)
    for before, after in rng.sample(WORD_SWAPS, len(WORD_SWAPS)):
        if before in out[i]:
            out[i] = out[i].replace(before, after, 1)
            return out
    out[i] = out[i].replace("整改情况：", "整改情况：" + rng.choice(INSERTS), 1)
    return out


@dataclass
class Corpus:
    path: Path
    notices: int
    bytes: int
    copy_ids: set[str]
    groups: list[list[str]]


def _planted_group(rng: random.Random, lines: list[str], meta: Meta, near_copies: bool) -> list[str]:
    """One notice as written, then copies with one word edited, each in another layout: one or two copies
    (the default corpus), or 2-19 (``--near-copies``; layouts repeat after the five)."""
    if near_copies:
        size = rng.randint(*NEAR_COPY_SIZES)
        layouts = rng.sample(LAYOUTS, len(LAYOUTS))
        layouts = (layouts + [rng.choice(LAYOUTS) for _ in range(size - len(layouts))])[:size]
    else:
        layouts = rng.sample(LAYOUTS, 3)
        layouts = layouts[: 1 + rng.randint(1, 2)]
    pages = [layouts[0](meta, "\n".join(lines))]
    return pages + [layout(meta, "\n".join(edit_one_word(rng, lines))) for layout in layouts[1:]]


def build_corpus(n: int, seed: int, folder: Path, size: str = "short", near_copies: bool = False) -> Corpus:
    rng = random.Random(seed)
    pool = load_pool()
    pages: list[tuple[str, str]] = []  # (group tag, "copies" or "", page); ids are given after shuffling
    g = 0
    # Default: one notice in fifty republished once or twice; --near-copies: a third of the pages in
    # groups of 3-20.
    while (len(pages) < n * NEAR_COPY_SHARE) if near_copies else (g < max(1, n // 50)):
        meta = make_meta(rng)
        lines = BODIES[size](rng, pool, meta)
        pages += [(f"g{g}", page) for page in _planted_group(rng, lines, meta, near_copies)]
        g += 1
    while len(pages) < n:
        meta = make_meta(rng)
        body = "\n".join(BODIES[size](rng, pool, meta))
        if rng.random() < 0.05:  # the body pasted again, as scrapers of some sites do
            body = "\n".join([body] * rng.randint(2, 3))
            pages.append(("copies", rng.choice(LAYOUTS)(meta, body)))
        else:
            pages.append(("", rng.choice(LAYOUTS)(meta, body)))
    rng.shuffle(pages)
    members: dict[str, list[str]] = {}
    path = folder / "corpus.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for i, (tag, page) in enumerate(pages):
            doc_id = f"n{i:06d}"
            if tag:
                members.setdefault(tag, []).append(doc_id)
            out.write(json.dumps({"id": doc_id, "text": page}, ensure_ascii=False) + "\n")
    copy_ids = set(members.pop("copies", []))
    return Corpus(path, len(pages), sum(len(p.encode()) for _, p in pages), copy_ids, list(members.values()))


def _zstd(data: bytes) -> bytes:
    from rectify_parse.compressed import _ZSTD, ZSTD_INSTALL

    if _ZSTD is None:
        raise SystemExit(ZSTD_INSTALL)
    packed: bytes = _ZSTD.compress(data)
    return packed


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": _zstd,
}


def compress_corpus(corpus: Corpus, kind: str) -> Corpus:
    """The corpus's JSONL as ``corpus.jsonl.KIND``, which the runs then read (as a stream)."""
    packed = corpus.path.with_name(f"{corpus.path.name}.{kind}")
    packed.write_bytes(COMPRESSORS[kind](corpus.path.read_bytes()))
    return dataclasses.replace(corpus, path=packed)


JIEBA_SAMPLE = 4000
JIEBA_REPEAT = 3


def jieba_rate(corpus: Corpus) -> float:
    """Notices per second of jieba.lcut over the corpus texts, after jieba is initialised: the best of
    ``JIEBA_REPEAT`` passes over an evenly spaced sample of ``JIEBA_SAMPLE`` texts. The speed of this
    machine drifts by ±10% over minutes; the best pass is the baseline at its fastest, so the ratios
    printed are, if anything, understated."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba imports pkg_resources on some set-ups
        import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    texts = [json.loads(line)["text"] for line in corpus.path.open(encoding="utf-8")]
    sample = texts[:: max(1, len(texts) // JIEBA_SAMPLE)]
    best = float("inf")
    for _ in range(JIEBA_REPEAT):
        start = time.perf_counter()
        for text in sample:
            jieba.lcut(text)
        best = min(best, time.perf_counter() - start)
    return len(sample) / best


# The batch process reports its own peak RSS: VmHWM belongs to its memory map alone, whereas ru_maxrss
# would include this (large) benchmark process, which it is forked from. BENCH_IDLE=1 makes an auto run
# (no --workers) decide as on an idle machine: what the default does where no other job runs.
_CHILD = """
import json, os, re, resource, sys
from pathlib import Path
from rectify_parse.batch import main_batch
if os.environ.get("BENCH_IDLE"):
    try:
        import rectify_parse.batch.plan as plan
        plan.other_load = lambda busy: 0.0
    except ImportError:  # a version from before the choice: its default is the CPU count
        pass
code = main_batch(sys.argv[1:])
status = Path("/proc/self/status")
hwm = re.search(r"VmHWM:\\s+(\\d+) kB", status.read_text()) if status.exists() else None
peak_kb = int(hwm.group(1)) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"code": code, "peak_kb": peak_kb, "cpu_s": usage.ru_utime + usage.ru_stime}))
"""


@dataclass
class Run:
    name: str
    summary: dict[str, Any]
    wall: float
    main_rss_mb: float
    worker_rss_mb: float
    output: Path
    cpu_s: float  # the batch process's CPU time and its workers' (sampled: the last 50 ms may be missed)
    worker_uss_mb: float = 0.0  # a worker's own pages (USS) and its share of shared ones (PSS), at its RSS peak
    worker_pss_mb: float = 0.0
    server_rss_mb: float = 0.0  # the fork server the workers are forked from (preloaded parser and jieba)
    load: float = 0.0  # the 1-minute load average when the run ended (this run included)


FULL_EVERY = 1.0  # seconds between two readings of a worker's USS and PSS


def _is_server(process: psutil.Process, batch: psutil.Process) -> bool:
    """The fork server: the batch's child running multiprocessing's forkserver (its workers share its cmdline)."""
    return process.ppid() == batch.pid and "forkserver" in " ".join(process.cmdline())


def time_batch(
    index: int, name: str, args: list[str], corpus: Corpus | Path, folder: Path, env: dict[str, str] | None = None
) -> Run:
    """One batch run in a fresh process: ``corpus`` a generated corpus or any input (a directory)."""
    out, summary = folder / f"out-{index}.jsonl", folder / f"summary-{index}.json"
    source = corpus.path if isinstance(corpus, Corpus) else corpus
    command = [sys.executable, "-c", _CHILD, str(source), "-o", str(out), "--summary", str(summary), "--quiet"]
    start = time.perf_counter()
    proc = psutil.Popen([*command, *args], stdout=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    worker_peak = server_peak = 0
    worker_mem = (0.0, 0.0)
    worker_cpu: dict[int, float] = {}
    servers: set[int] = set()
    full_at: dict[int, float] = {}
    while proc.poll() is None:  # workers are not our children (forkserver): sample the tree
        try:
            for child in proc.children(recursive=True):
                worker_cpu[child.pid] = sum(child.cpu_times()[:2])
                if child.pid in servers or _is_server(child, proc):
                    servers.add(child.pid)
                    server_peak = max(server_peak, child.memory_info().rss)
                elif child.ppid() in servers:  # a worker
                    rss = child.memory_info().rss
                    # USS and PSS read /proc/PID/smaps, which costs CPU the run would miss: at a new peak, and
                    # at most every FULL_EVERY seconds a worker.
                    if rss > worker_peak and time.perf_counter() - full_at.get(child.pid, 0.0) >= FULL_EVERY:
                        full_at[child.pid] = time.perf_counter()
                        full = child.memory_full_info()
                        worker_peak, worker_mem = full.rss, (full.uss / 2**20, full.pss / 2**20)
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - start
    stdout = proc.stdout.read() if proc.stdout else ""
    report = json.loads(stdout.strip().splitlines()[-1])
    if report["code"] not in (0, 1):
        raise SystemExit(f"{name}: batch exited with {report['code']}")
    return Run(
        name,
        json.loads(summary.read_text(encoding="utf-8")),
        wall,
        report["peak_kb"] / 1024,
        worker_peak / 2**20,
        out,
        report["cpu_s"] + sum(worker_cpu.values()),
        *worker_mem,
        server_peak / 2**20,
        os.getloadavg()[0],
    )


# --defaults: the default worker count (no --workers) against 1 and 2, on the README's sample job and on the
# corpus; "default, idle" decides as on an idle machine (BENCH_IDLE), where other jobs' load is none.
DEFAULT_RUNS: list[tuple[str, list[str], dict[str, str]]] = [
    ("default", [], {}),
    ("default, idle", [], {"BENCH_IDLE": "1"}),
    ("1 worker", ["--workers", "1"], {}),
    ("2 workers", ["--workers", "2"], {}),
]


def compare_defaults(jobs: list[tuple[str, Corpus | Path, list[str]]], repeat: int, folder: Path) -> None:
    """Each job under each of DEFAULT_RUNS, the runs taking turns ``repeat`` times: the median and best wall
    time and its ratio to one worker's, the median CPU time (every process), the load they ran under, the
    workers the runs had, and the memory of a worker (RSS; USS, its own pages; PSS) and of the fork server."""
    for job, source, extra in jobs:
        runs: dict[str, list[Run]] = {name: [] for name, _, _ in DEFAULT_RUNS}
        for _ in range(repeat):
            for index, (name, args, env) in enumerate(DEFAULT_RUNS):
                runs[name].append(time_batch(index, name, [*extra, *args], source, folder, env))
        one = statistics.median(r.wall for r in runs["1 worker"])
        one_rate = statistics.median(r.summary["notices_per_s"] for r in runs["1 worker"])
        one_cpu = statistics.median(r.cpu_s for r in runs["1 worker"])
        print(f"\n{job}: {repeat} turns")
        print(
            f"{'run':<15}{'wall med':>9}{'best':>7}{'x 1 worker':>11}{'notices/s':>10}{'x 1':>6}{'CPU s':>7}{'load':>6}"
            f"{'workers':>8}{'RSS main':>9}{'worker RSS':>11}{'USS':>6}{'PSS':>6}{'server RSS':>11}"
        )
        for name, seen in runs.items():
            wall = statistics.median(r.wall for r in seen)
            rate = statistics.median(r.summary["notices_per_s"] for r in seen)  # the run's own, start-up excluded
            chosen = "/".join(sorted({str(r.summary["workers"]) for r in seen}))
            peak = max(seen, key=lambda r: r.worker_rss_mb)
            print(
                f"{name:<15}{wall:>9.2f}{min(r.wall for r in seen):>7.2f}{one / wall:>11.2f}{rate:>10.0f}"
                f"{rate / one_rate:>6.2f}"
                f"{statistics.median(r.cpu_s for r in seen):>7.1f}{statistics.median(r.load for r in seen):>6.1f}"
                f"{chosen:>8}{max(r.main_rss_mb for r in seen):>8.0f}M{peak.worker_rss_mb:>10.0f}M"
                f"{peak.worker_uss_mb:>5.0f}M{peak.worker_pss_mb:>5.0f}M{peak.server_rss_mb:>10.0f}M"
            )
        reasons = sorted({str(r.summary.get("workers_chosen")) for r in runs["default"]})
        print(f"  1 worker: {one_cpu:.1f} s of CPU time; the default chose from: " + "; ".join(reasons))


def _differing_lines(a: Path, b: Path) -> str:
    """'' when the files are equal, else which lines differ (the parser may have changed between runs)."""
    with open(a, encoding="utf-8") as fa, open(b, encoding="utf-8") as fb:
        diff = [json.loads(x)["id"] for x, y in itertools.zip_longest(fa, fb, fillvalue="{}") if x != y]
    return f"NO, {len(diff)} lines differ, first {diff[:3]}" if diff else ""


def _pages_with_copies(output: Path) -> set[str]:
    with open(output, encoding="utf-8") as lines:
        records = map(json.loads, lines)
        return {r["id"] for r in records if "record" in r and len(r["record"]["duplicates"]["copies"]) > 1}


def _pairs(groups: Iterable[list[str]]) -> set[tuple[str, str]]:
    return {(a, b) for g in groups for a, b in itertools.combinations(sorted(g), 2)}


def precision_recall(found: list[list[str]], planted: list[list[str]]) -> tuple[float, float, int, int]:
    got, want = _pairs(found), _pairs(planted)
    hit = len(got & want)
    return (hit / len(got) if got else 1.0), (hit / len(want) if want else 1.0), len(got), len(want)


def _best_runs(specs: list[tuple[str, list[str]]], repeat: int, corpus: Corpus, folder: Path) -> list[Run]:
    """Each run ``repeat`` times, the runs taking turns (a machine shared with other jobs slows them
    alike); the fastest of each, with the highest peak RSS and the least CPU time seen."""
    best: dict[str, Run] = {}
    for _ in range(repeat):
        for index, (name, extra) in enumerate(specs):
            run = time_batch(index, name, extra, corpus, folder)
            seen = best.get(name, run)
            if run.summary["notices_per_s"] < seen.summary["notices_per_s"]:
                run = seen
            run.main_rss_mb = max(run.main_rss_mb, seen.main_rss_mb)
            run.cpu_s = min(run.cpu_s, seen.cpu_s)
            run.worker_rss_mb = max(run.worker_rss_mb, seen.worker_rss_mb)
            best[name] = run
    return list(best.values())


def _dedup_pairs(runs: list[Run]) -> list[tuple[Run, Run]]:
    """Each --dedup run with the run of the same worker count without it."""
    plain = {r.name: r for r in runs if not r.name.endswith(" --dedup")}
    return [(r, plain[r.name.removesuffix(" --dedup")]) for r in runs if r.name.endswith(" --dedup")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000, help="notices in the corpus (example: --n 2000)")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed (example: --seed 1)")
    parser.add_argument(
        "--pages",
        choices=sorted(BODIES),
        default="short",
        help="body size: short (about 1 K characters, the default), long (about 3 K, nearer the seed notice's "
        "4.9 K) or real (1 K to 30 K, median about 4 K) (example: --pages long)",
    )
    parser.add_argument(
        "--near-copies",
        action="store_true",
        help="a third of the pages in planted groups of 3-20 near-copies, and --dedup timed at 1 and 2 workers "
        "(example: --pages real --near-copies)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="time each run this many times, taking turns, and keep the fastest (example: --repeat 3)",
    )
    parser.add_argument(
        "--compress",
        choices=sorted(COMPRESSORS),
        help="write the corpus compressed (corpus.jsonl.gz …): the runs read it as a stream (example: --compress gz)",
    )
    parser.add_argument("--dir", type=Path, help="keep the corpus and outputs here (example: --dir /tmp/bench)")
    parser.add_argument(
        "--defaults",
        action="store_true",
        help="compare the default worker count with --workers 1 and 2 on the README's sample job and on the "
        "corpus, with each worker's memory (example: --defaults --pages real --n 5000 --repeat 3)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        corpus = build_corpus(args.n, args.seed, folder, args.pages, args.near_copies)
        plain = corpus  # jieba's baseline reads the plain JSONL
        if args.compress:
            corpus = compress_corpus(corpus, args.compress)
        built = time.perf_counter() - start
        if args.defaults:
            print(f"corpus: {corpus.notices} {args.pages} notices, {corpus.bytes / 1e6:.1f} MB; {os.cpu_count()} cores")
            sample = ("README sample job (fixtures/, *.txt, --dedup)", FIXTURES, ["--glob", "*.txt", "--dedup"])
            compare_defaults([sample, (f"{corpus.notices} {args.pages} notices", corpus, [])], args.repeat, folder)
            return 0
        planted_members = sum(len(g) for g in corpus.groups)
        print(
            f"corpus: {corpus.notices} {args.pages} notices, {corpus.bytes / 1e6:.1f} MB "
            f"({corpus.bytes / corpus.notices / 1e3:.1f} KB each, built in {built:.1f} s); "
            f"planted: {len(corpus.copy_ids)} pages with copies, {len(corpus.groups)} near-duplicate groups "
            f"({planted_members} notices)"
            + (f"; read from {corpus.path.name}, {corpus.path.stat().st_size / 1e6:.1f} MB" if args.compress else "")
        )
        jieba = jieba_rate(plain)
        mb = corpus.bytes / 1e6 / (corpus.notices / jieba)
        print(f"jieba.lcut: {jieba:.0f} notices/s, {mb:.2f} MB/s\n")
        columns = ("notices/s", 10), ("MB/s", 8), ("x jieba", 9), ("RSS main", 10), ("RSS worker", 11), ("wall s", 8)
        print(f"{'run':<18}" + "".join(f"{name:>{width}}" for name, width in (*columns, ("CPU s", 7))))
        runs = _best_runs(NEAR_COPY_RUNS if args.near_copies else RUNS, args.repeat, corpus, folder)
        for run in runs:
            name, s = run.name, run.summary
            print(
                f"{name:<18}{s['notices_per_s']:>10.0f}{s['mb_per_s']:>8.2f}{s['notices_per_s'] / jieba:>9.2f}"
                f"{run.main_rss_mb:>9.0f}M{run.worker_rss_mb:>10.0f}M{run.wall:>8.1f}{run.cpu_s:>7.1f}"
            )
        plain, dedup = runs[0], runs[2]
        shares = {r.name: r.summary["notices_per_s"] / p.summary["notices_per_s"] for r, p in _dedup_pairs(runs)}
        print("\n--dedup speed / speed without: " + ", ".join(f"{name} {v:.2f}" for name, v in shares.items()))
        # CPU time swings less than wall time when other jobs share the machine.
        cpu_shares = ", ".join(f"{r.name} {p.cpu_s / r.cpu_s:.2f}" for r, p in _dedup_pairs(runs))
        print(f"CPU time without --dedup / CPU time with it: {cpu_shares}")
        identical = _differing_lines(plain.output, runs[1].output)
        found = [g["ids"] for g in dedup.summary["groups"]]
        precision, recall, n_found, n_planted = precision_recall(found, corpus.groups)
        print(f"\n1 and 2 workers give identical output: {identical or 'yes'}")
        print(f"errors: {plain.summary['errors_by_type'] or 'none'}")
        found_copies = _pages_with_copies(plain.output)
        print(
            f"pages with copies: found {len(found_copies)}, planted {len(corpus.copy_ids)}, missed "
            f"{len(corpus.copy_ids - found_copies)}, not planted {len(found_copies - corpus.copy_ids)} "
            f"(e.g. {sorted(found_copies - corpus.copy_ids)[:3]})"
        )
        print(
            f"near-duplicate groups: found {len(found)}, planted {len(corpus.groups)}; pairs found {n_found}, "
            f"planted {n_planted}; precision {precision:.4f}, recall {recall:.4f}"
        )
        checks = {
            f"1 worker >= {TARGETS['ratio']}x jieba": plain.summary["notices_per_s"] / jieba >= TARGETS["ratio"],
            f"1 worker --dedup >= {TARGETS['ratio_dedup']}x jieba": dedup.summary["notices_per_s"] / jieba
            >= TARGETS["ratio_dedup"],
            f"--dedup >= {TARGETS['dedup_share']} x the run without": min(shares.values()) >= TARGETS["dedup_share"],
            f"peak RSS < {TARGETS['rss_mb']:.0f} MB (every process)": max(
                max(r.main_rss_mb, r.worker_rss_mb) for r in runs
            )
            < TARGETS["rss_mb"],
            f"near-duplicate precision and recall >= {TARGETS['pr']}": min(precision, recall) >= TARGETS["pr"],
        }
        print("\ntargets:")
        for what, ok in checks.items():
            print(f"  {'met' if ok else 'MISSED'}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
