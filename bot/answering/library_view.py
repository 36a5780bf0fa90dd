"""What the answering parts read of the library besides the fact store: its documents, provinces and
agencies, and the passage searcher.

One view is shared by the Answerer's parts (sources, agency lookup, passage and fact answers) and
refreshed in place by `Answerer.reload` after an upload or a reindex; the parts only read it. A refresh
builds each value first and then swaps it in, so a reader in another thread sees a whole value.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from typing import Any

from bot.answering import answer_texts as T
from bot.answering.agency_lookup import loose
from bot.answering.question import PROGRAMMES, DocRef, Question
from bot.labels import fmt_date
from bot.tracking.fact_cache import FactCache
from knowledge.provinces import provinces_in
from knowledge.rulebook import rule
from knowledge.store import FactStore
from knowledge.succession import province_changes, province_family
from knowledge.text import fold, syllables

# A document is about a programme when its title names it or its text does this often; a plan on drugs
# that mentions `nông thôn mới` twice in passing is not a directive about the rural programme.
PROGRAMME_MENTIONS = 3


@dataclass(frozen=True)
class DocProfile:
    """What a document's text names, read once per stored version: the provinces and the programmes it
    is about."""

    provinces: frozenset[str]
    programmes: frozenset[str]


def _number_key(number: str) -> str:
    """`125/2025/QĐ-UBND` and `125 / 2025 / qd-ubnd` alike: folded, upper case, without spaces."""
    return fold(number).replace(" ", "").upper()


def number_matches(stored: str, asked: str) -> bool:
    """Whether a stored document number is the one asked: the same, or the asked one is its head
    (`160` for `160/KH-UBND`, `125/2025` for `125/2025/QĐ-UBND`), or the reverse."""
    have, want = _number_key(stored), _number_key(asked)
    return bool(have) and (have == want or have.startswith(want + "/") or want.startswith(have + "/")
                           or have.split("/")[0] == want)


def profile_of(title: str, text: str) -> DocProfile:
    """The provinces a document's text names and the programmes its title or text is about."""
    folded = fold(text)
    title_folded = fold(title)
    programmes = {name for name, pat in PROGRAMMES.items()
                  if pat.search(title_folded) or len(pat.findall(folded)) >= PROGRAMME_MENTIONS}
    return DocProfile(frozenset(provinces_in(text)), frozenset(programmes))


@dataclass
class ScopeCheck:
    """What the store holds of the places a question names: `missing` is the whole "not found" answer
    when it holds nothing of them; `note` explains a 2025 succession the answer relied on."""

    missing: str = ""
    note: str = ""


def changed_name(old: str) -> tuple[str, str | None]:
    """(`Hà Giang (từ 1/7/2025 thuộc Tuyên Quang, theo Nghị quyết 202/2025/QH15 ngày 12/6/2025)`,
    `Tuyên Quang`) for a province that became part of another in 2025; (name, None) otherwise."""
    for c in province_changes(old):
        if fold(c.old) == fold(old):
            return T.PROVINCE_CHANGED.format(old=old, since=fmt_date(c.since), new=c.new, source=c.source), c.new
    return old, None


# Issuers whose texts are national, not a province's: the Government, its Office, the Prime Minister,
# ministries and the National Assembly.
CENTRAL_ISSUER = re.compile(r"(?:van phong chinh phu|chinh phu|thu tuong|bo |quoc hoi|uy ban thuong vu quoc hoi)")
TITLE_RUN = 3  # syllables in a row shared with the named document's title that are its name, not the topic


def without_title_runs(text: str, titles: list[str]) -> str:
    """`text` without runs of TITLE_RUN or more syllables that a title also has in that order: `Theo KH 160
    về giám sát, đánh giá CTMTQG giảm nghèo, cơ quan nào …` asks about the plan's duties, not its subject."""
    words = list(re.finditer(r"[\w&]+", text))
    folded = [fold(w.group(0)) for w in words]
    grams = {tuple(t[i:i + TITLE_RUN]) for t in (fold(x).split() for x in titles)
             for i in range(len(t) - TITLE_RUN + 1)}
    drop: set[int] = set()
    for i in range(len(folded) - TITLE_RUN + 1):
        if tuple(folded[i:i + TITLE_RUN]) in grams:
            drop.update(range(i, i + TITLE_RUN))
    if not drop:
        return text
    out = text
    for i in sorted(drop, reverse=True):
        out = out[:words[i].start()] + " " * len(words[i].group(0)) + out[words[i].end():]
    return out


