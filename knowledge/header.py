"""The header and footer of a directive: type, number, subject (V/v), issuer, place and date,
addressees (Kính gửi), recipients (Nơi nhận) and signer.

Nghị định 30/2020/NĐ-CP lays a header out in two columns: on the left the issuing body (its parent
first: `UBND TỈNH LÂM ĐỒNG` / `SỞ TÀI CHÍNH`), `Số: 12/KH-UBND` and, for a công văn, the subject
`V/v …` over two or three short lines; on the right `CỘNG HÒA …` / `Độc lập …` and the place and
date. Then come the type (`KẾ HOẠCH`) with the trích yếu under it, or `Kính gửi:`. Text exports and
the .docx reader (knowledge.docx_text) give these as lines, one column after the other, so the header
is read line by line; each line is classified on its own (a number ends at its line end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from knowledge.agencies import DEPARTMENTS
from knowledge.blocks import ARABIC as _ARABIC
from knowledge.blocks import BULLET as _BULLET
from knowledge.blocks import ROMAN as _ROMAN
from knowledge.blocks import ROW_SEP
from knowledge.blocks import Block as _Block
from knowledge.blocks import one_line as _one_line
from knowledge.model import Document
from knowledge.provinces import PROVINCES, canonical_province, committee_of, provinces_in
from knowledge.text import UPPER, fold

_HEADER_BLOCKS = 30  # the header never runs past this many blocks

# `Lâm Đồng, ngày 05 tháng 3 năm 2024`, `Hà Tĩnh, ngày   tháng   năm 2023` (a draft: day/month blank),
# `TP. Hồ Chí Minh, ngày 5/3/2024`. The place is a few capitalised words.
_PLACE_DATE = re.compile(
    rf"^(?P<place>(?:T[Pp]\.\s*)?[{UPPER}][^\W\d_]*(?:[ .-]+[{UPPER}][^\W\d_]*){{0,5}})\s*,\s*ngày\b\s*"
    r"(?:(?P<d>\d{1,2})?\s*tháng\s*(?P<m>\d{1,2})?\s*năm\s*(?P<y>\d{4})"
    r"|(?P<d2>\d{1,2})\s*[/.-]\s*(?P<m2>\d{1,2})\s*[/.-]\s*(?P<y2>\d{4}))",
)
# `Số: 951/UBND-TH`, `Số:     /KH-UBND` (draft), `Số 12/QĐ-UBND`: the number runs to the line end.
_NUMBER = re.compile(r"^Số\s*(?::\s*(?P<num>.*)|\s(?P<bare>\s*\d[\d\s]*/.*))$", re.IGNORECASE)
# Where a number written on one line with what follows it ends: before the subject (`Số: 12/UBND-KT V/v …`)
# or before the place and date (`Số: 123/UBND-KT Lâm Đồng, ngày 10 tháng 5 năm 2026`, as OCR joins the
# two columns with one space). The place is the same few capitalised words as in _PLACE_DATE.
_AFTER_NUMBER = re.compile(
    rf"\s(?=(?:V/v|Về việc)\b|(?:T[Pp]\.\s*)?[{UPPER}][^\W\d_]*(?:[ .-]+[{UPPER}][^\W\d_]*){{0,5}}\s*,\s*ngày\b)")
# A place and date line cut by a hard wrap before it is complete (`Hà Nội, ngày 19`, `Huế, ngày 5 tháng`):
# pasted website texts wrap about every 80 characters, header columns included.
_OPEN_PLACE_DATE = re.compile(
    rf"^(?:T[Pp]\.\s*)?[{UPPER}][^\W\d_]*(?:[ .-]+[{UPPER}][^\W\d_]*){{0,5}}\s*,\s*ngày(?:\s*\d{{1,2}})?"
    r"(?:\s*tháng(?:\s*\d{1,2})?)?\s*$")
# `V/v báo cáo …`, `Về việc …`: the subject (trích yếu) of a công văn.
_SUBJECT = re.compile(r"^(?:V/v|V/V|Về việc)\b\s*:?\s*", re.IGNORECASE)
_KINH_GUI = re.compile(r"^Kính\s+gửi\s*:?\s*", re.IGNORECASE)
# `CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM` / `Độc lập - Tự do - Hạnh phúc` (folded), and the party's motto;
# also the two halves of the first line when a hard wrap cut it (`CỘNG HÒA XÃ HỘI` / `CHỦ NGHĨA VIỆT NAM`).
_MOTTO = re.compile(r"^(?:cong hoa xa hoi(?: chu nghia|$)|chu nghia viet nam$|doc lap\s*[-–—]\s*tu do"
                    r"|dang cong san viet nam)")
# Marks that are not the issuer: `DỰ THẢO`, `KHẨN`, `HỎA TỐC`, `MẬT` (folded), `[VĂN BẢN MẪU …]`.
_MARK = re.compile(r"^(?:du thao\b|khan\b|hoa toc\b|thuong khan\b|mat\b|toi mat\b|tuyet mat\b|\[|\()")
_RULE = re.compile(r"^[-_=*–—.…~\s]+$")  # a drawn line under a header part: `________`
# The type line over the trích yếu (folded text → type).
_TYPES = {
    "cong van": "Công văn", "thong bao": "Thông báo", "ke hoach": "Kế hoạch", "quyet dinh": "Quyết định",
    "chi thi": "Chỉ thị", "bao cao": "Báo cáo", "to trinh": "Tờ trình", "nghi quyet": "Nghị quyết",
    "cong dien": "Công điện", "chuong trinh": "Chương trình", "huong dan": "Hướng dẫn", "ket luan": "Kết luận",
    "de an": "Đề án", "quy che": "Quy chế", "quy dinh": "Quy định", "giay moi": "Giấy mời",
}
# The type code in a number (`12/KH-UBND` → KH; `12-CT/TU` → CT); `UBND-TH`, `BCĐ` name no type.
_TYPE_CODES = {
    "TB": "Thông báo", "KH": "Kế hoạch", "QĐ": "Quyết định", "CT": "Chỉ thị", "BC": "Báo cáo",
    "TTR": "Tờ trình", "NQ": "Nghị quyết", "CĐ": "Công điện", "HD": "Hướng dẫn", "CV": "Công văn",
    "KL": "Kết luận", "CTR": "Chương trình", "ĐA": "Đề án", "GM": "Giấy mời",
}
# A subject or title line that opens the body instead: `Căn cứ …`, `1. …`.
_BODY_OPENING = re.compile(r"^(?:Căn cứ|Thực hiện (?:Kế hoạch|Quyết định|Công văn|Chỉ thị|Nghị quyết|Thông báo) số)")
_TITLE_MAX = 600
# The issuing authority on its own line between the trích yếu and the body of a quyết định:
# `CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG`, `BỘ TRƯỞNG BỘ TÀI CHÍNH`.
_AUTHORITY = re.compile(r"^(?:(?:PHÓ )?CHỦ TỊCH|BỘ TRƯỞNG|THỦ TƯỚNG|GIÁM ĐỐC|TRƯỞNG BAN|CỤC TRƯỞNG|"
                        r"ỦY BAN NHÂN DÂN|UBND|HỘI ĐỒNG NHÂN DÂN|BAN CHỈ ĐẠO|BAN THƯỜNG VỤ|BAN CHẤP HÀNH)\b")
_SUBJECT_LINES = 4  # `V/v` line plus up to three continuation lines

# Issuing bodies in the header (folded prefix → written form, how the rest of the name is cased):
# `local` = the rest is a locality (`ỦY BAN NHÂN DÂN` / `TỈNH LÂM ĐỒNG` → UBND tỉnh Lâm Đồng);
# `caps` = each part of the name capitalised (`SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH` → Sở Văn hóa, Thể thao
# và Du lịch); `sentence` = lower case (`BAN CHỈ ĐẠO PHÁT TRIỂN …` → Ban Chỉ đạo phát triển …).
_UNITS: list[tuple[str, str, str]] = sorted([
    ("uy ban nhan dan", "UBND", "local"), ("ubnd", "UBND", "local"),
    ("hoi dong nhan dan", "HĐND", "local"), ("hdnd", "HĐND", "local"),
    ("cong an", "Công an", "local"), ("thanh tra", "Thanh tra", "local"),
    ("ban chi dao", "Ban Chỉ đạo", "sentence"), ("ban quan ly", "Ban Quản lý", "sentence"),
    ("ban", "Ban", "caps"), ("so", "Sở", "caps"), ("bo", "Bộ", "caps"), ("cuc", "Cục", "caps"),
    ("tong cuc", "Tổng cục", "caps"), ("chi cuc", "Chi cục", "caps"), ("van phong", "Văn phòng", "caps"),
    ("trung tam", "Trung tâm", "caps"), ("kho bac nha nuoc", "Kho bạc Nhà nước", "caps"),
    ("tinh uy", "Tỉnh ủy", "caps"), ("thanh uy", "Thành ủy", "caps"), ("dang uy", "Đảng ủy", "sentence"),
    ("chinh phu", "Chính phủ", "caps"), ("thu tuong chinh phu", "Thủ tướng Chính phủ", "caps"),
    ("hoi dong", "Hội đồng", "sentence"), ("to cong tac", "Tổ công tác", "sentence"),
    ("uy ban dan toc", "Ủy ban Dân tộc", "caps"),  # the ministry-level committee before 3/2025
], key=lambda u: -len(u[0]))
# Localities after UBND/HĐND or on their own line (folded prefix → written form): `TỈNH LÂM ĐỒNG`, `XÃ TÂN LẬP`.
_LOCALITY = re.compile(r"^(tinh|thanh pho|tp\.?|thi xa|thi tran|huyen|quan|xa|phuong|dac khu)(?:\s+(\S.*))?$")
_LOCALITY_KIND = {"tinh": "tỉnh", "thanh pho": "thành phố", "tp": "thành phố", "tp.": "thành phố", "thi xa": "thị xã",
                  "thi tran": "thị trấn", "huyen": "huyện", "quan": "quận", "xa": "xã", "phuong": "phường",
                  "dac khu": "đặc khu"}
# A header line ending like this continues on the next line (`SỞ LAO ĐỘNG - THƯƠNG BINH VÀ` / `XÃ HỘI`).
_DANGLING = re.compile(r"(?:,|-|–|\bVÀ|\bCỦA|\bvà|\bcủa)\s*$")
# Words kept capitalised inside a lower-cased name (lower case → written form).
_PROPER = {"đề án": "Đề án", "việt nam": "Việt Nam", "trung ương": "Trung ương", "chính phủ": "Chính phủ",
           "quốc hội": "Quốc hội", **{p.lower(): p for p in PROVINCES}}
_ACRONYMS = {"UBND", "HĐND", "MTTQ", "UB"}  # acronyms with a vowel; vowel-less ones (CĐS, KHCN) are kept anyway

# Signature block: `TM. ỦY BAN NHÂN DÂN`, `KT. CHỦ TỊCH`, `TL. CHỦ TỊCH`, `PHÓ CHÁNH VĂN PHÒNG` …
_SIGN_TITLE = re.compile(
    r"^(?:TM\.|KT\.|TL\.|Q\.|TUQ\.|CHỦ TỊCH|PHÓ CHỦ TỊCH|CHÁNH VĂN PHÒNG|PHÓ CHÁNH VĂN PHÒNG|GIÁM ĐỐC|"
    r"PHÓ GIÁM ĐỐC|TRƯỞNG BAN|PHÓ TRƯỞNG BAN|ỦY BAN NHÂN DÂN|BỘ TRƯỞNG|THỨ TRƯỞNG|CỤC TRƯỞNG|"
    r"PHÓ CỤC TRƯỞNG|CHÁNH THANH TRA|BÍ THƯ|PHÓ BÍ THƯ|THỦ TRƯỞNG)",
)
# `Nơi nhận:` (folded; `Noi nhận` typed without the hook), alone or with the first recipient.
_NOI_NHAN = re.compile(r"^noi nhan\s*:?\s*(?:$|[-–•+*]|nhu tren)")
# A signer's name: two to five capitalised words (`Nguyễn Ngọc Phúc`, `Hồ Văn Mười`); Ê Đê and Jrai names
# may open with one letter or an apostrophe (`Y Ngọc Niê Kđăm`, `H'Yim Kđoh`).
_NAME = re.compile(rf"^[{UPPER}](?:'[{UPPER}])?[^\W\d_A-Z]*(?:\s+[{UPPER}][^\W\d_A-Z]+){{1,4}}$")

# A portal news item reporting a directive: `UBND tỉnh vừa ban hành Công văn số 846/UBND-TH ngày 21/5 …`,
# `Ngày 21/5, UBND tỉnh ban hành Kế hoạch số 12/KH-UBND …`.
_NEWS_TYPES = "|".join(sorted(_TYPES.values(), key=len, reverse=True))
_NEWS = re.compile(
    rf"(?:ban hành|vừa có|đã có|ký|gửi)\s+(?P<type>{_NEWS_TYPES})\s+số\s+(?P<num>\d[\w/&.-]*[\wĐđ])"
    r"(?:\s*,?\s*ngày\s+(?P<date>\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?|\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?))?",
)
_NEWS_LEAD_DATE = re.compile(r"^(?:Vào\s+)?[Nn]gày\s+(\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?|\d{1,2}\s+tháng\s+\d{1,2}"
                             r"(?:\s+năm\s+\d{4})?)\s*,")
_NEWS_BLOCKS = 6
# Central bodies (issuer prefixes): their documents belong to no province.
_CENTRAL = ("Bộ ", "Chính phủ", "Thủ tướng", "Tổng cục ", "Cục ", "Văn phòng Chính phủ", "Văn phòng Bộ ", "Quốc hội",
            "Ủy ban Dân tộc")


def _title_case_place(raw: str) -> str:
    canon = canonical_province(raw)
    if canon:
        return canon
    return " ".join(w[:1].upper() + w[1:].lower() for w in raw.split())


def _is_upper(text: str) -> bool:
    """All letters upper case (a header or signature line), with at least two letters."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _is_signature_name(text: str) -> bool:
    text = text.strip()
    return bool(_NAME.match(text)) and len(text) < 60 and not canonical_province(text)


