"""Places: parse ZIP codes, "City, ST" and "lat,lon", geocode them offline, measure distances.

Geocoding reads the ZIP table that the `zipcodes` package ships; nothing is downloaded. Loading
that table costs a few tenths of a second, so its located ZIPs are kept as a compact table in the
hrfind cache folder (keyed by the zipcodes version), which loads in milliseconds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import re
from collections.abc import Iterator
from typing import NamedTuple, Optional

import msgspec

from hrfind.errors import PlaceNotFoundError, UsageError

EARTH_RADIUS_MI = 3958.8
FORMS = 'a ZIP code like "21201", a city and state like "Baltimore, MD", or coordinates like "39.29,-76.61"'

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "VI": "U.S. Virgin Islands", "GU": "Guam", "AS": "American Samoa",
    "MP": "Northern Mariana Islands", "FM": "Micronesia", "MH": "Marshall Islands", "PW": "Palau",
}
# These have their own ISO 3166-1 code as well as US-XX, so coverage = ["PR"] reaches Puerto Rico.
OWN_COUNTRY_CODE = frozenset({"PR", "VI", "GU", "AS", "MP", "FM", "MH", "PW"})

_ZIP = re.compile(r"([0-9]{5})(?:-[0-9]{4})?")
_NUMBER = r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_COORDINATES = re.compile(rf"({_NUMBER})\s*(?:,|\s)\s*({_NUMBER})")
_LEADING_NUMBER = re.compile(rf"{_NUMBER}\s*,")
# zipcodes stores a few non-zone words (a town name) in its timezone field; an IANA name has a slash.
_ZONE = re.compile(r"[A-Z][A-Za-z_]+(?:/[A-Za-z_+-]+)+")
_APOSTROPHES = re.compile(r"['’]")
_MC = re.compile(r"\bmc ")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "point"}
# Bump when ZipData changes shape or meaning: the cached ZIP table is then built again.
ZIP_TABLE_FORMAT = 1
# How far a "lat,lon" may be from a ZIP centroid and still take its state and time zone.
_REVERSE_RADIUS_MI = 30.0


@dataclasses.dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    label: str
    region: str | None = None  # ISO 3166-2, like "US-MD"
    country: str | None = None  # ISO 3166-1, like "US"
    timezone: str | None = None  # IANA

    @property
    def areas(self) -> frozenset[str]:
        """The coverage codes that include this place: its state, its country, a territory's own code."""
        codes = {code for code in (self.region, self.country) if code}
        if self.region and self.region.startswith("US-") and self.region[3:] in OWN_COUNTRY_CODE:
            codes.add(self.region[3:])
        return frozenset(codes)


class ZipInfo(NamedTuple):
    code: str
    city: str
    state: str
    lat: float
    lon: float
    timezone: str | None
    standard: bool  # an active STANDARD ZIP: a delivery area, not a PO box or a single building

    def place(self, label: str) -> Place:
        return Place(self.lat, self.lon, label, f"US-{self.state}", "US", self.timezone)


def miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MI * math.asin(min(1.0, math.sqrt(a)))


def parse_place(text: str) -> Place:
    """The place a person typed: a ZIP code, "City, ST", a city alone, or "lat,lon"."""
    text = " ".join(text.split())
    if not text:
        raise UsageError(f"The place is empty; give {FORMS}.")
    if _ZIP.fullmatch(text):
        info = zip_info(text)
        code = text[:5]
        if info is None:
            raise PlaceNotFoundError(f'No ZIP code {code} with a known location. Check the digits, or give a city and state like "Baltimore, MD".')
        return info.place(f"{code} ({info.city}, {info.state})")
    # No letters, or a number before the first comma: meant as coordinates, so say how to write them.
    if not any(c.isalpha() for c in text) or _LEADING_NUMBER.match(text) or _number_pair(text):
        return _coordinates(text)
    return _city(text)


def _number_pair(text: str) -> bool:
    """Two things Python reads as numbers ("nan,nan", "1e2 1e2", "inf,-inf"): meant as coordinates, however written."""
    parts = re.split(r"\s*,\s*|\s+", text)
    try:
        return len(parts) == 2 and all(float(part) is not None for part in parts)
    except ValueError:
        return False


def _coordinates(text: str) -> Place:
    m = _COORDINATES.fullmatch(text)
    if not m:
        raise UsageError(f'"{text}" is not a place; give {FORMS}.')
    lat, lon = float(m.group(1)), float(m.group(2))
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise UsageError(f'"{text}" is out of range: latitude goes from -90 to 90 and longitude from -180 to 180, latitude first, like "39.29,-76.61".')
    label = f"{lat:.4f}, {lon:.4f}"
    near = _nearest_zip(lat, lon)
    if near is None:
        return Place(lat, lon, label)
    return Place(lat, lon, label, f"US-{near.state}", "US", near.timezone)


