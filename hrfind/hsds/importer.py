"""Map an HSDS or Ohana export onto hrfind services in the TOML shape of DESIGN.md, and count what happened.

One service is made per service-at-location (per service where the export links it to no location).
Every table made here goes through hrfind.check before it is kept, so the file written always
passes `hrfind validate`.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime
import functools
import hashlib
import html
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from hrfind.check import COVERAGE, ID, PHONE, URL, build_record
from hrfind.hours import hour_of_day
from hrfind.hsds import languages
from hrfind.hsds.read import FORMATS, Export, Row, ZipLimits, read_export, squash
from hrfind.hsds.spec import ID_TERM_CODE
from hrfind.model import DAYS, Offer

INACTIVE = ("inactive", "defunct", "temporarily closed", "closed")
_TAG = re.compile(r"<[^>]+>")
_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE)
_SLUG = re.compile(r"[^a-z0-9]+")
_US_ZIP = re.compile(r"\d{5}(-\d{4})?")
# 9, 9:00, 09:00:00.000, 0900, 930, each with an optional am/pm.
_TIME = re.compile(r"(?P<hour>\d{1,2})(?::?(?P<minute>\d{2})(?::\d{2}(?:\.\d+)?)?)?\s*(?P<half>am|pm|a|p)?")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2,4})")
# Where run-together address lines meet: "Street2nd", "FloorBrooklyn", "Blvd.Suite", "2000Chicago".
_JOINED = re.compile(r"(?<=[a-z]{2})(?=[A-Z\d])|(?<=[a-z]{2}\.)(?=[A-Z])|(?<=\d)(?=[A-Z][a-z])"
                     r"|(?<=[a-z.])(?=(?:Suite|Ste|Floor|Fl|Unit|Room|Rm|Apt|Bldg|Building)\b)")
_DAY_WORDS = {
    **{d: d for d in DAYS},
    "monday": "mon", "tuesday": "tue", "tues": "tue", "wednesday": "wed", "thursday": "thu", "thur": "thu",
    "thurs": "thu", "friday": "fri", "saturday": "sat", "sunday": "sun",
    "mo": "mon", "tu": "tue", "we": "wed", "th": "thu", "fr": "fri", "sa": "sat", "su": "sun",
    # 1 = Monday as in ISO 8601; 0 and 7 both mean Sunday in the exports seen in the wild.
    "1": "mon", "2": "tue", "3": "wed", "4": "thu", "5": "fri", "6": "sat", "7": "sun", "0": "sun",
}
_COUNTRIES = {"usa": "US", "u s": "US", "u s a": "US", "united states": "US", "united states of america": "US", "canada": "CA"}
# Single words that the offer vocabulary uses as aliases but that mean other things in a general
# directory ("works with families", "legal referral", "tax prep", a phone number with 988 in it).
# In free text they count only as part of a longer phrase; a taxonomy term that is exactly the word still counts.
AMBIGUOUS = frozenset({"work", "treatment", "referral", "pipe", "stem", "screen", "straw", "peer", "mat", "sub",
                       "pep", "prep", "sep", "otp", "nua", "nor", "ssp", "988", "spotting", "spotter", "rehab",
                       "dressing", "poisoning", "cotton", "cooker", "fts", "bandage", "condom"})
FREE = ("free", "none", "no fee", "no cost", "no charge", "0 00")
ESSENTIAL = frozenset({"id", "name"})
BATCH = 256  # services whose linked rows are read at once: fewer queries, and memory that does not grow with the export  # a service cannot be kept without these, whatever else is dropped


@dataclasses.dataclass
class Report:
    """What an import made of an export: the lines printed on stderr come from here."""

    format: str
    dataset: str
    layout: str = ""  # where the tables were found
    imported: int = 0
    located: int = 0
    geocoded: int = 0
    with_hours: int = 0
    with_offers: int = 0
    skipped: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    dropped: collections.Counter = dataclasses.field(default_factory=collections.Counter)  # field -> values dropped

    def lines(self) -> list[str]:
        skipped = sum(self.skipped.values())
        reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(self.skipped.items(), key=lambda r: (-r[1], r[0])))
        lines = [
            f"imported {self.imported} services from {self.dataset} ({FORMATS.get(self.format, self.format)})",
            f"located: {self.located} ({self.geocoded} geocoded from postal codes, approximate)",
            f"with hours: {self.with_hours}",
            f"with offers: {self.with_offers}",
            f"skipped: {skipped}" + (f" ({reasons})" if reasons else ""),
        ]
        if self.layout:
            lines.insert(1, f"read {self.layout}")
        if self.dropped:
            lines.append("values dropped as invalid: " + ", ".join(f"{n} {f}" for f, n in sorted(self.dropped.items())))
        return lines


@dataclasses.dataclass
class Imported:
    # TOML tables of [[service]]: a list, or an iterator that makes them as it is read (and counts them in the report).
    services: Iterable[dict[str, Any]]
    report: Report

    def toml_parts(self) -> Iterator[str]:
        """The data file, a service at a time."""
        yield (f"# Imported by hrfind from {self.report.dataset} ({FORMATS.get(self.report.format, self.report.format)}).\n"
               "# Edit freely; re-importing the same export gives the same ids.\n\n")
        yield from toml_services(self.services)

    def toml(self) -> str:
        return "".join(self.toml_parts())

    def write(self, path: Path) -> None:
        from hrfind.atomic import write_atomic

        write_atomic(path, self.toml())


@contextlib.contextmanager
def reading_hsds(source: Path, offers: Mapping[str, Offer], today: datetime.date | None = None,
                 limits: ZipLimits | None = None) -> Iterator[Imported]:
    """Read an export and map its services as they are iterated; `offers` is the vocabulary that taxonomy terms and text are matched against.

    The export's rows are read into a temporary database on entering, and dropped on leaving.
    """
    with read_export(source, limits) as export:
        mapper = Mapper(export, offers, today or datetime.date.today())
        services = mapper.run()
        try:
            yield Imported(services, mapper.report)
        finally:
            services.close()  # a service left unread must not keep the database open after it is closed


def import_hsds(source: Path, offers: Mapping[str, Offer], today: datetime.date | None = None,
                limits: ZipLimits | None = None) -> Imported:
    """Read an export and map it, keeping every service in memory (`reading_hsds` makes them one at a time)."""
    with reading_hsds(source, offers, today, limits) as imported:
        return Imported(list(imported.services), imported.report)


# A table that tomli_w never writes inline: a list that starts with it is written as [[service]] tables.
# A bare key, which tomli_w writes without looking at each character as it does a string's.
_NOT_INLINE = {"x" * 100: 0}


def toml_services(services: Iterable[dict[str, Any]]) -> Iterator[str]:
    """`tomli_w.dumps({"service": list(services)})`, written a service at a time.

    tomli_w writes the list inline when every table in it is short, else each as a [[service]] table.
    Short tables are held back until a long one comes (or the list ends), so only they are ever held.
    """
    import tomli_w

    held: list[dict[str, Any]] | None = []  # None once the list is being written as [[service]] tables
    for table in services:
        if held is None:
            yield "\n" + _in_array(table)
            continue
        alone = tomli_w.dumps({"service": [table]})
        if alone.startswith("[[service]]"):
            yield "\n".join([*map(_in_array, held), alone])
            held = None
        else:
            held.append(table)
    if held is not None:
        yield tomli_w.dumps({"service": held})


def _in_array(table: dict[str, Any]) -> str:
    """A table as tomli_w writes it among [[service]] tables (led by one it never writes inline, so it does not try)."""
    import tomli_w

    return tomli_w.dumps({"service": [_NOT_INLINE, table]}).removeprefix(_lead())


@functools.cache
def _lead() -> str:
    """What _in_array removes: the table it leads with, as tomli_w writes it."""
    import tomli_w

    return tomli_w.dumps({"service": [_NOT_INLINE]}) + "\n"


def validated(table: dict[str, Any], report: Report, today: datetime.date) -> dict[str, Any] | None:
    """The table as hrfind.check accepts it: fields with errors dropped and counted; None if it cannot be kept."""
    for _ in range(3):  # each round drops the fields that failed; a field's failure cannot reappear
        record, problems = build_record("import", "service", 0, table, today)
        failed = {p.field.split("[")[0].split(".")[0] for p in problems if p.fatal and p.field}
        if record is not None:
            return table
        if not failed or failed & ESSENTIAL:
            return None
        for field in failed:
            report.dropped[field] += 1
            table.pop(field, None)
    return None


def slug(text: str, limit: int = 48) -> str:
    """Lowercase-kebab of a text, cut at a word boundary."""
    from hrfind.text import normalize

    words = _SLUG.sub("-", normalize(text)).strip("-")
    if len(words) > limit:
        words = words[:limit].rsplit("-", 1)[0]
    return words


def short_id(source_id: str) -> str:
    """A source id as the readable tail of an hrfind id: UUIDs by their first eight digits."""
    if _UUID.fullmatch(source_id):
        return source_id[:8].lower()
    return slug(source_id, 24) or hashlib.sha1(source_id.encode()).hexdigest()[:8]


@functools.lru_cache(maxsize=4096)  # exports repeat the same few times thousands of times
def parse_time(text: str, closing: bool = False) -> str | None:
    """ "HH:MM" for 9:00, 09:00:00, 9am, 5:00 p.m., 0900, noon or midnight; None when unreadable."""
    text = text.strip().lower()
    if text in ("noon", "12 noon"):
        return "12:00"
    if text == "midnight":
        return "24:00" if closing else "00:00"
    text = re.sub(r"(z|[+-]\d{2}:?\d{2})$", "", text)  # a UTC offset on an HSDS 3.0 time: the clock reading stays
    text = re.sub(r"\b([ap])\.?\s*m\.?$", r"\1m", text).strip()
    m = _TIME.fullmatch(text)
    if not m:
        return None
    hour, minute = hour_of_day(int(m["hour"]), m["half"]), int(m["minute"] or 0)
    if hour is None or minute > 59 or hour > 24 or (hour == 24 and minute):
        return None
    if closing and (hour, minute) in ((23, 59), (0, 0)):
        return "24:00"  # the usual ways of writing "until the end of the day"
    return f"{hour:02d}:{minute:02d}"


@functools.lru_cache(maxsize=1024)
def parse_days(text: str) -> tuple[str, ...]:
    """Days from "Monday", "mon", "MO,TU", "1" (Monday) to "7", or a range like "Mon-Fri"."""
    found: list[str] = []
    text = re.sub(r"\s*(?:[-\u2013]|\bthrough\b|\bthru\b|\bto\b)\s*", "-", text.strip().lower())
    for part in re.split(r"[,;/\s]+(?:and\s+)?|\band\b", text):
        if not part:
            continue
        if "-" in part and not part.startswith("-"):
            start, _, end = part.partition("-")
            if start in _DAY_WORDS and end in _DAY_WORDS:
                a, b = DAYS.index(_DAY_WORDS[start]), DAYS.index(_DAY_WORDS[end])
                found.extend(DAYS[(a + i) % 7] for i in range((b - a) % 7 + 1))
                continue
        day = _DAY_WORDS.get(part.rstrip("."))
        if day is None:
            return ()  # "1MO" (the first Monday of a month) and the like: not a weekly day
        found.append(day)
    return tuple(dict.fromkeys(found))


def parse_date(text: str) -> datetime.date | None:
    """A date from ISO text (a date-time too), M/D/YYYY, or "January 01, 2020"; None for placeholders."""
    text = text.strip()
    if len(text) < 6:
        return None
    try:
        if m := _DATE_ISO.match(text):
            value = datetime.date(int(m[1]), int(m[2]), int(m[3]))
        elif m := _DATE_US.fullmatch(text):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            value = datetime.date(year, int(m[1]), int(m[2]))
        else:
            value = datetime.datetime.strptime(text, "%B %d, %Y").date()
    except ValueError:
        return None
    return value if value.year >= 1900 else None  # "0001-01-01" means "no date" in some systems


def cost(texts: Iterable[str]) -> str | None:
    """hrfind's cost words for what an export says about fees; None when it does not say clearly."""
    from hrfind.text import normalize

    for raw in texts:
        text = normalize(raw)
        if not text:
            continue
        if "sliding" in text or "based on income" in text or "according to income" in text:
            return "sliding-scale"
        if text == "0" or text.startswith(FREE):
            return "free"
        if "insurance" in text or "medicaid" in text or "medicare" in text or "medi cal" in text:
            return "insurance"
        if "low cost" in text or "reduced fee" in text or "donation" in text:
            return "low-cost"
    return None


