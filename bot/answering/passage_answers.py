"""Answers from passages: which question words matter, whether a passage is on topic, and the
quote that answers when no stored fact does."""

from __future__ import annotations

import functools
import re
from typing import Any

from bot.answering import answer_texts as T
from bot.answering.answer_model import Answer
from bot.answering.question import Question
from knowledge.text import syllables

_QUESTION_WORDS = frozenset({
    "ai", "gio", "khi", "may", "sao", "vi", "vay", "thi", "lam", "phai", "can", "truoc", "sau", "han",
    "viec", "lan", "toi", "ke", "sap", "da", "dang", "con", "het", "nhung", "hom", "nay", "mai", "tuan",
    "quy", "ky", "thoi", "diem", "vao", "luc", "hang", "chua", "roi", "tong", "nhat", "cao", "thap",
    "nhieu", "it", "yeu", "cau", "giao", "gom", "noi", "dung", "ty", "le",
})
ON_TOPIC_SHARE = 0.4  # share of the informative syllables a quoted passage must contain as whole words
COMMON_WORD_SHARE = 0.2  # a word in more than this share of passages says little about relevance
_STOP = set(["cua", "va", "cac", "la", "gi", "nao", "the", "nao", "bao", "nhieu", "co", "khong", "duoc", "trong", "nam", "thang", "ngay", "tinh", "o", "tai", "cho", "voi", "den"])


def _place_syllables(q: Question) -> set[str]:
    """Syllables of the provinces a question names: they select documents, they say nothing of the topic."""
    return {s for p in q.provinces for s in syllables(p)}


def _bigrams(text: str) -> set[str]:
    """Adjacent folded syllable pairs: a stand-in for Vietnamese two-syllable words."""
    syl = syllables(text)
    return {f"{a}_{b}" for a, b in zip(syl, syl[1:], strict=False)}


@functools.lru_cache(maxsize=65_536)
def _content(text: str) -> frozenset[str]:
    """Content syllables of a text; cached because the same stored facts are scored for many questions."""
    return frozenset(s for s in syllables(text) if s not in _STOP and not s.isdigit())


class PassageAnswers:
    """Mixin of the Answerer: relevance of passages and the quote answer (needs `_searcher`, `_citation`,
    `_source_line`)."""

    def _best_sentences(self, q: Question, text: str, n: int = 2) -> str:
        parts = [p.strip() for p in re.split(r"(?<=[.;!?])\s+", text) if p.strip()]
        if not parts:
            return text[:300]
        want = _content(q.expanded)
        scored = sorted(parts, key=lambda p: -len(want & _content(p)))
        keep = set(scored[:n])
        return " ".join(p for p in parts if p in keep)[:600]

    def _informative(self, q: Question) -> set[str]:
        """Question words that tell passages apart: not the province, not words most passages use."""
        searcher = self._searcher
        return {s for s in _content(q.expanded) - _place_syllables(q) - _QUESTION_WORDS
                if searcher is None or searcher.lexical.share(s) <= COMMON_WORD_SHARE}

    def _relevant(self, q: Question, hits: list[Any]) -> bool:
        """Does the best passage share enough meaningful words with the question?"""
        if not hits:
            return False
        want = _content(q.expanded)
        overlap = max(len(want & _content(h.text)) for h in hits[:3])
        return overlap >= max(2, min(4, len(want) // 3))

    def _on_topic(self, q: Question, hits: list[Any]) -> bool:
        """Stricter bar for quoting a passage as the whole answer: it must share the question's
        informative words, so "thời tiết hôm nay" is not answered by "kịp thời … đến nay"."""
        if not self._relevant(q, hits):
            return False
        rare = self._informative(q)
        if not rare:
            return True
        # Vietnamese words are mostly two syllables: "thời tiết" must not match "kịp thời … đến nay".
        words = {b for b in _bigrams(q.expanded) if rare.intersection(b.split("_"))}
        if words:
            covered = max(len(rare & {s for b in words & _bigrams(h.text) for s in b.split("_")}) for h in hits[:3])
            return covered >= ON_TOPIC_SHARE * len(rare)
        rare_overlap = max(len(rare & _content(h.text)) for h in hits[:3])
        return rare_overlap >= max(1, min(3, len(rare) // 2))

    def _quote_answer(self, q: Question, hits: list[Any]) -> Answer:
        rare = self._informative(q)
        ordered = sorted(hits[:3], key=lambda h: -len(rare & _content(h.text)))  # stable: rank breaks ties
        ordered += hits[3:]
        top = ordered[0]
        quote = self._best_sentences(q, top.quote)
        cites = [self._citation(h.doc_id, h.section, self._best_sentences(q, h.quote, 1)) for h in ordered[:3]]
        text = f"{T.QUOTE_HEAD}\n«{quote}»\n{self._source_line(top.doc_id, top.section)}"
        return Answer(q.text, q.intent, True, text, cites, [])
