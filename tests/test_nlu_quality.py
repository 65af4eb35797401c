"""Understanding quality per language on held-out examples (never trained on)."""

from __future__ import annotations

import pytest

from bot.engine import Assistant
from bot.evaluation import format_scores, load_heldout, score_agent
from bot.languages import CODES
from tests.conftest import ROOT

FLOOR = 0.85


def test_heldout_examples_are_not_in_training_data() -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    heldout = load_heldout(ROOT)
    assert set(heldout) == set(CODES)
    for lang in CODES:
        trained = {m.get("text").casefold() for m in load_data(str(ROOT / "nlu" / f"{lang}.yml")).intent_examples}
        leaked = [text for text, _ in heldout[lang] if text.casefold() in trained]
        assert leaked == [], lang


async def test_intent_accuracy_per_language_reaches_floor(assistant: Assistant) -> None:
    scores, _ = await score_agent(assistant.agent, load_heldout(ROOT))
    print("\n" + format_scores(scores))
    below = {s.language: round(s.accuracy, 3) for s in scores if s.accuracy < FLOOR}
    assert below == {}, f"languages under {FLOOR}: {below}"


@pytest.mark.parametrize(
    ("text", "municipality"),
    [
        ("jeg bor i Drammen", "Drammen"),
        ("я живу в Осло", "Oslo"),
        ("أنا ساكن في برگن", "Bergen"),
    ],
)
async def test_municipality_entity_is_extracted_and_normalised(assistant: Assistant, text: str, municipality: str) -> None:
    parsed = await assistant.agent.parse_message(text)
    values = [e["value"] for e in parsed["entities"] if e["entity"] == "municipality"]
    assert municipality in values, parsed["entities"]
