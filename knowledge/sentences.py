"""Sentence and clause boundaries in a section's one-line text (positions kept)."""

from __future__ import annotations

import re

from knowledge.text import UPPER

_NUMBERING = re.compile(r"(?:[IVX]+|\d{1,2}(?:\.\d{1,2})*)\.?|[a-zđ]\)|\d+\)")
# A sentence starts at any Vietnamese capital (`Đề nghị …`, `Ủy ban …` too).
_SENT_END = re.compile(rf"(?<=[.!?])\s+(?=[{UPPER}])|(?<=\./\.)\s+")


MAX_SENTENCE = 1500


def _wrap(start: int, end: int, text: str) -> list[tuple[int, int]]:
    """Cut an over-long span at `;`, `,` or a space so per-sentence work stays bounded."""
    spans = []
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        cut = max(text.rfind(";", start, limit), text.rfind(",", start, limit), text.rfind(" ", start, limit))
        cut = cut + 1 if cut > start + MAX_SENTENCE // 2 else limit
        spans.append((start, cut))
        start = cut
    spans.append((start, end))
    return spans


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences: a full stop followed by a capitalised word ends one."""
    return [w for s, e in _sentences(text) for w in _wrap(s, e, text)]


def _sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        if _NUMBERING.fullmatch(text[pos:m.start()].strip()):
            continue
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def clause_start(text: str, pos: int, floor: int = 0) -> int:
    """Start of the clause that contains `pos`: after the last `;` (or `:` of a lead-in) before it."""
    cut = max(text.rfind(";", floor, pos), floor - 1)
    return cut + 1
