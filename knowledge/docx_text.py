"""Word (.docx) body → text lines in reading order, the way an official reads the page.

python-docx's `document.paragraphs` and `document.tables` lose the order between paragraphs and
tables, the automatic numbering (`1.`, `a)`, `-` made by Word, not typed) and text boxes (a
`V/v …` subject line is often a text box). This walks `w:body` in order instead:

- a paragraph → one line, prefixed with its automatic number when Word numbers it; the
  paragraphs of its text boxes come first, as their own lines;
- a *layout* table (the two-column header `ỦY BAN NHÂN DÂN … | CỘNG HÒA …` and the signature /
  `Nơi nhận` table, both borderless) → each cell's paragraphs as plain lines, cell by cell, so the
  header reads like a typed header; tables nested in its cells are read the same way (a `Nơi nhận` /
  signature table is sometimes nested in a one-cell wrapper, which is layout too);
- a *content* table (duty tables, schedules) → one line per row, cells joined by `TABLE_SEP`;
  repeats of a horizontally merged cell collapse, a vertically merged cell repeats the text above
  (python-docx's own behaviour, which is what "rows spanning merged cells inherit" needs).
Blocks are separated by blank lines, table rows by single newlines.
"""

from __future__ import annotations

import re
from typing import Any

TABLE_SEP = " | "
# A table with at most this many non-empty columns and rows that holds a header or signature marker is
# layout, not content (Nghị định 30/2020/NĐ-CP lays the header and signature out in such tables).
LAYOUT_MAX_COLUMNS = 2
LAYOUT_MAX_ROWS = 4
_LAYOUT_MARKERS = re.compile(
    r"CỘNG HÒA|CỘNG HOÀ|Độc lập|Nơi nhận|^\s*Số\s*:|\bTM\.|\bKT\.|\bTL\.|CHỦ TỊCH|GIÁM ĐỐC|TRƯỞNG BAN",
    re.MULTILINE,
)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _roman(n: int) -> str:
    out = ""
    for value, sym in _ROMAN:
        while n >= value:
            out += sym
            n -= value
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        r = _roman(n)
        return r if fmt == "upperRoman" else r.lower()
    if fmt in ("lowerLetter", "upperLetter"):
        letter = "abcdefghiklmnopqrstuvxy"[(n - 1) % 23]  # Vietnamese lists skip j, w, z
        return letter if fmt == "lowerLetter" else letter.upper()
    return str(n)


class _Numbering:
    """Word's automatic list numbers: numId/ilvl → formatted label such as `2.`, `a)`, `-`."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.iter(f"{_W}abstractNum"):
            lv: dict[int, tuple[str, str, int]] = {}
            for lvl in an.iter(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                lv[ilvl] = (fmt.get(f"{_W}val") if fmt is not None else "decimal",
                            text.get(f"{_W}val") if text is not None else "",
                            int(start.get(f"{_W}val")) if start is not None else 1)
            abstract[an.get(f"{_W}abstractNumId")] = lv
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None and ref.get(f"{_W}val") in abstract:
                self.levels[num.get(f"{_W}numId")] = abstract[ref.get(f"{_W}val")]

    def label(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        fmt, text, start = levels[ilvl]
        if fmt == "none":
            return ""
        if fmt == "bullet":
            return "-"
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]

        def fill(m: re.Match[str]) -> str:
            lvl = int(m.group(1)) - 1
            lfmt, _, lstart = levels.get(lvl, ("decimal", "", 1))
            return _format_number(counters.get(lvl, lstart), lfmt)

        return re.sub(r"%(\d)", fill, text).strip()


def _num_pr(paragraph: Any) -> tuple[str, int] | None:
    """(numId, ilvl) of a paragraph, from its own properties or its style's."""
    p_pr = paragraph._p.pPr
    num_pr = p_pr.numPr if p_pr is not None else None
    if num_pr is None:
        style = paragraph.style
        while style is not None and num_pr is None:
            s_pr = style.element.pPr
            num_pr = s_pr.numPr if s_pr is not None else None
            style = style.base_style
    if num_pr is None or num_pr.numId is None:
        return None
    ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
    return str(num_pr.numId.val), int(ilvl)


