"""`make check`: everything an editor must fix before training, in plain words
with file and line. Errors make the exit status non-zero; warnings do not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import yaml
from babel.messages.pofile import read_po

from bot.i18n.catalog import BUTTON_CONTEXT
from bot.i18n.extract import iter_domain_messages
from bot.languages import CODES, SOURCE
from bot.nlu.normalize import normalize

MIN_EXAMPLES = 15
STALE_AFTER_DAYS = 365
PLACEHOLDER = re.compile(r"\{[^{}\s]+\}")


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, where: str, what: str) -> None:
        self.errors.append(f"{where}: {what}")

    def warn(self, where: str, what: str) -> None:
        self.warnings.append(f"{where}: {what}")


def _rel(root: Path, path: Path) -> str:
    return str(path.relative_to(root))


def _examples(root: Path) -> dict[str, dict[str, list[tuple[str, int, str]]]]:
    """language -> intent -> [(example, line, file)]"""
    found: dict[str, dict[str, list[tuple[str, int, str]]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted((root / "nlu").rglob("*.yml")):
        lang = next((p for p in (path.stem, path.parent.name) if p in CODES), None)
        if lang is None:
            continue
        intent = None
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = re.match(r"^- intent:\s*(\S+)", line)
            if match:
                intent = match.group(1)
            elif re.match(r"^- \w+:", line):
                intent = None
            elif intent and line.strip().startswith("- "):
                found[lang][intent].append((line.strip()[2:], number, _rel(root, path)))
    return found


def _plain(example: str) -> str:
    text = re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", example)
    return normalize(re.sub(r"[^\w\s]", " ", text))


def check_training_data(root: Path, report: Report) -> None:
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
    intents = [i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])]
    examples = _examples(root)
    for lang in CODES:
        for intent in intents:
            count = len(examples[lang].get(intent, []))
            if count < MIN_EXAMPLES:
                report.error(f"nlu/{lang}.yml", f"intent '{intent}' has {count} examples in {lang}, needs at least {MIN_EXAMPLES}")
        for intent in examples[lang]:
            if intent not in intents:
                where = examples[lang][intent][0]
                report.error(f"{where[2]}:{where[1]}", f"intent '{intent}' is not in domain.yml")
    seen: dict[str, tuple[str, str, int, str]] = {}
    for lang in CODES:
        for intent, items in examples[lang].items():
            for example, line, path in items:
                key = _plain(example)
                other = seen.get(key)
                if other and other[0] != intent:
                    report.error(f"{path}:{line}", f"'{example}' is also an example of '{other[0]}' ({other[3]}:{other[2]})")
                elif other is None:
                    seen[key] = (intent, lang, line, path)
    stories = " ".join(p.read_text(encoding="utf-8") for p in (root / "stories").rglob("*.yml"))
    for intent in intents:
        if not re.search(rf"intent:\s*{re.escape(intent)}\b", stories):
            report.error("stories/", f"intent '{intent}' has no story or rule")


def check_catalogs(root: Path, report: Report) -> None:
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
    expected = {(ctx, text) for _, ctx, text in iter_domain_messages(domain.get("responses") or {})}
    for lang in CODES:
        path = root / "locales" / lang / "LC_MESSAGES" / "messages.po"
        where = _rel(root, path)
        if not path.exists():
            report.error(where, f"no catalog for {lang}: run `make i18n`")
            continue
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        present = {(m.context, m.id) for m in catalog if m.id}
        for ctx, text in sorted(expected - present):
            report.error(where, f"missing entry {ctx} {text[:50]!r}: run `make i18n`")
        for message in catalog:
            if not message.id:
                continue
            at = f"{where}:{message.lineno}"
            if (message.context, message.id) not in expected:
                report.error(at, f"stale entry {message.context} no longer in domain.yml: run `make i18n`")
            if message.fuzzy:
                report.error(at, f"{message.context}: the source text changed, the translation needs review (fuzzy)")
            if not message.string:
                report.error(at, f"{message.context}: not translated to {lang}")
                continue
            if sorted(PLACEHOLDER.findall(str(message.id))) != sorted(PLACEHOLDER.findall(str(message.string))):
                report.error(at, f"{message.context}: placeholders differ from the source text")
            if lang != SOURCE and message.string == message.id and message.context != BUTTON_CONTEXT and len(message.id) > 20:
                report.warn(at, f"{message.context}: translation is identical to the English source")
        if catalog.obsolete:
            report.warn(where, f"{len(catalog.obsolete)} obsolete entries (#~): remove them when no longer useful")


def check_facts(root: Path, report: Report, today: dt.date | None = None, stale_after_days: int = STALE_AFTER_DAYS) -> None:
    today = today or dt.date.today()
    path = root / "content" / "facts.yml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
    responses = domain.get("responses") or {}
    for entry in data.get("facts") or []:
        fid = entry.get("id", "?")
        line = next((n for n, row in enumerate(text.splitlines(), 1) if re.match(rf"\s*- id:\s*{re.escape(fid)}\s*$", row)), 0)
        at = f"content/facts.yml:{line}"
        for key in ("source_name", "source_url", "checked"):
            if not entry.get(key):
                report.error(at, f"fact {fid} has no {key}")
        url = str(entry.get("source_url") or "")
        parsed = urlparse(url)
        if url and (parsed.scheme not in ("http", "https") or not parsed.netloc or " " in url):
            report.error(at, f"fact {fid}: source_url is not a well-formed web address")
        checked = entry.get("checked")
        if isinstance(checked, str):
            try:
                checked = dt.date.fromisoformat(checked)
            except ValueError:
                report.error(at, f"fact {fid}: checked must be a date like 2026-11-25")
                checked = None
        if isinstance(checked, dt.date) and (today - checked).days > stale_after_days:
            report.warn(at, f"fact {fid} was last checked {checked.isoformat()}, over {round(stale_after_days / 30.4)} months ago: compare it with its source")
        if entry.get("confidence") == "low" and entry.get("responses"):
            report.error(at, f"fact {fid} has low confidence and must not be cited in answers")
        for name in entry.get("responses") or []:
            if name not in responses:
                report.error(at, f"fact {fid} names response {name}, which is not in domain.yml")
        for fig, spec in (entry.get("figures") or {}).items():
            if not isinstance(spec, dict) or "value" not in spec or spec.get("kind") not in ("money", "percent", "number", "text"):
                report.error(at, f"figure {fig} needs a value and a kind (money, percent, number or text)")


def check_lookups(root: Path, report: Report) -> None:
    from bot.nlu.lookups import render

    path = root / "nlu" / "lookups.yml"
    if not path.exists() or path.read_text(encoding="utf-8") != render(root):
        report.error("nlu/lookups.yml", "out of date with content/places/ or the examples: run `make lookups`")


def check_links(root: Path, report: Report) -> None:
    path = root / "domain.yml"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for url in re.findall(r"https?://[^\s\"')]+", line):
            if not urlparse(url).netloc:
                report.error(f"domain.yml:{number}", f"malformed link {url}")


def run_checks(root: Path, today: dt.date | None = None, rasa_validation: bool = True,
               stale_after_days: int = STALE_AFTER_DAYS) -> Report:
    report = Report()
    check_training_data(root, report)
    check_catalogs(root, report)
    check_facts(root, report, today, stale_after_days)
    check_links(root, report)
    check_lookups(root, report)
    if rasa_validation:
        check_with_rasa(root, report)
    return report


def check_with_rasa(root: Path, report: Report) -> None:
    """Rasa's own validation of domain, data and stories."""
    import logging

    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(root / "domain.yml"),
        training_data_paths=[str(root / "nlu"), str(root / "stories")],
        config_path=str(root / "config.yml"),
    )
    logging.getLogger("rasa").setLevel(logging.ERROR)
    validator = Validator.from_importer(importer)
    checks = {
        "intents": validator.verify_intents_in_stories(ignore_warnings=True),
        "utterances": validator.verify_utterances_in_stories(ignore_warnings=True),
        "actions": validator.verify_actions_in_stories_rules(),
        "story structure": validator.verify_story_structure(ignore_warnings=True, max_history=5),
        "domain": validator.verify_domain_validity(),
        "forms": validator.verify_form_slots(),
        "slot mappings": validator.verify_slot_mappings(),
    }
    for name, ok in checks.items():
        if not ok:
            report.error("rasa data validate", f"{name} check failed (run `rasa data validate` for details)")


def main(root: Path, stale_after_days: int = STALE_AFTER_DAYS) -> int:
    report = run_checks(root, stale_after_days=stale_after_days)
    for line in report.errors:
        print(f"ERROR   {line}")
    for line in report.warnings:
        print(f"warning {line}")
    print(f"make check: {len(report.errors)} errors, {len(report.warnings)} warnings")
    return 1 if report.errors else 0
