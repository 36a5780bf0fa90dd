"""Directives as offices really send them: scanned PDFs, phone photos, Word 97-2003 .doc, TCVN3/VNI text.

Why: the signed copy of a directive is usually a scan, older offices send .doc, and text typed with
.VnTime or VNI fonts reads as `Uû ban nh©n d©n`. Each must give the same facts as the clean text, and
bad input must be refused with a reason while nothing is stored. The inputs are made here (a directive
written for these tests, rendered with Pillow and DejaVu at 300 dpi); `.ci/run` installs Tesseract with
its Vietnamese model and LibreOffice, so none of these tests is skipped in CI.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import docx
import pytest
from rapidfuzz import fuzz

from benchmarks import ocr_samples
from bot import messages
from bot.config import Settings
from bot.library import ingest_bytes
from knowledge import legacy_doc, legacy_encoding, ocr
from knowledge.extract import parse_and_extract
from knowledge.reader import RawDocument, RejectedFile, read_bytes
from knowledge.store import FactStore
from knowledge.text import normalize
from tests.conftest_shared import CORPUS, EVAL, needs_shared

MB = 20 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[1]
# The README's figures ("Scans and legacy files"): share of characters of the text version that the OCR
# version has (rapidfuzz ratio, whitespace collapsed), and deadlines kept (same due time, same lead agency).
README_CHAR_MATCH = {"scan": 0.998, "photo": 0.995}
README_DEADLINES_KEPT = {"scan": 1.0, "photo": 1.0}

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="Tesseract (tesserocr + vie) missing: .ci/run installs it")
needs_soffice = pytest.mark.skipif(legacy_doc.soffice_path() is None, reason="LibreOffice missing: .ci/run installs it")


@cache
def _renders() -> dict[str, tuple[str, bytes]]:
    return {"scan": ("cv-215-scan.pdf", ocr_samples.scanned_pdf(1)),
            "photo": ("cv-215-anh.jpg", ocr_samples.photo_jpeg())}


@cache
def _read(kind: str) -> tuple[RawDocument, tuple[tuple[int, int], ...]]:
    calls: list[tuple[int, int]] = []
    name, data = _renders()[kind]
    raw = read_bytes(name, data, MB, progress=lambda done, total: calls.append((done, total)))
    return raw, tuple(calls)


def _deadlines(raw: RawDocument) -> set[tuple[str, str]]:
    _, facts = parse_and_extract(raw.doc_id, raw.text, raw.name, raw.format)
    return {(str(d.due), d.agencies[0] if d.agencies else "") for d in facts.deadlines}


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(" | ", " ")).strip()


def _text_version() -> RawDocument:
    return read_bytes("cv-215.txt", ocr_samples.text_version().encode("utf-8"), MB)


def test_the_text_version_gives_the_deadlines_written_into_it() -> None:
    assert _deadlines(_text_version()) == set(ocr_samples.DEADLINES)


@needs_ocr
@pytest.mark.parametrize("kind", ["scan", "photo"])
def test_scan_and_photo_read_like_the_text_version(kind: str) -> None:
    raw, calls = _read(kind)
    text = _text_version()
    match = fuzz.ratio(_flat(text.text), _flat(raw.text)) / 100
    assert match >= README_CHAR_MATCH[kind], f"{kind}: {match:.4f} of characters"
    expected = _deadlines(text)
    kept = len(expected & _deadlines(raw)) / len(expected)
    assert kept >= README_DEADLINES_KEPT[kind], _deadlines(raw) ^ expected
    assert raw.ocr and raw.ocr_confidence is not None and raw.ocr_confidence >= ocr.LOW_CONFIDENCE
    assert raw.low_confidence_pages == ()
    assert calls == ((1, 1),)
    assert raw.text == normalize(raw.text)  # NFC, tone placement like any other text


def _typed_page(line: str = "PHỤ LỤC: Sở Công Thương chủ trì tổng hợp kết quả, báo cáo trước ngày 10/9/2026.") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSerif", ocr_samples._font_path()))
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=A4)
    page.setFont("DejaVuSerif", 12)
    for n, part in enumerate(line.split("\n")):
        page.drawString(40, 780 - 20 * n, part)
    page.save()
    return buf.getvalue()


@needs_ocr
def test_a_pdf_with_typed_and_scanned_pages_reads_page_by_page() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in (ocr_samples.scanned_pdf(2), _typed_page()):
        for page in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    calls: list[tuple[int, int]] = []
    raw = read_bytes("cv-215-tron.pdf", buf.getvalue(), MB, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 2), (2, 2)]  # only the two scanned pages are OCR'd
    assert raw.ocr and raw.low_confidence_pages == ()
    assert raw.text.index("Trang 1/2") < raw.text.index("Trang 2/2") < raw.text.index("PHỤ LỤC: Sở Công Thương")
    assert ("2026-09-10", "Sở Công Thương") in _deadlines(raw)


def test_a_scan_longer_than_the_ocr_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "MAX_OCR_PAGES", 1)
    with pytest.raises(RejectedFile) as err:
        read_bytes("dai.pdf", ocr_samples.scanned_pdf(2), MB)
    assert err.value.code == "too_large" and "2 scanned pages" in err.value.reason


@needs_ocr
def test_ocr_runs_pages_on_both_cores_in_order() -> None:
    pages = list(ocr.pdf_pages_images(ocr_samples.scanned_pdf(3), [0, 1, 2]))
    found = ocr.recognise(pages, 3)
    assert [re.search(r"Trang (\d)/3", p.text).group(1) for p in found] == ["1", "2", "3"]


@needs_ocr
def test_scan_and_photo_go_through_the_cli_ingest(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in _renders().values():
        (folder / name).write_bytes(data)
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path / "data")}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    out = subprocess.run([sys.executable, "-m", "bot.cli", "ingest", str(folder)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    # The photo is the same directive as the scan (same issuer, number and date): read, then stored once.
    assert f"{len(ocr_samples.DEADLINES)} deadlines" in out.stdout, out.stdout
    assert (out.stdout + out.stderr).count(f"{len(ocr_samples.DEADLINES)} deadlines") == 2
    assert "cv-215-anh:" in out.stdout and "cv-215-scan.pdf:" in out.stderr and "new version of" in out.stderr
    store = FactStore(tmp_path / "data" / "facts.sqlite")
    assert len(store.documents()) == 1


def _docx_with_table() -> bytes:
    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN TỈNH SƠN HÀ")
    document.add_paragraph("Sở Tài chính chủ trì, phối hợp với Sở Xây dựng tham mưu phân bổ vốn, trình Ủy ban "
                           "nhân dân tỉnh trước ngày 15/3/2026.")
    table = document.add_table(rows=3, cols=3)
    rows = [["TT", "Nội dung", "Cơ quan chủ trì"], ["1", "Rà soát tiêu chí xã nông thôn mới", "Sở Y tế"],
            ["2", "Lập quy hoạch chung xây dựng xã", "Sở Xây dựng"]]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("Yêu cầu các cơ quan nghiêm túc thực hiện./.")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@cache
def _doc_bytes() -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "cv.docx").write_bytes(_docx_with_table())
        subprocess.run([legacy_doc.soffice_path() or "soffice", f"-env:UserInstallation={Path(tmp, 'p').as_uri()}",
                        "--headless", "--convert-to", "doc", "--outdir", tmp, str(Path(tmp, "cv.docx"))],
                       check=True, capture_output=True, timeout=180)
        return Path(tmp, "cv.doc").read_bytes()


@needs_soffice
def test_a_word_97_doc_reads_back_with_its_text_and_table() -> None:
    data = _doc_bytes()
    assert legacy_doc.kind(data) == "ole"
    raw = read_bytes("cv-cu.doc", data, MB)
    assert raw.format == "doc" and not raw.ocr
    assert "Sở Tài chính chủ trì, phối hợp với Sở Xây dựng tham mưu phân bổ vốn" in raw.text
    assert "1 | Rà soát tiêu chí xã nông thôn mới | Sở Y tế" in raw.text
    assert "2 | Lập quy hoạch chung xây dựng xã | Sở Xây dựng" in raw.text
    assert ("2026-03-15", "Sở Tài chính") in _deadlines(raw)


def test_without_libreoffice_a_doc_is_refused_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(legacy_doc, "soffice_path", lambda: None)
    with pytest.raises(RejectedFile) as err:
        read_bytes("cv-cu.doc", legacy_doc.OLE2_MAGIC + b"\0" * 600, MB)
    assert err.value.code == "doc_unavailable" and "libreoffice" in err.value.reason.lower()


# Written for these tests (not from any shared file): capitals only where TCVN3 has them (ASCII and the
# seven base letters), since .VnTime has no toned capitals.
LEGACY_TEXT = ("Uỷ ban nhân dân tỉnh Sơn Hà yêu cầu Sở Tài chính chủ trì, phối hợp với Sở Xây dựng rà soát "
               "kế hoạch vốn đầu tư công, báo cáo trước ngày 15/3/2026.\nSở Y tế kiểm tra an toàn thực phẩm "
               "tại các chợ, hoàn thành trong tháng 6 năm 2026; Đoàn kiểm tra gửi kết quả về Văn phòng.\n"
               "Ăn ở, đường xá, ước lượng, khuyến nông, quyết định, nghiêm túc, thuỷ lợi, Ơn nghĩa, Ưu tiên.\n")
VNI_EXTRA = "ỦY BAN NHÂN DÂN TỈNH SƠN HÀ\nĐỘC LẬP - TỰ DO - HẠNH PHÚC; Ẳng, ẳng, Ỵ, ỵ, Ợ.\n"


@pytest.mark.parametrize("encoding,text", [("tcvn3", LEGACY_TEXT), ("vni", VNI_EXTRA + LEGACY_TEXT)])
def test_tcvn3_and_vni_text_decodes_to_the_original(encoding: str, text: str) -> None:
    surface = legacy_encoding.encode(text, encoding)
    assert surface != text and legacy_encoding.detect(surface) == encoding
    assert normalize(legacy_encoding.fix_legacy(surface)[0]) == normalize(text)
    # As the bytes of an old .txt file, and as a UTF-8 file holding the look-alike characters:
    for data in (surface.encode("cp1252"), surface.encode("utf-8")):
        raw = read_bytes("cu.txt", data, MB)
        assert raw.text == normalize(text) and raw.legacy_encoding == encoding


def test_a_tcvn3_docx_and_its_capital_headings_become_unicode() -> None:
    document = docx.Document()
    document.add_paragraph("UBND TØNH S¥N Hµ")
    document.add_paragraph(legacy_encoding.encode(LEGACY_TEXT.split("\n")[0], "tcvn3"))
    buf = io.BytesIO()
    document.save(buf)
    raw = read_bytes("cu.docx", buf.getvalue(), MB)
    assert raw.legacy_encoding == "tcvn3"
    assert raw.text.split("\n\n")[:2] == ["UBND TỈNH SƠN Hà", normalize(LEGACY_TEXT.split("\n")[0])]


def test_a_pdf_typed_in_tcvn3_reads_as_unicode() -> None:
    """A PDF printed from a .VnTime document carries the look-alike characters in its text layer."""
    lines = LEGACY_TEXT.split("\n")[:2]
    raw = read_bytes("cu.pdf", _typed_page(legacy_encoding.encode("\n".join(lines), "tcvn3")), MB)
    assert raw.legacy_encoding == "tcvn3" and not raw.ocr
    assert normalize(lines[1]) in raw.text


UNICODE_SAMPLES = [
    normalize(LEGACY_TEXT),
    ocr_samples.text_version(),
    "Bà Lê Thị Tô nói: «Ông Tô về quê». Nhiệt độ 30°C, giá 1.500 ₫ © 2026.",
    "Report to the Committee before 15 March 2026; café, naïve, Müller, © WHO.",
    "Tô Lâm\nBà Lê\nÔng Tô\nÊ-đê\n",
]


@pytest.mark.parametrize("text", UNICODE_SAMPLES)
def test_unicode_text_is_never_touched(text: str) -> None:
    import unicodedata

    for form in (text, unicodedata.normalize("NFD", text)):
        assert legacy_encoding.fix_legacy(form) == (form, None)


@needs_shared
def test_the_shared_directives_come_out_unchanged() -> None:
    files = sorted(CORPUS.glob("*.txt")) + sorted((EVAL / "real_docs" / "files").glob("*.docx"))
    assert files
    for path in files:
        raw = read_bytes(path.name, path.read_bytes(), MB)
        assert raw.legacy_encoding is None, path.name
        assert legacy_encoding.fix_legacy(raw.text) == (raw.text, None), path.name


def _locked_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_typed_page())))
    writer.encrypt("mat-khau-2026")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _bad_inputs() -> list[tuple[str, bytes, str, bool]]:
    """(name, bytes, code, needs OCR)."""
    return [
        ("trang-trang.png", ocr_samples.blank_png(), "no_text", True),
        ("khoa.pdf", _locked_pdf(), "encrypted", False),
        ("hong.doc", legacy_doc.OLE2_MAGIC + bytes(range(256)) * 40, "corrupt", False),
        ("khong-phai.doc", b"just some bytes that are no Word file " * 20, "binary", False),
        ("hong.jpg", b"\xff\xd8\xff\xe0 not really a jpeg " * 40, "corrupt", False),
    ]


@pytest.mark.parametrize("name,data,code,uses_ocr", _bad_inputs())
def test_bad_input_is_refused_with_a_reason_and_changes_nothing(tmp_path: Path, name: str, data: bytes,
                                                                code: str, uses_ocr: bool) -> None:
    if uses_ocr and not ocr.available():
        pytest.skip("Tesseract missing: .ci/run installs it")
    if name.endswith(".doc") and code == "corrupt" and legacy_doc.soffice_path() is None:
        pytest.skip("LibreOffice missing: .ci/run installs it")
    settings = Settings(data_dir=tmp_path / "data")
    ingest_bytes(settings, "cv-215.txt", ocr_samples.text_version().encode("utf-8"))
    store = FactStore(settings.store_target)
    before = [dict(d) for d in store.documents()]
    with pytest.raises(RejectedFile) as err:
        ingest_bytes(settings, name, data)
    assert err.value.code == code
    assert str(err.value).startswith(f"{name}: rejected: ") and err.value.reason.isascii()
    assert code in messages.REJECT_REASONS
    assert [dict(d) for d in FactStore(settings.store_target).documents()] == before


def test_without_tesseract_scans_are_refused_and_text_still_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "tessdata_dir", lambda: None)
    for name, data in (("scan.pdf", ocr_samples.scanned_pdf(1)), ("anh.jpg", ocr_samples.photo_jpeg())):
        with pytest.raises(RejectedFile) as err:
            read_bytes(name, data, MB)
        assert err.value.code == "ocr_unavailable"
        assert "apt-get install tesseract-ocr tesseract-ocr-vie" in err.value.reason
    assert _deadlines(_text_version()) == set(ocr_samples.DEADLINES)


def test_new_reject_codes_have_vietnamese_chat_messages() -> None:
    for code in ("encrypted", "ocr_unavailable", "doc_unavailable", "no_text"):
        assert "anh/chị" in messages.REJECT_REASONS[code].lower()
