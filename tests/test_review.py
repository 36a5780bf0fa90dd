"""The office confirms and corrects what the bot understood (`directive-bot review`): corrections are
append-only events applied over the extraction everywhere, survive re-ingest and an unchanged new
version, and export as gold that the shared scorer reads. Real CLI, real SQLite, texts written here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest_shared import EVAL, needs_shared

PLAN = """ỦY BAN NHÂN DÂN
TỈNH SƠN HÀ
Số: 41/KH-UBND
Sơn Hà, ngày 05 tháng 01 năm 2027
KẾ HOẠCH
Rà soát thủ tục hành chính năm 2027
1. Sở Tư pháp rà soát các văn bản quy phạm pháp luật, báo cáo UBND tỉnh trước ngày 20/4/2027.
2. Hoàn thiện hồ sơ đề nghị công nhận trước ngày 15/5/2027.
3. Sở Nội vụ cập nhật kết quả chỉ số cải cách hành chính hằng tháng lên phần mềm.
"""


def _run(data: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOT_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=env,
                          check=check)


def _items(data: Path, doc: str = "kh-41") -> dict[str, dict]:
    items = json.loads(_run(data, "review", doc, "--json").stdout)
    return {i["task"][:20]: i for i in items}


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    (tmp_path / "kh-41.txt").write_text(PLAN, encoding="utf-8")
    _run(tmp_path / "data", "ingest", str(tmp_path / "kh-41.txt"))
    return tmp_path / "data"


def test_review_lists_ids_confidence_and_evidence(store: Path) -> None:
    items = _items(store)
    assert {i["state"] for i in items.values()} == {"unreviewed", "needs_review"}
    undated = next(i for i in items.values() if not i["agencies"])
    assert undated["state"] == "needs_review" and undated["confidence"] == 0.0 and "no doer" in undated["evidence"]
    assert all(len(i["id"]) == 6 for i in items.values())
    listing = _run(store, "review").stdout
    assert "kh-41: 3 deadlines, 2 to review" in listing


def test_a_correction_applies_everywhere_and_survives_reingest(store: Path, tmp_path: Path) -> None:
    undated = next(i for i in _items(store).values() if not i["agencies"])
    _run(store, "review", "kh-41", "--set", undated["id"], "agency=Sở Tài chính", "due=30/5/2027", "--who", "vp")
    fixed = _items(store)[undated["task"][:20]]
    assert fixed["agencies"] == ["Sở Tài chính"] and fixed["due"] == "2027-05-30" and fixed["state"] == "reviewed"
    listed = _run(store, "deadlines", "--from", "2027-05-01", "--to", "2027-05-31").stdout
    assert "Sở Tài chính" in listed
    _run(store, "ingest", "--replace", str(tmp_path / "kh-41.txt"))  # the same file again
    assert _items(store)[undated["task"][:20]]["agencies"] == ["Sở Tài chính"]


def test_drop_and_undo(store: Path) -> None:
    monthly = next(i for i in _items(store).values() if i["due"] == {"every": "month"})
    _run(store, "review", "kh-41", "--drop", monthly["id"])
    states = {i["id"]: i["state"] for i in _items(store).values()}
    assert states[monthly["id"]] == "dropped"
    assert "hằng tháng" not in _run(store, "deadlines", "--from", "2027-02-01", "--to", "2027-02-28").stdout
    _run(store, "review", "kh-41", "--undo", monthly["id"])
    assert {i["id"]: i["state"] for i in _items(store).values()}[monthly["id"]] == "needs_review"


def test_a_new_version_that_changes_the_duty_leaves_an_orphan_to_reapply(store: Path, tmp_path: Path) -> None:
    first = next(i for i in _items(store).values() if i["agencies"] == ["Sở Tư pháp"])
    _run(store, "review", "kh-41", "--confirm", first["id"])
    (tmp_path / "kh-41.txt").write_text(PLAN.replace("20/4/2027", "25/4/2027"), encoding="utf-8")
    _run(store, "ingest", "--replace", str(tmp_path / "kh-41.txt"))
    states = {i["id"]: i["state"] for i in _items(store).values()}
    assert states[first["id"]] == "orphan"
    _run(store, "review", "kh-41", "--dismiss", first["id"])
    assert first["id"] not in {i["id"] for i in _items(store).values()}


def test_unknown_ids_and_bad_dates_are_refused_clearly(store: Path) -> None:
    bad = _run(store, "review", "kh-41", "--confirm", "zzzzzz", check=False)
    assert bad.returncode == 2 and "no deadline of kh-41 has the id 'zzzzzz'" in bad.stderr
    some = next(iter(_items(store).values()))
    worse = _run(store, "review", "kh-41", "--set", some["id"], "due=sắp tới", check=False)
    assert worse.returncode == 2 and "not a due time" in worse.stderr


@needs_shared
def test_export_scores_with_the_shared_scorer(store: Path, tmp_path: Path) -> None:
    for item in _items(store).values():
        _run(store, "review", "kh-41", "--confirm", item["id"])
    gold = tmp_path / "reviewed.jsonl"
    _run(store, "review", "--export", str(gold))
    scorer = [sys.executable, str(EVAL / "score_extraction.py"), str(gold)]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    confirmed = subprocess.run(scorer, capture_output=True, text=True, check=True, env=env).stdout
    assert "F1=1.00" in confirmed
    undated = next(i for i in _items(store).values() if not i["agencies"])
    _run(store, "review", "kh-41", "--set", undated["id"], "agency=Sở Tài chính")
    _run(store, "review", "--export", str(gold))
    corrected = subprocess.run([*scorer, "--misses"], capture_output=True, text=True, check=True, env=env).stdout
    assert "MISS kh-41: ['Sở Tài chính']" in corrected and "F1=1.00" not in corrected
