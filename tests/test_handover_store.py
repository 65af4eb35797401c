"""Cases, staff and office hours against SQLite and PostgreSQL: the state
changes staff make, exactly-one-wins when two take a case at once, erasure."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.handover.hours import OSLO, OfficeHours
from bot.handover.store import Cases, CentreChats, StaffRegistry
from bot.storage.db import Database
from bot.storage.models import Staff
from bot.storage.repo import Payloads, Updates, payload_key


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'veiviser.db'}" if request.param == "sqlite" else postgres_url
    database = Database(url)
    database.migrate()
    yield database
    database.dispose()


def staff_member(database: Database, telegram_id: int, name: str, centre: str = "county-46") -> Staff:
    with database.session() as session:
        return StaffRegistry(session).add(telegram_id, centre, name)


def new_case(database: Database, centre: str = "county-46") -> int:
    with database.session() as session:
        return Cases(session).create(f"u-{uuid.uuid4().hex[:8]}", "ar", "4601", centre, "business_plan", "idea").id


def race(database: Database, case_id: int, members: tuple[Staff, ...]) -> dict[str, bool]:
    """Every member presses Take at the same moment, each in its own connection."""
    start = threading.Barrier(len(members))
    results: dict[str, bool] = {}

    def take(member: Staff) -> None:
        start.wait()
        with database.session() as session:
            results[member.first_name] = Cases(session).take(case_id, member)

    threads = [threading.Thread(target=take, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_staff_taking_at_the_same_moment_exactly_one_wins(database: Database) -> None:
    kari, ola = staff_member(database, 11, "Kari"), staff_member(database, 12, "Ola")
    for _ in range(10):
        case_id = new_case(database)
        results = race(database, case_id, (kari, ola))
        assert sorted(results.values()) == [False, True]
        with database.session() as session:
            case = Cases(session).get(case_id)
            assert case is not None and case.status == "taken"
            winner = next(name for name, won in results.items() if won)
            assert case.staff_id == (kari.id if winner == "Kari" else ola.id)
            assert [e.action for e in Cases(session).events(case_id)] == ["created", "taken"]


def test_the_life_of_a_case_is_kept_with_its_audit_trail(database: Database) -> None:
    kari = staff_member(database, 21, "Kari")
    per = staff_member(database, 22, "Per", "county-50")
    case_id = new_case(database)
    with database.session() as session:
        cases = Cases(session)
        cases.add_message(case_id, "user", "عندي خطة عمل", intent="business_plan", confidence=0.93)
        assert cases.take(case_id, kari)
        assert not cases.take(case_id, per)  # already taken
        cases.log(case_id, "staff:21", "note", "Ringer tirsdag")
        assert cases.release(case_id, kari)
        assert not cases.release(case_id, kari)  # not taken any more
        assert cases.transfer(case_id, kari, "county-50")
        assert cases.take(case_id, per)
        assert cases.close(case_id, per, "referred")
        assert not cases.close(case_id, per, "answered")
        assert cases.rate(case_id, 4)
        assert not cases.rate(case_id + 1000, 4)
        with pytest.raises(ValueError):
            cases.rate(case_id, 6)
    with database.session() as session:
        cases = Cases(session)
        case = cases.get(case_id)
        assert case is not None
        assert (case.status, case.centre_id, case.outcome, case.rating) == ("closed", "county-50", "referred", 4)
        assert [(e.action, e.actor) for e in cases.events(case_id)] == [
            ("created", "user"), ("taken", "staff:21"), ("note", "staff:21"), ("released", "staff:21"),
            ("transferred", "staff:21"), ("taken", "staff:22"), ("closed", "staff:22"), ("rated", "user")]
        assert [m.text for m in cases.messages(case_id)] == ["عندي خطة عمل"]
        assert cases.open_for(case.sender_id) is None


def test_erasure_removes_cases_transcripts_and_audit(database: Database) -> None:
    case_id = new_case(database)
    with database.session() as session:
        cases = Cases(session)
        sender = cases.get(case_id).sender_id  # type: ignore[union-attr]
        cases.add_message(case_id, "user", "ring meg på 412 34 567")
        assert cases.delete_for_sender(sender) == [case_id]
    with database.session() as session:
        cases = Cases(session)
        assert cases.get(case_id) is None and cases.messages(case_id) == [] and list(cases.events(case_id)) == []


def test_a_group_serves_one_centre_and_staff_are_registered_per_centre(database: Database) -> None:
    with database.session() as session:
        chats, registry = CentreChats(session), StaffRegistry(session)
        chats.set("county-11", -555, forum=False, hours="always")
        chats.set("county-15", -555, forum=True)  # the same group moved to another centre
        assert chats.get("county-11") is None and chats.by_chat(-555).centre_id == "county-15"  # type: ignore[union-attr]
        registry.add(31, "county-11", "Nina")
        registry.add(31, "county-15", "Nina", admin=True)
        assert [m.centre_id for m in registry.memberships(31)] == ["county-11", "county-15"]
        assert registry.remove(31, "county-11") == 1
        assert [m.admin for m in registry.memberships(31)] == [True]


def test_announcements_are_due_for_new_and_long_waiting_cases(database: Database) -> None:
    case_id = new_case(database, "county-34")
    now = dt.datetime.utcnow()
    with database.session() as session:
        cases = Cases(session)
        assert [c.id for c in cases.due_for_announcement(["county-34"], now)] == [case_id]
        cases.announced(case_id, 77, 900)
    with database.session() as session:
        cases = Cases(session)
        assert cases.due_for_announcement(["county-34"], now - dt.timedelta(minutes=5)) == []
        assert [c.id for c in cases.due_for_announcement(["county-34"], now + dt.timedelta(minutes=5))] == [case_id]
        case = cases.get(case_id)
        assert case is not None and (case.card_message_id, case.thread_id) == (77, 900)


def test_only_one_of_a_turn_and_the_sweep_posts_a_new_case_card(database: Database) -> None:
    case_id = new_case(database, "county-34")
    with database.session() as session:
        seen = Cases(session).get(case_id)
        assert seen is not None and seen.announced_at is None
    with database.session() as session:
        assert Cases(session).claim_announcement(case_id, None)  # the user's turn posts the card
    with database.session() as session:
        assert not Cases(session).claim_announcement(case_id, None)  # the sweep read the case before that: it stands back
        claimed = Cases(session).get(case_id)
        assert claimed is not None and claimed.announced_at is not None
        Cases(session).unclaim_announcement(case_id, None, 901)  # posting failed: the sweep may try again, in the same topic
    with database.session() as session:
        again = Cases(session).get(case_id)
        assert again is not None and (again.announced_at, again.thread_id) == (None, 901)
        assert Cases(session).claim_announcement(case_id, None)


# -- office hours: pure, no database --------------------------------------------------------------
WEEKDAYS = OfficeHours.parse("mon-fri 08:00-15:30")


@pytest.mark.parametrize(("moment", "is_open"), [
    (dt.datetime(2026, 11, 25, 10, 0), True),  # a Wednesday morning
    (dt.datetime(2026, 11, 25, 15, 30), False),  # closing time
    (dt.datetime(2026, 11, 28, 10, 0), False),  # Saturday
    (dt.datetime(2027, 5, 17, 10, 0), False),  # Constitution Day, a Monday
    (dt.datetime(2026, 12, 25, 10, 0), False),  # Christmas Day, a Friday
    (dt.datetime(2026, 4, 2, 10, 0), False),  # Maundy Thursday
])
def test_office_hours_follow_norwegian_public_holidays(moment: dt.datetime, is_open: bool) -> None:
    assert WEEKDAYS.is_open(moment.replace(tzinfo=OSLO)) is is_open


def test_next_opening_skips_weekends_and_holidays() -> None:
    easter = dt.datetime(2026, 4, 1, 18, 0, tzinfo=OSLO)  # Wednesday evening before Easter
    assert WEEKDAYS.next_open(easter) == dt.datetime(2026, 4, 7, 8, 0, tzinfo=OSLO)
    summer_time = dt.datetime(2026, 3, 27, 16, 0, tzinfo=dt.timezone.utc)  # Friday; Oslo moves to CEST on Sunday
    assert WEEKDAYS.next_open(summer_time) == dt.datetime(2026, 3, 30, 8, 0, tzinfo=OSLO)
    assert OfficeHours.parse("closed").next_open(easter) is None


def test_office_hours_are_written_per_locale_and_bad_ones_refused() -> None:
    hours = OfficeHours.parse("mon-thu 08:00-15:30; fri 08:00-14:00")
    assert hours.describe("nb") == "man.–tor. 08:00–15:30; fre. 08:00–14:00"
    assert "08:00" in hours.describe("ar") and hours.describe("ar") != hours.describe("fa")
    for bad in ("weekdays 8-16", "fri-mon 08:00-10:00", "mon 10:00-09:00"):
        with pytest.raises(ValueError):
            OfficeHours.parse(bad)


def test_migrations_run_on_an_empty_database(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    database.migrate()
    database.migrate()  # a second run is a no-op
    with database.session() as session:
        assert Cases(session).open_for("nobody") is None
    database.dispose()


def test_workers_storing_one_update_and_one_payload_at_once_get_no_error(database: Database) -> None:
    """Bot workers (WORKERS > 1) claim the same update id and store the same
    button payload at the same moment: no error, exactly one claim wins."""
    update_id = uuid.uuid4().int % 10**12
    payload = f'/ask_topic{{"topic": "{uuid.uuid4().hex}"}}'
    start = threading.Barrier(4)
    claims: list[bool] = []
    keys: list[str] = []
    errors: list[Exception] = []

    def worker() -> None:
        start.wait()
        try:
            with database.session() as session:
                claims.append(Updates(session).claim(update_id))
            with database.session() as session:
                keys.append(Payloads(session).key_for(payload))
        except Exception as exc:  # what a worker would have crashed on
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(claims) == [False, False, False, True]
    assert set(keys) == {payload_key(payload)}
    with database.session() as session:
        assert Payloads(session).payload_for(keys[0]) == payload
