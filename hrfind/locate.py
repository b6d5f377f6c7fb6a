"""The services query: filter the directory, place it around a person, read opening hours.

Local services (a site with coordinates, or a US postal code standing in for them) come first,
nearest first; remote ones (phone, text, online, mail) whose coverage includes the place follow.

A directory of 100,000 services is answered without decoding it: each service's coordinates and
what it offers are kept as flat arrays beside the cached catalog (`Places`), the filters are set
intersections of those, and the nearest are found by widening a band of latitude around the place
until it holds every service that can be nearer than those found. Only the services shown (and the
few with no coordinates of their own, and the remote ones) are decoded.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import heapq
import itertools
import math
from array import array
from collections.abc import Iterable, Iterator, Sequence

import msgspec

from hrfind import hours
from hrfind.catalog import Catalog
from hrfind.errors import UsageError
from hrfind.geo import EARTH_RADIUS_MI, Place, miles
from hrfind.model import ACCESS, Service

LIMIT = 10
# An offer that stands for several narrower ones: a service listing any of them matches it
# (--offers moud finds a methadone clinic; --offers methadone does not find a naltrexone prescriber).
NARROWER = {"moud": ("methadone", "buprenorphine", "naltrexone")}
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


class Places(msgspec.Struct, array_like=True):
    """Where the services of a catalog are and what they are, by position, as flat arrays."""

    count: int
    lats: memoryview  # array('d'): own coordinates, valid where the position is in by_lat
    lons: memoryview  # array('d')
    approximate: memoryview  # array('B'): 1 where the own coordinates are a postal code's centre
    by_lat: memoryview  # array('I'): positions of the services with usable own coordinates, south to north
    lat_order: memoryview  # array('d'): their latitudes, in that order
    unlocated: memoryview  # array('I'): positions with no usable coordinates of their own (read one by one)
    remote: memoryview  # array('I'): positions of remote services
    groups: dict[str, memoryview]  # "offer:naloxone", "language:es", "access:phone", "cost:free" -> array('I') of positions


def _view(data: memoryview, code: str) -> memoryview:
    """An array as stored, whether built here or read from the cache as bytes."""
    return memoryview(data).cast("B").cast(code)


def build_places(services: Sequence[Service]) -> Places:
    """The Places of the services in catalog order (each read once)."""
    lats, lons, approximate = array("d"), array("d"), array("B")
    unlocated, remote = array("I"), array("I")
    groups: dict[str, array] = {}
    located: list[int] = []
    for n, s in enumerate(services):
        lat, lon = s.lat, s.lon
        if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
            located.append(n)
        else:
            unlocated.append(n)
            lat = lon = math.nan
        lats.append(lat)
        lons.append(lon)
        approximate.append(s.geocoded)
        if s.is_remote:
            remote.append(n)
        keys = [*(f"offer:{o}" for o in s.offers), *(f"language:{c}" for c in s.languages), *(f"access:{a}" for a in s.access)]
        if s.cost is not None:
            keys.append(f"cost:{s.cost}")
        for key in dict.fromkeys(keys):
            found = groups.get(key)
            if found is None:
                found = groups[key] = array("I")
            found.append(n)
    located.sort(key=lats.__getitem__)
    by_lat = array("I", located)
    return Places(len(lats), memoryview(lats), memoryview(lons), memoryview(approximate), memoryview(by_lat),
                  memoryview(array("d", (lats[n] for n in located))), memoryview(unlocated), memoryview(remote),
                  {key: memoryview(found) for key, found in sorted(groups.items())})


def places_of(catalog: Catalog) -> Places:
    """The catalog's Places, kept in the cache beside it."""
    return catalog.derived("service-places", Places, lambda: build_places(catalog.listing(("service",))))


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
    services = catalog.listing(("service",))
    places = places_of(catalog)
    allowed = _matching(catalog, filters, places)  # positions; None for all
    unlocated = _view(places.unlocated, "I")
    scores: dict[str, float] = {}
    ordered: Sequence[int] | None = None  # the candidates in search order, when a query was given
    if filters.query.strip():
        from hrfind import search

        if catalog.cache is not None and catalog.cache.name is not None:
            # The catalog's own index, kept in the cache, scores the candidates as an index of them alone would.
            records = catalog.listing(search.SEARCHED)
            index = search.Index(catalog.derived(search.INDEX_NAME, search.IndexData, lambda: search.build(records, catalog.offers)))
            span = catalog.positions(search.SEARCHED)["service"]
            among = span if allowed is None else frozenset(span.start + n for n in allowed)
            hits = search.rank(index, records, catalog.ids(search.SEARCHED), filters.query, allowed=among)
            where = {service_id: n for n, service_id in enumerate(catalog.ids(("service",)))}
        else:
            positions = range(places.count) if allowed is None else sorted(allowed)
            candidates = [services[n] for n in positions]
            hits = search.search(candidates, catalog.offers, filters.query)
            where = {service.id: n for n, service in zip(positions, candidates)}
        scores = {hit.record.id: hit.score for hit in hits}
        ordered = [where[hit.record.id] for hit in hits]
        allowed = set(ordered)
        without = set(unlocated)
        unplaced_order = [n for n in ordered if n in without]
    else:
        unplaced_order = [n for n in unlocated if allowed is None or n in allowed]
    ids = catalog.ids(("service",))
    reader = _Reader(open_at or now, open_at is not None, notes)
    # Candidates without usable coordinates of their own, read one by one, in candidate order.
    extra: dict[int, tuple[float, float, bool] | None] = {}
    lines: list[Service] = []  # remote services with no location of their own
    for n in unplaced_order:
        service = services[n]
        point = _location(service, notes)
        if point is None and service.is_remote:
            lines.append(service)
        else:
            extra[n] = point
    if place is None:
        return _anywhere(places, services, ids, allowed, ordered, extra, lines, remote, scores, reader, limit)
    unplaced = [ids[n] for n, point in extra.items() if point is None]
    if unplaced:
        notes.append(f"Left out {_plural(len(unplaced), 'matching service')} with no location "
                     f"(no lat/lon and no known US ZIP code): {_ids(unplaced)}.")
    local: list[Result] = []
    for distance, _, n, lat, lon, approximate in _nearest(place, places, allowed, extra, ids):
        if (radius is not None and distance > radius) or (limit is not None and len(local) >= limit):
            break
        service = services[n]
        result = reader.read(service, distance_mi=distance, approximate=approximate, location=(lat, lon), score=scores.get(service.id))
        if result is not None:
            local.append(result)
    far: list[Result] = []
    if remote:
        shown = {r.service.id for r in local}
        candidates = (services[n] for n in _view(places.remote, "I") if allowed is None or n in allowed)
        # A statewide line reaches the place more surely than a national one: narrowest coverage first.
        reach = sorted((place.region not in s.coverage, s.id, s) for s in candidates
                       if s.id not in shown and place.areas.intersection(s.coverage))
        far = reader.read_all((s for _, _, s in reach), scores)
    reader.finish()
    where = f"within {radius:g} miles of {place.label}" if radius is not None else f"near {place.label}"
    showing = f"showing {_plural(len(far), 'remote option')} for {place.label} instead" if far else ""
    elsewhere = [o for o in resolve_offers(catalog, filters.offers) if o in ELSEWHERE] if not local else []
    if elsewhere:
        notes.append(f"No place {where} is known to offer {' or '.join(elsewhere)}. "
                     + " ".join(ELSEWHERE[o] for o in elsewhere) + (f" {showing[0].upper()}{showing[1:]}." if showing else ""))
    elif not local and far:
        notes.append(f"No service matched {where}; {showing}.")
    return Answer(tuple(local + far), len(local), tuple(notes))


