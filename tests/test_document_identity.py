"""One document, one identity: which directive a text is, and whether it is a directive at all.

Real SQLite and the real CLI as a subprocess; the directives and notes are written here. The shared
documents are only read, to check that every one of them is still accepted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.chat.notices import plan_notifications, report_source, stored_label
from bot.config import Settings
from bot.library import ADDED, DUPLICATE, NEW_VERSION, UNCHANGED, ingest_bytes
from knowledge.identity import directive_signs, headers_differ
from knowledge.model import Document
from knowledge.reader import RejectedFile, read_path
from knowledge.store import FactStore
from knowledge.structure import parse_document
from tests.conftest_shared import CORPUS, EVAL, needs_shared

ROOT = Path(__file__).resolve().parents[1]

# A working copy of a conclusion: the number and the day are left blank, as offices circulate them.
CONCLUSION = """ỦY BAN NHÂN DÂN
{province_upper}

Số: /TB-UBND

{place}, ngày tháng {month} năm {year}

THÔNG BÁO

Kết luận của Chủ tịch UBND tỉnh tại buổi làm việc về chợ nông thôn

Ngày 12/{month}/{year}, Chủ tịch UBND tỉnh làm việc với các sở về chợ nông thôn và kết luận như sau:

1. Sở Công Thương chủ trì rà soát mạng lưới chợ nông thôn, báo cáo UBND tỉnh trước ngày 20/{due_month}/{year}.
2. Sở Tài chính bố trí kinh phí sửa chữa các chợ xuống cấp, hoàn thành trong tháng {due_month}/{year}.
"""


def _conclusion(place: str, year: int, month: int = 3, due_month: int = 5) -> bytes:
    text = CONCLUSION.format(province_upper=f"TỈNH {place.upper()}", place=place, year=year, month=month,
                             due_month=due_month)
    return text.encode("utf-8")


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", today_override=date(2026, 3, 1))


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_TODAY": "2026-03-01"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


# ------------------------------------------------------------------------------ which directive


def test_another_unnumbered_directive_under_a_taken_name_is_stored_beside_the_first(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = ingest_bytes(settings, "thong-bao.txt", _conclusion("Hòa Bình Nam", 2024), index=False)
    other = ingest_bytes(settings, "thong-bao.txt", _conclusion("Sơn Hà", 2026), index=False)
    assert (first.status, other.status) == (ADDED, ADDED)
    assert other.doc_id != first.doc_id and other.changes is None
    store = FactStore(settings.store_target)
    assert {d["province"] for d in store.documents()} == {"Hòa Bình Nam", "Sơn Hà"}
    assert {r["due"] for r in store.deadlines(doc_ids=[first.doc_id])} == {"2024-05-20", "2024-05"}


def test_the_same_province_another_year_is_another_directive(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ingest_bytes(settings, "thong-bao.txt", _conclusion("Sơn Hà", 2025), index=False)
    assert ingest_bytes(settings, "thong-bao.txt", _conclusion("Sơn Hà", 2026), index=False).status == ADDED


def test_an_edited_unnumbered_text_under_its_name_is_still_its_new_version(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ingest_bytes(settings, "thong-bao.txt", _conclusion("Sơn Hà", 2026), index=False)
    edited = ingest_bytes(settings, "thong-bao.txt", _conclusion("Sơn Hà", 2026, due_month=6), index=False)
    assert (edited.status, edited.existing) == (NEW_VERSION, "thong-bao")
    renamed = ingest_bytes(settings, "ban-sao.txt", _conclusion("Sơn Hà", 2026), index=False)
    assert (renamed.status, renamed.existing) == (DUPLICATE, "thong-bao")
    assert len(FactStore(settings.store_target).documents()) == 1


def test_headers_differ_only_on_what_both_headers_say() -> None:
    def doc(text: bytes) -> Document:
        return parse_document("x", text.decode("utf-8"))

    son_ha = doc(_conclusion("Sơn Hà", 2026))
    assert not headers_differ(son_ha, doc(_conclusion("Sơn Hà", 2026, due_month=7)))
    assert headers_differ(son_ha, doc(_conclusion("Sơn Hà", 2025)))
    assert headers_differ(son_ha, doc(_conclusion("Hòa Bình Nam", 2026)))
    excerpt = doc("Sở Công Thương chủ trì rà soát chợ nông thôn, báo cáo trước ngày 20/5/2027.".encode())
    assert not headers_differ(son_ha, excerpt)  # a headerless excerpt names no year of its own to compare


@needs_shared
def test_two_shared_conclusions_saved_as_one_file_name_through_the_cli(tmp_path: Path) -> None:
    """The issue's case: Hà Tĩnh 2023 and Lạng Sơn 2025, both saved as `thong-bao.txt`."""
    for folder, source in (("a", "ha-tinh-2023-tb-ket-luan-vpdp-ntm.txt"), ("b", "lang-son-2025-tb-ket-luan-ctmtqg.txt")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "thong-bao.txt").write_bytes((CORPUS / source).read_bytes())
    first = _cli(tmp_path, "ingest", str(tmp_path / "a" / "thong-bao.txt"))
    second = _cli(tmp_path, "ingest", str(tmp_path / "b" / "thong-bao.txt"))
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert second.stdout.startswith("thong-bao-") and "deadline removed" not in second.stdout + second.stderr
    again = _cli(tmp_path, "ingest", str(tmp_path / "b" / "thong-bao.txt"))
    tagged = second.stdout.split(":")[0]
    assert again.stdout.startswith(f"{tagged}: ") and "(unchanged)" in again.stdout, again.stdout + again.stderr
    stored = FactStore(tmp_path / "data" / "facts.sqlite").documents()
    assert {d["province"] for d in stored} == {"Hà Tĩnh", "Lạng Sơn"}
    assert all(FactStore(tmp_path / "data" / "facts.sqlite").counts(d["doc_id"])["deadlines"] for d in stored)


