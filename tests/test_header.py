"""Directive headers and signatures as offices lay them out (issue 16): text exports, .docx header and
signature tables, a `V/v` subject in a text box, news items, and the gold header fields of the real
documents. Every header here is invented (names, numbers and dates are not those of real documents)."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import etree

from knowledge.model import Document
from knowledge.reader import read_bytes
from knowledge.structure import parse_document

SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL_DOCS = SHARED / "eval" / "real_docs"
MB = 1024 * 1024


def _parse(text: str) -> Document:
    return parse_document("t", text)


def _docx(document: Any, name: str = "vb.docx") -> tuple[str, Document]:
    """Save a python-docx document, read it back as an upload would be, and parse it."""
    buf = io.BytesIO()
    document.save(buf)
    raw = read_bytes(name, buf.getvalue(), 10 * MB)
    return raw.text, parse_document(raw.doc_id, raw.text, raw.name, "docx")


# --- text headers -----------------------------------------------------------------------------------


def test_the_number_ends_at_its_line_and_the_subject_follows() -> None:
    doc = _parse(
        "UBND TỈNH HÀ NAM\nSố: 951/UBND-TH\nV/v báo cáo tình hình giải ngân\nvốn đầu tư công năm 2024\n"
        "Hà Nam, ngày 05 tháng 3 năm 2024\n\nKính gửi:\n- Sở Tài chính;\n- Kho bạc Nhà nước khu vực IV.\n\n"
        "Đề nghị các đơn vị báo cáo UBND tỉnh trước ngày 15/3/2024.\n"
    )
    assert doc.number == "951/UBND-TH"
    assert doc.title == "báo cáo tình hình giải ngân vốn đầu tư công năm 2024"
    assert doc.type == "Công văn"  # `UBND-TH` names no type; the V/v line makes it a công văn
    assert (doc.issuer, doc.province, doc.place) == ("UBND tỉnh Hà Nam", "Hà Nam", "Hà Nam")
    assert doc.issued_date == date(2024, 3, 5)
    assert doc.addressees == ["Sở Tài chính", "Kho bạc Nhà nước khu vực IV"]
    assert doc.sections[0].text.startswith("Đề nghị các đơn vị")


def test_a_subject_without_a_blank_line_before_the_body_leaves_the_body_whole() -> None:
    doc = _parse("UBND TỈNH PHÚ THỌ\nSố: 77/UBND-KT\nPhú Thọ, ngày 3 tháng 9 năm 2025\nV/v rà soát đê điều\n"
                 "Để chủ động phòng chống lụt bão trong mùa mưa năm 2025, UBND tỉnh yêu cầu:\n"
                 "1. Sở Nông nghiệp và Môi trường kiểm tra đê điều trước ngày 30/9/2025.\n")
    assert doc.title == "rà soát đê điều"
    assert doc.sections[0].text.startswith("Để chủ động phòng chống lụt bão")


def test_an_inline_addressee_does_not_take_the_body_with_it() -> None:
    doc = _parse("UBND TỈNH AN GIANG\nSố: 3/UBND-KT\nAn Giang, ngày 2 tháng 3 năm 2025\nKính gửi: Sở Y tế\n"
                 "Thực hiện chỉ đạo của Thủ tướng, UBND tỉnh đề nghị Sở Y tế báo cáo trước ngày 10/3/2025.\n")
    assert doc.addressees == ["Sở Y tế"]
    assert doc.sections[0].text.startswith("Thực hiện chỉ đạo")


def test_a_draft_number_still_gives_the_type_and_a_blank_day_gives_only_the_year() -> None:
    doc = _parse(
        "ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố:     /KH-UBND\n\nLâm Đồng, ngày      tháng 4 năm 2026\n\n"
        "KẾ HOẠCH\nTổ chức tháng hành động vì an toàn thực phẩm\n\nnăm 2026 trên địa bàn tỉnh\n\n"
        "I. MỤC ĐÍCH, YÊU CẦU\n\n1. Nâng cao nhận thức của người dân.\n"
    )
    assert doc.number is None and doc.type == "Kế hoạch"
    assert (doc.issued_date, doc.year_hint, doc.place) == (None, 2026, "Lâm Đồng")
    assert doc.issuer == "UBND tỉnh Lâm Đồng"
    assert doc.title == "Tổ chức tháng hành động vì an toàn thực phẩm năm 2026 trên địa bàn tỉnh"
    assert doc.sections[0].text == "I. MỤC ĐÍCH, YÊU CẦU"


@pytest.mark.parametrize(("number_line", "extra", "want"), [
    ("Số: 14/TB-UBND", "", "Thông báo"),
    ("Số: 9/BC-UBND", "", "Báo cáo"),
    ("Số: 301/QĐ-UBND", "", "Quyết định"),
    ("Số: 2/CT-UBND", "", "Chỉ thị"),
    ("Số: 45/TTr-SNV", "", "Tờ trình"),
    ("Số: 6/HD-SYT", "", "Hướng dẫn"),
    ("Số: 12/NQ-HĐND", "", "Nghị quyết"),
    ("Số:    /UBND-VX", "Kính gửi: Sở Y tế\n\n", "Công văn"),
    ("Số: 88/UBND-VX", "", None),  # neither a type code, a V/v line nor Kính gửi
])
def test_type_from_the_number_code(number_line: str, extra: str, want: str | None) -> None:
    doc = _parse(f"UBND TỈNH BẾN TRE\n\n{number_line}\n\nBến Tre, ngày 2 tháng 6 năm 2025\n\n{extra}"
                 "Các đơn vị triển khai thực hiện nghiêm túc nội dung trên.\n")
    assert doc.type == want


@pytest.mark.parametrize(("line", "want"), [
    ("KẾ HOẠCH", "Kế hoạch"), ("THÔNG BÁO", "Thông báo"), ("BÁO CÁO", "Báo cáo"), ("QUYẾT ĐỊNH", "Quyết định"),
    ("CHỈ THỊ", "Chỉ thị"), ("NGHỊ QUYẾT", "Nghị quyết"), ("TỜ TRÌNH", "Tờ trình"), ("HƯỚNG DẪN", "Hướng dẫn"),
    ("CÔNG VĂN", "Công văn"),
])
def test_type_from_the_title_line(line: str, want: str) -> None:
    doc = _parse(f"UBND TỈNH SÓC TRĂNG\n\nSố: 5/UBND\n\nSóc Trăng, ngày 1 tháng 2 năm 2025\n\n{line}\n"
                 "Về công tác quản lý chợ\n\nCăn cứ Luật Tổ chức chính quyền địa phương;\n")
    assert doc.type == want
    assert doc.title == "Về công tác quản lý chợ"
    assert doc.sections[0].text.startswith("Căn cứ")


def test_a_conclusion_notice_is_a_thong_bao_whose_title_runs_over_blocks() -> None:
    doc = _parse(
        "ỦY BAN NHÂN DÂN\nTỈNH TRÀ VINH\nSố: 120/TB-UBND\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\nTrà Vinh, ngày 7 tháng 5 năm 2025\n\nTHÔNG BÁO\n\n"
        "Kết luận của đồng chí Lâm Hữu Tài - Phó Chủ tịch UBND tỉnh,\n\nTrưởng Ban Chỉ đạo tại cuộc họp\n\n"
        "về tiến độ xây dựng cầu Long Bình\n\nNgày 5/5/2025, đồng chí Lâm Hữu Tài chủ trì cuộc họp.\n"
    )
    assert (doc.type, doc.number, doc.place) == ("Thông báo", "120/TB-UBND", "Trà Vinh")
    assert doc.title == ("Kết luận của đồng chí Lâm Hữu Tài - Phó Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo "
                         "tại cuộc họp về tiến độ xây dựng cầu Long Bình")
    assert doc.sections[0].text.startswith("Ngày 5/5/2025")


@pytest.mark.parametrize(("org", "issuer", "province"), [
    ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG", "UBND tỉnh Lâm Đồng", "Lâm Đồng"),
    ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI", "UBND thành phố Hà Nội", "Hà Nội"),
    ("UBND TỈNH NINH BÌNH\nSỞ TÀI CHÍNH", "Sở Tài chính tỉnh Ninh Bình", "Ninh Bình"),
    ("UBND TỈNH KHÁNH HÒA\nSỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "Sở Văn hóa, Thể thao và Du lịch tỉnh Khánh Hòa",
     "Khánh Hòa"),
    ("UBND TỈNH GIA LAI\nBAN CHỈ ĐẠO CÁC CHƯƠNG TRÌNH\nMỤC TIÊU QUỐC GIA",
     "Ban Chỉ đạo các chương trình mục tiêu quốc gia tỉnh Gia Lai", "Gia Lai"),
    ("UBND TỈNH LÀO CAI\nBAN CHỈ ĐẠO PHÁT TRIỂN KHOA HỌC, CÔNG NGHỆ,\nCHUYỂN ĐỔI SỐ VÀ ĐỀ ÁN 06",
     "Ban Chỉ đạo phát triển khoa học, công nghệ, chuyển đổi số và Đề án 06 tỉnh Lào Cai", "Lào Cai"),
    ("BỘ NÔNG NGHIỆP VÀ\nPHÁT TRIỂN NÔNG THÔN", "Bộ Nông nghiệp và Phát triển nông thôn", None),
    ("UBND XÃ TÂN LẬP", "UBND xã Tân Lập", None),
    ("UBND TỈNH QUẢNG NGÃI\nVĂN PHÒNG", "Văn phòng UBND tỉnh Quảng Ngãi", "Quảng Ngãi"),
])
def test_issuer_from_the_header_column(org: str, issuer: str, province: str | None) -> None:
    place = "Hà Nội" if org.startswith("BỘ") else "Tân Lập"
    doc = _parse(f"{org}\n\nSố: 31/KH-XX\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
                 f"{place}, ngày 4 tháng 11 năm 2025\n\nKẾ HOẠCH\nKiểm tra công tác năm 2026\n\n"
                 "I. MỤC ĐÍCH\n")
    assert (doc.issuer, doc.province) == (issuer, province)


def test_a_flattened_two_column_header() -> None:
    doc = _parse(
        "ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "TỈNH QUẢNG TRỊ          Độc lập - Tự do - Hạnh phúc\n"
        "Số: 37/BC-UBND          Quảng Trị, ngày 9 tháng 10 năm 2025\n\n"
        "BÁO CÁO\nKết quả thực hiện nhiệm vụ quý III năm 2025\n\nI. KẾT QUẢ\n"
    )
    assert (doc.issuer, doc.number, doc.type) == ("UBND tỉnh Quảng Trị", "37/BC-UBND", "Báo cáo")
    assert (doc.place, doc.issued_date) == ("Quảng Trị", date(2025, 10, 9))
    assert doc.title == "Kết quả thực hiện nhiệm vụ quý III năm 2025"


def test_a_decision_without_header_column_takes_the_issuer_from_its_authority_line() -> None:
    doc = _parse("QUYẾT ĐỊNH\nVề việc phê duyệt danh mục dự án\n\nCHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH HẬU GIANG\n\n"
                 "Căn cứ Luật Đầu tư công;\n\nQUYẾT ĐỊNH:\n\nĐiều 1. Phê duyệt danh mục.\n")
    assert (doc.type, doc.title, doc.issuer) == ("Quyết định", "Về việc phê duyệt danh mục dự án",
                                                 "UBND tỉnh Hậu Giang")
    assert doc.sections[0].text.startswith("Căn cứ")


# --- signatures -------------------------------------------------------------------------------------

_BODY = ("UBND TỈNH BÌNH PHƯỚC\n\nSố: 40/UBND-TH\n\nBình Phước, ngày 8 tháng 1 năm 2026\n\nV/v tổng kết năm\n\n"
         "1. Các sở, ngành báo cáo kết quả trước ngày 20/01/2026.\n\n2. Sở Nội vụ tổng hợp chung.\n\n")


@pytest.mark.parametrize(("signature", "signer", "title"), [
    ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\n\n\nTrịnh Văn Quang", "Trịnh Văn Quang", "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"),
    ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\nHà Thị Ngọc Lan", "Hà Thị Ngọc Lan", "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH"),
    ("TL. CHỦ TỊCH\nKT. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG\n\n\n     Đinh Công Sơn", "Đinh Công Sơn",
     "TL. CHỦ TỊCH / KT. CHÁNH VĂN PHÒNG / PHÓ CHÁNH VĂN PHÒNG"),
])
def test_signer_after_the_recipients(signature: str, signer: str, title: str) -> None:
    doc = _parse(_BODY + "Nơi nhận:\n- Như trên;\n- Chủ tịch, các PCT UBND tỉnh;\n- Lưu: VT.\n\n" + signature + "\n")
    assert (doc.signer, doc.signer_title) == (signer, title)
    assert doc.recipients == ["Như trên", "Chủ tịch, các PCT UBND tỉnh", "Lưu: VT"]
    assert doc.sections[-1].text == "2. Sở Nội vụ tổng hợp chung."


def test_signature_before_the_recipients_and_an_appendix_after() -> None:
    doc = _parse(_BODY + "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nTrịnh Văn Quang\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\n"
                 "Phụ lục\n\nDANH SÁCH ĐƠN VỊ\n\nTT | Đơn vị\n1 | Sở Y tế\n")
    assert (doc.signer, doc.signer_title) == ("Trịnh Văn Quang", "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH")
    assert doc.recipients == ["Như trên", "Lưu: VT"]


def test_a_byline_is_no_signer_and_a_news_item_gives_the_directive_it_reports() -> None:
    doc = _parse(
        "Yên Bái chỉ đạo đẩy nhanh giải ngân vốn đầu tư công\n\n22/05/2025 09:15\n\n"
        "UBND tỉnh vừa ban hành Công văn số 846/UBND-TH ngày 21/5 về việc đẩy nhanh tiến độ giải ngân vốn đầu tư "
        "công trên địa bàn tỉnh Yên Bái. Theo đó, các sở, ngành báo cáo trước ngày 30/5.\n\nMinh Châu\n"
    )
    assert (doc.type, doc.number, doc.issued_date) == ("Công văn", "846/UBND-TH", date(2025, 5, 21))
    assert doc.signer is None
    assert doc.sections[0].text.startswith("Yên Bái chỉ đạo")


def test_a_news_item_with_the_date_first() -> None:
    doc = _parse("Triển khai tháng hành động vì an toàn thực phẩm\n\nNgày 21/4, UBND tỉnh ban hành Kế hoạch số "
                 "12/KH-UBND triển khai tháng hành động vì an toàn thực phẩm năm 2025 trên địa bàn tỉnh Bắc Ninh.\n")
    assert (doc.type, doc.number, doc.issued_date) == ("Kế hoạch", "12/KH-UBND", date(2025, 4, 21))
    assert (doc.issuer, doc.province) == ("UBND tỉnh Bắc Ninh", "Bắc Ninh")


# --- .docx layout -----------------------------------------------------------------------------------


def _fill(cell: Any, lines: list[str]) -> None:
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def test_docx_header_table_and_signature_table() -> None:
    document = docx.Document()
    header = document.add_table(rows=1, cols=2)
    _fill(header.cell(0, 0), ["ỦY BAN NHÂN DÂN", "TỈNH KON TUM", "", "Số: 215/KH-UBND"])
    _fill(header.cell(0, 1), ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
                              "Kon Tum, ngày 12 tháng 8 năm 2025"])
    for text in ["KẾ HOẠCH", "Phòng, chống dịch bệnh trên cây cà phê", "niên vụ 2025 - 2026",
                 "I. MỤC ĐÍCH, YÊU CẦU",
                 "1. Sở Nông nghiệp và Môi trường chủ trì tổ chức điều tra dịch bệnh trước ngày 30/9/2025."]:
        document.add_paragraph(text)
    signature = document.add_table(rows=1, cols=2)
    _fill(signature.cell(0, 0), ["Nơi nhận:", "- Như trên;", "- Lưu: VT, NN."])
    _fill(signature.cell(0, 1), ["TL. CHỦ TỊCH", "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "", "", "",
                                 "   Đoàn Minh Tâm"])
    _, doc = _docx(document, "kh-215.docx")
    assert (doc.type, doc.number, doc.issuer, doc.province) == ("Kế hoạch", "215/KH-UBND", "UBND tỉnh Kon Tum",
                                                                "Kon Tum")
    assert (doc.place, doc.issued_date) == ("Kon Tum", date(2025, 8, 12))
    assert doc.title == "Phòng, chống dịch bệnh trên cây cà phê niên vụ 2025 - 2026"
    assert doc.signer == "Đoàn Minh Tâm"
    assert doc.signer_title == "TL. CHỦ TỊCH / KT. CHÁNH VĂN PHÒNG / PHÓ CHÁNH VĂN PHÒNG"
    assert doc.recipients == ["Như trên", "Lưu: VT, NN"]
    assert [s.text.split(" ")[0] for s in doc.sections] == ["I.", "1."]  # the title is not body


_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
}


def _q(tag: str) -> str:
    prefix, local = tag.split(":")
    return f"{{{_NS[prefix]}}}{local}"


def _chain(parent: Any, *tags: str) -> Any:
    for tag in tags:
        parent = etree.SubElement(parent, _q(tag))
    return parent


def _text_box_content(parent: Any, lines: list[str]) -> None:
    box = _chain(parent, "w:txbxContent")
    for line in lines:
        _chain(box, "w:p", "w:r", "w:t").text = line


def _add_text_box(paragraph: Any, lines: list[str]) -> None:
    """A Word text box: the DrawingML shape (mc:Choice) and its VML copy for old readers (mc:Fallback)."""
    alternate = _chain(paragraph._p, "w:r", "mc:AlternateContent")
    choice = _chain(alternate, "mc:Choice")
    choice.set("Requires", "wps")
    data = _chain(choice, "w:drawing", "wp:anchor", "a:graphic", "a:graphicData")
    data.set("uri", _NS["wps"])
    _text_box_content(_chain(data, "wps:wsp", "wps:txbx"), lines)
    _text_box_content(_chain(alternate, "mc:Fallback", "w:pict", "v:shape", "v:textbox"), lines)


def test_docx_subject_in_a_text_box_and_a_signature_table_nested_in_a_cell() -> None:
    document = docx.Document()
    header = document.add_table(rows=1, cols=2)
    _fill(header.cell(0, 0), ["UBND TỈNH ĐẮK LẮK", "BAN CHỈ ĐẠO PHÒNG, CHỐNG THIÊN TAI", "VÀ TÌM KIẾM CỨU NẠN",
                              "Số: 41/BCĐ", ""])
    _add_text_box(header.cell(0, 0).paragraphs[-1], ["V/v chuẩn bị ứng phó", "mùa mưa bão năm 2025"])
    _fill(header.cell(0, 1), ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                              "Đắk Lắk, ngày      tháng 9 năm 2025"])
    for text in ["Kính gửi:", "- Các sở, ban, ngành thuộc tỉnh;", "- UBND các xã, phường.",
                 "Ban Chỉ đạo đề nghị các đơn vị rà soát phương án trước ngày 15/9/2025./."]:
        document.add_paragraph(text)
    wrapper = document.add_table(rows=1, cols=2)  # a one-cell wrapper holding the real signature table
    nested = wrapper.cell(0, 0).add_table(rows=1, cols=2)
    _fill(nested.cell(0, 0), ["Nơi nhận:", "- Như trên;", "- Lưu: VT."])
    _fill(nested.cell(0, 1), ["KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "", "PHÓ CHỦ TỊCH UBND TỈNH", "Y Ngọc Niê Kđăm"])
    text, doc = _docx(document, "cv-41.docx")
    assert text.count("V/v chuẩn bị ứng phó") == 1  # the VML fallback copy is not read again
    assert (doc.type, doc.number, doc.title) == ("Công văn", "41/BCĐ", "chuẩn bị ứng phó mùa mưa bão năm 2025")
    assert doc.issuer == "Ban Chỉ đạo phòng, chống thiên tai và tìm kiếm cứu nạn tỉnh Đắk Lắk"
    assert (doc.issued_date, doc.year_hint) == (None, 2025)
    assert doc.addressees == ["Các sở, ban, ngành thuộc tỉnh", "UBND các xã, phường"]
    assert doc.recipients == ["Như trên", "Lưu: VT"]
    assert doc.signer_title == "KT. TRƯỞNG BAN / PHÓ TRƯỞNG BAN / PHÓ CHỦ TỊCH UBND TỈNH"
    assert doc.signer == "Y Ngọc Niê Kđăm"


# --- gold header fields of the real documents -------------------------------------------------------

_FIELDS = ("issuer", "number", "issued_date", "type", "signer")


def _loose(value: str | None) -> str | None:
    """Spelling-level differences only: case, spacing, `Ủy ban nhân dân` written out or as `UBND`."""
    if value is None:
        return None
    value = re.sub(r"\s+", " ", value).strip().lower()
    return re.sub(r"(?:ủy|uỷ) ban nhân dân", "ubnd", value)


def _gold_issuer(value: str | None) -> str | None:
    """The gold's issuer without its bracketed note on the parent body or the signing authority:
    `… tỉnh Lâm Đồng (UBND tỉnh Lâm Đồng)`, `UBND tỉnh Lâm Đồng (Chủ tịch UBND tỉnh)`. The same header
    (`UBND TỈNH …` / `BAN CHỈ ĐẠO …`) carries the note in one gold record and not in another."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", value) if value else value


