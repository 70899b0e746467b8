"""Near-duplicate grouping on a labelled pair set, side by side with datasketch MinHash (character 5-grams).

    python benchmarks/bench_dedup.py              # 40 invented notices and the corpus fixtures
    python benchmarks/bench_dedup.py --bases 80   # more
    python benchmarks/bench_dedup.py --misses     # list every pair either method got wrong

The pair set is built here, from the fixtures' corpus pages (fixtures/corpus: a1, b1, s1, s2, t1-t3, x1-x3)
and invented notices (bench_batch's generator: bureaus, places, numbers and dates drawn at random, sentences
recombined from the fixtures), each page transformed the ways mirror sites and template reuse transform
notices. Every page goes into one corpus and one run of each method; a pair is *grouped* when the method puts
both pages in one group.

Pairs of one document (should be grouped):
  trad               the page converted with OpenCC s2t (phrases included: 干部 → 幹部, 反复 → 反覆)
  trad_pinyin        converted, and pinyin injected after a third of the Han characters (政(zheng)府(fu))
  pinyin             pinyin injected, simplified
  trad_headerless    converted, the header and chrome dropped (title and body only)
  chrome             another site's layout: breadcrumb, header rows, widgets, footer
  chrome_wording     another layout, and 1-3 words of the body changed
  trad_wording       converted, and 1-3 words changed: its variants must be exactly the planted edits
  rewritten          synonym-swapped (词语替换: about a tenth to a fifth of the words replaced by near-synonyms)
  rewritten_heavy    the same with a longer list of synonyms (15-25% of the words; most below 0.9 alike)
Pairs to keep apart:
  sibling_place      the same template for another county (the place name changed everywhere)
  sibling_year       the same notice a year later (every year, the document number's too)
  sibling_number     the same text under another document number and date
  sibling_place_trad another county's notice, read on a traditional mirror
  lookalike          two notices from one template with their own content (t1/t2/t3, invented pairs), or
                     short pages of one site (x1/x2/x3)

rectify_parse: each page parsed, its clean body and identity indexed (``find_near_duplicates``' grouping).
datasketch: ``MinHash(num_perm=128)`` of the page's character 5-grams, a pair grouped when its estimated
Jaccard similarity is at least 0.5 (the threshold an LSH index is usually built for).
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import opencc
from datasketch import MinHash

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import bench_batch as gen  # noqa: E402  (the corpus generator of the batch benchmark)

import rectify_parse  # noqa: E402
from rectify_parse.corpus import NearDuplicateFinder, member_variants  # noqa: E402
from rectify_parse.diff import word_boundaries  # noqa: E402
from rectify_parse.identity import identity_of  # noqa: E402
from rectify_parse.records import document_text  # noqa: E402
from rectify_parse.script import fold_scripts  # noqa: E402

CORPUS = HERE.parent / "fixtures" / "corpus"
S2T = opencc.OpenCC("s2t")
SAME = (
    "trad",
    "trad_pinyin",
    "pinyin",
    "trad_headerless",
    "chrome",
    "chrome_wording",
    "trad_wording",
    "rewritten",
    "rewritten_heavy",
)
APART = ("sibling_place", "sibling_year", "sibling_number", "sibling_place_trad", "lookalike")
MINHASH_THRESHOLD = 0.5
# Near-synonyms a 词语替换 tool swaps in (whole jieba words only: names and numbers stay).
SYNONYMS = {
    "开展": "进行",
    "加强": "强化",
    "推动": "推进",
    "组织": "安排",
    "要求": "需要",
    "工作": "事务",
    "问题": "情况",
    "进一步": "更进一步",
    "完善": "健全",
    "制度": "规章",
    "落实": "执行",
    "建立": "设立",
    "明确": "清楚",
    "及时": "按时",
    "全面": "全方位",
    "重点": "关键",
    "相关": "有关",
    "存在": "具有",
    "提高": "提升",
    "措施": "办法",
    "严格": "严厉",
    "检查": "查验",
    "持续": "不断",
    "确保": "保证",
    "认真": "仔细",
    "各项": "每项",
    "部署": "安排",
    "推进": "促进",
    "整改": "改正",
    "责任": "职责",
    "单位": "机构",
    "情况": "状况",
}
# A heavier rewriter swaps these too (about a third of the words in all).
HEAVY = {
    "发现": "察觉",
    "已经": "业已",
    "进行": "开展",
    "实施": "施行",
    "开始": "着手",
    "目前": "当前",
    "通过": "经由",
    "根据": "依据",
    "主要": "首要",
    "加大": "增大",
    "力度": "强度",
    "坚持": "坚守",
    "组织实施": "安排施行",
    "提升": "提高",
    "学习": "研习",
    "建设": "构建",
    "完成": "达成",
    "按照": "依照",
    "有关": "相关",
    "开展": "进行",
    "机制": "体制",
    "人员": "职员",
    "方面": "层面",
    "及时": "即时",
    "积极": "主动",
    "深入": "深度",
    "进一步": "更进一步",
    "全县": "全县域",
    "切实": "确实",
    "规范": "标准",
    "管理": "治理",
    "专项": "专门",
    "排查": "清查",
    "隐患": "风险",
    "安全": "安稳",
    "督查": "督察",
    "整治": "治理",
    "开展了": "进行了",
    "成效": "成果",
}
# Word edits planted in a copy: (old, new), applied to the body once each.
EDITS = [("全面", "全力"), ("加强", "强化"), ("及时", "按时"), ("认真", "切实"), ("确保", "保证"), ("推动", "推进")]
PINYIN = ["zheng", "fu", "gong", "zuo", "wen", "ti", "zhi", "du", "guan", "li", "shi", "xian", "an", "quan"]


@dataclass
class Page:
    """A page of the corpus: its id, its text, and the planted word edits it carries (old, new)."""

    id: str
    text: str
    edits: list[tuple[str, str, str]] = field(default_factory=list)  # old word, new word, the text around it


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    kind: str


@dataclass
class Built:
    pages: dict[str, Page] = field(default_factory=dict)
    pairs: list[Pair] = field(default_factory=list)

    def add(self, page: Page) -> str:
        self.pages[page.id] = page
        return page.id

    def pair(self, a: str, b: Page | str, kind: str) -> None:
        b_id = b if isinstance(b, str) else self.add(b)
        self.pairs.append(Pair(a, b_id, kind))


# --- transformations -------------------------------------------------------------------------------------


def with_pinyin(rng: random.Random, text: str) -> str:
    """Pinyin after about a third of the Han characters, as spam mirrors inject it (never before a bracket:
    the fixtures' pool holds a sentence with pinyin already, 切（qie）实)."""
    out = []
    for ch, after in zip(text, [*text[1:], ""], strict=True):
        pinyin = "\u4e00" <= ch <= "\u9fff" and after not in "(（" and rng.random() < 0.33
        out.append(f"{ch}({rng.choice(PINYIN)})" if pinyin else ch)
    return "".join(out)


def rewrite(text: str, heavy: bool = False) -> str:
    """Synonyms swapped in for whole words, line by line (jieba's words, as a rewriting tool segments);
    ``heavy``: from a larger list. The sign-off's name and the numbers stay (jieba keeps 管理局 whole)."""
    swaps = {**SYNONYMS, **HEAVY} if heavy else SYNONYMS
    out = []
    for line in text.split("\n"):
        bounds = word_boundaries(line)
        out.append("".join(swaps.get(line[s:e], line[s:e]) for s, e in itertools.pairwise(bounds)))
    return "\n".join(out)


def plant(rng: random.Random, body: str, count: int) -> tuple[str, list[tuple[str, str, str]]]:
    """``count`` word edits, each replacing the first occurrence of a word the body has (at most 3), with
    the few characters around it (an edit in a line the parser removes as chrome is no difference of the
    texts)."""
    present = [e for e in EDITS if e[0] in body]
    chosen = rng.sample(present, min(count, len(present)))
    planted = []
    for old, new in chosen:  # the text around each edit as the source has it
        at = body.index(old)
        start, end = body.rfind("\n", 0, at) + 1, body.find("\n", at)
        line = body[start : end if end >= 0 else len(body)]
        k = at - start
        planted.append((old, new, line[max(0, k - 6) : k + len(old) + 6]))
    for old, new in chosen:
        body = body.replace(old, new, 1)
    return body, planted


# --- the pair set ----------------------------------------------------------------------------------------


def invented(rng: random.Random, pool: gen.Pool, n: int, built: Built) -> None:
    for k in range(n):
        meta = gen.make_meta(rng)
        lines = gen.make_long_body(rng, pool, meta) if k % 2 else gen.make_body(rng, pool, meta)
        body = "\n".join(lines)
        layouts = rng.sample(gen.LAYOUTS[:4], 2)  # layouts with a header (the bare one has none)
        base = built.add(Page(f"inv{k}/base", layouts[0](meta, body)))
        page = layouts[0](meta, body)
        built.pair(base, Page(f"inv{k}/trad", S2T.convert(page)), "trad")
        built.pair(base, Page(f"inv{k}/trad_pinyin", with_pinyin(rng, S2T.convert(page))), "trad_pinyin")
        built.pair(base, Page(f"inv{k}/pinyin", with_pinyin(rng, page)), "pinyin")
        built.pair(base, Page(f"inv{k}/trad_headerless", S2T.convert(gen._layout_bare(meta, body))), "trad_headerless")
        built.pair(base, Page(f"inv{k}/chrome", layouts[1](meta, body)), "chrome")
        edited, edits = plant(rng, body, rng.randint(1, 3))
        built.pair(base, Page(f"inv{k}/chrome_wording", layouts[1](meta, edited), edits), "chrome_wording")
        edited, edits = plant(rng, body, rng.randint(1, 3))
        built.pair(base, Page(f"inv{k}/trad_wording", S2T.convert(layouts[0](meta, edited)), edits), "trad_wording")
        built.pair(base, Page(f"inv{k}/rewritten", layouts[1](meta, rewrite(body))), "rewritten")
        built.pair(base, Page(f"inv{k}/rewritten_heavy", layouts[1](meta, rewrite(body, True))), "rewritten_heavy")
        # Template siblings: the same lines for another place, year or document number.
        place = meta.org[:3]
        other = "".join(rng.sample(gen.PLACES, 2)) + place[2]
        sib = replace(meta, org=meta.org.replace(place, other), title=meta.title.replace(place, other))
        sibling = layouts[0](sib, body.replace(place, other))
        built.pair(base, Page(f"inv{k}/sibling_place", sibling), "sibling_place")
        built.pair(base, Page(f"inv{k}/sibling_place_trad", S2T.convert(sibling)), "sibling_place_trad")
        year = str(meta.written[0])
        later = str(meta.written[0] + 1)
        sib = replace(
            meta,
            doc_number=meta.doc_number.replace(year, later),
            written=(meta.written[0] + 1, *meta.written[1:]),
            published=(meta.published[0] + 1, *meta.published[1:]),
            title=meta.title.replace(year, later),
        )
        built.pair(base, Page(f"inv{k}/sibling_year", layouts[0](sib, body.replace(year, later))), "sibling_year")
        number = meta.doc_number.rsplit("〕", 1)
        sib = replace(
            meta,
            doc_number=f"{number[0]}〕{int(number[1][:-1]) % 97 + 2}号",
            written=(meta.written[0], meta.written[1] % 12 + 1, meta.written[2]),
        )
        y, m, d = meta.written
        moved = body.replace(f"{y}年{m}月{d}日", f"{y}年{sib.written[1]}月{d}日")
        built.pair(base, Page(f"inv{k}/sibling_number", layouts[0](sib, moved)), "sibling_number")
        # A look-alike: the same bureau's notice from the same template, with its own sentences.
        lines = gen.make_long_body(rng, pool, meta) if k % 2 else gen.make_body(rng, pool, meta)
        built.pair(base, Page(f"inv{k}/lookalike", layouts[0](meta, "\n".join(lines))), "lookalike")


def from_fixtures(rng: random.Random, built: Built) -> None:
    pages = {p.stem: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}
    for name in ("a1", "b1", "s1", "s2", "t1"):
        text = pages[name]
        base = built.add(Page(f"fix/{name}", text))
        built.pair(base, Page(f"fix/{name}_trad", S2T.convert(text)), "trad")
        built.pair(base, Page(f"fix/{name}_trad_pinyin", with_pinyin(rng, S2T.convert(text))), "trad_pinyin")
        built.pair(base, Page(f"fix/{name}_pinyin", with_pinyin(rng, text)), "pinyin")
        edited, edits = plant(rng, text, 2)
        if edits:
            built.pair(base, Page(f"fix/{name}_trad_wording", S2T.convert(edited), edits), "trad_wording")
        built.pair(base, Page(f"fix/{name}_rewritten", rewrite(text)), "rewritten")
        built.pair(base, Page(f"fix/{name}_rewritten_heavy", rewrite(text, True)), "rewritten_heavy")
    for copy in ("a2", "a3"):
        built.pair("fix/a1", Page(f"fix/{copy}", pages[copy]), "chrome_wording" if copy == "a2" else "chrome")
    built.pages["fix/a2"].edits = [("", "进一步", "")]
    built.pair("fix/b1", Page("fix/b2", pages["b2"], [("全面", "全力", "")]), "chrome_wording")
    s2 = pages["s2"]
    built.pair("fix/s2", Page("fix/s2_place", s2.replace("松禾县", "白沙县")), "sibling_place")
    year = s2.replace("2024", "2023").replace("二〇二四", "二〇二三")
    built.pair("fix/s2", Page("fix/s2_year", year), "sibling_year")
    built.pair(
        "fix/s2", Page("fix/s2_number", s2.replace("〕6号", "〕9号").replace("七月十日", "八月二日")), "sibling_number"
    )
    built.pair("fix/s2", Page("fix/s2_place_trad", S2T.convert(s2.replace("松禾县", "白沙县"))), "sibling_place_trad")
    for a, b in (("t1", "t2"), ("t1", "t3"), ("x1", "x2"), ("x1", "x3")):
        for name in (a, b):
            if f"fix/{name}" not in built.pages:
                built.add(Page(f"fix/{name}", pages[name]))
        built.pair(f"fix/{a}", f"fix/{b}", "lookalike")


# The fixtures' pool holds sentences of a damaged page with pinyin in them (切（qie）实): a page that carries
# fewer than three keeps them as text, its pinyin mirror loses them all, a difference the planted edits are not.
PINYIN_IN_TEXT = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{1,6}[)）]")


