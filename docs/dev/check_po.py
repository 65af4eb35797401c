"""Quick check of one catalog while translating: python docs/dev/check_po.py <lang>."""

import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po

lang = sys.argv[1]
path = Path("locales") / lang / "LC_MESSAGES" / "messages.po"
with path.open("rb") as fh:
    catalog = read_po(fh, locale=lang)
problems = []
for m in catalog:
    if not m.id:
        continue
    if not m.string:
        problems.append(f"empty: {m.context} {m.id[:50]!r}")
        continue
    a = sorted(re.findall(r"\{[a-z_]+\}", m.id))
    b = sorted(re.findall(r"\{[a-z_]+\}", m.string))
    if a != b:
        problems.append(f"placeholders differ in {m.context}: source {a} vs {b}")
    if "fuzzy" in m.flags:
        problems.append(f"fuzzy: {m.context}")
print("\n".join(problems) if problems else f"OK: {len(catalog)} entries in {path}")
