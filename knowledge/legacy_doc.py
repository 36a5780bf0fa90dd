"""Word 97-2003 `.doc` → `.docx` bytes with LibreOffice headless, so the `.docx` reader does the rest.

Why LibreOffice and not antiword (measured 2026-12-02 on a Vietnamese directive with a duty table, written
with python-docx and saved as .doc by LibreOffice): both keep the Vietnamese letters, but antiword prints
text wrapped at 76 columns and a table cell over several lines (`|Rà soát tiêu chí xã   |` then
`|nông thôn mới  |`), so a duty's row no longer holds its agency and deadline together; the `.docx`
LibreOffice writes reads back through knowledge/docx_text.py with each row on one line. The price is size:
libreoffice-writer-nogui adds 259 MB on Debian 12, antiword 0.6 MB.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

# Word 97-2003 files are OLE2 compound files; offices also send RTF or a renamed .docx under a .doc name.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RTF_MAGIC = b"{\\rtf"
ZIP_MAGIC = b"PK\x03\x04"
# A directive of tens of pages converts in 2-4 s here (most of it LibreOffice starting); a file that takes
# this long is hostile or broken, and the upload must not wait on it.
CONVERT_TIMEOUT_S = 90.0
SOFFICE_NAMES = ("soffice", "libreoffice")
# LibreOffice's import filter per kind: named, so a broken Word file fails instead of being opened as
# plain text (LibreOffice's fallback, which would store the file's bytes as a directive).
IMPORT_FILTERS = {"ole": "MS Word 97", "rtf": "Rich Text Format"}


class ConversionError(RuntimeError):
    """LibreOffice could not turn the file into .docx (broken, encrypted, or not a Word file)."""


def soffice_path() -> str | None:
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def unavailable_reason() -> str | None:
    """Why .doc files cannot be read here (English, for operators), or None."""
    if soffice_path() is None:
        return ("reading Word 97-2003 .doc files needs LibreOffice (apt-get install libreoffice-writer-nogui); "
                "or save the file as .docx")
    return None


def kind(data: bytes) -> str:
    """'ole' (Word 97-2003), 'rtf', 'docx' (a renamed zip) or 'unknown'."""
    head = data.lstrip()[:8]
    if data.startswith(OLE2_MAGIC):
        return "ole"
    if head.startswith(RTF_MAGIC):
        return "rtf"
    if data.startswith(ZIP_MAGIC):
        return "docx"
    return "unknown"


def doc_to_docx(data: bytes, timeout_s: float = CONVERT_TIMEOUT_S) -> bytes:
    """The .docx LibreOffice writes for a .doc/.rtf file; raises ConversionError when it writes none.

    Each call has its own LibreOffice profile folder, so conversions do not wait on each other's profile
    lock and need no writable home; the whole process group is killed past `timeout_s`."""
    soffice = soffice_path()
    if soffice is None:
        raise ConversionError(unavailable_reason() or "LibreOffice missing")
    with tempfile.TemporaryDirectory(prefix="directive-doc-") as tmp:
        folder = Path(tmp)
        source = folder / "in.doc"
        source.write_bytes(data)
        command = [soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                   "--norestore", f"--infilter={IMPORT_FILTERS.get(kind(data), IMPORT_FILTERS['ole'])}",
                   "--convert-to", "docx", "--outdir", str(folder / "out"), str(source)]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   start_new_session=True, env={**os.environ, "HOME": tmp})
        try:
            _, err = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionError(f"LibreOffice did not finish within {timeout_s:g} s") from exc
        out = folder / "out" / "in.docx"
        if not out.is_file() or out.stat().st_size == 0:
            detail = err.decode("utf-8", "replace").strip().splitlines()
            raise ConversionError(f"LibreOffice could not convert it ({detail[-1] if detail else 'no output'})")
        return out.read_bytes()
