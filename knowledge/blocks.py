"""A directive's text as blocks: paragraphs, numbered items, bullets, table rows (positions kept).

Shared by the header reader (knowledge.header) and the outline builder (knowledge.structure).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SUP_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
BULLET = re.compile(r"^\s*([-+*•–−])\s+(?:([-+*•–−])\s+)?")
ROMAN = re.compile(r"^(X{0,3}(?:IX|IV|V?I{0,3}))\.\s+(?=\S)")
ARABIC = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+(?=[A-ZĐÀ-Ỹ(\"“])")
FOOTNOTE = re.compile(rf"^([{_SUP_CHARS}]{{1,3}})\s*(\S.*)$", re.S)
# Lettered and bracketed points under a numbered item: `a) …`, `đ) …`, `(1) …`, `1) …`.
POINT = re.compile(r"^(?:([a-zđ])\)|\((\d{1,2})\)|(\d{1,2})\))\s+(?=\S)")
# A table row as the reader writes it (knowledge.docx_text) or as Markdown/plain text has it.
ROW_SEP = " | "
NUMBER = re.compile(r"^Số\s*:\s*(?P<num>.*)$", re.IGNORECASE)


@dataclass
class Block:
    text: str
    start: int
    end: int


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# A line that ends a sentence or a lead-in, followed by a line that opens with a capital: a new
# paragraph even without a blank line (portal texts put one paragraph per line).
_ENDS_PARAGRAPH = re.compile(r"[.:;!?]\s*$")
_OPENS_PARAGRAPH = re.compile(r"^\s*[A-ZĐÀ-ỸÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ]")


# A portal item's own time stamp on a line of its own (`11:08, 08/08/2021`, `Cập nhật lúc: 09:16
# 09/03/2020`, `Thứ Hai, 08/08/2021`): the year a news text with no header was written (knowledge.structure),
# and a line that stands alone: the title above it and the body below it are blocks of their own.
POSTED_LINE = (
    r"^[ \t]*(?:(?:cập nhật|ngày đăng|đăng ngày|ngày cập nhật|đăng lúc)(?: lúc| ngày)?\s*:?\s*)?"
    r"(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:am|pm|sa|ch)?\s*,?\s*)?(?:(?:thứ [^\W\d_]+|chủ nhật)\s*,?\s*)?"
    r"(?:\d{1,2}/\d{1,2}/((?:19|20)\d\d)|((?:19|20)\d\d)-\d\d-\d\d)"
    r"(?:\s*,?\s*\d{1,2}:\d{2}(?::\d{2})?)?(?:\s*\(?GMT[+\d:]*\)?)?[ \t]*$")
_STAMP = re.compile(POSTED_LINE, re.IGNORECASE)


def split_blocks(text: str) -> list[Block]:
    """Paragraph blocks: separated by blank lines, or by a line break after a sentence's end before a
    capitalised line; a bullet, numbered line or table row always starts a block."""
    blocks: list[Block] = []
    pos = 0
    cur: Block | None = None
    after_stamp = False
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            cur = None
            continue
        stamp = bool(_STAMP.match(line))
        starts_new = stamp or after_stamp
        after_stamp = stamp
        starts_new = starts_new or bool(ROW_SEP in line or BULLET.match(line) or POINT.match(line) or ROMAN.match(line) or ARABIC.match(line)
                          or FOOTNOTE.match(line) or NUMBER.match(line)
                          or (cur is not None and _ENDS_PARAGRAPH.search(cur.text) and _OPENS_PARAGRAPH.match(line)))
        if cur is None or starts_new:
            cur = Block(line, start, end)
            blocks.append(cur)
        else:
            cur.text += "\n" + line
            cur.end = end
    return blocks
