"""Answering a question: structured facts from the fact store, passages otherwise, or "not found".

The planner: a question is parsed once (bot.answering.question), the fact answers (bot.answering.fact_answers) and the
passage search run, and one Answer comes back; agencies are looked up by bot.answering.agency_lookup and
passages judged by bot.answering.passage_answers. Nothing here knows about Telegram.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import date, timedelta
from typing import Any

from bot.answering import answer_texts as T
from bot.answering.agency_lookup import AgencyLookup, _loose
from bot.answering.answer_model import Answer, Citation
from bot.answering.fact_answers import MAX_LINES, FactAnswers, _sort_date
from bot.answering.passage_answers import PassageAnswers
from bot.answering.question import Question, TimeWindow, parse_question
from bot.config import Settings
from bot.formatting import shorten
from bot.labels import document_label, fmt_date
from bot.tracking.completions import DutyTracker
from knowledge.agencies import misspelt_agencies
from knowledge.schedule import OVERDUE_LOOKBACK_DAYS
from knowledge.store import FactStore
from knowledge.succession import province_family

log = logging.getLogger(__name__)
__all__ = ["ECHO_CHARS", "Answer", "Answerer", "Citation", ]

ECHO_CHARS = 100  # user text quoted back in a reply is cut here, so a pasted page stays one short message


class Answerer(AgencyLookup, FactAnswers, PassageAnswers):
    """Loads the store, index and model once; `answer` is safe to call from several threads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = FactStore(settings.db_path)
        self.tracker = DutyTracker(settings.open_state())  # answers say whether a duty was done
        self._lock = threading.Lock()
        self._searcher = None
        self.reload()

    def reload(self) -> None:
        """Re-open the index (after an ingest or reindex swapped it) and the document list.

        Index segments the current searcher already holds are shared, not read twice.
        """
        from index.search import Searcher
        from index.segments import ManifestError

        try:
            searcher = Searcher.load(self.settings.index_dir, settings=self.settings, previous=self._searcher)
        except FileNotFoundError:
            searcher = None
        except ManifestError as exc:  # no index it can trust: answer from the facts until a reindex
            log.error("%s; answering from the fact store only", exc)
            searcher = self._searcher
        with self._lock:
            self._searcher = searcher
            self._docs = {d["doc_id"]: d for d in self.store.documents()}
            self._unplaced_docs = [d for d, row in self._docs.items() if not row.get("province")]
            self._provinces = self.store.provinces()
            self._agencies = self.store.agencies()
            for a in self._agencies:
                a["loose"] = _loose(a["key"])

    def source(self, doc_id: str) -> str:
        d = self._docs.get(doc_id) or {}
        label = document_label(d.get("type"), d.get("number"), d.get("issued_date"), d.get("issuer"),
                               name=d.get("source_name") or doc_id, year=d.get("year_hint"))
        return f"{label} {T.FROM_OCR}" if d.get("ocr_confidence") is not None else label

    def _source_line(self, doc_id: str, section: str) -> str:
        """`— <document>, <section>` under a quote (no dangling comma when the section has no label)."""
        return f"— {self.source(doc_id)}, {section}" if section else f"— {self.source(doc_id)}"

    def _search(self, q: Question, k: int = 8, only: set[str] | None = None) -> list[Any]:
        if self._searcher is None or (only is not None and not only):
            return []
        hits = self._searcher.search(q.expanded, k=k * 3 if q.provinces else k, only_doc_ids=only,
                                     prefer_provinces=q.provinces or None)
        if q.provinces:
            hits = [h for h in hits if h.province in q.provinces]
        return hits[:k]

    def _citation(self, doc_id: str, section: str, quote: str) -> Citation:
        return Citation(doc_id, section, quote[:300], self.source(doc_id))

    def answer(self, question: str, today: date) -> Answer:
        q = parse_question(question, today, self._provinces)
        if not q.agencies and not q.who:
            q.agencies = misspelt_agencies(question, sorted({a["name"] for a in self._agencies}))
        if q.small_talk and len(q.folded.split()) <= 4:
            return Answer(question, "smalltalk", False, f"{T.SMALL_TALK}\n\n{T.SUGGEST}")
        if q.provinces:
            asked = list(q.provinces)
            q.provinces = [f for p in asked for f in province_family(p) if f in self._provinces]
            if not q.provinces:
                if not self._unplaced_docs:
                    text = T.NOT_FOUND_PROVINCE.format(provinces=", ".join(asked)) + "\n\n" + T.SUGGEST
                    return Answer(question, q.intent, False, text)
                q.provinces = []  # documents that never name their province may be the ones asked about
                q.scope = set(self._unplaced_docs)
        doc_ids = self._named_documents(q)
        if q.documents and not doc_ids:
            return Answer(question, q.intent, False, T.NO_SUCH_DOCUMENT.format(
                numbers=", ".join(q.documents)) + "\n\n" + T.SUGGEST)
        if doc_ids is not None:
            q.scope = doc_ids if q.scope is None else (doc_ids & q.scope) or doc_ids
        doc_ids = q.scope
        unknown_agency = ""
        if q.agencies and q.intent in ("deadline", "agency", "overdue") and not self._agency_ids(
                q.agencies, q.provinces):
            unknown_agency = ", ".join(q.agencies)
            q.agencies = []  # answer from the text, and say that no duty names this agency
        hits = self._search(q, only=doc_ids)
        try:
            ans = self._plan(q, hits, today, doc_ids)
        except Exception:  # a fault in one fact path must not cost the user the passage that answers
            log.exception("Answering from the facts failed; quoting the passage instead: %r", question)
            ans = (self._quote_answer(q, hits) if self._on_topic(q, hits)
                   else Answer(question, q.intent, False, f"{T.NOT_FOUND}\n\n{T.SUGGEST}"))
        if unknown_agency:
            if not ans.found:
                text = T.AGENCY_UNKNOWN_IN_STORE.format(name=unknown_agency) + "\n\n" + T.SUGGEST
                return Answer(question, q.intent, False, text)
            ans.text = T.AGENCY_NOT_NAMED.format(name=unknown_agency) + "\n" + ans.text
        return ans

    def _plan(self, q: Question, hits: list[Any], today: date, doc_ids: set[str] | None) -> Answer:
        """Facts first (a document's duties, who must do X, deadlines, figures), then the passage; "not
        found" only when neither holds the answer."""
        if q.documents and doc_ids and not q.window and not q.agencies:
            ans = (self._document_targets(q, doc_ids) if q.intent in ("target", "result")
                   else self._document_duties(q, doc_ids, today))
            if ans:
                return ans
        if q.who and not q.agencies and q.intent in ("agency", "deadline"):
            ans = self._who_must(q, hits, today, doc_ids)
            if ans:
                return ans
            if not self._on_topic(q, hits):
                return Answer(q.text, q.intent, False, f"{T.NOT_FOUND}\n\n{T.SUGGEST}")
        if q.intent in ("deadline", "agency", "overdue"):
            ans = self._answer_deadlines(q, hits, today)
            if ans:
                return ans
        if q.intent in ("target", "result") or q.superlative or not self._relevant(q, hits):
            ans = self._answer_figures(q, hits, doc_ids)
            if ans:
                return ans
        if not self._on_topic(q, hits):
            return Answer(q.text, q.intent, False, f"{T.NOT_FOUND}\n\n{T.SUGGEST}")
        return self._quote_answer(q, hits)

    def _named_documents(self, q: Question) -> set[str] | None:
        """Documents the question names by number (`CV 846`, `Kế hoạch 287/KH-UBND`); None when it names none."""
        if not q.documents:
            return None
        found: set[str] = set()
        for ref in q.documents:
            want = ref.replace(" ", "").upper()
            for doc_id, d in self._docs.items():
                number = (d.get("number") or "").replace(" ", "").upper()
                if number and (number == want or number.startswith(want + "/") or want.startswith(number + "/")
                               or number.split("/")[0] == want):
                    found.add(doc_id)
            if not found and "/" in want:  # a news item names the directive it reports only in its text
                found |= set(self.store.documents_opening_with(ref))
        return found

    # --- commands -------------------------------------------------------------------------------
    def deadlines(self, arg: str, today: date) -> Answer:
        q = parse_question(arg or "", today, self._provinces)
        year = re.search(r"(?<!\d)(20\d\d)(?!\d)", arg or "")
        if not q.window and year:
            y = int(year.group(1))
            q.window = TimeWindow(date(y, 1, 1), date(y, 12, 31), year.group(1))
        if not q.window:
            q.window = TimeWindow(today, today + timedelta(days=14), "14 ngay toi")
        q.intent = "deadline"
        ans = self._answer_deadlines(q, [], today) if self.store.deadlines() else None
        return ans or Answer(arg, "deadline", False, T.NO_DEADLINES_WINDOW.format(
            start=fmt_date(q.window.start), end=fmt_date(q.window.end)))

    def overdue(self, arg: str, today: date) -> Answer:
        q = parse_question(arg or "", today, self._provinces)
        q.overdue, q.intent = True, "overdue"
        ans = self._answer_deadlines(q, [], today)
        return ans or Answer(arg, "overdue", True, T.NO_OVERDUE.format(days=OVERDUE_LOOKBACK_DAYS,
                                                                       today=fmt_date(today)))

    def targets(self, arg: str, today: date) -> Answer:
        q = parse_question(arg or "mục tiêu", today, self._provinces)
        q.intent = "target"
        rows = self.store.targets(kind="target", provinces=q.provinces or None)
        if not rows:
            return Answer(arg, "target", False, T.NO_TARGETS)
        hits = self._search(q) if arg.strip() else []
        ranked = self._rank_rows(q, rows, hits, "metric") if arg.strip() else rows
        lines = [T.TARGETS_HEAD] + [
            f"• {r['metric']}: {r['value']}" + (f" (năm {r['year']})" if r.get("year") else "")
            + f" — {self.source(r['doc_id'])}" for r in ranked[:MAX_LINES]]
        more = "\n".join(f"• {r['metric']}: {r['value']}" for r in ranked[MAX_LINES:40])
        cites = [self._citation(r["doc_id"], r["section"], r["quote"]) for r in ranked[:3]]
        return Answer(arg, "target", True, "\n".join(lines), cites, [], more)

    def agency(self, arg: str, today: date) -> Answer:
        """`/coquan`: the agency's duties by date, those it leads and those it supports, then its
        duties without a fixed limit (`thường xuyên`)."""
        name = self.resolve_agency(arg) if arg.strip() else None
        if not name:
            return Answer(arg, "agency", False, T.NO_AGENCY.format(name=shorten(arg, ECHO_CHARS)))
        ids = [a["id"] for a in self._agencies if a["name"] == name]
        rows = self.store.deadlines(agency_ids=ids) if ids else []
        undated = self.store.undated_duties(ids)
        if not rows and not undated:
            return Answer(arg, "agency", False, T.AGENCY_UNKNOWN_IN_STORE.format(name=name))
        lead = [r for r in rows if name in r["agencies"]]
        support = [r for r in rows if name not in r["agencies"]]
        q = parse_question(arg, today, self._provinces)
        ans = self._list_answer(q, T.AGENCY_DUTIES_HEAD.format(agency=name) + "\n" + T.LEAD_HEAD,
                                [(r, None) for r in sorted(lead, key=lambda r: _sort_date(r, today))], today, "agency")
        support.sort(key=lambda r: _sort_date(r, today))
        self._append_list(ans, T.SUPPORT_HEAD, [self._deadline_line(r, None, today) for r in support])
        self._append_list(ans, T.UNDATED_HEAD, [f"• {r['task']} — {self.source(r['doc_id'])}, {r['section']}"
                                                for r in undated])
        return ans

    @staticmethod
    def _append_list(ans: Answer, head: str, lines: list[str]) -> None:
        """A further list under an answer: its first screen shown, the rest behind `… và N mục khác`."""
        if not lines:
            return
        ans.text += "\n\n" + "\n".join([head, *lines[:MAX_LINES]])
        ans.found = True
        if len(lines) > MAX_LINES:
            ans.text += "\n" + T.MORE_COUNT.format(n=len(lines) - MAX_LINES)
            ans.more = "\n".join(x for x in (ans.more, "\n".join(lines[MAX_LINES:])) if x)

    def documents(self) -> Answer:
        docs = self.store.documents()
        if not docs:
            return Answer("", "documents", False, T.NO_DOCUMENTS)
        lines = [T.DOCUMENTS_HEAD.format(count=len(docs))]
        for d in docs:
            title = f": {d['title']}" if d.get("title") else ""
            lines.append(f"• {self.source(d['doc_id'])}{title}")
        return Answer("", "documents", True, "\n".join(lines))
