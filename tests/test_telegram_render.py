"""Long replies are split at sentence ends; text is escaped for HTML."""

from __future__ import annotations

import html

from bot.engine import Button
from bot.telegram.render import LIMIT, escape, keyboard, split_text


def test_short_text_stays_whole() -> None:
    assert split_text("Hei! Hvordan går det?") == ["Hei! Hvordan går det?"]


def test_long_text_is_split_after_sentences_under_the_limit() -> None:
    sentence = "Du må registrere deg i Merverdiavgiftsregisteret når salget passerer grensen. "
    text = sentence * 120  # about 9,500 characters
    chunks = split_text(text)
    assert len(chunks) == 3
    assert all(len(html.escape(c, quote=False)) <= LIMIT for c in chunks)
    assert all(c.endswith("grensen.") for c in chunks[:-1])
    assert " ".join(chunks).split() == text.split()


def test_escaping_counts_towards_the_limit_and_keeps_every_character() -> None:
    text = "A & B < C. " * 600
    chunks = split_text(text)
    assert all(len(escape(c)) <= LIMIT for c in chunks)
    assert "".join(chunks).replace(" ", "") == text.replace(" ", "")


def test_arabic_without_latin_punctuation_still_splits() -> None:
    text = "هذا نص طويل جدا بدون نقاط " * 400
    chunks = split_text(text)
    assert len(chunks) > 1 and all(len(c) <= LIMIT for c in chunks)


def test_escape_keeps_links_plain() -> None:
    assert escape("Se <https://www.nav.no/> & brreg.no") == "Se &lt;https://www.nav.no/&gt; &amp; brreg.no"


def test_buttons_become_one_per_row_with_short_callback_data() -> None:
    markup = keyboard([Button("Ja", "/affirm"), Button("Herøy (Møre og Romsdal)", '/inform_municipality{"municipality": "Herøy (Møre og Romsdal)"}')],
                      key_for=lambda payload: str(len(payload)))
    assert markup is not None
    rows = markup.inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["Ja"], ["Herøy (Møre og Romsdal)"]]
    assert all(len(b.callback_data.encode()) <= 64 for row in rows for b in row)  # type: ignore[union-attr]
