"""Understanding a Vietnamese question: intent, agencies, provinces and a time window.

Works on the folded text (no diacritics, đ → d) so `han chot thang nay` and `hạn chót tháng này`
parse alike. The reference date is passed in (today in Asia/Ho_Chi_Minh, or BOT_TODAY).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from knowledge.agencies import find_agencies
from knowledge.provinces import provinces_in
from knowledge.text import fold

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_INTENTS: list[tuple[str, re.Pattern[str]]] = [
    ("general", re.compile(r"(?<![a-z])(?:vi sao|tai sao|nguyen nhan|ly do|the nao la)(?![a-z])")),
    ("overdue", re.compile(r"qua han|tre han|cham han")),
    ("deadline", re.compile(r"(?<![a-z])(?:han|khi nao|bao gio|truoc ngay nao|truoc ngay may|ngay nao|ngay may|"
                            r"thoi han|thoi diem nao|lan toi|sap toi|han chot|den han)(?![a-z])")),
    ("agency", re.compile(r"(?<![a-z])(?:ai|co quan nao|don vi nao|so nao|chu tri|phoi hop voi ai|duoc giao gi|"
                          r"phai lam gi|lam gi|viec gi|bao cao gi|thuc hien gi|hoan thanh gi|nhiem vu gi|nhiem vu nao|"
                          r"trach nhiem)(?![a-z])")),
    ("target", re.compile(r"(?<![a-z])(?:muc tieu|chi tieu|phan dau|ke hoach|du kien|tong von|von|kinh phi|"
                          r"ngan sach)(?![a-z])")),
    ("result", re.compile(r"(?<![a-z])(?:dat bao nhieu|ty le|da dat|ket qua|la bao nhieu|bao nhieu|hien co)(?![a-z])")),
]
# A document named by its type and number: `CV 846`, `Công văn số 846/UBND-TH`, `Kế hoạch 287/KH-UBND`.
_DOC_REF = re.compile(
    r"(?<![a-z])(?:(?:cv|vb|kh|tb|qd|ct|bc|nq|hd|ttr)\s*(?:so\s*)?(\d{1,6}(?:\s*/\s*[a-z0-9&.\-]+)?)"
    r"|(?:cong van|van ban|ke hoach|thong bao|quyet dinh|chi thi|bao cao|to trinh|nghi quyet|huong dan|cong dien)"
    r"\s*(?:so\s*(\d{1,6}(?:\s*/\s*[a-z0-9&.\-]+)?)|(\d{1,6}\s*/\s*[a-z0-9&.\-]+)))(?![\d])")
_SUPERLATIVE = re.compile(r"(?<![a-z])(?:(cao|lon|nhieu|tot)|(thap|nho|it|cham))\s+nhat(?![a-z])")
WHO = re.compile(r"(?<![a-z])(?:ai|co quan nao|don vi nao|so nao|ban nao|bo nao|dia phuong nao|huyen nao|xa nao"
                  r"|ai la nguoi|ben nao)(?![a-z])")
# Abbreviations officials type that directives spell out (and the reverse is handled by the index):
# `CTMTQG` = chương trình mục tiêu quốc gia, `NTM` = nông thôn mới, `DTTS` = dân tộc thiểu số.
ABBREVIATIONS = {
    "CTMTQG": "chương trình mục tiêu quốc gia", "MTQG": "mục tiêu quốc gia", "NTM": "nông thôn mới",
    "DTTS": "dân tộc thiểu số", "DTTS&MN": "dân tộc thiểu số và miền núi", "GNBV": "giảm nghèo bền vững",
    "KT-XH": "kinh tế - xã hội", "NSNN": "ngân sách nhà nước", "NSTW": "ngân sách trung ương",
    "ĐTPT": "đầu tư phát triển", "TTHC": "thủ tục hành chính", "CCHC": "cải cách hành chính",
}
_ABBREVIATION_RE = re.compile(r"(?<![\w&-])(" + "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True))
                              + r")(?![\w&-])", re.IGNORECASE)


def expand_abbreviations(text: str) -> str:
    return _ABBREVIATION_RE.sub(lambda m: ABBREVIATIONS.get(m.group(1).upper(), m.group(1)), text)


_NOT_ACTOR = re.compile(r"(?:trinh|bao cao|gui(?: ve| den| cho)?|cho|tai|o|tren dia ban|qua)\s+$")
_SMALL_TALK = re.compile(r"^(?:xin chao|chao|hello|hi|cam on|thanks|ban la ai|ban ten gi|alo)\b")


@dataclass
class TimeWindow:
    start: date
    end: date
    phrase: str


@dataclass
class Question:
    text: str
    folded: str
    intent: str
    agencies: list[str] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    window: TimeWindow | None = None
    exact_date: date | None = None
    next_only: bool = False
    overdue: bool = False
    small_talk: bool = False
    year: int | None = None
    documents: list[str] = field(default_factory=list)  # document numbers named: "846", "287/KH-UBND"
    superlative: str | None = None  # "max" | "min": `… nào cao nhất / thấp nhất`
    who: bool = False  # asks which agency must do something (`Cơ quan nào …`, `Ai …`, `Sở nào …`)
    scope: set[str] | None = None  # documents the answer must come from (named ones, or a province's)
    expanded: str = ""  # the text with abbreviations spelt out, for search and word overlap

    def __post_init__(self) -> None:
        if not self.expanded:
            self.expanded = expand_abbreviations(self.text)


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


# `Sở X phải làm gì trước 31/5/2026?`, `những hạn nào trước ngày 15/6?`: everything due from today to then.
_UNTIL = re.compile(r"(?:lam gi|viec gi|nhung viec|can lam|han nao|nhung han|viec nao)\b.*?\btruoc\s+(?:ngay\s+)?"
                    r"(\d{1,2})\s*[/-]\s*(\d{1,2})(?:\s*[/-]\s*(\d{4}))?(?![\d/])")


def parse_window(folded: str, today: date) -> TimeWindow | None:
    """The period a question asks about, relative to `today` (None when it names none)."""
    m = _UNTIL.search(folded)
    if m:
        try:
            until = date(int(m.group(3) or today.year), int(m.group(2)), int(m.group(1)))
        except ValueError:
            until = None
        if until and until >= today:
            return TimeWindow(today, until, m.group(0))
    m = re.search(r"thang\s+(\d{1,2})(?:\s*[/.-]\s*|\s+nam\s+)(\d{4})", folded)
    if m and 1 <= int(m.group(1)) <= 12:
        y, mo = int(m.group(2)), int(m.group(1))
        return TimeWindow(date(y, mo, 1), _month_end(y, mo), m.group(0))
    m = re.search(r"quy\s+(iv|i{1,3}|[1-4])(?![a-z\d])(?:\s*[/.-]\s*|\s+nam\s+)?(\d{4})?", folded)
    if m:
        q = _ROMAN[m.group(1)]
        y = int(m.group(2)) if m.group(2) else today.year
        return TimeWindow(date(y, 3 * q - 2, 1), _month_end(y, 3 * q), m.group(0))
    m = re.search(r"(?:trong\s+)?(\d{1,3})\s+ngay\s+(?:toi|nua|sap toi)", folded)
    if m:
        return TimeWindow(today, today + timedelta(days=int(m.group(1))), m.group(0))
    m = re.search(r"(\d{1,2})\s+tuan\s+(?:toi|nua)", folded)
    if m:
        return TimeWindow(today, today + timedelta(days=7 * int(m.group(1))), m.group(0))
    monday = today - timedelta(days=today.weekday())
    simple = [
        (r"hom nay", today, today),
        (r"ngay mai", today + timedelta(days=1), today + timedelta(days=1)),
        (r"tuan nay", monday, monday + timedelta(days=6)),
        (r"tuan (?:toi|sau)", monday + timedelta(days=7), monday + timedelta(days=13)),
        (r"thang nay", today.replace(day=1), _month_end(today.year, today.month)),
    ]
    for pat, a, b in simple:
        if re.search(rf"(?<![a-z]){pat}(?![a-z])", folded):
            return TimeWindow(a, b, pat)
    if re.search(r"thang (?:toi|sau)(?![a-z])", folded):
        y, mo = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return TimeWindow(date(y, mo, 1), _month_end(y, mo), "thang toi")
    m = re.search(r"(?<![a-z/])thang\s+(\d{1,2})(?![\d/])", folded)
    if m and 1 <= int(m.group(1)) <= 12:
        mo = int(m.group(1))
        return TimeWindow(date(today.year, mo, 1), _month_end(today.year, mo), m.group(0))
    if re.search(r"nam nay(?![a-z])", folded):
        return TimeWindow(today, date(today.year, 12, 31), "nam nay")
    if re.search(r"sap toi|sap den han", folded):
        return TimeWindow(today, today + timedelta(days=14), "sap toi")
    return None


_DUTY_CUE = re.compile(
    r"\b(?:phai|viec|nhiem vu|lam gi|co gi|bao cao|ke hoach|hoan thanh|trien khai|nop|gui|giao|chi dao|van ban)\b"
)


def _exact_date(folded: str) -> date | None:
    m = re.search(r"ngay\s+(\d{1,2})\s*[/-]\s*(\d{1,2})\s*[/-]\s*(\d{4})", folded)
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def parse_question(text: str, today: date, known_provinces: list[str] | tuple[str, ...] = ()) -> Question:
    """Parse a question; never raises, whatever the input."""
    text = text[:2000]
    folded = fold(text)
    # `trình UBND tỉnh`, `tại huyện Đông Phong`: a receiver or a place, not the agency asked about.
    mentions = [m for m in find_agencies(text) if not _NOT_ACTOR.search(folded[max(0, m.start - 20):m.start])]
    bare = folded
    for m in mentions:
        bare = bare[:m.start] + " " * (m.end - m.start) + bare[m.end:]
    intent = "general"
    for name, pat in _INTENTS:
        if pat.search(bare):
            intent = name
            break
    window = parse_window(folded, today)
    year = re.search(r"nam\s+(\d{4})", folded)
    q = Question(
        text=text, folded=folded, intent=intent,
        agencies=list(dict.fromkeys(m.name for m in mentions)),
        provinces=provinces_in(text, extra=list(known_provinces)),
        window=window, exact_date=_exact_date(folded),
        next_only=bool(re.search(r"lan toi|ky toi|dot toi", folded)),
        overdue=intent == "overdue",
        small_talk=bool(_SMALL_TALK.match(folded.strip())),
        year=int(year.group(1)) if year else None,
        documents=[re.sub(r"\s+", "", next(g for g in m.groups() if g)).upper() for m in _DOC_REF.finditer(folded)],
        who=bool(WHO.search(bare)),
    )
    sup = _SUPERLATIVE.search(folded)
    if sup:
        q.superlative = "max" if sup.group(1) else "min"
    if (q.intent == "general" and (q.window or q.exact_date) and not re.search(r"vi sao|tai sao", folded)
            and (q.agencies or q.provinces or _DUTY_CUE.search(folded))):
        q.intent = "deadline"  # "tuần này Sở Tài chính phải làm gì" — but not "hôm nay thời tiết thế nào"
    return q
