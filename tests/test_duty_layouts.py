"""Duty layouts beyond one sentence, on texts written for these tests (fictional province Sơn Hà):
field-line blocks, time frames inherited by a list, parallel clauses, granted requests, possessive
and post-clause subjects, lead-in paragraphs, duty-table headers, plan years, weekly and relative
limits in schedules, and the review lines of an upload reply."""

from __future__ import annotations

from datetime import date

from bot.chat.notices import upload_summary
from bot.library import IngestReport
from knowledge.extract import parse_and_extract
from knowledge.recurrence import describe_due, occurrences
from knowledge.review import ReviewItem
from knowledge.schedule import expand

HEADER = "ỦY BAN NHÂN DÂN\nTỈNH SƠN HÀ\n\nSố: 15/KH-UBND\n\nSơn Hà, ngày 10 tháng 02 năm 2026\n\n"


def _deadlines(body: str) -> list[tuple[list[str], object]]:
    _, facts = parse_and_extract("t", HEADER + body)
    return [(d.agencies, d.due) for d in facts.deadlines]


def test_field_lines_give_agency_and_time_to_their_task() -> None:
    body = ("1. Số hóa hồ sơ\n\n(1) Số hóa toàn bộ hồ sơ địa chính đang lưu trữ.\n\n"
            "- Đơn vị chủ trì thực hiện: Sở Nông nghiệp và Môi trường.\n\n- Đơn vị phối hợp: UBND các xã.\n\n"
            "- Thời gian hoàn thành: Trong tháng 6/2026.\n")
    _, facts = parse_and_extract("t", HEADER + body)
    (d,) = facts.deadlines
    assert (d.agencies, d.cooperating, d.due) == (["Sở Nông nghiệp và Môi trường"], ["UBND các xã"], "2026-06")
    assert d.task.startswith("Số hóa toàn bộ hồ sơ")


def test_report_fields_after_the_frequency_line() -> None:
    body = ("Chế độ báo cáo như sau:\n\n- Nội dung báo cáo: tiến độ giải ngân.\n\n"
            "- Tần suất thực hiện báo cáo: hằng quý.\n\n- Đối tượng thực hiện báo cáo: UBND các xã, phường.\n")
    assert _deadlines(body) == [(["UBND các xã, phường"], {"every": "quarter"})]


def test_items_inherit_the_time_frame_that_opens_their_list() -> None:
    body = ("III. NHIỆM VỤ THÁNG TỚI\n\nTrong tháng 3/2026, tập trung thực hiện các nhiệm vụ sau đây:\n\n"
            "1. Sở Y tế\n\na) Rà soát danh sách trạm y tế xã xuống cấp cần sửa chữa.\n\n"
            "b) Hoàn thiện phương án điều động bác sĩ về các xã vùng cao.\n\n"
            "2. Công an tỉnh\n\nCập nhật dữ liệu cư trú của người dân vào hệ thống dùng chung.\n")
    assert _deadlines(body) == [(["Sở Y tế"], "2026-03"), (["Sở Y tế"], "2026-03"), (["Công an tỉnh"], "2026-03")]


def test_parallel_clauses_have_their_own_subjects() -> None:
    body = ("1. Chế độ gửi báo cáo cụ thể như sau: Trạm Khuyến nông báo cáo Trung tâm Khuyến nông trước ngày "
            "5 hằng tháng; Trung tâm Khuyến nông báo cáo Sở Nông nghiệp và Môi trường trước ngày 10 hằng tháng.\n")
    assert _deadlines(body) == [(["Trạm Khuyến nông"], {"every": "month", "day": 5}),
                                (["Trung tâm Khuyến nông"], {"every": "month", "day": 10})]


def test_a_list_of_objects_after_a_semicolon_is_not_a_new_subject() -> None:
    body = ("1. Sở Tài chính hướng dẫn các xã đã hoàn thành quyết toán; các xã chưa hoàn thành quyết toán "
            "trước ngày 30/6/2026.\n")
    assert _deadlines(body) == [(["Sở Tài chính"], "2026-06-30")]


