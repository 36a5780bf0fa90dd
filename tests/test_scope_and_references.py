"""Documents by reference, honest scope (provinces and programmes the store does not hold) and agency
classes (issue 22, items 3, 4 and the agency part of 5). Sentences written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answering.agency_lookup import class_nouns, member_head, same_class
from bot.answering.library_view import (
    DocProfile,
    LibraryView,
    changed_name,
    number_matches,
    profile_of,
    title_grams,
    without_title_runs,
)
from bot.answering.question import DocRef, document_refs, parse_question, programmes_in
from knowledge.agencies import agency_key
from knowledge.text import fold

TODAY = date(2026, 2, 10)


@pytest.mark.parametrize("text, refs", [
    ("KH 45 của Vĩnh Long giao gì?", [DocRef("Kế hoạch", "45")]),
    ("theo TB 77 thì sao", [DocRef("Thông báo", "77")]),
    ("QĐ 310/2025 có hiệu lực khi nào", [DocRef("Quyết định", "310/2025")]),
    ("QĐ 310/2025/QĐ-UBND của An Giang", [DocRef("Quyết định", "310/2025/QD-UBND")]),
    ("Kế hoạch 45/KH-UBND yêu cầu gì", [DocRef("Kế hoạch", "45/KH-UBND")]),
    ("Công văn số 912/SNV-TCCB", [DocRef("Công văn", "912/SNV-TCCB")]),
    ("CV912 gửi ai", [DocRef("Công văn", "912")]),
])
def test_references_in_short_and_long_forms(text: str, refs: list[DocRef]) -> None:
    assert document_refs(fold(text)) == refs


@pytest.mark.parametrize("text", ["kế hoạch năm 2026 của tỉnh", "quyết định 2025 ra sao", "báo cáo tháng 3"])
def test_no_reference_without_a_number(text: str) -> None:
    assert document_refs(fold(text)) == []


def test_reference_is_not_a_topic_word() -> None:
    q = parse_question("Theo KH 45 của Vĩnh Long, sở nào lập danh sách hộ nghèo?", TODAY)
    assert q.documents == ["45"] and "45" not in q.expanded and "KH" not in q.expanded


@pytest.mark.parametrize("stored, asked, same", [
    ("310/2025/QĐ-UBND", "310/2025/QD-UBND", True),
    ("310/2025/QĐ-UBND", "310/2025", True),
    ("45/KH-UBND", "45", True),
    ("45/KH-UBND", "451", False),
    ("", "45", False),
])
def test_number_matches(stored: str, asked: str, same: bool) -> None:
    assert number_matches(stored, asked) is same


def _view(docs: dict[str, dict]) -> LibraryView:
    view = LibraryView()
    view.docs = docs
    view.provinces = sorted({d["province"] for d in docs.values() if d.get("province")})
    view.unplaced_docs = [k for k, d in docs.items() if not d.get("province")]
    return view


def test_reference_narrowed_by_province_and_type() -> None:
    view = _view({"a": {"number": "45/KH-UBND", "type": "Kế hoạch", "province": "Vĩnh Long"},
                  "b": {"number": "45/KH-UBND", "type": "Kế hoạch", "province": "An Giang"},
                  "c": {"number": "45/TB-UBND", "type": "Thông báo", "province": "Vĩnh Long"}})
    assert view.documents_referred(DocRef("Kế hoạch", "45"), ["Vĩnh Long"]) == {"a"}
    assert view.documents_referred(DocRef("", "45"), ["An Giang"]) == {"b"}
    assert view.documents_referred(DocRef("Thông báo", "45"), []) == {"c"}


TITLED = {
    "vl-12": {"title": "Kế hoạch truyền thông về chuyển đổi số trong nông nghiệp năm 2026", "province": "Vĩnh Long"},
    "vl-13": {"title": "Kế hoạch kiểm tra, giám sát Chương trình mục tiêu quốc gia giảm nghèo bền vững năm 2026",
              "province": "Vĩnh Long"},
    "vl-14": {"title": "Kế hoạch năm 2026 về Chương trình mục tiêu quốc gia giảm nghèo bền vững",
              "province": "Vĩnh Long"},
    "ag-02": {"title": "Kế hoạch truyền thông về chuyển đổi số trong nông nghiệp năm 2026", "province": "An Giang"},
}


def _titled(question: str) -> set[str]:
    view = _view(TITLED)
    view._title_grams = title_grams(TITLED)
    q = parse_question(question, TODAY, view.provinces)
    view.held_provinces(q)
    return view.documents_titled(q)


@pytest.mark.parametrize("question, docs", [
    # the plan's own words, in the province asked
    ("Kế hoạch truyền thông về chuyển đổi số trong nông nghiệp của Vĩnh Long kết thúc khi nào?", {"vl-12"}),
    ("vinh long: kiem tra giam sat thuc hien chuong trinh giam ngheo thi ai bao cao", {"vl-13"}),
    # the programme's name and the year are every plan's words: they name none
    ("Chương trình mục tiêu quốc gia giảm nghèo bền vững ở Vĩnh Long năm 2026 ra sao?", set()),
    # two provinces hold a plan of that title and the question names neither
    ("Kế hoạch truyền thông về chuyển đổi số trong nông nghiệp giao sở nào?", set()),
    # the title's words in another province's question do not name this province's plan
    ("Sở Tài chính Cần Thơ kiểm tra giám sát thực hiện chương trình giảm nghèo khi nào?", set()),
])
def test_a_document_named_by_its_title(question: str, docs: set[str]) -> None:
    assert _titled(question) == docs


def test_title_runs_leave_the_question() -> None:
    title = fold("Kế hoạch rà soát hộ nghèo, hộ cận nghèo năm 2026")
    text = "Theo KH 45 về rà soát hộ nghèo, hộ cận nghèo, sở nào tổng hợp kết quả?"
    left = without_title_runs(text, [title])
    assert "tổng hợp kết quả" in left and "cận" not in left


@pytest.mark.parametrize("text, names", [
    ("Đề án nông thôn mới kiểu mẫu", ["xây dựng nông thôn mới"]),
    ("ct pcmt cua tinh", ["phòng, chống ma túy"]),
    ("hộ nghèo đa chiều", []),
    ("vùng DTTS và miền núi", ["phát triển vùng đồng bào dân tộc thiểu số và miền núi"]),
])
def test_programmes_named(text: str, names: list[str]) -> None:
    assert programmes_in(fold(text)) == names


def test_programme_is_held_by_title_or_repeated_mention() -> None:
    passing = profile_of("Kế hoạch phòng, chống ma túy", "… gắn với xây dựng nông thôn mới …")
    assert passing.programmes == {"phòng, chống ma túy"}
    about = profile_of("Kế hoạch năm 2026", "nông thôn mới " * 3)
    assert "xây dựng nông thôn mới" in about.programmes


def test_province_not_held_is_not_found_with_what_is_held() -> None:
    view = _view({"a": {"province": "Vĩnh Long"}, "b": {"province": "An Giang"}})
    q = parse_question("Tỉnh Yên Bái giao Sở Y tế việc gì?", TODAY)
    check = view.held_provinces(q)
    assert "Yên Bái" in check.missing and "Lào Cai" in check.missing  # merged into Lào Cai on 1/7/2025
    assert "An Giang, Vĩnh Long" in check.missing


def test_old_province_finds_its_successor_and_says_so() -> None:
    view = _view({"a": {"province": "Lào Cai"}})
    q = parse_question("Tỉnh Yên Bái giao Sở Y tế việc gì?", TODAY)
    check = view.held_provinces(q)
    assert not check.missing and q.provinces == ["Lào Cai"] and "Yên Bái" in check.note


def test_changed_name() -> None:
    text, new = changed_name("Hà Giang")
    assert new == "Tuyên Quang" and "1/7/2025" in text
    assert changed_name("Vĩnh Long") == ("Vĩnh Long", None)


@pytest.mark.parametrize("asked, stored, same", [
    ("Các sở, ngành", "Các sở, ban, ngành", True),
    ("UBND các xã, phường, đặc khu", "Ủy ban nhân dân các xã, phường, đặc khu", True),
    ("UBND xã, phường", "Ủy ban nhân dân xã", True),
    ("Các sở, ngành", "Các cơ quan, đơn vị", False),
    ("UBND xã, phường", "Ủy ban nhân dân các huyện", False),
])
def test_spellings_of_a_class(asked: str, stored: str, same: bool) -> None:
    a, s = class_nouns(agency_key(asked)), class_nouns(agency_key(stored))
    assert a is not None and s is not None and same_class(a, s) is same


@pytest.mark.parametrize("name", ["Sở Xây dựng", "UBND tỉnh", "Ủy ban nhân dân thành phố", "Công an tỉnh"])
def test_one_agency_is_no_class(name: str) -> None:
    assert class_nouns(agency_key(name)) is None


def test_unit_belongs_to_its_class() -> None:
    head = member_head(agency_key("Sở Xây dựng"))
    assert head is not None and head <= (class_nouns(agency_key("Các sở, ban, ngành")) or frozenset())
    commune = member_head(agency_key("UBND phường Tân An"))
    assert commune is not None and commune <= (class_nouns(agency_key("Ủy ban nhân dân phường")) or frozenset())


@pytest.mark.parametrize("text, agencies", [
    ("Các sở, ngành và UBND xã, phường phải nộp gì trước 30/6?", ["Các sở, ngành", "UBND xã, phường"]),
    ("UBND xã phải làm gì tháng này", ["UBND xã"]),
    ("ubnd xa tan an phai lam gi", []),  # a named commune, not the class
])
def test_commune_committees_as_a_class(text: str, agencies: list[str]) -> None:
    assert parse_question(text, TODAY).agencies == agencies


def test_documents_without_a_province_answer_only_for_what_they_may_be() -> None:
    view = _view({"news": {"issuer": None}, "vpcp": {"issuer": "Văn phòng Chính phủ"},
                  "named": {"issuer": "Văn phòng Chính phủ"}, "home": {"province": "Vĩnh Long"}})
    view._profiles = {("news", ""): DocProfile(frozenset(), frozenset()),
                      ("vpcp", ""): DocProfile(frozenset(), frozenset()),
                      ("named", ""): DocProfile(frozenset({"Cà Mau"}), frozenset())}
    assert view.unplaced_naming(["Cà Mau"]) == {"news", "named"}
    assert view.unplaced_naming(["Sơn La"]) == {"news"}  # a national text naming no province is no province's
