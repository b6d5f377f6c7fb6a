"""Build hrfind's layer of real places from the raw US federal lists in places/raw/.

    .venv/bin/python places/build.py                      # places/raw/ -> places/hrfind-places.toml
    .venv/bin/python places/build.py --raw DIR -o FILE    # another copy of the lists, another output

Each list is read with the columns it must have (a file without them is refused, naming the file and
the missing columns), cleaned (the drug maker's rows, programs inside jails and prisons, coordinates
outside the row's own state, exact and near duplicates), and a facility found in several lists becomes
one service with the union of their offers. The output depends only on the input: the same raw files
always give the same bytes. The build log (stderr, and places/build-log.txt) counts every row.
"""

from __future__ import annotations

import argparse
import collections
import csv
import dataclasses
import functools
import datetime
import hashlib
import json
import math
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# Within this many miles of a ZIP code centre of its own state, a point is taken to be in that state:
# ZIP centres in the empty West lie up to ~40 miles apart, and a geocoding error puts a place in a
# same-named town of another state, hundreds of miles off.
STATE_MARGIN_MI = 45.0
# token_set_ratio of two normalised names at one address above which they are one facility.
SAME_NAME = 60
# Custodial programs: not open to the public. "Correctional services" and the like are counselling
# practices for people on probation or parole, open to anyone, so they stay.
CUSTODIAL = re.compile(r"\b(jails?|prisons?|penitentiary|detention|rikers|house of corrections?|central booking|sheriff'?s?|"
                       r"juvenile (?:justice|hall)|correctional (?:fac|facility|institution|center|centre|complex|health)|"
                       r"(?:department|dept\.?|division) of corrections?|corrections?\s*-)", re.IGNORECASE)
OFFER_ORDER = ("methadone", "buprenorphine", "naltrexone", "treatment", "health-center")
OEPS = "geocoded by OEPS"  # the Opioid Environment Policy Scan, doi:10.5281/zenodo.5842465 (the file's header says so)
COUNTED = ("read", "vivitrolWeb (manufacturer's site)", "jail, prison or detention", "no usable coordinates",
           "coordinates outside its state", "exact duplicate", "near duplicate", "kept")


class BuildError(Exception):
    """A raw file that cannot be built from; the message names it and what is wrong."""


@dataclasses.dataclass(frozen=True)
class Row:
    """One row of a list, in the shape all lists share."""

    list: str
    name: str
    other_name: str
    street: str
    city: str
    state: str
    postal: str
    lat: float
    lon: float
    phone: str
    offer: str
    role: str  # what the list calls it: "opioid treatment program (methadone)"


@dataclasses.dataclass(frozen=True)
class Listing:
    """One federal list: where its file is, what columns it must have, and who published it when."""

    key: str
    folder: str
    file: str
    encoding: str
    columns: tuple[str, ...]
    publisher: str
    title: str
    url: str
    date: str  # "YYYY-MM" or "YYYY": as precise as the list is dated
    read: Callable[[dict[str, str]], dict[str, str]]

    @property
    def verified(self) -> datetime.date:
        """The first day of the list's month (or year): never later than the list itself."""
        year, _, month = self.date.partition("-")
        return datetime.date(int(year), int(month or 1), 1)

    @property
    def when(self) -> str:
        """ "July 2021" or "2020"."""
        return self.verified.strftime("%B %Y") if "-" in self.date else self.date


def _na(value: str | None) -> str:
    value = (value or "").strip()
    return "" if value == "NA" else " ".join(value.split())


def _otp(r: dict[str, str]) -> dict[str, str]:
    return {"name": r["ID"], "street": r["ADDRESS"], "city": r["CITY"], "state": r["STATE"], "postal": r["POSTAL"],
            "lat": r["Latitude"], "lon": r["Longitude"], "offer": "methadone", "role": "opioid treatment program (methadone)"}


_MOUD_ROLE = {"buprenorphine": ("buprenorphine", "buprenorphine prescriber"), "methadone": ("methadone", "methadone provider"),
              "naltrexone/vivitrol": ("naltrexone", "naltrexone provider")}


# The locator cuts a long name in two: "New Day for Pregnant and" | "Parenting Women".
_DANGLING = re.compile(r"\b(and|of|for|the|at|in|to|with|on|a|an|&|-)$", re.IGNORECASE)


