"""The three Python routes to Tesseract, measured on the same scanned page and phone photo: ocrmypdf (a PDF
gets a text layer, then read back), pytesseract (the `tesseract` program per page), tesserocr (libtesseract
in process), each told the resolution (300 dpi: without it Tesseract guesses, and on the ruled table
guessed wrong, 0.98 instead of 0.999 of characters). Prints one JSON object: per route and input, seconds per page and the character match
(rapidfuzz ratio, whitespace collapsed) against the text the page was rendered from.

    python benchmarks/ocr_routes.py [--pages 4]

Kept as the record of why knowledge/ocr.py uses the route it uses; CI does not run it. The two routes not
chosen are not dependencies: `pip install ocrmypdf pytesseract` first.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import ocr_samples  # noqa: E402

TESSDATA = "/usr/share/tesseract-ocr/5/tessdata"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(" | ", " ")).strip()


def char_match(reference: str, ocr: str) -> float:
    from rapidfuzz import fuzz

    return round(fuzz.ratio(_flat(reference), _flat(ocr)) / 100, 4)


def _images(pdf: bytes) -> list:
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    return [page.render(scale=ocr_samples.DPI / 72, grayscale=True).to_pil() for page in doc]


def route_pytesseract(images: list) -> list[str]:
    import pytesseract

    os.environ["OMP_THREAD_LIMIT"] = "1"
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda im: pytesseract.image_to_string(im, lang="vie", config=f"--dpi {ocr_samples.DPI}"), images))


def route_tesserocr(images: list) -> list[str]:
    import tesserocr

    def one(chunk: list) -> list[str]:
        with tesserocr.PyTessBaseAPI(path=TESSDATA, lang="vie") as api:
            api.SetVariable("user_defined_dpi", str(ocr_samples.DPI))
            out = []
            for image in chunk:
                api.SetImage(image)
                out.append(api.GetUTF8Text())
            return out

    halves = [images[0::2], images[1::2]]
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(one, halves))
    texts = [""] * len(images)
    texts[0::2], texts[1::2] = done[0], done[1]
    return texts


def route_ocrmypdf(pdf: bytes) -> list[str]:
    import ocrmypdf
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "in.pdf"), Path(tmp, "out.pdf")
        src.write_bytes(pdf)
        ocrmypdf.ocr(src, dst, language="vie", output_type="pdf", jobs=2, progress_bar=False,
                     optimize=0, force_ocr=True)
        return [page.extract_text() or "" for page in PdfReader(io.BytesIO(dst.read_bytes())).pages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=4)
    args = parser.parse_args()
    reference = ocr_samples.text_version()
    scan = ocr_samples.scanned_pdf(1)
    multi = ocr_samples.scanned_pdf(args.pages)
    photo_pdf = io.BytesIO()
    from PIL import Image

    Image.open(io.BytesIO(ocr_samples.photo_jpeg())).save(photo_pdf, format="PDF", resolution=ocr_samples.DPI)
    inputs = {"scan": scan, "photo": photo_pdf.getvalue()}
    out: dict[str, dict[str, object]] = {}
    for route in ("pytesseract", "tesserocr", "ocrmypdf"):
        result: dict[str, object] = {}
        for label, pdf in inputs.items():
            start = time.perf_counter()
            texts = route_ocrmypdf(pdf) if route == "ocrmypdf" else globals()[f"route_{route}"](_images(pdf))
            result[f"{label}_s_per_page"] = round(time.perf_counter() - start, 2)
            result[f"{label}_char_match"] = char_match(reference, texts[0])
        start = time.perf_counter()
        _ = route_ocrmypdf(multi) if route == "ocrmypdf" else globals()[f"route_{route}"](_images(multi))
        result[f"{args.pages}_pages_s_per_page"] = round((time.perf_counter() - start) / args.pages, 2)
        out[route] = result
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
