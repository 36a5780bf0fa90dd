"""Split a directive's text into header fields, an outline of body sections and footnotes.

The directives arrive as plain text converted from Word/PDF, sometimes with Markdown artefacts
(`**`, `##`, `*italic*`, `<sup>1</sup>`). Those are formatting and are removed first; every
offset afterwards refers to the cleaned text kept in Document.text.
"""

from __future__ import annotations

import re

from knowledge.blocks import (
    ARABIC,
    BULLET,
    FOOTNOTE,
    POINT,
    POSTED_LINE,
    ROMAN,
    ROW_SEP,
    Block,
    one_line,
    split_blocks,
)
from knowledge.header import infer_issuer, parse_footer, parse_header
from knowledge.model import Document, Section
from knowledge.pasted_text import plain_text
from knowledge.text import UPPER, normalize

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUP_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TAG = re.compile(r"\s?<sup>\s*\(?(\d{1,3})\)?\s*</sup>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?(?:b|i|u|em|strong|br|p|span|div)\b[^<>]{0,200}>", re.IGNORECASE)
_HEADING_HASH = re.compile(r"^\s{0,3}#{1,6}\s+")


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


def _merge_page_breaks(blocks: list[Block]) -> list[Block]:
    """Join a block that starts in lower case to the previous one (a page break cut a sentence)."""
    merged: list[Block] = []
    for b in blocks:
        first = b.text.lstrip()[:1]
        starts_item = _numbering(b.text) is not None or ROW_SEP in b.text or ROW_SEP in merged[-1].text \
            if merged else True
        if merged and first.islower() and not starts_item \
                and not merged[-1].text.rstrip().endswith((".", ":", ";", "!", "?")):
            prev = merged[-1]
            merged[-1] = Block(prev.text + " " + b.text, prev.start, b.end)
        else:
            merged.append(b)
    return merged


LEAD_IN_LEVEL = 5  # below numbered items (1–4), above points (6) and bullets (10)


def _numbering(text: str) -> tuple[str, str, int] | None:
    """(kind, number, level) of a numbered or bulleted block start, None for plain paragraphs."""
    m = ROMAN.match(text)
    if m and m.group(1):
        return "part", m.group(1), 1
    m = ARABIC.match(text)
    if m:
        num = m.group(1)
        return "item", num, 2 + num.count(".")
    if ROW_SEP in text:
        return "row", "", 30
    m = POINT.match(text)
    if m:
        return "point", next(g for g in m.groups() if g), 6
    m = BULLET.match(text)
    if m:
        sym = m.group(2) or m.group(1)
        return "bullet", sym, 20 if sym in "+*" else 10
    return None


def _heading_of(text: str) -> str:
    """Heading of a numbered item: its first line up to a colon (or the whole short line)."""
    body = ROMAN.sub("", ARABIC.sub("", text, count=1), count=1)
    first = body.split("\n")[0]
    head = first.split(":")[0] if ":" in first[:200] else first
    return one_line(head)[:200]


def _label(path: str, bullet_no: int | None) -> str:
    parts = []
    if path:
        parts.append(f"Mục {path}")
    if bullet_no:
        parts.append(f"ý {bullet_no}")
    return ", ".join(parts) or "Phần mở đầu"


def _build_sections(doc: Document, blocks: list[Block]) -> None:
    stack: list[Section] = []
    bullet_counts: dict[int | None, int] = {}
    for b in blocks:
        text = b.text.strip()
        fm = FOOTNOTE.match(text)
        if fm and text[:1] in _SUP_CHARS:
            marker = fm.group(1)
            doc.footnotes[marker] = one_line(fm.group(2))
            idx = len(doc.sections)
            doc.sections.append(Section(idx, "footnote", marker, "", f"Chú thích {marker}", "",
                                        one_line(fm.group(2)), b.start, b.end, 99, None))
            continue
        num = _numbering(text)
        if num is None:
            # A paragraph that ends with a colon leads in the points and bullets after it.
            kind, number, level = "paragraph", "", LEAD_IN_LEVEL if text.rstrip().endswith(":") else 50
        else:
            kind, number, level = num
        if kind == "bullet" and stack and stack[-1].kind == "bullet" and stack[-1].level >= level and level == 10 \
                and BULLET.match(text) and BULLET.match(text).group(2):
            level = 20
        while stack and stack[-1].level >= level:
            stack.pop()
        if kind in ("paragraph", "point"):
            while stack and stack[-1].kind in ("bullet", "paragraph", "row"):
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
        clean = one_line(BULLET.sub("", text, count=1)) if kind == "bullet" else one_line(text)
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
        elif kind == "point":
            sec.label = f"{parent.label}, điểm {number}" if parent else f"Điểm {number}"
        elif kind == "row":
            key = parent.idx if parent else None
            bullet_counts[key] = bullet_counts.get(key, 0) + 1
            first = text.split(ROW_SEP, 1)[0].strip()
            sec.label = f"{parent.label + ', ' if parent else ''}bảng, dòng {first or bullet_counts[key]}"
        doc.sections.append(sec)
        stack.append(sec)