def _nearest(place: Place, places: Places, allowed: set[int] | None, extra: dict[int, tuple[float, float, bool] | None],
             ids: Sequence[str]) -> Iterator[tuple[float, str, int, float, float, bool]]:
    """(distance, id, position, lat, lon, approximate) of the located candidates, nearest first, ties by id.

    A service more than w degrees of latitude away is more than w degrees of arc away, so once the band
    of latitude +-w has been read, what it holds within that arc can be given in order; then w doubles.
    """
    heap = [(miles(place.lat, place.lon, p[0], p[1]), ids[n], n, p[0], p[1], p[2]) for n, p in extra.items() if p is not None]
    heapq.heapify(heap)
    lats, lons, approximate = _view(places.lats, "d"), _view(places.lons, "d"), _view(places.approximate, "B")
    order, lat_order = _view(places.by_lat, "I"), _view(places.lat_order, "d")
    size = len(order)
    lo = hi = bisect.bisect_left(lat_order, place.lat)
    width = 0.25
    while True:
        new_lo = bisect.bisect_left(lat_order, place.lat - width, 0, lo)
        new_hi = bisect.bisect_right(lat_order, place.lat + width, hi)
        for k in itertools.chain(range(new_lo, lo), range(hi, new_hi)):
            n = order[k]
            if allowed is None or n in allowed:
                lat, lon = lats[n], lons[n]
                heapq.heappush(heap, (miles(place.lat, place.lon, lat, lon), ids[n], n, lat, lon, bool(approximate[n])))
        lo, hi = new_lo, new_hi
        complete = lo == 0 and hi == size
        # A margin for rounding: a distance is never computed short of the arc by anything near this.
        bound = math.inf if complete else EARTH_RADIUS_MI * math.radians(width) * (1 - 1e-9)
        while heap and heap[0][0] <= bound:
            yield heapq.heappop(heap)
        if complete:
            return
        width *= 2


