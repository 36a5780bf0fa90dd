"""Rules for directives we have never seen, each on sentences written for this test (fictional
province Sơn Hà; no text from ../shared)."""

from __future__ import annotations

import io

import docx
import pytest

from knowledge.agencies import find_agencies
from knowledge.duetime import find_due_times
from knowledge.extract import parse_and_extract
from knowledge.provinces import committee_of
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


@pytest.mark.parametrize(("text", "expected"), [
    # units below the commune report to it
    ("Các ấp, khu phố lập danh sách", ["Các ấp, khu phố"]),
    ("Các thôn, bản, tổ dân phố rà soát", ["Các thôn, bản, tổ dân phố"]),
    # a domain name holds `và` and commas: the list after a colon is cut between names, not inside them
    ("Sở Xây dựng phối hợp với các Sở: Khoa học và Công nghệ, Nội vụ thẩm định",
     ["Sở Xây dựng", "Sở Khoa học và Công nghệ", "Sở Nội vụ"]),
    ("Giao các Bộ: Văn hóa, Thể thao và Du lịch, Y tế hướng dẫn", ["Bộ Văn hóa, Thể thao và Du lịch", "Bộ Y tế"]),
    # members of a body are one collective
    ("Các sở là thành viên Ban Chỉ đạo tỉnh báo cáo", ["Các sở là thành viên Ban Chỉ đạo tỉnh"]),
    # `chính trị - xã hội` is one adjective; `nông thôn mới` one term; offices of every district one list
    ("Các đoàn thể chính trị - xã hội tỉnh vận động", ["Các đoàn thể chính trị - xã hội tỉnh"]),
    ("Văn phòng Điều phối nông thôn mới các huyện, thị xã tổng hợp",
     ["Văn phòng Điều phối nông thôn mới các huyện, thị xã"]),
    # named units go on after commas; `quận` with its diacritics is a district, `quản lý` is not
    ("UBND các xã Hòa Mỹ, Phú Lộc, Công an tỉnh kiểm tra", ["UBND các xã Hòa Mỹ, Phú Lộc", "Công an tỉnh"]),
    ("Ủy ban nhân dân các quận, huyện tổng hợp", ["Ủy ban nhân dân các quận, huyện"]),
    ("Các cơ quan quản lý nhà nước thực hiện", ["Các cơ quan quản lý nhà nước"]),
])
def test_collectives_lists_and_members(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def _only_deadline(body: str):
    _, facts = parse_and_extract("t", HEADER + body + "\n")
    (d,) = facts.deadlines
    return d


def test_the_requester_and_the_heads_told_are_not_the_doers() -> None:
    d = _only_deadline("Chủ tịch UBND tỉnh yêu cầu giám đốc các sở, ngành và chủ tịch UBND các xã, phường "
                       "báo cáo tiến độ giải ngân trước ngày 20/4/2026.")
    assert d.agencies == ["Các sở, ngành", "UBND các xã, phường"]
    d = _only_deadline("UBND tỉnh yêu cầu Sở Công Thương, Sở Xây dựng kiểm tra các cụm công nghiệp trước ngày 20/4/2026.")
    assert d.agencies == ["Sở Công Thương", "Sở Xây dựng"]
    # `chỉ đạo` with no one named: the subject directs its own people, so it acts
    d = _only_deadline("UBND các xã chỉ đạo tiến hành rà soát hộ nghèo, gửi về Sở Nội vụ trước ngày 20/4/2026.")
    assert d.agencies == ["UBND các xã"]
    # a scope clause before `giao`
    d = _only_deadline("Đối với các công trình thuộc thẩm quyền của tỉnh, giao Sở Xây dựng chủ trì kiểm tra, báo cáo "
                       "UBND tỉnh trước ngày 20/12/2026.")
    assert d.agencies == ["Sở Xây dựng"]


def test_a_blank_addressee_of_a_template_is_no_agency() -> None:
    header = HEADER + "Kính gửi: …………………………\n\n"
    _, facts = parse_and_extract("t", header + "Đề nghị Quý cơ quan gửi ý kiến về Sở Tư pháp trước ngày 20/4/2026.\n")
    (d,) = facts.deadlines
    assert d.agencies == [] and d.needs_review


@pytest.mark.parametrize(("text", "due"), [
    ("Các xã tổ chức hội nghị giữa tháng 5/2026.", "2026-05"),
    ("Sở Y tế khai trương vào đầu tháng 6 năm 2026.", "2026-06"),
    ("Các huyện hoàn thành trong tuần cuối tháng 7/2026.", "2026-07"),
    ("Các huyện giảm 1,5% hộ nghèo trong năm nay.", "2026"),  # the directive's own year
    ("UBND xã báo cáo trước ngày 10/9 năm thực hiện.", {"every": "year", "day": 10, "month": 9}),
    ("Sở Tài chính trình dự toán trước ngày 20/7 năm trước năm kế hoạch.", {"every": "year", "day": 20, "month": 7}),
    ("Các xã cập nhật số liệu 03 tháng một lần.", {"every": "quarter"}),
])
def test_parts_of_months_plan_years_and_this_year(text: str, due: object) -> None:
    assert [m.due for m in find_due_times(text, 2026)] == [due]


def test_a_period_counted_from_is_no_deadline() -> None:
    assert find_due_times("Từ đầu tháng 5/2026 đến nay, các xã đã giải ngân 60% kế hoạch.", 2026) == []


def test_a_request_or_a_submission_naming_no_one_goes_to_the_agencies_last_told() -> None:
    _, facts = parse_and_extract("t", HEADER + (
        "Căn cứ Kế hoạch số 5/KH-UBND, UBND tỉnh đề nghị Sở Y tế, Sở Giáo dục và Đào tạo rà soát các "
        "trường học vùng khó khăn.\n\n(Có biểu mẫu kèm theo)\n\n"
        "Báo cáo rà soát gửi về Văn phòng UBND tỉnh trước ngày 15/5/2026 để tổng hợp.\n\n"
        "Phó Chủ tịch UBND tỉnh yêu cầu báo cáo Chủ tịch UBND tỉnh trước ngày 30/5/2026.\n"))
    assert [(d.due, d.agencies) for d in facts.deadlines] == [
        ("2026-05-15", ["Sở Y tế", "Sở Giáo dục và Đào tạo"]),
        ("2026-05-30", ["Sở Y tế", "Sở Giáo dục và Đào tạo"]),
    ]


def test_a_sentence_may_open_with_a_capital_of_vietnamese_only() -> None:
    """`Đối với`, `Ủy ban`, `Ưu tiên` open sentences of their own (the time of one is not the other's)."""
    _, facts = parse_and_extract("t", HEADER + (
        "Sở Công Thương hoàn thành đề án trong tháng 6/2026. Đối với hội chợ cấp tỉnh, Sở Văn hóa, Thể thao "
        "và Du lịch tổ chức vào tháng 10/2026.\n"))
    assert [(d.due, d.agencies) for d in facts.deadlines] == [
        ("2026-06", ["Sở Công Thương"]), ("2026-10", ["Sở Văn hóa, Thể thao và Du lịch"])]


def test_parallel_clauses_after_a_connective_and_a_delegation_after_an_adverb() -> None:
    d1, d2 = _deadlines("Theo đó, các xã Hòa Mỹ, Phú Lộc tổ chức đại hội trong tháng 5/2026; các xã Đông Sơn, "
                        "Tân Lập hoàn thành hội nghị trong tháng 6/2026.")
    assert d1.agencies == ["Các xã Hòa Mỹ, Phú Lộc"] and d2.agencies == ["Các xã Đông Sơn, Tân Lập"]
    d = _only_deadline("Đặc biệt, Chủ tịch UBND tỉnh cũng chỉ đạo Sở Nội vụ trình đề án trong tháng 9/2026.")
    assert d.agencies == ["Sở Nội vụ"]


def _deadlines(body: str):
    return parse_and_extract("t", HEADER + body + "\n")[1].deadlines


def test_a_portal_time_stamp_dates_a_news_text() -> None:
    _, facts = parse_and_extract("t", (
        "Sơn Hà chuẩn bị kế hoạch nông thôn mới năm 2027\n10:15, 14/9/2026\n\n"
        "Sở Nông nghiệp và Môi trường đề nghị các xã hoàn thành đăng ký danh mục trước ngày 30-9.\n"))
    (d,) = facts.deadlines
    assert d.due == "2026-09-30"


@pytest.mark.parametrize(("text", "expected"), [
    ("Bộ tiêu chí quốc gia về xã nông thôn mới được ban hành", []),  # a set of criteria, not a ministry
    ("Văn phòng Điều phối NTM các huyện góp ý", ["Văn phòng Điều phối nông thôn mới các huyện"]),
    ("Văn phòng Điều phối NTM TW hướng dẫn", ["Văn phòng Điều phối nông thôn mới Trung ương"]),
    ("VPĐP NTM tỉnh tổng hợp", ["Văn phòng Điều phối nông thôn mới tỉnh"]),
])
def test_common_nouns_and_levels_of_coordination_offices(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "due"), [
    ("Các sở báo cáo định kỳ hằng quý, 6 tháng và hằng năm, chậm nhất ngày 20 của tháng cuối kỳ báo cáo.",
     [{"every": "quarter", "day": 20}, {"every": "half-year", "day": 20}, {"every": "year", "day": 20}]),
    ("Hằng năm, UBND xã tổng hợp danh sách gửi Sở Tài chính.", [{"every": "year"}]),
    ("UBND xã hoàn thành việc sắp xếp trước 7h30 sáng ngày 01/7/2026.", ["2026-07-01"]),
    ("UBND xã rà soát hộ nghèo từ ngày 01/10/2026 đến hết ngày 05/11/2026.", ["2026-11-05"]),
    # data periods, not limits; a limit after one stays
    ("Báo cáo quý I: thời gian chốt số liệu tính từ ngày 15 tháng 12 năm trước đến ngày 14 tháng 3.", []),
    ("Số liệu tính đến hết ngày 30/9/2026, các xã báo cáo trước ngày 05/10/2026.", ["2026-10-05"]),
    ("Báo cáo số liệu từ ngày 01/10/2026 đến hết ngày 05/11/2026.", []),
    # the months a recurring duty runs in
    ("Ngày 05 hằng tháng (từ tháng 02 đến tháng 9), UBND xã báo cáo kết quả.", [{"every": "month", "day": 5}]),
    ("Các xã báo cáo trước ngày 20 của tháng cuối quý.", [{"every": "quarter", "day": 20}]),
    ("Các sở báo cáo trước ngày 05/6 và 05/12 hằng năm.", [{"every": "half-year", "dates": ["06-05", "12-05"]}]),
    ("Các xã kiểm tra trong tháng 3 và tháng 9 hằng năm.", [{"every": "year", "month": 3}, {"every": "year", "month": 9}]),
    ("Hạn chót nộp hồ sơ là ngày 15/4/2026.", ["2026-04-15"]),
])
def test_periods_windows_and_data_cut_offs(text: str, due: list) -> None:
    assert [m.due for m in find_due_times(text, 2026)] == due


