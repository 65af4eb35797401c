"""Finding the founder service for the user's municipality."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions._content import centres, gazetteer
from bot.geo import Place


def _query(tracker: Tracker) -> tuple[str | None, bool]:
    """What the user said about where they live in this turn, and whether to
    match it loosely (only when the message is an answer about the place)."""
    entities = list(tracker.get_latest_entity_values("municipality"))
    if entities:
        return str(entities[0]), True
    text = (tracker.latest_message or {}).get("text") or ""
    if not text or text.startswith("/"):
        return None, False
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    about_place = intent in ("inform_municipality",) or bool(tracker.get_slot("awaiting_municipality"))
    return text, about_place


class ActionShowFounderCentre(Action):
    """Shows the founder service for the user's municipality, asking for it when unknown.

    Accepts a municipality name, an Oslo district or a postcode, in any script
    and any spelling close enough; offers candidates when unsure.
    """

    def name(self) -> str:
        return "action_show_founder_centre"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        places = gazetteer()
        query, loose = _query(tracker)
        place: Place | None = None
        if query:
            resolution = places.resolve(query, fuzzy=loose)
            place = resolution.place
            if place is None and resolution.candidates:
                dispatcher.utter_message(
                    response="utter_municipality_candidates",
                    buttons=[
                        {
                            "title": candidate.label,
                            "payload": f'/inform_municipality{{"municipality": "{candidate.label}"}}',
                        }
                        for candidate in resolution.candidates
                    ],
                )
                return [SlotSet("awaiting_municipality", True)]
        if place is None:
            known = tracker.get_slot("municipality_code") or (
                (tracker.latest_message or {}).get("metadata") or {}
            ).get("municipality_code")
            municipality = places.by_number(known) if known else None
            if municipality is not None:
                place = Place(municipality)
        if place is None:
            if query and loose:
                dispatcher.utter_message(response="utter_municipality_not_found", query=query[:60])
            else:
                dispatcher.utter_message(response="utter_ask_municipality")
            return [SlotSet("awaiting_municipality", True)]

        m = place.municipality
        centre = centres().for_county(m.county_number)
        if centre is not None and centre.verified and centre.name:
            dispatcher.utter_message(
                response="utter_founder_centre",
                municipality=place.label,
                county=m.county,
                centre_name=centre.name,
                centre_contact=centre.contact,
            )
        else:
            dispatcher.utter_message(
                response="utter_founder_centre_unverified",
                municipality=place.label,
                county=m.county,
                centre_contact=centre.contact_url if centre else "https://info.altinn.no/starte-og-drive/",
            )
        return [
            SlotSet("municipality", place.label),
            SlotSet("municipality_code", m.number),
            SlotSet("county", m.county),
            SlotSet("awaiting_municipality", False),
        ]
