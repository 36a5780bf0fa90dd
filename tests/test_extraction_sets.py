"""The extraction figures README.md states, per shared set, from one in-process pass of
benchmarks/extraction_sets.py (the same numbers as ../shared/eval/score_extraction.py), and the rule that
CI fails instead of skipping when ../shared is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import extraction_sets
from tests.conftest_shared import EVAL, SHARED, in_ci, needs_shared, require_shared, shared_decision

# The figures README.md states (section 'Extraction quality'): deadline F1 per set (gold_facts under the
# strict rule, the others under ../shared/eval/scoring.py), then for the deadlines NOT marked
# needs_review their precision and their share of all scored predictions (coverage).
# Measured 2026-12-06, rounded down to 2 decimals.
README_F1 = {
    "gold_facts": 1.00,
    "real_excerpts": 0.94,
    "real_docs": 0.93,
    "real_plans": 0.92,
    "national_texts": 0.94,
}
README_MACRO_F1 = 0.95
README_UNREVIEWED_PRECISION = {
    "gold_facts": 1.00,
    "real_excerpts": 0.94,
    "real_docs": 0.94,
    "real_plans": 1.00,
    "national_texts": 1.00,
    "overall": 0.96,
}
README_UNREVIEWED_COVERAGE = {
    "gold_facts": 0.83,
    "real_excerpts": 0.79,
    "real_docs": 0.75,
    "real_plans": 0.82,
    "national_texts": 0.76,
    "overall": 0.78,
}
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    """One extraction pass over every set, shared by all figure tests (no timing probe here)."""
    result = extraction_sets.run(SHARED, probe_rounds=0)
    for name, s in result["sets"].items():
        if "f1" in s:
            u = s["unreviewed"]
            print(f"{name}: P={s['precision']:.2f} R={s['recall']:.2f} F1={s['f1']:.2f} "
                  f"un-reviewed P={u['precision']:.2f} coverage={u['coverage']:.2f}")
    return result


def _set(report: dict[str, Any], name: str) -> dict[str, Any]:
    """A set's figures; its gold file missing skips locally and fails in CI."""
    require_shared(EVAL / extraction_sets.GOLD_FILES[name])
    return report["sets"][name]


def test_readme_covers_every_set() -> None:
    assert set(README_F1) == set(extraction_sets.SETS)
    assert set(README_UNREVIEWED_PRECISION) == set(README_UNREVIEWED_COVERAGE) == {*extraction_sets.SETS, "overall"}


@needs_shared
def test_gold_facts_strict(report: dict[str, Any]) -> None:
    """The dev directives are the regression floor: every deadline, with its lead agency, and nothing else."""
    s = _set(report, "gold_facts")
    assert s["rule"] == "strict"
    assert (s["precision"], s["recall"], s["f1"]) == (1.0, 1.0, 1.0), s


@needs_shared
@pytest.mark.parametrize("name", extraction_sets.SETS)
def test_set_f1(report: dict[str, Any], name: str) -> None:
    s = _set(report, name)
    assert s["f1"] >= README_F1[name], s


@needs_shared
def test_macro_f1(report: dict[str, Any]) -> None:
    overall = report["overall"]
    assert overall["missing"] == [] or not in_ci(), overall["missing"]
    assert overall["macro_f1"] >= README_MACRO_F1, overall


@needs_shared
@pytest.mark.parametrize("name", [*extraction_sets.SETS, "overall"])
def test_unreviewed_precision_and_coverage(report: dict[str, Any], name: str) -> None:
    """Deadlines shown without a review flag must be right: their precision and their share."""
    u = report["overall"]["unreviewed"] if name == "overall" else _set(report, name)["unreviewed"]
    assert u["precision"] >= README_UNREVIEWED_PRECISION[name], u
    assert u["coverage"] >= README_UNREVIEWED_COVERAGE[name], u


def test_strict_rule_refuses_a_name_containing_the_other() -> None:
    """Why strict: the lead agency must be the same one. A shorter name it contains (`Sở Kế hoạch`) or
    a co-assigned agency (`Sở Tài chính`) does not count, as the shared rule would let them; abbreviations
    and case still fold."""
    scoring = _scoring()
    gold = [{"agencies": ["Sở Kế hoạch và Đầu tư", "Sở Tài chính"], "due": "2026-03-15"}]
    assert extraction_sets.strict_score(scoring, gold, [{"agencies": ["sở KH&ĐT"], "due": "2026-03-15"}]) == (1, 1, 1)
    assert extraction_sets.strict_score(scoring, gold, [{"agencies": ["Sở Kế hoạch"], "due": "2026-03-15"}])[0] == 0
    assert extraction_sets.strict_score(scoring, gold, [{"agencies": ["Sở Tài chính"], "due": "2026-03-15"}])[0] == 0
    assert extraction_sets.strict_score(scoring, gold, [{"agencies": ["Sở KH&ĐT"], "due": "2026-03-16"}])[0] == 0


