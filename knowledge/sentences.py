"""Sentence and clause boundaries in a section's one-line text (positions kept)."""

from __future__ import annotations

import re

_NUMBERING = re.compile(r"(?:[IVX]+|\d{1,2}(?:\.\d{1,2})*)\.?|[a-zđ]\)|\d+\)")
_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[^\W\d_a-zà-ỹđ])|(?<=\./\.)\s+")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences: a full stop followed by a capitalised word ends one."""
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
