"""Recognition of foreign education, by kind of education."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

ANSWERS = {
    "higher": "utter_recognition_higher",
    "vocational": "utter_recognition_vocational",
    "undocumented": "utter_recognition_undocumented",
    "regulated": "utter_regulated_profession",
}


class ActionAnswerRecognition(Action):
    """Asks which kind of education the user has, then answers for that kind."""

    def name(self) -> str:
        return "action_answer_recognition"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        kinds = [str(v) for v in tracker.get_latest_entity_values("education_kind")]
        kind = next((k for k in kinds if k in ANSWERS), None)
        if kind is None:
            dispatcher.utter_message(response="utter_recognition_ask_kind")
            return []
        dispatcher.utter_message(response=ANSWERS[kind])
        return [SlotSet("education_kind", None)]
