"""Compile data files into a store, in one streaming pass and one transaction.

Each file is parsed and validated (or, unchanged since the last store, copied from it without
being decoded), its records written as blobs, and dropped; only ids and origins stay in memory
to merge the layers. Links to missing records are then found with one query, and a last pass
over the merged records writes what queries use: tags, locations, the word index. (An edit of one
file that keeps its records' ids updates the store in place instead: `hrfind.store.update`.)
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import sqlite3
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

import msgspec

from hrfind.errors import StoreDamaged
from hrfind.files import text_of
from hrfind.model import Offer, Record, Service, Translation, kind_of
from hrfind.store import db, fields
from hrfind.store.layout import File, Override, Part, Progress
from hrfind.text import words

if TYPE_CHECKING:
    from hrfind.problem import Problem

T = TypeVar("T")
Reader = Callable[[Path, str], "tuple[list[Record], list[Problem]]"]


class Parsed(NamedTuple):
    """A data file read and checked, its records encoded: what a worker process hands back."""

    records: list[tuple[str, str, str, bytes]]  # kind, id, origin, sealed msgpack
    links: list[tuple[int, str, int, str]]  # record's place in the file, field, place in the field, target id
    problems: list[Problem]
    translations: list[Translation]


def compile_into(connection: sqlite3.Connection, have: frozenset[str], parts: Sequence[Part], key: bytes,
                 today: datetime.date, read: Reader, progress: Progress | None = None, old: str | None = None,
                 links: bool = True, packaged: tuple[Path, bytes] | None = None) -> None:
    """Fill an empty database with the merged records of `parts`, reusing unchanged files of the store at `old`,
    and bundled files as the package's own store (`packaged`: its path and the key it must have) holds them."""
    connection.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -32000;")
    connection.executescript(db.schema(have))
    writer = _Writer(connection, today)
    if old is not None:
        writer.attach("old", old)
    if packaged is not None:
        writer.attach("packaged", *packaged)
    connection.execute("BEGIN")
    reuse = [[writer.reusable(f) for f in part.files] if part.exists else [] for part in parts]
    unread = [f for part, found in zip(parts, reuse) for f, reused in zip(part.files, found) if reused is None]
    todo = sum(f.size for f in unread)
    done = 0
    parsed = _pooled(parse, ((read, f.path, f.origin) for f in unread), todo >= PARALLEL_BYTES and len(unread) > 1)
    for layer, part in enumerate(parts):
        writer.problems.extend(part.problems)
        writer.mark()
        if not part.exists:
            continue
        counts = writer.counts.setdefault(part.name, {})
        for file, reused in zip(part.files, reuse[layer]):
            translated = len(writer.translations)
            if reused is not None:
                entries = writer.copy(file, reused)
            else:
                entries = writer.add(file, next(parsed))
                done += file.size
                if progress is not None:
                    progress(done, todo)
            writer.mark()
            if part.offers_only:  # --no-bundled: only the offer vocabulary, in every language it has
                writer.translations[translated:] = [t for t in writer.translations[translated:] if t.kind == "offer"]
            writer.translation_layers += [layer] * (len(writer.translations) - len(writer.translation_layers))
            for entry, kind, record_id, origin in entries:
                if part.offers_only and kind != "offer":
                    continue
                if writer.merge(entry, kind, record_id, origin, layer):
                    counts[kind] = counts.get(kind, 0) + 1
            writer.mark()
    writer.finish(key, links)
    connection.commit()
    for schema in writer.attached:
        connection.execute(f"DETACH DATABASE {schema}")


def memory_store(records: Iterable[Record]) -> db.Store:
    """A store in memory of records already read (a search over a list of records): not checked, links kept."""
    listed = list(records)
    part = Part("", True, False, [], [File(Path("(records)"), "(records)", None, 0)])
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    compile_into(connection, db.features(), [part], b"", datetime.date.today(), lambda path, origin: (listed, []), links=False)
    return db.Store(connection, db.features())


