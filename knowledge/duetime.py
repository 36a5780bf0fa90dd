"""The grammar of Vietnamese due-time expressions: `trước ngày 15/3/2024`, `trong quý II/2024`,
`định kỳ trước ngày 23 hàng tháng`, `trước ngày 15 tháng 11 hằng năm`, `6 tháng`, …

dateparser misses quarters and recurrences and does not know which dates are deadlines, so this
small grammar runs on the folded text (lowercase ASCII, same positions as the original). All
patterns are linear (no nested quantifiers), so a very long line parses in linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from knowledge.agencies import fold_aligned
from knowledge.recurrence import BEFORE_START

Due = str | dict[str, Any]

_ROMAN_Q = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_SEP = r"\s*[/\-.]\s*"
_DMY = rf"(?P<d>\d{{1,2}}){_SEP}(?P<m>\d{{1,2}})(?:{_SEP}(?P<y>\d{{4}}|\d{{2}}(?!\d)))?(?![\d/])"
_DMY_WORDS = r"(?P<d2>\d{1,2})\s+thang\s+(?P<m2>\d{1,2})(?:\s*(?:,\s*)?nam\s+(?P<y2>\d{4}))?(?!\s*(?:hang|hang|moi)\s+nam)"
_TIME = (r"(?:(?P<hh>\d{1,2})\s*(?:gio|h)(?:\s*(?P<mm>\d{1,2})\s*(?:phut|p|')?)?\s*,?\s*"
         r"(?:(?:sang|chieu|trua|toi)\s+)?(?:,|ngay)?\s*)?")
_BEFORE = r"(?:truoc|cham nhat(?:\s+(?:la|vao))?|khong (?:muon|cham) hon|han chot(?:\s+la)?|han cuoi(?:\s+la)?)"

_WEEKDAYS = {"hai": 1, "2": 1, "ba": 2, "3": 2, "tu": 3, "4": 3, "nam": 4, "5": 4, "sau": 5, "6": 5,
             "bay": 6, "7": 6}
# A limit counted from an event: `trong thời hạn 10 ngày kể từ ngày nhận được …`, `sau 03 tháng kể từ khi
# …`, `chậm nhất 04 giờ làm việc sau khi …`. Stored as {"relative": phrase}: shown, never reminded on.
_RELATIVE = (r"(?:(?:trong (?:thoi han|vong|thoi gian)|cham nhat(?: la| khong qua)?|khong qua|sau|truoc)\s+)?"
             r"\d{1,3}\s+(?:ngay(?: lam viec)?|thang|tuan|gio(?: lam viec)?)\s+"
             r"(?:ke tu(?: ngay| khi)?|sau khi|truoc khi|tu khi|tinh tu)[^,;.()]{3,120}")

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("relative", re.compile(_RELATIVE)),
    ("yearly", re.compile(
        rf"(?:(?P<rel>{_BEFORE})\s+)?(?:vao\s+)?ngay\s+(?P<d>\d{{1,2}})\s*(?:thang\s+|/)(?P<m>\d{{1,2}})"
        r"\s+(?:hang\s+nam|(?:cua\s+)?nam\s+(?:sau|lien ke|tiep theo|truoc)(?:\s+lien ke)?"
        # `trước ngày 10/9 năm thực hiện`, `trước ngày 15/7 năm trước năm kế hoạch`: a yearly cycle
        r"|(?:cua\s+)?(?:nam\s+truoc\s+)?nam\s+(?:thuc hien|ke hoach))")),
    # the second of two yearly dates (`trước ngày 15/6 và 15/12 hằng năm`)
    ("yearly", re.compile(r"(?:(?<=va )|(?<=, ))(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s+(?:hang|moi)\s+nam")),
    # `hạn chót nộp hồ sơ là 15/4/2026`, `thời hạn gửi báo cáo là ngày 20/3/2026`
    ("before_date", re.compile(
        rf"(?P<rel>han chot|han cuoi|thoi han)\s+(?:[a-z]+\s+){{0,6}}?la\s+(?:ngay\s+)?(?:{_DMY}|{_DMY_WORDS})")),
    ("monthly_next", re.compile(
        rf"(?:(?P<rel>{_BEFORE})\s+)?(?:vao\s+)?ngay\s+(?P<d>\d{{1,2}})\s+(?:cua\s+)?thang\s+(?:lien ke|tiep theo|sau)")),
    ("period_lead", re.compile(
        r"^\s*(?:[a-zđ]\)\s*|\d{1,2}\.\s*|[-+•]\s*)?(?:(?P<qq>quy)\s+(?P<q>iv|i{1,3}|[1-4])|thang\s+(?P<m>\d{1,2}))"
        r"(?:\s*[/.\-]\s*(?P<y>\d{4})|\s+nam\s+(?P<y2>\d{4}))\s*,")),
    ("yearly_month", re.compile(
        r"(?:(?P<rel>trong|truoc|cham nhat(?:\s+(?:la|trong|vao))?|vao)\s+)?thang\s+(?P<m>\d{1,2})\s+(?:hang|moi)\s+nam")),
    ("weekly_day", re.compile(
        rf"(?:(?P<rel>{_BEFORE})\s+)?(?:{_TIME})?(?:vao\s+)?(?:ngay\s+)?thu\s+(?P<wd>hai|ba|tu|nam|sau|bay|[2-7])"
        r"\s+(?:hang|hang|moi)\s+tuan")),
    ("weekly", re.compile(r"(?:dinh ky\s+)?(?:hang|moi)\s+tuan")),
    ("monthly_day", re.compile(
        rf"(?:dinh ky\s+)?(?:(?P<rel>{_BEFORE})\s+)?(?:vao\s+)?ngay\s+(?P<d>\d{{1,2}})\s+(?:hang|cac)\s+thang")),
    ("monthly_then_day", re.compile(
        rf"(?<!ngan )(?:dinh ky\s+)?hang\s+thang\s*[(,]?\s*(?P<rel>{_BEFORE})\s+ngay\s+(?P<d>\d{{1,2}})(?![\d/.\-]|\s+thang)")),
    ("quarterly", re.compile(r"(?<!ngan )(?:dinh ky\s+)?(?:hang\s+quy|dinh ky\s+quy)"
                             r"|0?3 thang(?:\s*/\s*|\s+(?:mot|1)\s+)lan")),
    ("half_year", re.compile(
        r"(?:dinh ky\s+(?:0?6 thang|nua nam)|hang\s+(?:0?6 thang|nua nam)|0?6 thang(?:\s*/\s*|\s+(?:mot|1)\s+)lan"
        r"|bao cao 0?6 thang(?!\s+(?:dau|cuoi|nam|\d))|0?6 thang(?= va (?:hang|ca) nam))")),
    ("yearly_bare", re.compile(r"dinh ky\s+hang\s+nam|(?<=6 thang va )hang nam"
                               r"|^\s*(?:[-+•]\s*)?hang\s+nam\s*,")),  # `Hằng năm, UBND xã …` opens a yearly duty
    ("monthly", re.compile(r"(?<!ngan )(?<!nhan )(?:dinh ky\s+)?hang\s+thang")),
    ("before_date", re.compile(rf"(?P<rel>{_BEFORE})\s+{_TIME}(?:ngay\s+)?(?:{_DMY}|{_DMY_WORDS})")),
    # `rà soát từ ngày 01/10 đến hết ngày 05/11/2026`: the work's window closes on its last day
    ("before_date", re.compile(
        rf"(?<!so lieu )(?<!so lieu tinh )tu\s+(?:ngay\s+)?\d{{1,2}}{_SEP}\d{{1,2}}(?:{_SEP}\d{{4}})?\s+"
        rf"(?P<rel>den het)\s+(?:ngay\s+)?{_DMY}")),
    ("on_date", re.compile(rf"(?:vao|trong)\s+ngay\s+(?:{_DMY}|{_DMY_WORDS})")),
    ("month", re.compile(
        rf"(?P<rel>trong|truoc|cham nhat(?:\s+(?:la|trong|vao))?|hoan thanh|vao|den|sang|cuoi"
        # `giữa tháng 5/2025`, `đầu tháng 6`, `trong tuần đầu tháng 7`: a part of the month
        rf"|(?<!tu )(?<!ke tu )(?:(?:trong|vao)\s+)?(?:(?:tuan|nua)\s+)?(?:dau|giua|cuoi)"
        rf"|tai (?:cac |cuoc |ky )?(?:phien )?hop[a-z ]{{0,40}}?thuong ky)"
        rf"\s+thang\s*(?P<m>\d{{1,2}})(?:{_SEP}(?P<y>\d{{4}})|\s+nam\s+(?P<y2>\d{{4}}))?(?![\d/])")),
    ("quarter", re.compile(
        rf"(?P<rel>trong|truoc|hoan thanh|cuoi|vao|den|sang|cham nhat(?:\s+(?:la|trong|vao))?)\s+quy\s+(?P<q>iv|i{{1,3}}|[1-4])(?![a-z])"
        rf"(?:{_SEP}(?P<y>\d{{4}})|\s+nam\s+(?P<y2>\d{{4}}))?")),
    ("year", re.compile(r"(?<!thang )(?<!tu )(?:trong|dau|cuoi)\s+nam\s+(?:(?P<y>\d{4})(?!\d)|nay(?![a-z]))")),
]
# A limit that another replaces (`thay cho thời hạn trước tháng 12.2021 tại Kế hoạch …`) is not a deadline.
_SUPERSEDED = re.compile(r"(?:thay cho|thay the cho)(?:\s+(?:thoi han|moc|thoi gian))?\s*$")
# `Ngày 05 hằng tháng (từ tháng 02 đến tháng 9), …`: the months a recurring duty runs in, not a limit.
_RANGE_IN_BRACKETS = re.compile(r"\(\s*tu\s+(?:thang\s+)?\d{1,2}(?:\s*[/.\-]\s*\d{4})?\s+$")
# A year-less date in a sentence about a periodic report recurs every year: `báo cáo 6 tháng đầu năm
# gửi trước ngày 15 tháng 7` is due on 15/7 of each year, not once.
_PERIODIC_REPORT = re.compile(r"bao cao (?:0?6(?: \([a-z ]+\))? thang|nam|ca nam|quy|dinh ky)|hang nam|dinh ky")
# Stand-in year for a year-less date in a periodic-report sentence of an undated text: the date
# becomes a yearly rule, so the year is never used.
_NO_YEAR = 2000
# A time-of-year adverbial that sets the year of year-less dates in its sentence (`Năm 2025, …`).
_YEAR_ADVERBIAL = re.compile(r"(?:^|[.;:]\s*)(?:trong\s+)?nam\s+(\d{4})\s*,")
_FULL_DATE_YEAR = re.compile(r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(\d{4})|thang\s+\d{1,2}\s+nam\s+(\d{4})")


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


def _year(raw: str | None) -> int | None:
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


def _build(kind: str, m: re.Match[str], year_hint: int | None) -> DueMatch | None:
    g = m.groupdict()
    rel = g.get("rel")
    if kind == "relative":
        return DueMatch(m.start(), m.end(), kind, {"relative": m.group(0).strip()}, "within")
    if kind == "weekly_day":
        due = {"every": "week", "weekday": _WEEKDAYS[g["wd"]]}
        return DueMatch(m.start(), m.end(), kind, due, "before" if rel else "on", time=_clock(g))
    if kind == "weekly":
        return DueMatch(m.start(), m.end(), kind, {"every": "week"}, "on")
    if kind == "yearly":
        month, day = int(g["m"]), int(g["d"])
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        return DueMatch(m.start(), m.end(), kind, {"every": "year", "day": day, "month": month},
                        "before" if rel else "on")
    if kind == "yearly_month":
        month = int(g["m"])
        if not 1 <= month <= 12:
            return None
        return DueMatch(m.start(), m.end(), kind, {"every": "year", "month": month}, _relation(rel, "within"))
    if kind == "period_lead":  # `Quý I/2027, các cơ quan …`: a period that opens the sentence
        y = int(g.get("y") or g.get("y2"))
        if g.get("qq"):
            return DueMatch(m.start(), m.end(), kind, f"{y:04d}-Q{_ROMAN_Q[g['q']]}", "within")
        mo = int(g["m"])
        return DueMatch(m.start(), m.end(), kind, f"{y:04d}-{mo:02d}", "within") if 1 <= mo <= 12 else None
    if kind in ("monthly_day", "monthly_then_day", "monthly_next"):
        day = int(g["d"])
        if not 1 <= day <= 31:
            return None
        return DueMatch(m.start(), m.end(), kind, {"every": "month", "day": day}, "before" if rel else "on")
    if kind == "year":  # `trong năm nay`: the year the directive was written
        y = g["y"] or (str(year_hint) if year_hint and year_hint != _NO_YEAR else None)
        if y is None:
            return None
        return DueMatch(m.start(), m.end(), kind, y, "before" if m.group(0).startswith("cuoi") else "within")
    if kind == "quarterly":
        return DueMatch(m.start(), m.end(), kind, {"every": "quarter"}, "on")
    if kind == "half_year":
        return DueMatch(m.start(), m.end(), kind, {"every": "half-year"}, "on")
    if kind == "yearly_bare":
        return DueMatch(m.start(), m.end(), kind, {"every": "year"}, "on")
    if kind == "monthly":
        return DueMatch(m.start(), m.end(), kind, {"every": "month"}, "on")
    stated = _year(g.get("y") or g.get("y2"))
    y = stated or year_hint
    inferred = stated is None
    if y is None:
        return None
    if kind in ("before_date", "on_date"):
        d = int(g.get("d") or g.get("d2") or 0)
        mo = int(g.get("m") or g.get("m2") or 0)
        iso = _iso(y, mo, d)
        if iso is None:
            return None
        return DueMatch(m.start(), m.end(), kind, iso, "before" if kind == "before_date" else "on", inferred,
                        _clock(g))
    if kind == "month":
        mo = int(g["m"])
        if not 1 <= mo <= 12:
            return None
        return DueMatch(m.start(), m.end(), kind, f"{y:04d}-{mo:02d}", _relation(rel, "within"), inferred)
    if kind == "quarter":
        q = _ROMAN_Q[g["q"]]
        return DueMatch(m.start(), m.end(), kind, f"{y:04d}-Q{q}", _relation(rel, "within"), inferred)
    return None


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


# `Thời gian chốt số liệu tính từ ngày 15 tháng 12 năm trước đến ngày 14 tháng 3` (Nghị định 09/2019/NĐ-CP
# wording), `số liệu tính đến hết ngày 30/9`: a data period, not a time limit.
_DATA_PERIOD = re.compile(r"chot so lieu|so lieu (?:duoc )?(?:tinh|lay|thong ke) (?:tu|den)")
# `hằng quý, 6 tháng và hằng năm …, chậm nhất ngày 20 của tháng cuối kỳ báo cáo`: each period's limit is
# that day of its last month (20/3, 20/6 … for quarters; 20/6 and 20/12 for half-years; 20/12 yearly).
_LAST_MONTH_DAY = re.compile(
    r"(?P<rel>truoc|cham nhat(?: la| vao)?)?\s*(?:vao\s+)?ngay\s+(?P<d>\d{1,2})\s+(?:cua\s+)?thang\s+cuoi"
    r"\s+(?:cua\s+)?(?P<period>ky|quy|nam|dot)")


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
