"""Near-duplicate groups across documents (fixtures/corpus) and their invariants."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

import rectify_parse
from conftest import FIXTURES, load_json
from rectify_parse import corpus
from rectify_parse.corpus import NearDuplicateFinder
from rectify_parse.diff import apply_variants

CORPUS = FIXTURES / "corpus"


def items() -> list[tuple[str, bytes]]:
    return [(p.stem, p.read_bytes()) for p in sorted(CORPUS.glob("*.txt"))]


def test_groups_match_the_planted_ones() -> None:
    expected = load_json(CORPUS / "groups.json")
    groups = rectify_parse.find_near_duplicates(items())
    assert sorted(sorted(g.ids) for g in groups) == sorted(sorted(g) for g in expected["groups"])
    grouped = {i for g in groups for i in g.ids}
    assert grouped.isdisjoint(expected["singletons"])


def test_group_records_are_ordered_and_explained() -> None:
    groups = {g.representative: g for g in rectify_parse.find_near_duplicates(items())}
    a = groups["a2"]  # the copy with the inserted word is the longest body
    assert a.ids == ["a2", "a1", "a3"] and 0.99 <= a.similarity < 1.0
    wording = [(v.copy, v.before, v.after) for v in a.variants if v.kind == "wording"]
    assert wording == [(1, "进一步", ""), (2, "进一步", "")]
    b = groups["b1"]
    assert [(v.kind, v.before, v.after) for v in b.variants] == [("wording", "全面", "全力")]
    # Variants are on the clean bodies: applying them to the representative's body gives the member's.
    bodies = {doc_id: rectify_parse.parse(raw).text for doc_id, raw in items()}
    for index, member in enumerate(a.ids[1:], start=1):
        found = [v for v in a.variants if v.copy == index]
        assert apply_variants(bodies["a2"], found) == bodies[member]


def test_grouping_is_deterministic_and_order_independent() -> None:
    first = [g.to_dict() for g in rectify_parse.find_near_duplicates(items())]
    again = [g.to_dict() for g in rectify_parse.find_near_duplicates(list(reversed(items())))]
    assert first == again


def test_short_bodies_never_collide() -> None:
    finder = NearDuplicateFinder()
    for i in range(5):
        finder.add(f"short{i}", "详见附件。")
    finder.add("empty", "")
    assert finder.groups() == []


def test_template_look_alikes_stay_apart() -> None:
    t_ids = {"t1", "t2", "t3"}
    groups = rectify_parse.find_near_duplicates([(i, raw) for i, raw in items() if i in t_ids])
    assert groups == []


def test_bad_threshold_and_duplicate_ids_are_config_errors() -> None:
    with pytest.raises(rectify_parse.ConfigError):
        NearDuplicateFinder(threshold=1.5)
    finder = NearDuplicateFinder()
    finder.add("x", "正文")
    with pytest.raises(rectify_parse.ConfigError, match="duplicate document id"):
        finder.add("x", "正文")


def test_undecodable_document_names_its_id(tmp_path: Path) -> None:
    with pytest.raises(rectify_parse.DecodeError, match="'bin'"):
        rectify_parse.find_near_duplicates([("ok", "正文"), ("bin", b"\x00\x01\x02\xff")])


def test_a_finder_without_texts_reads_bodies_back_through_load() -> None:
    bodies = {doc_id: rectify_parse.parse(raw).text for doc_id, raw in items()}
    keeping, lean = NearDuplicateFinder(), NearDuplicateFinder(keep_texts=False)
    for doc_id, body in bodies.items():
        keeping.add(doc_id, body)
        lean.add(doc_id, body)
    with pytest.raises(rectify_parse.ConfigError, match="load="):
        lean.groups()
    with pytest.raises(rectify_parse.ConfigError, match="keep_texts"):
        lean.text("a1")
    loaded: list[str] = []

    def load(doc_id: str) -> str:
        loaded.append(doc_id)
        return bodies[doc_id]

    assert [g.to_dict() for g in lean.groups(load)] == [g.to_dict() for g in keeping.groups()]
    assert len(loaded) == len(set(loaded))  # each body is read back once
    assert set(loaded) < set(bodies)  # and only candidates are


def test_pages_of_one_template_give_few_candidates_and_copies_are_still_found(monkeypatch: pytest.MonkeyPatch) -> None:
    # 80 pages drawn from one pool of 40 sentences share about a third of their text, as a bureau's pages
    # written from one template do; three of them are republished with one word added.
    rng = random.Random(3)
    han = (Path(rectify_parse.__file__).parent / "common_chars.txt").read_text(encoding="utf-8").strip()[:600]
    pool = ["".join(rng.choice(han) for _ in range(24)) + "。" for _ in range(40)]
    pages = {f"p{k:02d}": "\n".join(rng.sample(pool, 20)) for k in range(80)}
    for k in (5, 17, 42):
        pages[f"p{k:02d}-copy"] = "切实" + pages[f"p{k:02d}"]

    def finder_over_pages() -> NearDuplicateFinder:
        finder = NearDuplicateFinder()
        for doc_id, body in pages.items():
            finder.add(doc_id, body)
        return finder

    finder = finder_over_pages()
    assert finder.candidate_pairs <= 50
    found = sorted(sorted(g.ids) for g in finder.groups())
    assert found == [["p05", "p05-copy"], ["p17", "p17-copy"], ["p42", "p42-copy"]]
    # Without the signature check, band collisions alone would send three times as many pairs to verification.
    monkeypatch.setattr(corpus, "MIN_AGREEMENT", 0.0)
    assert finder_over_pages().candidate_pairs >= 3 * finder.candidate_pairs


@pytest.mark.parametrize("cap", [2, corpus.MAX_BUCKET_CHECKS])
def test_band_collisions_by_sorting_equal_those_of_buckets_filled_in_order(
    monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    # Pages of one template collide in many bands: the sort must pair each row with the same earlier rows
    # of its bucket as a table filled in input order would, the bucket cap included.
    import numpy as np

    rng = random.Random(5)
    han = (Path(rectify_parse.__file__).parent / "common_chars.txt").read_text(encoding="utf-8").strip()[:300]
    pool = ["".join(rng.choice(han) for _ in range(12)) + "。" for _ in range(16)]
    monkeypatch.setattr(corpus, "MAX_BUCKET_CHECKS", cap)
    monkeypatch.setattr(corpus, "MIN_AGREEMENT", 0.2)
    finder = NearDuplicateFinder()
    for k in range(60):
        finder.add(f"p{k:02d}", "\n".join(rng.sample(pool, 12)))
    rows = len(finder._owners)
    keys = np.concatenate(finder._band_keys)[:rows]
    signatures = np.concatenate(finder._signatures)[:rows]
    want: set[tuple[str, str]] = set()
    for band in range(corpus.BANDS):
        buckets: dict[int, list[int]] = {}
        for row, key in enumerate(keys[:, band].tolist()):
            members = buckets.setdefault(key, [])
            for other in members[-cap:]:
                if np.count_nonzero(signatures[other] == signatures[row]) >= 0.2 * corpus.NUM_PERM:
                    x, y = finder._ids[finder._owners[other]], finder._ids[finder._owners[row]]
                    want.add((min(x, y), max(x, y)))
            members.append(row)
    assert len(want) > 20  # the template makes many collisions, and the cap bites
    assert finder._candidates() == want


def test_a_text_the_finder_cannot_store_leaves_it_as_it_was() -> None:
    finder = NearDuplicateFinder()
    body = (CORPUS / "a1.txt").read_text(encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        finder.add("a", body + "\ud800")  # a lone surrogate: no UTF-8 for the compressed copy
    finder.add("a", body)  # the id is still free
    finder.add("b", body)
    assert [g.ids for g in finder.groups()] == [["a", "b"]]


def test_many_near_copies_need_about_one_check_each(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty near-copies of one page and twenty exact copies of another: the candidate pairs of a set
    already linked are not checked again, and exact copies need no alignment."""
    from rapidfuzz.distance import Indel

    from rectify_parse import corpus

    calls = []

    class Counting:
        @staticmethod
        def normalized_similarity(a: str, b: str, **kwargs: Any) -> float:
            calls.append(1)
            return float(Indel.normalized_similarity(a, b, **kwargs))

    monkeypatch.setattr(corpus, "Indel", Counting)
    base = "\n".join(
        f"第{i}条 为加强森林防火工作，保护森林资源和人民群众生命财产安全，制定本办法第{i}项规定。" for i in range(30)
    )
    other = "\n".join(
        f"第{i}条 村集体经济组织每年年底前应当对集体资产进行一次全面清查，建立台账{i}。" for i in range(30)
    )
    finder = corpus.NearDuplicateFinder()
    for k in range(20):
        finder.add(f"a{k:02d}", base.replace("第3条", f"第3条（{k}）"))
        finder.add(f"b{k:02d}", other)
    groups = finder.groups(variants=False)
    assert sorted(len(g.ids) for g in groups) == [20, 20]
    assert len(calls) <= 2 * 20  # once to link each member, once against its representative; was ~190