def _columns(line: str) -> list[str]:
    """A line of a flattened two-column header (`TỈNH LÂM ĐỒNG      Độc lập - …`) as its column parts.

    Parts are split on wide gaps but only kept apart when the later one starts a header element, so
    `Số:        /KH-UBND` stays one part.
    """
    parts = [p.strip() for p in re.split(r"\s{3,}|\t+", line.strip()) if p.strip()]
    if len(parts) < 2:
        return parts
    merged = [parts[0]]
    for p in parts[1:]:
        f = fold(p)
        if (_MOTTO.match(f) or _NUMBER.match(p) or _PLACE_DATE.match(p) or _SUBJECT.match(p)
                or _KINH_GUI.match(p)):
            merged.append(p)
        else:
            merged[-1] += " " + p
    return merged


# --- issuer -----------------------------------------------------------------------------------------


@dataclass
class _Unit:
    """One issuing body named in the header: `UBND` + locality, or `Sở` + `TÀI CHÍNH` …"""

    canon: str
    style: str
    name: str = ""  # upper-case rest of the name as written
    kind: str | None = None  # locality kind: tỉnh, thành phố, xã …
    place: str | None = None  # locality name, written form

    def text(self) -> str:
        out = self.canon
        if self.name:
            out += " " + _case_name(self.name, self.style, self.canon)
        if self.kind and self.place:
            out += f" {self.kind} {self.place}"
        return out


