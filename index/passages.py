"""Cut a parsed directive into passages: the units we embed, search and cite.

A passage is one body section (or a sentence window of a very long one) whose searchable `text`
carries its outline context (parent headings) and the footnotes it references, because a bullet
such as "Tổng hợp kết quả phân bổ…" only makes sense under "Sở Kế hoạch và Đầu tư:". The `quote`
stays the section's own words so citations are exact.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from knowledge.model import Document, Section

MAX_WORDS = 350  # longer sections are split: multilingual-e5-small reads at most 512 tokens
WINDOW_WORDS = 220  # target size of a window when splitting (≈ 300 tokens of Vietnamese)
CONTEXT_WORDS = 25  # cap on each ancestor heading used as context
HEADER_IDX = -1  # section_idx of the document-header passage
# Bump whenever passages_for cuts differently: builds record it, and passages of an older format are
# cut afresh instead of being reused (see index.builder.update_index).
PASSAGE_FORMAT = 2  # 2: table rows carry their column headers

_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9+\-–])")
_SUP = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_WS = re.compile(r"\s+")


@dataclass(slots=True)
class Passage:
    """One retrievable unit with everything a citation needs."""

    pid: str
    doc_id: str
    province: str | None
    doc_type: str | None
    section: str
    section_idx: int
    text: str
    quote: str
    start: int
    end: int
    # Short document label ("Kế hoạch 2024 Thái Nguyên"), indexed lexically only: it lets a question
    # naming a year or document type favour the right directive without diluting the embedding.
    doc_label: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Passage:
        return cls(**data)


def doc_label(doc: Document) -> str:
    year = doc.issued_date.year if doc.issued_date else doc.year_hint
    return " ".join(str(x) for x in (doc.type, year, doc.province) if x)


def _words(text: str) -> int:
    return len(text.split())


def _clip(text: str, limit: int) -> str:
    words = text.split()
    return text if len(words) <= limit else " ".join(words[:limit]) + " …"


def _context(doc: Document, sec: Section) -> str:
    """Headings of the outline ancestors, outermost first ("Mục tiêu > Cấp huyện")."""
    parts = []
    for anc in doc.ancestors(sec):
        label = anc.heading or anc.text
        label = label.rstrip(" :;,.")
        if label:
            parts.append(_clip(label, CONTEXT_WORDS))
    return " > ".join(parts)


def _footnote_texts(doc: Document, text: str) -> list[str]:
    """Footnotes whose superscript markers appear in `text`, in marker order."""
    markers: list[str] = []
    for m in _SUP.finditer(text):
        run = m.group(0)
        for mk in [run] if run in doc.footnotes else list(run):
            if mk in doc.footnotes and mk not in markers:
                markers.append(mk)
    return [f"({mk} {doc.footnotes[mk]})" for mk in markers]


def _compose(context: str, own: str, kind: str, notes: list[str]) -> str:
    body = f"- {own}" if kind == "bullet" else own
    text = f"{context}: {body}" if context else body
    return " ".join([text, *notes])


def _collapsed_with_map(raw: str) -> tuple[str, list[int]]:
    """`raw` with whitespace runs collapsed to one space, and each kept char's offset in `raw`."""
    chars: list[str] = []
    where: list[int] = []
    in_space = False
    for i, ch in enumerate(raw):
        if ch.isspace():
            if not in_space and chars:
                chars.append(" ")
                where.append(i)
            in_space = True
        else:
            chars.append(ch)
            where.append(i)
            in_space = False
    return "".join(chars), where


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a one-line text; a sentence too long for one window is cut by words."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if _words(text[a:b]) <= WINDOW_WORDS:
            out.append((a, b))
            continue
        starts = [m.start() for m in re.finditer(r"\S+", text[a:b])]
        for i in range(0, len(starts), WINDOW_WORDS):
            s = a + starts[i]
            e = a + starts[i + WINDOW_WORDS] if i + WINDOW_WORDS < len(starts) else b
            out.append((s, e))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _windows(text: str, budget: int) -> list[tuple[int, int]]:
    """Greedy packing of whole sentences into windows of at most `budget` words."""
    windows: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    cur_words = 0
    for a, b in _sentences(text):
        n = _words(text[a:b])
        if cur is not None and cur_words + n > budget:
            windows.append(cur)
            cur = None
        if cur is None:
            cur, cur_words = (a, b), n
        else:
            cur, cur_words = (cur[0], b), cur_words + n
    if cur is not None:
        windows.append(cur)
    return windows


