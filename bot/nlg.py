"""Rasa's NLG, rendered in the user's language through Babel catalogs.

Response texts in ``domain.yml`` are the English source. For each reply this
generator picks the variation as Rasa would, translates its text and button
titles with the compiled catalog of the user's language (context = response
name), fills placeholders from figures formatted for that language, slots and
the action's arguments, adds the source line for answers that rest on facts,
and marks right-to-left text.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rasa.core.nlg import interpolator
from rasa.core.nlg.generator import NaturalLanguageGenerator, ResponseVariationFilter
from rasa.shared.core.trackers import DialogueStateTracker

from bot.content import Facts
from bot.i18n.catalog import BUTTON_CONTEXT, Catalogs, response_context
from bot.i18n.formatting import format_long_date
from bot.languages import CODES, DEFAULT, LANGUAGES, directional

log = logging.getLogger(__name__)

SOURCE_RESPONSE = "utter_source"
LANGUAGE_KEY = "language"  # in message metadata, slot name and action kwargs ("lang")


def language_of(tracker: DialogueStateTracker, override: str | None = None) -> str:
    """The language to answer in: an action's explicit choice, the profile's
    language sent with the message, the conversation's slot, else the default."""
    candidates = [
        override,
        (tracker.latest_message.metadata or {}).get(LANGUAGE_KEY) if tracker.latest_message else None,
        tracker.get_slot(LANGUAGE_KEY),
    ]
    return next((c for c in candidates if c in CODES), DEFAULT)


class ResponseTexts:
    """The response texts of domain.yml, re-read when the file changes, so a
    reworded answer reaches users without retraining or restarting."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self.responses: dict[str, list[dict[str, Any]]] = {}

    def current(self) -> dict[str, list[dict[str, Any]]]:
        stat = self.path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
            self.responses = data.get("responses") or {}
            if self._stamp is not None:
                log.info("Reloaded response texts from %s", self.path)
            self._stamp = stamp
        return self.responses


class BabelNaturalLanguageGenerator(NaturalLanguageGenerator):
    """Renders domain responses in one of the eight languages."""

    def __init__(
        self,
        responses: dict[str, list[dict[str, Any]]] | ResponseTexts,
        catalogs: Catalogs,
        facts: Facts,
    ) -> None:
        self._texts = responses if isinstance(responses, ResponseTexts) else None
        self._static = responses if isinstance(responses, dict) else {}
        self.catalogs = catalogs
        self.facts = facts
        self._filter_for: dict[str, list[dict[str, Any]]] | None = None
        self._filter = ResponseVariationFilter({})

    @property
    def responses(self) -> dict[str, list[dict[str, Any]]]:
        responses = self._texts.current() if self._texts else self._static
        if responses is not self._filter_for:
            self._filter = ResponseVariationFilter(responses)
            self._filter_for = responses
        return responses

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        lang = language_of(tracker, kwargs.pop("lang", None))
        return self.render(utter_action, lang, tracker.current_slot_values(), output_channel, **kwargs)

    def render(
        self,
        name: str,
        lang: str,
        slots: dict[str, Any] | None = None,
        output_channel: str = "",
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        """One reply as Rasa's message dict (text, buttons ...), in ``lang``."""
        slots = slots or {}
        responses = self.responses
        suitable = self._filter.responses_for_utter_action(name, output_channel, slots)
        if not suitable:
            log.error("No response %s for channel %r", name, output_channel)
            return None
        chosen = suitable[np.random.randint(len(suitable))] if len(suitable) > 1 else suitable[0]
        index = next(i for i, v in enumerate(responses[name]) if v is chosen)
        reply = copy.deepcopy(chosen)
        values = self._values(lang, slots, kwargs)

        if reply.get("text"):
            text = self.catalogs.pgettext(lang, response_context(name, index), reply["text"])
            text = interpolator.interpolate_text(text, values)
            text = "\n".join([text, *self._source_lines(name, lang, values)])
            reply["text"] = directional(text, lang)
        for button in reply.get("buttons") or []:
            button["title"] = self.catalogs.pgettext(lang, BUTTON_CONTEXT, button["title"])
            button["payload"] = interpolator.interpolate_text(button["payload"], values)
        reply.pop("condition", None)
        return reply

    def _values(self, lang: str, slots: dict[str, Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {k: v for k, v in slots.items() if v is not None}
        values.update(self.facts.formatted_figures(LANGUAGES[lang].locale))
        values.update({k: v for k, v in kwargs.items() if v is not None})
        return values

    def _source_lines(self, name: str, lang: str, values: dict[str, Any]) -> list[str]:
        if name == SOURCE_RESPONSE:
            return []
        lines = []
        template = self.responses.get(SOURCE_RESPONSE, [{}])[0].get("text", "")
        for fact in self.facts.sources_for(name)[:2]:
            text = self.catalogs.pgettext(lang, response_context(SOURCE_RESPONSE, 0), template)
            lines.append(
                interpolator.interpolate_text(
                    text,
                    {
                        **values,
                        "source_name": fact.source_name,
                        "source_url": fact.source_url,
                        "checked_date": format_long_date(fact.checked, LANGUAGES[lang].locale),
                    },
                )
            )
        return lines
