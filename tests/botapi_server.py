"""A local fake Telegram Bot API server for end-to-end tests of a real python-telegram-bot Application.

Why: formatting, chunking, retries and error handling are only trustworthy when exercised against an
HTTP API that rejects what Telegram rejects.  This server speaks the api.telegram.org wire protocol for
the methods the bot uses, validates like Telegram (message length, HTML entities, keyboard data),
records every request (accepted or rejected), and lets tests inject updates, faults and slow answers.

It runs on 127.0.0.1 in a background thread with its own event loop, so both plain sync tests and tests
that run their own asyncio loop can drive it::

    with BotApiServer() as server:
        bot = Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url)
        server.push_message(42, "/start")
        ...
        server.wait_for(lambda s: s.sent(chat_id=42))          # sync code
        await server.wait_for(lambda s: s.sent(chat_id=42))    # inside a running event loop
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import mimetypes
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from aiohttp import web

__all__ = [
    "BOT_ID",
    "BOT_USER",
    "BOT_USERNAME",
    "BotApiServer",
    "HtmlParseError",
    "parse_html",
]

BOT_ID = 999
BOT_USERNAME = "chithi_bot"
BOT_FIRST_NAME = "Chỉ thị bot"
BOT_USER: dict[str, Any] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": BOT_FIRST_NAME,
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
DEFAULT_GROUP_USER_ID = 4242

_MESSAGE_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

# getChatMember: the fields Telegram sends with each status besides "status" and "user".
_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
    "can_delete_stories",
)
_MEMBER_RIGHTS = (
    "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
    "can_send_video_notes", "can_send_voice_notes", "can_send_polls", "can_send_other_messages",
    "can_add_web_page_previews", "can_change_info", "can_invite_users", "can_pin_messages", "can_manage_topics",
    "can_edit_tag", "can_react_to_messages",
)
_MEMBER_FIELDS: dict[str, dict[str, Any]] = {
    "creator": {"is_anonymous": False},
    "administrator": {"can_be_edited": False, "is_anonymous": False, **dict.fromkeys(_ADMIN_RIGHTS, True)},
    "member": {},
    "restricted": {"is_member": True, "until_date": 0, **dict.fromkeys(_MEMBER_RIGHTS, False)},
    "left": {},
    "kicked": {"until_date": 0},
}

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
# PTB sends non-string values JSON-encoded inside form fields; these tell how to decode them back.
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "message_thread_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "user_id",
        "cache_time",
        "max_connections",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "drop_pending_updates",
        "show_alert",
        "disable_content_type_detection",
        "allow_paid_broadcast",
    }
)
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "media",
        "message_ids",
        "menu_button",
        "reaction",
    }
)
_SEND_PREFIXES = ("send", "edit", "copy", "forward")


class _ApiError(Exception):
    """A Telegram error answer; raised by method handlers and turned into the JSON error body."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


# --------------------------------------------------------------------------------------------------
# HTML parse mode, modelled on tdlib's parse_html so that the bot's escaping bugs surface in tests.
# --------------------------------------------------------------------------------------------------

_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([A-Za-z]+));")
_SPACES = " \t\n\r\f\v"


class HtmlParseError(ValueError):
    """Raised for text Telegram would refuse with "can't parse entities"."""


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    offset: int
    language: str | None = None


def _utf16_len(text: str) -> int:
    """Telegram measures lengths and entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    match = _ENTITY_RE.match(text, pos)
    if match is None:
        return None
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return None if char is None else (char, match.end())
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _decode_attribute(raw: str) -> str:
    """Attribute values decode entities but, like Telegram, keep a lone '&' (URLs with query strings)."""

    def replace(match: re.Match[str]) -> str:
        decoded = _decode_entity(match.group(0), 0)
        return match.group(0) if decoded is None else decoded[0]

    return _ENTITY_RE.sub(replace, raw)


def _parse_attributes(text: str, pos: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse `name="value"` pairs up to '>'; returns the attributes and the position after '>'."""
    attrs: dict[str, str] = {}
    size = len(text)
    unclosed = f"Unclosed start tag at byte offset {begin}"
    while True:
        while pos < size and text[pos] in _SPACES:
            pos += 1
        if pos >= size:
            raise HtmlParseError(unclosed)
        if text[pos] == ">":
            return attrs, pos + 1
        start = pos
        while pos < size and text[pos] not in _SPACES and text[pos] not in "=>":
            pos += 1
        name = text[start:pos].lower()
        if not name:
            raise HtmlParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        while pos < size and text[pos] in _SPACES:
            pos += 1
        if pos >= size:
            raise HtmlParseError(unclosed)
        if text[pos] != "=":
            if name == "expandable":
                attrs[name] = ""
                continue
            raise HtmlParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" at byte offset {begin}'
            )
        pos += 1
        while pos < size and text[pos] in _SPACES:
            pos += 1
        if pos >= size:
            raise HtmlParseError(unclosed)
        quote = text[pos]
        if quote in "\"'":
            end = text.find(quote, pos + 1)
            if end < 0:
                raise HtmlParseError(unclosed)
            attrs[name] = _decode_attribute(text[pos + 1 : end])
            pos = end + 1
        else:
            start = pos
            while pos < size and (text[pos].isascii() and (text[pos].isalnum() or text[pos] in ".-")):
                pos += 1
            if pos == start:
                raise HtmlParseError(f"Unexpected end of name token at byte offset {begin}")
            attrs[name] = text[start:pos].lower()


