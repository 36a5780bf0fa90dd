"""Answering a question: structured facts from the fact store, passages otherwise, or "not found".

The planner: a question is parsed once (bot.answering.question), the passage search and the fact answers
(bot.answering.fact_answers) run, and one Answer comes back. The Answerer is composed of parts, each
given what it needs: a LibraryView (documents, provinces, agencies, the searcher) that `reload`
refreshes, Sources (how documents are named), AgencyLookup, PassageAnswers and FactAnswers; the planner
calls their public methods. Nothing here knows about Telegram.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from bot.answering import answer_texts as T
from bot.answering import typed_answers as typed
from bot.answering.agency_lookup import AgencyLookup
from bot.answering.answer_model import Answer, Citation
from bot.answering.fact_answers import FactAnswers
from bot.answering.followups import Followup
from bot.answering.library_view import LibraryView, ScopeCheck
from bot.answering.passage_answers import PassageAnswers
from bot.answering.question import DocRef, Question, TimeWindow, parse_question
from bot.answering.sources import Sources
from bot.answering.words import place_syllables
from bot.config import Settings
from bot.formatting import shorten
from bot.labels import fmt_date
from bot.tracking.completions import DutyTracker
from bot.tracking.fact_cache import FactCache
from bot.tracking.open_duties import agency_scope
from knowledge.agencies import find_agencies, misspelt_agencies
from knowledge.store import FactStore
from knowledge.text import fold

log = logging.getLogger(__name__)
__all__ = ["ECHO_CHARS", "Answer", "Answerer", "Citation", ]

ECHO_CHARS = 100  # user text quoted back in a reply is cut here, so a pasted page stays one short message


SEARCH_HITS = 8  # passages a question reads (the planner's default since the first answers)
NAMED_DOCUMENT_HITS = 24  # within one named document asked for a value: a long decision's article may rank below
# its preamble (national_texts hx-05 has 160 sections). Reading 24 for every typed question was worse on both
# answer sets (national 25/30, plans 22/27 against 26/30 and 23/27), so only a named document reads deeper.
# The heading under which a plan states its own period (`3. Thời gian thực hiện: Từ nay đến hết năm 2025`).
PERIOD_HEADING = "thời gian thực hiện"


class LazyHits(Sequence[Any]):
    """The passage search, run the first time a path looks at it: a question the fact store answers
    alone (a window of deadlines, what is overdue, an agency's limits) never embeds the question."""

    def __init__(self, run: Callable[[], list[Any]]) -> None:
        self._run = run
        self._hits: list[Any] | None = None

    def _all(self) -> list[Any]:
        if self._hits is None:
            self._hits = self._run()
        return self._hits

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._all())

    def __bool__(self) -> bool:
        return bool(self._all())


