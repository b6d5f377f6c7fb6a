"""Weekly hours: open at a moment, overnight and all-day spans, the words shown, time zones, DST."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hrfind import hours
from hrfind.errors import UsageError
from hrfind.hours import WeekTime
from hrfind.model import DAYS, Address, Hours, Service

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
OFFICE = [Hours(days=WEEKDAYS, opens="09:00", closes="17:00")]
LATE_NIGHTS = [Hours(days=["fri", "sat"], opens="20:00", closes="02:00")]
ALWAYS = [Hours(days=list(DAYS), opens="00:00", closes="24:00")]
UTC = dt.timezone.utc


def at(text):
    return hours.parse_when(text, dt.datetime(2026, 11, 26, 12, tzinfo=UTC))


def open_at(spans, text):
    return hours.open_at(spans, at(text))


def status(spans, text):
    return hours.status(hours.week(spans), at(text))


def today(spans, day):
    return hours.day_hours(hours.week(spans), DAYS.index(day))


# --- clock times (used by validation) -------------------------------------------------------

def test_clock_minutes_keeps_its_contract():
    assert hours.clock_minutes("00:00") == 0 and hours.clock_minutes("09:30") == 570 and hours.clock_minutes("24:00") == 1440
    for bad in ("24:01", "9:00", "25:00", "12:60", "noon"):
        with pytest.raises(ValueError, match="HH:MM"):
            hours.clock_minutes(bad)


# --- open or closed -------------------------------------------------------------------------

@pytest.mark.parametrize("when, expected", [
    ("mon 09:00", True), ("mon 16:59", True), ("mon 17:00", False), ("mon 08:59", False),
    ("fri 12:00", True), ("sat 12:00", False), ("sun 12:00", False),
])
def test_office_hours(when, expected):
    assert open_at(OFFICE, when) is expected


@pytest.mark.parametrize("when, expected", [
    ("fri 19:59", False), ("fri 20:00", True), ("fri 23:59", True), ("sat 00:00", True), ("sat 01:59", True),
    ("sat 02:00", False), ("sat 12:00", False), ("sat 21:00", True), ("sun 01:00", True), ("sun 02:00", False),
    ("thu 01:00", False),
])
def test_overnight_span_belongs_to_the_day_it_opens(when, expected):
    assert open_at(LATE_NIGHTS, when) is expected


def test_sunday_night_runs_into_monday_morning():
    spans = [Hours(days=["sun"], opens="22:00", closes="06:00")]
    assert open_at(spans, "mon 05:00") and open_at(spans, "sun 23:00") and not open_at(spans, "mon 06:00")
    assert status(spans, "mon 01:00") == "open, closes 06:00"
    assert today(spans, "sun") == "22:00-06:00" and today(spans, "mon") == "closed"


def test_open_all_day_every_day():
    for day in DAYS:
        assert open_at(ALWAYS, f"{day} 00:00") and open_at(ALWAYS, f"{day} 23:59")
        assert today(ALWAYS, day) == "24 hours"
    assert status(ALWAYS, "wed 03:00") == "open 24 hours"


def test_a_single_24_hour_day():
    spans = [Hours(days=["sat"], opens="00:00", closes="24:00")]
    assert open_at(spans, "sat 23:59") and not open_at(spans, "sun 00:00") and not open_at(spans, "fri 23:59")
    assert today(spans, "sat") == "24 hours"
    assert status(spans, "sat 12:00") == "open, closes 24:00"


def test_spans_touching_at_midnight_read_as_one():
    spans = [Hours(days=["mon"], opens="20:00", closes="24:00"), Hours(days=["tue"], opens="00:00", closes="08:00")]
    assert today(spans, "mon") == "20:00-08:00" and today(spans, "tue") == "closed"
    assert status(spans, "mon 21:00") == "open, closes 08:00"


def test_several_whole_days_in_a_row():
    spans = [Hours(days=WEEKDAYS, opens="00:00", closes="24:00"), Hours(days=["sat"], opens="00:00", closes="02:00")]
    assert [today(spans, d) for d in DAYS] == ["24 hours"] * 5 + ["00:00-02:00", "closed"]
    assert status(spans, "mon 10:00") == "open, closes Sat 02:00"
    assert status(spans, "fri 23:00") == "open, closes 02:00"


def test_a_day_with_two_spans_and_a_span_into_the_next_day_that_runs_long():
    spans = [Hours(days=["mon"], opens="08:00", closes="12:00"), Hours(days=["mon"], opens="18:00", closes="24:00"),
             Hours(days=["tue"], opens="00:00", closes="24:00"), Hours(days=["wed"], opens="00:00", closes="03:00")]
    assert today(spans, "mon") == "08:00-12:00, 18:00-24:00"
    assert today(spans, "tue") == "24 hours" and today(spans, "wed") == "00:00-03:00"


# --- the words shown ------------------------------------------------------------------------

@pytest.mark.parametrize("when, expected", [
    ("mon 10:00", "open, closes 17:00"),
    ("mon 07:00", "opens 09:00"),
    ("mon 18:00", "opens Tue 09:00"),
    ("fri 18:00", "opens Mon 09:00"),
    ("sat 10:00", "opens Mon 09:00"),
])
def test_status_words(when, expected):
    assert status(OFFICE, when) == expected


def test_status_and_today_for_a_late_night_place():
    assert status(LATE_NIGHTS, "sat 01:00") == "open, closes 02:00"
    assert status(LATE_NIGHTS, "sat 12:00") == "opens 20:00"
    assert status(LATE_NIGHTS, "sun 03:00") == "opens Fri 20:00"
    assert [today(LATE_NIGHTS, d) for d in DAYS] == ["closed"] * 4 + ["20:00-02:00"] * 2 + ["closed"]


def test_no_hours_means_no_status():
    assert hours.status(hours.week([]), at("mon 10:00")) is None
    assert hours.day_hours(hours.week([]), 0) == "closed"


@pytest.mark.parametrize("spans", [
    [Hours(days=["mon"], opens="9:00", closes="17:00")],
    [Hours(days=["mon"], opens="24:00", closes="02:00")],
    [Hours(days=["mon"], opens="10:00", closes="10:00")],
    [Hours(days=["funday"], opens="10:00", closes="12:00")],
    [Hours(days=[], opens="10:00", closes="12:00")],
])
def test_invalid_hours_raise_value_error_naming_the_span(spans):
    with pytest.raises(ValueError, match=r"hours\[0\]"):
        hours.week(spans)


# --- WHEN -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("sat 10:00", WeekTime(5, 600)),
    ("saturday 10:00", WeekTime(5, 600)),
    ("Sat 10:00", WeekTime(5, 600)),
    ("SAT. 9:05", WeekTime(5, 545)),
    ("sat 10am", WeekTime(5, 600)),
    ("fri 9:30 pm", WeekTime(4, 1290)),
    ("friday 12am", WeekTime(4, 0)),
    ("friday 12pm", WeekTime(4, 720)),
    ("tues 07:15", WeekTime(1, 435)),
    ("thurs 23:59", WeekTime(3, 1439)),
    ("sun 0:00", WeekTime(6, 0)),
])
def test_weekday_and_time(text, expected):
    assert at(text) == expected


def test_iso_date_time_naive_is_local_and_aware_is_an_instant():
    assert at("2026-11-28T10:00") == dt.datetime(2026, 11, 28, 10, 0)
    assert at("2026-11-28 10:00") == dt.datetime(2026, 11, 28, 10, 0)
    assert at("2026-11-28T15:00Z") == dt.datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    assert at("2026-11-28T10:00-05:00").utcoffset() == dt.timedelta(hours=-5)


def test_now_is_the_moment_given():
    now = dt.datetime(2026, 11, 26, 21, 5, tzinfo=UTC)
    assert hours.parse_when(" NOW ", now) is now


@pytest.mark.parametrize("text, message", [
    ("sax 10:00", '"sax" in "sax 10:00" is not a day of the week'),
    ("s 10:00", "not a day of the week"),
    ("caturday 10:00", "not a day of the week"),
    ("sat 24:00", "out of range"),
    ("sat 10:60", "out of range"),
    ("sat 13pm", "from 1 to 12"),
    ("sat 0am", "from 1 to 12"),
    ("2026-11-28", "no time of day"),
    ("tomorrow", "is not a time"),
    ("", "is not a time"),
    ("2026-13-01T10:00", "is not a time"),
])
def test_bad_when_is_a_usage_error_with_the_accepted_forms(text, message):
    with pytest.raises(UsageError, match=message) as error:
        at(text)
    assert error.value.exit_status == 2
    if "day of the week" in message or "is not a time" in message:
        assert '"sat 10:00"' in str(error.value) and '"2026-11-28T10:00"' in str(error.value)


# --- time zones -----------------------------------------------------------------------------

def service(zip_code=None, timezone=None, spans=OFFICE, country="US"):
    address = Address(postal_code=zip_code, country=country) if zip_code else None
    return Service(id="fictional-site", name="Fictional site", address=address, timezone=timezone, hours=spans)


def test_zone_is_the_services_own_then_its_zip_then_unknown():
    assert hours.zone_of(service("21201", "America/Chicago")) == "America/Chicago"
    assert hours.zone_of(service("21201")) == "America/New_York"
    assert hours.zone_of(service("85004-1234")) == "America/Phoenix"
    assert hours.zone_of(service()) is None
    assert hours.zone_of(service("99999")) is None
    assert hours.zone_of(service("K1A 0B1", country="CA")) is None
    assert hours.zone_of(service("21201", "Mars/Olympus_Mons")) is None


def test_an_instant_needs_a_zone_but_a_wall_clock_time_does_not():
    instant = dt.datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert hours.local(instant, None) is None
    assert hours.local(instant, "America/New_York") == dt.datetime(2026, 11, 25, 10, 0, tzinfo=hours.zone("America/New_York"))
    assert hours.local(WeekTime(5, 600), None) == WeekTime(5, 600)
    assert hours.local(dt.datetime(2026, 11, 28, 10), None) == dt.datetime(2026, 11, 28, 10)


@pytest.mark.parametrize("zip_code, expected", [
    ("10001", True),    # New York 11:30
    ("60601", True),    # Chicago 10:30
    ("80202", True),    # Denver 09:30
    ("85004", True),    # Phoenix 09:30, no daylight saving
    ("90012", False),   # Los Angeles 08:30
    ("99501", False),   # Anchorage 07:30
    ("96813", False),   # Honolulu 06:30
])
def test_time_zones_across_the_country(zip_code, expected):
    instant = dt.datetime(2026, 11, 25, 16, 30, tzinfo=UTC)  # a Wednesday
    local = hours.local(instant, hours.zone_of(service(zip_code)))
    assert hours.open_at(OFFICE, local) is expected


def test_phoenix_keeps_its_clock_in_summer_while_denver_moves():
    instant = dt.datetime(2026, 7, 1, 16, 30, tzinfo=UTC)  # a Wednesday in summer
    assert hours.local(instant, "America/Phoenix").hour == 9  # 09:30 MST: open
    assert hours.local(instant, "America/Denver").hour == 10  # 10:30 MDT
    assert hours.open_at([Hours(days=["wed"], opens="09:00", closes="10:00")], hours.local(instant, "America/Phoenix"))
    assert not hours.open_at([Hours(days=["wed"], opens="09:00", closes="10:00")], hours.local(instant, "America/Denver"))


def test_daylight_saving_starts():
    # 2026-03-08: New York clocks jump from 02:00 EST to 03:00 EDT. 07:30 UTC is 03:30 EDT, not 02:30.
    spans = [Hours(days=["sun"], opens="03:00", closes="04:00")]
    local = hours.local(dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC), "America/New_York")
    assert (local.hour, local.minute) == (3, 30) and hours.open_at(spans, local)
    before = hours.local(dt.datetime(2026, 3, 8, 6, 59, tzinfo=UTC), "America/New_York")
    assert (before.hour, before.minute) == (1, 59) and not hours.open_at(spans, before)
    # The next morning the office opens at 09:00 EDT, which is 13:00 UTC, an hour earlier than in winter.
    assert hours.open_at(OFFICE, hours.local(dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC), "America/New_York"))
    assert not hours.open_at(OFFICE, hours.local(dt.datetime(2026, 3, 2, 13, 0, tzinfo=UTC), "America/New_York"))


def test_daylight_saving_ends():
    # 2026-11-01: 01:00-02:00 happens twice in New York; a span from 01:00 to 02:00 is open both times.
    spans = [Hours(days=["sun"], opens="01:00", closes="02:00")]
    first = hours.local(dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "America/New_York")
    second = hours.local(dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "America/New_York")
    assert (first.hour, second.hour) == (1, 1) and first.utcoffset() != second.utcoffset()
    assert hours.open_at(spans, first) and hours.open_at(spans, second)
    assert not hours.open_at(spans, hours.local(dt.datetime(2026, 11, 1, 7, 0, tzinfo=UTC), "America/New_York"))


# --- properties -----------------------------------------------------------------------------

CLOCK = st.integers(0, 24 * 60).map(lambda m: f"{m // 60:02d}:{m % 60:02d}")
SPAN = st.builds(
    lambda days, opens, closes: Hours(days=days, opens=opens, closes=closes),
    st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True),
    CLOCK.filter(lambda c: c != "24:00"),
    CLOCK,
).filter(lambda h: h.opens != h.closes)


def brute_force_open(spans, minute_of_week):
    """Open if any day's span, laid on a timeline of two weeks, covers the minute or the same minute a week later."""
    for span in spans:
        opens, closes = hours.clock_minutes(span.opens), hours.clock_minutes(span.closes)
        length = closes - opens if closes > opens else closes - opens + hours.DAY
        for day in span.days:
            start = DAYS.index(day) * hours.DAY + opens
            if any(start <= m < start + length for m in (minute_of_week, minute_of_week + hours.WEEK)):
                return True
    return False


