"""Read files that come from outside: regular files only, so that a FIFO or a device never hangs a run."""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

# Never wait on a FIFO or take over a terminal while opening; harmless for a regular file.
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_WHAT = {stat.S_IFIFO: "a named pipe", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket",
         stat.S_IFDIR: "a folder", stat.S_IFLNK: "a symbolic link"}


class NotRegularFile(OSError):
    """A path that is a FIFO, a device, a folder or (when links are not followed) a link, or has the wrong owner."""


def _check(info: os.stat_result, path: str | os.PathLike[str], owner: int | None) -> None:
    if not stat.S_ISREG(info.st_mode):
        what = _WHAT.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise NotRegularFile(errno.EINVAL, f"it is {what}, not a regular file", str(path))
    if owner is not None and info.st_uid != owner:
        raise NotRegularFile(errno.EPERM, "it belongs to another user", str(path))


def open_regular(path: str | os.PathLike[str], owner: int | None = None, follow: bool = True) -> BinaryIO:
    """A regular file open for reading bytes; NotRegularFile for anything else, or when `owner` is given and does not own it."""
    # Checked before opening (opening a device can act on it) and again on the open file (it may have been swapped).
    _check(os.stat(path, follow_symlinks=follow), path, owner)
    fd = os.open(path, _FLAGS | (0 if follow else getattr(os, "O_NOFOLLOW", 0)))
    file = os.fdopen(fd, "rb")
    try:
        _check(os.fstat(file.fileno()), path, owner)
    except BaseException:
        file.close()
        raise
    return file


def read_regular(path: str | os.PathLike[str], owner: int | None = None, follow: bool = True) -> bytes:
    """The bytes of a regular file; NotRegularFile for anything else, or when `owner` is given and does not own it."""
    with open_regular(path, owner, follow) as file:
        return file.read()


def text_of(path: str | os.PathLike[str]) -> str:
    """A path as text that every encoder accepts: bytes of a name that are not UTF-8 become \\xNN escapes."""
    text = os.fspath(path)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no file system decoding makes
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
