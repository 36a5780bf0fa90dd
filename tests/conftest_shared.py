"""Where the shared corpus and eval data live (beside the checkout), for tests and benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
EVAL = SHARED / "eval"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

needs_shared = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the checkout")


def gold() -> dict:
    return json.loads((EVAL / "gold_facts.json").read_text(encoding="utf-8"))["documents"]


def questions() -> list[dict]:
    return [json.loads(line) for line in (EVAL / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
