"""Extraction quality over every shared extraction set, in one report (deadlines, P/R/F1).

Why one report: the README's "Extraction quality" table and tests/test_extraction_sets.py must quote the
same numbers, computed the same way as `python3 ../shared/eval/score_extraction.py GOLD`, but in one
process (one import, no subprocess per document) so that the test costs a single extraction pass.

Sets (all under ../shared, read at run time, never copied):

- `gold_facts`: the five dev directives of ../shared/corpus against eval/gold_facts.json, with the STRICT
  rule (same due time and the same lead agency after folding and abbreviations; one name containing the
  other does not count). Its figures under the shared rule are reported too (`shared_rule`).
- `real_excerpts`, `real_docs`, `real_plans`, `national_texts`: the .jsonl gold files, scored with the
  shared rule of ../shared/eval/scoring.py (imported from its folder, never copied). Rows with `file`
  are read from that .docx, rows with `text` as a .txt of that text, as score_extraction.py does.

Per set and overall it reports the deadlines NOT marked `needs_review`: their precision (the un-reviewed
predictions scored against the full gold: matched / scored) and their share of all scored predictions
(`coverage`). A `confidence` per deadline is optional; when predictions carry it, the same two figures
are given for those at or above `--confidence` too. Overall: macro-average F1 over the sets, the worst
set, and the pooled (micro) figures. A timing probe parses and extracts a generated 100 KB single-line
text (goal: under 1 s; a goal read from this report, never asserted in a timed test).

    python benchmarks/extraction_sets.py              # all sets, 3 probe rounds, cross-check with the CLI
    python benchmarks/extraction_sets.py --quick      # all sets, 1 probe round, no CLI cross-check (CI)
    python benchmarks/extraction_sets.py --markdown   # the README table instead of JSON
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
# name -> gold file under eval/ (gold_facts is the JSON of the dev corpus, scored with the strict rule)
GOLD_FILES = {
    "gold_facts": "gold_facts.json",
    "real_excerpts": "real_excerpts.jsonl",
    "real_docs": "real_docs/gold.jsonl",
    "real_plans": "real_plans/documents.jsonl",
    "national_texts": "national_texts/documents.jsonl",
}
SETS = tuple(GOLD_FILES)
PROBE_BYTES = 100 * 1024
PROBE_GOAL_SECONDS = 1.0
DEFAULT_CONFIDENCE = 0.5


def load_scoring(shared: Path = SHARED) -> ModuleType:
    """The shared matching rule (../shared/eval/scoring.py), imported from its folder, never copied."""
    folder = str(shared / "eval")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import scoring

    return scoring


def _expanded(scoring: ModuleType, name: str) -> str:
    """An agency name folded with the shared rule's abbreviations, for the strict equality."""
    text = scoring.fold(name)
    for short, full in scoring.ABBREVIATIONS.items():
        text = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", full, text)
    return re.sub(r"\s+", " ", text).strip(" .,;")


def strict_score(scoring: ModuleType, gold: list[dict], predicted: list[dict]) -> tuple[int, int, int]:
    """(matched, gold count, predicted count) under the strict rule of the dev directives.

    Same due time and the same LEAD agency (first named; equal after folding and abbreviations, one name
    containing the other does not count); a gold item naming no agency matches on its due time. Every
    gold item and every prediction counts, whatever its due form (unlike the shared rule).
    """
    hits = 0
    used: set[int] = set()
    for d in gold:
        lead = _expanded(scoring, d["agencies"][0]) if d.get("agencies") else None
        for i, p in enumerate(predicted):
            if i in used or scoring.due_key(p.get("due")) != scoring.due_key(d.get("due")):
                continue
            if lead is None or (p.get("agencies") and _expanded(scoring, p["agencies"][0]) == lead):
                used.add(i)
                hits += 1
                break
    return hits, len(gold), len(predicted)


def _prf(hits: int, gold_n: int, pred_n: int) -> dict[str, float]:
    precision = hits / pred_n if pred_n else 0.0
    recall = hits / gold_n if gold_n else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


