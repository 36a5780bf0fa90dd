"""The fact store: documents, sections, agencies, deadlines, targets and results.

Plain tables with readable names, in a SQLite file (open it with `sqlite-utils` or `datasette`) or in
PostgreSQL (knowledge/database.py; schema in knowledge/migrations.py). Each document is written in one
transaction that first deletes its old rows, so re-ingesting replaces facts and an interrupted ingest
leaves the previous state. SQLite's WAL mode lets the bot read while an ingest writes.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import Any

from knowledge.agencies import agency_key, aliases_for
from knowledge.corrections import ACTIONS, applied, current_states, document_part, duty_ref
from knowledge.database import Target, open_database
from knowledge.identity import document_identity
from knowledge.migrations import migrate
from knowledge.model import Deadline, Document, Facts
from knowledge.recurrence import due_date

_DOC_TABLES = ("sections", "deadline_agencies", "deadlines", "targets")


def _due_kind(due: str | dict[str, Any]) -> str:
    if isinstance(due, dict):
        return "relative" if "relative" in due else "recurring"
    if len(due) == 10:
        return "date"
    if "-Q" in due:
        return "quarter"
    return "month" if len(due) == 7 else "year"


_HEAVY_DEADLINE_COLUMNS = ("evidence", "candidates")  # read by review only
OPENING_CHARS = 600  # how far into a text a reported directive's number is looked for


def _names_by_role(links: list[dict[str, Any]], *fields: tuple[str, str]) -> dict[str, list[str]]:
    """{field: agency names} for each (role, field): `lead` links become the row's `agencies`."""
    return {name: [x["name"] for x in links if x["role"] == role] for role, name in fields}


