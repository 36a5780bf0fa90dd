"""Where an agency name ends: before the role verb the directive gives it (`chủ trì`, `phối hợp`,
`tham mưu`, `thực hiện`, `chịu trách nhiệm`), written in lower case or capitalised, while councils named
after what they coordinate keep those words. Sentences written for this test (fictional province Sơn Hà)."""

from __future__ import annotations

import pytest

from knowledge.agencies import find_agencies, lead_and_partners


def _surfaces(text: str) -> list[str]:
    return [m.surface for m in find_agencies(text, None, open_vocab=True)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Văn phòng UBND tỉnh chủ trì, phối hợp với Sở Tư pháp xây dựng phòng họp trực tuyến",
     ["Văn phòng UBND tỉnh", "Sở Tư pháp"]),
    ("Văn phòng UBND tỉnh Chủ trì, phối hợp với Sở Tư pháp", ["Văn phòng UBND tỉnh", "Sở Tư pháp"]),
    ("UBND tỉnh Sơn Hà Chủ trì, Phối hợp với Sở Y tế", ["UBND tỉnh Sơn Hà", "Sở Y tế"]),
    ("Sở Y tế Thực hiện kiểm tra các cơ sở khám bệnh", ["Sở Y tế"]),
    ("Trung tâm Phục vụ hành chính công tỉnh tham mưu UBND tỉnh", ["Trung tâm Phục vụ hành chính công tỉnh",
                                                                "UBND tỉnh"]),
    ("Sở Văn hóa, Thể thao và Du lịch chịu trách nhiệm tổ chức lễ hội", ["Sở Văn hóa, Thể thao và Du lịch"]),
    ("Ban Chỉ đạo phối hợp với Công an tỉnh kiểm tra", ["Ban Chỉ đạo", "Công an tỉnh"]),
    ("UBND phối hợp với Sở Tư pháp", ["UBND", "Sở Tư pháp"]),
    ("Các sở, ban, ngành chủ trì, phối hợp với UBND các xã", ["Các sở, ban, ngành", "UBND các xã"]),
])
def test_a_role_verb_ends_the_name(text: str, expected: list[str]) -> None:
    assert _surfaces(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Hội đồng phối hợp phổ biến, giáo dục pháp luật tỉnh tổ chức hội nghị",
     ["Hội đồng phối hợp phổ biến, giáo dục pháp luật tỉnh"]),
    ("Hội đồng Phối hợp liên ngành tỉnh họp định kỳ", ["Hội đồng Phối hợp liên ngành tỉnh"]),
    ("Ban Chỉ đạo thực hiện Đề án 06 tỉnh kiểm tra tiến độ", ["Ban Chỉ đạo thực hiện Đề án 06 tỉnh"]),
    ("Tổ công tác thực hiện Đề án 06 tỉnh báo cáo kết quả", ["Tổ công tác thực hiện Đề án 06 tỉnh"]),
    ("Văn phòng Điều phối nông thôn mới tỉnh chủ trì tổng hợp", ["Văn phòng Điều phối nông thôn mới tỉnh"]),
    ("Sở Tư pháp tổ chức phổ biến, giáo dục pháp luật", ["Sở Tư pháp"]),
])
def test_a_name_made_of_role_words_keeps_them(text: str, expected: list[str]) -> None:
    assert _surfaces(text) == expected


@pytest.mark.parametrize(("cell", "expected"), [
    ("Văn phòng UBND tỉnh chủ trì, phối hợp với Sở Tư pháp và các sở, ngành có liên quan",
     ("Văn phòng UBND tỉnh", "Sở Tư pháp và các sở, ngành có liên quan")),
    ("Sở Nội vụ Chủ trì; phối hợp Sở Tài chính", ("Sở Nội vụ", "Sở Tài chính")),
    ("Công an tỉnh phối hợp với UBND các xã", ("Công an tỉnh", "UBND các xã")),
    ("Sở Tư pháp chịu trách nhiệm", ("Sở Tư pháp", "")),
    ("Sở Y tế; Sở Tài chính", None),
    ("Hội đồng phối hợp phổ biến, giáo dục pháp luật tỉnh", None),
])
def test_a_cell_with_the_lead_and_its_partners(cell: str, expected: tuple[str, str] | None) -> None:
    """For field lines (`Đơn vị thực hiện: …`) and table cells that say both in one clause."""
    assert lead_and_partners(cell) == expected
