"""Where the shared corpus and eval data live (beside the checkout), for tests and benchmarks.

`needs_shared` skips a test when ../shared is missing on a developer's machine, but in CI (the
environment variable CI set, as `.ci/run` runs) a missing ../shared FAILS the test with one clear line:
the README's extraction figures must never pass by being skipped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
EVAL = SHARED / "eval"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

MISSING_IN_CI = "../shared is missing beside the checkout ({where}); CI needs it for the extraction figures"


def in_ci(environ: Mapping[str, str] | None = None) -> bool:
    """CI=true (or any value but empty, 0, false, no): the convention of CI services and of `.ci/run`."""
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.strip().lower() not in {"", "0", "false", "no"}


def shared_decision(corpus: Path = CORPUS, environ: Mapping[str, str] | None = None) -> Literal["run", "skip", "fail"]:
    """What a test needing ../shared does: run when it is there, else skip locally and fail in CI."""
    if corpus.is_dir():
        return "run"
    return "fail" if in_ci(environ) else "skip"


class _SharedMissing:
    """The `skipif` condition of `needs_shared`, decided when each test is set up.

    True skips; in CI with ../shared missing, evaluating it calls `pytest.fail`, so the test fails at
    set-up with the one-line message (no conftest.py hook needed: every module already using
    `needs_shared` fails in CI instead of skipping).
    """

    def __bool__(self) -> bool:
        decision = shared_decision()
        if decision == "fail":
            pytest.fail(MISSING_IN_CI.format(where=SHARED), pytrace=False)
        return decision == "skip"


needs_shared = pytest.mark.skipif(_SharedMissing(), reason="../shared/corpus is not beside the checkout")


def require_shared(path: Path) -> None:
    """For a part of ../shared a test needs (one eval set): skip locally when missing, fail in CI."""
    if path.exists():
        return
    message = f"{path} is missing; CI needs it for the extraction figures"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def gold() -> dict:
    return json.loads((EVAL / "gold_facts.json").read_text(encoding="utf-8"))["documents"]


def questions() -> list[dict]:
    return [json.loads(line) for line in (EVAL / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