def _close_tag(tag: _OpenTag, end: int, parent: _OpenTag | None) -> dict[str, Any] | None:
    """Turn a closed tag into a MessageEntity dict (or None when it yields no entity)."""
    kind = _HTML_TAGS[tag.name]
    length = end - tag.offset
    if kind == "code" and parent is not None and parent.name == "pre":
        css_class = tag.attrs.get("class", "")
        if css_class.startswith("language-") and len(css_class) > len("language-"):
            parent.language = css_class[len("language-") :]
        return None
    if length <= 0:
        return None
    entity: dict[str, Any] = {"type": kind, "offset": tag.offset, "length": length}
    if kind == "text_link":
        url = tag.attrs.get("href", "")
        if not url:
            return None
        entity["url"] = url
    elif kind == "pre" and tag.language:
        entity["language"] = tag.language
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
    return entity


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into (plain text, entities) or raise HtmlParseError.

    Stricter than Telegram in one respect, on purpose: a bare '&' that does not start a supported
    entity is rejected (the Bot API docs require escaping it), so unescaped user text is caught.
    A bare '>' is accepted, as Telegram does.
    """
    out: list[str] = []
    out16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    size = len(text)
    pos = 0

    def byte_offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    while pos < size:
        char = text[pos]
        if char == "&":
            decoded = _decode_entity(text, pos)
            if decoded is None:
                raise HtmlParseError(
                    f'Character "&" at byte offset {byte_offset(pos)} does not start an HTML entity; '
                    'it must be escaped as "&amp;"'
                )
            value, pos = decoded
            out.append(value)
            out16 += _utf16_len(value)
            continue
        if char != "<":
            out.append(char)
            out16 += 2 if ord(char) > 0xFFFF else 1
            pos += 1
            continue
        begin = byte_offset(pos)
        if pos + 1 < size and text[pos + 1] == "/":
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
            end = pos + 2
            while end < size and text[end] not in _SPACES and text[end] != ">":
                end += 1
            name = text[pos + 2 : end].lower()
            while end < size and text[end] in _SPACES:
                end += 1
            if end >= size or text[end] != ">":
                raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
            open_tag = stack[-1]
            if name and name != open_tag.name:
                raise HtmlParseError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{open_tag.name}>", found "</{name}>"'
                )
            stack.pop()
            entity = _close_tag(open_tag, out16, stack[-1] if stack else None)
            if entity is not None:
                entities.append(entity)
            pos = end + 1
            continue
        end = pos + 1
        while end < size and text[end] not in _SPACES and text[end] != ">":
            end += 1
        if end >= size:
            raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
        name = text[pos + 1 : end].lower()
        if name not in _HTML_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {begin}')
        attrs, pos = _parse_attributes(text, end, name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        stack.append(_OpenTag(name, attrs, out16))
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


# --------------------------------------------------------------------------------------------------
# The server.
# --------------------------------------------------------------------------------------------------


@dataclass
class _Fault:
    method: str
    status: int
    description: str
    parameters: dict[str, Any] | None
    count: int | None
    chat_id: int | str | None


@dataclass
class _Hang:
    method: str
    seconds: float
    count: int | None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


def _as_int(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _ApiError(400, "Bad Request: wrong parameter value") from None


def _same_chat(value: Any, chat_id: int | str | None) -> bool:
    return chat_id is None or str(value) == str(chat_id)


class BotApiServer:
    """Fake api.telegram.org: start()/stop() or use as a context manager; all public methods are thread-safe."""

    def __init__(
        self, *, token: str | None = None, long_poll_cap: float = 1.0, host: str = "127.0.0.1"
    ) -> None:
        """`token`: if given, other tokens get 401; `long_poll_cap`: longest getUpdates wait in seconds."""
        self.token = token
        self.long_poll_cap = long_poll_cap
        self.host = host
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._stopping: asyncio.Event | None = None
        self._update_event: asyncio.Event | None = None
        self._startup_error: BaseException | None = None
        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getme": self._get_me,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "sendchataction": self._send_chat_action,
            "deletemessage": self._delete_message,
            "getfile": self._get_file,
            "getchatmember": self._get_chat_member,
            "close": self._true,
            "logout": self._true,
            "setmydescription": self._true,
            "setmyshortdescription": self._true,
            "setmyname": self._true,
            "setchatmenubutton": self._true,
        }
        self._reset_state()

    def _reset_state(self) -> None:
        self._requests: list[dict[str, Any]] = []
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._faults: list[_Fault] = []
        self._hangs: list[_Hang] = []
        self._blocked: dict[str, str] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, str] = {}
        self._file_counter = 0
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._next_message_id: dict[int, int] = {}
        self._callback_ids: set[str] = set()
        self._callback_counter = 0
        self._webhook_url = ""
        self._webhook_calls: list[dict[str, Any]] = []
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._commands_calls: list[dict[str, Any]] = []

    # ---------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("BotApiServer is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Pass to Bot(base_url=...); PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Pass to Bot(base_file_url=...); PTB appends the token."""
        return f"{self.url}/file/bot"

    def start(self) -> BotApiServer:
        """Bind a free port and serve from a daemon thread; returns self once it accepts connections."""
        if self._thread is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        self._port = sock.getsockname()[1]
        ready = threading.Event()
        self._startup_error = None
        self._thread = threading.Thread(
            target=self._serve, args=(sock, ready), name=f"fake-botapi-{self._port}", daemon=True
        )
        self._thread.start()
        if not ready.wait(10) or self._startup_error is not None:
            self._thread.join(1)
            self._thread = None
            raise RuntimeError(f"fake Bot API server failed to start: {self._startup_error!r}")
        return self

    def stop(self) -> None:
        """Wake pending long polls and hangs, close the listener and join the thread."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        with contextlib.suppress(RuntimeError):
            future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            with contextlib.suppress(Exception):
                future.result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> BotApiServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self, sock: socket.socket, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._setup(sock))
        except BaseException as exc:  # report to start(), whatever it was
            self._startup_error = exc
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    async def _setup(self, sock: socket.socket) -> None:
        self._stopping = asyncio.Event()
        self._update_event = asyncio.Event()
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def _shutdown(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        self._notify_updates()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _notify_updates(self) -> None:
        """Wake every waiting getUpdates; must run on the server loop."""
        if self._update_event is not None:
            self._update_event.set()
            self._update_event = asyncio.Event()

    def _wake_pollers(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._notify_updates)

    # ---------------------------------------------------------------- test-facing configuration

    def add_file(
        self, file_id: str, data: bytes, file_path: str | None = None, *, file_unique_id: str | None = None
    ) -> dict[str, Any]:
        """Make `file_id` resolvable by getFile and downloadable; returns the Telegram File object."""
        with self._lock:
            self._file_counter += 1
            path = file_path or f"documents/file_{self._file_counter}"
            old = self._files.get(file_id)
            if old is not None:
                self._files_by_path.pop(old.file_path, None)
            stored = _StoredFile(
                file_id, file_unique_id or f"AgAD{self._file_counter:06d}", bytes(data), path
            )
            self._files[file_id] = stored
            self._files_by_path[path] = file_id
            return stored.as_file()

    def fail_next(
        self,
        method: str,
        status: int,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        count: int | None = 1,
        chat_id: int | str | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Answer the next `count` calls of `method` ("*" = any; count=None = until clear_faults) with an error."""
        parameters: dict[str, Any] = {}
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            elif migrate_to_chat_id is not None:
                description = "Bad Request: group chat was upgraded to a supergroup chat"
            else:
                try:
                    default = HTTPStatus(status).phrase
                except ValueError:
                    default = "Error"
                description = _DEFAULT_DESCRIPTIONS.get(status, default)
        with self._lock:
            self._faults.append(
                _Fault(method.lower(), status, description, parameters or None, count, chat_id)
            )

    def clear_faults(self) -> None:
        """Drop pending fail_next/hang_next rules."""
        with self._lock:
            self._faults.clear()
            self._hangs.clear()

    def hang_next(self, method: str, seconds: float, count: int | None = 1) -> None:
        """Delay the next `count` answers of `method` by `seconds`; the request is still processed afterwards,
        like Telegram delivering a message whose HTTP answer the client gave up on."""
        with self._lock:
            self._hangs.append(_Hang(method.lower(), seconds, count))

    def block_chat(self, chat_id: int, description: str | None = None) -> None:
        """Every send/edit to `chat_id` answers 403 until unblock_chat."""
        if description is None:
            description = (
                "Forbidden: bot was blocked by the user"
                if int(chat_id) > 0
                else "Forbidden: bot was kicked from the supergroup chat"
            )
        with self._lock:
            self._blocked[str(chat_id)] = description

    def unblock_chat(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.pop(str(chat_id), None)

    def set_chat_member(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember answers for `user_id` in `chat_id`: "creator", "administrator", "member",
        "restricted", "left" or "kicked" (default "member" for anyone in a group, the user in a private chat)."""
        if status not in _MEMBER_FIELDS:
            raise ValueError(f"unknown chat member status {status!r}")
        with self._lock:
            self._members[(int(chat_id), int(user_id))] = status

    # ---------------------------------------------------------------- injecting updates

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (update_id is assigned); returns the update_id."""
        with self._lock:
            update_id = self._next_update_id
            self._next_update_id += 1
            self._updates.append({"update_id": update_id, **update})
        self._wake_pollers()
        return update_id

    def push_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        username: str | None = "tester",
        first_name: str = "Tester",
        reply_to_bot_message_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> int:
        """Queue a text message from a user; adds bot_command/mention entities unless `entities` is given."""
        with self._lock:
            message = self._user_message(chat_id, user_id, chat_type, username, first_name)
            message["text"] = text
            found = _auto_entities(text) if entities is None else entities
            if found:
                message["entities"] = found
            if reply_to_bot_message_id is not None:
                message["reply_to_message"] = self._reply_copy(
                    self._bot_message_or_stub(chat_id, reply_to_bot_message_id)
                )
            self._store_message(message)
            return self.push_update({"message": copy.deepcopy(message)})

    def push_document(
        self,
        chat_id: int,
        user_id: int | None,
        file_name: str,
        data: bytes,
        mime_type: str | None = None,
        *,
        caption: str | None = None,
        chat_type: str | None = None,
        username: str | None = "tester",
        first_name: str = "Tester",
    ) -> int:
        """Register `data` as a downloadable file and queue a message carrying it as a document."""
        document = self._register_document(file_name, data, mime_type)
        with self._lock:
            message = self._user_message(chat_id, user_id, chat_type, username, first_name)
            message["document"] = document
            if caption is not None:
                message["caption"] = caption
            self._store_message(message)
            return self.push_update({"message": copy.deepcopy(message)})

    def push_photo(
        self,
        chat_id: int,
        user_id: int | None,
        data: bytes,
        size: tuple[int, int],
        *,
        chat_type: str | None = None,
        username: str | None = "tester",
        first_name: str = "Tester",
    ) -> int:
        """Queue a photo message: like Telegram, a small thumbnail size first and the full size last."""
        sizes = []
        for scale, blob in ((8, b"thumbnail"), (1, data)):
            with self._lock:
                number = self._file_counter + 1
            stored = self.add_file(f"AgACAgUAAxkBAAI{number:06d}", blob, f"photos/file_{number}.jpg")
            sizes.append({"file_id": stored["file_id"], "file_unique_id": stored["file_unique_id"],
                          "width": size[0] // scale, "height": size[1] // scale, "file_size": len(blob)})
        with self._lock:
            message = self._user_message(chat_id, user_id, chat_type, username, first_name)
            message["photo"] = sizes
            self._store_message(message)
            return self.push_update({"message": copy.deepcopy(message)})

    def push_callback(
        self,
        chat_id: int,
        user_id: int | None,
        data: str,
        message_id: int,
        *,
        chat_type: str | None = None,
        username: str | None = "tester",
        first_name: str = "Tester",
    ) -> int:
        """Queue a button press on bot message `message_id` (a stub message is created if it is unknown)."""
        with self._lock:
            chat = self._chat_object(chat_id, chat_type)
            uid = self._default_user_id(chat_id, chat["type"], user_id)
            self._callback_counter += 1
            query_id = f"{uid}{self._callback_counter:06d}"
            self._callback_ids.add(query_id)
            query = {
                "id": query_id,
                "from": _user_object(uid, username, first_name),
                "chat_instance": str(-abs(chat_id) * 7 - 1),
                "data": data,
                "message": self._reply_copy(self._bot_message_or_stub(chat_id, message_id)),
            }
            return self.push_update({"callback_query": query})

    # ---------------------------------------------------------------- inspection

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request, in arrival order: {method, params, status, ok, description, result, token, time}."""
        with self._lock:
            return list(self._requests)

    @property
    def rejected(self) -> list[dict[str, Any]]:
        """Requests answered with an error (validation, injected fault, block, unknown method)."""
        with self._lock:
            return [r for r in self._requests if not r["ok"]]

    def sent(
        self, chat_id: int | str | None = None, method: str | None = "sendMessage"
    ) -> list[dict[str, Any]]:
        """Params of successful `method` calls (None = any method), optionally only for `chat_id`."""
        wanted = method.lower() if method else None
        with self._lock:
            return [
                r["params"]
                for r in self._requests
                if r["ok"]
                and (wanted is None or r["method"].lower() == wanted)
                and (
                    chat_id is None
                    or ("chat_id" in r["params"] and _same_chat(r["params"]["chat_id"], chat_id))
                )
            ]

    def results(self, chat_id: int | str | None = None, method: str | None = "sendMessage") -> list[Any]:
        """Like sent() but returns what the server answered (e.g. Message objects with message_id)."""
        wanted = method.lower() if method else None
        with self._lock:
            return [
                r["result"]
                for r in self._requests
                if r["ok"]
                and (wanted is None or r["method"].lower() == wanted)
                and (
                    chat_id is None
                    or ("chat_id" in r["params"] and _same_chat(r["params"]["chat_id"], chat_id))
                )
            ]

    def texts(self, chat_id: int | str | None = None) -> list[str]:
        """Raw `text` of successful sendMessage calls."""
        return [p.get("text", "") for p in self.sent(chat_id)]

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Queued updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return copy.deepcopy(self._updates)

    @property
    def webhook_url(self) -> str:
        with self._lock:
            return self._webhook_url

    @property
    def webhook_calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._webhook_calls)

    @property
    def commands_calls(self) -> list[dict[str, Any]]:
        """One {commands, scope, language_code} entry per accepted setMyCommands call."""
        with self._lock:
            return copy.deepcopy(self._commands_calls)

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        """The command list currently set for `scope`/`language_code`."""
        with self._lock:
            return copy.deepcopy(self._commands.get(_commands_key(scope, language_code), []))

    @property
    def downloads(self) -> list[str]:
        """file_paths successfully downloaded through /file/bot<TOKEN>/..."""
        with self._lock:
            return [
                r["params"]["file_path"] for r in self._requests if r["method"] == "downloadFile" and r["ok"]
            ]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def dump(self, last: int = 40) -> str:
        """Human-readable tail of the request log (idle getUpdates omitted) for failure messages."""
        with self._lock:
            interesting = [
                r
                for r in self._requests
                if not (r["method"].lower() == "getupdates" and r["ok"] and not r["result"])
            ]
            lines = [f"pending updates: {len(self._updates)}; requests (last {last} of {len(interesting)}):"]
            for r in interesting[-last:]:
                params = r["params"]
                detail = params.get("text") or params.get("caption") or params.get("data") or ""
                if isinstance(params.get("document"), dict):
                    detail = f"document={params['document'].get('filename')!r} {detail}"
                line = f"  {r['status']} {r['method']} chat={params.get('chat_id')} {str(detail)[:120]!r}"
                if not r["ok"]:
                    line += f" -> {r['description']}"
                lines.append(line)
            return "\n".join(lines)

    def wait_for(
        self, predicate: Callable[[BotApiServer], Any], timeout: float = 10.0, *, interval: float = 0.02
    ) -> Any:
        """Wait until predicate(server) is truthy and return its value; raise TimeoutError with a dump.

        From sync code this blocks.  Inside a running event loop it returns an awaitable instead (blocking
        there would freeze the Application under test), so write `await server.wait_for(...)`.
        Exceptions raised by the predicate count as "not yet" (e.g. indexing an empty list).
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            in_loop = False
        else:
            in_loop = True
        if in_loop:
            return self.wait_for_async(predicate, timeout, interval=interval)
        return self._wait_sync(predicate, timeout, interval)

    async def wait_for_async(
        self, predicate: Callable[[BotApiServer], Any], timeout: float = 10.0, *, interval: float = 0.02
    ) -> Any:
        """Awaitable form of wait_for."""
        deadline = time.monotonic() + timeout
        last_error: BaseException | None = None
        while True:
            value, last_error = self._check(predicate, last_error)
            if value:
                return value
            if time.monotonic() >= deadline:
                raise self._timeout_error(timeout, last_error)
            await asyncio.sleep(interval)

    def _wait_sync(self, predicate: Callable[[BotApiServer], Any], timeout: float, interval: float) -> Any:
        deadline = time.monotonic() + timeout
        last_error: BaseException | None = None
        while True:
            value, last_error = self._check(predicate, last_error)
            if value:
                return value
            if time.monotonic() >= deadline:
                raise self._timeout_error(timeout, last_error)
            time.sleep(interval)

    def _check(
        self, predicate: Callable[[BotApiServer], Any], last_error: BaseException | None
    ) -> tuple[Any, BaseException | None]:
        try:
            return predicate(self), last_error
        except Exception as exc:  # a predicate peeking at a not-yet-recorded request
            return None, exc

    def _timeout_error(self, timeout: float, last_error: BaseException | None) -> TimeoutError:
        message = f"condition not met within {timeout}s"
        if last_error is not None:
            message += f" (predicate last raised {last_error!r})"
        return TimeoutError(f"{message}\n{self.dump()}")

    # ---------------------------------------------------------------- HTTP plumbing

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        key = method.lower()
        raw: dict[str, Any] = {}
        read_error: _ApiError | None = None
        try:
            raw = await self._read_raw_params(request)
        except _ApiError as err:
            read_error = err
        # Hang only after the body is read, so the request still takes effect if the client gives up.
        hung = await self._maybe_hang(key)
        params: dict[str, Any] = raw
        try:
            if read_error is not None:
                raise read_error
            params = _normalize_params(raw)
            with self._lock:
                self._check_token(token)
                self._apply_fault(key, params)
                self._check_blocked(key, params)
                handler = self._methods.get(key)
            if key == "getupdates":
                result = await self._get_updates(params)
            elif handler is None:
                raise _ApiError(404, "Not Found")
            else:
                with self._lock:
                    result = handler(params)
            status, body = 200, {"ok": True, "result": result}
        except _ApiError as err:
            status, body = err.status, err.body()
        with self._lock:
            text = json.dumps(body, ensure_ascii=False)
            self._record(method, params, status, json.loads(text), token, hung)
        return web.Response(status=status, text=text, content_type="application/json")

    async def _handle_download(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        path = request.match_info["path"]
        hung = await self._maybe_hang("downloadfile")
        params = {"file_path": path}
        try:
            with self._lock:
                self._check_token(token)
                self._apply_fault("downloadfile", params)
                file_id = self._files_by_path.get(path)
                if file_id is None:
                    raise _ApiError(404, "Not Found")
                data = self._files[file_id].data
        except _ApiError as err:
            with self._lock:
                self._record("downloadFile", params, err.status, err.body(), token, hung)
            return web.json_response(err.body(), status=err.status)
        with self._lock:
            self._record("downloadFile", params, 200, {"ok": True, "result": len(data)}, token, hung)
        return web.Response(body=data, content_type="application/octet-stream")

    async def _read_raw_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise _ApiError(400, "Bad Request: request body must be a JSON object")
            params.update(body)
            return params
        form = await request.post()
        files: dict[str, dict[str, Any]] = {}
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = {
                    "filename": value.filename,
                    "data": value.file.read(),
                    "mime_type": value.content_type,
                }
            else:
                params[name] = value
        for name, value in list(params.items()):
            if (
                isinstance(value, str)
                and value.startswith("attach://")
                and value[len("attach://") :] in files
            ):
                params[name] = files.pop(value[len("attach://") :])
        params.update(files)
        return params

    async def _maybe_hang(self, key: str) -> float:
        with self._lock:
            seconds = 0.0
            for hang in self._hangs:
                if hang.method in (key, "*"):
                    seconds = hang.seconds
                    if hang.count is not None:
                        hang.count -= 1
                        if hang.count <= 0:
                            self._hangs.remove(hang)
                    break
        if seconds > 0 and self._stopping is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), seconds)
        return seconds

    def _check_token(self, token: str) -> None:
        if self.token is not None and token != self.token:
            raise _ApiError(401, "Unauthorized")

    def _apply_fault(self, key: str, params: dict[str, Any]) -> None:
        for fault in self._faults:
            if fault.method not in (key, "*"):
                continue
            if fault.chat_id is not None and not _same_chat(params.get("chat_id"), fault.chat_id):
                continue
            if fault.count is not None:
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
            raise _ApiError(fault.status, fault.description, copy.deepcopy(fault.parameters))

    def _check_blocked(self, key: str, params: dict[str, Any]) -> None:
        if key.startswith(_SEND_PREFIXES) and "chat_id" in params:
            description = self._blocked.get(str(params["chat_id"]))
            if description is not None:
                raise _ApiError(403, description)

    def _record(
        self, method: str, params: dict[str, Any], status: int, body: dict[str, Any], token: str, hung: float
    ) -> None:
        self._requests.append(
            {
                "method": method,
                "params": params,
                "status": status,
                "ok": status == 200,
                "description": body.get("description"),
                "result": body.get("result"),
                "token": token,
                "hung": hung,
                "time": time.time(),
            }
        )

    # ---------------------------------------------------------------- chats, users, messages

    def _chat_object(self, chat_id: int, chat_type: str | None = None) -> dict[str, Any]:
        known = self._chats.get(chat_id)
        if known is not None and (chat_type is None or known["type"] == chat_type):
            return dict(known)
        kind = chat_type or ("private" if chat_id > 0 else "supergroup")
        if kind == "private":
            chat: dict[str, Any] = {"id": chat_id, "type": kind, "first_name": "Tester", "username": "tester"}
        else:
            chat = {"id": chat_id, "type": kind, "title": "Test group"}
        self._chats[chat_id] = chat
        return dict(chat)

    def _default_user_id(self, chat_id: int, chat_type: str, user_id: int | None) -> int:
        if user_id is not None:
            return user_id
        return chat_id if chat_type == "private" else DEFAULT_GROUP_USER_ID

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _user_message(
        self, chat_id: int, user_id: int | None, chat_type: str | None, username: str | None, first_name: str
    ) -> dict[str, Any]:
        chat = self._chat_object(chat_id, chat_type)
        if chat["type"] == "private":
            chat["first_name"] = first_name
            if username:
                chat["username"] = username
            else:
                chat.pop("username", None)
            self._chats[chat_id] = dict(chat)
        uid = self._default_user_id(chat_id, chat["type"], user_id)
        return {
            "message_id": self._new_message_id(chat_id),
            "from": _user_object(uid, username, first_name),
            "chat": chat,
            "date": int(time.time()),
        }

    def _bot_message(self, chat_id: int) -> dict[str, Any]:
        return {
            "message_id": self._new_message_id(chat_id),
            "from": _bot_sender(),
            "chat": self._chat_object(chat_id),
            "date": int(time.time()),
        }

    def _store_message(self, message: dict[str, Any]) -> None:
        chat_id = message["chat"]["id"]
        self._messages[(chat_id, message["message_id"])] = message
        if message["message_id"] >= self._next_message_id.get(chat_id, 1):
            self._next_message_id[chat_id] = message["message_id"] + 1

    def _bot_message_or_stub(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """Return the stored message, or invent a bot message with that id so later edits succeed."""
        message = self._messages.get((chat_id, message_id))
        if message is None:
            message = {
                "message_id": message_id,
                "from": _bot_sender(),
                "chat": self._chat_object(chat_id),
                "date": int(time.time()),
                "text": "…",
            }
            self._store_message(message)
        return message

    @staticmethod
    def _reply_copy(message: dict[str, Any]) -> dict[str, Any]:
        """Telegram nests replied-to messages only one level deep."""
        result = copy.deepcopy(message)
        result.pop("reply_to_message", None)
        return result

    def _require_chat(self, params: dict[str, Any]) -> int:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(raw, bool):
            raise _ApiError(400, "Bad Request: chat not found")
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise _ApiError(400, "Bad Request: chat not found") from None

    def _require_message(self, params: dict[str, Any], missing: str) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise _ApiError(400, "Bad Request: message identifier is not specified")
        message = self._messages.get((chat_id, _as_int(message_id, 0)))
        if message is None:
            raise _ApiError(400, missing)
        return message

    def _reply_target(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        message_id: Any = params.get("reply_to_message_id")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
            if reply.get("chat_id") not in (None, ""):
                chat_id = self._require_chat({"chat_id": reply["chat_id"]})
        if message_id is None:
            return None
        target = self._messages.get((chat_id, _as_int(message_id, 0)))
        if target is None and not allow_missing:
            raise _ApiError(400, "Bad Request: message to be replied not found")
        return None if target is None else self._reply_copy(target)

    # ---------------------------------------------------------------- method handlers

    def _true(self, params: dict[str, Any]) -> bool:
        return True

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(BOT_USER)

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        raw = params.get("user_id")
        if raw is None or raw == "" or isinstance(raw, bool):
            raise _ApiError(400, "Bad Request: invalid user_id specified")
        try:
            user_id = int(raw)
        except (TypeError, ValueError):
            raise _ApiError(400, "Bad Request: invalid user_id specified") from None
        chat = self._chat_object(chat_id)
        if chat["type"] == "private" and user_id not in (chat_id, BOT_ID):
            raise _ApiError(400, "Bad Request: user not found")
        status = self._members.get((chat_id, user_id), "member")
        user = _bot_sender() if user_id == BOT_ID else _user_object(user_id, None, "Tester")
        return {"status": status, "user": user, **_MEMBER_FIELDS[status]}

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._webhook_url:
                raise _ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            offset = _as_int(params.get("offset"), 0)
            limit = min(max(_as_int(params.get("limit"), 100), 1), 100)
            timeout = max(_as_int(params.get("timeout"), 0), 0)
            allowed = params.get("allowed_updates")
            if isinstance(allowed, list):
                self._allowed_updates = [str(kind) for kind in allowed]
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            self._poll_generation += 1
            generation = self._poll_generation
        self._notify_updates()
        deadline = loop.time() + min(timeout, self.long_poll_cap)
        while True:
            with self._lock:
                if generation != self._poll_generation:
                    raise _ApiError(409, _DEFAULT_DESCRIPTIONS[409])
                batch = [
                    copy.deepcopy(u)
                    for u in self._updates
                    if not self._allowed_updates or _update_kind(u) in self._allowed_updates
                ][:limit]
            remaining = deadline - loop.time()
            stopping = self._stopping is not None and self._stopping.is_set()
            if batch or remaining <= 0 or stopping or self._update_event is None:
                return batch
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._update_event.wait(), remaining)

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self._webhook_url = ""
        self._webhook_calls.append({"url": "", **_without_files(params)})
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise _ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook_url = url
        self._webhook_calls.append({"url": url, **_without_files(params)})
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook_url:
            info["max_connections"] = 40
            info["ip_address"] = "127.0.0.1"
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise _ApiError(400, "Bad Request: too many commands specified")
        for command in commands:
            if not isinstance(command, dict):
                raise _ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = params.get("scope")
        language = str(params.get("language_code") or "")
        self._commands[_commands_key(scope, language)] = copy.deepcopy(commands)
        self._commands_calls.append(
            {"commands": copy.deepcopy(commands), "scope": scope, "language_code": language}
        )
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        key = _commands_key(params.get("scope"), str(params.get("language_code") or ""))
        return copy.deepcopy(self._commands.get(key, []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(_commands_key(params.get("scope"), str(params.get("language_code") or "")), None)
        return True

    def _format(self, text: str, parse_mode: Any, entities: Any) -> tuple[str, list[dict[str, Any]]]:
        mode = str(parse_mode or "").lower()
        if mode == "html":
            try:
                return parse_html(text)
            except HtmlParseError as exc:
                raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if mode in ("", "markdown", "markdownv2"):
            return text, list(entities) if isinstance(entities, list) else []
        raise _ApiError(400, "Bad Request: unsupported parse_mode")

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        text = params.get("text")
        if text is None or str(text) == "":
            raise _ApiError(400, "Bad Request: message text is empty")
        plain, entities = self._format(str(text), params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(plain) > MAX_MESSAGE_LENGTH:
            raise _ApiError(400, "Bad Request: message is too long")
        markup = _check_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat_id, params)
        message = self._bot_message(chat_id)
        message["text"] = plain
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._store_message(message)
        return message

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        text = params.get("text")
        if text is None or str(text) == "":
            raise _ApiError(400, "Bad Request: message text is empty")
        plain, entities = self._format(str(text), params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(plain) > MAX_MESSAGE_LENGTH:
            raise _ApiError(400, "Bad Request: message is too long")
        markup = _check_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        message = self._require_message(params, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != BOT_ID:
            raise _ApiError(400, "Bad Request: message can't be edited")
        new_markup = markup if markup is not None and "inline_keyboard" in markup else None
        if (
            message.get("text") == plain
            and message.get("entities", []) == entities
            and message.get("reply_markup") == new_markup
        ):
            raise _ApiError(400, _MESSAGE_NOT_MODIFIED)
        message["text"] = plain
        message["edit_date"] = int(time.time())
        _set_or_drop(message, "entities", entities or None)
        _set_or_drop(message, "reply_markup", new_markup)
        return copy.deepcopy(message)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        markup = _check_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        message = self._require_message(params, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != BOT_ID:
            raise _ApiError(400, "Bad Request: message can't be edited")
        new_markup = markup if markup is not None and "inline_keyboard" in markup else None
        if message.get("reply_markup") == new_markup:
            raise _ApiError(400, _MESSAGE_NOT_MODIFIED)
        message["edit_date"] = int(time.time())
        _set_or_drop(message, "reply_markup", new_markup)
        return copy.deepcopy(message)

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callback_ids:
            raise _ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text") or "")) > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._require_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _delete_message(self, params: dict[str, Any]) -> bool:
        message = self._require_message(params, "Bad Request: message to delete not found")
        del self._messages[(message["chat"]["id"], message["message_id"])]
        return True

    def _register_document(self, file_name: str, data: bytes, mime_type: str | None) -> dict[str, Any]:
        with self._lock:
            number = self._file_counter + 1
            suffix = ""
            if "." in file_name:
                suffix = "." + file_name.rsplit(".", 1)[1]
            stored = self.add_file(f"BQACAgUAAxkBAAI{number:06d}", data, f"documents/file_{number}{suffix}")
        document = {
            "file_id": stored["file_id"],
            "file_unique_id": stored["file_unique_id"],
            "file_name": file_name,
            "mime_type": mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream",
            "file_size": len(data),
        }
        with self._lock:
            self._files[stored["file_id"]].extra = dict(document)
        return document

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        document = params.get("document")
        if document is None or document == "":
            raise _ApiError(400, "Bad Request: there is no document in the request")
        if isinstance(document, dict):
            data = document.get("data", b"")
            if not data:
                raise _ApiError(400, "Bad Request: file must be non-empty")
            if len(data) > MAX_UPLOAD_BYTES:
                raise _ApiError(413, "Request Entity Too Large")
            name = document.get("filename") or "document"
            mime = document.get("mime_type")
            if not mime or mime == "application/octet-stream":
                mime = None
            sent_document = self._register_document(name, data, mime)
        else:
            stored = self._files.get(str(document))
            if stored is None:
                raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            sent_document = dict(stored.extra) or {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data),
            }
        caption = self._caption(params)
        markup = _check_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat_id, params)
        message = self._bot_message(chat_id)
        message["document"] = sent_document
        message.update(caption)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._store_message(message)
        return message

    def _caption(self, params: dict[str, Any]) -> dict[str, Any]:
        """The `caption` and `caption_entities` fields a sent file's message gets (none when no caption)."""
        caption = params.get("caption")
        if not caption:
            return {}
        plain, entities = self._format(str(caption), params.get("parse_mode"), params.get("caption_entities"))
        if _utf16_len(plain) > MAX_CAPTION_LENGTH:
            raise _ApiError(400, "Bad Request: message caption is too long")
        fields: dict[str, Any] = {"caption": plain} if plain else {}
        if entities:
            fields["caption_entities"] = entities
        return fields

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        """An uploaded PNG or JPEG (Telegram rejects other bytes as a photo), with an optional caption."""
        chat_id = self._require_chat(params)
        photo = params.get("photo")
        if not isinstance(photo, dict) or not photo.get("data"):
            raise _ApiError(400, "Bad Request: there is no photo in the request")
        data = photo["data"]
        if len(data) > MAX_PHOTO_BYTES:
            raise _ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        if not data.startswith(_IMAGE_SIGNATURES):
            raise _ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        caption = self._caption(params)
        stored = self._register_document(photo.get("filename") or "photo.png", data, photo.get("mime_type"))
        message = self._bot_message(chat_id)
        message["photo"] = [{"file_id": stored["file_id"], "file_unique_id": stored["file_unique_id"],
                             "width": 1, "height": 1, "file_size": len(data)}]
        message.update(caption)
        self._store_message(message)
        return message

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise _ApiError(400, "Bad Request: file is too big")
        return stored.as_file()


# --------------------------------------------------------------------------------------------------
# Helpers.
# --------------------------------------------------------------------------------------------------


def _user_object(user_id: int, username: str | None, first_name: str) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}
    if username:
        user["username"] = username
    return user


def _bot_sender() -> dict[str, Any]:
    return {"id": BOT_ID, "is_bot": True, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME}


def _auto_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram clients attach: a leading /command and @chithi_bot mentions."""
    entities: list[dict[str, Any]] = []
    command_end = 0
    command = re.match(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?", text)
    if command is not None:
        command_end = command.end()
        entities.append({"type": "bot_command", "offset": 0, "length": _utf16_len(command.group(0))})
    for mention in re.finditer(rf"(?<![\w@]){re.escape('@' + BOT_USERNAME)}(?!\w)", text, re.IGNORECASE):
        if mention.start() < command_end:
            continue
        entities.append(
            {
                "type": "mention",
                "offset": _utf16_len(text[: mention.start()]),
                "length": _utf16_len(mention.group(0)),
            }
        )
    return entities


def _update_kind(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    if not scope:
        scope = {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code


def _without_files(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if not isinstance(value, dict) or "data" not in value}


def _set_or_drop(message: dict[str, Any], key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)


def _normalize_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Undo PTB's form encoding (non-strings arrive JSON-encoded) so recorded params have real types."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _JSON_FIELDS and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise _ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
        elif key in _INT_FIELDS and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = int(value)
        elif key in _BOOL_FIELDS and isinstance(value, str):
            value = value.strip().lower() in ("true", "1")
        params[key] = value
    return params


def _check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Reject keyboards Telegram rejects; most importantly callback_data over 64 bytes."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _ApiError(
            400, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text") or ""):
                raise _ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
            if not any(key in button for key in _BUTTON_ACTIONS):
                raise _ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                raise _ApiError(400, "Bad Request: BUTTON_URL_INVALID")
    return markup