def _anywhere(places: Places, services: Sequence[Service], ids: Sequence[str], allowed: set[int] | None,
              ordered: Sequence[int] | None, extra: dict[int, tuple[float, float, bool] | None], lines: list[Service],
              remote: bool, scores: dict[str, float], reader: _Reader, limit: int | None) -> Answer:
    """Without a place: sites (best score, then id) up to the limit, then every remote service."""
    def rank(service: Service) -> tuple[float, str]:
        return -scores.get(service.id, 0.0), service.id

    line_ids = {s.id for s in lines}
    positions: Iterable[int] = ordered if ordered is not None else (range(places.count) if allowed is None else allowed)
    sites = [n for n in positions if ids[n] not in line_ids] if line_ids else list(positions)
    if scores:
        sites.sort(key=lambda n: (-scores.get(ids[n], 0.0), ids[n]))
    else:
        sites.sort(key=ids.__getitem__)
    unlocated = frozenset(_view(places.unlocated, "I"))
    lats, lons, approximate = _view(places.lats, "d"), _view(places.lons, "d"), _view(places.approximate, "B")
    local: list[Result] = []
    for n in sites:
        if limit is not None and len(local) >= limit:
            break
        point = extra.get(n) if n in unlocated else (lats[n], lons[n], bool(approximate[n]))
        service = services[n]
        fields = {"approximate": point[2], "location": point[:2]} if point else {}
        result = reader.read(service, score=scores.get(service.id), **fields)
        if result is not None:
            local.append(result)
    far = reader.read_all(sorted(lines, key=rank), scores) if remote else []
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


def _matching(catalog: Catalog, filters: Filters, places: Places) -> set[int] | None:
    """Positions of the services that pass the filters; None when there are no filters."""
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
    if not wanted:
        return None
    empty = memoryview(array("I"))
    groups = sorted((set().union(*(_view(places.groups.get(key, empty), "I") for key in keys)) for keys in wanted), key=len)
    allowed = groups[0]
    for group in groups[1:]:
        allowed.intersection_update(group)
    return allowed


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
            self.notes.append(f"Left out {_plural(len(self.unknown), 'service')} with unknown hours or time zone: {_ids(self.unknown)}.")


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _ids(ids: Sequence[str], shown: int = 5) -> str:
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more
