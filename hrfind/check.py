"""Turn parsed TOML into validated records, with a problem for everything wrong.

Every problem names the file, the record (kind, index, id) and the field, so a person can find
and fix it. An error skips its record; a warning (an unknown key) keeps the record.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import json
import re
import types
import typing
from typing import Any

import msgspec

from hrfind import hours
from hrfind.model import ACCESS, COSTS, DAYS, TRANSLATABLE, TYPES, Record, Service, Translation
from hrfind.output import clean
from hrfind.problem import Problem

ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SOURCE_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
LANGUAGE = re.compile(r"[a-z]{2}")
COVERAGE = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")
PHONE = re.compile(r"\+?\(?[0-9][0-9 ().-]*[0-9](\s*(x|ext\.?)\s*[0-9]+)?")
URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
# Keys a reader fills in, never a data file.
DERIVED = frozenset({"origin", "lang"})
DIGITS = re.compile(r"\d+")
# A translation's text fields, compared with the record's for numbers and web addresses; the rest
# (aliases, sources, dates) are the translation's own.
COMPARED = ("title", "name", "label", "summary", "description", "body", "eligibility", "hours_note")


def shown(value: Any) -> str:
    """A value as a person would recognise it from the data file, cut short."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def did_you_mean(word: str, choices: Any) -> str:
    """"; did you mean X?" for the closest choices, or nothing."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(map(shown, close))}?" if close else ""


def expected(annotation: Any) -> str:
    """Words for what a field of this type holds."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return expected(args[0]) if len(args) == 1 else " or ".join(expected(a) for a in args)
    if origin is list:
        return f"a list of {expected(args[0]).removeprefix('a ').removeprefix('an ')}s"
    if origin is dict:
        return "a table of text"
    return {
        str: "a string",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        datetime.date: "a date (YYYY-MM-DD, unquoted)",
    }.get(annotation, "a table")


def _type_error(annotation: Any, value: Any, error: msgspec.ValidationError) -> tuple[str, str]:
    """(where inside the field, what is wrong) for a value of the wrong type."""
    detail = str(error)
    if " - at `$" in detail:  # inside a list or table: say where, in the data file's terms
        message, path = detail.rsplit(" - at `$", 1)
        return path.rstrip("`"), message[0].lower() + message[1:]
    return "", f"expected {expected(annotation)}, got {shown(value)}"


def _semantic(kind: str, record: Record, today: datetime.date) -> list[tuple[str, str]]:
    """(field, message) for values of the right type that still cannot be right."""
    found: list[tuple[str, str]] = []
    if not ID.fullmatch(record.id):
        found.append(("id", f'expected lowercase-kebab (like "harbor-van"), got {shown(record.id)}'))
    for field in ("title", "name", "label", "summary"):
        # Fields only: a service's `title` is its name again, which would report one empty name twice.
        value = getattr(record, field, None) if field in record.__struct_fields__ else None
        if isinstance(value, str) and not value.strip():
            found.append((field, "is empty"))
    for i, source in enumerate(getattr(record, "sources", ())):
        if not URL.fullmatch(source.url):
            found.append((f"sources[{i}].url", f"expected an http(s) address, got {shown(source.url)}"))
        if source.date is not None and not SOURCE_DATE.fullmatch(source.date):
            found.append((f"sources[{i}].date", f'expected "YYYY", "YYYY-MM" or "YYYY-MM-DD", got {shown(source.date)}'))
    for field in ("reviewed", "verified"):
        value = getattr(record, field, None)
        if value is not None and value > today:
            found.append((field, f"{value} is in the future"))
    if kind == "principle" and record.number < 1:
        found.append(("number", f"expected 1 or more, got {record.number}"))
    if kind == "service":
        found.extend(_service(record))
    return found


