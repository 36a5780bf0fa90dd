"""Extraction quality on the five real directives against the hand-annotated gold facts."""

from __future__ import annotations

import re

from knowledge.agencies import agency_key
from knowledge.extract import parse_and_extract
from tests.conftest_shared import CORPUS, gold, needs_shared

pytestmark = needs_shared


def _agency_match(pred: list[str], truth: list[str]) -> bool:
    """Same agency: equal folded names, or one name contains the other (e.g. with/without `tỉnh`)."""
    p = {agency_key(a) for a in pred}
    t = {agency_key(a) for a in truth}
    return any(a == b or a in b or b in a for a in p for b in t)


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _score() -> dict:
    tp_pred = n_pred = tp_gold = n_gold = 0
    targets_found = targets_total = 0
    meta_ok = meta_total = 0
    for doc_id, g in gold().items():
        doc, facts = parse_and_extract(doc_id, (CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8"))
        preds = facts.deadlines
        n_pred += len(preds)
        n_gold += len(g["deadlines"])
        tp_pred += sum(any(p.due == d["due"] and _agency_match(p.agencies, d["agencies"])
                           for d in g["deadlines"]) for p in preds)
        tp_gold += sum(any(p.due == d["due"] and _agency_match(p.agencies, d["agencies"]) for p in preds)
                       for d in g["deadlines"])
        values = {_digits(t.value) for t in facts.targets + facts.results}
        in_text = [t for t in g["targets"] if _digits(t["value"]) and _digits(t["value"]) in _digits(doc.text)]
        targets_total += len(in_text)
        targets_found += sum(_digits(t["value"]) in values for t in in_text)
        got = {"issuer": doc.issuer, "signer": doc.signer, "type": doc.type, "number": doc.number,
               "issued_date": doc.issued_date.isoformat() if doc.issued_date else None}
        for key, want in ((k, g.get(k)) for k in got):
            meta_total += 1
            meta_ok += got[key] == want
    return {"precision": tp_pred / n_pred, "recall": tp_gold / n_gold, "targets": targets_found / targets_total,
            "metadata": meta_ok / meta_total}


def test_gold_figures_meet_the_bar() -> None:
    s = _score()
    print("extraction:", {k: round(v, 3) for k, v in s.items()})
    assert s["precision"] >= 0.90
    assert s["recall"] >= 0.90
    assert s["targets"] == 1.0
    assert s["metadata"] == 1.0
