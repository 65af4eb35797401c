"""Office hours in Europe/Oslo, closed on Norwegian public holidays.

Written the way an administrator would: ``"mon-fri 08:00-15:30"``, several
spans separated by ``;`` (``"mon-thu 08:00-15:30; fri 08:00-14:00"``), or
``"closed"`` for a centre that is closed until further notice.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays
from babel.dates import format_datetime, format_time, get_day_names

OSLO = ZoneInfo("Europe/Oslo")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$")


def _time(text: str) -> dt.time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return dt.time.max
    return dt.time(hours, minutes)


@dataclass(frozen=True)
class Span:
    days: tuple[int, ...]  # 0 = Monday
    start: dt.time
    end: dt.time


class OfficeHours:
    def __init__(self, spans: tuple[Span, ...], text: str) -> None:
        self.spans = spans
        self.text = text
        self._holidays = holidays.country_holidays("NO")

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        text = " ".join(text.strip().lower().split())
        if text in ("", "closed"):
            return cls((), "closed")
        spans = []
        for part in text.split(";"):
            match = _SPAN.match(part.strip())
            if not match or match["first"] not in DAYS or (match["last"] and match["last"] not in DAYS):
                raise ValueError(f"office hours {part.strip()!r}: expected e.g. 'mon-fri 08:00-15:30'")
            first = DAYS.index(match["first"])
            last = DAYS.index(match["last"] or match["first"])
            start, end = _time(match["start"]), _time(match["end"])
            if last < first or end <= start:
                raise ValueError(f"office hours {part.strip()!r}: days and times must run forwards")
            spans.append(Span(tuple(range(first, last + 1)), start, end))
        return cls(tuple(spans), text)

    @property
    def closed(self) -> bool:
        return not self.spans

    def is_holiday(self, day: dt.date) -> bool:
        return day in self._holidays

    def is_open(self, when: dt.datetime) -> bool:
        local = when.astimezone(OSLO)
        if self.is_holiday(local.date()):
            return False
        return any(local.weekday() in s.days and s.start <= local.time() < s.end for s in self.spans)

    def next_open(self, when: dt.datetime) -> dt.datetime | None:
        """When the office next opens (``when`` itself if open), or None if it never does."""
        if self.closed:
            return None
        if self.is_open(when):
            return when
        local = when.astimezone(OSLO)
        for offset in range(0, 30):
            day = local.date() + dt.timedelta(days=offset)
            if self.is_holiday(day):
                continue
            starts = sorted(s.start for s in self.spans if day.weekday() in s.days)
            for start in starts:
                candidate = dt.datetime.combine(day, start, OSLO)
                if candidate > local:
                    return candidate
        return None

    def describe(self, locale: str) -> str:
        """The hours in the reader's language: "man.–fre. 08:00–15:30"."""
        if self.closed:
            return "—"
        names = get_day_names("abbreviated", locale=locale)
        parts = []
        for span in self.spans:
            days = names[span.days[0]] if len(span.days) == 1 else f"{names[span.days[0]]}–{names[span.days[-1]]}"
            end = "24:00" if span.end == dt.time.max else format_time(span.end, "HH:mm", locale=locale)
            parts.append(f"{days} {format_time(span.start, 'HH:mm', locale=locale)}–{end}")
        return "; ".join(parts)


def format_moment(when: dt.datetime, locale: str) -> str:
    """A date and time in Oslo, written for the reader's locale."""
    return format_datetime(when.astimezone(OSLO), "EEEE d MMMM HH:mm", tzinfo=OSLO, locale=locale)
