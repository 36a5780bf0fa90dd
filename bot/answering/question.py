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
from knowledge.rulebook import rule
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
# A document named by its type and number, in the short forms officials type: `CV 846`, `KH160`,
# `QĐ 125/2025`, `QĐ 125/2025/QĐ-UBND`, `Công văn số 846/UBND-TH`, `Kế hoạch 287/KH-UBND`. Group 1 or 3
# is the type word, group a, b or c the number with up to three `/` parts.
_NUMBER = r"\d{1,6}(?:\s*/\s*[a-z0-9&.\-]+){0,3}"
_DOC_REF = re.compile(
    rf"(?<![a-z])(?:(cv|vb|kh|tb|qd|ct|bc|nq|hd|ttr)\s*(?:so\s*)?(?P<a>{_NUMBER})"
    r"|(cong van|van ban|ke hoach|thong bao|quyet dinh|chi thi|bao cao|to trinh|nghi quyet|huong dan|cong dien)"
    rf"\s*(?:so\s*(?P<b>{_NUMBER})|(?P<c>\d{{1,6}}(?:\s*/\s*[a-z0-9&.\-]+){{1,3}})))(?![\d])")
# The document type each short or long type word names, as stored documents spell it.
DOC_TYPES = {
    "cv": "Công văn", "cong van": "Công văn", "vb": "", "van ban": "", "kh": "Kế hoạch", "ke hoach": "Kế hoạch",
    "tb": "Thông báo", "thong bao": "Thông báo", "qd": "Quyết định", "quyet dinh": "Quyết định",
    "ct": "Chỉ thị", "chi thi": "Chỉ thị", "bc": "Báo cáo", "bao cao": "Báo cáo", "nq": "Nghị quyết",
    "nghi quyet": "Nghị quyết", "hd": "Hướng dẫn", "huong dan": "Hướng dẫn", "ttr": "Tờ trình",
    "to trinh": "Tờ trình", "cong dien": "Công điện",
}


@dataclass(frozen=True)
class DocRef:
    """A document the question names: its type as stored (`Kế hoạch`; "" when any) and number (`160`,
    `125/2025/QD-UBND`, folded and without spaces)."""

    kind: str
    number: str


def document_refs(folded: str) -> list[DocRef]:
    """Every `type + number` reference in a folded question, in order."""
    out = []
    for m in _DOC_REF.finditer(folded):
        word = m.group(1) or m.group(3)
        number = m.group("a") or m.group("b") or m.group("c")
        out.append(DocRef(DOC_TYPES.get(word, ""), re.sub(r"\s+", "", number).upper()))
    return list(dict.fromkeys(out))


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
    "UBND": "Ủy ban nhân dân", "NN&MT": "Nông nghiệp và Môi trường", "PCMT": "phòng, chống ma túy",
    # Departments and common terms as officials shorten them (the names as Nghị định 45/2025/NĐ-CP gives them).
    "KH&CN": "Khoa học và Công nghệ", "KH&ĐT": "Kế hoạch và Đầu tư", "GD&ĐT": "Giáo dục và Đào tạo",
    "VHTT&DL": "Văn hóa, Thể thao và Du lịch", "TN&MT": "Tài nguyên và Môi trường",
    "LĐTB&XH": "Lao động - Thương binh và Xã hội", "TTĐT": "thông tin điện tử", "GPMB": "giải phóng mặt bằng",
}
_ABBREVIATION_RE = re.compile(r"(?<![\w&-])(" + "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True))
                              + r")(?![\w&-])", re.IGNORECASE)


def without_references(text: str, folded: str) -> str:
    """`text` with its `type + number` references blanked (`KH 160` says which document, not what is
    asked); the folded text when folding changed its length and spans would not line up."""
    out = text if len(text) == len(folded) else folded
    for m in _DOC_REF.finditer(folded):
        out = out[:m.start()] + " " * (m.end() - m.start()) + out[m.end():]
    return out


def expand_abbreviations(text: str) -> str:
    return _ABBREVIATION_RE.sub(lambda m: ABBREVIATIONS.get(m.group(1).upper(), m.group(1)), text)


# The national target programmes (chương trình mục tiêu quốc gia) officials ask about by name or short
# form: name → folded pattern. A question naming one the store holds no directive about is "not found"
# (issue 22), not answered with another programme's deadlines. Sources: Quyết định 263/QĐ-TTg (nông thôn
# mới), 90/QĐ-TTg (giảm nghèo bền vững), 1719/QĐ-TTg (vùng đồng bào DTTS và miền núi), 2596/QĐ-TTg
# (phòng, chống ma túy đến 2030).
PROGRAMMES: dict[str, re.Pattern[str]] = {
    "xây dựng nông thôn mới": re.compile(r"(?<![a-z])(?:nong thon moi|ntm)(?![a-z])"),
    "giảm nghèo bền vững": re.compile(r"(?<![a-z])(?:giam ngheo|gnbv)(?![a-z])"),
    "phát triển vùng đồng bào dân tộc thiểu số và miền núi": re.compile(
        r"(?<![a-z])(?:dan toc thieu so|dtts|1719)(?![a-z])"),
    "phòng, chống ma túy": re.compile(r"(?<![a-z])(?:(?:phong,? )?chong ma tuy|pcmt)(?![a-z])"),
}


