"""A question that names a plan by its title, not its number, is answered from that plan; a question about
a period takes a schedule's row dated in it. On four plans written for this test (fictional province Sơn
Hà). The first has a dated duty for the communes that a question about the others would otherwise get;
the second and third have no dated duty at all; the fourth is a broadcast schedule in a table."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answering.planner import Answerer
from bot.config import Settings
from bot.library import ingest_paths
from tests.sample_directive import son_ha

pytestmark = pytest.mark.slow

DAMS = son_ha(
    "51/KH-UBND", "ngày 12 tháng 3 năm 2026",
    "KẾ HOẠCH\nBảo đảm an toàn hồ chứa nước mùa mưa lũ năm 2026", """
I. MỤC ĐÍCH
Chủ động phòng ngừa sự cố hồ chứa nước trong mùa mưa lũ.

II. TỔ CHỨC THỰC HIỆN
1. Ủy ban nhân dân các xã kiểm tra hiện trạng các hồ chứa nước trên địa bàn, gửi báo cáo về Sở Nông nghiệp và
Môi trường trước ngày 30/4/2026.
2. Sở Nông nghiệp và Môi trường lập báo cáo chung gửi Ủy ban nhân dân tỉnh.
""")

OUTREACH = son_ha(
    "52/KH-UBND", "ngày 12 tháng 3 năm 2026",
    "KẾ HOẠCH\nTuyên truyền về phòng, chống xâm nhập mặn năm 2026", """
I. MỤC ĐÍCH
Nâng cao hiểu biết của người dân về xâm nhập mặn và cách trữ nước ngọt.

II. NỘI DUNG
1. Phát sóng phóng sự về trữ nước ngọt trên Đài Phát thanh và Truyền hình tỉnh.
2. Thời gian thực hiện: Từ tháng 4 đến hết tháng 10 năm 2026.

III. TỔ CHỨC THỰC HIỆN
Sở Văn hóa, Thể thao và Du lịch chủ trì tổ chức các hoạt động tuyên truyền.
""")

SURVEY = son_ha(
    "53/KH-UBND", "ngày 12 tháng 3 năm 2026",
    "KẾ HOẠCH\nĐiều tra thu nhập của hộ làm muối năm 2026", """
I. NỘI DUNG
Điều tra thu nhập của hộ làm muối tại các xã ven biển.

II. TỔ CHỨC THỰC HIỆN
Ủy ban nhân dân các xã lập danh sách hộ làm muối, gửi kết quả điều tra về Sở Tài chính để tổng hợp.
""")

SCHEDULE = son_ha(
    "54/KH-UBND", "ngày 12 tháng 3 năm 2026",
    "KẾ HOẠCH\nChương trình truyền hình Hỏi đáp về nước sạch nông thôn năm 2026", """
I. NỘI DUNG
Đài Phát thanh và Truyền hình tỉnh chủ trì, phối hợp với các sở tổ chức chương trình truyền hình trực tiếp
“Hỏi đáp về nước sạch nông thôn”, mỗi tháng một kỳ, theo lịch sau:

| STT | Nội dung | Khách mời | Thời gian |
| --- | --- | --- | --- |
| 1 | Chất lượng nước sinh hoạt ở các xã vùng cao | Lãnh đạo Sở Y tế | 20 giờ ngày 12 tháng 6 |
| 2 | Đầu tư công trình cấp nước tập trung | Lãnh đạo Sở Nông nghiệp và Môi trường | 20 giờ ngày 10 tháng 7 |
| 3 | Giá nước sạch nông thôn | Lãnh đạo Sở Tài chính | 20 giờ ngày 14 tháng 8 |

II. TỔ CHỨC THỰC HIỆN
Sở Nội vụ theo dõi, định kỳ hằng tháng báo cáo Ủy ban nhân dân tỉnh kết quả thực hiện chương trình.
""")


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory) -> Answerer:
    docs = tmp_path_factory.mktemp("docs")
    for name, text in (("kh-51.txt", DAMS), ("kh-52.txt", OUTREACH), ("kh-53.txt", SURVEY), ("kh-54.txt", SCHEDULE)):
        (docs / name).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    reports, errors = ingest_paths(settings, [docs])
    assert reports and not errors
    return Answerer(settings)


def test_when_a_plan_named_by_its_title_runs_is_its_own_period(answerer: Answerer) -> None:
    ans = answerer.answer("Kế hoạch tuyên truyền về phòng chống xâm nhập mặn của Sơn Hà thực hiện đến bao giờ?",
                          date(2026, 3, 20))
    assert ans.found and "hết tháng 10 năm 2026" in ans.text
    assert ans.citations and ans.citations[0].doc_id == "kh-52"


def test_who_receives_a_report_comes_from_the_plan_named_by_its_title(answerer: Answerer) -> None:
    """The communes have a dated duty in the dams plan; the survey plan named here has none."""
    ans = answerer.answer("son ha: ubnd xa gui ket qua dieu tra thu nhap ho lam muoi cho ai", date(2026, 3, 20))
    assert ans.found and "Sở Tài chính" in ans.text
    assert ans.citations and ans.citations[0].doc_id == "kh-53"


def test_a_question_without_the_titles_own_words_is_answered_from_the_whole_library(answerer: Answerer) -> None:
    ans = answerer.answer("UBND các xã phải báo cáo gì trước ngày 30/4/2026?", date(2026, 3, 20))
    assert ans.found and "hồ chứa nước" in ans.text
    assert ans.citations and ans.citations[0].doc_id == "kh-51"


def test_next_month_takes_the_schedule_row_dated_in_it(answerer: Answerer) -> None:
    ans = answerer.answer("thang toi so nao len song hoi dap ve nuoc sach nong thon", date(2026, 6, 20))
    assert ans.found and "Sở Nông nghiệp và Môi trường" in ans.text and "10/7/2026" in ans.text
    assert ans.citations and ans.citations[0].doc_id == "kh-54"

