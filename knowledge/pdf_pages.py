"""Which pages of a PDF need OCR: those with pictures and no text layer (a scan, or a scan inside a PDF
that has typed pages too); and whether the PDF is locked by a password.

pdfium answers both in milliseconds per page without laying the page out (pdfplumber would).
"""

from __future__ import annotations

from dataclasses import dataclass

# Fewer letters than this on a page means no usable text layer (page numbers, a stamp's caption): the
# same bar knowledge.reader puts on a whole document.
MIN_PAGE_LETTERS = 20
PDFIUM_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD


class PdfLocked(ValueError):
    """The PDF needs a password to open."""


@dataclass(frozen=True)
class PageSurvey:
    pages: int
    scanned: tuple[int, ...]  # 0-based numbers of pages to OCR


def survey(data: bytes) -> PageSurvey | None:
    """Pages and pages to OCR; None when pdfium cannot open the file (the text readers then decide how to
    reject it). Raises PdfLocked for a password-protected PDF."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if getattr(exc, "err_code", None) == PDFIUM_PASSWORD_ERROR or "password" in str(exc).lower():
            raise PdfLocked(str(exc)) from exc
        return None
    try:
        scanned = []
        for number in range(len(pdf)):
            page = pdf[number]
            textpage = page.get_textpage()
            letters = sum(ch.isalpha() for ch in textpage.get_text_bounded())
            textpage.close()
            if letters < MIN_PAGE_LETTERS:
                images = page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,), max_depth=2)
                if next(iter(images), None) is not None:
                    scanned.append(number)
            page.close()
        return PageSurvey(pages=len(pdf), scanned=tuple(scanned))
    finally:
        pdf.close()
