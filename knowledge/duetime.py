"""The grammar of Vietnamese due-time expressions: `trước ngày 15/3/2024`, `trong quý II/2024`,
`định kỳ trước ngày 23 hàng tháng`, `trước ngày 15 tháng 11 hằng năm`, `6 tháng`, …

dateparser misses quarters and recurrences and does not know which dates are deadlines, so this
small grammar runs on the folded text (lowercase ASCII, same positions as the original). Its
patterns are data, each beside the phrases it must and must not match (knowledge/rules/due_times.toml,
Duckling's way); this module turns their matches into due times. All patterns are linear (no nested
quantifiers), so a very long line parses in linear time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from knowledge.agencies import fold_aligned
from knowledge.recurrence import BEFORE_START
from knowledge.rulebook import book

Due = str | dict[str, Any]

_ROMAN_Q = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_WEEKDAYS = {"hai": 1, "2": 1, "ba": 2, "3": 2, "tu": 3, "4": 3, "nam": 4, "5": 4, "sau": 5, "6": 5,
             "bay": 6, "7": 6}

# The grammar is data (knowledge/rules/due_times.toml, each rule beside the phrases it must and must not
# match): the rules with a `kind`, in file order, are the due-time patterns by priority.
_BOOK = book("due_times")
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [(r.data["kind"], r.pattern) for r in _BOOK.values() if "kind" in r.data]
_SUPERSEDED = _BOOK["superseded"].pattern
_RANGE_IN_BRACKETS = _BOOK["range_in_brackets"].pattern
_PERIODIC_REPORT = _BOOK["periodic_report"].pattern
_YEAR_ADVERBIAL = _BOOK["year_adverbial"].pattern
_FULL_DATE_YEAR = _BOOK["full_date_year"].pattern
_DATA_PERIOD = _BOOK["data_period"].pattern
_LAST_MONTH_DAY = _BOOK["last_month_day"].pattern
# Stand-in year for a year-less date in a periodic-report sentence of an undated text: the date
# becomes a yearly rule, so the year is never used.
_NO_YEAR = 2000


@dataclass(frozen=True)
class DueMatch:
    start: int
    end: int
    kind: str
    due: Due
    relation: str
    year_inferred: bool = False
    time: str | None = None  # "16:00" when the limit names an hour

    @property
    def recurring(self) -> bool:
        return isinstance(self.due, dict)

    @property
    def specificity(self) -> int:
        """Day-level dates beat months, months beat quarters and years."""
        if isinstance(self.due, dict):
            return 3 if "day" in self.due else 1
        return {10: 4, 7: 3}.get(len(self.due), 2 if "Q" in self.due else 1)


# A builder turns one rule's match (with the year a year-less date takes) into a due time, or None.
_Builder = Callable[[str, re.Match[str], int | None], DueMatch | None]


def _year_of(raw: str | None) -> int | None:
    if not raw:
        return None
    y = int(raw)
    return 2000 + y if y < 100 else y


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _relation(rel: str | None, default: str) -> str:
    if not rel:
        return default
    if rel == "truoc":  # `trước tháng 6/2024`: before the month starts (see recurrence.BEFORE_START)
        return BEFORE_START
    return "before" if rel.startswith(("truoc", "cham nhat")) else "within"


def _clock(g: dict[str, str | None]) -> str | None:
    """`trước 10 giờ ngày 05/3/2026` → "10:00" (kept beside the date, not folded into it)."""
    if not g.get("hh"):
        return None
    hh, mm = int(g["hh"]), int(g.get("mm") or 0)
    return f"{hh:02d}:{mm:02d}" if hh < 24 and mm < 60 else None


def _every(every: str) -> _Builder:
    """A bare recurrence (`hằng quý`, `định kỳ 6 tháng`): every period, no day named."""
    return lambda kind, m, hint: DueMatch(m.start(), m.end(), kind, {"every": every}, "on")


def _relative(kind: str, m: re.Match[str], hint: int | None) -> DueMatch | None:
    return DueMatch(m.start(), m.end(), kind, {"relative": m.group(0).strip()}, "within")


def _weekly_day(kind: str, m: re.Match[str], hint: int | None) -> DueMatch | None:
    g = m.groupdict()
    due = {"every": "week", "weekday": _WEEKDAYS[g["wd"]]}
    return DueMatch(m.start(), m.end(), kind, due, "before" if g.get("rel") else "on", time=_clock(g))


def _yearly(kind: str, m: re.Match[str], hint: int | None) -> DueMatch | None:
    month, day = int(m["m"]), int(m["d"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return DueMatch(m.start(), m.end(), kind, {"every": "year", "day": day, "month": month},
                    "before" if m.groupdict().get("rel") else "on")


def _yearly_month(kind: str, m: re.Match[str], hint: int | None) -> DueMatch | None:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return None
    return DueMatch(m.start(), m.end(), kind, {"every": "year", "month": month}, _relation(m["rel"], "within"))


def _period_lead(kind: str, m: re.Match[str], hint: int | None) -> DueMatch | None:
    """`Quý I/2027, các cơ quan …`: a period that opens the sentence."""
    y = int(m["y"] or m["y2"])
    if m["qq"]:
        return DueMatch(m.start(), m.end(), kind, f"{y:04d}-Q{_ROMAN_Q[m['q']]}", "within")
    mo = int(m["m"])
    return DueMatch(m.start(), m.end(), kind, f"{y:04d}-{mo:02d}", "within") if 1 <= mo <= 12 else None


def _monthly_day(kind: str, m: re.Match[str], hint: int | None) -> DueMatch | None:
    day = int(m["d"])
    if not 1 <= day <= 31:
        return None
    return DueMatch(m.start(), m.end(), kind, {"every": "month", "day": day}, "before" if m["rel"] else "on")


def _year(kind: str, m: re.Match[str], hint: int | None) -> DueMatch | None:
    """`trong năm nay`: the year the directive was written; `cuối năm 2026`, `đến năm 2030`: by then."""
    y = m["y"] or (str(hint) if hint and hint != _NO_YEAR else None)
    if y is None:
        return None
    by_then = kind == "year_until" or m.group(0).startswith("cuoi")
    return DueMatch(m.start(), m.end(), kind, y, "before" if by_then else "within")


def _stated_year(m: re.Match[str], hint: int | None) -> tuple[int | None, bool]:
    """The year a dated match names, else the hint; and whether it was inferred."""
    g = m.groupdict()
    stated = _year_of(g.get("y") or g.get("y2"))
    return stated or hint, stated is None


def _date(kind: str, m: re.Match[str], hint: int | None) -> DueMatch | None:
    y, inferred = _stated_year(m, hint)
    if y is None:
        return None
    g = m.groupdict()
    iso = _iso(y, int(g.get("m") or g.get("m2") or 0), int(g.get("d") or g.get("d2") or 0))
    if iso is None:
        return None
    return DueMatch(m.start(), m.end(), kind, iso, "before" if kind == "before_date" else "on", inferred, _clock(g))


def _month(kind: str, m: re.Match[str], hint: int | None) -> DueMatch | None:
    y, inferred = _stated_year(m, hint)
    mo = int(m["m"])
    if y is None or not 1 <= mo <= 12:
        return None
    return DueMatch(m.start(), m.end(), kind, f"{y:04d}-{mo:02d}", _relation(m["rel"], "within"), inferred)


def _quarter(kind: str, m: re.Match[str], hint: int | None) -> DueMatch | None:
    y, inferred = _stated_year(m, hint)
    if y is None:
        return None
    return DueMatch(m.start(), m.end(), kind, f"{y:04d}-Q{_ROMAN_Q[m['q']]}", _relation(m["rel"], "within"), inferred)


# How each kind of rule in due_times.toml becomes a due time (a rule's `kind` key picks its builder).
_BUILDERS: dict[str, _Builder] = {
    "relative": _relative, "weekly_day": _weekly_day, "weekly": _every("week"), "yearly": _yearly,
    "yearly_month": _yearly_month, "period_lead": _period_lead, "monthly_day": _monthly_day,
    "monthly_then_day": _monthly_day, "monthly_next": _monthly_day, "year": _year, "year_until": _year,
    "quarterly": _every("quarter"), "half_year": _every("half-year"), "yearly_bare": _every("year"),
    "monthly": _every("month"), "before_date": _date, "on_date": _date, "month": _month, "quarter": _quarter,
}


_UNKNOWN_KINDS = {kind for kind, _ in _PATTERNS} - _BUILDERS.keys()
if _UNKNOWN_KINDS:  # a rule added to the book with a kind no builder knows fails at import, not on some text
    raise ValueError(f"due_times.toml: no builder for kind(s) {sorted(_UNKNOWN_KINDS)}")


def _build(kind: str, m: re.Match[str], year_hint: int | None) -> DueMatch | None:
    """The due time one rule's match stands for, or None when its numbers are no date."""
    return _BUILDERS[kind](kind, m, year_hint)


