"""How a date and a document are named everywhere the bot writes them (answers, reminders, uploads).

One place, so an answer and a reminder never name the same document differently.
"""

from __future__ import annotations

from datetime import date


def fmt_date(value: date | str | None) -> str:
    """Dates the way Vietnamese directives write them: 15/3/2024."""
    if value is None or value == "":
        return ""
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.day}/{d.month}/{d.year}"


def document_label(
    doc_type: str | None,
    number: str | None,
    issued: date | str | None,
    issuer: str | None,
    *,
    name: str | None = None,
    year: int | None = None,
) -> str:
    """Plain-text citation: `Công văn 1234/UBND-KT ngày 20/11/2026 của UBND tỉnh Sơn Hà`.

    A document without a number is named by `name` (its file label) in guillemets, so two
    unnumbered documents stay distinguishable; `year` stands in for a missing date.
    """
    parts = [doc_type or "Văn bản"]
    if number:
        parts.append(number if doc_type else f"số {number}")
    elif name:
        parts.append(f"«{name}»")
    if issued:
        parts.append(f"ngày {fmt_date(issued)}")
    elif year:
        parts.append(f"năm {year}")
    if issuer:
        parts.append(f"của {issuer}")
    return " ".join(parts)
