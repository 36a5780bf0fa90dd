"""Retry Bot API calls that failed because Telegram (or the way to it) briefly failed.

Why: PTB's AIORateLimiter retries only 429 (RetryAfter). A single 500/502 from Telegram, or a
refused connection, would otherwise turn a finished answer into the apology of the error handler.
Such a request was almost certainly not carried out, so it is sent again after a short pause; a rare
duplicate is better than a lost answer. Not retried: 4xx (BadRequest, Forbidden, ...), which would
fail again, and timeouts, after which Telegram may well have delivered the message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

RETRY_DELAYS = (0.5, 2.0)  # seconds before the second and third attempt


def is_transient(exc: BaseException) -> bool:
    """A server-side or connection failure worth one more try (see the module docstring)."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest | TimedOut)


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter (flood limits, 429 retries) that also retries transient failures."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as exc:
                if attempt >= len(RETRY_DELAYS) or not is_transient(exc):
                    raise
                delay = RETRY_DELAYS[attempt]
                attempt += 1
                log.warning("%s failed (%s); retrying in %.1f s", endpoint, exc.message, delay)
                await asyncio.sleep(delay)
