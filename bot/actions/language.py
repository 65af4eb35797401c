"""Changing the language of the conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.languages import LANGUAGES, normalise_code


def language_buttons() -> list[dict[str, str]]:
    """The eight languages, each in its own name and script."""
    return [
        {"title": lang.native_name, "payload": f'/change_language{{"language": "{lang.code}"}}'}
        for lang in LANGUAGES.values()
    ]


class ActionChangeLanguage(Action):
    def name(self) -> str:
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        wanted = [normalise_code(str(v)) for v in tracker.get_latest_entity_values("language")]
        code = next((c for c in wanted if c), None)
        if code is None:
            dispatcher.utter_message(response="utter_choose_language", buttons=language_buttons())
            return []
        dispatcher.utter_message(
            response="utter_language_changed", lang=code, language_name=LANGUAGES[code].native_name
        )
        return [SlotSet("language", code)]
