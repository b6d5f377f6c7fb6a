"""`hrfind import hsds` and `hrfind export`: Open Referral HSDS in, HSDS and the JSON formats out."""

import enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from hrfind.errors import DataError, ExitStatus, UsageError
from hrfind.runner import Run, command


ImportOutput = Annotated[Path, typer.Option("-o", "--output", metavar="FILE.toml", help="The data file to write (replaced if it exists).", show_default=False)]


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
) -> ExitStatus:
    """Import an Open Referral HSDS export (1.1, 2.0, 3.0 or Ohana) as hrfind services."""
    from hrfind.hsds.importer import import_hsds

    _toml_name(output)
    _writable(output)
    return _write_import(run, import_hsds(source, run.catalog().offers), output)


def findtreatment(
    run: Run,
    source: Annotated[Path, typer.Argument(metavar="SOURCE", help="A locator page (.json), a JSON array of pages, or a folder of page files.", show_default=False)],
    output: ImportOutput,
) -> ExitStatus:
    """Import SAMHSA's FindTreatment.gov locator listing (its JSON pages) as hrfind services."""
    from hrfind.findtreatment import import_findtreatment

    _toml_name(output)
    _writable(output)
    return _write_import(run, import_findtreatment(source), output)


def _toml_name(output: Path) -> None:
    if output.suffix != ".toml":
        raise UsageError(f"hrfind reads data files ending in .toml; name the output like {output.with_suffix('.toml').name}.")


def _write_import(run: Run, imported, output: Path) -> ExitStatus:
    """Report an import on stderr and write its layer whole, or nothing (--strict with invalid values, or no services)."""
    report = imported.report
    for line in report.lines():
        run.note(line)
    if run.options.strict and (report.dropped or report.skipped.get("invalid")):
        raise DataError("Some values were invalid (counted above), so nothing was written (--strict). Fix the export, or run without --strict to leave them out.")
    if not imported.services:
        run.note(f"Nothing to import, so {output} was not written.")
        return ExitStatus.NO_MATCH
    imported.write(output)
    run.note(f"wrote {output}; use it with --data {output}, or add it to HRFIND_DATA")
    return ExitStatus.OK


def export(
    run: Run,
    format: Annotated[Format, typer.Option("--format", help="hsds: an HSDS 3.0 data package (a folder, or a .zip); json, jsonl, csv: every record; geojson: every located service.", show_default=False)],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", metavar="PATH", help="Where to write; default standard output (hsds needs a folder or .zip).", show_default=False)] = None,
) -> ExitStatus:
    """Export the loaded data: all of it, or with --no-bundled only your own."""
    from hrfind.catalog import BUNDLED

    catalog = run.catalog()
    # --no-bundled already leaves out bundled records but the offer vocabulary, which "only your own" leaves out too.
    own = (lambda record: not (record.origin or "").startswith(f"{BUNDLED}:")) if run.options.no_bundled else (lambda record: True)
    if format is Format.hsds:
        from hrfind.hsds.exporter import export_hsds

        if output is None or str(output) == "-":
            raise UsageError("An HSDS package is several files: give -o FOLDER, or -o FILE.zip.")
        services = [s for s in catalog.services.values() if own(s)]
        exported = export_hsds(services, catalog.offers, output)
        for line in exported.lines():
            run.note(line)
        return ExitStatus.OK if services else ExitStatus.NO_MATCH
    if format is Format.geojson:
        text, count = _geojson(catalog)
    else:
        from hrfind import output as render

        items = [render.Item(r) for r in catalog.records(("principle", "strategy", "service", "offer")) if own(r)]
        renderer = {Format.json: render.json_array, Format.jsonl: render.json_lines, Format.csv: render.csv_text}[format]
        text, count = renderer(items), len(items)
    if output is None or str(output) == "-":
        run.env.stdout.write(text)
    else:
        from hrfind.atomic import write_atomic

        _writable(output)
        write_atomic(output, text)
        run.note(f"exported {count} records to {output}")
    return ExitStatus.OK if count else ExitStatus.NO_MATCH


def _writable(path: Path) -> None:
    """UsageError unless `path` can be written as a file."""
    if path.is_dir():
        raise UsageError(f"{path} is a folder. Give the name of the file to write in it.")
    if not path.parent.is_dir():
        raise UsageError(f"No folder {path.parent} to write {path.name} in. Create it first.")


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