def test_signatures_equal_datasketch_minhash_of_the_same_hash_values() -> None:
    import numpy as np
    from datasketch import MinHash

    han = (Path(rectify_parse.__file__).parent / "common_chars.txt").read_text(encoding="utf-8").strip()
    rng = random.Random(11)
    body = "".join(rng.choice(han) for _ in range(3000))
    arrays = [
        corpus.sample_shingles(corpus.shingle_hashes(corpus.matching_text(body))),
        np.array([0, 1, 2, 2**32 - 1], dtype=np.uint32),  # the edges of the 32-bit range, and a repeat
        np.random.RandomState(3).randint(0, 2**32, 5000, dtype=np.uint64).astype(np.uint32),
    ]
    for hashes in arrays:
        reference = MinHash(num_perm=corpus.NUM_PERM, seed=1, hashfunc=int)  # the values are already hashes
        reference.update_batch(hashes.tolist())
        assert reference.scheme == "affine32"
        ours = corpus.signature(hashes)
        assert ours.dtype == np.uint32 and ours.tolist() == reference.hashvalues.tolist()


def _one_word_copies(rng: random.Random, base: str, n: int) -> list[str]:
    """``n`` copies of ``base``, each with one word swapped at a random sentence."""
    sentences = base.split("。")
    out = []
    for _ in range(n):
        copy = list(sentences)
        k = rng.randrange(len(copy) - 1)
        copy[k] = "切实" + copy[k]
        out.append("。".join(copy))
    return out


