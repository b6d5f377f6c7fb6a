"""What every command shares: the global and output options, loading data, emitting results, errors.

`command` registers a function as a Typer command and gives it the shared options, so each
command declares only its own. The function gets a `Run` first and returns an exit status.
"""

import contextlib
import enum
import functools
import importlib
import inspect
import os
import sys
import time
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Optional

import msgspec
import typer
from typer.core import TyperGroup
from typer.main import get_command_from_info, get_group_from_info
from typer.models import CommandInfo, TyperInfo

from hrfind.catalog import Catalog
from hrfind.environment import Environment
from hrfind.errors import DataError, ExitStatus, HrfindError, StoreDamaged
from hrfind.output import Item, choose_mode, clean, json_text

MAX_WARNINGS = 20


class Color(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


class Globals(msgspec.Struct):
    """Options that apply to the whole run, given before or after the command name."""

    data: list[Path] = msgspec.field(default_factory=list)
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


class Run(msgspec.Struct):
    """One invocation: its environment, options and output mode."""

    env: Environment
    options: Globals
    mode: str = "human"
    bypass: bool = False  # the store turned out damaged: compile the data again for this run

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
        _say(self.env, message)

    def catalog(self, extra: Sequence[Path] = ()) -> Catalog:
        """Load every layer; warn about data problems, or fail on them with --strict."""
        from hrfind import catalog

        layers = catalog.layers([*self.options.data, *extra], self.options.no_bundled, self.env.environ)
        with self.progress("Reading data files") as progress:
            given = self.env.environ.get("HRFIND_STORE")
            loaded = catalog.load(layers, progress, use_cache=not self.bypass, store=Path(given) if given and not self.bypass else None)
        if loaded.lacking and (loaded.cache is None or loaded.cache.state != "fresh"):
            self.note(f"this Python's SQLite has no {' or '.join(loaded.lacking)}; hrfind answers the same, more slowly.")
        self.report(loaded, strict=self.options.strict)
        return loaded

    @contextlib.contextmanager
    def progress(self, what: str) -> Iterator[Callable[[int, int], None]]:
        """A callback for long work, (done, total): after a second it shows a bar on stderr, if that is a terminal."""
        bar = _Bar(self, what)
        try:
            yield bar.update
        finally:
            bar.close()

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
        if self.mode in ("json", "jsonl"):
            self.env.stdout.write(json_text(msgspec.json.encode(value), indent=self.mode == "json") + "\n")
        elif self.mode == "plain":
            self.env.stdout.write(plain(value))
        else:
            self.console().print(human(value))


class _Bar:
    """A progress bar that appears only once the work has taken a second, and only on a terminal."""

    DELAY = 1.0  # seconds: quicker work shows nothing, so a warm run never flickers

    def __init__(self, run: Run, what: str):
        self.run = run
        self.what = what
        self.start = time.monotonic()
        self.shown: Any = None

    def update(self, done: int, total: int) -> None:
        if self.shown is None:
            if not self.run.env.stderr_isatty or time.monotonic() - self.start < self.DELAY:
                return
            from hrfind import human

            self.shown = human.progress_bar(self.run.console(stderr=True), self.what, done, total)
            self.shown.start()
        else:
            self.shown.update(self.shown.task_ids[0], completed=done, total=total)

    def close(self) -> None:
        if self.shown is not None:
            self.shown.stop()


ENV = Environment  # tests replace the factory to pretend to be a terminal or a pipe


class App(typer.Typer):
    """A Typer app that imports a command's module and builds its options only when it is looked up."""

    # Typer turns every command's signature into Click options before it parses the command line,
    # and each command module costs its imports; for a dozen commands that is a good part of a
    # run. Here a run pays for the command it runs; `--help`, which lists them all, builds them all.

    def __init__(self, modules: dict[str, str], **settings: Any):
        self.modules = modules  # command name -> the module whose register(app) defines it
        self.later: dict[str, Callable[[], Any]] = {}  # command name -> builds its Click command
        app = self

        class Group(TyperGroup):
            def __init__(self, *args: Any, **kwargs: Any):
                super().__init__(*args, **kwargs)
                self.commands = _Commands(app, self.commands)

        super().__init__(cls=Group, **settings)

    def names(self) -> list[str]:
        return list(dict.fromkeys([*self.modules, *self.later]))

    def build(self, name: str) -> Any:
        """The Click command `name`, importing the module that defines it first; KeyError if there is none."""
        if name not in self.later:
            importlib.import_module(self.modules[name]).register(self)
        return self.later[name]()

    def add_typer(self, typer_instance: typer.Typer, **settings: Any) -> None:  # type: ignore[override]
        """A group of commands (`hrfind import hsds`), built like a command: when it is looked up."""
        self.later[settings.get("name") or typer_instance.info.name] = lambda: get_group_from_info(
            TyperInfo(typer_instance, **settings), pretty_exceptions_short=self.pretty_exceptions_short,
            suggest_commands=self.suggest_commands, rich_markup_mode=self.rich_markup_mode)


class _Commands(MutableMapping[str, Any]):
    """A group's commands by name, each built on first lookup."""

    def __init__(self, app: App, built: MutableMapping[str, Any]):
        self._commands: dict[str, Any] = {**dict.fromkeys(app.names()), **built}
        self._app = app

    def __getitem__(self, name: str) -> Any:
        found = self._commands[name]
        if found is None:
            found = self._commands[name] = self._app.build(name)
        return found

    def __setitem__(self, name: str, command: Any) -> None:
        self._commands[name] = command

    def __delitem__(self, name: str) -> None:
        del self._commands[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._commands)

    def __len__(self) -> int:
        return len(self._commands)


def command(app: typer.Typer, name: str | None = None, output: bool = True, formats: dict[str, str] | None = None,
            **settings: Any) -> Callable:
    """Register `fn(run, ...) -> ExitStatus` as a command with the shared options added."""

    def register(fn: Callable) -> Callable:
        def define() -> CommandInfo:
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
            return CommandInfo(name, callback=invoke, **settings)

        if isinstance(app, App):
            app.later[name or fn.__name__.lower().replace("_", "-")] = lambda: get_command_from_info(
                define(), pretty_exceptions_short=app.pretty_exceptions_short, rich_markup_mode=app.rich_markup_mode)
        else:
            app.registered_commands.append(define())
        return fn

    return register


def _call(fn: Callable, run: Run, given: dict, output: bool, formats: dict[str, str] | None, kwargs: dict) -> ExitStatus:
    if output:
        extra = {k: given[k] for k in (formats or {})}
        run.mode = choose_mode(given["json"], given["jsonl"], given["plain"], run.env.stdout_isatty, **extra)
    try:
        return fn(run, **kwargs)
    except StoreDamaged:
        run.bypass = True  # a damaged page found mid-query: answer from the data files themselves
        return fn(run, **kwargs)


def _say(env: Environment, message: str) -> None:
    """One line on stderr, without control characters."""
    # Messages quote data and queries (file names, ids, values): nothing in them may move the cursor or retitle the terminal.
    env.stderr.write(f"hrfind: {clean(message, newlines=False)}\n")


def guarded(env: Environment, body: Callable[[], ExitStatus]) -> ExitStatus:
    """Run a command body: errors become a message on stderr and an exit status, never a traceback."""
    try:
        return body() or ExitStatus.OK
    except HrfindError as error:
        _say(env, str(error))
        return error.exit_status
    except KeyboardInterrupt:
        _say(env, "interrupted.")
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
        _say(env, f"internal error: {type(error).__name__}: {error}. Run again with HRFIND_DEBUG=1 for details, and please report it.")
        return ExitStatus.INTERNAL
