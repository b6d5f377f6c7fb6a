"""Places: parse ZIP codes, "City, ST" and "lat,lon", geocode them offline, measure distances.

Geocoding reads hrfind's compact ZIP table (`hrfind.zips`, made from the `zipcodes` package);
nothing is downloaded.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from typing import TYPE_CHECKING, NamedTuple

from hrfind import zips
from hrfind.errors import PlaceNotFoundError, UsageError
from hrfind.zips import ZipInfo, zip_info, zip_timezone  # noqa: F401 - geocoding's lookups, used by importers and locate

if TYPE_CHECKING:
    from hrfind.model import Service

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
_APOSTROPHES = re.compile(r"['’]")
_MC = re.compile(r"\bmc ")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "point"}
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
        return _zip_place(info, f"{code} ({info.city}, {info.state})")
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


def service_location(service: Service) -> tuple[float, float, bool] | None:
    """(lat, lon, approximate): a service's own coordinates, else its US postal code's centre, else None."""
    if service.lat is not None and service.lon is not None:
        if -90 <= service.lat <= 90 and -180 <= service.lon <= 180:
            return service.lat, service.lon, service.geocoded
        return None
    address = service.address
    if address is None or not address.postal_code or address.country not in (None, "US"):
        return None
    info = zip_info(address.postal_code)
    return (info.lat, info.lon, True) if info else None


def _zip_place(info: ZipInfo, label: str) -> Place:
    return Place(info.lat, info.lon, label, f"US-{info.state}", "US", info.timezone)


def _nearest_zip(lat: float, lon: float) -> ZipInfo | None:
    """The closest ZIP centroid within a short drive, for a point's state and time zone."""
    import zipcodes

    # Half a degree of latitude is over 34 miles, so the band holds every ZIP within the radius.
    near = [(miles(lat, lon, z.lat, z.lon), z.code, z) for z in zips.TABLE.within(lat - 0.5, lat + 0.5)]
    if not near:
        return None
    _, _, found = min(near)
    # Within the radius as zipcodes.filter_by_coordinates measures it (its Earth is a little smaller).
    if zipcodes.haversine(lon, lat, found.lon, found.lat) > _REVERSE_RADIUS_MI:
        return None
    return found


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


@functools.cache
def _cities(state: str | None) -> dict[str, dict[str, City]]:
    """Normalised city name -> state -> City, for one state or (None) the whole country."""
    own: dict[tuple[str, str], tuple[str, list[ZipInfo]]] = {}
    other: dict[tuple[str, str], tuple[str, list[ZipInfo]]] = {}
    key = functools.cache(normalise)
    with zips.no_gc():
        for info, others in zips.TABLE.each(state):
            for name, table in ((info.city, own), *((o, other) for o in others)):
                table.setdefault((key(name), info.state), (name, []))[1].append(info)
        cities: dict[str, dict[str, City]] = {}
        for (name_key, st), (name, found) in (other | own).items():
            cities.setdefault(name_key, {})[st] = City(name, st, tuple(found), (name_key, st) in own)
    return cities
