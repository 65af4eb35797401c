"""What staff read about a case, in Norwegian: the case card, the bot's
reading of a user's message and the case list. Pure functions of the data."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence

from bot.handover.content import HandoverContent
from bot.languages import LANGUAGES
from bot.storage.models import Case, CaseMessage, Staff, utcnow

STATUS = {"waiting": "venter", "taken": "tatt", "closed": "lukket", "cancelled": "trukket av brukeren"}
OUTCOMES = {"answered": "besvart", "referred": "henvist videre", "no_response": "ikke svar fra brukeren"}
KINDS = {"photo": "bilde", "document": "dokument", "voice": "talemelding", "video": "video",
         "video_note": "videomelding", "sticker": "klistremerke", "audio": "lydfil", "location": "posisjon",
         "contact": "kontakt", "other": "melding"}


def minutes_since(moment: dt.datetime, now: dt.datetime | None = None) -> int:
    return max(0, int(((now or utcnow()) - moment).total_seconds() // 60))


def waited(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    minutes = minutes_since(moment, now)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} t {rest} min" if hours < 48 else f"{hours // 24} døgn"


def reading(content: HandoverContent, intent: str | None, confidence: float | None, entities: str | None) -> str:
    """The bot's understanding of a message, for staff who cannot read it."""
    text = f"{content.label(intent)} ({confidence:.0%} sikker)" if confidence is not None else content.label(intent)
    return f"{text}; {entities}" if entities else text


def _line(content: HandoverContent, message: CaseMessage) -> str:
    at = message.at.strftime("%H:%M")
    if message.author == "user":
        if message.kind != "text":
            return f"👤 {at} [{KINDS.get(message.kind, message.kind)}]"
        quoted = html.escape((message.text or "")[:120])
        return f"👤 {at} «{quoted}» → {html.escape(reading(content, message.intent, message.confidence, message.entities))}"
    if message.author == "bot":
        return f"🤖 {at} svarte: {html.escape(content.label(message.intent) if message.intent else 'svar')}"
    return f"🧑‍💼 {at} {html.escape((message.text or '')[:120])}"


def case_card(case: Case, content: HandoverContent, municipality: str | None, centre: str,
              messages: Sequence[CaseMessage], staff: Staff | None = None, header: str = "Ny sak") -> str:
    """The card posted to the staff group: enough to act without reading the transcript."""
    language = LANGUAGES[case.language]
    answered = list(dict.fromkeys(m.intent for m in messages if m.author == "bot" and m.intent))
    lines = [
        f"<b>{html.escape(header)} #{case.id}</b> · {STATUS.get(case.status, case.status)}"
        + (f" ({html.escape(staff.first_name)})" if staff and case.status == "taken" else "")
        + f" · venter {waited(case.created_at)}",
        f"Språk: {language.native_name} ({case.language}, {language.english_name})",
        f"Kommune: {html.escape(municipality or 'ikke oppgitt')}",
        f"Senter: {html.escape(centre)}",
        f"Tema: {html.escape(content.label(case.topic))}",
        f"Fase: {html.escape(content.stage_labels.get(case.stage or '', 'ukjent'))}",
        f"Samtykke til deling: ja, {case.consent_at:%d.%m.%Y %H:%M} (UTC)",
    ]
    if case.contact_preference:
        lines.append(f"Ønsket kontakt: «{html.escape(case.contact_preference[:200])}»")
    if answered:
        lines.append("Boten har svart om: " + html.escape(", ".join(content.label(i) for i in answered)))
    if messages:
        lines.append("")
        lines.append("Siste meldinger:")
        lines.extend(_line(content, m) for m in messages[-8:])
    return "\n".join(lines)


def case_list(cases: Sequence[Case], content: HandoverContent, staff_names: dict[int, str], me: int | None) -> str:
    if not cases:
        return "Ingen åpne saker. 👍"
    lines = ["<b>Åpne saker</b>"]
    for case in cases:
        who = ""
        if case.status == "taken":
            who = " · " + ("deg" if case.staff_id == me else html.escape(staff_names.get(case.staff_id or 0, "?")))
        lines.append(
            f"#{case.id} · {STATUS[case.status]}{who} · {waited(case.created_at)} · {case.language} · "
            f"{html.escape(content.label(case.topic))}"
        )
    return "\n".join(lines)
