"""What an answer is, for every front end: text, citations and the facts behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Citation:
    doc_id: str
    section: str
    quote: str
    source: str


@dataclass
class Answer:
    question: str
    intent: str
    found: bool
    text: str
    citations: list[Citation] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    more: str = ""

    def as_json(self, qid: str | None = None) -> dict[str, Any]:
        return {
            "id": qid, "question": self.question, "intent": self.intent, "found": self.found,
            "answer": self.text, "citations": [c.__dict__ for c in self.citations], "facts": self.facts,
        }