def _got(doc: Document) -> dict[str, str | None]:
    return {"issuer": doc.issuer, "number": doc.number, "type": doc.type, "signer": doc.signer,
            "issued_date": doc.issued_date.isoformat() if doc.issued_date else None}


def _gold_documents() -> list[tuple[str, Document, dict]]:
    out: list[tuple[str, Document, dict]] = []
    for line in (REAL_DOCS / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            gold = json.loads(line)
            path = REAL_DOCS / gold["file"]
            raw = read_bytes(path.name, path.read_bytes(), 50 * MB)
            out.append((gold["id"], parse_document(gold["id"], raw.text, raw.name, "docx"), gold))
    facts = json.loads((SHARED / "eval" / "gold_facts.json").read_text(encoding="utf-8"))["documents"]
    for doc_id, gold in facts.items():
        text = (SHARED / "corpus" / f"{doc_id}.txt").read_text(encoding="utf-8")
        out.append((doc_id, parse_document(doc_id, text), gold))
    return out


@pytest.mark.skipif(not (REAL_DOCS / "gold.jsonl").is_file() or not (SHARED / "corpus").is_dir(),
                    reason="../shared (real_docs, corpus, gold) is not beside the checkout")
def test_gold_header_fields_of_every_document() -> None:
    results = _gold_documents()
    mismatches: list[str] = []
    wrong: set[str] = set()
    for doc_id, doc, gold in results:
        got = _got(doc)
        for key in _FIELDS:
            want = _gold_issuer(gold.get(key)) if key == "issuer" else gold.get(key)
            same = _loose(got[key]) == _loose(want) if key in ("issuer", "signer") else got[key] == want
            if not same:
                wrong.add(doc_id)
                mismatches.append(f"{doc_id}.{key}: got {got[key]!r}, gold {gold.get(key)!r}")
    matching = len(results) - len(wrong)
    print(f"gold header fields ({', '.join(_FIELDS)}): {matching}/{len(results)} documents match")
    assert not mismatches, "\n".join(mismatches)


# --- one-line OCR headers and headers lost in a paste -------------------------------------------


@pytest.mark.parametrize(("line", "number", "place", "issued"), [
    ("Số: 123/UBND-KT Lâm Đồng, ngày 10 tháng 5 năm 2026", "123/UBND-KT", "Lâm Đồng", date(2026, 5, 10)),
    ("Số: 9/KH-UBND Sơn Hà, ngày 02/3/2026", "9/KH-UBND", "Sơn Hà", date(2026, 3, 2)),
    ("Số 57/BC-SYT Hà Nội, ngày 7 tháng 4 năm 2026", "57/BC-SYT", "Hà Nội", date(2026, 4, 7)),
])
def test_a_number_and_the_place_date_on_one_line(line: str, number: str, place: str, issued: date) -> None:
    """OCR joins the two header columns with one space: the number ends where the place starts."""
    doc = _parse(f"ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n{line}\nV/v rà soát hồ sơ đất đai\n\n"
                 "Đề nghị các đơn vị báo cáo trước ngày 20/5/2026.\n")
    assert (doc.number, doc.place, doc.issued_date) == (number, place, issued)
    assert doc.title == "rà soát hồ sơ đất đai"


def test_a_place_date_line_wrapped_before_its_month() -> None:
    doc = _parse("UBND TỈNH SƠN HÀ\nSố: 14/KH-UBND\n\nSơn Hà, ngày 21\ntháng 4 năm 2026\n\nKẾ HOẠCH\n"
                 "Kiểm tra công vụ năm 2026\n\nI. MỤC ĐÍCH\n")
    assert (doc.place, doc.issued_date, doc.type) == ("Sơn Hà", date(2026, 4, 21), "Kế hoạch")


def test_a_notice_without_its_header_takes_the_issuer_from_its_closing_formula() -> None:
    doc = _parse("THÔNG BÁO\nKẾT LUẬN CỦA BỘ TRƯỞNG TẠI BUỔI LÀM VIỆC VỚI TỈNH SƠN HÀ\n"
                 "Ngày 3 tháng 3 năm 2026, Bộ trưởng làm việc với lãnh đạo tỉnh Sơn Hà.\n"
                 "1. Tỉnh Sơn Hà hoàn thành quy hoạch trong quý II năm 2026.\n"
                 "Văn phòng Bộ Khoa học và Công nghệ thông báo để Ủy ban nhân dân tỉnh Sơn Hà biết, thực hiện./.\n")
    assert (doc.type, doc.number) == ("Thông báo", None)
    assert doc.issuer == "Văn phòng Bộ Khoa học và Công nghệ"
