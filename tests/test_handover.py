"""Handover to founder-centre staff, end to end: users and staff on the fake
Bot API, the shared bot process, its data in PostgreSQL. Staff are registered
with the real command line (`python -m bot staff ...`) and the admin command."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from bot.centres import Centres
from bot.engine import Assistant
from bot.handover.hours import OSLO, OfficeHours, format_moment
from bot.handover.store import Cases
from bot.languages import LANGUAGES
from bot.storage.db import Database
from bot.storage.models import Case
from tests.botprocess import ADMIN_ID, BotProcess, Person
from tests.conftest import ROOT
from tests.fake_telegram import FakeBotAPI, blocked, message, press

VESTLAND = {"id": -100460, "type": "supergroup", "title": "Etablerertjenesten Vestland", "is_forum": True}
TRONDELAG = {"id": -100500, "type": "supergroup", "title": "Etablerertjenesten Trøndelag"}
OSLO_GROUP = {"id": -100030, "type": "supergroup", "title": "Etablerertjenesten Oslo"}
MORE = {"id": -100150, "type": "supergroup", "title": "Etablerertjenesten Møre og Romsdal"}
ROGALAND = {"id": -100110, "type": "supergroup", "title": "Etablerertjenesten Rogaland"}
KARI, OLA, PER, NINA, STRANGER = 701, 702, 704, 705, 799


def oslo_after_hours() -> str:
    """A one-minute window that is certainly not now, so the office is closed."""
    hour = 20 if dt.datetime.now(OSLO).hour < 12 else 6
    return f"mon-sun {hour:02d}:00-{hour:02d}:01"


def staff_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bot", "staff", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def desk(telegram: tuple[FakeBotAPI, BotProcess]) -> dict[str, Any]:
    """Centres and staff registered as an administrator would (docs/staff.md)."""
    _, bot = telegram
    env = {**os.environ, "DATABASE_URL": bot.env["DATABASE_URL"]}
    staff_cli(env, "chat", "county-46", str(VESTLAND["id"]), "--forum", "--hours", "always")
    staff_cli(env, "chat", "county-50", str(TRONDELAG["id"]), "--hours", "always")
    staff_cli(env, "chat", "county-03", str(OSLO_GROUP["id"]), "--hours", oslo_after_hours())
    staff_cli(env, "chat", "county-15", str(MORE["id"]), "--hours", "closed")
    staff_cli(env, "add", "county-46", str(KARI), "Kari")
    staff_cli(env, "add", "county-46", str(OLA), "Ola")
    staff_cli(env, "add", "county-50", str(PER), "Per")
    staff_cli(env, "add", "county-03", str(NINA), "Nina")
    listing = staff_cli(env, "list")
    assert "Kari" in listing and "Per" in listing and "county-50" in listing
    database = Database(bot.env["DATABASE_URL"])
    yield {"database": database}
    database.dispose()


class Worker:
    """A staff member on Telegram."""

    def __init__(self, api: FakeBotAPI, uid: int, name: str) -> None:
        self.api, self.id, self.name = api, uid, name

    async def press(self, data: str, chat: dict[str, Any] | None = None) -> dict[str, Any]:
        """Press a staff button; returns the callback answer."""
        update = press(self.id, data, chat=chat or {"id": self.id, "type": "private"}, first_name=self.name)
        since = len(self.api.calls)
        await self.api.push(update)
        query_id = update["callback_query"]["id"]
        await self.api.wait_for(lambda calls: any(
            c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query_id for c in calls[since:]))
        return next(c.params for c in self.api.calls[since:]
                    if c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query_id)

    async def write(self, text: str | None = None, chat: dict[str, Any] | None = None, **content: Any) -> None:
        body = message(self.id, text, "nb", chat=chat, **content)
        body["message"]["from"]["first_name"] = self.name
        await self.api.push(body)

    async def replies(self, count: int, since: int) -> list[dict[str, Any]]:
        return [c.params for c in await self.api.replies(self.id, count, since)]


async def take(worker: Worker, case_id: int, group: dict[str, Any], person: Person) -> None:
    """A staff member takes the case; returns once the user has been told."""
    since = len(worker.api.calls)
    await worker.press(f"c:take:{case_id}", group)
    await worker.api.replies(person.id, 1, since)
    await worker.api.wait_for(lambda calls: len(worker.api.sent(worker.id, since)) >= 1)


def case_number(text: str) -> int:
    found = re.search(r"#(\d+)", text)
    assert found, text
    return int(found.group(1))


def stored(database: Database, case_id: int) -> Case:
    with database.session() as session:
        case = Cases(session).get(case_id)
        assert case is not None
        return case


def group_posts(api: FakeBotAPI, group: dict[str, Any], since: int) -> list[dict[str, Any]]:
    return [c.params for c in api.sent(group["id"], since)]


async def open_case(api: FakeBotAPI, person: Person, lang: str, ask: str, place: str, centre: str) -> int:
    """The user asks for a person, names the municipality, agrees to share."""
    await person.say("/start")
    await person.press(f"lang:{lang}", count=2)
    first = await person.say(ask, count=2)
    person.expect(first[0], "utter_request_human", lang)
    person.expect(first[1], "utter_ask_municipality", lang)
    centre_info, offer = await person.say(place, count=2)
    assert centre.split()[-1] in centre_info["text"]  # the county of the municipality
    person.expect(offer, "utter_handover_offer", lang, centre=centre)
    since = len(api.calls)
    await api.push(press(person.id, Person.buttons(offer)[0][1]))
    replies = [c.params for c in await api.replies(person.id, 1, since)]
    return case_number(replies[0]["text"])


LIFE_CYCLE = {  # language: asking for a person, the municipality, a VAT question, a message for staff
    "ar": ("اريد التحدث مع موظف", "بيرغن", "لازم اسجل بالـ MVA اذا عندي شركة صغيرة؟", "عندي خطة عمل، ممكن تشوفها؟"),
    "ti": ("ምስ ሰብ ክዛረብ እደሊ", "በርገን", "ናይ MVA ምዝገባ የድልየኒ ድዩ", "ናይ ንግዲ ውጥን ኣለኒ፡ ክትርእይዎ ትኽእሉ ዶ?"),
}


@pytest.mark.parametrize("lang", list(LIFE_CYCLE))
async def test_whole_life_cycle(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant, desk: dict[str, Any], lang: str) -> None:
    api, _ = telegram
    ask, place, vat, for_staff = LIFE_CYCLE[lang]
    database = desk["database"]
    person = Person(api, assistant, lang)
    kari = Worker(api, KARI, "Kari")
    since = len(api.calls)
    case_id = await open_case(api, person, lang, ask, place, "Etablerertjenesten Vestland")
    (created,) = [c.params for c in api.sent(person.id, since)][-1:]
    person.expect(created, "utter_handover_created", lang, case=f"#{case_id}", centre="Etablerertjenesten Vestland")

    # The staff group: a topic of its own and a card in Norwegian.
    await api.wait_for(lambda calls: any(f"Sak #{case_id}" in p["text"] for p in group_posts(api, VESTLAND, since)))
    topic = next(c.params for c in api.calls[since:] if c.method == "createForumTopic")
    assert topic["chat_id"] == VESTLAND["id"] and f"#{case_id}" in topic["name"]
    card = next(p for p in group_posts(api, VESTLAND, since) if f"Sak #{case_id}" in p["text"])
    assert card["message_thread_id"] is not None
    for expected in (f"Sak #{case_id}", LANGUAGES[lang].native_name, "Bergen (Vestland)", "Tema: vil snakke med et menneske",
                     "Samtykke til deling: ja", "Siste meldinger", ask):
        assert expected in card["text"], expected
    assert [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row] == ["🙋 Ta saken", "↩️ Slipp", "✅ Lukk"]
    assert stored(database, case_id).status == "waiting"

    # Until staff take it, the bot keeps answering.
    (answer,) = await person.say(vat)
    person.expect(answer, "utter_vat_registration", lang)

    # Kari takes it: the user is told who joined; Kari gets the case in her private chat.
    since = len(api.calls)
    answer_cb = await kari.press(f"c:take:{case_id}", chat=VESTLAND)
    assert f"#{case_id}" in answer_cb["text"]
    (joined,) = [c.params for c in await api.replies(person.id, 1, since)]
    person.expect(joined, "utter_handover_taken", lang, staff_name="Kari", centre="Etablerertjenesten Vestland")
    (intro,) = await kari.replies(1, since)
    assert "Du har saken" in intro["text"] and "MVA-registrering" in intro["text"]
    assert "💬 Ferdige svar" in str(intro["reply_markup"])

    # The user's messages go to Kari with the bot's reading in Norwegian; Rasa is not asked.
    since = len(api.calls)
    await person.send(message(person.id, for_staff, lang), count=0)
    (relayed,) = await kari.replies(1, since)
    assert html.escape(for_staff, quote=False) in relayed["text"] and "🤖" in relayed["text"] and "sikker" in relayed["text"]
    await api.push(message(person.id, None, lang, document={"file_id": "doc1", "file_unique_id": "u1", "file_name": "plan.pdf"}))
    await api.wait_for(lambda calls: any("sendte document" in c.params["text"] for c in api.sent(KARI, since)))
    assert any(c.method == "copyMessage" and c.params["chat_id"] == KARI for c in api.calls[since:])
    assert api.sent(person.id, since) == []

    # Kari answers in free text, with a ready reply and a glossary entry: all in Arabic for the user.
    since = len(api.calls)
    await kari.write("Hei! Jeg ser på planen din.")
    await kari.write("/svar")
    (menu,) = [c.params for c in await api.replies(KARI, 1, since)]
    assert [b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row][0] == "Ser på det, svarer i morgen"
    await kari.press(f"c:cn:{case_id}:0")
    await kari.press(f"c:gl:{case_id}:2")
    texts = [c.params["text"] for c in await api.replies(person.id, 3, since)]
    assert texts[0] == "💬 Kari: Hei! Jeg ser på planen din."
    assert texts[1] == html.escape("💬 Kari: " + assistant.render("utter_canned_look_into", lang).text, quote=False)
    assert texts[2] == html.escape("📖 " + assistant.render("utter_glossary_mva", lang).text, quote=False)
    in_norwegian = html.escape(assistant.render("utter_glossary_mva", "nb").text, quote=False)
    await api.wait_for(lambda calls: any(in_norwegian in c.params["text"] for c in api.sent(KARI, since)))

    # An internal note, then closing with an outcome; the user rates the help.
    since = len(api.calls)
    await kari.write("/notat Ringer tirsdag om oppholdstillatelse")
    assert "Notat lagret" in (await kari.replies(1, since))[0]["text"]
    await kari.press(f"c:close:{case_id}")
    await kari.press(f"c:out:{case_id}:answered")
    closed, rate = [c.params for c in await api.replies(person.id, 2, since)]
    person.expect(closed, "utter_handover_closed", lang, case=f"#{case_id}")
    person.expect(rate, "utter_handover_rate", lang)
    (thanks,) = await person.press(Person.buttons(rate)[4][1])
    person.expect(thanks, "utter_handover_rated", lang)
    case = stored(database, case_id)
    assert (case.status, case.outcome, case.rating) == ("closed", "answered", 5)
    with database.session() as session:
        actions = [e.action for e in Cases(session).events(case_id)]
        transcript = Cases(session).messages(case_id)
    assert [a for a in actions if a != "reannounced"] == ["created", "announced", "taken", "note", "closed", "rated"]
    assert [m.author for m in transcript].count("staff") == 3 and any(m.kind == "document" for m in transcript)

    # Rasa resumes.
    (answer,) = await person.say(vat)
    person.expect(answer, "utter_vat_registration", lang)


async def test_a_topic_needing_a_person_leads_to_a_case_in_ukrainian(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant,
                                                                   desk: dict[str, Any]) -> None:
    api, _ = telegram
    person = Person(api, assistant, "uk")
    await person.say("/start")
    await person.press("lang:uk", count=2)
    answer, suggest = await person.say("дозвіл на проживання як самозайнятий", count=2)
    person.expect(answer, "utter_self_employed_residence", "uk")
    person.expect(suggest, "utter_handover_suggest", "uk")
    asked = await person.press(Person.buttons(suggest)[0][1], count=2)
    person.expect(asked[1], "utter_ask_municipality", "uk")
    _, offer = await person.say("Тронгейм", count=2)
    person.expect(offer, "utter_handover_offer", "uk", centre="Etablerertjenesten Trøndelag")
    (created,) = await person.press(Person.buttons(offer)[0][1])
    case_id = case_number(created["text"])
    person.expect(created, "utter_handover_created", "uk", case=f"#{case_id}", centre="Etablerertjenesten Trøndelag")
    case = stored(desk["database"], case_id)
    assert (case.topic, case.stage, case.language, case.municipality_code) == (
        "self_employed_residence", "registering", "uk", "5001")
    (status,) = await person.say("/status")
    assert f"#{case_id}" in status["text"] and "Etablerertjenesten Trøndelag" in status["text"]
    (cancelled,) = await person.press(Person.buttons(status)[0][1])
    person.expect(cancelled, "utter_handover_cancelled", "uk")
    assert stored(desk["database"], case_id).status == "cancelled"
    (none,) = await person.say("/status")
    person.expect(none, "utter_handover_status_none", "uk")


async def test_two_staff_pressing_take_at_once_exactly_one_wins(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant,
                                                               desk: dict[str, Any]) -> None:
    api, _ = telegram
    person = Person(api, assistant, "en")
    case_id = await open_case(api, person, "en", "i want to talk to a person", "Bergen", "Etablerertjenesten Vestland")
    since = len(api.calls)
    kari, ola = Worker(api, KARI, "Kari"), Worker(api, OLA, "Ola")
    answers = await asyncio.gather(kari.press(f"c:take:{case_id}", VESTLAND), ola.press(f"c:take:{case_id}", VESTLAND))
    winners = [a for a in answers if not a.get("show_alert")]
    losers = [a for a in answers if a.get("show_alert")]
    assert len(winners) == 1 and len(losers) == 1
    assert "er tatt av" in losers[0]["text"]
    joined = [c.params for c in await api.replies(person.id, 1, since)]
    assert len(joined) == 1 and ("Kari" in joined[0]["text"]) != ("Ola" in joined[0]["text"])
    winner = KARI if "Kari" in joined[0]["text"] else OLA
    assert stored(desk["database"], case_id).status == "taken"
    await Worker(api, winner, "").press(f"c:out:{case_id}:answered", VESTLAND)


async def test_someone_not_registered_cannot_take_a_case(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant,
                                                         desk: dict[str, Any]) -> None:
    api, _ = telegram
    person = Person(api, assistant, "nb")
    case_id = await open_case(api, person, "nb", "jeg vil snakke med et menneske", "Bergen", "Etablerertjenesten Vestland")
    stranger = Worker(api, STRANGER, "Trond")
    answer = await stranger.press(f"c:take:{case_id}", VESTLAND)
    assert answer["show_alert"] and "ikke registrert" in answer["text"]
    per = Worker(api, PER, "Per")  # registered, but at another centre
    answer = await per.press(f"c:take:{case_id}", VESTLAND)
    assert answer["show_alert"] and "ikke registrert" in answer["text"]
    assert stored(desk["database"], case_id).status == "waiting"
    since = len(api.calls)
    await stranger.write("/saker", chat=VESTLAND)
    await api.wait_for(lambda calls: len(group_posts(api, VESTLAND, since)) >= 1)
    assert any("ikke registrert" in p["text"] for p in group_posts(api, VESTLAND, since))
    await Worker(api, KARI, "Kari").press(f"c:out:{case_id}:no_response", VESTLAND)


async def test_transfer_to_another_centre(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant, desk: dict[str, Any]) -> None:
    api, _ = telegram
    person = Person(api, assistant, "pl")
    case_id = await open_case(api, person, "pl", "chcę porozmawiać z człowiekiem", "Bergen", "Etablerertjenesten Vestland")
    kari = Worker(api, KARI, "Kari")
    await take(kari, case_id, VESTLAND, person)
    since = len(api.calls)
    await kari.press(f"c:transfer:{case_id}")
    (menu,) = await kari.replies(1, since)
    assert "Etablerertjenesten Trøndelag" in str(menu["reply_markup"])
    await kari.press(f"c:to:{case_id}:county-50")
    (told,) = [c.params for c in await api.replies(person.id, 1, since)]
    person.expect(told, "utter_handover_transferred", "pl", centre="Etablerertjenesten Trøndelag")
    await api.wait_for(lambda calls: any(f"#{case_id}" in p["text"] for p in group_posts(api, TRONDELAG, since)))
    case = stored(desk["database"], case_id)
    assert (case.centre_id, case.status, case.staff_id) == ("county-50", "waiting", None)
    # Kari's private chat no longer relays to this user.
    since = len(api.calls)
    await kari.write("Hallo?")
    assert "ingen aktiv sak" in (await kari.replies(1, since))[0]["text"]
    assert api.sent(person.id, since) == []
    await Worker(api, PER, "Per").press(f"c:out:{case_id}:referred", TRONDELAG)


async def test_out_of_hours_the_user_learns_when_and_leaves_a_contact_wish(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant,
                                                                           desk: dict[str, Any]) -> None:
    api, _ = telegram
    person = Person(api, assistant, "so")
    since = len(api.calls)
    await person.say("/start")
    await person.press("lang:so", count=2)
    await person.say("waxaan rabaa inaan la hadlo qof", count=2)
    _, offer = await person.say("Oslo", count=2)
    created, after_hours, hours_line = await person.press(Person.buttons(offer)[0][1], count=3)
    case_id = case_number(created["text"])
    hours = OfficeHours.parse(oslo_after_hours())
    opens = hours.next_open(dt.datetime.now(dt.timezone.utc))
    assert opens is not None
    person.expect(after_hours, "utter_handover_after_hours", "so", opens=format_moment(opens, "so"))
    person.expect(hours_line, "utter_handover_hours", "so", hours=hours.describe("so"))
    (saved,) = await person.say("i soo wac 412 34 567 galabta")
    person.expect(saved, "utter_handover_contact_saved", "so")
    assert stored(desk["database"], case_id).contact_preference == "i soo wac 412 34 567 galabta"
    assert any(f"#{case_id}" in p["text"] for p in group_posts(api, OSLO_GROUP, since))  # staff see it in the morning
    (answer,) = await person.say("ma u baahanahay inaan iska diiwaan geliyo MVA")  # the bot still answers
    person.expect(answer, "utter_vat_registration", "so")
    (status,) = await person.say("/status")
    assert f"#{case_id}" in status["text"]
    await person.press(Person.buttons(status)[0][1])


async def test_a_closed_centre_and_a_centre_without_staff_chat_never_leave_the_user_stuck(
        telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant, desk: dict[str, Any]) -> None:
    api, _ = telegram
    closed_user = Person(api, assistant, "fa")
    await closed_user.say("/start")
    await closed_user.press("lang:fa", count=2)
    await closed_user.say("ميخوام با يك آدم صحبت كنم", count=2)
    _, offer = await closed_user.say("Ålesund", count=2)
    created, closed = await closed_user.press(Person.buttons(offer)[0][1], count=2)
    more = Centres.load(ROOT / "content" / "centres.yml").for_county("15")
    assert more is not None
    closed_user.expect(created, "utter_handover_created", "fa", case=f"#{case_number(created['text'])}",
                       centre="Etablerertjenesten Møre og Romsdal")
    closed_user.expect(closed, "utter_handover_closed_centre", "fa", contact=more.contact)
    assert closed["text"].startswith("\u200f")  # right to left

    person = Person(api, assistant, "ti")
    await person.say("/start")
    await person.press("lang:ti", count=2)
    await person.say("ምስ ሰብ ክዛረብ እደሊ", count=2)
    _, offer = await person.say("Stavanger", count=2)
    created, no_chat = await person.press(Person.buttons(offer)[0][1], count=2)
    case_id = case_number(created["text"])
    assert f"#{case_id}" in no_chat["text"] and "http" in no_chat["text"]
    assert stored(desk["database"], case_id).status == "waiting"

    # An administrator registers Rogaland's staff group: the kept case is announced there.
    since = len(api.calls)
    await Worker(api, KARI, "Kari").write("/register_centre county-11", chat=ROGALAND)
    await api.wait_for(lambda calls: any("Bare administratorer" in p["text"] for p in group_posts(api, ROGALAND, since)))
    await Worker(api, ADMIN_ID, "Admin").write("/register_centre county-11", chat=ROGALAND)
    await api.wait_for(lambda calls: any(f"Sak #{case_id}" in p["text"] for p in group_posts(api, ROGALAND, since)), timeout=60)
    (status,) = await person.say("/status")
    (cancelled,) = await person.press(Person.buttons(status)[0][1])
    person.expect(cancelled, "utter_handover_cancelled", "ti")


async def test_a_busy_case_does_not_use_the_staff_groups_message_budget(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant,
                                                                      desk: dict[str, Any]) -> None:
    """Telegram allows about 20 messages a minute per group: once taken, a
    case runs in the staff member's private chat, and the group hears nothing."""
    api, _ = telegram
    person = Person(api, assistant, "en")
    case_id = await open_case(api, person, "en", "can i talk to a human", "Bergen", "Etablerertjenesten Vestland")
    kari = Worker(api, KARI, "Kari")
    await take(kari, case_id, VESTLAND, person)
    since = len(api.calls)
    for index in range(25):
        await api.push(message(person.id, f"question number {index}", "en"))
    await kari.replies(25, since)
    for index in range(25):
        await kari.write(f"answer {index}")
    await api.replies(person.id, 25, since)
    assert [p for p in group_posts(api, VESTLAND, since) if f"#{case_id}" in p["text"]] == []
    await kari.press(f"c:out:{case_id}:answered")