def clean_text(text: str) -> str:
    """Plain text from a description that may hold HTML, on one line."""
    if "<" in text or "&" in text:
        text = html.unescape(_TAG.sub(" ", text))
    return squash(text)


def web_address(text: str) -> str | None:
    """An http(s) address, adding the scheme directories often leave out; None for anything else."""
    text = text.strip().strip('"')
    if not text or " " in text:
        return None
    if not re.match(r"https?://", text, re.IGNORECASE):
        if "@" in text or "." not in text:
            return None
        text = "http://" + text.removeprefix("//")
    return text if URL.fullmatch(text) else None


def phone_number(number: str, extension: str = "") -> str | None:
    """A phone number as dialled, with its extension; None when it is not a dialable number."""
    number = squash(number.replace('"', "").replace("'", ""))
    number = re.sub(r"^\((\d{3})\)\s*", r"\1 ", number)  # "(312) 341-1070": hrfind writes the area code bare
    extension = extension.strip().removesuffix(".0")
    if extension.isdigit():
        number = f"{number} x{extension}"
    return number if number and PHONE.fullmatch(number) else None


def zip_point(code: str) -> tuple[float, float] | None:
    """The centre of a US ZIP code, or None."""
    from hrfind import geo

    if not _US_ZIP.fullmatch(code):
        return None
    info = geo.zip_info(code)
    return (info.lat, info.lon) if info else None


