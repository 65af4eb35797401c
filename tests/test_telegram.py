"""Veiviser on Telegram, end to end: the real Application in its own process
(`python -m bot run`, as `make run` starts it) against a fake Bot API server.
Nothing inside the bot is mocked."""

from __future__ import annotations

import html
from typing import Any

import pytest

from bot.engine import Assistant
from bot.languages import CODES, LANGUAGES
from tests.botprocess import BotProcess, Person, until
from tests.fake_telegram import BOT_USERNAME, FakeBotAPI, Fault, blocked, message

CONVERSATIONS = {
    "ar": ("ar", "لازم اسجل بالـ MVA اذا عندي شركة صغيرة؟", "شو هي منحة NAV لخلق الوظائف", "بدي اعمل معادلة لشهادتي الجامعية"),
    "ti": ("ti", "ናይ MVA ምዝገባ የድልየኒ ድዩ", "NAV jobbskaping ሓገዝ እንታይ እዩ", "ዲግሪየይ ኣብ ኖርወይ ክፍለጥ ከመይ"),
    "uk": ("uk", "чи треба мені реєструватися в MVA", "що таке грант NAV на проекти створення робочих місць", "як визнати мій диплом у Норвегії"),
    "nb": ("nb", "må jeg registrere meg i mva-registeret", "hva er tilskudd til jobbskapingsprosjekter", "hvordan få godkjent utdanning fra utlandet"),
}


@pytest.mark.parametrize("lang", list(CONVERSATIONS))
async def test_a_conversation_from_start_to_language_switch(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant, lang: str) -> None:
    api, _ = telegram
    telegram_code, vat, grant, degree = CONVERSATIONS[lang]
    person = Person(api, assistant, language_code=telegram_code)

    (picker,) = await person.say("/start")
    names = [t.removeprefix("✓ ") for t, _ in person.buttons(picker)]
    assert names == [LANGUAGES[c].native_name for c in CODES]
    assert [t for t, _ in person.buttons(picker) if t.startswith("✓ ")] == [f"✓ {LANGUAGES[lang].native_name}"]
    assert "Veiviser" in picker["text"]

    changed, privacy = await person.press(f"lang:{lang}", count=2)
    person.expect(changed, "utter_language_changed", lang, language_name=LANGUAGES[lang].native_name)
    person.expect(privacy, "utter_privacy", lang)
    (greeting,) = await person.press(person.buttons(privacy)[0][1])
    person.expect(greeting, "utter_greet", lang)

    (answer,) = await person.say(vat)
    person.expect(answer, "utter_vat_registration", lang)
    assert "skatteetaten.no" in answer["text"] and answer["parse_mode"] == "HTML"

    (answer,) = await person.say(grant)
    person.expect(answer, "utter_job_creation_grant", lang)
    (asked,) = await person.press(person.buttons(answer)[0][1])
    person.expect(asked, "utter_grant_eligibility_ask", lang)

    (kind,) = await person.say(degree)
    person.expect(kind, "utter_recognition_ask_kind", lang)
    (higher,) = await person.press(person.buttons(kind)[0][1])
    person.expect(higher, "utter_recognition_higher", lang)

    other = "en" if lang != "en" else "pl"
    (picker,) = await person.say("/language")
    (changed,) = await person.press(f"lang:{other}")
    person.expect(changed, "utter_language_changed", other, language_name=LANGUAGES[other].native_name)
    (answer,) = await person.say("/help")
    person.expect(answer, "utter_help", other)


async def test_commands_are_registered_in_every_language(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant) -> None:
    api, _ = telegram
    calls = [c.params for c in api.calls if c.method == "setMyCommands" and c.status == 200]
    by_language = {c.get("language_code"): c["commands"] for c in calls}
    assert set(by_language) >= {None, *CODES}
    for code in CODES:
        names = [command["command"] for command in by_language[code]]
        assert names == ["start", "language", "help", "human", "status", "privacy", "delete_me", "restart"]
        assert by_language[code][3]["description"] == assistant.render("utter_command_human", code).text


