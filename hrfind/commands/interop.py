"""`hrfind import hsds` and `hrfind export`: Open Referral HSDS in, HSDS and the JSON formats out."""

import enum
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer

from hrfind import target
from hrfind.errors import DataError, ExitStatus, UsageError
from hrfind.runner import Run, command

FORCE_HELP = "Replace an existing file or HSDS package that hrfind did not write."


ImportOutput = Annotated[Path, typer.Option("-o", "--output", metavar="FILE.toml", help="The data file to write (a file hrfind wrote before is replaced).", show_default=False)]
ForceOption = Annotated[bool, typer.Option("--force", help=FORCE_HELP)]


class Format(str, enum.Enum):
    hsds = "hsds"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    geojson = "geojson"


def hsds(
    run: Run,
    source: Annotated[Path, typer.Argument(metavar="SOURCE", help="A folder of HSDS or Ohana CSV files, a datapackage.json, or a .zip of either.", show_default=False)],
    output: ImportOutput,
    max_unzipped: Annotated[Optional[str], typer.Option("--max-unzipped", metavar="SIZE", help="Let a .zip inflate to this much (like 4G; default 256M a file, 1G in all).", show_default=False)] = None,
    force: ForceOption = False,
) -> ExitStatus:
    """Import an Open Referral HSDS export (1.1, 2.0, 3.0 or Ohana) as hrfind services."""
    from hrfind.hsds.importer import reading_hsds
    from hrfind.hsds.read import ZipLimits

    catalog = _checked_output(run, source, output, force)
    limits = ZipLimits.raised(_size(max_unzipped) if max_unzipped is not None else None)
    with reading_hsds(source, catalog.offers, limits=limits) as imported:
        return _write_import(run, imported, output)


def findtreatment(
    run: Run,
    source: Annotated[Path, typer.Argument(metavar="SOURCE", help="A locator page (.json), a JSON array of pages, or a folder of page files.", show_default=False)],
    output: ImportOutput,
    force: ForceOption = False,
) -> ExitStatus:
    """Import SAMHSA's FindTreatment.gov locator listing (its JSON pages) as hrfind services."""
    from hrfind.findtreatment import import_findtreatment

    _checked_output(run, source, output, force)
    return _write_import(run, import_findtreatment(source), output)


def _checked_output(run: Run, source: Path, output: Path, force: bool):
    """The loaded catalog, once `output` is known to be a .toml file this run may write (UsageError if not)."""
    if output.suffix != ".toml":
        raise UsageError(f"hrfind reads data files ending in .toml; name the output like {output.with_suffix('.toml').name}.")
    catalog = run.catalog()
    target.check_file(output, [source, *_inputs(catalog)], force)
    return catalog


class _Unwritten(Exception):
    """The import made no services: its file is dropped."""


class _Deferred:
    """A file written a service at a time whose first write error is kept for later, so that the report still comes first."""

    def __init__(self, file) -> None:
        self.file, self.error = file, None

    def write(self, text: str) -> None:
        if self.error is None:
            try:
                self.file.write(text.encode("utf-8"))
            except OSError as error:
                self.error = error


def _write_import(run: Run, imported, output: Path) -> ExitStatus:
    """Write an import's layer as its services are made, report on stderr, and keep the file only when whole and
    wanted (not with --strict and invalid values, nor with no services); else nothing is written."""
    from hrfind.atomic import replacing

    report = imported.report
    try:
        with target.writing(output), replacing(output, "wb") as file:
            written = _Deferred(file)
            for part in imported.toml_parts():
                written.write(part)
            for line in report.lines():  # complete now that every service is made
                run.note(line)
            if run.options.strict and (report.dropped or report.skipped.get("invalid")):
                raise DataError("Some values were invalid (counted above), so nothing was written (--strict). Fix the export, or run without --strict to leave them out.")
            if not report.imported:
                raise _Unwritten
            if written.error is not None:
                raise written.error
    except _Unwritten:
        run.note(f"Nothing to import, so {output} was not written.")
        return ExitStatus.NO_MATCH
    run.note(f"wrote {output}; use it with --data {output}, or add it to HRFIND_DATA")
    return ExitStatus.OK


