"""What every command shares: the global and output options, loading data, emitting results, errors.

`command` registers a function as a Typer command and gives it the shared options, so each
command declares only its own. The function gets a `Run` first and returns an exit status.
"""

import dataclasses
import enum
import functools
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from hrfind.catalog import Catalog
from hrfind.environment import Environment
from hrfind.errors import DataError, ExitStatus, HrfindError
from hrfind.output import Item

MAX_WARNINGS = 20


class Color(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


@dataclasses.dataclass
class Globals:
    """Options that apply to the whole run, given before or after the command name."""

    data: list[Path] = dataclasses.field(default_factory=list)
    no_bundled: bool = False
    strict: bool = False
    color: Color = Color.auto

    def merged(self, other: "Globals") -> "Globals":
        return Globals(
            data=self.data + other.data,
            no_bundled=self.no_bundled or other.no_bundled,
            strict=self.strict or other.strict,
            color=other.color if other.color is not Color.auto else self.color,
        )


DataOption = Annotated[Optional[list[Path]], typer.Option("--data", help="Read records from this TOML file or folder too (repeatable).", show_default=False)]
NoBundledOption = Annotated[bool, typer.Option("--no-bundled", help="Leave out the bundled principles, strategies and services.")]
StrictOption = Annotated[bool, typer.Option("--strict", help="Exit 3 on any data problem instead of warning.")]
ColorOption = Annotated[Color, typer.Option("--color", help="Colour: auto follows the terminal, NO_COLOR and TERM=dumb.")]
OUTPUT_FLAGS = {
    "json": "Print an indented JSON array.",
    "jsonl": "Print JSON Lines: one object a line.",
    "plain": "Print tab-separated lines, no header, no colour (the default off a terminal).",
}


def _global_params() -> list[inspect.Parameter]:
    kw = inspect.Parameter.KEYWORD_ONLY
    return [
        inspect.Parameter("data", kw, annotation=DataOption, default=None),
        inspect.Parameter("no_bundled", kw, annotation=NoBundledOption, default=False),
        inspect.Parameter("strict", kw, annotation=StrictOption, default=False),
        inspect.Parameter("color", kw, annotation=ColorOption, default=Color.auto),
    ]


def _output_params(extra: dict[str, str]) -> list[inspect.Parameter]:
    kw = inspect.Parameter.KEYWORD_ONLY
    flags = {**OUTPUT_FLAGS, **extra}
    return [inspect.Parameter(name, kw, annotation=Annotated[bool, typer.Option(f"--{name}", help=text)], default=False)
            for name, text in flags.items()]


@dataclasses.dataclass
class Run:
    """One invocation: its environment, options and output mode."""

    env: Environment
    options: Globals
    mode: str = "human"

    @property
    def human(self) -> bool:
        return self.mode == "human"

    def console(self, stderr: bool = False):
        from hrfind import human

        tty = self.env.stderr_isatty if stderr else self.env.stdout_isatty
        stream = self.env.stderr if stderr else self.env.stdout
        return human.console(stream, self.env.color(self.options.color.value, tty), tty)

    def note(self, message: str) -> None:
        """A line for the person, never for the pipe: stderr."""
        self.env.stderr.write(f"hrfind: {message}\n")

    def catalog(self, extra: Sequence[Path] = ()) -> Catalog:
        """Load every layer; warn about data problems, or fail on them with --strict."""
        from hrfind import catalog

        loaded = catalog.load(catalog.layers([*self.options.data, *extra], self.options.no_bundled, self.env.environ))
        self.report(loaded, strict=self.options.strict)
        return loaded

    def report(self, loaded: Catalog, strict: bool) -> None:
        problems = loaded.problems
        if not problems:
            return
        shown = problems if strict else problems[:MAX_WARNINGS]
        for problem in shown:
            self.note(f"{'error' if strict else 'warning'}: {problem}")
        if len(problems) > len(shown):
            self.note(f"... and {len(problems) - len(shown)} more problems; `hrfind validate` lists them all.")
        if strict:
            raise DataError(f"{len(problems)} problem(s) in the data (listed above). Fix them, or run without --strict to skip what is broken.")

    def emit(self, items: Sequence[Item], human: Callable[[Sequence[Item]], Any] | None = None,
             empty: str = "Nothing matched.") -> ExitStatus:
        """Print results in the chosen mode; exit 1 when there are none, like grep."""
        from hrfind import output

        if self.mode == "json":
            self.env.stdout.write(output.json_array(items))
        elif self.mode == "jsonl":
            self.env.stdout.write(output.json_lines(items))
        elif self.mode == "plain":
            self.env.stdout.write(output.plain(items))
        elif items:
            self.console().print(human(items))
        if not items:
            self.note(empty)
            return ExitStatus.NO_MATCH
        return ExitStatus.OK

    def emit_object(self, value: dict, human: Callable[[dict], Any], plain: Callable[[dict], str]) -> None:
        """A single result that is not a list of records (info, schema) in the chosen mode."""
        import msgspec

        if self.mode in ("json", "jsonl"):
            data = msgspec.json.encode(value)
            self.env.stdout.write((msgspec.json.format(data, indent=2) if self.mode == "json" else data).decode() + "\n")
        elif self.mode == "plain":
            self.env.stdout.write(plain(value))
        else:
            self.console().print(human(value))


ENV = Environment  # tests replace the factory to pretend to be a terminal or a pipe


def command(app: typer.Typer, name: str | None = None, output: bool = True, formats: dict[str, str] | None = None,
            **settings: Any) -> Callable:
    """Register `fn(run, ...) -> ExitStatus` as a command with the shared options added."""

    def register(fn: Callable) -> Callable:
        signature = inspect.signature(fn)
        own = [p for p in signature.parameters.values() if p.name != "run"]
        shared = _global_params() + (_output_params(formats or {}) if output else [])
        shared_names = [p.name for p in shared]
        context = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)

        @functools.wraps(fn)
        def invoke(ctx: typer.Context, **kwargs: Any) -> None:
            given = {k: kwargs.pop(k) for k in shared_names}
            root = ctx.obj if isinstance(ctx.obj, Globals) else Globals()
            options = root.merged(Globals(given["data"] or [], given["no_bundled"], given["strict"], given["color"]))
            env = ENV()
            run = Run(env, options)
            status = guarded(env, lambda: _call(fn, run, given, output, formats, kwargs))
            if status:
                raise typer.Exit(int(status))

        invoke.__signature__ = signature.replace(parameters=[context, *own, *shared])
        invoke.__annotations__ = {p.name: p.annotation for p in [context, *own, *shared]}
        app.command(name, **settings)(invoke)
        return fn

    return register


def _call(fn: Callable, run: Run, given: dict, output: bool, formats: dict[str, str] | None, kwargs: dict) -> ExitStatus:
    from hrfind.output import choose_mode

    if output:
        extra = {k: given[k] for k in (formats or {})}
        run.mode = choose_mode(given["json"], given["jsonl"], given["plain"], run.env.stdout_isatty, **extra)
    return fn(run, **kwargs)


def guarded(env: Environment, body: Callable[[], ExitStatus]) -> ExitStatus:
    """Run a command body: errors become a message on stderr and an exit status, never a traceback."""
    try:
        return body() or ExitStatus.OK
    except HrfindError as error:
        env.stderr.write(f"hrfind: {error}\n")
        return error.exit_status
    except KeyboardInterrupt:
        env.stderr.write("hrfind: interrupted.\n")
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from complaining at exit.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return ExitStatus.OK
    except Exception as error:  # noqa: BLE001 - the last line of defence for a person at a terminal
        if env.environ.get("HRFIND_DEBUG") == "1":
            raise
        env.stderr.write(f"hrfind: internal error: {type(error).__name__}: {error}. "
                         "Run again with HRFIND_DEBUG=1 for details, and please report it.\n")
        return ExitStatus.INTERNAL
