"""docs/editing.md, example 1, followed on a copy of the project as an editor
would: examples in eight languages, the intent, the answer, the rule, the
translations, `make check`, training the fast model, and the new answer."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from babel.messages.pofile import read_po, write_po

from bot.check import run_checks
from bot.languages import CODES
from bot.training import train
from tests.conftest import FAST_CONFIG, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "editing_example"
ANSWER = "Veiviser is free. Public founder and career services are also free to talk to."
COPIED = ("domain.yml", "config.yml", "babel.cfg", "nlu", "stories", "locales", "content", "bot", "tests/config-fast.yml")


def _copy_project(target: Path) -> None:
    for name in COPIED:
        source = ROOT / name
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, destination)


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")


def test_example_one_a_new_question_with_its_answer_in_all_languages(tmp_path: Path) -> None:
    project = tmp_path / "veiviser"
    _copy_project(project)
    # a) examples in every language
    for lang in CODES:
        lines = (FIXTURES / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
        _append(project / "nlu" / f"{lang}.yml", "- intent: ask_cost\n  examples: |\n" + "".join(f"    - {line}\n" for line in lines))
    # b) the intent, c) the answer
    domain = project / "domain.yml"
    text = domain.read_text(encoding="utf-8")
    text = text.replace("  - out_of_scope\n", "  - out_of_scope\n  - ask_cost\n", 1)
    text = text.replace("responses:\n", f'responses:\n  utter_ask_cost:\n    - text: "{ANSWER}"\n\n', 1)
    domain.write_text(text, encoding="utf-8")
    # d) when to answer
    _append(project / "stories" / "rules.yml", "  - rule: ask_cost gets its answer\n    steps:\n      - intent: ask_cost\n      - action: utter_ask_cost\n")
    # e) make i18n, then the translations
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run([pybabel, "extract", "-F", "babel.cfg", "-o", "locales/messages.pot", "."], cwd=project, check=True, capture_output=True)
    subprocess.run([pybabel, "update", "-i", "locales/messages.pot", "-d", "locales", "-D", "messages", "--no-wrap"],
                   cwd=project, check=True, capture_output=True)
    translations = yaml.safe_load((FIXTURES / "translations.yml").read_text(encoding="utf-8"))
    translations["en"] = ANSWER
    for lang in CODES:
        po = project / "locales" / lang / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        entry = catalog.get(ANSWER, context="utter_ask_cost")
        assert entry is not None and not entry.string  # new and untranslated until the translator fills it
        entry.string = translations[lang]
        entry.flags.discard("fuzzy")
        with po.open("wb") as fh:
            write_po(fh, catalog, width=0)
    subprocess.run([pybabel, "compile", "-d", "locales", "-D", "messages"], cwd=project, check=True, capture_output=True)
    # f) make check, then train
    report = run_checks(project, rasa_validation=False)
    assert report.errors == []
    model = train(project, project / "tests" / "config-fast.yml", project / "models")
    assert FAST_CONFIG.read_text() == (project / "tests" / "config-fast.yml").read_text()

    answers = asyncio.run(_ask(project, model))
    assert answers, "no held-out message was answered"
    for lang, replies in answers.items():
        assert all(reply == translations[lang] for reply in replies), (lang, replies)


async def _ask(project: Path, model: Path) -> dict[str, list[str]]:
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from bot.content import Facts
    from bot.i18n.catalog import Catalogs
    from bot.nlg import BabelNaturalLanguageGenerator, ResponseTexts

    nlg = BabelNaturalLanguageGenerator(ResponseTexts(project / "domain.yml"), Catalogs(project / "locales"),
                                        Facts.load(project / "content" / "facts.yml"))
    agent = Agent.load(str(model), generator=nlg)
    heldout = yaml.safe_load((FIXTURES / "heldout.yml").read_text(encoding="utf-8"))
    answers: dict[str, list[str]] = {}
    for lang in CODES:
        for number, text in enumerate(heldout[lang]):
            output = CollectingOutputChannel()
            await agent.handle_message(UserMessage(text, output, f"edit-{lang}-{number}", metadata={"language": lang}))
            answers.setdefault(lang, []).extend(m["text"].replace("\u200f", "") for m in output.messages)
    return answers
