"""Answering a question: structured facts from the fact store, passages otherwise, or "not found".

Deadlines, targets and agencies come from the SQLite fact store (recurring duties expanded to
concrete dates); the passage index finds which facts and sentences the question is about and
supplies the citations. Nothing here knows about Telegram.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot import answer_texts as T
from bot.formatting import shorten
from bot.question import Question, TimeWindow, parse_question
from knowledge.agencies import agency_key, misspelt_agencies, resolve_agency
from knowledge.config import Settings
from knowledge.recurrence import describe_due, due_date, next_occurrence
from knowledge.schedule import OVERDUE_LOOKBACK_DAYS, expand, overdue
from knowledge.store import FactStore
from knowledge.text import syllables

MAX_LINES = 8
ECHO_CHARS = 100  # user text quoted back in a reply is cut here, so a pasted page stays one short message
# How questions are asked, not what about: rare in directives, so they would pass as informative.
_QUESTION_WORDS = frozenset({
    "ai", "gio", "khi", "may", "sao", "vi", "vay", "thi", "lam", "phai", "can", "truoc", "sau", "han",
    "viec", "lan", "toi", "ke", "sap", "da", "dang", "con", "het", "nhung", "hom", "nay", "mai", "tuan",
    "quy", "ky", "thoi", "diem", "vao", "luc", "hang", "chua", "roi",
})
ON_TOPIC_SHARE = 0.4  # share of the informative syllables a quoted passage must contain as whole words
COMMON_WORD_SHARE = 0.2  # a word in more than this share of passages says little about relevance
FIGURE_TOPIC_SHARE = 0.5  # share of the informative syllables a figure's metric and sentence must contain
FIGURE_HIT_DEPTH = 5  # a figure is answered only when its section is among this many best passages
_STOP = set(["cua", "va", "cac", "la", "gi", "nao", "the", "nao", "bao", "nhieu", "co", "khong", "duoc", "trong", "nam", "thang", "ngay", "tinh", "o", "tai", "cho", "voi", "den"])


@dataclass
class Citation:
    doc_id: str
    section: str
    quote: str
    source: str


@dataclass
class Answer:
    question: str
    intent: str
    found: bool
    text: str
    citations: list[Citation] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    more: str = ""

    def as_json(self, qid: str | None = None) -> dict[str, Any]:
        return {
            "id": qid, "question": self.question, "intent": self.intent, "found": self.found,
            "answer": self.text, "citations": [c.__dict__ for c in self.citations], "facts": self.facts,
        }


def fmt_date(d: date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


def _fact_year(row: dict[str, Any]) -> int | None:
    """The year a target or result is about: its own, else its document's."""
    if row.get("year"):
        return int(row["year"])
    issued = row.get("issued_date") or ""
    if issued[:4].isdigit():
        return int(issued[:4])
    return int(row["year_hint"]) if row.get("year_hint") else None


def _loose(key: str) -> str:
    """An agency key without punctuation: "các sở ngành" finds "Các sở, ngành phụ trách …"."""
    return " ".join(re.findall(r"\w+", key))


def _place_syllables(q: Question) -> set[str]:
    """Syllables of the provinces a question names: they select documents, they say nothing of the topic."""
    return {s for p in q.provinces for s in syllables(p)}


def _bigrams(text: str) -> set[str]:
    """Adjacent folded syllable pairs: a stand-in for Vietnamese two-syllable words."""
    syl = syllables(text)
    return {f"{a}_{b}" for a, b in zip(syl, syl[1:], strict=False)}


@functools.lru_cache(maxsize=65_536)
def _content(text: str) -> frozenset[str]:
    """Content syllables of a text; cached because the same stored facts are scored for many questions."""
    return frozenset(s for s in syllables(text) if s not in _STOP and not s.isdigit())