class Answerer:
    """Loads the store, index and model once; `answer` is safe to call from several threads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = FactStore(settings.store_target)
        self.facts_read = FactCache(self.store)  # the store's fact reads, parsed once per store version
        self.tracker = DutyTracker(settings.open_state())  # answers say whether a duty was done
        self.view = LibraryView()
        self.sources = Sources(self.view)
        self.agencies = AgencyLookup(self.view)
        self.passages = PassageAnswers(self.view, self.sources)
        self.facts = FactAnswers(self.facts_read, self.tracker, self.agencies, self.passages, self.sources)
        self.reload()

    def reload(self) -> None:
        """Re-open the index (after an ingest or reindex swapped it) and the document list.

        Index segments the current searcher already holds are shared, not read twice.
        """
        from index.search import Searcher
        from index.segments import ManifestError

        previous = self.view.searcher
        try:
            searcher = Searcher.load(self.settings.index_dir, settings=self.settings, previous=previous)
        except FileNotFoundError:
            searcher = None
        except ManifestError as exc:  # no index it can trust: answer from the facts until a reindex
            log.error("%s; answering from the fact store only", exc)
            searcher = previous
        self.view.refresh(self.facts_read, searcher)

    def source(self, doc_id: str) -> str:
        return self.sources.source(doc_id)

    def resolve_agency(self, text: str) -> str | None:
        return self.agencies.resolve(text)

    def parse(self, question: str, today: date, context: Followup | None = None) -> Question:
        """The question as the answer reads it: parsed, misspelt agencies found, and what a follow-up
        omits taken from the question it replies to (`context`)."""
        q = parse_question(question, today, self.view.provinces)
        if not q.agencies and not q.who:
            q.agencies = misspelt_agencies(question, self.agencies.known_names())
        if context is not None and not q.agencies:
            # `Còn Kho bạc thì sao?`: a short name the parser leaves out is the agency the follow-up asks about
            named = [self.agencies.resolve(m.name) for m in find_agencies(question, None, open_vocab=True)]
            q.agencies = [n for n in named if n]
        return context.merge_into(q) if context is not None else q

    def answer(self, question: str, today: date, context: Followup | None = None) -> Answer:
        q = self.parse(question, today, context)
        if q.small_talk and len(q.folded.split()) <= 4 and (context is None or context.empty):
            return Answer(question, "smalltalk", False, f"{T.SMALL_TALK}\n\n{T.SUGGEST}")
        held = self.view.held_provinces(q)  # a province held nowhere: "not found", with what is held
        if held.missing:
            return Answer(question, q.intent, False, held.missing + "\n\n" + T.SUGGEST)
        doc_ids = self._named_documents(q)
        if q.documents and not doc_ids:
            return Answer(question, q.intent, False, T.NO_SUCH_DOCUMENT.format(
                numbers=", ".join(q.documents)) + "\n\n" + T.SUGGEST)
        if doc_ids is None:
            titled = self.view.documents_titled(q)
            if titled:  # a question naming a document by its title is answered from it when it can be
                ans = self._answer_within(self._of_document(self.view.within_titled(q, titled)), question, today,
                                          held, named=True)
                if ans.found:
                    return ans
        if doc_ids is not None:
            q.scope = doc_ids if q.scope is None else (doc_ids & q.scope) or doc_ids
            self.view.without_named_titles(q)
        return self._answer_within(q, question, today, held, named=bool(q.documents))

    @staticmethod
    def _of_document(q: Question) -> Question:
        """`Kế hoạch … thực hiện đến bao giờ?`: once the document's title is out, a question asking when with
        no word of its own left asks the document's own period, which plans state under that heading."""
        if "date" in typed.asked_types(q.folded) and not typed.topic_words(q.expanded, place_syllables(q)):
            q.expanded = f"{q.expanded} {PERIOD_HEADING}"
        return q

    def _answer_within(self, q: Question, question: str, today: date, held: ScopeCheck, *, named: bool) -> Answer:
        """The answer from the documents of `q.scope` (all when None), once the places and documents the
        question names (`named`: by number or title) are settled."""
        doc_ids = q.scope
        missing = self.view.held_programmes(q)  # a programme no directive here is about: the same
        if missing:
            return Answer(question, q.intent, False, missing + "\n\n" + T.SUGGEST)
        unknown_agency = ""
        if q.agencies and q.intent in ("deadline", "agency", "overdue") and not self.agencies.ids(
                q.agencies, q.provinces):
            unknown_agency = ", ".join(q.agencies)
            q.agencies = []  # answer from the text, and say that no duty names this agency
        # A question naming one document and asking for a value reads deeper into it.
        depth = NAMED_DOCUMENT_HITS if named and doc_ids and typed.asked_types(q.folded) else SEARCH_HITS
        hits = LazyHits(lambda: self.passages.search(q, k=depth, only=doc_ids))
        try:
            ans = self._plan(q, hits, today, doc_ids)
        except Exception:  # a fault in one fact path must not cost the user the passage that answers
            log.exception("Answering from the facts failed; quoting the passage instead: %r", question)
            ans = (self.passages.quote_answer(q, hits) if self.passages.on_topic(q, hits)
                   else Answer(question, q.intent, False, f"{T.NOT_FOUND}\n\n{T.SUGGEST}"))
        if unknown_agency:
            if not ans.found:
                text = T.AGENCY_UNKNOWN_IN_STORE.format(name=unknown_agency) + "\n\n" + T.SUGGEST
                return Answer(question, q.intent, False, text)
            ans.text = T.AGENCY_NOT_NAMED.format(name=unknown_agency) + "\n" + ans.text
        if held.note and ans.found:
            ans.text = held.note + "\n" + ans.text
        return ans

    def _plan(self, q: Question, hits: list[Any], today: date, doc_ids: set[str] | None) -> Answer:
        """Facts first (a document's duties, who must do X, deadlines, figures), then the passage; "not
        found" only when neither holds the answer."""
        if q.documents and doc_ids and not q.window and not q.agencies:
            ans = (self.facts.document_targets(q, doc_ids) if q.intent in ("target", "result")
                   else self.facts.document_duties(q, doc_ids, today))
            if ans:
                return ans
        if q.who and not q.agencies and q.intent in ("agency", "deadline"):
            ans = self._unless_typed(q, hits, self.facts.who_must(q, hits, today, doc_ids))
            if ans:
                return ans
            if not self.passages.on_topic(q, hits):
                return Answer(q.text, q.intent, False, f"{T.NOT_FOUND}\n\n{T.SUGGEST}")
        if q.intent in ("deadline", "agency", "overdue"):
            ans = self.facts.answer_deadlines(q, hits, today)
            if ans:
                return ans
        if q.intent in ("target", "result") or q.superlative or not self.passages.relevant(q, hits):
            ans = self.facts.answer_figures(q, hits, doc_ids)
            if ans:
                return ans
        return self.passages.passage_answer(q, hits) or Answer(q.text, q.intent, False, f"{T.NOT_FOUND}\n\n{T.SUGGEST}")

    def _unless_typed(self, q: Question, hits: list[Any], ans: Answer | None) -> Answer | None:
        """A stored-duty answer to `sở nào …` / `báo cáo cho ai` that does not name the agency the passage
        sentence holds gives way to that sentence: the question asked for that value."""
        if ans is None or "agency" not in typed.asked_types(q.folded):
            return ans
        found = self.passages.typed(q, hits)
        if found is None or "agency" not in found.kinds or fold(found.value) in fold(ans.text):
            return ans
        return self.passages.typed_answer(q, found)

    def _named_documents(self, q: Question) -> set[str] | None:
        """Documents the question names by type and number (`KH 160`, `QĐ 125/2025`, `Kế hoạch 287/KH-UBND`),
        of the provinces it names when some are; None when it names none."""
        if not q.documents:
            return None
        found: set[str] = set()
        typed = {r.number: r for r in q.references}  # a follow-up carries only the numbers
        for ref in (typed.get(n, DocRef("", n)) for n in q.documents):
            found |= self.view.documents_referred(ref, q.provinces)
            if not found and "/" in ref.number:  # a news item names the directive it reports only in its text
                found |= set(self.store.documents_opening_with(ref.number))
        return found

    # --- commands -------------------------------------------------------------------------------
    def deadlines(self, arg: str, today: date) -> Answer:
        q = parse_question(arg or "", today, self.view.provinces)
        year = re.search(r"(?<!\d)(20\d\d)(?!\d)", arg or "")
        if not q.window and year:
            y = int(year.group(1))
            q.window = TimeWindow(date(y, 1, 1), date(y, 12, 31), year.group(1))
        if not q.window:
            q.window = TimeWindow(today, today + timedelta(days=14), "14 ngay toi")
        q.intent = "deadline"
        ans = (self.facts.window_answer(q, today) or self.facts.answer_deadlines(q, [], today)
               if self.facts_read.deadlines() else None)
        return ans or Answer(arg, "deadline", False, T.NO_DEADLINES_WINDOW.format(
            start=fmt_date(q.window.start), end=fmt_date(q.window.end)))

    def overdue(self, arg: str, today: date) -> Answer:
        q = parse_question(arg or "", today, self.view.provinces)
        q.overdue, q.intent = True, "overdue"
        if arg.strip() and not q.agencies and not q.provinces:
            q.agencies = [arg.strip()]  # `/quahan UBND`: the argument is the agency, parsed or not
        if q.agencies and not agency_scope(self.facts_read, q.agencies).ids:
            return Answer(arg, "overdue", False, T.NO_AGENCY.format(name=shorten(arg, ECHO_CHARS)))
        return self.facts.overdue_answer(q, today)

    def targets(self, arg: str, today: date) -> Answer:
        q = parse_question(arg or "mục tiêu", today, self.view.provinces)
        q.intent = "target"
        rows = self.facts_read.targets(kind="target", provinces=q.provinces or None)
        if not rows:
            return Answer(arg, "target", False, T.NO_TARGETS)
        hits = self.passages.search(q) if arg.strip() else []
        ranked = self.facts.rank_rows(q, rows, hits, "metric") if arg.strip() else rows
        return self.facts.target_list(arg, ranked)

    def agency(self, arg: str, today: date) -> Answer:
        """`/coquan`: the agency's duties by date, those it leads and those it supports, then its
        duties without a fixed limit (`thường xuyên`)."""
        name = self.agencies.resolve(arg) if arg.strip() else None
        if not name:
            return Answer(arg, "agency", False, T.NO_AGENCY.format(name=shorten(arg, ECHO_CHARS)))
        return self.facts.agency_duties(arg, parse_question(arg, today, self.view.provinces), name, today)

    def documents(self) -> Answer:
        docs = self.store.documents()
        if not docs:
            return Answer("", "documents", False, T.NO_DOCUMENTS)
        lines = [T.DOCUMENTS_HEAD.format(count=len(docs))]
        for d in docs:
            title = f": {d['title']}" if d.get("title") else ""
            lines.append(f"• {self.sources.source(d['doc_id'])}{title}")
        return Answer("", "documents", True, "\n".join(lines))
