"""The one seam for Bot API traffic: python-telegram-bot's HTTPX request with
retries for server errors and refused connections.

429 (RetryAfter) is retried by AIORateLimiter (max_retries). A 5xx answer means
Telegram did not process the call, so repeating it cannot duplicate a message.
A read timeout is ambiguous (the message may have been sent) and is not retried.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)


class RetryingRequest(HTTPXRequest):
    def __init__(self, *args: Any, attempts: int = 5, backoff: float = 0.25, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attempts = attempts
        self.backoff = backoff

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                status, payload = await super().do_request(url, method, *args, **kwargs)
            except TimedOut:
                raise
            except NetworkError as exc:  # connection refused or reset before an answer
                if last:
                    raise
                log.warning("Bot API unreachable (%s), attempt %d; retrying in %.2f s", exc, attempt, delay)
            else:
                if status < 500 or last:
                    return status, payload
                log.warning("Bot API answered %d for %s, attempt %d; retrying in %.2f s",
                            status, url.rsplit("/", 1)[-1], attempt, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        raise AssertionError("unreachable")
