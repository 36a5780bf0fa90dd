"""Answer by type: what a question asks for (a share, a duration, how often, a month, a date, an agency,
a number) and, among the retrieved passages, the sentence or table row that holds a value of that type
near the question's content words. The value is also given normalised (`ngày 31 tháng 12 năm 2025` →
31/12/2025), because officials compare dates in that form and a long quote hides it.

Pure functions over the question's folded text and the passages; the planner decides when to use them
(a fact from the store answers first when it holds the asked type)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.answering.question import expand_abbreviations
from knowledge.agencies import Mention, agency_key, find_agencies, fold_aligned
from knowledge.text import syllables

# What is asked, from the question's folded words, in the order they are tried. Written from how
# officials ask: `bao nhiêu phần trăm`, `mấy %`, `trong bao lâu`, `bao nhiêu ngày làm việc`,
# `bao lâu một lần`, `trong tháng nào`, `ngày nào / khi nào / đến bao giờ / có hiệu lực từ ngày nào`,
# `sở nào / cơ quan nào / báo cáo cho ai / gửi về đâu`, `bao nhiêu / mấy xã`.
_B, _E = r"(?<![a-z0-9])", r"(?![a-z0-9])"
ASKED: list[tuple[str, re.Pattern[str]]] = [
    ("percent", re.compile(rf"{_B}(?:(?:bao nhieu|may) (?:phan tram|%)|ty le(?: \w+)* (?:bao nhieu|may)){_E}"
                           r"|bao nhieu %|may %")),
    ("frequency", re.compile(rf"{_B}(?:bao lau (?:mot|1) lan|may lan|(?:dinh ky|thuong) (?:ra )?sao){_E}")),
    ("duration", re.compile(rf"{_B}(?:(?:bao nhieu|may) (?:ngay|thang|tuan|gio)|(?:trong )?bao lau(?! (?:mot|1) lan)"
                            rf"|thoi han bao nhieu){_E}")),
    ("month", re.compile(rf"{_B}(?:thang nao|thang may|quy nao){_E}")),
    ("date", re.compile(rf"{_B}(?:ngay nao|ngay may|khi nao|bao gio|luc nao|thoi gian nao|thoi diem nao"
                        rf"|han (?:chot |cuoi )?(?:la )?(?:ngay )?nao|hieu luc){_E}")),
    ("agency", re.compile(rf"{_B}(?:co quan nao|don vi nao|so nao|bo nao|ban nao|ai|ve dau|noi nao|ben nao){_E}")),
    ("number", re.compile(rf"{_B}(?:bao nhieu|may (?:xa|huyen|ho|du an|cong trinh|don vi|tin|lan|nguoi)"
                          rf"|so luong){_E}")),
]
# A question for a reason or a manner asks for no value, whatever nouns it holds (`vì sao tỷ lệ … thấp`).
_NOT_TYPED = re.compile(rf"{_B}(?:vi sao|tai sao|nguyen nhan|ly do|nhu the nao|the nao|ra sao|lam sao){_E}")
# A narrower kind answers a broader one: a share or a duration is the number asked, a month is a date.
_SUBSUMES = {"percent": {"number"}, "duration": {"number", "date"}, "frequency": {"number", "date"},
             "month": {"date"}}

_D = r"(?<![\d/])"  # no digit or slash before: `05/2025/TT-BDTTG` is a document number, not a month
_DMY = (rf"{_D}\d{{1,2}}\s*/\s*\d{{1,2}}\s*/\s*\d{{4}}(?![\d/])"
        r"|ngay\s+\d{1,2}\s+thang\s+\d{1,2}(?:\s+nam\s+\d{4}|\s*/\s*\d{4})?(?!\d)")
_MONTH = (rf"thang\s+\d{{1,2}}(?:\s*/\s*\d{{4}}|\s+nam\s+\d{{4}})?(?!\d)"
          rf"|quy\s+(?:iv|i{{1,3}}|[1-4])(?:\s*/\s*\d{{4}}|\s+nam\s+\d{{4}})?{_E}")
VALUE: dict[str, re.Pattern[str]] = {
    "percent": re.compile(r"(?<![\d.,])\d{1,3}(?:[.,]\d+)?\s*%"),
    # `10 ngày`, `05 ngày làm việc`, `20 (hai mươi) ngày làm việc` (legal texts spell the number out in
    # brackets); not `17 tháng 9` (a date) nor `ngày 15 tháng 12`
    "duration": re.compile(rf"(?<!ngay ){_D}\d{{1,3}}\s+(?:\([a-z ]{{2,30}}\)\s*)?(?:ngay|thang|tuan|gio)"
                           rf"(?:\s+lam\s+viec)?{_E}(?!\s*\d)"),
    "frequency": re.compile(rf"{_B}(?:dinh ky\s+)?(?:hang|moi)\s+(?:nam|thang|quy|tuan|ngay){_E}|{_B}dinh ky{_E}"
                            rf"|{_B}thuong xuyen{_E}"),
    "month": re.compile(rf"{_MONTH}|{_DMY}"),
    "date": re.compile(rf"{_DMY}|{_MONTH}|{_D}\d{{1,2}}\s*/\s*\d{{1,2}}(?![\d/])"
                       rf"|{_B}(?:het|cuoi|trong)\s+nam\s+\d{{4}}"),
    # a count or amount, not a year, a day (`ngày 23 hằng tháng`), a part of a date nor a number (`số 12`)
    "number": re.compile(r"(?<![\d/.,])(?<!ngay )(?<!thang )(?<!nam )(?<!quy )(?<!so )(?<!lan thu )"
                         r"(?!(?:19|20)\d\d(?!\d))\d[\d.,]*(?![\d/])"),
}
# A date right after a document number (`Quyết định số 1618/QĐ-UBND ngày 08/10/2025`) says when that
# document was issued, never when a duty is due.
_REFERENCE_BEFORE = re.compile(r"(?:/[a-z0-9&.\-]+|so \d+)\s*,?\s*(?:ngay\s*)?$")
# A notice opens with the day of the meeting it reports (`Ngày 20/4/2026, UBND tỉnh tổ chức…`): past,
# never the time a question about a duty or an event to come asks for.
_EVENT_OPENING = re.compile(r"^\W*(?:ngay\s*)?$")
# Words that put a value in a duty's time frame (`trước ngày`, `chậm nhất`, `trong thời hạn`, `kể từ`).
_DUE_BEFORE = re.compile(r"(?:truoc|cham nhat|han|trong|den|het|hoan thanh|ke tu|tu|vao|hieu luc|dat"
                         r"|it nhat|toi thieu|phan dau)\W*(?:\w+\W+){0,3}$")
_STOP = frozenset({
    "cua", "va", "cac", "la", "gi", "nao", "the", "bao", "nhieu", "co", "khong", "duoc", "trong", "nam",
    "thang", "ngay", "tinh", "o", "tai", "cho", "voi", "den", "phai", "ai", "khi", "han", "truoc", "sau",
    "nhung", "theo", "ve", "do", "thi", "may", "luc", "gio", "chot", "xong", "ty", "le", "phan", "tram",
    "lau", "lan", "mot", "dau", "ke", "hoach", "thuc", "hien",
})
MIN_OVERLAP = 2  # content syllables a sentence (with its headings) must share with the question
SENTENCE_CHARS = 500  # a longer sentence is cut to the clauses around the value
VALUE_WINDOW = 80  # characters either side of a value in which question words count as its context
# Characters before a value in which a year or figure of the question counts: directives write the
# year first (`đến năm 2030 đạt ít nhất 50%`, `riêng năm 2025 đạt 20%`), so only the close left side.
NUMBER_WINDOW = 60
# Weights of a unit's score, set on the dev questions so that a pair of question words (a Vietnamese
# word) counts more than a loose syllable, a heading less than the sentence, and the search rank only
# breaks near ties.
PAIR_WEIGHT, HEADING_WEIGHT, DUE_WEIGHT, RANK_PENALTY = 2.0, 0.5, 2.0, 0.3
NUMBER_WEIGHT = 2.0  # a year or figure of the question (`đến 2030`) in the sentence or beside the value
YEAR_WEIGHT = 2.0  # added for a year the question names in the sentence: targets differ most by their year
DAY_FOR_MONTH_PENALTY = 1.0  # a month is asked: a full date is more often a meeting's than the answer
# A day: `12/6/2026`, `ngày 12 tháng 6 năm 2026`, `ngày 12 tháng 6` (the year from the document).
_DAY = re.compile(r"(?<![\d/])(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})(?:\s*/\s*(?P<y>\d{4}))?(?![\d/])"
                  r"|ngay\s+(?P<d2>\d{1,2})\s+thang\s+(?P<m2>\d{1,2})(?:\s+nam\s+(?P<y2>\d{4})|\s*/\s*(?P<y3>\d{4}))?(?!\d)")


def asked_types(folded_question: str) -> list[str]:
    """Every kind the question asks (`về đâu và bao lâu một lần` asks two), narrow kinds first."""
    if _NOT_TYPED.search(folded_question):
        return []
    kinds = [kind for kind, pattern in ASKED if pattern.search(folded_question)]
    covered = {k for kind in kinds for k in _SUBSUMES.get(kind, ())}
    return [k for k in kinds if k not in covered]


def asked_type(folded_question: str) -> str | None:
    kinds = asked_types(folded_question)
    return kinds[0] if kinds else None


def asked_head(folded_question: str) -> str | None:
    """The head noun an agency question names (`sở nào` → `so`): the answer must be one of those."""
    m = re.search(rf"{_B}(so|bo|ban|uy ban|ubnd|trung tam|phong) nao{_E}", folded_question)
    return m.group(1) if m else None


def topic_words(question: str, ignore: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """The question's own content syllables: what is left once the words every question uses are out."""
    return _content(expand_abbreviations(question), frozenset(ignore))


