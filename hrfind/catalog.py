"""Find the data layers, read and validate their TOML files, and merge the records by id.

A catalog comes from the compiled cache (`hrfind.cache`) when every file is as it was: its
tables then decode a record only when it is read, so a command over 100,000 services touches
the few it shows. Otherwise the files that changed are compiled again and the cache updated.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from hrfind import cache
from hrfind.errors import UsageError
from hrfind.files import text_of
from hrfind.model import TYPES, Offer, Principle, Record, Service, Strategy, kind_of

if TYPE_CHECKING:
    from hrfind.check import Problem

T = TypeVar("T")
BUNDLED = "bundled"
KINDS = ("principle", "strategy", "service", "offer")
Progress = Callable[[int, int], None]  # bytes compiled so far, bytes to compile


def bundled_dir() -> Path:
    """The knowledge base that ships with hrfind."""
    here = Path(__file__).parent
    installed = here / "data"
    # An editable install runs from the checkout, where data/ sits beside the package.
    return installed if installed.is_dir() else here.parent / "data"


def user_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("hrfind"))


class Layer(msgspec.Struct, frozen=True):
    """One place records come from, in the order they override each other."""

    name: str  # bundled, user, HRFIND_DATA, --data
    path: Path
    files: tuple[Path, ...] = ()
    offers_only: bool = False  # --no-bundled still loads the bundled offer vocabulary

    def origin(self, file: Path) -> str:
        """How a record's file is named in output: stable for bundled data, as found otherwise."""
        if self.name == BUNDLED:
            return f"{BUNDLED}:{file.relative_to(self.path).as_posix()}"
        return text_of(file)


class Override(msgspec.Struct, frozen=True):
    id: str
    kind: str
    replaced: str
    by: str


class CacheUse(msgspec.Struct):
    """How a catalog was loaded, for `hrfind info`, and where its derived data can be kept."""

    folder: Path
    state: str  # fresh: read from the cache; rebuilt: compiled and saved; unsaved: compiled, not saved
    note: str | None = None  # why it was not saved
    store: cache.Store | None = None
    name: str | None = None  # set when the catalog is in the cache, so derived data can join it
    stamp: str | None = None


class Catalog(msgspec.Struct):
    # Tables are dicts when compiled in this run, cache.Table (the same mapping, read lazily) otherwise.
    principles: Mapping[str, Principle] = msgspec.field(default_factory=dict)
    strategies: Mapping[str, Strategy] = msgspec.field(default_factory=dict)
    services: Mapping[str, Service] = msgspec.field(default_factory=dict)
    offers: Mapping[str, Offer] = msgspec.field(default_factory=dict)
    layers: list[Layer] = msgspec.field(default_factory=list)
    counts: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)  # layer path -> kind -> n
    overrides: list[Override] = msgspec.field(default_factory=list)
    problems: list[Problem] = msgspec.field(default_factory=list)
    cache: CacheUse | None = None

    def table(self, kind: str) -> Any:
        return {"principle": self.principles, "strategy": self.strategies, "service": self.services, "offer": self.offers}[kind]

    def get(self, record_id: str) -> Record | None:
        """A principle, strategy or service by id, else an offer."""
        for table in (self.principles, self.strategies, self.services, self.offers):
            if record_id in table:
                return table[record_id]
        return None

    def find(self, name: str) -> Record | None:
        """A record by id in any case, else the record one of whose aliases it is ("narcan": naloxone); None if neither."""
        found = self.get(name) or self.get(name.lower())
        if found is not None:
            return found
        wanted = " ".join(name.casefold().split())
        # Kinds in the order `get` reads them; only types that have aliases, so a large directory of
        # services without them is never decoded for this.
        for kind in ("principle", "strategy", "service", "offer"):
            if "aliases" in TYPES[kind].__struct_fields__:
                for record in self.table(kind).values():
                    if any(" ".join(alias.casefold().split()) == wanted for alias in record.aliases):
                        return record
        return None

    def records(self, kinds: Iterable[str] = ("principle", "strategy", "service")) -> list[Record]:
        return [record for kind in kinds for record in self.table(kind).values()]

    def listing(self, kinds: Sequence[str]) -> Sequence[Record]:
        """The records of these kinds end to end, by position; a cached table decodes only what is read."""
        tables = [self.table(kind) for kind in kinds]
        if not any(isinstance(table, cache.Table) for table in tables):
            return self.records(kinds)
        return Listing(tables)

    def ids(self, kinds: Iterable[str]) -> list[str]:
        """The ids of `listing(kinds)`, position for position, without decoding the records."""
        return [record_id for kind in kinds for record_id in self.table(kind)]

    def positions(self, kinds: Iterable[str]) -> dict[str, range]:
        """Where each kind's records sit in `listing(kinds)`."""
        spans, start = {}, 0
        for kind in kinds:
            spans[kind] = range(start, start + len(self.table(kind)))
            start = spans[kind].stop
        return spans

    def derived(self, name: str, shape: Any, build: Callable[[], T]) -> T:
        """Data computed from the whole catalog (the search index): kept in the cache beside it when possible."""
        use = self.cache
        if use is None or use.store is None or use.name is None or use.stamp is None:
            return build()
        return use.store.derived(use.name, use.stamp, name, shape, build)

    def closest_ids(self, record_id: str, n: int = 3) -> list[str]:
        import difflib

        ids = list(dict.fromkeys(self.ids(KINDS)))
        return difflib.get_close_matches(record_id, ids, n=n, cutoff=0.5)


