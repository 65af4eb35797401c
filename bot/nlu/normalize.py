"""Script-aware text normalisation for understanding (never for display).

Folds the variants people type for the same word: Arabic/Persian letter forms,
diacritics and tatweel, zero-width non-joiners, Ukrainian apostrophes, Latin
diacritics (Polish and Norwegian letters typed without them), case and digits.
"""

from __future__ import annotations

import re
import unicodedata

_ARABIC = str.maketrans(
    {
        "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
        "ة": "ه", "ؤ": "و", "ۀ": "ه", "ـ": None, "\u200c": "", "\u200d": "", "\u200f": "",
        "\u200e": "", "’": "'", "ʼ": "'", "`": "'", "‘": "'",
    }
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LATIN_SPECIAL = str.maketrans({"æ": "ae", "ø": "o", "ł": "l", "ß": "ss", "đ": "d"})
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_REPEATS = re.compile(r"(.)\1{2,}")


def _strip_latin_diacritics(text: str) -> str:
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            prev = out[-1] if out else ""
            if "a" <= prev <= "z":  # only Latin letters lose their marks
                continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(_ARABIC).translate(_DIGITS).translate(_LATIN_SPECIAL)
    text = _ARABIC_MARKS.sub("", text)
    text = _strip_latin_diacritics(text)
    text = _REPEATS.sub(r"\1\1", text)  # "heiiii" -> "heii"
    return " ".join(text.split())
