"""The compact ZIP code table: every located US ZIP's centroid, city, state and time zone.

It is made from the `zipcodes` package, which takes a few tenths of a second to load, into a
small SQLite file that a lookup reads a few pages of. A wheel carries it already compiled
(`hrfind/zips.sqlite`, made by the build hook); a checkout builds it once and keeps it in the
cache folder, keyed by the zipcodes version. Geocoding (`hrfind.geo`) and time zones
(`hrfind.hours`) both read it here.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

# Bump when the table changes shape or meaning: the cached one is then built again.
FORMAT = 2
PACKAGED = Path(__file__).with_name("zips.sqlite")
_ZIP = re.compile(r"([0-9]{5})(?:-[0-9]{4})?")
# zipcodes stores a few non-zone words (a town name) in its timezone field; an IANA name has a slash.
_ZONE = re.compile(r"[A-Z][A-Za-z_]+(?:/[A-Za-z_+-]+)+")
_COLUMNS = "code, city, state, lat, lon, zone, standard"


class ZipInfo(NamedTuple):
    code: str
    city: str
    state: str
    lat: float
    lon: float
    timezone: str | None
    standard: bool  # an active STANDARD ZIP: a delivery area, not a PO box or a single building


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


def build(path: Path, made_from: str) -> None:
    """Write the table of the installed zipcodes package to a new SQLite file at `path` (the same rows make the same bytes)."""
    import zipcodes

    connection = sqlite3.connect(path)
    try:
        connection.executescript("""
            PRAGMA journal_mode = OFF;
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
            CREATE TABLE zip(n INTEGER PRIMARY KEY, code TEXT UNIQUE, city TEXT, state TEXT, lat REAL, lon REAL,
                             zone TEXT, standard INT, others TEXT);
            CREATE INDEX zip_state ON zip(state);
            CREATE INDEX zip_lat ON zip(lat);
        """)
        with connection:
            connection.execute("INSERT INTO meta VALUES ('key', ?)", (made_from,))
            connection.executemany("INSERT INTO zip VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?)", (
                (*info, "\n".join(row.get("acceptable_cities") or ())) for row in zipcodes.list_all()
                if (info := info_of(row)) is not None))
    finally:
        connection.close()


def key() -> str:
    """What a ZIP table is made from: the zipcodes version, and this module's format of it."""
    import zipcodes

    return f"zipcodes {zipcodes.__version__}/{FORMAT}"


def _open(path: Path, made_from: str | None) -> sqlite3.Connection | None:
    """The table at `path` if it is whole (and made from `made_from`, when given)."""
    from hrfind.store import db

    try:
        connection = db.open_read_only(path, immutable=made_from is None)
        found = connection.execute("SELECT value FROM meta WHERE key = 'key'").fetchone()
        connection.execute("SELECT count(*) FROM zip").fetchone()
    except sqlite3.Error:
        return None
    if found is None or (made_from is not None and found[0] != made_from):
        connection.close()
        return None
    return connection


def _load() -> sqlite3.Connection:
    """The packaged table; else the one in the cache folder; else built from zipcodes and kept there."""
    if PACKAGED.is_file():
        packaged = _open(PACKAGED, None)
        if packaged is not None:
            return packaged
    from hrfind.store import files

    root = files.folder()
    path, made_from = root / "zips.sqlite", key()
    cached = _open(path, made_from) if files.trusted(path) else None
    if cached is not None:
        return cached
    if files.ready(root):
        try:
            with files.new_file(path) as temp:
                build(temp, made_from)
            kept = _open(path, made_from)
            if kept is not None:
                return kept
        except (OSError, sqlite3.Error):
            pass
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:  # no cache folder: built for this process alone
        build(Path(scratch) / "zips.sqlite", made_from)
        source = sqlite3.connect(Path(scratch) / "zips.sqlite")
        memory = sqlite3.connect(":memory:", check_same_thread=False)
        source.backup(memory)
        source.close()
    return memory


class Table:
    """ZIP lookups over the compact table, opened on first use."""

    def __init__(self) -> None:
        self._connection: sqlite3.Connection | None = None
        self._read: dict[str, ZipInfo | None] = {}

    def _rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        if self._connection is None:
            self._connection = _load()
        return self._connection.execute(sql, args).fetchall()

    def get(self, code: str) -> ZipInfo | None:
        if code not in self._read:
            found = self._rows(f"SELECT {_COLUMNS} FROM zip WHERE code = ?", (code,))
            self._read[code] = _info(found[0]) if found else None
        return self._read[code]

    def within(self, south: float, north: float) -> list[ZipInfo]:
        """The ZIPs with latitudes in a band."""
        return [_info(row) for row in self._rows(f"SELECT {_COLUMNS} FROM zip WHERE lat BETWEEN ? AND ? ORDER BY n", (south, north))]

    def each(self, state: str | None) -> Iterator[tuple[ZipInfo, list[str]]]:
        """Every ZIP of a state (or all of them) in the table's order, with the other city names it accepts for mail."""
        where, args = ("WHERE state = ?", (state,)) if state is not None else ("", ())
        for row in self._rows(f"SELECT {_COLUMNS}, others FROM zip {where} ORDER BY n", args):
            yield _info(row[:7]), row[7].split("\n") if row[7] else []


def _info(row: tuple) -> ZipInfo:
    return ZipInfo(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]))


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
