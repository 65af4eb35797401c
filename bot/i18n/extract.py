"""Babel extractor for the response texts in the Rasa domain (``domain.yml``).

Each response variation becomes one entry with the context ``utter_x`` (or
``utter_x#N`` for the N-th variation), so a reworded source text keeps its old
translations as fuzzy instead of orphaning them. Button titles share the
context ``button``: the same title is translated once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

from bot.i18n.catalog import BUTTON_CONTEXT, response_context

Extracted = tuple[int, str, tuple[str, str], list[str]]


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every string it reads."""


def _construct_str(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    value = loader.construct_scalar(node)
    return _LinedStr(value, node.start_mark.line + 1)


class _LinedStr(str):
    line: int

    def __new__(cls, value: str, line: int) -> _LinedStr:
        obj = super().__new__(cls, value)
        obj.line = line
        return obj


_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)


def iter_domain_messages(responses: dict[str, list[dict[str, Any]]]) -> Iterator[tuple[int, str, str]]:
    """(line, context, text) for every translatable text in a domain's responses."""
    for name, variations in responses.items():
        for index, variation in enumerate(variations or []):
            text = variation.get("text")
            if text:
                yield getattr(text, "line", 0), response_context(str(name), index), str(text)
            for button in variation.get("buttons") or []:
                title = button.get("title")
                if title:
                    yield getattr(title, "line", 0), BUTTON_CONTEXT, str(title)


def extract_domain(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[Extracted]:
    """Babel extraction method (registered as ``rasa_domain``)."""
    data = yaml.load(fileobj.read().decode("utf-8"), Loader=_LineLoader) or {}  # noqa: S506
    for line, context, text in iter_domain_messages(data.get("responses") or {}):
        yield line, "pgettext", (context, text), []
