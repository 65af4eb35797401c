"""Content changes reach a running bot: reworded answers and translations
without retraining, new models without a restart, and a rollback."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot import modelstore
from bot.content import Facts
from bot.engine import Assistant
from bot.errors import ModelNotFoundError
from bot.i18n.catalog import Catalogs
from bot.nlg import BabelNaturalLanguageGenerator, ResponseTexts
from tests.conftest import ROOT


def _compile(po: Path) -> None:
    with po.open("rb") as fh:
        catalog = read_po(fh)
    with po.with_suffix(".mo").open("wb") as fh:
        write_mo(fh, catalog)


def test_an_edited_translation_and_a_reworded_answer_are_seen_by_the_next_message(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    shutil.copy(ROOT / "domain.yml", tmp_path / "domain.yml")
    nlg = BabelNaturalLanguageGenerator(
        ResponseTexts(tmp_path / "domain.yml"), Catalogs(tmp_path / "locales"), Facts.load(ROOT / "content" / "facts.yml")
    )
    before = nlg.render("utter_thank", "so")["text"]  # type: ignore[index]

    po = tmp_path / "locales" / "so" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    start = text.index('msgctxt "utter_thank"')
    msgstr = text.index('msgstr "', start)
    end = text.index("\n", msgstr)
    po.write_text(text[:msgstr] + 'msgstr "Mahadsanid adiga! Wax kale ma jiraan?"' + text[end:], encoding="utf-8")
    _compile(po)
    after = nlg.render("utter_thank", "so")["text"]  # type: ignore[index]
    assert before != after == "Mahadsanid adiga! Wax kale ma jiraan?"

    domain = tmp_path / "domain.yml"
    domain.write_text(domain.read_text(encoding="utf-8").replace(
        "Good luck! You can write to me again any time.", "Good luck with your plans! Write to me any time."), encoding="utf-8")
    assert nlg.render("utter_goodbye", "en")["text"] == "Good luck with your plans! Write to me any time."  # type: ignore[index]


async def test_messages_sent_while_the_model_is_swapped_all_get_replies(assistant: Assistant, fast_model: Path, tmp_path: Path) -> None:
    copy = tmp_path / "models"
    copy.mkdir()
    second = Path(shutil.copy(fast_model, copy / "second.tar.gz"))
    expected = assistant.render("utter_thank", "en").text

    async def chatter(uid: int) -> list[str]:
        replies = []
        for _ in range(6):
            replies += [r.text for r in await assistant.handle(f"swap-{uid}", "thank you so much")]
            await asyncio.sleep(0)
        return replies

    first_model = assistant.model_path
    swap = asyncio.create_task(assistant.swap_model(second))
    results = await asyncio.gather(*(chatter(uid) for uid in range(4)))
    await swap
    assert assistant.model_path == second != first_model
    assert all(replies == [expected] * 6 for replies in results)
    assert [r.text for r in await assistant.handle("swap-after", "thank you")] == [expected]


def test_rollback_sets_the_newest_model_aside(tmp_path: Path) -> None:
    old, new = tmp_path / "old.tar.gz", tmp_path / "new.tar.gz"
    old.write_bytes(b"1")
    new.write_bytes(b"2")
    os.utime(old, (1_700_000_000, 1_700_000_000))
    assert modelstore.latest(tmp_path) == new
    aside, serving = modelstore.rollback(tmp_path)
    assert serving == old and aside == tmp_path / "rolled-back" / "new.tar.gz" and aside.exists()
    assert modelstore.latest(tmp_path) == old
    with pytest.raises(ModelNotFoundError):
        modelstore.rollback(tmp_path)


def test_a_catalog_survives_a_round_trip_through_a_spreadsheet(tmp_path: Path) -> None:
    bin_dir = Path(os.sys.executable).parent  # type: ignore[attr-defined]
    po = ROOT / "locales" / "ti" / "LC_MESSAGES" / "messages.po"
    csv = tmp_path / "ti.csv"
    subprocess.run([bin_dir / "po2csv", "--progress=none", po, csv], check=True)
    assert "ትግርኛ" in csv.read_text(encoding="utf-8") or "ሰላም" in csv.read_text(encoding="utf-8")
    back = tmp_path / "back.po"
    subprocess.run([bin_dir / "csv2po", "--progress=none", "-t", ROOT / "locales" / "messages.pot", csv, back], check=True)
    with po.open("rb") as a, back.open("rb") as b:
        original = {(m.context, m.id): m.string for m in read_po(a) if m.id}
        returned = {(m.context, m.id): m.string for m in read_po(b) if m.id}
    assert returned == original


def test_train_is_skipped_when_nothing_the_model_learns_from_changed(tmp_path: Path) -> None:
    from bot.training import fingerprint, train

    config = ROOT / "tests" / "config-fast.yml"
    model = tmp_path / "20260101-000000-kept.tar.gz"
    model.write_bytes(b"model")
    (tmp_path / (model.name + ".inputs")).write_text(fingerprint(ROOT, config) + "\n")
    assert train(ROOT, config, tmp_path) == model  # returns at once: a real training takes minutes


def test_only_the_wording_of_answers_can_change_without_a_new_fingerprint(tmp_path: Path) -> None:
    from bot.training import fingerprint

    for name in ("domain.yml", "nlu", "stories", "bot/nlu", "tests/config-fast.yml"):
        source, target = ROOT / name, tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    config = tmp_path / "tests" / "config-fast.yml"
    before = fingerprint(tmp_path, config)
    domain = tmp_path / "domain.yml"
    domain.write_text(domain.read_text(encoding="utf-8").replace("Good luck!", "All the best!"), encoding="utf-8")
    assert fingerprint(tmp_path, config) == before
    with (tmp_path / "nlu" / "en.yml").open("a", encoding="utf-8") as fh:
        fh.write("    - one more example\n")
    assert fingerprint(tmp_path, config) != before