class FactStore:
    """Thread-safe access to the fact store: a SQLite file (the default) or a PostgreSQL database."""

    def __init__(self, target: Target) -> None:
        """`target`: the SQLite file's path, or a `postgresql://` URL (BOT_DATABASE_URL)."""
        self.db = open_database(target)
        migrate(self.db, "facts")
        self._deadline_columns = self.db.columns("deadlines")

    def _agency_id(self, province: str | None, name: str) -> int:
        key = agency_key(name)
        prov = province or ""
        found = self.db.scalar("select id from agencies where province = ? and key = ?", [prov, key])
        if found is not None:
            return int(found)
        new_id = self.db.insert("agencies", {"province": prov, "name": name, "key": key})
        self.db.insert_many("agency_aliases", ({"agency_id": new_id, "alias": alias} for alias in aliases_for(name)),
                            ignore=True)
        return new_id

    def save(self, doc: Document, facts: Facts, sha256: str, origin: dict[str, Any] | None = None) -> None:
        """Replace everything stored for this document in one transaction, the office's review
        corrections applied over the extracted deadlines (knowledge.corrections).

        `origin` records how the text was read (`ocr_confidence` when OCR read it, `legacy_encoding`
        when it was converted from TCVN3/VNI), so answers quoting it can say so.

        atomic(), not `with conn:`: sqlite-utils commits every write made outside atomic(), which
        would let a crash leave a document without its sections or deadlines. A PostgreSQL connection
        lost midway rolls the transaction back, and the whole save runs again on a new one.
        """
        self.db.retrying(lambda: self._save(doc, facts, sha256, origin))

    def _save(self, doc: Document, facts: Facts, sha256: str, origin: dict[str, Any] | None) -> None:
        identity = document_identity(doc.issuer, doc.number, doc.issued_date, doc.text)
        with self.db.atomic():
            self._delete_rows(doc.doc_id)
            refs = [duty_ref(dl) for dl in facts.deadlines]
            self._save_document(doc, sha256, origin, identity, refs)
            states = current_states(self.corrections(document_part(identity, doc.doc_id)))
            for dl, ref in zip(facts.deadlines, refs, strict=True):
                shown = applied(dl, states.get(ref))
                if shown is not None:
                    self._save_deadline(doc, shown, ref, states.get(ref) is not None)
            self._save_targets_and_duties(doc, facts)
            self._drop_orphan_agencies()

    def _save_document(self, doc: Document, sha256: str, origin: dict[str, Any] | None, identity: str,
                       refs: list[str]) -> None:
        db = self.db
        db.upsert("documents", {
            "doc_id": doc.doc_id, "type": doc.type, "number": doc.number, "issuer": doc.issuer,
            "province": doc.province, "issued_date": doc.issued_date.isoformat() if doc.issued_date else None,
            "issued_month": doc.issued_month, "year_hint": doc.year_hint, "signer": doc.signer,
            "signer_title": doc.signer_title, "title": doc.title, "source_name": doc.source_name,
            "format": doc.format, "sha256": sha256, "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "text": doc.text, "addressees": json.dumps(doc.addressees, ensure_ascii=False),
            "recipients": json.dumps(doc.recipients, ensure_ascii=False),
            "footnotes": json.dumps(doc.footnotes, ensure_ascii=False), "identity": identity,
            "duty_refs": json.dumps(refs), "ocr_confidence": None, "legacy_encoding": None, **(origin or {}),
        }, pk=["doc_id"])
        db.insert_many("sections", ({
            "doc_id": doc.doc_id, "idx": s.idx, "kind": s.kind, "number": s.number, "path": s.path,
            "label": s.label, "heading": s.heading, "text": s.text, "start": s.start, "end": s.end,
            "parent": s.parent,
        } for s in doc.sections))

    def _save_deadline(self, doc: Document, dl: Deadline, ref: str, reviewed: bool) -> None:
        """One deadline row with its agencies by role, its review state and the evidence it was read from."""
        last = due_date(dl.due, dl.relation)
        candidates = [list(c.agencies) for c in dl.decision.candidates if c.agencies] if dl.decision else []
        did = self.db.insert("deadlines", {
            "doc_id": doc.doc_id, "section_idx": dl.section_idx, "section": dl.section,
            "due": json.dumps(dl.due, ensure_ascii=False), "due_kind": _due_kind(dl.due),
            "due_date": last.isoformat() if last else None, "relation": dl.relation, "task": dl.task,
            "quote": dl.quote, "year_inferred": int(dl.year_inferred), "due_text": dl.due_text,
            "needs_review": int(dl.needs_review), "time": dl.time, "confidence": dl.confidence,
            "kind": dl.kind, "duty_ref": ref, "reviewed": int(reviewed),
            "evidence": dl.decision.explain() if dl.decision else dl.why,
            "candidates": json.dumps(list(dict.fromkeys(map(tuple, candidates))), ensure_ascii=False),
        })
        self._link_agencies("deadline_agencies", "deadline_id", did, doc.province,
                            {"lead": dl.agencies, "cooperating": dl.cooperating, "report_to": dl.report_to})

    def _save_targets_and_duties(self, doc: Document, facts: Facts) -> None:
        db = self.db
        for kind, items in (("target", facts.targets), ("result", facts.results)):
            db.insert_many("targets", ({
                "doc_id": doc.doc_id, "kind": kind, "metric": t.metric, "value": t.value, "unit": t.unit,
                "year": t.year, "scope": t.scope, "number": t.number, "quote": t.quote,
                "section": t.section, "section_idx": t.section_idx,
            } for t in items))
        for duty in facts.duties:
            duty_id = db.insert("duties", {
                "doc_id": doc.doc_id, "section_idx": duty.section_idx, "section": duty.section,
                "task": duty.task, "quote": duty.quote,
            })
            self._link_agencies("duty_agencies", "duty_id", duty_id, doc.province,
                                {"lead": duty.agencies, "cooperating": duty.cooperating})

    # --- review corrections: append-only events (knowledge.corrections) --------------------------

    def corrections(self, doc_part: str) -> list[dict[str, Any]]:
        """The review events of a directive, oldest first."""
        return list(self.db.query("select * from corrections where doc_part = ? order by id", [doc_part]))

    def add_correction(self, doc_part: str, doc_id: str, ref: str, action: str, before: dict[str, Any],
                       after: dict[str, Any] | None, who: str) -> int:
        """Append one event; nothing is ever updated or deleted (the history is the audit trail)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown review action {action!r}")
        return self.db.insert("corrections", {
            "doc_part": doc_part, "doc_id": doc_id, "duty_ref": ref, "action": action,
            "before": json.dumps(before, ensure_ascii=False), "after": json.dumps(after or {}, ensure_ascii=False),
            "who": who, "at": datetime.now(UTC).isoformat(timespec="seconds"),
        })

    def reviewed_doc_ids(self) -> list[str]:
        return [r["doc_id"] for r in self.db.query(
            "select distinct d.doc_id from documents d join corrections c on c.doc_part = d.identity"
            " or c.doc_part = d.doc_id order by d.doc_id")]

    def _link_agencies(self, table: str, key: str, row_id: int, province: str | None,
                       by_role: dict[str, list[str]]) -> None:
        """A deadline's or duty's agencies by role, in their written order (`position`)."""
        self.db.insert_many(table, ({key: row_id, "agency_id": self._agency_id(province, name), "role": role,
                                    "position": pos}
                                   for role, names in by_role.items() for pos, name in enumerate(names)),
                                  ignore=True)

    def _agencies_of(self, table: str, key: str, ids_sql: str, params: list[Any]) -> dict[int, list[dict[str, Any]]]:
        """Agency links (role, name, id) of the rows `ids_sql` selects, in written order, by row id."""
        links: dict[int, list[dict[str, Any]]] = {}
        for link in self.db.query(
                f"select l.{key} as row_id, l.role, a.name, a.id as agency_id from {table} l"
                f" join agencies a on a.id = l.agency_id where l.{key} in ({ids_sql}) order by l.position", params):
            links.setdefault(link["row_id"], []).append(link)
        return links

    def _drop_orphan_agencies(self) -> None:
        """Agencies no stored duty names any more (a new version dropped them): gone in the same
        transaction, so `/coquan` never finds an agency without duties."""
        db = self.db
        orphans = ("select id from agencies where id not in (select agency_id from deadline_agencies)"
                   " and id not in (select agency_id from duty_agencies)")
        db.execute(f"delete from agency_aliases where agency_id in ({orphans})")
        db.execute(f"delete from agencies where id in ({orphans})")

    def _delete_rows(self, doc_id: str) -> None:
        db = self.db
        db.execute("delete from deadline_agencies where deadline_id in (select id from deadlines where doc_id = ?)",
                   [doc_id])
        db.execute("delete from duty_agencies where duty_id in (select id from duties where doc_id = ?)", [doc_id])
        db.execute("delete from duties where doc_id = ?", [doc_id])
        for table in _DOC_TABLES[2:]:
            db.execute(f"delete from {table} where doc_id = ?", [doc_id])
        db.execute("delete from sections where doc_id = ?", [doc_id])
        db.execute("delete from documents where doc_id = ?", [doc_id])

    def remove(self, doc_id: str) -> None:
        def work() -> None:
            with self.db.atomic():
                self._delete_rows(doc_id)
                self._drop_orphan_agencies()
        self.db.retrying(work)

    def exclusive(self, name: str) -> AbstractContextManager[None]:
        """One process at a time (an ingest deciding whether a directive is new, then storing it)."""
        return self.db.exclusive(name)

    def documents_with_identity(self, identity: str) -> list[dict[str, Any]]:
        """Stored documents that are this directive (normally one), with their hash and text."""
        return list(self.db.query(
            "select doc_id, type, number, issuer, issued_date, year_hint, source_name, sha256, text"
            " from documents where identity = ? order by doc_id", [identity]))

    def has_document(self, doc_id: str) -> bool:
        return self.db.scalar("select 1 from documents where doc_id = ?", [doc_id]) is not None

    def sha256_of(self, doc_id: str) -> str | None:
        return self.db.scalar("select sha256 from documents where doc_id = ?", [doc_id])

    def documents(self) -> list[dict[str, Any]]:
        """Known documents, newest first (undated ones by their year)."""
        rows = list(self.db.query(
            "select doc_id, type, number, issuer, province, issued_date, year_hint, signer, title, source_name,"
            " ingested_at, ocr_confidence from documents"))
        rows.sort(key=lambda r: (r["issued_date"] or f"{r['year_hint'] or 0:04d}-00-00", r["doc_id"]), reverse=True)
        return rows

    def document(self, doc_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from documents where doc_id = ?", [doc_id]))
        return rows[0] if rows else None

    def document_hashes(self) -> dict[str, str]:
        """doc_id → sha256 of the stored file: what the search index must have been built from."""
        return {r["doc_id"]: r["sha256"] for r in self.db.query("select doc_id, sha256 from documents")}

    def document_texts(self, doc_ids: set[str] | None = None) -> list[dict[str, Any]]:
        """Stored texts, of every document or only of `doc_ids` (an incremental index reads a few)."""
        sql = "select doc_id, text, source_name, format from documents"
        if doc_ids is None:
            return sorted(self.db.query(sql), key=lambda r: r["doc_id"])
        wanted = sorted(doc_ids)
        rows: list[dict[str, Any]] = []
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            rows += self.db.query(f"{sql} where doc_id in ({','.join('?' * len(chunk))})", chunk)
        return sorted(rows, key=lambda r: r["doc_id"])

    def documents_opening_with(self, number: str, within: int = OPENING_CHARS) -> list[str]:
        """Documents whose opening names `number` (a news item reporting `Công văn số 846/UBND-TH`)."""
        return [r["doc_id"] for r in self.db.query(
            "select doc_id from documents where instr(upper(replace(substr(text, 1, ?), ' ', '')), ?) > 0",
            [within, number.replace(" ", "").upper()])]

    def provinces(self) -> list[str]:
        return [r["province"] for r in self.db.query(
            "select distinct province from documents where province is not null")]

    def agencies(self, province: str | None = None) -> list[dict[str, Any]]:
        sql = "select id, province, name, key from agencies"
        params: list[Any] = []
        if province:
            sql += " where province = ?"
            params.append(province)
        # sorted here, not by the engine: PostgreSQL's collation would order Vietnamese names unlike SQLite
        return sorted(self.db.query(sql, params), key=lambda r: r["name"] or "")

    def agency_ids_by_key(self, key: str, name: str) -> list[int]:
        """Ids of the agency with this normalised key or exact name, in every province."""
        return [r["id"] for r in self.db.query("select id from agencies where key = ? or name = ?", [key, name])]

    @staticmethod
    def _filters(alias: str, doc_ids: list[str] | None, provinces: list[str] | None) -> tuple[str, list[Any]]:
        """SQL conditions (and parameters) shared by the fact queries."""
        sql, params = "", []
        for column, values in ((f"{alias}.doc_id", doc_ids), ("doc.province", provinces)):
            if values:
                sql += f" and {column} in ({','.join('?' * len(values))})"
                params += list(values)
        return sql, params

    def deadlines(self, doc_ids: list[str] | None = None, agency_ids: list[int] | None = None,
                  provinces: list[str] | None = None, lead_only: bool = False,
                  due_between: tuple[date, date] | None = None, evidence: bool = False) -> list[dict[str, Any]]:
        """Deadlines with their agencies, optionally filtered by document, agency, province or the days a
        one-off deadline falls in (recurring and relative ones always come); the review evidence only when
        asked (it is most of a row's bytes, and a fact answer never shows it)."""
        where, params = self._filters("d", doc_ids, provinces)
        if due_between:
            where += " and (d.due_kind in ('recurring', 'relative') or d.due_date is null or d.due_date between ? and ?)"
            params += [due_between[0].isoformat(), due_between[1].isoformat()]
        if agency_ids:
            role = " and role = 'lead'" if lead_only else " and role != 'report_to'"  # receivers are not doers
            where += (f" and d.id in (select deadline_id from deadline_agencies where agency_id in"
                      f" ({','.join('?' * len(agency_ids))}){role})")
            params += agency_ids
        base = "from deadlines d join documents doc on doc.doc_id = d.doc_id where 1=1" + where
        columns = ", ".join(f"d.{c}" for c in self._deadline_columns
                            if evidence or c not in _HEAVY_DEADLINE_COLUMNS)
        rows = list(self.db.query(f"select {columns}, doc.province, doc.issuer, doc.type as doc_type,"
                                  " doc.number as doc_number, doc.issued_date, doc.issued_month, doc.identity as doc_identity "
                                  + base + " order by d.id", params))
        links = self._agencies_of("deadline_agencies", "deadline_id", f"select d.id {base}", params) if rows else {}
        for r in rows:
            r["due"] = json.loads(r["due"])
            own = links.get(r["id"], [])
            r.update(_names_by_role(own, ("lead", "agencies"), ("cooperating", "cooperating"),
                                    ("report_to", "report_to")))
            r["agency_ids"] = [x["agency_id"] for x in own if x["role"] != "report_to"]
        return rows

    def undated_duties(self, agency_ids: list[int] | None = None, doc_ids: list[str] | None = None,
                       provinces: list[str] | None = None) -> list[dict[str, Any]]:
        """Duties without a fixed limit (of these agencies, documents, provinces), agencies by role."""
        where, params = self._filters("u", doc_ids, provinces)
        if agency_ids is not None:
            if not agency_ids:
                return []
            where += (f" and u.id in (select duty_id from duty_agencies where agency_id in"
                      f" ({','.join('?' * len(agency_ids))}))")
            params += agency_ids
        base = "from duties u join documents doc on doc.doc_id = u.doc_id where 1=1" + where
        rows = list(self.db.query("select u.*, doc.issued_date, doc.province " + base + " order by u.id", params))
        links = self._agencies_of("duty_agencies", "duty_id", f"select u.id {base}", params) if rows else {}
        for r in rows:
            r.update(_names_by_role(links.get(r["id"], []), ("lead", "agencies"), ("cooperating", "cooperating")))
        return rows

    def targets(self, kind: str | None = None, doc_ids: list[str] | None = None,
                provinces: list[str] | None = None) -> list[dict[str, Any]]:
        """Targets (kind 'target') and results (kind 'result') with their document's fields."""
        where, params = self._filters("t", doc_ids, provinces)
        if kind:
            where += " and t.kind = ?"
            params.append(kind)
        return list(self.db.query(
            "select t.*, doc.province, doc.issuer, doc.type as doc_type, doc.number as doc_number,"
            " doc.issued_date, doc.year_hint from targets t join documents doc on doc.doc_id = t.doc_id where 1=1"
            + where
            + " order by t.id", params))

    def counts(self, doc_id: str) -> dict[str, int]:
        q = self.db.scalar
        return {
            "deadlines": q("select count(*) from deadlines where doc_id = ?", [doc_id]),
            "targets": q("select count(*) from targets where doc_id = ? and kind = 'target'", [doc_id]),
            "results": q("select count(*) from targets where doc_id = ? and kind = 'result'", [doc_id]),
        }
