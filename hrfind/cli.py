"""The `hrfind` command line: options, commands, and the exit status. No logic lives here."""

from typing import Annotated, Optional

import typer

from hrfind import __version__
from hrfind.runner import Color, ColorOption, DataOption, Globals, NoBundledOption, StrictOption

SHORT_HELP = """\
hrfind: offline harm-reduction knowledge and services.

  hrfind overdose                      what to do right now
  hrfind search narcan                 find knowledge, services and principles
  hrfind show naloxone                 everything about one record
  hrfind services --near 21201 --offers naloxone --open-now
  hrfind principles | strategies | offers
  hrfind info | validate | schema

Add --json, --jsonl or --plain for scripts. `hrfind --help` lists every command and option.
"""

app = typer.Typer(
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


# commands register here: each module adds its commands to `app` through hrfind.runner.command.
from hrfind.commands import data as _data, interop as _interop, knowledge as _knowledge, services as _services  # noqa: E402

_knowledge.register(app)
_services.register(app)
_data.register(app)
_interop.register(app)


def main() -> None:
    app(prog_name="hrfind")

