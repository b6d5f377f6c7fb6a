"""The store's database: its schema, opening it read-only, and the queries commands make of it.

One SQLite file holds what a set of data layers compiles to (see `hrfind.store.build`):

- `segment` and `entry`: each data file's key, problems and valid records (msgspec blobs), so
  that a file that did not change is not read again;
- `record`: the merged catalog, numbered `n` in the order records were first met, with the
  position `pos` of each in its kind's listing;
- `grp`: the records of each tag (kind, offers, access, languages, cost, coverage) as one blob;
  `site`, its locations indexed by band of latitude and by longitude (`site_band`), for the
  services query; `fts` (FTS5 over folded words, one column per field weight) and `fts_k` (the
  same, of every record but the places), `word` (the vocabulary), `group_word` and `phrase`
  for search;
- `spelling` (the distinct shapes of the ids, by length) and `shape` (the ids of each
  shape), so that `show` of an unknown id compares it with shapes, not with every id;
- `translated`: each data file's translations as given; `translation`: each record in the
  languages it was translated into, checked against it (a run in that language reads these);
- `meta`: the key the store was compiled from, counts, overrides and problems.

Every record blob carries a CRC-32 of itself: a damaged page is never shown as a record. A
query that meets damage raises `StoreDamaged`, and the command runs again without the store.
Without FTS5 the words live in a plain `posting` table: slower, the same answers.
"""

from __future__ import annotations

import functools
import sqlite3
import sys
import zlib
from array import array
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from hrfind.errors import StoreDamaged
from hrfind.model import TYPES, Offer, Record

if TYPE_CHECKING:
    import datetime

FORMAT = 9  # bump when the schema or the meaning of a column changes
KINDS = ("principle", "strategy", "service", "offer")
# The columns of `fts`, and the weight of the field each holds (see hrfind.search).
COLUMNS = ("title", "alias", "summary", "body", "steps")
# The same fields of a record's translations, in columns of their own: a query in English is not
# answered by a Spanish word that happens to be spelled like one of its words ("van").
TRANSLATED = tuple(f"{name}_t" for name in COLUMNS)


# Locations are indexed by band of latitude (a quarter of a degree, about 17 miles) and longitude: a B-tree
# that is quicker to write than an R*Tree and as quick to read for the boxes nearest-first asks for.
BANDS_A_DEGREE = 4
BAND = f"CAST((lat + 90) * {BANDS_A_DEGREE} AS INTEGER)"  # latitudes run from -90 to 90, so this is the floor


def band(lat: float) -> int:
    """The band of a latitude, as BAND computes it in SQL."""
    return int((min(90.0, max(-90.0, lat)) + 90) * BANDS_A_DEGREE)


@functools.cache
def features() -> frozenset[str]:
    """The optional parts of SQLite this interpreter has: "fts5"."""
    connection = sqlite3.connect(":memory:")
    found = set()
    for name, sql in (("fts5", "CREATE VIRTUAL TABLE t USING fts5(x)"),):
        try:
            connection.execute(sql)
            found.add(name)
        except sqlite3.OperationalError:
            pass
    connection.close()
    return frozenset(found)