def fingerprint(connection: sqlite3.Connection, segment: int) -> str:
    """A SHA-256 of what a file's segment holds, its entries and links numbered from its first entry: the same
    wherever the segment is copied to. Of a blob, only its CRC-32 (its first four bytes), which is checked when
    it is read."""
    import hashlib

    found = hashlib.sha256()
    first = connection.execute("SELECT coalesce(min(id), 0) FROM entry WHERE segment = ?", (segment,)).fetchone()[0]
    encode = msgspec.msgpack.Encoder().encode
    for sql in ("SELECT origin, checked, substr(problems, 1, 4) FROM segment WHERE id = ?2",
                "SELECT id - ?1, kind, rid, origin, substr(body, 1, 4) FROM entry WHERE segment = ?2 ORDER BY id",
                "SELECT l.entry - ?1, l.field, l.idx, l.target FROM link l JOIN entry e ON e.id = l.entry "
                "WHERE e.segment = ?2 ORDER BY l.entry, l.field, l.idx",
                "SELECT idx, substr(body, 1, 4) FROM translated WHERE segment = ?2 ORDER BY idx"):
        found.update(encode(connection.execute(sql, (first, segment)).fetchall()))
    return found.hexdigest()


def digest(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, by which the package's store knows its bundled files; None if unreadable."""
    import hashlib

    from hrfind.files import read_regular

    try:
        return "sha256:" + hashlib.sha256(read_regular(path)).hexdigest()
    except OSError:
        return None


# Below this much to read (or this many records to index), worker processes cost more than they save.
PARALLEL_BYTES = 4 * 1024 * 1024
PARALLEL_RECORDS = 5000
AHEAD = 3  # jobs ahead of the writer: bounds the memory the workers' results hold
SHAPES_A_ROW = 4096  # id shapes in one row of `spelling`: a directory of words as ids is not held whole
GROUPS = ("kind:", "access:", "offer:")  # the tags whose names are searched (`group_words`)


def parse(read: Reader, path: Path, origin: str) -> Parsed:
    """Read, check and encode one data file."""
    found, problems = read(path, origin)
    records = [r for r in found if not isinstance(r, Translation)]
    encoder = msgspec.msgpack.Encoder()
    links = [(i, field, at, target) for i, record in enumerate(records) for field in ("related", "offers")
             for at, target in enumerate(getattr(record, field, ()))]
    return Parsed([(kind_of(r), r.id, r.origin, db.seal(encoder.encode(r))) for r in records], links, problems,
                  [t for t in found if isinstance(t, Translation)])


def _pooled(function: Callable[..., T], jobs: Iterable[tuple], parallel: bool) -> Iterator[T]:
    """`function(*job)` for each job, in order: in worker processes when `parallel`, so that reading TOML
    and folding words (the slowest parts) run on the other cores while this process writes the store."""
    import os

    if not parallel or (os.cpu_count() or 1) < 2:
        yield from (function(*job) for job in jobs)
        return
    import collections
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 2), mp_context=context, initializer=_fresh) as pool:
        pending: collections.deque = collections.deque()
        for job in jobs:
            pending.append(pool.submit(function, *job))
            if len(pending) > AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _fresh() -> None:
    """A worker process opens its own ZIP table: an SQLite connection is never shared across a fork."""
    from hrfind import zips

    zips.reset()