# What a Quyết định issues follows its signature in capitals: `QUY TRÌNH …`, `QUY ĐỊNH …`, `QUY CHẾ …`,
# `KẾ HOẠCH …`, `HƯỚNG DẪN …`, `ĐỀ ÁN …`, usually with `(Ban hành kèm theo Quyết định số …)`.
_ISSUED_WITH = re.compile(rf"^(?:QUY TRÌNH|QUY ĐỊNH|QUY CHẾ|KẾ HOẠCH|HƯỚNG DẪN|ĐỀ ÁN|CHƯƠNG TRÌNH) [{UPPER}0-9 ,.\-–]{{20}}"
                          r"|^\(?\s*[Bb]an hành kèm theo")


def _appendix_start(blocks: list[Block], footer: int) -> int:
    """Appendices (`PHỤ LỤC`, duty tables) and what the text issues (`QUY TRÌNH …`, `(Ban hành kèm theo
    Quyết định …)`) follow the signature block; they are body again."""
    for i in range(footer, len(blocks)):
        text = blocks[i].text.lstrip()
        if (re.match(r"(?i)^phụ lục\b", text) or (ROW_SEP in text and i > footer)
                or _ISSUED_WITH.match(text.split("\n", 1)[0].strip())):
            return i
    return len(blocks)


PASTED_FORMATS = ("txt", "md")  # the reader's formats whose text a person may have pasted from a website


def parse_document(doc_id: str, raw_text: str, source_name: str = "", fmt: str = "txt") -> Document:
    """Parse normalised directive text into a Document with header fields and body sections.

    Text files may be pasted from a legal-text website: their Markdown tables and emphasis are read
    first (knowledge.pasted_text); Word and PDF text has its own table form and is left as it is."""
    text = normalize(raw_text)
    text = clean_markup(plain_text(text) if fmt in PASTED_FORMATS else text)
    doc = Document(doc_id=doc_id, text=text, source_name=source_name or doc_id, format=fmt)
    blocks = split_blocks(text)
    body_start = parse_header(doc, blocks)
    footer = parse_footer(doc, blocks)
    body = _merge_page_breaks(blocks[body_start:footer]) if body_start < footer else []
    body += _merge_page_breaks(blocks[_appendix_start(blocks, footer):])
    _build_sections(doc, body)
    _table_columns(doc)
    infer_issuer(doc)
    if doc.year_hint is None:
        doc.year_hint = _year_written(doc, text)
    return doc


HEADER_CELL_CHARS = 80  # a header cell names a column (`Đơn vị được kiểm tra`); data cells run longer


def _table_columns(doc: Document) -> None:
    """Give each data row of a table its header's cells, so a row reads on its own (`Đơn vị được kiểm tra:
    Sở Y tế | Thời gian: Tháng 8/2026`). A table is a run of consecutive rows; its first row is the
    header when no cell is long and the first is not a row number."""
    header: list[str] | None = None
    previous = -2
    for sec in doc.sections:
        if sec.kind != "row":
            continue
        cells = [c.strip() for c in sec.text.split(ROW_SEP.strip())]
        if sec.idx != previous + 1:
            looks = all(len(c) <= HEADER_CELL_CHARS for c in cells) and not re.match(r"^(?:\d{1,3}|[IVX]+)\.?$",
                                                                                   cells[0])
            header = cells if looks and len(cells) > 1 else None
        elif header and len(cells) == len(header):
            sec.columns = header
        previous = sec.idx


def _year_written(doc: Document, text: str) -> int | None:
    """A text without a dated header (a portal item, a forwarded excerpt): the year it was written is
    its time stamp's, else the latest year of a full date in its opening (`Kết luận ngày 1/8/2025`),
    else the first `năm 2025` it names."""
    posted = _POSTED.search(text[:600])
    if posted:
        return int(posted.group(1) or posted.group(2))
    dated = [int(a or b) for a, b in _FULL_DATE.findall(text[:3000])]
    if dated:
        return max(dated)
    years = re.findall(r"năm (20\d\d|19\d\d)", (doc.title or "") + " " + text[:3000])
    return int(years[0]) if years else None


_FULL_DATE = re.compile(r"(?<![\d/])\d{1,2}\s*/\s*\d{1,2}\s*/\s*((?:19|20)\d\d)(?!\d)"
                        r"|ngày \d{1,2} tháng \d{1,2} năm ((?:19|20)\d\d)")


# A portal item's own time stamp on a line of its own (`11:08, 08/08/2021`, `Cập nhật lúc: 09:16
# 09/03/2020`, `Thứ Hai, 08/08/2021`): the year a news text with no header was written, which beats
# a year its content plans for (`kế hoạch năm 2022`).
_POSTED = re.compile(POSTED_LINE, re.IGNORECASE | re.MULTILINE)
