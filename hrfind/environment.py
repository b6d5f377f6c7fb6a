"""The streams a run writes to, whether they are terminals, and the choices that follow from that."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TextIO

import msgspec


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
