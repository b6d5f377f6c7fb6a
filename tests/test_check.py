"""Validation of parsed TOML: every problem names file, record and field."""

import datetime

import pytest

from hrfind.check import build_records

TODAY = datetime.date(2026, 11, 26)


def problems(document, file="data/local.toml"):
    records, found = build_records(file, document, TODAY)
    return records, [str(p) for p in found]


def service(**fields):
    return {"id": "harbor-van", "name": "Harbor Van", **fields}


def test_wrong_type_names_file_record_and_field():
    records, found = problems({"service": [service(), service(), service(), service(lat="39.2", lon=-76.6)]})
    assert found == ['data/local.toml: service[3] "harbor-van": lat: expected a number, got "39.2"']
    assert len(records) == 3


def test_valid_record_loads_with_its_origin():
    records, found = problems({"service": [service(lat=39, lon=-76.5, hours=[{"days": ["sat"], "opens": "20:00", "closes": "02:00"}])]})
    assert found == []
    assert records[0].lat == 39.0 and records[0].origin == "data/local.toml"


def test_unknown_key_is_reported_but_the_record_stays():
    records, found = problems({"service": [service(verifed=TODAY)]})
    assert len(records) == 1
    assert found == ['data/local.toml: service[0] "harbor-van": verifed: unknown key (ignored); did you mean "verified"?']


def test_missing_required_field_and_no_id():
    records, found = problems({"strategy": [{"title": "No id"}]})
    assert records == []
    assert "data/local.toml: strategy[0]: id: is missing; every [[strategy]] needs one" in found
    assert "data/local.toml: strategy[0]: summary: is missing; every [[strategy]] needs one" in found


def test_unknown_table():
    records, found = problems({"servcie": [service()]})
    assert found == ["data/local.toml: unknown table [[servcie]]; expected one of [[principle]], [[strategy]], [[service]], [[offer]]"]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"id": "Harbor Van"}, 'id: expected lowercase-kebab (like "harbor-van"), got "Harbor Van"'),
        ({"lat": 91, "lon": 0}, "lat: expected a latitude from -90 to 90, got 91.0"),
        ({"lat": 10}, "lon: lat and lon go together; give both or neither"),
        ({"access": ["walk-in"]}, "access[0]: expected one of in-person, phone, text, online, mail, mobile; got \"walk-in\""),
        ({"cost": "cheap"}, "cost: expected one of free, low-cost, sliding-scale, insurance, unknown; got \"cheap\""),
        ({"languages": ["eng"]}, 'languages[0]: expected a two-letter ISO 639-1 code like "en", got "eng"'),
        ({"coverage": ["Maryland"]}, 'coverage[0]: expected an ISO 3166 code like "US" or "US-MD", got "Maryland"'),
        ({"phone": "call us"}, 'phone: expected a number as dialled (digits, spaces, + - . ( )), got "call us"'),
        ({"timezone": "Mars/Olympus"}, 'timezone: expected an IANA time zone like "America/New_York", got "Mars/Olympus"'),
        ({"verified": datetime.date(2027, 1, 1)}, "verified: 2027-01-01 is in the future"),
        ({"verified": "last May"}, 'verified: expected a date (YYYY-MM-DD, unquoted), got "last May"'),
        ({"hours": [{"days": ["mon"], "opens": "9:00", "closes": "17:00"}]}, 'hours[0].opens: expected a time "HH:MM" from 00:00 to 24:00, got "9:00"'),
        ({"hours": [{"days": ["monday"], "opens": "09:00", "closes": "17:00"}]}, 'hours[0].days: expected days from mon, tue, wed, thu, fri, sat, sun; got "monday"'),
        ({"hours": [{"days": ["mon"], "opens": "09:00", "closes": "09:00"}]}, 'hours[0].closes: is the same as opens; for a whole day use opens = "00:00", closes = "24:00"'),
        ({"hours": [{"days": ["mon"], "opens": "09:00"}]}, "hours[0]: object missing required field `closes`"),
        ({"sources": [{"title": "t", "url": "ftp://x"}]}, 'sources[0].url: expected an http(s) address, got "ftp://x"'),
        ({"sources": [{"title": "t", "url": "https://x.org", "date": "May 2020"}]}, 'sources[0].date: expected "YYYY", "YYYY-MM" or "YYYY-MM-DD", got "May 2020"'),
        ({"offers": "naloxone"}, 'offers: expected a list of strings, got "naloxone"'),
    ],
)
def test_each_bad_value_is_named(fields, message):
    records, found = problems({"service": [service(**fields)]})
    assert records == []
    assert [f.split(": ", 2)[2] for f in found] == [message]


def test_all_problems_of_a_record_are_listed():
    records, found = problems({"service": [service(lat=100, lon=200, cost="x")]})
    assert len(found) == 3


def test_all_day_and_overnight_hours_are_valid():
    hours = [{"days": ["sun"], "opens": "00:00", "closes": "24:00"}, {"days": ["fri"], "opens": "22:00", "closes": "03:00"}]
    records, found = problems({"service": [service(hours=hours)]})
    assert found == [] and len(records[0].hours) == 2