def test_a_completion_line_under_a_paragraph_belongs_to_its_agency() -> None:
    d = _only_deadline("Viện Quy hoạch bàn giao kết quả khảo sát cho các xã.\n\nThời gian hoàn thành: trước ngày 10/4/2026.")
    assert d.agencies == ["Viện Quy hoạch"] and d.due == "2026-04-10"


def test_a_headerless_text_takes_the_latest_year_of_its_full_dates() -> None:
    _, facts = parse_and_extract("t", (
        "Quyết định số 12/QĐ-TTg ngày 5/3/2019 được triển khai theo Kết luận ngày 02/8/2026 của Chủ tịch UBND tỉnh."
        "\n\nSở Tài chính đề nghị các xã gửi dự toán trước ngày 12/9.\n"))
    (d,) = facts.deadlines
    assert d.due == "2026-09-12" and d.year_inferred


def test_a_document_just_issued_binds_those_it_asks_not_its_issuer() -> None:
    d = _only_deadline("Sở Nông nghiệp và Môi trường vừa có văn bản đề nghị các xã rà soát danh mục, hoàn thành "
                       "trước ngày 30/8/2026.")
    assert d.agencies == ["Các xã"]
    d = _only_deadline("UBND tỉnh vừa ban hành Công văn số 33/UBND-KT lùi thời hạn hoàn thành tiêu chí đến trước "
                       "tháng 10/2026.")
    assert d.agencies == [] and d.needs_review
    d = _only_deadline("UBND tỉnh ban hành kế hoạch thực hiện trước ngày 30/6/2026.")  # a duty of its own
    assert d.agencies == ["UBND tỉnh"]


