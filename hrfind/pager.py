"""Long output on a terminal goes through a pager, the way git and gh do.

The pager is `HRFIND_PAGER`, else `PAGER`, else `less -FRX`; "cat" or an empty value means none.
It is run directly (split like a shell would, no shell). A pager that cannot be started means the
text is printed instead: a bad PAGER never loses an answer.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from collections.abc import Mapping
from typing import TextIO

DEFAULT = "less -FRX"
_HYPERLINK = re.compile("\x1b]8;[^\x07\x1b]*(?:\x07|\x1b\\\\)")


def command(environ: Mapping[str, str]) -> list[str] | None:
    """The pager's command line, or None for no pager."""
    value = environ.get("HRFIND_PAGER", environ.get("PAGER", DEFAULT))
    try:
        words = shlex.split(value)
    except ValueError:  # unbalanced quotes: not a command we can run
        return None
    return None if not words or words[0] == "cat" else words


def on_terminal(stream: TextIO) -> bool:
    """Whether the stream really is a terminal (not only said to be one)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def rows() -> int:
    return shutil.get_terminal_size(fallback=(80, 24)).lines


def page(text: str, argv: list[str], environ: Mapping[str, str]) -> bool:
    """Show text in the pager and wait for it; False when it could not be started, so the caller prints the text."""
    env = {**environ}
    env.setdefault("LESS", "FRX")  # as git: quit if one screen, keep colour, leave the text on screen
    env.setdefault("LV", "-c")
    try:
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    # Pagers do not all understand OSC 8 hyperlinks; the text goes without them.
    data = _HYPERLINK.sub("", text).encode("utf-8", "replace")
    try:
        process.communicate(data)
    except BrokenPipeError:  # the reader quit before the end: that is fine
        process.wait()
    except KeyboardInterrupt:
        process.wait()  # the pager handles Ctrl-C itself; wait until it has given the terminal back
    return True