def _locality(line: str) -> tuple[str, str] | None:
    """(`tỉnh`, `Lâm Đồng`) for `TỈNH LÂM ĐỒNG`; (`tỉnh`, ``) for `TỈNH` when the name is on the next line."""
    m = _LOCALITY.match(fold(line))
    if not m:
        return None
    raw = line[len(line) - len(m.group(2)):].strip() if m.group(2) else ""
    return _LOCALITY_KIND[m.group(1)], _title_case_place(raw) if raw else ""


def _restore_words(lower: str, original: str) -> str:
    """Put back acronyms (`CĐS`, `UBND`) and proper names (`Lâm Đồng`, `Đề án`) in a lower-cased name."""
    words = []
    for low, orig in zip(lower.split(" "), original.split(" "), strict=False):
        core = re.sub(r"\W", "", orig)
        vowelless = core and not re.search(r"[aeiouy]", fold(core))
        words.append(orig if core and (core in _ACRONYMS or (vowelless and not core.isdigit())) else low)
    out = " ".join(words)
    for low, proper in _PROPER.items():
        out = re.sub(rf"(?<!\w){re.escape(low)}(?!\w)", proper, out)
    return out


def _case_name(upper: str, style: str, canon: str) -> str:
    """The written form of an upper-case name after its prefix (see _UNITS)."""
    upper = _one_line(upper)
    if canon in ("Sở", "Bộ"):
        key = fold(upper)
        for name, aliases in DEPARTMENTS.items():
            if key == fold(name) or key in aliases:
                return name
    lower = _restore_words(upper.lower(), upper)
    if style == "sentence":
        return lower
    parts = re.split(r"(\s*,\s*|\s+và\s+|\s+[-–]\s+)", lower)
    return "".join(p[:1].upper() + p[1:] if i % 2 == 0 else p for i, p in enumerate(parts))


