"""Which of our languages a message is written in.

Ge'ez script means Tigrinya (no detector knows it); for the rest a
lingua-language-detector restricted to our languages, which ships its models.
Short or mixed messages give no answer: detection only ever suggests.
"""

from __future__ import annotations

import re

from lingua import Language as L
from lingua import LanguageDetectorBuilder

_LINGUA = {L.BOKMAL: "nb", L.NYNORSK: "nb", L.ENGLISH: "en", L.ARABIC: "ar", L.SOMALI: "so",
           L.UKRAINIAN: "uk", L.POLISH: "pl", L.PERSIAN: "fa", L.RUSSIAN: "uk"}
_ETHIOPIC = re.compile("[\u1200-\u137f]")
_NOISE = re.compile(r"https?://\S+|[\d\W_]+", re.UNICODE)
MIN_LETTERS = 12
MIN_WORDS = 3


class LanguageDetector:
    def __init__(self) -> None:
        self._detector = (
            LanguageDetectorBuilder.from_languages(*_LINGUA)
            .with_minimum_relative_distance(0.2)
            .with_preloaded_language_models()
            .build()
        )

    def detect(self, text: str) -> str | None:
        """A language code when the message clearly is in one of ours, else None."""
        if text.startswith("/"):
            return None
        if len(_ETHIOPIC.findall(text)) >= 2:
            return "ti"
        words = [w for w in _NOISE.sub(" ", text).split() if len(w) > 1]
        if len(words) < MIN_WORDS or sum(len(w) for w in words) < MIN_LETTERS:
            return None
        found = self._detector.detect_language_of(" ".join(words))
        return _LINGUA.get(found) if found is not None else None