def _service(service: Service) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for i, access in enumerate(service.access):
        if access not in ACCESS:
            found.append((f"access[{i}]", f"expected one of {', '.join(ACCESS)}; got {shown(access)}"))
    if service.cost is not None and service.cost not in COSTS:
        found.append(("cost", f"expected one of {', '.join(COSTS)}; got {shown(service.cost)}"))
    for i, code in enumerate(service.languages):
        if not LANGUAGE.fullmatch(code):
            found.append((f"languages[{i}]", f'expected a two-letter ISO 639-1 code like "en", got {shown(code)}'))
    for i, code in enumerate(service.coverage):
        if not COVERAGE.fullmatch(code):
            found.append((f"coverage[{i}]", f'expected an ISO 3166 code like "US" or "US-MD", got {shown(code)}'))
    for field in ("phone", "text"):
        value = getattr(service, field)
        if value is not None and not PHONE.fullmatch(value.strip()):
            found.append((field, f"expected a number as dialled (digits, spaces, + - . ( )), got {shown(value)}"))
    if service.url is not None and not URL.fullmatch(service.url):
        found.append(("url", f"expected an http(s) address, got {shown(service.url)}"))
    lat, lon = service.lat, service.lon
    if (lat is None) != (lon is None):
        found.append(("lat" if lat is None else "lon", "lat and lon go together; give both or neither"))
    if lat is not None and not -90 <= lat <= 90:
        found.append(("lat", f"expected a latitude from -90 to 90, got {lat}"))
    if lon is not None and not -180 <= lon <= 180:
        found.append(("lon", f"expected a longitude from -180 to 180, got {lon}"))
    if service.timezone is not None and not _known_zone(service.timezone):
        found.append(("timezone", f'expected an IANA time zone like "America/New_York", got {shown(service.timezone)}'))
    for i, span in enumerate(service.hours):
        found.extend((f"hours[{i}].{field}", message) for field, message in _span(span))
    return found


