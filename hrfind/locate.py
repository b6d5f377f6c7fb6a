"""The services query: filter the directory, place it around a person, read opening hours.

Local services (a site with coordinates, or a US postal code standing in for them) come first,
nearest first; remote ones (phone, text, online, mail) whose coverage includes the place follow.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Iterable, Sequence

from hrfind import hours
from hrfind.catalog import Catalog
from hrfind.errors import UsageError
from hrfind.geo import Place, miles
from hrfind.model import ACCESS, Service

LIMIT = 10


@dataclasses.dataclass(frozen=True)
class Result:
    service: Service
    distance_mi: float | None = None  # None for remote services and when no place was given
    approximate: bool = False  # located at its postal code's centre, not its own coordinates
    open_now: bool | None = None  # at the moment asked; None when hours or time zone are unknown
    hours_today: str | None = None  # that day's hours in the service's zone, like "09:00-17:00"
    status: str | None = None  # "open, closes 17:00", "opens Mon 09:00"
    remote: bool = False
    score: float | None = None  # search relevance, when a query was given
    location: tuple[float, float] | None = None  # (lat, lon) used for distance and maps


@dataclasses.dataclass(frozen=True)
class Answer:
    results: tuple[Result, ...]
    local: int  # how many of the results are local; the rest are remote
    notes: tuple[str, ...] = ()  # for stderr: what was left out and why


@dataclasses.dataclass(frozen=True)
class Filters:
    """What a service must be to match, as the command line gives it."""

    offers: Sequence[str] = ()  # ids, labels or aliases; a service must offer every one
    language: str | None = None
    free: bool = False
    access: str | None = None
    query: str = ""


def find(catalog: Catalog, place: Place | None = None, filters: Filters = Filters(), *,
         now: datetime.datetime, open_at: hours.Moment | None = None, radius: float | None = None,
         limit: int | None = LIMIT, remote: bool = True) -> Answer:
    """Services matching the filters: local ones nearest first (ties by id), then remote ones.

    `open_at` keeps only services known to be open then (pass `now` for --open-now); open_now,
    hours_today and status describe that moment, or `now` when it is not given.
    """
    if radius is not None and (math.isnan(radius) or radius < 0):
        raise UsageError(f"--radius must be a distance in miles of 0 or more, like 5 or 12.5; got {radius}.")
    if limit is not None and limit < 1:
        raise UsageError(f"--limit must be 1 or more; got {limit}.")
    notes: list[str] = []
    candidates = _matching(catalog, filters)
    scores: dict[str, float] = {}
    if filters.query.strip():
        from hrfind import search

        hits = search.search(candidates, catalog.offers, filters.query)
        scores = {hit.record.id: hit.score for hit in hits}
        candidates = [hit.record for hit in hits]
    reader = _Reader(open_at or now, open_at is not None, notes)
    sites: list[tuple[Service, tuple[float, float, bool] | None]] = []
    lines: list[Service] = []  # remote services with no location of their own
    for service in candidates:
        point = _location(service, notes)
        if point is None and service.is_remote:
            lines.append(service)
        else:
            sites.append((service, point))
    if place is None:
        return _anywhere(sites, lines if remote else [], scores, reader, limit)
    unplaced = [service.id for service, point in sites if point is None]
    if unplaced:
        notes.append(f"Left out {_plural(len(unplaced), 'matching service')} with no location "
                     f"(no lat/lon and no known US ZIP code): {_ids(unplaced)}.")
    nearest = sorted((miles(place.lat, place.lon, p[0], p[1]), s.id, s, p) for s, p in sites if p is not None)
    local: list[Result] = []
    for distance, _, service, (lat, lon, approximate) in nearest:
        if (radius is not None and distance > radius) or (limit is not None and len(local) >= limit):
            break
        result = reader.read(service, distance_mi=distance, approximate=approximate, location=(lat, lon), score=scores.get(service.id))
        if result is not None:
            local.append(result)
    far: list[Result] = []
    if remote:
        shown = {r.service.id for r in local}
        # A statewide line reaches the place more surely than a national one: narrowest coverage first.
        reach = sorted((place.region not in s.coverage, s.id, s) for s in candidates
                       if s.is_remote and s.id not in shown and place.areas.intersection(s.coverage))
        far = reader.read_all((s for _, _, s in reach), scores)
    reader.finish()
    if not local and far:
        where = f"within {radius:g} miles of {place.label}" if radius is not None else f"near {place.label}"
        notes.append(f"No service matched {where}; showing {_plural(len(far), 'remote option')} for {place.label} instead.")
    return Answer(tuple(local + far), len(local), tuple(notes))


def _anywhere(sites: list[tuple[Service, tuple[float, float, bool] | None]], lines: list[Service],
              scores: dict[str, float], reader: _Reader, limit: int | None) -> Answer:
    """Without a place: sites (best score, then id) up to the limit, then every remote service."""
    def rank(service: Service) -> tuple[float, str]:
        return -scores.get(service.id, 0.0), service.id

    local: list[Result] = []
    for service, point in sorted(sites, key=lambda site: rank(site[0])):
        if limit is not None and len(local) >= limit:
            break
        fields = {"approximate": point[2], "location": point[:2]} if point else {}
        result = reader.read(service, score=scores.get(service.id), **fields)
        if result is not None:
            local.append(result)
    far = reader.read_all(sorted(lines, key=rank), scores)
    reader.finish()
    return Answer(tuple(local + far), len(local), tuple(reader.notes))


def resolve_offers(catalog: Catalog, names: Iterable[str]) -> list[str]:
    """Offer ids for ids, labels or aliases (`narcan` -> naloxone); UsageError names the closest."""
    from hrfind.search import resolve_offer

    return list(dict.fromkeys(resolve_offer(catalog.offers, name) for name in names))


def language_code(text: str) -> str:
    """The ISO 639-1 code for "es", "spa" or "Spanish"; UsageError otherwise."""
    from hrfind.hsds.languages import iso639_1

    code = iso639_1(text)
    if code is None and len(text.strip()) == 2 and text.strip().isascii() and text.strip().isalpha():
        code = text.strip().lower()  # a real ISO 639-1 code the name table does not list
    if code is None:
        raise UsageError(f'"{text}" is not a language hrfind knows; give a two-letter ISO 639-1 code like "es" or a name like "Spanish".')
    return code


def _matching(catalog: Catalog, filters: Filters) -> list[Service]:
    offers = resolve_offers(catalog, filters.offers)
    language = language_code(filters.language) if filters.language else None
    if filters.access is not None and filters.access not in ACCESS:
        raise UsageError(f'--access takes one of {", ".join(ACCESS)}; got "{filters.access}".')
    return [
        s for s in catalog.services.values()
        if all(o in s.offers for o in offers)
        and (language is None or language in s.languages)
        and (not filters.free or s.cost == "free")
        and (filters.access is None or filters.access in s.access)
    ]


def _location(service: Service, notes: list[str]) -> tuple[float, float, bool] | None:
    """(lat, lon, approximate): its own coordinates, else its US postal code's centre, else None."""
    if service.lat is not None and service.lon is not None:
        if -90 <= service.lat <= 90 and -180 <= service.lon <= 180:
            return service.lat, service.lon, service.geocoded
        notes.append(f'warning: {service.origin}: service "{service.id}": lat/lon {service.lat}, {service.lon} is not on Earth; '
                     "its location was ignored. Run hrfind validate.")
        return None
    address = service.address
    if address is None or not address.postal_code or address.country not in (None, "US"):
        return None
    from hrfind import geo

    info = geo.zip_info(address.postal_code)
    return (info.lat, info.lon, True) if info else None


