"""Read an HSDS export (a folder of CSVs, a datapackage.json, or a .zip of either) into plain rows.

A row maps normalised column names to stripped text. Table names are folded onto one spelling, so
HSDS 1.1, 2.0, 3.0 and Ohana files meet the same code. The rows are read a line at a time into a
private temporary SQLite database (SQLite deletes its file as it opens it, so nothing is left
behind, not even after Ctrl-C), indexed by the columns that link the tables, so an export of any
size is read in about the same memory.
"""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import io
import itertools
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO, TextIO

from hrfind.errors import DataError, OutputError, UsageError
from hrfind.output import csv_uncell

Row = dict[str, str]

# Singular, plural and versioned spellings of the same table. "taxonomy" (HSDS 1.1 and Ohana: the
# terms) and "taxonomies" (HSDS 3.0: the taxonomies themselves) really are different tables.
TABLE_NAMES = {
    "organization": "organizations",
    "service": "services",
    "location": "locations",
    "services_at_location": "service_at_location",
    "service_at_locations": "service_at_location",
    "services_at_locations": "service_at_location",
    "address": "addresses",
    "physical_address": "physical_addresses",
    "postal_address": "postal_addresses",
    "mail_address": "mail_addresses",
    "phone": "phones",
    "schedule": "schedules",
    "regular_schedule": "regular_schedules",
    "holiday_schedule": "holiday_schedules",
    "language": "languages",
    "service_taxonomy": "services_taxonomy",
    "service_taxonomies": "services_taxonomy",
    "services_taxonomies": "services_taxonomy",
    "taxonomy_term": "taxonomy_terms",
    "attribute": "attributes",
    "service_attribute": "service_attributes",
    "eligibilities": "eligibility",
    "service_area": "service_areas",
    "cost_option": "cost_options",
    "contact": "contacts",
    "program": "programs",
}
FORMATS = {"hsds-1.1": "HSDS 1.1", "hsds-2.0": "HSDS 2.0", "hsds-3.0": "HSDS 3.0", "ohana": "Ohana API CSV"}
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_SPACE = re.compile(r"\s+")
DATA_FOLDER = "data"  # where 211 exports keep the CSV files beside their datapackage.json


# The columns that link one table to another: each is a column of the database, indexed.
KEYS = ("id", "service_id", "location_id", "organization_id", "service_at_location_id", "resource_id", "link_id", "taxonomy_id")
_SCHEMA = f"""
CREATE TABLE row (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, file INTEGER NOT NULL, digest BLOB NOT NULL,
                  body BLOB NOT NULL, {", ".join(f"{key} TEXT" for key in KEYS)});
CREATE UNIQUE INDEX row_file_digest ON row (file, digest);
CREATE TABLE want (tbl TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL);
"""
# Made once the rows are in, which is faster than keeping them up to date. An empty key is NULL, so
# that `key IS NULL` means what `not row.get(key)` means, and a lookup never finds it.
_INDEXES = ["CREATE INDEX row_tbl ON row (tbl)"] + [
    f"CREATE INDEX row_{key} ON row (tbl, {key}) WHERE {key} IS NOT NULL" for key in KEYS]


def _codec():
    import msgspec

    return msgspec.json.Encoder(), msgspec.json.Decoder(dict[str, str])


class Rows:
    """The rows of one table in the export's order, read from the database as they are iterated."""

    def __init__(self, export: Export, name: str) -> None:
        self.export, self.name = export, name

    def __iter__(self) -> Iterator[Row]:
        decode = self.export.decode
        for (body,) in self.export.db.execute("SELECT body FROM row WHERE tbl = ? ORDER BY seq", (self.name,)):
            yield decode(body)

    def __len__(self) -> int:
        return self.export.db.execute("SELECT count(*) FROM row WHERE tbl = ?", (self.name,)).fetchone()[0]