def build(bases: int, seed: int) -> Built:
    rng = random.Random(seed)
    built = Built()
    pool = gen.load_pool()
    pool = replace(pool, sentences=[x for x in pool.sentences if not PINYIN_IN_TEXT.search(x)])
    invented(rng, pool, bases, built)
    from_fixtures(rng, built)
    return built


# --- the two methods -------------------------------------------------------------------------------------


def rectify_groups(built: Built) -> tuple[dict[str, int], dict[str, str], float]:
    """Each page's group under rectify_parse, each page's clean text, the seconds taken."""
    started = time.perf_counter()
    finder = NearDuplicateFinder()
    texts: dict[str, str] = {}
    for page in built.pages.values():
        notice = rectify_parse.parse(page.text)
        texts[page.id] = document_text(notice)
        finder.add(page.id, texts[page.id], identity_of(notice))
    groups = finder.groups(variants=False)
    elapsed = time.perf_counter() - started
    member = {doc: index for index, group in enumerate(groups) for doc in group.ids}
    REWRITTEN.update(share for group in groups for share in group.rewritten.items())
    return member, texts, elapsed


REWRITTEN: dict[str, float] = {}  # pages flagged as synonym-rewritten copies, with the share of words changed


def pair_variants(pair: Pair, texts: dict[str, str]) -> list[tuple[str, str, str]]:
    """The variants the groups give between a pair's pages (the first as the representative)."""
    found = member_variants(texts[pair.a], texts[pair.b], copy=1)
    return [(v.kind, v.before, v.after) for v in found]


