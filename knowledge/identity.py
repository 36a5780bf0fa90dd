"""What a directive is, independent of the file it came in: issuer + number + date, else its text.

Why: the same directive arrives as `CV 846.pdf`, `846-UBND.docx` and `van ban moi.pdf`, and two
different directives both arrive as `CV.pdf`. The file name is only a label; the number an office
gives a directive (with its issuer and date, since numbers restart every year and differ by office)
is what identifies it. A text without a number is identified by its wording (spacing, case and
diacritics ignored, so a re-typed copy of the same note is still the same).
"""

from __future__ import annotations

import hashlib
from datetime import date

from knowledge.text import fold

TEXT_PREFIX = "text:"


def document_identity(issuer: str | None, number: str | None, issued: date | str | None, text: str) -> str:
    """`ubnd tinh son ha|1234/ubnd-kt|2026-11-20` for a numbered directive, `text:<sha1>` otherwise.

    >>> document_identity("UBND tỉnh Sơn Hà", "12/KH-UBND", "2026-01-05", "…")
    'ubnd tinh son ha|12/kh-ubnd|2026-01-05'
    """
    if number and number.strip():
        day = issued.isoformat() if isinstance(issued, date) else (issued or "")
        return "|".join((" ".join(fold(issuer or "").split()), "".join(fold(number).split()), day))
    words = " ".join(fold(text).split())
    return TEXT_PREFIX + hashlib.sha1(words.encode("utf-8")).hexdigest()