def _units(org_lines: list[str]) -> list[_Unit]:
    """The bodies named in the header's left column, parent first; continuation lines joined."""
    units: list[_Unit] = []
    prev = ""
    for line in org_lines:
        f = fold(line)
        unit = next((u for u in _UNITS if f == u[0] or f.startswith(u[0] + " ")), None)
        loc = _locality(line)
        dangling = bool(_DANGLING.search(prev))
        last = units[-1] if units else None
        if unit and not dangling:
            prefix, canon, style = unit
            rest = line[len(prefix):].strip()
            u = _Unit(canon, style)
            rest_loc = _locality(rest) if rest else None
            if style == "local" and rest_loc:
                u.kind, u.place = rest_loc
            elif style == "local" and rest:
                u.place = _title_case_place(rest)
            else:
                u.name = rest
            units.append(u)
        elif last and last.kind and not last.place:  # `ỦY BAN NHÂN DÂN TỈNH` / `LÂM ĐỒNG`
            last.place = _title_case_place(line)
        elif loc and last and not last.kind and not dangling:
            last.kind, last.place = loc
        elif last and not last.kind:
            if last.style == "local":
                last.place = _title_case_place(f"{last.place or ''} {line}".strip())
            else:
                last.name = f"{last.name} {line}".strip()
        elif loc:
            units.append(_Unit("UBND", "local", kind=loc[0], place=loc[1]))
        prev = line
    return units