class _Merged:
    """The records merged so far, in a few bytes each rather than objects (a directory may hold a million).

    One slot a record, in the order records were first met (a record's number is its slot + 1), found by
    id in its namespace: principles, strategies and services share ids, offers have their own.
    """

    def __init__(self) -> None:
        self.slots: dict[str, dict[str, int]] = {"record": {}, "offer": {}}
        self.kind = array("B")  # the slot's kind, as its place in db.KINDS
        self.pos = array("I")  # its position in its kind's listing
        self.entry = array("q")  # the entry of the record that won so far
        self.file_of = array("I")  # that record's file (origin), as its place in `files`
        self.layer = array("I")  # that record's layer
        self.seen = array("i")  # the last layer the id was met in, and the file it was first met in there:
        self.seen_file = array("I")  # a second record with the id in that layer is a duplicate
        self.files: list[str] = []
        self.numbered: dict[str, int] = {}  # origin -> its place in `files`
        self.sizes = [0] * len(db.KINDS)  # how many records of each kind
        self.count = 0  # slots in use, of len(self.kind)

    def file(self, origin: str) -> int:
        at = self.numbered.get(origin)
        if at is None:
            at = self.numbered[origin] = len(self.files)
            self.files.append(origin)
        return at

    def slot(self, kind: str, record_id: str) -> int | None:
        return self.slots["offer" if kind == "offer" else "record"].get(record_id)

    def add(self, kind: str, record_id: str, entry: int, at: int, layer: int) -> None:
        slot = self.count
        if slot == len(self.kind):
            # Double every column at once. Appending would grow each by a sixteenth at a time, and glibc,
            # once a result of the workers has raised its threshold for mmap, moves each copy up the heap,
            # leaving holes that only other allocations can fill: many times the columns' size.
            for column in (self.kind, self.pos, self.entry, self.file_of, self.layer, self.seen, self.seen_file):
                column.frombytes(bytes(max(len(column), 1024) * column.itemsize))
        self.count += 1
        self.slots["offer" if kind == "offer" else "record"][record_id] = slot
        code = db.KINDS.index(kind)
        self.kind[slot] = code
        self.pos[slot] = self.sizes[code]
        self.sizes[code] += 1
        self.entry[slot] = entry
        self.file_of[slot] = self.seen_file[slot] = at
        self.layer[slot] = self.seen[slot] = layer

    def rows(self) -> Iterator[tuple[int, str, int, str, int]]:
        """(number, kind, position, id, entry) of each record: each kind in listing order."""
        kinds, pos, entry = self.kind, self.pos, self.entry
        for code, kind in enumerate(db.KINDS):
            yield from ((slot + 1, kind, pos[slot], record_id, entry[slot])
                        for record_id, slot in self.slots["offer" if kind == "offer" else "record"].items() if kinds[slot] == code)