def _pages(rng: random.Random, pool: list[str], n: int, k: int) -> list[str]:
    return ["".join(rng.sample(pool, k)) for _ in range(n)]


def test_grouping_by_sketch_equals_grouping_by_text_and_exact_copies_are_not_read_back() -> None:
    han = (Path(rectify_parse.__file__).parent / "common_chars.txt").read_text(encoding="utf-8").strip()[:800]
    rng = random.Random(7)
    pool = ["".join(rng.choice(han) for _ in range(30)) + "。" for _ in range(200)]
    base, other = _pages(rng, pool, 2, 40)
    bodies = {f"n{k:02d}": body for k, body in enumerate(_one_word_copies(rng, base, 8))}
    bodies.update({f"x{k:02d}": other for k in range(5)})  # exact copies
    bodies.update({f"p{k:02d}": page for k, page in enumerate(_pages(rng, pool, 20, 40))})  # shared sentences
    keeping, lean = NearDuplicateFinder(), NearDuplicateFinder(keep_texts=False)
    for doc_id, body in bodies.items():
        keeping.add(doc_id, body)
        lean.add_sketch(doc_id, corpus.sketch(body))
    loaded: list[str] = []

    def load(doc_id: str) -> str:
        loaded.append(doc_id)
        return bodies[doc_id]

    calls: list[tuple[int, int]] = []
    found = lean.groups(load, variants=False, progress=lambda done, total: calls.append((done, total)))
    assert [g.to_dict() for g in found] == [g.to_dict() for g in keeping.groups(variants=False)]
    assert sorted(sorted(g.ids) for g in found) == [sorted(k for k in bodies if k[0] == p) for p in "nx"]
    assert not any(doc_id.startswith("x") for doc_id in loaded)  # equal digests: no body read back
    assert calls[0] == (0, calls[-1][1]) and calls[-1] == (calls[-1][1],) * 2 and calls[-1][1] > 0
    with pytest.raises(rectify_parse.ConfigError, match="keeps texts"):
        keeping.add_sketch("new", corpus.sketch(base))


def _subset(text: str) -> tuple[str, int]:
    import numpy as np

    return corpus._subset(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32))


