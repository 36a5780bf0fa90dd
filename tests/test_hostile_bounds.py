"""Bounded work on hostile files: each is refused (a RejectedFile with a clear reason) within a memory and
time bound, instead of exhausting the machine.

Why: a probe found a 1 MB PDF that inflated to 1 GiB (2.2 GB peak, then an uncaught pypdf error and a
progress message that never ended), a .docx whose document.xml was 158 MB (over 240 s at 1.2 GB), and
a 15 MB .txt that stored 144k deadlines and never finished indexing. Each file is made by the test and
read in a child process, whose own peak memory (VmHWM, the process image's high-water mark) and wall time are asserted.

The bounds are loose on purpose, so a loaded 2-core CI machine cannot fail them by accident; they only
tell "bounded" from "inflated the bomb": READ_MEMORY_BOUND_MB is about twice the reader's own peak on a
normal directive (python-docx, pdfplumber, pypdfium2 and pypdf imported: ~150 MB), far under the
1.2–2.3 GB the bombs reached; READ_TIME_BOUND_S is ten times the measured refusal time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from knowledge.extract import parse_and_extract
from knowledge.reader import (
    MAX_DEADLINES_PER_DOC,
    MAX_SECTIONS_PER_DOC,
    RejectedFile,
    check_extraction_size,
)

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
GIB = 1024 * MB
MAX_FILE_BYTES = 20 * MB  # the bot's default BOT_MAX_FILE_MB
READ_MEMORY_BOUND_MB = 400  # guards: the bomb is never inflated in memory (before: 1,200–2,300 MB)
READ_TIME_BOUND_S = 30.0  # guards: the bomb is refused, not read for minutes (before: over 240 s)

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from knowledge.reader import RejectedFile, read_path
start = time.monotonic()
try:
    raw = read_path(Path(sys.argv[1]), int(sys.argv[2]))
    outcome = {"ok": len(raw.text)}
except RejectedFile as exc:
    outcome = {"code": exc.code, "message": str(exc)}
outcome["seconds"] = time.monotonic() - start
# VmHWM is this process image's own peak; ru_maxrss survives execve on Linux, so it would report the
# forking test runner's size when that is larger.
try:
    hwm = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:"))
    outcome["peak_mb"] = int(hwm.split()[1]) / 1024
except (OSError, StopIteration):
    outcome["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(outcome))
"""


def read_in_child(path: Path, timeout: float = 600) -> dict[str, object]:
    """knowledge.reader.read_path in a fresh process: its outcome, wall time and peak memory (MB)."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(MAX_FILE_BYTES)], cwd=ROOT,
                         capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------------ the files


def _deflated(chunks: int, chunk: bytes) -> bytes:
    """`chunk` repeated `chunks` times, zlib-compressed piece by piece (the test never holds it inflated)."""
    packer = zlib.compressobj(9)
    parts = [packer.compress(chunk) for _ in range(chunks)]
    return b"".join(parts) + packer.flush()


def pdf_with_content(content: bytes) -> bytes:
    """A one-page PDF with Helvetica text whose page content stream is `content` (already Flate-encoded)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


_TEXT_OPS = b"BT /F1 12 Tf 72 770 Td (Chi thi ve viec trien khai nhiem vu nam 2027, So Tai chinh) Tj ET\n"


