"""The compiled cache: data files are parsed and validated once, then read back in milliseconds.

It lives in `platformdirs.user_cache_dir("hrfind")` and holds three kinds of file:

- `files/*.bin`, one for each data folder or file: the validated records and the problems of each
  of its TOML files, keyed by the file's path, size, modification time and inode. A set of layers
  that shares a folder with another reuses it, and a changed file is the only one read again.
- `sets/KEY.bin`, one for each set of layers in use: the merged catalog, its records stored one
  by one so that a command decodes only the ones it reads. KEY covers every file's key, the
  folders read and the hrfind version, so any change to the data makes a new KEY.
- `sets/KEY.NAME.bin`: what commands derive from that catalog, such as the search index.
- `tables/NAME.bin`: tables that depend on no catalog, such as the compact ZIP table, each keyed by
  what it was made from (the version of the package it comes from).

Every file starts with a tag and a checksum of the rest. A file that is missing, damaged, from
another version or of a different shape is a miss, and the caller compiles from the data again;
a folder that cannot be written (a read-only home) means no cache, never an error. Files are
written through `hrfind.atomic`, so an interrupted run leaves the old file or none.

Trust: the cache is a convenience, never an authority. The checksum finds damage, not intent: a
person who can write the folder can change answers, so only files that are regular, not links,
and owned by the user running hrfind are read, in folders that are the user's own; folders are
made 0700 and files 0600, since they hold copies of private data. `hrfind overdose` never reads it.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
import zlib
from array import array
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from hrfind import __version__
from hrfind.model import Address, Hours, Offer, Principle, Service, Source, Strategy

T = TypeVar("T")
FORMAT = 1  # bump when the layout of a cache file changes
MAGIC = b"hrfind-cache\x00"
KEEP_SETS = 4  # catalogs kept for different sets of layers; each can be as large as its data
KEEP_FILES = 16
# A file changed this recently may change again within the same timestamp tick (FAT and HFS+
# keep whole seconds), so it is compiled but not cached until it has been left alone.
RACY_NS = 2_000_000_000


def _tag() -> str:
    """What a cache file must have been written by: this format, version, byte order and record shapes."""
    shapes = repr([(t.__name__, t.__annotations__) for t in (Principle, Strategy, Service, Offer, Source, Address, Hours)])
    return f"{FORMAT}/{__version__}/{sys.byteorder}/{shapes}"


TAG = _tag()


def name(*parts: object) -> str:
    """A short file name for what a cache file is about."""
    # Two keys may share a name: each file holds its full key too, so sharing costs a rebuild, never a wrong answer.
    return f"{zlib.crc32(repr((TAG, parts)).encode('utf-8', 'surrogateescape')):08x}"


def folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("hrfind"))


def file_key(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What changes when a data file does."""
    # Size and modification time; the inode, for editors that write a new file and rename it; the
    # change time, for permissions, so that a file once unreadable is read again once it can be.
    return stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns


def settled(stat: os.stat_result) -> bool:
    """Whether a file was last changed long enough ago (or, clock skew, ahead) for its key to be trusted."""
    return abs(time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns)) > RACY_NS


class Entry(msgspec.Struct, array_like=True):
    """One data file as compiled: its key, its valid records by kind in file order, its problems."""

    path: str
    origin: str
    key: tuple[int, int, int, int]
    checked: datetime.date | None  # set when it has problems: "in the future" depends on the day
    kinds: list[str]  # the kind of each record, in file order
    principles: list[Principle]
    strategies: list[Strategy]
    services: list[Service]
    offers: list[Offer]
    problems: msgspec.Raw  # a list of check.Problem


class Layer(msgspec.Struct, array_like=True):
    tag: str
    identity: str  # the folder or file, as it was given and in full
    entries: list[Entry]


class Stored(msgspec.Struct, array_like=True):
    """The records of one kind, each encoded on its own, end to end."""

    count: int
    ids: msgspec.Raw  # list[str], decoded on first use
    offsets: memoryview  # array('Q') of count + 1: record i is records[offsets[i]:offsets[i + 1]]
    records: memoryview