def _issuer_from_units(doc: Document, units: list[_Unit]) -> None:
    """Issuer = the lowest body, with its parent's locality (`Sở Tài chính tỉnh X`) or its parent in brackets."""
    if not units:
        return
    for u in units:
        if u.kind == "tỉnh" or (u.kind == "thành phố" and u.place and canonical_province(u.place)):
            doc.province = canonical_province(u.place or "") or u.place
            break
    child = units[-1]
    parent = next((u for u in reversed(units[:-1]) if u.kind), units[-2] if len(units) > 1 else None)
    if parent is None or child.kind:
        doc.issuer = child.text()
    elif not child.name and child.style != "local":
        doc.issuer = f"{child.canon} {parent.text()}"  # `VĂN PHÒNG` under UBND → Văn phòng UBND tỉnh X
    elif parent.kind:
        child.kind, child.place = parent.kind, parent.place
        doc.issuer = child.text()
    else:
        doc.issuer = f"{child.text()} ({parent.text()})"  # `BỘ …` / `CỤC …` → Cục … (Bộ …)
    if doc.issuer in ("UBND", "HĐND"):
        doc.issuer = None


# --- header -----------------------------------------------------------------------------------------


@dataclass
class _Header:
    """What the header lines said so far, and which part is still open (subject, title, Kính gửi)."""

    doc: Document
    org: list[str] = field(default_factory=list)
    authority: list[str] = field(default_factory=list)
    code_type: str | None = None
    line_type: str | None = None
    subject: list[str] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    subject_open: bool = False
    title_open: bool = False
    kinh_gui: bool = False
    seen: bool = False  # a number, date, type or subject: the header has started
    motto: bool = False  # `CỘNG HÒA …` seen
    numbered: bool = False  # a `Số:` line seen (blank or not)
    more_addressees: bool = False  # `Kính gửi:` alone or an addressee ending in `;`: the list goes on
    open_date: str = ""  # a place and date line cut before its month and year, waiting for the rest

    def close(self) -> None:
        self.subject_open = self.title_open = False

    def number(self, raw: str) -> None:
        num = re.sub(r"\s+", "", raw)
        self.doc.number = num if re.match(r"^\d", num) else None
        self.numbered = True
        code = re.search(r"[A-Za-zĐđ]+", num)
        if code and code.group(0).upper() in _TYPE_CODES:
            self.code_type = _TYPE_CODES[code.group(0).upper()]
        self.seen = True

    def place_date(self, m: re.Match[str]) -> None:
        doc = self.doc
        doc.place = _title_case_place(m.group("place"))
        y = int(m.group("y") or m.group("y2"))
        d, mo = m.group("d") or m.group("d2"), m.group("m") or m.group("m2")
        doc.year_hint = y
        doc.issued_date = None
        doc.issued_month = f"{y:04d}-{int(mo):02d}" if mo and 1 <= int(mo) <= 12 else None
        if d and mo:
            try:
                doc.issued_date = date(y, int(mo), int(d))
            except ValueError:
                doc.issued_date = None
        self.seen = True

    def element(self, part: str, first_in_block: bool) -> bool:
        """Classify one column part of a header line; False when it is not header text."""
        if self.open_date:  # `Hà Nội, ngày 19` / `tháng 11 năm 2025`: a place line wrapped by the site
            joined, self.open_date = f"{self.open_date} {part}", ""
            if _PLACE_DATE.match(joined) or _OPEN_PLACE_DATE.match(joined):
                part = joined
        f = fold(part)
        if _RULE.match(part):
            self.title_open = self.title_open and not self.title
            return True
        if _MOTTO.match(f):
            self.close()
            self.motto = True
            return True
        m_num = _NUMBER.match(part)
        if m_num:
            return self._number_line(m_num)
        m_place = _PLACE_DATE.match(part)
        if m_place or _OPEN_PLACE_DATE.match(part):
            self.close()
            if m_place:
                self.place_date(m_place)
            else:
                self.open_date = part
            return True
        if self.title_open:
            return self._title_line(part, first_in_block)
        return self._opening_line(part, f) or self._continued_line(part, f, first_in_block)

    def _number_line(self, m_num: re.Match[str]) -> bool:
        """`Số: 12/KH-UBND`, and what OCR or a flattened header puts after it on the same line: the subject
        (`Số: 12/UBND-KT V/v …`) or the place and date (`Số: 12/UBND-KT Lâm Đồng, ngày …`)."""
        self.close()
        raw = m_num.group("num") if m_num.group("num") is not None else m_num.group("bare")
        cut = _AFTER_NUMBER.search(raw)
        self.number(raw[:cut.start()] if cut else raw)
        if cut:
            return self.element(raw[cut.start():].strip(), False)
        return True

    def _opening_line(self, part: str, f: str) -> bool:
        """A line that opens a header part: the subject `V/v …`, `Kính gửi:` or the type line `KẾ HOẠCH`."""
        m_sub = _SUBJECT.match(part)
        if m_sub and not self.subject and not self.line_type:
            self.close()
            self.subject = [part[m_sub.end():]]
            self.subject_open = self.seen = True
            return True
        if _KINH_GUI.match(part):
            self.close()
            self.kinh_gui = self.seen = True
            rest = _KINH_GUI.sub("", part)
            self.doc.addressees += [x for x in [_strip_item(rest)] if x]
            self.more_addressees = not rest.strip() or rest.rstrip().endswith((";", ","))
            return True
        type_key = f.rstrip(" :")
        if _is_upper(part) and type_key in _TYPES and not self.line_type:
            self.close()
            self.line_type = _TYPES[type_key]
            self.title_open = self.seen = True
            return True
        return False

    def _continued_line(self, part: str, f: str, first_in_block: bool) -> bool:
        """A line that continues an open part (subject, addressees), a mark (`KHẨN`) or the issuer column."""
        if self.subject_open:
            if (len(self.subject) < _SUBJECT_LINES and not part.endswith(":")
                    and (part[:1].islower() or (first_in_block is False and len(part) <= 90))):
                self.subject.append(part)
                return True
            self.subject_open = False
            return False
        if self.kinh_gui:  # addressees: bullets, or lines of a list the `Kính gửi` block opened
            if _BULLET.match(part) or (not first_in_block and self.more_addressees and len(part) <= 120):
                item = _strip_item(part)
                if item:
                    self.doc.addressees.append(item)
                self.more_addressees = part.rstrip().endswith((";", ","))
                return True
            return False
        if _MARK.match(f):
            return True
        if (not self.numbered and not self.line_type and not self.subject and _is_upper(part) and len(part) < 160
                and not _ROMAN.match(part) and not _ARABIC.match(part)):
            self.org.append(part)
            return True
        return False

    def _title_line(self, part: str, first_in_block: bool) -> bool:
        """The trích yếu under the type line: the first block, then lines that continue it."""
        if not self.title:
            if _ARABIC.match(part) or _ROMAN.match(part) or _BODY_OPENING.match(part) or len(part) > 400:
                self.title_open = False
                return False
            self.title.append(part)
            return True
        joined = " ".join(self.title)
        upper_title = _is_upper(joined)
        if _is_upper(part):
            if _AUTHORITY.match(part):
                self.title_open = False
                self.authority.append(part)
                return True
            # an upper-case title hard-wrapped inside its block (`KẾT` / `LUẬN CỦA …`) goes on
            if (upper_title and not first_in_block and not _ROMAN.match(part) and not _ARABIC.match(part)
                    and len(joined) + len(part) < _TITLE_MAX):
                self.title.append(part)
                return True
            self.title_open = False
            return False  # `I. MỤC ĐÍCH, YÊU CẦU`: the body
        continues = (part[:1].islower() or bool(_DANGLING.search(joined)) or joined.endswith(("“", '"', "("))
                     or (not first_in_block and not upper_title))  # a capitalised sentence after it: the body
        if continues and len(joined) + len(part) < _TITLE_MAX and not _BODY_OPENING.match(part):
            self.title.append(part)
            return True
        self.title_open = False
        return False

    def finish(self) -> None:
        doc = self.doc
        if self.subject:
            doc.title = _one_line(" ".join(self.subject)) or None
        elif self.title:
            doc.title = _one_line(" ".join(self.title))
        doc.type = self.line_type or self.code_type or ("Công văn" if self.subject or self.kinh_gui else None)
        units = _units(self.org)
        if not units and self.authority:  # no header column: the authority line names the body
            units = _units([re.sub(r"^(?:(?:PHÓ )?CHỦ TỊCH|BỘ TRƯỞNG|GIÁM ĐỐC|TRƯỞNG BAN|CỤC TRƯỞNG)\s+", "",
                                   self.authority[0])])
        _issuer_from_units(doc, units)