def export(
    run: Run,
    format: Annotated[Format, typer.Option("--format", help="hsds: an HSDS 3.0 data package (a folder, or a .zip); json, jsonl, csv: every record; geojson: every located service.", show_default=False)],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", metavar="PATH", help="Where to write; default standard output (hsds needs a folder or .zip).", show_default=False)] = None,
    force: ForceOption = False,
) -> ExitStatus:
    """Export the loaded data: all of it, or with --no-bundled only your own."""
    from hrfind.catalog import BUNDLED
    from hrfind.i18n import ENGLISH

    if format is Format.hsds:
        # HSDS has no field for the language of its text: a package in Spanish would come back from
        # `hrfind import hsds` as English records with Spanish text. It holds the records' own text.
        run.lang = ENGLISH
    catalog = run.catalog()
    # --no-bundled already leaves out bundled records but the offer vocabulary, which "only your own" leaves out too.
    own = (lambda record: not (record.origin or "").startswith(f"{BUNDLED}:")) if run.options.no_bundled else (lambda record: True)
    if format is Format.hsds:
        from hrfind.hsds.exporter import export_hsds

        if output is None or str(output) == "-":
            raise UsageError("An HSDS package is several files: give -o FOLDER, or -o FILE.zip.")
        target.check_package(output, _inputs(catalog), force)
        with target.writing(output):
            exported = export_hsds((s for s in catalog.services.values() if own(s)), catalog.offers, output)
        for line in exported.lines():
            run.note(line)
        return ExitStatus.OK if exported.counts["service"] else ExitStatus.NO_MATCH
    counted = [0]
    if format is Format.geojson:
        text, counted[0] = _geojson(catalog)
        parts: Iterable[str] = [text]
    else:
        from hrfind import output as render

        def items() -> Iterator[render.Item]:  # read from the store a record at a time, as they are written
            counted[0] = 0
            for kind in ("principle", "strategy", "service", "offer"):
                for record in catalog.table(kind).values():
                    if own(record):
                        counted[0] += 1
                        yield render.Item(record)

        parts = {Format.json: lambda: render.json_array_parts(items()), Format.jsonl: lambda: render.json_lines_parts(items()),
                 # A spreadsheet file keeps the data as given; a terminal never gets its escapes.
                 Format.csv: lambda: render.csv_parts(items, terminal=output is None and bool(run.env.stdout_isatty))}[format]()
    if output is None or str(output) == "-":
        for part in parts:
            run.env.stdout.write(part)
    else:
        from hrfind.atomic import replacing

        target.check_file(output, _inputs(catalog), force)
        with target.writing(output), replacing(output, "w", encoding="utf-8", newline="") as file:
            for part in parts:
                file.write(part)
        run.note(f"exported {counted[0]} records to {output}")
    return ExitStatus.OK if counted[0] else ExitStatus.NO_MATCH


def _size(text: str) -> int:
    """Bytes of a size like 4G, 500M, 1.5GB or 1048576."""
    import re

    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if not m:
        raise UsageError(f'"{text}" is not a size; give one like 4G, 500M or 2000000000.')
    return int(float(m.group(1)) * 1024 ** " kmgt".index(m.group(2).lower() or " "))


def _inputs(catalog) -> list[Path]:
    """Every data file the run read: none of them may be its output."""
    return [file for layer in catalog.layers for file in layer.files]


def _geojson(catalog) -> tuple[str, int]:
    """Every service with a place, where `hrfind services` would map it; properties as in the JSON output."""
    import datetime

    from hrfind import geojson, locate
    from hrfind.output import Item, as_dict

    answer = locate.find(catalog, now=datetime.datetime.now(datetime.timezone.utc), limit=None, remote=False)
    rows = [(as_dict(Item(r.service, {"approximate": r.approximate})), *r.location) for r in answer.results if r.location]
    return geojson.dumps(geojson.feature_collection(rows)), len(rows)


def register(app: typer.Typer) -> None:
    importer = typer.Typer(name="import", help="Import a directory from another format as hrfind services.",
                           no_args_is_help=True, rich_markup_mode=None)
    command(importer, "hsds", output=False)(hsds)
    command(importer, "findtreatment", output=False)(findtreatment)
    app.add_typer(importer)
    command(app, output=False)(export)
