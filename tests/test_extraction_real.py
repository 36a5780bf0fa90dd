"""Deadline extraction on real directives nobody here wrote, scored with the shared rule
(../shared/eval/scoring.py, imported, not copied). The thresholds are the figures README.md states."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from knowledge.extract import parse_and_extract
from knowledge.reader import read_path
from tests.conftest_shared import CORPUS, EVAL, gold, needs_shared

pytestmark = needs_shared

# The figures README.md states (section "Extraction quality"); measured 2026-12-02.
README_F1_EXCERPTS = 0.919
README_F1_REAL_DOCS = 0.92
README_F1_DEV_STRICT = 1.00


@pytest.fixture(scope="module")
def scoring():
    sys.path.insert(0, str(EVAL))
    import scoring as shared_scoring

    return shared_scoring


def _predict(row: dict, base: Path) -> list[dict]:
    if row.get("file"):
        raw = read_path(base / row["file"], 100 * 1024 * 1024)
        _, facts = parse_and_extract(row["id"], raw.text, raw.name, raw.format)
    else:
        _, facts = parse_and_extract(row["id"], row.get("text", ""), row["id"] + ".txt")
    return [d.as_json() for d in facts.deadlines]


def _f1(scoring, gold_file: Path) -> float:
    hits = gold_n = pred_n = 0
    for line in gold_file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        h, g, p, _ = scoring.score_deadlines(row.get("deadlines", []), _predict(row, gold_file.parent))
        hits, gold_n, pred_n = hits + h, gold_n + g, pred_n + p
    precision, recall = hits / max(pred_n, 1), hits / max(gold_n, 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"{gold_file.name}: P={precision:.2f} R={recall:.2f} F1={f1:.2f} ({hits}/{gold_n}, {pred_n} predicted)")
    return f1


def test_real_excerpts_f1(scoring) -> None:
    assert _f1(scoring, EVAL / "real_excerpts.jsonl") >= README_F1_EXCERPTS


@pytest.mark.skipif(not (EVAL / "real_docs" / "gold.jsonl").exists(), reason="real_docs not present")
def test_real_docs_f1(scoring) -> None:
    assert _f1(scoring, EVAL / "real_docs" / "gold.jsonl") >= README_F1_REAL_DOCS


def _expanded(scoring, name: str) -> str:
    text = scoring.fold(name)
    for short, full in scoring.ABBREVIATIONS.items():
        text = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", full, text)
    return re.sub(r"\s+", " ", text).strip(" .,;")


def test_dev_directives_strict(scoring) -> None:
    """Strict rule: same due time and the same lead agency (equal names after folding and
    abbreviations; one containing the other does not count)."""
    hits = total = predicted = 0
    for doc_id, g in gold().items():
        _, facts = parse_and_extract(doc_id, (CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8"))
        preds = [d.as_json() for d in facts.deadlines]
        predicted += len(preds)
        used: set[int] = set()
        for d in g["deadlines"]:
            total += 1
            lead = _expanded(scoring, d["agencies"][0]) if d["agencies"] else None
            for i, p in enumerate(preds):
                if i in used or scoring.due_key(p["due"]) != scoring.due_key(d["due"]):
                    continue
                if lead is None or (p["agencies"] and _expanded(scoring, p["agencies"][0]) == lead):
                    used.add(i)
                    hits += 1
                    break
    precision, recall = hits / max(predicted, 1), hits / max(total, 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"dev strict: P={precision:.2f} R={recall:.2f} F1={f1:.2f}")
    assert f1 >= README_F1_DEV_STRICT
