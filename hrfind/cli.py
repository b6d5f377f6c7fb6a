"""The `hrfind` command line: options, commands, and the exit status. No logic lives here."""

from typing import Annotated, Optional

import typer

from hrfind import __version__
from hrfind.runner import App, Color, ColorOption, DataOption, Globals, NoBundledOption, StrictOption

SHORT_HELP = """\
hrfind: offline harm-reduction knowledge and services.

  hrfind overdose                      what to do right now
  hrfind search narcan                 find knowledge, services and principles
  hrfind show naloxone                 everything about one record
  hrfind services --near 21201 --offers naloxone --open-now
  hrfind principles | strategies | offers
  hrfind import hsds ./211-export -o local.toml    then: hrfind --data local.toml ...
  hrfind export --format hsds -o package/
  hrfind info | validate | schema

Add --json, --jsonl or --plain for scripts. `hrfind --help` lists every command and option.
"""

# Each command's module, in the order `hrfind --help` lists them; a run imports only the one it runs.
# Each module adds its commands to `app` through hrfind.runner.command in its register(app).
COMMANDS = {
    **dict.fromkeys(("search", "show", "principles", "strategies", "offers", "overdose"), "hrfind.commands.knowledge"),
    "services": "hrfind.commands.services",
    **dict.fromkeys(("info", "validate", "schema"), "hrfind.commands.data"),
    **dict.fromkeys(("export", "import"), "hrfind.commands.interop"),
}

app = App(
    COMMANDS,
    name="hrfind",
    help="Offline finder for harm-reduction knowledge and services.",
    add_completion=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hrfind {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    strict: StrictOption = False,
    color: ColorOption = Color.auto,
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
) -> None:
    """Offline finder for harm-reduction knowledge and services."""
    ctx.obj = Globals(list(data or []), no_bundled, strict, color)
    if ctx.invoked_subcommand is None:
        typer.echo(SHORT_HELP, nl=False)
        raise typer.Exit()


def main() -> None:
    import gc

    # A run is short and builds large tables of small objects that live until it ends: collecting
    # every 700 allocations would scan them again and again (a third of a cold load of 100,000
    # services). Collections still happen, a few hundred times less often.
    gc.set_threshold(200_000, 20, 100)
    try:
        app(prog_name="hrfind")
    except OSError as error:  # only --help and --version get here: commands report their own
        from hrfind.runner import output_failed

        raise SystemExit(output_failed(error)) from None
    finally:
        # Python's last act is a full collection of every object; at exit it frees nothing worth
        # the time, a sixth of a short run. Frozen objects are left out of it.
        gc.freeze()

