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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import ocr_samples  # noqa: E402


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(" | ", " ")).strip()


def measure(pages: int) -> dict[str, object]:
    from rapidfuzz import fuzz

    from knowledge import ocr
    from knowledge.reader import read_bytes

    data = ocr_samples.scanned_pdf(pages)
    seen: list[int] = []
    start = time.perf_counter()
    raw = read_bytes(f"scan-{pages}.pdf", data, 1 << 30, progress=lambda done, total: seen.append(done))
    seconds = time.perf_counter() - start
    first = raw.text.split("Trang 2/")[0] if pages > 1 else raw.text
    reference = ocr_samples.text_version()
    return {
        "pages": pages, "pdf_mb": round(len(data) / 1e6, 2), "seconds": round(seconds, 2),
        "seconds_per_page": round(seconds / pages, 2), "chars_per_second": round(len(raw.text) / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "mean_confidence": raw.ocr_confidence, "low_confidence_pages": list(raw.low_confidence_pages),
        "first_page_char_match": round(fuzz.ratio(_flat(reference), _flat(first.replace(f"Trang 1/{pages}", "")))
                                       / 100, 4),
        "progress_calls": len(seen), "workers": ocr.WORKERS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 and 4 pages (CI)")
    parser.add_argument("--sizes", default=None, help="comma-separated page counts (default 1,4,12)")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
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
    for pages in sizes:
        run = subprocess.run([sys.executable, __file__, "--measure", str(pages)], capture_output=True, text=True,
                             cwd=ROOT, check=True)
        out["sizes"].append(json.loads(run.stdout.strip().splitlines()[-1]))  # type: ignore[union-attr]
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