class _Writer:
    def __init__(self, connection: sqlite3.Connection, today: datetime.date):
        self.connection = connection
        self.today = today
        self.encoder = msgspec.msgpack.Encoder()
        self.problems: list[Problem] = []
        self.counts: dict[str, dict[str, int]] = {}
        self.overrides: list[Override] = []
        self.merged = _Merged()
        self.segments = self.entries = 0  # the last ids used
        self.attached: list[str] = []
        self.old: dict[tuple[str, str, str], tuple[str, int, bytes]] = {}  # (path, origin, key) -> where its segment is
        self.packaged: dict[str, tuple[str, tuple[str, int, bytes]]] = {}  # origin -> its contents' digest, and the same
        self.fingerprints: dict[str, str] = {}  # origin -> the fingerprint of its rows in the package's store
        self.translations: list[Translation] = []  # in the order of the layers: a later one replaces an earlier
        self.translation_layers: list[int] = []  # the layer of each translation, by its place in `translations`
        # How many problems each step reported, in order: each layer's, then each file's when read and
        # when merged, then broken links, then translations. An update replaces one file's share.
        self.spans: list[int] = []

    def mark(self) -> None:
        self.spans.append(len(self.problems) - sum(self.spans))

    def attach(self, schema: str, path: str | Path, key: bytes | None = None) -> None:
        """Make the files of another store available to copy: an earlier one (`old`), found by path and file key,
        or the package's own (`packaged`, only if it has `key`), found by its bundled files' contents."""
        from urllib.parse import quote

        # The package's store may sit in a read-only folder, and never changes.
        options = "mode=ro&immutable=1" if schema == "packaged" else "mode=ro"
        self.connection.execute(f"ATTACH DATABASE ? AS {schema}", (f"file:{quote(str(path))}?{options}",))
        self.attached.append(schema)
        if key is not None:
            made = self.connection.execute(f"SELECT value FROM {schema}.meta WHERE key = 'key'").fetchone()
            if made is None or bytes(db.unseal(made[0])) != msgspec.msgpack.encode(key):
                return  # another version of hrfind made it: nothing in it is copied
            found = self.connection.execute(f"SELECT value FROM {schema}.meta WHERE key = 'fingerprints'").fetchone()
            self.fingerprints = {} if found is None else msgspec.msgpack.decode(db.unseal(found[0]), type=dict[str, str])
        today = self.today.isoformat()
        for segment, path_, origin, file_key, checked, problems in self.connection.execute(
                f"SELECT id, path, origin, key, checked, problems FROM {schema}.segment"):
            if checked not in (None, today):  # a file with problems is checked again the next day
                continue
            if schema == "packaged":
                self.packaged[origin] = (file_key, (schema, segment, problems))
            else:
                self.old[path_, origin, file_key] = (schema, segment, problems)

    def reusable(self, file: File) -> tuple[str, int, bytes] | None:
        """Where a file's segment can be copied from: an earlier store where the file had this key, or the package's
        store where a bundled file had these bytes (a file edited in the installed package is read)."""
        if file.key is None:
            return None
        found = self.old.get((text_of(file.path), file.origin, file.key))
        if found is None and file.origin in self.packaged:
            bundled, where = self.packaged[file.origin]
            found = where if digest(file.path) == bundled else None
        return found

    def copy(self, file: File, reused: tuple[str, int, bytes]) -> list[tuple[int, str, str, str]]:
        """Copy a file's segment from another store, numbered after those written so far; its entries, in file order."""
        from hrfind.problem import Problem

        schema, segment, problems = reused
        execute = self.connection.execute
        self.segments += 1
        first, last = execute(f"SELECT min(id), max(id) FROM {schema}.entry WHERE segment = ?", (segment,)).fetchone()
        shift = self.entries + 1 - (first or 0)
        self.entries += 0 if first is None else last - first + 1
        execute(f"INSERT INTO segment SELECT ?, ?, origin, ?, checked, problems FROM {schema}.segment WHERE id = ?",
                (self.segments, text_of(file.path), file.key, segment))
        execute(f"INSERT INTO entry SELECT id + ?, ?, kind, rid, origin, body FROM {schema}.entry WHERE segment = ? ORDER BY id",
                (shift, self.segments, segment))
        execute(f"INSERT INTO link SELECT l.entry + ?, l.field, l.idx, l.target FROM {schema}.link l "
                f"JOIN {schema}.entry e ON e.id = l.entry WHERE e.segment = ?", (shift, segment))
        execute(f"INSERT INTO translated SELECT ?, idx, body FROM {schema}.translated WHERE segment = ? ORDER BY idx",
                (self.segments, segment))
        self.translations += [msgspec.msgpack.decode(db.unseal(blob), type=Translation) for (blob,) in execute(
            "SELECT body FROM translated WHERE segment = ? ORDER BY idx", (self.segments,)).fetchall()]
        self.problems.extend(msgspec.msgpack.decode(db.unseal(problems), type=list[Problem]))
        if schema == "packaged" and fingerprint(self.connection, self.segments) != self.fingerprints.get(file.origin):
            # Only the records' blobs carry checksums: a damaged id, kind or link would be merged as it reads.
            raise StoreDamaged(f"the package's compiled store is damaged ({file.origin})")
        return execute("SELECT id, kind, rid, origin FROM entry WHERE segment = ? ORDER BY id", (self.segments,)).fetchall()

    def add(self, file: File, parsed: Parsed) -> list[tuple[int, str, str, str]]:
        """Write a file just read: its key, problems and records."""
        self.segments += 1
        checked = self.today.isoformat() if parsed.problems else None
        self.connection.execute("INSERT INTO segment VALUES (?, ?, ?, ?, ?, ?)",
                                (self.segments, text_of(file.path) if file.key else None, file.origin, file.key, checked,
                                 db.seal(msgspec.msgpack.encode(parsed.problems))))
        self.problems.extend(parsed.problems)
        first = self.entries + 1
        self.entries += len(parsed.records)
        self.connection.executemany("INSERT INTO entry VALUES (?, ?, ?, ?, ?, ?)",
                                    ((first + i, self.segments, *record) for i, record in enumerate(parsed.records)))
        self.connection.executemany("INSERT INTO link VALUES (?, ?, ?, ?)",
                                    ((first + i, field, at, target) for i, field, at, target in parsed.links))
        self.connection.executemany("INSERT INTO translated VALUES (?, ?, ?)", (
            (self.segments, i, db.seal(self.encoder.encode(t))) for i, t in enumerate(parsed.translations)))
        self.translations += parsed.translations
        return [(first + i, kind, record_id, origin) for i, (kind, record_id, origin, _) in enumerate(parsed.records)]

    def merge(self, entry: int, kind: str, record_id: str, origin: str, layer: int = 0) -> bool:
        """Add a record of `layer`, replacing one of an earlier layer; False when it had to be skipped."""
        from hrfind.problem import Problem

        merged = self.merged
        where = dict(kind=kind, id=record_id)
        at = merged.file(origin)
        slot = merged.slot(kind, record_id)
        if slot is None:
            merged.add(kind, record_id, entry, at, layer)
            return True
        if merged.seen[slot] == layer:
            self.problems.append(Problem(origin, f"duplicate id, also in {merged.files[merged.seen_file[slot]]}; this one was skipped", field="id", **where))
            return False
        merged.seen[slot], merged.seen_file[slot] = layer, at
        owner = db.KINDS[merged.kind[slot]]
        if owner != kind:
            self.problems.append(Problem(origin, f"id already used by a {owner}; ids are shared by principles, strategies and services, so this one was skipped", field="id", **where))
            return False
        self.overrides.append(Override(record_id, kind, merged.files[merged.file_of[slot]], origin))
        merged.entry[slot], merged.file_of[slot], merged.layer[slot] = entry, at, layer
        return True

    def _write_records(self) -> dict[tuple[str, str], int]:
        """Write the merged records to `record` and let the merge go, so the rest of the compile has its memory;
        the layer of the record that won, by kind and id, of the records translated."""
        merged, self.merged = self.merged, _Merged()
        self.connection.executemany("INSERT INTO record VALUES (?, ?, ?, ?, ?, NULL)", merged.rows())
        found = {}
        for translation in self.translations:
            slot = merged.slot(translation.kind, translation.id)
            if slot is not None and db.KINDS[merged.kind[slot]] == translation.kind:
                found[translation.kind, translation.id] = merged.layer[slot]
        return found

    def finish(self, key: bytes, links: bool) -> None:
        execute = self.connection.execute
        record_layers = self._write_records()
        write_shapes(self.connection)
        if links:
            self.problems += check_links(self.connection, self.encoder)
        self.mark()
        kept, problems = translate(self.connection, zip(self.translation_layers, self.translations), record_layers)
        self.problems += problems
        self.mark()
        self.connection.executemany("INSERT INTO translation VALUES (?, ?, ?)", ((n, lang, blob) for (n, lang), blob in kept.items()))
        dates = _Index(self.connection).write()
        totals = dict(self.connection.execute("SELECT kind, count(*) FROM record GROUP BY kind").fetchall())
        meta = {"key": key, "checked": self.today if self.problems else None, "counts": self.counts, "totals": totals,
                "overrides": self.overrides, "problems": self.problems, "oldest": oldest(dates), "dates": sorted(dates.items()),
                "spans": self.spans}
        self.connection.executemany("INSERT INTO meta VALUES (?, ?)",
                                    ((name, db.seal(msgspec.msgpack.encode(value))) for name, value in meta.items()))
        execute("ANALYZE main")