async def test_staff_without_a_private_chat_answer_in_the_case_topic(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant,
                                                                     desk: dict[str, Any]) -> None:
    api, _ = telegram
    person = Person(api, assistant, "en")
    case_id = await open_case(api, person, "en", "i need a real person", "Bergen", "Etablerertjenesten Vestland")
    thread = stored(desk["database"], case_id).thread_id
    ola = Worker(api, OLA, "Ola")
    api.blocked.add(OLA)  # Ola never opened a private chat with the bot
    try:
        since = len(api.calls)
        await ola.press(f"c:take:{case_id}", VESTLAND)
        await api.wait_for(lambda calls: any("start en privat chat" in p["text"] for p in group_posts(api, VESTLAND, since)))
        await api.push(message(person.id, "hello, are you there?", "en"))
        await api.wait_for(lambda calls: any("hello, are you there?" in p["text"] for p in group_posts(api, VESTLAND, since)))
        await ola.write("Yes, I am here.", chat=VESTLAND, message_thread_id=thread, is_topic_message=True)
        texts = [c.params["text"] for c in await api.replies(person.id, 2, since)]
        assert texts[-1] == "💬 Ola: Yes, I am here."
    finally:
        api.blocked.discard(OLA)
    await ola.press(f"c:out:{case_id}:answered", VESTLAND)


