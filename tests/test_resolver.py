"""The resolver: one decision record per time expression (kind, candidate doers with evidence, choice,
confidence), on sentences written for these tests in the forms real offices use."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import docx

from knowledge.decision import REVIEW_BELOW, Candidate, decide
from knowledge.extract import parse_and_extract
from knowledge.reader import read_bytes

HEADER = """ỦY BAN NHÂN DÂN
TỈNH SƠN HÀ
Số: 77/KH-UBND
Sơn Hà, ngày 02 tháng 3 năm 2027
KẾ HOẠCH
Triển khai nhiệm vụ cải cách hành chính năm 2027
"""
LETTER = """ỦY BAN NHÂN DÂN
TỈNH SƠN HÀ
Số: 78/UBND-KT
Sơn Hà, ngày 02 tháng 3 năm 2027
V/v báo cáo kết quả giải ngân
Kính gửi:
- Sở Tài chính;
- Sở Xây dựng.
"""


def _facts(body: str, header: str = HEADER):
    return parse_and_extract("t", header + body)[1]


def test_a_subject_named_in_the_sentence_is_trusted() -> None:
    facts = _facts("1. Sở Tư pháp rà soát các văn bản quy phạm pháp luật, báo cáo UBND tỉnh trước ngày 20/4/2027.\n")
    [d] = facts.deadlines
    assert d.agencies == ["Sở Tư pháp"] and d.due == "2027-04-20"
    assert d.decision.choice.evidence == "sentence subject"
    assert d.confidence >= REVIEW_BELOW and not d.needs_review
    assert d.as_json()["confidence"] == d.confidence and d.as_json()["needs_review"] is False


def test_a_time_with_no_doer_goes_to_review() -> None:
    facts = _facts("1. Hoàn thiện hồ sơ thẩm định dự án trước ngày 15/5/2027.\n")
    [d] = facts.deadlines
    assert d.agencies == [] and d.needs_review and d.confidence == 0.0
    assert "no doer" in d.decision.doubts


def test_a_period_with_no_day_goes_to_review() -> None:
    facts = _facts("1. Sở Nội vụ cập nhật kết quả chỉ số cải cách hành chính hằng tháng lên phần mềm.\n")
    [d] = facts.deadlines
    assert d.due == {"every": "month"} and d.needs_review
    assert "period without a day" in d.decision.doubts


def test_two_close_candidates_lower_the_confidence() -> None:
    clear = decide("duty", "trong tháng 5", [Candidate("enclosing item", ("Sở Y tế",))])
    torn = decide("duty", "trong tháng 5", [Candidate("time frame item", ("Sở Y tế",)),
                                            Candidate("previous sentence", ("Sở Công Thương",))])
    agreed = decide("duty", "trong tháng 5", [Candidate("enclosing item", ("Sở Y tế",)),
                                              Candidate("lead-in", ("Sở Y tế",))])
    assert "two close candidates" in torn.doubts and torn.needs_review
    assert agreed.confidence > clear.confidence >= REVIEW_BELOW


def test_plan_periods_and_purposes_are_left_out_with_their_kind() -> None:
    facts = _facts(
        "1. Từ nay đến hết năm 2027, các sở tập trung cải thiện chỉ số hài lòng của người dân.\n"
        "2. Để nâng cao chất lượng phục vụ trong quý II/2027, Chủ tịch UBND tỉnh yêu cầu các sở thực hiện tốt "
        "các nội dung sau:\n"
        "3. Qua kiểm tra thực tế cho thấy, việc số hóa hồ sơ trong tháng 02/2027 còn chậm.\n")
    assert facts.deadlines == []
    kinds = {decision.kind for _, decision in facts.left_out}
    assert {"plan_period", "purpose", "observation"} <= kinds


def test_a_measurable_goal_with_a_year_is_the_doers_deadline() -> None:
    facts = _facts("III. NHIỆM VỤ\n1. Ủy ban nhân dân các xã\n"
                   "- Triển khai các mô hình phòng ngừa, phấn đấu ít nhất 30% số thôn đạt tiêu chí an toàn "
                   "ngay trong năm 2027.\n"
                   "- Phấn đấu trong năm 2027 được công nhận đạt chuẩn.\n")
    goals = [d for d in facts.deadlines if d.kind == "goal"]
    assert [(d.due, d.agencies) for d in goals] == [("2027", ["Ủy ban nhân dân các xã"])]
    assert any(decision.kind == "aspiration" for _, decision in facts.left_out)


def test_a_topic_that_opens_an_item_holds_no_limit() -> None:
    facts = _facts("1. Về số vốn chưa giải ngân hết trong năm 2026 của các dự án: Sở Tài chính rà soát, "
                   "báo cáo UBND tỉnh trước ngày 30/3/2027.\n")
    assert [(d.due, d.agencies) for d in facts.deadlines] == [("2027-03-30", ["Sở Tài chính"])]


def test_a_lead_in_gives_the_items_after_it_their_doer() -> None:
    facts = _facts("II. NHIỆM VỤ CỤ THỂ\n1. Về chuyển đổi số\nGiao Sở Khoa học và Công nghệ:\n"
                   "a) Kiểm tra việc sử dụng chữ ký số, hoàn thành trong tháng 6/2027.\n"
                   "b) Công bố kết quả đánh giá chậm nhất vào ngày 10 hằng tháng.\n")
    found = [(d.due, d.agencies, d.decision.choice.evidence) for d in facts.deadlines]
    assert found == [("2027-06", ["Sở Khoa học và Công nghệ"], "lead-in"),
                     ({"every": "month", "day": 10}, ["Sở Khoa học và Công nghệ"], "lead-in")]


def test_a_heading_that_sets_a_month_passes_it_to_items_without_their_own_time() -> None:
    facts = _facts("I. NHỮNG VIỆC CẦN LÀM NGAY TRONG THÁNG 4/2027\n1. Sở Tư pháp\n"
                   "a) Rà soát quy chế phối hợp trong công tác kiểm tra văn bản.\n"
                   "b) Báo cáo kết quả kiểm tra trước ngày 25/4/2027.\n"
                   "II. NHIỆM VỤ THƯỜNG XUYÊN\n1. Sở Tài chính theo dõi tiến độ giải ngân.\n")
    found = [(d.due, d.agencies) for d in facts.deadlines]
    assert found == [("2027-04", ["Sở Tư pháp"]), ("2027-04-25", ["Sở Tư pháp"])]


def test_addressees_fill_in_for_the_units_of_a_letter() -> None:
    facts = _facts("Đề nghị các đơn vị báo cáo kết quả giải ngân về UBND tỉnh trước ngày 10/4/2027.\n", LETTER)
    [d] = facts.deadlines
    assert d.agencies == ["Sở Tài chính", "Sở Xây dựng"]
    assert d.decision.choice.evidence == "addressees"


def _schedule_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN TỈNH SƠN HÀ")
    document.add_paragraph("KẾ HOẠCH Tuyên truyền cải cách hành chính năm 2027")
    document.add_paragraph("Đài Phát thanh tỉnh chủ trì tổ chức chương trình đối thoại, gồm các chuyên mục sau:")
    table = document.add_table(rows=3, cols=4)
    rows = [("TT", "Nội dung", "Trách nhiệm thực hiện", "Thời gian (Năm 2027)"),
            ("1", "Giải đáp kiến nghị về thủ tục đất đai", "Lãnh đạo Sở Nông nghiệp và Môi trường",
             "Từ 20 giờ 00 phút - 20 giờ 30 phút ngày 12 tháng 3"),
            ("2", "Giải đáp kiến nghị về cấp phép xây dựng", "Lãnh đạo Sở Xây dựng",
             "Từ 20 giờ 00 phút - 20 giờ 30 phút ngày 09 tháng 4")]
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_a_schedule_table_gives_each_row_its_unit_and_day() -> None:
    raw = read_bytes("lich.docx", _schedule_docx(), 10 * 1024 * 1024)
    _, facts = parse_and_extract("lich", raw.text, raw.name, raw.format)
    found = [(d.due, d.agencies, d.time) for d in facts.deadlines]
    assert found == [("2027-03-12", ["Lãnh đạo Sở Nông nghiệp và Môi trường"], "20:00"),
                     ("2027-04-09", ["Lãnh đạo Sở Xây dựng"], "20:00")]


def test_extract_explain_prints_the_decision_record(tmp_path: Path) -> None:
    path = tmp_path / "kh.txt"
    path.write_text(HEADER + "1. Từ nay đến hết năm 2027, các sở tập trung cải cách.\n"
                    "2. Sở Nội vụ tổng hợp, báo cáo UBND tỉnh trước ngày 05/12/2027.\n", encoding="utf-8")
    exe = [sys.executable, "-m", "bot.cli"]
    explain = subprocess.run([*exe, "extract", str(path), "--explain"], capture_output=True, text=True, check=True)
    assert "* sentence subject (0.95): Sở Nội vụ" in explain.stdout
    assert "is plan_period" in explain.stdout
    data = json.loads(subprocess.run([*exe, "extract", str(path), "--json"], capture_output=True, text=True,
                                     check=True).stdout)
    [d] = data["deadlines"]
    assert set(d) >= {"confidence", "needs_review", "kind"} and d["kind"] == "duty"


def test_a_working_copy_with_a_blank_day_starts_its_recurring_duties_in_its_month() -> None:
    from datetime import date

    from knowledge.schedule import since

    header = HEADER.replace("Sơn Hà, ngày 02 tháng 3 năm 2027", "Sơn Hà, ngày      tháng 3 năm 2027")
    doc, facts = parse_and_extract("t", header + "1. Sở Nội vụ báo cáo UBND tỉnh trước ngày 20 hằng tháng.\n")
    assert doc.issued_date is None and doc.issued_month == "2027-03"
    [d] = facts.deadlines
    row = {"due": d.due, "issued_date": None, "issued_month": doc.issued_month}
    assert since(row, date(2026, 8, 1)) == date(2027, 3, 1)


def test_a_news_item_binds_those_the_reported_letter_asks_in_the_items_year() -> None:
    item = ("Sơn Hà: khẩn trương giải ngân vốn các chương trình\n12/12/2026 08:30\n"
            "UBND tỉnh Sơn Hà vừa ban hành Công văn số 2210/UBND-KT ngày 10/12/2026 đề nghị các sở, ngành và "
            "UBND các xã rà soát, báo cáo kết quả giải ngân về Sở Tài chính trước ngày 25/12.")
    letter = ("Ngày 05/01/2027, Văn phòng UBND tỉnh Sơn Hà có Công văn số 15/VP-KT truyền đạt ý kiến chỉ đạo "
              "của Chủ tịch UBND tỉnh, yêu cầu Sở Y tế tổng hợp danh sách trạm y tế xã, gửi UBND tỉnh trước "
              "ngày 20/01.")
    [first] = parse_and_extract("tin", item)[1].deadlines
    assert (first.due, first.agencies) == ("2026-12-25", ["Các sở, ngành", "UBND các xã"])
    [second] = parse_and_extract("tin", letter)[1].deadlines
    assert (second.due, second.agencies) == ("2027-01-20", ["Sở Y tế"])


def test_an_inspection_schedule_is_the_inspectors_duty() -> None:
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH Kiểm tra công tác cải cách hành chính năm 2027")
    document.add_paragraph("1. Chủ tịch UBND tỉnh giao Sở Nội vụ chủ trì tổ chức kiểm tra công tác cải cách "
                           "hành chính tại các cơ quan, địa phương.")
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(table.rows, [("STT", "Đơn vị được kiểm tra", "Thời gian kiểm tra"),
                                       ("1", "Sở Y tế", "Tháng 8/2027"), ("2", "UBND xã Hòa Bình", "Tháng 9/2027")],
                          strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    buf = io.BytesIO()
    document.save(buf)
    raw = read_bytes("kiem-tra.docx", buf.getvalue(), 10 * 1024 * 1024)
    rows = [d for d in parse_and_extract("kt", raw.text, raw.name, raw.format)[1].deadlines if "|" in d.quote]
    assert [(d.due, d.agencies, d.cooperating) for d in rows] == [
        ("2027-08", ["Sở Nội vụ"], ["Sở Y tế"]), ("2027-09", ["Sở Nội vụ"], ["UBND xã Hòa Bình"])]
    assert rows[0].decision.choice.evidence == "inspecting agency"


def test_a_field_line_names_the_lead_and_its_partners() -> None:
    facts = _facts("1. Xây dựng cơ sở dữ liệu dùng chung của tỉnh\n"
                   "- Cơ quan thực hiện: Ban Quản lý dự án tỉnh chủ trì, phối hợp với Sở Tài chính\n"
                   "- Thời gian hoàn thành: tháng 9/2027\n")
    [d] = facts.deadlines
    assert (d.due, d.agencies, d.cooperating) == ("2027-09", ["Ban Quản lý dự án tỉnh"], ["Sở Tài chính"])


def test_a_ministry_asks_the_provinces_it_writes_to() -> None:
    header = ("BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
              "Độc lập - Tự do - Hạnh phúc\nSố: 812/BNNMT-VPĐP\nV/v báo cáo kết quả xây dựng nông thôn mới\n"
              "Hà Nội, ngày 03 tháng 3 năm 2027\nKính gửi: Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương.\n")
    facts = _facts("Để kịp tổng hợp, Bộ đề nghị Quý Ủy ban chỉ đạo các cơ quan liên quan tổng hợp kết quả, gửi về "
                   "Bộ trước ngày 25/3/2027.\n", header)
    [d] = facts.deadlines
    assert d.agencies == ["Ủy ban nhân dân các tỉnh, thành phố"] and d.decision.choice.evidence == "addressees"
