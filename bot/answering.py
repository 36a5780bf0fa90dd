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
from knowledge.succession import Alias, agency_family, province_family
from knowledge.text import fold, syllables

MAX_LINES = 8
NEXT_AFTER_DAYS = 366  # an empty period is answered with the next deadline within a year after it
ECHO_CHARS = 100  # user text quoted back in a reply is cut here, so a pasted page stays one short message
# How questions are asked, not what about: rare in directives, so they would pass as informative.
_QUESTION_WORDS = frozenset({
    "ai", "gio", "khi", "may", "sao", "vi", "vay", "thi", "lam", "phai", "can", "truoc", "sau", "han",
    "viec", "lan", "toi", "ke", "sap", "da", "dang", "con", "het", "nhung", "hom", "nay", "mai", "tuan",
    "quy", "ky", "thoi", "diem", "vao", "luc", "hang", "chua", "roi", "tong", "nhat", "cao", "thap",
    "nhieu", "it", "yeu", "cau", "giao", "gom", "noi", "dung", "ty", "le",
})
_RATE = re.compile(r"(?<![a-z])ty le(?![a-z])")
_WHICH = re.compile(r"(?<![a-z])(huyen|xa|tinh|chuong trinh|dia phuong|nganh|san pham|linh vuc|du an) nao(?![a-z])")
SUPERLATIVE_CANDIDATES = 5  # best-ranked figures whose passage is tried as the list to compare
WHO_TASK_SHARE = 0.5  # share of the informative syllables a duty's task must contain to answer "who must do X"
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


def _sort_date(row: dict[str, Any], today: date) -> tuple[bool, date]:
    """Lists read in date order: a one-off by its last day, a recurring duty by its next occurrence;
    duties with no date (relative limits) last."""
    due = row["due"]
    when = next_occurrence(due, today) if isinstance(due, dict) else due_date(due)
    return (when is None, when or date.max)


