"""The dialogue engine: one Rasa agent per process, Babel NLG, the user's profile.

Flow of one message (docs: architecture §2): profile from the database ->
language (chosen, or detected on first contact) -> Rasa (NLU, policies, custom
actions) with the profile in the message metadata -> replies rendered in the
user's language -> profile updated from what the dialogue changed.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from bot import modelstore
from bot.config import Settings
from bot.content import Facts
from bot.detect import LanguageDetector
from bot.errors import ModelNotFoundError, VeiviserError
from bot.handover.store import Cases
from bot.i18n.catalog import Catalogs
from bot.languages import CODES, LANGUAGES
from bot.nlg import BabelNaturalLanguageGenerator, ResponseTexts
from bot.processes import ActionServer
from bot.storage.db import Database, create_tuned_engine
from bot.storage.models import utcnow
from bot.storage.repo import Users

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass
class Reply:
    text: str
    language: str
    buttons: list[Button] = field(default_factory=list)


@dataclass
class Reading:
    """What the NLU understood of one message."""

    intent: str | None
    confidence: float | None
    entities: str  # "municipality=Bergen (0.98); ..." for people, not machines


@dataclass
class Turn:
    """One user message through the dialogue: the replies and what was understood."""

    replies: list[Reply]
    reading: Reading
    fallbacks_in_row: int = 0  # consecutive messages the bot did not understand, this one included
    profile: dict[str, Any] = field(default_factory=dict)  # the person's profile after this turn


@dataclass
class Exchange:
    """One line of the conversation so far, for a handover transcript."""

    author: str  # user or bot
    text: str
    at: float  # unix time
    reading: Reading | None = None


def reading_of(parse: dict[str, Any]) -> Reading:
    intent = parse.get("intent") or {}
    entities = "; ".join(
        f"{e.get('entity')}={e.get('value')}" + (f" ({e['confidence_entity']:.2f})" if e.get("confidence_entity") else "")
        for e in parse.get("entities") or []
    )
    confidence = intent.get("confidence")
    return Reading(intent.get("name"), float(confidence) if confidence is not None else None, entities)


latest_model = modelstore.latest  # kept for callers outside the engine


class RetryingEndpoint(EndpointConfig):
    """The action server's endpoint, retried when the connection fails before an
    answer (the server was busy accepting, or restarting). Rasa itself gives up at
    once and drops the action's events, and the person would get no answer.
    Veiviser's custom actions only read content and set slots, so a repeat is harmless."""

    attempts = 3
    backoff = 0.1  # seconds, doubled per attempt

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, self.attempts + 1):
            try:
                return await super().request(*args, **kwargs)
            except aiohttp.ClientConnectionError as error:
                if attempt == self.attempts or isinstance(error, asyncio.TimeoutError):
                    raise
                log.warning("Action server connection failed (%s); attempt %d of %d", type(error).__name__, attempt + 1,
                            self.attempts)
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")


