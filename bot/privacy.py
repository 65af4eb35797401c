"""Personal data in free text: found and removed before anything leaves the
conversation store (review exports, logs).

Norwegian national identity numbers (fødselsnummer) and D-numbers are 11
digits whose two check digits follow the mod-11 rule; phone numbers and
e-mail addresses in the usual written forms.
"""

from __future__ import annotations

import re

_ELEVEN = re.compile(r"(?<!\d)(\d{6})[ .-]?(\d{5})(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# +47 123 45 678, 0047 12345678, 12 34 56 78, 123-45-678, and foreign numbers with +
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d ()./-]{6,16}\d(?!\d)")

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def is_national_id(digits: str) -> bool:
    """A valid fødselsnummer or D-number (check digits per the mod-11 rule)."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    d = [int(c) for c in digits]
    k1 = 11 - sum(w * x for w, x in zip(_W1, d[:9], strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(w * x for w, x in zip(_W2, d[:10], strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    return k1 < 10 and k2 < 10 and d[9] == k1 and d[10] == k2


def scrub(text: str) -> str:
    """The text with identity numbers, e-mail addresses and phone numbers replaced.

    Any 11-digit number is removed, valid or not: a mistyped identity number is
    still personal data. Four-digit postcodes stay (they route to a centre)."""
    text = _EMAIL.sub("<e-mail>", text)
    text = _ELEVEN.sub("<id-number>", text)

    def phone(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return "<phone>" if len(digits) >= 8 else match.group(0)

    return _PHONE.sub(phone, text)
