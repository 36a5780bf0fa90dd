"""PDF pages → text in reading order, with ruled tables read the way knowledge.docx_text reads Word tables.

pypdf's `extract_text()` flattens a duty table into loose lines, so a row's deadline can no longer be tied
to its lead agency. pdfplumber finds the ruled tables of a page (`find_tables()`, lines strategy: only
where the text layer and the drawn grid allow), and each page is read top to bottom:

- text outside the tables → its lines as pdfplumber lays them out; the stretch above a table is one
  block, the stretch between two tables the next (text beside a table comes after it);
- a *content* table → one line per row, cells joined by `TABLE_SEP` (newlines in a cell → spaces); a
  cell covered by a merged cell from the row above repeats that cell's text (like python-docx with a
  vertical merge), repeats of a horizontally merged cell collapse;
- a *layout* table (header or signature grid, same rule as docx_text) → each cell's lines as plain lines.

Blocks are separated by blank lines, table rows by single newlines. A table that runs on to the next
page stays one block (a bare page number between the two halves is dropped), so its rows stay consecutive
and knowledge.duty_tables keeps the header's column roles.
"""

from __future__ import annotations

import io
import re
from typing import Any

from knowledge.docx_text import TABLE_SEP, is_layout_grid

# A ruled table is drawn with tens to hundreds of rects and lines; a page with more is a drawing or a
# hostile file, where table finding would cost seconds for nothing: it is read as plain text.
MAX_DRAWN_OBJECTS = 5000
# pdfplumber is about ten times slower than pypdf; past this many seconds a file is left to pypdf instead.
TIME_BUDGET_S = 120.0
_EPS = 1.0  # points: probe inside a cell's top-left corner, clear of ruling-line rounding
# A page number alone on a line (`2`, `- 2 -`, `Trang 2`, `2/5`): page furniture, not content.
_PAGE_NUMBER = re.compile(r"^\s*(?:trang\s+)?[-–]?\s*\d{1,4}\s*(?:/\s*\d{1,4})?\s*[-–]?\s*$", re.IGNORECASE)

Bbox = tuple[float, float, float, float]


def _one_line(text: str | None) -> str:
    return re.sub(r"\s*\n\s*", " ", text or "").strip()


def _covering(cells: list[Bbox], x: float, top: float) -> Bbox | None:
    """The cell whose box holds the grid position (x, top): for an empty slot, the merged cell over it."""
    px, py = x + _EPS, top + _EPS
    for cell in cells:
        if cell[0] <= px < cell[2] and cell[1] <= py < cell[3]:
            return cell
    return None


def _cell_texts(table: Any, chars: list[dict[str, Any]]) -> dict[Bbox, str]:
    """Each cell's text (lines kept), from the chars whose middle lies in it.

    Like pdfplumber's `Table.extract()`, but each char is placed once instead of rescanning the page's
    chars for every row and cell (a long table on a dense page took seconds).
    """
    from pdfplumber.utils import extract_text

    box = tuple(table.bbox)  # a computed property: once, not per char
    owned: dict[Bbox, list[dict[str, Any]]] = {tuple(cell): [] for cell in table.cells}
    for char in chars:
        if not _inside(char, box):
            continue
        for cell, found in owned.items():
            if _inside(char, cell):
                found.append(char)
                break
    return {cell: extract_text(found) for cell, found in owned.items()}


def _table_grid(table: Any, chars: list[dict[str, Any]]) -> tuple[list[list[str]], list[list[str]]]:
    """(row cells for content reading, raw multi-line texts of each row's own cells for layout reading)."""
    rows = table.rows
    raw_of = _cell_texts(table, chars)
    raw = [[raw_of[tuple(b)] for b in row.cells if b is not None] for row in rows]
    xs = sorted({cell[0] for cell in table.cells})
    cells = [tuple(c) for c in table.cells]
    grid: list[list[str]] = []
    for row in rows:
        top = min(c[1] for c in row.cells if c is not None)
        seq: list[tuple[Bbox | None, str]] = []
        for x, bbox in zip(xs, row.cells, strict=True):
            cover = tuple(bbox) if bbox is not None else _covering(cells, x, top)
            if cover is not None and seq and seq[-1][0] == cover:
                continue  # the same (horizontally merged) cell again
            seq.append((cover, _one_line(raw_of.get(cover, "")) if cover is not None else ""))
        grid.append([text for _, text in seq])
    return grid, raw


