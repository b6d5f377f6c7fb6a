"""Exception types of the core and the exit codes the CLI maps them to."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    NO_MATCH = 1  # like grep: ran fine, found nothing
    USAGE = 2
    INVALID_DATA = 3
    PLACE_NOT_FOUND = 4
    INTERNAL = 70  # a bug in hrfind (EX_SOFTWARE); never expected
    IO_ERROR = 74  # stdout or an output file could not be written (EX_IOERR)
    INTERRUPTED = 130


class HrfindError(Exception):
    """An error a user can act on; its message is one or two plain sentences."""

    exit_status = ExitStatus.USAGE


class UsageError(HrfindError):
    exit_status = ExitStatus.USAGE


class NotFoundError(HrfindError):
    exit_status = ExitStatus.NO_MATCH


class DataError(HrfindError):
    exit_status = ExitStatus.INVALID_DATA


class PlaceNotFoundError(HrfindError):
    exit_status = ExitStatus.PLACE_NOT_FOUND


class OutputError(HrfindError):
    """Standard output or an output file could not be written (a full disk, a closed stream)."""

    exit_status = ExitStatus.IO_ERROR


class StoreDamaged(Exception):
    """The compiled store turned out damaged in the middle of a query: run again without it."""