def _names(first: str, second: str) -> dict[str, str]:
    """name and other_name from the locator's name1 and name2, a name cut in two joined again."""
    first, second = _na(first), _na(second)
    if second and _DANGLING.search(first):
        return {"name": f"{first} {second}", "other_name": ""}
    return {"name": first, "other_name": second}


def _moud(r: dict[str, str]) -> dict[str, str]:
    offer, role = _MOUD_ROLE.get(r["category"], ("", ""))
    return {**_names(r["name1"], r["name2"]), "street": _join(r["street1"], r["street2"]), "city": r["city"],
            "state": r["state"], "postal": r["zip"], "lat": r["Latitude"], "lon": r["Longitude"], "offer": offer, "role": role,
            "source": r["source"]}


def _sut(r: dict[str, str]) -> dict[str, str]:
    return {**_names(r["name1"], r["name2"]), "street": _join(r["street1"], r["street2"]), "city": r["city"],
            "state": r["state"], "postal": r["zip"], "lat": r["latitude"], "lon": r["longitude"], "offer": "treatment",
            "role": "substance use treatment facility"}


def _fqhc(r: dict[str, str]) -> dict[str, str]:
    return {"name": r["name"], "street": r["address"], "city": r["city"], "state": r["st_abbr"], "lat": r["lat"],
            "lon": r["lon"], "phone": r["phone"], "offer": "health-center", "role": "health center site"}


def _join(*parts: str) -> str:
    return ", ".join(p for p in map(_na, parts) if p)


LISTS = (
    Listing("samhsa-otp-2021", "oeps-otp-2021", "OpioidTreatmentProgram_Geocoded.csv", "cp1252",
            ("ID", "ADDRESS", "CITY", "STATE", "POSTAL", "Latitude", "Longitude"),
            "SAMHSA", "Opioid Treatment Program Directory", "https://dpt2.samhsa.gov/treatment/directory.aspx", "2021-07", _otp),
    Listing("samhsa-moud-2020", "oeps-moud-2020", "us-wide-moudsCleaned.csv", "utf-8",
            ("name1", "name2", "street1", "street2", "city", "state", "zip", "category", "source", "Longitude", "Latitude"),
            "SAMHSA", "Behavioral Health Treatment Services Locator: MOUD providers", "https://findtreatment.gov", "2020-09", _moud),
    Listing("samhsa-sut-2021", "oeps-sut-2021", "SubstanceUseTreatment_Geocoded.csv", "utf-8",
            ("name1", "name2", "street1", "street2", "city", "state", "zip", "latitude", "longitude"),
            "SAMHSA", "Behavioral Health Treatment Services Locator: substance use treatment facilities", "https://findtreatment.gov",
            "2021-07", _sut),
    Listing("hrsa-health-centers-2020", "oeps-fqhc-2020", "FQHC_Geocoded.csv", "utf-8",
            ("name", "st_abbr", "city", "address", "phone", "lon", "lat"),
            "HRSA", "Health center service delivery sites", "https://data.hrsa.gov", "2020", _fqhc),
)