def _split_block(blocks: list[_Block], i: int, n_lines: int) -> None:
    """Cut block i after its first n_lines lines: the header ended inside it (no blank line before the body)."""
    b = blocks[i]
    lines = b.text.split("\n")
    head = "\n".join(lines[:n_lines])
    tail = "\n".join(lines[n_lines:])
    blocks[i] = _Block(head, b.start, b.start + len(head))
    blocks.insert(i + 1, _Block(tail, b.start + len(head) + 1, b.end))


def _is_prose(text: str) -> bool:
    """A paragraph of running text: the document has no header if one comes first."""
    line = _one_line(text)
    return len(line) > 200 or (len(line) > 80 and line.endswith((".", ":", ";")))


def parse_header(doc: Document, blocks: list[_Block]) -> int:
    """Fill header fields; return the index of the first body block.

    A block whose first line is body text ends the header; when the header ends inside a block (a
    text file without a blank line after `V/v …`), the block is split in place so the body keeps it.
    """
    h = _Header(doc)
    body_start = 0
    i = 0
    while i < min(len(blocks), _HEADER_BLOCKS):
        lines = [ln.strip() for ln in blocks[i].text.split("\n")]
        consumed = 0
        for j, line in enumerate(lines):
            parts = _columns(line) if line else []
            ok = all(h.element(p, j == 0 and k == 0) for k, p in enumerate(parts))
            if not ok:
                break
            consumed = j + 1
        if consumed == len(lines):
            body_start = i + 1
        elif consumed > 0:
            _split_block(blocks, i, consumed)
            body_start = i + 1
            break
        elif h.seen or h.org or _is_prose(blocks[i].text):
            break
        i += 1
    if not (h.seen or h.motto):  # upper-case lines alone (a headline) are no header
        h.org, body_start = [], 0
    h.finish()
    if not (doc.number or doc.type or doc.place or h.org):
        _news_item(doc, blocks)
    return body_start