def check_links(connection: sqlite3.Connection, encoder: msgspec.msgpack.Encoder, among: list[int] | None = None) -> list[Problem]:
    """Report links to records that do not exist, and drop them so that the record still loads (of the records
    numbered `among`, or all)."""
    from hrfind.problem import Problem

    problems = []
    broken = connection.execute(f"""
        SELECT r.n, r.kind, r.id, e.origin, l.field, l.target FROM record r
        JOIN entry e ON e.id = r.entry JOIN link l ON l.entry = r.entry
        WHERE r.kind IN ('strategy', 'service') {'' if among is None else 'AND r.n IN (SELECT value FROM json_each(?))'}
          AND NOT EXISTS (SELECT 1 FROM record t WHERE t.id = l.target AND (t.kind = 'offer') = (l.field = 'offers'))
        ORDER BY r.kind = 'service', r.pos, l.field = 'offers', l.idx""", () if among is None else (db.as_json(among),)).fetchall()
    dropped: dict[int, dict[str, set[str]]] = {}
    for n, kind, record_id, origin, field, target in broken:
        what = "offer" if field == "offers" else "record"
        problems.append(Problem(origin, f'no {what} has the id "{target}"; the link was dropped', kind=kind, id=record_id, field=field, fatal=False))
        dropped.setdefault(n, {}).setdefault(field, set()).add(target)
    store = db.Store(connection, frozenset())
    for n, gone in dropped.items():
        record = store.record(n)
        fixed = msgspec.structs.replace(record, **{field: [t for t in getattr(record, field) if t not in targets]
                                                   for field, targets in gone.items()})
        connection.execute("UPDATE record SET body = ? WHERE n = ?", (db.seal(encoder.encode(fixed)), n))
    return problems