class Snapshot(msgspec.Struct, array_like=True):
    """A merged catalog as the cache keeps it."""

    key: bytes  # everything the catalog was made from (see catalog.load); compared whole
    stamp: str  # new for every snapshot written, so that derived data knows which one it belongs to
    checked: datetime.date | None  # as for Entry: a catalog with problems holds only for that day
    counts: dict[str, dict[str, int]]
    overrides: list[tuple[str, str, str, str]]  # id, kind, replaced, by
    problem_count: int
    problems: msgspec.Raw  # a list of check.Problem
    tables: dict[str, Stored]


class Derived(msgspec.Struct, array_like=True):
    stamp: str
    value: msgspec.Raw


def _owner() -> int | None:
    """The user whose files the cache may hold; None where the system has no such notion (Windows)."""
    return os.geteuid() if hasattr(os, "geteuid") else None


def _read(path: Path) -> memoryview | None:
    """A cache file's payload if it is whole and ours; None for anything else."""
    from hrfind.files import read_regular

    try:
        # A link, a FIFO, a device or another user's file is never opened (a FIFO would hang every run).
        data = read_regular(path, owner=_owner(), follow=False)
    except OSError:
        return None
    head = len(MAGIC) + 4
    if data[:len(MAGIC)] != MAGIC or int.from_bytes(data[len(MAGIC):head], "little") != zlib.adler32(memoryview(data)[head:]):
        return None
    return memoryview(data)[head:]


def _private(folder: Path) -> None:
    """Make a cache folder 0700, or make an existing one so; PermissionError for one that is not the user's own."""
    import stat

    folder.mkdir(mode=0o700, exist_ok=True)
    info = os.lstat(folder)
    owner = _owner()
    if not stat.S_ISDIR(info.st_mode) or (owner is not None and info.st_uid != owner):
        raise PermissionError(f"{folder} is not a folder of your own")
    if owner is not None and info.st_mode & 0o077:
        os.chmod(folder, 0o700)


def _write(root: Path, path: Path, payload: bytes) -> bool:
    """Replace a cache file atomically, readable by its user alone; False when the folder cannot be written."""
    from hrfind.atomic import replacing

    try:
        root.parent.mkdir(parents=True, exist_ok=True)  # ~/.cache: made as any program would make it
        _private(root)
        _private(path.parent)
        with replacing(path, permissions=0o600) as file:
            file.write(MAGIC + zlib.adler32(payload).to_bytes(4, "little"))
            file.write(payload)
    except OSError:
        return False
    return True


def _decode(data: memoryview | None, kind: Any) -> Any:
    if data is None:
        return None
    try:
        return msgspec.msgpack.decode(data, type=kind)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def _prune(where: Path, keep: int, exempt: str) -> None:
    """Remove the oldest files beyond `keep` (a set counts with its derived files), never `exempt`'s."""
    try:
        files = [(entry.stat().st_mtime_ns, entry.name, entry.path) for entry in os.scandir(where) if entry.is_file()]
    except OSError:
        return
    groups: dict[str, int] = {}
    for mtime, name, _ in files:
        if not name.startswith("."):  # dot files are the temporary files of writes
            group = name.split(".", 1)[0]
            groups[group] = max(groups.get(group, 0), mtime)
    old = {group for group, _ in sorted(groups.items(), key=lambda item: item[1], reverse=True)[keep:]} - {exempt}
    abandoned = time.time_ns() - 3600 * 10**9  # a write killed outright (SIGKILL) an hour ago or more
    for mtime, name, path in files:
        if name.split(".", 1)[0] in old or (name.startswith(".") and mtime < abandoned):
            try:
                os.unlink(path)
            except OSError:
                pass