def _strip_item(text: str) -> str:
    """An addressee as written; "" for a blank to fill in (`Kính gửi: ……………`) of a template."""
    text = _BULLET.sub("", text.strip())
    return _one_line(text).rstrip(";.,") if any(ch.isalpha() for ch in text) else ""


# --- a news item about a directive ------------------------------------------------------------------


def _day_month_year(raw: str) -> tuple[int, int, int | None]:
    nums = [int(x) for x in re.findall(r"\d+", raw)]
    return nums[0], nums[1], nums[2] if len(nums) > 2 else None


def _year_in_text(doc: Document, number: str) -> int | None:
    """The year of a year-less date: the number's (`12/2025/QĐ-UBND`), a full date, or `năm 2025`."""
    m = re.search(r"/((?:19|20)\d\d)/", number)
    if m:
        return int(m.group(1))
    head = doc.text[:3000]
    m = re.search(r"\b\d{1,2}\s*/\s*\d{1,2}\s*/\s*((?:19|20)\d\d)\b", head) or re.search(r"năm ((?:19|20)\d\d)", head)
    return int(m.group(1)) if m else None


def _news_item(doc: Document, blocks: list[_Block]) -> None:
    """No header: a portal item reporting a directive gives its type, number and date in an opening sentence."""
    for b in blocks[:_NEWS_BLOCKS]:
        for sentence in re.split(r"(?<=[.!?])\s+", _one_line(b.text)):
            m = _NEWS.search(sentence)
            if not m:
                continue
            doc.type, doc.number = m.group("type"), m.group("num")
            when = m.group("date")
            if not when:
                lead = _NEWS_LEAD_DATE.match(sentence)
                when = lead.group(1) if lead else None
            if when:
                d, mo, y = _day_month_year(when)
                y = y or _year_in_text(doc, doc.number)
                if y:
                    doc.year_hint = y
                    try:
                        doc.issued_date = date(y, mo, d)
                    except ValueError:
                        doc.issued_date = None
            return


