"""Directives pasted from legal-text websites: Markdown emphasis and pipe tables (knowledge.pasted_text).

Every text here is invented for this test (fictional province Sơn Hà, names, numbers and dates)."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.blocks import ROW_SEP
from knowledge.extract import parse_and_extract
from knowledge.pasted_text import plain_text, strip_emphasis
from knowledge.structure import parse_document

# The header and signature as a website flattens them: two table rows on one line each.
PASTED = (
    "| **ỦY BAN NHÂN DÂN** TỈNH SƠN HÀ ------- | **CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM** Độc lập - Tự do - "
    "Hạnh phúc --------------- | | Số: 41/KH-UBND | *Sơn Hà, ngày 12 tháng 1 năm 2026* |\n"
    "**KẾ HOẠCH**\nChuyển đổi số năm 2026\n**I. NHIỆM VỤ**\n"
    "| STT | Nội dung nhiệm vụ | Cơ quan chủ trì | Thời gian hoàn thành |\n"
    "|---|:---:|---|---|\n"
    "| 1 | Xây dựng kho dữ liệu dùng chung | **Sở Khoa học và Công nghệ** | Quý II/2026 |\n"
    "| 2 | Số hóa hồ sơ đất đai | Sở Nông nghiệp và Môi trường | Trước ngày 30/9/2026 |\n"
    "**II. TỔ CHỨC THỰC HIỆN**\n"
    "Các sở, ngành phấn đấu đạt **20% **hồ sơ trực tuyến toàn trình.\n"
    "| *Nơi nhận:* - Các sở, ngành; - Lưu: VT. | **TM. ỦY BAN NHÂN DÂN** KT. CHỦ TỊCH PHÓ CHỦ TỊCH "
    "Trần Văn Bình |\n"
)


@pytest.mark.parametrize("text", [
    "ỦY BAN NHÂN DÂN\nTỈNH SƠN HÀ\n\nSố: 12/UBND-VX\n\nĐề nghị các xã báo cáo trước ngày 5/2/2026.\n",
    "STT | Nhiệm vụ | Thời gian\n1 | Rà soát | Quý I/2026\n",  # a table as the .docx reader writes it
    "Ghi chú: (*) số liệu ước tính; 3 * 4 = 12; ________\n* mục một\n",
    "",
])
def test_text_without_markdown_comes_back_unchanged(text: str) -> None:
    assert plain_text(text) is text or plain_text(text) == text


@pytest.mark.parametrize(("pasted", "plain"), [
    ("đạt **20% **hồ sơ", "đạt 20% hồ sơ"),
    ("**Trưởng ban ** Mặt trận", "Trưởng ban Mặt trận"),
    ("**Năm** **sinh**", "Năm sinh"),
    ("*(i)* tăng trưởng", "(i) tăng trưởng"),
    ("*Sơn Hà, ngày 3\ntháng 2 năm 2026 *", "Sơn Hà, ngày 3\ntháng 2 năm 2026"),
    ("hoàn thành __trước ngày 5/3__ năm nay", "hoàn thành trước ngày 5/3 năm nay"),
    ("chỉ tiêu (*) và 2 * 3", "chỉ tiêu (*) và 2 * 3"),
])
def test_emphasis_markers_go_and_one_space_stays(pasted: str, plain: str) -> None:
    assert strip_emphasis(pasted) == plain


def test_a_flattened_header_row_becomes_header_lines() -> None:
    text = plain_text("| Số: 631/TB-VP | Sơn Hà, ngày 19 tháng 11 năm 2025 |\n**THÔNG BÁO**\n")
    assert "Số: 631/TB-VP\n\nSơn Hà, ngày 19 tháng 11 năm 2025\n" in text
    assert "|" not in text and "*" not in text


def test_a_header_row_without_outer_pipes_is_split_too() -> None:
    text = plain_text("UBND TỈNH SƠN HÀ\nSố: 631/UBND-VP | Sơn Hà, ngày 19 tháng 11 năm 2025\n\nKính gửi: Sở Y tế\n")
    doc = parse_document("t", text)
    assert (doc.number, doc.issued_date, doc.place) == ("631/UBND-VP", date(2025, 11, 19), "Sơn Hà")


def test_a_markdown_table_gives_rows_in_the_reader_form() -> None:
    text = plain_text(PASTED)
    assert f"STT{ROW_SEP}Nội dung nhiệm vụ{ROW_SEP}Cơ quan chủ trì{ROW_SEP}Thời gian hoàn thành\n" in text
    assert f"1{ROW_SEP}Xây dựng kho dữ liệu dùng chung{ROW_SEP}Sở Khoa học và Công nghệ{ROW_SEP}Quý II/2026\n" in text
    assert "---" not in text.split("I. NHIỆM VỤ")[1]  # the separator row is gone


def test_pipe_rows_without_a_separator_are_layout_not_a_table() -> None:
    text = plain_text("Biên bản lập thành 02 bản.\n| **Trưởng thôn** | **Thư ký** | **Đại diện hộ** |\n"
                      "| **Tổ an ninh** | **Mặt trận** | **Chi hội** |\n")
    assert ROW_SEP not in text and "|" not in text
    assert "\nTrưởng thôn\n\nThư ký\n" in text


def test_a_pasted_directive_reads_like_the_typed_one() -> None:
    doc, facts = parse_and_extract("kh-41", PASTED)
    assert (doc.type, doc.number, doc.issuer, doc.issued_date) == (
        "Kế hoạch", "41/KH-UBND", "UBND tỉnh Sơn Hà", date(2026, 1, 12))
    assert doc.title == "Chuyển đổi số năm 2026"
    assert (doc.signer, doc.recipients[0]) == ("Trần Văn Bình", "Các sở, ngành")
    assert [(d.agencies, d.due) for d in facts.deadlines] == [
        (["Sở Khoa học và Công nghệ"], "2026-Q2"), (["Sở Nông nghiệp và Môi trường"], "2026-09-30")]
    body = " ".join(s.text for s in doc.sections if ROW_SEP not in s.text)
    assert "**" not in doc.text and "|" not in body
    assert "đạt 20% hồ sơ" in doc.text


def test_a_header_wrapped_every_eighty_characters() -> None:
    """Websites keep the hard wraps of their HTML source, header columns included."""
    doc = parse_document("t", (
        "**BỘ KHOA HỌC VÀ\nCÔNG NGHỆ**\n-------\n|\n**CỘNG HÒA XÃ HỘI\nCHỦ NGHĨA VIỆT NAM**\n"
        "Độc lập - Tự do - Hạnh phúc\n|\n|\nSố: 88/TB-BKHCN\n|\n*Hà Nội, ngày 4\ntháng 12 năm 2025 *\n|\n"
        "**THÔNG BÁO**\nKẾT\nLUẬN CỦA BỘ TRƯỞNG TẠI BUỔI LÀM VIỆC VỚI\nVIỆN KHOA HỌC SƠN HÀ\n"
        "Ngày 2 tháng 12 năm 2025, Bộ trưởng làm việc với Viện Khoa học Sơn Hà.\n"))
    assert (doc.type, doc.number, doc.issued_date) == ("Thông báo", "88/TB-BKHCN", date(2025, 12, 4))
    assert doc.issuer == "Bộ Khoa học và Công nghệ"
    assert doc.title == "KẾT LUẬN CỦA BỘ TRƯỞNG TẠI BUỔI LÀM VIỆC VỚI VIỆN KHOA HỌC SƠN HÀ"
    assert doc.sections[0].text.startswith("Ngày 2 tháng 12 năm 2025")


def test_word_and_pdf_text_is_not_read_as_markdown() -> None:
    text = "| a | b |\n"
    assert parse_document("t", text, fmt="docx").text.strip() == "| a | b |"
