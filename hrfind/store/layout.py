"""The data layers as found on disk, and what merging them reported: what loading needs without compiling."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from hrfind.problem import Problem

Progress = Callable[[int, int], None]  # bytes compiled so far, bytes to compile


class File(NamedTuple):
    path: Path
    origin: str
    key: str | None  # what changes when the file does; None when it could not be read
    size: int


class Part(NamedTuple):
    """One data layer as found on disk."""

    name: str  # its path, as `info` counts records by it
    exists: bool
    offers_only: bool  # --no-bundled still loads the bundled offer vocabulary
    problems: list[Problem]  # what discovering its files reported
    files: list[File]


class Override(NamedTuple):
    id: str
    kind: str
    replaced: str
    by: str
