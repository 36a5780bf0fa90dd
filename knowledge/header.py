"""The header and footer of a directive: type, number, subject (V/v), issuer, place and date,
addressees (Kính gửi), recipients (Nơi nhận) and signer."""

from __future__ import annotations

import re
from datetime import date

from knowledge.blocks import ARABIC as _ARABIC
from knowledge.blocks import BULLET as _BULLET
from knowledge.blocks import NUMBER as _NUMBER
from knowledge.blocks import ROMAN as _ROMAN
from knowledge.blocks import Block as _Block
from knowledge.blocks import one_line as _one_line
from knowledge.model import Document
from knowledge.provinces import canonical_province, provinces_in
from knowledge.text import fold

_PLACE_DATE = re.compile(
    r"^(?P<place>[^\W\d_][\w .'-]{1,40}?),\s*ngày\s*(?P<d>\d{1,2})?\s*tháng\s*(?P<m>\d{1,2})?\s*năm\s*(?P<y>\d{4})",
    re.IGNORECASE,
)
_TYPES = {
    "cong van": "Công văn", "thong bao": "Thông báo", "ke hoach": "Kế hoạch", "quyet dinh": "Quyết định",
    "chi thi": "Chỉ thị", "bao cao": "Báo cáo", "to trinh": "Tờ trình", "nghi quyet": "Nghị quyết",
    "cong dien": "Công điện", "chuong trinh": "Chương trình", "huong dan": "Hướng dẫn",
}
_TYPE_CODES = {
    "TB": "Thông báo", "KH": "Kế hoạch", "QĐ": "Quyết định", "CT": "Chỉ thị", "BC": "Báo cáo",
    "TTR": "Tờ trình", "NQ": "Nghị quyết", "CĐ": "Công điện", "HD": "Hướng dẫn",
}
_SIGN_TITLE = re.compile(
    r"^(?:TM\.|KT\.|TL\.|Q\.|TUQ\.|CHỦ TỊCH|PHÓ CHỦ TỊCH|CHÁNH VĂN PHÒNG|PHÓ CHÁNH VĂN PHÒNG|GIÁM ĐỐC|"
    r"PHÓ GIÁM ĐỐC|TRƯỞNG BAN|PHÓ TRƯỞNG BAN|ỦY BAN NHÂN DÂN)",
)
_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_NAME = re.compile(rf"^[{_UPPER}][^\W\d_A-Z]+(?:\s+[{_UPPER}][^\W\d_A-Z]+){{1,4}}$")
_HEADER_LINE = re.compile(
    r"^(?:ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|UBND|CỘNG HÒA|Độc lập|TỈNH |THÀNH PHỐ |BAN CHỈ ĐẠO|VĂN PHÒNG|"
    r"SỞ |HỘI ĐỒNG NHÂN DÂN|\[)",
)


def _title_case_place(raw: str) -> str:
    canon = canonical_province(raw)
    if canon:
        return canon
    return " ".join(w[:1].upper() + w[1:].lower() for w in raw.split())


def _is_signature_name(text: str) -> bool:
    return bool(_NAME.match(text.strip())) and len(text) < 60


