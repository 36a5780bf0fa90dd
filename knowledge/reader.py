"""Turn a directive file (.txt/.md, .docx, .doc, .pdf, a scan or photo .png/.jpg) into normalised text, or
reject it.

Scanned PDF pages and photos go through OCR (knowledge/ocr.py), page by page, so a PDF with typed and
scanned pages reads whole; Word 97-2003 files are converted to .docx (knowledge/legacy_doc.py); text typed
with TCVN3 or VNI fonts is turned into Unicode (knowledge/legacy_encoding.py). Rejections carry an English
message for operators (naming the file and the reason) and a short reason code that the chat front end
maps to Vietnamese.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge import legacy_doc, legacy_encoding, ocr
from knowledge.pdf_pages import PdfBomb, PdfLocked, check_streams, survey
from knowledge.text import normalize

if TYPE_CHECKING:
    from PIL.Image import Image

    from knowledge.model import Document, Facts

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".doc", ".pdf") + IMAGE_SUFFIXES
MAX_DOC_ID = 120
MIB = 1024 * 1024
_MAX_DOCX_UNZIPPED = 200 * MIB
_MAX_DOCX_RATIO = 200
# One XML part of a .docx (document.xml above all). A typed directive page is 20–60 KB of WordprocessingML,
# so 32 MiB is a 500-page document. python-docx holds a part as an lxml tree and walks it in Python: a
# 131 MB document.xml read for 72 s at 1.4 GB (the probe's 158 MB: over 240 s), a 31 MB one for 14 s at
# 270 MB. Refused before python-docx sees it.
MAX_DOCX_XML_PART_BYTES = 32 * MIB
_ZIP_READ_CHUNK = MIB
# Words of one document's text. A long directive or plan is 5,000–30,000 words (20–60 pages); 300,000
# words is ~600 pages. Reading, parsing (~0.6 ms per duty line measured) and indexing (6–8 passages/s,
# ~220 words each) grow with it: a 15 MB text of 144k duties stored 144k deadlines and never finished
# indexing. Checked before parsing, so a huge text costs seconds, not minutes.
MAX_WORDS_PER_DOC = 300_000
# What one document may add: deadlines and sections (each section is at least one passage to embed).
# A yearly action plan's task annex lists a few hundred dated tasks; 2,000 leaves room for the largest
# while keeping one upload's reminders, review message and index delta small (3,000 passages embed in
# 6–8 minutes on 2 cores).
MAX_DEADLINES_PER_DOC = 2_000
MAX_SECTIONS_PER_DOC = 3_000


class RejectedFile(ValueError):
    """The file cannot be used as a directive; nothing is stored."""

    def __init__(self, name: str, reason: str, code: str) -> None:
        super().__init__(f"{name}: rejected: {reason}")
        self.name = name
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class RawDocument:
    doc_id: str
    name: str
    text: str
    format: str
    data: bytes
    ocr: bool = False  # some or all of the text was recognised from images
    ocr_confidence: float | None = None  # mean of the OCR'd pages' word confidence, 0-100
    low_confidence_pages: tuple[int, ...] = ()  # 1-based pages under ocr.LOW_CONFIDENCE: to check by eye
    legacy_encoding: str | None = None  # "tcvn3" or "vni" when the text was converted from that font encoding


@dataclass
class _Read:
    """What a format reader found: the text, and the confidence of each OCR'd page (1-based)."""

    text: str
    ocr_pages: dict[int, float] = field(default_factory=dict)
    legacy_encoding: str | None = None
    typed: bool = True  # some text came from a text layer or file (not only OCR): legacy fonts possible


def doc_id_for(name: str) -> str:
    """Document id = file name without extension and without any directory part (either slash).

    Tidied because names come from whoever wrote the file: NFC (a name decomposed by macOS is the
    same document), control characters become spaces, invisible formatting characters (right-to-left
    overrides, zero-width spaces) are dropped, and a very long name is cut to MAX_DOC_ID characters
    ending in a hash of the whole, so distinct names stay distinct.
    """
    stem = Path(Path(name.replace("\\", "/")).name).stem
    stem = unicodedata.normalize("NFC", stem)
    stem = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in stem
                   if unicodedata.category(ch) != "Cf").strip()
    if len(stem) > MAX_DOC_ID:
        digest = hashlib.sha1(stem.encode("utf-8")).hexdigest()[:8]
        stem = f"{stem[:MAX_DOC_ID - 9].rstrip()}-{digest}"
    return stem


def _looks_binary(text: str) -> bool:
    """Control characters, or long runs without any spaces: not prose in any encoding."""
    if not text:
        return False
    if len(text) > 200 and sum(ch.isspace() for ch in text) / len(text) < 0.03:
        return True
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0xFFF0 <= ord(ch) <= 0xFFFF)
    return bad / len(text) > 0.01