def programmes_in(folded: str) -> list[str]:
    """The national target programmes a folded text names."""
    return [name for name, pat in PROGRAMMES.items() if pat.search(folded)]


# `UBND xã, phường`, `Ủy ban nhân dân cấp xã`, `UBND các xã, phường, đặc khu`: the communes' committees
# as a class. The agency finder takes a capitalised word after `UBND xã` for a commune's name, so a
# class is only read here when the next word is not one (`UBND xã Đạ Huoai` is one commune).
_COMMUNE_COMMITTEES = re.compile(
    r"(?<![a-z])(?:ubnd|uy ban nhan dan) (?:cac |cap )?(?:xa|phuong|dac khu)"
    r"(?:\s*(?:,|va)\s*(?:xa|phuong|dac khu|thi tran))*(?![a-z])")
_NOT_A_NAME = re.compile(r"^(?:\s*[^\w\s]|\s*$|\s+(?:o|tai|phai|can|co|bao|gui|nop|thuc|hoan|lam|trien|duoc|chua|va|trong|"
                         r"den|truoc|nam|thang|tren|cua|thuoc|ve|khi|nao|gi)(?![a-z]))")


def commune_committees(text: str, folded: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(start, end, name) of the communes' committees a question names as a class, outside `taken` spans."""
    out = []
    for m in _COMMUNE_COMMITTEES.finditer(folded):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        if text[m.end():m.end() + 20].lstrip()[:1].isupper() or not _NOT_A_NAME.match(folded[m.end():m.end() + 20]):
            continue
        out.append((m.start(), m.end(), text[m.start():m.end()]))
    return out


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
    references: list[DocRef] = field(default_factory=list)  # the same with the type named (`KH 160`)
    programmes: list[str] = field(default_factory=list)  # national target programmes named (PROGRAMMES)
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
        # `trong tuần tới`: within the coming seven days (as `trong 7 ngày tới`); a bare `tuần tới` is next week
        (r"trong (?:1 |mot )?tuan toi", today, today + timedelta(days=6)),
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


_YEAR_WINDOW = rule("questions", "year_window")


def year_window(folded: str) -> TimeWindow | None:
    """`Các hạn chót trong năm 2025?`, `Năm 2025 có những hạn nào?`: a whole year asked for its limits
    (knowledge/rules/questions.toml); None for a year that only names something (`Kế hoạch năm 2025 …`)."""
    m = _YEAR_WINDOW.search(folded)
    if not m:
        return None
    y = int(m.group("year"))
    return TimeWindow(date(y, 1, 1), date(y, 12, 31), f"nam {y}")


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
    found = [(m.start, m.end, m.name) for m in find_agencies(text)]
    found = sorted(found + commune_committees(text, folded, [(a, b) for a, b, _ in found]))
    mentions = [(a, b, name) for a, b, name in found if not _NOT_ACTOR.search(folded[max(0, a - 20):a])]
    bare = folded
    for a, b, _ in mentions:
        bare = bare[:a] + " " * (b - a) + bare[b:]
    intent = "general"
    for name, pat in _INTENTS:
        if pat.search(bare):
            intent = name
            break
    window = parse_window(folded, today) or year_window(folded)
    year = re.search(r"nam\s+(\d{4})", folded)
    q = Question(
        text=text, folded=folded, intent=intent,
        agencies=list(dict.fromkeys(name for _, _, name in mentions)),
        provinces=provinces_in(text, extra=list(known_provinces)),
        window=window, exact_date=_exact_date(folded),
        next_only=bool(re.search(r"lan toi|ky toi|dot toi", folded)),
        overdue=intent == "overdue",
        small_talk=bool(_SMALL_TALK.match(folded.strip())),
        year=int(year.group(1)) if year else None,
        references=document_refs(folded),
        programmes=programmes_in(folded),
        who=bool(WHO.search(bare)),
    )
    q.documents = [r.number for r in q.references]
    if q.references:
        q.expanded = expand_abbreviations(without_references(text, folded))
    sup = _SUPERLATIVE.search(folded)
    if sup:
        q.superlative = "max" if sup.group(1) else "min"
    if (q.intent == "general" and (q.window or q.exact_date) and not re.search(r"vi sao|tai sao", folded)
            and (q.agencies or q.provinces or _DUTY_CUE.search(folded))):
        q.intent = "deadline"  # "tuần này Sở Tài chính phải làm gì" — but not "hôm nay thời tiết thế nào"
    return q
