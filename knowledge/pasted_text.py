"""Text pasted from a legal-text website → the plain text the directive has.

Such sites render a directive as Markdown: emphasis `**…**` (often with the space inside, `**20% **xã`),
the two-column header and the signature / `Nơi nhận` block as table rows, flattened onto one line
(`| **ỦY BAN NHÂN DÂN** TỈNH X ------- | **CỘNG HÒA …** Độc lập - … | | Số: 12/KH-UBND | X, ngày … |`),
and real tables as `| a | b |` rows with a `|---|---|` separator under the header row.

The reading mirrors knowledge.docx_text, so a pasted directive reads like the same directive in Word:
- a *content* table (one with a separator row, which Markdown requires of a table, and not a header or
  signature layout: see docx_text.is_layout_grid) → one line per row, cells joined by ROW_SEP, which
  knowledge.duty_tables reads;
- any other pipe rows (the header or signature laid out in a table, rows flattened onto one line,
  a grid of signature labels) → each cell as its own block, its emphasised runs and drawn rules
  (`-------`) on lines of their own, a recipients list (`Nơi nhận: - A; - B;`) one recipient a line;
- separator rows are dropped, emphasis markers removed.
A text without any of this comes back unchanged (same string).
"""

from __future__ import annotations

import re

from knowledge.blocks import ROW_SEP
from knowledge.docx_text import is_layout_grid

# A Markdown table row: the line opens with a pipe (website exports always write the outer pipes).
_PIPE_ROW = re.compile(r"^[ \t]*\|")
# `|---|:---:|`, `| --- | --- |`: the line under a table's header row.
_SEPARATOR_ROW = re.compile(r"^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*(?::?-{3,}:?[ \t]*)?$")
# Bold `**…**` (or `__…__` around a word) and italic `*…*`; the space a website leaves inside the
# closing marker (`**20% **`) is moved out. Italic opens before a non-space that is not `)`, so the
# footnote mark `(*)` and a bullet `* …` stay.
_BOLD = re.compile(r"\*\*(?=[^\s*])([^*]*?)(\s*)\*\*([ \t]*)|(?<!\w)__(?=[^\W_])([^_\n]*?[^\W_])__(?!\w)")
_ITALIC = re.compile(r"(?<![*\w])\*(?=[^\s*)])([^*\n]{0,400}?(?:\n[^*\n]{0,400}?)?)(\s*)\*(?![*\w])")
_STRAY_BOLD = re.compile(r"[ \t]?\*\*[ \t]?")
# A run of emphasis inside a layout cell: one paragraph of the original cell.
_EMPHASIS_RUN = re.compile(r"\*\*(?=[^\s*])[^*]*?\*\*|(?<![*\w])\*(?=[^\s*)])[^*]*?\*(?![*\w])")
# A rule drawn under a header part (`-------`, `___`), glued to the cell's text by the flattening.
_DRAWN_RULE = re.compile(r"\s*(?<![\w-])([-_=]{3,})(?![\w-])\s*")
# `Nơi nhận: - A; - B;`: a new recipient after `:` or `;`.
_NEXT_RECIPIENT = re.compile(r"(?<=[:;])\s+(?=[-+•]\s)")
# A line break written as HTML inside a cell.
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Anything above (a cheap test, so plain text is returned as it came).
_LOOKS_MARKDOWN = re.compile(r"\*\*|\||(?<![*\w])\*(?=[^\s*)])[^*\n]*\*(?![*\w])|(?<!\w)__[^\W_]")


def plain_text(text: str) -> str:
    """The directive's plain text from pasted Markdown (see the module docstring); other text unchanged."""
    if not _LOOKS_MARKDOWN.search(text):
        return text
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _PIPE_ROW.match(lines[j]):
            j += 1
        if j > i:
            out += _table(lines[i:j])
        elif _lone_layout_row(lines, i):
            out += _layout_blocks([_cells(lines[i])])
            j = i + 1
        else:
            out.append(lines[i])
            j = i + 1
        i = j
    return strip_emphasis("\n".join(out))