@functools.lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    import jsonschema

    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check of an action server's answer, with the schema compiled once.

    Rasa 3.6 calls ``jsonschema.validate`` on every answer, which first checks
    the schema itself against JSON Schema's meta-schema: about 120 ms per
    custom action on this machine (profiled), more than the rest of the turn.
    The same schema, the same check, the same error for a malformed answer."""
    import jsonschema.exceptions

    error = jsonschema.exceptions.best_match(_action_result_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            "endpoint is valid."
        )
        raise error
    return True


def speed_up_rasa() -> None:
    """Install Veiviser's measured fixes to Rasa's hot path (see docs/benchmarks.md)."""
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


class RememberingTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store that remembers the conversations it saved last.

    Reading a conversation back means loading every event since the session
    started, parsing it and replaying it: the main cost of keeping
    conversations (bare Rasa with this store handles half the messages per
    second it handles in memory, docs/benchmarks.md). So the tracker saved last
    is kept, and the next retrieve takes it from memory when the database
    holds exactly the events it has (one COUNT): another writer, an erasure or
    a new session means a normal read. Messages of one conversation are handled
    one at a time (Rasa's lock store, the per-chat order of updates), and a
    retrieve takes the tracker out, so a turn that fails before saving leaves
    nothing stale behind. The turn's caller reads the slot changes and the
    reading from the same tracker instead of a second read."""

    remember = 5000  # conversations kept; the least recently saved go first

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saved: OrderedDict[str, DialogueStateTracker] = OrderedDict()

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, with the new events written in one statement (Rasa
        adds them one by one: a round trip per event on PostgreSQL)."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [self._row(tracker.sender_id, event) for event in self._additional_events(session, tracker)]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        self.saved[tracker.sender_id] = tracker
        self.saved.move_to_end(tracker.sender_id)
        while len(self.saved) > self.remember:
            self.saved.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        kept = self.saved.pop(sender_id, None)
        if kept is not None:
            with self.session_scope() as session:
                stored = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
            if stored == len(kept.events):
                return kept
        return await super().retrieve(sender_id)

    @staticmethod
    def _row(sender_id: str, event: Event) -> dict[str, Any]:
        """The columns Rasa's SQLTrackerStore.save fills for an event."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def last_saved(self, sender_id: str) -> DialogueStateTracker | None:
        return self.saved.get(sender_id)

    def forget(self, sender_id: str) -> None:
        """Erase the conversation: its events in the database and in memory."""
        self.saved.pop(sender_id, None)
        with self.session_scope() as session:
            session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            session.commit()


def innermost(store: TrackerStore) -> TrackerStore:
    """The store itself: Rasa wraps every store it is given in a
    FailSafeTrackerStore, again on each ``Agent.load``."""
    while isinstance(store, FailSafeTrackerStore):
        store = store._tracker_store
    return store


def tracker_store_from_url(url: str, domain: Domain) -> TrackerStore:
    parsed = make_url(url)
    dialect = parsed.drivername.split("+")[0]
    if dialect == "sqlite":
        Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
    store = RememberingTrackerStore(
        domain=domain,
        dialect=dialect,
        host=parsed.host,
        port=parsed.port,
        db=parsed.database or "rasa.db",
        username=parsed.username,
        password=parsed.password,
    )
    if dialect == "sqlite":  # Rasa's own engine opens a connection per session there: give it a pooled one
        store.engine.dispose()
        store.engine = create_tuned_engine(store.engine.url)
        store.sessionmaker = sessionmaker(bind=store.engine)
    return store


def prepare_databases(settings: Settings) -> None:
    """Create or upgrade Veiviser's database (Alembic) and Rasa's tracker store tables."""
    database = Database(settings.resolved_database_url())
    database.migrate()
    database.dispose()
    store = tracker_store_from_url(settings.resolved_tracker_store_url(), Domain.load(str(settings.root / "domain.yml")))
    store.engine.dispose()  # type: ignore[attr-defined]


class Assistant:
    """Veiviser's dialogue, independent of the channel (Telegram, terminal, tests)."""

    def __init__(
        self,
        agent: Agent,
        nlg: BabelNaturalLanguageGenerator,
        database: Database,
        detector: LanguageDetector,
        default_language: str,
        action_server: ActionServer | None = None,
        model_path: Path | None = None,
    ) -> None:
        self.agent = agent
        self.model_path = model_path
        self.nlg = nlg
        self.database = database
        self.detector = detector
        self.default_language = default_language
        self.action_server = action_server

    @classmethod
    async def create(cls, settings: Settings, model: Path | None = None) -> Assistant:
        """Load the model once, start (or connect to) the action server, migrate the database."""
        root = settings.root
        model_path = modelstore.latest(model or Path(settings.rasa_model or root / "models"))
        action_server = None
        action_url = settings.action_server_url
        if not action_url:
            action_server = ActionServer(settings.action_server_port, root)
            await action_server.start()
            action_url = action_server.url
        database = Database(settings.resolved_database_url())
        database.migrate()
        domain = Domain.load(str(root / "domain.yml"))
        nlg = BabelNaturalLanguageGenerator(
            ResponseTexts(root / "domain.yml"), Catalogs(root / "locales"), Facts.load(root / "content" / "facts.yml")
        )
        speed_up_rasa()
        started = time.perf_counter()
        agent = Agent.load(
            str(model_path),
            generator=nlg,
            tracker_store=tracker_store_from_url(settings.resolved_tracker_store_url(), domain),
            action_endpoint=RetryingEndpoint(url=action_url),
        )
        log.info("Loaded %s in %.1f s", model_path.name, time.perf_counter() - started)
        return cls(agent, nlg, database, LanguageDetector(), settings.default_language, action_server, model_path)

    async def swap_model(self, model_path: Path) -> None:
        """Load another model beside the serving one, then switch; messages
        being answered finish on the old model, new ones use the new one."""
        old = self.agent
        started = time.perf_counter()
        new = await asyncio.get_running_loop().run_in_executor(
            None,
            functools.partial(
                Agent.load, str(model_path), generator=self.nlg, tracker_store=innermost(old.tracker_store),
                lock_store=old.lock_store, action_endpoint=old.action_endpoint,
            ),
        )
        self.agent, self.model_path = new, model_path
        log.info("Now serving %s (loaded in %.1f s)", model_path.name, time.perf_counter() - started)

    async def watch_models(self, folder: Path, interval: float = 5.0) -> None:
        """Serve the newest model in ``folder``: swap when a new one is trained
        or the newest is rolled back. Runs until cancelled."""
        while True:
            await asyncio.sleep(interval)
            try:
                newest = modelstore.latest(folder)
            except ModelNotFoundError:
                continue
            if newest != self.model_path:
                try:
                    await self.swap_model(newest)
                except Exception:  # a broken model file must not stop the bot
                    log.exception("Could not load %s; still serving %s", newest, self.model_path)

    async def close(self) -> None:
        if self.action_server:
            self.action_server.stop()
        self.database.dispose()

    # -- profile -----------------------------------------------------------
    def profile(self, sender_id: str, *, active: bool = False) -> dict[str, Any]:
        """The person's profile (created on first contact); ``active`` also
        marks them as reachable again, in the same transaction."""
        with self.database.session() as session:
            user = Users(session).get_or_create(sender_id)
            if active and not user.active:
                user.active = True
            return {
                "language": user.language,
                "language_chosen": user.language_chosen,
                "municipality_code": user.municipality_code,
                "consent_at": user.consent_at,
                "active": user.active,
            }

    def give_consent(self, sender_id: str) -> None:
        with self.database.session() as session:
            Users(session).get_or_create(sender_id).consent_at = utcnow()

    async def restart(self, sender_id: str) -> None:
        """Start the conversation over (Rasa's restart); the profile stays."""
        profile = self.profile(sender_id)
        await self.agent.handle_message(
            UserMessage("/restart", CollectingOutputChannel(), sender_id, metadata={"language": profile["language"]})
        )

    async def forget(self, sender_id: str) -> None:
        """Erase everything stored about a person: profile and conversation.

        Rasa 3.6's tracker store has no delete, so its events are removed with
        SQL on its own table (architecture §6)."""
        with self.database.session() as session:
            Users(session).delete(sender_id)
            Cases(session).delete_for_sender(sender_id)
        store = innermost(self.agent.tracker_store)
        if isinstance(store, RememberingTrackerStore):  # what tracker_store_from_url always makes
            store.forget(sender_id)

    def set_language(self, sender_id: str, language: str, chosen: bool = True) -> None:
        if language not in CODES:
            raise ValueError(f"unsupported language {language!r}")
        with self.database.session() as session:
            user = Users(session).get_or_create(sender_id)
            user.language = language
            user.language_chosen = user.language_chosen or chosen

    # -- dialogue ----------------------------------------------------------
    async def handle(self, sender_id: str, text: str) -> list[Reply]:
        """Everything Veiviser answers to one message from ``sender_id``."""
        return (await self.handle_turn(sender_id, text)).replies

    async def read(self, text: str) -> Reading:
        """The NLU's reading of a message, without touching any conversation."""
        return reading_of(await self.agent.parse_message(text))

    async def recent_exchange(self, sender_id: str, limit: int = 12) -> list[Exchange]:
        """The latest lines of the conversation (user and bot), oldest first."""
        tracker = await self.agent.tracker_store.retrieve(sender_id)
        if tracker is None:
            return []
        lines: list[Exchange] = []
        current: Reading | None = None
        for event in tracker.events:
            if isinstance(event, UserUttered) and event.text:
                current = reading_of(event.parse_data)  # type: ignore[arg-type]
                lines.append(Exchange("user", event.text, event.timestamp, current))
            elif isinstance(event, BotUttered) and event.text:
                lines.append(Exchange("bot", event.text, event.timestamp, current))
        return lines[-limit:]

    async def handle_turn(self, sender_id: str, text: str, profile: dict[str, Any] | None = None) -> Turn:
        """Everything Veiviser answers to one message, with what it understood.
        ``profile``: the person's profile if the caller has just read it."""
        profile = dict(profile) if profile is not None else self.profile(sender_id)
        language = profile["language"]
        detected = self.detector.detect(text)
        suggest = None
        if language is None:
            language = detected or self.default_language
            self.set_language(sender_id, language, chosen=False)
        elif detected and detected != language:
            if profile["language_chosen"]:
                suggest = detected
            else:
                language = detected
                self.set_language(sender_id, language, chosen=False)

        metadata = {"language": language, "municipality_code": profile["municipality_code"]}
        output = CollectingOutputChannel()
        agent = self.agent  # a model swap during this turn does not affect it
        await agent.handle_message(UserMessage(text, output, sender_id, metadata=metadata))
        tracker = self._saved_tracker(agent, sender_id) or await agent.tracker_store.retrieve(sender_id)
        changes = self._slot_changes(tracker)
        if changes.get("language") in CODES:
            language = changes["language"]
            self.set_language(sender_id, language, chosen=True)
            profile["language_chosen"] = True
            suggest = None
        if changes.get("municipality_code"):
            with self.database.session() as session:
                Users(session).get_or_create(sender_id).municipality_code = changes["municipality_code"]
            profile["municipality_code"] = changes["municipality_code"]
        profile["language"] = language

        replies = [self._reply(message, language) for message in output.messages if message.get("text")]
        if not replies:  # an action failed: never leave the person without an answer
            log.warning("The turn produced no reply; sent utter_error")
            replies.append(self.render("utter_error", language))
        if suggest:
            replies.append(self.language_suggestion(suggest))
        reading, fallbacks = Reading(None, None, ""), 0
        if tracker is not None:
            users = [e for e in tracker.events if isinstance(e, UserUttered)]
            if users:
                reading = reading_of(users[-1].parse_data)  # type: ignore[arg-type]
            for event in reversed(users):
                if (event.intent or {}).get("name") != "nlu_fallback":
                    break
                fallbacks += 1
        return Turn(replies, reading, fallbacks, profile)

    def language_suggestion(self, language: str) -> Reply:
        name = LANGUAGES[language].native_name
        rendered = self.nlg.render("utter_suggest_language", language, language_name=name) or {}
        return Reply(
            rendered.get("text", ""),
            language,
            [Button(name, f'/change_language{{"language": "{language}"}}')],
        )

    def render(self, response: str, language: str, **values: Any) -> Reply:
        """A domain response rendered outside a conversation turn (welcome, notices)."""
        rendered = self.nlg.render(response, language, **values)
        if rendered is None:
            raise VeiviserError(f"unknown response {response}")
        return self._reply(rendered, language)

    @staticmethod
    def _saved_tracker(agent: Agent, sender_id: str) -> DialogueStateTracker | None:
        store = innermost(agent.tracker_store)
        return store.last_saved(sender_id) if isinstance(store, RememberingTrackerStore) else None

    @staticmethod
    def _slot_changes(tracker: DialogueStateTracker | None) -> dict[str, Any]:
        """Slots the dialogue set during the latest turn."""
        if tracker is None:
            return {}
        changes: dict[str, Any] = {}
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                break
            if isinstance(event, SlotSet) and event.key not in changes:
                changes[event.key] = event.value
        return changes

    @staticmethod
    def _reply(message: dict[str, Any], language: str) -> Reply:
        buttons = [Button(b["title"], b["payload"]) for b in message.get("buttons") or []]
        return Reply(message["text"], language, buttons)
