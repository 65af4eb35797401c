"""Content files: facts with their sources and figures (content/facts.yml)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ContentError
from bot.i18n.formatting import format_figure

FIGURE_KINDS = ("money", "percent", "number", "text")


@dataclass(frozen=True)
class Figure:
    name: str
    value: Any
    kind: str
    fact_id: str


@dataclass(frozen=True)
class Fact:
    id: str
    source_name: str
    source_url: str
    checked: dt.date
    confidence: str
    figures: tuple[Figure, ...] = ()
    responses: tuple[str, ...] = ()
    line: int = 0


@dataclass
class Facts:
    facts: list[Fact] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Facts:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        facts = []
        for entry in raw.get("facts") or []:
            try:
                figures = tuple(
                    Figure(name, spec["value"], spec["kind"], entry["id"])
                    for name, spec in (entry.get("figures") or {}).items()
                )
                checked = entry["checked"]
                if isinstance(checked, str):
                    checked = dt.date.fromisoformat(checked)
                facts.append(
                    Fact(
                        id=entry["id"],
                        source_name=entry["source_name"],
                        source_url=entry["source_url"],
                        checked=checked,
                        confidence=entry.get("confidence", "high"),
                        figures=figures,
                        responses=tuple(entry.get("responses") or ()),
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ContentError(f"{path}: fact {entry.get('id', '?')}: {exc}") from exc
        return cls(facts)

    @property
    def figures(self) -> dict[str, Figure]:
        return {fig.name: fig for fact in self.facts for fig in fact.figures}

    def formatted_figures(self, locale: str) -> dict[str, str]:
        return {name: format_figure(fig.value, fig.kind, locale) for name, fig in self.figures.items()}

    def sources_for(self, response: str) -> list[Fact]:
        """Facts an answer rests on, one per distinct source page, newest check first."""
        seen: dict[str, Fact] = {}
        for fact in self.facts:
            if response in fact.responses and fact.confidence != "low":
                current = seen.get(fact.source_url)
                if current is None or fact.checked > current.checked:
                    seen[fact.source_url] = fact
        return list(seen.values())
