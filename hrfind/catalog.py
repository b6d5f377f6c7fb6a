"""Find the data layers, read and validate their TOML files, and merge the records by id."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import msgspec

from hrfind.check import Problem, build_records
from hrfind.errors import UsageError
from hrfind.model import Offer, Principle, Record, Service, Strategy, kind_of

BUNDLED = "bundled"


def bundled_dir() -> Path:
    """The knowledge base that ships with hrfind."""
    here = Path(__file__).parent
    installed = here / "data"
    # An editable install runs from the checkout, where data/ sits beside the package.
    return installed if installed.is_dir() else here.parent / "data"


def user_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("hrfind"))


@dataclasses.dataclass(frozen=True)
class Layer:
    """One place records come from, in the order they override each other."""

    name: str  # bundled, user, HRFIND_DATA, --data
    path: Path
    files: tuple[Path, ...] = ()
    offers_only: bool = False  # --no-bundled still loads the bundled offer vocabulary

    def origin(self, file: Path) -> str:
        """How a record's file is named in output: stable for bundled data, as found otherwise."""
        if self.name == BUNDLED:
            return f"{BUNDLED}:{file.relative_to(self.path).as_posix()}"
        return str(file)


@dataclasses.dataclass(frozen=True)
class Override:
    id: str
    kind: str
    replaced: str
    by: str


@dataclasses.dataclass
class Catalog:
    principles: dict[str, Principle] = dataclasses.field(default_factory=dict)
    strategies: dict[str, Strategy] = dataclasses.field(default_factory=dict)
    services: dict[str, Service] = dataclasses.field(default_factory=dict)
    offers: dict[str, Offer] = dataclasses.field(default_factory=dict)
    layers: list[Layer] = dataclasses.field(default_factory=list)
    counts: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)  # layer path -> kind -> n
    overrides: list[Override] = dataclasses.field(default_factory=list)
    problems: list[Problem] = dataclasses.field(default_factory=list)

    def table(self, kind: str) -> dict:
        return {"principle": self.principles, "strategy": self.strategies, "service": self.services, "offer": self.offers}[kind]

    def get(self, record_id: str) -> Record | None:
        """A principle, strategy or service by id, else an offer."""
        for table in (self.principles, self.strategies, self.services, self.offers):
            if record_id in table:
                return table[record_id]
        return None

    def records(self, kinds: Iterable[str] = ("principle", "strategy", "service")) -> list[Record]:
        return [record for kind in kinds for record in self.table(kind).values()]

    def closest_ids(self, record_id: str, n: int = 3) -> list[str]:
        import difflib

        ids = list(dict.fromkeys(r.id for r in self.records(("principle", "strategy", "service", "offer"))))
        return difflib.get_close_matches(record_id, ids, n=n, cutoff=0.5)


def discover(path: Path, problems: list[Problem]) -> tuple[Path, ...]:
    """The *.toml files of a file or folder, in sorted order, skipping hidden entries and link loops."""
    if path.is_file():
        return (path,)
    found: list[Path] = []
    seen: set[str] = set()

    def unreadable(error: OSError) -> None:
        problems.append(Problem(str(error.filename or path), f"cannot read this folder ({error.strerror}); its files were skipped"))

    for folder, dirs, files in os.walk(path, onerror=unreadable, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:  # a symbolic link back into a folder already read
            problems.append(Problem(folder, "links back to a folder already read; skipped", fatal=False))
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(folder, f) for f in sorted(files) if f.endswith(".toml") and not f.startswith("."))
    return tuple(found)


def read_file(path: Path, origin: str) -> tuple[list[Record], list[Problem]]:
    """The valid records of one TOML file and everything wrong with it."""
    import tomli

    try:
        raw = path.read_bytes()
    except OSError as error:
        return [], [Problem(origin, f"cannot read this file ({error.strerror})")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return [], [Problem(origin, f"is not UTF-8 text (line {line}); save it as UTF-8")]
    try:
        document = tomli.loads(text)
    except tomli.TOMLDecodeError as error:
        return [], [Problem(origin, f"TOML syntax error: {error}; the whole file was skipped")]
    return build_records(origin, document)


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


def load(layer_list: list[Layer]) -> Catalog:
    """Read every layer and merge its records: a later layer replaces a record with the same id."""
    catalog = Catalog()
    owner: dict[str, str] = {}  # id -> kind, for ids shared across principles, strategies, services
    for layer in layer_list:
        if not layer.path.exists():
            catalog.problems.append(Problem(str(layer.path), f"does not exist (from {layer.name}); skipped", fatal=False))
            continue
        files = discover(layer.path, catalog.problems)
        layer = dataclasses.replace(layer, files=files)
        catalog.layers.append(layer)
        counts = catalog.counts.setdefault(str(layer.path), {})
        in_layer: dict[tuple[str, str], str] = {}
        for file in files:
            records, problems = read_file(file, layer.origin(file))
            catalog.problems.extend(problems)
            for record in records:
                kind = kind_of(record)
                if layer.offers_only and kind != "offer":
                    continue
                if _merge(catalog, record, kind, owner, in_layer):
                    counts[kind] = counts.get(kind, 0) + 1
    _check_references(catalog)
    return catalog


def _merge(catalog: Catalog, record: Record, kind: str, owner: dict[str, str], in_layer: dict[tuple[str, str], str]) -> bool:
    """Add a record, replacing one of an earlier layer; False when it had to be skipped."""
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
