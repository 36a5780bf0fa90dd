"""Telegram HTML rendering: escaping, answers and citations, and splitting under the 4096 limit.

Why: Telegram rejects a whole message for one unescaped '&' or '<' from a document, and PTB does not
split long texts. Invariant kept by every renderer here: an HTML tag never spans a line break, so a
message can be cut at paragraph or line boundaries without unbalancing tags.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from bot import messages
from bot.labels import fmt_date

if TYPE_CHECKING:
    from bot.answering.answer_model import Answer, Citation

MAX_MESSAGE = 4096
SHORT_QUOTE = 220
COMPACT_CITATIONS = 5
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\s+|[^<&\s]+|[<&]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z-]+)")


def esc(text: Any) -> str:
    """Escape anything shown to users; quotes need no escaping outside attributes."""
    return html.escape("" if text is None else str(text), quote=False)


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def one_line(text: str) -> str:
    """Collapse whitespace so a quote fits on one line (tags must not span lines)."""
    return " ".join(str(text).split())


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary and mark the cut with an ellipsis."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.") + "…"


def fmt_weekday_date(d: date) -> str:
    return f"{messages.WEEKDAYS[d.weekday()]}, {fmt_date(d)}"


def _paragraphs(text: str) -> list[str]:
    return [p.strip("\n") for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]


def text_html(text: str, *, bold_first: bool = False) -> str:
    """Plain text → escaped HTML keeping paragraphs and lines; optionally the first line in bold (the headline)."""
    out = ["\n".join(esc(line.rstrip()) for line in para.split("\n")) for para in _paragraphs(text)]
    if bold_first and out:
        first, _, rest = out[0].partition("\n")
        out[0] = f"<b>{first}</b>" + (f"\n{rest}" if rest else "")
    return "\n\n".join(out)


def _unique(citations: Iterable[Citation]) -> list[Citation]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for c in citations:
        key = (c.source, c.section, one_line(c.quote))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def citation_line(c: Citation) -> str:
    head = f"📄 {esc(c.source)}"
    if c.section:
        head += f" – {esc(c.section)}"
    return head


def citations_html(citations: Sequence[Citation], *, full: bool = False, answer_text: str = "") -> str:
    """Compact list (first few, short quotes) or, for "Xem nguồn", every citation with its whole quote.

    In the compact list a quote the answer text already contains is not repeated.
    """
    items = _unique(citations)
    if not items:
        return messages.NO_SOURCES if full else ""
    shown = items if full else items[:COMPACT_CITATIONS]
    blocks = [messages.SOURCES_FULL_TITLE if full else messages.SOURCES_TITLE]
    for c in shown:
        block = citation_line(c)
        quote = one_line(c.quote) if full else shorten(c.quote, SHORT_QUOTE)
        if quote and not full and one_line(c.quote)[:80] in one_line(answer_text):
            quote = ""
        if quote:
            block += f"\n<i>«{esc(quote)}»</i>"
        blocks.append(block)
    if not full and len(items) > len(shown):
        blocks.append(f"… và {len(items) - len(shown)} nguồn khác (bấm «{messages.BUTTON_SOURCES}»).")
    return ("\n\n" if full else "\n").join(blocks)


def answer_html(answer: Answer) -> str:
    """The reply for an Answer: bold headline, body paragraphs, then the compact citation list."""
    body = text_html(answer.text, bold_first=True)
    cites = citations_html(answer.citations, answer_text=answer.text)
    return f"{body}\n\n{cites}" if cites else body


def more_html(text: str) -> str:
    return f"{messages.MORE_TITLE}\n\n{text_html(text)}"


def _hard_split(line: str, limit: int) -> list[str]:
    """Split one over-long line at spaces (or anywhere), closing and reopening open tags at each cut."""
    chunks: list[str] = []
    cur: list[str] = []
    cur_len = 0
    has_text = False
    stack: list[tuple[str, str]] = []

    def closing() -> str:
        return "".join(f"</{name}>" for name, _ in reversed(stack))

    step = max(limit // 4, 1)
    for token in _TOKEN.findall(line):
        is_markup = token.startswith("<") and len(token) > 1 or token.startswith("&") and len(token) > 1
        pieces = [token] if is_markup else [token[i : i + step] for i in range(0, len(token), step)]
        for piece in pieces:
            is_tag = piece.startswith("<") and len(piece) > 1
            name_match = _TAG_NAME.match(piece) if is_tag else None
            opening = is_tag and not piece.startswith("</")
            extra = len(f"</{name_match.group(1)}>") if opening and name_match else 0
            if has_text and cur_len + utf16_len(piece) + utf16_len(closing()) + extra > limit:
                chunks.append("".join(cur) + closing())
                reopen = "".join(text for _, text in stack)
                cur, cur_len, has_text = [reopen], utf16_len(reopen), False
                if piece.isspace():
                    continue
            cur.append(piece)
            cur_len += utf16_len(piece)
            if is_tag and name_match:
                if opening:
                    stack.append((name_match.group(1).lower(), piece))
                elif stack:
                    stack.pop()
            elif not piece.isspace():
                has_text = True
    if has_text:
        chunks.append("".join(cur) + closing())
    return chunks


def has_text(fragment: str) -> bool:
    """Whether HTML shows anything: Telegram refuses messages that are empty once tags are removed."""
    return bool(html.unescape(re.sub(r"<[^>]*>", "", fragment)).strip())


def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split HTML into messages of at most `limit` UTF-16 units, at paragraphs, then lines, then words.

    Measures the HTML source, which is never shorter than what Telegram counts, so parts always fit.
    Parts that would show nothing are dropped.
    """
    return [chunk for chunk in _split(text.strip(), limit) if has_text(chunk)]


def _split(text: str, limit: int) -> list[str]:
    if utf16_len(text) <= limit:
        return [text]
    units: list[tuple[str, str]] = []
    for para in text.split("\n\n"):
        if not para.strip():
            continue
        if utf16_len(para) <= limit:
            units.append(("\n\n", para))
            continue
        sep = "\n\n"
        for line in para.split("\n"):
            parts = [line] if utf16_len(line) <= limit else _hard_split(line, limit)
            for part in parts:
                units.append((sep, part))
                sep = "\n"
    chunks: list[str] = []
    cur = ""
    for sep, unit in units:
        if cur and utf16_len(cur) + utf16_len(sep) + utf16_len(unit) <= limit:
            cur += sep + unit
            continue
        if cur.strip():
            chunks.append(cur.strip())
        cur = unit
    if cur.strip():
        chunks.append(cur.strip())
    return chunks
