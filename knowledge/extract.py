"""One entry point from text to facts: parse the structure, then deadlines, targets and results."""

from __future__ import annotations

from typing import Any

from knowledge.duties import extract_deadlines
from knowledge.model import Document, Duty, Facts
from knowledge.structure import parse_document
from knowledge.targets import extract_targets


def extract(doc: Document) -> Facts:
    targets, results = extract_targets(doc)
    duties: list[Duty] = []
    left_out: list = []
    deadlines = extract_deadlines(doc, undated=duties, left_out=left_out)
    return Facts(deadlines=deadlines, targets=targets, results=results, duties=duties, left_out=left_out)


def parse_and_extract(doc_id: str, text: str, source_name: str = "", fmt: str = "txt") -> tuple[Document, Facts]:
    doc = parse_document(doc_id, text, source_name, fmt)
    return doc, extract(doc)


def facts_json(doc: Document, facts: Facts) -> dict[str, Any]:
    """The `directive-bot extract --json` shape (same as ../shared/eval/gold_facts.json)."""
    return {
        "doc_id": doc.doc_id, "type": doc.type, "number": doc.number, "issuer": doc.issuer,
        "issued_date": doc.issued_date.isoformat() if doc.issued_date else None, "signer": doc.signer,
        "title": doc.title,
        "deadlines": [d.as_json() for d in facts.deadlines],
        "targets": [t.as_json() for t in facts.targets],
        "results": [t.as_json() for t in facts.results],
        "duties": [d.as_json() for d in facts.duties],
    }