def _span(span: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if not span.days:
        found.append(("days", "is empty; list the days, like [\"mon\", \"tue\"]"))
    for day in span.days:
        if day not in DAYS:
            found.append(("days", f"expected days from {', '.join(DAYS)}; got {shown(day)}"))
    times = {}
    for field in ("opens", "closes"):
        try:
            times[field] = hours.clock_minutes(getattr(span, field))
        except ValueError as error:
            found.append((field, str(error)))
    if times.get("opens") == 24 * 60:
        found.append(("opens", 'a day cannot open at 24:00; use "00:00"'))
    if len(times) == 2 and times["opens"] == times["closes"]:
        found.append(("closes", 'is the same as opens; for a whole day use opens = "00:00", closes = "24:00"'))
    return found


def _known_zone(name: str) -> bool:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def build_records(file: str, document: dict[str, Any], today: datetime.date | None = None) -> tuple[list[Record | Translation], list[Problem]]:
    """Validated records of one parsed data file (or, for a `lang = "xx"` file, its translations), and its problems."""
    today = today or datetime.date.today()
    if "lang" in document:
        return build_translations(file, document, today)
    return _tables(file, document, lambda kind, index, table: build_record(file, kind, index, table, today))


def _tables(file: str, document: dict[str, Any], build: Any) -> tuple[list[Any], list[Problem]]:
    """What `build(kind, index, table)` makes of each table of a data file, and the problems of all of them."""
    found: list[Any] = []
    problems: list[Problem] = []
    for kind, tables in document.items():
        if kind == "lang":
            continue
        if kind not in TYPES:
            problems.append(Problem(file, f"unknown table [[{kind}]]; expected one of {', '.join(f'[[{k}]]' for k in TYPES)}", fatal=False))
            continue
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            problems.append(Problem(file, f"expected [[{kind}]] tables, got {shown(tables)}", kind=kind))
            continue
        for index, table in enumerate(tables):
            made, wrong = build(kind, index, table)
            problems.extend(wrong)
            if made is not None:
                found.append(made)
    return found, problems


@functools.cache
def _shape(cls: type) -> tuple[dict[str, Any], dict[str, Any], frozenset[str]]:
    """The data-file fields of a record type, their types, and which are dates (slow to compute, so once)."""
    fields = {f.name: f for f in msgspec.structs.fields(cls) if f.name not in DERIVED}
    hints = typing.get_type_hints(cls)
    dates = frozenset(name for name in fields if datetime.date in (hints[name], *typing.get_args(hints[name])))
    return fields, hints, dates


def _field(where: dict[str, Any], key: str, value: Any, hints: dict[str, Any], dates: frozenset[str]) -> tuple[Any, Problem | None]:
    """A data file's value as its field's type, or the problem with it (a date must be a TOML date, unquoted)."""
    if key in dates and isinstance(value, str):
        return None, Problem(**where, field=key, message=f"expected {expected(hints[key])}, got {shown(value)}")
    try:
        return msgspec.convert(value, hints[key], strict=True), None
    except msgspec.ValidationError as error:
        inside, message = _type_error(hints[key], value, error)
        return None, Problem(**where, field=key + inside, message=message)


def build_record(file: str, kind: str, index: int, table: dict[str, Any], today: datetime.date) -> tuple[Record | None, list[Problem]]:
    cls = TYPES[kind]
    fields, hints, dates = _shape(cls)
    record = None
    # msgspec turns a string like "2026-01-01" into a date; a data file must write a TOML date.
    quoted_dates = any(isinstance(table.get(name), str) for name in dates)
    if table.keys() <= fields.keys() and not quoted_dates:
        # The common case, a valid record, in one conversion; anything wrong takes the slow
        # path below, which checks field by field to name every problem.
        with contextlib.suppress(msgspec.ValidationError):
            record = msgspec.convert({**table, "origin": file}, cls, strict=True)
    record_id = table.get("id") if isinstance(table.get("id"), str) else None
    where = dict(file=file, kind=kind, index=index, id=record_id)
    problems: list[Problem] = []
    if record is None:
        data: dict[str, Any] = {}
        for key, value in table.items():
            if key not in fields:
                problems.append(Problem(**where, field=key, message=f"unknown key (ignored){did_you_mean(key, fields)}", fatal=False))
                continue
            converted, problem = _field(where, key, value, hints, dates)
            if problem is None:
                data[key] = converted
            else:
                problems.append(problem)
        for name, info in fields.items():
            if name not in table and info.default is msgspec.NODEFAULT and info.default_factory is msgspec.NODEFAULT:
                problems.append(Problem(**where, field=name, message=f"is missing; every [[{kind}]] needs one"))
        if any(p.fatal for p in problems):
            return None, problems
        record = cls(**data, origin=file)
    problems.extend(Problem(**where, field=field, message=message) for field, message in _semantic(kind, record, today))
    return (None if any(p.fatal for p in problems) else record), problems


def build_translations(file: str, document: dict[str, Any], today: datetime.date) -> tuple[list[Record | Translation], list[Problem]]:
    """The translations of a `lang = "es"` file, each checked on its own; the record each translates checks the rest."""
    from hrfind.i18n import ENGLISH, LANGUAGES

    lang = document["lang"]
    choices = ", ".join(f'"{code}"' for code in LANGUAGES if code != ENGLISH)
    if not isinstance(lang, str) or lang not in LANGUAGES or lang == ENGLISH:
        return [], [Problem(file, f"lang = {shown(lang)}: expected the code of a language hrfind speaks besides English ({choices}); the file was skipped", field="lang")]
    return _tables(file, document, lambda kind, index, table: _translation(file, lang, kind, index, table, today))


def _translation(file: str, lang: str, kind: str, index: int, table: dict[str, Any], today: datetime.date) -> tuple[Translation | None, list[Problem]]:
    _, hints, dates = _shape(TYPES[kind])
    record_id = table.get("id")
    where = dict(file=file, kind=kind, index=index, id=record_id if isinstance(record_id, str) else None)
    problems: list[Problem] = []
    if not isinstance(record_id, str):
        said = "is missing" if record_id is None else f"expected a string, got {shown(record_id)}"
        problems.append(Problem(**where, field="id", message=f"{said}; a translation names the id of the record it translates"))
    fields: dict[str, Any] = {}
    for key, value in table.items():
        if key == "id":
            continue
        if key not in TRANSLATABLE[kind]:
            # A whole record in a lang file is most likely a new record: say where one goes.
            problems.append(Problem(**where, field=key, message=f"cannot be translated; a [[{kind}]] translation may give {', '.join(TRANSLATABLE[kind])} "
                                                               f'(a new record goes in a file without lang = "{lang}")'))
        else:
            converted, problem = _field(where, key, value, hints, dates)
            if problem is None:
                fields[key] = converted
            else:
                problems.append(problem)
    for key, value in fields.items():
        # Empty as shown: a title of only invisible or control characters is cleaned away to nothing.
        if isinstance(value, str) and not clean(value).strip():
            problems.append(Problem(**where, field=key, message="is empty"))
        if key in ("steps", "aliases"):  # a blank step would show as a bare "3."
            problems += [Problem(**where, field=f"{key}[{i}]", message="is empty") for i, item in enumerate(value) if not clean(item).strip()]
        if key in dates and value > today:
            problems.append(Problem(**where, field=key, message=f"{value} is in the future"))
    for i, source in enumerate(fields.get("sources", ())):
        if not URL.fullmatch(source.url):
            problems.append(Problem(**where, field=f"sources[{i}].url", message=f"expected an http(s) address, got {shown(source.url)}"))
    if problems:
        return None, [dataclasses.replace(p, message=p.message + "; the translation was skipped") for p in problems]
    return Translation(lang, kind, record_id, file, index, msgspec.to_builtins(fields)), []


def translated(record: Record, translation: Translation) -> tuple[Record | None, list[Problem]]:
    """The record in the translation's language, or None and why: a field it does not have, numbers that differ.

    Numbers (doses, times, phone numbers, dates) and web addresses must be the record's own, field
    by field and step by step: a translation that changed one could send a person to a wrong number.
    """
    _, hints, _ = _shape(type(record))
    where = dict(file=translation.origin, kind=translation.kind, index=translation.index, id=translation.id)
    fields = {key: msgspec.convert(value, hints[key]) for key, value in translation.fields.items()}
    wrong: list[tuple[str, str]] = []
    for key, value in fields.items():
        if key in COMPARED or key == "steps":
            if not getattr(record, key, None):
                wrong.append((key, f"the {translation.kind} has no {key} to translate"))
            elif key == "steps":
                if len(value) != len(record.steps):
                    wrong.append((key, f"{len(value)} steps, but the {translation.kind} has {len(record.steps)}; translate each step"))
                else:
                    wrong += [(f"steps[{i}]", message) for i, (mine, theirs) in enumerate(zip(value, record.steps))
                              for message in _same_numbers(mine, theirs)]
            else:
                wrong += [(key, message) for message in _same_numbers(value, getattr(record, key))]
    if wrong:
        return None, [Problem(**where, field=key, message=f"{message}; the English text is used") for key, message in wrong]
    if "aliases" in fields:
        fields["aliases"] = list(dict.fromkeys([*fields["aliases"], *record.aliases]))
    if "sources" in fields:
        fields["sources"] = [*fields["sources"], *(s for s in record.sources if s.url not in {t.url for t in fields["sources"]})]
    # Words to search by (aliases) and sources alone leave the text, and so its language, the record's own.
    texts = any(key in COMPARED or key == "steps" for key in fields)
    return msgspec.structs.replace(record, **fields, lang=translation.lang if texts else record.lang), []


def _same_numbers(translation: str, original: str) -> list[str]:
    """What differs between two texts' numbers and web addresses, as messages; none when they agree."""
    found = []
    # In order: "Dé 2 dosis, espere 1-3 minutos" has the numbers of "Give 1 dose, wait 2-3 minutes", swapped.
    mine, theirs = DIGITS.findall(translation), DIGITS.findall(original)
    if mine != theirs:
        found.append(f"has the numbers {' '.join(mine) or 'none'}, but the record has {' '.join(theirs) or 'none'}, in this order")
    addresses = re.compile(r"https?://\S+")
    if sorted(addresses.findall(translation)) != sorted(addresses.findall(original)):
        found.append("has other web addresses than the record")
    return found
