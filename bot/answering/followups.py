"""Follow-up questions: a reply to the bot's answer that leaves out the document, the agency or the time
means those of the question answered (`còn năm 2027 thì sao?` after Sở Tài chính's 2026 limits asks
about Sở Tài chính in 2027). The parts of an answered question are kept per chat under the answer's
message id (bot/chat/question_handlers.py) and merged into the reply's parsed question here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from bot.answering.question import Question, TimeWindow

GENERAL = "general"  # the parser's intent for a question that says only `thì sao?`


@dataclass(frozen=True)
class Followup:
    """What a later reply may inherit from an answered question: plain values, so chat_data can hold it."""

    documents: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    window: tuple[str, str, str] | None = None  # start, end (ISO), phrase
    year: int | None = None
    intent: str = GENERAL
    overdue: bool = False

    @classmethod
    def of(cls, q: Question) -> Followup:
        window = (q.window.start.isoformat(), q.window.end.isoformat(), q.window.phrase) if q.window else None
        return cls(list(q.documents), list(q.agencies), list(q.provinces), window, q.year, q.intent, q.overdue)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def empty(self) -> bool:
        return not (self.documents or self.agencies or self.provinces or self.window or self.year)

    def merge_into(self, q: Question) -> Question:
        """Fill what the reply omits (document, agency, province, time, what it asks) from this question."""
        if not q.documents:
            q.documents = list(self.documents)
        if not q.agencies and not q.who:
            q.agencies = list(self.agencies)
        if not q.provinces:
            q.provinces = list(self.provinces)
        if not (q.window or q.year or q.exact_date):
            q.window = _window(self.window)
            q.year = self.year
        elif q.year and not (q.window or q.exact_date) and _whole_year(self.window):
            # `còn năm 2028 thì sao?` after a year's limits (`Các hạn chót trong năm 2027?`): that year's limits
            q.window = TimeWindow(date(q.year, 1, 1), date(q.year, 12, 31), f"nam {q.year}")
        if q.intent == GENERAL and self.intent != GENERAL:
            q.intent = self.intent
            q.overdue = q.overdue or self.overdue
        return q


def _whole_year(parts: tuple[str, str, str] | list[str] | None) -> bool:
    """Whether a kept window is one whole year (1/1–31/12), as a year asked for its limits gives."""
    return bool(parts) and parts[0][:4] == parts[1][:4] and parts[0][4:] == "-01-01" and parts[1][4:] == "-12-31"


def _window(parts: tuple[str, str, str] | list[str] | None) -> TimeWindow | None:
    if not parts:
        return None
    start, end, phrase = parts
    return TimeWindow(date.fromisoformat(start), date.fromisoformat(end), phrase)


def from_dict(data: dict[str, Any] | None) -> Followup | None:
    """A Followup kept in chat_data (None when there is none)."""
    if not data:
        return None
    window = data.get("window")
    return Followup(**{**data, "window": tuple(window) if window else None})