@dataclasses.dataclass
class Export:
    """The tables of one export, what it is, and where it came from; close() drops the rows."""

    db: sqlite3.Connection  # the rows, in a private temporary database
    tables: set[str]  # the names of the tables the export has
    format: str  # a key of FORMATS
    name: str  # the data package's name, else the file or folder name
    duplicates: dict[str, int] = dataclasses.field(default_factory=dict)  # table -> identical rows dropped
    columns: dict[str, set[str]] = dataclasses.field(default_factory=dict)  # table -> its header's columns
    layout: str = ""  # where the tables were found, for the report
    decode: Callable[[bytes], Row] = dataclasses.field(default_factory=lambda: _codec()[1].decode, repr=False)
    # (table, KEYS column, value) -> the (seq, row) of its group, in order: what `prefetch` read last.
    fetched: dict[tuple[str, str, str], list[tuple[int, Row]]] = dataclasses.field(default_factory=dict, repr=False)

    def rows(self, name: str) -> Rows:
        """The rows of a table; none when the export does not have it."""
        return Rows(self, name)

    def group(self, name: str, key: str, value: str | None, where: str = "", limit: int = -1) -> list[Row]:
        """The rows of a table whose `key` column is `value`, in order; none for an empty value.

        `where` adds conditions on the KEYS columns (an empty one is NULL).
        """
        if not value or name not in self.tables:
            return []
        if not where and (cached := self.fetched.get((name, key, value))) is not None:
            return [row for _, row in cached[:limit if limit >= 0 else None]]
        sql = f"SELECT body FROM row WHERE tbl = :tbl AND {key} = :value {'AND ' + where if where else ''} ORDER BY seq LIMIT :limit"
        return [self.decode(body) for (body,) in self.db.execute(sql, {"tbl": name, "value": value, "limit": limit})]

    def prefetch(self, lookups: Iterable[tuple[str, str, str | None]]) -> None:
        """Read the groups of rows that `group` will be asked for, (table, KEYS column, value) each, in one query a column.

        They replace those read before, so memory holds only the groups of the services being made; a group
        not asked for here is still read when it is wanted.
        """
        wanted = {(name, key, value) for name, key, value in lookups if value and name in self.tables}
        fetched: dict[tuple[str, str, str], list[tuple[int, Row]]] = {lookup: [] for lookup in wanted}
        self.db.execute("DELETE FROM want")
        self.db.executemany("INSERT INTO want VALUES (?, ?, ?)", wanted)
        decode = self.decode
        for key in {key for _, key, _ in wanted}:
            sql = f"SELECT w.tbl, w.value, r.seq, r.body FROM want w JOIN row r ON r.tbl = w.tbl AND r.{key} = w.value WHERE w.key = ?"
            for name, value, seq, body in self.db.execute(sql, (key,)):
                fetched[(name, key, value)].append((seq, decode(body)))
        for rows in fetched.values():
            rows.sort(key=lambda r: r[0])
        self.fetched = fetched

    def linked_to(self, name: str, links: dict[str, str]) -> list[Row]:
        """The rows of a table whose column is the value for any of `links` (KEYS columns: values), in order."""
        if not links or name not in self.tables:
            return []
        groups = [self.fetched.get((name, key, value)) for key, value in links.items()]
        if all(group is not None for group in groups):
            return [row for _, row in sorted({seq: row for group in groups for seq, row in group}.items(), key=lambda r: r[0])]
        # Each (table, key) pair on its own side of OR, so that SQLite looks each up in its index.
        sql = f"SELECT body FROM row WHERE {' OR '.join(f'(tbl = :tbl AND {key} = :{key})' for key in links)} ORDER BY seq"
        return [self.decode(body) for (body,) in self.db.execute(sql, {**links, "tbl": name})]

    def first(self, name: str, key: str, value: str | None) -> Row | None:
        """The first row of a table whose `key` column is `value`, or None."""
        return next(iter(self.group(name, key, value, limit=1)), None)

    def linked(self, name: str, key: str) -> bool:
        """Whether any row of a table has a value in its `key` column."""
        return self.db.execute(f"SELECT 1 FROM row WHERE tbl = ? AND {key} IS NOT NULL LIMIT 1", (name,)).fetchone() is not None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Export:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def column(name: str) -> str:
    """A header as code expects it: lowercase words joined by underscores, BOM and spaces gone."""
    return _NOT_WORD.sub("_", name.replace("\ufeff", "").strip().lower()).strip("_")


def table_name(file_name: str) -> str:
    stem = column(PurePosixPath(file_name).stem)
    return TABLE_NAMES.get(stem, stem)