# A question names a document by its title when it repeats TITLE_GRAM syllables in a row that one held title
# has and no other, and TITLE_WORDS of the syllables so shared are the title's own words rather than the
# programme, type and period every title repeats (questions.toml `title_topic`). Measured on the 77 questions
# of the three answer sets: 3/3 names a document for 28 of them, each the one the question is about; 4/3
# names 23, 5/3 names 15, also without error; the answer figures are the same for all. 3/3 names the most.
TITLE_GRAM = 3
TITLE_WORDS = 3
_TITLE_TOPIC = rule("questions", "title_topic")


def title_grams(docs: dict[str, dict[str, Any]]) -> dict[tuple[str, ...], set[str]]:
    """Every run of TITLE_GRAM syllables of every title → the documents whose title has it."""
    grams: dict[tuple[str, ...], set[str]] = {}
    for doc_id, row in docs.items():
        words = syllables(row.get("title") or "")
        for i in range(len(words) - TITLE_GRAM + 1):
            grams.setdefault(tuple(words[i:i + TITLE_GRAM]), set()).add(doc_id)
    return grams


def topic_positions(words: list[str]) -> set[int]:
    """Which of `words` belong to the wording every title shares (`title_topic`)."""
    starts, offset = [], 0
    for w in words:
        starts.append(offset)
        offset += len(w) + 1
    out: set[int] = set()
    for m in _TITLE_TOPIC.finditer(" ".join(words)):
        out.update(i for i, start in enumerate(starts) if m.start() <= start < m.end())
    return out


