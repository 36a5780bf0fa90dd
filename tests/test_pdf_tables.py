"""PDF tables read as ` | ` rows (knowledge.pdf_text), so duty tables in PDFs give deadlines like .docx ones.

Why: provinces publish many plans only as PDF, and pypdf's flat text loses which agency and which
deadline belong to which row. The PDFs are built here with reportlab (fictional province Sơn Hà); they
need a TrueType font with Vietnamese glyphs (DejaVu Sans, Debian's fonts-dejavu-core), else the tests
that draw Vietnamese text skip.
"""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

import knowledge.pdf_text
from knowledge.extract import parse_and_extract
from knowledge.reader import RejectedFile, _pypdf_text, read_bytes
from knowledge.text import normalize

MB = 1024 * 1024
HEADER = ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
DUTIES = [
    ["1", "Khảo sát các bản làng có tiềm năng phát triển du lịch cộng đồng",
     "Sở Văn hóa, Thể thao và Du lịch", "UBND các xã", "Quý II/2026"],
    ["2", "Hỗ trợ hộ gia đình cải tạo nhà sàn để đón khách lưu trú", "",
     "Ngân hàng Chính sách xã hội tỉnh", "Tháng 9/2026"],
    ["3", "Giới thiệu sản phẩm du lịch của tỉnh trên Cổng thông tin điện tử",
     "Sở Khoa học và Công nghệ", "Sở Văn hóa, Thể thao và Du lịch", "Tháng 12/2026"],
]
OPENING = ["ỦY BAN NHÂN DÂN TỈNH SƠN HÀ", "Số: 18/KH-UBND", "Sơn Hà, ngày 12 tháng 01 năm 2026", "KẾ HOẠCH",
           "Phát triển du lịch cộng đồng ở các xã vùng cao năm 2026", "I. NHIỆM VỤ TRỌNG TÂM"]
CLOSING = ["II. TỔ CHỨC THỰC HIỆN",
           "Các cơ quan được giao nhiệm vụ chủ động phối hợp, gửi kết quả về Sở Văn hóa, Thể thao và Du lịch để "
           "tổng hợp."]


def _font_candidates() -> list[Path]:
    """Where DejaVu Sans lives: Debian/Ubuntu (fonts-dejavu-core), Arch/Fedora, fontconfig, matplotlib."""
    paths = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
             Path("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf"), Path("/usr/share/fonts/dejavu/DejaVuSans.ttf")]
    if shutil.which("fc-list"):
        out = subprocess.run(["fc-list", ":family=DejaVu Sans:style=Book", "file"], capture_output=True, text=True,
                             check=False).stdout
        paths += [Path(line.strip().rstrip(":")) for line in out.splitlines() if line.strip()]
    spec = importlib.util.find_spec("matplotlib")
    if spec and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            paths.append(Path(folder) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf")
    return paths


@pytest.fixture(scope="module")
def font() -> str:
    """Name of a registered reportlab font that draws Vietnamese (reportlab's own Vera lacks ơ, ư, ạ …)."""
    for path in _font_candidates():
        if path.name == "DejaVuSans.ttf" and path.is_file():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(path)))
            return "DejaVuSans"
    pytest.skip("no DejaVuSans.ttf (Debian: apt-get install fonts-dejavu-core)")


def _build(story: list[Flowable], number_font: str | None = None) -> bytes:
    """A4 PDF of the story; with `number_font`, each page's number drawn in its footer."""
    buf = io.BytesIO()

    def footer(c: canvas.Canvas, doc: SimpleDocTemplate) -> None:
        if number_font:
            c.setFont(number_font, 9)
            c.drawString(290, 20, str(doc.page))

    SimpleDocTemplate(buf, pagesize=A4).build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _style(font: str) -> ParagraphStyle:
    return ParagraphStyle("vn", fontName=font, fontSize=10, leading=13)


def _table(font: str, rows: list[list[str]], extra: list[tuple] | None = None, repeat: int = 0) -> Table:
    style = _style(font)
    table = Table([[Paragraph(c, style) for c in r] for r in rows], colWidths=[40, 165, 100, 100, 90],
                  repeatRows=repeat)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               *(extra or [])]))
    return table


def _plan_pdf(font: str) -> bytes:
    style = _style(font)
    return _build([*(Paragraph(t, style) for t in OPENING), Spacer(1, 6), _table(font, [HEADER, *DUTIES]),
                   Spacer(1, 6), *(Paragraph(t, style) for t in CLOSING)])