def test_a_granted_request_is_the_requesting_agency_limit() -> None:
    body = ("1. Đồng ý gia hạn thời gian trình Đề án phát triển du lịch cộng đồng đến tháng 9 năm 2026 như "
            "đề nghị của Sở Văn hóa, Thể thao và Du lịch.\n")
    assert _deadlines(body) == [(["Sở Văn hóa, Thể thao và Du lịch"], "2026-09")]


def test_possessive_and_post_clause_subjects() -> None:
    body = ("1. Báo cáo của các xã, phường gửi về Sở Nội vụ trước ngày 20/3/2026.\n\n"
            "2. Trên cơ sở kết quả rà soát, Sở Nội vụ tổng hợp trình UBND tỉnh trước ngày 31/3/2026.\n")
    assert _deadlines(body) == [(["Các xã, phường"], "2026-03-20"), (["Sở Nội vụ"], "2026-03-31")]


def test_a_lead_in_paragraph_gives_its_bullets_their_subject() -> None:
    body = ("Ban Chỉ đạo tỉnh giao Sở Giáo dục và Đào tạo thực hiện các việc sau:\n\n"
            "- Rà soát nhu cầu phòng học tại các xã vùng cao.\n\n- Trình phương án bổ sung giáo viên trong quý II/2026.\n")
    assert _deadlines(body) == [(["Sở Giáo dục và Đào tạo"], "2026-Q2")]


def test_a_numbered_data_row_is_never_a_table_header() -> None:
    body = ("PHỤ LỤC\n\nSTT | Nhiệm vụ | Thời gian hoàn thành | Chủ trì thực hiện\n"
            "1 | Hoàn thành và đưa kho dữ liệu vào hoạt động | Trong quý I năm 2026 | Sở Khoa học và Công nghệ\n"
            "2 | Tổng kết công tác chuyển đổi số | Hằng năm | Sở Khoa học và Công nghệ\n")
    assert _deadlines(body) == [(["Sở Khoa học và Công nghệ"], "2026-Q1"),
                                (["Sở Khoa học và Công nghệ"], {"every": "year"})]


def test_targets_of_a_plan_take_its_plan_year() -> None:
    text = ("ỦY BAN NHÂN DÂN\nTỈNH SƠN HÀ\n\nSố: 16/KH-UBND\n\nSơn Hà, ngày 20 tháng 11 năm 2026\n\nKẾ HOẠCH\n"
            "Giảm nghèo bền vững năm 2027\n\nI. MỤC TIÊU\n\n1. Phấn đấu giảm tỷ lệ hộ nghèo 1,5%.\n\n"
            "II. KẾT QUẢ NĂM 2026\n\n1. Đã có 3 xã thoát khỏi tình trạng đặc biệt khó khăn.\n")
    _, facts = parse_and_extract("t", text)
    assert [(t.value, t.year) for t in facts.targets] == [("1,5%", "2027")]
    assert all(r.year != "2027" for r in facts.results)


def test_weekly_and_relative_limits_in_schedules() -> None:
    weekly = {"every": "week", "weekday": 5}
    assert occurrences(weekly, date(2026, 3, 1), date(2026, 3, 14)) == [date(2026, 3, 6), date(2026, 3, 13)]
    assert describe_due(weekly, "before") == "trước thứ Sáu hằng tuần"
    relative = {"relative": "trong thời hạn 10 ngày kể từ ngày nhận được văn bản"}
    assert occurrences(relative, date(2026, 1, 1), date(2026, 12, 31)) == []
    assert describe_due(relative, "within") == relative["relative"]


def test_no_occurrence_of_a_recurring_duty_before_its_directive() -> None:
    row = {"id": 1, "due": {"every": "month", "day": 5}, "issued_date": "2026-03-10", "agencies": ["Sở Y tế"]}
    days = [o.on for o in expand([row], date(2026, 1, 1), date(2026, 5, 31))]
    assert days == [date(2026, 4, 5), date(2026, 5, 5)]