def test_unreviewed_subset_is_scored_against_the_full_gold() -> None:
    """Un-reviewed precision = their matches / their scored count; coverage = their share of all scored
    predictions; `confidence` is optional and only counted where present."""
    scoring = _scoring()
    gold = [{"agencies": ["Sở Tài chính"], "due": "2026-03-15"}, {"agencies": ["Sở Y tế"], "due": "2026-04-01"}]
    predicted = [
        {"agencies": ["Sở Tài chính"], "due": "2026-03-15", "needs_review": False, "confidence": 0.9},
        {"agencies": [], "due": "2026-04-01", "needs_review": True, "confidence": 0.2},
        {"agencies": ["Sở Xây dựng"], "due": "2026-05-01", "needs_review": False},
        {"agencies": ["Sở Y tế"], "due": {"relative": "15 ngày kể từ ngày ký"}},  # not a scored due form
    ]
    tally = extraction_sets.shared_tally(scoring, gold, predicted, 0.5)
    assert (tally.hits, tally.gold, tally.predicted) == (1, 2, 3)
    assert (tally.unreviewed_hits, tally.unreviewed) == (1, 2)
    assert (tally.confident_hits, tally.confident, tally.with_confidence) == (1, 1, 2)
    figures = extraction_sets._figures(tally)
    assert figures["unreviewed"]["precision"] == 0.5 and figures["unreviewed"]["coverage"] == round(2 / 3, 4)
    assert figures["confident"]["precision"] == 1.0


def _scoring() -> Any:
    if shared_decision() != "run":
        pytest.skip("../shared/eval/scoring.py is not beside the checkout")
    return extraction_sets.load_scoring(SHARED)


def test_probe_text_is_one_line_of_100_kb() -> None:
    text = extraction_sets.probe_text()
    assert "\n" not in text and 100 * 1024 - 4 <= len(text.encode("utf-8")) <= 100 * 1024


# --- CI fails instead of skipping when ../shared is missing -------------------------------------------


@pytest.mark.parametrize(("env", "present", "expected"), [
    ({}, True, "run"), ({"CI": "true"}, True, "run"), ({}, False, "skip"), ({"CI": ""}, False, "skip"),
    ({"CI": "false"}, False, "skip"), ({"CI": "true"}, False, "fail"), ({"CI": "1"}, False, "fail"),
])
def test_shared_decision(tmp_path: Path, env: dict[str, str], present: bool, expected: str) -> None:
    corpus = tmp_path / "shared" / "corpus"
    if present:
        corpus.mkdir(parents=True)
    assert shared_decision(corpus, env) == expected


FAKE_TEST = '''
from conftest_shared import needs_shared


@needs_shared
def test_figures():
    pass
'''


@pytest.mark.parametrize(("ci", "shared", "outcome"), [
    ("true", False, "fail"), (None, False, "skip"), ("true", True, "pass"),
])
def test_needs_shared_in_a_fake_checkout(tmp_path: Path, ci: str | None, shared: bool, outcome: str) -> None:
    """A checkout without ../shared beside it: pytest exits non-zero with the message in CI, skips elsewhere."""
    tests = tmp_path / "checkout" / "tests"
    tests.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "conftest_shared.py", tests / "conftest_shared.py")
    (tests / "test_fake.py").write_text(FAKE_TEST, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    if shared:
        (tmp_path / "shared" / "corpus").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in {"CI", "PYTEST_ADDOPTS"}}
    if ci:
        env["CI"] = ci
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", "tests"],
                         cwd=tmp_path / "checkout", env=env, capture_output=True, text=True, timeout=120)
    out = run.stdout + run.stderr
    if outcome == "fail":
        assert run.returncode != 0, out
        assert "../shared is missing beside the checkout" in out and "CI needs it for the extraction figures" in out
        assert "skipped" not in out, out
    elif outcome == "skip":
        assert run.returncode == 0 and "1 skipped" in out, out
    else:
        assert run.returncode == 0 and "1 passed" in out, out
