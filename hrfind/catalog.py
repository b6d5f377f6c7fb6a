"""Find the data layers, read and validate their TOML files, and compile them into the store.

The store (`hrfind.store`) is one SQLite file in the cache folder for each set of layers. When
every file is as it was, a command opens it read-only and reads only the records it shows;
otherwise the files that changed are read again and a new store replaces the old one.
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import msgspec

from hrfind import __version__
from hrfind.errors import StoreDamaged, UsageError
from hrfind.files import text_of
from hrfind.model import Address, Hours, Offer, Principle, Record, Service, Source, Strategy
from hrfind.store import db, files
from hrfind.store.layout import File, Override, Part, Progress

if TYPE_CHECKING:
    from hrfind.problem import Problem

BUNDLED = "bundled"
PACKAGED = Path(__file__).with_name("bundled.sqlite")  # the bundled data as the wheel's build hook compiled it
# The federal places (places/build.py's output), as the wheel carries them. A checkout has none here:
# its tests and edits stay quick, and `--data places/hrfind-places.toml` adds them.
PLACES = Path(__file__).with_name("places.toml")
KINDS = db.KINDS
NO_PROBLEMS = db.seal(msgspec.msgpack.encode([]))  # the store's list of problems when it has none
KEEP_STORES = 4  # stores kept for different sets of layers; each can be as large as its data
# How long an update waits for another run's lock on the store (one updating it, or one reading it right
# then) before compiling a new store instead.
UPDATE_WAIT = 2.0


def bundled_dir() -> Path:
    """The knowledge base that ships with hrfind."""
    here = Path(__file__).parent
    installed = here / "data"
    # An editable install runs from the checkout, where data/ sits beside the package.
    return installed if installed.is_dir() else here.parent / "data"


def user_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("hrfind"))


def tag(have: frozenset[str]) -> str:
    """What a store must have been written by: this format, version, record shapes and SQLite features."""
    shapes = repr([(t.__name__, t.__annotations__) for t in (Principle, Strategy, Service, Offer, Source, Address, Hours)])
    return f"{db.FORMAT}/{__version__}/{shapes}/{sorted(have)}"


class Layer(msgspec.Struct, frozen=True):
    """One place records come from, in the order they override each other."""

    name: str  # bundled, user, HRFIND_DATA, --data
    path: Path
    files: tuple[Path, ...] = ()
    offers_only: bool = False  # --no-bundled still loads the bundled offer vocabulary
    places: Path | None = None  # the bundled places file, outside `path`; `overdose` leaves it out

    def origin(self, file: Path) -> str:
        """How a record's file is named in output: stable for bundled data, as found otherwise."""
        if self.name == BUNDLED and file == self.places:
            return f"{BUNDLED}:places.toml"
        if self.name == BUNDLED:
            return f"{BUNDLED}:{file.relative_to(self.path).as_posix()}"
        return text_of(file)


class CacheUse(msgspec.Struct):
    """How a catalog was loaded, for `hrfind info`."""

    folder: Path
    state: str  # fresh: read from the store; rebuilt: compiled and saved; unsaved: compiled, not saved
    note: str | None = None  # why it was not saved


