"""Write files so that a reader sees the old content or the new, never half of it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def _umask() -> int:
    umask = os.umask(0)  # the only way to read it is to set it
    os.umask(umask)
    return umask


def _new_file_mode(path: Path) -> int:
    """The mode the file would get if written plainly: its current one, else the umask's."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str], mode: str = "wb", encoding: str | None = None,
              newline: str | None = None, permissions: int | None = None) -> Iterator[IO]:
    """A file open for writing that replaces `path` only when the block ends without an exception.

    It gets `permissions`, else the mode of the file it replaces, else what the umask gives a new file.
    """
    path = Path(path)
    # The temporary file sits beside the target: os.replace is atomic only within one file system.
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, _new_file_mode(path) if permissions is None else permissions)
        os.replace(temp, path)
    except BaseException:  # KeyboardInterrupt too: never leave the temporary file behind
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the system allows opening a folder."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Replace a file's content with `data` (text is written as UTF-8) in one step."""
    with replacing(path, "wb") as file:
        file.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextlib.contextmanager
def new_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A folder to fill that appears at `path`, whole, only when the block ends without an exception."""
    import shutil

    path = Path(path)
    temp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        yield temp
        os.chmod(temp, 0o777 & ~_umask())
        os.rename(temp, path)  # fails, rather than merging, if the folder appeared meanwhile
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    _sync_folder(path.parent)