def _short_metric(metric: str) -> str:
    """The last clause of a figure's metric (`…, trong đó: Chương trình giảm nghèo` → the programme)."""
    return shorten(re.split(r"[,;:]", metric)[-1].strip() or metric, 60)


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
            self._unplaced_docs = [d for d, row in self._docs.items() if not row.get("province")]
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
        """Stored agencies a question's names mean, with their other names across the 2025 renaming."""
        direct = [i for name in names for i in self._agency_ids_of(name, provinces)]
        return list(dict.fromkeys(direct + list(self._aliases(names, provinces))))

    def _aliases(self, names: list[str], provinces: list[str]) -> dict[int, Alias]:
        """Agency id → the alias it was found by, for agencies matched only through a renaming."""
        direct = {i for name in names for i in self._agency_ids_of(name, provinces)}
        out: dict[int, Alias] = {}
        for name in names:
            for alias in agency_family(name):
                for i in self._agency_ids_of(alias.name, provinces):
                    if i not in direct:
                        out.setdefault(i, alias)
        return out

    def _across_renaming(self, rows: list[dict[str, Any]], q: Question, lead_only: bool) -> list[dict[str, Any]]:
        """Keep a duty found through another name of the agency only where that name meant it then,
        and note the renaming beside it."""
        aliases = self._aliases(q.agencies, q.provinces)
        if not aliases:
            return rows
        names = {a["id"]: a["name"] for a in self._agencies}
        direct = {names[i] for i in self._agency_ids(q.agencies, q.provinces) if i not in aliases and i in names}
        out = []
        for r in rows:
            ids = set(r.get("agency_ids") or [])
            if direct & set(r["agencies"] + ([] if lead_only else r["cooperating"])):
                out.append(r)
                continue
            doc_date = r.get("issued_date") or (f"{r['year_hint']}-07-01" if r.get("year_hint") else None)
            if not doc_date and not isinstance(r["due"], dict):  # an undated news item: its duty's own date
                last = due_date(r["due"])
                doc_date = last.isoformat() if last else None
            via = [i for i in ids if i in aliases and aliases[i].applies_to(doc_date)]
            if via:
                r["notes"] = {names[i]: aliases[i].note for i in via if i in names}
                out.append(r)
        return out

    def _agency_ids_of(self, name: str, provinces: list[str]) -> list[int]:
        pool = [a for a in self._agencies if not provinces or a["province"] in provinces]
        known = [a["name"] for a in pool]
        key = _loose(agency_key(name))
        hits = [a["id"] for a in pool if a["loose"] == key]
        if not hits:
            hits = [a["id"] for a in pool if key in a["loose"] or a["loose"] in key and len(a["key"]) > 8]
        if not hits:
            resolved = set(resolve_agency(name, known))
            hits = [a["id"] for a in pool if a["name"] in resolved]
        return hits

    def resolve_agency(self, text: str) -> str | None:
        known = sorted({a["name"] for a in self._agencies})
        hits = resolve_agency(text, known) if text.strip() else []
        return hits[0] if hits else None

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

    def _best_sentences(self, q: Question, text: str, n: int = 2) -> str:
        parts = [p.strip() for p in re.split(r"(?<=[.;!?])\s+", text) if p.strip()]
        if not parts:
            return text[:300]
        want = _content(q.expanded)
        scored = sorted(parts, key=lambda p: -len(want & _content(p)))
        keep = set(scored[:n])
        return " ".join(p for p in parts if p in keep)[:600]

    def _informative(self, q: Question) -> set[str]:
        """Question words that tell passages apart: not the province, not words most passages use."""
        searcher = self._searcher
        return {s for s in _content(q.expanded) - _place_syllables(q) - _QUESTION_WORDS
                if searcher is None or searcher.lexical.share(s) <= COMMON_WORD_SHARE}

    def _relevant(self, q: Question, hits: list[Any]) -> bool:
        """Does the best passage share enough meaningful words with the question?"""
        if not hits:
            return False
        want = _content(q.expanded)
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
        words = {b for b in _bigrams(q.expanded) if rare.intersection(b.split("_"))}
        if words:
            covered = max(len(rare & {s for b in words & _bigrams(h.text) for s in b.split("_")}) for h in hits[:3])
            return covered >= ON_TOPIC_SHARE * len(rare)
        rare_overlap = max(len(rare & _content(h.text)) for h in hits[:3])
        return rare_overlap >= max(1, min(3, len(rare) // 2))

    # --- answers -------------------------------------------------------------------------------
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
        ans = self._plan(q, hits, today, doc_ids)
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

    def _quote_answer(self, q: Question, hits: list[Any]) -> Answer:
        rare = self._informative(q)
        ordered = sorted(hits[:3], key=lambda h: -len(rare & _content(h.text)))  # stable: rank breaks ties
        ordered += hits[3:]
        top = ordered[0]
        quote = self._best_sentences(q, top.quote)
        cites = [self._citation(h.doc_id, h.section, self._best_sentences(q, h.quote, 1)) for h in ordered[:3]]
        text = f"{T.QUOTE_HEAD}\n«{quote}»\n{self._source_line(top.doc_id, top.section)}"
        return Answer(q.text, q.intent, True, text, cites, [])

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

    def _document_duties(self, q: Question, doc_ids: set[str], today: date) -> Answer | None:
        """`CV 846 yêu cầu gì?`: the duties of the named document, by date."""
        rows = self.store.deadlines(doc_ids=sorted(doc_ids))
        if not rows:
            return None
        items = sorted(((r, None) for r in rows), key=lambda it: _sort_date(it[0], today))
        head = T.DOCUMENT_DUTIES_HEAD.format(source=self.source(sorted(doc_ids)[0]))
        return self._list_answer(q, head, items, today, "document")

    def _document_targets(self, q: Question, doc_ids: set[str]) -> Answer | None:
        """`Văn bản 287/KH-UBND giao những chỉ tiêu gì?`: the named document's targets (or results)."""
        kind = "result" if q.intent == "result" else "target"
        rows = self.store.targets(kind=kind, doc_ids=sorted(doc_ids))
        if not rows:
            return None
        head = T.DOCUMENT_TARGETS_HEAD.format(source=self.source(sorted(doc_ids)[0]))
        lines = [head] + [f"• {r['metric']}: {r['value']}" + (f" (năm {r['year']})" if r.get("year") else "")
                          for r in rows[:MAX_LINES]]
        if len(rows) > MAX_LINES:
            lines.append(T.MORE_COUNT.format(n=len(rows) - MAX_LINES))
        more = "\n".join(f"• {r['metric']}: {r['value']}" for r in rows[MAX_LINES:])
        cites = [self._citation(r["doc_id"], r["section"], r["quote"]) for r in rows[:3]]
        return Answer(q.text, kind, True, "\n".join(lines), cites, [], more)

    def _who_must(self, q: Question, hits: list[Any], today: date, doc_ids: set[str] | None) -> Answer | None:
        """`Cơ quan nào lập dự toán …?`: the duties whose task says what was asked, with their agencies."""
        rare = self._informative(q) or (_content(q.expanded) - _place_syllables(q) - _QUESTION_WORDS)
        if not rare:
            return None
        pool = doc_ids or ({h.doc_id for h in hits} if not q.provinces else None)
        rows = self.store.deadlines(doc_ids=sorted(pool) if pool else None, provinces=q.provinces or None)
        scored = []
        for r in rows:
            said = _content(f"{r['task']} {r['quote']}")
            share = len(rare & said) / len(rare)
            if share >= WHO_TASK_SHARE and r["agencies"]:
                scored.append((share + 0.3 * len(rare & _content(r["task"])) / len(rare), r))
        if not scored:
            return None
        scored.sort(key=lambda x: -x[0])
        best = [r for sc, r in scored if sc >= scored[0][0] - 0.15][:MAX_LINES]
        return self._list_answer(q, T.AGENCY_HEAD, [(r, None) for r in best], today, "agency")

    def _rank_rows(self, q: Question, rows: list[dict[str, Any]], hits: list[Any], text_key: str) -> list[dict]:
        hit_rank = {(h.doc_id, h.section_idx): i for i, h in enumerate(hits)}
        doc_rank: dict[str, int] = {}
        for i, h in enumerate(hits):
            doc_rank.setdefault(h.doc_id, i)
        want = _content(q.expanded)

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

    def _who(self, row: dict[str, Any]) -> str:
        notes = row.get("notes") or {}
        return ", ".join(f"{a} {notes[a]}" if a in notes else a for a in row["agencies"]) or T.UNKNOWN_AGENCY

    def _deadline_line(self, row: dict[str, Any], on: date | None, today: date) -> str:
        who = self._who(row)
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
        doc_ids = sorted(q.scope) if q.scope is not None else None
        if doc_ids is None and not (agency_ids or q.provinces or q.window or q.overdue) and hits:
            # Nothing in the question narrows the store, so the directives the search found are where
            # the answer is; reading every deadline instead took seconds at 10,000 directives.
            doc_ids = sorted({h.doc_id for h in hits})
        lead = self._across_renaming(self.store.deadlines(
            doc_ids=doc_ids, agency_ids=agency_ids or None, provinces=q.provinces or None, lead_only=True), q, True)
        if lead or not agency_ids:
            return lead
        rows = self._across_renaming(self.store.deadlines(
            doc_ids=doc_ids if q.scope is not None else None, agency_ids=agency_ids, provinces=q.provinces or None),
            q, False)
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
                text = T.NO_DEADLINES_WINDOW.format(start=fmt_date(q.window.start), end=fmt_date(q.window.end))
                later = expand(rows, q.window.end + timedelta(days=1), q.window.end + timedelta(days=NEXT_AFTER_DAYS))
                if later:
                    first = later[0].on
                    text += "\n" + T.NEXT_AFTER_WINDOW + "\n" + "\n".join(
                        self._dated_line(o.deadline, o.on) for o in later if o.on == first)
                return Answer(q.text, q.intent, True, text)
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
        if group:
            items = sorted(items, key=lambda it: (it[1] or date.max, ", ".join(it[0]["agencies"])))
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
        who = self._who(row)
        wording = row.get("due_text") or describe_due(row["due"], row["relation"])
        return f"• {fmt_date(on)} — {who}: {row['task']} ({wording})"

    def _figure_topical(self, q: Question, row: dict[str, Any]) -> bool:
        """The figure's metric and sentence share the question's informative words, and its unit is the
        one asked for (`tỷ lệ` asks for a %, `bao nhiêu xã` for a number of xã)."""
        if _RATE.search(q.folded) and row.get("unit") != "%":
            return False
        # Without rare words, the question's ordinary content words decide (all of them common ones).
        rare = self._informative(q) or (_content(q.expanded) - _place_syllables(q) - _QUESTION_WORDS)
        said = _content(f"{row.get('metric') or ''} {row.get('quote') or ''}")
        return not rare or len(rare & said) >= FIGURE_TOPIC_SHARE * len(rare)

    def _figure_fits(self, q: Question, row: dict[str, Any], hits: list[Any]) -> bool:
        """A figure answers when it shares the question's informative words, and its section is among the
        best passages or its metric is what was asked."""
        if not self._figure_topical(q, row):
            return False
        if (row["doc_id"], row["section_idx"]) in {(h.doc_id, h.section_idx) for h in hits[:FIGURE_HIT_DEPTH]}:
            return True
        metric = _content(row.get("metric") or "")
        asked = _content(q.expanded) - _place_syllables(q)
        shared = len(metric & asked)
        return shared >= 3 and (shared >= 0.6 * len(metric) or shared >= 0.4 * len(asked))

    def _superlative(self, q: Question, rows: list[dict[str, Any]], hits: list[Any]) -> Answer | None:
        """`… nào cao nhất / thấp nhất`: compare the stored figures that fit the question, same unit."""
        fitting = [r for r in rows if r.get("number") is not None and self._figure_topical(q, r)]
        if not fitting:
            return None
        same: list[dict[str, Any]] = []
        asked = _content(q.expanded) - _place_syllables(q) - _QUESTION_WORDS
        which = _WHICH.search(q.folded)
        kind = which.group(1) if which else ""  # `huyện nào …`: only figures about a huyện compare
        ranked = self._rank_rows(q, fitting, hits, "metric")
        ranked.sort(key=lambda r: -len(asked & _content(r["quote"])))  # stable: the rank breaks ties
        for top in ranked[:SUPERLATIVE_CANDIDATES]:
            # The figures compared are those listed together with the best one (same passage, same unit).
            same = [r for r in rows if r.get("number") is not None and r["unit"] == top["unit"]
                    and (r["doc_id"], r["section_idx"]) == (top["doc_id"], top["section_idx"])
                    and (not kind or kind in fold(r["metric"]))]
            if len(same) >= 2:
                break
        if len(same) < 2:
            return None
        pick = (max if q.superlative == "max" else min)(same, key=lambda r: r["number"])
        lines = [T.SUPERLATIVE_HEAD[q.superlative or "max"], f"• {_short_metric(pick['metric'])}: {pick['value']}"]
        others = "; ".join(f"{_short_metric(r['metric'])}: {r['value']}" for r in same if r is not pick)
        lines.append(T.COMPARED_WITH.format(others=shorten(others, 300)))
        lines += ["", f"{T.QUOTE_HEAD} «{pick['quote'][:400]}»", self._source_line(pick["doc_id"], pick["section"])]
        cite = self._citation(pick["doc_id"], pick["section"], pick["quote"])
        return Answer(q.text, "result", True, "\n".join(lines), [cite], [])

    def _answer_figures(self, q: Question, hits: list[Any], doc_ids: set[str] | None = None) -> Answer | None:
        rows = self.store.targets(doc_ids=sorted(doc_ids) if doc_ids else None, provinces=q.provinces or None)
        if q.year:  # never a figure of a distant year; a directive of 2024 reports on 2023, so ±1 stays
            rows = [r for r in rows if _fact_year(r) is None or abs(_fact_year(r) - q.year) <= 1]
        if not rows or not hits:
            return None
        if q.superlative:
            ans = self._superlative(q, rows, hits)
            if ans:
                return ans
        if q.year and q.intent == "target":  # `Mục tiêu năm 2027 …`: that year's targets, not last year's results
            rows = [r for r in rows if r["kind"] == "target" and _fact_year(r) == q.year] or rows
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
        """`/coquan`: the agency's duties in two lists, those it leads and those it supports, by date."""
        name = self.resolve_agency(arg) if arg.strip() else None
        if not name:
            return Answer(arg, "agency", False, T.NO_AGENCY.format(name=shorten(arg, ECHO_CHARS)))
        ids = [a["id"] for a in self._agencies if a["name"] == name]
        rows = self.store.deadlines(agency_ids=ids)
        lead = [r for r in rows if name in r["agencies"]]
        support = [r for r in rows if name not in r["agencies"]]
        q = parse_question(arg, today, self._provinces)
        ans = self._list_answer(q, T.AGENCY_DUTIES_HEAD.format(agency=name) + "\n" + T.LEAD_HEAD,
                                [(r, None) for r in sorted(lead, key=lambda r: _sort_date(r, today))], today, "agency")
        if support:
            support.sort(key=lambda r: _sort_date(r, today))
            lines = [T.SUPPORT_HEAD] + [self._deadline_line(r, None, today) for r in support]
            shown = lines[:MAX_LINES + 1]
            extra = "\n".join(lines[MAX_LINES + 1:])
            ans.text += "\n\n" + "\n".join(shown)
            if extra:
                ans.text += "\n" + T.MORE_COUNT.format(n=len(lines) - MAX_LINES - 1)
                ans.more = "\n".join(x for x in (ans.more, extra) if x)
        return ans

    def documents(self) -> Answer:
        docs = self.store.documents()
        if not docs:
            return Answer("", "documents", False, T.NO_DOCUMENTS)
        lines = [T.DOCUMENTS_HEAD.format(count=len(docs))]
        for d in docs:
            title = f": {d['title']}" if d.get("title") else ""
            lines.append(f"• {self.source(d['doc_id'])}{title}")
        return Answer("", "documents", True, "\n".join(lines))