def translate(connection: sqlite3.Connection, translations: Iterable[tuple[int, Translation]],
              record_layers: Mapping[tuple[str, str], int]) -> tuple[dict[tuple[int, str], bytes], list[Problem]]:
    """Check each translation, with its layer, against the merged record it translates (`record_layers`: the layer
    of the record that won, by kind and id): the record in each language, and the problems."""
    from hrfind.check import translated
    from hrfind.problem import Problem

    store = db.Store(connection, frozenset())
    kept: dict[tuple[int, str], tuple[str, Record]] = {}  # (number, language) -> the last translation's file, the record in it
    in_layer: dict[tuple[int, str, int], str] = {}
    broken: list[tuple[int, str, list[Problem]]] = []
    problems: list[Problem] = []
    for layer, translation in translations:
        n = store.number(translation.id, (translation.kind,))
        where = dict(kind=translation.kind, index=translation.index, id=translation.id)
        if n is None:
            problems.append(Problem(translation.origin, f'no {translation.kind} has the id "{translation.id}"; the translation was skipped', field="id", **where))
            continue
        if layer < record_layers.get((translation.kind, translation.id), 0):
            # A later layer replaced the record: this translation is of a text no longer shown, so it is English, marked.
            continue
        if (n, translation.lang, layer) in in_layer:
            problems.append(Problem(translation.origin, f"duplicate translation, also in {in_layer[n, translation.lang, layer]}; this one was skipped", field="id", **where))
            continue
        in_layer[n, translation.lang, layer] = translation.origin
        # On top of an earlier layer's translation: a later one that gives only a title keeps the earlier steps in Spanish.
        earlier = kept.get((n, translation.lang))
        record, found = translated(store.record(n) if earlier is None else earlier[1], translation)
        if record is None:
            broken.append((n, translation.lang, found))
        else:
            kept[n, translation.lang] = translation.origin, record
    for n, lang, found in broken:  # say which text is shown instead: another layer's translation, or the English
        instead = kept.get((n, lang))
        problems += found if instead is None or instead[1].lang != lang else [dataclasses.replace(
            p, message=p.message.removesuffix("; the English text is used") + f"; the translation in {instead[0]} is used") for p in found]
    encoder = msgspec.msgpack.Encoder()
    return {key: db.seal(encoder.encode(record)) for key, (_, record) in kept.items()}, problems


def oldest(dates: dict[tuple[str, datetime.date], int]) -> tuple[datetime.date | None, datetime.date | None]:
    """The oldest `reviewed` (principles, strategies) and `verified` (services) date, which `info` shows."""
    return tuple(min((date for (which, date), count in dates.items() if which == name and count), default=None)  # type: ignore[return-value]
                 for name in ("reviewed", "verified"))


