"""Conversations are kept in the database and served from memory only while
the database agrees: real turns through the fast model, a real SQLite store."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SlotSet

from bot.engine import Assistant, RememberingTrackerStore, innermost

_ids = itertools.count(1)


def store_of(assistant: Assistant) -> RememberingTrackerStore:
    store = innermost(assistant.agent.tracker_store)
    assert isinstance(store, RememberingTrackerStore)
    return store


def as_json(value: object) -> object:
    """As the database keeps it (tuples become lists)."""
    return json.loads(json.dumps(value))


async def conversation(assistant: Assistant, lang: str, *texts: str) -> str:
    user = f"tracker-{next(_ids)}"
    assistant.set_language(user, lang, chosen=True)
    for text in texts:
        assert await assistant.handle(user, text)
    return user


async def test_the_conversation_from_memory_is_the_one_in_the_database(assistant: Assistant) -> None:
    store = store_of(assistant)
    user = await conversation(assistant, "uk", "що таке ENK чи AS", "дякую", "як зареєструватися в MVA")
    from_database = await SQLTrackerStore.retrieve(store, user)  # Rasa's own read, bypassing memory
    kept = store.last_saved(user)
    assert from_database is not None and kept is not None
    assert await store.retrieve(user) is kept  # one COUNT instead of reading and replaying every event
    assert as_json([e.as_dict() for e in kept.events]) == [e.as_dict() for e in from_database.events]
    assert as_json(kept.current_state()) == as_json(from_database.current_state())
    await store.save(kept)  # as the next turn would


async def test_events_written_by_someone_else_are_read_from_the_database(assistant: Assistant) -> None:
    store = store_of(assistant)
    user = await conversation(assistant, "ar", "كيف ابدأ مشروع في النرويج", "شكرا")
    kept = store.last_saved(user)
    assert kept is not None
    with store.session_scope() as session:  # memory would serve it now: the database has the same events
        assert store._event_query(session, user, fetch_events_from_all_sessions=False).count() == len(kept.events)
    with store.session_scope() as session:  # another bot process, or an editor's tool, adds an event
        event = SlotSet("municipality_code", "4601", timestamp=kept.events[-1].timestamp + 1)
        session.add(store.SQLEvent(sender_id=user, type_name=event.type_name, timestamp=event.timestamp,
                                   intent_name=None, action_name=None, data=json.dumps(event.as_dict())))
        session.commit()
    read = await store.retrieve(user)
    assert read is not None and read is not kept
    assert read.get_slot("municipality_code") == "4601"
    assert len(read.events) == len(kept.events) + 1


async def test_a_turn_continues_a_conversation_read_from_memory(assistant: Assistant) -> None:
    store = store_of(assistant)
    user = await conversation(assistant, "pl", "dzięki", "gdzie jest etablerertjeneste")  # asks for the municipality
    kept = store.last_saved(user)
    assert kept is not None
    replies = await assistant.handle(user, "Fredrikstad")  # the answer only makes sense in context
    assert store.last_saved(user) is kept  # continued in memory, not rebuilt from the database
    assert any("Fredrikstad" in reply.text for reply in replies)
    assert assistant.profile(user)["municipality_code"] == "3107"


async def test_forgetting_erases_the_conversation_in_memory_too(assistant: Assistant) -> None:
    store = store_of(assistant)
    user = await conversation(assistant, "fa", "مالیات شرکت در نروژ چطور است", "ممنون")
    assert store.last_saved(user) is not None
    await assistant.forget(user)
    assert store.last_saved(user) is None
    assert await store.retrieve(user) is None


async def test_after_a_model_swap_conversations_are_still_served_from_memory_and_erased(assistant: Assistant) -> None:
    assert assistant.model_path is not None
    await assistant.swap_model(assistant.model_path)  # as when an editor trains a new model
    store = innermost(assistant.agent.tracker_store)
    assert assistant.agent.tracker_store._tracker_store is store  # type: ignore[attr-defined]  # wrapped once, not per model
    user = await conversation(assistant, "so", "sidee loo furaa ganacsi", "mahadsanid", "ma u baahanahay MVA")
    assert store_of(assistant).last_saved(user) is not None
    await assistant.forget(user)
    assert await SQLTrackerStore.retrieve(store, user) is None  # erased in the database, not only in memory


async def test_saving_writes_the_rows_rasa_would_write(assistant: Assistant, tmp_path: Path) -> None:
    """The events of a turn go in with one statement, as the same rows Rasa's own save writes."""
    store = store_of(assistant)
    user = await conversation(assistant, "so", "sidee loo furaa ganacsi", "mahadsanid")
    tracker = store.last_saved(user)
    assert tracker is not None
    rasa = SQLTrackerStore(assistant.agent.domain, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    await rasa.save(tracker)

    def rows(into: SQLTrackerStore) -> list[tuple[object, ...]]:
        with into.session_scope() as session:
            found = session.query(into.SQLEvent).filter(into.SQLEvent.sender_id == user).order_by(into.SQLEvent.id)
            return [(e.type_name, e.timestamp, e.intent_name, e.action_name, e.data) for e in found]

    theirs = rows(rasa)
    assert len(theirs) == len(tracker.events) > 4
    assert rows(store)[-len(theirs):] == theirs  # (before them: the start of the first session)
