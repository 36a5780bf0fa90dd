"""Answers from passages: the search, which question words matter, whether a passage is on topic,
and the quote that answers when no stored fact does."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.answering import answer_texts as T
from bot.answering import typed_answers as typed
from bot.answering.answer_model import Answer
from bot.answering.library_view import LibraryView
from bot.answering.question import Question, expand_abbreviations
from bot.answering.sources import Sources
from bot.answering.words import QUESTION_WORDS, bigrams, content_syllables, place_syllables

ON_TOPIC_SHARE = 0.4  # share of the informative syllables a quoted passage must contain as whole words
COMMON_WORD_SHARE = 0.2  # a word in more than this share of passages says little about relevance
WINDOW_ROW_DOCUMENTS = 3  # best passages whose documents' schedule rows a question about a period reads


class PassageAnswers:
    """The passage search of the library view, whether passages answer a question, and the quote answer."""

    def __init__(self, view: LibraryView, sources: Sources) -> None:
        self.view = view
        self.sources = sources

    def search(self, q: Question, k: int = 8, only: set[str] | None = None) -> list[Any]:
        searcher = self.view.searcher
        if searcher is None or (only is not None and not only):
            return []
        hits = searcher.search(q.expanded, k=k * 3 if q.provinces else k, only_doc_ids=only,
                               prefer_provinces=q.provinces or None)
        if q.provinces:
            hits = [h for h in hits if h.province in q.provinces]
        return hits[:k]

    def best_sentences(self, q: Question, text: str, n: int = 2) -> str:
        parts = [p.strip() for p in re.split(r"(?<=[.;!?])\s+", text) if p.strip()]
        if not parts:
            return text[:300]
        want = content_syllables(q.expanded)
        scored = sorted(parts, key=lambda p: -len(want & content_syllables(p)))
        keep = set(scored[:n])
        return " ".join(p for p in parts if p in keep)[:600]

    def informative(self, q: Question) -> set[str]:
        """Question words that tell passages apart: not the province, not words most passages use."""
        searcher = self.view.searcher
        return {s for s in content_syllables(q.expanded) - place_syllables(q) - QUESTION_WORDS
                if searcher is None or searcher.lexical.share(s) <= COMMON_WORD_SHARE}

    def relevant(self, q: Question, hits: list[Any]) -> bool:
        """Does the best passage share enough meaningful words with the question?"""
        if not hits:
            return False
        want = content_syllables(q.expanded)
        overlap = max(len(want & content_syllables(h.text)) for h in hits[:3])
        return overlap >= max(2, min(4, len(want) // 3))

    def on_topic(self, q: Question, hits: list[Any]) -> bool:
        """Stricter bar for quoting a passage as the whole answer: it must share the question's
        informative words, so "thời tiết hôm nay" is not answered by "kịp thời … đến nay"."""
        if not self.relevant(q, hits):
            return False
        rare = self.informative(q)
        if not rare:
            return True
        return any(self._covers(q, rare, h.text) for h in hits[:3])

    def _covers(self, q: Question, rare: set[str], text: str) -> bool:
        """Does `text` hold enough of the question's informative words, as whole words where it can?"""
        # Vietnamese words are mostly two syllables: "thời tiết" must not match "kịp thời … đến nay".
        words = {b for b in bigrams(q.expanded) if rare.intersection(b.split("_"))}
        if words:
            covered = len(rare & {s for b in words & bigrams(text) for s in b.split("_")})
            return covered >= ON_TOPIC_SHARE * len(rare)
        return len(rare & content_syllables(text)) >= max(1, min(3, len(rare) // 2))

    def typed(self, q: Question, hits: list[Any], on_topic_only: bool = False) -> typed.TypedAnswer | None:
        """The sentence or row holding the asked type (a share, a date, an agency…); with
        `on_topic_only`, only one whose passage holds the question's informative words itself, for
        when the top passages as a whole are off topic but a lower one answers."""
        window = (q.window.start, q.window.end) if q.window else None
        found = typed.best_typed(q.folded, q.expanded, [*hits, *self._rows_in(window, hits)],
                                 ignore=frozenset(place_syllables(q)), window=window, year_of=self._year)
        if found is None or not on_topic_only:
            return found
        rare = self._in_library(self.informative(q))
        text = expand_abbreviations(found.hit.text)
        return found if self.relevant(q, [found.hit]) and (not rare or self._covers(q, rare, text)) else None

    def _rows_in(self, window: tuple[date, date] | None, hits: list[Any]) -> list[Any]:
        """For a question about a period (`tháng tới sở nào lên sóng …`): the table rows of the documents the
        best passages come from that name a day in it. A schedule's rows are alike but for the agency and
        the day, so the search ranks none of them above the others; the day is what tells them apart."""
        searcher = self.view.searcher
        if window is None or searcher is None:
            return []
        seen = {getattr(h, "pid", None) for h in hits}
        out = []
        for doc_id in dict.fromkeys(h.doc_id for h in hits[:WINDOW_ROW_DOCUMENTS]):
            year = self._year(doc_id)
            for p in searcher.document_passages(doc_id):
                if " | " in p.quote and p.pid not in seen and typed.touches(typed.unit_dates(p.quote, year), window):
                    out.append(p)
        return out

    def passage_answer(self, q: Question, hits: list[Any]) -> Answer | None:
        """The sentence with the asked type when there is one, else the best passage; None when the
        passages are off topic and no lower one holds the asked value on topic."""
        on_topic = self.on_topic(q, hits)
        found = self.typed(q, hits, on_topic_only=not on_topic)
        if found:
            return self.typed_answer(q, found)
        return self.quote_answer(q, hits) if on_topic else None

    def _in_library(self, words: set[str]) -> set[str]:
        """Without the abbreviations no passage holds (`pcmt`, `tp`: no vowel, so no Vietnamese word): no
        passage can cover them. A real word no passage holds (`xăng`) stays: it says the topic is absent."""
        searcher = self.view.searcher
        return {w for w in words if searcher is None or re.search(r"[aeiouy]", w) or searcher.lexical.share(w) > 0}

    def typed_answer(self, q: Question, found: typed.TypedAnswer) -> Answer:
        """The asked value, normalised, over the sentence that holds it and its document and section."""
        hit = found.hit
        year = q.year or self._year(hit.doc_id)
        lines = typed.value_lines(found, year)
        if q.window and not {"date", "month"} & set(found.kinds):  # the day in the period asked, as officials write it
            days = [d for d in typed.unit_dates(found.sentence, year) if q.window.start <= d <= q.window.end]
            if days:
                lines.append(typed.value_line("date", ", ".join(f"{d.day}/{d.month}/{d.year}" for d in days)))
        cites = [self.sources.citation(hit.doc_id, hit.section, found.sentence)]
        text = "\n".join([*lines, f"«{found.sentence}»", self.sources.source_line(hit.doc_id, hit.section)])
        return Answer(q.text, q.intent, True, text, cites, [])

    def _year(self, doc_id: str) -> int | None:
        """The year of a document, for a day its table writes without one (`ngày 8 tháng 5`)."""
        d = self.view.docs.get(doc_id) or {}
        issued = str(d.get("issued_date") or "")
        return int(issued[:4]) if issued[:4].isdigit() else d.get("year_hint")

    def quote_answer(self, q: Question, hits: list[Any]) -> Answer:
        rare = self.informative(q)
        ordered = sorted(hits[:3], key=lambda h: -len(rare & content_syllables(h.text)))  # stable: rank breaks ties
        ordered += hits[3:]
        top = ordered[0]
        quote = self.best_sentences(q, top.quote)
        cites = [self.sources.citation(h.doc_id, h.section, self.best_sentences(q, h.quote, 1)) for h in ordered[:3]]
        text = f"{T.QUOTE_HEAD}\n«{quote}»\n{self.sources.source_line(top.doc_id, top.section)}"
        return Answer(q.text, q.intent, True, text, cites, [])
