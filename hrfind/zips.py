"""The compact ZIP code table: every located US ZIP's centroid, city, state and time zone.

It is made from the `zipcodes` package, which takes a few tenths of a second to load. A wheel
carries the table already compiled (`hrfind/zips.msgpack`, made by the build hook); a checkout
builds it once and keeps it in the cache folder, keyed by the zipcodes version. Geocoding
(`hrfind.geo`) and time zones (`hrfind.hours`) both read it here.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple, Optional

import msgspec

# Bump when ZipData changes shape or meaning: the cached ZIP table is then built again.
FORMAT = 1
PACKAGED = Path(__file__).with_name("zips.msgpack")
_ZIP = re.compile(r"([0-9]{5})(?:-[0-9]{4})?")
# zipcodes stores a few non-zone words (a town name) in its timezone field; an IANA name has a slash.
_ZONE = re.compile(r"[A-Z][A-Za-z_]+(?:/[A-Za-z_+-]+)+")


class ZipInfo(NamedTuple):
    code: str
    city: str
    state: str
    lat: float
    lon: float
    timezone: str | None
    standard: bool  # an active STANDARD ZIP: a delivery area, not a PO box or a single building


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


class Stored(msgspec.Struct, array_like=True):
    key: str  # what the table was made from: see key()
    data: ZipData


def info_of(row: dict) -> ZipInfo | None:
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
def no_gc() -> Iterator[None]:
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


def build() -> ZipData:
    """Read the whole zipcodes table (a few tenths of a second) into columns."""
    import zipcodes

    columns: tuple[list, ...] = ([], [], [], [], [], [], [], [])
    with no_gc():
        for row in zipcodes.list_all():
            info = info_of(row)
            if info is not None:
                for column, value in zip(columns, (*info[:6], info.standard, list(row.get("acceptable_cities", ())))):
                    column.append(value)
    return ZipData(*columns)


def key() -> str:
    """What a ZIP table is made from: the zipcodes version, and this module's format of it."""
    import zipcodes

    return f"zipcodes {zipcodes.__version__}/{FORMAT}"


def encode(data: ZipData, made_from: str) -> bytes:
    return msgspec.msgpack.encode(Stored(made_from, data))


def _decode(raw: bytes | None, wanted: str | None) -> ZipData | None:
    """The table in `raw` if it is whole (and made from `wanted`, when given)."""
    if raw is None:
        return None
    try:
        stored = msgspec.msgpack.decode(raw, type=Stored)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    columns = [len(column) for column in msgspec.structs.astuple(stored.data)]
    if (wanted is not None and stored.key != wanted) or len(set(columns)) != 1:
        return None
    return stored.data


def _load() -> ZipData:
    """The packaged table; else the one in the cache folder; else built from zipcodes and kept there."""
    try:
        packaged = _decode(PACKAGED.read_bytes(), None)
    except OSError:
        packaged = None
    if packaged is not None:
        return packaged
    from hrfind.store import files

    path, made_from = files.folder() / "zips.msgpack", key()
    cached = _decode(files.read(path), made_from)
    if cached is not None:
        return cached
    data = build()
    files.write(path, encode(data, made_from))
    return data


class Table:
    """ZIP lookups over the compact table, read on first use."""

    def __init__(self) -> None:
        self._data: ZipData | None = None
        self._where: dict[str, int] | None = None
        self._read: dict[str, ZipInfo] = {}

    @property
    def data(self) -> ZipData:
        if self._data is None:
            with no_gc():
                self._data = _load()
        return self._data

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


TABLE = Table()


def reset() -> None:
    """Forget the table, so that the next lookup reads it again (for tests)."""
    global TABLE
    TABLE = Table()


def zip_info(code: str) -> ZipInfo | None:
    """The centroid, city, state and time zone of a US ZIP code ("21201" or "21201-1234"), if it has a location."""
    m = _ZIP.fullmatch(code.strip())
    return TABLE.get(m.group(1)) if m else None


def zip_timezone(code: str) -> str | None:
    """The IANA time zone of a ZIP code, or None."""
    info = zip_info(code)
    return info.timezone if info else None
