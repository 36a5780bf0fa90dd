"""Extraction quality on the five real directives against the hand-annotated gold facts."""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest

from knowledge.extract import parse_and_extract
from tests.conftest_shared import CORPUS, EVAL, gold, needs_shared

pytestmark = needs_shared


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


# The figures README.md states for the dev directives.
README_PRECISION = 1.00
README_RECALL = 1.00


@pytest.fixture(scope="module")
def scoring() -> Any:
    """The shared matching rule (../shared/eval/scoring.py), imported, not copied."""
    sys.path.insert(0, str(EVAL))
    import scoring as shared_scoring

    return shared_scoring


def _score(scoring: Any) -> dict:
    hits = n_pred = n_gold = 0
    targets_found = targets_total = 0
    meta_ok = meta_total = 0
    for doc_id, g in gold().items():
        doc, facts = parse_and_extract(doc_id, (CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8"))
        h, gn, pn, _ = scoring.score_deadlines(g["deadlines"], [d.as_json() for d in facts.deadlines])
        hits, n_gold, n_pred = hits + h, n_gold + gn, n_pred + pn
        values = {_digits(t.value) for t in facts.targets + facts.results}
        in_text = [t for t in g["targets"] if _digits(t["value"]) and _digits(t["value"]) in _digits(doc.text)]
        targets_total += len(in_text)
        targets_found += sum(_digits(t["value"]) in values for t in in_text)
        got = {"issuer": doc.issuer, "signer": doc.signer, "type": doc.type, "number": doc.number,
               "issued_date": doc.issued_date.isoformat() if doc.issued_date else None}
        for key, want in ((k, g.get(k)) for k in got):
            meta_total += 1
            meta_ok += got[key] == want
    return {"precision": hits / n_pred, "recall": hits / n_gold, "targets": targets_found / targets_total,
            "metadata": meta_ok / meta_total}


def test_gold_figures_meet_the_bar(scoring: Any) -> None:
    s = _score(scoring)
    print("extraction:", {k: round(v, 3) for k, v in s.items()})
    assert s["precision"] >= README_PRECISION
    assert s["recall"] >= README_RECALL
    assert s["targets"] == 1.0
    assert s["metadata"] == 1.0