async def test_a_user_who_blocks_the_bot_during_a_case(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant,
                                                      desk: dict[str, Any]) -> None:
    api, _ = telegram
    person = Person(api, assistant, "en")
    case_id = await open_case(api, person, "en", "connect me with an adviser", "Bergen", "Etablerertjenesten Vestland")
    kari = Worker(api, KARI, "Kari")
    await take(kari, case_id, VESTLAND, person)
    since = len(api.calls)
    api.blocked.add(person.id)
    await api.push(blocked(person.id))
    (warning,) = await kari.replies(1, since)
    assert "blokkert" in warning["text"] and f"#{case_id}" in warning["text"]
    await kari.write("Are you still there?")
    await api.wait_for(lambda calls: len(api.sent(KARI, since)) >= 2)
    assert "kom ikke fram" in api.sent(KARI, since)[-1].params["text"]
    await kari.press(f"c:out:{case_id}:no_response")
    assert stored(desk["database"], case_id).outcome == "no_response"
    api.blocked.discard(person.id)


async def test_an_untaken_case_is_announced_again_and_pings_staff_on_duty(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant,
                                                                         desk: dict[str, Any]) -> None:
    api, _ = telegram
    per = Worker(api, PER, "Per")
    since = len(api.calls)
    await per.write("/vakt", chat=TRONDELAG)
    await api.wait_for(lambda calls: any("på vakt" in p["text"] for p in group_posts(api, TRONDELAG, since)))
    person = Person(api, assistant, "en")
    case_id = await open_case(api, person, "en", "i want to talk to a person", "Trondheim", "Etablerertjenesten Trøndelag")
    await api.wait_for(lambda calls: any(f"Sak #{case_id} venter fortsatt" in p["text"] for p in group_posts(api, TRONDELAG, since)),
                       timeout=60)
    again = next(p for p in group_posts(api, TRONDELAG, since) if f"Sak #{case_id} venter fortsatt" in p["text"])
    assert f"tg://user?id={PER}" in again["text"]
    since = len(api.calls)
    await per.write("/saker", chat=TRONDELAG)
    await api.wait_for(lambda calls: any("Åpne saker" in p["text"] for p in group_posts(api, TRONDELAG, since)))
    assert any(f"#{case_id} · venter" in p["text"] for p in group_posts(api, TRONDELAG, since))
    await per.press(f"c:out:{case_id}:answered", TRONDELAG)
    await per.write("/vakt", chat=TRONDELAG)


