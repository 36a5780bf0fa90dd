"""Each due-time form seen in real directives, parsed to the gold schema."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.duetime import find_due_times
from knowledge.recurrence import BEFORE_START, describe_due, due_date, next_occurrence, occurrences
from tests.test_properties import BACKTRACKING_BOUND_S

CASES = [
    ("báo cáo trước ngày 15/3/2024", "2024-03-15", "before"),
    ("trước ngày 05/4/2023", "2023-04-05", "before"),
    ("chậm nhất ngày 05/01/2027", "2027-01-05", "before"),
    ("báo cáo trong tháng 03/2024", "2024-03", "within"),
    ("hoàn thành trong tháng 01/2025", "2025-01", "within"),
    ("đạt chuẩn trong năm 2023", "2023", "within"),
    ("định kỳ ngày 25 hàng tháng báo cáo", {"every": "month", "day": 25}, "on"),
    ("định kỳ trước ngày 23 hàng tháng", {"every": "month", "day": 23}, "before"),
    ("gửi trước ngày 20 hàng tháng", {"every": "month", "day": 20}, "before"),
    ("báo cáo định kỳ hàng quý", {"every": "quarter"}, "on"),
    ("báo cáo hằng tháng", {"every": "month"}, "on"),
    ("định kỳ 6 tháng báo cáo", {"every": "half-year"}, "on"),
    ("trước ngày 15 tháng 11 hằng năm", {"every": "year", "day": 15, "month": 11}, "before"),
    ("hoàn thành trong quý II/2024", "2024-Q2", "within"),
    ("trước 14 giờ, ngày 05/12/2017", "2017-12-05", "before"),
    ("trước ngày 15-7-2021", "2021-07-15", "before"),
    ("hoàn thành trong tháng 9.2020", "2020-09", "within"),
    ("báo cáo trưóc ngày 10/4/2023", "2023-04-10", "before"),
    ("trước ngày 15 tháng 4 năm 2023", "2023-04-15", "before"),
]


@pytest.mark.parametrize(("text", "due", "relation"), CASES)
def test_due_time_forms(text: str, due: object, relation: str) -> None:
    found = find_due_times(text, 2023)
    assert [(m.due, m.relation) for m in found] == [(due, relation)]


def test_two_deadlines_in_one_sentence() -> None:
    found = find_due_times("lập danh sách trước ngày 12/5/2023 và nghiệm thu công trình trước ngày 30/11/2023", None)
    assert [m.due for m in found] == ["2023-05-12", "2023-11-30"]


def test_date_without_year_takes_context_year_and_is_marked() -> None:
    found = find_due_times("Năm 2025, các huyện báo cáo trước ngày 15/4.", 2024)
    assert found[0].due == "2025-04-15" and found[0].year_inferred


def test_reference_dates_are_not_deadlines() -> None:
    assert find_due_times("theo Quyết định số 4411/QĐ-UBND ngày 14/6/2021 của UBND tỉnh", 2024) == []
    assert find_due_times("Ngân hàng tháng trước; 06 tháng đầu năm 2019", 2019) == []


def test_long_line_parses_in_linear_time() -> None:
    line = ("trước ngày 1/1/2024 và hàng tháng " * 3000)[:100_000]
    t = time.perf_counter()
    find_due_times(line, 2024)
    assert time.perf_counter() - t < BACKTRACKING_BOUND_S


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text: str) -> None:
    for m in find_due_times(text, 2024):
        assert m.relation in ("before", "on", "within")


def test_the_words_of_a_due_time_close_the_bracket_they_open() -> None:
    from knowledge.extract import parse_and_extract

    text = ("1. Các xã gửi báo cáo tiến độ xây dựng đường giao thông nội đồng về Sở Xây dựng hằng tháng "
            "(trước ngày 18), bắt đầu từ tháng 3/2026.")
    _, facts = parse_and_extract("t", text)
    assert [d.due_text for d in facts.deadlines] == ["hằng tháng (trước ngày 18)"]


@pytest.mark.parametrize(("sentence", "relation", "last_day", "wording"), [
    # "before the month": the month itself is already late
    ("Sở Công Thương hoàn thành đề án trước tháng 7/2026.", BEFORE_START, date(2026, 6, 30), "trước tháng 7/2026"),
    ("Các xã nộp hồ sơ trước tháng 01 năm 2027.", BEFORE_START, date(2026, 12, 31), "trước tháng 1/2027"),
    ("Ban Dân tộc trình kế hoạch trước quý IV/2026.", BEFORE_START, date(2026, 9, 30), "trước quý IV/2026"),
    # "at the latest in the month" and "in the month" allow the whole month
    ("Sở Y tế báo cáo chậm nhất trong tháng 7/2026.", "before", date(2026, 7, 31), "chậm nhất trong tháng 7/2026"),
    ("Sở Xây dựng khởi công trong tháng 7/2026.", "within", date(2026, 7, 31), "trong tháng 7/2026"),
])
def test_before_a_month_or_quarter_ends_the_day_before_it(sentence, relation, last_day, wording) -> None:
    (match,) = find_due_times(sentence, 2026)
    assert match.relation == relation
    assert due_date(match.due, match.relation) == last_day
    assert occurrences(match.due, date(2026, 1, 1), date(2027, 12, 31), match.relation) == [last_day]
    assert describe_due(match.due, match.relation) == wording


def test_before_a_month_every_year_falls_in_the_month_before() -> None:
    (match,) = find_due_times("Các huyện gửi số liệu trước tháng 3 hằng năm.", 2026)
    assert match.due == {"every": "year", "month": 3} and match.relation == BEFORE_START
    assert next_occurrence(match.due, date(2026, 3, 5), relation=match.relation) == date(2027, 2, 28)
    assert describe_due(match.due, match.relation) == "trước tháng 3 hằng năm"


def test_two_dates_a_year_fall_on_both() -> None:
    due = {"every": "half-year", "dates": ["06-05", "12-05"]}
    assert occurrences(due, date(2026, 1, 1), date(2027, 6, 30)) == [date(2026, 6, 5), date(2026, 12, 5), date(2027, 6, 5)]
    assert describe_due(due, "before") == "trước ngày 5/6 và 5/12 hằng năm"


@pytest.mark.parametrize(("text", "due", "relation"), [
    ("yêu cầu đến 15/8/2026 phải bàn giao toàn bộ mặt bằng cho nhà thầu", "2026-08-15", "before"),
    ("phấn đấu đến ngày 30/9/2026 hoàn thành chi trả tiền bồi thường", "2026-09-30", "before"),
    ("đến ngày 20/11/2026 các xã phải hoàn thành việc rà soát", "2026-11-20", "before"),
    ("đến hết ngày 10 tháng 12 năm 2026 làm xong hồ sơ quyết toán", "2026-12-10", "before"),
])
def test_a_date_after_den_that_a_duty_follows_is_a_limit(text: str, due: str, relation: str) -> None:
    assert [(m.kind, m.due, m.relation) for m in find_due_times(text, 2026)] == [("before_date", due, relation)]


@pytest.mark.parametrize("text", [
    "tiếp nhận hồ sơ từ 01/3 đến 30/5/2026 phải bảo đảm đúng quy trình",
    "Kế hoạch có hiệu lực đến ngày 31/12/2026.",
    "Tính đến ngày 30/6/2026, toàn tỉnh đã hoàn thành 75% kế hoạch vốn.",
    "đến ngày 30/6/2026 vẫn chưa hoàn thành bàn giao mặt bằng",
])
def test_a_range_a_validity_or_a_state_after_den_is_no_limit(text: str) -> None:
    assert [m for m in find_due_times(text, 2026) if m.kind == "before_date"] == []


@pytest.mark.parametrize(("text", "year"), [
    ("phấn đấu đến năm 2030 có 90% số thôn có nhà văn hóa đạt chuẩn", "2030"),
    ("Từ nay đến hết năm 2026, tập trung giải ngân vốn sự nghiệp", "2026"),
    ("đến cuối năm 2027 hoàn thành sắp xếp các thôn, tổ dân phố", "2027"),
])
def test_a_year_reached_is_recognised_for_the_resolver(text: str, year: str) -> None:
    """`đến năm 2030` may be a goal's year or a plan's end: knowledge.time_kinds decides, so the grammar
    only names it (`year_until`), relation before."""
    assert [(m.kind, m.due, m.relation) for m in find_due_times(text, 2026)] == [("year_until", year, "before")]


def test_a_range_of_years_gives_only_its_last_year() -> None:
    found = find_due_times("Kế hoạch thực hiện trong giai đoạn từ năm 2026 đến năm 2030", 2026)
    assert [(m.kind, m.due) for m in found] == [("year_until", "2030")]


@pytest.mark.parametrize("text", ["Tính đến năm 2025, cả tỉnh có 60 xã đạt chuẩn.",
                                  "Quy hoạch vùng thời kỳ 2021-2030, tầm nhìn đến năm 2050"])
def test_a_data_cut_off_or_a_vision_is_no_year_reached(text: str) -> None:
    assert find_due_times(text, 2026) == []


@pytest.mark.parametrize(("text", "due", "relation"), [
    ("triển khai ngay trong năm 2025 các mô hình điểm", "2025", "within"),
    ("Sở Tư pháp hoàn thành trong Quý II năm 2026", "2026-Q2", "within"),
    ("gửi báo cáo tiến độ chậm nhất vào ngày 08 hằng tháng", {"every": "month", "day": 8}, "before"),
    ("các xã hoàn thành trong tháng 03/2026 việc cập nhật", "2026-03", "within"),
])
def test_forms_already_found(text: str, due: object, relation: str) -> None:
    assert [(m.due, m.relation) for m in find_due_times(text, 2026)] == [(due, relation)]


@pytest.mark.parametrize(("text", "inferred"), [
    ("Từ 19 giờ 30 phút - 20 giờ 30 phút ngày 24 tháng 9 năm 2026", False),
    # a schedule table's cell, read alone or after `vào`: the year is the document's
    ("Từ 19 giờ 30 phút - 20 giờ 30 phút ngày 24 tháng 9", True),
    ("vào Từ 19 giờ 30 phút - 20 giờ 30 phút ngày 24 tháng 9", True),
])
def test_a_window_of_hours_on_a_day_is_due_that_day_at_its_first_hour(text: str, inferred: bool) -> None:
    (m,) = find_due_times(text, 2026)
    assert (m.kind, m.due, m.relation, m.time, m.year_inferred) == ("on_date", "2026-09-24", "on", "19:30", inferred)
