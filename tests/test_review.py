"""The review export: what fell back, with personal data removed, as NLU data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from bot.engine import Assistant
from bot.privacy import is_national_id, scrub
from bot.review import collect, write

PERSONAL = ["+47 412 34 567", "41234567", "amina.farah@example.no", "15076500565", "150765 00565", "55076500565"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ring meg på +47 412 34 567", "ring meg på <phone>"),
        ("min e-post amina.farah@example.no", "min e-post <e-mail>"),
        ("fødselsnummer 150765 00565", "fødselsnummer <id-number>"),
        ("postnummer 0150 og 12 måneder", "postnummer 0150 og 12 måneder"),
    ],
)
def test_scrub(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_national_id_check_digits() -> None:
    assert is_national_id("15076500565") and not is_national_id("15076500566")


async def test_export_groups_by_language_and_never_contains_personal_data(assistant: Assistant, settings: Settings, tmp_path: Path) -> None:
    messages = [
        ("rev-1", "en", "my number is +47 412 34 567 what about blorf zibble quux"),
        ("rev-2", "nb", "min epost er amina.farah@example.no hjelp med skatt og snorkel"),
        ("rev-3", "so", "lambarkayga waa 15076500565 xxyyzz qqq"),
        ("rev-4", "ar", "رقمي 41234567 و D-nummer 55076500565 مممم"),
    ]
    for sender, lang, text in messages:
        assistant.set_language(sender, lang, chosen=True)
        await assistant.handle(sender, text)
        await assistant.handle(sender, "/request_human")
    written = write(collect(settings.resolved_tracker_store_url()), tmp_path)
    assert {p.name for p in written} >= {"en.yml", "nb.yml", "so.yml", "ar.yml"}
    exported = "\n".join(p.read_text(encoding="utf-8") for p in written)
    for value in PERSONAL:
        assert value not in exported
    assert "<phone>" in exported and "<e-mail>" in exported and "<id-number>" in exported
    for path in written:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["nlu"] and all("intent" in block and block["examples"].strip() for block in data["nlu"])