def split_joined_address(text: str, postal_code: str) -> tuple[list[str], str | None]:
    """(street lines, city) from lines run together, like "150 Court Street2nd FloorBrooklyn"."""
    from hrfind import geo

    city = None
    info = geo.zip_info(postal_code) if _US_ZIP.fullmatch(postal_code) else None
    if info and text.lower().endswith(info.city.lower()) and len(text) > len(info.city):
        city, text = text[-len(info.city):], text[:-len(info.city)]
    lines = [squash(p).strip(",") for p in _JOINED.split(text) if squash(p).strip(",")]
    if city is None and len(lines) > 1 and re.fullmatch(r"[A-Za-z][A-Za-z .'-]*", lines[-1]):
        city = lines.pop()
    return [line.strip() for line in lines], city


class OfferMatcher:
    """Finds offer ids in taxonomy terms and service text through ids, labels and aliases."""

    def __init__(self, offers: Mapping[str, Offer]) -> None:
        from hrfind.text import words

        self.ids = {o.id for o in offers.values()}
        self.order = {o.id: i for i, o in enumerate(offers.values())}
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = collections.defaultdict(list)
        self.exact: dict[tuple[str, ...], str] = {}
        for offer in offers.values():
            label, _, aside = offer.label.partition("(")
            for name in {offer.id.replace("-", " "), offer.label, label, aside.rstrip(")"), *offer.aliases}:
                phrase = tuple(words(name))
                if phrase:
                    self.exact.setdefault(phrase, offer.id)
                    self.phrases[phrase[0]].append((phrase, offer.id))

    def find(self, terms: Iterable[str], texts: Iterable[str]) -> list[str]:
        """Offer ids for taxonomy terms (codes or names) in their order, then those found in free text."""
        from hrfind.text import words

        found: dict[str, None] = {}
        for term in terms:
            code = term.strip().lower()
            if code in self.ids:
                found[code] = None
            elif (offer := self.exact.get(tuple(words(term)))) is not None:
                found[offer] = None
            else:
                found.update(dict.fromkeys(sorted(self._scan(words(term)), key=self.order.__getitem__)))
        in_text = set().union(*(self._scan(words(text)) for text in texts))
        found.update(dict.fromkeys(sorted(in_text - found.keys(), key=self.order.__getitem__)))
        return list(found)

    def _scan(self, tokens: list[str]) -> set[str]:
        found = set()
        for i, token in enumerate(tokens):
            for phrase, offer in self.phrases.get(token, ()):
                if len(phrase) == 1 and token in AMBIGUOUS:
                    continue
                if tuple(tokens[i:i + len(phrase)]) == phrase:
                    found.add(offer)
        return found


