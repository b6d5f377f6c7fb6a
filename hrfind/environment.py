"""The streams a run writes to, whether they are terminals, and the choices that follow from that."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TextIO

import msgspec


def stdout_failed(reason: str) -> Exception:
    """The error of a stdout that cannot be written: exit 74 and one sentence."""
    from hrfind.errors import OutputError

    return OutputError(f"Cannot write to standard output ({reason}); nothing more was written.")


class Stdout:
    """Standard output that turns a failed write into an error the run reports (exit 74), not a traceback.

    A closed pipe (`| head`) stays a BrokenPipeError, which the run treats as a quiet end.
    """

    def __init__(self, stream: TextIO | None):
        self.stream = stream
        self.written = False  # a run that prints nothing does not fail for a stdout it never used

    def _failed(self, error: BaseException) -> Exception:
        from hrfind.errors import UsageError

        if isinstance(error, UnicodeEncodeError):
            encoding = getattr(self.stream, "encoding", None) or "its encoding"
            return UsageError(f"Standard output takes only {encoding} text, and the answer holds {error.object[error.start:error.end]!r}. "
                              "Set PYTHONIOENCODING=utf-8, or use a UTF-8 locale, and run again.")
        return stdout_failed(getattr(error, "strerror", None) or "it is closed")

    def takes(self, text: str) -> bool:
        """Whether the stream's encoding holds every character of `text`."""
        encoding = getattr(self.stream, "encoding", None)
        try:
            text.encode(encoding or "utf-8")
            return True
        except (UnicodeEncodeError, LookupError):
            return False

    def write(self, text: str) -> int:
        if not text:
            return 0
        self.written = True
        if self.stream is None:  # started with stdout closed (`>&-`)
            raise self._failed(ValueError())
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            raise
        except (OSError, ValueError, UnicodeEncodeError) as error:  # ValueError: a stream closed under us
            raise self._failed(error) from error

    def flush(self) -> None:
        if self.stream is None or not self.written:
            return
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as error:
            raise self._failed(error) from error

    def isatty(self) -> bool:
        return _isatty(self.stream) if self.stream is not None else False

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Environment(msgspec.Struct):
    """Carried through a run so tests can pretend to be a terminal or a pipe."""

    stdout: TextIO = msgspec.field(default_factory=lambda: sys.stdout)
    stderr: TextIO = msgspec.field(default_factory=lambda: sys.stderr)
    stdout_isatty: bool | None = None
    stderr_isatty: bool | None = None
    environ: Mapping[str, str] = msgspec.field(default_factory=lambda: os.environ)

    def __post_init__(self) -> None:
        if not isinstance(self.stdout, Stdout):
            self.stdout = Stdout(self.stdout)  # type: ignore[assignment]
        if self.stdout_isatty is None:
            self.stdout_isatty = _isatty(self.stdout)
        if self.stderr_isatty is None:
            self.stderr_isatty = _isatty(self.stderr)

    def hyperlinks(self) -> bool:
        """Whether stdout is a terminal known to show OSC 8 hyperlinks; FORCE_HYPERLINK=1 or 0 decides outright."""
        forced = self.environ.get("FORCE_HYPERLINK")
        if forced is not None:
            return forced not in ("", "0")
        if not self.stdout_isatty or self.environ.get("TERM") == "dumb":
            return False
        # Terminals that show them (those that do not print the escape sequence as text, or ignore it).
        if self.environ.get("TERM_PROGRAM") in ("iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper"):
            return True
        if self.environ.get("TERM") in ("xterm-kitty", "alacritty", "foot", "xterm-ghostty"):
            return True
        vte = self.environ.get("VTE_VERSION", "")
        return (vte.isdigit() and int(vte) >= 5000) or any(k in self.environ for k in ("WT_SESSION", "KONSOLE_VERSION", "DOMTERM"))

    def color(self, choice: str, tty: bool) -> bool:
        """Whether to colour a stream: --color always/never win, then NO_COLOR, TERM=dumb, the terminal."""
        if choice != "auto":
            return choice == "always"
        if self.environ.get("NO_COLOR") or self.environ.get("TERM") == "dumb":
            return False
        return tty
