"""The answer benchmark runs in quick mode and prints the JSON the README quotes (no timing asserts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest_shared import needs_shared

ROOT = Path(__file__).resolve().parents[1]


@needs_shared
@pytest.mark.benchmark
def test_answer_benchmark_quick(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "benchmarks/answer.py", "--quick", "--rounds", "1", "--workdir",
                          str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=1200, check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(data))
    assert data["mode"] == "quick" and len(data["sizes"]) == 2
    for size in data["sizes"]:
        assert {"passages", "startup_seconds", "p50_ms", "p95_ms", "rss_mb"} <= set(size)
        assert size["answers"] == 20
        assert size["fact_questions_searched"] == 0  # a fact question never embeds (issue 22 item 8)