def _encodings(head: bytes) -> list[tuple[str, str]]:
    """(encoding, errors) to try in turn on a file that starts with `head`: UTF-16 with a byte-order mark, else
    UTF-8 (with or without one), Windows-1252 (spreadsheets on Windows save it), Latin-1 (never fails)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return [("utf-16", "replace")]  # a truncated last character must not lose the file
    return [("utf-8-sig", "strict"), ("cp1252", "strict"), ("latin-1", "strict")]


def decode(data: bytes) -> str:
    """Bytes as text, in the first of their _encodings that reads them."""
    for encoding, errors in _encodings(data[:2]):
        try:
            return data.decode(encoding, errors)
        except UnicodeDecodeError:
            pass
    raise AssertionError("Latin-1 decodes any bytes")


def parse_csv(text: TextIO) -> tuple[list[str], Iterator[Row]]:
    """The normalised header and the rows as they are read, with stripped values; blank rows and extra cells dropped.

    `text` is open with newline="", so that line breaks inside quoted values stay as they are.
    """
    import csv
    import sys

    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long descriptions are normal in directories
    head = text.read(4096)
    first = head.split("\n", 1)[0]
    # Some exports use semicolons or tabs; a header with none of the usual commas tells.
    delimiter = "," if "," in first else ";" if ";" in first else "\t" if "\t" in first else ","
    # The head and the rest of its last line, split into lines as the file is; then the file's own lines.
    lines = itertools.chain(io.StringIO(head + text.readline(), newline=""), text)
    reader = csv.reader(lines, delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return [], iter(())
    names = [column(h) for h in header]

    def rows() -> Iterator[Row]:
        for cells in reader:
            row = {name: _clean(cell) for name, cell in zip(names, cells) if name}
            if any(row.values()):
                yield row

    return names, rows()


def _clean(cell: str) -> str:
    """A cell without surrounding spaces (non-breaking ones too), stray NUL bytes, or the quote that kept it from being a formula."""
    return csv_uncell(cell.replace("\x00", "").strip(" \t\r\n\u00a0\ufeff"))


def read_export(source: Path, limits: ZipLimits | None = None) -> Export:
    """Every CSV table of an export, whichever form it comes in; a zip inflates within `limits`."""
    if not source.exists():
        raise UsageError(f"No file or folder at {source}. Give a folder of HSDS CSV files, a datapackage.json or a .zip.")
    if source.is_dir():
        files, name = _folder_files(source), source.name
    elif source.suffix.lower() == ".zip":
        files, name = _zip_files(source, limits or ZipLimits.raised()), source.stem
    elif source.suffix.lower() in (".json", ".csv"):
        files, name = _folder_files(source.parent), source.parent.name
    else:
        raise UsageError(f"{source} is not a folder, a datapackage.json or a .zip. Give the HSDS export in one of those forms.")
    return _assemble(files, name, source)


def _folder_files(folder: Path) -> dict:
    """Readers by relative path for the export in a folder (and its data/ folder), or in its one subfolder when it has none."""
    root = folder.resolve()
    files = {p.name: _reader(p, root) for p in sorted(folder.iterdir()) if p.is_file() and _wanted(p.name)}
    data = folder / DATA_FOLDER
    if data.is_dir():  # a 211 package: datapackage.json at the top, the tables in data/
        files.update({f"{DATA_FOLDER}/{p.name}": _reader(p, root) for p in sorted(data.iterdir()) if p.is_file() and _wanted(p.name)})
    if not files:  # a zip unpacked into a folder often holds one folder
        subfolders = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))]
        return _folder_files(subfolders[0]) if len(subfolders) == 1 else files
    if "datapackage.json" in files:  # its resources may sit in other subfolders
        for path in _resource_paths(_package(files, folder)):
            if path not in files and _wanted(path) and (folder / path).is_file():
                files[path] = _reader(folder / path, root)
    return files


@dataclasses.dataclass(frozen=True)
class _File:
    """A file of an export in a folder, opened to be read a line at a time, or read whole."""

    path: Path

    def open(self) -> BinaryIO:
        from hrfind.files import open_regular

        return open_regular(self.path)

    def read(self) -> bytes:
        from hrfind.files import read_regular

        return read_regular(self.path)


def _reader(path: Path, root: Path) -> _File:
    """A file of the export; DataError when it resolves (through links) outside the export's folder."""
    if not path.resolve().is_relative_to(root):
        raise DataError(f"{path.relative_to(root) if path.is_relative_to(root) else path} in {root} links outside the export; "
                        "hrfind reads only files inside it. Copy the file into the export instead.")
    return _File(path)


