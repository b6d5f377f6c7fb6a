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

    def color(self, choice: str, tty: bool) -> bool:
        """Whether to colour a stream: --color always/never win, then NO_COLOR, TERM=dumb, the terminal."""
        if choice != "auto":
            return choice == "always"
        if self.environ.get("NO_COLOR") or self.environ.get("TERM") == "dumb":
            return False
        return tty
