"""Webhook mode: the same Application, with Telegram's secret-token header checked."""

from __future__ import annotations

import html
from dataclasses import replace

import aiohttp

from bot.config import Settings
from bot.engine import Assistant
from bot.processes import free_port
from bot.telegram.app import build_application, register_commands, start_updates
from tests.fake_telegram import FakeBotAPI, message

TOKEN = "987654321:AAH-webhook_token_for_the_fake_api_x"
SECRET = "veiviser-webhook-secret-0123456789"


async def test_webhook_delivers_updates_and_refuses_a_wrong_secret(assistant: Assistant, settings: Settings) -> None:
    api = FakeBotAPI(TOKEN)
    await api.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    webhook = replace(settings, telegram_bot_token=TOKEN, telegram_api_base_url=api.base_url,
                      telegram_webhook_url=url, telegram_webhook_port=port, telegram_webhook_secret=SECRET)
    application = build_application(webhook, assistant)
    try:
        async with application:
            await register_commands(application, assistant)
            await application.start()
            await start_updates(application, webhook)
            assert api.webhook == {"url": url, "secret": SECRET}

            since = len(api.calls)
            await api.push(message(4242, "hello", "en"))  # posted with the right secret
            (reply,) = await api.replies(4242, 1, since, timeout=60)
            assert reply.params["text"] == html.escape(assistant.render("utter_greet", "en").text, quote=False)

            update = {"update_id": 1, **message(4243, "hello", "en")}
            async with aiohttp.ClientSession() as http:
                for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}):
                    async with http.post(url, json=update, headers=headers) as response:
                        assert response.status == 403
            assert api.sent(4243) == []
            assert application.updater is not None
            await application.updater.stop()
            await application.stop()
    finally:
        await api.stop()
