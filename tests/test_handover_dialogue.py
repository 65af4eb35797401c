"""When Veiviser offers a person, in process (the whole pipeline, no Telegram)."""

from __future__ import annotations

import itertools

from bot.config import Settings
from bot.engine import Assistant
from bot.telegram.desk import Desk

_ids = itertools.count(1)


def new_user(assistant: Assistant, lang: str) -> str:
    user = f"handover-{next(_ids)}"
    assistant.set_language(user, lang, chosen=True)
    return user


async def test_two_messages_not_understood_in_a_row_offer_a_person(assistant: Assistant, settings: Settings) -> None:
    desk = Desk.create(assistant, settings)
    user = new_user(assistant, "so")
    first = await assistant.handle_turn(user, "/nlu_fallback")
    assert first.fallbacks_in_row == 1
    assert [r.text for r in first.replies] == [assistant.render("utter_default", "so").text]
    assert await desk.after_turn(user, "?", first, "so") == []
    second = await assistant.handle_turn(user, "/nlu_fallback")
    assert second.fallbacks_in_row == 2
    (offer,) = await desk.after_turn(user, "?", second, "so")
    assert offer.text == assistant.render("utter_handover_suggest", "so").text
    assert [b.payload for b in offer.buttons] == ["/request_human"]
    understood = await assistant.handle_turn(user, "ma u baahanahay inaan iska diiwaan geliyo MVA")
    assert understood.fallbacks_in_row == 0 and await desk.after_turn(user, "?", understood, "so") == []


async def test_a_known_municipality_gets_the_offer_straight_away(assistant: Assistant, settings: Settings) -> None:
    desk = Desk.create(assistant, settings)
    user = new_user(assistant, "nb")
    await assistant.handle(user, "hvor er etablerertjenesten")
    await assistant.handle(user, "Bergen")
    turn = await assistant.handle_turn(user, "jeg vil snakke med et menneske")
    assert turn.reading.intent == "request_human"
    (offer,) = await desk.after_turn(user, "jeg vil snakke med et menneske", turn, "nb")
    assert offer.text == assistant.render("utter_handover_offer", "nb", centre="Etablerertjenesten Vestland").text
    assert [b.payload for b in offer.buttons] == ["/handover_yes", "/handover_no"]
    (declined,) = await desk.before_turn(user, "/handover_no", "nb") or []
    assert declined.text == assistant.render("utter_handover_declined", "nb").text


async def test_forgetting_a_person_erases_profile_conversation_and_cases(assistant: Assistant, settings: Settings) -> None:
    from sqlalchemy import func, select

    from bot.engine import RememberingTrackerStore, innermost
    from bot.handover.store import Cases

    user = new_user(assistant, "pl")
    await assistant.handle(user, "czy muszę się zarejestrować do MVA")
    with assistant.database.session() as session:
        Cases(session).create(user, "pl", "4601", "county-46", "vat_registration", "registering")
    store = innermost(assistant.agent.tracker_store)
    assert isinstance(store, RememberingTrackerStore)

    def stored_events() -> int:
        with store.session_scope() as session:
            return int(session.execute(select(func.count()).select_from(store.SQLEvent).where(
                store.SQLEvent.sender_id == user)).scalar_one())

    assert stored_events() > 0
    await assistant.forget(user)
    assert stored_events() == 0
    with assistant.database.session() as session:
        assert Cases(session).latest_for(user) is None
    assert assistant.profile(user)["language"] is None  # a fresh, empty profile
