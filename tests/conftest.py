"""Shared fixtures: no network, an isolated home, and a CLI runner that can pretend to be a terminal."""

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hrfind import runner
from hrfind.cli import app
from hrfind.environment import Environment

SHARED = Path(__file__).resolve().parents[2] / "shared"


class NetworkUsed(AssertionError):
    pass


def _refuse(*args, **kwargs):
    raise NetworkUsed("hrfind must not open network connections (a test tried to)")


# Applied at import so that every test, fixture and plugin runs without a network.
for _name in ("connect", "connect_ex", "bind", "sendto"):
    setattr(socket.socket, _name, _refuse)
socket.create_connection = _refuse
socket.getaddrinfo = _refuse


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory, monkeypatch):
    """Each test gets empty user data and cache folders and a neutral environment."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    for name in ("HRFIND_DATA", "NO_COLOR", "HRFIND_DEBUG", "COLUMNS", "LINES", "HRFIND_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")  # English, whatever the machine's locale
    monkeypatch.setenv("TERM", "xterm-256color")
    return home


@pytest.fixture
def cli(monkeypatch):
    """cli(*args, tty=False, env=None) runs hrfind in-process and returns the click Result."""

    def invoke(*args, tty=False, env=None, input=None):
        monkeypatch.setattr(runner, "ENV", lambda: Environment(stdout_isatty=tty, stderr_isatty=tty))
        return CliRunner().invoke(app, [str(a) for a in args], env=env, input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def shared():
    if not SHARED.is_dir():
        pytest.skip(f"../shared is not beside the checkout ({SHARED}); CI provides it")
    return SHARED
