"""What kind of time a due-time expression is, from the words around it (rules in
knowledge/rules/kinds.toml): a duty's limit, a goal with a year, or no deadline at all.

Only `duty` and `goal` become deadlines; the other kinds are kept in the decision record so that
`extract --explain` shows why a date was left out.
"""

from __future__ import annotations

from knowledge.agencies import fold_aligned
from knowledge.duetime import DueMatch, find_due_times
from knowledge.rulebook import rule

DEADLINE_KINDS = ("duty", "goal")
_YEAR_KINDS = ("year", "year_until", "year_goal")
PLAN_PERIOD_REACH = 100  # characters before a year searched for the plan-period words that lead to it
_REQUEST = rule("kinds", "puts_to_work")  # a request that puts someone to work, not the noun


def _clause(folded: str, due: DueMatch) -> tuple[str, str]:
    """The words of the due time's clause before and after it (clauses end at `;` and sentence stops)."""
    start = max(folded.rfind(";", 0, due.start), folded.rfind(". ", 0, due.start)) + 1
    stops = [i for i in (folded.find(";", due.end), folded.find(". ", due.end)) if i != -1]
    return folded[start:due.start], folded[due.end:min(stops) if stops else len(folded)]


def sentence_kind(folded: str, has_subject: bool) -> str | None:
    """A kind that holds for every time of the sentence, or None."""
    text = folded.strip()
    if rule("kinds", "purpose").match(text):
        return "purpose"
    if rule("kinds", "statute").match(text) and not has_subject:
        return "statute"
    observed = rule("kinds", "observation").match(text)
    if observed and not _REQUEST.search(text, observed.end()):
        return "observation"
    return None


def time_kind(folded: str, due: DueMatch, matches: list[DueMatch], first_agency: int,
              in_heading: bool = False) -> str:
    """The kind of one due time in a sentence (`folded`: the sentence folded to lowercase ASCII;
    `in_heading`: the sentence is the title of a part, which names a period, not a limit)."""
    if due.start < first_agency and rule("kinds", "horizon").match(folded, due.end):
        return "horizon"
    topic = rule("kinds", "topic").match(folded)
    if topic and due.end <= topic.end():
        return "topic"
    if due.relation != "before" and rule("kinds", "expected").search(folded, 0, due.start):
        return "expected"
    if due.relation != "before" and due.start < first_agency and rule("kinds", "purpose_lead").match(
            folded[:due.start]) and _REQUEST.search(folded, due.end):
        return "purpose"
    if due.kind not in _YEAR_KINDS:
        return "duty"
    if in_heading:
        return "heading period"
    before, after = _clause(folded, due)
    window = folded[max(0, due.start - PLAN_PERIOD_REACH):due.end]
    period = next((m for m in rule("kinds", "plan_period").finditer(window)
                   if m.end() >= len(window) - (due.end - due.start)), None)
    if period or rule("kinds", "period_after").match(folded, due.end):
        return "plan_period"
    if any(other.specificity > 1 for other in matches if other is not due) and (
            rule("kinds", "opening_year").match(before) or after.lstrip().startswith(",")):
        return "scope beside a precise limit"
    if rule("kinds", "target_after").match(folded, due.end):
        return "target statement"
    if rule("kinds", "goal_cue").search(before) or rule("kinds", "goal_cue").search(after):
        return "goal"
    if rule("kinds", "aspiration").search(before):
        return "aspiration"
    if rule("kinds", "ongoing").search(before):
        return "ongoing"
    return "plan_period" if due.kind == "year_until" else "duty"


def has_limit(text: str, year_hint: int | None) -> bool:
    """Whether a text states a time of its own that is a deadline (a plan's name `… đến năm 2030` is not)."""
    matches = find_due_times(text, year_hint)
    folded = fold_aligned(text).lower()
    return any(time_kind(folded, m, matches, len(text)) in DEADLINE_KINDS for m in matches)