def parse_header(doc: Document, blocks: list[_Block]) -> int:
    """Fill header fields; return the index of the first body block."""
    body_start = 0
    after_type = False
    in_kinh_gui = False
    org_lines: list[str] = []
    for i, b in enumerate(blocks[:25]):
        line = _one_line(b.text)
        folded = fold(line)
        first_line = b.text.split("\n")[0].strip()
        m_num = _NUMBER.match(line)
        m_place = _PLACE_DATE.match(line)
        if m_num:
            num = re.sub(r"\s+", "", m_num.group("num"))
            doc.number = num if re.match(r"^\d", num) else None
            code = re.search(r"/([A-ZĐ]+)", num)
            if code and code.group(1).upper() in _TYPE_CODES:
                doc.type = doc.type or _TYPE_CODES[code.group(1).upper()]
            body_start = i + 1
        elif m_place:
            doc.place = _title_case_place(m_place.group("place"))
            y = int(m_place.group("y"))
            doc.year_hint = y
            if m_place.group("d") and m_place.group("m"):
                try:
                    doc.issued_date = date(y, int(m_place.group("m")), int(m_place.group("d")))
                except ValueError:
                    doc.issued_date = None
            body_start = i + 1
        elif fold(first_line) in _TYPES and first_line.isupper():
            doc.type = _TYPES[fold(first_line)]
            rest = _one_line(b.text[len(first_line):])
            if rest:
                doc.title = rest
            else:
                after_type = True
            body_start = i + 1
        elif after_type and not _ROMAN.match(line) and not _ARABIC.match(line) and doc.title is None:
            doc.title = line
            after_type = False
            body_start = i + 1
        elif folded.startswith("v/v") or folded.startswith("ve viec"):
            doc.title = re.sub(r"^(?:V/v|Về việc)\s*:?\s*", "", line, flags=re.IGNORECASE)
            doc.type = doc.type or "Công văn"
            body_start = i + 1
        elif folded.startswith("kinh gui"):
            doc.type = doc.type or "Công văn"
            rest = re.sub(r"^Kính gửi\s*:?\s*", "", b.text, flags=re.IGNORECASE)
            doc.addressees += [x for x in (_strip_item(s) for s in rest.split("\n")) if x]
            in_kinh_gui = True
            body_start = i + 1
        elif in_kinh_gui and _BULLET.match(first_line):
            doc.addressees.append(_strip_item(line))
            body_start = i + 1
        elif _HEADER_LINE.match(first_line) and i <= body_start + 1 and len(line) < 160:
            org_lines += [x.strip() for x in b.text.split("\n")]
            body_start = i + 1
        else:
            if i >= body_start and (doc.type or doc.number or doc.place):
                break
    _issuer_from_header(doc, org_lines)
    return body_start


def _issuer_from_header(doc: Document, org_lines: list[str]) -> None:
    for j, line in enumerate(org_lines):
        if fold(line).startswith(("uy ban nhan dan", "ubnd")) and j + 1 < len(org_lines):
            nxt = org_lines[j + 1]
            m = re.match(r"^(TỈNH|THÀNH PHỐ)\s+(.+)$", nxt)
            if m:
                kind = "tỉnh" if m.group(1) == "TỈNH" else "thành phố"
                doc.province = _title_case_place(m.group(2))
                doc.issuer = f"UBND {kind} {doc.province}"
                return


def _strip_item(text: str) -> str:
    text = _BULLET.sub("", text.strip())
    return _one_line(text).rstrip(";.,")


def infer_issuer(doc: Document) -> None:
    """No org header: take the province from the place line, else the most named province."""
    if doc.issuer:
        return
    if doc.place and canonical_province(doc.place):
        doc.province = canonical_province(doc.place)
    else:
        counts: dict[str, int] = {}
        for m in re.finditer(rf"(?:tỉnh|Tỉnh)\s+((?:[{_UPPER}][^\W\d_]+\s?){{1,3}})", doc.text):
            prov = canonical_province(m.group(1).strip()) or (provinces_in(m.group(1)) or [None])[0]
            if prov:
                counts[prov] = counts.get(prov, 0) + 1
        if counts:
            doc.province = max(counts, key=counts.__getitem__)
    if doc.province:
        doc.issuer = f"UBND tỉnh {doc.province}"


def parse_footer(doc: Document, blocks: list[_Block]) -> int:
    """Recipients and signature; return the index where the footer starts (len(blocks) if none)."""
    footer = len(blocks)
    for i, b in enumerate(blocks):
        if fold(b.text).startswith(("noi nhan", "noi nhan")) and i > len(blocks) // 3:
            footer = i
            break
    tail = blocks[footer:]
    titles: list[str] = []
    for b in tail:
        line = _one_line(b.text)
        if _BULLET.match(b.text) or fold(line).startswith("noi nhan"):
            item = _strip_item(re.sub(r"^Nơi nhận\s*:?", "", line, flags=re.IGNORECASE))
            if item:
                doc.recipients.append(item)
    sig_region = tail if tail else blocks[-6:]
    for b in sig_region:
        for raw in b.text.split("\n"):
            raw = raw.strip()
            if _SIGN_TITLE.match(raw):
                titles.append(raw)
            elif _is_signature_name(raw):
                doc.signer = raw
    if not doc.signer:
        for b in reversed(blocks[-4:]):
            if _is_signature_name(b.text):
                doc.signer = b.text.strip()
                break
    if titles:
        doc.signer_title = " / ".join(titles)
    # Signature lines standing before "Nơi nhận" are not body content either.
    while footer > 0 and (
        _is_signature_name(blocks[footer - 1].text) or _SIGN_TITLE.match(blocks[footer - 1].text.strip())
    ):
        footer -= 1
    return footer


