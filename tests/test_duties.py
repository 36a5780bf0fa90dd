"""Duty and figure extraction edge cases that the five real directives do not show."""

from __future__ import annotations

from knowledge.extract import parse_and_extract

HEADER = """ỦY BAN NHÂN DÂN
TỈNH SƠN HÀ
Số: 99/UBND-KT
Sơn Hà, ngày 01 tháng 12 năm 2026
V/v đẩy nhanh giải ngân vốn
"""


def _deadlines(body: str) -> list:
    _, facts = parse_and_extract("ex", HEADER + body)
    return facts.deadlines


def test_a_purpose_clause_before_the_duties_is_not_a_deadline() -> None:
    found = _deadlines(
        "Để phấn đấu giải ngân 100% kế hoạch vốn trước ngày 31/01/2027, Chủ tịch UBND tỉnh yêu cầu:\n"
        "1. Sở Tài chính tổng hợp tình hình giải ngân, báo cáo UBND tỉnh trước ngày 15/12/2026.\n"
    )
    assert [(d.due_text, d.agencies) for d in found] == [("trước ngày 15/12/2026", ["Sở Tài chính"])]


def test_a_sentence_opening_with_de_that_assigns_a_duty_is_kept() -> None:
    found = _deadlines(
        "1. Để kịp thời phân bổ vốn, Sở Tài chính tham mưu UBND tỉnh trước ngày 20/12/2026.\n"
    )
    assert [d.due_text for d in found] == ["trước ngày 20/12/2026"]


def test_adjacent_due_times_share_their_task() -> None:
    found = _deadlines(
        "1. Sở Nội vụ tổng hợp báo cáo UBND tỉnh định kỳ 6 tháng (trước ngày 15/6/2027) "
        "và cả năm (trước ngày 15/12/2027).\n"
    )
    assert [d.due for d in found] == ["2027-06-15", "2027-12-15"]  # no invented half-year rule
    assert {d.task for d in found} == {"tổng hợp báo cáo UBND tỉnh định kỳ 6 tháng"}


def test_a_baseline_year_is_not_the_year_of_a_figure() -> None:
    _, facts = parse_and_extract("ex", HEADER + (
        "1. Tỷ lệ giải ngân nguồn vốn năm 2026 tăng nhẹ so năm 2025; tính đến ngày 31/12/2026 tỷ lệ giải ngân "
        "chung đạt 52,6% kế hoạch.\n2. Tỷ lệ hộ nghèo năm 2026 là 3,02% (giảm 1,33% so với năm 2025).\n"))
    years = {t.value: t.year for t in facts.targets + facts.results}
    assert years["52,6%"] == "2026" and years["3,02%"] == "2026"