async def test_a_restart_mid_case_loses_nothing(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant,
                                                desk: dict[str, Any]) -> None:
    api, bot = telegram
    person = Person(api, assistant, "fa")
    case_id = await open_case(api, person, "fa", "ميخوام با يك آدم صحبت كنم", "Bergen", "Etablerertjenesten Vestland")
    kari = Worker(api, KARI, "Kari")
    await take(kari, case_id, VESTLAND, person)
    assert await bot.stop() == 0
    await bot.start()
    since = len(api.calls)
    await api.push(message(person.id, "سلام، هنوز اینجا هستید؟", "fa"))
    (relayed,) = await kari.replies(1, since)
    assert "هنوز اینجا هستید" in relayed["text"]
    await kari.write("Ja, jeg er her.")
    (back,) = [c.params for c in await api.replies(person.id, 1, since)]
    assert back["text"] == "💬 Kari: Ja, jeg er her."
    (status,) = await person.say("/status")  # the language survived the restart too
    person.expect(status, "utter_handover_status_taken", "fa", case=f"#{case_id}", centre="Etablerertjenesten Vestland",
                  staff_name="Kari")
    await kari.press(f"c:out:{case_id}:answered")


async def test_deleting_my_data_erases_my_cases_and_tells_staff(telegram: tuple[FakeBotAPI, BotProcess], assistant: Assistant,
                                                               desk: dict[str, Any]) -> None:
    api, _ = telegram
    person = Person(api, assistant, "en")
    case_id = await open_case(api, person, "en", "can i talk to a human", "Bergen", "Etablerertjenesten Vestland")
    since = len(api.calls)
    (confirm,) = await person.say("/delete_me")
    (done,) = await person.press(Person.buttons(confirm)[0][1])
    person.expect(done, "utter_deleted", "en")
    await api.wait_for(lambda calls: any("slettet" in p["text"] and f"#{case_id}" in p["text"]
                                         for p in group_posts(api, VESTLAND, since)))
    with desk["database"].session() as session:
        assert Cases(session).get(case_id) is None
