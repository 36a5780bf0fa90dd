"""Which stored agencies a question means: exact, loose, fuzzy, and across the 2025 renaming."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.answering.question import Question
from knowledge.agencies import agency_key, resolve_agency
from knowledge.recurrence import due_date
from knowledge.succession import Alias, agency_family

if TYPE_CHECKING:
    from bot.answering.library_view import LibraryView


def loose(key: str) -> str:
    """An agency key without punctuation: "các sở ngành" finds "Các sở, ngành phụ trách …"."""
    return " ".join(re.findall(r"\w+", key))


class AgencyLookup:
    """The stored agencies of the library view (with their `loose` keys) that names and questions mean."""

    def __init__(self, view: LibraryView) -> None:
        self.view = view

    def ids(self, names: list[str], provinces: list[str]) -> list[int]:
        """Stored agencies a question's names mean, with their other names across the 2025 renaming."""
        direct = [i for name in names for i in self._ids_of(name, provinces)]
        return list(dict.fromkeys(direct + list(self._aliases(names, provinces))))

    def _aliases(self, names: list[str], provinces: list[str]) -> dict[int, Alias]:
        """Agency id → the alias it was found by, for agencies matched only through a renaming."""
        direct = {i for name in names for i in self._ids_of(name, provinces)}
        out: dict[int, Alias] = {}
        for name in names:
            for alias in agency_family(name):
                for i in self._ids_of(alias.name, provinces):
                    if i not in direct:
                        out.setdefault(i, alias)
        return out

    def across_renaming(self, rows: list[dict[str, Any]], q: Question, lead_only: bool) -> list[dict[str, Any]]:
        """Keep a duty found through another name of the agency only where that name meant it then,
        and note the renaming beside it."""
        aliases = self._aliases(q.agencies, q.provinces)
        if not aliases:
            return rows
        names = {a["id"]: a["name"] for a in self.view.agencies}
        direct = {names[i] for name in q.agencies for i in self._ids_of(name, q.provinces)
                  if i not in aliases and i in names}
        out = []
        for r in rows:
            ids = set(r.get("agency_ids") or [])
            if direct & set(r["agencies"] + ([] if lead_only else r["cooperating"])):
                out.append(r)
                continue
            doc_date = r.get("issued_date") or (f"{r['year_hint']}-07-01" if r.get("year_hint") else None)
            if not doc_date and not isinstance(r["due"], dict):  # an undated news item: its duty's own date
                last = due_date(r["due"], r.get("relation"))
                doc_date = last.isoformat() if last else None
            via = [i for i in ids if i in aliases and aliases[i].applies_to(doc_date)]
            if via:
                r["notes"] = {names[i]: aliases[i].shown for i in via if i in names}
                out.append(r)
        return out

    def _ids_of(self, name: str, provinces: list[str]) -> list[int]:
        pool = [a for a in self.view.agencies if not provinces or a["province"] in provinces]
        known = [a["name"] for a in pool]
        key = loose(agency_key(name))
        hits = [a["id"] for a in pool if a["loose"] == key]
        if not hits:
            hits = [a["id"] for a in pool if key in a["loose"] or a["loose"] in key and len(a["key"]) > 8]
        if not hits:
            resolved = set(resolve_agency(name, known))
            hits = [a["id"] for a in pool if a["name"] in resolved]
        return hits

    def ids_named(self, name: str) -> list[int]:
        """Stored agencies of exactly this name (one per province that has it)."""
        return [a["id"] for a in self.view.agencies if a["name"] == name]

    def known_names(self) -> list[str]:
        return sorted({a["name"] for a in self.view.agencies})

    def resolve(self, text: str) -> str | None:
        """The stored agency name `text` means (aliases, abbreviations, typos), or None."""
        hits = resolve_agency(text, self.known_names()) if text.strip() else []
        return hits[0] if hits else None