# What a zip may inflate to by default (import's --max-unzipped raises both sizes).
MAX_MEMBER = 256 * 2**20
MAX_TOTAL = 2**30
MAX_RATIO = 100  # real CSV files shrink 5 to 20 times; a bomb a thousand times
RATIO_FROM = 2**20  # small files may be all blanks: the ratio counts once a member passes this size


@dataclasses.dataclass(frozen=True)
class ZipLimits:
    """How far a zip may inflate: each member, all of them, and each member's ratio to its compressed size."""

    member: int
    total: int
    ratio: int = MAX_RATIO

    @classmethod
    def raised(cls, size: int | None = None) -> ZipLimits:
        """The default limits, with both size caps raised to `size` when it is larger."""
        return cls(max(size or 0, MAX_MEMBER), max(size or 0, MAX_TOTAL))


CHUNK = 2**20
_READABLE = frozenset({0, 8, 12, 14})  # stored, deflate, bzip2, lzma: what Python's zipfile can inflate
_METHODS = {9: "Deflate64", 99: "AES encryption", 6: "Implode", 98: "PPMd", 93: "Zstandard"}


def _zip_files(path: Path, limits: ZipLimits) -> dict:
    """Members by path inside the zip, relative to the folder that holds the export."""
    import zipfile

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise DataError(f"{path} is not a readable zip file ({error}). Check the download, or unpack it and give the folder.") from error
    members = {m.filename: m for m in archive.infolist() if not m.is_dir() and _wanted(m.filename)}
    if not members:
        return {}
    # A package zipped inside its folder: the export starts where datapackage.json is, else at the shallowest CSV.
    top = min(members, key=lambda n: (PurePosixPath(n).name != "datapackage.json", len(PurePosixPath(n).parts)))
    root = PurePosixPath(top).parent
    inflated: dict[str, int] = {}  # bytes inflated by each member read so far (a member read again counts once)

    def reader(member: zipfile.ZipInfo) -> _Entry:
        return _Entry(lambda: io.BufferedReader(_Member(archive, member, path, limits, inflated), CHUNK))

    return {PurePosixPath(n).relative_to(root).as_posix(): reader(m)
            for n, m in members.items() if root == PurePosixPath(".") or root in PurePosixPath(n).parents}


_UNZIP = "unzip it with another tool and give the folder"


@dataclasses.dataclass(frozen=True)
class _Entry:
    """A member of a zip, opened to be read a line at a time, or read whole."""

    open: Callable[[], BinaryIO]

    def read(self) -> bytes:
        with self.open() as file:
            return file.read()


