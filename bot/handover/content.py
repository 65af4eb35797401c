"""What editors configure about the handover (content/handover.yml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import ContentError

# Intents that say nothing about the topic of a case.
SMALL_TALK = frozenset({
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "ask_capabilities", "change_language",
    "request_human", "inform_municipality", "out_of_scope", "nlu_fallback",
})


@dataclass(frozen=True)
class Choice:
    label: str  # Norwegian, for staff
    response: str  # domain response sent to the user in their language


@dataclass(frozen=True)
class HandoverContent:
    topics_needing_a_person: frozenset[str]
    intent_labels: dict[str, str]
    stages: dict[str, str]  # intent -> stage
    stage_labels: dict[str, str]
    canned: tuple[Choice, ...]
    glossary: tuple[Choice, ...]

    @classmethod
    def load(cls, path: Path) -> HandoverContent:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        try:
            stages = {intent: stage for stage, intents in (raw.get("stages") or {}).items() for intent in intents}
            return cls(
                topics_needing_a_person=frozenset(raw.get("topics_needing_a_person") or ()),
                intent_labels=dict(raw.get("intent_labels") or {}),
                stages=stages,
                stage_labels=dict(raw.get("stage_labels") or {}),
                canned=tuple(Choice(c["label"], c["response"]) for c in raw.get("canned_replies") or ()),
                glossary=tuple(Choice(g["term"], g["response"]) for g in raw.get("glossary") or ()),
            )
        except (KeyError, TypeError) as exc:
            raise ContentError(f"{path}: malformed handover content ({exc})") from exc

    def label(self, intent: str | None) -> str:
        if not intent:
            return "ukjent"
        return self.intent_labels.get(intent, intent)

    def topic_of(self, intents: list[str]) -> str | None:
        """The latest intent that names a subject, else the request itself."""
        for intent in reversed(intents):
            if intent not in SMALL_TALK:
                return intent
        return "request_human" if "request_human" in intents else None

    def stage_of(self, intents: list[str]) -> str | None:
        for intent in reversed(intents):
            if intent in self.stages:
                return self.stages[intent]
        return None