def _content(text: str, ignore: frozenset[str] = frozenset()) -> set[str]:
    return {s for s in syllables(text) if s not in _STOP and s not in ignore and not s.isdigit()}


def _pairs(text: str, ignore: frozenset[str] = frozenset()) -> set[tuple[str, str]]:
    """Adjacent syllables as written (`không có`, `có ma`), unless both are stop words or one is ignored."""
    syl = syllables(text)
    return {(a, b) for a, b in zip(syl, syl[1:], strict=False)
            if not (a in _STOP and b in _STOP) and a not in ignore and b not in ignore}


def _numbers(text: str) -> set[str]:
    return {s for s in syllables(text) if s.isdigit()}


def _years(text: str) -> set[str]:
    return set(re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", text))


def _other_year(unit: str, years: set[str]) -> bool:
    """The question names a year and the sentence names only others: its figure is for another year,
    and a figure the directive does not state must not be replaced by another."""
    found = _years(unit)
    return bool(years and found and not years & found)


def units(quote: str) -> list[str]:
    """Sentences of a passage's quote; a table row is one unit. `;` does not end a sentence: a duty and
    its due time are often two clauses of one sentence."""
    if " | " in quote:
        return [quote]
    parts = [p.strip() for p in re.split(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9a-z(])|\n+", quote) if p.strip()]
    return parts or [quote]


def heading(hit: Any) -> str:
    """The headings the index put before the passage (`Nhiệm vụ > a) Sở Y tế:`): who a bullet is for."""
    text, quote = getattr(hit, "text", "") or "", hit.quote
    at = text.find(quote[:40]) if quote else -1
    return text[:at] if at > 0 else ""


@dataclass(frozen=True)
class Value:
    kind: str
    text: str  # as written in the passage
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class TypedAnswer:
    kinds: tuple[str, ...]
    sentence: str
    values: tuple[Value, ...]
    hit: Any
    score: float

    @property
    def value(self) -> str:
        return self.values[0].text


def _values(kind: str, unit: str, folded: str, question_words: set[str], numbers: set[str]) -> list[Value]:
    """Values of `kind` in a unit, each scored by the question words and numbers around it and by a
    due-time word before it; dates that belong to a cited document are left out."""
    found = []
    for m in VALUE[kind].finditer(folded):
        before = folded[max(0, m.start() - 30):m.start()]
        if kind in ("date", "month", "number") and (_REFERENCE_BEFORE.search(before)
                                                    or _EVENT_OPENING.match(folded[:m.start()])):
            continue
        near = folded[max(0, m.start() - VALUE_WINDOW):m.end() + VALUE_WINDOW]
        lead = folded[max(0, m.start() - NUMBER_WINDOW):m.start()]
        score = len(question_words & _content(near)) + NUMBER_WEIGHT * len(numbers & _numbers(lead))
        score += DUE_WEIGHT * bool(_DUE_BEFORE.search(before))
        if kind == "month" and not m.group().startswith(("thang", "quy")):
            score -= DAY_FOR_MONTH_PENALTY
        found.append(Value(kind, unit[m.start():m.end()], m.start(), m.end(), score))
    return found


def _agency_values(unit: str, context: str, asked: set[str], head: str | None,
                   mentions: dict[str, list[Mention]]) -> list[Value]:
    """Agencies the unit (else its headings) names that the question does not (`asked`: the keys of those
    it names): the asker names the subject, the answer is the other party. `sở nào` keeps only a Sở.
    `mentions`: the agencies found in a text so far, as a heading is read again for each of its units."""
    for text, in_unit in ((unit, True), (context, False)):
        if text not in mentions:
            mentions[text] = find_agencies(text)
        found = [Value("agency", m.name, m.start if in_unit else 0, m.end if in_unit else 0, float(in_unit))
                 for m in mentions[text]
                 if agency_key(m.name) not in asked
                 and (head is None or agency_key(m.name).startswith(head + " "))]
        if found:
            return found
    return []


def _trim(unit: str, value: Value) -> str:
    """A unit longer than SENTENCE_CHARS: the clause holding the value and the clauses before it."""
    if len(unit) <= SENTENCE_CHARS:
        return unit
    clauses = re.split(r"(?<=;)\s+", unit)
    pos, keep = 0, []
    for clause in clauses:
        keep.append(clause)
        pos += len(clause) + 1
        if pos > value.start:
            break
    while len(" ".join(keep)) > SENTENCE_CHARS and len(keep) > 1:
        keep.pop(0)
    return " ".join(keep)[:SENTENCE_CHARS]


def unit_dates(unit: str, year: int | None) -> list[date]:
    """The days a sentence or row names (`12/6/2026`, `ngày 12 tháng 6` in a plan of `year`), once its
    cited documents' dates are left out."""
    folded = fold_aligned(unit).lower()
    out = []
    for m in _DAY.finditer(folded):
        if _REFERENCE_BEFORE.search(folded[max(0, m.start() - 30):m.start()]):
            continue
        day, month = m.group("d") or m.group("d2"), m.group("m") or m.group("m2")
        written = m.group("y") or m.group("y2") or m.group("y3")
        try:
            out.append(date(int(written) if written else year or 0, int(month), int(day)))
        except ValueError:  # not a day (`3/4` of a fraction), or no year known
            continue
    return out


def touches(days: list[date], window: tuple[date, date]) -> bool:
    """Whether the days a unit names fall in the window, or span it (`từ ngày 1/5 đến ngày 30/7`)."""
    return bool(days) and (any(window[0] <= d <= window[1] for d in days)
                           or (min(days) < window[0] and max(days) > window[1]))


def best_typed(folded_question: str, question: str, hits: list[Any], kinds: list[str] | None = None,
               ignore: frozenset[str] = frozenset(), window: tuple[date, date] | None = None,
               year_of: Callable[[str], int | None] | None = None) -> TypedAnswer | None:
    """The sentence or row that best answers a typed question, or None when none holds a value of an
    asked type and shares enough of the question's words. `ignore`: syllables that say nothing of the
    topic (the province's: the search already kept its documents). `window`: the period the question
    asks about (`tháng tới`): a unit naming days only outside it is not the answer, one naming a day in
    it is preferred (a schedule's row); `year_of` gives a document's year for days written without one."""
    kinds = kinds if kinds is not None else asked_types(folded_question)
    if not kinds:
        return None
    want, pairs, numbers = _content(question, ignore), _pairs(question, ignore), _numbers(question)
    years = _years(question)
    figure = bool({"percent", "number"} & set(kinds))
    head = asked_head(folded_question)
    asked = {agency_key(m.name) for m in find_agencies(question)} if "agency" in kinds else set()
    mentions: dict[str, list[Mention]] = {}
    best: TypedAnswer | None = None
    best_key: tuple[bool, bool, float] = (False, False, float("-inf"))
    for rank, hit in enumerate(hits):
        context = heading(hit)
        extra = _content(expand_abbreviations(context))
        for unit in units(hit.quote):
            if _other_year(unit, years):
                continue
            in_window = False
            if window is not None:
                days = unit_dates(unit, year_of(hit.doc_id) if year_of else None)
                in_window = touches(days, window)
                if days and not in_window:
                    continue
            spelt = expand_abbreviations(unit)
            words = _content(spelt)
            overlap = len(want & words) + HEADING_WEIGHT * len(want & (extra - words))
            if overlap < MIN_OVERLAP:
                continue
            folded = fold_aligned(unit).lower()
            values = []
            for kind in kinds:
                found = (_agency_values(unit, context, asked, head, mentions) if kind == "agency"
                         else _values(kind, unit, folded, want, numbers))
                if found:
                    values.append(max(found, key=lambda v: v.score))
            if not values:
                continue
            score = (overlap + PAIR_WEIGHT * len(pairs & _pairs(spelt)) + sum(v.score for v in values)
                     + NUMBER_WEIGHT * len(numbers & _numbers(unit)) + YEAR_WEIGHT * len(years & _years(unit))
                     + 3 * len(values) - RANK_PENALTY * rank)
            # For a share or a count, a sentence naming the year asked beats any that does not: the year
            # scopes a target (elsewhere a year is often part of a programme's name: `… đến năm 2030`).
            # Likewise, for a question about a period, a unit naming a day in it beats any naming none.
            key = (bool(figure and years & _years(unit)), in_window, score)
            if best is None or key > best_key:
                best_key = key
                best = TypedAnswer(tuple(v.kind for v in values), _trim(unit, values[0]), tuple(values), hit, score)
    return best


_WORD_DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+|\s*/\s*)(\d{4})", re.IGNORECASE)
_WORD_DAY = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?!\d|\s+năm|\s*/)", re.IGNORECASE)
_WORD_MONTH = re.compile(r"tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_SLASH = re.compile(r"(?<![\d/])0*(\d{1,2})\s*/\s*0*(\d{1,2})(?:\s*/\s*(\d{4}))?(?![\d/])")


def normalise_dates(text: str, year: int | None = None) -> str:
    """`ngày 31 tháng 12 năm 2025` → `31/12/2025`, `tháng 5 năm 2026` → `tháng 5/2026`, as officials
    write them; a day without a year (`ngày 8 tháng 5` in a 2026 plan's table) takes `year` when given."""
    text = _WORD_DATE.sub(lambda m: f"{int(m[1])}/{int(m[2])}/{m[3]}", text)
    if year:
        text = _WORD_DAY.sub(lambda m: f"{int(m[1])}/{int(m[2])}/{year}", text)
    text = _WORD_MONTH.sub(lambda m: f"tháng {int(m[1])}/{m[2]}", text)
    return _SLASH.sub(lambda m: f"{m[1]}/{m[2]}" + (f"/{m[3]}" if m[3] else ""), text)


# The label before the normalised value in an answer, by kind.
LABELS = {"percent": "Tỷ lệ", "number": "Số lượng", "duration": "Thời hạn", "frequency": "Định kỳ",
          "month": "Thời gian", "date": "Thời gian", "agency": "Cơ quan"}


def value_line(kind: str, text: str, year: int | None = None) -> str:
    return f"{LABELS[kind]}: {normalise_dates(text, year)}"


def value_lines(answer: TypedAnswer, year: int | None = None) -> list[str]:
    """One `Label: value` line per asked kind, dates normalised."""
    return [value_line(v.kind, v.text, year) for v in answer.values]
