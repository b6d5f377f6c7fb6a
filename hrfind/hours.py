"""Weekly opening hours: clock times, "open now / open at", time zones.

Hours are wall-clock times in the service's own time zone. A span belongs to the day it opens:
"20:00"-"02:00" on Friday runs into Saturday morning, and "00:00"-"24:00" is the whole day.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Union

import msgspec

from hrfind.errors import UsageError
from hrfind.i18n import _
from hrfind.model import DAYS

if TYPE_CHECKING:
    import zoneinfo

    from hrfind.model import Hours, Service

_CLOCK = re.compile(r"([01]\d|2[0-4]):([0-5]\d)")
DAY = 24 * 60
WEEK = 7 * DAY
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WHEN_FORMS = 'a weekday and time like "sat 10:00" or "friday 9:30pm", an ISO date-time like "2026-11-28T10:00", or "now"'
_WEEKDAY_TIME = re.compile(r"(?P<day>[a-z]+)\.?,?\s+(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<half>[ap]\.?m\.?)?")
_DAY_ALIASES = {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}


def clock_minutes(text: str) -> int:
    """Minutes after midnight of an "HH:MM" time; "24:00" is the end of the day."""
    m = _CLOCK.fullmatch(text)
    if not m or (m.group(1) == "24" and m.group(2) != "00"):
        raise ValueError(f'expected a time "HH:MM" from 00:00 to 24:00, got "{text}"')
    return int(m.group(1)) * 60 + int(m.group(2))


@dataclasses.dataclass(frozen=True)
class WeekTime:
    """A weekday and wall-clock time, in whichever time zone each service keeps."""

    weekday: int  # 0 is Monday
    minute: int  # after midnight

    def __str__(self) -> str:
        return f"{DAYS[self.weekday].title()} {_clock(self.minute)}"


# A datetime without tzinfo is a wall-clock time in each service's zone; with tzinfo, an instant.
Moment = Union[datetime.datetime, WeekTime]


def parse_when(text: str, now: datetime.datetime) -> Moment:
    """The moment a person typed for --open-at: "now", "sat 10:00", or an ISO date-time."""
    words = " ".join(text.lower().split())
    if words == "now":
        return now
    m = _WEEKDAY_TIME.fullmatch(words)
    if m:
        return WeekTime(_weekday(m.group("day"), text), _time_of_day(m, text))
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f'"{text}" is not a time; give {WHEN_FORMS}.') from None
    if len(text.strip()) <= 10:  # fromisoformat takes a bare date as midnight, rarely what was meant
        raise UsageError(f'"{text}" has no time of day; add one, like "{text.strip()}T10:00".')
    if not 1900 <= moment.year <= 2999:  # hours are weekly; and at the ends of the calendar time zones overflow
        raise UsageError(f'"{text}" is out of range; give a date-time from the year 1900 to 2999, like "2026-11-28T10:00".')
    return moment


def _weekday(word: str, text: str) -> int:
    if word in _DAY_ALIASES:
        return _DAY_ALIASES[word]
    if len(word) >= 3:
        for number, name in enumerate(DAY_NAMES):
            if name.startswith(word):
                return number
    raise UsageError(f'"{word}" in "{text}" is not a day of the week; give {WHEN_FORMS}.')


def hour_of_day(hour: int, half: str | None) -> int | None:
    """The 24-hour hour of a clock reading with "a..." or "p..." (12am is midnight, 12pm noon); None if out of 1-12."""
    if not half:
        return hour
    return hour % 12 + (12 if half.startswith("p") else 0) if 1 <= hour <= 12 else None


def _time_of_day(m: re.Match[str], text: str) -> int:
    hour, minute = hour_of_day(int(m.group("hour")), m.group("half")), int(m.group("minute") or 0)
    if hour is None:
        raise UsageError(f'"{text}" has an hour out of range; with am or pm the hour goes from 1 to 12.')
    if hour > 23 or minute > 59:
        raise UsageError(f'"{text}" has a time out of range; give a time from 00:00 to 23:59, like "sat 10:00".')
    return hour * 60 + minute


@functools.cache
def zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The time zone of an IANA name, or None when it is missing or unknown."""
    if not name:
        return None
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def zone_of(service: Service) -> str | None:
    """The service's IANA time zone: its own, else its US postal code's, else None (unknown)."""
    if service.timezone:
        return service.timezone if zone(service.timezone) else None
    address = service.address
    if address is None or not address.postal_code or address.country not in (None, "US"):
        return None
    from hrfind import zips

    return zips.zip_timezone(address.postal_code)


def local(moment: Moment, zone_name: str | None) -> Moment | None:
    """The moment as a wall-clock time in a zone; None when an instant meets an unknown zone."""
    if isinstance(moment, WeekTime) or moment.tzinfo is None:
        return moment
    tz = zone(zone_name)
    return moment.astimezone(tz) if tz else None


@dataclasses.dataclass(frozen=True)
class Week:
    """Opening hours as merged spans of minutes from Monday 00:00, repeated a week either side."""

    spans: tuple[tuple[int, int], ...]

    @property
    def always_open(self) -> bool:
        return any(e - s >= WEEK for s, e in self.spans)

    def span_at(self, minute: int) -> tuple[int, int] | None:
        return next(((s, e) for s, e in self.spans if s <= minute < e), None)


