"""The `hrfind` command line: options, commands, and the exit status. No logic lives here."""

from typing import Annotated, Optional

import typer

from hrfind import __version__
from hrfind.runner import (App, Color, ColorOption, DataOption, Globals, LangOption, NoBundledOption, NoPagerOption,
                           QuietOption, StrictOption)

SHORT_HELP = """\
hrfind: offline harm-reduction knowledge and services.

  hrfind overdose                      what to do right now (or: hrfind od, hrfind 911)
  hrfind --lang es overdose            en español (--lang es works with every command)
  hrfind search narcan                 find knowledge, services and principles
  hrfind show naloxone                 everything about one record
  hrfind card naloxone --sms           a short card to text or print
  hrfind services --near 21201 --offers naloxone --open-now
  hrfind principles | strategies | offers
  hrfind import hsds ./211-export -o local.toml    then: hrfind --data local.toml ...
  hrfind import findtreatment page.json -o ft.toml SAMHSA's locator listing, the same way
  hrfind export --format hsds -o package/
  hrfind info | validate | schema

Add --json, --jsonl or --plain for scripts. `hrfind --help` lists every command and option.
"""

# Each command's module, in the order `hrfind --help` lists them; a run imports only the one it runs.
# Each module adds its commands to `app` through hrfind.runner.command in its register(app).
COMMANDS = {
    **dict.fromkeys(("search", "show", "card", "principles", "strategies", "offers", "overdose", "od", "911"), "hrfind.commands.knowledge"),
    "services": "hrfind.commands.services",
    **dict.fromkeys(("info", "validate", "schema"), "hrfind.commands.data"),
    **dict.fromkeys(("export", "import"), "hrfind.commands.interop"),
}

# Shown at the end of each command's --help, with the environment variables and folders.
EXAMPLES = {
    "": [("hrfind overdose", "what to do right now (also: hrfind od, hrfind 911)"),
         ("hrfind search how do i use narcan", "the answer first, then other results"),
         ("hrfind services --near 21201 --offers naloxone --open-now", "nearest places, open now")],
    "search": [("hrfind search narcan", "naloxone: what it is and how to give it"),
               ('hrfind search "needle exchange" --kind strategy', "only how-tos and practices"),
               ("hrfind search kit --offers narcan -n 3 --json", "the best three, as JSON")],
    "show": [("hrfind show naloxone", "steps, sources and dates of one record"),
             ("hrfind show narcan", "another name for a record works too"),
             ("hrfind show never-use-alone-hotline > card.txt", "the whole record as plain text")],
    "card": [("hrfind card never-use-alone-hotline", "name, phone, hours today and a map link"),
             ("hrfind card naloxone --sms", "the steps in at most 480 characters, to text on"),
             ("hrfind card poison-control --qr", "with a QR code of the phone number")],
    "principles": [("hrfind principles", "the eight principles, in order"),
                   ("hrfind principles --json | jq '.[0].title'", "for scripts")],
    "strategies": [("hrfind strategies", "every strategy and how-to"),
                   ("hrfind strategies --plain | cut -f2", "just the ids")],
    "offers": [("hrfind offers", "the words --offers accepts"),
               ("hrfind offers -n 5", "the first five")],
    "overdose": [("hrfind overdose", "CALL 911 and the steps, first on the screen"),
                 ("hrfind overdose > overdose.txt", "the whole page as plain text, to print or send"),
                 ("hrfind --lang es overdose", "en español (or HRFIND_LANG=es); also: hrfind od, hrfind 911")],
    "services": [("hrfind services --near 21201 --offers naloxone --open-now", "nearest naloxone, open now"),
                 ('hrfind services --near "Baltimore, MD" --radius 5 --remote-limit 3', "within 5 miles, then at most three remote services"),
                 ("hrfind services --near 21201 --plain | cut -f3,8,9", "name, phone and address")],
    "info": [("hrfind info", "layers, files, counts, folders and cache"),
             ("hrfind info --json", "the same as JSON")],
    "validate": [("hrfind validate", "check every data layer"),
                 ("hrfind validate my-directory.toml", "check one file; exit 3 on any problem")],
    "schema": [("hrfind schema", "the JSON Schema of every record kind"),
               ("hrfind schema service", "of services only")],
    "export": [("hrfind export --format hsds -o package/", "an HSDS 3.0 data package"),
               ("hrfind --no-bundled export --format json > mine.json", "only your own records")],
    "import hsds": [("hrfind import hsds ./211-export -o local.toml", "a folder of HSDS CSV files"),
                    ("hrfind --data local.toml services --near 21201", "then use it")],
    "import findtreatment": [("hrfind import findtreatment ./locator-pages/ -o ft.toml", "FindTreatment.gov listing pages (JSON)"),
                             ("hrfind --data ft.toml services --near 21201 --offers moud", "then use it")],
}

app = App(
    COMMANDS,
    EXAMPLES,
    name="hrfind",
    help="Offline finder for harm-reduction knowledge and services.",
    add_completion=True,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    # Help wraps to the terminal's width, not Click's 80 columns at most.
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 1_000},
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
    quiet: QuietOption = False,
    no_pager: NoPagerOption = False,
    lang: LangOption = None,
    version: Annotated[Optional[bool], typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
) -> None:
    """Offline finder for harm-reduction knowledge and services."""
    ctx.obj = Globals(list(data or []), no_bundled, strict, color, quiet, no_pager, lang)
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

