"""Where a user lives: municipality, Oslo district or postcode -> municipality and county.

Data: content/places/ (municipalities valid from 2024, Bring's postcodes, Oslo's
districts, spellings in other scripts; sources in SOURCES.md). Matching is
forgiving: case, diacritics, "kommune", typos (fuzzy), other scripts (aliases),
and a four-digit postcode anywhere in the message.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

POSTCODE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_STOPWORDS = {
    "kommune", "kommunen", "municipality", "bydel", "bydelen", "district", "i", "in", "på", "pa",
    "jeg", "bor", "i live", "live", "my", "i'm", "im", "from", "fra", "the", "city", "by",
}
_TRANSLIT = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ü": "u", "ä": "a", "ö": "o"})
# Words that are also place names once folded to ASCII ("AS" company form vs Ås):
# matched only when typed with their Norwegian letters.
_COMMON_WORDS = {"as", "os", "nes", "sel", "hol", "nav", "enk", "mva", "lom", "vang", "bo", "ha", "al", "hi", "so"}
ACCEPT = 88  # fuzzy score for a sure match
SUGGEST = 72  # fuzzy score for a candidate worth offering


def fold(text: str) -> str:
    """Lower case, Norwegian letters spelled out in ASCII, no diacritics or punctuation."""
    text = text.casefold().translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Municipality:
    number: str
    name: str
    county_number: str
    county: str

    @property
    def short_name(self) -> str:
        """'Herøy (Nordland)' -> 'Herøy'."""
        return self.name.split(" (")[0]


@dataclass(frozen=True)
class Place:
    """A resolved place: the municipality, and the Oslo district if one was named."""

    municipality: Municipality
    district: str | None = None

    @property
    def label(self) -> str:
        return f"{self.district}, {self.municipality.short_name}" if self.district else self.municipality.name


@dataclass
class Resolution:
    place: Place | None = None
    candidates: list[Place] = field(default_factory=list)


class Gazetteer:
    def __init__(self, directory: Path) -> None:
        self.municipalities: dict[str, Municipality] = {}
        with (directory / "municipalities.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                m = Municipality(row["kommunenummer"], row["name"], row["county_number"], row["county_name"])
                self.municipalities[m.number] = m
        self.postcodes: dict[str, str] = {}
        with (directory / "postcodes.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                self.postcodes[row["postcode"]] = row["kommunenummer"]

        # folded name -> places (several when a name is shared, e.g. Herøy)
        self.names: dict[str, list[Place]] = {}
        self.exact: dict[str, list[Place]] = {}  # case-folded, letters kept
        for m in self.municipalities.values():
            self._add(m.name, Place(m))
            self._add(m.short_name, Place(m))
        with (directory / "municipality_name_variants.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                m = self.municipalities[row["kommunenummer"]]
                for word in row["name_in_bring_register"].split():
                    self._add(word, Place(m))
        with (directory / "oslo_districts.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                self._add(row["district"], Place(self.municipalities[row["kommunenummer"]], row["district"]))
        with (directory / "aliases.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for target in self.names.get(fold(row["place"]), []):
                    self._add(row["alias"], target)
        self._choices = list(self.names)

    def _add(self, name: str, place: Place) -> None:
        for index, key in ((self.names, fold(name)), (self.exact, " ".join(name.casefold().split()))):
            places = index.setdefault(key, [])
            if place not in places:
                places.append(place)

    def by_number(self, number: str) -> Municipality | None:
        return self.municipalities.get(number)

    def resolve(self, text: str, fuzzy: bool = True) -> Resolution:
        """Find the place a message names; candidates when unsure or ambiguous.

        With ``fuzzy=False`` only a postcode or a name spelled exactly (any
        case) counts: for messages that are about something else.
        """
        match = POSTCODE.search(text)
        if match and match.group(1) in self.postcodes:
            m = self.municipalities.get(self.postcodes[match.group(1)])
            if m is not None:
                return Resolution(Place(m))
        whole = self.exact.get(" ".join(text.casefold().split()))
        if whole:
            return _one_or_candidates(whole)
        raw = [w.strip(".,!?;:()\"'") for w in text.casefold().split()]
        for gram in _grams([w for w in raw if w]):
            places = self.exact.get(gram)
            if places:
                return _one_or_candidates(places)
        if not fuzzy:
            return Resolution()
        words = [w for w in fold(text).split() if w not in _STOPWORDS and w not in _COMMON_WORDS]
        if not words:
            return Resolution()
        grams = _grams(words)
        for gram in grams:
            places = self.names.get(gram)
            if places:
                return _one_or_candidates(places)
        best: dict[str, float] = {}
        for gram in grams:
            if len(gram) < 3:
                continue
            for choice, score, _ in process.extract(gram, self._choices, scorer=fuzz.ratio, limit=5):
                best[choice] = max(best.get(choice, 0.0), score)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        if ranked and ranked[0][1] >= ACCEPT and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= 5):
            return _one_or_candidates(self.names[ranked[0][0]])
        candidates: list[Place] = []
        for choice, score in ranked:
            if score < SUGGEST:
                break
            for place in self.names[choice]:
                if place not in candidates:
                    candidates.append(place)
        return Resolution(candidates=candidates[:4])


def _grams(words: list[str]) -> list[str]:
    """Word n-grams, longest first (so "Søndre Nordstrand" beats "Nordstrand")."""
    return [" ".join(words[i : i + n]) for n in (3, 2, 1) for i in range(len(words) - n + 1)]


def _one_or_candidates(places: list[Place]) -> Resolution:
    return Resolution(places[0]) if len(places) == 1 else Resolution(candidates=list(places))