def first(row: Row | None, *names: str) -> str:
    """The first non-empty value among these columns."""
    if row:
        for name in names:
            if row.get(name):
                return row[name]
    return ""


@dataclasses.dataclass
class Pair:
    """One service at one place: the unit that becomes one hrfind service."""

    service: Row
    link: Row | None  # the service_at_location row, when the export has one
    location: Row | None


# The tables whose rows may belong to a service at a location, a service, a location or an organisation.
LINKED = {"schedules": ("schedules", "regular_schedules"), "phones": ("phones",), "languages": ("languages",)}
# Where the address of a location is found, in order: (table, which of its rows count).
PHYSICAL = (("addresses", lambda r: r.get("address_type", "physical").lower() in ("physical", "")), ("physical_addresses", None))
POSTAL = (("addresses", lambda r: r.get("address_type", "").lower() == "postal"), ("postal_addresses", None), ("mail_addresses", None))


class Mapper:
    """The mapping of one export's services, looking up the rows each one links to as it goes."""

    def __init__(self, export: Export, offers: Mapping[str, Offer], today: datetime.date) -> None:
        self.export = export
        self.today = today
        self.matcher = OfferMatcher(offers)
        self.report = Report(export.format, export.name, export.layout)
        self.id_terms = {r["id"] for r in export.rows("taxonomy_terms") if r.get("code") == ID_TERM_CODE and r.get("id")}
        # Some exports (HSDS 1.1 from older systems) link services to places only through their organisation.
        self.unlinked = not export.linked("service_at_location", "service_id") and "location_id" not in export.columns.get("services", set())
        # The ids given so far, and each service's taxonomy terms, kept in the export's database beside its rows.
        # One transaction for all of it, never committed: nothing here is kept, and each commit would write pages out.
        export.db.execute("BEGIN")
        export.db.execute("CREATE TABLE used_id (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self._link_terms()
        self.term_ids: dict[str, list[str]] = {}  # service id -> its term ids, for the services being made
        # Exports repeat the same few terms thousands of times; each service asks for its hrfind id twice.
        self.term = functools.lru_cache(maxsize=4096)(self.term)
        self.hrfind_id = functools.lru_cache(maxsize=16)(self.hrfind_id)

    def _link_terms(self) -> None:
        """Link each service id to the ids of its taxonomy terms, in order, from every layout's tables."""
        db = self.export.db
        db.execute("CREATE TABLE term_link (seq INTEGER PRIMARY KEY, service_id TEXT NOT NULL, term_id TEXT NOT NULL)")
        rows = self.export.rows

        def links() -> Iterator[tuple[str, str]]:
            for row in itertools.chain(rows("services_taxonomy"), rows("service_attributes")):
                yield first(row, "service_id"), first(row, "taxonomy_id", "taxonomy_term_id")
            for row in rows("attributes"):
                if row.get("link_entity", "service").lower() in ("service", "") and row.get("taxonomy_term_id") not in self.id_terms:
                    yield first(row, "link_id"), first(row, "taxonomy_term_id")
            for row in rows("services"):
                for term_id in re.split(r"[,;]\s*", row.get("taxonomy_ids", "")):
                    if term_id:
                        yield row.get("id", ""), term_id

        db.executemany("INSERT INTO term_link (service_id, term_id) VALUES (?, ?)", links())
        db.execute("CREATE INDEX term_link_service ON term_link (service_id)")

    def terms(self, service_id: str) -> list[str]:
        """The ids, codes and names of a service's taxonomy terms."""
        found: list[str] = []
        term_ids = self.term_ids.get(service_id)
        if term_ids is None:
            term_ids = [t for (t,) in self.export.db.execute("SELECT term_id FROM term_link WHERE service_id = ? ORDER BY seq", (service_id,))]
        for term_id in term_ids:
            term = self.term(term_id)
            found += [term_id] + ([first(term, "code"), first(term, "name", "term")] if term else [])
        return found

    def term(self, term_id: str) -> Row | None:
        """A taxonomy term by id: an HSDS 3.0 term, else an HSDS 1.1 or Ohana taxonomy row by its taxonomy_id, then by its id."""
        first_row = self.export.first
        return first_row("taxonomy_terms", "id", term_id) or first_row("taxonomy", "taxonomy_id", term_id) or first_row("taxonomy", "id", term_id)

    def hrfind_id(self, service_id: str | None) -> str | None:
        """The hrfind id of a service from the attribute hrfind's own export writes, so a round trip keeps ids; the last one counts."""
        for row in reversed(self.export.group("attributes", "link_id", service_id)):
            if row.get("taxonomy_term_id") in self.id_terms and ID.fullmatch(row.get("value", "")):
                return row["value"]
        return None

    def run(self) -> Iterator[dict[str, Any]]:
        """The TOML table of each service kept, as it is made; the report counts are complete once they are all made."""
        duplicates = self.export.duplicates.get("services", 0)
        if duplicates:
            self.report.skipped["duplicate row"] += duplicates
        services = iter(self.export.rows("services"))
        for batch in iter(lambda: list(itertools.islice(services, BATCH)), []):
            self.prefetch(batch)
            yield from self.mapped(batch)

    def mapped(self, services: Iterable[Row]) -> Iterator[dict[str, Any]]:
        for row in services:
            status = row.get("status", "").lower()
            if status in INACTIVE:
                self.report.skipped[status] += 1
                continue
            if not clean_text(first(row, "name", "alternate_name")):
                self.report.skipped["no name"] += 1
                continue
            pairs = self.pairs(row)
            several = sum(p.location is not None for p in pairs) > 1
            for pair in pairs:
                table = self.service(pair, several)
                kept = self.validated(table)
                if kept is None:
                    self.report.skipped["invalid"] += 1
                    continue
                self.count(kept)
                yield kept

    def prefetch(self, services: list[Row]) -> None:
        """Read at once the rows these services link to, from their own links to their places' (a query a column, not a dozen a service)."""
        export = self.export
        ids = [s["id"] for s in services if s.get("id")]
        orgs = [s["organization_id"] for s in services if s.get("organization_id")]
        linked = [name for names in LINKED.values() for name in names]
        addresses = [name for name, _ in PHYSICAL + POSTAL]
        export.prefetch([("service_at_location", "service_id", i) for i in ids] + [("locations", "id", s.get("location_id")) for s in services])
        links = [r for i in ids for r in export.group("service_at_location", "service_id", i)]
        places = [r.get("location_id") for r in links] + [s.get("location_id") for s in services]
        export.prefetch([("locations", "id", p) for p in places] + [("locations", "organization_id", o) for o in orgs])
        locations = [r.get("id") for p in places for r in export.group("locations", "id", p)]
        locations += [r.get("id") for o in orgs for r in export.group("locations", "organization_id", o, limit=1)]
        lookups = [(name, key, value) for key, values in (("service_id", ids), ("organization_id", orgs), ("location_id", locations))
                   for value in values for name in linked]
        lookups += [(name, "service_at_location_id", r.get("id")) for r in links for name in linked]
        lookups += [(name, "location_id", value) for value in locations for name in addresses]
        lookups += [(name, "service_id", i) for i in ids for name in ("service_at_location", "service_areas", "cost_options", "eligibility")]
        lookups += [("metadata", "resource_id", value) for value in itertools.chain(ids, locations, (r.get("id") for r in links))]
        lookups += [("organizations", "id", o) for o in orgs] + [("attributes", "link_id", i) for i in ids]
        lookups += [("locations", key, value) for key, values in (("id", places), ("organization_id", orgs)) for value in values]
        export.prefetch(lookups)
        self.term_ids = {i: [] for i in ids}
        sql = f"SELECT service_id, term_id FROM term_link WHERE service_id IN ({', '.join('?' * len(ids))}) ORDER BY seq"
        for service_id, term_id in export.db.execute(sql, ids):
            self.term_ids[service_id].append(term_id)

    def pairs(self, service: Row) -> list[Pair]:
        """The places of a service: its service-at-location rows, its Ohana location, or its organisation's only place."""
        export = self.export
        links = export.group("service_at_location", "service_id", service.get("id", ""))
        if links:
            return [Pair(service, link, export.first("locations", "id", link.get("location_id", ""))) for link in links]
        if service.get("location_id"):
            return [Pair(service, None, export.first("locations", "id", service["location_id"]))]
        places = export.group("locations", "organization_id", service.get("organization_id", ""), limit=2) if self.unlinked else []
        if len(places) == 1:
            return [Pair(service, None, places[0])]
        return [Pair(service, None, None)]

    def service(self, pair: Pair, several: bool) -> dict[str, Any]:
        """The TOML table of one service at one place."""
        service, location, link = pair.service, pair.location, pair.link
        organization = self.export.first("organizations", "id", service.get("organization_id", ""))
        name = clean_text(first(service, "name", "alternate_name"))
        place = clean_text(first(location, "name"))
        if several and place and place.lower() not in name.lower():
            name = f"{name} ({place})"  # one listing per place: the place tells them apart
        table: dict[str, Any] = {"id": self.record_id(pair)}
        table["name"] = name
        summary = clean_text(first(service, "description")) or clean_text(first(link, "description")) \
            or clean_text(first(location, "short_desc", "description"))
        if summary:
            table["summary"] = summary
        # hrfind's own export lists every offer as a term, so its text must not add any.
        texts = [] if self.hrfind_id(service.get("id")) else [name, first(service, "alternate_name"), summary, first(service, "keywords")]
        table["offers"] = self.matcher.find(self.terms(service.get("id", "")), texts)
        phone, text, hotline = self.phones(pair, organization)
        address, point, geocoded, visitable = self.place(pair, organization)
        virtual = first(location, "location_type").lower() == "virtual" or first(location, "virtual").lower() == "true"
        access = []
        if visitable and not virtual:
            access.append("in-person")
        if phone and (hotline or re.search(r"\b(hot|help|crisis) ?line\b", name, re.IGNORECASE)):
            access.append("phone")  # a phone number alone does not make a service one you use by phone
        if text:
            access.append("text")
        if virtual:
            access.append("online")
        table["access"] = access
        if phone:
            table["phone"] = phone
        if text:
            table["text"] = text
        url = web_address(first(service, "url", "website")) or web_address(first(location, "url", "website")) \
            or web_address(first(organization, "website", "url"))
        if url:
            table["url"] = url
        table["coverage"] = [a for a in (first(r, "name").upper() for r in self.export.group("service_areas", "service_id", service.get("id")))
                             if COVERAGE.fullmatch(a)]
        table["languages"] = self.languages(pair)
        fee = cost([first(service, "fees_description", "fees"), first(service, "fees"),
                    *("free" if first(r, "amount") in ("0", "0.0", "0.00") else "" for r in self.export.group("cost_options", "service_id", service.get("id")))])
        if fee:
            table["cost"] = fee
        eligibility = self.eligibility_text(service)
        if eligibility:
            table["eligibility"] = eligibility
        verified = self.verified(pair)
        if verified:
            table["verified"] = verified
        if address:
            table["address"] = address
        if point:
            table["lat"], table["lon"] = point
        hours, note = self.hours(pair)
        table["hours"] = hours
        if note:
            table["hours_note"] = note
        table["provenance"] = self.provenance(pair, geocoded)
        return {k: v for k, v in table.items() if v not in ([], None, "")}

    def record_id(self, pair: Pair) -> str:
        """Slug of the name plus the source id, so re-importing the same export gives the same ids."""
        service, link = pair.service, pair.link
        known = self.hrfind_id(service.get("id"))
        if known and self.claim(known):
            return known
        base = slug(first(service, "name", "alternate_name")) or "service"
        if link and link.get("id"):
            tail = short_id(link["id"])
        elif service.get("id"):
            tail = short_id(service["id"])
            if link and link.get("location_id"):
                tail += "-" + short_id(link["location_id"])
        else:  # no id at all: the content is what stays the same between exports
            content = "|".join(first(service, k) for k in ("organization_id", "name", "description", "url"))
            tail = hashlib.sha1(content.encode()).hexdigest()[:8]
        candidate = f"{base}-{tail}"
        number = 2
        while not self.claim(candidate):
            candidate = f"{base}-{tail}-{number}"
            number += 1
        return candidate

    def claim(self, record_id: str) -> bool:
        """Take an id for a service: False when an earlier service has it."""
        return self.export.db.execute("INSERT OR IGNORE INTO used_id VALUES (?)", (record_id,)).rowcount == 1

    def levels(self, table: str, pair: Pair, organization: Row | None = None) -> Iterator[list[Row]]:
        """Rows of a table for this pair, grouped from the most specific link to the least, empty groups left out."""
        location_id = first(pair.location, "id")
        # Which rows belong to each level and no more specific one.
        levels = [("service_at_location_id", first(pair.link, "id"), lambda r: True),
                  ("service_id", pair.service.get("id", ""),
                   lambda r: r.get("location_id", "") in ("", location_id) and not r.get("service_at_location_id")),
                  ("location_id", location_id, lambda r: not r.get("service_id"))]
        if organization is not None:
            levels.append(("organization_id", first(organization, "id"), lambda r: not r.get("service_id") and not r.get("location_id")))
        links = {key: value for key, value, _ in levels if value}
        rows = [r for name in LINKED[table] for r in self.export.linked_to(name, links)]  # one query a table for all levels
        for key, value, keep in levels:
            found = [r for r in rows if value and r.get(key) == value and keep(r)]
            if found:
                yield found

    def phones(self, pair: Pair, organization: Row | None) -> tuple[str | None, str | None, bool]:
        """(voice number, text number, whether the voice number is a hotline), each from the most specific link that has one."""
        voice: tuple[str, str] | None = None
        text: str | None = None
        for rows in self.levels("phones", pair, organization):
            numbers = [(first(r, "type", "number_type").lower(), phone_number(first(r, "number"), first(r, "extension"))) for r in rows]
            numbers = [(kind, number) for kind, number in numbers if number and kind != "fax"]
            voice = voice or next(((k, n) for k, n in numbers if k not in ("sms", "text")), None)
            text = text or next((n.split(" x")[0] for k, n in numbers if k in ("sms", "text")), None)
        return (voice[1] if voice else None), text, bool(voice and voice[0] == "hotline")

    def languages(self, pair: Pair) -> list[str]:
        found: list[str] = []
        rows = next(iter(self.levels("languages", pair)), [])
        texts = [first(pair.service, "languages"), first(pair.location, "languages")]
        texts += [first(r, "code", "language", "name") for r in rows]
        for text in texts:
            found += [code for code in languages.codes(text) if code not in found]
        return found

    def place(self, pair: Pair, organization: Row | None) -> tuple[dict[str, str] | None, tuple[float, float] | None, bool, bool]:
        """(address, (lat, lon), whether the point was geocoded from the postal code, whether people can go there)."""
        location = pair.location
        location_id = first(location, "id")
        rows = self.addresses(PHYSICAL, "location_id", location_id)
        visitable = bool(rows)
        if not rows:
            rows = self.addresses(POSTAL, "location_id", location_id)
        org_id = first(organization, "id")
        if not rows and org_id and len(self.export.group("locations", "organization_id", org_id, limit=2)) <= 1:
            # A service with no address of its own is at its organisation's, when that has no other place.
            rows = self.addresses([(name, None) for name in ("physical_addresses", "postal_addresses", "addresses")],
                                  "organization_id", org_id, "location_id IS NULL")
        address = self.address(rows[0]) if rows else None
        point = self.point(location)
        if point is not None:
            return address, point, False, True
        if address and address.get("postal_code") and address.get("country", "US") == "US":
            point = zip_point(address["postal_code"])
        return address, point, point is not None, visitable

    def addresses(self, sources, key: str, value: str, where: str = "") -> list[Row]:
        """The address rows linked by `key` in the first of the (table, which rows count) sources that has any."""
        for name, keep in sources:
            rows = [r for r in self.export.group(name, key, value, where) if keep is None or keep(r)]
            if rows:
                return rows
        return []

    def address(self, row: Row) -> dict[str, str] | None:
        lines = [clean_text(row.get(k, "")) for k in ("address_1", "address_2", "address_3", "address_4")]
        lines = [line for line in lines if line]
        postal = row.get("postal_code", "").upper()
        city = clean_text(row.get("city", ""))
        if not city and lines:
            joined, city = split_joined_address(lines[0], postal)
            lines = joined + lines[1:]
        country = clean_text(row.get("country", ""))
        country = _COUNTRIES.get(country.lower().replace(".", " ").strip(), country.upper() if len(country) == 2 else country)
        if not country and _US_ZIP.fullmatch(postal):
            country = "US"
        address = {"street": ", ".join(lines), "city": city or "",
                   "region": clean_text(first(row, "state_province", "state", "region")), "postal_code": postal, "country": country}
        address = {k: v for k, v in address.items() if v}
        return address or None

    @staticmethod
    def point(location: Row | None) -> tuple[float, float] | None:
        """A location's coordinates when they are numbers on the Earth and not the 0, 0 placeholder."""
        try:
            lat, lon = float(first(location, "latitude")), float(first(location, "longitude"))
        except ValueError:
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0) or lat != lat or lon != lon:
            return None
        return round(lat, 6), round(lon, 6)

    def hours(self, pair: Pair) -> tuple[list[dict[str, Any]], str | None]:
        """Weekly hours and their notes from the most specific schedule rows that give any hours."""
        fallback: tuple[list[dict[str, Any]], str | None] = ([], None)
        for rows in self.levels("schedules", pair):
            hours, note = self.weekly([r for r in rows if self.current(r)])
            if hours:
                return hours, note
            fallback = fallback if fallback[1] else (hours, note)
        return fallback

    @staticmethod
    def weekly(rows: list[Row]) -> tuple[list[dict[str, Any]], str | None]:
        spans: dict[tuple[str, str], list[str]] = {}
        notes: list[str] = []
        for row in rows:
            for note in (clean_text(first(row, "description")), clean_text(first(row, "notes"))):
                if note and note not in notes:
                    notes.append(note)
            if first(row, "freq").upper() not in ("", "WEEKLY") or first(row, "interval") not in ("", "1", "1.0"):
                continue  # monthly or every other week: kept only as the note, since weekly hours cannot say it
            days = parse_days(first(row, "weekday", "byday", "days_of_week", "day"))
            opens, closes = parse_time(first(row, "opens_at", "opens")), parse_time(first(row, "closes_at", "closes"), closing=True)
            if not days or opens is None or closes is None or opens == "24:00" or opens == closes:
                continue
            span = spans.setdefault((opens, closes), [])
            span += [d for d in days if d not in span]
        hours = [{"days": sorted(days, key=DAYS.index), "opens": o, "closes": c} for (o, c), days in spans.items()]
        hours.sort(key=lambda h: (DAYS.index(h["days"][0]), h["opens"]))
        return hours, " ".join(notes) or None

    def current(self, row: Row) -> bool:
        """Whether a schedule row applies today: not ended (valid_to, until), not yet to come (valid_from)."""
        for name in ("valid_to", "until", "end_date"):
            end = parse_date(row.get(name, ""))
            if end and end < self.today:
                return False
        start = parse_date(row.get("valid_from", ""))
        return not (start and start > self.today)

    def eligibility_text(self, service: Row) -> str | None:
        parts = [clean_text(first(service, "eligibility_description", "eligibility"))]
        parts += [clean_text(first(r, "eligibility")) for r in self.export.group("eligibility", "service_id", service.get("id"))]
        ages = [first(service, "minimum_age"), first(service, "maximum_age")]
        ages = [a.removesuffix(".0") for a in ages]
        if not any(parts) and any(ages):
            parts.append(f"Ages {ages[0]} to {ages[1]}" if all(ages) else f"Ages {ages[0]} and over" if ages[0] else f"Ages up to {ages[1]}")
        text = " ".join(dict.fromkeys(p for p in parts if p))
        return text or None

    def verified(self, pair: Pair) -> datetime.date | None:
        """The latest date the export gives for checking this service, never in the future."""
        service = pair.service
        texts = [first(service, "assured_date"), first(service, "last_modified"), first(service, "last_verified_on"),
                 first(service, "last_verified"), first(service, "updated_at")]
        for resource in (service.get("id"), first(pair.location, "id"), first(pair.link, "id")):
            texts += [first(r, "last_action_date") for r in self.export.group("metadata", "resource_id", resource)]
        dates = [d for d in map(parse_date, texts) if d and d <= self.today]
        return max(dates) if dates else None

    def provenance(self, pair: Pair, geocoded: bool) -> dict[str, str]:
        values = {
            "format": self.export.format,
            "dataset": self.export.name,
            "service_id": first(pair.service, "id"),
            "location_id": first(pair.location, "id"),
            "service_at_location_id": first(pair.link, "id"),
            "organization_id": first(pair.service, "organization_id"),
            "geocoded": "postal_code" if geocoded else "",
        }
        return {k: v for k, v in values.items() if v}

    def validated(self, table: dict[str, Any]) -> dict[str, Any] | None:
        return validated(table, self.report, self.today)

    def count(self, table: dict[str, Any]) -> None:
        report = self.report
        report.imported += 1
        report.located += "lat" in table
        report.geocoded += table["provenance"].get("geocoded") is not None
        report.with_hours += bool(table.get("hours"))
        report.with_offers += bool(table.get("offers"))
