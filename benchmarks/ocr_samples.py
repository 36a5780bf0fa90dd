"""A short directive written here, and renders of it as offices send them: a scanned (image-only) PDF and
a phone photo (JPEG, slightly rotated, noisy). Used by tests/test_ocr_legacy.py and benchmarks/ocr.py.

The text is fictional (province Sơn Hà, like examples/); its duty sentences follow the shapes real
directives use, so knowledge.extract finds its deadlines in the text version and can be compared with
what it finds in the OCR version.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

HEADER = [
    "ỦY BAN NHÂN DÂN TỈNH SƠN HÀ",
    "Số: 215/UBND-KT",
    "V/v triển khai Chương trình mục tiêu quốc gia xây dựng nông thôn mới năm 2026",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Sơn Hà, ngày 10 tháng 02 năm 2026",
    "Kính gửi: Các sở, ban, ngành tỉnh; Ủy ban nhân dân các xã, phường.",
]
BODY = [
    "Thực hiện Quyết định số 12/QĐ-UBND ngày 05/01/2026 của Ủy ban nhân dân tỉnh về kế hoạch thực hiện "
    "Chương trình mục tiêu quốc gia xây dựng nông thôn mới năm 2026, Chủ tịch Ủy ban nhân dân tỉnh chỉ "
    "đạo như sau:",
    "1. Sở Tài chính chủ trì, phối hợp với Sở Nông nghiệp và Môi trường tham mưu phân bổ vốn sự nghiệp "
    "năm 2026 cho các xã, trình Ủy ban nhân dân tỉnh trước ngày 15/3/2026.",
    "2. Sở Nông nghiệp và Môi trường chủ trì rà soát bộ tiêu chí xã nông thôn mới nâng cao giai đoạn "
    "2026 - 2030, báo cáo Ủy ban nhân dân tỉnh trước ngày 30/4/2026.",
    "3. Sở Xây dựng chủ trì hướng dẫn các xã lập quy hoạch chung xây dựng xã, hoàn thành trước ngày "
    "31/5/2026.",
    "4. Sở Y tế chủ trì kiểm tra công tác bảo đảm an toàn thực phẩm tại các chợ nông thôn, báo cáo kết "
    "quả trước ngày 20/6/2026.",
    "5. Sở Giáo dục và Đào tạo chủ trì đánh giá tiêu chí trường học đạt chuẩn quốc gia, báo cáo Ủy ban "
    "nhân dân tỉnh trước ngày 15/8/2026.",
    "Chỉ tiêu chủ yếu năm 2026:",
]
TABLE = [
    ["TT", "Chỉ tiêu", "Năm 2025", "Năm 2026"],
    ["1", "Số xã đạt chuẩn nông thôn mới", "58", "64"],
    ["2", "Thu nhập bình quân (triệu đồng/người)", "52", "58"],
    ["3", "Tỷ lệ hộ nghèo (%)", "3,8", "3,1"],
]
CLOSING = [
    "Yêu cầu các cơ quan, đơn vị nghiêm túc triển khai thực hiện./.",
    "KT. CHỦ TỊCH",
    "PHÓ CHỦ TỊCH",
    "Nguyễn Văn Minh",
]
# The deadlines the text version gives (due date, lead agency): what the OCR version must keep.
DEADLINES = [
    ("2026-03-15", "Sở Tài chính"),
    ("2026-04-30", "Sở Nông nghiệp và Môi trường"),
    ("2026-05-31", "Sở Xây dựng"),
    ("2026-06-20", "Sở Y tế"),
    ("2026-08-15", "Sở Giáo dục và Đào tạo"),
]

DPI = 300
PAGE_PX = (2480, 3508)  # A4 at 300 dpi
MARGIN_PX = 236  # 2 cm
FONT_PX = 46  # 11 pt at 300 dpi: the size directives are typed in (13 pt) scaled to leave room for the table
LINE_GAP = 1.45


def text_version() -> str:
    """The directive as a text file gives it: one line per paragraph, the table as ` | ` rows."""
    rows = [" | ".join(row) for row in TABLE]
    return "\n".join(HEADER + [""] + BODY + rows + [""] + CLOSING) + "\n"


@cache
def _font_path() -> str:
    for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu"):
        path = Path(folder) / "DejaVuSerif.ttf"
        if path.exists():
            return str(path)
    raise FileNotFoundError("DejaVuSerif.ttf not found: apt-get install fonts-dejavu-core")


def _wrap(draw, text: str, font, width: int) -> list[str]:  # noqa: ANN001 - Pillow objects
    words, lines, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def render_page(seed_line: str = ""):  # noqa: ANN201 - PIL.Image
    """One A4 page at 300 dpi, black on white, the whole directive with its ruled table."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", PAGE_PX, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(_font_path(), FONT_PX)
    width = PAGE_PX[0] - 2 * MARGIN_PX
    step = int(FONT_PX * LINE_GAP)
    y = MARGIN_PX
    for paragraph in ([seed_line] if seed_line else []) + HEADER + [""] + BODY:
        for line in _wrap(draw, paragraph, font, width) or [""]:
            draw.text((MARGIN_PX, y), line, font=font, fill=0)
            y += step
    col = [0, 120, 1300, 1700, width]
    row_h = step + 20
    for r, row in enumerate(TABLE):
        top = y + r * row_h
        for c, cell in enumerate(row):
            draw.text((MARGIN_PX + col[c] + 16, top + 12), cell, font=font, fill=0)
    bottom = y + len(TABLE) * row_h
    for r in range(len(TABLE) + 1):
        draw.line([(MARGIN_PX, y + r * row_h), (MARGIN_PX + width, y + r * row_h)], fill=0, width=3)
    for x in col:
        draw.line([(MARGIN_PX + x, y), (MARGIN_PX + x, bottom)], fill=0, width=3)
    y = bottom + step
    for paragraph in CLOSING:
        for line in _wrap(draw, paragraph, font, width):
            draw.text((MARGIN_PX, y), line, font=font, fill=0)
            y += step
    return image


def scanned_pdf(pages: int = 1) -> bytes:
    """An image-only PDF of `pages` copies of the page, like a scanner's output (no text layer)."""
    images = [render_page(f"Trang {n}/{pages}" if pages > 1 else "").convert("RGB") for n in range(1, pages + 1)]
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return out.getvalue()


def photo_jpeg(seed: int = 14, angle: float = 1.5) -> bytes:
    """The page as a phone photo: rotated by `angle` degrees on a grey desk, uneven light, sensor noise,
    JPEG quality 85."""
    import numpy as np
    from PIL import Image, ImageFilter

    page = render_page().rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=140)
    pixels = np.asarray(page, dtype=np.float32)
    height, width = pixels.shape
    light = np.linspace(0.92, 1.0, width, dtype=np.float32)[None, :] * np.linspace(1.0, 0.95, height,
                                                                                    dtype=np.float32)[:, None]
    rng = np.random.default_rng(seed)
    pixels = pixels * light + rng.normal(0, 12, pixels.shape).astype(np.float32)
    photo = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))
    out = io.BytesIO()
    photo.convert("RGB").save(out, format="JPEG", quality=85, dpi=(DPI, DPI))
    return out.getvalue()


def blank_png() -> bytes:
    """A photo of an empty page: no text at all."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (1200, 1600), 250).save(out, format="PNG")
    return out.getvalue()
