"""Split a directive's text into header fields, an outline of body sections and footnotes.

The directives arrive as plain text converted from Word/PDF, sometimes with Markdown artefacts
(`**`, `##`, `*italic*`, `<sup>1</sup>`). Those are formatting and are removed first; every
offset afterwards refers to the cleaned text kept in Document.text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from knowledge.model import Document, Section
from knowledge.provinces import canonical_province, provinces_in
from knowledge.text import fold, normalize

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUP_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TAG = re.compile(r"\s?<sup>\s*\(?(\d{1,3})\)?\s*</sup>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?(?:b|i|u|em|strong|br|p|span|div)\b[^<>]{0,200}>", re.IGNORECASE)
_HEADING_HASH = re.compile(r"^\s{0,3}#{1,6}\s+")
_BULLET = re.compile(r"^\s*([-+*•–−])\s+(?:([-+*•–−])\s+)?")
_ROMAN = re.compile(r"^(X{0,3}(?:IX|IV|V?I{0,3}))\.\s+(?=\S)")
_ARABIC = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+(?=[A-ZĐÀ-Ỹ(\"“])")
_FOOTNOTE = re.compile(rf"^([{_SUP_CHARS}]{{1,3}})\s*(\S.*)$", re.S)
_PLACE_DATE = re.compile(
    r"^(?P<place>[^\W\d_][\w .'-]{1,40}?),\s*ngày\s*(?P<d>\d{1,2})?\s*tháng\s*(?P<m>\d{1,2})?\s*năm\s*(?P<y>\d{4})",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^Số\s*:\s*(?P<num>.*)$", re.IGNORECASE)
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


@dataclass
class _Block:
    text: str
    start: int
    end: int


def clean_markup(text: str) -> str:
    """Drop Markdown/HTML formatting but keep content; footnote tags become superscript digits."""
    text = _SUP_TAG.sub(lambda m: m.group(1).translate(_SUPERSCRIPT), text)
    text = _HTML_TAG.sub("", text)
    lines = []
    for line in text.split("\n"):
        line = _HEADING_HASH.sub("", line)
        line = line.replace("**", "").replace("__", "")
        bullet = re.match(r"^(\s*)\*\s+", line)
        if bullet:
            line = bullet.group(1) + "* " + line[bullet.end():].replace("*", "")
        else:
            line = line.replace("*", "")
        lines.append(line.strip())
    return "\n".join(lines)


def _blocks(text: str) -> list[_Block]:
    """Paragraph blocks: separated by blank lines; a bullet or numbered line always starts a block."""
    blocks: list[_Block] = []
    pos = 0
    cur: _Block | None = None
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            cur = None
            continue
        starts_new = bool(_BULLET.match(line) or _ROMAN.match(line) or _ARABIC.match(line)
                          or _FOOTNOTE.match(line) or _NUMBER.match(line))
        if cur is None or starts_new:
            cur = _Block(line, start, end)
            blocks.append(cur)
        else:
            cur.text += "\n" + line
            cur.end = end
    return blocks


def _merge_page_breaks(blocks: list[_Block]) -> list[_Block]:
    """Join a block that starts in lower case to the previous one (a page break cut a sentence)."""
    merged: list[_Block] = []
    for b in blocks:
        first = b.text.lstrip()[:1]
        if merged and first.islower() and not merged[-1].text.rstrip().endswith((".", ":", ";", "!", "?")):
            prev = merged[-1]
            merged[-1] = _Block(prev.text + " " + b.text, prev.start, b.end)
        else:
            merged.append(b)
    return merged


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _title_case_place(raw: str) -> str:
    canon = canonical_province(raw)
    if canon:
        return canon
    return " ".join(w[:1].upper() + w[1:].lower() for w in raw.split())


def _is_signature_name(text: str) -> bool:
    return bool(_NAME.match(text.strip())) and len(text) < 60


def _parse_header(doc: Document, blocks: list[_Block]) -> int:
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


def _infer_issuer(doc: Document) -> None:
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


def _parse_footer(doc: Document, blocks: list[_Block]) -> int:
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


def _numbering(text: str) -> tuple[str, str, int] | None:
    """(kind, number, level) of a numbered or bulleted block start, None for plain paragraphs."""
    m = _ROMAN.match(text)
    if m and m.group(1):
        return "part", m.group(1), 1
    m = _ARABIC.match(text)
    if m:
        num = m.group(1)
        return "item", num, 2 + num.count(".")
    m = _BULLET.match(text)
    if m:
        sym = m.group(2) or m.group(1)
        return "bullet", sym, 20 if sym in "+*" else 10
    return None


def _heading_of(text: str) -> str:
    """Heading of a numbered item: its first line up to a colon (or the whole short line)."""
    body = _ROMAN.sub("", _ARABIC.sub("", text, count=1), count=1)
    first = body.split("\n")[0]
    head = first.split(":")[0] if ":" in first[:200] else first
    return _one_line(head)[:200]


def _label(path: str, bullet_no: int | None) -> str:
    parts = []
    if path:
        parts.append(f"Mục {path}")
    if bullet_no:
        parts.append(f"ý {bullet_no}")
    return ", ".join(parts) or "Phần mở đầu"


def _build_sections(doc: Document, blocks: list[_Block]) -> None:
    stack: list[Section] = []
    bullet_counts: dict[int | None, int] = {}
    for b in blocks:
        text = b.text.strip()
        fm = _FOOTNOTE.match(text)
        if fm and text[:1] in _SUP_CHARS:
            marker = fm.group(1)
            doc.footnotes[marker] = _one_line(fm.group(2))
            idx = len(doc.sections)
            doc.sections.append(Section(idx, "footnote", marker, "", f"Chú thích {marker}", "",
                                        _one_line(fm.group(2)), b.start, b.end, 99, None))
            continue
        num = _numbering(text)
        if num is None:
            kind, number, level = "paragraph", "", 50
        else:
            kind, number, level = num
        if kind == "bullet" and stack and stack[-1].kind == "bullet" and stack[-1].level >= level and level == 10 \
                and _BULLET.match(text) and _BULLET.match(text).group(2):
            level = 20
        while stack and stack[-1].level >= level:
            stack.pop()
        if kind == "paragraph":
            while stack and stack[-1].kind in ("bullet", "paragraph"):
                stack.pop()
        parent = stack[-1] if stack else None
        numbered = [s.number for s in stack if s.kind in ("part", "item")]
        if kind in ("part", "item"):
            numbered.append(number)
        romans = [n for n in numbered if not n[:1].isdigit()]
        arabic = [n for n in numbered if n[:1].isdigit()]
        path = ".".join(romans + arabic[-1:])
        bullet_no = None
        if kind == "bullet":
            key = parent.idx if parent else None
            bullet_counts[key] = bullet_counts.get(key, 0) + 1
            bullet_no = bullet_counts[key]
        clean = _one_line(_BULLET.sub("", text, count=1)) if kind == "bullet" else _one_line(text)
        refs = sorted(set(re.findall(rf"[{_SUP_CHARS}]+", clean)))
        sec = Section(
            idx=len(doc.sections), kind=kind, number=number, path=path,
            label=_label(path, bullet_no) if kind != "bullet" or path else f"ý {bullet_no}",
            heading=_heading_of(text) if kind in ("part", "item") else "",
            text=clean, start=b.start, end=b.end, level=level,
            parent=parent.idx if parent else None, footnotes=refs,
        )
        if kind == "bullet" and parent and parent.kind == "bullet":
            sec.label = f"{parent.label}, gạch {bullet_no}"
        doc.sections.append(sec)
        stack.append(sec)


def parse_document(doc_id: str, raw_text: str, source_name: str = "", fmt: str = "txt") -> Document:
    """Parse normalised directive text into a Document with header fields and body sections."""
    text = clean_markup(normalize(raw_text))
    doc = Document(doc_id=doc_id, text=text, source_name=source_name or doc_id, format=fmt)
    blocks = _blocks(text)
    body_start = _parse_header(doc, blocks)
    footer = _parse_footer(doc, blocks)
    body = _merge_page_breaks(blocks[body_start:footer]) if body_start < footer else []
    _build_sections(doc, body)
    _infer_issuer(doc)
    if doc.year_hint is None:
        years = re.findall(r"năm (20\d\d|19\d\d)", (doc.title or "") + " " + text[:3000])
        doc.year_hint = int(years[0]) if years else None
    return doc
