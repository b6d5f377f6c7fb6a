"""Read an HSDS export (a folder of CSVs, a datapackage.json, or a .zip of either) into plain rows.

Every table becomes a list of rows; a row maps normalised column names to stripped text. Table
names are folded onto one spelling, so HSDS 1.1, 2.0, 3.0 and Ohana files meet the same code.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path, PurePosixPath

from hrfind.errors import DataError, UsageError
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


@dataclasses.dataclass
class Export:
    """The tables of one export, what it is, and where it came from."""

    tables: dict[str, list[Row]]
    format: str  # a key of FORMATS
    name: str  # the data package's name, else the file or folder name
    duplicates: dict[str, int] = dataclasses.field(default_factory=dict)  # table -> identical rows dropped
    columns: dict[str, set[str]] = dataclasses.field(default_factory=dict)  # table -> its header's columns
    layout: str = ""  # where the tables were found, for the report

    def rows(self, name: str) -> list[Row]:
        """The rows of a table; none when the export does not have it."""
        return self.tables.get(name, [])


def column(name: str) -> str:
    """A header as code expects it: lowercase words joined by underscores, BOM and spaces gone."""
    return _NOT_WORD.sub("_", name.replace("\ufeff", "").strip().lower()).strip("_")


def table_name(file_name: str) -> str:
    stem = column(PurePosixPath(file_name).stem)
    return TABLE_NAMES.get(stem, stem)


def decode(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without a byte-order mark), UTF-16 with one, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")  # a truncated last character must not lose the file
    for encoding in ("utf-8-sig", "cp1252"):  # spreadsheets on Windows save cp1252
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")  # never fails: bytes that cp1252 leaves undefined


def parse_csv(text: str) -> tuple[list[str], list[Row]]:
    """The normalised header and the rows, with stripped values; blank rows and extra cells dropped."""
    import csv
    import sys

    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long descriptions are normal in directories
    first = text[:4096].split("\n", 1)[0]
    # Some exports use semicolons or tabs; a header with none of the usual commas tells.
    delimiter = "," if "," in first else ";" if ";" in first else "\t" if "\t" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return [], []
    names = [column(h) for h in header]
    rows: list[Row] = []
    for cells in reader:
        row = {name: _clean(cell) for name, cell in zip(names, cells) if name}
        if any(row.values()):
            rows.append(row)
    return names, rows


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


def _reader(path: Path, root: Path):
    """A reader for a file of the export; DataError when it resolves (through links) outside the export's folder."""
    if not path.resolve().is_relative_to(root):
        raise DataError(f"{path.relative_to(root) if path.is_relative_to(root) else path} in {root} links outside the export; "
                        "hrfind reads only files inside it. Copy the file into the export instead.")

    def read() -> bytes:
        from hrfind.files import read_regular

        return read_regular(path)

    return read


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
    """Readers by path inside the zip, relative to the folder that holds the export."""
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
    inflated = [0]  # by every member read so far

    def reader(member: zipfile.ZipInfo):
        return lambda: _inflate(archive, member, path, limits, inflated)

    return {PurePosixPath(n).relative_to(root).as_posix(): reader(m)
            for n, m in members.items() if root == PurePosixPath(".") or root in PurePosixPath(n).parents}


def _inflate(archive, member, path: Path, limits: ZipLimits, inflated: list[int]) -> bytes:
    """One member's bytes, refused by name (exit 3) when it cannot be read or inflates past the limits."""
    import zipfile
    import zlib

    name = member.filename
    unzip = "unzip it with another tool and give the folder"
    if member.flag_bits & 0x1:
        raise DataError(f"{name} in {path} is encrypted, and hrfind reads no encrypted zips. Unzip it with its password and give the folder.")
    if member.compress_type not in _READABLE:
        method = _METHODS.get(member.compress_type, f"method {member.compress_type}")
        raise DataError(f"{name} in {path} is compressed with {method}, which hrfind cannot read. {unzip.capitalize()}.")
    chunks, size = [], 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                inflated[0] += len(chunk)
                _within(limits, name, path, size, inflated[0], member.compress_size)
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as error:
        raise DataError(f"Cannot read {name} in {path} ({error}). Check the download, or {unzip}.") from error
    return b"".join(chunks)


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
    tables: dict[str, list[Row]] = {}
    duplicates: dict[str, int] = {}
    columns: dict[str, set[str]] = {}
    for file, table in csvs:
        try:
            header, rows = parse_csv(decode(files[file]()))
        except OSError as error:
            raise DataError(f"Cannot read {file} in {source} ({error.strerror or error}). Check its permissions.") from error
        unique = list({tuple(r.items()): r for r in rows}.values())  # exports made by joins repeat rows
        if len(unique) < len(rows):
            duplicates[table] = duplicates.get(table, 0) + len(rows) - len(unique)
        tables.setdefault(table, []).extend(unique)
        columns.setdefault(table, set()).update(header)
    if "services" not in tables:
        raise DataError(f"No services table (services.csv) in {source}. Give the folder, datapackage.json or .zip of an HSDS or Ohana export.")
    return Export(tables, detect(tables, columns, package), name, duplicates, columns, layout)


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
        package = json.loads(decode(files["datapackage.json"]()))
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


def detect(tables: dict[str, list[Row]], columns: dict[str, set[str]], package: dict) -> str:
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
