"""The grammar of Vietnamese due-time expressions: `trước ngày 15/3/2024`, `trong quý II/2024`,
`định kỳ trước ngày 23 hàng tháng`, `trước ngày 15 tháng 11 hằng năm`, `6 tháng`, …

dateparser misses quarters and recurrences and does not know which dates are deadlines, so this
small grammar runs on the folded text (lowercase ASCII, same positions as the original). All
patterns are linear (no nested quantifiers), so a very long line parses in linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from knowledge.agencies import fold_aligned

Due = str | dict[str, Any]

_ROMAN_Q = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_SEP = r"\s*[/\-.]\s*"
_DMY = rf"(?P<d>\d{{1,2}}){_SEP}(?P<m>\d{{1,2}})(?:{_SEP}(?P<y>\d{{4}}|\d{{2}}(?!\d)))?(?![\d/])"
_DMY_WORDS = r"(?P<d2>\d{1,2})\s+thang\s+(?P<m2>\d{1,2})(?:\s*(?:,\s*)?nam\s+(?P<y2>\d{4}))?(?!\s*(?:hang|hang|moi)\s+nam)"
_TIME = r"(?:(?:\d{1,2})\s*(?:gio|h)(?:\s*\d{1,2}\s*(?:phut|p)?)?\s*(?:,|ngay)?\s*)?"
_BEFORE = r"(?:truoc|cham nhat(?:\s+(?:la|vao))?|khong (?:muon|cham) hon|han chot(?:\s+la)?|han cuoi(?:\s+la)?)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("yearly", re.compile(
        rf"(?:(?P<rel>{_BEFORE})\s+)?(?:vao\s+)?ngay\s+(?P<d>\d{{1,2}})\s*(?:thang\s+|/)(?P<m>\d{{1,2}})\s+hang\s+nam")),
    ("monthly_day", re.compile(
        rf"(?:dinh ky\s+)?(?:(?P<rel>{_BEFORE})\s+)?(?:vao\s+)?ngay\s+(?P<d>\d{{1,2}})\s+(?:hang|cac)\s+thang")),
    ("monthly_then_day", re.compile(
        rf"(?<!ngan )(?:dinh ky\s+)?hang\s+thang\s*[(,]?\s*(?P<rel>{_BEFORE})\s+ngay\s+(?P<d>\d{{1,2}})(?![\d/.\-]|\s+thang)")),
    ("quarterly", re.compile(r"(?<!ngan )(?:dinh ky\s+)?(?:hang\s+quy|dinh ky\s+quy)")),
    ("half_year", re.compile(
        r"(?:dinh ky\s+(?:0?6 thang|nua nam)|hang\s+(?:0?6 thang|nua nam)|0?6 thang(?:\s*/\s*|\s+mot\s+)lan|bao cao 0?6 thang(?!\s+(?:dau|cuoi|nam|\d)))")),
    ("yearly_bare", re.compile(r"dinh ky\s+hang\s+nam")),
    ("monthly", re.compile(r"(?<!ngan )(?<!nhan )(?:dinh ky\s+)?hang\s+thang")),
    ("before_date", re.compile(rf"(?P<rel>{_BEFORE})\s+{_TIME}(?:ngay\s+)?(?:{_DMY}|{_DMY_WORDS})")),
    ("on_date", re.compile(rf"(?:vao|trong)\s+ngay\s+(?:{_DMY}|{_DMY_WORDS})")),
    ("month", re.compile(
        rf"(?P<rel>trong|truoc|cham nhat|hoan thanh)\s+thang\s+(?P<m>\d{{1,2}})(?:{_SEP}(?P<y>\d{{4}})|\s+nam\s+(?P<y2>\d{{4}}))?(?![\d/])")),
    ("quarter", re.compile(
        rf"(?P<rel>trong|truoc|hoan thanh)\s+quy\s+(?P<q>iv|i{{1,3}}|[1-4])(?![a-z])(?:{_SEP}(?P<y>\d{{4}})|\s+nam\s+(?P<y2>\d{{4}}))?")),
    ("year", re.compile(r"trong\s+nam\s+(?P<y>\d{4})(?!\d)")),
]


@dataclass(frozen=True)
class DueMatch:
    start: int
    end: int
    kind: str
    due: Due
    relation: str
    year_inferred: bool = False

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
    return "within" if rel in ("trong", "hoan thanh") else "before"


def _build(kind: str, m: re.Match[str], year_hint: int | None) -> DueMatch | None:
    g = m.groupdict()
    rel = g.get("rel")
    if kind == "yearly":
        month, day = int(g["m"]), int(g["d"])
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        return DueMatch(m.start(), m.end(), kind, {"every": "year", "day": day, "month": month},
                        "before" if rel else "on")
    if kind in ("monthly_day", "monthly_then_day"):
        day = int(g["d"])
        if not 1 <= day <= 31:
            return None
        return DueMatch(m.start(), m.end(), kind, {"every": "month", "day": day}, "before" if rel else "on")
    if kind == "year":
        return DueMatch(m.start(), m.end(), kind, g["y"], "within")
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
        return DueMatch(m.start(), m.end(), kind, iso, "before" if kind == "before_date" else "on", inferred)
    if kind == "month":
        mo = int(g["m"])
        if not 1 <= mo <= 12:
            return None
        return DueMatch(m.start(), m.end(), kind, f"{y:04d}-{mo:02d}", _relation(rel, "within"), inferred)
    if kind == "quarter":
        q = _ROMAN_Q[g["q"]]
        return DueMatch(m.start(), m.end(), kind, f"{y:04d}-Q{q}", _relation(rel, "within"), inferred)
    return None


def find_due_times(text: str, year_hint: int | None = None) -> list[DueMatch]:
    """Every due-time expression in `text`, left to right, without overlaps.

    A date without a year takes the year from the sentence (the last `năm YYYY` or full date before
    it) or else `year_hint` (the document's year), and is marked `year_inferred`.
    """
    folded = fold_aligned(text)
    taken = bytearray(len(folded))
    found: list[DueMatch] = []
    for kind, pat in _PATTERNS:
        for m in pat.finditer(folded):
            if any(taken[m.start():m.end()]):
                continue
            local_years = re.findall(r"(?:nam|/)\s*(\d{4})(?!\d)", folded[max(0, m.start() - 300):m.start()])
            hint = int(local_years[-1]) if local_years else year_hint
            dm = _build(kind, m, hint)
            if dm is None:
                continue
            taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
            found.append(dm)
    found.sort(key=lambda x: x.start)
    return _merge_monthly(found)


def _merge_monthly(found: list[DueMatch]) -> list[DueMatch]:
    """`hàng tháng báo cáo … trước ngày 20 hàng tháng` is one monthly duty, not two."""
    specific = [f for f in found if isinstance(f.due, dict) and f.due.get("every") == "month" and "day" in f.due]
    if not specific:
        return found
    return [f for f in found if not (f.kind == "monthly" and f.due == {"every": "month"})]
