"""Where `import` and `export` may write: a new path, or a file or package hrfind wrote itself.

Nothing but a regular file is ever replaced (not a device, a FIFO or a link), never a file the
same run reads, and a file or HSDS package that hrfind did not write only with --force.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from hrfind.errors import OutputError, UsageError

# How hrfind's own files start: the header of an import, the first bytes of each export format.
OWN_STARTS = (b"# Imported by hrfind", b"[]", b'[\n  {\n    "kind": "', b'{"kind":"', b"kind,id,",
              b'{\n  "type": "FeatureCollection"')
PACKAGE_NAME = "hrfind-export"  # the `name` of the datapackage.json hrfind writes
TO_STDOUT = "leave out -o to write to standard output"


def _what(mode: int) -> str | None:
    """What a path that is not a regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def check_file(path: Path, inputs: Iterable[Path], force: bool) -> None:
    """UsageError unless `path` can be written as a file by this run: see the module's rules."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise UsageError(f"Cannot look at {path} ({error.strerror}). Give -o another path.") from error
    if info is not None:
        what = _what(info.st_mode)
        if what == "a folder":
            raise UsageError(f"{path} is a folder. Give the name of the file to write in it.")
        if what:
            raise UsageError(f"{path} is {what}, and hrfind replaces only regular files. Give the path of a file, or {TO_STDOUT}.")
        _not_an_input(path, inputs)
        if not force and info.st_size and not _own_file(path):
            raise UsageError(f"{path} exists and was not written by hrfind. Give --force to replace it, or another name.")
    _folder_writable(path)


def check_package(path: Path, inputs: Iterable[Path], force: bool) -> None:
    """UsageError unless an HSDS package can be written at `path`: a .zip, or a folder."""
    if path.suffix.lower() == ".zip":
        check_file(path, inputs, force=True)  # a zip hrfind did not write is told by its content, below
        if not force and path.exists() and path.stat().st_size and not _own_zip(path):
            raise UsageError(f"{path} exists and is not an HSDS package written by hrfind. Give --force to replace it, or another name.")
        return
    if path.is_dir():
        descriptor = path / "datapackage.json"
        if descriptor.exists() and not force and not _own_descriptor(descriptor.read_bytes):
            raise UsageError(f"{path} holds an HSDS package that hrfind did not write. Give --force to replace its files, or a new folder.")
        from hrfind.hsds import spec

        for name in [*(file for file, _ in spec.TABLES.values()), "datapackage.json"]:
            if (path / name).exists():
                check_file(path / name, inputs, force=True)
        _folder_writable(path / "datapackage.json")
    elif path.exists() or path.is_symlink():
        check_file(path, inputs, force)
    else:
        _folder_writable(path)


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn a write that fails (a full disk, a folder that turned read-only) into exit 74 with one sentence."""
    try:
        yield
    except OSError as error:
        raise OutputError(f"Cannot write {path} ({error.strerror or error}); nothing was changed there.") from error


def _folder_writable(path: Path) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"No folder {folder} to write {path.name} in. Create it first.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"Cannot write in {folder} (no permission, or a read-only disk). Give -o a path in a folder you can write.")


def _not_an_input(path: Path, inputs: Iterable[Path]) -> None:
    for source in inputs:
        try:
            same = os.path.samefile(path, source)
        except OSError:
            continue
        if same:
            raise UsageError(f"{path} is read by this same run, so it cannot be its output. Give -o another name.")


def _own_file(path: Path) -> bool:
    try:
        with open(path, "rb") as file:  # a regular file: check_file looked
            head = file.read(64)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf").startswith(OWN_STARTS)


def _own_descriptor(read) -> bool:
    import json

    try:
        descriptor = json.loads(read())
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(descriptor, dict) and descriptor.get("name") == PACKAGE_NAME


def _own_zip(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("datapackage.json")
            return info.file_size < 2**22 and _own_descriptor(lambda: archive.read(info))
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError, ValueError):
        return False
