"""Conversations as a person has them, through the whole pipeline: NLU, rules,
custom actions on the action server, Babel NLG, the profile in the database."""

from __future__ import annotations

import itertools

from bot.engine import Assistant
from bot.i18n.formatting import format_figure
from bot.languages import LANGUAGES, RLM

_ids = itertools.count()


def new_user(assistant: Assistant, language: str | None = None) -> str:
    sender = f"test-{next(_ids)}"
    if language:
        assistant.set_language(sender, language, chosen=True)
    return sender


async def say(assistant: Assistant, sender: str, text: str) -> list[str]:
    return [reply.text for reply in await assistant.handle(sender, text)]


async def test_vat_question_in_arabic_gets_the_threshold_and_source(assistant: Assistant) -> None:
    user = new_user(assistant, "ar")
    replies = await assistant.handle(user, "لازم اسجل بالـ MVA اذا عندي شركة صغيرة؟")
    assert [r.text for r in replies] == [assistant.render("utter_vat_registration", "ar").text]
    text = replies[0].text
    assert format_figure(50000, "money", "ar") in text
    assert "skatteetaten.no" in text
    assert text.startswith(RLM)
    assert [b.payload for b in replies[0].buttons] == ["/tax_and_accounting", "/register_business"]


async def test_founder_centre_in_tigrinya_asks_for_the_municipality_then_routes(assistant: Assistant) -> None:
    user = new_user(assistant, "ti")
    assert await say(assistant, user, "ቀረባ etablerersenter ኣበይ ይርከብ") == [
        assistant.render("utter_ask_municipality", "ti").text
    ]
    replies = await say(assistant, user, "ኣብ ኦስሎ እየ ዝነብር")
    assert len(replies) == 1 and "Oslo" in replies[0]
    assert replies[0] == assistant.render(
        "utter_founder_centre_unverified", "ti", municipality="Oslo", county="Oslo",
        centre_contact="https://info.altinn.no/starte-og-drive/",
    ).text
    assert assistant.profile(user)["municipality_code"] == "0301"


async def test_postcode_and_misspelling_are_understood_as_places(assistant: Assistant) -> None:
    user = new_user(assistant, "en")
    await say(assistant, user, "where is the founder service near me")
    assert "Bergen" in (await say(assistant, user, "5003"))[0]
    other = new_user(assistant, "pl")
    await say(assistant, other, "gdzie jest etablerertjeneste")
    assert "Fredrikstad" in (await say(assistant, other, "Fredrikstadt"))[0]


async def test_ambiguous_municipality_offers_candidates(assistant: Assistant) -> None:
    user = new_user(assistant, "nb")
    replies = await assistant.handle(user, "jeg bor i Herøy")
    assert replies[0].text == assistant.render("utter_municipality_candidates", "nb").text
    assert {b.title for b in replies[0].buttons} == {"Herøy (Møre og Romsdal)", "Herøy (Nordland)"}
    pressed = await say(assistant, user, replies[0].buttons[1].payload)
    assert "Nordland" in pressed[0]


async def test_grant_flow_tells_then_and_now_in_norwegian(assistant: Assistant) -> None:
    user = new_user(assistant, "nb")
    assert await say(assistant, user, "hva er tilskudd til jobbskapingsprosjekter") == [
        assistant.render("utter_job_creation_grant", "nb").text
    ]
    assert await say(assistant, user, "/grant_eligibility") == [assistant.render("utter_grant_eligibility_ask", "nb").text]
    answer = await say(assistant, user, "nei, det er for et kursprosjekt")
    assert answer == [assistant.render("utter_grant_eligibility_organisation", "nb").text]
    history = await say(assistant, user, "hvor mye dekker tilskuddet")
    assert format_figure(70, "percent", "nb") in history[0] and "2013" in history[0]


async def test_dagpenger_flow_in_ukrainian(assistant: Assistant) -> None:
    user = new_user(assistant, "uk")
    first = await say(assistant, user, "чи можу я отримувати dagpenger і відкрити свій бізнес")
    assert first == [assistant.render("utter_benefits_while_starting", "uk").text]
    assert await say(assistant, user, "так") == [assistant.render("utter_benefits_next_steps", "uk").text]


async def test_recognition_asks_the_kind_of_education_in_persian(assistant: Assistant) -> None:
    user = new_user(assistant, "fa")
    replies = await assistant.handle(user, "میخوام مدرک دانشگاهیم رو در نروژ تایید کنم")
    assert replies[0].text == assistant.render("utter_recognition_ask_kind", "fa").text
    higher = await say(assistant, user, replies[0].buttons[0].payload)
    assert higher == [assistant.render("utter_recognition_higher", "fa").text]


async def test_changing_language_by_message_is_kept_for_the_next_turns(assistant: Assistant) -> None:
    user = new_user(assistant, "en")
    assert await say(assistant, user, "can we speak polish please") == [
        assistant.render("utter_language_changed", "pl", language_name=LANGUAGES["pl"].native_name).text
    ]
    assert assistant.profile(user)["language"] == "pl"
    assert await say(assistant, user, "hello") == [assistant.render("utter_greet", "pl").text]


async def test_language_picker_lists_languages_in_their_own_script(assistant: Assistant) -> None:
    user = new_user(assistant, "so")
    replies = await assistant.handle(user, "/change_language")
    assert replies[0].text == assistant.render("utter_choose_language", "so").text
    assert [b.title for b in replies[0].buttons] == [lang.native_name for lang in LANGUAGES.values()]


async def test_first_message_sets_the_language_by_detection(assistant: Assistant) -> None:
    user = new_user(assistant)
    replies = await say(assistant, user, "як відкрити свій бізнес в Норвегії")
    assert replies == [assistant.render("utter_start_business", "uk").text]
    assert assistant.profile(user)["language"] == "uk"


async def test_a_chosen_language_is_not_overridden_but_a_switch_is_suggested(assistant: Assistant) -> None:
    user = new_user(assistant, "en")
    replies = await assistant.handle(user, "كيف ابدأ مشروعي الخاص في النرويج")
    assert replies[0].text == assistant.render("utter_start_business", "en").text
    assert replies[-1].text == assistant.language_suggestion("ar").text
    assert replies[-1].buttons[0].payload == '/change_language{"language": "ar"}'
    assert assistant.profile(user)["language"] == "en"


async def test_out_of_scope_gets_the_fallback_in_somali(assistant: Assistant) -> None:
    user = new_user(assistant, "so")
    replies = await say(assistant, user, "kubadda cagta yaa guuleystay shalay")
    assert replies == [assistant.render("utter_default", "so").text]