def _vietnamese_score(text: str) -> float:
    """Share of letters that are Vietnamese letters (ASCII or with Vietnamese diacritics)."""
    letters = [ch for ch in unicodedata.normalize("NFC", text) if ch.isalpha()]
    if not letters:
        return 0.0
    ok = 0
    for ch in letters:
        base = unicodedata.normalize("NFD", ch)[0]
        if base.isascii() or ch in "đĐ":
            ok += 1
    return ok / len(letters)


def _decode(name: str, data: bytes) -> tuple[str, str | None]:
    """(text, the legacy font encoding it was converted from or None)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
    sample = data[:4000]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if not _looks_binary(text) and _vietnamese_score(text) > 0.95:
                return text, None
        raise RejectedFile(name, "binary content, not a text document", "binary")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    legacy = legacy_encoding.decode_bytes(data)
    if legacy is not None:
        return legacy
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise RejectedFile(name, "not UTF-8, UTF-16 or Windows-1258 text", "binary") from exc
    if _looks_binary(text) or _vietnamese_score(text) < 0.97:
        raise RejectedFile(name, "binary content or unknown text encoding", "binary")
    return text, None


def _inflated_part_size(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> int:
    """Bytes the member really inflates to, counted in chunks up to just past `limit`; nothing is kept.

    The declared sizes in the zip directory are whatever the file's author wrote, so they are not trusted."""
    total = 0
    with zf.open(info) as part:
        while total <= limit:
            chunk = part.read(_ZIP_READ_CHUNK)
            if not chunk:
                break
            total += len(chunk)
    return total


def _check_docx_parts(name: str, zf: zipfile.ZipFile) -> None:
    """Reject a zip bomb by what its parts really inflate to: one XML part past MAX_DOCX_XML_PART_BYTES,
    everything past _MAX_DOCX_UNZIPPED, or a ratio past _MAX_DOCX_RATIO."""
    total = 0
    packed = sum(info.compress_size for info in zf.infolist()) or 1
    for info in zf.infolist():
        xml = info.filename.lower().endswith((".xml", ".rels"))
        limit = min(MAX_DOCX_XML_PART_BYTES, _MAX_DOCX_UNZIPPED - total) if xml else _MAX_DOCX_UNZIPPED - total
        size = _inflated_part_size(zf, info, limit)
        total += size
        if xml and size > MAX_DOCX_XML_PART_BYTES:
            raise RejectedFile(name, f"the .docx part {info.filename} expands past {MAX_DOCX_XML_PART_BYTES // MIB} "
                               "MB (zip bomb?)", "zip_bomb")
        if total > _MAX_DOCX_UNZIPPED or total / packed > _MAX_DOCX_RATIO:
            raise RejectedFile(name, "the .docx expands to an implausible size (zip bomb?)", "zip_bomb")


def _read_docx(name: str, data: bytes) -> str:
    """Text of a .docx in reading order, tables as rows; rejects zip bombs and broken files."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise RejectedFile(name, "not a valid .docx file (not a zip archive)", "binary") from exc
    with zf:
        if "word/document.xml" not in zf.namelist():
            raise RejectedFile(name, "not a Word document (word/document.xml missing)", "corrupt")
        try:
            _check_docx_parts(name, zf)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            # a member whose bytes do not match its header (CRC, sizes), or an encrypted one
            raise RejectedFile(name, f"cannot read the .docx file ({type(exc).__name__}: {exc})", "corrupt") from exc
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types on broken files
        raise RejectedFile(name, f"cannot read the .docx file ({type(exc).__name__})", "corrupt") from exc
    from knowledge.docx_text import docx_text

    return docx_text(document)


def _pypdf_text(name: str, data: bytes) -> str:
    """pypdf's flat text (tables as loose lines): the fallback when pdfplumber cannot read the file."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except LimitReachedError as exc:  # pypdf's own decompression and size limits (75 MB a stream)
        raise RejectedFile(name, f"the PDF is implausibly large inside (a compression bomb?): {exc}",
                           "pdf_bomb") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise RejectedFile(name, "not a readable PDF file", "binary") from exc
    return "\n\n".join(pages)


