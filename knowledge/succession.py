"""The 2025 reorganisation as data: which provinces, departments and ministries became which, and
under which legal act (knowledge/data/succession.json). Officials in 2026 ask with the new names about
directives written with the old ones, and the reverse; answers search both and say so."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from knowledge.text import fold

_DATA = Path(__file__).with_name("data") / "succession.json"


@dataclass(frozen=True)
class Change:
    old: str
    new: str
    since: str  # ISO date the new name applies from
    source: str  # the legal act

    def note_for_new(self) -> str:
        """Shown beside a duty written with the old name when the question used the new one."""
        return f"(trước {_month_year(self.since)} là {self.old})"

    def note_for_old(self) -> str:
        """Shown beside a duty written with the new name when the question used the old one."""
        return f"(từ {_month_year(self.since)} là {self.new})"


def _month_year(iso: str) -> str:
    return f"{int(iso[5:7])}/{iso[:4]}"


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[list[Change], list[Change], dict[str, list[str]]]:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    prov = data["provinces"]
    provinces = [Change(o, n, prov["since"], prov["source"]) for o, n in prov["merged_into"].items()]
    provinces += [Change(o, n, "2025-01-01", "Nghị quyết 1314/NQ-UBTVQH15 ngày 30/11/2024")
                  for o, n in prov["renamed"].items()]
    agencies: list[Change] = []
    for table, prefix in (("departments", "Sở "), ("ministries", "Bộ ")):
        t = data[table]
        agencies += [Change(prefix + o, prefix + n, t["since"], t["source"]) for o, n in t["merged_into"].items()]
    t = data["agencies"]
    agencies += [Change(o, n, t["since"], t["source"]) for o, n in t["merged_into"].items()]
    return provinces, agencies, data["province_aliases"]


def province_aliases() -> dict[str, list[str]]:
    """Short and everyday names of provinces (`TP.HCM`, `Sài Gòn`) → the canonical name."""
    return _tables()[2]


def province_changes(name: str) -> list[Change]:
    """Changes that link `name` to other province names (it merged into one, or others into it)."""
    return list(_province_changes(name))


@functools.lru_cache(maxsize=512)
def _province_changes(name: str) -> tuple[Change, ...]:
    key = fold(name)
    return tuple(c for c in _tables()[0] if key in (fold(c.old), fold(c.new)))


def province_family(name: str) -> list[str]:
    """`name`, its successor and every predecessor of that successor: where its directives may be filed."""
    return list(_province_family(name))


@functools.lru_cache(maxsize=512)  # the data never changes while the process runs: one answer per name
def _province_family(name: str) -> tuple[str, ...]:
    changes = _province_changes(name)
    heads = {c.new for c in changes if fold(c.old) == fold(name)} or {name}
    family = [name]
    for head in heads:
        family.append(head)
        family += [c.old for c in _tables()[0] if fold(c.new) == fold(head)]
    return tuple(dict.fromkeys(family))


def agency_changes(name: str) -> list[Change]:
    """Changes whose old or new name is `name` (folded comparison, a locality suffix allowed)."""
    return list(_agency_changes(name))


@functools.lru_cache(maxsize=2048)
def _agency_changes(name: str) -> tuple[Change, ...]:
    key = fold(name)
    out = []
    for c in _tables()[1]:
        old, new = fold(c.old), fold(c.new)
        if key in (old, new) or key.startswith((old + " ", new + " ")):
            out.append(c)
    return tuple(out)


@dataclass(frozen=True)
class Alias:
    """Another name of an agency across a change: its note, and whether it names the agency in
    documents from before (`predecessor`) or after (`successor`) the change's date."""

    name: str
    note: str
    side: str  # "predecessor" | "successor"
    since: str
    asked: str = ""  # the name the question used, which the note explains

    @property
    def shown(self) -> str:
        """How a duty found through this alias names its agency: `Sở Tài chính (trước 3/2025 là Sở Kế
        hoạch và Đầu tư)`, the name asked about with the one the document used."""
        return f"{self.asked} {self.note}".strip()

    def applies_to(self, doc_date: str | None) -> bool:
        """A predecessor's name means the agency asked about only in documents written before the
        change; a successor's only in documents written after (in 2019 `Sở Tài chính` was itself)."""
        if not doc_date:
            return False
        return doc_date < self.since if self.side == "predecessor" else doc_date >= self.since


def agency_family(name: str) -> list[Alias]:
    """The names `name` had or took: `Sở Tài chính` → `Sở Kế hoạch và Đầu tư` (predecessor, with the
    note `(trước 3/2025 là Sở Kế hoạch và Đầu tư)`), and the reverse."""
    return list(_agency_family(name))


@functools.lru_cache(maxsize=2048)  # the data never changes while the process runs: one answer per name
def _agency_family(name: str) -> tuple[Alias, ...]:
    out: list[Alias] = []
    for c in _agency_changes(name):
        if fold(name).startswith(fold(c.new)):
            out.append(Alias(c.old, c.note_for_new(), "predecessor", c.since, c.new))
        else:
            out.append(Alias(c.new, c.note_for_old(), "successor", c.since, c.old))
    return tuple(dict.fromkeys(out))