# --- issuer without a header column, footer ---------------------------------------------------------


# The closing formula of a thông báo names who announces it, i.e. its issuer, when the header is lost:
# `Văn phòng Chính phủ thông báo để … biết, thực hiện./.`, `Văn phòng UBND tỉnh trân trọng thông báo./.`.
_ANNOUNCER = re.compile(
    r"(?m)^(?P<who>(?:Văn phòng|Ủy ban|UBND|Bộ|Sở|Ban)\b[^\n.;:]{0,80}?)\s+(?:xin\s+|trân trọng\s+)?thông báo"
    r"(?:\s+(?:để|đến|cho)\b|\s*\./\.|\s*\.\s*$)")
_CLOSING_CHARS = 3000  # the formula closes the body: look only at the document's end


def _announcer(text: str) -> str | None:
    """The body named in a thông báo's closing formula (the last one in the document's end), or None."""
    found = list(_ANNOUNCER.finditer(text[-_CLOSING_CHARS:]))
    return found[-1].group("who").strip() if found else None


def infer_issuer(doc: Document) -> None:
    """No issuer in the header: the body a thông báo's closing formula names, the province from the place
    line, else the most named province.

    A ministry's or the government's document has no province (its place line says Hà Nội).
    """
    if (doc.issuer and doc.province) or (doc.issuer or "").startswith(_CENTRAL):
        return
    if not doc.issuer:
        doc.issuer = _announcer(doc.text)
        if (doc.issuer or "").startswith(_CENTRAL):
            return
    if doc.place and canonical_province(doc.place):
        doc.province = doc.province or canonical_province(doc.place)
    elif not doc.province:
        counts: dict[str, int] = {}
        for m in re.finditer(rf"(?:tỉnh|Tỉnh)\s+((?:[{UPPER}][^\W\d_]+\s?){{1,3}})", doc.text):
            prov = canonical_province(m.group(1).strip()) or (provinces_in(m.group(1)) or [None])[0]
            if prov:
                counts[prov] = counts.get(prov, 0) + 1
        if counts:
            doc.province = max(counts, key=counts.__getitem__)
    if doc.province and not doc.issuer:
        doc.issuer = committee_of(doc.province)


def _signature_like(text: str) -> bool:
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    return bool(lines) and all(_SIGN_TITLE.match(ln) or _is_signature_name(ln) for ln in lines)


def _is_noi_nhan(text: str) -> bool:
    """`Nơi nhận:` opening the recipients list (not `Nơi nhận hồ sơ: …` in the body, not a table row)."""
    return ROW_SEP not in text and bool(_NOI_NHAN.match(fold(text.strip())))


def _appendix(text: str) -> bool:
    """`Phụ lục I`, or a table row: what follows the signature is an appendix."""
    return ROW_SEP in text or bool(re.match(r"(?i)^phụ lục\b", text.strip()))


def parse_footer(doc: Document, blocks: list[_Block]) -> int:
    """Recipients and signature; return the index where the footer starts (len(blocks) if none).

    The signature may stand before `Nơi nhận` (text exports put the right column first) or after it,
    interleaved with the recipients when a table is read cell by cell; its title lines are upper
    case, the signer is the name line that closes it. Appendices after the signature are left alone.
    """
    footer = next((i for i, b in enumerate(blocks) if i > 2 and _is_noi_nhan(b.text)), len(blocks))
    start = footer  # signature blocks just before `Nơi nhận` (or, without it, at the very end)
    while start > 0 and _signature_like(blocks[start - 1].text):
        start -= 1
    has_footer = footer < len(blocks)
    region = blocks[start:]
    titles: list[str] = []
    done = False
    for b in region:
        if _appendix(b.text) or done:
            break
        if _BULLET.match(b.text) or _is_noi_nhan(b.text):
            item = _strip_item(re.sub(r"^N[ơo]i nhận\s*:?", "", _one_line(b.text), flags=re.IGNORECASE))
            if item and has_footer:
                doc.recipients.append(item)
            continue
        for raw in b.text.split("\n"):
            raw = raw.strip()
            if _SIGN_TITLE.match(raw):
                if doc.signer:  # a second signature title after the name: something else begins
                    done = True
                    break
                titles.append(raw)
            elif _is_signature_name(raw) and (has_footer or titles or doc.place):
                doc.signer = raw
            elif doc.signer and raw:
                done = True
                break
    if titles:
        doc.signer_title = " / ".join(titles)
    return start
