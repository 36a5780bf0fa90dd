"""Who may mark duties done, cancel a group's reminders and read reports, end to end: the real Application
polling the fake Bot API server, over the example directives of Sơn Hà (as in tests/test_bot_e2e.py).

The rules (bot/chat/tracking_handlers.py, bot/chat/subscription_handlers.py): bot admins mark any duty and read any
report; a chat an admin linked to an agency (`/theodoi <cơ quan>` typed there by the admin) marks that
agency's duties and reads its report; any other subscription only brings reminders. In a group,
`/huytheodoi` is for the member who subscribed it, a group admin (Telegram's getChatMember) or a bot admin.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot import messages
from bot.state import BotState
from bot.tracking.completions import DutyTracker
from bot.tracking.duty_items import load_items
from bot.tracking.reminders import remind_once
from tests.botapi_server import BotApiServer
from tests.test_bot_e2e import (
    ADMIN,
    REMIND_DAY,
    TIMEOUT,
    TOKEN,
    Env,
    assert_clean,
    buttons,
    examples_env,
    new_messages,
    plain,
    run_bot,
    say,
    settings_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]

PLANNING = "Sở Kế hoạch và Đầu tư"
FINANCE = "Sở Tài chính"
STRANGER = 8901  # a private chat, not an admin
PLANNING_GROUP = -1009901  # an admin links it to Sở Kế hoạch và Đầu tư
FINANCE_GROUP = -1009902  # a member subscribes it to Sở Tài chính: reminders only
TEAM_GROUP = -1009903  # a member subscribes it to every agency
MEMBER, OTHER_MEMBER, GROUP_ADMIN = 5001, 5002, 5003
DAY = date(2026, 12, 16)  # 15/12 of Sở KH&ĐT overdue, 20/12 of Sở Tài chính due soon


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Env:
    return examples_env(tmp_path_factory.mktemp("authority"))


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer(token=TOKEN) as srv:
        yield srv


@pytest.fixture(autouse=True)
def clean_state(env: Env) -> Iterator[None]:
    """Each test starts with no subscription and nothing marked done."""
    yield
    state = env.settings.open_state()
    for sub in state.subscriptions():
        state.unsubscribe(sub["chat_id"])
    tracker = DutyTracker(state)
    for key in tracker.completions():
        tracker.undo(key)


async def _press(server: BotApiServer, chat: int, user: int, data: str, message_id: int = 1) -> dict[str, Any]:
    """Press a button in `chat` as `user`; the bot's answer to the press."""
    before = len(server.sent(method="answerCallbackQuery"))
    server.push_callback(chat, user, data, message_id)
    await server.wait_for(lambda s: len(s.sent(method="answerCallbackQuery")) > before, timeout=TIMEOUT)
    return server.sent(method="answerCallbackQuery")[before]


def _done_buttons(params: dict[str, Any]) -> list[str]:
    return [d for d in buttons(params).values() if d.startswith("dt:done:")]


def _item_of(env: Env, data: str) -> Any:
    """The duty item behind a `dt:done:<id>:<n>` button."""
    _, pending_id, number = data.split(":")[1:]
    loaded = load_items(env.settings.open_state(), pending_id)
    assert loaded is not None
    return loaded[1][int(number) - 1]


async def _open_items(env: Env, server: BotApiServer, chat: int, user: int) -> dict[str, str]:
    """/xong in `chat` as `user`: {agencies joined: callback data} of the first item of each."""
    await say(server, chat, "/xong", user_id=user)
    found: dict[str, str] = {}
    for data in _done_buttons(server.sent(chat)[-1]):
        found.setdefault(", ".join(_item_of(env, data).agencies), data)
    return found


