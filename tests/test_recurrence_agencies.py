"""Recurrence expansion, agency recognition (aliases, no diacritics) and province matching."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.agencies import find_agencies, misspelt_agencies, resolve_agency
from knowledge.provinces import provinces_in
from knowledge.recurrence import describe_due, due_date, next_occurrence, occurrences


def test_monthly_with_day_expands_and_clamps_short_months() -> None:
    got = occurrences({"every": "month", "day": 31}, date(2024, 1, 1), date(2024, 4, 30))
    assert got == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]


def test_quarterly_half_yearly_and_yearly() -> None:
    assert occurrences({"every": "quarter"}, date(2024, 1, 1), date(2024, 12, 31)) == [
        date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)]
    assert occurrences({"every": "half-year"}, date(2024, 1, 1), date(2025, 1, 1)) == [
        date(2024, 6, 30), date(2024, 12, 31)]
    assert occurrences({"every": "year", "day": 15, "month": 11}, date(2024, 1, 1), date(2026, 1, 1)) == [
        date(2024, 11, 15), date(2025, 11, 15)]


def test_next_occurrence_crosses_year_boundary() -> None:
    assert next_occurrence({"every": "month", "day": 23}, date(2024, 12, 24)) == date(2025, 1, 23)
    assert next_occurrence({"every": "month", "day": 23}, date(2024, 12, 23)) == date(2024, 12, 23)
    assert next_occurrence("2024-03-15", date(2024, 3, 16)) is None


def test_one_off_due_times_end_on_their_last_day() -> None:
    assert due_date("2024-03") == date(2024, 3, 31)
    assert due_date("2024-Q2") == date(2024, 6, 30)
    assert due_date("2023") == date(2023, 12, 31)
    assert describe_due("2024-Q2", "within") == "trong quý II/2024"
    assert describe_due({"every": "month", "day": 23}, "before") == "định kỳ trước ngày 23 hằng tháng"


@pytest.mark.parametrize(("text", "name"), [
    ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"),
    ("so ke hoach va dau tu", "Sở Kế hoạch và Đầu tư"),
    ("SKHĐT", "Sở Kế hoạch và Đầu tư"),
    ("Sở NN&PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("Sở Nông nghiệp và PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("Sở LĐTB&XH", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở Lao động – Thương binh và Xã hội", "Sở Lao động - Thương binh và Xã hội"),
    ("VPĐP NTM tỉnh", "Văn phòng Điều phối nông thôn mới tỉnh"),
    ("van phong dieu phoi nong thon moi tinh", "Văn phòng Điều phối nông thôn mới tỉnh"),
    ("Văn phòng nông thôn mới tỉnh", "Văn phòng Điều phối nông thôn mới tỉnh"),
    ("UBND các huyện, thành phố", "UBND các huyện, thành phố"),
    ("Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"),
])
def test_agency_aliases(text: str, name: str) -> None:
    assert [m.name for m in find_agencies(text)] == [name]


def test_treasury_takes_its_province() -> None:
    assert find_agencies("KBNN báo cáo", "Thái Nguyên")[0].name == "Kho bạc Nhà nước Thái Nguyên"
    assert find_agencies("Kho bạc Nhà nước Thái Nguyên định kỳ")[0].name == "Kho bạc Nhà nước Thái Nguyên"


def test_fuzzy_resolution_tolerates_typos_and_missing_diacritics() -> None:
    known = ["Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Kho bạc Nhà nước Thái Nguyên"]
    assert resolve_agency("so tai chinh", known) == ["Sở Tài chính"]
    assert resolve_agency("Sở Kế hoạch và Đầu tu", known)[0] == "Sở Kế hoạch và Đầu tư"
    assert resolve_agency("kbnn", known) == ["Kho bạc Nhà nước Thái Nguyên"]


def test_a_commune_typed_without_diacritics_is_the_commune_not_every_commune() -> None:
    """`ubnd xa ea tieu` matches the collective `UBND xã` as well as it matches `UBND xã Ea Tiêu`: the
    longer name is the one meant."""
    known = ["Sở Tài chính", "UBND xã", "UBND xã Ea Tiêu", "UBND xã Hòa Sơn"]
    assert misspelt_agencies("ubnd xa ea tieu phai nop ho so truoc ngay nao", known) == ["UBND xã Ea Tiêu"]
    assert misspelt_agencies("ubnd xa phai nop ho so truoc ngay nao", known) == ["UBND xã"]


def test_provinces_without_diacritics() -> None:
    assert provinces_in("so tai chinh ha tinh") == ["Hà Tĩnh"]
    assert provinces_in("Thái Nguyên và Lạng Sơn") == ["Thái Nguyên", "Lạng Sơn"]
    assert provinces_in("tinh son ha", extra=["Sơn Hà"]) == ["Sơn Hà"]
