"""What a person should check after a directive is read: deadlines without an agency, years the
reader had to infer, and limits counted from an event (shown, never reminded on)."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.model import Facts

# Kinds in the order a reviewer should look at them (a missing agency keeps a duty from its reminders).
KINDS = ("no_agency", "year_inferred", "relative")
MAX_QUOTE = 160


@dataclass(frozen=True)
class ReviewItem:
    kind: str  # one of KINDS
    quote: str


def review_items(facts: Facts) -> list[ReviewItem]:
    """One item per deadline and reason, in KINDS order."""
    items: list[ReviewItem] = []
    for kind in KINDS:
        for d in facts.deadlines:
            relative = isinstance(d.due, dict) and "relative" in d.due
            hit = {"no_agency": not d.agencies, "year_inferred": d.year_inferred, "relative": relative}[kind]
            if hit:
                quote = d.quote if len(d.quote) <= MAX_QUOTE else d.quote[:MAX_QUOTE].rsplit(" ", 1)[0] + "…"
                items.append(ReviewItem(kind, quote))
    return items


def review_counts(items: list[ReviewItem]) -> dict[str, int]:
    return {k: sum(1 for i in items if i.kind == k) for k in KINDS if any(i.kind == k for i in items)}