def _nearest_zip(lat: float, lon: float) -> ZipInfo | None:
    """The closest ZIP centroid within a short drive, for a point's state and time zone."""
    import zipcodes

    data = _ZIPS.data
    lats, lons = data.lats, data.lons
    # Half a degree of latitude is over 34 miles, so the band holds every ZIP within the radius.
    near = [(miles(lat, lon, lats[n], lons[n]), data.codes[n], n) for n in range(len(lats)) if abs(lats[n] - lat) <= 0.5]
    if not near:
        return None
    _, _, n = min(near)
    # Within the radius as zipcodes.filter_by_coordinates measures it (its Earth is a little smaller).
    if zipcodes.haversine(lon, lat, lons[n], lats[n]) > _REVERSE_RADIUS_MI:
        return None
    return _ZIPS.at(n)


class City(NamedTuple):
    name: str  # as the ZIP table spells it
    state: str
    zips: tuple[ZipInfo, ...]
    own: bool  # the ZIPs' main city name; False: a name they also accept for mail


def _city(text: str) -> Place:
    name, state = _split_state(text)
    key = normalise(name)
    if state is not None:
        city = _cities(state).get(key, {}).get(state)
        if city is None:
            close = _close(key, _cities(state))
            hint = f"Did you mean {_either(close)}?" if close else 'Check the spelling, or give its ZIP code like "21201".'
            raise PlaceNotFoundError(f'No city "{name}" in {STATES[state]}. {hint}')
        return _centroid(city)
    found = list(_cities(None).get(key, {}).values())
    # A town known only as another name of a ZIP elsewhere should not make a real city ambiguous.
    found = [c for c in found if c.own] or found
    if not found:
        close = _close(key, _cities(None))
        hint = f"Did you mean {_either(close)}?" if close else f"Give {FORMS}."
        raise PlaceNotFoundError(f'No US city "{name}" is known. {hint}')
    if len(found) > 1:
        # Larger places first: the one a person most likely means leads the list.
        found.sort(key=lambda c: (-len(c.zips), c.state))
        shown = [f"{c.name}, {c.state}" for c in found[:6]]
        more = f" and {len(found) - 6} more" if len(found) > 6 else ""
        raise PlaceNotFoundError(f'"{name}" is a city in {len(found)} states: {"; ".join(shown)}{more}. Add the state, like "{shown[0]}".')
    return _centroid(found[0])


def _split_state(text: str) -> tuple[str, str | None]:
    """A city name and a state code, from "City, ST", "City, State" or "City ST"."""
    if "," in text:
        name, _, tail = text.rpartition(",")
        state = state_code(tail)
        if state is None:
            raise PlaceNotFoundError(f'"{tail.strip()}" is not a US state; use its two-letter code, like "Baltimore, MD".')
        return name.strip(), state
    words = text.split(" ")
    # "Portland OR", "Kansas City Missouri", "New York New York": a state at the end, if a city precedes it.
    for n in (1, 2):
        if len(words) > n:
            state = state_code(" ".join(words[-n:]))
            name = " ".join(words[:-n])
            if state is not None and normalise(name) in _cities(state):
                return name, state
    return text, None


def state_code(text: str) -> str | None:
    """The two-letter code of a US state or territory, from its code or name in any case."""
    key = normalise(text)
    return key.upper() if key.upper() in STATES else _state_names().get(key)


@functools.cache
def _state_names() -> dict[str, str]:
    names = {normalise(name): code for code, name in STATES.items()}
    return names | {"virgin islands": "VI", "washington dc": "DC"}


def _centroid(city: City) -> Place:
    """A city's point: the mean of its delivery ZIPs' centroids, or of all its ZIPs if it has none."""
    chosen = [z for z in city.zips if z.standard] or city.zips
    lat = sum(z.lat for z in chosen) / len(chosen)
    lon = sum(z.lon for z in chosen) / len(chosen)
    zones = [z.timezone for z in chosen if z.timezone]
    zone = max(sorted(set(zones)), key=zones.count) if zones else None
    return Place(lat, lon, f"{city.name}, {city.state}", f"US-{city.state}", "US", zone)


def _close(key: str, cities: dict[str, dict[str, City]]) -> list[City]:
    """The three cities whose names are nearest a misspelt one, larger places first among equals."""
    from rapidfuzz import fuzz, process

    found = process.extract(key, list(cities), scorer=fuzz.ratio, limit=3, score_cutoff=80)
    ranked = [(-score, not c.own, -len(c.zips), c.state, c) for k, score, _ in found for c in cities[k].values()]
    return [entry[-1] for entry in sorted(ranked, key=lambda e: e[:-1])[:3]]


def _either(cities: list[City]) -> str:
    return " or ".join(f'"{c.name}, {c.state}"' for c in cities)


def normalise(text: str) -> str:
    """A city name folded for comparison: as search folds text, plus "St." and "Mc Lean" spellings."""
    from hrfind.text import normalize

    words = [_ABBREVIATIONS.get(w, w) for w in normalize(_APOSTROPHES.sub("", text)).split()]
    return _MC.sub("mc", " ".join(words))