def strip_emphasis(text: str) -> str:
    """Remove `**bold**`, `__bold__` and `*italic*` markers, keeping one space where the site left one."""
    text = _BOLD.sub(lambda m: m.group(4) if m.group(4) is not None
                     else m.group(1) + (m.group(3) or _space_before_word(m, m.group(2))), text)
    text = _ITALIC.sub(lambda m: m.group(1) + _space_before_word(m, m.group(2)), text)
    return _STRAY_BOLD.sub(lambda m: " " if m.group(0) != "**" else "", text)


def _space_before_word(m: re.Match[str], inner: str) -> str:
    """The space left inside a closing marker (`**20% **xã`), kept only when a word follows it directly."""
    nxt = m.string[m.end():m.end() + 1]
    return " " if inner and nxt and not nxt.isspace() else ""


def _cells(line: str) -> list[str]:
    """The cells of a `| a | b |` row, outer pipes dropped, `<br>` as a line break."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [_HTML_BREAK.sub("\n", c).strip() for c in inner.split("|")]


def _lone_layout_row(lines: list[str], i: int) -> bool:
    """`Số: 12/UBND-VP | Hà Nội, ngày …` without outer pipes: a header row when no table row is next to it
    (a row of a content table, as the .docx reader writes it, has neighbours)."""
    if ROW_SEP not in lines[i]:
        return False
    near = lines[max(i - 1, 0):i] + lines[i + 1:i + 2]
    return not any(ROW_SEP in ln for ln in near) and is_layout_grid([[strip_emphasis(c) for c in _cells(lines[i])]])


def _table(rows: list[str]) -> list[str]:
    """Lines for a run of pipe rows: content rows in the ROW_SEP form, or layout cells as blocks.

    Without a separator row pipe lines are no Markdown table but a website's dump of a layout (the
    flattened header, a grid of signature labels), so their cells are read as paragraphs."""
    separated = any(_SEPARATOR_ROW.match(r) for r in rows)
    grid = [_cells(r) for r in rows if not _SEPARATOR_ROW.match(r)]
    grid = [r for r in grid if any(r)]
    if not grid:
        return [""]
    if separated and not is_layout_grid([[strip_emphasis(c) for c in r] for r in grid]):
        return ["", *(ROW_SEP.join(re.sub(r"\s*\n\s*", " ", c) or " " for c in r) for r in grid), ""]
    return _layout_blocks(grid)


def _layout_blocks(grid: list[list[str]]) -> list[str]:
    """A layout table's cells, row by row, each as a block of its own (blank lines around)."""
    out = [""]
    for row in grid:
        for cell in row:
            if cell:
                out += [*_layout_lines(cell), ""]
    return out


def _layout_lines(cell: str) -> list[str]:
    """A layout cell's paragraphs, which the website joined with spaces: emphasised runs, drawn rules,
    recipients and the signer's name each go back on a line of their own."""
    pieces: list[str] = []
    pos = 0
    for m in _EMPHASIS_RUN.finditer(cell):
        pieces += [cell[pos:m.start()], m.group(0)]
        pos = m.end()
    pieces.append(cell[pos:])
    lines: list[str] = []
    for piece in pieces:
        piece = _DRAWN_RULE.sub(lambda m: f"\n{m.group(1)}\n", piece)
        piece = _NEXT_RECIPIENT.sub("\n", piece)
        for line in piece.split("\n"):
            lines += _upper_then_mixed(line.strip())
    return lines


def _upper_then_mixed(line: str) -> list[str]:
    """`CỘNG HÒA … VIỆT NAM Độc lập - …`, `PHÓ CHỦ NHIỆM Trịnh Mạnh Linh`: in a header or signature cell an
    upper-case title followed by a capitalised mixed-case word starts a new paragraph there."""
    words = line.split()
    for k, word in enumerate(words):
        letters = [c for c in strip_emphasis(word) if c.isalpha()]
        if not letters:
            return [line] if line else []
        if any(c.islower() for c in letters):
            if k == 0 or not letters[0].isupper():
                return [line]
            return [" ".join(words[:k]), " ".join(words[k:])]
    return [line] if line else []