def _table_blocks(table: Any, chars: list[dict[str, Any]]) -> list[str]:
    grid, raw = _table_grid(table, chars)
    if is_layout_grid(raw):
        return ["\n".join(line.strip() for line in text.split("\n") if line.strip())
                for row in raw for text in row if text.strip()]
    lines = [TABLE_SEP.join(t or " " for t in row) for row in grid if any(row)]
    return ["\n".join(lines)] if lines else []


def _inside(obj: dict[str, Any], bbox: Bbox) -> bool:
    h_mid = (obj["x0"] + obj["x1"]) / 2
    v_mid = (obj["top"] + obj["bottom"]) / 2
    return bbox[0] <= h_mid < bbox[2] and bbox[1] <= v_mid < bbox[3]


def _text_between(page: Any, boxes: list[Bbox], top: float, bottom: float) -> str:
    """Text of the chars whose middle lies in [top, bottom) and in no table."""

    def keep(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        v_mid = (obj["top"] + obj["bottom"]) / 2
        return top <= v_mid < bottom and not any(_inside(obj, b) for b in boxes)

    return page.filter(keep).extract_text() or ""


def page_blocks(page: Any) -> list[str]:
    """One page as blocks in reading order: text stretches and tables (see the module docstring)."""
    drawn = len(page.rects) + len(page.lines) + len(page.curves)
    found = page.find_tables() if 0 < drawn <= MAX_DRAWN_OBJECTS else []
    tables = sorted(found, key=lambda t: (t.bbox[1], t.bbox[0]))
    if not tables:
        text = page.extract_text() or ""
        return [text] if text.strip() else []
    boxes = [tuple(t.bbox) for t in tables]
    cuts = [float("-inf")] + [b[1] for b in boxes] + [float("inf")]
    blocks = []
    for i in range(len(tables) + 1):
        text = _text_between(page, boxes, cuts[i], cuts[i + 1])
        if text.strip():
            blocks.append(text)
        if i < len(tables):
            blocks += _table_blocks(tables[i], page.chars)
    return blocks


def _is_rows(block: str) -> bool:
    return all(TABLE_SEP in line for line in block.split("\n"))


def join_pages(pages: list[list[str]]) -> str:
    """Pages' blocks as one text; a table cut by a page break is joined back into one block."""
    blocks: list[str] = []
    for page in pages:
        page = list(page)
        if blocks and page:
            tail = len(blocks)
            while tail and _PAGE_NUMBER.match(blocks[tail - 1]):
                tail -= 1
            head = 0
            while head < len(page) and _PAGE_NUMBER.match(page[head]):
                head += 1
            if tail and head < len(page) and _is_rows(blocks[tail - 1]) and _is_rows(page[head]):
                blocks[tail - 1:] = [blocks[tail - 1] + "\n" + page[head]]
                page = page[head + 1:]
        blocks += page
    return "\n\n".join(b for b in blocks if b.strip())


def pdf_page_blocks(data: bytes, numbers: set[int] | None = None,
                    budget_s: float = TIME_BUDGET_S) -> dict[int, list[str]]:
    """Blocks of each page (0-based numbers; all pages when None); raises whatever pdfplumber raises on a
    file it cannot read, and TimeoutError past `budget_s`."""
    import logging
    import time

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    pages: dict[int, list[str]] = {}
    give_up = time.monotonic() + budget_s
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages):
            if numbers is not None and number not in numbers:
                continue
            if time.monotonic() > give_up:
                raise TimeoutError(f"pdfplumber read {len(pages)} pages in over {budget_s:g} s")
            pages[number] = page_blocks(page)
            page.close()  # drop the page's cached layout objects: long PDFs stay small in memory
    return pages


def pdf_text(data: bytes, budget_s: float = TIME_BUDGET_S) -> str:
    """A PDF's text with tables as rows; raises whatever pdfplumber raises on a file it cannot read, and
    TimeoutError past `budget_s` (the caller then reads the file with pypdf)."""
    pages = pdf_page_blocks(data, None, budget_s)
    return join_pages([pages[n] for n in sorted(pages)])
