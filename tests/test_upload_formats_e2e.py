"""Directives as offices send them, through the bot's upload path over the local Bot API server: a
two-page scan (the reply edited page by page, then the summary saying OCR read it), the same
directive photographed (recognised as already stored), a Word 97 `.doc` and a TCVN3 text file.
The inputs are rendered here from text written for the tests (benchmarks/ocr_samples.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.answering.planner import Answerer
from bot.config import Settings
from bot.library import ingest_paths
from knowledge import legacy_doc, legacy_encoding, ocr
from tests.botapi_server import BotApiServer
from tests.test_bot_e2e import ADMIN, TIMEOUT, TOKEN, USER, buttons, edits, plain, run_bot, say, upload_reply
from tests.test_ocr_legacy import LEGACY_TEXT, _doc_bytes

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import ocr_samples  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ocr.available() or legacy_doc.soffice_path() is None,
                       reason="Tesseract and LibreOffice missing: .ci/run installs them"),
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    base = Settings(data_dir=tmp_path / "data")
    ingest_paths(base, [EXAMPLES])
    return base


def test_scans_photos_doc_and_tcvn3_through_the_upload_path(settings: Settings) -> None:
    with BotApiServer(token=TOKEN) as server:
        bot_settings = Settings(data_dir=settings.data_dir, telegram_token=TOKEN,
                                telegram_api_base_url=server.base_url, telegram_api_file_url=server.base_file_url,
                                admin_ids=frozenset({ADMIN}), questions_per_minute=50)

        async def upload(name: str, data: bytes) -> dict:
            before = edits(server, ADMIN)
            server.push_document(ADMIN, ADMIN, name, data)
            await server.wait_for(
                lambda s: any(not plain(p["text"]).startswith("⏳")
                              for p in s.sent(ADMIN, method="editMessageText")[before:]), timeout=TIMEOUT * 6)
            return next(p for p in server.sent(ADMIN, method="editMessageText")[before:]
                        if not plain(p["text"]).startswith("⏳"))

        async def body(_app: object) -> None:
            before = edits(server, ADMIN)
            summary = plain((await upload("cv-215-ban-scan.pdf", ocr_samples.scanned_pdf(2)))["text"])
            pages = [plain(p["text"]) for p in server.sent(ADMIN, method="editMessageText")[before:]]
            assert any("đang nhận dạng chữ, trang 1/2" in t for t in pages), pages
            assert summary.startswith("✅ Đã nạp văn bản: Công văn 215/UBND-KT"), summary
            assert "nhận dạng chữ" in summary and "5 hạn chót" in summary, summary

            answer = plain((await say(server, USER, "Sở Y tế kiểm tra an toàn thực phẩm tại chợ trước ngày nào?"))[0])
            assert "20/6/2026" in answer and "bản nhận dạng chữ từ ảnh quét" in answer, answer

            before = edits(server, ADMIN)
            width, height = ocr_samples.PAGE_PX
            server.push_photo(ADMIN, ADMIN, ocr_samples.photo_jpeg(), (width, height))
            asked = await upload_reply(server, ADMIN, before)
            await server.wait_for(lambda s: not plain(s.sent(ADMIN, method="editMessageText")[-1]["text"])
                                  .startswith("⏳"), timeout=TIMEOUT * 6)
            asked = server.sent(ADMIN, method="editMessageText")[-1]
            assert "Văn bản này đã có (Công văn 215/UBND-KT" in plain(asked["text"]), asked["text"]
            assert list(buttons(asked)) == ["Thay thế", "Hủy"]

            summary = plain((await upload("cv-cu.doc", _doc_bytes()))["text"])
            assert summary.startswith("✅ Đã nạp văn bản"), summary
            legacy = legacy_encoding.encode(LEGACY_TEXT, "tcvn3").encode("cp1252")
            summary = plain((await upload("cv-vntime.txt", legacy))["text"])
            assert summary.startswith("✅ Đã nạp văn bản") and "TCVN3" in summary, summary

        run_bot(bot_settings, Answerer(bot_settings), body)
    assert not [r for r in server.rejected if r["method"] != "getUpdates"], server.dump()