def due_words(text: str, match: DueMatch) -> str:
    """The words of a due time as written, with the bracket it opened closed when the text closes it
    right after (`hằng tháng (trước ngày 18)`: the match ends at 18)."""
    words = text[match.start:match.end]
    if words.count("(") > words.count(")") and text[match.end:match.end + 1] == ")":
        words += ")"
    return words


def find_due_times(text: str, year_hint: int | None = None) -> list[DueMatch]:
    """Every due-time expression in `text`, left to right, without overlaps.

    A date without a year takes the year of an explicit date in the same sentence (or of a
    sentence-opening `Năm 2025,`), else `year_hint` (the document's year), and is marked
    `year_inferred`.
    """
    folded = fold_aligned(text)
    taken = bytearray(len(folded))
    found: list[DueMatch] = []
    hint = _sentence_year(folded) or year_hint
    periodic = bool(_PERIODIC_REPORT.search(folded))
    for kind, pat in _PATTERNS:
        for m in pat.finditer(folded):
            if any(taken[m.start():m.end()]):
                continue
            dm = _build(kind, m, hint or (_NO_YEAR if periodic else None))
            if dm is None:
                continue
            taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
            if _SUPERSEDED.search(folded[max(0, m.start() - 40):m.start()]):
                continue
            if _RANGE_IN_BRACKETS.search(folded[max(0, m.start() - 30):m.start()]):
                continue
            if kind == "relative":
                dm = replace(dm, due={"relative": re.sub(r"\s+", " ", text[m.start():m.end()]).strip()})
            elif dm.year_inferred and kind in ("before_date", "on_date") and periodic:
                day, month = int(dm.due[8:]), int(dm.due[5:7])
                dm = replace(dm, kind="yearly", due={"every": "year", "day": day, "month": month},
                             year_inferred=False)
            found.append(dm)
    found.sort(key=lambda x: x.start)
    found = _coordinated_yearly(folded, _without_data_period(folded.lower(), found))
    return _drop_explained_rules(folded, _merge_monthly(_last_month_day(folded, found)))