# Street words as the lists spell them in full or short; the key of an address uses the short form.
_STREET_WORDS = {"street": "st", "avenue": "ave", "av": "ave", "road": "rd", "boulevard": "blvd", "drive": "dr", "lane": "ln",
                 "court": "ct", "place": "pl", "parkway": "pkwy", "highway": "hwy", "suite": "ste", "north": "n", "south": "s",
                 "east": "e", "west": "w", "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
                 "circle": "cir", "square": "sq", "terrace": "ter", "building": "bldg", "floor": "fl", "first": "1st",
                 "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "mount": "mt", "saint": "st", "route": "rte"}
# Where the unit part of a street line begins: a facility is at its building, whatever the suite.
_UNIT = re.compile(r"\s(?:ste|unit|room|rm|fl|bldg|apt|#|no)\b.*$")
_NAME_NOISE = re.compile(r"\b(inc|llc|pc|pllc|ltd|corp|co|the|of|and|dba)\b")
_KEEP_UPPER = frozenset({"LLC", "INC", "PC", "PLLC", "HIV", "AIDS", "FQHC", "CHC", "II", "III", "IV", "USA", "YMCA", "YWCA",
                         "DBA", "VA", "MD", "DO", "NP", "PA", "UCLA", "UCSF", "UNC", "LGBT", "HHS", "IHS", "CHS", "MAT"})


def normal(text: str) -> str:
    """Lowercase words of a text, punctuation gone, accents kept out of the way."""
    from hrfind.text import normalize

    return " ".join(re.sub(r"[^a-z0-9# ]+", " ", normalize(text)).split())


def street_key(street: str) -> str:
    words = [_STREET_WORDS.get(w, w) for w in normal(street.split(",")[0]).replace("#", " # ").split()]
    return _UNIT.sub("", " ".join(words))


def city_key(city: str) -> str:
    return normal(re.sub(r",\s*[A-Za-z]{2}$", "", city))  # "Jessup, MD" in the OTP list's city column


def postal_code(text: str) -> str:
    """A five-digit ZIP from "21201", "21201-1234" or "1056" (a leading zero lost in a spreadsheet)."""
    digits = _na(text).split("-")[0]
    return digits.zfill(5) if digits.isdigit() and 3 <= len(digits) <= 5 else ""


def display_name(name: str) -> str:
    """A name written all in capitals ("SOUTHERN REGION COMM HEALTH CTR") in title case, acronyms kept."""
    if not name.isupper():
        return name
    return " ".join(w if w.strip(".,()") in _KEEP_UPPER else w.capitalize() for w in name.split())


@functools.lru_cache(maxsize=1)
def state_check() -> StateCheck:
    return StateCheck()


class StateCheck:
    """Whether a point lies within STATE_MARGIN_MI of a ZIP code centre of a given state."""

    def __init__(self) -> None:
        import zipcodes

        self.cells: dict[tuple[str, int, int], list[tuple[float, float]]] = collections.defaultdict(list)
        for z in zipcodes.list_all():
            try:
                lat, lon = float(z["lat"]), float(z["long"])
            except (TypeError, ValueError):
                continue
            if lat or lon:
                self.cells[(z["state"], math.floor(lat), math.floor(lon))].append((lat, lon))
        self.states = frozenset(state for state, _, _ in self.cells)

    def inside(self, lat: float, lon: float, state: str) -> bool | None:
        """True or False; None for a state the ZIP table does not have."""
        if state not in self.states:
            return None
        # Flat-earth miles are within a fraction of a percent of great-circle ones at this range.
        scale = 69.0 * max(math.cos(math.radians(lat)), 0.05)
        reach_lon = 1 + int(STATE_MARGIN_MI / scale)
        cells = sorted(((dlat, dlon) for dlat in (-1, 0, 1) for dlon in range(-reach_lon, reach_lon + 1)), key=lambda c: abs(c[0]) + abs(c[1]))
        limit = STATE_MARGIN_MI ** 2
        for dlat, dlon in cells:
            for zlat, zlon in self.cells.get((state, math.floor(lat) + dlat, math.floor(lon) + dlon), ()):
                if ((zlat - lat) * 69.0) ** 2 + ((zlon - lon) * scale) ** 2 <= limit:
                    return True
        return False


def read_list(listing: Listing, raw: Path) -> Iterator[dict[str, str]]:
    """The rows of a list's file as dicts; BuildError when the file lacks a column the build needs."""
    path = raw / listing.folder / listing.file
    try:
        handle = path.open(encoding=listing.encoding, newline="")
    except OSError as error:
        raise BuildError(f"{path}: cannot read it ({error.strerror}).") from None
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in listing.columns if c not in header]
        if missing:
            raise BuildError(f"{path}: missing columns {', '.join(missing)} (it has {', '.join(header) or 'no header'}); "
                             f"is this the {listing.title} file?")
        try:
            yield from reader
        except UnicodeDecodeError as error:
            raise BuildError(f"{path}: not {listing.encoding} text ({error.reason} at byte {error.start}).") from None


