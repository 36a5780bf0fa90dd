"""Plain data classes that flow from reading to storing: document, sections, facts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any


@dataclass
class Section:
    """One block of the body (numbered item, bullet or paragraph) with its place in the outline."""

    idx: int
    kind: str  # part | item | bullet | paragraph | footnote
    number: str  # "II", "2.1", "-" / "+" for bullets, "" for paragraphs
    path: str  # outline path of numbered ancestors, e.g. "V.1"
    label: str  # human citation label, e.g. "Mục V.1, ý 2"
    heading: str  # heading text of a numbered item (up to the first colon), else ""
    text: str
    start: int
    end: int
    level: int
    parent: int | None
    footnotes: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # a table row: its table's header cells, in order


@dataclass
class Document:
    doc_id: str
    text: str
    type: str | None = None
    number: str | None = None
    issuer: str | None = None
    province: str | None = None
    place: str | None = None
    issued_date: date | None = None
    issued_month: str | None = None  # "2025-12" when the header gives the month but leaves the day blank
    year_hint: int | None = None
    signer: str | None = None
    signer_title: str | None = None
    title: str | None = None
    addressees: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    footnotes: dict[str, str] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    source_name: str = ""
    format: str = "txt"

    def section(self, idx: int) -> Section:
        return self.sections[idx]

    def ancestors(self, sec: Section) -> list[Section]:
        """Outer sections first, the section itself excluded."""
        chain: list[Section] = []
        cur = sec.parent
        while cur is not None:
            chain.append(self.sections[cur])
            cur = self.sections[cur].parent
        return chain[::-1]


@dataclass
class Deadline:
    agencies: list[str]
    cooperating: list[str]
    due: str | dict[str, Any]
    relation: str  # before | on | within
    task: str
    quote: str
    section: str
    section_idx: int = -1
    year_inferred: bool = False
    due_text: str = ""
    report_to: list[str] = field(default_factory=list)  # who receives the result; not responsible
    needs_review: bool = False  # weak or conflicting evidence: a person should check it
    time: str | None = None  # "16:00" when the limit names an hour
    why: str = ""  # which rules gave the agency and the due time (`extract --explain`)
    confidence: float = 1.0  # how sure the reader is of doer and time, 0–1 (knowledge.decision)
    kind: str = "duty"  # duty (a limit) | goal (a goal with a year)
    decision: Any = field(default=None, repr=False, compare=False)  # knowledge.decision.Decision

    def __post_init__(self) -> None:
        if self.decision is not None:  # the decision record is the one source of confidence and review
            self.confidence = self.decision.confidence
            self.needs_review = self.decision.needs_review
            self.agencies = list(self.decision.choice.agencies) if self.decision.choice else self.agencies

    def as_json(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(replace(self, decision=None)).items()
                if k not in ("section_idx", "why", "decision")}
        if data["time"] is None:
            data.pop("time")
        return data


@dataclass
class Duty:
    """A duty with no fixed limit (`thường xuyên`, or no time stated): listed for its agency
    (`/coquan`), never reminded on and not counted among deadlines."""

    agencies: list[str]
    cooperating: list[str]
    task: str
    quote: str
    section: str
    section_idx: int = -1

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("section_idx")
        return data


@dataclass
class Target:
    metric: str
    value: str
    unit: str
    year: str | None
    scope: str | None
    quote: str
    section: str
    section_idx: int = -1
    number: float | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("section_idx")
        return data


@dataclass
class Facts:
    deadlines: list[Deadline] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    results: list[Target] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)  # without a fixed limit
    # times that are no deadline, with the decision that says why (section label, decision): `--explain`
    left_out: list[tuple[str, Any]] = field(default_factory=list)