def zip_info(code: str) -> ZipInfo | None:
    """The centroid, city, state and time zone of a US ZIP code ("21201" or "21201-1234"), if it has a location."""
    m = _ZIP.fullmatch(code.strip())
    return _ZIPS.get(m.group(1)) if m else None


def zip_timezone(code: str) -> str | None:
    """The IANA time zone of a ZIP code, or None."""
    info = zip_info(code)
    return info.timezone if info else None


def _info(row: dict) -> ZipInfo | None:
    """A zipcodes row as a ZipInfo; None for ZIPs without a location (military mail: 0, 0)."""
    try:
        lat, lon = float(row["lat"]), float(row["long"])
    except (TypeError, ValueError):
        return None
    if lat == 0 and lon == 0:
        return None
    return ZipInfo(row["zip_code"], row["city"], row["state"], lat, lon, _zone(row.get("timezone")),
                   row.get("zip_code_type") == "STANDARD" and bool(row.get("active")))


@functools.cache
def _zone(name: str | None) -> str | None:
    return name if name and _ZONE.fullmatch(name) else None


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building tables of many small objects."""
    import gc

    # 42,000 fresh dicts trigger repeated full collections that triple the load time. The tables
    # built here live as long as the process, so they are frozen out of all later collections too.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


class ZipData(msgspec.Struct, array_like=True):
    """Every located ZIP of the `zipcodes` package as flat columns, in its order: what geocoding needs."""

    codes: list[str]
    cities: list[str]
    states: list[str]
    lats: list[float]
    lons: list[float]
    zones: list[Optional[str]]  # IANA names only; None where zipcodes has none or a non-zone word
    standard: list[bool]
    others: list[list[str]]  # the other city names each ZIP accepts for mail


def _zip_data() -> ZipData:
    """Read the whole zipcodes table (a few tenths of a second) into columns."""
    import zipcodes

    columns: tuple[list, ...] = ([], [], [], [], [], [], [], [])
    with _no_gc():
        for row in zipcodes.list_all():
            info = _info(row)
            if info is not None:
                for column, value in zip(columns, (*info[:6], info.standard, list(row.get("acceptable_cities", ())))):
                    column.append(value)
    return ZipData(*columns)


def zip_table_key() -> str:
    """What the cached ZIP table is made from: the zipcodes version, and this module's format of it."""
    import zipcodes

    return f"zipcodes {zipcodes.__version__}/{ZIP_TABLE_FORMAT}"


class _ZipTable:
    """ZIP lookups over the compact table, kept in the hrfind cache folder and read back in milliseconds.

    The first process after zipcodes is installed or upgraded builds it from zipcodes; when the cache
    folder cannot be written, every process reads zipcodes itself, as slowly as before.
    """

    def __init__(self) -> None:
        self._data: ZipData | None = None
        self._where: dict[str, int] | None = None
        self._read: dict[str, ZipInfo] = {}

    @property
    def data(self) -> ZipData:
        if self._data is None:
            from hrfind import cache

            with _no_gc():
                self._data = cache.Store(cache.folder()).table("zips", zip_table_key(), ZipData, _zip_data)
        return self._data

    def reset(self) -> None:
        """Forget the table, so that the next lookup reads it again (for tests)."""
        self.__init__()  # type: ignore[misc]
        _cities.cache_clear()

    def at(self, n: int) -> ZipInfo:
        d = self.data
        return ZipInfo(d.codes[n], d.cities[n], d.states[n], d.lats[n], d.lons[n], d.zones[n], d.standard[n])

    def get(self, code: str) -> ZipInfo | None:
        info = self._read.get(code)
        if info is None:
            if self._where is None:
                self._where = {c: n for n, c in enumerate(self.data.codes)}
            n = self._where.get(code)
            if n is None:
                return None
            info = self._read[code] = self.at(n)
        return info


_ZIPS = _ZipTable()


@functools.cache
def _cities(state: str | None) -> dict[str, dict[str, City]]:
    """Normalised city name -> state -> City, for one state or (None) the whole country."""
    data = _ZIPS.data
    own: dict[tuple[str, str], tuple[str, list[ZipInfo]]] = {}
    other: dict[tuple[str, str], tuple[str, list[ZipInfo]]] = {}
    key = functools.cache(normalise)
    with _no_gc():
        for n, st in enumerate(data.states):
            if state is not None and st != state:
                continue
            info = _ZIPS.at(n)
            for name, table in ((info.city, own), *((o, other) for o in data.others[n])):
                table.setdefault((key(name), info.state), (name, []))[1].append(info)
        cities: dict[str, dict[str, City]] = {}
        for (name_key, st), (name, zips) in (other | own).items():
            cities.setdefault(name_key, {})[st] = City(name, st, tuple(zips), (name_key, st) in own)
    return cities