def week(hours: Sequence[Hours]) -> Week:
    """The spans of a service's hours; ValueError names the first invalid one."""
    raw: list[tuple[int, int]] = []
    for i, span in enumerate(hours):
        try:
            opens, closes = clock_minutes(span.opens), clock_minutes(span.closes)
        except ValueError as error:
            raise ValueError(f"hours[{i}]: {error}") from None
        if opens == DAY or opens == closes or not span.days or any(d not in DAYS for d in span.days):
            raise ValueError(f"hours[{i}]: invalid span; run hrfind validate for details")
        for d in span.days:
            start = DAYS.index(d) * DAY + opens
            # Closing at or before opening means the span runs past midnight into the next day.
            raw.append((start, start - opens + closes + (DAY if closes < opens else 0)))
    # Copies a week before and after let Sunday night run into Monday and searches wrap the week.
    copies = sorted((s + shift, e + shift) for s, e in raw for shift in (-WEEK, 0, WEEK))
    merged: list[list[int]] = []
    for s, e in copies:
        if merged and s <= merged[-1][1]:  # touching spans read as one: 20:00-24:00 then 00:00-02:00
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return Week(tuple((s, e) for s, e in merged))


def minute_of_week(moment: Moment) -> int:
    if isinstance(moment, WeekTime):
        return moment.weekday * DAY + moment.minute
    return moment.weekday() * DAY + moment.hour * 60 + moment.minute


def open_at(hours: Sequence[Hours], moment: Moment) -> bool:
    """Whether the hours are open at a wall-clock moment in their own time zone."""
    return week(hours).span_at(minute_of_week(moment)) is not None


def status(schedule: Week, moment: Moment) -> str | None:
    """"open, closes 17:00", "opens Mon 09:00" or "open 24 hours"; None without hours."""
    if schedule.always_open:
        return _("open 24 hours")
    now = minute_of_week(moment)
    span = schedule.span_at(now)
    if span is not None:
        return f"{_('open, closes')} {_closing(span[1], now)}"
    start = min((s for s, _end in schedule.spans if s > now), default=None)
    if start is None:
        return None
    return f"{_('opens')} {_clock(start % DAY)}" if start // DAY == now // DAY else f"{_('opens')} {_day_clock(start)}"


def _closing(end: int, now: int) -> str:
    if end - now > DAY:
        return _day_clock(end)
    if end % DAY == 0 and end // DAY == now // DAY + 1:
        return "24:00"  # midnight tonight, not this morning's 00:00
    return _clock(end % DAY)


def day_hours(schedule: Week, weekday: int) -> str:
    """One day's hours as "09:00-17:00", "20:00-02:00, ..." , "24 hours" or "closed"."""
    begin, end = weekday * DAY, (weekday + 1) * DAY
    parts = []
    for s, e in schedule.spans:
        if e <= begin or s >= end:
            continue
        if s <= begin and e >= end:
            return _("24 hours")
        if s >= begin:
            if e <= end:
                parts.append(f"{_clock(s - begin)}-{_clock(e - begin)}")
            elif e - s < DAY:  # an overnight span, read on the day it opens
                parts.append(f"{_clock(s - begin)}-{_clock(e - end)}")
            else:  # runs through tomorrow, which says "24 hours" or shows where it stops
                parts.append(f"{_clock(s - begin)}-24:00")
        elif not (s >= begin - DAY and e - s < DAY):  # yesterday's overnight span is yesterday's
            parts.append(f"00:00-{_clock(e - begin)}")
    return ", ".join(parts) or _("closed")


def weekly(schedule: Week) -> list[tuple[str, str]]:
    """The week as (days, hours) rows, runs of days alike together: [("Mon-Fri", "09:00-17:00"), ("Sat-Sun", "closed")]."""
    rows: list[tuple[int, int, str]] = []
    for day in range(7):
        text = day_hours(schedule, day)
        if rows and rows[-1][2] == text:
            rows[-1] = (rows[-1][0], day, text)
        else:
            rows.append((day, day, text))
    return [(_day(a) if a == b else f"{_day(a)}-{_day(b)}", text) for a, b, text in rows]


class Reading(msgspec.Struct, frozen=True):
    """A service's hours read at one moment."""

    open_now: bool | None = None  # None: no hours, or the day and time are unknown (no time zone)
    hours_today: str | None = None
    status: str | None = None


def reading(service: Service, moment: Moment) -> Reading:
    """Whether a service is open at a moment, that day's hours and a status line; ValueError for broken hours."""
    if not service.hours:
        return Reading()
    schedule = week(service.hours)
    local_moment = local(moment, zone_of(service))
    if local_moment is not None:
        minute = minute_of_week(local_moment)
        return Reading(schedule.span_at(minute) is not None, day_hours(schedule, minute // DAY), status(schedule, local_moment))
    # Without a time zone the day and time are unknown; say only what holds whatever they are.
    days = {day_hours(schedule, d) for d in range(7)}
    return Reading(True if schedule.always_open else None, days.pop() if len(days) == 1 else None,
                   _("open 24 hours") if schedule.always_open else None)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_clock(minute: int) -> str:
    return f"{_day((minute // DAY) % 7)} {_clock(minute % DAY)}"


def _day(weekday: int) -> str:
    """ "Mon", in the run's language ("lun")."""
    return _(DAYS[weekday].title())