def _split(doc: Document, sec: Section, context: str) -> list[Passage]:
    """Sentence windows of a long section, with offsets mapped back into doc.text."""
    raw = doc.text[sec.start:sec.end]
    collapsed, where = _collapsed_with_map(raw)
    base = collapsed.find(sec.text)
    budget = max(120, WINDOW_WORDS - _words(context))
    out: list[Passage] = []
    for n, (a, b) in enumerate(_windows(sec.text, budget)):
        own = sec.text[a:b].strip()
        a += len(sec.text[a:b]) - len(sec.text[a:b].lstrip())
        b = a + len(own)
        if base >= 0:
            start, end = sec.start + where[base + a], sec.start + where[base + b - 1] + 1
        else:
            start, end = sec.start, sec.end
        kind = sec.kind if n == 0 else "paragraph"
        out.append(Passage(
            pid=f"{doc.doc_id}:{sec.idx}.{n}", doc_id=doc.doc_id, province=doc.province, doc_type=doc.type,
            section=sec.label, section_idx=sec.idx,
            text=_compose(context, own, kind, _footnote_texts(doc, own)),
            quote=own, start=start, end=end, doc_label=doc_label(doc),
        ))
    return out


def _header(doc: Document) -> Passage:
    """A passage describing the document itself, so "which directive…" questions find it."""
    parts = [doc.type or "Văn bản"]
    if doc.number:
        parts.append(f"số {doc.number}")
    if doc.issued_date:
        d = doc.issued_date
        parts.append(f"ngày {d.day}/{d.month}/{d.year}")
    elif doc.year_hint:
        parts.append(f"năm {doc.year_hint}")
    if doc.issuer:
        parts.append(f"của {doc.issuer}")
    text = " ".join(parts)
    if doc.title:
        text += f" về {doc.title}"
    if doc.addressees:
        text += ". Kính gửi: " + "; ".join(doc.addressees)
    if doc.signer:
        text += f". Người ký: {doc.signer}"
        if doc.signer_title:
            text += f" ({doc.signer_title})"
    quote, start, end = text, 0, 0
    if doc.title:
        m = re.search(r"\s+".join(map(re.escape, doc.title.split())), doc.text)
        if m:
            quote, start, end = doc.title, m.start(), m.end()
    return Passage(
        pid=f"{doc.doc_id}:header", doc_id=doc.doc_id, province=doc.province, doc_type=doc.type,
        section="Phần đầu văn bản", section_idx=HEADER_IDX, text=text, quote=quote, start=start, end=end,
        doc_label=doc_label(doc),
    )


def _row_with_headers(sec: Section) -> str:
    """`Đơn vị được kiểm tra: Sở Y tế | Thời gian kiểm tra: Tháng 8/2026`: a table row is a unit of its
    own, searchable by what its columns mean; the row number cell is left out."""
    cells = [c.strip() for c in sec.text.split("|")]
    pairs = [f"{h}: {c}" for h, c in zip(sec.columns, cells, strict=False)
             if c and not re.fullmatch(r"(?:stt|tt|số tt)", h.strip().lower())]
    return " | ".join(pairs)


def passages_for(doc: Document) -> list[Passage]:
    """Header passage, then one passage per body section (long ones split into windows).

    Footnote sections are folded into the passages that reference them; a footnote nobody
    references becomes a passage of its own so its content is still findable.
    """
    out = [_header(doc)]
    referenced = {mk for sec in doc.sections for mk in sec.footnotes}
    for sec in doc.sections:
        if not sec.text.strip():
            continue
        if sec.kind == "footnote" and sec.number in referenced:
            continue
        context = _context(doc, sec)
        if _words(sec.text) > MAX_WORDS:
            out.extend(_split(doc, sec, context))
            continue
        notes = _footnote_texts(doc, sec.text) if sec.kind != "footnote" else []
        own = _row_with_headers(sec) if sec.columns else sec.text
        out.append(Passage(
            pid=f"{doc.doc_id}:{sec.idx}", doc_id=doc.doc_id, province=doc.province, doc_type=doc.type,
            section=sec.label, section_idx=sec.idx, text=_compose(context, own, sec.kind, notes),
            quote=sec.text, start=sec.start, end=sec.end, doc_label=doc_label(doc),
        ))
    return out
