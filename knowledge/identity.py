"""What a directive is, independent of the file it came in: issuer + number + date, else its text.

Why: the same directive arrives as `CV 846.pdf`, `846-UBND.docx` and `van ban moi.pdf`, and two
different directives both arrive as `CV.pdf` or `thong-bao.txt`. The file name is only a label; the
number an office gives a directive (with its issuer and date, since numbers restart every year and
differ by office) is what identifies it. A text without a number is identified by its wording
(spacing, case and diacritics ignored, so a re-typed copy of the same note is still the same), and
what its header still says (issuer, province, type, year) tells two unnumbered texts apart.

Whether a file is a directive at all is judged here too, from the signs an official text carries
(Decree 30/2020/NĐ-CP's header layout, or an agency told to act by a date in Vietnamese prose) and
the signs of other writing (code fences, English prose).
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from knowledge.agencies import find_agencies
from knowledge.model import Document
from knowledge.text import fold

TEXT_PREFIX = "text:"


def document_identity(issuer: str | None, number: str | None, issued: date | str | None, text: str) -> str:
    """`ubnd tinh son ha|1234/ubnd-kt|2026-11-20` for a numbered directive, `text:<sha1>` otherwise.

    >>> document_identity("UBND tỉnh Sơn Hà", "12/KH-UBND", "2026-01-05", "…")
    'ubnd tinh son ha|12/kh-ubnd|2026-01-05'
    """
    if number and number.strip():
        day = issued.isoformat() if isinstance(issued, date) else (issued or "")
        return "|".join((" ".join(fold(issuer or "").split()), "".join(fold(number).split()), day))
    words = " ".join(fold(text).split())
    return TEXT_PREFIX + hashlib.sha1(words.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------ which directive


def header_facts(doc: Document) -> dict[str, str]:
    """What the text's header says about which directive it is; blanks are left out.

    The year counts only when a header gave it (a dated place line, even with a blank day): the year
    a headerless excerpt mentions last can change with an edit of its body.
    """
    year = (doc.issued_date.year if doc.issued_date else int(doc.issued_month[:4]) if doc.issued_month
            else doc.year_hint if doc.place else None)
    facts = {"issuer": doc.issuer, "province": doc.province, "type": doc.type, "number": doc.number,
             "year": str(year) if year else None}
    return {key: " ".join(fold(value).split()) for key, value in facts.items() if value and value.strip()}


def headers_differ(stored: Document, new: Document) -> bool:
    """Two texts whose headers name another issuer, province, type, number or year are two directives.

    Why: unnumbered texts share file names (`thong-bao.txt` from Hà Tĩnh in 2023 and from Lạng Sơn in
    2025), so a taken name alone must not make a text a new version of the stored one.
    """
    a, b = header_facts(stored), header_facts(new)
    return any(a[key] != b[key] for key in a.keys() & b.keys())


# ------------------------------------------------------------------------------ a directive at all

HEADER_LINES = 40  # the header sits on a page's first lines, above the title
OPENING_CHARS = 5_000  # an excerpt names its agencies early; a long text is judged by its opening
JUDGED_CHARS = 20_000  # enough prose to tell the language
NEARBY_LINES = 2  # a sentence copied from a PDF spans a few short lines
MIN_WORDS_FOR_LANGUAGE = 30
ENGLISH_SHARE = 0.05  # Vietnamese directives have none of these words; English prose has ≈ 15 %

# The parts of an official document's header (Decree 30/2020/NĐ-CP, Appendix I), matched line by line
# on the folded opening: each found part is one sign.
HEADER_SIGNS: dict[str, re.Pattern[str]] = {
    # CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc
    "national motto": re.compile(r"^\W*(cong hoa xa hoi chu nghia viet nam|doc lap\W+tu do\W+hanh phuc)", re.M),
    # Số: 1234/UBND-KT (the number may be left blank on a working copy: `Số: /TB-UBND`)
    "number line": re.compile(r"^\W*so\s*:", re.M),
    # Sơn Hà, ngày 20 tháng 11 năm 2026 (day and month may be blank)
    "place and date": re.compile(r"^[^\n]{0,60},\s*ngay\b[^\n]{0,12}\bthang\b[^\n]{0,12}\bnam\s+\d{4}", re.M),
    # the type on a line of its own: CÔNG VĂN, KẾ HOẠCH, THÔNG BÁO, …
    "document type": re.compile(
        r"^\W*(cong van|ke hoach|thong bao|quyet dinh|chi thi|nghi quyet|bao cao|to trinh|cong dien|huong dan"
        r"|chuong trinh|de an|quy che|quy dinh|thong tu|nghi dinh|giay moi)\W*$", re.M),
    "addressees": re.compile(r"^\W*kinh gui\b", re.M),  # Kính gửi: …
    "recipients": re.compile(r"^\W*noi nhan\b", re.M),  # Nơi nhận: …
    "subject": re.compile(r"^\W*v/v\b", re.M),  # V/v rà soát hộ nghèo …
    # ỦY BAN NHÂN DÂN / TỈNH SƠN HÀ, BỘ TÀI CHÍNH, VĂN PHÒNG CHÍNH PHỦ, SỞ …, BAN CHỈ ĐẠO … alone on a line
    "issuer line": re.compile(r"^\W*(uy ban nhan dan|ubnd|hoi dong nhan dan|van phong chinh phu|thu tuong chinh phu"
                              r"|chinh phu|bo [a-z]|so [a-z]|ban chi dao|tinh uy|thanh uy)\b[^\n]{0,60}$", re.M),
}
# What a directive asks of an agency (`giao Sở Tài chính chủ trì …`, `đề nghị …`, `báo cáo …`).
REQUEST_VERBS = re.compile(
    r"\b(giao|yeu cau|de nghi|chi dao|chu tri|phoi hop|tham muu|trien khai|to chuc thuc hien|thuc hien|bao cao"
    r"|ban hanh|quy dinh|hoan thanh|ket luan|phe duyet|kiem tra|ra soat|tong hop|don doc|huong dan)\b")
# When: a date, a month or year, a period (`hằng quý`, `quý III`), or a limit (`định kỳ`).
TIME_WORDS = re.compile(
    r"(?<![\w/])(\d{1,2}\s*/\s*\d{1,2}(\s*/\s*\d{2,4})?|ngay \d{1,2}|thang \d{1,2}|nam (19|20)\d\d"
    r"|hang (ngay|tuan|thang|quy|nam)|quy [iv]+\b|dinh ky)")
# A legal document referred to by its number (`Nghị định 09/2019/NĐ-CP`, `Công văn số 846/UBND-TH`).
LEGAL_REFERENCE = re.compile(r"\b(nghi dinh|quyet dinh|thong tu|chi thi|nghi quyet|cong van|ke hoach|thong bao"
                             r"|van ban|luat)(\s+so)?\s*\d+")
# English function words that are not Vietnamese syllables as well (`to`, `an`, `in` are).
ENGLISH_WORDS = re.compile(r"\b(the|and|of|is|are|with|for|that|this|from|which|be|by|not|it|when|its|into"
                           r"|each|only|was|were|has|have|you|your)\b")
CODE_FENCE = re.compile(r"^\s*(```|~~~)", re.M)
HEADER_SIGNS_NEEDED = 2  # one line like `THÔNG BÁO` can open a note too
SIGNS_NEEDED_AGAINST = 3  # a header must be plain when the text looks like code or English prose


@dataclass(frozen=True)
class DirectiveSigns:
    """What speaks for and against a text being a directive, kept for the operator's message."""

    header: tuple[str, ...]  # parts of an official header found
    request: bool  # an agency told to act, with a date or a legal reference, in one paragraph
    against: tuple[str, ...]  # code fences, English prose

    @property
    def is_directive(self) -> bool:
        """A header of two parts, or an agency asked to act by a date; never code or English alone."""
        found = len(self.header) + (HEADER_SIGNS_NEEDED if self.request else 0)
        return found >= (SIGNS_NEEDED_AGAINST if self.against else HEADER_SIGNS_NEEDED)


