"""Answer by type: what a question asks, and which sentence or row of the retrieved passages holds it.

Every rule sits next to phrases it must and must not match (written for these tests, not taken from
any evaluation set)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from bot.answering.typed_answers import (
    VALUE,
    asked_head,
    asked_types,
    best_typed,
    normalise_dates,
    touches,
    unit_dates,
    units,
    value_lines,
)
from knowledge.text import fold


@dataclass
class FakeHit:
    quote: str
    text: str = ""
    doc_id: str = "kh-1"
    section: str = "Mục II"

    def __post_init__(self) -> None:
        self.text = self.text or self.quote


def ask(question: str, hits: list[FakeHit]):
    return best_typed(fold(question), question, hits)


@pytest.mark.parametrize("question, kinds", [
    ("Kế hoạch đặt chỉ tiêu bao nhiêu phần trăm hộ dân dùng nước sạch?", ["percent"]),
    ("ty le tre em tiem chung dat may % nam 2026", ["percent"]),
    ("Sở Xây dựng có bao nhiêu ngày làm việc để thẩm định hồ sơ?", ["duration"]),
    ("ubnd xa gui bao cao trong bao lau ke tu khi nhan van ban", ["duration"]),
    ("Các phòng báo cáo về đâu và bao lâu một lần?", ["frequency", "agency"]),
    ("Hội thi tay nghề tổ chức trong tháng nào?", ["month"]),
    ("Chương trình thực hiện đến bao giờ?", ["date"]),
    ("Quy định này có hiệu lực từ ngày nào?", ["date"]),
    ("so nao chu tri to chuc hoi thao", ["agency"]),
    ("Huyện phải xây mới bao nhiêu phòng học?", ["number"]),
    ("Vì sao phải sắp xếp lại trường học?", []),
    ("Vì sao tỷ lệ giải ngân vốn sự nghiệp còn thấp?", []),
    ("Tỷ lệ giải ngân vốn năm 2025 là bao nhiêu?", ["percent"]),
])
def test_asked_types(question: str, kinds: list[str]) -> None:
    assert asked_types(fold(question)) == kinds


def test_asked_head() -> None:
    assert asked_head(fold("sở nào hướng dẫn các xã")) == "so"
    assert asked_head(fold("cơ quan nào hướng dẫn các xã")) is None


@pytest.mark.parametrize("kind, must, must_not", [
    ("percent", ["đạt 95%", "trên 12,5 %"], ["95 phần", "năm 2025"]),
    ("number", ["xây mới 120 phòng học", "01 tin bài"], ["trước ngày 23 hằng tháng", "năm 2026", "Công văn số 12"]),
    ("duration", ["trong thời hạn 15 ngày", "07 ngày làm việc", "trong 3 tháng", "trong vòng 10 (mười) ngày làm việc"],
     ["ngày 17 tháng 9", "17 tháng 9 năm 2025"]),
    ("frequency", ["định kỳ hằng quý", "báo cáo hàng tháng", "thường xuyên"], ["tháng 3/2026"]),
    ("month", ["trong tháng 6/2026", "quý III năm 2026", "tháng 11 năm 2025"], ["Thông tư 05/2025/TT-BYT"]),
    ("date", ["trước ngày 30/9/2026", "ngày 4 tháng 7 năm 2026", "đến hết năm 2027", "trước 15/8"],
     ["Thông tư số 05/2025/TT-BYT", "năm học mới"]),
])
def test_value_patterns(kind: str, must: list[str], must_not: list[str]) -> None:
    for phrase in must:
        assert VALUE[kind].search(fold(phrase).lower()), phrase
    for phrase in must_not:
        assert not VALUE[kind].search(fold(phrase).lower()), phrase


PLAN = [
    FakeHit("Thực hiện chương trình nước sạch nông thôn giai đoạn 2026 - 2030, UBND tỉnh ban hành kế hoạch "
            "như sau:", section="Phần mở đầu"),
    FakeHit("Phấn đấu đến năm 2030 có ít nhất 85% hộ dân nông thôn được dùng nước sạch; riêng năm 2026 đạt "
            "60% hộ dân nông thôn được dùng nước sạch."),
    FakeHit("Trên 90% trường học có công trình nước sạch."),
]


def test_share_comes_from_the_sentence_not_the_preamble() -> None:
    found = ask("Đến 2030 kế hoạch đặt chỉ tiêu bao nhiêu % hộ dân nông thôn dùng nước sạch?", PLAN)
    assert found is not None and found.hit is PLAN[1]
    assert found.value == "85%"  # beside the year the question names


def test_the_year_asked_picks_the_value_beside_it() -> None:
    found = ask("nam 2026 phan dau bao nhieu phan tram ho dan nong thon dung nuoc sach", PLAN)
    assert found is not None and found.value == "60%"


def test_a_cited_documents_date_is_not_the_due_date() -> None:
    hit = FakeHit("Rà soát danh mục 40 công trình theo Quyết định số 210/QĐ-UBND ngày 03/02/2026 của UBND tỉnh; "
                  "báo cáo kết quả rà soát danh mục công trình cho UBND tỉnh trong tháng 7 năm 2026.")
    found = ask("Kết quả rà soát danh mục 40 công trình phải báo cáo khi nào?", [hit])
    assert found is not None and found.value == "tháng 7 năm 2026"
    assert value_lines(found) == ["Thời gian: tháng 7/2026"]


def test_a_meeting_day_opening_a_notice_is_not_the_answer() -> None:
    hits = [FakeHit("Ngày 12/3/2026, UBND tỉnh họp bàn về hội chợ nông sản với các sở, ngành."),
            FakeHit("Giao Sở Công Thương tổ chức hội chợ nông sản trong tháng 9/2026.")]
    found = ask("Hội chợ nông sản tổ chức trong tháng nào?", hits)
    assert found is not None and found.value == "tháng 9/2026"


def test_duration_in_days() -> None:
    hits = [FakeHit("Căn cứ Kế hoạch số 12/KH-UBND ngày 17 tháng 9 năm 2025 về kiểm tra hồ sơ đất đai;"),
            FakeHit("Phòng Kinh tế thẩm định hồ sơ đất đai trong thời hạn 07 ngày làm việc kể từ ngày nhận đủ "
                    "hồ sơ hợp lệ.")]
    found = ask("Phòng Kinh tế có bao nhiêu ngày làm việc để thẩm định hồ sơ đất đai?", hits)
    assert found is not None and found.value == "07 ngày làm việc"


def test_duration_with_the_number_spelt_out() -> None:
    """Legal texts write `15 (mười lăm) ngày`: the bracket is part of the value, not a break in it."""
    hits = [FakeHit("Trong thời hạn 15 (mười lăm) ngày làm việc kể từ ngày nhận đơn, Phòng Nông nghiệp xác minh "
                    "diện tích cây trồng bị thiệt hại.")]
    found = ask("Phòng Nông nghiệp xác minh diện tích cây trồng bị thiệt hại trong bao nhiêu ngày?", hits)
    assert found is not None and found.value == "15 (mười lăm) ngày làm việc"


def test_where_and_how_often_in_one_sentence() -> None:
    hit = FakeHit("Các phòng, ban định kỳ hằng quý báo cáo kết quả thực hiện kế hoạch chuyển đổi số về Sở "
                  "Khoa học và Công nghệ để tổng hợp.")
    found = ask("Các phòng, ban báo cáo kết quả kế hoạch chuyển đổi số về đâu và bao lâu một lần?", [hit])
    assert found is not None
    assert {v.kind: v.text for v in found.values} == {"frequency": "định kỳ hằng quý",
                                                       "agency": "Sở Khoa học và Công nghệ"}


def test_the_agency_asked_for_is_not_the_one_named_in_the_question() -> None:
    hit = FakeHit("Hướng dẫn Đài Truyền thanh xã tuyên truyền về phòng cháy chữa cháy rừng.",
                  text="Tổ chức thực hiện > Sở Văn hóa, Thể thao và Du lịch: Hướng dẫn Đài Truyền thanh xã "
                       "tuyên truyền về phòng cháy chữa cháy rừng.")
    found = ask("Sở nào hướng dẫn Đài Truyền thanh xã tuyên truyền phòng cháy chữa cháy rừng?", [hit])
    assert found is not None and found.value == "Sở Văn hóa, Thể thao và Du lịch"


def test_a_schedule_row_gives_its_date_with_the_plans_year() -> None:
    row = FakeHit("3 | Trả lời kiến nghị của người dân về đất đai | Lãnh đạo Sở Xây dựng | Từ 9 giờ ngày 14 tháng 10",
                  section="Mục III, bảng, dòng 3")
    other = FakeHit("Báo và Phát thanh, Truyền hình tỉnh tổ chức chương trình trả lời kiến nghị hằng tháng.")
    found = ask("Lãnh đạo Sở Xây dựng trả lời kiến nghị ngày nào năm 2027?", [other, row])
    assert found is not None and found.hit is row
    assert value_lines(found, 2027) == ["Thời gian: 14/10/2027"]


def test_a_figure_for_another_year_is_not_the_answer() -> None:
    hit = FakeHit("Năm 2024 tỷ lệ giải ngân vốn sự nghiệp đạt 61%.")
    assert ask("Tỷ lệ giải ngân vốn sự nghiệp năm 2023 là bao nhiêu?", [hit]) is None
    assert ask("Tỷ lệ giải ngân vốn sự nghiệp năm 2024 là bao nhiêu?", [hit]).value == "61%"


def test_no_answer_without_the_asked_type_or_the_question_words() -> None:
    assert ask("Hội chợ tổ chức trong tháng nào?", [FakeHit("Giao Sở Công Thương tổ chức hội chợ nông sản.")]) is None
    assert ask("Đến 2030 bao nhiêu % trường đạt chuẩn?", [FakeHit("Trên 90% hộ dân có điện lưới.")]) is None
    assert ask("Vì sao phải làm?", PLAN) is None


def test_units_keep_a_duty_and_its_due_time_together() -> None:
    assert units("Rà soát hồ sơ; báo cáo trước ngày 5/6/2026. Tổ chức hội nghị.") == [
        "Rà soát hồ sơ; báo cáo trước ngày 5/6/2026.", "Tổ chức hội nghị."]
    assert units("1 | Sở Y tế | Tháng 8/2026") == ["1 | Sở Y tế | Tháng 8/2026"]


@pytest.mark.parametrize("text, year, out", [
    ("trước ngày 31 tháng 12 năm 2025", None, "trước 31/12/2025"),
    ("hiệu lực từ ngày 04 tháng 02 năm 2026", None, "hiệu lực từ 4/2/2026"),
    ("trong tháng 5 năm 2026", None, "trong tháng 5/2026"),
    ("ngày 8 tháng 5", 2026, "8/5/2026"),
    ("ngày 8 tháng 5", None, "ngày 8 tháng 5"),
    ("trước 05/01/2026", None, "trước 5/1/2026"),
])
def test_normalise_dates(text: str, year: int | None, out: str) -> None:
    assert normalise_dates(text, year) == out


SCHEDULE = [
    FakeHit("Sở Văn hóa, Thể thao và Du lịch chủ trì tổ chức chương trình truyền hình “Hỏi đáp về chuyển đổi số” "
            "mỗi tháng một kỳ; định kỳ hằng tháng báo cáo Sở Nội vụ."),
    FakeHit("1 | Giải đáp về chuyển đổi số trong giáo dục | Lãnh đạo Sở Giáo dục và Đào tạo | 20 giờ ngày 14 tháng 5",
            text="Chương trình Hỏi đáp về chuyển đổi số: Nội dung | Khách mời | Thời gian"),
    FakeHit("2 | Giải đáp về chuyển đổi số trong y tế | Lãnh đạo Sở Y tế | 20 giờ ngày 11 tháng 6",
            text="Chương trình Hỏi đáp về chuyển đổi số: Nội dung | Khách mời | Thời gian"),
]


def test_a_question_about_a_period_takes_the_schedule_row_dated_in_it() -> None:
    """`tháng tới sở nào …`: the rows differ only by agency and day, and the day in the month asked wins over
    the sentence about the whole schedule, which names no day."""
    question = "tháng tới sở nào lên chương trình hỏi đáp về chuyển đổi số"
    june = (date(2026, 6, 1), date(2026, 6, 30))
    found = best_typed(fold(question), question, SCHEDULE, window=june, year_of=lambda _doc: 2026)
    assert found is not None and found.value == "Sở Y tế"
    may = (date(2026, 5, 1), date(2026, 5, 31))
    found = best_typed(fold(question), question, SCHEDULE, window=may, year_of=lambda _doc: 2026)
    assert found is not None and found.value == "Sở Giáo dục và Đào tạo"


@pytest.mark.parametrize("unit, year, days", [
    ("báo cáo trước ngày 15/7/2026", None, [date(2026, 7, 15)]),
    ("20 giờ ngày 11 tháng 6", 2026, [date(2026, 6, 11)]),
    ("ngày 11 tháng 6", None, []),  # no year known: no day
    ("theo Quyết định số 12/QĐ-UBND ngày 03/02/2026, hoàn thành trước ngày 30 tháng 9 năm 2026", None,
     [date(2026, 9, 30)]),
])
def test_unit_dates(unit: str, year: int | None, days: list[date]) -> None:
    assert unit_dates(unit, year) == days


def test_days_spanning_the_window_touch_it() -> None:
    june = (date(2026, 6, 1), date(2026, 6, 30))
    assert touches([date(2026, 5, 1), date(2026, 7, 31)], june)
    assert not touches([date(2026, 5, 1), date(2026, 5, 31)], june)
    assert not touches([], june)

