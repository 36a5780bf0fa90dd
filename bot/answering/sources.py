"""How an answer names the documents it quotes: the source label, the line under a quote, citations."""

from __future__ import annotations

from bot.answering import answer_texts as T
from bot.answering.answer_model import Citation
from bot.answering.library_view import LibraryView
from bot.labels import document_label


class Sources:
    def __init__(self, view: LibraryView) -> None:
        self.view = view

    def source(self, doc_id: str) -> str:
        d = self.view.docs.get(doc_id) or {}
        label = document_label(d.get("type"), d.get("number"), d.get("issued_date"), d.get("issuer"),
                               name=d.get("source_name") or doc_id, year=d.get("year_hint"))
        return f"{label} {T.FROM_OCR}" if d.get("ocr_confidence") is not None else label

    def source_line(self, doc_id: str, section: str) -> str:
        """`— <document>, <section>` under a quote (no dangling comma when the section has no label)."""
        return f"— {self.source(doc_id)}, {section}" if section else f"— {self.source(doc_id)}"

    def citation(self, doc_id: str, section: str, quote: str) -> Citation:
        return Citation(doc_id, section, quote[:300], self.source(doc_id))