@pytest.mark.parametrize(
    ("content", "response"),
    [
        ({"sticker": {"file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False}}, "utter_unsupported_sticker"),
        ({"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]}, "utter_unsupported_media"),
        ({"document": {"file_id": "d1", "file_unique_id": "u3", "file_name": "plan.pdf"}}, "utter_unsupported_media"),
        ({"voice": {"file_id": "v1", "file_unique_id": "u4", "duration": 3}}, "utter_unsupported_voice"),
        ({"video_note": {"file_id": "n1", "file_unique_id": "u5", "length": 240, "duration": 4}}, "utter_unsupported_voice"),
        ({"location": {"latitude": 59.91, "longitude": 10.75}}, "utter_unsupported_location"),
        ({"contact": {"phone_number": "+4799999999", "first_name": "Ali"}}, "utter_unsupported_other"),
        ({"poll": {"id": "1", "question": "?", "options": [{"persistent_id": "o1", "text": "a", "voter_count": 0}, {"persistent_id": "o2", "text": "b", "voter_count": 0}],
                   "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular", "allows_multiple_answers": False, "allows_revoting": False, "members_only": False}}, "utter_unsupported_other"),
    ],
)
async def test_every_kind_of_message_gets_a_friendly_reply(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant,
                                                          content: dict[str, Any], response: str) -> None:
    api, _ = telegram
    person = Person(api, assistant, language_code="so")
    (reply,) = await person.send(message(person.id, language_code="so", **content))
    person.expect(reply, response, "so")


async def test_text_edge_cases(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant) -> None:
    api, _ = telegram
    person = Person(api, assistant, language_code="pl")
    (reply,) = await person.say("😀😀👍")
    person.expect(reply, "utter_emoji_only", "pl")
    (reply,) = await person.say("/whatever")
    person.expect(reply, "utter_unknown_command", "pl")
    long_text = ("jak założyć firmę w Norwegii? " * 200)[:4000]
    too_long, answer = await person.say(long_text, count=2)
    person.expect(too_long, "utter_too_long", "pl")
    person.expect(answer, "utter_start_business", "pl")
    (edited,) = await person.send(message(person.id, "czy muszę się zarejestrować do MVA", "pl", edited=True))
    person.expect(edited, "utter_vat_registration", "pl")


async def test_groups_get_an_answer_only_when_addressed(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant) -> None:
    api, _ = telegram
    group = {"id": -100555, "type": "group", "title": "Venner"}
    since = len(api.calls)
    await api.push(message(9001, "hei alle sammen", "nb", chat=group))
    await api.push(message(9001, f"@{BOT_USERNAME} hjelp", "nb", chat=group))
    replies = await api.replies(-100555, 1, since)
    assert len(replies) == 1
    assert replies[0].params["text"] == html.escape(assistant.render("utter_group_hint", "nb").text, quote=False)


async def test_a_user_who_blocks_the_bot_is_marked_inactive(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant) -> None:
    from bot.storage.db import Database
    from bot.storage.repo import Users

    api, bot = telegram
    person = Person(api, assistant, language_code="en")
    await person.say("hello")
    database = Database(bot.env["DATABASE_URL"])

    def active() -> bool:
        with database.session() as session:
            return bool(Users(session).get(str(person.id)).active)  # type: ignore[union-attr]

    assert active()
    await api.push(blocked(person.id))
    await until(lambda: not active())
    database.dispose()


async def test_a_429_storm_and_a_500_lose_no_reply_and_duplicate_none(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant) -> None:
    api, _ = telegram
    person = Person(api, assistant, language_code="en")
    api.fail("sendMessage", Fault(429, retry_after=1), Fault(429, retry_after=1), Fault(500), Fault(429, retry_after=1),
             chat_id=person.id)
    since = len(api.calls)
    (reply,) = await person.say("do I need to register for MVA")
    person.expect(reply, "utter_vat_registration", "en")
    attempts = [c for c in api.calls[since:] if c.method == "sendMessage" and int(c.params["chat_id"]) == person.id]
    assert [c.status for c in attempts] == [429, 429, 500, 429, 200]
    (again,) = await person.say("thanks")
    person.expect(again, "utter_thank", "en")
    assert len(api.sent(person.id, since)) == 2


async def test_an_update_delivered_twice_is_answered_once(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant) -> None:
    api, _ = telegram
    person = Person(api, assistant, language_code="en")
    since = len(api.calls)
    await api.push_twice(message(person.id, "hello", "en"))
    await api.replies(person.id, 1, since)
    (follow,) = await person.say("thank you")
    person.expect(follow, "utter_thank", "en")
    assert len(api.sent(person.id, since)) == 2


async def test_message_texts_and_personal_numbers_never_reach_the_log(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant) -> None:
    api, bot = telegram
    person = Person(api, assistant, language_code="nb")
    await person.say("ring meg på 412 34 567, fødselsnummer 15076500565, om mva")
    log = bot.log.read_text(encoding="utf-8", errors="replace")
    assert "412 34 567" not in log and "15076500565" not in log and "ring meg" not in log
    assert "parse_data_text" not in log


async def test_typing_shows_only_when_a_reply_takes_over_a_second(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant) -> None:
    api, _ = telegram
    person = Person(api, assistant, language_code="en")

    def typing(since: int) -> list[dict[str, Any]]:
        return [c.params for c in api.calls[since:] if c.method == "sendChatAction" and int(c.params["chat_id"]) == person.id]

    since = len(api.calls)
    (reply,) = await person.say("hello")  # answered well within a second
    person.expect(reply, "utter_greet", "en")
    assert typing(since) == []
    api.fail("sendMessage", Fault(200, delay=2.5), chat_id=person.id)  # Telegram answers slowly this time
    since = len(api.calls)
    (reply,) = await person.say("thank you")
    person.expect(reply, "utter_thank", "en")
    assert [t["action"] for t in typing(since)] == ["typing"]
    mine = [c for c in api.calls[since:] if int(c.params.get("chat_id") or 0) == person.id]  # the shared bot serves others too
    first_typing = next(i for i, c in enumerate(mine) if c.method == "sendChatAction")
    first_reply = next(i for i, c in enumerate(mine) if c.method == "sendMessage" and c.status == 200)
    assert first_typing < first_reply