class LibraryView:
    def __init__(self) -> None:
        self.searcher: Any = None  # index.search.Searcher, or None while there is no index
        self.docs: dict[str, dict[str, Any]] = {}  # doc_id → its stored row
        self.unplaced_docs: list[str] = []  # documents that name no province
        self.provinces: list[str] = []
        self.agencies: list[dict[str, Any]] = []  # stored agencies, each with its `loose` key
        self._title_grams: dict[tuple[str, ...], set[str]] = {}
        self._store: FactStore | FactCache | None = None
        self._profiles: dict[tuple[str, str], DocProfile] = {}  # (doc_id, sha256) → profile, read on demand
        self._lock = threading.Lock()

    def refresh(self, store: FactStore | FactCache, searcher: Any) -> None:
        """Read the documents, provinces and agencies again and take `searcher` as the current one."""
        with self._lock:
            self._store = store
            self.searcher = searcher
            docs = {d["doc_id"]: d for d in store.documents()}
            self._title_grams = title_grams(docs)
            self.docs = docs
            self.unplaced_docs = [d for d, row in self.docs.items() if not row.get("province")]
            self.provinces = store.provinces()
            agencies = store.agencies()
            for a in agencies:
                a["loose"] = loose(a["key"])
            self.agencies = agencies

    def documents_referred(self, ref: DocRef, provinces: list[str]) -> set[str]:
        """Documents a `type + number` reference means; of the provinces asked when some are, and of the
        type named when one is (`KH 160` is not `TB 160`), each narrowing only while something is left."""
        found = {d for d, row in self.docs.items() if number_matches(row.get("number") or "", ref.number)}
        for keep in (lambda row: row.get("province") in provinces if provinces else True,
                     lambda row: not ref.kind or fold(row.get("type") or "") == fold(ref.kind)):
            narrowed = {d for d in found if keep(self.docs[d])}
            found = narrowed or found
        return found

    def documents_titled(self, q: Question) -> set[str]:
        """The one document whose title the question repeats (`Kế hoạch truyền thông về giảm nghèo đa chiều
        năm 2025 của Cần Thơ …`), among those of the provinces it names; empty when none or several."""
        words = syllables(q.expanded)
        grams, docs = self._title_grams, self.docs

        def allowed(doc_id: str) -> bool:
            province = (docs.get(doc_id) or {}).get("province")
            return ((q.scope is None or doc_id in q.scope)
                    and (not q.provinces or not province or province in q.provinces))

        shared: dict[str, set[int]] = {}
        for i in range(len(words) - TITLE_GRAM + 1):
            having = [d for d in grams.get(tuple(words[i:i + TITLE_GRAM]), ()) if allowed(d)]
            if len(having) == 1:
                shared.setdefault(having[0], set()).update(range(i, i + TITLE_GRAM))
        if not shared:
            return set()
        topic = topic_positions(words)
        named = {d for d, positions in shared.items() if len(positions - topic) >= TITLE_WORDS}
        return named if len(named) == 1 else set()

    def has_duties(self, agency_ids: list[int]) -> bool:
        """Whether any stored deadline or duty names one of these agencies."""
        if not agency_ids or self._store is None:
            return False
        return bool(self._store.deadlines(agency_ids=agency_ids) or self._store.undated_duties(agency_ids))

    def profile(self, doc_id: str) -> DocProfile:
        """The document's profile, read from its stored text the first time it is asked for."""
        row = self.docs.get(doc_id) or {}
        key = (doc_id, str(row.get("sha256") or row.get("ingested_at") or ""))
        cached = self._profiles.get(key)
        if cached is None and self._store is not None:
            texts = self._store.document_texts({doc_id})
            cached = profile_of(row.get("title") or "", texts[0]["text"] if texts else "")
            self._profiles[key] = cached
        return cached or DocProfile(frozenset(), frozenset())

    def unplaced_naming(self, provinces: list[str]) -> set[str]:
        """Documents without a province of their own that may answer about `provinces`, which the store
        holds nothing of: those whose text names one of them, and those naming no province at all (a news
        item saying only `UBND tỉnh`) unless a central body issued them (a national text is no province's)."""
        wanted = set(provinces)
        out = set()
        for d in self.unplaced_docs:
            named = self.profile(d).provinces
            if wanted & named or (not named and not CENTRAL_ISSUER.match(fold(self.docs[d].get("issuer") or ""))):
                out.add(d)
        return out

    def programmes_held(self, doc_ids: set[str] | None = None) -> set[str]:
        """The programmes the documents (all when None) are about."""
        ids = self.docs if doc_ids is None else doc_ids
        return {p for d in ids for p in self.profile(d).programmes}

    def held_provinces(self, q: Question) -> ScopeCheck:
        """Narrow `q` to the provinces the store holds, across the 2025 succession (`Hà Giang` finds
        Tuyên Quang's directives, and the answer says so); a province held nowhere leaves only the
        documents without a province of their own that name it, and when there are none it is "not
        found", with the provinces the store holds."""
        if not q.provinces:
            return ScopeCheck()
        asked = list(q.provinces)
        family = list(dict.fromkeys(f for p in asked for f in province_family(p)))
        q.provinces = [f for f in family if f in self.provinces]
        if q.provinces:
            moved = [changed_name(a) for a in asked if a not in self.provinces]
            return ScopeCheck(note=" ".join(T.PROVINCE_SUCCESSION.format(changed=text, new=new)
                                            for text, new in moved if new in self.provinces))
        q.scope = self.unplaced_naming(family)
        if q.scope:
            return ScopeCheck()
        named = ", ".join(changed_name(a)[0] for a in asked)
        return ScopeCheck(missing=T.NOT_FOUND_PROVINCE.format(provinces=named) + "\n" + self.held_places())

    def held_places(self) -> str:
        """`Kho hiện có văn bản của: Cần Thơ, Huế, văn bản của các cơ quan trung ương.`"""
        places = sorted(self.provinces) + ([T.NATIONAL_DOCUMENTS] if self.unplaced_docs else [])
        return T.HELD_PROVINCES.format(provinces=", ".join(places)) if places else T.NO_DOCUMENTS

    def held_programmes(self, q: Question) -> str:
        """The "not found" answer when `q` names national target programmes none of the documents it may
        be answered from is about; "" when one is, or it names none, or it names a document."""
        if not q.programmes or q.references:
            return ""
        if q.scope is not None:
            pool: set[str] = set(q.scope)
        elif q.provinces:
            pool = {d for d, row in self.docs.items() if row.get("province") in q.provinces} | set(self.unplaced_docs)
        else:
            pool = set(self.docs)
        if set(q.programmes) & self.programmes_held(pool):
            return ""
        where = T.PROGRAMME_WHERE.format(provinces=", ".join(q.provinces)) if q.provinces else ""
        held = sorted(self.programmes_held(pool))
        also = (T.HELD_PROGRAMMES.format(programmes="; ".join(held)) if held else T.NO_PROGRAMMES_HELD)
        return T.NOT_FOUND_PROGRAMME.format(programmes=", ".join(q.programmes), where=where) + "\n" + also

    def _without_titles(self, text: str, doc_ids: set[str]) -> str:
        """`text` without the runs it shares with these documents' titles (`without_title_runs`)."""
        titles = [fold(re.sub(r"[^\w\s&]", " ", self.docs[d].get("title") or "")) for d in doc_ids if d in self.docs]
        return without_title_runs(text, titles)

    def within_titled(self, q: Question, titled: set[str]) -> Question:
        """`q` asked of the documents it names by title: their title's words say which document, and
        within it they would only find the preamble that repeats the title."""
        return replace(q, scope=set(titled), expanded=self._without_titles(q.expanded, titled))

    def without_named_titles(self, q: Question) -> None:
        """Drop from a `who must …` question's words the subject of the documents it names by number, once
        they are its scope: the duty is matched by the question's rare words, and the words that say which
        document (`KH 160 về giám sát … giảm nghèo`) are in none of its duties' tasks."""
        if q.references and q.scope and q.who:
            q.expanded = self._without_titles(q.expanded, q.scope)
