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
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_group_from_info
from typer.models import CommandInfo, TyperInfo

from hrfind.catalog import Catalog
from hrfind.environment import Environment
from hrfind import complete
from hrfind.errors import DataError, ExitStatus, HrfindError, StoreDamaged, UsageError
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
    quiet: bool = False
    no_pager: bool = False
    lang: Optional[str] = None

    def merged(self, other: "Globals") -> "Globals":
        return Globals(
            data=self.data + other.data,
            no_bundled=self.no_bundled or other.no_bundled,
            strict=self.strict or other.strict,
            color=other.color if other.color is not Color.auto else self.color,
            quiet=self.quiet or other.quiet,
            no_pager=self.no_pager or other.no_pager,
            lang=other.lang or self.lang,
        )


DataOption = Annotated[Optional[list[Path]], typer.Option("--data", help="Read records from this TOML file or folder too (repeatable).", show_default=False)]
NoBundledOption = Annotated[bool, typer.Option("--no-bundled", help="Leave out the bundled principles, strategies and services.")]
StrictOption = Annotated[bool, typer.Option("--strict", help="Exit 3 on any data problem instead of warning.")]
ColorOption = Annotated[Color, typer.Option("--color", help="Colour: auto follows the terminal, NO_COLOR and TERM=dumb.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No notes or warnings on stderr; errors still print.")]
NoPagerOption = Annotated[bool, typer.Option("--no-pager", help="Print long output straight to the terminal, without a pager.")]
LangOption = Annotated[Optional[str], typer.Option("--lang", metavar="CODE", show_default=False, autocompletion=complete.interface_languages,
                                                   help="Answer in this language: en or es (default: HRFIND_LANG, else the locale).")]
# The options every command takes, as (name, annotation, default): Globals' fields, in order.
GLOBAL_OPTIONS = (("data", DataOption, None), ("no_bundled", NoBundledOption, False), ("strict", StrictOption, False),
                  ("color", ColorOption, Color.auto), ("quiet", QuietOption, False), ("no_pager", NoPagerOption, False), ("lang", LangOption, None))
OUTPUT_FLAGS = {
    "json": "Print an indented JSON array.",
    "jsonl": "Print JSON Lines: one object a line.",
    "plain": "Print tab-separated lines, no header, no colour (the default off a terminal).",
}


def _global_params() -> list[inspect.Parameter]:
    kw = inspect.Parameter.KEYWORD_ONLY
    return [inspect.Parameter(name, kw, annotation=annotation, default=default) for name, annotation, default in GLOBAL_OPTIONS]


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
    lang: str = "en"  # the language of the answer (hrfind.i18n), chosen when the command starts

    @property
    def human(self) -> bool:
        return self.mode == "human"

    def console(self, stderr: bool = False):
        from hrfind import human

        tty = self.env.stderr_isatty if stderr else self.env.stdout_isatty
        stream = self.env.stderr if stderr else self.env.stdout
        return human.console(stream, self.env.color(self.options.color.value, tty), tty)

    def note(self, message: str) -> None:
        """A line for the person, never for the pipe: stderr, unless --quiet."""
        if not self.options.quiet:
            _say(self.env, message)

    def catalog(self, extra: Sequence[Path] = ()) -> Catalog:
        """Load every layer; warn about data problems, or fail on them with --strict."""
        from hrfind import catalog

        layers = catalog.layers([*self.options.data, *extra], self.options.no_bundled, self.env.environ)
        with self.progress("Reading data files") as progress:
            given = self.env.environ.get("HRFIND_STORE")
            loaded = catalog.load(layers, progress, use_cache=not self.bypass, store=Path(given) if given and not self.bypass else None)
        loaded.store.read_in(self.lang)
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
        if strict:  # errors: printed even with --quiet
            for problem in problems:
                _say(self.env, f"error: {problem}")
            raise DataError(f"{len(problems)} problem(s) in the data (listed above). Fix them, or run without --strict to skip what is broken.")
        for problem in problems[:MAX_WARNINGS]:
            self.note(f"warning: {problem}")
        if len(problems) > MAX_WARNINGS:
            self.note(f"... and {len(problems) - MAX_WARNINGS} more problems; `hrfind validate` lists them all.")

    def emit(self, items: Sequence[Item], human: Callable[[Sequence[Item]], Any] | None = None,
             empty: str = "Nothing matched.", text: Callable[[Sequence[Item]], str] | None = None,
             plain: Callable[[Sequence[Item]], str] | None = None) -> ExitStatus:
        """Print results in the chosen mode; exit 1 when there are none, like grep.

        `text` is the readable page of the "text" mode, `plain` a command's own tab-separated lines.
        """
        from hrfind import output

        if self.mode == "json":
            self.env.stdout.write(output.json_array(items))
        elif self.mode == "jsonl":
            self.env.stdout.write(output.json_lines(items))
        elif self.mode == "text" and text is not None:
            self.env.stdout.write(text(items) if items else "")
        elif self.mode in ("plain", "text"):
            self.env.stdout.write((plain or output.plain)(items))
        elif items:
            self.show(human(items))
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
            self.show(human(value))

    @property
    def links(self) -> bool:
        """Whether the human view may hold hyperlinks."""
        return self.env.hyperlinks()

    def show(self, view: Any) -> None:
        """Print a human view; through the pager when it is taller than the terminal, unless --no-pager."""
        from hrfind import pager

        console = self.console()
        argv = None if self.options.no_pager else pager.command(self.env.environ)
        if argv is None or not (self.env.stdout_isatty and pager.on_terminal(self.env.stdout)):
            console.print(view, crop=False)  # uncropped: a long web address runs on whole, for the terminal to wrap
            return
        with console.capture() as captured:
            console.print(view, crop=False)
        text = captured.get()
        if text.count("\n") < pager.rows() or not pager.page(text, argv, self.env.environ):
            self.env.stdout.write(text)
            self.env.stdout.flush()


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