def test_stranger_following_every_agency_cannot_mark(env: Env, server: BotApiServer) -> None:
    """A private chat subscribed to every agency gets reminders with buttons, but a press stores nothing
    and announces nothing; /xong tells it why instead of listing buttons."""
    settings = settings_for(env, server)
    tracker = DutyTracker(env.settings.open_state())

    async def subscribe(app: Application) -> None:
        reply = plain((await say(server, STRANGER, "/theodoi"))[0])
        assert reply == plain(messages.SUBSCRIBED_ALL.format(time=settings.reminder_time.strftime("%H:%M")))

    run_bot(settings, env.answerer, subscribe)
    sub = env.settings.open_state().subscription(STRANGER)
    assert sub is not None and sub["subscribed_by"] == STRANGER and sub["linked"] == 0
    assert remind_once(settings, REMIND_DAY)["sent"] >= 1
    reminder = next(p for p in reversed(server.sent(STRANGER)) if "Nhắc hạn" in p["text"])
    presses = _done_buttons(reminder)
    assert len(presses) >= 2

    async def press(app: Application) -> None:
        sent_before = len(server.sent(STRANGER))
        for data in presses[:2]:
            refused = await _press(server, STRANGER, STRANGER, data)
            assert refused["text"] == messages.DONE_NOT_LINKED and refused["show_alert"] is True
        undo = await _press(server, STRANGER, STRANGER, presses[0].replace("dt:done:", "dt:undo:"))
        assert undo["text"] == messages.DONE_NOT_LINKED
        listed = plain((await say(server, STRANGER, "/xong"))[0])
        assert listed == plain(messages.DONE_LIST_NOT_LINKED.format(scope=""))
        assert not _done_buttons(server.sent(STRANGER)[-1])
        assert len(server.sent(STRANGER)) == sent_before + 1  # only the /xong answer: no completion notice

    run_bot(settings, env.answerer, press)
    assert_clean(server)
    assert tracker.completions() == {}
    assert all(tracker.history(_item_of(env, d).key) == [] for d in presses)
    assert not server.sent(STRANGER, method="editMessageReplyMarkup")


def test_a_group_linked_by_an_admin_marks_its_agency_only(env: Env, server: BotApiServer) -> None:
    """An admin's /theodoi links the group to Sở KH&ĐT: members mark its duties, not Sở Tài chính's;
    a member's own /theodoi (Sở Tài chính group) gives no right; the admin marks anything anywhere."""
    settings = settings_for(env, server, today_override=DAY)
    state = env.settings.open_state()
    tracker = DutyTracker(state)

    async def body(app: Application) -> None:
        linked = plain((await say(server, PLANNING_GROUP, f"/theodoi {PLANNING}", user_id=ADMIN))[0])
        assert plain(messages.SUBSCRIBED_LINKED.format(agency=PLANNING)) in linked
        member_sub = plain((await say(server, FINANCE_GROUP, f"/theodoi {FINANCE}", user_id=MEMBER))[0])
        assert plain(messages.SUBSCRIBED_NOT_LINKED) in member_sub
        # a member repeating the admin's subscription keeps the link; changing it is refused
        assert "Đã đăng ký" in plain((await say(server, PLANNING_GROUP, f"/theodoi {PLANNING}", user_id=MEMBER))[0])
        changed = plain((await say(server, PLANNING_GROUP, f"/theodoi {FINANCE}", user_id=MEMBER))[0])
        assert changed == plain(messages.SUBSCRIPTION_CHANGE_NOT_ALLOWED.format(
            scope=messages.SUBSCRIPTION_SCOPE_AGENCY.format(agency=PLANNING)))

        every = await _open_items(env, server, ADMIN, ADMIN)  # the admin's own chat follows nothing: all items
        assert PLANNING in every and FINANCE in every
        every_id = server.results(ADMIN)[-1]["message_id"]
        own = await _open_items(env, server, PLANNING_GROUP, MEMBER)
        own_id = server.results(PLANNING_GROUP)[-1]["message_id"]
        assert list(own) == [PLANNING] or all(PLANNING in who for who in own)

        finance_item = _item_of(env, every[FINANCE])
        refused = await _press(server, PLANNING_GROUP, MEMBER, every[FINANCE])  # Sở Tài chính's duty
        assert refused["text"] == messages.DONE_NOT_LINKED
        refused = await _press(server, FINANCE_GROUP, MEMBER, every[FINANCE])  # a member's subscription
        assert refused["text"] == messages.DONE_NOT_LINKED
        assert plain((await say(server, FINANCE_GROUP, "/xong", user_id=MEMBER))[0]) == plain(
            messages.DONE_LIST_NOT_LINKED.format(scope=messages.DONE_LIST_SCOPE.format(agency=FINANCE)))
        assert tracker.completion(finance_item.key) is None

        before = len(server.sent(PLANNING_GROUP))
        data = own[next(iter(own))]
        assert (await _press(server, PLANNING_GROUP, MEMBER, data, own_id))["text"] == messages.DONE_TOAST
        notice = plain((await new_messages(server, PLANNING_GROUP, before))[0]["text"])
        assert notice.startswith(f"✅ {PLANNING} đã hoàn thành «")
        done = tracker.completion(_item_of(env, data).key)
        assert done is not None and done.chat_id == PLANNING_GROUP and done.by_id == MEMBER

        before = len(server.sent(ADMIN))
        assert (await _press(server, ADMIN, ADMIN, every[FINANCE], every_id))["text"] == messages.DONE_TOAST
        assert plain((await new_messages(server, ADMIN, before))[0]["text"]).startswith(f"✅ {FINANCE} đã hoàn thành")

    run_bot(settings, env.answerer, body)
    assert_clean(server)
    sub = state.subscription(PLANNING_GROUP)
    assert sub is not None and sub["agency"] == PLANNING and sub["linked"] == 1 and sub["subscribed_by"] == ADMIN
    member_sub = state.subscription(FINANCE_GROUP)
    assert member_sub is not None and member_sub["linked"] == 0 and member_sub["subscribed_by"] == MEMBER
    assert len(tracker.completions()) == 2
    asked = [int(r["params"]["user_id"]) for r in server.requests if r["method"] == "getChatMember"]
    assert asked == [MEMBER]  # only for the member changing the group's subscription; admins are known