class Listing(Sequence[Record]):
    """Several tables end to end, by position."""

    def __init__(self, tables: list[Mapping[str, Record]]):
        self._read = [table.at if isinstance(table, cache.Table) else list(table.values()).__getitem__ for table in tables]
        self._starts = list(itertools.accumulate((len(table) for table in tables), initial=0))

    def __len__(self) -> int:
        return self._starts[-1]

    def __getitem__(self, position: Any) -> Any:
        if isinstance(position, slice):
            return [self[n] for n in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(position)
        table = bisect.bisect_right(self._starts, position) - 1
        return self._read[table](position - self._starts[table])


def discover(path: Path, problems: list[Problem]) -> tuple[Path, ...]:
    """The *.toml files of a file or folder, in sorted order, skipping hidden entries and link loops."""
    def report(where: str, message: str, fatal: bool = True) -> None:
        from hrfind.check import Problem  # only now: validation is not needed to read the cache

        problems.append(Problem(where, message, fatal=fatal))

    if path.is_file():
        return (path,)
    if not path.is_dir():  # a FIFO or a device given as a layer: never opened
        report(text_of(path), "is neither a regular file nor a folder; skipped")
        return ()
    found: list[Path] = []
    seen: set[str] = set()

    def unreadable(error: OSError) -> None:
        report(text_of(error.filename or path), f"cannot read this folder ({error.strerror}); its files were skipped")

    for folder, dirs, files in os.walk(path, onerror=unreadable, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:  # a symbolic link back into a folder already read
            report(text_of(folder), "links back to a folder already read; skipped", fatal=False)
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(folder, f) for f in sorted(files) if f.endswith(".toml") and not f.startswith("."))
    return tuple(found)


def read_file(path: Path, origin: str) -> tuple[list[Record], list[Problem]]:
    """The valid records of one TOML file and everything wrong with it."""
    import tomli

    from hrfind.check import Problem, build_records

    from hrfind.files import read_regular

    try:
        raw = read_regular(path)  # a FIFO or a device named *.toml would hang the run or never end
    except OSError as error:
        return [], [Problem(origin, f"cannot read this file ({error.strerror}); skipped")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return [], [Problem(origin, f"is not UTF-8 text (line {line}); save it as UTF-8")]
    try:
        document = tomli.loads(text.removeprefix("\ufeff"))  # editors on Windows start UTF-8 with a byte-order mark
        return build_records(origin, document)
    except tomli.TOMLDecodeError as error:
        return [], [Problem(origin, f"TOML syntax error: {error}; the whole file was skipped")]
    except RecursionError:
        return [], [Problem(origin, "arrays or tables are nested too deeply to read; the whole file was skipped")]


def layers(data: Iterable[Path] = (), no_bundled: bool = False, env: Mapping[str, str] | None = None,
           user: Path | None = None) -> list[Layer]:
    """The data layers in override order: bundled, user folder, HRFIND_DATA, --data."""
    env = os.environ if env is None else env
    for path in data:
        if not path.exists():
            raise UsageError(f"No data file or folder at {path}. Check the path given to --data.")
    found = [Layer(BUNDLED, bundled_dir(), offers_only=no_bundled)]
    user = user_dir() if user is None else user
    if user.is_dir():
        found.append(Layer("user", user))
    found += [Layer("HRFIND_DATA", Path(p)) for p in env.get("HRFIND_DATA", "").split(os.pathsep) if p]
    found += [Layer("--data", Path(p)) for p in data]
    return found


class _Scan(msgspec.Struct):
    """One layer as found on disk: its files, their cache keys, and what discovering them reported."""

    layer: Layer
    exists: bool
    problems: list[Problem]
    stats: list[os.stat_result | None]


def _scan(layer_list: list[Layer]) -> list[_Scan]:
    found = []
    for layer in layer_list:
        if not layer.path.exists():
            from hrfind.check import Problem

            found.append(_Scan(layer, False, [Problem(text_of(layer.path), f"does not exist (from {layer.name}); skipped", fatal=False)], []))
            continue
        problems: list[Problem] = []
        files = discover(layer.path, problems)
        stats = []
        for file in files:
            try:
                stats.append(os.stat(file))
            except OSError:
                stats.append(None)  # read_file says why
        found.append(_Scan(msgspec.structs.replace(layer, files=files), True, problems, stats))
    return found


def _snapshot_key(scans: list[_Scan]) -> tuple[str, bytes]:
    """The cache file name of a set of layers, and everything its merged catalog depends on."""
    # Each layer, each file's key, what discovery reported, and (in TAG) the version of hrfind.
    layers = [(s.layer.name, text_of(s.layer.path), text_of(os.path.abspath(s.layer.path)), s.layer.offers_only) for s in scans]
    detail = [(s.exists, [str(p) for p in s.problems], [(text_of(f), cache.file_key(st) if st else None) for f, st in zip(s.layer.files, s.stats)])
              for s in scans]
    return cache.name(layers), msgspec.msgpack.encode([cache.TAG, layers, detail])


def _layer_name(layer: Layer) -> tuple[str, str]:
    """The cache file name of a data folder or file, and its identity."""
    # Origins differ for bundled data and for a path given relative to another folder: both are part of it.
    identity = repr((layer.name == BUNDLED, text_of(layer.path), text_of(os.path.abspath(layer.path))))
    return cache.name(identity), identity


def load(layer_list: list[Layer], progress: Progress | None = None, use_cache: bool = True) -> Catalog:
    """Read every layer and merge its records: a later layer replaces a record with the same id."""
    scans = _scan(layer_list)
    store = cache.Store(cache.folder()) if use_cache else None
    name, key = _snapshot_key(scans)
    today = datetime.date.today()
    if store is not None:
        snapshot = store.snapshot(name, key)
        if snapshot is not None and snapshot.checked in (None, today):
            return _from_snapshot(snapshot, scans, store, name)
    catalog = _compile(scans, store, today, progress)
    if store is None:
        return catalog
    catalog.cache = cache_use = CacheUse(store.root, "unsaved", store=store)
    if not all(st is not None and cache.settled(st) for s in scans for st in s.stats):
        cache_use.note = "a data file changed in the last few seconds; it is cached once it has settled"
    elif store.save_snapshot(name, snapshot := _to_snapshot(catalog, key, today)):
        cache_use.state, cache_use.name, cache_use.stamp = "rebuilt", name, snapshot.stamp
    else:
        cache_use.note = store.unwritable
    return catalog


def _compile(scans: list[_Scan], store: cache.Store | None, today: datetime.date, progress: Progress | None) -> Catalog:
    """Merge the layers, reading again only the files the cache does not hold as they are now."""
    catalog = Catalog()
    owner: dict[str, str] = {}  # id -> kind, for ids shared across principles, strategies, services
    # What the cache holds for each layer's files, by path; an entry with problems holds for its day only.
    compiled = [store.layer(*_layer_name(s.layer)) if store and s.exists else {} for s in scans]
    usable = [{path: entry for path, entry in entries.items() if entry.checked in (None, today)} for entries in compiled]
    todo = sum(st.st_size for s, entries in zip(scans, usable) for f, st in zip(s.layer.files, s.stats)
               if st and not _current(entries.get(text_of(f)), s.layer.origin(f), st))
    done = 0
    for scan, before, entries in zip(scans, compiled, usable):
        catalog.problems.extend(scan.problems)
        if not scan.exists:
            continue
        layer = scan.layer
        catalog.layers.append(layer)
        counts = catalog.counts.setdefault(text_of(layer.path), {})
        in_layer: dict[tuple[str, str], str] = {}
        kept: list[cache.Entry] = []
        for file, stat in zip(layer.files, scan.stats):
            origin = layer.origin(file)
            entry = entries.get(text_of(file))
            if _current(entry, origin, stat):
                records, problems = _unpack(entry)
            else:
                records, problems = read_file(file, origin)
                entry = _pack(file, origin, stat, today, records, problems) if stat and cache.settled(stat) else None
                done += stat.st_size if stat else 0
                if progress is not None:
                    progress(done, todo)
            if entry is not None:
                kept.append(entry)
            catalog.problems.extend(problems)
            for record in records:
                kind = kind_of(record)
                if layer.offers_only and kind != "offer":
                    continue
                if _merge(catalog, record, kind, owner, in_layer):
                    counts[kind] = counts.get(kind, 0) + 1
        if store is not None and ([e.path for e in kept] != list(before) or any(e is not before.get(e.path) for e in kept)):
            store.save_layer(*_layer_name(layer), kept)
    _check_references(catalog)
    return catalog


def _current(entry: cache.Entry | None, origin: str, stat: os.stat_result | None) -> bool:
    return entry is not None and stat is not None and entry.origin == origin and tuple(entry.key) == cache.file_key(stat)


def _pack(file: Path, origin: str, stat: os.stat_result, today: datetime.date, records: list[Record], problems: list[Problem]) -> cache.Entry:
    kinds = [kind_of(r) for r in records]
    by_kind = {kind: [r for r in records if kind_of(r) == kind] for kind in KINDS}
    return cache.Entry(text_of(file), origin, cache.file_key(stat), today if problems else None, kinds,
                       by_kind["principle"], by_kind["strategy"], by_kind["service"], by_kind["offer"],
                       msgspec.Raw(msgspec.msgpack.encode(problems)))


def _unpack(entry: cache.Entry) -> tuple[list[Record], list[Problem]]:
    """An entry's records back in file order, and its problems."""
    from hrfind.check import Problem

    pending = {"principle": iter(entry.principles), "strategy": iter(entry.strategies),
               "service": iter(entry.services), "offer": iter(entry.offers)}
    return [next(pending[kind]) for kind in entry.kinds], msgspec.msgpack.decode(entry.problems, type=list[Problem])


def _to_snapshot(catalog: Catalog, key: bytes, today: datetime.date) -> cache.Snapshot:
    return cache.Snapshot(
        key, os.urandom(8).hex(), today if catalog.problems else None, catalog.counts,
        [(o.id, o.kind, o.replaced, o.by) for o in catalog.overrides],
        len(catalog.problems), msgspec.Raw(msgspec.msgpack.encode(catalog.problems)),
        {kind: cache.store_records(list(catalog.table(kind).values())) for kind in KINDS},
    )


def _from_snapshot(snapshot: cache.Snapshot, scans: list[_Scan], store: cache.Store, name: str) -> Catalog:
    problems: list[Problem] = []
    if snapshot.problem_count:
        from hrfind.check import Problem

        problems = msgspec.msgpack.decode(snapshot.problems, type=list[Problem])
    tables = {kind: cache.Table(snapshot.tables[kind], TYPES[kind]) for kind in KINDS}
    return Catalog(
        tables["principle"], tables["strategy"], tables["service"], tables["offer"],
        layers=[s.layer for s in scans if s.exists],
        counts=snapshot.counts,
        overrides=[Override(*o) for o in snapshot.overrides],
        problems=problems,
        cache=CacheUse(store.root, "fresh", store=store, name=name, stamp=snapshot.stamp),
    )


def _merge(catalog: Catalog, record: Record, kind: str, owner: dict[str, str], in_layer: dict[tuple[str, str], str]) -> bool:
    """Add a record, replacing one of an earlier layer; False when it had to be skipped."""
    from hrfind.check import Problem

    namespace = "offer" if kind == "offer" else "record"
    where = dict(kind=kind, id=record.id)
    if (namespace, record.id) in in_layer:
        catalog.problems.append(Problem(record.origin, f"duplicate id, also in {in_layer[namespace, record.id]}; this one was skipped", field="id", **where))
        return False
    in_layer[namespace, record.id] = record.origin
    if namespace == "record" and owner.get(record.id, kind) != kind:
        catalog.problems.append(Problem(record.origin, f"id already used by a {owner[record.id]}; ids are shared by principles, strategies and services, so this one was skipped", field="id", **where))
        return False
    if namespace == "record":
        owner[record.id] = kind
    table = catalog.table(kind)
    if record.id in table:
        catalog.overrides.append(Override(record.id, kind, table[record.id].origin, record.origin))
    table[record.id] = record
    return True


def _check_references(catalog: Catalog) -> None:
    """Report links to records that do not exist, and drop them so the record still loads."""
    from hrfind.check import Problem

    targets = {r.id for r in catalog.records()}
    for kind in ("strategy", "service"):
        table = catalog.table(kind)
        for record in list(table.values()):
            fixes = {}
            for field, valid, what in (("related", targets, "record"), ("offers", catalog.offers, "offer")):
                links = getattr(record, field, None)
                if not links:
                    continue
                for link in links:
                    if link not in valid:
                        catalog.problems.append(Problem(record.origin, f'no {what} has the id "{link}"; the link was dropped', kind=kind, id=record.id, field=field, fatal=False))
                kept = [link for link in links if link in valid]
                if kept != links:
                    fixes[field] = kept
            if fixes:
                table[record.id] = msgspec.structs.replace(record, **fixes)