ENVIRONMENT = (
    ("HRFIND_DATA", f"more data files or folders, separated by {os.pathsep!r}"),
    ("HRFIND_STORE", "a store compiled elsewhere to answer from as it is (a kiosk)"),
    ("HRFIND_LANG", "the language of the answers, en or es, as --lang; else the locale (LC_ALL, LC_MESSAGES, LANG)"),
    ("HRFIND_PAGER, PAGER", 'the pager for long output on a terminal (default "less -FRX"; "cat" for none)'),
    ("NO_COLOR", "no colour (as --color never)"),
    ("HRFIND_DEBUG=1", "a traceback instead of the one-line message on an internal error"),
)


class _Epilog:
    """Help that ends with examples, the environment variables and the data and cache folders."""

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        super().format_epilog(ctx, formatter)  # type: ignore[misc]
        from hrfind import catalog
        from hrfind.store import files

        root = ctx.find_root().command
        examples = getattr(root, "examples", {}).get(ctx.command_path.partition(" ")[2], ())
        if examples:
            with formatter.section("Examples"):
                for line, what in examples:  # as typed, never wrapped; what it does below
                    formatter.write(f"{'':>{formatter.current_indent}}{line}\n{'':>{formatter.current_indent + 4}}{what}\n")
        with formatter.section("Environment"):
            formatter.write_dl(ENVIRONMENT)
        data = catalog.user_dir()
        with formatter.section("Folders"):
            formatter.write_dl([("data", f"{data}{'' if data.is_dir() else ' (not created yet)'}"),
                                ("cache", str(files.folder()))])


class HelpCommand(_Epilog, TyperCommand):
    pass


