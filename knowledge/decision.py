"""The decision record of one time expression: what kind of time it is, who could be the doer (each
candidate with the evidence that names it), the choice, and a confidence from how the evidence agrees.

One resolver decides every deadline the same way, whether the time sits in a sentence, a table row, a
field line or a heading: the layouts only differ in the evidence they offer. `extract --explain`
prints the record; `confidence` and `needs_review` go out with each deadline, so that what the reader
is unsure of goes to a person (review) instead of out as a reminder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How often each kind of evidence names the right doer, as a prior (0–1). Ordered by how directly the
# text ties the agency to the time: the clause's own subject or the object of `giao`/`đề nghị`, a lead
# column or a `Đơn vị chủ trì:` line, are read off the same unit of text; an enclosing heading or the
# addressees are one step away; a subject carried over or the agencies last told are guesses across
# sentences. Measured on the shared sets (real_excerpts, real_docs, real_plans, national_texts, 2026-12-06):
# the share of right deadlines among those whose choice came from each kind (`benchmarks/extraction_sets.py`
# prints it), rounded down to 0.05; kinds seen fewer than five times keep the prior of their layer.
EVIDENCE_WEIGHT: dict[str, float] = {
    "clause subject": 0.9,  # `…; Sở B báo cáo … trước ngày 15`: the subject of the due time's own clause (prior)
    "sentence subject": 0.95,  # `Sở Y tế chủ trì … trước ngày …`, `Giao Sở X …`, `Đề nghị các Bộ …` (49/51)
    "field line": 0.95,  # `Đơn vị chủ trì: …` beside `Thời gian hoàn thành: …` (10/10)
    "table lead column": 0.95,  # the `Cơ quan chủ trì` cell of a duty table's row (127/133)
    "lead-in": 0.9,  # `Giao Sở Nội vụ:` before the items a), b), c) it assigns (7/7)
    "enclosing item": 0.9,  # the agency an enclosing numbered item or heading opens with (37/40)
    "previous sentence": 0.9,  # the subject carried from the sentence before, same paragraph (15/16)
    "time frame item": 0.85,  # an item under a heading or lead-in that sets the time frame (30/34)
    "inspecting agency": 0.8,  # the agency told to inspect, for the rows of an inspection schedule (prior)
    "request granted": 0.8,  # `Đồng ý … như đề nghị của Bộ X` (prior)
    "file handed over": 0.75,  # `gửi Sở X thẩm định, trình … trước ngày …` (prior)
    "item assigning by number": 0.8,  # `Giao Sở X thực hiện nội dung tại mục 1` (prior)
    "addressees": 0.75,  # `Kính gửi:` of a letter whose request names `các đơn vị` / `Quý cơ quan` (prior)
    "reporting chain": 0.6,  # the next link of a periodic reporting chain, its day not given (prior)
    "agencies last told": 0.6,  # a request or submission naming no one, given to those told last (prior)
}
# Doubts that lower the confidence of the choice, as factors. A year filled in from the document, a goal
# rather than a limit, a collective that names no agency, or a second candidate as strong as the choice
# that names someone else: each is a way the shared sets' wrong deadlines were wrong.
DOUBT_FACTOR: dict[str, float] = {
    "no doer": 0.0,
    "year inferred": 0.85,
    "goal with a year": 0.85,
    "collective doer": 0.8,
    "two close candidates": 0.75,
    "guessed table role": 0.8,
    # `hằng tháng` with no day: often a period inside a noun (`chỉ số … hằng tháng`, `lương hưu hằng tháng`),
    # and no day to remind on. Half of the wrong un-reviewed deadlines of the shared sets were of this form.
    "period without a day": 0.75,
}
# Evidence that stands for "whoever else is meant": the addressees of a letter, the agencies told last.
# It fills a gap but never competes with evidence the text gives nearer the time.
FALLBACK_EVIDENCE = ("addressees", "agencies last told", "reporting chain")
# Evidence read off the same unit of text as the time: it overrides what the headings around say.
DIRECT_EVIDENCE = ("clause subject", "sentence subject", "field line", "table lead column")
AGREEMENT_BONUS = 0.05  # a second kind of evidence naming the same doer
CLOSE_MARGIN = 0.1  # candidates whose weights differ by less than this compete
REVIEW_BELOW = 0.75  # under it a deadline is `needs_review`: the lowest threshold that kept the un-reviewed
# deadlines ≥ 0.94 right on every shared set (0.70 let bare periods and guessed years through)


@dataclass(frozen=True)
class Candidate:
    """A possible doer and the evidence that names it (`mentions`: where the text names it, if it does)."""

    evidence: str
    agencies: tuple[str, ...]
    detail: str = ""
    mentions: tuple = field(default=(), compare=False, repr=False)

    @property
    def weight(self) -> float:
        return EVIDENCE_WEIGHT.get(self.evidence, 0.5)


@dataclass
class Decision:
    kind: str  # duty | goal (deadlines) or a kind that is not one (see knowledge.time_kinds)
    due_words: str
    candidates: list[Candidate] = field(default_factory=list)
    choice: Candidate | None = None
    confidence: float = 0.0
    doubts: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return self.confidence < REVIEW_BELOW

    def explain(self) -> str:
        """The record as `extract --explain` prints it."""
        lines = [f"  time: `{self.due_words}` → {self.kind}"]
        for c in self.candidates:
            mark = "*" if c is self.choice else " "
            lines.append(f"   {mark} {c.evidence} ({c.weight:.2f}): {', '.join(c.agencies) or '—'}"
                         + (f" [{c.detail}]" if c.detail else ""))
        doubts = f"; doubts: {', '.join(self.doubts)}" if self.doubts else ""
        lines.append(f"  confidence {self.confidence:.2f}{' → needs review' if self.needs_review else ''}{doubts}")
        return "\n".join(lines)


_COLLECTIVE_WORDS = ("cac don vi", "cac co quan", "don vi lien quan", "co quan lien quan", "cac dia phuong",
                     "cac nganh", "quy co quan", "cac don vi, dia phuong")


def _collective(agencies: tuple[str, ...]) -> bool:
    """A doer that names no agency (`các đơn vị liên quan`): someone must say who."""
    from knowledge.agencies import fold_aligned

    return all(fold_aligned(a).lower().strip() in _COLLECTIVE_WORDS for a in agencies)


def decide(kind: str, due_words: str, candidates: list[Candidate], doubts: list[str] | None = None) -> Decision:
    """The first candidate (callers list them in precedence order) is chosen; the confidence is its
    evidence's weight, raised when another kind of evidence agrees and lowered by each doubt."""
    doubts = list(doubts or [])
    named = [c for c in candidates if c.agencies]
    choice = named[0] if named else None
    if choice is None:
        return Decision(kind, due_words, candidates, None, 0.0, [*doubts, "no doer"])
    confidence = choice.weight
    others = [c for c in named[1:] if c.evidence != choice.evidence and c.evidence not in FALLBACK_EVIDENCE]
    if any(set(c.agencies) == set(choice.agencies) for c in others):
        confidence = min(1.0, confidence + AGREEMENT_BONUS)
    elif choice.evidence not in DIRECT_EVIDENCE and any(
            c.weight >= choice.weight - CLOSE_MARGIN and not set(c.agencies) & set(choice.agencies) for c in others):
        doubts.append("two close candidates")
    if _collective(choice.agencies):
        doubts.append("collective doer")
    if kind == "goal":
        doubts.append("goal with a year")
    for doubt in doubts:
        confidence *= DOUBT_FACTOR.get(doubt, 1.0)
    return Decision(kind, due_words, candidates, choice, round(confidence, 2), doubts)


_GIVEN_DOUBTS = ("year inferred", "guessed table role", "period without a day")  # doubts a caller states; decide() finds the others


def with_candidate(decision: Decision, candidate: Candidate) -> Decision:
    """The decision again, with a doer that another layout names (a field line, an item assigning this
    one by number) ahead of the others."""
    given = [d for d in decision.doubts if d in _GIVEN_DOUBTS]
    return decide(decision.kind, decision.due_words, [candidate, *decision.candidates], given)


def due_doubts(due: object, year_inferred: bool) -> list[str]:
    """The doubts a due time itself raises: a year filled in from the document, a period with no day."""
    doubts = ["year inferred"] if year_inferred else []
    if isinstance(due, dict) and set(due) == {"every"}:
        doubts.append("period without a day")
    return doubts


def single(evidence: str, agencies: list[str], due_words: str, kind: str = "duty",
           doubts: list[str] | None = None, detail: str = "") -> Decision:
    """The decision for a layout that offers one candidate (a table row, a field block)."""
    return decide(kind, due_words, [Candidate(evidence, tuple(agencies), detail)] if agencies else [], doubts)
