"""One answer to "what is open for this agency": the duty occurrences of a period or of today's horizon,
each with its status, the agency's role (lead or cooperating, directly or through a collective such as
`Các sở, ngành`) and its review state.

Why one module: `/xong`, `/quahan`, `/hanchot`, reminders, `report` and `/baocao` used to pick an
agency's duties and decide "open" each its own way (exact key here, fuzzy name there, recurring duties
overdue in one and not the other), so `/xong` could say nothing was open while `/baocao` counted an
overdue duty. They all call `occurrences` / `open_duties` now; tests/test_open_duties.py checks that
their counts agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.tracking.completions import Completion, DutyTracker
from bot.tracking.duty_status import (
    DONE_STATUSES,
    DUE_SOON,
    OVERDUE,
    SOON_DAYS,
    duty_prefix,
    occurrence_key,
    status_of,
)
from bot.tracking.fact_cache import FactCache
from knowledge.agencies import agency_key, resolve_agency
from knowledge.schedule import OVERDUE_LOOKBACK_DAYS, Occurrence, expand
from knowledge.store import FactStore
from knowledge.succession import Alias, agency_family

LEAD = "lead"
COOPERATING = "cooperating"
REVIEWED = "reviewed"  # an admin confirmed or corrected it
TRUSTED = "trusted"  # read with confidence, never needed a review
NEEDS_REVIEW = "needs_review"  # waits for an admin: shown, never reminded

# Collectives as data: a duty given to `Các sở, ngành liên quan` is also every Sở's duty, one given to
# `UBND các huyện, thành phố` every district's. (collective key pattern, member key pattern), folded.
_SO = r"(?:so|ban) (?!chi dao)"
_DISTRICT = r"(?:ubnd |uy ban nhan dan )?(?:huyen|thanh pho|thi xa) "
COLLECTIVES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(c), re.compile(m)) for c, m in (
        (r"^cac (?:so|co quan|don vi)\b", "^" + _SO),
        (r"^(?:ubnd |uy ban nhan dan )?cac (?:huyen|dia phuong|thanh pho|thi xa)\b", "^" + _DISTRICT),
        (r"^cac co quan, don vi, dia phuong\b", "^" + _DISTRICT),
    )
)


def trusted(row: dict[str, Any]) -> bool:
    """A deadline the office may be reminded of: read with confidence, or confirmed or corrected by an admin.
    A reminder sent to the wrong Sở costs more trust than none (issue 18's review policy)."""
    return bool(row.get("reviewed")) or not row.get("needs_review")


def review_state(row: dict[str, Any]) -> str:
    if row.get("reviewed"):
        return REVIEWED
    return NEEDS_REVIEW if row.get("needs_review") else TRUSTED


def contains(collective_key: str, member_key: str) -> bool:
    """Whether the collective (`cac so, nganh lien quan`) includes the agency (`so xay dung`)."""
    return any(c.search(collective_key) and m.search(member_key) for c, m in COLLECTIVES)


@dataclass
class AgencyScope:
    """The stored agencies a name means: its own (every province, other spellings, abbreviations), the
    names of agencies merged into it in 2025 (in documents written before the merger), and collectives
    that hold it."""

    asked: list[str]
    names: set[str] = field(default_factory=set)
    aliases: dict[str, Alias] = field(default_factory=dict)
    collectives: set[str] = field(default_factory=set)
    ids: list[int] = field(default_factory=list)

    def role(self, row: dict[str, Any]) -> tuple[str, bool] | None:
        """(lead or cooperating, through a collective?) of the agency in deadline `row`; None: not its duty."""
        own = self.names | {n for n, a in self.aliases.items() if a.applies_to(_doc_date(row))}
        for role, names in ((LEAD, row.get("agencies") or []), (COOPERATING, row.get("cooperating") or [])):
            if own & set(names):
                return role, False
        for role, names in ((LEAD, row.get("agencies") or []), (COOPERATING, row.get("cooperating") or [])):
            if self.collectives & set(names):
                return role, True
        return None


def _doc_date(row: dict[str, Any]) -> str | None:
    issued = row.get("issued_date") or (f"{row['year_hint']}-07-01" if row.get("year_hint") else None)
    return str(issued)[:10] if issued else None


def _names_meant(asked: str, known: dict[str, str]) -> set[str]:
    """Stored names (key → name in `known`) an asked name means: the same key, names that begin with it
    as whole words (`UBND` → `UBND tỉnh`, `UBND các huyện`), or what the resolver finds (abbreviations, typos)."""
    key = agency_key(asked)
    if not key:
        return set()
    hits = {name for k, name in known.items() if k == key or k.startswith(key + " ")}
    if key.startswith("cac "):  # `Các sở, ngành` is the group a text writes `Các Sở, ban, ngành, đoàn thể` for
        words = set(re.findall(r"\w+", key))
        hits |= {name for k, name in known.items() if k.startswith("cac ") and words <= set(re.findall(r"\w+", k))}
    return hits or set(resolve_agency(asked, sorted(set(known.values()))))


def agency_scope(store: FactStore | FactCache, agencies: str | Sequence[str]) -> AgencyScope:
    """Everything `agencies` (one name or several) means in the store; `ids` are their store ids."""
    asked = [agencies] if isinstance(agencies, str) else [a for a in agencies if a]
    rows = (store.agency_rows() if isinstance(store, FactCache)
            else list(store.db.query("select id, name, key from agencies")))
    known = {r["key"]: r["name"] for r in rows}
    scope = AgencyScope(asked)
    for name in asked:
        scope.names |= _names_meant(name, known)
        for alias in agency_family(name):
            if alias.side != "predecessor":  # a merged agency inherits its predecessors' duties, not the reverse
                continue
            for meant in _names_meant(alias.name, known) - scope.names:
                scope.aliases.setdefault(meant, alias)
    members = {agency_key(n) for n in scope.names | set(scope.aliases)} | {agency_key(a) for a in asked}
    scope.collectives = {r["name"] for r in rows if any(contains(r["key"], m) for m in members)} - scope.names
    wanted = scope.names | set(scope.aliases) | scope.collectives
    scope.ids = [r["id"] for r in rows if r["name"] in wanted]
    return scope


@dataclass(frozen=True)
class DutyOccurrence:
    """One dated occurrence with what every path needs: status, key, role, review state, completion."""

    occurrence: Occurrence
    key: str
    status: str
    role: str | None = None  # LEAD / COOPERATING for an agency's list; None for every agency
    via_collective: bool = False
    review: str = TRUSTED
    done: Completion | None = None

    @property
    def on(self) -> date:
        return self.occurrence.on

    @property
    def deadline(self) -> dict[str, Any]:
        return self.occurrence.deadline

    @property
    def is_open(self) -> bool:
        return self.status not in DONE_STATUSES

    @property
    def recurring(self) -> bool:
        return isinstance(self.deadline.get("due"), dict)


def _rows(store: FactStore | FactCache, scope: AgencyScope | None, provinces: Sequence[str] | None,
          doc_ids: Iterable[str] | None, start: date, end: date) -> list[tuple[dict[str, Any], tuple[str, bool] | None]]:
    """Deadline rows of the scope (all when None) that may fall due in [start, end] (recurring ones, and
    one-off ones whose last day is in it), each with the agency's role in it."""
    if scope is not None and not scope.ids:
        return []
    rows = store.deadlines(agency_ids=scope.ids if scope else None, provinces=list(provinces) if provinces else None,
                           doc_ids=sorted(doc_ids) if doc_ids is not None else None, due_between=(start, end))
    if scope is None:
        return [(r, None) for r in rows]
    return [(r, role) for r in rows if (role := scope.role(r)) is not None]


def occurrences(store: FactStore | FactCache, tracker: DutyTracker, start: date, end: date, today: date,
                agency: str | Sequence[str] | AgencyScope | None = None, *, provinces: Sequence[str] | None = None,
                doc_ids: Iterable[str] | None = None,
                completions: dict[str, Completion] | None = None) -> list[DutyOccurrence]:
    """Every occurrence due in [start, end] (recurring duties once per period), with its status seen on `today`."""
    scope = agency_scope(store, agency) if isinstance(agency, (str, list, tuple)) else agency
    rows = _rows(store, scope, provinces, doc_ids, start, end)
    roles = {id(r): role for r, role in rows}
    prefixes: dict[int, str] = {}  # each row's wording digested once, not once per occurrence
    done = tracker.completions() if completions is None else completions
    out = []
    for occ in expand([r for r, _ in rows], start, end):
        prefix = prefixes.get(id(occ.deadline))
        if prefix is None:
            prefix = prefixes[id(occ.deadline)] = duty_prefix(occ.deadline)
        key = occurrence_key(prefix, occ.on)
        completion = done.get(key)
        role = roles[id(occ.deadline)]
        out.append(DutyOccurrence(occ, key, status_of(occ.on, today, completion.done_on if completion else None),
                                  role[0] if role else None, bool(role and role[1]), review_state(occ.deadline),
                                  completion))
    return out


@dataclass
class OpenDuties:
    """The open occurrences on `today`: overdue (last 90 days) and due soon (within 7 days), not done."""

    today: date
    overdue: list[DutyOccurrence]
    due_soon: list[DutyOccurrence]

    @property
    def items(self) -> list[DutyOccurrence]:
        return self.overdue + self.due_soon

    def trusted_only(self) -> OpenDuties:
        """What may be reminded: deadlines waiting for review are left out."""
        return OpenDuties(self.today, [o for o in self.overdue if o.review != NEEDS_REVIEW],
                          [o for o in self.due_soon if o.review != NEEDS_REVIEW])


def open_duties(store: FactStore | FactCache, tracker: DutyTracker, today: date,
                agency: str | Sequence[str] | AgencyScope | None = None, *,
                provinces: Sequence[str] | None = None, lookback_days: int = OVERDUE_LOOKBACK_DAYS,
                soon_days: int = SOON_DAYS, completions: dict[str, Completion] | None = None) -> OpenDuties:
    """Open work of an agency (or of all): every occurrence, one-off or recurring, due from `lookback_days`
    ago to `soon_days` ahead and not marked done, split into overdue and due soon (today counts as soon)."""
    found = occurrences(store, tracker, today - timedelta(days=lookback_days), today + timedelta(days=soon_days),
                        today, agency, provinces=provinces, completions=completions)
    still = [o for o in found if o.is_open]
    return OpenDuties(today, [o for o in still if o.status == OVERDUE], [o for o in still if o.status != OVERDUE])


__all__ = ["COOPERATING", "DUE_SOON", "LEAD", "NEEDS_REVIEW", "AgencyScope", "DutyOccurrence", "OpenDuties",
           "agency_scope", "contains", "occurrences", "open_duties", "review_state", "trusted"]