# pdfminer writes `(cid:123)` for a glyph its font does not map to Unicode; pypdf reads some such fonts.
_UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _read_text_pdf(name: str, data: bytes) -> str:
    """Text with tables as ` | ` rows (pdfplumber, knowledge.pdf_text); pypdf's flat text when pdfplumber
    fails, runs out of time, finds next to no text or leaves glyphs unmapped, so a file that read before
    still reads, and pypdf decides what is unreadable (`binary`) as it always did."""
    from knowledge.pdf_text import pdf_text

    try:
        text = pdf_text(data)
    except Exception as exc:  # pdfminer raises many types on broken or unusual files
        log.debug("%s: pdfplumber failed (%s), reading with pypdf", name, type(exc).__name__)
        text = ""
    if _letters(text) < 20 or len(_UNMAPPED_GLYPH.findall(text)) >= 5:
        text = _pypdf_text(name, data)
    if _letters(text) < 20:
        raise RejectedFile(name, "the PDF has no text layer (scanned images?); OCR it first", "no_text")
    return text


def _ocr_unavailable(name: str, what: str) -> RejectedFile:
    return RejectedFile(name, f"{what} needs OCR, but {ocr.unavailable_reason()}", "ocr_unavailable")


def _recognise(name: str, images: Iterable[Image], total: int, progress: Progress | None) -> list[ocr.PageText]:
    try:
        return ocr.recognise(images, total, progress)
    except ocr.OcrUnavailable as exc:
        raise RejectedFile(name, f"OCR is needed, but {exc}", "ocr_unavailable") from exc


def _read_pdf(name: str, data: bytes, progress: Progress | None) -> _Read:
    """Typed pages through the text readers, scanned pages (pictures, no text layer) through OCR; a
    compression bomb is refused before any of them inflates it (knowledge.pdf_pages.check_streams)."""
    try:
        check_streams(data)
    except PdfBomb as exc:
        raise RejectedFile(name, f"the PDF is implausibly large inside: {exc}", "pdf_bomb") from exc
    try:
        pages = survey(data)
    except PdfLocked as exc:
        raise RejectedFile(name, "the PDF is password-protected; send a copy without a password",
                           "encrypted") from exc
    if pages is None or not pages.scanned:
        return _Read(_read_text_pdf(name, data))
    if len(pages.scanned) > ocr.MAX_OCR_PAGES:
        raise RejectedFile(name, f"the PDF has {len(pages.scanned)} scanned pages without text; OCR reads at most "
                           f"{ocr.MAX_OCR_PAGES} per file", "too_large")
    if not ocr.available():
        raise _ocr_unavailable(name, f"the PDF has {len(pages.scanned)} scanned page(s) without text, which")
    from knowledge.pdf_text import join_pages, pdf_page_blocks

    typed = set(range(pages.pages)) - set(pages.scanned)
    blocks: dict[int, list[str]] = {}
    if typed:
        try:
            blocks = pdf_page_blocks(data, typed)
        except Exception as exc:  # pdfminer raises many types on broken or unusual files
            log.debug("%s: pdfplumber failed on the typed pages (%s)", name, type(exc).__name__)
            text = _pypdf_text(name, data)  # flat, but the typed pages' text is not lost
            blocks = {min(typed): [text]}
    found = _recognise(name, ocr.pdf_pages_images(data, pages.scanned), len(pages.scanned), progress)
    confidence = {}
    for number, page in zip(pages.scanned, found, strict=True):
        blocks[number] = [page.text] if page.text.strip() else []
        confidence[number + 1] = page.confidence
    text = join_pages([blocks.get(n, []) for n in range(pages.pages)])
    if _letters(text) < 20:
        raise RejectedFile(name, "the PDF has no text layer and OCR recognised no text on its scanned pages",
                           "no_text")
    return _Read(text, confidence, typed=bool(typed))


def _read_image(name: str, data: bytes, progress: Progress | None) -> _Read:
    """A scan or phone photo of one page, through OCR."""
    try:
        image = ocr.load_image(data)
    except ValueError as exc:
        raise RejectedFile(name, f"not a readable image file: {exc}", "corrupt") from exc
    if not ocr.available():
        raise _ocr_unavailable(name, "an image")
    page = _recognise(name, [image], 1, progress)[0]
    if _letters(page.text) < 20:
        raise RejectedFile(name, "OCR recognised no text in the image (blank, blurred or not a document)",
                           "no_text")
    return _Read(page.text, {1: page.confidence}, typed=False)


def _read_doc(name: str, data: bytes) -> str:
    """A Word 97-2003 (or RTF saved as .doc) file, converted to .docx and read like one."""
    found = legacy_doc.kind(data)
    if found == "docx":
        return _read_docx(name, data)
    if found == "unknown":
        raise RejectedFile(name, "not a Word 97-2003 document (no OLE2 or RTF header)", "binary")
    reason = legacy_doc.unavailable_reason()
    if reason:
        raise RejectedFile(name, reason, "doc_unavailable")
    try:
        converted = legacy_doc.doc_to_docx(data)
    except legacy_doc.ConversionError as exc:
        raise RejectedFile(name, f"cannot read the .doc file: {exc}", "corrupt") from exc
    return _read_docx(name, converted)