def schema(have: frozenset[str]) -> str:
    # The texts indexed are hrfind.text's folded words (accents removed, lowercase), one space apart, so the tokenizer
    # must split where that does and nowhere else: `ascii` splits only at ASCII that is not a letter or digit, which
    # the words never hold. unicode61 knows Unicode 6.1, where some letters of today's Unicode are marks: it split such
    # words in two, and a query holding one became a phrase, which this index (detail=column) refuses.
    columns = f"{', '.join(COLUMNS + TRANSLATED)}, tokenize='ascii', detail=column"
    # fts_k: the same index of every record but the places, which is what most searches read (knowledge first).
    fts = (f"CREATE VIRTUAL TABLE fts USING fts5({columns}); CREATE VIRTUAL TABLE fts_k USING fts5({columns});"
           if "fts5" in have else
           "CREATE TABLE posting(word TEXT, weight INT, n INT, PRIMARY KEY (word, weight, n)) WITHOUT ROWID;")
    return f"""
        CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID;
        CREATE TABLE segment(id INTEGER PRIMARY KEY, path TEXT, origin TEXT, key TEXT, checked TEXT, problems BLOB);
        CREATE TABLE entry(id INTEGER PRIMARY KEY, segment INT, kind TEXT, rid TEXT, origin TEXT, body BLOB);
        CREATE INDEX entry_segment ON entry(segment);
        CREATE TABLE translated(segment INT, idx INT, body BLOB, PRIMARY KEY (segment, idx)) WITHOUT ROWID;
        CREATE TABLE translation(n INT, lang TEXT, body BLOB, PRIMARY KEY (n, lang)) WITHOUT ROWID;
        CREATE TABLE link(entry INT, field TEXT, idx INT, target TEXT, PRIMARY KEY (entry, field, idx)) WITHOUT ROWID;
        CREATE TABLE record(n INTEGER PRIMARY KEY, kind TEXT, pos INT, id TEXT, entry INT, body BLOB);
        CREATE UNIQUE INDEX record_kind ON record(kind, pos);
        CREATE INDEX record_id ON record(id);
        CREATE TABLE grp(tag TEXT PRIMARY KEY, members BLOB) WITHOUT ROWID;
        CREATE TABLE spelling(length INT, part INT, shapes BLOB, PRIMARY KEY (length, part)) WITHOUT ROWID;
        CREATE TABLE shape(shape TEXT PRIMARY KEY, ids BLOB) WITHOUT ROWID;
        CREATE TABLE site(n INTEGER PRIMARY KEY, lat REAL, lon REAL, approximate INT, remote INT);
        CREATE INDEX site_unlocated ON site(n) WHERE lat IS NULL;
        CREATE INDEX site_remote ON site(n) WHERE remote;
        CREATE INDEX site_band ON site({BAND}, lon) WHERE lat IS NOT NULL;
        CREATE TABLE word(word TEXT PRIMARY KEY, length INT, translated INT) WITHOUT ROWID;
        CREATE INDEX word_length ON word(length);
        CREATE TABLE group_word(word TEXT, tag TEXT, weight INT, PRIMARY KEY (word, tag)) WITHOUT ROWID;
        CREATE TABLE phrase(phrase TEXT, n INT, PRIMARY KEY (phrase, n)) WITHOUT ROWID;
        {fts}
    """


_DIGITS = str.maketrans("123456789", "000000000")


def shape(record_id: str) -> str:
    """An id with each digit as 0: a directory's numbered ids ("svc-ny-000123") share a few shapes.

    What a name has in common with an id (a common subsequence), it has with the id's shape once
    its own digits are 0 too: a shape too unlike a name rules out every id of that shape.
    """
    return record_id.translate(_DIGITS)


def seal(payload: bytes) -> bytes:
    """A blob that knows whether it is whole: its CRC-32, then itself."""
    return zlib.crc32(payload).to_bytes(4, "little") + payload


def unseal(blob: bytes) -> memoryview:
    view = memoryview(blob)
    if len(view) < 4 or int.from_bytes(view[:4], "little") != zlib.crc32(view[4:]):
        raise StoreDamaged("a record in the store is damaged")
    return view[4:]


def pack(numbers: Iterable[int]) -> bytes:
    """Record numbers as little-endian 32-bit integers, the same bytes on every host."""
    found = array("I", numbers)
    if sys.byteorder == "big":
        found.byteswap()
    return found.tobytes()


def unpack(data: bytes | memoryview) -> array:
    found = array("I")
    found.frombytes(data)
    if sys.byteorder == "big":
        found.byteswap()
    return found


def as_json(values: Iterable[int] | Iterable[str]) -> str:
    """Record numbers (or ids) as a JSON array, for `json_each` to read as a table in one query."""
    ordered = sorted(values)  # type: ignore[type-var]
    if all(type(value) is int for value in ordered):  # most calls: no need to import json for them
        return f"[{','.join(map(str, ordered))}]"
    import json

    return json.dumps(ordered)


@functools.cache
def _decoder(kind: str) -> msgspec.msgpack.Decoder:
    return msgspec.msgpack.Decoder(TYPES[kind])


def decode(kind: str, blob: bytes) -> Record:
    """A record from its sealed blob; StoreDamaged if the blob is not whole."""
    try:
        return _decoder(kind).decode(unseal(blob))
    except (msgspec.DecodeError, msgspec.ValidationError, KeyError) as error:
        raise StoreDamaged(str(error)) from error