CENTRAL_HEADER = ("{org}\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
                  "Số: 45/{code}\nV/v báo cáo kết quả\n\nHà Nội, ngày 23 tháng 4 năm 2026\n\n"
                  "Kính gửi: UBND các tỉnh.\n\nĐề nghị UBND các tỉnh báo cáo trước ngày 15/5/2026.\n")


@pytest.mark.parametrize(("org", "code", "issuer"), [
    ("ỦY BAN DÂN TỘC", "UBDT-CSDT", "Ủy ban Dân tộc"),
    ("BỘ DÂN TỘC VÀ TÔN GIÁO", "BDTTG-CSDT", "Bộ Dân tộc và Tôn giáo"),
    ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI", "UBND-KT", "UBND thành phố Hà Nội"),
])
def test_central_issuers_and_cities_are_named_as_they_are(org: str, code: str, issuer: str) -> None:
    doc, _ = parse_and_extract("t", CENTRAL_HEADER.format(org=org, code=code))
    assert doc.issuer == issuer


def test_a_central_citys_committee_is_a_city_committee() -> None:
    assert committee_of("Huế") == "UBND thành phố Huế"
    assert committee_of("Lâm Đồng") == "UBND tỉnh Lâm Đồng"


def test_a_bare_head_noun_refers_to_the_agency_of_that_kind_named_before() -> None:
    d = _only_deadline("Viện Quy hoạch đô thị tỉnh đã khảo sát các khu dân cư ven sông.\n\nViện có nhiệm vụ bàn giao "
                       "kết quả khảo sát cho UBND các phường. Thời gian hoàn thành trước ngày 20/4/2026.")
    assert d.agencies == ["Viện Quy hoạch đô thị tỉnh"]