def _coordinated_yearly(folded: str, found: list[DueMatch]) -> list[DueMatch]:
    """`trong tháng 3 và tháng 9 hằng năm`: `hằng năm` covers both months, not only the last.
    `trước ngày 05/6 và 05/12 hằng năm`: one half-yearly duty on those two dates."""
    out = list(found)
    for i in range(len(out) - 1, 0, -1):
        first, second = out[i - 1], out[i]
        if not re.fullmatch(r"\s*(?:,|va)\s*", folded[first.end:second.start]):
            continue
        if first.kind == "month" and first.year_inferred and second.kind == "yearly_month":
            out[i - 1] = replace(first, kind="yearly_month", due={"every": "year", "month": int(first.due[5:])},
                                 year_inferred=False)
        elif (first.kind == second.kind == "yearly" and "month" in first.due and "month" in second.due
              and second.due["month"] - first.due["month"] == 6):
            dates = [f"{d['month']:02d}-{d['day']:02d}" for d in (first.due, second.due)]
            out[i - 1:i + 1] = [replace(first, end=second.end, due={"every": "half-year", "dates": dates})]
    return out


def _without_data_period(folded: str, found: list[DueMatch]) -> list[DueMatch]:
    """Drop the one or two dates (`từ … đến …`) right after `chốt số liệu`; later limits stay."""
    cutoff = _DATA_PERIOD.search(folded)
    if cutoff is None:
        return found
    after = [f for f in found if f.start >= cutoff.start()]
    if not after or re.search(r"[,;]|\.\s", folded[cutoff.end():after[0].start]):
        return found  # the first date after the cue is in another clause
    dropped = [after[0]]
    if len(after) > 1 and re.search(r"(?<![a-z])(?:den|toi)(?: het)?(?: ngay)?\s*$", folded[after[0].end:after[1].start]) \
            and not re.search(r"[;:]|\.\s", folded[after[0].end:after[1].start]) and after[1].start - after[0].end < 60:
        dropped.append(after[1])
    return [f for f in found if f not in dropped]