def test_unsubscribing_a_group(env: Env, server: BotApiServer) -> None:
    """Another member's /huytheodoi is refused (Telegram is asked whether they administer the group); the
    subscriber's works, and so does a group admin's; in a private chat the user always may."""
    state = env.settings.open_state()
    server.set_chat_member(TEAM_GROUP, GROUP_ADMIN, "administrator")

    async def body(app: Application) -> None:
        assert "Đã đăng ký" in plain((await say(server, TEAM_GROUP, "/theodoi", user_id=MEMBER))[0])
        refused = plain((await say(server, TEAM_GROUP, "/huytheodoi", user_id=OTHER_MEMBER))[0])
        assert refused == plain(messages.UNSUBSCRIBE_NOT_ALLOWED)
        asked = [r for r in server.requests if r["method"] == "getChatMember"]
        assert [(int(r["params"]["chat_id"]), int(r["params"]["user_id"])) for r in asked] == [
            (TEAM_GROUP, OTHER_MEMBER)]
        assert state.subscription(TEAM_GROUP) is not None
        changed = plain((await say(server, TEAM_GROUP, f"/theodoi {FINANCE}", user_id=OTHER_MEMBER))[0])
        assert changed == plain(messages.SUBSCRIPTION_CHANGE_NOT_ALLOWED.format(
            scope=messages.SUBSCRIPTION_SCOPE_ALL))
        assert (state.subscription(TEAM_GROUP) or {}).get("agency") is None

        done = plain((await say(server, TEAM_GROUP, "/huytheodoi", user_id=MEMBER))[0])
        assert done == plain(messages.UNSUBSCRIBED) and state.subscription(TEAM_GROUP) is None

        await say(server, TEAM_GROUP, f"/theodoi {FINANCE}", user_id=OTHER_MEMBER)
        by_admin = plain((await say(server, TEAM_GROUP, "/huytheodoi", user_id=GROUP_ADMIN))[0])
        assert by_admin == plain(messages.UNSUBSCRIBED) and state.subscription(TEAM_GROUP) is None

        await say(server, PLANNING_GROUP, f"/theodoi {PLANNING}", user_id=ADMIN)
        by_bot_admin = plain((await say(server, PLANNING_GROUP, "/huytheodoi", user_id=ADMIN))[0])
        assert by_bot_admin == plain(messages.UNSUBSCRIBED)

        await say(server, STRANGER, "/theodoi")
        assert plain((await say(server, STRANGER, "/huytheodoi"))[0]) == plain(messages.UNSUBSCRIBED)

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)
    assert state.subscriptions() == []


