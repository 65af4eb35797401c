"""`python -m bot review`: messages worth an editor's look, as Rasa NLU data.

Exports the user messages that fell back, were understood with low
confidence, or led to a request for a person, with personal data removed
(bot/privacy.py), grouped by language and by the intent the model found
most likely, so an editor can correct the labels and move the examples into
nlu/<lang>.yml.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.languages import CODES, DEFAULT
from bot.privacy import scrub

LOW_CONFIDENCE = 0.5
HANDOVER_INTENTS = {"request_human"}


@dataclass(frozen=True)
class ReviewItem:
    language: str
    likely_intent: str
    reason: str
    text: str


def _likely(parse: dict) -> tuple[str, float]:  # type: ignore[type-arg]
    ranking = parse.get("intent_ranking") or [parse.get("intent") or {}]
    for entry in ranking:
        if entry.get("name") and entry["name"] != "nlu_fallback":
            return str(entry["name"]), float(entry.get("confidence") or 0.0)
    return "out_of_scope", 0.0


def collect(tracker_store_url: str) -> list[ReviewItem]:
    """Read user messages from Rasa's SQL tracker store (table ``events``)."""
    engine = create_engine(tracker_store_url, future=True)
    items: list[ReviewItem] = []
    previous: dict[str, ReviewItem] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id")
        )
        for sender_id, data in rows:
            event = json.loads(data)
            message = str(event.get("text") or "")
            parse = event.get("parse_data") or {}
            intent = (parse.get("intent") or {}).get("name")
            if intent in HANDOVER_INTENTS and sender_id in previous:
                # what they asked just before wanting a person (a button or typed)
                earlier = previous.pop(sender_id)
                items.append(ReviewItem(earlier.language, earlier.likely_intent, "handover", earlier.text))
            if not message or message.startswith("/"):
                continue
            confidence = float((parse.get("intent") or {}).get("confidence") or 0.0)
            language = ((event.get("metadata") or {}).get("language")) or DEFAULT
            language = language if language in CODES else DEFAULT
            likely, _ = _likely(parse)
            reason = "fallback" if intent == "nlu_fallback" else "low confidence" if confidence < LOW_CONFIDENCE else None
            item = ReviewItem(language, likely, reason or "", scrub(message))
            if reason:
                items.append(item)
            else:
                previous[sender_id] = item
    engine.dispose()
    return items


def write(items: list[ReviewItem], out: Path) -> list[Path]:
    """One Rasa NLU file per language: review/<lang>.yml."""
    out.mkdir(parents=True, exist_ok=True)
    grouped: dict[str, dict[str, list[ReviewItem]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        grouped[item.language][item.likely_intent].append(item)
    written = []
    for language, intents in sorted(grouped.items()):
        lines = [
            f"# Messages to review ({language}): fell back, low confidence, or before a request for a person.",
            "# Personal data is removed. Check each label, then move the example into nlu/"
            f"{language}.yml under the right intent.",
            'version: "3.1"',
            "nlu:",
        ]
        for intent, entries in sorted(intents.items()):
            reasons: dict[str, int] = defaultdict(int)
            for entry in entries:
                reasons[entry.reason] += 1
            summary = ", ".join(f"{reason} ×{count}" for reason, count in sorted(reasons.items()))
            lines += [f"# likely intent {intent}: {summary}", f"- intent: {intent}", "  examples: |"]
            seen: set[str] = set()
            for entry in entries:
                one_line = " ".join(entry.text.split())
                if one_line and one_line not in seen:
                    seen.add(one_line)
                    lines.append(f"    - {one_line}")
        path = out / f"{language}.yml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written
