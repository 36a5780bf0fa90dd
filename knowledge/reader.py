"""Turn a directive file (.txt/.md, .docx, .pdf) into normalised text, or reject it.

Rejections carry an English message for operators (naming the file and the reason) and a
short reason code that the chat front end maps to Vietnamese.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from knowledge.text import normalize

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf")
MAX_DOC_ID = 120
_MAX_DOCX_UNZIPPED = 200 * 1024 * 1024
_MAX_DOCX_RATIO = 200


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


def decode_text(name: str, data: bytes) -> str:
    """Decode a plain-text directive: UTF-8 (with or without BOM), UTF-16, or legacy CP1258."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    sample = data[:4000]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if not _looks_binary(text) and _vietnamese_score(text) > 0.95:
                return text
        raise RejectedFile(name, "binary content, not a text document", "binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise RejectedFile(name, "not UTF-8, UTF-16 or Windows-1258 text", "binary") from exc
    if _looks_binary(text) or _vietnamese_score(text) < 0.97:
        raise RejectedFile(name, "binary content or unknown text encoding", "binary")
    return text


def _read_docx(name: str, data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
            packed = sum(info.compress_size for info in zf.infolist()) or 1
            if total > _MAX_DOCX_UNZIPPED or total / packed > _MAX_DOCX_RATIO:
                raise RejectedFile(name, "the .docx expands to an implausible size (zip bomb?)", "zip_bomb")
            if "word/document.xml" not in zf.namelist():
                raise RejectedFile(name, "not a Word document (word/document.xml missing)", "corrupt")
    except zipfile.BadZipFile as exc:
        raise RejectedFile(name, "not a valid .docx file (not a zip archive)", "binary") from exc
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
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise RejectedFile(name, "not a readable PDF file", "binary") from exc
    return "\n\n".join(pages)


# pdfminer writes `(cid:123)` for a glyph its font does not map to Unicode; pypdf reads some such fonts.
_UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _read_pdf(name: str, data: bytes) -> str:
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


def _too_large(size: int, max_bytes: int) -> str:
    """In MiB, like BOT_MAX_FILE_MB and the bot's own message (20 MB must not read "21 MB")."""
    mib = 1024 * 1024
    return f"file is {size / mib:.1f} MB, over the {round(max_bytes / mib, 2):g} MB limit"


def read_bytes(name: str, data: bytes, max_bytes: int) -> RawDocument:
    """Read an uploaded or local file's bytes into a RawDocument, or raise RejectedFile."""
    base = Path(name).name
    suffix = Path(base).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise RejectedFile(base, f"unsupported file type {suffix or '(none)'}; use .txt, .md, .docx or .pdf",
                           "unsupported")
    if not doc_id_for(base).strip(". "):
        raise RejectedFile(base, "the file name gives no document id", "bad_name")
    if len(data) > max_bytes:
        raise RejectedFile(base, _too_large(len(data), max_bytes), "too_large")
    if not data.strip():
        raise RejectedFile(base, "the file is empty", "empty")
    if suffix == ".docx":
        text = _read_docx(base, data)
    elif suffix == ".pdf":
        if not data.lstrip().startswith(b"%PDF"):
            raise RejectedFile(base, "not a PDF file (no %PDF header)", "binary")
        text = _read_pdf(base, data)
    else:
        text = decode_text(base, data)
        if _looks_binary(text):
            raise RejectedFile(base, "binary content, not a text document", "binary")
    text = normalize(text)
    if sum(ch.isalpha() for ch in text) < 20:
        raise RejectedFile(base, "the document has no readable text", "empty")
    return RawDocument(doc_id=doc_id_for(base), name=base, text=text, format=suffix.lstrip("."), data=data)


def read_path(path: Path, max_bytes: int) -> RawDocument:
    """Read a local file; its size is checked before it is loaded."""
    size = path.stat().st_size
    if size > max_bytes:
        raise RejectedFile(path.name, _too_large(size, max_bytes), "too_large")
    return read_bytes(path.name, path.read_bytes(), max_bytes)
