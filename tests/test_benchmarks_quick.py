"""The benchmarks still run end to end and print the report shape the README and issues quote.

Why here: a benchmark nobody runs rots silently (a renamed function, a changed report key). These
tests run the quick modes as the CI would and check only structure and correctness flags; speed
goals are judged by the benchmarks themselves, never asserted in tests (timings vary by machine).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest_shared import needs_shared

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 1800  # seconds; a hung benchmark must fail the run, not stall it
RETRIEVAL_ARGS = ["--sizes", "300,1000", "--rounds", "1"]  # --quick (1k, 5k passages) embeds for minutes

pytestmark = [needs_shared, pytest.mark.slow, pytest.mark.benchmark]

SCALE_HEADLINE = {
    "passages", "ingest_store_extract_ms_per_document", "ingest_with_index_ms_per_document",
    "index_build_seconds", "incremental_reindex_seconds", "incremental_embedded", "incremental_reload_seconds",
    "second_incremental_reindex_seconds", "compaction_seconds", "question_p50_ms", "question_p95_ms",
    "question_with_delta_p95_ms", "reminder_plan_seconds", "reminder_run_seconds", "serve_rss_mb",
    "serve_anon_mb", "bot_peak_rss_mb", "full_build_peak_rss_mb", "compaction_peak_rss_mb",
    "fact_question_p50_ms", "fact_question_p95_ms", "store_mb",
}


def _run(script: str, *args: str) -> dict[str, Any]:
    """Run a benchmark as CI would and parse the one JSON object it prints on stdout."""
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], cwd=ROOT,
                         capture_output=True, text=True, timeout=TIMEOUT)
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(out.stdout)


def _values_named(word: str, tree: Any) -> Iterator[float]:
    """Every number under a key containing `word`, at any depth (the report's nesting may evolve)."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            if word in key and isinstance(value, int | float):
                yield value
            else:
                yield from _values_named(word, value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _values_named(word, value)


def test_scale_quick(tmp_path: Path) -> None:
    report = _run("scale.py", "--quick", "--workdir", str(tmp_path))
    assert report["benchmark"] == "scale" and report["mode"] == "quick"
    assert report["sizes"] == [20, 100]
    # Both backends where PostgreSQL is found (CI installs it), else SQLite alone and the reason why.
    backends = report["backends"]
    if report["postgresql"]["measured"]:
        assert backends == ["sqlite", "postgresql"] and report["postgresql"]["fsync"] == "on"
    else:
        assert backends == ["sqlite"] and report["postgresql"]["reason"]
    assert set(report["by_backend"]) == set(backends)
    for name, block in report["by_backend"].items():
        results = block["results"]
        assert [r["documents"] for r in results] == [20, 100]
        for result in results:
            assert result["backend"] == name and result["store_mb"]["backend"] == name
            assert set(result["headline"]) == SCALE_HEADLINE
            assert {"ingest", "index_build", "incremental_reindex", "questions", "reminders", "memory_mb",
                    "disk_mb", "store_mb"} <= set(result)
            assert result["index_build"]["passages"] > result["documents"]
            # The embedding cache keeps reindexing cheap (only the new document is embedded) and the
            # delta segment keeps it small (uploads never rebuild the base; compaction embeds nothing).
            for add in (result["incremental_reindex"], result["second_incremental_reindex"]):
                assert add["embedded_only_new_document"] is True
            assert 0 < result["incremental_reindex"]["delta_passages"] < result["second_incremental_reindex"]["delta_passages"]
            assert result["compaction"]["embedded"] == 0
            assert result["compaction"]["passages"] == result["second_incremental_reindex"]["passages_after"]
            questions = result["questions"]
            assert questions["timed"] > 0 and 0 <= questions["found_share"] <= 1
            assert 0 < questions["fact_questions"] <= questions["questions"] and questions["fact_p95_ms"] > 0
            reminders = result["reminders"]
            assert reminders["chats"] == 1000 and reminders["messages_rejected"] == 0
            assert reminders["stats"]["sent"] == reminders["chats_with_reminders"]
            assert result["memory_mb"]["build"]["peak"] > 0 and result["memory_mb"]["serve"]["peak"] > 0
            assert result["store_mb"]["store"] > 0
            if name == "postgresql":  # its embedding cache was filled from SQLite's: the build embeds nothing
                assert result["index_build"]["embedding_cache_seed"]["vectors"] > 0
                assert result["index_build"]["embedded"] == 0
        (step,) = block["growth"]
        assert (step["from_documents"], step["to_documents"]) == (20, 100)
        assert set(step["metrics"]) == SCALE_HEADLINE
        assert {t["metric"] for t in block["targets"]} == {
            "incremental_reindex_seconds", "reminder_run_seconds", "bot_peak_rss_mb", "compaction_peak_rss_mb"}
        for target in block["targets"]:
            assert {"limit", "value", "basis", "pass", "largest_measured"} <= set(target)
    # Side by side: the same directives, uploads, questions and reminders on every backend.
    rows = report["side_by_side"]
    assert [row["documents"] for row in rows] == [20, 100]
    for i, row in enumerate(rows):
        for name in backends:
            assert set(row[name]) == set(report["side_by_side_legend"])
        same = [report["by_backend"][name]["results"][i] for name in backends]
        for key in (("index_build", "passages"), ("incremental_reindex", "seed"),
                    ("incremental_reindex", "passages_after"), ("questions", "questions"),
                    ("questions", "fact_questions"), ("reminders", "today"), ("reminders", "items")):
            assert len({r[key[0]][key[1]] for r in same}) == 1, (key, [r[key[0]][key[1]] for r in same])
        if len(backends) == 2:
            assert set(row["postgresql_over_sqlite"]) == set(report["side_by_side_legend"])
    assert not list(tmp_path.glob("size-*")), "data directories are removed unless --keep"


def test_retrieval_small(tmp_path: Path) -> None:
    report = _run("retrieval.py", *RETRIEVAL_ARGS, "--workdir", str(tmp_path))
    assert {"shared_corpus_build", "sizes", "approx_vs_exact", "lexical_persistence"} <= set(report)
    sizes = report["sizes"]
    assert [s["size"] for s in sizes] == [300, 1000]
    for entry in sizes:
        assert entry["passages"] == entry["size"] and entry["rss_mb"] > 0
        # Latency key names are the benchmark's to choose; some p50/p95 pair must be there.
        assert any(isinstance(v, dict) and {"p50", "p95"} <= set(v) for v in entry.values())
        for part in ("query_embedding_ms", "retrieval_ms"):  # parts of the same timed queries
            for pct in ("p50", "p95"):
                assert entry[part][pct] <= entry["end_to_end_ms"][pct], (part, pct, entry)
    recalls = list(_values_named("recall", report["approx_vs_exact"]))
    assert recalls and all(0 <= r <= 1 for r in recalls)


def test_ocr_quick() -> None:
    """benchmarks/ocr.py --quick: the per-size shape the README's OCR table quotes."""
    report = _run("ocr.py", "--quick")
    assert "error" not in report, report  # .ci/run installs Tesseract
    assert [size["pages"] for size in report["sizes"]] == [1, 4]
    for size in report["sizes"]:
        assert {"seconds_per_page", "chars_per_second", "peak_rss_mb"} <= size.keys()
        assert size["progress_calls"] == size["pages"] and size["first_page_char_match"] > 0.9


def test_extraction_sets_quick() -> None:
    """benchmarks/extraction_sets.py --quick: every shared set scored, the overall figures and the timing
    probe the README's "Extraction quality" section quotes."""
    report = _run("extraction_sets.py", "--quick")
    assert report["benchmark"] == "extraction_sets" and report["mode"] == "quick"
    assert set(report["sets"]) == {"gold_facts", "real_excerpts", "real_docs", "real_plans", "national_texts"}
    for name, s in report["sets"].items():
        assert {"precision", "recall", "f1", "gold", "predicted", "matched", "unreviewed"} <= set(s), name
        assert 0 <= s["unreviewed"]["precision"] <= 1 and 0 <= s["unreviewed"]["coverage"] <= 1
    assert report["sets"]["gold_facts"]["rule"] == "strict" and "cli" not in report["sets"]["real_docs"]
    overall = report["overall"]
    assert overall["worst_set"]["name"] in report["sets"] and 0 <= overall["macro_f1"] <= 1
    probe = report["probe_100kb_single_line"]
    assert probe["bytes"] >= 100 * 1000 and probe["lines"] == 1 and {"seconds", "goal_seconds", "pass"} <= set(probe)
