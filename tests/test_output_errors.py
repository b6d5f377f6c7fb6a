"""Issue 14, item 9: a stdout that cannot be written is exit 74 with one sentence; a closed pipe stays quiet."""

import io
import os
import re
import subprocess

import pytest

from hrfind import runner
from hrfind.cli import app
from hrfind.environment import Environment
from tests.test_package import installed_hrfind

SAMPLE = os.path.join(os.path.dirname(__file__), "fixtures", "sample.toml")
COMMANDS = [
    ["search", "naloxone"], ["show", "naloxone"], ["principles"], ["strategies"], ["offers"], ["overdose"],
    ["services", "--near", "21201"], ["info"], ["validate", SAMPLE + "x"], ["--data", SAMPLE, "search", "sample"],
]
MODES = [[], ["--json"], ["--jsonl"], ["--plain"]]
OTHERS = [["schema"], ["schema", "service"], ["--version"], ["--help"], ["search", "--help"], [],
          *(["export", "--format", f] for f in ("json", "jsonl", "csv", "geojson")),
          ["services", "--near", "21201", "--geojson"]]
SENTENCE = "hrfind: Cannot write to standard output"


def hrfind(args, stdout, **kwargs):
    return subprocess.run([installed_hrfind(), *args], stdout=stdout, stderr=subprocess.PIPE, text=True, **kwargs)


def full_disk():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    return open("/dev/full", "w")


def bad_validate(args, tmp_path):
    """validate of a file with a problem, so that it prints."""
    if args[0] == "validate":
        bad = tmp_path / "bad.toml"
        bad.write_text('[[strategy]]\nid = "Bad"\n')
        return ["validate", str(bad)]
    return args


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m[0] if m else "default")
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_full_disk_is_exit_74_with_one_sentence(args, mode, tmp_path):
    with full_disk() as stdout:
        result = hrfind([*bad_validate(args, tmp_path), *mode], stdout)
    assert result.returncode == 74, result.stderr
    # Notes may come first (they go to stderr as the run goes); the error is the last line, said once.
    assert result.stderr.splitlines()[-1] == f"{SENTENCE} (No space left on device); nothing more was written."
    assert result.stderr.count(SENTENCE) == 1 and "Exception ignored" not in result.stderr


@pytest.mark.parametrize("args", OTHERS, ids=" ".join)
def test_a_full_disk_is_exit_74_for_the_other_outputs_too(args):
    with full_disk() as stdout:
        result = hrfind(args, stdout)
    assert result.returncode == 74 and result.stderr.splitlines()[-1].startswith(SENTENCE), result.stderr
    assert result.stderr.count(SENTENCE) == 1 and "Exception ignored" not in result.stderr


@pytest.mark.parametrize("args", [["principles"], ["principles", "--json"], ["export", "--format", "csv"], ["schema"], ["overdose"]], ids=" ".join)
def test_a_closed_stdout_is_exit_74(args):
    result = hrfind(args, subprocess.DEVNULL, pass_fds=(), preexec_fn=lambda: os.close(1))
    assert result.returncode == 74 and result.stderr.startswith(SENTENCE), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["export", "--format", "jsonl"], ["strategies", "--json"], ["--help"]], ids=" ".join)
def test_a_closed_pipe_stays_quiet(args):
    process = subprocess.Popen([installed_hrfind(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.read(10)
    process.stdout.close()  # what `| head -c 10` does
    stderr = process.stderr.read().decode()
    assert process.wait() in (0, 1) and stderr == ""


class Broken(io.StringIO):
    """A terminal whose writes fail, as a full disk or a hung-up terminal does."""

    def write(self, text):
        raise OSError(5, "Input/output error")

    def isatty(self):
        return True


def test_the_human_view_on_a_failing_terminal_is_exit_74(monkeypatch):
    from typer.testing import CliRunner

    # hrfind's own writes are under test: a pager would write to the real terminal instead.
    monkeypatch.setenv("HRFIND_PAGER", "cat")

    for args in (["principles"], ["overdose"], ["show", "naloxone"], ["info"], ["services", "--near", "21201"]):
        monkeypatch.setattr(runner, "ENV", lambda: Environment(stdout=Broken(), stdout_isatty=True, stderr_isatty=False))
        result = CliRunner().invoke(app, args, catch_exceptions=False)
        assert result.exit_code == 74, (args, result.stderr)
        assert result.stderr.endswith(f"{SENTENCE} (Input/output error); nothing more was written.\n")


def test_an_encoding_that_cannot_hold_the_answer_is_a_usage_error():
    result = subprocess.run([installed_hrfind(), "strategies", "--json"], capture_output=True, text=True,
                            env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert result.returncode == 2 and "PYTHONIOENCODING=utf-8" in result.stderr and "Traceback" not in result.stderr


# --- item 11: COLUMNS=0 and terminals that report no size -------------------------------------------

def on_a_terminal(args, columns, size=None):
    """Run the installed hrfind on a new pseudo-terminal (which reports 0 x 0 unless `size` is given)."""
    import fcntl
    import pty
    import struct
    import termios

    main, child = pty.openpty()
    if size:
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    # No pager: a pager on a real terminal would wait for a key, and the width is what is under test.
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "HRFIND_PAGER": "cat"}
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = columns
    process = subprocess.Popen([installed_hrfind(), *args], stdin=child, stdout=child, stderr=child, env=env)
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the terminal's other side closed
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    return process.wait(), out.decode("utf-8", "replace")


@pytest.mark.parametrize("columns", ["0", "5", "19", None], ids=lambda c: f"COLUMNS={c}")
@pytest.mark.parametrize("args, expected", [
    (["overdose"], "911"), (["principles"], "Principle"), (["search", "naloxone"], "naloxone"),
    (["show", "naloxone"], "naloxone"), (["services", "--near", "21201"], "988"), (["info"], "bundled"),
    (["strategies"], "overdose-response"), (["offers"], "naloxone"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else None)
def test_a_terminal_with_no_width_gets_80_columns(args, expected, columns):
    status, out = on_a_terminal(args, columns)
    assert status == 0 and expected.lower() in out.lower(), out[:500]
    lines = [line for line in out.splitlines() if line.strip() and not line.startswith("hrfind: ")]  # notes are not drawn
    # A web address stands whole on a line of its own, never cut, and the terminal wraps it.
    drawn = [line for line in lines if not re.fullmatch(r"\s*(?:\S+: )?https?://\S+\s*", line)]
    assert len(lines) > 3 and max(len(line) for line in drawn) <= 80


@pytest.mark.parametrize("columns", ["0", "12"])
def test_a_bad_columns_on_a_terminal_that_knows_its_size_uses_that_size(columns):
    status, out = on_a_terminal(["overdose"], columns, size=(60, 24))
    lines = [line for line in out.splitlines() if line.strip()]
    assert status == 0 and "911" in out and max(len(line) for line in lines) <= 60