@settings(max_examples=300)
@given(st.lists(SPAN, max_size=4), st.integers(0, 6), st.integers(0, 24 * 60 - 1))
def test_open_at_agrees_with_a_brute_force_reading(spans, weekday, minute):
    moment = WeekTime(weekday, minute)
    assert hours.open_at(spans, moment) is brute_force_open(spans, weekday * hours.DAY + minute)
    schedule = hours.week(spans)
    words = hours.status(schedule, moment)
    assert (words is None) == (not spans)
    if words:
        assert words.startswith(("open,", "open 24")) is hours.open_at(spans, moment)
    assert all(hours.day_hours(schedule, d) for d in range(7))


@settings(max_examples=300)
@given(st.text(max_size=30) | st.from_regex(r"[a-zA-Z]{0,10}\.? ?[0-9]{1,2}(:[0-9]{2})? ?([aApP]\.?[mM]?)?", fullmatch=True))
def test_any_when_is_a_moment_or_a_usage_error(text):
    try:
        moment = at(text)
    except UsageError as error:
        assert str(error) and not str(error).startswith("hrfind:")  # the CLI adds the prefix, once
    else:
        assert isinstance(moment, (WeekTime, dt.datetime))


@given(st.sampled_from(hours.DAY_NAMES), st.integers(3, 9), st.integers(0, 23), st.integers(0, 59))
def test_weekday_and_time_round_trip(name, length, hour, minute):
    prefix = name[:length]
    assert at(f"{prefix} {hour}:{minute:02d}") == WeekTime(hours.DAY_NAMES.index(name), hour * 60 + minute)