class _Member(io.RawIOBase):
    """One member of a zip as it inflates, refused by name (exit 3) when it cannot be read or inflates past the limits."""

    def __init__(self, archive, member, path: Path, limits: ZipLimits, inflated: dict[str, int]) -> None:
        super().__init__()
        name = member.filename
        if member.flag_bits & 0x1:
            raise DataError(f"{name} in {path} is encrypted, and hrfind reads no encrypted zips. Unzip it with its password and give the folder.")
        if member.compress_type not in _READABLE:
            method = _METHODS.get(member.compress_type, f"method {member.compress_type}")
            raise DataError(f"{name} in {path} is compressed with {method}, which hrfind cannot read. {_UNZIP.capitalize()}.")
        self.member, self.path, self.limits, self.inflated, self.size = member, path, limits, inflated, 0
        self.stream = self._reading(lambda: archive.open(member))

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._reading(lambda: self.stream.read(len(buffer)))
        self.size += len(chunk)
        name = self.member.filename
        self.inflated[name] = max(self.inflated.get(name, 0), self.size)
        _within(self.limits, name, self.path, self.size, sum(self.inflated.values()), self.member.compress_size)
        buffer[:len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        if not self.closed and hasattr(self, "stream"):
            self.stream.close()
        super().close()

    def _reading(self, read):
        import zipfile
        import zlib

        try:
            return read()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as error:
            raise DataError(f"Cannot read {self.member.filename} in {self.path} ({error}). Check the download, or {_UNZIP}.") from error


def _within(limits: ZipLimits, name: str, path: Path, size: int, total: int, compressed: int) -> None:
    mib = 2**20
    what = None
    if size > limits.member:
        what = f"inflates to more than {limits.member // mib} MiB"
    elif total > limits.total:
        what = f"takes the export past {limits.total // mib} MiB unzipped"
    elif size > RATIO_FROM and size > limits.ratio * max(compressed, 1):
        what = f"inflates more than {limits.ratio} times its zipped size"
    if what:
        raise DataError(f"{name} in {path} {what}, so it was not read (a zip bomb?). If the export is real, "
                        "unzip it and give the folder, or raise the limit with --max-unzipped.")


def _wanted(relative: str) -> bool:
    parts = PurePosixPath(relative).parts
    hidden = any(p.startswith((".", "__MACOSX")) for p in parts)
    return not hidden and (relative.lower().endswith(".csv") or parts[-1] == "datapackage.json")


def _assemble(files: dict, name: str, source: Path) -> Export:
    """Tables from the files: those a datapackage.json lists, else the CSVs at the top (or in data/)."""
    package = _package(files, source)
    name = str(package.get("name") or name)
    csvs, layout = _locate(_resources(package), files)
    if not csvs:
        for folder, where in (("", "the CSV files at the top"), (f"{DATA_FOLDER}/", f"the CSV files in {DATA_FOLDER}/")):
            csvs = [(f, table_name(f)) for f in files if f.lower().endswith(".csv") and f.startswith(folder) and "/" not in f[len(folder):]]
            if csvs:
                layout = where
                break
    db = _database(source)
    duplicates: dict[str, int] = {}
    columns: dict[str, set[str]] = {}
    try:
        for number, (file, table) in enumerate(csvs):
            try:
                header, repeated = _load(db, files[file], number, table, source)
            except OSError as error:
                raise DataError(f"Cannot read {file} in {source} ({error.strerror or error}). Check its permissions.") from error
            if repeated:  # exports made by joins repeat rows
                duplicates[table] = duplicates.get(table, 0) + repeated
            columns.setdefault(table, set()).update(header)
        if "services" not in columns:
            raise DataError(f"No services table (services.csv) in {source}. Give the folder, datapackage.json or .zip of an HSDS or Ohana export.")
        with _space(source):
            for statement in _INDEXES:
                db.execute(statement)
            db.execute("COMMIT")
    except BaseException:
        db.close()
        raise
    return Export(db, set(columns), detect(set(columns), columns, package), name, duplicates, columns, layout)


def _database(source: Path) -> sqlite3.Connection:
    """A private temporary database: SQLite removes its file when the connection closes (on Unix, as it opens it)."""
    db = sqlite3.connect("", isolation_level=None)
    with _space(source):
        # 16 KiB pages: a quarter of the reads from the file that a pass over the rows (each index made, each batch fetched) costs.
        db.executescript("PRAGMA page_size = 16384; PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA cache_size = -16384;" + _SCHEMA)
        db.execute("BEGIN")
    return db


def _space(source: Path):
    """Turn the temporary database's own failures (a full disk) into an error that says where the space ran out."""
    import contextlib
    import tempfile

    @contextlib.contextmanager
    def guarded():
        try:
            yield
        except sqlite3.Error as error:
            raise OutputError(f"Cannot keep the rows of {source} in a temporary file in {tempfile.gettempdir()} ({error}). "
                              "Free some space there, or set TMPDIR to a folder with more.") from error

    return guarded()


def _load(db: sqlite3.Connection, file: _File | _Entry, number: int, table: str, source: Path) -> tuple[list[str], int]:
    """Insert the rows of one CSV file (file `number`) into the database: (its header, how many repeated rows were dropped)."""
    encode = _codec()[0].encode
    with file.open() as stream:
        encodings = _encodings(stream.peek(2)[:2])
    for encoding, errors in encodings:
        db.execute("SAVEPOINT file")
        try:
            with file.open() as stream, _space(source):
                header, rows = parse_csv(io.TextIOWrapper(stream, encoding=encoding, errors=errors, newline=""))
                read = inserted = 0
                for batch in iter(lambda: list(itertools.islice(rows, 1000)), []):
                    values = []
                    for row in batch:
                        body = encode(row)
                        values.append((table, number, hashlib.blake2b(body, digest_size=16).digest(), body,
                                       *(row.get(key) or None for key in KEYS)))
                    before = db.total_changes
                    db.executemany(f"INSERT OR IGNORE INTO row (tbl, file, digest, body, {', '.join(KEYS)}) "
                                   f"VALUES (?, ?, ?, ?{', ?' * len(KEYS)})", values)
                    read, inserted = read + len(batch), inserted + db.total_changes - before
        except UnicodeDecodeError:
            db.execute("ROLLBACK TO file")
            db.execute("RELEASE file")
            continue  # not this encoding: read the whole file again in the next
        db.execute("RELEASE file")
        return header, read - inserted
    raise AssertionError("Latin-1 decodes any bytes")


def _locate(resources: list[tuple[str, str]], files: dict) -> tuple[list[tuple[str, str]], str]:
    """(file, table) for each resource found, and how they were found.

    Each resource is looked for where the descriptor says, then in data/ (211 exports name the bare
    file although it sits there), then as any CSV of the export whose name is the resource's table.
    """
    found: dict[str, str] = {}
    ways: list[str] = []
    by_table = {}
    for file in files:
        if file.lower().endswith(".csv"):
            by_table.setdefault(table_name(file), file)
    for resource, path in resources:
        table = table_name(resource or path)
        for way, candidate in (("where datapackage.json says", path), (f"in {DATA_FOLDER}/", f"{DATA_FOLDER}/{path}"),
                               ("by table name", by_table.get(table))):
            if candidate in files and candidate.lower().endswith(".csv") and candidate not in found:
                found[candidate] = table_name(candidate) if way != "by table name" else table
                ways.append(way)
                break
    layout = " and ".join(dict.fromkeys(ways))
    return list(found.items()), f"the tables of datapackage.json, found {layout}" if ways else ""


def _package(files: dict, source: Path) -> dict:
    """The parsed datapackage.json, or {} when there is none."""
    if "datapackage.json" not in files:
        return {}
    try:
        package = json.loads(decode(files["datapackage.json"].read()))
    except OSError as error:
        raise DataError(f"Cannot read the datapackage.json of {source} ({error.strerror or error}). Check its permissions.") from error
    except RecursionError as error:
        raise DataError(f"The datapackage.json of {source} is nested too deeply to read. Fix it, or remove it to read the CSV files alone.") from error
    except ValueError as error:
        raise DataError(f"The datapackage.json of {source} is not valid JSON ({error}). Fix it, or remove it to read the CSV files alone.") from error
    return package if isinstance(package, dict) else {}


def _resources(package: dict) -> list[tuple[str, str]]:
    """(name, path) of each resource, every path checked to stay inside the export."""
    resources = package.get("resources") if isinstance(package.get("resources"), list) else []
    found = []
    for resource in resources:
        if isinstance(resource, dict) and isinstance(resource.get("path"), str):
            name = resource.get("name") if isinstance(resource.get("name"), str) else ""
            path = resource["path"]
            # A URL is never fetched: its file name is looked for in the export instead.
            found.append((name, PurePosixPath(path).name if "://" in path else inside(path)))
    return found


def _resource_paths(package: dict) -> list[str]:
    return [path for _, path in _resources(package)]


def inside(path: str) -> str:
    """A resource path relative to the export; DataError, naming it, for one that leads outside."""
    relative = path.replace("\\", "/")
    pure = PurePosixPath(relative)
    if pure.is_absolute() or re.match(r"[A-Za-z]:", relative) or ".." in pure.parts:
        raise DataError(f'datapackage.json names a resource outside the export ("{path}"). hrfind reads only files inside it; '
                        "fix the path, or remove datapackage.json to read the CSV files alone.")
    return pure.as_posix().removeprefix("./")


def detect(tables: set[str], columns: dict[str, set[str]], package: dict) -> str:
    """Which layout the export follows, from the package's version or else the tables and columns."""
    version = str(package.get("version", ""))
    for prefix, fmt in (("3", "hsds-3.0"), ("2", "hsds-2.0"), ("1", "hsds-1.1")):
        if version.startswith(prefix) and package.get("resources"):
            return fmt
    if "mail_addresses" in tables or ("location_id" in columns["services"] and "service_at_location" not in tables):
        return "ohana"
    if "addresses" in tables or "taxonomy_terms" in tables or "attributes" in tables:
        return "hsds-3.0"
    if {"freq", "byday"} & columns.get("schedules", set()):
        return "hsds-2.0"
    return "hsds-1.1"


def squash(text: str) -> str:
    """Runs of white space (line breaks too) as one space."""
    return _SPACE.sub(" ", text).strip()
