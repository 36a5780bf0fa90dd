"""Answers from stored facts: deadlines (by agency, period, document, or the duty asked about) and
figures (targets, results, superlatives), as lists people act on."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from bot.answering import answer_texts as T
from bot.answering.agency_lookup import AgencyLookup
from bot.answering.answer_model import Answer, Citation
from bot.answering.passage_answers import PassageAnswers
from bot.answering.question import WHO, Question
from bot.answering.sources import Sources
from bot.answering.words import QUESTION_WORDS, bigrams, content_syllables, place_syllables
from bot.formatting import shorten
from bot.labels import fmt_date
from bot.tracking.completions import Completion, DutyTracker
from bot.tracking.duty_status import duty_key, status_of
from bot.tracking.fact_cache import FactCache
from bot.tracking.open_duties import COOPERATING, occurrences, open_duties
from knowledge.recurrence import describe_due, due_date
from knowledge.schedule import OVERDUE_LOOKBACK_DAYS, expand, next_of
from knowledge.store import FactStore
from knowledge.text import fold

MAX_LINES = 8
TASK_WORDS_CACHED = 8192  # folded tasks kept (a few MB at most): the same duties are listed again and again
Done = dict[str, Completion] | None  # the tracker's completions by occurrence key, read once per list
NEXT_AFTER_DAYS = 366  # an empty period is answered with the next deadline within a year after it
_RATE = re.compile(r"(?<![a-z])ty le(?![a-z])")
_WHICH = re.compile(r"(?<![a-z])(huyen|xa|tinh|chuong trinh|dia phuong|nganh|san pham|linh vuc|du an) nao(?![a-z])")
SUPERLATIVE_CANDIDATES = 5  # best-ranked figures whose passage is tried as the list to compare
WHO_TASK_SHARE = 0.5  # share of the informative syllables a duty's task must contain to answer "who must do X"
# Ranking of "who must do X" candidates beyond that share, set on the held-out questions of
# tests/test_answer_heldout.py: adjacent syllable pairs of the question found in the duty (`lập kế
# hoạch`, not `công lập` + `kế hoạch` far apart) count most; the best passages' duties next.
WHO_PAIR_WEIGHT = 1.0
WHO_TASK_WEIGHT = 0.3  # the words in the task itself, not only in its sentence
WHO_HIT_POINTS = 0.3  # a duty in one of the best WHO_HIT_DEPTH passages
WHO_HIT_DEPTH = 5
WHO_CLOSE = 0.15  # candidates this close to the best are listed with it
WHO_TASK_CHARS = 200  # an undated duty's task as listed in the answer
FIGURE_TOPIC_SHARE = 0.5  # share of the informative syllables a figure's metric and sentence must contain
FIGURE_HIT_DEPTH = 5  # a figure is answered only when its section is among this many best passages
# Weights of a fact's rank (`rank_rows`), chosen so that where the fact sits in the search results
# dominates, its document's rank and word overlap order the rest, and the asked year breaks ties:
HIT_RANK_POINTS = 6  # a fact in the best passage gets 6, the fifth 1, lower ones nothing
DOC_RANK_POINTS = 2  # a fact of the best document gets 2, of the third 1
DOC_RANK_STEP = 0.5
TEXT_WORD_WEIGHT = 0.7  # per question word in the fact's own text (task or metric)
QUOTE_WORD_WEIGHT = 0.3  # per question word in its sentence
YEAR_POINTS = 1.5  # the fact is of the year asked
PREVIOUS_YEAR_POINTS = 1.0  # a result in a directive of year Y+1 (mostly about year Y)
COLLECTIVE_PENALTY = 5.0  # a duty the agency asked about has only as a member of a collective
PERIOD_YEAR_POINTS = 0.75  # a target of a plan period that holds the year asked


def _fact_years(row: dict[str, Any]) -> tuple[int, int] | None:
    """The years a target or result is about (first, last): its own (`2026`, or a plan's `2026-2030`),
    else its document's."""
    years = [int(y) for y in re.findall(r"(?:19|20)\d\d", str(row.get("year") or ""))]
    if years:
        return min(years), max(years)
    issued = row.get("issued_date") or ""
    if issued[:4].isdigit():
        return int(issued[:4]), int(issued[:4])
    return (int(row["year_hint"]),) * 2 if row.get("year_hint") else None


def _near_year(row: dict[str, Any], year: int, slack: int, unknown: bool = True) -> bool:
    """The fact's years come within `slack` of `year`; `unknown` is the answer for a fact of no year."""
    years = _fact_years(row)
    return unknown if years is None else years[0] - slack <= year <= years[1] + slack


@lru_cache(maxsize=TASK_WORDS_CACHED)
def _task_wording(task: str) -> tuple[str, frozenset[str]]:
    """A task folded, spaces normalised, and its set of words: read once per task text, not per answer."""
    words = fold(task).split()
    return " ".join(words), frozenset(words)


def _once_each(occ: list[Any]) -> list[Any]:
    """A window's list: a recurring duty at its first date in the window (its line says `hằng tuần`),
    and a duty two directives repeat word for word (same task, agencies and date) once."""
    seen: set[Any] = set()
    out = []
    for o in occ:
        d = o.deadline
        keys = {(_task_wording(d["task"] or "")[0], tuple(d["agencies"]), o.on)}
        if isinstance(d["due"], dict):
            keys.add(d["id"])
        if keys & seen:
            continue
        seen |= keys
        out.append(o)
    return out


def rule_label(due: dict[str, Any]) -> str | None:
    """`hằng tháng, ngày 5`: a recurring duty named by its rule; None for a rule without a plain name."""
    every = due.get("every")
    if every == "month":
        return T.RULE_MONTH.format(day=due["day"]) if due.get("day") else T.RULE_MONTH_END
    if every == "week":
        return T.RULE_WEEK.format(weekday=T.WEEKDAYS.get(due.get("weekday") or 5, T.WEEKDAYS[5]))
    if every == "quarter":
        return T.RULE_QUARTER
    if every == "half-year":
        return T.RULE_HALF
    if every == "year" and due.get("month"):
        return (T.RULE_YEAR.format(day=due["day"], month=due["month"]) if due.get("day")
                else T.RULE_YEAR_MONTH.format(month=due["month"]))
    return None


def _clock(row: dict[str, Any]) -> str:
    """` trước 16 giờ` for a limit that names an hour (`trước 16 giờ ngày thứ Sáu hằng tuần`)."""
    if not row.get("time"):
        return ""
    hh, mm = (int(x) for x in str(row["time"]).split(":")[:2])
    clock = f"{hh} giờ" + (f" {mm} phút" if mm else "")
    return f" {'trước ' if row.get('relation') == 'before' else 'lúc '}{clock}"


NEAR_DUPLICATE = 0.8  # share of the shorter task's words the other repeats for two lines to be one duty


def _task_words(row: dict[str, Any]) -> frozenset[str]:
    return _task_wording(row.get("task") or "")[1]


def _near_duplicate(a: dict[str, Any], b: dict[str, Any], wa: frozenset[str] | None = None,
                    wb: frozenset[str] | None = None) -> bool:
    """Two directives (or two paragraphs) giving the same agencies the same work in other words (`wa`,
    `wb`: their tasks' words when already read)."""
    if set(a.get("agencies") or []) != set(b.get("agencies") or []):
        return False
    wa = _task_words(a) if wa is None else wa
    wb = _task_words(b) if wb is None else wb
    small = min(len(wa), len(wb))
    return small > 0 and len(wa & wb) >= NEAR_DUPLICATE * small


def _when(row: dict[str, Any], on: date | None) -> tuple[str, Any]:
    """What two lines must share to be one duty: the rule of a recurring duty, the date of a one-off."""
    return ("rule", repr(row["due"])) if isinstance(row["due"], dict) else ("on", on or repr(row["due"]))


def first_screen(items: list[tuple[dict, date | None]]) -> list[tuple[dict, date | None]]:
    """A window's or an agency's list as read: one-off limits first by date, then each recurring duty
    once (its rule line), near-duplicates merged, so weekly and monthly duties never hide the limits."""
    once = [it for it in items if not isinstance(it[0]["due"], dict)]
    rules = [it for it in items if isinstance(it[0]["due"], dict)]
    out: list[tuple[dict, date | None]] = []
    # Lines kept so far by what they share (`_when`), with their tasks' words: a line is compared with
    # those of its own date or rule only, not with the whole list.
    kept: dict[tuple[str, Any], list[tuple[dict, frozenset[str]]]] = {}
    seen_rules: set[int] = set()
    for row, on in once + rules:
        if isinstance(row["due"], dict) and row["id"] in seen_rules:
            continue
        seen_rules.add(row["id"])
        same = kept.setdefault(_when(row, on), [])
        words = _task_words(row)
        if not any(_near_duplicate(row, r, words, w) for r, w in same):
            out.append((row, on))
            same.append((row, words))
    return out


def _sort_date(row: dict[str, Any], today: date) -> tuple[bool, date]:
    """Lists read in date order: a one-off by its last day, a recurring duty by its next occurrence;
    duties with no date (relative limits) last."""
    due = row["due"]
    when = (next_of(row, today) if isinstance(due, dict)
            else due_date(due, row.get("relation")))
    return (when is None, when or date.max)


def _short_metric(metric: str) -> str:
    """The last clause of a figure's metric (`…, trong đó: Chương trình giảm nghèo` → the programme)."""
    return shorten(re.split(r"[,;:]", metric)[-1].strip() or metric, 60)


def _append_list(ans: Answer, head: str, lines: list[str]) -> None:
    """A further list under an answer: its first screen shown, the rest behind `… và N mục khác`."""
    if not lines:
        return
    ans.text += "\n\n" + "\n".join([head, *lines[:MAX_LINES]])
    ans.found = True
    if len(lines) > MAX_LINES:
        ans.text += "\n" + T.MORE_COUNT.format(n=len(lines) - MAX_LINES)
        ans.more = "\n".join(x for x in (ans.more, "\n".join(lines[MAX_LINES:])) if x)


class FactAnswers:
    """Answers from the fact store: duties and deadlines (with whether they were done) and figures,
    judged against the passages the search found."""

    def __init__(self, store: FactStore | FactCache, tracker: DutyTracker, agencies: AgencyLookup,
                 passages: PassageAnswers, sources: Sources) -> None:
        self.store = store
        self.tracker = tracker
        self.agencies = agencies
        self.passages = passages
        self.sources = sources

    def _completion(self, row: dict[str, Any], on: date, done: Done = None) -> Completion | None:
        """The completion of the occurrence of `row` on `on`: from `done` (the tracker's completions, read
        once for a whole list) when given, else asked of the tracker."""
        key = duty_key(row, on)
        return done.get(key) if done is not None else self.tracker.completion(key)

    def _status(self, row: dict[str, Any], on: date, today: date, done: Done = None) -> tuple[str, date | None]:
        """Status of the occurrence of `row` on `on`, with its completion date when it is done."""
        completion = self._completion(row, on, done)
        done_on = completion.done_on if completion else None
        return status_of(on, today, done_on), done_on

    def _status_note(self, row: dict[str, Any], on: date | None, today: date, done: Done = None) -> str:
        """` [trạng thái: …]` after a duty in an answer; nothing for a limit without a date."""
        if on is None:
            return ""
        status, done_on = self._status(row, on, today, done)
        if done_on is not None:
            return f" [{T.STATUS_DONE.format(status=status, date=fmt_date(done_on))}]"
        return f" [{T.STATUS.format(status=status)}]"

    def document_duties(self, q: Question, doc_ids: set[str], today: date) -> Answer | None:
        """`CV 846 yêu cầu gì?`: the duties of the named document, by date."""
        rows = self.store.deadlines(doc_ids=sorted(doc_ids))
        if not rows:
            return None
        items = sorted(((r, None) for r in rows), key=lambda it: _sort_date(it[0], today))
        head = T.DOCUMENT_DUTIES_HEAD.format(source=self.sources.source(sorted(doc_ids)[0]))
        return self._list_answer(q, head, items, today, "document")

    def document_targets(self, q: Question, doc_ids: set[str]) -> Answer | None:
        """`Văn bản 287/KH-UBND giao những chỉ tiêu gì?`: the named document's targets (or results)."""
        kind = "result" if q.intent == "result" else "target"
        rows = self.store.targets(kind=kind, doc_ids=sorted(doc_ids))
        if not rows:
            return None
        head = T.DOCUMENT_TARGETS_HEAD.format(source=self.sources.source(sorted(doc_ids)[0]))
        lines = [head] + [f"• {r['metric']}: {r['value']}" + (f" (năm {r['year']})" if r.get("year") else "")
                          for r in rows[:MAX_LINES]]
        if len(rows) > MAX_LINES:
            lines.append(T.MORE_COUNT.format(n=len(rows) - MAX_LINES))
        more = "\n".join(f"• {r['metric']}: {r['value']}" for r in rows[MAX_LINES:])
        cites = [self.sources.citation(r["doc_id"], r["section"], r["quote"]) for r in rows[:3]]
        return Answer(q.text, kind, True, "\n".join(lines), cites, [], more)

    def agency_duties(self, arg: str, q: Question, name: str, today: date) -> Answer:
        """`/coquan`: the agency's duties by date, those it leads and those it supports, then its
        duties without a fixed limit (`thường xuyên`)."""
        ids = self.agencies.ids_named(name)
        rows = self.store.deadlines(agency_ids=ids) if ids else []
        undated = self.store.undated_duties(ids)
        if not rows and not undated:
            return Answer(arg, "agency", False, T.AGENCY_UNKNOWN_IN_STORE.format(name=name))
        lead = [r for r in rows if name in r["agencies"]]
        support = [r for r in rows if name not in r["agencies"]]
        ans = self._list_answer(q, T.AGENCY_DUTIES_HEAD.format(agency=name) + "\n" + T.LEAD_HEAD,
                                first_screen([(r, None) for r in sorted(lead, key=lambda r: _sort_date(r, today))]),
                                today, "agency")
        support = [r for r, _ in first_screen([(r, None) for r in sorted(support, key=lambda r: _sort_date(r, today))])]
        _append_list(ans, T.SUPPORT_HEAD, [self._deadline_line(r, None, today) for r in support])
        _append_list(ans, T.UNDATED_HEAD, [f"• {r['task']} — {self.sources.source(r['doc_id'])}, {r['section']}"
                                           for r in undated])
        return ans

    def target_list(self, arg: str, ranked: list[dict[str, Any]]) -> Answer:
        """`/muctieu`: the targets in the order given, the first screen shown and the rest behind a button."""
        lines = [T.TARGETS_HEAD] + [
            f"• {r['metric']}: {r['value']}" + (f" (năm {r['year']})" if r.get("year") else "")
            + f" — {self.sources.source(r['doc_id'])}" for r in ranked[:MAX_LINES]]
        more = "\n".join(f"• {r['metric']}: {r['value']}" for r in ranked[MAX_LINES:40])
        cites = [self.sources.citation(r["doc_id"], r["section"], r["quote"]) for r in ranked[:3]]
        return Answer(arg, "target", True, "\n".join(lines), cites, [], more)

    def who_must(self, q: Question, hits: list[Any], today: date, doc_ids: set[str] | None) -> Answer | None:
        """`Cơ quan nào lập dự toán …?`: the duties, dated or not, whose task says what was asked,
        with their agencies."""
        asked = content_syllables(WHO.sub(" ", fold(q.expanded)))  # `Cơ quan nào …`: the question's head is no topic
        rare = (self.passages.informative(q) & asked) or (asked - place_syllables(q) - QUESTION_WORDS)
        if not rare:
            return None
        pool = doc_ids or ({h.doc_id for h in hits} if not q.provinces else None)
        where = {"doc_ids": sorted(pool) if pool else None, "provinces": q.provinces or None}
        want_pairs = {b for b in bigrams(q.expanded) if rare & set(b.split("_"))}
        top = {(h.doc_id, h.section_idx) for h in hits[:WHO_HIT_DEPTH]}

        def score(r: dict[str, Any]) -> float | None:
            said = content_syllables(f"{r['task']} {r['quote']}")
            share = len(rare & said) / len(rare)
            if share < WHO_TASK_SHARE or not r["agencies"]:
                return None
            pairs = len(want_pairs & bigrams(f"{r['task']} {r['quote']}")) / len(want_pairs) if want_pairs else 0.0
            return (share + WHO_PAIR_WEIGHT * pairs + WHO_TASK_WEIGHT * len(rare & content_syllables(r["task"])) / len(rare)
                    + (WHO_HIT_POINTS if (r["doc_id"], r["section_idx"]) in top else 0.0))

        scored = [(sc, r, dated) for dated, rows in ((True, self.store.deadlines(**where)),
                                                     (False, self.store.undated_duties(**where)))
                  for r in rows if (sc := score(r)) is not None]
        if not scored:
            return None
        scored.sort(key=lambda x: -x[0])
        best = [(r, dated) for sc, r, dated in scored if sc >= scored[0][0] - WHO_CLOSE][:MAX_LINES]
        dated_rows = [r for r, dated in best if dated]
        undated = [f"• {self._who(r)} — {shorten(r['task'], WHO_TASK_CHARS)} — {self.sources.source(r['doc_id'])}, "
                   f"{r['section']}" for r, dated in best if not dated]
        if dated_rows:
            ans = self._list_answer(q, T.AGENCY_HEAD, [(r, None) for r in dated_rows], today, "agency")
            _append_list(ans, T.UNDATED_HEAD, undated)
            return ans
        cites = [self.sources.citation(r["doc_id"], r["section"], r["quote"]) for r, _ in best[:3]]
        return Answer(q.text, "agency", True, "\n".join([T.AGENCY_HEAD, *undated]), cites, [])

    def rank_rows(self, q: Question, rows: list[dict[str, Any]], hits: list[Any], text_key: str) -> list[dict]:
        hit_rank = {(h.doc_id, h.section_idx): i for i, h in enumerate(hits)}
        doc_rank: dict[str, int] = {}
        for i, h in enumerate(hits):
            doc_rank.setdefault(h.doc_id, i)
        want = content_syllables(q.expanded)

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
                s += HIT_RANK_POINTS - min(pos, HIT_RANK_POINTS - 1)
            if r["doc_id"] in doc_rank:
                s += DOC_RANK_POINTS - min(doc_rank[r["doc_id"]], DOC_RANK_POINTS) * DOC_RANK_STEP
            s += TEXT_WORD_WEIGHT * len(want & content_syllables(r.get(text_key) or ""))
            s += QUOTE_WORD_WEIGHT * len(want & content_syllables(r.get("quote") or ""))
            if q.year and (str(q.year) in str(r.get("due")) or str(q.year) == str(r.get("year"))
                           or (not r.get("year") and str(q.year) in (r.get("issued_date") or ""))):
                s += YEAR_POINTS
            elif q.year and r.get("year") and _near_year(r, q.year, 0):
                s += PERIOD_YEAR_POINTS  # a plan period (`2026-2030`) holding the year: after the year's own
            elif q.year and r.get("kind") == "result" and (_fact_years(r) or (0, 0))[1] == q.year + 1:
                s += PREVIOUS_YEAR_POINTS
            if r.get("via_collective"):
                s -= COLLECTIVE_PENALTY  # the agency's own duties before those it shares as one of `Các sở, …`
            return s

        return sorted(rows, key=score, reverse=True)

    def _who(self, row: dict[str, Any]) -> str:
        notes = row.get("notes") or {}
        return ", ".join(notes.get(a, a) for a in row["agencies"]) or T.UNKNOWN_AGENCY

    def _deadline_line(self, row: dict[str, Any], on: date | None, today: date, done: Done = None) -> str:
        who = self._who(row)
        wording = row.get("due_text") or describe_due(row["due"], row["relation"])
        if isinstance(row["due"], dict):
            nxt = on or next_of(row, today)
            when = f"{wording} ({T.NEXT_ON.format(date=fmt_date(nxt))})" if nxt else wording
        else:
            nxt = due_date(row["due"], row["relation"])
            when = describe_due(row["due"], row["relation"])
        line = f"• {who}: {row['task']} — {when}"
        if row["cooperating"]:
            line += f" ({T.COOPERATING.format(names=', '.join(row['cooperating']))})"
        return line + self._status_note(row, nxt, today, done)

    def _deadline_rows(self, q: Question, hits: list[Any]) -> list[dict[str, Any]]:
        agency_ids = self.agencies.ids(q.agencies, q.provinces) if q.agencies else []
        if q.agencies and not agency_ids:
            return []
        doc_ids = sorted(q.scope) if q.scope is not None else None
        if doc_ids is None and not (agency_ids or q.provinces or q.window or q.overdue) and hits:
            # Nothing in the question narrows the store, so the directives the search found are where
            # the answer is; reading every deadline instead took seconds at 10,000 directives.
            doc_ids = sorted({h.doc_id for h in hits})
        # A window reads only the one-off deadlines it could list, and those the next after it may show.
        between = (q.window.start, q.window.end + timedelta(days=NEXT_AFTER_DAYS)) if q.window and not q.overdue else None
        lead = self.agencies.across_renaming(self.store.deadlines(
            doc_ids=doc_ids, agency_ids=agency_ids or None, provinces=q.provinces or None, lead_only=True,
            due_between=between), q, True)
        if lead or not agency_ids:
            return lead
        return self._supporting_rows(q, agency_ids, set())

    def _supporting_rows(self, q: Question, agency_ids: list[int], lead_ids: set[int]) -> list[dict[str, Any]]:
        """Deadlines the agency asked about cooperates on (not those of `lead_ids`), marked as such."""
        doc_ids = sorted(q.scope) if q.scope is not None else None
        rows = [r for r in self.agencies.across_renaming(self.store.deadlines(
            doc_ids=doc_ids, agency_ids=agency_ids, provinces=q.provinces or None), q, False) if r["id"] not in lead_ids]
        for r in rows:
            r["supporting"] = True  # the agency asked about only cooperates here
        return rows

    def window_answer(self, q: Question, today: date) -> Answer | None:
        """`/hanchot [cơ quan] [thời gian]`: the occurrences of the window as the open-duties service finds
        them (the agency's other names and collectives too), those it leads first, then those it supports."""
        assert q.window is not None
        found = occurrences(self.store, self.tracker, q.window.start, q.window.end, today, q.agencies or None,
                            provinces=q.provinces or None, doc_ids=q.scope)
        if not found:
            return None
        lead = [(o.deadline, o.on) for o in found if o.role != COOPERATING]
        support = [(o.deadline, o.on) for o in found if o.role == COOPERATING]
        head = T.DEADLINES_WINDOW_HEAD.format(start=fmt_date(q.window.start), end=fmt_date(q.window.end))
        if not lead:
            head = T.COOPERATING_WINDOW_HEAD.format(names=", ".join(q.agencies)) + "\n" + head
            return self._list_answer(q, head, support, today, q.intent, group=True)
        ans = self._list_answer(q, head, lead, today, q.intent, group=True)
        _append_list(ans, T.SUPPORT_HEAD, [self._dated_line(r, on) for r, on in first_screen(support)])
        return ans

    def overdue_answer(self, q: Question, today: date) -> Answer:
        """What is overdue, of the agencies asked (their other names and collectives too) or of all, as the
        open-duties service counts it for /xong, reminders and the report; a recurring duty missed several
        times is one line with how often."""
        found = open_duties(self.store, self.tracker, today, q.agencies or None,
                            provinces=q.provinces or None).overdue
        if q.scope is not None:
            found = [o for o in found if o.deadline["doc_id"] in q.scope]
        if not found:
            return Answer(q.text, "overdue", True, T.NO_OVERDUE.format(days=OVERDUE_LOOKBACK_DAYS,
                                                                        today=fmt_date(today)))
        latest: dict[int, tuple[dict, date]] = {}
        times: dict[int, int] = {}
        items: list[tuple[dict, date | None]] = []
        for o in sorted(found, key=lambda o: o.on):
            if o.recurring:
                times[o.deadline["id"]] = times.get(o.deadline["id"], 0) + 1
                latest[o.deadline["id"]] = (o.deadline, o.on)
            else:
                items.append((o.deadline, o.on))
        items += [(dict(row, overdue_times=times[i]), on) for i, (row, on) in latest.items()]
        return self._list_answer(q, T.OVERDUE_HEAD.format(today=fmt_date(today)), items, today, "overdue",
                                 group=True)

    def answer_deadlines(self, q: Question, hits: list[Any], today: date) -> Answer | None:
        rows = self._deadline_rows(q, hits)
        if not rows:
            return None
        if q.overdue:
            return self.overdue_answer(q, today)
        if q.window:
            occ = _once_each(expand(rows, q.window.start, q.window.end))
            if not occ and q.agencies and not any(r.get("supporting") for r in rows):
                # it leads nothing in the window, but may cooperate on something there
                support = self._supporting_rows(q, self.agencies.ids(q.agencies, q.provinces), {r["id"] for r in rows})
                occ = _once_each(expand(support, q.window.start, q.window.end))
            if not occ:
                text = T.NO_DEADLINES_WINDOW.format(start=fmt_date(q.window.start), end=fmt_date(q.window.end))
                later = expand(rows, q.window.end + timedelta(days=1), q.window.end + timedelta(days=NEXT_AFTER_DAYS))
                if later:
                    first = later[0].on
                    text += "\n" + T.NEXT_AFTER_WINDOW + "\n" + "\n".join(
                        self._dated_line(o.deadline, o.on) for o in later if o.on == first)
                return Answer(q.text, q.intent, True, text)
            head = T.DEADLINES_WINDOW_HEAD.format(start=fmt_date(q.window.start), end=fmt_date(q.window.end))
            if occ[0].deadline.get("supporting"):
                head = T.COOPERATING_WINDOW_HEAD.format(names=", ".join(q.agencies)) + "\n" + head
            return self._list_answer(q, head, [(o.deadline, o.on) for o in occ], today, q.intent, group=True)
        if q.exact_date:
            exact = [r for r in rows if due_date(r["due"], r["relation"]) == q.exact_date]
            rows = exact or rows
        if q.next_only:
            rows = [r for r in rows if next_of(r, today)] or rows
        ranked = self.rank_rows(q, rows, hits, "task")
        if not q.agencies and not q.exact_date and not ranked:
            return None
        if not q.agencies and not self.passages.relevant(q, hits) and not q.exact_date:
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
            items = first_screen(sorted(items, key=lambda it: (it[1] or date.max, ", ".join(it[0]["agencies"]))))
        if not items:  # never index an empty list: an agency may have only supporting duties
            return Answer(q.text, intent, False, f"{head}\n{T.NOTHING_LISTED}")
        shown, rest = items[:MAX_LINES], items[MAX_LINES:] + (extra or [])
        done = self.tracker.completions()  # once for every line, not one query a line
        lines = [head] + [self._deadline_line(r, on if on else None, today, done) if not on
                          else self._dated_line(r, on, done) for r, on in shown]
        if items[MAX_LINES:]:
            lines.append(T.MORE_COUNT.format(n=len(items) - MAX_LINES))
        top = shown[0][0]
        lines += ["", f"{T.QUOTE_HEAD} «{top['quote'][:400]}»", self.sources.source_line(top["doc_id"], top["section"])]
        cites: list[Citation] = []
        for r, _ in shown:
            c = self.sources.citation(r["doc_id"], r["section"], r["quote"])
            if all((c.doc_id, c.section) != (x.doc_id, x.section) for x in cites):
                cites.append(c)
        more = "\n".join(self._deadline_line(r, on, today, done) if not on else self._dated_line(r, on, done)
                         for r, on in rest)
        facts = [{"agencies": r["agencies"], "cooperating": r["cooperating"], "due": r["due"],
                  "relation": r["relation"], "task": r["task"], "doc_id": r["doc_id"], "section": r["section"],
                  "date": on.isoformat() if on else None} for r, on in shown]
        return Answer(q.text, intent, True, "\n".join(lines), cites, facts, more)

    def _dated_line(self, row: dict[str, Any], on: date, done: Done = None) -> str:
        """`• 20/12/2026 — agency: task (wording)`, `• ✅ 20/12/2026 — …` once marked done; a recurring
        duty as its rule line (`• hằng tháng, ngày 5: agency: task (lần tới: 5/12/2026)`)."""
        rule = rule_label(row["due"]) if isinstance(row["due"], dict) else None
        if rule:
            return self._rule_line(row, on, rule + _clock(row), done)
        who = self._who(row)
        wording = row.get("due_text") or describe_due(row["due"], row["relation"])
        mark = f"{T.DONE_MARK} " if self._completion(row, on, done) else ""
        return f"• {mark}{fmt_date(on)} — {who}: {row['task']} ({wording})"

    def _rule_line(self, row: dict[str, Any], on: date, rule: str, done: Done = None) -> str:
        """One line for a recurring duty: its rule, then the occurrence meant (or how often it was missed)."""
        mark = f"{T.DONE_MARK} " if self._completion(row, on, done) else ""
        when = T.NEXT_ON.format(date=fmt_date(on))
        if "overdue_times" in row:
            when = (T.OVERDUE_TIMES.format(n=row["overdue_times"], date=fmt_date(on)) if row["overdue_times"] > 1
                    else T.OVERDUE_ON.format(date=fmt_date(on)))
        return f"• {mark}{rule}: {self._who(row)}: {row['task']} ({when})"

    def _figure_topical(self, q: Question, row: dict[str, Any]) -> bool:
        """The figure's metric and sentence share the question's informative words, and its unit is the
        one asked for (`tỷ lệ` asks for a %, `bao nhiêu xã` for a number of xã)."""
        if _RATE.search(q.folded) and row.get("unit") != "%":
            return False
        # Without rare words, the question's ordinary content words decide (all of them common ones).
        rare = self.passages.informative(q) or (content_syllables(q.expanded) - place_syllables(q) - QUESTION_WORDS)
        said = content_syllables(f"{row.get('metric') or ''} {row.get('quote') or ''}")
        return not rare or len(rare & said) >= FIGURE_TOPIC_SHARE * len(rare)

    def _figure_fits(self, q: Question, row: dict[str, Any], hits: list[Any]) -> bool:
        """A figure answers when it shares the question's informative words, and its section is among the
        best passages or its metric is what was asked."""
        if not self._figure_topical(q, row):
            return False
        if (row["doc_id"], row["section_idx"]) in {(h.doc_id, h.section_idx) for h in hits[:FIGURE_HIT_DEPTH]}:
            return True
        metric = content_syllables(row.get("metric") or "")
        asked = content_syllables(q.expanded) - place_syllables(q)
        shared = len(metric & asked)
        return shared >= 3 and (shared >= 0.6 * len(metric) or shared >= 0.4 * len(asked))

    def _superlative(self, q: Question, rows: list[dict[str, Any]], hits: list[Any]) -> Answer | None:
        """`… nào cao nhất / thấp nhất`: compare the stored figures that fit the question, same unit."""
        fitting = [r for r in rows if r.get("number") is not None and self._figure_topical(q, r)]
        if not fitting:
            return None
        same: list[dict[str, Any]] = []
        asked = content_syllables(q.expanded) - place_syllables(q) - QUESTION_WORDS
        which = _WHICH.search(q.folded)
        kind = which.group(1) if which else ""  # `huyện nào …`: only figures about a huyện compare
        ranked = self.rank_rows(q, fitting, hits, "metric")
        ranked.sort(key=lambda r: -len(asked & content_syllables(r["quote"])))  # stable: the rank breaks ties
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
        lines += ["", f"{T.QUOTE_HEAD} «{pick['quote'][:400]}»", self.sources.source_line(pick["doc_id"], pick["section"])]
        cite = self.sources.citation(pick["doc_id"], pick["section"], pick["quote"])
        return Answer(q.text, "result", True, "\n".join(lines), [cite], [])

    def answer_figures(self, q: Question, hits: list[Any], doc_ids: set[str] | None = None) -> Answer | None:
        rows = self.store.targets(doc_ids=sorted(doc_ids) if doc_ids else None, provinces=q.provinces or None)
        if q.year:  # never a figure of a distant year; a directive of 2024 reports on 2023, so ±1 stays
            rows = [r for r in rows if _near_year(r, q.year, 1)]
        if not rows or not hits:
            return None
        if q.superlative:
            ans = self._superlative(q, rows, hits)
            if ans:
                return ans
        if q.year and q.intent == "target":  # `Mục tiêu năm 2027 …`: that year's targets, not last year's results
            rows = [r for r in rows if r["kind"] == "target" and _near_year(r, q.year, 0, unknown=False)] or rows
        ranked = self.rank_rows(q, rows, hits, "metric")
        best = ranked[:3]
        if not best or not self.passages.relevant(q, hits) or not self._figure_fits(q, best[0], hits):
            return None  # no stored figure where the text answers: quote the passage instead
        lines = []
        for r in best:
            label = T.TARGETS_HEAD if r["kind"] == "target" else T.RESULTS_HEAD
            year = f" (năm {r['year']})" if r.get("year") else ""
            lines.append(f"• {label[:-1]}: {r['metric']}: {r['value']}{year}")
        top = best[0]
        quote = self.passages.best_sentences(q, top["quote"])
        lines += ["", f"{T.QUOTE_HEAD} «{quote}»", self.sources.source_line(top["doc_id"], top["section"])]
        cites = []
        for r in best:
            c = self.sources.citation(r["doc_id"], r["section"], r["quote"])
            if all((c.doc_id, c.section) != (x.doc_id, x.section) for x in cites):
                cites.append(c)
        facts = [{k: r[k] for k in ("kind", "metric", "value", "unit", "year", "scope", "doc_id", "section")}
                 for r in best]
        intent = "target" if top["kind"] == "target" else "result"
        return Answer(q.text, q.intent if q.intent in ("target", "result") else intent, True, "\n".join(lines),
                      cites, facts)