@dataclass
class Tally:
    """Counts summed over documents; figures are derived from them (micro averages within a set)."""

    hits: int = 0
    gold: int = 0
    predicted: int = 0
    unreviewed_hits: int = 0
    unreviewed: int = 0
    confident_hits: int = 0
    confident: int = 0
    with_confidence: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("hits", "gold", "predicted", "unreviewed_hits", "unreviewed", "confident_hits",
                     "confident", "with_confidence"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors


def shared_tally(scoring: ModuleType, gold: list[dict], predicted: list[dict], confidence: float) -> Tally:
    """One document under the shared rule, with the un-reviewed (and confident) subsets scored against
    the full gold: a subset's hits over its own scored predictions is its precision."""
    hits, gold_n, pred_n, _ = scoring.score_deadlines(gold, predicted)
    unreviewed = [p for p in predicted if not p.get("needs_review")]
    u_hits, _, u_n, _ = scoring.score_deadlines(gold, unreviewed)
    rated = [p for p in predicted if isinstance(p.get("confidence"), int | float)]
    sure = [p for p in rated if p["confidence"] >= confidence]
    c_hits, _, c_n, _ = scoring.score_deadlines(gold, sure)
    return Tally(hits, gold_n, pred_n, u_hits, u_n, c_hits, c_n,
                 sum(scoring.scored_due(p.get("due")) for p in rated))


def _max_bytes() -> int:
    """The CLI's size limit (BOT_MAX_FILE_MB), so a file the CLI refuses is refused here too."""
    from knowledge.config import DataSettings

    return int(float(os.environ.get("BOT_MAX_FILE_MB", DataSettings.max_file_mb)) * 1024 * 1024)


def predict(path: Path | None, name: str, text: str | None = None) -> list[dict]:
    """Deadlines as `directive-bot extract FILE --json` gives them, in-process: the file (or the text as
    `name`) goes through the reader first, as the CLI does (a refused file raises RejectedFile)."""
    from knowledge.extract import parse_and_extract
    from knowledge.reader import read_bytes, read_path

    raw = read_path(path, _max_bytes()) if path else read_bytes(name, (text or "").encode("utf-8"), _max_bytes())
    _, facts = parse_and_extract(raw.doc_id, raw.text, raw.name, raw.format)
    return [d.as_json() for d in facts.deadlines]


def _predict_or_nothing(errors: list[str], doc_id: str, path: Path | None, name: str,
                        text: str | None = None) -> list[dict]:
    """A file the CLI refuses (exit 1) predicts nothing there, so nothing here; the refusal is reported."""
    from knowledge.reader import RejectedFile

    try:
        return predict(path, name, text)
    except (RejectedFile, OSError) as exc:
        errors.append(f"{doc_id}: {exc}")
        return []


def _rows(gold_file: Path) -> list[dict]:
    return [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines() if line.strip()]


def _figures(tally: Tally) -> dict[str, Any]:
    out: dict[str, Any] = {"matched": tally.hits, "gold": tally.gold, "predicted": tally.predicted,
                           **_prf(tally.hits, tally.gold, tally.predicted)}
    out["unreviewed"] = {
        "matched": tally.unreviewed_hits, "predicted": tally.unreviewed,
        "precision": round(tally.unreviewed_hits / tally.unreviewed, 4) if tally.unreviewed else 0.0,
        "coverage": round(tally.unreviewed / tally.predicted, 4) if tally.predicted else 0.0,
    }
    if tally.errors:
        out["refused"] = tally.errors
    if tally.with_confidence:
        out["confident"] = {
            "matched": tally.confident_hits, "predicted": tally.confident, "rated": tally.with_confidence,
            "precision": round(tally.confident_hits / tally.confident, 4) if tally.confident else 0.0,
            "coverage": round(tally.confident / tally.predicted, 4) if tally.predicted else 0.0,
        }
    return out


def score_gold_facts(scoring: ModuleType, shared: Path, confidence: float) -> tuple[dict[str, Any], Tally]:
    """The dev directives: strict rule for the headline figures, shared rule alongside."""
    documents = json.loads((shared / "eval" / GOLD_FILES["gold_facts"]).read_text(encoding="utf-8"))["documents"]
    tally, strict = Tally(), [0, 0, 0]
    for doc_id, gold in documents.items():
        predicted = _predict_or_nothing(tally.errors, doc_id, shared / "corpus" / f"{doc_id}.txt", f"{doc_id}.txt")
        for i, n in enumerate(strict_score(scoring, gold.get("deadlines", []), predicted)):
            strict[i] += n
        tally.add(shared_tally(scoring, gold.get("deadlines", []), predicted, confidence))
    shared_rule = _figures(tally)
    unreviewed = shared_rule.pop("unreviewed")
    confident = shared_rule.pop("confident", None)
    refused = shared_rule.pop("refused", None)
    out = {"rule": "strict", "documents": len(documents), "matched": strict[0], "gold": strict[1],
           "predicted": strict[2], **_prf(*strict), "shared_rule": shared_rule, "unreviewed": unreviewed}
    if refused:
        out["refused"] = refused
    if confident:
        out["confident"] = confident
    return out, tally


def score_jsonl(scoring: ModuleType, gold_file: Path, confidence: float) -> tuple[dict[str, Any], Tally]:
    """A .jsonl gold file under the shared rule; `file` rows read their .docx, `text` rows their text."""
    tally = Tally()
    rows = _rows(gold_file)
    for row in rows:
        if row.get("file"):
            predicted = _predict_or_nothing(tally.errors, row["id"], gold_file.parent / row["file"], row["file"])
        else:
            predicted = _predict_or_nothing(tally.errors, row["id"], None, row["id"] + ".txt", row.get("text", ""))
        tally.add(shared_tally(scoring, row.get("deadlines", []), predicted, confidence))
    return {"rule": "shared", "documents": len(rows), **_figures(tally)}, tally


def probe_text(size: int = PROBE_BYTES) -> str:
    """A single line of about `size` UTF-8 bytes: varied sentences with dates, lead and cooperating
    agencies and a recurrence, written here (no shared text), so that a long unbroken line is timed."""
    agencies = ["Sở Tài chính", "Sở Nông nghiệp và Môi trường", "Sở Xây dựng", "Kho bạc Nhà nước tỉnh",
                "UBND các huyện, thành phố", "Văn phòng Điều phối nông thôn mới tỉnh", "Sở Y tế"]
    parts: list[str] = []
    used, i = 0, 0
    while used < size:
        lead, helper = agencies[i % len(agencies)], agencies[(i + 3) % len(agencies)]
        day, month = i % 28 + 1, i % 12 + 1
        sentence = (f"{lead} chủ trì, phối hợp với {helper} rà soát số liệu đợt {i + 1}, hoàn thành báo cáo "
                    f"trước ngày {day}/{month}/2027 và định kỳ ngày {day} hằng tháng gửi UBND tỉnh; ")
        parts.append(sentence)
        used += len(sentence.encode("utf-8"))
        i += 1
    return "".join(parts).encode("utf-8")[:size].decode("utf-8", "ignore")


def time_probe(rounds: int) -> dict[str, Any]:
    """Parse + extract of the 100 KB single line; the best of `rounds` (the goal is about the code, not
    about another worker sharing the CPU)."""
    from knowledge.extract import parse_and_extract

    text = probe_text()
    assert "\n" not in text
    times, found = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        _, facts = parse_and_extract("probe-100kb", text, "probe-100kb.txt")
        times.append(time.perf_counter() - start)
        found = len(facts.deadlines)
    best = min(times)
    return {"bytes": len(text.encode("utf-8")), "lines": 1, "rounds": rounds, "seconds": round(best, 3),
            "seconds_all": [round(t, 3) for t in times], "deadlines": found,
            "goal_seconds": PROBE_GOAL_SECONDS, "pass": best < PROBE_GOAL_SECONDS}


def cli_figures(gold_file: Path, shared: Path) -> dict[str, Any]:
    """What `python3 ../shared/eval/score_extraction.py GOLD` prints, parsed (the cross-check)."""
    out = subprocess.run([sys.executable, str(shared / "eval" / "score_extraction.py"), str(gold_file)],
                         cwd=ROOT, capture_output=True, text=True, timeout=1800)
    found = re.search(r"\((\d+)/(\d+) gold, (\d+) predicted\)", out.stdout)
    if out.returncode or not found:
        return {"error": (out.stderr or out.stdout).strip()[-300:]}
    hits, gold_n, pred_n = map(int, found.groups())
    return {"matched": hits, "gold": gold_n, "predicted": pred_n,
            "errors": [line for line in out.stdout.splitlines() if line.startswith("ERROR")]}


def _source_stamp() -> float:
    """Latest change to the extractor's code and rule files: the CLI cross-check imports the code afresh,
    so an edit made during the run (other people at work) shows up as a disagreement, not a bug."""
    return max((p.stat().st_mtime for p in (ROOT / "knowledge").rglob("*") if p.suffix in {".py", ".toml", ".json"}),
               default=0.0)


def run(shared: Path = SHARED, *, probe_rounds: int = 1, check_cli: bool = False,
        confidence: float = DEFAULT_CONFIDENCE, mode: str = "quick") -> dict[str, Any]:
    """The whole report (what the test asserts and the README quotes); `probe_rounds=0` leaves the
    timing probe out (the test needs only the figures)."""
    started, stamp = time.perf_counter(), _source_stamp()
    scoring = load_scoring(shared)
    sets: dict[str, Any] = {}
    pooled = Tally()
    for name, rel in GOLD_FILES.items():
        gold_file = shared / "eval" / rel
        if not gold_file.exists() or (name == "gold_facts" and not (shared / "corpus").is_dir()):
            sets[name] = {"missing": str(gold_file)}
            continue
        t0 = time.perf_counter()
        if name == "gold_facts":
            result, tally = score_gold_facts(scoring, shared, confidence)
        else:
            result, tally = score_jsonl(scoring, gold_file, confidence)
            if check_cli:
                cli = cli_figures(gold_file, shared)
                result["cli"] = cli
                result["cli_agrees"] = all(cli.get(k) == result[k] for k in ("matched", "gold", "predicted"))
        result["seconds"] = round(time.perf_counter() - t0, 2)
        sets[name] = result
        pooled.add(tally)
    scored = {name: s for name, s in sets.items() if "f1" in s}
    worst = min(scored, key=lambda name: scored[name]["f1"]) if scored else None
    overall = {
        "sets": len(scored), "missing": sorted(set(sets) - set(scored)),
        "macro_f1": round(sum(s["f1"] for s in scored.values()) / len(scored), 4) if scored else 0.0,
        "worst_set": {"name": worst, "f1": scored[worst]["f1"]} if worst else None,
        "micro_shared_rule": _figures(pooled),
    }
    overall["unreviewed"] = overall["micro_shared_rule"].pop("unreviewed")
    if "confident" in overall["micro_shared_rule"]:
        overall["confident"] = overall["micro_shared_rule"].pop("confident")
    report: dict[str, Any] = {
        "benchmark": "extraction_sets", "mode": mode, "shared": str(shared), "confidence_threshold": confidence,
        "notes": "gold_facts uses the strict rule (macro_f1 and worst_set use it too); the other sets and "
                 "micro_shared_rule use ../shared/eval/scoring.py. unreviewed = deadlines without needs_review, "
                 "scored against the full gold: precision = matched/predicted, coverage = their share of all "
                 "scored predictions.",
        "sets": sets, "overall": overall,
        "probe_100kb_single_line": time_probe(probe_rounds) if probe_rounds else None,
    }
    report["extractor_changed_during_run"] = _source_stamp() != stamp
    report["seconds"] = round(time.perf_counter() - started, 2)
    return report


def markdown(report: dict[str, Any]) -> str:
    """The table the README's "Extraction quality" section quotes."""
    lines = ["| set | rule | documents | gold | predicted | P | R | F1 | un-reviewed P | un-reviewed coverage |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, s in report["sets"].items():
        if "f1" not in s:
            lines.append(f"| {name} | missing | | | | | | | | |")
            continue
        u = s["unreviewed"]
        lines.append(f"| {name} | {s['rule']} | {s['documents']} | {s['gold']} | {s['predicted']} | "
                     f"{s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} | {u['precision']:.2f} | "
                     f"{u['coverage']:.2f} |")
    o = report["overall"]
    m, u = o["micro_shared_rule"], o["unreviewed"]
    lines.append(f"| all (pooled, shared rule) | shared | | {m['gold']} | {m['predicted']} | {m['precision']:.2f} | "
                 f"{m['recall']:.2f} | {m['f1']:.2f} | {u['precision']:.2f} | {u['coverage']:.2f} |")
    probe = report["probe_100kb_single_line"]
    worst = o["worst_set"] or {"name": "-", "f1": 0.0}
    summary = f"Macro-average F1 {o['macro_f1']:.2f}; worst set {worst['name']} (F1 {worst['f1']:.2f})."
    if probe:
        summary += (f" A {probe['bytes'] // 1024} KB single line parses and extracts in {probe['seconds']:.2f} s"
                    f" (goal < {probe['goal_seconds']:g} s).")
    lines += ["", summary]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one probe round, no CLI cross-check (CI)")
    parser.add_argument("--markdown", action="store_true", help="print the Markdown table instead of JSON")
    parser.add_argument("--check-cli", action=argparse.BooleanOptionalAction, default=None,
                        help="also run score_extraction.py per .jsonl set and compare (default: on unless --quick)")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared folder (default ../shared)")
    parser.add_argument("--confidence", type=float, default=DEFAULT_CONFIDENCE,
                        help="threshold for the optional `confidence` figures")
    args = parser.parse_args()
    if not (args.shared / "eval").is_dir():
        print(json.dumps({"benchmark": "extraction_sets", "error": f"{args.shared} has no eval/ folder"}))
        return 1
    check_cli = (not args.quick) if args.check_cli is None else args.check_cli
    report = run(args.shared, probe_rounds=1 if args.quick else 3, check_cli=check_cli,
                 confidence=args.confidence, mode="quick" if args.quick else "full")
    print(markdown(report) if args.markdown else json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
