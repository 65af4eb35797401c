"""The eight languages Veiviser speaks, with their names in their own script."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str
    english_name: str
    rtl: bool = False

    @property
    def locale(self) -> str:
        """The Babel/CLDR locale used for numbers, money and dates."""
        return self.code


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("nb", "Norsk (bokmål)", "Norwegian"),
        Language("en", "English", "English"),
        Language("ar", "العربية", "Arabic", rtl=True),
        Language("so", "Soomaali", "Somali"),
        Language("ti", "ትግርኛ", "Tigrinya"),
        Language("uk", "Українська", "Ukrainian"),
        Language("pl", "Polski", "Polish"),
        Language("fa", "فارسی / دری", "Persian / Dari", rtl=True),
    )
}
CODES: tuple[str, ...] = tuple(LANGUAGES)
DEFAULT = "en"
STAFF = "nb"
SOURCE = "en"  # the language of the response texts in domain.yml

# Telegram's language_code values that map onto ours (IETF tags, lower case).
_ALIASES = {"no": "nb", "nn": "nb", "nb": "nb", "prs": "fa", "ps": "fa"}


def normalise_code(code: str | None) -> str | None:
    """Map an IETF tag such as 'ar-SY', 'nb-NO' or 'prs' onto one of our codes."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    base = _ALIASES.get(base, base)
    return base if base in LANGUAGES else None


# Unicode right-to-left mark: starts each line so that a line opening with a
# Latin word (NAV, MVA) is still laid out right-to-left.
RLM = "\u200f"


def directional(text: str, code: str) -> str:
    """Mark every line of a right-to-left language's text as right-to-left."""
    if not LANGUAGES[code].rtl:
        return text
    return "\n".join(RLM + line if line and not line.startswith(RLM) else line for line in text.split("\n"))