def _row(cells: list[str]) -> str:
    return " | ".join(c or " " for c in cells).rstrip()


def test_duty_table_reads_as_rows_between_the_paragraphs(font: str) -> None:
    raw = read_bytes("kh.pdf", _plan_pdf(font), 10 * MB)
    text = raw.text
    rows = [_row(r) for r in [HEADER, *DUTIES]]
    assert "\n".join(rows) in text, text
    assert text.index(OPENING[-1]) < text.index(rows[0]) and text.index(rows[-1]) < text.index(CLOSING[0])
    assert f"{OPENING[-1]}\n\n{rows[0]}" in text and f"{rows[-1]}\n\n{CLOSING[0]}" in text
    assert text.count(" | ") == 4 * len(rows)

    doc, facts = parse_and_extract(raw.doc_id, raw.text, raw.name, raw.format)
    assert doc.number == "18/KH-UBND"
    got = [(d.agencies, d.cooperating, d.due) for d in facts.deadlines]
    assert got == [
        (["Sở Văn hóa, Thể thao và Du lịch"], ["UBND các xã"], "2026-Q2"),
        ([], ["Ngân hàng Chính sách xã hội tỉnh"], "2026-09"),
        (["Sở Khoa học và Công nghệ"], ["Sở Văn hóa, Thể thao và Du lịch"], "2026-12"),
    ]
    assert [d.needs_review for d in facts.deadlines] == [False, True, False]


def test_merged_cells_repeat_down_and_collapse_across(font: str) -> None:
    """A lead cell merged over two rows belongs to both (as python-docx reads it); a cell merged across two
    columns is one cell, not two copies."""
    rows = [HEADER, *[list(r) for r in DUTIES]]
    rows[2][2] = ""  # covered by the merged cell above
    rows[3][4] = ""  # covered by the merged cooperating cell to its left
    data = _build([Paragraph(OPENING[-1], _style(font)),
                   _table(font, rows, [("SPAN", (2, 1), (2, 2)), ("SPAN", (3, 3), (4, 3))])])
    lines = read_bytes("gop-o.pdf", data, 10 * MB).text.split("\n")
    assert _row(DUTIES[0]) in lines
    assert _row(DUTIES[1][:2] + [DUTIES[0][2]] + DUTIES[1][3:]) in lines
    assert _row(DUTIES[2][:4]) in lines


def test_table_cut_by_a_page_break_stays_one_block(font: str) -> None:
    """Rows on the next page follow on (the page number between them dropped), so every row keeps the
    header's column roles even when the header is not repeated."""
    many = [[str(i), f"Kiểm tra tiến độ xây dựng nhà văn hóa thôn số {i}", "UBND huyện Mường Khoa",
             "Sở Xây dựng", f"Tháng {i % 12 + 1}/2026"] for i in range(1, 61)]
    style = _style(font)
    data = _build([*(Paragraph(t, style) for t in OPENING), _table(font, [HEADER, *many]),
                   Paragraph(CLOSING[0], style)], number_font=font)
    raw = read_bytes("nha-van-hoa.pdf", data, 10 * MB)
    rows = [_row(r) for r in [HEADER, *many]]
    assert "\n".join(rows) in raw.text
    _, facts = parse_and_extract(raw.doc_id, raw.text, raw.name, raw.format)
    assert len(facts.deadlines) == len(many)
    assert {d.agencies[0] for d in facts.deadlines} == {"UBND huyện Mường Khoa"}