def test_upload_reply_ends_with_what_needs_review() -> None:
    review = [ReviewItem("no_agency", f"Hồ sơ số {i} nộp trước ngày 30/6/2026.") for i in range(5)]
    review.append(ReviewItem("relative", "trong thời hạn 10 ngày kể từ ngày nhận được văn bản"))
    report = IngestReport("t", "Kế hoạch", "15/KH-UBND", date(2026, 2, 10), "UBND tỉnh Sơn Hà", None,
                          6, 0, 0, True, review)
    text = upload_summary(report)
    assert "⚠️ 5 hạn chót chưa rõ cơ quan" in text
    assert text.count("Hồ sơ số") == 3 and "… và 2 mục khác" in text
    assert "⚠️ 1 thời hạn tính từ một sự kiện (không nhắc tự động)" in text


def test_a_file_sent_to_an_agency_that_then_acts_is_its_duty() -> None:
    body = ("1. UBND các xã hoàn thiện hồ sơ, gửi Sở Xây dựng thẩm định, trình UBND tỉnh trước ngày 15/5/2026.\n\n"
            "2. UBND các xã lập danh sách, gửi Sở Nội vụ và Sở Tài chính trong tháng 6/2026.\n")
    assert _deadlines(body) == [(["Sở Xây dựng"], "2026-05-15"), (["UBND các xã"], "2026-06")]


def test_the_next_link_of_a_reporting_chain_keeps_the_period() -> None:
    body = ("1. Trước ngày 10 hằng tháng, Trạm Y tế xã báo cáo Trung tâm Y tế khu vực. "
            "Trung tâm Y tế khu vực tổng hợp, báo cáo Sở Y tế.\n")
    assert _deadlines(body) == [(["Trạm Y tế xã"], {"every": "month", "day": 10}),
                                (["Trung tâm Y tế khu vực"], {"every": "month"})]


def test_a_horizon_leading_into_the_purpose_is_no_deadline() -> None:
    body = ("Trong thời gian từ nay đến hết năm 2026, để phấn đấu hoàn thành các chỉ tiêu giảm nghèo, Chủ tịch "
            "UBND tỉnh yêu cầu Sở Nội vụ tổng hợp báo cáo trước ngày 15/12/2026.\n")
    assert _deadlines(body) == [(["Sở Nội vụ"], "2026-12-15")]


def test_an_item_that_assigns_another_by_number_gives_it_an_agency() -> None:
    body = ("1. Trước ngày 30/6/2026: hoàn thành kiểm kê tài sản công tại các trường học.\n\n"
            "2. Giao Sở Giáo dục và Đào tạo chủ trì thực hiện nội dung tại mục 1.\n")
    assert _deadlines(body) == [(["Sở Giáo dục và Đào tạo"], "2026-06-30")]


def test_a_statutory_limit_cited_as_background_is_not_a_duty() -> None:
    body = ("1. Theo quy định tại Nghị định về chế độ báo cáo, thời hạn gửi báo cáo năm là ngày 15/12 hằng năm.\n\n"
            "2. Sở Nội vụ gửi báo cáo tổng kết trước ngày 10/12/2026.\n")
    assert _deadlines(body) == [(["Sở Nội vụ"], "2026-12-10")]


def test_table_header_words_give_roles_and_an_ongoing_cell_no_deadline() -> None:
    # header rules of knowledge/rules/layouts.toml: `phối hợp` wins over the generic `cơ quan`/`đơn vị`
    body = ("PHỤ LỤC\n\nTT | Nội dung công việc | Cơ quan phối hợp | Đơn vị chủ trì | Tiến độ\n"
            "1 | Rà soát quy hoạch sử dụng đất cấp xã | UBND các xã | Sở Nông nghiệp và Môi trường | Quý III/2026\n"
            "2 | Cập nhật cơ sở dữ liệu đất đai | UBND các xã | Sở Nông nghiệp và Môi trường | Thường xuyên\n")
    _, facts = parse_and_extract("t", HEADER + body)
    assert [(d.agencies, d.cooperating, d.due) for d in facts.deadlines] == [
        (["Sở Nông nghiệp và Môi trường"], ["UBND các xã"], "2026-Q3")]