def _text_boxes(p_element: Any) -> list[str]:
    """Paragraph texts of the text boxes anchored in a paragraph (the VML fallback copy skipped)."""
    out: list[str] = []
    for box in p_element.iter(f"{_W}txbxContent"):
        parent, inside_fallback = box.getparent(), False
        while parent is not None:
            if parent.tag == _MC_FALLBACK:
                inside_fallback = True
                break
            parent = parent.getparent()
        if inside_fallback:
            continue
        for p in box.iter(f"{_W}p"):
            text = "".join(t.text or "" for t in p.iter(f"{_W}t"))
            if text.strip():
                out.append(text)
    return out


def _paragraph_lines(paragraph: Any, numbering: _Numbering) -> list[str]:
    lines = _text_boxes(paragraph._p)
    text = paragraph.text
    pr = _num_pr(paragraph)
    if pr and text.strip():
        label = numbering.label(*pr)
        if label and not text.lstrip().startswith(label):
            text = f"{label} {text.lstrip()}"
    lines.append(text)
    return lines


def _row_cells(row: Any) -> list[Any]:
    cells, prev = [], None
    for cell in row.cells:
        if prev is not None and cell._tc is prev:
            continue
        prev = cell._tc
        cells.append(cell)
    return cells


def _deep_text(cell: Any) -> str:
    """A cell's text including tables nested in it (python-docx's `_Cell.text` leaves them out)."""
    return "\n".join("".join(t.text or "" for t in p.iter(f"{_W}t")) for p in cell._tc.iter(f"{_W}p"))


def _is_layout(table: Any) -> bool:
    """Header or signature table: few rows and columns with text, and a marker (nested tables counted,
    since the `Nơi nhận` / signature block is sometimes a table inside a one-cell wrapper table)."""
    return is_layout_grid([[_deep_text(c) for c in _row_cells(r)] for r in table.rows])


def is_layout_grid(cells: list[list[str]]) -> bool:
    """A grid of cell texts (from Word or a PDF) is the header or signature layout, not content."""
    rows = [r for r in cells if any(t.strip() for t in r)]
    if len(rows) > LAYOUT_MAX_ROWS:
        return False
    if any(sum(1 for t in r if t.strip()) > LAYOUT_MAX_COLUMNS for r in rows):
        return False
    return bool(_LAYOUT_MARKERS.search("\n".join(t for r in rows for t in r)))


def _block_lines(container: Any, numbering: _Numbering) -> list[str]:
    """Blocks of a body or a cell, in order; a block is one string (rows joined by newlines)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[str] = []
    for child in container._element.iterchildren() if hasattr(container, "_element") else []:
        if child.tag == f"{_W}p":
            blocks += _paragraph_lines(Paragraph(child, container), numbering)
        elif child.tag == f"{_W}tbl":
            table = Table(child, container)
            if _is_layout(table):
                for row in table.rows:
                    for cell in _row_cells(row):
                        # "" keeps cells apart when this table is nested in another layout cell
                        blocks += _cell_blocks(cell, numbering) + [""]
            else:
                rows = []
                for row in table.rows:
                    texts = [re.sub(r"\s*\n\s*", " ", c.text).strip() for c in _row_cells(row)]
                    if any(texts):
                        rows.append(TABLE_SEP.join(t or " " for t in texts))
                if rows:
                    blocks.append("\n".join(rows))
    return blocks


def _cell_blocks(cell: Any, numbering: _Numbering) -> list[str]:
    """A layout cell's paragraphs as one block (consecutive lines); nested tables as their own."""
    lines: list[str] = []
    out: list[str] = []
    for block in _block_lines(cell, numbering):
        if "\n" in block and TABLE_SEP in block:
            if lines:
                out.append("\n".join(lines))
                lines = []
            out.append(block)
        elif block.strip():
            lines.append(block.strip())
        elif lines:
            out.append("\n".join(lines))
            lines = []
    if lines:
        out.append("\n".join(lines))
    return out


def docx_text(document: Any) -> str:
    """The body of a python-docx Document as text in reading order (see the module docstring)."""
    numbering = _Numbering(document)
    body = document.element.body

    class _Body:
        _element = body
        part = document.part

    blocks = _block_lines(_Body(), numbering)
    return "\n\n".join(b for b in blocks if b.strip())
