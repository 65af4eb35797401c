"""Finding the municipality and county from what people type."""

from __future__ import annotations

import pytest

from bot.geo import Gazetteer
from tests.conftest import ROOT

PLACES = Gazetteer(ROOT / "content" / "places")


def test_all_2024_municipalities_and_counties_are_known() -> None:
    assert len(PLACES.municipalities) == 357
    assert len({m.county_number for m in PLACES.municipalities.values()}) == 15


@pytest.mark.parametrize(
    ("typed", "label", "county"),
    [
        ("Drammen", "Drammen", "Buskerud"),
        ("jeg bor i bærum kommune", "Bærum", "Akershus"),
        ("Осло", "Oslo", "Oslo"),
        ("برگن", "Bergen", "Vestland"),
        ("0150", "Oslo", "Oslo"),
        ("1300", "Bærum", "Akershus"),
        ("Tromso", "Tromsø", "Troms"),
        ("Fredrikstadt", "Fredrikstad", "Østfold"),
        ("Grorud", "Grorud, Oslo", "Oslo"),
        ("søndre nordstrand", "Søndre Nordstrand, Oslo", "Oslo"),
        ("Kautokeino", "Guovdageaidnu", "Finnmark"),
        ("Ålesund", "Ålesund", "Møre og Romsdal"),
    ],
)
def test_resolves_names_districts_postcodes_and_other_scripts(typed: str, label: str, county: str) -> None:
    place = PLACES.resolve(typed).place
    assert place is not None and place.label == label and place.municipality.county == county


def test_shared_names_and_near_misses_give_candidates() -> None:
    assert [c.label for c in PLACES.resolve("Herøy").candidates] == ["Herøy (Møre og Romsdal)", "Herøy (Nordland)"]
    assert {"Kristiansand", "Kristiansund"} <= {c.label for c in PLACES.resolve("Kristiansnd").candidates}


def test_company_form_as_is_not_the_municipality_as() -> None:
    assert PLACES.resolve("how do I register an AS", fuzzy=False).place is None
    assert PLACES.resolve("Ås").place.label == "Ås"  # type: ignore[union-attr]


def test_nonsense_gives_nothing() -> None:
    result = PLACES.resolve("asdfgh qwerty")
    assert result.place is None and result.candidates == []
