"""Commands about the data itself: info, validate, schema."""

import enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from hrfind import __version__
from hrfind.errors import ExitStatus
from hrfind.files import text_of
from hrfind.i18n import ENGLISH, LANGUAGES
from hrfind.output import clean, json_text, plain_value
from hrfind.runner import Run, command


def info(run: Run) -> ExitStatus:
    """Show the data layers, their files and record counts, overrides and the oldest review dates."""
    catalog = run.catalog()
    layers = [
        {"layer": layer.name, "path": text_of(layer.path), "files": len(layer.files),
         "records": catalog.counts.get(text_of(layer.path), {})}
        for layer in catalog.layers
    ]
    oldest_reviewed, oldest_verified = catalog.oldest()
    use = catalog.cache
    from hrfind.catalog import user_dir

    folder = user_dir()
    value: dict[str, Any] = {
        "version": __version__,
        "layers": layers,
        "counts": {kind: len(catalog.table(kind)) for kind in ("principle", "strategy", "service", "offer")},
        "overrides": [{"id": o.id, "kind": o.kind, "replaced": o.replaced, "by": o.by} for o in catalog.overrides],
        "oldest_reviewed": str(oldest_reviewed) if oldest_reviewed else None,
        "oldest_verified": str(oldest_verified) if oldest_verified else None,
        "problems": len(catalog.problems),
        # The language of this run, and the records each language besides English has.
        "lang": run.lang,
        "translations": {code: catalog.store.translated(code) for code in LANGUAGES if code != ENGLISH},
        "cache": {"path": text_of(use.folder), "state": use.state, "note": use.note} if use else None,
        # Shown even before it exists: it is where a person's own files go.
        "data_folder": {"path": text_of(folder), "exists": folder.is_dir()},
    }
    run.emit_object(value, _info_view, _info_plain)
    return ExitStatus.OK


def _info_plain(value: dict) -> str:
    rows = [["version", value["version"]]]
    rows += [["layer", l["layer"], l["path"], l["files"], ",".join(f"{k}={n}" for k, n in l["records"].items())] for l in value["layers"]]
    rows += [["count", kind, n] for kind, n in value["counts"].items()]
    rows += [["override", o["id"], o["replaced"], o["by"]] for o in value["overrides"]]
    rows += [[key, value[key] or None] for key in ("oldest_reviewed", "oldest_verified", "problems", "lang")]
    rows += [["translations", code, kind, ",".join(ids)] for code, kinds in value["translations"].items() for kind, ids in kinds.items()]
    if value["cache"]:
        rows.append(["cache", value["cache"]["path"], value["cache"]["state"], value["cache"]["note"]])
    rows.append(["data_folder", value["data_folder"]["path"], "present" if value["data_folder"]["exists"] else "absent"])
    # Paths and ids come from outside: each field loses its tabs, newlines and control characters like any plain output.
    return "".join("\t".join(plain_value(field) for field in row) + "\n" for row in rows)


def _info_view(value: dict):
    from rich.console import Group
    from rich.table import Table

    from hrfind.human import text

    layers = Table(title="Data layers (later ones override earlier ones by id)", title_justify="left")
    for column in ("Layer", "Path", "Files", "Records"):
        layers.add_column(column)
    for layer in value["layers"]:
        layers.add_row(text(layer["layer"]), text(layer["path"]), text(layer["files"]),
                       text(", ".join(f"{n} {k}" for k, n in layer["records"].items()) or "none"))
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column(overflow="fold")  # paths: folded, never cut short
    facts.add_row("hrfind", text(value["version"]))
    own = value["data_folder"]
    facts.add_row("Your data folder", text(own["path"] + ("" if own["exists"] else " (not created yet: put .toml files there)")))
    facts.add_row("Records", text(", ".join(f"{n} {k}" for k, n in value["counts"].items())))
    facts.add_row("Oldest review", text(value["oldest_reviewed"] or "none"))
    facts.add_row("Oldest verification", text(value["oldest_verified"] or "none"))
    facts.add_row("Problems", text(f"{value['problems']} (run hrfind validate)" if value["problems"] else "none"))
    facts.add_row("Language", text(f"{value['lang']} ({LANGUAGES[value['lang']]}); choose with --lang or HRFIND_LANG"))
    for code, kinds in value["translations"].items():
        facts.add_row(f"In {LANGUAGES[code]} ({code})", text("; ".join(f"{len(ids)} {kind}: {', '.join(ids)}" for kind, ids in kinds.items()) or "none"))
    if value["cache"]:
        cache = value["cache"]
        facts.add_row("Cache", text(f"{cache['path']} ({cache['state']}{': ' + cache['note'] if cache['note'] else ''})"))
    parts = [facts, layers]
    for o in value["overrides"]:
        parts.append(text(f"override: {o['kind']} {o['id']} from {o['replaced']} replaced by {o['by']}", "dim"))
    return Group(*parts)


def validate(
    run: Run,
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Data files or folders to check (default: every layer).", show_default=False)] = None,
) -> ExitStatus:
    """Check data files and list every problem; exit 3 if there is any."""
    from hrfind import catalog

    for path in paths or []:
        if not path.exists():
            from hrfind.errors import UsageError

            raise UsageError(f"No data file or folder at {path}. Give the path of a .toml file or a folder of them.")
    layers = catalog.layers([*run.options.data, *(paths or [])], run.options.no_bundled, run.env.environ)
    with run.progress("Checking data files") as progress:
        loaded = catalog.load(layers, progress)
    problems = loaded.problems
    if run.mode in ("json", "jsonl"):
        import dataclasses

        import msgspec

        rows = [dataclasses.asdict(p) | {"text": str(p)} for p in problems]
        run.env.stdout.write((json_text(msgspec.json.encode(rows), indent=True) + "\n") if run.mode == "json"
                             else "".join(json_text(msgspec.json.encode(r)) + "\n" for r in rows))
    else:
        run.env.stdout.write("".join(f"{clean(str(p), newlines=False)}\n" for p in problems))
    files = sum(len(layer.files) for layer in loaded.layers)
    records = sum(len(loaded.table(k)) for k in ("principle", "strategy", "service", "offer"))
    if problems:
        run.note(f"{len(problems)} problem(s) in {files} file(s). Records with an error are skipped when hrfind reads the data.")
        return ExitStatus.INVALID_DATA
    run.note(f"ok: {files} file(s), {records} record(s), no problems.")
    return ExitStatus.OK


class SchemaKind(str, enum.Enum):
    principle = "principle"
    strategy = "strategy"
    service = "service"
    offer = "offer"


def schema(run: Run, record: Annotated[Optional[SchemaKind], typer.Argument(help="One kind of record; default: any.")] = None) -> ExitStatus:
    """Print the JSON Schema of the JSON output."""
    from hrfind.schema import output_schema

    value = output_schema(record.value if record else None)
    run.mode = "json"
    run.emit_object(value, lambda v: v, lambda v: "")
    return ExitStatus.OK


def register(app: typer.Typer) -> None:
    command(app)(info)
    command(app)(validate)
    command(app, output=False)(schema)
