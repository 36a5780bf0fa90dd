"""Answers that must not dead-end, on two directives written for this test (fictional province Sơn Hà):
"who must do X" over duties with and without a date, an agency by its abbreviation, a figure of a
plan period (`2026-2030`) asked by year, and an old agency name noted beside the new one."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answering.fact_answers import _near_year
from bot.answering.planner import Answerer
from bot.config import Settings
from bot.library import ingest_paths

pytestmark = pytest.mark.slow

LETTER = """ỦY BAN NHÂN DÂN
TỈNH SƠN HÀ

Số: 15/UBND-VX
V/v rà soát người tham gia bảo hiểm y tế

Sơn Hà, ngày 10 tháng 3 năm 2026

Kính gửi: BHXH tỉnh; Sở Y tế; Sở Tài chính.

1. Giao BHXH tỉnh chủ trì rà soát danh sách người tham gia bảo hiểm y tế, báo cáo UBND tỉnh trước ngày 30/4/2026.

2. Sở Y tế thường xuyên kiểm tra việc khám chữa bệnh bảo hiểm y tế tại các trạm y tế xã.

3. Sở Tài chính chủ trì thẩm định dự toán kinh phí mua thẻ bảo hiểm y tế cho người thuộc hộ cận nghèo, trình UBND tỉnh.
"""

PLAN = """ỦY BAN NHÂN DÂN
TỈNH SƠN HÀ

Số: 40/KH-UBND

Sơn Hà, ngày 05 tháng 01 năm 2026

KẾ HOẠCH
Chuyển đổi số giai đoạn 2026-2030

I. MỤC TIÊU
1. Giai đoạn 2026-2030: tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình đạt tối thiểu 90%.
2. Năm 2026: tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình đạt tối thiểu 70%.

II. TỔ CHỨC THỰC HIỆN
Sở Khoa học và Công nghệ chủ trì xây dựng kho dữ liệu dùng chung của tỉnh, hoàn thành trong quý III/2026.
Sở Khoa học và Công nghệ làm đầu mối, phối hợp với Sở Tài chính lập dự toán kinh phí chuyển đổi số năm 2027, trình UBND tỉnh trước ngày 15/5/2026.
Sở Tài chính tổng hợp kết quả giải ngân, báo cáo UBND tỉnh trước ngày 20/12/2026.
Sở Nội vụ báo cáo tiến độ sắp xếp bộ máy vào thứ Năm hằng tuần.
"""


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory) -> Answerer:
    docs = tmp_path_factory.mktemp("docs")
    (docs / "cv-15.txt").write_text(LETTER, encoding="utf-8")
    (docs / "kh-40.txt").write_text(PLAN, encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    reports, errors = ingest_paths(settings, [docs])
    assert reports and not errors
    return Answerer(settings)


@pytest.mark.parametrize(("question", "must"), [
    ("Cơ quan nào thẩm định dự toán kinh phí mua thẻ bảo hiểm y tế?", ["Sở Tài chính", "thẩm định dự toán"]),
    ("Ai kiểm tra việc khám chữa bệnh bảo hiểm y tế ở trạm y tế xã?", ["Sở Y tế"]),
    ("Đơn vị nào xây dựng kho dữ liệu dùng chung?", ["Sở Khoa học và Công nghệ", "quý III/2026"]),
    ("BHXH tỉnh phải làm gì?", ["Bảo hiểm xã hội tỉnh", "30/4/2026"]),
    ("bao hiem xa hoi tinh co han nao", ["30/4/2026"]),
    ("Mục tiêu năm 2026 về tỷ lệ hồ sơ trực tuyến toàn trình là bao nhiêu?", ["70%"]),
    ("Mục tiêu năm 2028 về tỷ lệ hồ sơ trực tuyến toàn trình là bao nhiêu?", ["90%"]),
    # it leads something later, and cooperates on something in the window asked about
    ("Sở Tài chính có hạn nào trong tháng 5/2026?", ["phối hợp", "15/5/2026"]),
    # `trước <date>` after a duty cue: everything due from today to then
    ("Sở Khoa học và Công nghệ phải làm gì trước 30/9/2026?", ["15/5/2026", "30/9/2026"]),
])
def test_answers_found_in_duties_and_plan_periods(answerer: Answerer, question: str, must: list[str]) -> None:
    ans = answerer.answer(question, date(2026, 3, 15))
    assert ans.found, ans.text
    assert all(m in ans.text for m in must), ans.text


def test_an_old_name_is_noted_beside_the_one_asked() -> None:
    """Tautologies such as `Sở Nội vụ (từ 3/2025 là Sở Nội vụ)` are gone: the note explains the name asked."""
    from knowledge.succession import agency_family

    (alias,) = [a for a in agency_family("Sở Tài chính") if a.name == "Sở Kế hoạch và Đầu tư"]
    assert alias.shown == "Sở Tài chính (trước 3/2025 là Sở Kế hoạch và Đầu tư)"


def test_a_plan_period_covers_each_of_its_years() -> None:
    assert _near_year({"year": "2026-2030"}, 2028, 0)
    assert not _near_year({"year": "2026-2030"}, 2032, 1)
    assert _near_year({"year": None}, 2026, 0) and not _near_year({"year": None}, 2026, 0, unknown=False)


def test_a_weekly_duty_is_listed_once_in_a_month(answerer: Answerer) -> None:
    ans = answerer.answer("Tháng 5/2026 có những việc gì phải xong?", date(2026, 3, 15))
    assert ans.found and "15/5/2026" in ans.text
    listed = [line for line in ans.text.splitlines() if line.startswith("•")]
    assert sum("tiến độ sắp xếp bộ máy" in line for line in listed) == 1, ans.text