def test_who_reads_reports(env: Env, server: BotApiServer) -> None:
    """Admins read any report; a linked chat reads its agency's (plain /baocao there is its agency's),
    not another's; a chat with only reminders and a stranger read none (/tiendo alike)."""
    settings = settings_for(env, server, today_override=DAY)
    state = env.settings.open_state()
    state.subscribe(PLANNING_GROUP, PLANNING, by=ADMIN, linked=True)
    state.subscribe(FINANCE_GROUP, FINANCE, by=MEMBER)

    async def document(chat: int, text: str, user: int | None = None) -> dict[str, Any]:
        before = len(server.sent(chat, method="sendDocument"))
        server.push_message(chat, text, user_id=user)
        await server.wait_for(lambda s: len(s.sent(chat, method="sendDocument")) > before, timeout=TIMEOUT)
        return server.sent(chat, method="sendDocument")[before]

    async def body(app: Application) -> None:
        whole = await document(ADMIN, "/baocao tháng 12/2026")
        assert whole["document"]["filename"] == "bao-cao-tien-do-2026-12-01-2026-12-31.xlsx"
        finance = await document(ADMIN, f"/baocao {FINANCE}")
        assert finance["document"]["filename"].endswith("-so-tai-chinh.xlsx")
        assert (await document(PLANNING_GROUP, "/baocao", ADMIN))["document"]["filename"] == whole["document"][
            "filename"]  # an admin in a linked group still reads every agency

        own = await document(PLANNING_GROUP, "/baocao tháng 12/2026", MEMBER)
        assert own["document"]["filename"].endswith("-so-ke-hoach-va-dau-tu.xlsx")
        named = await document(PLANNING_GROUP, "/baocao so ke hoach va dau tu", MEMBER)
        assert named["document"]["filename"] == own["document"]["filename"]
        other = plain((await say(server, PLANNING_GROUP, f"/baocao {FINANCE}", user_id=MEMBER))[0])
        assert other == plain(messages.REPORT_NOT_ALLOWED_AGENCY.format(agency=FINANCE))

        reminders_only = plain((await say(server, FINANCE_GROUP, f"/baocao {FINANCE}", user_id=MEMBER))[0])
        assert reminders_only == plain(messages.REPORT_NOT_ALLOWED_AGENCY.format(agency=FINANCE))
        assert plain((await say(server, FINANCE_GROUP, "/baocao", user_id=MEMBER))[0]) == plain(
            messages.REPORT_NOT_ALLOWED_ALL)
        assert plain((await say(server, STRANGER, "/baocao tháng 12/2026"))[0]) == plain(
            messages.REPORT_NOT_ALLOWED_ALL)
        assert plain((await say(server, STRANGER, "/tiendo"))[0]) == plain(messages.REPORT_NOT_ALLOWED_ALL)

    run_bot(settings, env.answerer, body)
    assert_clean(server)
    for chat in (STRANGER, FINANCE_GROUP):
        assert not server.sent(chat, method="sendDocument") and not server.sent(chat, method="sendPhoto")


def test_older_state_files_get_the_authority_columns(tmp_path: Path) -> None:
    """A state file, or a fact store seeding a new one, from before subscriptions recorded who made them:
    the columns are added on open, and the old subscriptions keep their reminders but give no right."""
    old = tmp_path / "old_state.sqlite"
    facts = tmp_path / "facts.sqlite"
    for path in (old, facts):
        with sqlite3.connect(path) as conn:
            conn.execute("create table subscriptions (chat_id integer primary key, agency text, created_at text not null)")
            conn.execute("insert into subscriptions values (-1, 'Sở Tài chính', '2026-01-01T00:00:00+00:00')")
        conn.close()
    for state in (BotState(old), BotState(tmp_path / "bot_state.sqlite", legacy=facts)):
        sub = state.subscription(-1)
        assert sub is not None and sub["agency"] == FINANCE and sub["subscribed_by"] is None and sub["linked"] == 0
        state.subscribe(-1, FINANCE, by=ADMIN, linked=True)
        assert (state.subscription(-1) or {})["linked"] == 1
        state.subscribe(-1, None, by=ADMIN, linked=True)  # every agency: never a link
        assert (state.subscription(-1) or {})["linked"] == 0
    assert BotState(old).subscription(-1)["subscribed_by"] == ADMIN  # opening again changes nothing