class Derived(NamedTuple):
    """What queries need of a batch of merged records, worked out from them alone (in a worker process, for
    a large directory), as rows ready to insert."""

    fts: list[tuple]  # (n, one text of folded words for each column of the word index)
    fts_k: list[tuple]  # the same rows, of the records that are not places
    posting: list[tuple[str, int, int]]  # (word, first column it is in, n): the word index without FTS5
    site: list[tuple[int, float | None, float | None, bool, bool]]  # services: n, lat, lon, approximate, remote
    phrase: list[tuple[str, int]]
    members: dict[str, list[int]]  # tag -> numbers
    words: set[str]
    translated_words: set[str]  # the words of translations, searched by a query in their language
    emergency: list[int]
    dates: dict[tuple[str, datetime.date], int]  # how many have each "reviewed" (principles, strategies), "verified" (services)
    offers: list[Offer]  # offers are not indexed, but their names are the words of their groups


def derive(batch: list[tuple[int, str, bytes]], fts: bool) -> Derived:
    """Derive what queries need of a batch of (number, kind, sealed blob)."""
    from hrfind.geo import service_location

    found = Derived([], [], [], [], [], {}, set(), set(), [], {}, [])
    for n, kind, blob, translation in batch:
        record = db.decode(kind, blob)
        # A record is found by the words of its translation too, whatever language a run reads it in.
        texts = [record] if translation is None else [record, db.decode(kind, translation)]
        if isinstance(record, Offer):
            found.offers.append(record)
            continue
        tags = list(fields.groups(record))
        place = False
        which = "verified" if kind == "service" else "reviewed"
        date = getattr(record, which, None)
        if date is not None:
            found.dates[which, date] = found.dates.get((which, date), 0) + 1
        if isinstance(record, Service):
            tags += [f"language:{code}" for code in record.languages]
            if record.is_remote:
                tags += [f"coverage:{code}" for code in record.coverage]
            if record.cost is not None:
                tags.append(f"cost:{record.cost}")
            lat, lon, approximate = service_location(record) or (None, None, False)
            found.site.append((n, lat, lon, approximate, record.is_remote))
            place = lat is not None and not record.is_remote  # as db.Store.places says
        for tag in dict.fromkeys(tags):
            found.members.setdefault(tag, []).append(n)
        own = fields.columns(record)
        # A translation's words go in columns of their own (db.TRANSLATED), after the record's.
        columns = own + ([sum(found_in, []) for found_in in zip(*(fields.columns(r) for r in texts[1:]))] if texts[1:] else [[] for _ in own])
        best: dict[str, int] = {}
        for column, words_in in enumerate(columns):
            for word in words_in:
                best.setdefault(word, column)
        found.words.update(word for words_in in own for word in words_in)
        found.translated_words.update(best)
        if fts:
            found.fts.append((n, *(" ".join(c) for c in columns)))
            if not place:
                found.fts_k.append(found.fts[-1])
        else:
            # The best column of the record's own text, and of its translations (db.Store.postings reads both).
            found.posting.extend((word, column, n) for word, column in best.items())
            found.posting.extend((word, column, n) for column, words_in in enumerate(columns[len(own):], len(own))
                                 for word in dict.fromkeys(words_in) if best[word] < len(own))
        found.phrase.extend((phrase, n) for phrase in sorted(set().union(*map(fields.phrases, texts))))
        if getattr(record, "emergency", False):
            found.emergency.append(n)
    return found


