"""Consistent and discoverable: --limit/-n on every list, help with examples and the environment, info's data folder."""

import json

import pytest

from hrfind.cli import EXAMPLES

LISTS = [["principles"], ["strategies"], ["offers"], ["search", "naloxone"]]


@pytest.mark.parametrize("args", LISTS)
@pytest.mark.parametrize("flag", ["--limit", "-n"])
def test_every_list_takes_a_limit(cli, args, flag):
    every = json.loads(cli(*args, "--json").stdout)
    two = json.loads(cli(*args, flag, "2", "--json").stdout)
    assert len(every) > 2 and two == every[:2]
    assert cli(*args, flag, "0").exit_code == 2


def test_services_limits_local_and_remote_results_apart(cli):
    every = json.loads(cli("services", "--near", "21201", "--json", "-q").stdout)
    remote = [s for s in every if s["distance_mi"] is None]
    assert len(remote) > 2
    result = cli("services", "--near", "21201", "--remote-limit", "2", "--json")
    assert json.loads(result.stdout) == every[:len(every) - len(remote) + 2]
    assert f"Left out {len(remote) - 2} more remote services (--remote-limit 2)." in result.stderr
    assert json.loads(cli("services", "--near", "21201", "-n", "1", "--json", "-q").stdout) == every  # no local ones here


def commands():
    import typer.main

    from hrfind.cli import app

    group = typer.main.get_command(app)
    return [name for name in group.commands if not group.commands[name].hidden]


@pytest.mark.parametrize("name", ["", *[n for n in EXAMPLES if n]])
def test_help_has_examples_environment_and_folders(cli, name, isolated):
    out = cli(*name.split(), "--help").stdout
    examples = out[out.index("Examples:"):]
    assert all(line in examples for line, _ in EXAMPLES[name])
    assert 2 <= len(EXAMPLES[name]) <= 3
    for variable in ("HRFIND_DATA", "HRFIND_DEBUG", "HRFIND_LANG", "NO_COLOR", "PAGER"):
        assert variable in out
    assert f"data   {isolated / 'data' / 'hrfind'} (not created yet)" in out
    assert f"cache  {isolated / 'cache' / 'hrfind'}" in out


def test_every_command_has_examples():
    assert set(commands()) - {"import"} <= set(EXAMPLES)


def test_help_wraps_to_the_terminal_width(tmp_path):
    import os
    import subprocess

    from test_package import installed_hrfind

    def widest(columns):
        env = {**os.environ, "COLUMNS": str(columns), "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
        out = subprocess.run([installed_hrfind(), "search", "--help"], capture_output=True, text=True, env=env, timeout=60).stdout
        return max(map(len, out.splitlines()))

    assert widest(60) <= 60 < 80 < widest(140) <= 140


def test_info_shows_the_data_folder_even_before_it_exists(cli, isolated):
    folder = isolated / "data" / "hrfind"
    info = json.loads(cli("info", "--json").stdout)
    assert info["data_folder"] == {"path": str(folder), "exists": False}
    assert f"data_folder\t{folder}\tabsent" in cli("info", "--plain").stdout
    assert "(not created yet: put .toml files there)" in " ".join(cli("info", "--color", "never", tty=True).stdout.split())
    folder.mkdir(parents=True)
    assert json.loads(cli("info", "--json").stdout)["data_folder"]["exists"] is True
