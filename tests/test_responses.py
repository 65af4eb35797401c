"""Every response, rendered in every language: translated, filled, readable."""

from __future__ import annotations

import re

import pytest
from rasa.shared.core.domain import Domain

from bot.content import Facts
from bot.i18n.catalog import BUTTON_CONTEXT, Catalogs, response_context
from bot.i18n.formatting import format_figure, format_long_date
from bot.languages import CODES, LANGUAGES, RLM, SOURCE
from bot.nlg import BabelNaturalLanguageGenerator
from tests.conftest import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
FACTS = Facts.load(ROOT / "content" / "facts.yml")
CATALOGS = Catalogs(ROOT / "locales")
NLG = BabelNaturalLanguageGenerator(DOMAIN.responses, CATALOGS, FACTS)
# values the actions pass for the placeholders that are not figures
ACTION_VALUES = {
    "municipality": "Drammen", "county": "Buskerud", "centre_name": "Etablerertjenesten",
    "centre_contact": "https://info.altinn.no/starte-og-drive/", "query": "Dramen",
    "language_name": "Polski", "source_name": "NAV", "source_url": "https://www.nav.no/",
    "checked_date": "25.11.2026",
    # the handover desk's values (bot/telegram/desk.py)
    "case": "#12", "centre": "Etablerertjenesten Vestland", "staff_name": "Kari", "contact": "https://www.vlfk.no/",
    "opens": "mandag 30. november 08:00", "since": "onsdag 25. november 10:15", "hours": "man.–fre. 08:00–15:30",
}
PLACEHOLDER = re.compile(r"\{[^{}\s]+\}")


@pytest.mark.parametrize("lang", CODES)
@pytest.mark.parametrize("name", sorted(DOMAIN.responses))
def test_response_is_translated_and_filled(name: str, lang: str) -> None:
    reply = NLG.render(name, lang, **ACTION_VALUES)
    assert reply is not None
    text = reply["text"]
    assert text.strip()
    assert not PLACEHOLDER.search(text), text
    assert "utter_" not in text and "msgid" not in text
    source = DOMAIN.responses[name][0]
    if lang != SOURCE:
        assert CATALOGS.has(lang, response_context(name, 0), source["text"]), f"{lang} lacks {name}"
        for button in source.get("buttons") or []:
            assert CATALOGS.has(lang, BUTTON_CONTEXT, button["title"]), f"{lang} lacks button {button['title']!r}"
    if LANGUAGES[lang].rtl:
        assert all(line.startswith(RLM) for line in text.split("\n") if line)


@pytest.mark.parametrize("lang", CODES)
def test_figures_and_sources_are_formatted_for_the_language(lang: str) -> None:
    text = NLG.render("utter_vat_registration", lang)["text"]  # type: ignore[index]
    vat = FACTS.figures["vat_threshold"]
    assert format_figure(vat.value, vat.kind, lang) in text
    fact = next(f for f in FACTS.facts if f.id == "vat-01")
    assert fact.source_url in text
    assert format_long_date(fact.checked, lang) in text


def test_every_figure_used_in_a_response_exists() -> None:
    figures = set(FACTS.figures)
    used = {m[1:-1] for variations in DOMAIN.responses.values() for v in variations
            for m in PLACEHOLDER.findall(v.get("text", ""))}
    assert {name for name in used if name not in ACTION_VALUES} <= figures


def test_no_low_confidence_fact_is_cited() -> None:
    assert [f.id for f in FACTS.facts if f.confidence == "low" and f.responses] == []
