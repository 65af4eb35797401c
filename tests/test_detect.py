"""Language detection suggests a language only when the message is clear."""

from __future__ import annotations

import pytest

from bot.detect import LanguageDetector

DETECTOR = LanguageDetector()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("hvordan starter jeg en bedrift i Norge", "nb"),
        ("how can I start my own company here", "en"),
        ("كيف ابدأ مشروع صغير في النرويج", "ar"),
        ("sidee loo furaa ganacsi yar", "so"),
        ("ከመይ ጌረ ንግዲ ክጅምር", "ti"),
        ("як відкрити свій бізнес в Норвегії", "uk"),
        ("jak założyć firmę w Norwegii", "pl"),
        ("چطور یک کسب و کار در نروژ شروع کنم", "fa"),
    ],
)
def test_detects_each_language(text: str, code: str) -> None:
    assert DETECTOR.detect(text) == code


@pytest.mark.parametrize("text", ["hei", "ok", "👍👍", "/start", "NAV MVA", "0150"])
def test_short_commands_and_emoji_give_no_guess(text: str) -> None:
    assert DETECTOR.detect(text) is None
