"""The cache folder and the files in it, trusted only when they are this user's own.

The folder is made mode 0700 and its files are written 0600, through a temporary file renamed
into place. A file is read only when it is a regular file (not a link, not a device) owned by
the user; anything else is treated as absent, and a folder that cannot be written means no
cache, never an error.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# A file changed this recently may change again within the same timestamp tick (FAT and HFS+
# keep whole seconds), so it is compiled but not cached until it has been left alone.
RACY_NS = 2_000_000_000


def folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("hrfind"))


def _owned(info: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def trusted(path: Path) -> bool:
    """Whether a cache file may be read: a regular file owned by the user, in a folder of the user's."""
    try:
        info, parent = os.lstat(path), os.lstat(path.parent)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and _owned(info) and stat.S_ISDIR(parent.st_mode) and _owned(parent)


def read(path: Path) -> bytes | None:
    """A cache file's bytes when it is trusted; None otherwise."""
    if not trusted(path):
        return None
    try:
        with open(path, "rb", opener=lambda p, flags: os.open(p, flags | getattr(os, "O_NOFOLLOW", 0))) as file:
            return file.read()
    except OSError:
        return None


def ready(root: Path) -> bool:
    """Make the cache folder (0700) if needed; False when it cannot be used for writing."""
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(root)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or not _owned(info):
        return False
    if info.st_mode & 0o077:
        with contextlib.suppress(OSError):
            os.chmod(root, 0o700)
    return os.access(root, os.W_OK | os.X_OK)


@contextlib.contextmanager
def new_file(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` (mode 0600) that replaces it when the block ends without an exception."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)  # mkstemp makes it 0600; the writer opens it by name
    try:
        yield Path(temp)
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:  # KeyboardInterrupt too: never leave the temporary file behind
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write(path: Path, data: bytes) -> bool:
    """Replace a cache file with `data`; False when the folder cannot be written."""
    if not ready(path.parent):
        return False
    try:
        with new_file(path) as temp:
            temp.write_bytes(data)
    except OSError:
        return False
    return True


def settled(info: os.stat_result) -> bool:
    """Whether a file was last changed long enough ago (or, clock skew, ahead) for its key to be trusted."""
    return abs(time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns)) > RACY_NS


def prune(root: Path, keep: int, exempt: str, suffix: str) -> None:
    """Remove the oldest `*suffix` files beyond `keep`, never `exempt`, and temporary files abandoned an hour ago."""
    try:
        found = [(entry.stat(follow_symlinks=False).st_mtime_ns, entry.name, entry.path) for entry in os.scandir(root)]
    except OSError:
        return
    ours = sorted((f for f in found if f[1].endswith(suffix) and not f[1].startswith(".")), reverse=True)
    abandoned = time.time_ns() - 3600 * 10**9  # a write killed outright (SIGKILL)
    doomed = [path for _, name, path in ours[keep:] if name != exempt]
    doomed += [path for mtime, name, path in found if name.startswith(".") and name.endswith(".tmp") and mtime < abandoned]
    for path in doomed:
        with contextlib.suppress(OSError):
            os.unlink(path)