def pdf_bomb() -> bytes:
    """~1 MB on disk: a page whose content stream is a line of text and then 1 GiB of spaces."""
    packer = zlib.compressobj(9)
    head = packer.compress(_TEXT_OPS)
    spaces = b" " * MB
    body = b"".join(packer.compress(spaces) for _ in range(GIB // MB))
    return pdf_with_content(head + body + packer.flush())


def _paragraph(n: int) -> str:
    return (f"<w:p><w:r><w:t>{n}. Sở Tài chính chủ trì, phối hợp với Sở Kế hoạch và Đầu tư rà soát "
            f"nhiệm vụ số {n * 7919 % 100003}, hoàn thành trước ngày {n % 28 + 1:02d}/{n % 12 + 1:02d}/2027."
            "</w:t></w:r></w:p>")


_DOCX_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
               '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
               '<Default Extension="xml" ContentType="application/xml"/>'
               '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
               'officedocument.wordprocessingml.document.main+xml"/></Types>')
_DOCX_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
              'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
_DOCX_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
_DOCX_TAIL = "</w:body></w:document>"


def write_docx(path: Path, paragraphs: int) -> None:
    """A minimal .docx of `paragraphs` numbered duty paragraphs, written part by part (low memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _DOCX_TYPES)
        zf.writestr("_rels/.rels", _DOCX_RELS)
        with zf.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(_DOCX_HEAD.encode())
            batch = 1000
            for start in range(0, paragraphs, batch):
                part.write("".join(_paragraph(n) for n in range(start, min(start + batch, paragraphs))).encode())
            part.write(_DOCX_TAIL.encode())


DOCX_BOMB_PARAGRAPHS = 850_000  # document.xml of ~158 MB, like the probe's


def many_deadlines_text(items: int) -> str:
    """A directive with `items` numbered duties, each with its own deadline."""
    head = ("ỦY BAN NHÂN DÂN\nTỈNH SƠN HÀ\n\nSố: 999/UBND-VX\n\nSơn Hà, ngày 1 tháng 11 năm 2026\n\n"
            "V/v triển khai nhiệm vụ năm 2027\n\nChủ tịch UBND tỉnh yêu cầu:\n\n")
    body = "\n\n".join(f"{n}. Sở Tài chính chủ trì rà soát nhiệm vụ số {n}, hoàn thành trước ngày "
                       f"{n % 28 + 1:02d}/{n % 12 + 1:02d}/2027." for n in range(1, items + 1))
    return head + body + "\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nTrần Minh Khang\n"


# ------------------------------------------------------------------------------------------ the tests


def assert_refused_within_bounds(outcome: dict[str, object], code: str) -> None:
    assert outcome.get("code") == code, outcome
    assert "rejected: " in str(outcome["message"]), outcome
    assert float(str(outcome["peak_mb"])) < READ_MEMORY_BOUND_MB, outcome
    assert float(str(outcome["seconds"])) < READ_TIME_BOUND_S, outcome


def test_pdf_whose_stream_inflates_to_a_gibibyte_is_refused_small(tmp_path: Path) -> None:
    """1 MB on disk, 1 GiB inflated (before: 2.1 GB peak, 19 s, or pypdf's uncaught LimitReachedError)."""
    path = tmp_path / "chi-thi-bom.pdf"
    path.write_bytes(pdf_bomb())
    assert path.stat().st_size < 2 * MB
    outcome = read_in_child(path)
    assert_refused_within_bounds(outcome, "pdf_bomb")
    assert "compression bomb" in str(outcome["message"])


def test_pdf_with_an_ordinary_flate_stream_still_reads(tmp_path: Path) -> None:
    """The bomb check must not refuse a normal compressed page."""
    path = tmp_path / "chi-thi.pdf"
    path.write_bytes(pdf_with_content(zlib.compress(_TEXT_OPS * 40)))
    outcome = read_in_child(path)
    assert "ok" in outcome, outcome


def test_docx_whose_document_xml_inflates_to_158_mb_is_refused_small(tmp_path: Path) -> None:
    """Declared sizes under the old limits (ratio under 200), document.xml ~158 MB: refused from the bytes it
    really inflates to, before python-docx parses it (before: 72 s at 1.4 GB here, over 240 s in the probe)."""
    path = tmp_path / "chi-thi-bom.docx"
    write_docx(path, DOCX_BOMB_PARAGRAPHS)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("word/document.xml")
        assert info.file_size > 150 * MB and info.file_size / info.compress_size < 200
    outcome = read_in_child(path)
    assert_refused_within_bounds(outcome, "zip_bomb")
    assert "word/document.xml" in str(outcome["message"])


def test_docx_lying_about_its_sizes_is_refused(tmp_path: Path) -> None:
    """A zip directory that declares a tiny document.xml: sizes are counted, not believed."""
    path = tmp_path / "noi-doi.docx"
    write_docx(path, 20)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        real = zf.getinfo("word/document.xml").file_size
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"word/document.xml"))  # its central directory entry
    data[central + 24:central + 28] = (10).to_bytes(4, "little")  # declared uncompressed size: 10 bytes
    path.write_bytes(bytes(data))
    assert real > 10
    outcome = read_in_child(path)
    assert outcome.get("code") == "corrupt", outcome


def test_text_of_144k_duties_is_refused_before_parsing(tmp_path: Path) -> None:
    """A 16 MB .txt (under the 20 MB file limit) of 144,000 dated duties: before, it parsed for ~90 s,
    stored 144k deadlines and never finished indexing; now the reader refuses it by its length."""
    path = tmp_path / "ke-hoach-khong-lo.txt"
    path.write_text(many_deadlines_text(144_000), encoding="utf-8")
    assert 10 * MB < path.stat().st_size < MAX_FILE_BYTES
    outcome = read_in_child(path)
    assert_refused_within_bounds(outcome, "too_long")


def test_extraction_size_check_refuses_too_many_deadlines() -> None:
    """A text short enough to read but with more dated duties than one document may add."""
    items = MAX_DEADLINES_PER_DOC + 100
    doc, facts = parse_and_extract("ke-hoach", many_deadlines_text(items), "ke-hoach.txt")
    assert len(facts.deadlines) > MAX_DEADLINES_PER_DOC
    with pytest.raises(RejectedFile) as exc:
        check_extraction_size(facts, doc)
    assert exc.value.code == "too_many_facts" and "deadlines" in exc.value.reason
    assert str(exc.value).startswith("ke-hoach.txt: rejected: ")


def test_extraction_size_check_passes_real_directives_and_counts_sections() -> None:
    doc, facts = parse_and_extract("ke-hoach", many_deadlines_text(50), "ke-hoach.txt")
    check_extraction_size(facts, doc)  # no exception
    doc.sections = doc.sections * (MAX_SECTIONS_PER_DOC // len(doc.sections) + 1)
    with pytest.raises(RejectedFile) as exc:
        check_extraction_size(facts, doc)
    assert exc.value.code == "too_many_facts" and "sections" in exc.value.reason
