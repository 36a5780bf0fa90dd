"""OCR benchmark: a scanned (image-only) PDF of 1, 4 and 12 pages through `knowledge.reader.read_bytes`.

Prints one JSON object: per size, seconds per page, recognised characters per second, peak RSS of the
process, mean confidence and the character match of the first page against the text it was rendered
from (benchmarks/ocr_samples.py: a one-page directive with a ruled table, 300 dpi). Each size runs in a
fresh subprocess so its peak memory is its own.

    python benchmarks/ocr.py            # 1, 4, 12 pages
    python benchmarks/ocr.py --quick    # 1 and 4 pages (CI)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import ocr_samples  # noqa: E402


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(" | ", " ")).strip()


def _peak_rss_mb() -> int:
    """VmHWM: this process image's own peak (ru_maxrss would carry the parent's peak across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def measure(path: Path) -> dict[str, object]:
    """One PDF read in this (fresh) process: the peak RSS is the reader's, not the renderer's."""
    from rapidfuzz import fuzz

    from knowledge import ocr
    from knowledge.reader import read_bytes

    data = path.read_bytes()
    pages = int(path.stem.split("-")[1])
    start_rss = _peak_rss_mb()
    seen: list[int] = []
    start = time.perf_counter()
    raw = read_bytes(f"scan-{pages}.pdf", data, 1 << 30, progress=lambda done, total: seen.append(done))
    seconds = time.perf_counter() - start
    first = raw.text.split("Trang 2/")[0] if pages > 1 else raw.text
    reference = ocr_samples.text_version()
    return {
        "pages": pages, "pdf_mb": round(len(data) / 1e6, 2), "seconds": round(seconds, 2),
        "seconds_per_page": round(seconds / pages, 2), "chars_per_second": round(len(raw.text) / seconds),
        "peak_rss_mb": _peak_rss_mb(), "rss_before_reading_mb": start_rss,
        "mean_confidence": raw.ocr_confidence, "low_confidence_pages": list(raw.low_confidence_pages),
        "first_page_char_match": round(fuzz.ratio(_flat(reference), _flat(first.replace(f"Trang 1/{pages}", "")))
                                       / 100, 4),
        "progress_calls": len(seen), "workers": ocr.WORKERS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 and 4 pages (CI)")
    parser.add_argument("--sizes", default=None, help="comma-separated page counts (default 1,4,12)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    from knowledge import ocr

    reason = ocr.unavailable_reason()
    if reason:
        print(json.dumps({"error": reason}))
        return
    sizes = [int(s) for s in (args.sizes or ("1,4" if args.quick else "1,4,12")).split(",")]
    out: dict[str, object] = {"cores": os.cpu_count(), "render_dpi": ocr.RENDER_DPI, "sizes": []}
    with tempfile.TemporaryDirectory() as tmp:
        for pages in sizes:
            path = Path(tmp, f"scan-{pages}.pdf")
            path.write_bytes(ocr_samples.scanned_pdf(pages))
            run = subprocess.run([sys.executable, __file__, "--measure", str(path)], capture_output=True,
                                 text=True, cwd=ROOT, check=True)
            out["sizes"].append(json.loads(run.stdout.strip().splitlines()[-1]))  # type: ignore[union-attr]
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
