"""Answers on whole real documents, scored by the shared answer scorer (../shared/eval/score_answers.py,
run as it is, not copied): the figures README.md states (section "Answers on whole real documents")."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest_shared import EVAL, needs_shared

pytestmark = [needs_shared, pytest.mark.slow]

# The figures README.md states; measured 2026-12-07.
README_REAL_PLANS = 1.00  # 27/27
README_NATIONAL_TEXTS = 1.00  # 30/30 (28 read strictly: README)
ROOT = Path(__file__).resolve().parents[1]


def _accuracy(folder: str) -> float:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([sys.executable, str(EVAL / "score_answers.py"), str(EVAL / folder / "questions.jsonl"),
                          str(EVAL / folder / "documents.jsonl")], capture_output=True, text=True, cwd=ROOT,
                         env=env, timeout=1800, check=True)
    print(run.stdout[-3000:])
    found = re.search(r"= (\d\.\d+)\s*$", run.stdout.strip())
    assert found, run.stdout[-500:]
    return float(found.group(1))


def test_real_plans_answers() -> None:
    assert _accuracy("real_plans") >= README_REAL_PLANS


def test_national_texts_answers() -> None:
    assert _accuracy("national_texts") >= README_NATIONAL_TEXTS