class Answerer:
    """Loads the store, index and model once; `answer` is safe to call from several threads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = FactStore(settings.db_path)
        self._lock = threading.Lock()
        self._searcher = None
        self.reload()

    def reload(self) -> None:
        """Re-open the index (after an ingest or reindex swapped it) and the document list.

        Index segments the current searcher already holds are shared, not read twice.
        """
        from index.search import Searcher

        try:
            searcher = Searcher.load(self.settings.index_dir, settings=self.settings, previous=self._searcher)
        except FileNotFoundError:
            searcher = None
        with self._lock:
            self._searcher = searcher
            self._docs = {d["doc_id"]: d for d in self.store.documents()}
            self._provinces = self.store.provinces()
            self._agencies = self.store.agencies()
            for a in self._agencies:
                a["loose"] = _loose(a["key"])

    # --- helpers -------------------------------------------------------------------------------
    def source(self, doc_id: str) -> str:
        d = self._docs.get(doc_id) or {}
        parts = [d.get("type") or "Văn bản"]
        parts.append(d.get("number") or f"({doc_id})")
        if d.get("issued_date"):
            parts.append("ngày " + fmt_date(date.fromisoformat(d["issued_date"])))
        elif d.get("year_hint"):
            parts.append(f"năm {d['year_hint']}")
        if d.get("issuer"):
            parts.append("của " + d["issuer"])
        return " ".join(parts)

    def _source_line(self, doc_id: str, section: str) -> str:
        """`— <document>, <section>` under a quote (no dangling comma when the section has no label)."""
        return f"— {self.source(doc_id)}, {section}" if section else f"— {self.source(doc_id)}"

    def _agency_ids(self, names: list[str], provinces: list[str]) -> list[int]:
        pool = [a for a in self._agencies if not provinces or a["province"] in provinces]
        known = [a["name"] for a in pool]
        ids: list[int] = []
        for name in names:
            key = _loose(agency_key(name))
            hits = [a["id"] for a in pool if a["loose"] == key]
            if not hits:
                hits = [a["id"] for a in pool if key in a["loose"] or a["loose"] in key and len(a["key"]) > 8]
            if not hits:
                resolved = set(resolve_agency(name, known))
                hits = [a["id"] for a in pool if a["name"] in resolved]
            ids += hits
        return list(dict.fromkeys(ids))

    def resolve_agency(self, text: str) -> str | None:
        known = sorted({a["name"] for a in self._agencies})
        hits = resolve_agency(text, known) if text.strip() else []
        return hits[0] if hits else None

    def _search(self, q: Question, k: int = 8) -> list[Any]:
        if self._searcher is None:
            return []
        hits = self._searcher.search(q.text, k=k * 3 if q.provinces else k, prefer_provinces=q.provinces or None)
        if q.provinces:
            hits = [h for h in hits if h.province in q.provinces]
        return hits[:k]

    def _citation(self, doc_id: str, section: str, quote: str) -> Citation:
        return Citation(doc_id, section, quote[:300], self.source(doc_id))

    def _best_sentences(self, q: Question, text: str, n: int = 2) -> str:
        parts = [p.strip() for p in re.split(r"(?<=[.;!?])\s+", text) if p.strip()]
        if not parts:
            return text[:300]
        want = _content(q.text)
        scored = sorted(parts, key=lambda p: -len(want & _content(p)))
        keep = set(scored[:n])
        return " ".join(p for p in parts if p in keep)[:600]

    def _informative(self, q: Question) -> set[str]:
        """Question words that tell passages apart: not the province, not words most passages use."""
        searcher = self._searcher
        return {s for s in _content(q.text) - _place_syllables(q) - _QUESTION_WORDS
                if searcher is None or searcher.lexical.share(s) <= COMMON_WORD_SHARE}

    def _relevant(self, q: Question, hits: list[Any]) -> bool:
        """Does the best passage share enough meaningful words with the question?"""
        if not hits:
            return False
        want = _content(q.text)
        overlap = max(len(want & _content(h.text)) for h in hits[:3])
        return overlap >= max(2, min(4, len(want) // 3))

    def _on_topic(self, q: Question, hits: list[Any]) -> bool:
        """Stricter bar for quoting a passage as the whole answer: it must share the question's
        informative words, so "thời tiết hôm nay" is not answered by "kịp thời … đến nay"."""
        if not self._relevant(q, hits):
            return False
        rare = self._informative(q)
        if not rare:
            return True
        # Vietnamese words are mostly two syllables: "thời tiết" must not match "kịp thời … đến nay".
        words = {b for b in _bigrams(q.text) if rare.intersection(b.split("_"))}
        if words:
            covered = max(len(rare & {s for b in words & _bigrams(h.text) for s in b.split("_")}) for h in hits[:3])
            return covered >= ON_TOPIC_SHARE * len(rare)
        rare_overlap = max(len(rare & _content(h.text)) for h in hits[:3])
        return rare_overlap >= max(1, min(3, len(rare) // 2))

    # --- answers -------------------------------------------------------------------------------
    def answer(self, question: str, today: date) -> Answer:
        q = parse_question(question, today, self._provinces)
        if not q.agencies:
            q.agencies = misspelt_agencies(question, sorted({a["name"] for a in self._agencies}))
        if q.small_talk and len(q.folded.split()) <= 4:
            return Answer(question, "smalltalk", False, f"{T.SMALL_TALK}\n\n{T.SUGGEST}")
        missing = [p for p in q.provinces if p not in self._provinces]
        if q.provinces and len(missing) == len(q.provinces):
            text = T.NOT_FOUND_PROVINCE.format(provinces=", ".join(missing)) + "\n\n" + T.SUGGEST
            return Answer(question, q.intent, False, text)
        if q.agencies and q.intent in ("deadline", "agency", "overdue") and not self._agency_ids(
                q.agencies, q.provinces):
            text = T.AGENCY_UNKNOWN_IN_STORE.format(name=", ".join(q.agencies)) + "\n\n" + T.SUGGEST
            return Answer(question, q.intent, False, text)
        hits = self._search(q)
        if q.intent in ("deadline", "agency", "overdue"):
            ans = self._answer_deadlines(q, hits, today)
            if ans:
                return ans
        if q.intent in ("target", "result") or not self._relevant(q, hits):
            ans = self._answer_figures(q, hits)
            if ans:
                return ans
        if not self._on_topic(q, hits):
            return Answer(question, q.intent, False, f"{T.NOT_FOUND}\n\n{T.SUGGEST}")
        rare = self._informative(q)
        ordered = sorted(hits[:3], key=lambda h: -len(rare & _content(h.text)))  # stable: rank breaks ties
        ordered += hits[3:]
        top = ordered[0]
        quote = self._best_sentences(q, top.quote)
        cites = [self._citation(h.doc_id, h.section, self._best_sentences(q, h.quote, 1)) for h in ordered[:3]]
        text = f"{T.QUOTE_HEAD}\n«{quote}»\n{self._source_line(top.doc_id, top.section)}"
        return Answer(question, q.intent, True, text, cites, [])

    def _rank_rows(self, q: Question, rows: list[dict[str, Any]], hits: list[Any], text_key: str) -> list[dict]:
        hit_rank = {(h.doc_id, h.section_idx): i for i, h in enumerate(hits)}
        doc_rank: dict[str, int] = {}
        for i, h in enumerate(hits):
            doc_rank.setdefault(h.doc_id, i)
        want = _content(q.text)

        def position(r: dict[str, Any]) -> int | None:
            """Rank of the passage holding the fact; a footnote's fact sits in the passage citing it."""
            pos = hit_rank.get((r["doc_id"], r["section_idx"]))
            if pos is None and r.get("quote"):
                head = r["quote"][:80]
                pos = next((i + 1 for i, h in enumerate(hits) if h.doc_id == r["doc_id"] and head in h.text), None)
            return pos  # a footnote ranks just below the text that cites it

        def score(r: dict[str, Any]) -> float:
            s = 0.0
            pos = position(r)
            if pos is not None:
                s += 6 - min(pos, 5)
            if r["doc_id"] in doc_rank:
                s += 2 - min(doc_rank[r["doc_id"]], 2) * 0.5
            s += 0.7 * len(want & _content(r.get(text_key) or "")) + 0.3 * len(want & _content(r.get("quote") or ""))
            if q.year and (str(q.year) in str(r.get("due")) or str(q.year) == str(r.get("year"))
                           or str(q.year) in (r.get("issued_date") or "")):
                s += 1.5
            elif q.year and r.get("kind") == "result" and _fact_year(r) == q.year + 1:
                s += 1.0  # results in a directive of year Y are mostly about year Y-1
            return s

        return sorted(rows, key=score, reverse=True)

    def _deadline_line(self, row: dict[str, Any], on: date | None, today: date) -> str:
        who = ", ".join(row["agencies"]) or T.UNKNOWN_AGENCY
        wording = row.get("due_text") or describe_due(row["due"], row["relation"])
        if isinstance(row["due"], dict):
            nxt = on or next_occurrence(row["due"], today)
            when = f"{wording} ({T.NEXT_ON.format(date=fmt_date(nxt))})" if nxt else wording
        else:
            when = describe_due(row["due"], row["relation"])
        line = f"• {who}: {row['task']} — {when}"
        if row["cooperating"]:
            line += f" ({T.COOPERATING.format(names=', '.join(row['cooperating']))})"
        return line

    def _deadline_rows(self, q: Question, hits: list[Any]) -> list[dict[str, Any]]:
        agency_ids = self._agency_ids(q.agencies, q.provinces) if q.agencies else []
        if q.agencies and not agency_ids:
            return []
        doc_ids = None
        if not (agency_ids or q.provinces or q.window or q.overdue) and hits:
            # Nothing in the question narrows the store, so the directives the search found are where
            # the answer is; reading every deadline instead took seconds at 10,000 directives.
            doc_ids = sorted({h.doc_id for h in hits})
        lead = self.store.deadlines(doc_ids=doc_ids, agency_ids=agency_ids or None, provinces=q.provinces or None,
                                    lead_only=True)
        if lead or not agency_ids:
            return lead
        rows = self.store.deadlines(agency_ids=agency_ids, provinces=q.provinces or None)
        for r in rows:
            r["supporting"] = True  # the agency asked about only cooperates here
        return rows

    def _answer_deadlines(self, q: Question, hits: list[Any], today: date) -> Answer | None:
        rows = self._deadline_rows(q, hits)
        if not rows:
            return None
        if q.overdue:
            occ = overdue(self.store, today, agency_ids=self._agency_ids(q.agencies, q.provinces) or None,
                          provinces=q.provinces or None)
            if not occ:
                return Answer(q.text, "overdue", True, T.NO_OVERDUE.format(days=OVERDUE_LOOKBACK_DAYS,
                                                                            today=fmt_date(today)))
            return self._list_answer(q, T.OVERDUE_HEAD.format(today=fmt_date(today)),
                                     [(o.deadline, o.on) for o in occ], today, "overdue")
        if q.window:
            occ = expand(rows, q.window.start, q.window.end)
            if q.next_only:
                seen: set[int] = set()
                occ = [o for o in occ if not (o.deadline["id"] in seen or seen.add(o.deadline["id"]))]
            if not occ:
                return Answer(q.text, q.intent, True, T.NO_DEADLINES_WINDOW.format(
                    start=fmt_date(q.window.start), end=fmt_date(q.window.end)))
            head = T.DEADLINES_WINDOW_HEAD.format(start=fmt_date(q.window.start), end=fmt_date(q.window.end))
            return self._list_answer(q, head, [(o.deadline, o.on) for o in occ], today, q.intent, group=True)
        if q.exact_date:
            exact = [r for r in rows if due_date(r["due"]) == q.exact_date]
            rows = exact or rows
        if q.next_only:
            rows = [r for r in rows if next_occurrence(r["due"], today)] or rows
        ranked = self._rank_rows(q, rows, hits, "task")
        if not q.agencies and not q.exact_date and not ranked:
            return None
        if not q.agencies and not self._relevant(q, hits) and not q.exact_date:
            return None
        best = ranked[: 3 if q.intent != "agency" else 2]
        head = T.AGENCY_HEAD if q.intent == "agency" else T.DEADLINES_HEAD
        if best and best[0].get("supporting"):
            head = T.COOPERATING_HEAD.format(names=", ".join(q.agencies))
        return self._list_answer(q, head, [(r, None) for r in best], today, q.intent,
                                 extra=[(r, None) for r in ranked[3:12]], hits=hits)

    def _list_answer(self, q: Question, head: str, items: list[tuple[dict, date | None]], today: date, intent: str,
                     group: bool = False, extra: list[tuple[dict, date | None]] | None = None,
                     hits: list[Any] | None = None) -> Answer:
        if group and len(items) > 4:
            items = sorted(items, key=lambda it: (", ".join(it[0]["agencies"]), it[1] or date.max))
        shown, rest = items[:MAX_LINES], items[MAX_LINES:] + (extra or [])
        lines = [head] + [self._deadline_line(r, on if on else None, today) if not on
                          else self._dated_line(r, on) for r, on in shown]
        if items[MAX_LINES:]:
            lines.append(T.MORE_COUNT.format(n=len(items) - MAX_LINES))
        top = shown[0][0]
        lines += ["", f"{T.QUOTE_HEAD} «{top['quote'][:400]}»", self._source_line(top["doc_id"], top["section"])]
        cites: list[Citation] = []
        for r, _ in shown:
            c = self._citation(r["doc_id"], r["section"], r["quote"])
            if all((c.doc_id, c.section) != (x.doc_id, x.section) for x in cites):
                cites.append(c)
        more = "\n".join(self._deadline_line(r, on, today) if not on else self._dated_line(r, on) for r, on in rest)
        facts = [{"agencies": r["agencies"], "cooperating": r["cooperating"], "due": r["due"],
                  "relation": r["relation"], "task": r["task"], "doc_id": r["doc_id"], "section": r["section"],
                  "date": on.isoformat() if on else None} for r, on in shown]
        return Answer(q.text, intent, True, "\n".join(lines), cites, facts, more)

    def _dated_line(self, row: dict[str, Any], on: date) -> str:
        who = ", ".join(row["agencies"]) or T.UNKNOWN_AGENCY
        wording = row.get("due_text") or describe_due(row["due"], row["relation"])
        return f"• {fmt_date(on)} — {who}: {row['task']} ({wording})"

    def _figure_fits(self, q: Question, row: dict[str, Any], hits: list[Any]) -> bool:
        """A figure answers when it shares the question's informative words, and its section is among the
        best passages or its metric is what was asked."""
        rare = self._informative(q)
        said = _content(f"{row.get('metric') or ''} {row.get('quote') or ''}")
        if rare and len(rare & said) < FIGURE_TOPIC_SHARE * len(rare):
            return False
        if (row["doc_id"], row["section_idx"]) in {(h.doc_id, h.section_idx) for h in hits[:FIGURE_HIT_DEPTH]}:
            return True
        metric = _content(row.get("metric") or "")
        asked = _content(q.text) - _place_syllables(q)
        shared = len(metric & asked)
        return shared >= 3 and (shared >= 0.6 * len(metric) or shared >= 0.4 * len(asked))

    def _answer_figures(self, q: Question, hits: list[Any]) -> Answer | None:
        rows = self.store.targets(provinces=q.provinces or None)
        if q.year:  # never a figure of a distant year; a directive of 2024 reports on 2023, so ±1 stays
            rows = [r for r in rows if _fact_year(r) is None or abs(_fact_year(r) - q.year) <= 1]
        if not rows or not hits:
            return None
        ranked = self._rank_rows(q, rows, hits, "metric")
        best = ranked[:3]
        if not best or not self._relevant(q, hits) or not self._figure_fits(q, best[0], hits):
            return None  # no stored figure where the text answers: quote the passage instead
        lines = []
        for r in best:
            label = T.TARGETS_HEAD if r["kind"] == "target" else T.RESULTS_HEAD
            year = f" (năm {r['year']})" if r.get("year") else ""
            lines.append(f"• {label[:-1]}: {r['metric']}: {r['value']}{year}")
        top = best[0]
        quote = self._best_sentences(q, top["quote"])
        lines += ["", f"{T.QUOTE_HEAD} «{quote}»", self._source_line(top["doc_id"], top["section"])]
        cites = []
        for r in best:
            c = self._citation(r["doc_id"], r["section"], r["quote"])
            if all((c.doc_id, c.section) != (x.doc_id, x.section) for x in cites):
                cites.append(c)
        facts = [{k: r[k] for k in ("kind", "metric", "value", "unit", "year", "scope", "doc_id", "section")}
                 for r in best]
        intent = "target" if top["kind"] == "target" else "result"
        return Answer(q.text, q.intent if q.intent in ("target", "result") else intent, True, "\n".join(lines),
                      cites, facts)

    # --- commands ------------------------------------------------------------------------------
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
        name = self.resolve_agency(arg) if arg.strip() else None
        if not name:
            return Answer(arg, "agency", False, T.NO_AGENCY.format(name=shorten(arg, ECHO_CHARS)))
        ids = [a["id"] for a in self._agencies if a["name"] == name]
        rows = self.store.deadlines(agency_ids=ids)
        items = sorted(((r, next_occurrence(r["due"], today)) for r in rows),
                       key=lambda it: (it[1] is None, it[1] or date.max))
        q = parse_question(arg, today, self._provinces)
        return self._list_answer(q, T.AGENCY_DUTIES_HEAD.format(agency=name),
                                 [(r, None) for r, _ in items], today, "agency")

    def documents(self) -> Answer:
        docs = self.store.documents()
        if not docs:
            return Answer("", "documents", False, T.NO_DOCUMENTS)
        lines = [T.DOCUMENTS_HEAD.format(count=len(docs))]
        for d in docs:
            title = f": {d['title']}" if d.get("title") else ""
            lines.append(f"• {self.source(d['doc_id'])}{title}")
        return Answer("", "documents", True, "\n".join(lines))