def test_the_similarity_bound_is_never_below_the_similarity_and_refuses_reordered_text() -> None:
    from rapidfuzz.distance import Indel

    han = (Path(rectify_parse.__file__).parent / "common_chars.txt").read_text(encoding="utf-8").strip()[:800]
    rng = random.Random(13)
    pool = ["".join(rng.choice(han) for _ in range(30)) + "。" for _ in range(60)]
    base = "".join(pool[:40])
    texts = [base, *_one_word_copies(rng, base, 3), *_pages(rng, pool, 6, 40), base[:600], base[::-1]]
    refused = 0
    for a in texts:
        for b in texts:
            similarity = Indel.normalized_similarity(a, b)
            assert corpus.similarity_bound(_subset(a), _subset(b), len(a) + len(b)) >= similarity - 1e-12
            cut = corpus.similarity_bound(_subset(a), _subset(b), len(a) + len(b), 0.9)
            assert cut >= similarity - 1e-12 if similarity >= 0.9 else cut == 0.0 or cut >= 0.9
            refused += cut == 0.0
    # The same forty sentences in another order share nearly every shingle; the bound alone refuses them.
    shuffled = "".join(rng.sample(pool[:40], 40))
    assert corpus.similarity_bound(_subset(base), _subset(shuffled), 2 * len(base)) < 0.9
    assert corpus.similarity_bound(_subset(base), _subset(shuffled), 2 * len(base), 0.9) == 0.0
    assert refused > len(texts) ** 2 // 2


@pytest.mark.parametrize(
    "body",
    [
        "详见附件。",  # too short
        "啊" * 400,  # long, one distinct shingle
        "一二三四五六七八九十" * 8,  # ten distinct shingles
        "".join(chr(0x4E00 + k) for k in range(36)),  # 32 distinct shingles, too few sampled
        (CORPUS / "a1.txt").read_text(encoding="utf-8"),
    ],
)
def test_a_sketch_is_the_signature_of_the_sampled_distinct_shingles(body: str) -> None:
    matching = corpus.matching_text(body)
    hashes = corpus.shingle_hashes(matching)
    expected = corpus.signature(corpus.sample_shingles(hashes)).tobytes() if len(hashes) >= corpus.MIN_SHINGLES else b""
    sketch = corpus.sketch(body)
    assert sketch.signature == expected and sketch.length == len(matching)


def test_matching_text_by_table_equals_folding_the_line_key() -> None:
    from rectify_parse.normalize import fold
    from rectify_parse.repeats import line_key
    from rectify_parse.script import fold_scripts

    every = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000)
    assert corpus.matching_text(every) == fold_scripts(fold(line_key(every)))
    astral = "第𠀀条　全角ＡＢＣ１２３，臺灣𝟙😀"  # astral characters, kept, folded or dropped one by one
    assert corpus.matching_text(astral) == fold_scripts(fold(line_key(astral)))
    assert corpus.matching_text("關於反覆檢查，臺灣") == "关于反复检查台湾"  # script folded


def _planted(seed: int) -> dict[str, str]:
    """Bodies in a shuffled order: groups of 2-12 one-word copies, exact copies, pages sharing sentences in
    another order (candidates that verification refuses), and short bodies."""
    han = (Path(rectify_parse.__file__).parent / "common_chars.txt").read_text(encoding="utf-8").strip()[:800]
    rng = random.Random(seed)
    pool = ["".join(rng.choice(han) for _ in range(30)) + "。" for _ in range(120)]
    bodies: list[tuple[str, str]] = []
    for g in range(8):
        base = _pages(rng, pool, 1, rng.randint(20, 60))[0]
        copies = _one_word_copies(rng, base, rng.randint(1, 11))
        bodies += [(f"g{g}-{k:02d}", body) for k, body in enumerate([base, *copies])]
    other = _pages(rng, pool, 1, 40)[0]
    bodies += [(f"x{k}", other) for k in range(4)]
    bodies += [(f"p{k:02d}", page) for k, page in enumerate(_pages(rng, pool, 30, 40))]
    bodies += [(f"s{k}", "详见附件。") for k in range(3)]
    rng.shuffle(bodies)
    return dict(bodies)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("start", ["first", "halfway"])
