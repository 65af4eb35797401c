"""A fake Telegram Bot API server on 127.0.0.1, for end-to-end tests.

Serves what Veiviser calls, records every call, delivers queued updates by
long polling (getUpdates) or by webhook, and injects faults on demand:
429 with retry_after, 5xx, slow answers.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

BOT_ID = 7000001
BOT_USERNAME = "veiviser_test_bot"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    status: int  # 429 or 5xx; 200 with delay for a slow answer
    retry_after: int = 1
    delay: float = 0.0


class FakeBotAPI:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self._answered: dict[tuple[str, int], list[int]] = {}  # (method, chat) -> indexes of its 200 calls, for cheap waits
        self.updates: list[dict[str, Any]] = []
        self.faults: dict[str, list[Fault]] = {}
        self.webhook: dict[str, Any] | None = None
        self.blocked: set[int] = set()  # chats whose user blocked the bot (or never started it): 403
        self._threads = itertools.count(900)
        self._changed = asyncio.Condition()
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(100)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- server ---------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            raw = await request.json()
        else:
            raw = dict(await request.post())
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, str):
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    params[key] = value
            else:
                params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        queue = self.faults.get(f"{method}:{params.get('chat_id')}") or self.faults.get(method) or []
        fault = queue.pop(0) if queue else None
        if fault and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault and fault.status == 429:
            await self._record(method, params, 429)
            return web.json_response({"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {fault.retry_after}",
                                      "parameters": {"retry_after": fault.retry_after}}, status=429)
        if fault and fault.status >= 500:
            await self._record(method, params, fault.status)
            return web.json_response({"ok": False, "error_code": fault.status, "description": "Internal Server Error"}, status=fault.status)
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._get_updates(params)})
        if int(params.get("chat_id") or 0) in self.blocked:
            await self._record(method, params, 403)
            return web.json_response({"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
                                     status=403)
        result = self._result(method, params)
        await self._record(method, params, 200)
        return web.json_response({"ok": True, "result": result})

    async def _record(self, method: str, params: dict[str, Any], status: int) -> None:
        async with self._changed:
            self.calls.append(Call(method, params, status))
            if status == 200 and str(params.get("chat_id", "")).lstrip("-").isdigit():
                self._answered.setdefault((method, int(params["chat_id"])), []).append(len(self.calls) - 1)
            self._changed.notify_all()

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Veiviser", "username": BOT_USERNAME,
                    "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
        if method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            chat_id = int(params.get("chat_id") or 0)
            return {"message_id": params.get("message_id") or next(self._message_ids), "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "group"},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Veiviser", "username": BOT_USERNAME},
                    "text": params.get("text", "")}
        if method == "copyMessage":
            return {"message_id": next(self._message_ids)}
        if method == "createForumTopic":
            return {"message_thread_id": next(self._threads), "name": params.get("name", ""), "icon_color": 7322096}
        if method == "setWebhook":
            self.webhook = {"url": params.get("url"), "secret": params.get("secret_token")}
            return True
        if method == "deleteWebhook":
            self.webhook = None
            return True
        if method == "getMyCommands":
            return []
        if method == "getWebhookInfo":
            return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}
        return True

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 5.0)
        async with self._changed:
            self.calls.append(Call("getUpdates", params, 200))
            self._changed.notify_all()
            while True:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates or time.monotonic() >= deadline:
                    return list(self.updates)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())

    # -- test side --------------------------------------------------------------
    async def push(self, update: dict[str, Any]) -> int:
        """Queue an update (or deliver it to the webhook when one is set)."""
        update = {"update_id": next(self._update_ids), **update}
        if self.webhook:
            headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook["secret"]} if self.webhook.get("secret") else {}
            async with aiohttp.ClientSession() as http, http.post(self.webhook["url"], json=update, headers=headers) as response:
                assert response.status == 200, response.status
        else:
            async with self._changed:
                self.updates.append(update)
                self._changed.notify_all()
        return update["update_id"]

    async def push_twice(self, update: dict[str, Any]) -> int:
        """Queue the same update (same id) twice, as a redelivery would."""
        update = {"update_id": next(self._update_ids), **update}
        async with self._changed:
            self.updates.extend([update, dict(update)])
            self._changed.notify_all()
        return update["update_id"]

    def fail(self, method: str, *faults: Fault, chat_id: int | None = None) -> None:
        """Answer the next calls of ``method`` (to ``chat_id`` only, if given) with these faults."""
        key = f"{method}:{chat_id}" if chat_id is not None else method
        self.faults.setdefault(key, []).extend(faults)

    async def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 120.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self.calls)), timeout)

    def sent(self, chat_id: int, since: int = 0, method: str = "sendMessage") -> list[Call]:
        indexes = self._answered.get((method, chat_id), [])
        return [self.calls[i] for i in indexes[bisect.bisect_left(indexes, since):]]

    async def replies(self, chat_id: int, count: int, since: int, timeout: float = 120.0) -> list[Call]:
        """Wait until ``count`` messages reached ``chat_id`` after call number ``since``."""
        await self.wait_for(lambda calls: len(self.sent(chat_id, since)) >= count, timeout)
        return self.sent(chat_id, since)


# -- update factories -----------------------------------------------------------
_message_ids = itertools.count(1000)


def user(uid: int, language_code: str | None = None, first_name: str = "Amal") -> dict[str, Any]:
    person: dict[str, Any] = {"id": uid, "is_bot": False, "first_name": first_name}
    if language_code:
        person["language_code"] = language_code
    return person


def message(uid: int, text: str | None = None, language_code: str | None = None, chat: dict[str, Any] | None = None,
            edited: bool = False, **content: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": next(_message_ids), "date": int(time.time()),
        "chat": chat or {"id": uid, "type": "private", "first_name": "Amal"},
        "from": user(uid, language_code), **content,
    }
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    if edited:
        body["edit_date"] = int(time.time())
        return {"edited_message": body}
    return {"message": body}


def press(uid: int, data: str, message_id: int = 1, chat: dict[str, Any] | None = None, first_name: str = "Amal") -> dict[str, Any]:
    return {"callback_query": {
        "id": f"cb{next(_message_ids)}", "from": user(uid, first_name=first_name), "chat_instance": "ci", "data": data,
        "message": {"message_id": message_id, "date": int(time.time()), "chat": chat or {"id": uid, "type": "private"},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Veiviser"}, "text": "…"},
    }}


def blocked(uid: int) -> dict[str, Any]:
    bot = {"id": BOT_ID, "is_bot": True, "first_name": "Veiviser"}
    return {"my_chat_member": {
        "chat": {"id": uid, "type": "private"}, "from": user(uid), "date": int(time.time()),
        "old_chat_member": {"status": "member", "user": bot},
        "new_chat_member": {"status": "kicked", "user": bot, "until_date": 0},
    }}
