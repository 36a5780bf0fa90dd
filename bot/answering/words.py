"""Which words of a question and of a text count: content syllables, adjacent pairs (a stand-in for
Vietnamese two-syllable words) and the syllables of place names. Shared by the passage and fact answers."""

from __future__ import annotations

import functools

from bot.answering.question import Question
from knowledge.text import syllables

QUESTION_WORDS = frozenset({
    "ai", "gio", "khi", "may", "sao", "vi", "vay", "thi", "lam", "phai", "can", "truoc", "sau", "han",
    "viec", "lan", "toi", "ke", "sap", "da", "dang", "con", "het", "nhung", "hom", "nay", "mai", "tuan",
    "quy", "ky", "thoi", "diem", "vao", "luc", "hang", "chua", "roi", "tong", "nhat", "cao", "thap",
    "nhieu", "it", "yeu", "cau", "giao", "gom", "noi", "dung", "ty", "le",
})
_STOP = set(["cua", "va", "cac", "la", "gi", "nao", "the", "nao", "bao", "nhieu", "co", "khong", "duoc", "trong", "nam", "thang", "ngay", "tinh", "o", "tai", "cho", "voi", "den"])


def place_syllables(q: Question) -> set[str]:
    """Syllables of the provinces a question names: they select documents, they say nothing of the topic."""
    return {s for p in q.provinces for s in syllables(p)}


@functools.lru_cache(maxsize=65_536)
def bigrams(text: str) -> frozenset[str]:
    """Adjacent folded syllable pairs: a stand-in for Vietnamese two-syllable words; cached as
    content_syllables is, the same duties being scored for many questions."""
    syl = syllables(text)
    return frozenset(f"{a}_{b}" for a, b in zip(syl, syl[1:], strict=False))


@functools.lru_cache(maxsize=65_536)
def content_syllables(text: str) -> frozenset[str]:
    """Content syllables of a text; cached because the same stored facts are scored for many questions."""
    return frozenset(s for s in syllables(text) if s not in _STOP and not s.isdigit())
