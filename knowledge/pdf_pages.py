"""Which pages of a PDF need OCR: those with pictures and no text layer (a scan, or a scan inside a PDF
that has typed pages too); whether the PDF is locked by a password; and whether any of its compressed
streams inflates to an implausible size (a compression bomb), checked before any reader inflates it.

pdfium answers the first two in milliseconds per page without laying the page out (pdfplumber would).
The bomb check exists because pdfminer (under pdfplumber) inflates a Flate stream whole with no limit: a
1 MB file whose page content inflated to 1 GiB peaked at 2.1 GB. pypdf stops at its own 75 MB limit
(`pypdf.Configuration.zlib_maximum_output_length`) but only after pdfplumber has run; pdfium has none
we can set. So every Flate stream is inflated here first, in chunks, counting bytes and keeping none.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

# Fewer letters than this on a page means no usable text layer (page numbers, a stamp's caption): the
# same bar knowledge.reader puts on a whole document.
MIN_PAGE_LETTERS = 20
PDFIUM_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD

MIB = 1024 * 1024
# A page's content stream (text and drawing operators) is 5–100 KB for a typed directive page and a few MB
# for a dense vector map; pdfminer turns each operator into Python objects (about 10× the bytes), so
# 16 MiB, over 100× a dense page, is both generous and still safe to parse.
MAX_CONTENT_STREAM_BYTES = 16 * MIB
# An image is decoded only by pdfium for OCR, into one buffer: an A4 page scanned at 600 dpi in colour is
# 105 MB raw, so 128 MiB admits any real scan and refuses a bomb. Embedded font programs (a full CJK
# font is 15–25 MB) are held as one buffer too, and get the same limit.
MAX_IMAGE_STREAM_BYTES = 128 * MIB
# All streams together: 50× the 20 MB upload limit. Bounds the time readers spend inflating (each
# reader inflates again; ~1 s per GiB here), not memory: streams are inflated one at a time.
MAX_TOTAL_INFLATED_BYTES = 1024 * MIB
_IN_CHUNK = 64 * 1024
_OUT_CHUNK = MIB
# `>> stream` then an end of line: where a stream's data starts (its dictionary ends just before).
_STREAM_START = re.compile(rb">>[ \t\r\n\f\x00]{0,64}stream(?:\r\n|\n|\r)")
DICT_LOOKBACK = 4096  # a stream dictionary is a few hundred bytes; look back this far for its `obj`
# An image's or a font program's dictionary (FontFile2/3 carry /Length1 or a font /Subtype).
_IMAGE_OR_FONT = re.compile(rb"/Subtype\s*/(?:Image|Type1C|CIDFontType0C|OpenType)(?![A-Za-z0-9])|/Length1(?![0-9])")


class PdfLocked(ValueError):
    """The PDF needs a password to open."""


class PdfBomb(ValueError):
    """A compressed stream (or all together) inflates past a limit; the message says which."""


def _streams(data: bytes) -> Iterator[tuple[bytes, int]]:
    """(dictionary bytes, offset of the stream data) of every stream in the file, found lexically.

    Lexical on purpose: no parser is trusted with the file yet, and streams are never nested in object
    streams, so every stream's dictionary is in the file's own bytes (unless the file is encrypted,
    where the data is ciphertext and is skipped: see check_streams)."""
    for found in _STREAM_START.finditer(data):
        head = data[max(0, found.start() - DICT_LOOKBACK):found.start() + 2]
        cut = head.rfind(b"obj")
        yield (head[cut:] if cut >= 0 else head), found.end()


def _inflated_size(data: bytes, start: int, limit: int) -> int:
    """Bytes the zlib stream at `start` inflates to, counted up to just past `limit`; nothing is kept.

    Reads until zlib's own end of stream, never trusting /Length. Raises zlib.error when the bytes are
    not zlib data (another filter first, or encrypted)."""
    inflater = zlib.decompressobj()
    total, pos = 0, start
    while pos < len(data) and not inflater.eof:
        pending = data[pos:pos + _IN_CHUNK]
        pos += _IN_CHUNK
        while True:
            out = inflater.decompress(pending, _OUT_CHUNK)
            total += len(out)
            if total > limit or inflater.eof:
                return total
            pending = inflater.unconsumed_tail
            if not pending and len(out) < _OUT_CHUNK:
                break  # this piece is used up and zlib holds no more output for it
    return total


def check_streams(data: bytes) -> None:
    """Raise PdfBomb when a Flate stream inflates past its limit (content or image), or all streams
    together past MAX_TOTAL_INFLATED_BYTES. Costs one inflation of each stream, in 1 MiB pieces.

    Every stream is tried, whatever its /Filter says (a dictionary padded past DICT_LOOKBACK must not hide
    it); other data (JPEG, CCITT) fails zlib's two-byte header at once and is skipped."""
    total = 0
    for number, (head, start) in enumerate(_streams(data), start=1):
        image = bool(_IMAGE_OR_FONT.search(head))
        limit = MAX_IMAGE_STREAM_BYTES if image else MAX_CONTENT_STREAM_BYTES
        try:
            size = _inflated_size(data, start, min(limit, MAX_TOTAL_INFLATED_BYTES - total))
        except zlib.error:
            continue  # not plain zlib data: the readers decide, within pypdf's own limits
        total += size
        if size > limit:
            what = "an image or font" if image else "a content stream"
            raise PdfBomb(f"stream {number} ({what}) inflates past {limit // MIB} MB (a compression bomb?)")
        if total >= MAX_TOTAL_INFLATED_BYTES:
            raise PdfBomb(f"its streams inflate past {MAX_TOTAL_INFLATED_BYTES // MIB} MB together "
                          "(a compression bomb?)")


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
