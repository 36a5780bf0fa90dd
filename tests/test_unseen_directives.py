"""Rules for directives we have never seen, each on sentences written for this test (fictional
province Sơn Hà; no text from ../shared)."""

from __future__ import annotations

import io

import docx
import pytest

from knowledge.agencies import find_agencies
from knowledge.duetime import find_due_times
from knowledge.extract import parse_and_extract
from knowledge.reader import read_bytes
from knowledge.review import review_items

HEADER = "ỦY BAN NHÂN DÂN\nTỈNH SƠN HÀ\n\nSố: 77/UBND-KT\n\nSơn Hà, ngày 02 tháng 3 năm 2026\n\n"


def _names(text: str) -> list[str]:
    return [m.name for m in find_agencies(text, None, open_vocab=True)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Bộ Nội vụ khẩn trương hướng dẫn", ["Bộ Nội vụ"]),
    ("Chi cục Kiểm lâm rà soát diện tích", ["Chi cục Kiểm lâm"]),
    ("Trung tâm Phục vụ hành chính công tỉnh tiếp nhận hồ sơ", ["Trung tâm Phục vụ hành chính công tỉnh"]),
    ("Giám đốc Sở Xây dựng chịu trách nhiệm", ["Sở Xây dựng"]),
    ("Chủ tịch UBND xã Tân Lập tổ chức họp", ["UBND xã Tân Lập"]),
    ("Thủ trưởng các sở, ngành chỉ đạo", ["Các sở, ngành"]),
    ("Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ rà soát danh mục", ["Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"]),
    ("UBND các huyện, thị xã, thành phố triển khai", ["UBND các huyện, thị xã, thành phố"]),
    ("Các chủ đầu tư hoàn thiện hồ sơ", ["Các chủ đầu tư"]),
    ("Công ty TNHH Minh Phát khẩn trương bàn giao", ["Công ty TNHH Minh Phát"]),
    ("Sở Nông nghiệp và Môi trường chủ trì", ["Sở Nông nghiệp và Môi trường"]),
    ("Bộ Dân tộc và Tôn giáo hướng dẫn", ["Bộ Dân tộc và Tôn giáo"]),
    ("UBND phường Đông Sơn - Bắc Hà tổ chức", ["UBND phường Đông Sơn - Bắc Hà"]),
    ("Đài Phát thanh - Truyền hình tỉnh đưa tin", ["Đài Phát thanh - Truyền hình tỉnh"]),
])
def test_agency_shapes(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def test_lists_after_a_colon_are_several_agencies() -> None:
    assert _names("Giao các Sở: Công Thương, Y tế rà soát") == ["Sở Công Thương", "Sở Y tế"]
    assert _names("UBND các xã: Hòa Mỹ, Phú Lộc và Đông Sơn báo cáo") == [
        "UBND xã Hòa Mỹ", "UBND xã Phú Lộc", "UBND xã Đông Sơn"]


def test_a_verb_in_lowercase_ends_the_name_but_a_name_word_does_not() -> None:
    assert _names("Ban Quản lý khu kinh tế tỉnh kiểm tra") == ["Ban Quản lý khu kinh tế tỉnh"]
    assert _names("Bộ Kế hoạch và Đầu tư từ nay theo dõi") == ["Bộ Kế hoạch và Đầu tư"]


def test_report_to_is_not_responsible_and_subject_carries_over() -> None:
    _, facts = parse_and_extract("t", HEADER + (
        "Giao Sở Công Thương rà soát các cụm công nghiệp trên địa bàn. Yêu cầu gửi kết quả về "
        "Sở Tài chính trước ngày 20/4/2026 để tổng hợp, báo cáo UBND tỉnh.\n"))
    (d,) = facts.deadlines
    assert d.agencies == ["Sở Công Thương"]
    assert "Sở Tài chính" in d.report_to and not d.needs_review


def test_no_agency_is_kept_for_review() -> None:
    _, facts = parse_and_extract("t", HEADER + "Hồ sơ phải hoàn thành trước ngày 30/6/2026.\n")
    (d,) = facts.deadlines
    assert d.agencies == [] and d.needs_review
    assert [i.kind for i in review_items(facts)] == ["no_agency"]


def test_addressee_words_resolve_to_kinh_gui() -> None:
    text = ("ỦY BAN NHÂN DÂN\nTỈNH SƠN HÀ\n\nSố: 78/UBND-VX\nV/v rà soát trường học\n\n"
            "Sơn Hà, ngày 05 tháng 3 năm 2026\n\nKính gửi:\n- Sở Giáo dục và Đào tạo;\n- Sở Y tế.\n\n"
            "Đề nghị Quý cơ quan gửi báo cáo trước ngày 25/3/2026.\n")
    _, facts = parse_and_extract("t", text)
    assert facts.deadlines[0].agencies == ["Sở Giáo dục và Đào tạo", "Sở Y tế"]


@pytest.mark.parametrize(("text", "due", "time"), [
    ("nộp trước 16 giờ ngày 05/3/2026", "2026-03-05", "16:00"),
    ("hoàn thành trước 15-9", "2026-09-15", None),
    ("báo cáo trước 20.11.2025", "2025-11-20", None),
    ("trình trong tháng 10.2026", "2026-10", None),
    ("trình Thủ tướng vào tháng 7 năm 2026", "2026-07", None),
    ("báo cáo tại phiên họp thường kỳ tháng 6 năm 2026", "2026-06", None),
    ("ban hành đầu năm 2027", "2027", None),
    ("tổng kết cuối quý III", "2026-Q3", None),
    ("gửi trước ngày 20/1 năm sau", {"every": "year", "day": 20, "month": 1}, None),
    ("báo cáo 06 tháng 1 lần", {"every": "half-year"}, None),
    ("giao ban hằng tuần", {"every": "week"}, None),
    ("gửi trước 9 giờ thứ Sáu hằng tuần", {"every": "week", "weekday": 5}, "09:00"),
    ("ban hành kế hoạch trong tháng 02 hằng năm", {"every": "year", "month": 2}, None),
])
def test_time_limit_forms(text: str, due: object, time: str | None) -> None:
    (m,) = find_due_times(text, 2026)
    assert (m.due, m.time) == (due, time)


def test_relative_superseded_and_explained_limits() -> None:
    (rel,) = find_due_times("trong thời hạn 15 ngày kể từ ngày nhận được văn bản này", 2026)
    assert rel.due == {"relative": "trong thời hạn 15 ngày kể từ ngày nhận được văn bản này"}
    assert find_due_times("(thay cho trước tháng 9.2026 tại Kế hoạch số 10/KH-UBND)", 2026) == []
    found = find_due_times("định kỳ 6 tháng (trước ngày 10/6/2026) và cả năm (trước ngày 10/12/2026)", 2026)
    assert [m.due for m in found] == ["2026-06-10", "2026-12-10"]
    (yearly,) = find_due_times("báo cáo 6 tháng đầu năm gửi trước ngày 10 tháng 7", 2026)
    assert yearly.due == {"every": "year", "day": 10, "month": 7}


def test_year_of_a_yearless_date_ignores_a_plan_year() -> None:
    (m,) = find_due_times("xây dựng dự toán năm 2027 gửi về trước ngày 20-8", 2026)
    assert m.due == "2026-08-20" and m.year_inferred
    (m,) = find_due_times("Năm 2027, các xã báo cáo trước ngày 15/4.", 2026)
    assert m.due == "2027-04-15"


def _docx_with_duty_table() -> bytes:
    d = docx.Document()
    d.add_paragraph("ỦY BAN NHÂN DÂN TỈNH SƠN HÀ")
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("Chuyển đổi số năm 2026")
    d.add_paragraph("I. NHIỆM VỤ")
    t = d.add_table(rows=5, cols=5)
    rows = [
        ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"],
        ["1", "Số hóa hồ sơ đất đai", "Sở Nông nghiệp và Môi trường", "UBND các xã", "Quý II/2026"],
        ["2", "Cập nhật cơ sở dữ liệu dân cư", "Công an tỉnh", "", "Hằng tháng"],
        ["3", "Tập huấn kỹ năng số", "", "Sở Nội vụ", "Tháng 9/2026"],
        ["4", "Duy trì cổng dịch vụ công", "Văn phòng UBND tỉnh", "", "Thường xuyên"],
    ]
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            t.cell(r, c).text = v
    t.cell(2, 2).merge(t.cell(3, 2))  # row 3 inherits the lead of row 2 (vertical merge)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_duty_table_rows_with_merged_cells() -> None:
    raw = read_bytes("ke-hoach.docx", _docx_with_duty_table(), 10 * 1024 * 1024)
    _, facts = parse_and_extract(raw.doc_id, raw.text, raw.name, raw.format)
    got = [(d.agencies, d.cooperating, d.due) for d in facts.deadlines]
    assert got == [
        (["Sở Nông nghiệp và Môi trường"], ["UBND các xã"], "2026-Q2"),
        (["Công an tỉnh"], [], {"every": "month"}),
        (["Công an tỉnh"], ["Sở Nội vụ"], "2026-09"),
    ]
