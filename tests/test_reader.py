"""Reading files: formats, encodings, normalisation, and every rejection case."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from bot.config import Settings
from bot.library import ingest_bytes
from knowledge.reader import RejectedFile, read_bytes
from knowledge.store import FactStore
from knowledge.text import fold, normalize

MB = 1024 * 1024
TONES = "\u0300\u0301\u0303\u0309\u0323"
SAMPLE = ("UBND TỈNH SƠN HÀ\n\nSố: 12/UBND-KT\n\nSơn Hà, ngày 02 tháng 12 năm 2026\n\nV/v báo cáo giải ngân\n\n"
          "1. Sở Tài chính báo cáo UBND tỉnh trước ngày 20/12/2026.\n\n2. Kho bạc Nhà nước tỉnh định kỳ trước ngày "
          "5 hàng tháng báo cáo tiến độ giải ngân.\n\nTrần Minh Khang\n")


def test_normalise_tone_placement_and_fold() -> None:
    assert normalize("hoà bình, thuỷ lợi, Uỷ ban") == "hòa bình, thủy lợi, Ủy ban"
    assert normalize("quý II") == "quý II"
    assert fold("Sở Kế hoạch và Đầu tư") == "so ke hoach va dau tu"


def _cp1258(text: str) -> bytes:
    """Windows-1258 as legacy editors wrote it: base letter plus a combining tone mark."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tone = "".join(c for c in parts if c in TONES)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return out


def test_utf16_and_cp1258_are_decoded() -> None:
    assert "Sở Tài chính" in read_bytes("a.txt", SAMPLE.encode("utf-16"), MB).text
    raw = read_bytes("b.txt", _cp1258(SAMPLE), MB)
    assert "Sở Tài chính" in raw.text


@pytest.mark.parametrize(("name", "data", "code"), [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"   \n  ", "empty"),
    ("bin.txt", bytes(range(256)) * 40, "binary"),
    ("bin.pdf", b"\x00\x01garbage" * 100, "binary"),
    ("bin.docx", b"PK\x03\x04notazip" * 50, "binary"),
    ("big.txt", b"a" * (2 * MB), "too_large"),
    ("x.exe", b"MZ....", "unsupported"),
])
def test_bad_files_are_rejected_with_a_reason(name: str, data: bytes, code: str) -> None:
    with pytest.raises(RejectedFile) as err:
        read_bytes(name, data, MB)
    assert err.value.code == code
    assert name in str(err.value)


def test_docx_zip_bomb_is_rejected() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"0" * (50 * MB))
    with pytest.raises(RejectedFile) as err:
        read_bytes("bomb.docx", buf.getvalue(), 20 * MB)
    assert err.value.code == "zip_bomb"


def test_pdf_without_text_layer_is_rejected() -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(50, 50, 200, 200, fill=1)
    c.save()
    with pytest.raises(RejectedFile) as err:
        read_bytes("scan.pdf", buf.getvalue(), MB)
    assert err.value.code == "no_text"


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def test_docx_round_trip_and_idempotent_reingest(tmp_path: Path) -> None:
    document = docx.Document()
    for para in SAMPLE.split("\n\n"):
        document.add_paragraph(para)
    buf = io.BytesIO()
    document.save(buf)
    settings = _settings(tmp_path)
    first = ingest_bytes(settings, "son-ha-cv-12.docx", buf.getvalue(), index=False)
    again = ingest_bytes(settings, "son-ha-cv-12.docx", buf.getvalue(), index=False)
    assert first.deadlines == 2 and first.number == "12/UBND-KT" and first.changed and not again.changed
    store = FactStore(settings.store_target)
    assert len(store.deadlines()) == 2
    assert store.document("son-ha-cv-12")["signer"] == "Trần Minh Khang"


def _vietnamese_font() -> str | None:
    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                 "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"):
        if Path(path).exists():
            return path
    return None


def test_pdf_round_trip(tmp_path: Path) -> None:
    font = _vietnamese_font()
    if font is None:
        pytest.skip("no TrueType font with Vietnamese glyphs on this machine")
    pdfmetrics.registerFont(TTFont("VN", font))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("VN", 10)
    y = 800
    for para in SAMPLE.split("\n\n"):
        c.drawString(40, y, para.strip())
        y -= 30
    c.save()
    settings = _settings(tmp_path)
    report = ingest_bytes(settings, "son-ha-pdf.pdf", buf.getvalue(), index=False)
    assert report.deadlines == 2


def test_rejected_upload_changes_nothing(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ingest_bytes(settings, "son-ha-cv-12.txt", SAMPLE.encode(), index=False)
    before = FactStore(settings.store_target).documents()
    with pytest.raises(RejectedFile):
        ingest_bytes(settings, "son-ha-cv-12.txt", b"\x00\xff" * 500)
    assert FactStore(settings.store_target).documents() == before
    assert not any(p for p in settings.data_dir.rglob("*") if ".." in p.name)