def _too_large(size: int, max_bytes: int) -> str:
    """In MiB, like BOT_MAX_FILE_MB and the bot's own message (20 MB must not read "21 MB")."""
    mib = 1024 * 1024
    return f"file is {size / mib:.1f} MB, over the {round(max_bytes / mib, 2):g} MB limit"


def _read_format(base: str, suffix: str, data: bytes, progress: Progress | None) -> _Read:
    if suffix == ".docx":
        return _Read(_read_docx(base, data))
    if suffix == ".doc":
        return _Read(_read_doc(base, data))
    if suffix == ".pdf":
        if not data.lstrip().startswith(b"%PDF"):
            raise RejectedFile(base, "not a PDF file (no %PDF header)", "binary")
        return _read_pdf(base, data, progress)
    if suffix in IMAGE_SUFFIXES:
        return _read_image(base, data, progress)
    text, encoding = _decode(base, data)
    if _looks_binary(text):
        raise RejectedFile(base, "binary content, not a text document", "binary")
    return _Read(text, legacy_encoding=encoding)


def read_bytes(name: str, data: bytes, max_bytes: int, *, progress: Progress | None = None) -> RawDocument:
    """Read an uploaded or local file's bytes into a RawDocument, or raise RejectedFile.

    `progress(pages_done, pages_total)` is called after each OCR'd page (scanned PDFs, photos), from
    the calling thread; files without OCR never call it."""
    base = Path(name).name
    suffix = Path(base).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise RejectedFile(base, f"unsupported file type {suffix or '(none)'}; use .txt, .md, .docx, .doc, .pdf, "
                           ".png or .jpg", "unsupported")
    if not doc_id_for(base).strip(". "):
        raise RejectedFile(base, "the file name gives no document id", "bad_name")
    if len(data) > max_bytes:
        raise RejectedFile(base, _too_large(len(data), max_bytes), "too_large")
    if not data.strip():
        raise RejectedFile(base, "the file is empty", "empty")
    found = _read_format(base, suffix, data, progress)
    _check_words(base, found.text)  # before the whole-text passes below, which grow with it
    text, encoding = found.text, found.legacy_encoding
    if found.typed:
        text, converted = legacy_encoding.fix_legacy(text)
        encoding = encoding or converted
    text = normalize(text)
    if sum(ch.isalpha() for ch in text) < 20:
        raise RejectedFile(base, "the document has no readable text", "empty")
    confidences = list(found.ocr_pages.values())
    return RawDocument(
        doc_id=doc_id_for(base), name=base, text=text, format=suffix.lstrip("."), data=data,
        ocr=bool(confidences),
        ocr_confidence=round(sum(confidences) / len(confidences), 1) if confidences else None,
        low_confidence_pages=tuple(n for n, c in sorted(found.ocr_pages.items()) if c < ocr.LOW_CONFIDENCE),
        legacy_encoding=encoding)


def _check_words(name: str, text: str) -> None:
    """Refuse a text too long to parse and index in bounded time (see MAX_WORDS_PER_DOC)."""
    words = sum(1 for _ in re.finditer(r"\S+", text))
    if words > MAX_WORDS_PER_DOC:
        raise RejectedFile(name, f"the text has {words:,} words, over the {MAX_WORDS_PER_DOC:,} words one "
                           "document may have; split it into its parts", "too_long")


def check_extraction_size(facts: Facts, doc: Document) -> None:
    """Refuse a document that would add more deadlines or sections (passages to embed) than one directive
    plausibly has (MAX_DEADLINES_PER_DOC, MAX_SECTIONS_PER_DOC): raises RejectedFile `too_many_facts`.

    Called by the ingest right after extraction and before anything is stored, so a refused file
    changes nothing."""
    if len(facts.deadlines) > MAX_DEADLINES_PER_DOC:
        raise RejectedFile(doc.source_name or doc.doc_id, f"it has {len(facts.deadlines):,} deadlines, over the "
                           f"{MAX_DEADLINES_PER_DOC:,} one document may add", "too_many_facts")
    if len(doc.sections) > MAX_SECTIONS_PER_DOC:
        raise RejectedFile(doc.source_name or doc.doc_id, f"it has {len(doc.sections):,} sections, over the "
                           f"{MAX_SECTIONS_PER_DOC:,} one document may add", "too_many_facts")


def read_path(path: Path, max_bytes: int, *, progress: Progress | None = None) -> RawDocument:
    """Read a local file; its size is checked before it is loaded."""
    size = path.stat().st_size
    if size > max_bytes:
        raise RejectedFile(path.name, _too_large(size, max_bytes), "too_large")
    return read_bytes(path.name, path.read_bytes(), max_bytes, progress=progress)