# ------------------------------------------------------------------------------ a directive at all

SHOPPING_LIST = """Đi chợ cuối tuần
- 2 kg thịt ba chỉ, 1 con gà
- rau muống, cà chua, hành lá
- nước mắm, dầu ăn
- sữa tươi cho bé
Nhớ mua trước thứ Bảy ngày 7/3, chiều ghé đón con lúc 16 giờ.
"""
PERSONAL_NOTE = """Ghi chú riêng
Tối nay gọi cho mẹ hỏi chuyện sửa nhà; mai trả sách thư viện, hẹn bạn đi cà phê lúc 9 giờ.
Tháng sau đổi lịch tập thể dục sang buổi sáng.
"""
# English prose quoting Vietnamese duties, as a project's own notes do.
ENGLISH_NOTES = """# Notes on the reminder job

The job reads every deadline of the store and sends one message per chat. For example the duty
`Sở Tài chính chủ trì rà soát, báo cáo UBND tỉnh trước ngày 20/3/2026` is reminded 7 days before.

```
directive-bot remind --today 2026-03-13
```
"""


def _shared_documents() -> list[tuple[str, str, str]]:
    """(name, text, format) of every shared directive: corpus, excerpts, real documents and plans."""
    files = [*sorted(CORPUS.glob("*.txt")), *sorted((EVAL / "real_docs" / "files").glob("*.docx")),
             *sorted((EVAL / "real_plans" / "files").glob("*.docx")),
             *sorted((EVAL / "national_texts" / "texts").glob("*.txt"))]
    found = []
    for path in files:
        raw = read_path(path, 50 * 1024 * 1024)
        found.append((path.name, raw.text, raw.format))
    for line in (EVAL / "real_excerpts.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        found.append((item["id"], item["text"], "txt"))
    return found


@needs_shared
def test_every_shared_document_is_a_directive() -> None:
    documents = _shared_documents()
    assert len(documents) >= 60
    judged = [(name, directive_signs(parse_document(name, text, name, fmt))) for name, text, fmt in documents]
    refused = [(name, signs) for name, signs in judged if not signs.is_directive]
    assert not refused, refused


@pytest.mark.parametrize("text", [SHOPPING_LIST, PERSONAL_NOTE, ENGLISH_NOTES])
def test_notes_lists_and_english_prose_are_not_directives(text: str) -> None:
    assert not directive_signs(parse_document("x", text)).is_directive


def test_an_excerpt_without_a_header_is_a_directive_by_its_request() -> None:
    excerpt = "Ngày 5/3/2026, UBND tỉnh giao Sở Xây dựng chủ trì kiểm tra các chợ, báo cáo trước ngày 30/4/2026."
    signs = directive_signs(parse_document("x", excerpt))
    assert signs.is_directive and signs.request and not signs.header


def test_the_projects_own_docs_are_refused_by_the_cli_unless_forced(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "di-cho.txt").write_text(SHOPPING_LIST, encoding="utf-8")
    (notes / "ghi-chu.txt").write_text(PERSONAL_NOTE, encoding="utf-8")
    paths = [str(ROOT / "README.md"), str(notes)]
    shared_design = ROOT.parent / "shared" / "DESIGN.md"
    if shared_design.exists():
        paths.append(str(shared_design))
    out = _cli(tmp_path, "ingest", *paths)
    assert out.returncode == 1 and out.stdout == ""
    refused = [line for line in out.stderr.splitlines() if "no sign of a directive" in line]
    assert len(refused) == len(paths) + 1, out.stderr
    assert all("--force" in line for line in refused)
    assert "English prose" in next(line for line in refused if "README.md" in line)
    assert not FactStore(tmp_path / "data" / "facts.sqlite").documents()
    forced = _cli(tmp_path, "ingest", "--force", str(ROOT / "README.md"))
    assert forced.returncode == 0 and forced.stdout.startswith("README:"), forced.stderr


# ------------------------------------------------------------------------------ the same content again


def test_replacing_with_the_same_content_writes_nothing_and_tells_nobody(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    text = _conclusion("Sơn Hà", 2026)
    ingest_bytes(settings, "thong-bao.txt", text, index=False)
    store = FactStore(settings.store_target)
    stored_at = store.document("thong-bao")["ingested_at"]
    state = settings.open_state()
    state.subscribe(-100500, None)
    again = ingest_bytes(settings, "thong-bao.txt", text, index=False, replace=True)
    copy = ingest_bytes(settings, "ban-sao.txt", text.replace(b"\n1.", b"\n\n1."), index=False, replace=True)
    assert (again.status, copy.status) == (UNCHANGED, DUPLICATE) and not again.changed and not copy.changed
    assert store.document("thong-bao")["ingested_at"] == stored_at
    assert plan_notifications(store, state, again, date(2026, 3, 1)) == []
    assert plan_notifications(store, state, copy, date(2026, 3, 1)) == []


def test_a_document_is_labelled_alike_on_every_route(tmp_path: Path) -> None:
    """The CLI names a stored document by its id whether it was added or found unchanged; the bot names
    it by its file, in the upload summary as in the confirmation question and in answers."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cv-cho.txt").write_bytes(_conclusion("Sơn Hà", 2026))
    first = _cli(tmp_path, "ingest", str(folder / "cv-cho.txt"))
    again = _cli(tmp_path, "ingest", str(folder / "cv-cho.txt"))
    assert first.stdout.startswith("cv-cho: ") and again.stdout.startswith("cv-cho: "), first.stdout + again.stdout
    assert "(unchanged)" in again.stdout
    settings = Settings(data_dir=tmp_path / "data", today_override=date(2026, 3, 1))
    report = ingest_bytes(settings, "cv-cho.txt", _conclusion("Sơn Hà", 2026), index=False)
    assert report.status == UNCHANGED
    stored = stored_label(FactStore(settings.store_target), "cv-cho")
    assert report_source(report) == stored == "Thông báo «cv-cho.txt» năm 2026 của UBND tỉnh Sơn Hà", stored


def test_a_refused_file_is_refused_with_its_reason(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile) as exc:
        ingest_bytes(_settings(tmp_path), "notes.md", ENGLISH_NOTES.encode(), index=False)
    assert exc.value.code == "not_directive" and "code fences" in str(exc.value)
