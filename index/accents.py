"""Put diacritics back on a question typed without them, for the dense side of search only.

BM25 already matches folded text, but multilingual-e5 barely understands unaccented Vietnamese:
on the dev questions dense search finds 5/20 answers in the top 5 for folded questions against
15/20 for accented ones, and 15/20 again after this restoration. Each folded syllable gets the
accented form that best fits its neighbours (Viterbi over syllable bigrams) according to the
indexed passages themselves, plus a few question words and the province names that directives
never contain in question form.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from knowledge.provinces import PROVINCES
from knowledge.text import fold

ACCENTS_FILE = "accents.json"
_WORD = re.compile(r"\w+")
_SPLIT = re.compile(r"(\w+)")
LAMBDA = 0.8  # bigram LM interpolation: context beats raw frequency ("bao nhiêu", not the commoner "báo")
NUM = "#"  # every number is one token, so "nam 2024" restores to "năm 2024"
SEED_COUNT = 50  # pseudo-count of the built-in phrases below
SEED_PHRASES = [
    "bao nhiêu", "khi nào", "ở đâu", "là gì", "làm gì", "những gì", "như thế nào", "vì sao", "tại sao",
    "mấy", "ai", "nào", "hạn chót", "thời hạn", "trước ngày", "cơ quan nào", "đơn vị nào", "có phải",
    *PROVINCES,
]


def needs_restoring(text: str) -> bool:
    """True for text with letters but no diacritics at all (how people type on a bare keyboard)."""
    return any(ch.isalpha() for ch in text) and fold(text) == text.lower()


class AccentRestorer:
    """Word statistics of the indexed text; read-only after construction.

    The counts may come in several tables (one per index segment, see index.segments); lookups add
    them up, so a delta segment's new words count without copying the base's tables.
    """

    def __init__(self, unigrams: dict[str, int], bigrams: dict[str, int],
                 more: list[AccentRestorer] | tuple[AccentRestorer, ...] = ()) -> None:
        self.unigrams = unigrams
        self.bigrams = bigrams
        self._tables = [(unigrams, bigrams), *((m.unigrams, m.bigrams) for m in more)]
        forms: dict[str, set[str]] = {}
        for uni, _ in self._tables:
            for word in uni:
                if word != NUM:
                    forms.setdefault(fold(word), set()).add(word)
        self._forms = {k: sorted(v) for k, v in forms.items()}
        self._total = max(sum(sum(uni.values()) for uni, _ in self._tables), 1)

    def combined(self, other: AccentRestorer) -> AccentRestorer:
        """Statistics of both segments' text."""
        return AccentRestorer(self.unigrams, self.bigrams, [other])

    def _unigram(self, word: str) -> int:
        return sum(uni.get(word, 0) for uni, _ in self._tables)

    def _bigram(self, pair: str) -> int:
        return sum(bi.get(pair, 0) for _, bi in self._tables)

    def _logp(self, prev: str | None, word: str) -> float:
        """log P(word | prev): bigram relative frequency interpolated with the unigram frequency."""
        unigram = (self._unigram(word) + 0.5) / self._total
        seen = self._unigram(prev) if prev is not None else 0
        if not seen:
            return math.log(unigram)
        bigram = self._bigram(f"{prev} {word}") / seen
        return math.log(LAMBDA * bigram + (1 - LAMBDA) * unigram)

    @classmethod
    def build(cls, texts: Iterable[str], seeded: bool = True) -> AccentRestorer:
        """Counts of `texts` (streamed), plus the built-in phrases unless this is a delta beside a seeded base."""
        uni: Counter[str] = Counter()
        bi: Counter[str] = Counter()
        seeds = ((p, SEED_COUNT) for p in SEED_PHRASES) if seeded else iter(())
        for text, weight in itertools.chain(((t, 1) for t in texts), seeds):
            words = [NUM if w.isdigit() else w.lower() for w in _WORD.findall(text)]
            for w in words:
                uni[w] += weight
            for a, b in zip(words, words[1:], strict=False):
                bi[f"{a} {b}"] += weight
        return cls(dict(uni), dict(bi))

    def save(self, directory: Path) -> None:
        data = {"unigrams": self.unigrams, "bigrams": self.bigrams}
        (directory / ACCENTS_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> AccentRestorer | None:
        """None for builds made before restoration existed: queries are then embedded as typed."""
        path = directory / ACCENTS_FILE
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["unigrams"], data["bigrams"])

    def restore(self, text: str) -> str:
        """Most likely accented spelling of an unaccented text; unknown words stay as typed."""
        parts = _SPLIT.split(text)
        slots = range(1, len(parts), 2)
        # Viterbi state: accented form of the previous word -> (score, chosen forms so far)
        paths: dict[str | None, tuple[float, list[str]]] = {None: (0.0, [])}
        for i in slots:
            word = NUM if parts[i].isdigit() else parts[i].lower()
            candidates = self._forms.get(word, [word]) if word == fold(word) else [word]
            step: dict[str | None, tuple[float, list[str]]] = {}
            for cand in candidates:
                step[cand] = max(
                    (score + self._logp(prev, cand), chosen + [cand]) for prev, (score, chosen) in paths.items()
                )
            paths = step
        chosen = max(paths.values())[1]
        for i, form in zip(slots, chosen, strict=True):
            typed = parts[i]
            if form != NUM:
                parts[i] = form[:1].upper() + form[1:] if typed[:1].isupper() else form
        return "".join(parts)
