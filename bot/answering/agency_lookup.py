"""Which stored agencies a question means: exact, loose, fuzzy, and across the 2025 renaming."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.answering import answer_texts as T
from bot.answering.question import Question
from knowledge.agencies import agency_key, resolve_agency
from knowledge.recurrence import due_date
from knowledge.succession import Alias, agency_family

if TYPE_CHECKING:
    from bot.answering.library_view import LibraryView


def loose(key: str) -> str:
    """An agency key without punctuation: "các sở ngành" finds "Các sở, ngành phụ trách …"."""
    return " ".join(re.findall(r"\w+", key))


# A class of agencies is written with unit nouns alone (`Các sở, ban, ngành`, `UBND xã, phường`,
# `Ủy ban nhân dân các xã, phường, đặc khu`); two spellings of a class are the same when one's nouns
# hold the other's, and a unit (`Sở Y tế`, `UBND xã Đạ Huoai`) belongs to a class holding its head nouns.
_UNIT_NOUNS = re.compile(r"(?<![a-z])(?:uy ban nhan dan|co quan|don vi|dia phuong|doan the|dac khu|thi tran|"
                         r"so|ban|nganh|xa|phuong|huyen)(?![a-z])")
_FILLER = re.compile(r"(?<![a-z])(?:cac|va|cap tinh|cua tinh|cap|lien quan|co lien quan|truc thuoc)(?![a-z])")
_LEVELS = {"xa", "phuong", "dac khu", "huyen", "thi tran"}  # `UBND xã` is every commune's committee
_MEMBER_HEAD = re.compile(r"^(?:(so|ban) |uy ban nhan dan (xa|phuong|dac khu|huyen|thi tran) )(?=[a-z])")


def _plain(key: str) -> str:
    return loose(key).replace("ubnd", "uy ban nhan dan")


def class_nouns(key: str) -> frozenset[str] | None:
    """The unit nouns of a name that stands for a class of agencies; None for one agency."""
    plain = _plain(key)
    nouns = frozenset(_UNIT_NOUNS.findall(plain))
    rest = _FILLER.sub(" ", _UNIT_NOUNS.sub(" ", plain)).split()
    plural = re.search(r"(?<![a-z])(?:cac|cap)(?![a-z])", plain) or len(nouns - {"uy ban nhan dan"}) > 1
    if not nouns or rest or not (plural or nouns & _LEVELS):
        return None
    return nouns


def same_class(asked: frozenset[str], stored: frozenset[str]) -> bool:
    """`Các sở, ngành` is `Các sở, ban, ngành`; `UBND xã, phường` is `Ủy ban nhân dân xã`."""
    return asked <= stored or (stored <= asked and len(stored) > 1)


def member_head(key: str) -> frozenset[str] | None:
    """The class nouns one agency belongs under: `Sở Y tế` → {sở}, `UBND xã Đạ Huoai` → {UBND, xã}."""
    m = _MEMBER_HEAD.match(_plain(key))
    if not m or class_nouns(key) is not None:
        return None
    return frozenset({m.group(1)} if m.group(1) else {"uy ban nhan dan", m.group(2)})


IDS_REMEMBERED = 4096  # names whose stored agencies are remembered (questions may name any text)


class AgencyLookup:
    """The stored agencies of the library view (with their `loose` keys) that names and questions mean."""

    def __init__(self, view: LibraryView) -> None:
        self.view = view
        self._names: tuple[list[dict[str, Any]], list[str]] | None = None  # (view.agencies, their names)
        # (view.agencies, (name, provinces) → ids): a question asks `_ids_of` the same names several times
        self._found: tuple[list[dict[str, Any]], dict[tuple[str, tuple[str, ...]], tuple[int, ...]]] | None = None

    def ids(self, names: list[str], provinces: list[str]) -> list[int]:
        """Stored agencies a question's names mean, with their other names across the 2025 renaming and
        the collectives (`Các sở, ban, ngành`) that hold them."""
        direct = [i for name in names for i in self._ids_of(name, provinces)]
        return list(dict.fromkeys(direct + list(self._aliases(names, provinces))
                                  + list(self._collectives(names, provinces))))

    def _collectives(self, names: list[str], provinces: list[str]) -> dict[int, str]:
        """Stored collective id → the asked unit it holds (`Các sở, ban, ngành` holds `Sở Y tế`), for a
        unit no duty names itself: its own duties, led or shared, come first and alone."""
        out: dict[int, str] = {}
        for name in names:
            head = member_head(agency_key(name))
            if head is None or self.view.has_duties(self._ids_of(name, provinces)):
                continue
            for a in self._pool(provinces):
                nouns = class_nouns(a["key"])
                if nouns is not None and head <= nouns:
                    out.setdefault(a["id"], name)
        return out

    def _pool(self, provinces: list[str]) -> list[dict[str, Any]]:
        return [a for a in self.view.agencies if not provinces or a["province"] in provinces]

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
        and note the renaming beside it; a duty found through a collective says so."""
        self._mark_collectives(rows, q)
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

    def _mark_collectives(self, rows: list[dict[str, Any]], q: Question) -> None:
        """`Các sở, ban, ngành (việc chung, gồm cả Sở Y tế)` beside a duty the asked unit has only as one
        of a collective."""
        held = self._collectives(q.agencies, q.provinces)
        if not held:
            return
        names = {a["id"]: a["name"] for a in self.view.agencies}
        direct = {names[i] for name in q.agencies for i in self._ids_of(name, q.provinces) if i in names}
        for r in rows:
            if direct & set(r["agencies"] + r["cooperating"]):
                continue
            via = {names[i]: member for i, member in held.items() if i in names}
            notes = {n: T.COLLECTIVE_NOTE.format(collective=n, member=via[n])
                     for n in r["agencies"] + r["cooperating"] if n in via}
            if notes:
                r["notes"] = {**(r.get("notes") or {}), **notes}
                r["via_collective"] = True

    def _ids_of(self, name: str, provinces: list[str]) -> list[int]:
        """Stored agencies of this name: the same words, a longer or shorter form, another spelling of
        the same class (`UBND xã, phường` for `Ủy ban nhân dân xã`), or what the resolver finds; worked
        out once per name until the view's refresh swaps its agencies."""
        agencies = self.view.agencies
        held = self._found
        if held is None or held[0] is not agencies or len(held[1]) > IDS_REMEMBERED:
            held = self._found = (agencies, {})
        key = (name, tuple(provinces))
        found = held[1].get(key)
        if found is None:
            found = held[1][key] = tuple(self._find_ids(name, provinces, agencies))
        return list(found)

    def _find_ids(self, name: str, provinces: list[str], agencies: list[dict[str, Any]]) -> list[int]:
        pool = [a for a in agencies if not provinces or a["province"] in provinces]
        key = loose(agency_key(name))
        hits = [a["id"] for a in pool if a["loose"] == key]
        if not hits:
            hits = [a["id"] for a in pool if key in a["loose"] or a["loose"] in key and len(a["key"]) > 8]
        asked = class_nouns(agency_key(name))
        if asked is not None:
            hits += [a["id"] for a in pool if (nouns := class_nouns(a["key"])) is not None and same_class(asked, nouns)]
        if not hits:
            resolved = set(resolve_agency(name, [a["name"] for a in pool]))
            hits = [a["id"] for a in pool if a["name"] in resolved]
        return list(dict.fromkeys(hits))

    def ids_named(self, name: str) -> list[int]:
        """Stored agencies of exactly this name (one per province that has it)."""
        return [a["id"] for a in self.view.agencies if a["name"] == name]

    def known_names(self) -> list[str]:
        """The stored agencies' names, sorted; worked out again only after the view's refresh swapped its
        agencies (callers only read the list)."""
        agencies = self.view.agencies
        held = self._names
        if held is None or held[0] is not agencies:
            held = self._names = (agencies, sorted({a["name"] for a in agencies}))
        return held[1]

    def resolve(self, text: str) -> str | None:
        """The stored agency name `text` means (aliases, abbreviations, typos), or None."""
        hits = resolve_agency(text, self.known_names()) if text.strip() else []
        return hits[0] if hits else None
