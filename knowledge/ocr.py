"""Text of scanned pages and photographed pages: Tesseract with its Vietnamese model (`vie`), via tesserocr.

Why tesserocr: `benchmarks/ocr_routes.py` measured the three Python routes to the same engine on this
2-core machine (2026-12-02, a 300-dpi scanned page and a phone photo of it, README "Scans and legacy
files"). Told the resolution, all three read the same characters (0.999 of the scan, 0.989 of the
photo); they differ in cost: tesserocr (libtesseract in process, one model load per worker) took
1.85 s per page on 4 pages, pytesseract (a `tesseract` process and an image file per page) 3.0 s, and
ocrmypdf (a whole PDF rewritten with a text layer, then read back, plus pikepdf and img2pdf) 4.9 s.

Pages are rendered one at a time in the calling thread (pdfium is not thread-safe) and recognised by
`WORKERS` threads, each with its own Tesseract instance (tesserocr releases the GIL while recognising),
so a 12-page scan uses both cores and holds at most `WORKERS + 1` rendered pages in memory.
"""

from __future__ import annotations

import io
import os
import queue
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

Progress = Callable[[int, int], None]

LANGUAGE = "vie"
# Where Debian (tesseract-ocr-vie: 5.x and 4.x layouts) and source builds put the models; TESSDATA_PREFIX
# (Tesseract's own variable) comes first.
TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                 "/usr/share/tessdata", "/usr/local/share/tessdata")
# Tesseract's models are trained on text of about 300 dpi; at this resolution the renders in
# benchmarks/ocr_samples.py read at 0.999 of characters. PDF pages are rendered at it.
RENDER_DPI = 300
# An image without a usable resolution is taken to be one A4 page (11.69 in tall) photographed whole:
# a 12-megapixel phone photo then comes out at ~340 dpi. Bounds keep thumbnails and huge scans sane.
A4_LONG_SIDE_IN = 11.69
MIN_DPI, MAX_DPI = 70, 1200
# Mean word confidence (0-100) under which a page is listed for a person to check: the clean scan and
# the phone photo of benchmarks/ocr_samples.py score 92-94, and so does a 3-px blur of the photo, so
# only clearly worse pages fall under 80.
LOW_CONFIDENCE = 80.0
WORKERS = 2  # the machine's cores; more threads only queue on them
# Pillow refuses larger images as decompression bombs; a 600-dpi A3 scan is 70 million pixels. PDF pages
# are rendered at most this large too (a page drawn 5 m wide would otherwise render to gigabytes).
MAX_IMAGE_PIXELS = 100_000_000
# At ~2 s per page on 2 busy cores, 60 scanned pages keep an upload to about a minute or two; longer scans
# are refused (directives run to 2-20 pages; a 200-page scanned appendix belongs in text form).
MAX_OCR_PAGES = 60


class OcrUnavailable(RuntimeError):
    """tesserocr or the Vietnamese model is missing; the message says what to install."""


@dataclass(frozen=True)
class PageText:
    text: str
    confidence: float  # Tesseract's mean word confidence, 0-100


def tessdata_dir() -> str | None:
    """The first folder holding vie.traineddata, or None."""
    candidates = [os.environ.get("TESSDATA_PREFIX", "")] + list(TESSDATA_DIRS)
    for folder in candidates:
        if not folder:
            continue
        for path in (Path(folder), Path(folder) / "tessdata"):
            if (path / f"{LANGUAGE}.traineddata").is_file():
                return str(path)
    return None


def unavailable_reason() -> str | None:
    """Why OCR cannot run here (English, for operators), or None when it can."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return "OCR is not installed (Python package tesserocr missing: pip install tesserocr)"
    if tessdata_dir() is None:
        return ("OCR is not installed (Tesseract's Vietnamese model vie.traineddata not found: "
                "apt-get install tesseract-ocr tesseract-ocr-vie, or set TESSDATA_PREFIX)")
    return None


def available() -> bool:
    return unavailable_reason() is None


def image_dpi(image: Image) -> int:
    """The resolution a PDF page was rendered at; else the image's stated resolution when plausible (phones
    often write a meaningless 72), else the resolution of a whole A4 page."""
    if image.info.get("rendered_dpi"):
        return int(image.info["rendered_dpi"])
    stated = image.info.get("dpi")
    if stated:
        try:
            dpi = float(stated[0])
        except (TypeError, ValueError, IndexError):
            dpi = 0.0
        if 150 <= dpi <= MAX_DPI:
            return round(dpi)
    guess = max(image.size) / A4_LONG_SIDE_IN
    return round(min(MAX_DPI, max(MIN_DPI, guess)))


def load_image(data: bytes) -> Image:
    """A photo or scan as an upright greyscale image (phones store rotation in EXIF).

    Raises ValueError when the bytes are not an image Pillow can read, or are a decompression bomb."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValueError(f"not a readable image ({type(exc).__name__})") from exc
    dpi = image.info.get("dpi")
    image = ImageOps.exif_transpose(image).convert("L")
    if dpi:
        image.info["dpi"] = dpi
    return image


def pdf_pages_images(data: bytes, numbers: Sequence[int]) -> Iterator[Image]:
    """Pages `numbers` (0-based) of a PDF rendered in greyscale at RENDER_DPI, one at a time."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        for number in numbers:
            page = pdf[number]
            width, height = page.get_size()  # points
            scale = min(RENDER_DPI / 72, (MAX_IMAGE_PIXELS / max(width * height, 1.0)) ** 0.5)
            image = page.render(scale=scale, grayscale=True).to_pil()
            image.info["rendered_dpi"] = max(1, round(scale * 72))
            page.close()
            yield image
    finally:
        pdf.close()


def recognise(images: Iterable[Image], total: int, progress: Progress | None = None) -> list[PageText]:
    """Each image's text and confidence, in order; `progress(done, total)` after each page, called from
    this thread. Raises OcrUnavailable when Tesseract or its Vietnamese model is missing."""
    reason = unavailable_reason()
    if reason:
        raise OcrUnavailable(reason)
    import tesserocr

    path = tessdata_dir()
    engines: queue.Queue[tesserocr.PyTessBaseAPI] = queue.Queue()
    made: list[tesserocr.PyTessBaseAPI] = []
    try:
        for _ in range(min(WORKERS, max(total, 1))):
            api = tesserocr.PyTessBaseAPI(path=path, lang=LANGUAGE)
            made.append(api)
            engines.put(api)
    except RuntimeError as exc:  # a damaged or incompatible vie.traineddata
        for api in made:
            api.End()
        raise OcrUnavailable(f"Tesseract could not load its Vietnamese model from {path} ({exc})") from exc

    def one(image: Image) -> PageText:
        api = engines.get()
        try:
            api.SetVariable("user_defined_dpi", str(image_dpi(image)))
            api.SetImage(image)
            text = api.GetUTF8Text()
            return PageText(text=text, confidence=float(api.MeanTextConf()) if text.strip() else 0.0)
        finally:
            api.Clear()
            engines.put(api)

    results: list[PageText] = []
    pending: list[Future[PageText]] = []

    def finish_oldest() -> None:
        results.append(pending.pop(0).result())
        if progress is not None:
            progress(len(results), total)

    try:
        with ThreadPoolExecutor(WORKERS, thread_name_prefix="ocr") as pool:
            for image in images:
                pending.append(pool.submit(one, image))
                if len(pending) > WORKERS:
                    finish_oldest()
            while pending:
                finish_oldest()
    finally:
        for api in made:
            api.End()
    return results
