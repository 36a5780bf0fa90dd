"""Duty tables: `STT | Nội dung nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành | Sản
phẩm` and schedules `Đơn vị | Thời gian | Nội dung` → one deadline per row that has a time.

The header row names each column's role; cells are matched on their folded words, so `Chủ trì thực
hiện`, `Cơ quan chủ trì`, `Đơn vị chủ trì` all mean the lead. Rows read by knowledge.docx_text
already repeat the text of vertically merged cells, so a row spanning merged cells inherits the value
above. `Thường xuyên` rows are duties without a deadline.
"""

from __future__ import annotations

import re

from knowledge.agencies import fold_aligned
from knowledge.blocks import ROW_SEP
from knowledge.decision import due_doubts, single
from knowledge.duetime import DueMatch, due_words, find_due_times
from knowledge.duty_blocks import BARE_TIME, split_cell
from knowledge.model import Deadline, Document, Section
from knowledge.rulebook import book, rule

# Header words → role (the `header_*` rules of knowledge/rules/layouts.toml, with their examples); the first
# rule that matches a header cell wins (so `phối hợp` is checked before the generic `cơ quan`/`đơn vị`).
ROLE_RULES: list[tuple[str, re.Pattern[str]]] = [
    (r.data["role"], r.pattern) for r in book("layouts").values() if "role" in r.data]
# A time cell that names no limit: ongoing duties (`Thường xuyên`), or limits given only by reference.
_NO_LIMIT = rule("layouts", "no_limit")
_YEARLY_CELL = rule("layouts", "yearly_cell")


def _role(cell: str) -> str | None:
    folded = fold_aligned(cell).lower().strip(" .:")
    for role, pat in ROLE_RULES:
        if pat.search(folded):
            return role
    return None


def _cells(sec: Section) -> list[str]:
    return [c.strip() for c in sec.text.split(ROW_SEP.strip())]


HEADER_SHARE = 0.6  # share of a header row's non-empty cells that must name a role (data rows name few)


def _header(cells: list[str]) -> dict[str, int] | None:
    """Column roles when the row is a header: short cells, most of them naming a role, no row number."""
    filled = [c for c in cells if c.strip()]
    if not filled or re.match(r"^(?:\d{1,3}|[IVX]+)\.?$", filled[0].strip()):
        return None
    roles: dict[str, int] = {}
    named = 0
    for i, cell in enumerate(cells):
        role = _role(cell) if len(cell) < 60 else None
        named += role is not None
        if role and role not in roles:
            roles[role] = i
    if named < HEADER_SHARE * len(filled):
        return None
    return roles if "time" in roles and ("task" in roles or "lead" in roles or "inspected" in roles) else None


def _times(cell: str, year_hint: int | None) -> list[DueMatch]:
    folded = fold_aligned(cell).lower().strip()
    if not folded or _NO_LIMIT.match(folded):
        return []
    found = find_due_times(cell, year_hint)
    if not found and BARE_TIME.match(folded):
        found = find_due_times("trong " + cell, year_hint)
    if not found and re.match(r"^\d{1,2}\s*[/.-]\s*\d{1,2}", folded):
        found = find_due_times("trước ngày " + cell, year_hint)
    if _YEARLY_CELL.search(folded) and not any(isinstance(f.due, dict) for f in found):
        found.insert(0, DueMatch(0, 0, "yearly_bare", {"every": "year"}, "on"))
    return found


_HEADER_YEAR = re.compile(r"\bnam\s+(\d{4})\b")  # `Thời gian (Năm 2026)`: the year of the column's dates


def table_deadlines(doc: Document, year_hint: int | None) -> list[Deadline]:
    """One deadline per table row with a time cell (or a recurrence written in its task cell)."""
    out: list[Deadline] = []
    roles: dict[str, int] | None = None
    table_year = year_hint
    previous_idx = -2
    for sec in doc.sections:
        if sec.kind != "row":
            continue
        cells = _cells(sec)
        if sec.idx != previous_idx + 1:
            roles = None  # a new table starts
        previous_idx = sec.idx
        header = _header(cells)
        if header:
            roles = header
            stated = _HEADER_YEAR.search(fold_aligned(cells[header["time"]]).lower())
            table_year = int(stated.group(1)) if stated else year_hint
            continue
        if not roles:
            continue
        out += _row_deadlines(doc, sec, cells, roles, table_year)
    return out


def inspector(doc: Document) -> list[str]:
    """Who carries out the inspections a schedule lists: the first agency the text tells to inspect
    (`giao Sở Nội vụ chủ trì … tổ chức kiểm tra …`); the units in the schedule are those inspected."""
    from knowledge.roles import names, subject_agencies

    for sec in doc.sections:
        if sec.kind == "row":
            continue
        folded = fold_aligned(sec.text).lower()
        if not _INSPECTS.search(folded):
            continue
        subject = subject_agencies(sec.text, doc.province)
        if subject and _INSPECTS.search(folded, subject[-1].end):
            return names(subject)
    return []


_INSPECTS = re.compile(r"\b(?:to chuc|tien hanh|thuc hien)?\s*(?:kiem tra|thanh tra|giam sat)\b")


def _row_deadlines(doc: Document, sec: Section, cells: list[str], roles: dict[str, int],
                   year_hint: int | None) -> list[Deadline]:
    def cell(role: str) -> str:
        i = roles.get(role)
        return cells[i] if i is not None and i < len(cells) else ""

    task = cell("task") or cell("product")
    time_cell = cell("time")
    found = _times(time_cell, year_hint)
    in_task = [m for m in find_due_times(task, year_hint) if isinstance(m.due, dict)]
    if not found and not in_task:
        return []
    lead = split_cell(cell("lead"))
    coop = split_cell(cell("coop"))
    evidence = "table lead column"
    inspected = split_cell(cell("inspected"))
    if inspected and not lead:  # an inspection schedule: the inspector acts, the unit is inspected
        lead, coop, evidence = inspector(doc), inspected + coop, "inspecting agency"
        task = task or f"Kiểm tra tại {', '.join(inspected)}"
    out = []
    for m in found + [m for m in in_task if m.due not in [f.due for f in found]]:
        out.append(Deadline(
            agencies=lead, cooperating=coop, due=m.due, relation=m.relation, task=task[:220], quote=sec.text,
            section=sec.label, section_idx=sec.idx, year_inferred=m.year_inferred,
            due_text=time_cell if m in found else due_words(task, m), time=m.time,
            decision=single(evidence, lead, time_cell, doubts=due_doubts(m.due, m.year_inferred)),
            why=f"table row: columns {sorted(roles)}; due from the {'time' if m in found else 'task'} cell",
        ))
    return out
