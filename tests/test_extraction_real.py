"""The in-process extraction the figures are computed with is what `directive-bot extract --json` gives.

The per-set figures (F1 of every shared set, the strict dev rule, the un-reviewed deadlines) moved to
tests/test_extraction_sets.py, computed once by benchmarks/extraction_sets.py; this file keeps the
check that the benchmark's shortcut (no subprocess per document) changes nothing, on one real .docx and
one text row, the two kinds of rows score_extraction.py feeds the CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.extraction_sets import predict
from tests.conftest_shared import EVAL, needs_shared, require_shared

pytestmark = needs_shared

ROOT = Path(__file__).resolve().parents[1]


def _richest_row(gold_file: Path, kind: str) -> tuple[dict, list[dict]]:
    """The row carrying `kind` (`file` or only `text`) with the most deadlines predicted in-process:
    each path of score_extraction.py once, on a document where the comparison has something to compare."""
    require_shared(gold_file)
    best: tuple[dict, list[dict]] | None = None
    for line in gold_file.read_text(encoding="utf-8").splitlines():
        row = json.loads(line) if line.strip() else {}
        if not row or bool(row.get("file")) != (kind == "file"):
            continue
        found = (predict(gold_file.parent / row["file"], row["file"]) if kind == "file"
                 else predict(None, f"{row['id']}.txt", row.get("text", "")))
        if best is None or len(found) > len(best[1]):
            best = (row, found)
    if best is None or not best[1]:
        pytest.fail(f"no row with {kind} in {gold_file} gives a deadline: nothing to compare with the CLI")
    return best


def _cli(path: Path) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "bot.cli", "extract", str(path), "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)["deadlines"]


@pytest.mark.parametrize(("gold", "kind"), [("real_docs/gold.jsonl", "file"), ("national_texts/documents.jsonl", "text")])
def test_in_process_extraction_equals_the_cli(tmp_path: Path, gold: str, kind: str) -> None:
    gold_file = EVAL / gold
    row, mine = _richest_row(gold_file, kind)
    if kind == "file":
        path = gold_file.parent / row["file"]
    else:
        path = tmp_path / f"{row['id']}.txt"
        path.write_text(row["text"], encoding="utf-8")
    assert mine == _cli(path)
