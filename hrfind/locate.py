"""The services query: filter the directory, place it around a person, read opening hours.

Local services (a site with coordinates, or a US postal code standing in for them) come first,
nearest first; remote ones (phone, text, online, mail) whose coverage includes the place follow.

A directory of 100,000 services is answered without decoding it: the store (`hrfind.store`) keeps
each service's location in a spatial index and what it offers as indexed tags, the filters are
conditions of its queries, and the nearest are found by widening a box around the place until it
holds every service that can be nearer than those found. Only the services shown (and the few
with no location, and the remote ones that reach the place) are decoded.
"""

from __future__ import annotations

import dataclasses
import datetime
import heapq
import math
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from hrfind import hours
from hrfind.errors import UsageError
from hrfind.geo import EARTH_RADIUS_MI, Place, miles
from hrfind.model import ACCESS, NARROWER, Service

if TYPE_CHECKING:
    from hrfind.store.db import Loaded, Store

LIMIT = 10
# An offer that stands for several narrower ones: a service listing any of them matches it
# (--offers moud finds a methadone clinic; --offers methadone does not find a naltrexone prescriber).
# Where else an offer can be had, said once when no place near the person is known to offer it.
ELSEWHERE = {"naloxone": "Naloxone (Narcan) is sold without a prescription at pharmacies, and remote programs like "
                         "NEXT Distro mail it free."}


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