def test_ruled_header_table_reads_as_plain_lines(font: str) -> None:
    """The two-column header (issuer | national motto, number | place and date) drawn with rules is layout:
    its cells become plain lines, the way docx_text reads the same table, so the header reader finds them."""
    style = _style(font)
    header = Table([[Paragraph("ỦY BAN NHÂN DÂN<br/>TỈNH SƠN HÀ", style),
                     Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br/>Độc lập - Tự do - Hạnh phúc", style)],
                    [Paragraph("Số: 18/KH-UBND", style), Paragraph("Sơn Hà, ngày 12 tháng 01 năm 2026", style)]],
                   colWidths=[200, 280])
    header.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    data = _build([header, Spacer(1, 8), *(Paragraph(t, style) for t in OPENING[3:]), _table(font, [HEADER, *DUTIES])])
    raw = read_bytes("kh-tieu-de.pdf", data, 10 * MB)
    assert raw.text.startswith("ỦY BAN NHÂN DÂN\nTỈNH SƠN HÀ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n")
    assert "\n\nSố: 18/KH-UBND\n\n" in raw.text
    assert raw.text.count(" | ") == 4 * (1 + len(DUTIES))
    doc, facts = parse_and_extract(raw.doc_id, raw.text, raw.name, raw.format)
    assert doc.number == "18/KH-UBND" and doc.issued_date is not None and doc.issued_date.isoformat() == "2026-01-12"
    assert len(facts.deadlines) == len(DUTIES)


def _plain_pdf(font: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    pages = [["ỦY BAN NHÂN DÂN TỈNH SƠN HÀ", "Số: 31/UBND-NN", "Sơn Hà, ngày 04 tháng 5 năm 2026",
              "V/v kiểm tra an toàn hồ chứa nước mùa mưa lũ",
              "1. Sở Nông nghiệp và Môi trường kiểm tra các hồ chứa nước trước ngày 30/6/2026.",
              "2. UBND các xã báo cáo hiện trạng đập tràn trước ngày 15/7/2026."],
             ["3. Sở Tài chính bố trí kinh phí sửa chữa khẩn cấp trước ngày 01/8/2026.", "Lò Văn Thắng"]]
    for lines in pages:
        c.setFont(font, 11)
        y = 800
        for line in lines:
            c.drawString(50, y, line)
            y -= 24
        c.showPage()
    c.save()
    return buf.getvalue()


def test_pdf_without_tables_reads_as_before(font: str) -> None:
    """Same lines as pypdf gave, and so the same facts (only runs of blank lines may differ)."""
    data = _plain_pdf(font)
    raw = read_bytes("cv-31.pdf", data, MB)
    before = normalize(_pypdf_text("cv-31.pdf", data))
    assert " | " not in raw.text
    assert [ln for ln in raw.text.split("\n") if ln.strip()] == [ln for ln in before.split("\n") if ln.strip()]
    _, facts = parse_and_extract(raw.doc_id, raw.text, raw.name, raw.format)
    _, facts_before = parse_and_extract(raw.doc_id, before, raw.name, raw.format)
    assert [(d.agencies, d.due) for d in facts.deadlines] == [(d.agencies, d.due) for d in facts_before.deadlines]
    assert [d.due for d in facts.deadlines] == ["2026-06-30", "2026-07-15", "2026-08-01"]


def test_pypdf_reads_when_pdfplumber_fails(font: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes) -> str:
        raise RuntimeError("pdfminer choked")

    data = _plain_pdf(font)
    with pytest.raises(TimeoutError):
        knowledge.pdf_text.pdf_text(data, budget_s=-1)  # a slow file gives up, and is read by pypdf like this
    monkeypatch.setattr(knowledge.pdf_text, "pdf_text", broken)
    assert read_bytes("cv-31.pdf", data, MB).text == normalize(_pypdf_text("cv-31.pdf", data))


def test_scanned_pdf_without_any_letters_is_rejected_after_ocr() -> None:
    """An image-only page (what a scanner makes) goes to OCR (tests/test_ocr_legacy.py); a picture with no
    letters on it is still `no_text`, now saying OCR found none."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (400, 300), 255)
    ImageDraw.Draw(image).rectangle((40, 40, 360, 120), fill=0)
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawInlineImage(image, 50, 400, 400, 300)
    c.rect(50, 50, 200, 200, fill=1)
    c.save()
    with pytest.raises(RejectedFile) as err:
        read_bytes("ban-scan.pdf", buf.getvalue(), MB)
    assert err.value.code == "no_text"
    assert str(err.value) == ("ban-scan.pdf: rejected: the PDF has no text layer and OCR recognised no text on "
                              "its scanned pages")


@pytest.mark.parametrize("data", [b"%PDF-1.7\n" + b"not really a pdf " * 50, b"%PDF-1.4\n1 0 obj\n<< /Type /Pages"])
def test_broken_pdf_is_rejected_as_binary(data: bytes) -> None:
    with pytest.raises(RejectedFile) as err:
        read_bytes("hong.pdf", data, MB)
    assert err.value.code == "binary"
    assert str(err.value) == "hong.pdf: rejected: not a readable PDF file"