def _last_month_day(folded: str, found: list[DueMatch]) -> list[DueMatch]:
    m = _LAST_MONTH_DAY.search(folded)
    if not m or not 1 <= int(m.group("d")) <= 31:
        return found
    rel = "before" if m.group("rel") else "on"
    bare = [f for f in found
            if isinstance(f.due, dict) and set(f.due) == {"every"} and f.due["every"] in ("quarter", "half-year", "year")]
    if not bare and m.group("period") in ("quy", "nam"):  # `trước ngày 20 của tháng cuối quý` alone
        every = "quarter" if m.group("period") == "quy" else "year"
        return sorted([*found, DueMatch(m.start(), m.end(), "last_month_day", {"every": every, "day": int(m.group("d"))},
                                        rel)], key=lambda x: x.start)
    return [replace(f, due={**f.due, "day": int(m.group("d"))}, relation=rel) if f in bare else f for f in found]


def _sentence_year(folded: str) -> int | None:
    """The year a year-less date takes from its own sentence: that of an explicit full date, or of
    a clause-opening `Năm 2025,`; never a plan year that merely appears (`kế hoạch năm 2025`)."""
    m = _YEAR_ADVERBIAL.search(folded)
    if m:
        return int(m.group(1))
    years = [int(a or b) for a, b in _FULL_DATE_YEAR.findall(folded)]
    return years[-1] if years else None


def _drop_explained_rules(folded: str, found: list[DueMatch]) -> list[DueMatch]:
    """`định kỳ 6 tháng (trước ngày 15/6/2027)`: the dates in brackets are the limits, so the bare
    rule they explain is not a deadline of its own (it would invent one on 30/6 and 31/12)."""
    out = []
    for i, f in enumerate(found):
        nxt = found[i + 1] if i + 1 < len(found) else None
        bare = isinstance(f.due, dict) and "day" not in f.due and "relative" not in f.due
        if bare and nxt and re.fullmatch(r"\s*\(\s*", folded[f.end:nxt.start]) and not isinstance(nxt.due, dict):
            continue
        out.append(f)
    return out


def _merge_monthly(found: list[DueMatch]) -> list[DueMatch]:
    """`hàng tháng báo cáo … trước ngày 20 hàng tháng` is one monthly duty, not two; likewise a bare
    `định kỳ hằng năm` or `báo cáo 06 tháng` beside `trước ngày 15 tháng 11 hằng năm`: the dated
    rule is the limit, the bare one only names the period."""
    dated = [f for f in found if isinstance(f.due, dict) and "every" in f.due and ("day" in f.due or "month" in f.due)]
    if not dated:
        return found
    return [f for f in found if not (isinstance(f.due, dict) and set(f.due) == {"every"}
                                     and f.due["every"] in ("month", "year", "half-year", "quarter"))]