def _strings(blob: bytes) -> list[str]:
    """A sealed msgpack list of strings (ids or shapes); StoreDamaged if it is not whole."""
    try:
        return msgspec.msgpack.decode(unseal(blob), type=list[str])
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise StoreDamaged(str(error)) from error


def open_read_only(path: Path, immutable: bool = False) -> sqlite3.Connection:
    """A connection that cannot write, to a database that must already exist (and, immutable, never changes)."""
    from urllib.parse import quote

    options = "mode=ro&immutable=1" if immutable else "mode=ro"
    connection = sqlite3.connect(f"file:{quote(str(path))}?{options}", uri=True, check_same_thread=False)
    connection.execute("PRAGMA cell_size_check = ON")  # notice damaged pages rather than read past them
    return connection


class Store:
    """Queries over one compiled store. Any damage found raises StoreDamaged."""

    def __init__(self, connection: sqlite3.Connection, have: frozenset[str]):
        self.connection = connection
        self.features = have
        self._read: dict[int, Record] = {}
        self._meta: dict[str, Any] = {}
        self.lang = "en"  # records are read in this language where they have it (`read_in`)

    def read_in(self, lang: str) -> None:
        """Read records in this language from now on, where they have a translation."""
        if lang != self.lang:
            self.lang = lang
            self._read.clear()

    def translated(self, lang: str) -> dict[str, list[str]]:
        """Kind -> the ids of its records whose text is in this language, in listing order."""
        found: dict[str, list[str]] = {}
        for kind, record_id, blob in self.rows("SELECT r.kind, r.id, t.body FROM translation t JOIN record r ON r.n = t.n "
                                               "WHERE t.lang = ? ORDER BY r.kind, r.pos", (lang,)):
            if self.decode(kind, blob).lang == lang:  # not a record given only aliases in the language
                found.setdefault(kind, []).append(record_id)
        return {kind: found[kind] for kind in KINDS if kind in found}

    def rows(self, sql: str, args: Iterable[Any] = ()) -> list[tuple]:
        try:
            return self.connection.execute(sql, tuple(args)).fetchall()
        except sqlite3.DatabaseError as error:
            raise StoreDamaged(str(error)) from error

    def stream(self, sql: str, args: Iterable[Any] = ()) -> Iterator[tuple]:
        try:
            yield from self.connection.execute(sql, tuple(args))
        except sqlite3.DatabaseError as error:
            raise StoreDamaged(str(error)) from error

    def column(self, sql: str, args: Iterable[Any] = ()) -> list[Any]:
        return [row[0] for row in self.rows(sql, args)]

    def meta(self, key: str, kind: Any = Any) -> Any:
        if key not in self._meta:
            found = self.column("SELECT value FROM meta WHERE key = ?", (key,))
            try:
                self._meta[key] = msgspec.msgpack.decode(unseal(found[0]), type=kind) if found else None
            except (msgspec.DecodeError, msgspec.ValidationError) as error:
                raise StoreDamaged(str(error)) from error
        return self._meta[key]

    def checked(self, today: datetime.date) -> bool:
        """Whether the store's problems need not be checked again `today` (a date "in the future" is, the next day)."""
        return self.meta("checked") in (None, today.isoformat())

    def current(self, key: bytes, today: datetime.date) -> bool:
        """Whether the store was compiled as `key` and can be answered from as it is `today`."""
        return self.meta("key") == key and self.checked(today)

    # --- records ---------------------------------------------------------------------------

    def decode(self, kind: str, blob: bytes) -> Record:
        return decode(kind, blob)

    _BODY = "SELECT r.n, r.kind, coalesce(r.body, e.body) FROM record r JOIN entry e ON e.id = r.entry"

    def _in_language(self, where: str, args: Iterable[Any]) -> tuple[str, tuple]:
        """The query of records' blobs, in the store's language where they have it."""
        if self.lang == "en":
            return f"{self._BODY} {where}", tuple(args)
        return ("SELECT r.n, r.kind, coalesce(t.body, r.body, e.body) FROM record r JOIN entry e ON e.id = r.entry "
                f"LEFT JOIN translation t ON t.n = r.n AND t.lang = ? {where}", (self.lang, *args))

    def records(self, numbers: Iterable[int]) -> dict[int, Record]:
        """Records by number, in the order given, decoding each only once."""
        numbers = list(numbers)
        wanted = [n for n in dict.fromkeys(numbers) if n not in self._read]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for n, kind, blob in self.rows(*self._in_language(f"WHERE r.n IN ({','.join('?' * len(chunk))})", chunk)):
                self._read[n] = self.decode(kind, blob)
        return {n: self._read[n] for n in numbers if n in self._read}

    def record(self, n: int) -> Record:
        found = self.records((n,))
        if n not in found:
            raise StoreDamaged(f"record {n} is missing from the store")
        return found[n]

    def scan(self, kind: str) -> Iterator[Record]:
        """Every record of a kind in listing order, decoded one at a time and not kept."""
        for _, _, blob in self.stream(*self._in_language("WHERE r.kind = ? ORDER BY r.pos", (kind,))):
            yield self.decode(kind, blob)

    def listing_order(self, numbers: Collection[int]) -> list[int]:
        """Record numbers in the order of the listings: principles, strategies, services, offers, each in file order."""
        wanted = list(numbers)
        found = self.rows(f"SELECT n, kind, pos FROM record WHERE n IN ({','.join('?' * len(wanted))})", wanted) if wanted else []
        return [n for n, _, _ in sorted(found, key=lambda row: (KINDS.index(row[1]), row[2]))]

    def number(self, record_id: str, kinds: Collection[str]) -> int | None:
        """The number of the record of one of these kinds with this id."""
        for n, kind in self.rows("SELECT n, kind FROM record WHERE id = ?", (record_id,)):
            if kind in kinds:
                return n
        return None

    def ids(self, kind: str) -> list[str]:
        return self.column("SELECT id FROM record WHERE kind = ? ORDER BY pos", (kind,))

    def id_of(self, numbers: Iterable[int]) -> dict[int, str]:
        wanted = list(numbers)
        found: dict[int, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found.update(self.rows(f"SELECT n, id FROM record WHERE n IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def id_map(self, kinds: Collection[str]) -> dict[int, str]:
        """Number -> id of every record of these kinds."""
        return dict(self.rows(f"SELECT n, id FROM record WHERE kind IN ({','.join('?' * len(kinds))})", tuple(kinds)))

    def shapes(self, shortest: int, longest: int) -> list[str]:
        """The shapes (`shape`) of the ids whose length is in this range."""
        found: list[str] = []
        for blob in self.column("SELECT shapes FROM spelling WHERE length BETWEEN ? AND ? ORDER BY length, part", (shortest, longest)):
            found += _strings(blob)
        return found

    def shaped(self, shapes: Collection[str]) -> list[str]:
        """The ids that have one of these shapes."""
        wanted = list(shapes)
        found: list[str] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for blob in self.column(f"SELECT ids FROM shape WHERE shape IN ({','.join('?' * len(chunk))})", chunk):
                found += _strings(blob)
        return found

    def count(self, kind: str) -> int:
        return (self.meta("totals", dict[str, int]) or {}).get(kind, 0)

    def tagged(self, tag: str) -> set[int]:
        """Numbers of the records that carry a tag, read whole from one row."""
        found = self.column("SELECT members FROM grp WHERE tag = ?", (tag,))
        return set(unpack(unseal(found[0]))) if found else set()

    def tagged_within(self, tag: str, allowed: Collection[int]) -> set[int]:
        """The numbers among `allowed` of the records that carry a tag."""
        found = self.column("SELECT members FROM grp WHERE tag = ?", (tag,))
        return set(allowed).intersection(unpack(unseal(found[0]))) if found else set()

    def all_tagged(self, groups: Collection[Collection[str]]) -> Collection[int]:
        """Numbers of the records that carry a tag of every group (`[["offer:moud", "offer:methadone"], ...]`)."""
        if len(groups) == 1 and len(next(iter(groups))) == 1:
            # One tag, the common case (--offers naloxone): asked by bisection, never made a set of 100,000.
            found = self.column("SELECT members FROM grp WHERE tag = ?", tuple(next(iter(groups))))
            return Members(unpack(unseal(found[0])) if found else array("I"))
        found = sorted((set().union(*(self.tagged(tag) for tag in group)) for group in groups), key=len)
        return found[0].intersection(*found[1:]) if found else set()

    # --- search ----------------------------------------------------------------------------

    def has_word(self, word: str) -> bool:
        return bool(self.rows("SELECT 1 FROM word WHERE word = ?", (word,)))

    def translated_only(self, word: str) -> bool:
        """Whether a word is found only in translations (a word of a query in another language)."""
        return bool(self.rows("SELECT 1 FROM word WHERE word = ? AND translated", (word,)))

    def words_starting(self, prefix: str, own: bool = False) -> list[str]:
        """Index words that begin with `prefix`; with `own`, only those of the records' own text."""
        return self.column(f"SELECT word FROM word WHERE word GLOB ? {'AND NOT translated' if own else ''} ORDER BY word", (prefix + "*",))

    def words_of_length(self, shortest: int, longest: int, own: bool = False) -> list[str]:
        return self.column(f"SELECT word FROM word WHERE length BETWEEN ? AND ? {'AND NOT translated' if own else ''} ORDER BY word",
                           (shortest, longest))

    def postings(self, word: str, prefix: bool = False, own: bool = False,
                 within: str | None = None, knowledge: bool = False) -> Iterator[tuple[int, list[int]]]:
        """(column, record numbers) of the records whose fields hold the word (or a word it begins).

        With `own`, only the records' own text, not their translations: for an English query,
        "card" is not the start of the Spanish "cardiopulmonar", nor "van" the Spanish verb.
        `within`, a JSON array of record numbers, keeps only those: a search of a few hundred
        records among 100,000 places reads a few hundred numbers, not every record holding the word.
        `knowledge` says they are none of them places, so the small index of the rest is enough.
        """
        if prefix and own and self.rows("SELECT 1 FROM word WHERE word GLOB ? AND translated LIMIT 1", (word + "*",)):
            by_column: dict[int, set[int]] = {}
            for whole in self.words_starting(word, own=True):
                for column, numbers in self.postings(whole, within=within, knowledge=knowledge):
                    by_column.setdefault(column, set()).update(numbers)
            yield from ((column, sorted(numbers)) for column, numbers in sorted(by_column.items()))
            return
        if "fts5" in self.features:
            pattern = f'"{word}"' + ("*" if prefix else "")
            for column, name in enumerate(COLUMNS):
                names = name if own else f"{{{name} {TRANSLATED[column]}}}"
                query = (f"{names} : {pattern}",)
                # The matches as one set that the few numbers wanted are looked up in (a rowid
                # constraint inside the full-text query would run it once for each number).
                table = "fts_k" if knowledge else "fts"
                found = (self.column(f"SELECT value FROM json_each(?) WHERE value IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)",
                                     (within, *query)) if within is not None else
                         self.column(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", query))
                if found:
                    yield column, found
            return
        where = "word GLOB ?" if prefix else "word = ?"
        if within is not None:
            where += " AND n IN (SELECT value FROM json_each(?))"
        found_in: dict[int, set[int]] = {}
        for column, n in self.rows(f"SELECT weight, n FROM posting WHERE {where} {'AND weight < 5' if own else ''}",
                                   (word + "*" if prefix else word, *((within,) if within is not None else ()))):
            found_in.setdefault(column % len(COLUMNS), set()).add(n)
        yield from ((column, sorted(numbers)) for column, numbers in sorted(found_in.items()))

    def group_words(self, word: str, prefix: bool = False) -> list[tuple[str, int]]:
        """(tag, weight code) of the groups whose names hold the word (or a word it begins)."""
        where = "word GLOB ?" if prefix else "word = ?"
        return self.rows(f"SELECT tag, weight FROM group_word WHERE {where}", (word + "*" if prefix else word,))

    def phrase(self, text: str) -> frozenset[int]:
        return frozenset(self.column("SELECT n FROM phrase WHERE phrase = ?", (text,)))

    # --- places ----------------------------------------------------------------------------

    def sites(self, numbers: Iterable[int]) -> dict[int, tuple[float, float, bool] | None]:
        """(lat, lon, approximate) of services by number; None for those with no location."""
        wanted = list(numbers)
        found: dict[int, tuple[float, float, bool] | None] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for n, lat, lon, approximate in self.rows(
                    f"SELECT n, lat, lon, approximate FROM site WHERE n IN ({','.join('?' * len(chunk))})", chunk):
                found[n] = None if lat is None else (lat, lon, bool(approximate))
        return found

    def in_box(self, south: float, north: float, boxes: list[tuple[float, float]]) -> list[tuple[int, str, float, float, int]]:
        """(n, id, lat, lon, approximate) of the located services within latitudes and any of the longitude ranges."""
        found = []
        bands = ",".join(map(str, range(band(south), band(north) + 1)))
        for west, east in boxes:  # BAND's `lat` is the site's: the record has none
            found += self.rows(f"SELECT s.n, r.id, s.lat, s.lon, s.approximate FROM site s JOIN record r ON r.n = s.n "
                               f"WHERE {BAND} IN ({bands}) AND s.lon BETWEEN ? AND ? AND s.lat BETWEEN ? AND ?",
                               (west, east, south, north))
        return found

    def unlocated(self, lines: bool = True) -> list[tuple[int, bool]]:
        """(n, remote) of the services with no location; without the remote lines unless `lines`."""
        return [(n, bool(remote)) for n, remote in self.rows(
            f"SELECT n, remote FROM site WHERE lat IS NULL {'' if lines else 'AND NOT remote'} ORDER BY n")]

    def places(self, numbers: Collection[int]) -> set[int]:
        """Which of these records are places: services at a site of their own, not reachable remotely."""
        return set(self.column("SELECT s.n FROM json_each(?) j JOIN site s ON s.n = j.value WHERE s.lat IS NOT NULL AND NOT s.remote",
                               (as_json(numbers),)))

    def not_places(self) -> set[int]:
        """Every record but the places (services at a site of their own, not reachable remotely)."""
        return set(self.column("SELECT n FROM record WHERE kind IN ('principle', 'strategy', 'offer') "
                               "UNION SELECT n FROM site WHERE lat IS NULL UNION SELECT n FROM site WHERE remote"))  # two partial indexes, no scan

    def remote(self, areas: Collection[str]) -> list[int]:
        """Remote services whose coverage includes one of the areas."""
        return sorted(set().union(*(self.tagged(f"coverage:{area}") for area in areas)))

    def services_by_id(self) -> Iterator[int]:
        """Every service, by id."""
        return (row[0] for row in self.stream("SELECT n FROM record WHERE kind = 'service' ORDER BY id"))


class Members(Collection[int]):
    """A tag's record numbers in ascending order, as the store keeps them; `n in` is a binary search."""

    def __init__(self, numbers: array):
        self.numbers = numbers

    def __contains__(self, n: object) -> bool:
        from bisect import bisect_left

        at = bisect_left(self.numbers, n)  # type: ignore[arg-type]
        return at < len(self.numbers) and self.numbers[at] == n

    def __iter__(self) -> Iterator[int]:
        return iter(self.numbers)

    def __len__(self) -> int:
        return len(self.numbers)


class Loaded(Protocol):
    """What the queries of search and locate need of a loaded catalog."""

    store: Store
    offers: Mapping[str, Offer]


class Table(Mapping[str, Record]):
    """The records of one kind, by id, in listing order; each read from the store when asked for."""

    def __init__(self, store: Store, kind: str):
        self.store = store
        self.kind = kind
        self._numbers: dict[str, int | None] = {}

    def number(self, record_id: str) -> int | None:
        if record_id not in self._numbers:
            self._numbers[record_id] = self.store.number(record_id, (self.kind,))
        return self._numbers[record_id]

    def __getitem__(self, record_id: str) -> Record:
        n = self.number(record_id)
        if n is None:
            raise KeyError(record_id)
        return self.store.record(n)

    def __contains__(self, record_id: object) -> bool:
        return isinstance(record_id, str) and self.number(record_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.store.ids(self.kind))

    def __len__(self) -> int:
        return self.store.count(self.kind)

    def values(self) -> Records:  # type: ignore[override]
        return Records(self.store, self.kind)

    def items(self) -> Iterator[tuple[str, Record]]:  # type: ignore[override]
        return ((record.id, record) for record in self.store.scan(self.kind))


class Records(Collection[Record]):
    """A kind's records in listing order, streamed: iterating keeps none of them."""

    def __init__(self, store: Store, kind: str):
        self.store = store
        self.kind = kind

    def __iter__(self) -> Iterator[Record]:
        return self.store.scan(self.kind)

    def __len__(self) -> int:
        return self.store.count(self.kind)

    def __contains__(self, record: object) -> bool:
        return any(record == r for r in self)