def minhash_pairs(built: Built) -> tuple[Callable[[str, str], bool], float]:
    """Whether datasketch's MinHash of the pages' character 5-grams estimates a pair's Jaccard at 0.5+."""
    started = time.perf_counter()
    hashes: dict[str, MinHash] = {}
    for page in built.pages.values():
        m = MinHash(num_perm=128, seed=1)
        m.update_batch([page.text[k : k + 5].encode("utf-8") for k in range(max(1, len(page.text) - 4))])
        hashes[page.id] = m
    elapsed = time.perf_counter() - started
    return (lambda a, b: hashes[a].jaccard(hashes[b]) >= MINHASH_THRESHOLD), elapsed


def planted_match(pair: Pair, built: Built, found: list[tuple[str, str, str]], source: str) -> bool:
    """Whether a pair's variants are exactly its planted word edits (those on lines of the ``source``'s
    clean text): one wording variant each, reading the old word in the source and the new one in the copy
    (folded, the copy being traditional), and nothing else (no script difference, no punctuation)."""
    edits = [(old, new) for old, new, line in built.pages[pair.b].edits if line in source]
    if len(found) != len(edits) or any(kind != "wording" for kind, _, _ in found):
        return False
    left = list(edits)
    for _, before, after in found:
        a, b = fold_scripts(before), fold_scripts(after)
        hit = next((e for e in left if e[0] in a and e[1] in b and a.replace(e[0], e[1], 1) == b), None)
        if hit is None:
            hit = next((e for e in left if e[0] in b and e[1] in a and b.replace(e[0], e[1], 1) == a), None)
        if hit is None:
            return False
        left.remove(hit)
    return not left


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bases", type=int, default=40, help="invented notices (example: --bases 80)")
    parser.add_argument("--seed", type=int, default=3, help="the pair set's seed (example: --seed 1)")
    parser.add_argument("--misses", action="store_true", help="list every pair a method got wrong")
    args = parser.parse_args()
    built = build(args.bases, args.seed)
    member, texts, rp_seconds = rectify_groups(built)
    minhash, mh_seconds = minhash_pairs(built)
    print(
        f"{len(built.pages)} pages, {len(built.pairs)} labelled pairs; rectify_parse {rp_seconds:.1f} s "
        f"(parse and group), datasketch {mh_seconds:.1f} s (signatures)\n"
    )
    print(f"{'pairs':<20}{'n':>5}  {'rectify_parse':>14}  {'datasketch MinHash':>19}")
    totals: dict[str, list[int]] = {"same": [0, 0, 0], "apart": [0, 0, 0]}
    misses: list[str] = []
    for kind in (*SAME, *APART):
        pairs = [p for p in built.pairs if p.kind == kind]
        if not pairs:
            continue
        want = kind in SAME
        ours = [(p.a in member and member.get(p.a) == member.get(p.b)) == want for p in pairs]
        theirs = [minhash(p.a, p.b) == want for p in pairs]
        bucket = totals["same" if want else "apart"]
        bucket[0] += len(pairs)
        bucket[1] += sum(ours)
        bucket[2] += sum(theirs)
        verb = "grouped" if want else "kept apart"
        print(
            f"{kind:<20}{len(pairs):>5}  {sum(ours) / len(pairs):>14.1%}  {sum(theirs) / len(pairs):>19.1%}  ({verb})"
        )
        misses += [f"rectify_parse {kind}: {p.a} {p.b}" for p, ok in zip(pairs, ours, strict=True) if not ok]
        misses += [f"datasketch {kind}: {p.a} {p.b}" for p, ok in zip(pairs, theirs, strict=True) if not ok]
    for name, label in (("same", "pairs of one document grouped"), ("apart", "siblings and look-alikes apart")):
        n, ours_ok, theirs_ok = totals[name]
        print(f"{label:<38}{ours_ok / n:>8.1%}  {theirs_ok / n:>19.1%}   (target >= 99%)")
    for kind in ("rewritten", "rewritten_heavy"):
        rewrites = [p for p in built.pairs if p.kind == kind]
        shares = [REWRITTEN.get(p.b, REWRITTEN.get(p.a)) for p in rewrites]
        flagged = [x for x in shares if x is not None]
        print(
            f"{kind} copies flagged rewritten: {len(flagged)} of {len(rewrites)} (share of words changed "
            f"{min(flagged, default=0):.0%}-{max(flagged, default=0):.0%})"
        )
    others = [p for p in built.pairs if p.kind in SAME and not p.kind.startswith("rewritten") and p.b in REWRITTEN]
    print(f"other copies flagged rewritten: {len(others)}")
    checked = [p for p in built.pairs if p.kind in ("trad", "trad_pinyin", "trad_headerless", "trad_wording")]
    variants = {p: pair_variants(p, texts) for p in checked}
    exact = [p for p in checked if planted_match(p, built, variants[p], texts[p.a])]
    planted = sum(1 for p in checked for _, _, around in built.pages[p.b].edits if around in texts[p.a])
    print(
        f"traditional mirrors whose variants are exactly the planted edits: {len(exact)} of {len(checked)} "
        f"({planted} edits planted in their clean text)"
    )
    misses += [f"variants of {p.a} {p.b}: {variants[p]}" for p in checked if p not in exact]
    if args.misses:
        print("\n".join(["", *misses]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