class _Index:
    """The last pass: tags, locations and the word index of the merged records."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection
        self.fts = "fts5" in features_of(connection)
        self.words: set[str] = set()
        self.translated_words: set[str] = set()
        self.offers: dict[str, Offer] = {}
        self.groups: set[str] = set()
        self.members: dict[str, array] = {}  # tag -> record numbers, kept whole in `grp` too
        self.emergency: list[int] = []

    def write(self) -> dict[tuple[str, datetime.date], int]:
        """Index every merged record; how many have each `reviewed` and `verified` date."""
        dates: dict[tuple[str, datetime.date], int] = {}
        total = self.connection.execute("SELECT count(*) FROM record").fetchone()[0]
        # One row a record: hrfind speaks one language besides English (hrfind.i18n.LANGUAGES).
        cursor = self.connection.execute("SELECT r.n, r.kind, coalesce(r.body, e.body), t.body FROM record r "
                                         "JOIN entry e ON e.id = r.entry LEFT JOIN translation t ON t.n = r.n ORDER BY r.n")
        batches = iter(lambda: cursor.fetchmany(1000), [])
        def insert(sql: str, rows: list[tuple]) -> None:
            if rows:  # the table may not exist: fts without FTS5, posting with it
                self.connection.executemany(sql, rows)

        for d in _pooled(derive, ((rows, self.fts) for rows in batches), total >= PARALLEL_RECORDS):
            for table, rows in (("fts", d.fts), ("fts_k", d.fts_k)):
                insert(fts_insert(table), rows)
            insert("INSERT INTO posting VALUES (?, ?, ?)", d.posting)
            insert("INSERT INTO site VALUES (?, ?, ?, ?, ?)", d.site)
            insert("INSERT OR IGNORE INTO phrase VALUES (?, ?)", d.phrase)
            for tag, numbers in d.members.items():
                found = self.members.get(tag)
                if found is None:
                    found = self.members[tag] = array("I")
                    if tag.startswith(GROUPS):
                        self.groups.add(tag)
                found.extend(numbers)
            self.words |= d.words
            self.translated_words |= d.translated_words
            self.emergency += d.emergency
            self.offers.update((offer.id, offer) for offer in d.offers)
            for date, count in d.dates.items():
                dates[date] = dates.get(date, 0) + count
        self.connection.executemany("INSERT INTO grp VALUES (?, ?)", ((tag, db.seal(db.pack(numbers)))
                                                                      for tag, numbers in sorted(self.members.items())))
        self.members.clear()
        self._groups()
        self.connection.executemany("INSERT INTO word VALUES (?, ?, ?)", (
            (w, len(w), w not in self.words) for w in sorted(self.words | self.translated_words)))
        self.connection.execute("INSERT INTO meta VALUES ('emergency', ?)", (db.seal(msgspec.msgpack.encode(self.emergency)),))
        return dates

    def _groups(self) -> None:
        best = group_words(self.groups, self.offers)
        self.words.update(word for word, _ in best)
        self.connection.executemany("INSERT INTO group_word VALUES (?, ?, ?)", ((w, g, weight) for (w, g), weight in best.items()))


def write_shapes(connection: sqlite3.Connection) -> None:
    """The shapes of the records' ids by length, and the ids of each shape (db.shape), streamed in SQLite's order."""
    connection.create_function("shape", 1, db.shape, deterministic=True)
    rows = connection.execute("SELECT DISTINCT shape(id) AS s, id FROM record ORDER BY length(id), s, id")
    part: list[str] = []
    parts: dict[int, int] = {}

    def flush() -> None:
        if part:
            length = len(part[0])
            parts[length] = parts.get(length, -1) + 1
            connection.execute("INSERT INTO spelling VALUES (?, ?, ?)", (length, parts[length], db.seal(msgspec.msgpack.encode(part))))
            part.clear()

    for found, group in itertools.groupby(rows, key=lambda row: row[0]):
        if part and (len(part[0]) != len(found) or len(part) >= SHAPES_A_ROW):
            flush()
        part.append(found)
        connection.execute("INSERT INTO shape VALUES (?, ?)", (found, db.seal(msgspec.msgpack.encode([record_id for _, record_id in group]))))
    flush()


def fts_insert(table: str) -> str:
    """The statement that adds rows of `Derived.fts` (or `fts_k`) to the word index `table`."""
    return f"INSERT INTO {table}(rowid, {', '.join(db.COLUMNS + db.TRANSLATED)}) VALUES (?{', ?' * 2 * len(db.COLUMNS)})"


def group_words(groups: Iterable[str], offers: dict[str, Offer]) -> dict[tuple[str, str], float]:
    """The words of each group's names (kinds, access, offers), with the best weight each has there."""
    best: dict[tuple[str, str], float] = {}
    for group in sorted(groups):
        for weight, text in fields.group_fields(group, offers):
            for word in words(text):
                if best.get((word, group), -1.0) < weight:
                    best[word, group] = weight
    return best


def features_of(connection: sqlite3.Connection) -> frozenset[str]:
    """Which optional tables this database was made with."""
    names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return frozenset(f for f, table in (("fts5", "fts"),) if table in names)

