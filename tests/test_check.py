"""`make check` on the shipped content (clean) and on deliberately broken copies."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from bot.check import run_checks
from tests.conftest import ROOT

CONTENT = ("domain.yml", "config.yml", "nlu", "stories", "locales", "content")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for name in CONTENT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    return tmp_path


def test_shipped_content_is_clean() -> None:
    report = run_checks(ROOT, rasa_validation=False)
    assert report.errors == []


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_missing_translation_is_reported_with_file_and_line(copy: Path) -> None:
    po = copy / "locales" / "so" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    start = text.index('msgctxt "utter_thank"')
    block_end = text.index("\n\n", start)
    block = text[start:block_end]
    emptied = re.sub(r'msgstr ".*"(\n".*")*\Z', 'msgstr ""', block)
    po.write_text(text[:start] + emptied + text[block_end:], encoding="utf-8")
    errors = run_checks(copy, rasa_validation=False).errors
    assert any(e.startswith("locales/so/LC_MESSAGES/messages.po:") and "utter_thank: not translated to so" in e for e in errors), errors


def test_placeholder_mismatch_is_reported(copy: Path) -> None:
    po = copy / "locales" / "pl" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    start = text.index('msgctxt "utter_vat_registration"')
    msgstr = text.index("msgstr", start)
    end = text.index("\n\n", msgstr)
    po.write_text(text[:msgstr] + text[msgstr:end].replace("{vat_threshold}", "{vat_limit}") + text[end:], encoding="utf-8")
    errors = run_checks(copy, rasa_validation=False).errors
    line = _line_of(po, 'msgctxt "utter_vat_registration"') + 1  # the msgid line
    assert any(e.startswith(f"locales/pl/LC_MESSAGES/messages.po:{line}") and "placeholders differ" in e for e in errors), errors


def test_intent_without_story_is_reported(copy: Path) -> None:
    _edit(copy / "stories" / "rules.yml", "      - intent: permits_and_licences\n      - action: utter_permits_and_licences\n", "")
    _edit(copy / "stories" / "rules.yml", "  - rule: permits_and_licences gets its answer\n    steps:\n", "")
    errors = run_checks(copy, rasa_validation=False).errors
    assert "stories/: intent 'permits_and_licences' has no story or rule" in errors


def test_stale_fact_is_a_warning_not_an_error(copy: Path) -> None:
    report = run_checks(copy, today=dt.date(2028, 1, 1), rasa_validation=False)
    assert report.errors == []
    line = _line_of(copy / "content" / "facts.yml", "- id: vat-01")
    assert f"content/facts.yml:{line}: fact vat-01 was last checked 2026-11-25, over 12 months ago: compare it with its source" in report.warnings


def test_example_under_two_intents_is_reported(copy: Path) -> None:
    nlu = copy / "nlu" / "en.yml"
    _edit(nlu, "- intent: thank\n  examples: |\n", "- intent: thank\n  examples: |\n    - where is the etablerertjeneste in bergen\n")
    _edit(nlu, "- intent: find_founder_centre\n  examples: |\n", "- intent: find_founder_centre\n  examples: |\n    - where is the etablerertjeneste in Bergen\n")
    errors = run_checks(copy, rasa_validation=False).errors
    line = _line_of(nlu, "    - where is the etablerertjeneste in Bergen")
    assert any(e.startswith(f"nlu/en.yml:{line}: ") and "is also an example of 'thank'" in e for e in errors), errors


def test_command_line_exit_status(copy: Path) -> None:
    from bot.check import main

    assert main(ROOT) == 0
    _edit(copy / "content" / "facts.yml", "    source_name: Skatteetaten\n", "    source_name: ''\n")
    assert main(copy) == 1