class App(typer.Typer):
    """A Typer app that imports a command's module and builds its options only when it is looked up."""

    # Typer turns every command's signature into Click options before it parses the command line,
    # and each command module costs its imports; for a dozen commands that is a good part of a
    # run. Here a run pays for the command it runs; `--help`, which lists them all, builds them all.

    def __init__(self, modules: dict[str, str], examples: dict[str, Sequence[tuple[str, str]]] | None = None,
                 **settings: Any):
        self.modules = modules  # command name -> the module whose register(app) defines it
        self.later: dict[str, Callable[[], Any]] = {}  # command name -> builds its Click command
        app = self

        class Group(_Epilog, TyperGroup):
            def __init__(self, *args: Any, **kwargs: Any):
                super().__init__(*args, **kwargs)
                self.commands = _Commands(app, self.commands)
                self.examples = examples or {}  # "search" or "import hsds" -> (command line, what it does)

            def resolve_command(self, ctx: Any, args: list[str]) -> Any:
                from typer import _click  # the Click that Typer carries

                try:
                    return super().resolve_command(ctx, args)
                except _click.exceptions.UsageError as error:
                    if args and not args[0].startswith("-") and not self.close_names(args[0]):
                        # `hrfind narcan`: a word to look up, not a mistyped command; say what does that.
                        import shlex

                        error.message = f"No such command {args[0]!r}. To look it up, run: hrfind search {shlex.join(args)}"
                    raise

            def close_names(self, word: str) -> list[str]:
                import difflib

                return difflib.get_close_matches(word, list(self.commands))

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
            piped: str = "plain", emergency: bool = False, **settings: Any) -> Callable:
    """Register `fn(run, ...) -> ExitStatus` as a command with the shared options added; `piped` is its mode off a terminal.

    An `emergency` command answers even when the language asked for is one hrfind does not have: in English, then the error.
    """

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
                options = root.merged(Globals(**{**{name: given[name] for name, _, _ in GLOBAL_OPTIONS}, "data": given["data"] or []}))
                env = ENV()
                run = Run(env, options)
                status = guarded(env, lambda: _call(fn, run, given, output, formats, piped, kwargs, emergency))
                if status:
                    raise typer.Exit(int(status))

            invoke.__signature__ = signature.replace(parameters=[context, *own, *shared])
            invoke.__annotations__ = {p.name: p.annotation for p in [context, *own, *shared]}
            return CommandInfo(name, callback=invoke, cls=HelpCommand, **settings)

        if isinstance(app, App):
            app.later[name or fn.__name__.lower().replace("_", "-")] = lambda: get_command_from_info(
                define(), pretty_exceptions_short=app.pretty_exceptions_short, rich_markup_mode=app.rich_markup_mode)
        else:
            app.registered_commands.append(define())
        return fn

    return register


def _call(fn: Callable, run: Run, given: dict, output: bool, formats: dict[str, str] | None, piped: str,
          kwargs: dict, emergency: bool = False) -> ExitStatus:
    from hrfind import i18n

    unknown = None
    try:
        run.lang = i18n.choose(run.options.lang, run.env.environ)
    except ValueError as error:
        if not emergency:
            raise UsageError(str(error)) from None
        # HRFIND_LANG=fr set long ago must not stand between a person and the overdose steps.
        unknown, run.lang = UsageError(f"{error} The page above is in English."), i18n.ENGLISH
    i18n.use(run.lang)  # every run sets it, so one run's language never carries over to the next in a process
    if output:
        extra = {k: given[k] for k in (formats or {})}
        run.mode = choose_mode(given["json"], given["jsonl"], given["plain"], run.env.stdout_isatty, piped, **extra)
    try:
        status = fn(run, **kwargs)
    except StoreDamaged:
        run.bypass = True  # a damaged page found mid-query: answer from the data files themselves
        status = fn(run, **kwargs)
    if unknown is not None:
        raise unknown
    return status


def discard_stdout() -> None:
    """Point stdout at the null device, so that what is still buffered for it cannot fail again at exit."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # AttributeError: no stdout at all
        pass


def output_failed(error: OSError) -> int:
    """What `hrfind --help` or `--version` does when stdout cannot be written; commands report through `guarded`."""
    import errno

    from hrfind.environment import stdout_failed

    discard_stdout()
    if error.errno == errno.EPIPE:
        return ExitStatus.OK
    sys.stderr.write(f"hrfind: {stdout_failed(error.strerror or str(error))}\n")
    return ExitStatus.IO_ERROR


def _say(env: Environment, message: str) -> None:
    """One line on stderr, without control characters."""
    # Messages quote data and queries (file names, ids, values): nothing in them may move the cursor or retitle the terminal.
    env.stderr.write(f"hrfind: {clean(message, newlines=False)}\n")


def guarded(env: Environment, body: Callable[[], ExitStatus]) -> ExitStatus:
    """Run a command body: errors become a message on stderr and an exit status, never a traceback."""
    try:
        status = body() or ExitStatus.OK
        env.stdout.flush()  # a full disk shows here, while the run can still say so
        return status
    except HrfindError as error:
        if error.exit_status is ExitStatus.IO_ERROR:
            discard_stdout()
        _say(env, str(error))
        return error.exit_status
    except KeyboardInterrupt:
        _say(env, "interrupted.")
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly.
        discard_stdout()
        return ExitStatus.OK
    except Exception as error:  # noqa: BLE001 - the last line of defence for a person at a terminal
        if env.environ.get("HRFIND_DEBUG") == "1":
            raise
        _say(env, f"internal error: {type(error).__name__}: {error}. Run again with HRFIND_DEBUG=1 for details, and please report it.")
        return ExitStatus.INTERNAL
