"""Regional founder services per county (content/centres.yml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import ContentError


@dataclass(frozen=True)
class Centre:
    id: str
    county_number: str
    county: str
    name: str | None
    verified: bool
    contact_url: str
    phone: str | None = None
    email: str | None = None
    opening_hours: str | None = None
    languages: tuple[str, ...] = ()
    staff_chat: int | None = None

    @property
    def contact(self) -> str:
        parts = [p for p in (self.phone, self.email, self.contact_url) if p]
        return " · ".join(parts)


class Centres:
    def __init__(self, centres: list[Centre]) -> None:
        self._by_county = {c.county_number: c for c in centres}

    @classmethod
    def load(cls, path: Path) -> Centres:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        centres = []
        for entry in raw.get("centres") or []:
            try:
                centres.append(
                    Centre(
                        id=entry["id"],
                        county_number=str(entry["county_number"]),
                        county=entry["county"],
                        name=entry.get("name"),
                        verified=bool(entry.get("verified")),
                        contact_url=entry["contact_url"],
                        phone=entry.get("phone"),
                        email=entry.get("email"),
                        opening_hours=entry.get("opening_hours"),
                        languages=tuple(entry.get("languages") or ()),
                        staff_chat=entry.get("staff_chat"),
                    )
                )
            except KeyError as exc:
                raise ContentError(f"{path}: centre {entry.get('id', '?')} lacks {exc}") from exc
        return cls(centres)

    def for_county(self, county_number: str) -> Centre | None:
        return self._by_county.get(county_number)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_county.values())
