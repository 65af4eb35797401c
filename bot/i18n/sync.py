"""The English catalog mirrors the source texts in domain.yml (they are English)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

from bot.languages import SOURCE


def sync_source_catalog(locales: Path) -> None:
    path = locales / SOURCE / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=SOURCE)
    for message in catalog:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
            message.previous_id = []
    catalog.obsolete.clear()
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0, include_previous=True)
