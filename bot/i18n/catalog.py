"""Compiled gettext catalogs, one per language, reloaded when their file changes.

A wording or translation change reaches users of the running bot at the next
message: the catalog for a language is re-read when its ``.mo`` file's
modification time changes (no retraining, no restart).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from babel.support import NullTranslations, Translations

from bot.languages import CODES, SOURCE

log = logging.getLogger(__name__)

DOMAIN = "messages"
BUTTON_CONTEXT = "button"


def response_context(name: str, variation: int) -> str:
    """The stable msgctxt of a response variation: its name, and its index when > 0."""
    return name if variation == 0 else f"{name}#{variation}"


@dataclass
class _Loaded:
    mtime: float
    translations: NullTranslations


class Catalogs:
    """Looks up translations in ``locales/<lang>/LC_MESSAGES/messages.mo``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._loaded: dict[str, _Loaded] = {}
        self._lock = threading.Lock()

    def _path(self, lang: str) -> Path:
        return self.directory / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"

    def _translations(self, lang: str) -> NullTranslations:
        path = self._path(lang)
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            if lang != SOURCE:
                log.warning("No compiled catalog for %s at %s", lang, path)
            return NullTranslations()
        loaded = self._loaded.get(lang)
        if loaded is None or loaded.mtime != mtime:
            with self._lock:
                with path.open("rb") as fh:
                    translations = Translations(fh, domain=DOMAIN)
                self._loaded[lang] = _Loaded(mtime, translations)
                if loaded is not None:
                    log.info("Reloaded catalog %s", path)
            return translations
        return loaded.translations

    def pgettext(self, lang: str, context: str, message: str) -> str:
        """Translate ``message`` in ``context``; the source text when untranslated."""
        if lang not in CODES:
            raise ValueError(f"unsupported language {lang!r}")
        return str(self._translations(lang).pgettext(context, message))

    def has(self, lang: str, context: str, message: str) -> bool:
        """Whether a real (non-empty, non-fallback) translation exists."""
        translations = self._translations(lang)
        key = f"{context}\x04{message}"
        return bool(getattr(translations, "_catalog", {}).get(key))