def test_following_gives_the_groups_found_at_the_end(seed: int, start: str) -> None:
    bodies = _planted(seed)
    at_end, following = NearDuplicateFinder(keep_texts=False), NearDuplicateFinder(keep_texts=False)
    read: list[str] = []

    def load(doc_id: str) -> str:
        read.append(doc_id)
        return bodies[doc_id]

    if start == "first":
        following.follow(load)
    for k, (doc_id, body) in enumerate(bodies.items()):
        at_end.add_sketch(doc_id, corpus.sketch(body))
        following.add_sketch(doc_id, corpus.sketch(body), lambda body=body: body)
        if start == "halfway" and k == len(bodies) // 2:
            following.follow(load)  # the documents so far are searched and verified here
    calls: list[tuple[int, int]] = []
    found = following.groups(variants=False, progress=lambda done, total: calls.append((done, total)))
    expected = at_end.groups(load, variants=False)
    assert [g.to_dict() for g in found] == [g.to_dict() for g in expected]
    planted: dict[str, list[str]] = {}
    for doc_id in bodies:
        if doc_id[0] in "gx":
            planted.setdefault(doc_id.split("-")[0] if doc_id[0] == "g" else "x", []).append(doc_id)
    assert sorted(sorted(g.ids) for g in found) == sorted(sorted(ids) for ids in planted.values() if len(ids) > 1)
    assert calls and calls[-1][0] == calls[-1][1]
    keeping = NearDuplicateFinder()
    keeping.follow()
    for doc_id, body in bodies.items():
        keeping.add(doc_id, body)
    assert [g.to_dict() for g in keeping.groups()] == [g.to_dict() for g in _kept(bodies).groups()]


def _kept(bodies: dict[str, str]) -> NearDuplicateFinder:
    finder = NearDuplicateFinder()
    for doc_id, body in bodies.items():
        finder.add(doc_id, body)
    return finder


def test_the_band_key_table_pairs_each_row_with_the_rows_the_sort_pairs_it_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A small first table grows many times, a few slots at a time; a small bucket limit cuts the walks back
    # through the buckets; small blocks spread the band keys over many.
    monkeypatch.setattr(corpus, "_FIRST_SLOTS", 64)
    monkeypatch.setattr(corpus, "_GROW_BLOCK", 16)
    monkeypatch.setattr(corpus, "MAX_BUCKET_CHECKS", 3)
    monkeypatch.setattr(corpus, "_BLOCK", 8)
    monkeypatch.setattr(corpus, "_BLOCK_ENTRIES", 8 * corpus.BANDS)
    bodies = {**_planted(4), **{f"q{k}": body for k, body in _planted(5).items()}}
    finder = NearDuplicateFinder(keep_texts=False)
    finder.follow(bodies.__getitem__)
    live = finder._live
    assert live is not None
    found: set[tuple[str, str]] = set()
    real = corpus._Live._earlier

    def earlier(self: Any, row: int) -> list[int]:
        rows = real(self, row)
        ids = [finder._ids[finder._owners[r]] for r in (row, *rows)]
        found.update((min(ids[0], other), max(ids[0], other)) for other in ids[1:])
        return rows

    monkeypatch.setattr(corpus._Live, "_earlier", earlier)
    for doc_id, body in bodies.items():
        finder.add_sketch(doc_id, corpus.sketch(body))
    assert len(live.slots) > 64 and found and found == finder._candidates()
    entries = [e - 1 for e in live.slots if e]
    flat = [key for block in finder._band_keys for key in block.reshape(-1).tolist()]
    assert len(entries) == live.used == len({(e % corpus.BANDS, flat[e]) for e in entries})
    assert len(finder._band_keys) > 10 and len(live.keys) == len(finder._band_keys)


def test_the_bound_refuses_by_the_counts_of_characters_outside_the_subset() -> None:
    import numpy as np

    han = (Path(rectify_parse.__file__).parent / "common_chars.txt").read_text(encoding="utf-8").strip()
    rng = random.Random(17)
    a = "".join(rng.choice(han[:400]) for _ in range(3000))
    b = "".join(rng.choice(han[400:800]) for _ in range(3000))  # other characters, in the same places
    pa, pb = (corpus._subset(np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32)) for t in (a, b))
    assert corpus.similarity_bound(pa, pb, 6000) < 0.5  # counting alone: few characters in common
    assert corpus.similarity_bound(pa, pb, 6000, 0.9) == 0.0
    assert corpus.similarity_bound(pa, pa, 6000, 0.9) == 1.0