def directive_signs(doc: Document) -> DirectiveSigns:
    """Judge a parsed text by its opening: header parts, a request in prose, and signs of other writing."""
    text = doc.text
    head = fold("\n".join(text.splitlines()[:HEADER_LINES]))
    header = tuple(name for name, pattern in HEADER_SIGNS.items() if pattern.search(head))
    return DirectiveSigns(header, _asks_an_agency(text[:OPENING_CHARS]), _other_writing(text[:JUDGED_CHARS]))


def _asks_an_agency(opening: str) -> bool:
    """An agency named with a request verb and a time or a legal document's number around it.

    Why: a news item or a pasted excerpt has no header, but still says who must do what by when.
    "Around" is the agency's line and two lines either side: text copied from a PDF breaks a sentence
    over several lines.
    """
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", opening)]
    starts = [start for start, _ in lines]
    for mention in find_agencies(opening, open_vocab=True):
        at = max(bisect_right(starts, mention.start) - 1, 0)
        window = fold(opening[lines[max(at - NEARBY_LINES, 0)][0]:lines[min(at + NEARBY_LINES, len(lines) - 1)][1]])
        if REQUEST_VERBS.search(window) and (TIME_WORDS.search(window) or LEGAL_REFERENCE.search(window)):
            return True
    return False


def _other_writing(text: str) -> tuple[str, ...]:
    """Signs that the text is something else: program code or Markdown fences, English prose."""
    signs = []
    if CODE_FENCE.search(text):
        signs.append("code fences")
    words = re.findall(r"[^\W\d_]+", text)
    if len(words) >= MIN_WORDS_FOR_LANGUAGE and len(ENGLISH_WORDS.findall(text.lower())) / len(words) >= ENGLISH_SHARE:
        signs.append("English prose")
    return tuple(signs)