class Catalog:
    """The merged records of every layer, read from a store, with what loading them found."""

    def __init__(self, store: db.Store, layers: list[Layer], cache: CacheUse | None = None):
        self.store = store
        self.layers = layers
        self.cache = cache
        self.principles = db.Table(store, "principle")
        self.strategies = db.Table(store, "strategy")
        self.services = db.Table(store, "service")
        self.offers = db.Table(store, "offer")
        self.counts: dict[str, dict[str, int]] = store.meta("counts", dict[str, dict[str, int]])
        self.overrides = [Override(*o) for o in store.meta("overrides", list[tuple[str, str, str, str]])]

    @property
    def problems(self) -> list[Problem]:
        if self.store.column("SELECT value FROM meta WHERE key = 'problems'") == [NO_PROBLEMS]:
            return []  # most runs: no need to import what problems are made of
        from hrfind.problem import Problem

        return self.store.meta("problems", list[Problem])

    @property
    def lacking(self) -> list[str]:
        """The parts of SQLite this store had to do without (it answers the same, more slowly)."""
        return [name for feature, name in (("fts5", "FTS5"),) if feature not in self.store.features]

    def table(self, kind: str) -> db.Table:
        return {"principle": self.principles, "strategy": self.strategies, "service": self.services, "offer": self.offers}[kind]

    def get(self, record_id: str) -> Record | None:
        """A principle, strategy or service by id, else an offer."""
        n = self.store.number(record_id, ("principle", "strategy", "service"))
        if n is None:
            n = self.store.number(record_id, ("offer",))
        return None if n is None else self.store.record(n)

    def find(self, name: str) -> Record | None:
        """A record by id in any case, else the record one of whose aliases it is ("narcan": naloxone); None if neither."""
        found = self.get(name) or self.get(name.lower())
        if found is not None:
            return found
        from hrfind.text import words

        wanted = " ".join(name.casefold().split())
        # An alias that matches folds to the same phrase as the name, so the store's phrases (titles
        # and aliases, folded) name every record that can match: only those are read, in the order
        # `get` reads kinds. Offers are not in the phrases, and are few.
        candidates = self.store.listing_order(self.store.phrase(" ".join(words(name))))
        for record in [*self.store.records(candidates).values(), *self.offers.values()]:
            if any(" ".join(alias.casefold().split()) == wanted for alias in getattr(record, "aliases", ())):
                return record
        return None

    def records(self, kinds: Iterable[str] = ("principle", "strategy", "service")) -> list[Record]:
        return [record for kind in kinds for record in self.table(kind).values()]

    def ids(self, kinds: Iterable[str]) -> list[str]:
        return [record_id for kind in kinds for record_id in self.store.ids(kind)]

    def oldest(self) -> tuple[datetime.date | None, datetime.date | None]:
        """The oldest `reviewed` of a principle or strategy, and `verified` of a service."""
        return self.store.meta("oldest", tuple[Optional[datetime.date], Optional[datetime.date]])

    def closest_ids(self, record_id: str, n: int = 3) -> list[str]:
        """The ids most like a mistyped one, as difflib.get_close_matches ranks them (cutoff 0.5)."""
        import difflib
        import heapq

        from rapidfuzz import fuzz, process

        from hrfind.store.db import shape

        # difflib's ratio is never above rapidfuzz's (matching blocks are a common subsequence), nor
        # is an id's above its shape's (a shape has every common subsequence its ids have). So the
        # shapes of the lengths difflib can accept at all (2 * shorter / both >= 0.5) are ranked,
        # and their ids read most alike first (1, 2, 4 ... shapes at a time), only until neither
        # the next shape nor the next id can reach the n-th best so far. Ties go to the larger id,
        # as in difflib.
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(record_id)
        best: list[tuple[float, str]] = []  # the n best (ratio, id), least first

        def beaten(bound: float) -> bool:  # rapidfuzz's percent and difflib's ratio may differ in the last bit
            return len(best) == n and bound < 100 * best[0][0] - 1e-6

        shapes = self.store.shapes(-(-len(record_id) // 3), 3 * len(record_id))
        near = process.extract(shape(record_id), shapes, scorer=fuzz.ratio, score_cutoff=49, limit=None)
        start, step = 0, 1
        while start < len(near) and not beaten(near[start][1]):
            ids = self.store.shaped([found for found, _, _ in near[start:start + step]])
            start, step = start + step, 2 * step
            for candidate, bound, _ in process.extract(record_id, ids, scorer=fuzz.ratio, score_cutoff=49, limit=None):
                if beaten(bound):
                    break
                matcher.set_seq1(candidate)
                if matcher.real_quick_ratio() >= 0.5 and matcher.quick_ratio() >= 0.5 and (ratio := matcher.ratio()) >= 0.5:
                    (heapq.heappush if len(best) < n else heapq.heappushpop)(best, (ratio, candidate))
        return [candidate for _, candidate in sorted(best, reverse=True)]


def discover(path: Path, problems: list[Problem]) -> tuple[Path, ...]:
    """The *.toml files of a file or folder, in sorted order, skipping hidden entries and link loops."""
    def report(where: str, message: str, fatal: bool = True) -> None:
        from hrfind.problem import Problem

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

    from hrfind.check import build_records
    from hrfind.problem import Problem

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
    places = PLACES if PLACES.is_file() and not no_bundled else None
    found = [Layer(BUNDLED, bundled_dir(), offers_only=no_bundled, places=places)]
    user = user_dir() if user is None else user
    if user.is_dir():
        found.append(Layer("user", user))
    found += [Layer("HRFIND_DATA", Path(p)) for p in env.get("HRFIND_DATA", "").split(os.pathsep) if p]
    found += [Layer("--data", Path(p)) for p in data]
    return found




def of_records(records: Iterable[Record]) -> Catalog:
    """A catalog of records already read, not checked (for tests of what the checks keep out)."""
    from hrfind.store import build  # only to compile: reading a store does not need it

    return Catalog(build.memory_store(records), [])


def file_key(info: os.stat_result) -> str:
    """What changes when a data file does."""
    # Size and modification time; the inode, for editors that write a new file and rename it; the
    # change time, for permissions, so that a file once unreadable is read again once it can be.
    return f"{info.st_size}/{info.st_mtime_ns}/{info.st_ino}/{info.st_ctime_ns}"


def _parts(layer_list: list[Layer]) -> tuple[list[Layer], list[Part], bool]:
    """Each layer as found on disk, the layers that exist with their files, and whether every file has settled."""
    found, parts, settled = [], [], True
    for layer in layer_list:
        if not layer.path.exists():
            from hrfind.problem import Problem

            missing = Problem(text_of(layer.path), f"does not exist (from {layer.name}); skipped", fatal=False)
            parts.append(Part(text_of(layer.path), False, layer.offers_only, [missing], []))
            continue
        problems: list[Problem] = []
        layer = msgspec.structs.replace(layer, files=discover(layer.path, problems) + ((layer.places,) if layer.places else ()))
        found.append(layer)
        entries = []
        for path in layer.files:
            try:
                info = os.stat(path)
            except OSError:
                entries.append(File(path, layer.origin(path), None, 0))  # read_file says why
                continue
            settled = settled and files.settled(info)
            entries.append(File(path, layer.origin(path), file_key(info), info.st_size))
        parts.append(Part(text_of(layer.path), True, layer.offers_only, problems, entries))
    return found, parts, settled


def load(layer_list: list[Layer], progress: Progress | None = None, use_cache: bool = True,
         store: Path | None = None) -> Catalog:
    """Read every layer and merge its records: a later layer replaces a record with the same id.

    `store` is a store compiled elsewhere (HRFIND_STORE, on a kiosk) to answer from as it is.
    """
    found, parts, settled = _parts(layer_list)
    have = db.features()
    stamp = tag(have)
    if store is not None:
        return Catalog(_given(store, stamp, have), found, CacheUse(store, "given"))
    # Each layer, each file's key, what discovery reported, and (in the stamp) the version of hrfind.
    # Paths as bytes: a name need not be valid UTF-8.
    identity = [(layer.name, os.fsencode(layer.path), os.fsencode(os.path.abspath(layer.path)), layer.offers_only) for layer in layer_list]
    key = msgspec.msgpack.encode([stamp, identity, [(p.exists, [text_of(str(x)) for x in p.problems], [(os.fsencode(f.path), f.key) for f in p.files])
                                                    for p in parts]])
    today = datetime.date.today()
    if len(layer_list) == 1 and layer_list[0].name == BUNDLED and not layer_list[0].offers_only:
        packaged = _packaged(have)
        if packaged is not None:
            loaded = Catalog(packaged, found, CacheUse(PACKAGED, "packaged", "the bundled data, compiled when hrfind was built"))
            loaded.counts = {text_of(layer.path): counts for layer in found for counts in loaded.counts.values()}
            return loaded
    if not use_cache:
        return Catalog(_in_memory(have, parts, key, today, progress, None), found)
    root = files.folder()
    path = root / f"{zlib.crc32(repr((stamp, identity)).encode('utf-8', 'surrogateescape')):08x}.sqlite"
    current = _open(path, have)
    old = None
    if current is not None:
        try:
            if current.current(key, today):
                return Catalog(current, found, CacheUse(root, "fresh"))
            old = str(path)  # its unchanged files are copied rather than read again
        except StoreDamaged:
            pass
        current.connection.close()
    if not settled:
        note = "a data file changed in the last few seconds; it is cached once it has settled"
    elif not files.ready(root):
        note = f"cannot write to {root}"
    else:
        saved = _save(path, have, parts, key, today, progress, old)
        if saved is not None:
            files.prune(root, KEEP_STORES, path.name, ".sqlite")
            return Catalog(saved, found, CacheUse(root, "rebuilt"))
        note = f"cannot write to {root}"
    return Catalog(_in_memory(have, parts, key, today, progress, old), found, CacheUse(root, "unsaved", note))


def _packaged_key(have: frozenset[str]) -> bytes:
    return msgspec.msgpack.encode([tag(have), "packaged"])


def compile_packaged(data: Path, out: Path, places: Path | None = None) -> list[Problem]:
    """Compile the bundled data (and places) into `out` as the wheel carries it; its problems (there should be none)."""
    layer = Layer(BUNDLED, data, places=places)
    problems: list[Problem] = []
    found = discover(data, problems) + ((places,) if places else ())
    # No file keys: a store the package carries is trusted as it is, and the same sources make the same bytes.
    part = Part(BUNDLED, True, False, problems, [File(p, layer.origin(p), None, 0) for p in found])
    out.unlink(missing_ok=True)
    connection = sqlite3.connect(out)
    try:
        from hrfind.store import build

        build.compile_into(connection, db.features(), [part], _packaged_key(db.features()), datetime.date.today(), read_file)
        # Each file's segment keyed by its contents: a compile with data of your own copies the bundled files
        # from here rather than reading them, unless they were changed since.
        connection.executemany("UPDATE segment SET key = ? WHERE origin = ?", [(build.digest(f.path), f.origin) for f in part.files])
        # And its rows by a fingerprint, checked when they are copied: this file is trusted, but not blindly.
        fingerprints = {origin: build.fingerprint(connection, segment) for segment, origin in connection.execute("SELECT id, origin FROM segment")}
        connection.execute("INSERT INTO meta VALUES ('fingerprints', ?)", (db.seal(msgspec.msgpack.encode(fingerprints)),))
        connection.commit()
        return db.Store(connection, db.features()).meta("problems")
    finally:
        connection.close()


def _sources(old: str | None) -> list[tuple[str | None, tuple[Path, bytes] | None]]:
    """The stores to copy unchanged files from, most first: when one is damaged, the next try leaves it out."""
    own = (PACKAGED, _packaged_key(db.features())) if PACKAGED.is_file() else None
    return list(dict.fromkeys([(old, own), (old, None), (None, own), (None, None)]))


def _packaged(have: frozenset[str]) -> db.Store | None:
    """The store the wheel carries, if there is one made by this version with these SQLite features."""
    if not PACKAGED.is_file():
        return None
    try:
        store = db.Store(db.open_read_only(PACKAGED, immutable=True), have)
        if store.meta("key") == _packaged_key(have):
            return store
        store.connection.close()
    except (sqlite3.Error, StoreDamaged):
        pass
    return None


def _given(path: Path, stamp: str, have: frozenset[str]) -> db.Store:
    """A store named by HRFIND_STORE, opened read-only; UsageError unless this hrfind made it."""
    hint = "Compile it again with this version of hrfind (see the README), or unset HRFIND_STORE."
    if not path.is_file():
        raise UsageError(f"HRFIND_STORE names {path}, which is not a file. {hint}")
    try:
        store = db.Store(db.open_read_only(path, immutable=True), have)
        made = msgspec.msgpack.decode(store.meta("key") or b"")[0]
    except (sqlite3.Error, StoreDamaged, msgspec.DecodeError, IndexError, KeyError, TypeError):
        raise UsageError(f"HRFIND_STORE names {path}, which is not a store hrfind can read. {hint}") from None
    if made != stamp:
        raise UsageError(f"HRFIND_STORE names {path}, a store made by another version of hrfind. {hint}")
    return store


def _open(path: Path, have: frozenset[str]) -> db.Store | None:
    """The store at `path`, read-only, if it is the user's own and readable; None otherwise."""
    if not files.trusted(path):
        return None
    try:
        return db.Store(db.open_read_only(path), have)
    except sqlite3.Error:
        return None


def _save(path: Path, have: frozenset[str], parts: list[Part], key: bytes, today: datetime.date,
          progress: Progress | None, old: str | None) -> db.Store | None:
    """Update the store at `path` in place, or compile a new file that replaces it whole; the store opened read-only,
    or None if it could not be written."""
    from urllib.parse import quote

    if old is not None and _update(path, parts, key, today):
        return _open(path, have)
    for source, packaged in _sources(old):
        try:
            with files.new_file(path) as temp:
                connection = sqlite3.connect(f"file:{quote(str(temp))}", uri=True)
                try:
                    from hrfind.store import build

                    build.compile_into(connection, have, parts, key, today, read_file, progress, source, packaged=packaged)
                finally:
                    connection.close()
        except (sqlite3.Error, StoreDamaged):
            continue  # a damaged earlier store to copy from, or a full disk: try without it
        except OSError:
            return None
        return _open(path, have)
    return None


def _update(path: Path, parts: list[Part], key: bytes, today: datetime.date) -> bool:
    """Update the store at `path` in place for one edited file; False when only a full compile will do."""
    from urllib.parse import quote

    try:
        connection = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=UPDATE_WAIT)
        try:
            from hrfind.store import update

            return update.update_into(connection, parts, key, today, read_file)
        finally:
            connection.close()
    except (sqlite3.Error, StoreDamaged, OSError):
        return False  # locked too long, damaged or unreadable: compiled afresh into a new file


def _in_memory(have: frozenset[str], parts: list[Part], key: bytes, today: datetime.date,
               progress: Progress | None, old: str | None) -> db.Store:
    """A store that lives as long as this process: when the cache cannot be used."""
    for source, packaged in _sources(old):
        connection = sqlite3.connect("file::memory:", uri=True, check_same_thread=False)
        try:
            from hrfind.store import build

            build.compile_into(connection, have, parts, key, today, read_file, progress, source, packaged=packaged)
        except (sqlite3.Error, StoreDamaged):
            if source is None and packaged is None:
                raise
            connection.close()
            continue
        return db.Store(connection, have)
    raise AssertionError("unreachable")