class _Reader:
    """Reads each service's hours at one moment, and keeps count of what it had to leave out."""

    def __init__(self, moment: hours.Moment, open_only: bool, notes: list[str]):
        self.moment = moment
        self.open_only = open_only
        self.notes = notes
        self.unknown: list[str] = []

    def read(self, service: Service, **fields) -> Result | None:
        """The service's result; None when it is left out (closed, unknown hours, broken hours)."""
        if not service.hours:
            state = None
            found = {}
        else:
            try:
                schedule = hours.week(service.hours)
            except ValueError as error:
                self.notes.append(f"warning: {service.origin}: service \"{service.id}\": {error}; skipped.")
                return None
            local = hours.local(self.moment, hours.zone_of(service))
            if local is not None:
                state = schedule.span_at(hours.minute_of_week(local)) is not None
                found = {"hours_today": hours.day_hours(schedule, hours.minute_of_week(local) // hours.DAY),
                         "status": hours.status(schedule, local)}
            else:
                # Without a time zone the day and time are unknown; say only what holds whatever they are.
                days = {hours.day_hours(schedule, d) for d in range(7)}
                state = True if schedule.always_open else None
                found = {"hours_today": days.pop() if len(days) == 1 else None,
                         "status": "open 24 hours" if schedule.always_open else None}
        if self.open_only and state is not True:
            if state is None:
                self.unknown.append(service.id)
            return None
        return Result(service, open_now=state, **found, **fields)

    def read_all(self, services: Iterable[Service], scores: dict[str, float]) -> list[Result]:
        """Remote services' results, in the order given."""
        found = (self.read(s, remote=True, score=scores.get(s.id)) for s in services)
        return [result for result in found if result is not None]

    def finish(self) -> None:
        if self.unknown:
            self.notes.append(f"Left out {_plural(len(self.unknown), 'service')} with unknown hours or time zone: {_ids(self.unknown)}.")


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _ids(ids: Sequence[str], shown: int = 5) -> str:
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more