def clean_rows(listing: Listing, raw: Path, states: StateCheck, log: collections.Counter) -> list[Row]:
    """A list's rows that may become places, counting each one dropped by its reason."""
    kept: list[Row] = []
    seen: set[tuple] = set()
    for record in read_list(listing, raw):
        log["read"] += 1
        fields = {k: _na(v) for k, v in listing.read(record).items()}
        if fields.get("source") == "vivitrolWeb":
            log["vivitrolWeb (manufacturer's site)"] += 1
            continue
        if any(CUSTODIAL.search(fields.get(k, "")) for k in ("name", "other_name", "street")):
            log["jail, prison or detention"] += 1
            continue
        try:
            lat, lon = float(fields["lat"]), float(fields["lon"])
        except ValueError:
            lat = lon = math.nan
        state = fields["state"].upper()
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0) or not fields["name"] or not fields["offer"]:
            log["no usable coordinates"] += 1
            continue
        if states.inside(lat, lon, state) is False:
            log["coordinates outside its state"] += 1
            continue
        exact = tuple(sorted(fields.items()))
        if exact in seen:
            log["exact duplicate"] += 1
            continue
        seen.add(exact)
        kept.append(Row(listing.key, fields["name"], fields.get("other_name", ""), fields["street"], fields["city"], state,
                        postal_code(fields.get("postal", "")), round(lat, 6), round(lon, 6), fields.get("phone", ""),
                        fields["offer"], fields["role"]))
    return kept


@dataclasses.dataclass
class Facility:
    """Rows of one or more lists found to be one place."""

    rows: list[Row]
    names: list[str]  # normalised, without legal suffixes: what later rows are compared with

    def matches(self, name: str) -> bool:
        from rapidfuzz import fuzz

        return any(fuzz.token_set_ratio(name, known) >= SAME_NAME for known in self.names)


def name_key(name: str) -> str:
    return " ".join(_NAME_NOISE.sub(" ", normal(name)).split())


def merge(rows_by_list: list[list[Row]], log: dict[str, collections.Counter], merged: collections.Counter) -> list[Facility]:
    """Facilities: rows at the same address (street without unit, city, state) whose names agree are one."""
    at: dict[tuple[str, str, str], list[Facility]] = collections.defaultdict(list)
    facilities: list[Facility] = []
    for rows in rows_by_list:
        for row in rows:
            key = (row.state, city_key(row.city), street_key(row.street))
            name = name_key(row.name)
            other = name_key(row.other_name)
            found = next((f for f in at[key] if f.matches(name) or (other and f.matches(other))), None)
            if found is None:
                facility = Facility([row], [n for n in (name, other) if n])
                at[key].append(facility)
                facilities.append(facility)
                continue
            lists = {r.list for r in found.rows}
            if row.list not in lists:
                merged[f"{row.list} rows joined to a facility of an earlier list"] += 1
            elif any(r.list == row.list and r.offer == row.offer for r in found.rows):
                log[row.list]["near duplicate"] += 1
                log[row.list]["kept"] -= 1
                continue
            else:
                merged[f"{row.list} rows adding an offer to a facility of the same list"] += 1
            found.rows.append(row)
            found.names.extend(n for n in (name, other) if n and n not in found.names)
    return facilities


def phone_number(text: str) -> str:
    """A dialable number as the list gives it, or "" (the HRSA list has a few "0" and "x0000" extensions)."""
    from hrfind.hsds.importer import phone_number as dialable

    text = re.sub(r"\s*x0+$", "", text)  # "x0000": no extension
    return (dialable(text) or "") if sum(c.isdigit() for c in text) >= 7 else ""


def slug(text: str) -> str:
    from hrfind.hsds.importer import slug as hsds_slug

    return hsds_slug(text, 40) or "place"


def service(facility: Facility) -> dict[str, Any]:
    """The [[service]] table of a facility: what its lists say, and nothing more."""
    first = facility.rows[0]
    listings = {listing.key: listing for listing in LISTS}
    lists = [listing for listing in LISTS if any(r.list == listing.key for r in facility.rows)]
    name = display_name(first.name)
    street = next((r.street for r in facility.rows if r.street), "")
    city = first.city.split(",")[0].strip()
    address_key = "|".join((first.state, city_key(first.city), street_key(first.street)))
    table: dict[str, Any] = {"id": f"{slug(f'{name} {city}')}-{hashlib.sha1(address_key.encode()).hexdigest()[:6]}", "name": name}
    aliases = []
    for row in facility.rows:
        for other in (display_name(row.name), display_name(row.other_name)):
            if other and other != name and other not in aliases:
                aliases.append(other)
    if aliases:
        table["aliases"] = aliases[:4]
    roles = {}
    for row in facility.rows:
        listing = listings[row.list]
        roles.setdefault(row.role, f"{listing.publisher}, {listing.when}")
    table["summary"] = "Listed as " + "; ".join(f"{role} ({who})" for role, who in roles.items()) + ". No hours listed: call ahead."
    offers = {r.offer for r in facility.rows}
    table["offers"] = [o for o in OFFER_ORDER if o in offers]
    table["access"] = ["in-person"]
    phone = next((p for p in map(phone_number, (r.phone for r in facility.rows)) if p), "")
    if phone:
        table["phone"] = phone
    table["verified"] = max(listing.verified for listing in lists)
    table["sources"] = [{"title": f"{listing.publisher} {listing.title}, {listing.when} ({OEPS})", "url": listing.url, "publisher": listing.publisher,
                         "date": listing.date} for listing in lists]
    postal = next((r.postal for r in facility.rows if r.postal), "")
    address = {"street": street, "city": city, "region": first.state, "postal_code": postal, "country": "US"}
    table["address"] = {k: v for k, v in address.items() if v}
    table["lat"], table["lon"] = first.lat, first.lon
    return table