def test_a_completion_sentence_naming_no_one_belongs_to_the_agency_told_before() -> None:
    d = _only_deadline("Giao Trung tâm Phục vụ hành chính công tỉnh rà soát quy trình nội bộ.\n\nNội dung rà soát gồm "
                       "thời gian xử lý và thành phần hồ sơ. Hoàn thành trước ngày 30/4/2026.")
    assert d.agencies == ["Trung tâm Phục vụ hành chính công tỉnh"]


def test_a_date_after_den_with_phai_or_hoan_thanh_is_a_deadline() -> None:
    _, facts = parse_and_extract("t", HEADER + (
        "1. Giao Trung tâm Phát triển quỹ đất tỉnh tập trung giải phóng mặt bằng đoạn tuyến qua xã Tân Lập, "
        "yêu cầu đến 15/8/2026 phải bàn giao toàn bộ mặt bằng cho nhà thầu.\n"
        "2. UBND xã Tân Lập chi trả tiền bồi thường trong tháng 6/2026, phấn đấu đến ngày 30/9/2026 hoàn "
        "thành 90% chi trả.\n"))
    assert [(d.agencies, d.due, d.relation) for d in facts.deadlines] == [
        (["Trung tâm Phát triển quỹ đất tỉnh"], "2026-08-15", "before"),
        (["UBND xã Tân Lập"], "2026-06", "within"),
        (["UBND xã Tân Lập"], "2026-09-30", "before"),
    ]