def find(catalog: Loaded, place: Place | None = None, filters: Filters = Filters(), *,
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
    store = catalog.store
    notes: list[str] = []
    tags = _tags(catalog, filters)
    allowed = store.all_tagged(tags) if tags else None  # record numbers; None for every service
    scores: dict[int, float] = {}
    ordered: list[int] | None = None  # the candidates in search order, when a query was given
    # Near a place, remote lines are found by the areas they cover (`store.remote`), not among every line.
    unlocated = {n: remote for n, remote in store.unlocated(lines=place is None) if allowed is None or n in allowed}
    if filters.query.strip():
        from hrfind import search

        among = store.all_tagged([["kind:service"], *tags])
        scores = dict(search.ranked(store, filters.query, allowed=among))
        ordered = list(scores)
        allowed = set(ordered)
        unlocated = {n: unlocated[n] for n in ordered if n in unlocated}
    reader = _Reader(open_at or now, open_at is not None, notes)
    # Those with no location are left out near a place, and listed after the sites without one;
    # remote lines are read only when they are shown.
    unplaced = store.records(n for n, remote in unlocated.items() if not remote)
    for service in unplaced.values():
        _location(service, notes)
    if place is None:
        lines = list(store.records(n for n, remote in unlocated.items() if remote).items())
        return _anywhere(store, allowed, ordered, scores, lines, remote, reader, limit)
    unplaced_ids = [service.id for service in unplaced.values()]
    if unplaced_ids:
        notes.append(_left_out(unplaced_ids, "matching service", "servicio que coincide",
                               "with no location (no lat/lon and no known US ZIP code)",
                               "sin ubicación (sin lat/lon ni un código postal de EE. UU. conocido)"))
    local: list[Result] = []
    for distance, _, n, lat, lon, approximate in _nearest(place, store, allowed):
        if (radius is not None and distance > radius) or (limit is not None and len(local) >= limit):
            break
        result = reader.read(store.record(n), distance_mi=distance, approximate=approximate, location=(lat, lon), score=scores.get(n))
        if result is not None:
            local.append(result)
    far: list[Result] = []
    if remote:
        shown = {r.service.id for r in local}
        found = store.records(n for n in store.remote(place.areas) if allowed is None or n in allowed)
        # A statewide line reaches the place more surely than a national one: narrowest coverage first.
        reach = sorted((place.region not in s.coverage, s.id, n) for n, s in found.items() if s.id not in shown)
        far = reader.read_all((found[n] for _, _, n in reach), {found[n].id: scores[n] for _, _, n in reach if n in scores})
    reader.finish()
    from hrfind.i18n import _

    if radius is not None:
        where = f"{_('within')} {radius:g} {_('miles of')} {place.label}"
    else:
        where = f"{_('near')} {place.label}"
    showing = f"{_('showing')} {_plural(len(far), _('remote option'))} {_('for')} {place.label} {_('instead')}" if far else ""
    elsewhere = [o for o in resolve_offers(catalog, filters.offers) if o in ELSEWHERE] if not local else []
    if elsewhere:
        notes.append(f"{_('No place')} {where} {_('is known to offer')} {_(' or ').join(elsewhere)}. "
                     + " ".join(_(ELSEWHERE[o]) for o in elsewhere) + (f" {showing[0].upper()}{showing[1:]}." if showing else ""))
    elif not local and far:
        notes.append(f"{_('No service matched')} {where}; {showing}.")
    return Answer(tuple(local + far), len(local), tuple(notes))


def _nearest(place: Place, store: Store, allowed: Collection[int] | None) -> Iterator[tuple[float, str, int, float, float, bool]]:
    """(distance, id, number, lat, lon, approximate) of the located candidates, nearest first, ties by id.

    The services within a box of w degrees around the place are read; every service outside it is
    more than w degrees of arc away, so those found within that arc can be given in order; then w
    doubles, until the box covers the Earth.
    """
    heap: list[tuple[float, str, int, float, float, bool]] = []
    seen: set[int] = set()
    width = 0.25
    while True:
        south, north = max(-90.0, place.lat - width), min(90.0, place.lat + width)
        boxes = _longitudes(place, width)
        for n, record_id, lat, lon, approximate in store.in_box(south, north, boxes):
            if n not in seen and (allowed is None or n in allowed):
                seen.add(n)
                heapq.heappush(heap, (miles(place.lat, place.lon, lat, lon), record_id, n, lat, lon, bool(approximate)))
        complete = south == -90.0 and north == 90.0 and boxes == [(-180.0, 180.0)]
        # A margin for rounding: a distance is never computed short of the arc by anything near this.
        bound = math.inf if complete else EARTH_RADIUS_MI * math.radians(width) * (1 - 1e-9)
        while heap and heap[0][0] <= bound:
            yield heapq.heappop(heap)
        if complete:
            return
        width *= 2


def _longitudes(place: Place, width: float) -> list[tuple[float, float]]:
    """Ranges of longitude outside which a point within `width` degrees of latitude is over `width` degrees of arc away.

    By the haversine, sin^2(d/2) >= cos(lat0) cos(lat) sin^2(dlon/2): with |lat| at most the band's
    widest, a dlon whose sin(dlon/2) reaches sin(w/2) / sqrt(cos(lat0) cos(lat)) keeps d above w.
    """
    widest = min(90.0, abs(place.lat) + width)
    spread = math.cos(math.radians(place.lat)) * math.cos(math.radians(widest))
    half = math.sin(math.radians(width) / 2)
    if spread <= 0 or half >= math.sqrt(spread):
        return [(-180.0, 180.0)]
    reach = math.degrees(2 * math.asin(half / math.sqrt(spread))) * (1 + 1e-9) + 1e-9
    if reach >= 180:
        return [(-180.0, 180.0)]
    west, east = place.lon - reach, place.lon + reach
    if west < -180:
        return [(west + 360, 180.0), (-180.0, east)]
    if east > 180:
        return [(west, 180.0), (-180.0, east - 360)]
    return [(west, east)]


def _anywhere(store: Store, allowed: Collection[int] | None, ordered: list[int] | None, scores: dict[int, float],
              lines: list[tuple[int, Service]], remote: bool, reader: _Reader, limit: int | None) -> Answer:
    """Without a place: sites (best score, then id) up to the limit, then every remote service with no location."""
    line_numbers = {n for n, _ in lines}
    if ordered is not None:
        ids = store.id_of(ordered)
        order = sorted((n for n in ordered if n not in line_numbers), key=lambda n: (-scores.get(n, 0.0), ids[n]))
        sites: Iterable[int] = order
    else:
        sites = (n for n in store.services_by_id() if n not in line_numbers and (allowed is None or n in allowed))
    local: list[Result] = []
    for n in sites:
        if limit is not None and len(local) >= limit:
            break
        service = store.record(n)
        point = store.sites((n,)).get(n)
        fields = {"approximate": point[2], "location": point[:2]} if point else {}
        result = reader.read(service, score=scores.get(n), **fields)
        if result is not None:
            local.append(result)
    by_rank = sorted(lines, key=lambda line: (-scores.get(line[0], 0.0), line[1].id))
    far = reader.read_all((s for _, s in by_rank), {s.id: scores[n] for n, s in lines if n in scores}) if remote else []
    reader.finish()
    return Answer(tuple(local + far), len(local), tuple(reader.notes))


def resolve_offers(catalog: Loaded, names: Iterable[str]) -> list[str]:
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


def _tags(catalog: Loaded, filters: Filters) -> list[list[str]]:
    """The tags a service must carry to pass the filters: one of each list."""
    offers = resolve_offers(catalog, filters.offers)
    language = language_code(filters.language) if filters.language else None
    if filters.access is not None and filters.access not in ACCESS:
        raise UsageError(f'--access takes one of {", ".join(ACCESS)}; got "{filters.access}".')
    wanted = [[f"offer:{o}" for o in (offer, *NARROWER.get(offer, ()))] for offer in offers]  # any key of each list
    if language is not None:
        wanted.append([f"language:{language}"])
    if filters.free:
        wanted.append(["cost:free"])
    if filters.access is not None:
        wanted.append([f"access:{filters.access}"])
    return wanted


def _location(service: Service, notes: list[str]) -> None:
    """Warn about coordinates that cannot be on Earth (records that were never validated)."""
    if service.lat is not None and service.lon is not None and not (-90 <= service.lat <= 90 and -180 <= service.lon <= 180):
        notes.append(f'warning: {service.origin}: service "{service.id}": lat/lon {service.lat}, {service.lon} is not on Earth; '
                     "its location was ignored. Run hrfind validate.")


class _Reader:
    """Reads each service's hours at one moment, and keeps count of what it had to leave out."""

    def __init__(self, moment: hours.Moment, open_only: bool, notes: list[str]):
        self.moment = moment
        self.open_only = open_only
        self.notes = notes
        self.unknown: list[str] = []

    def read(self, service: Service, **fields) -> Result | None:
        """The service's result; None when it is left out (closed, unknown hours, broken hours)."""
        try:
            found = hours.reading(service, self.moment)
        except ValueError as error:
            self.notes.append(f"warning: {service.origin}: service \"{service.id}\": {error}; skipped.")
            return None
        state = found.open_now
        if self.open_only and state is not True:
            if state is None:
                self.unknown.append(service.id)
            return None
        return Result(service, open_now=state, hours_today=found.hours_today, status=found.status, **fields)

    def read_all(self, services: Iterable[Service], scores: dict[str, float]) -> list[Result]:
        """Remote services' results, in the order given."""
        found = (self.read(s, remote=True, score=scores.get(s.id)) for s in services)
        return [result for result in found if result is not None]

    def finish(self) -> None:
        if self.unknown:
            self.notes.append(_left_out(self.unknown, "service", "servicio", "with unknown hours or time zone",
                                        "con horario o zona horaria desconocidos"))


def _plural(n: int, noun: str) -> str:
    """ "1 remote option", "2 remote options"; in Spanish the first word takes the plural ("2 opciones a distancia")."""
    from hrfind.i18n import current

    if n == 1:
        return f"{n} {noun}"
    if current() != "es":
        return f"{n} {noun}s"
    first, space, rest = noun.partition(" ")
    first = first.replace("ión", "ion") + "es" if first[-1] in "nrl" else first + "s"  # opción -> opciones
    return f"{n} {first}{space}{rest}"


def _left_out(ids: Sequence[str], noun: str, noun_es: str, why: str, why_es: str) -> str:
    """ "Left out 2 services with ...: a, b." in the run's language."""
    from hrfind.i18n import current

    if current() == "es":
        first, space, rest = noun_es.partition(" ")
        many = len(ids) != 1
        counted = f"{len(ids)} {first}{'s' if many else ''}{space}{rest.replace('coincide', 'coinciden') if many else rest}"
        return f"{'Se omitieron' if many else 'Se omitió'} {counted} {why_es}: {_ids(ids, more='y')}."
    return f"Left out {_plural(len(ids), noun)} {why}: {_ids(ids)}."


def _ids(ids: Sequence[str], shown: int = 5, more: str = "and") -> str:
    rest = f" {more} {len(ids) - shown} {'más' if more == 'y' else 'more'}" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + rest