def build(raw: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """(service tables sorted by id, build log lines) from the raw lists in `raw`."""
    states = state_check()
    log: dict[str, collections.Counter] = {}
    rows_by_list = []
    for listing in LISTS:
        counter = log[listing.key] = collections.Counter()
        rows = clean_rows(listing, raw, states, counter)
        counter["kept"] = len(rows)
        rows_by_list.append(rows)
    merged: collections.Counter = collections.Counter()
    facilities = merge(rows_by_list, log, merged)
    services = [service(f) for f in facilities]
    services.sort(key=lambda s: s["id"])
    ids = [s["id"] for s in services]
    duplicated = sorted({i for i in ids if ids.count(i) > 1}) if len(set(ids)) != len(ids) else []
    if duplicated:
        raise BuildError(f"Two facilities would share the ids {', '.join(duplicated[:5])}; the merge rules need a look.")
    lines = []
    for listing in LISTS:
        counts = log[listing.key]
        dropped = ", ".join(f"{counts[reason]} {reason}" for reason in COUNTED[1:-1] if counts[reason])
        lines.append(f"{listing.key}: read {counts['read']}, kept {counts['kept']}" + (f"; dropped {dropped}" if dropped else ""))
    for reason, count in sorted(merged.items()):
        if count:
            lines.append(f"merged: {count} {reason}")
    several = sum(len({r.list for r in f.rows}) > 1 for f in facilities)
    lines.append(f"places: {len(services)} services, {several} of them in more than one list")
    by_offer = collections.Counter(o for s in services for o in s["offers"])
    lines.append("offers: " + ", ".join(f"{by_offer[o]} {o}" for o in OFFER_ORDER))
    return services, lines


HEADER = """\
# Real places from US federal lists, built by places/build.py from places/raw/ (do not edit by hand).
# SAMHSA Opioid Treatment Program Directory (July 2021), SAMHSA treatment locator MOUD providers
# (September 2020) and substance use treatment facilities (July 2021), HRSA health center sites (2020);
# US government works, geocoded by the Opioid Environment Policy Scan (OEPS). No list gives hours, and
# none says which places hand out naloxone, syringes or test strips.

"""


def render(services: list[dict[str, Any]]) -> str:
    """The layer as TOML, one line a field (tomli_w spreads each list over several lines, doubling the file)."""
    out = [HEADER]
    for table in services:
        out.append("[[service]]\n")
        out.extend(f"{key} = {_value(value)}\n" for key, value in table.items())
        out.append("\n")
    return "".join(out)


def _value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, datetime.date)):
        return value.isoformat() if isinstance(value, datetime.date) else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(_value, value)) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw", type=Path, default=HERE / "raw", help="folder of the raw lists (default places/raw)")
    parser.add_argument("-o", "--output", type=Path, default=HERE / "hrfind-places.toml", help="the TOML layer to write")
    parser.add_argument("--log", type=Path, default=None, help="also write the build log here (default beside the output)")
    args = parser.parse_args(argv)
    try:
        services, lines = build(args.raw)
    except BuildError as error:
        print(f"build: {error}", file=sys.stderr)
        return 2
    from hrfind.atomic import write_atomic

    write_atomic(args.output, render(services))
    log = args.log or args.output.with_name("build-log.txt")
    write_atomic(log, "".join(f"{line}\n" for line in lines))
    for line in lines:
        print(line, file=sys.stderr)
    print(f"wrote {args.output} and {log}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