class Store:
    """A cache folder. Reading it never fails (a bad file is a miss); writing it fails quietly."""

    def __init__(self, root: Path):
        self.root = root
        self.unwritable: str | None = None  # why the last write failed

    def _saved(self, path: Path, payload: bytes) -> bool:
        if _write(self.root, path, payload):
            return True
        self.unwritable = f"cannot write to {self.root}"
        return False

    def layer(self, name: str, identity: str) -> dict[str, Entry]:
        """The compiled files of a data folder or file, by path."""
        stored = _decode(_read(self.root / "files" / f"{name}.bin"), Layer)
        if stored is None or stored.tag != TAG or stored.identity != identity:
            return {}
        return {entry.path: entry for entry in stored.entries}

    def save_layer(self, name: str, identity: str, entries: list[Entry]) -> None:
        if self._saved(self.root / "files" / f"{name}.bin", msgspec.msgpack.encode(Layer(TAG, identity, entries))):
            _prune(self.root / "files", KEEP_FILES, name)

    def snapshot(self, name: str, key: bytes) -> Snapshot | None:
        stored = _decode(_read(self.root / "sets" / f"{name}.bin"), Snapshot)
        return stored if stored is not None and stored.key == key else None

    def save_snapshot(self, name: str, snapshot: Snapshot) -> bool:
        saved = self._saved(self.root / "sets" / f"{name}.bin", msgspec.msgpack.encode(snapshot))
        if saved:
            _prune(self.root / "sets", KEEP_SETS, name)
        return saved

    def derived(self, name: str, stamp: str, what: str, kind: type[T], build: Callable[[], T]) -> T:
        """Something computed from the snapshot `name` stamped `stamp`: read back, or built and kept."""
        return self._kept(self.root / "sets" / f"{name}.{what}.bin", stamp, kind, build)

    def table(self, what: str, key: str, kind: type[T], build: Callable[[], T]) -> T:
        """Something that depends on `key` alone, not on any catalog (the ZIP table, keyed by the version
        of the package it comes from): read back from `tables/WHAT.bin`, or built and kept there."""
        return self._kept(self.root / "tables" / f"{what}.bin", f"{TAG}/{key}", kind, build)

    def _kept(self, path: Path, stamp: str, kind: type[T], build: Callable[[], T]) -> T:
        stored = _decode(_read(path), Derived)
        if stored is not None and stored.stamp == stamp:
            found = _decode(memoryview(stored.value), kind)
            if found is not None:
                return found
        value = build()
        self._saved(path, msgspec.msgpack.encode(Derived(stamp, msgspec.Raw(msgspec.msgpack.encode(value)))))
        return value


def store_records(records: list[Any]) -> Stored:
    """Records of one kind, encoded one by one so that each can be read alone."""
    encoder = msgspec.msgpack.Encoder()
    offsets = array("Q", [0])
    blob = bytearray()
    for record in records:
        encoder.encode_into(record, blob, -1)
        offsets.append(len(blob))
    return Stored(len(records), msgspec.Raw(msgspec.msgpack.encode([r.id for r in records])), memoryview(offsets), memoryview(blob))


class Table(Mapping[str, Any]):
    """Records of one kind read from the cache, by id; each is decoded the first time it is read."""

    def __init__(self, stored: Stored, record_type: type):
        self._stored = stored
        self._type = record_type
        self._decoder: msgspec.msgpack.Decoder | None = None  # made on first use: a table no command reads costs nothing
        self._offsets = memoryview(stored.offsets).cast("B").cast("Q")
        self._ids: list[str] | None = None
        self._where: dict[str, int] | None = None
        self._read: dict[int, Any] = {}

    def ids(self) -> list[str]:
        if self._ids is None:
            self._ids = msgspec.msgpack.decode(self._stored.ids, type=list[str])
        return self._ids

    def at(self, position: int) -> Any:
        """The record at a position, in the catalog's order."""
        record = self._read.get(position)
        if record is None:
            if self._decoder is None:
                self._decoder = msgspec.msgpack.Decoder(self._type)
            start, end = self._offsets[position], self._offsets[position + 1]
            record = self._read[position] = self._decoder.decode(self._stored.records[start:end])
        return record

    def _positions(self) -> dict[str, int]:
        if self._where is None:
            self._where = {record_id: n for n, record_id in enumerate(self.ids())}
        return self._where

    def __getitem__(self, record_id: str) -> Any:
        return self.at(self._positions()[record_id])

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._positions()

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids())

    def __len__(self) -> int:
        return self._stored.count

    def values(self) -> list[Any]:  # type: ignore[override]  # by position: no need for the ids
        return [self.at(n) for n in range(len(self))]
