"""Shell completion: commands, options, record ids and other names, offers, languages; nothing paid for in a normal run."""

import os
import subprocess
import sys

import pytest

from hrfind import complete
from test_package import installed_hrfind


def test_record_names_complete_ids_and_aliases():
    assert ("naloxone", "strategy") in complete.record_names("nal")
    assert ("narcan", "naloxone") in complete.record_names("narc")
    assert [value for value, _ in complete.record_names("NEVER-USE")] == ["never-use-alone", "never-use-alone-hotline"]
    assert all(" " not in value for value, _ in complete.record_names(""))


def test_offers_and_languages():
    assert ("naloxone", "Naloxone (Narcan)") in complete.offer_names("nalo")
    assert dict(complete.language_codes("es"))["es"] == "Spanish"


def test_completion_never_fails_aloud(monkeypatch):
    def broken():
        raise OSError("no data")

    monkeypatch.setattr(complete, "_catalog", broken)
    assert complete.record_names("x") == [] and complete.offer_names("x") == []


def shell(env, isolated):
    home = {"HOME": str(isolated), "XDG_DATA_HOME": str(isolated / "data"), "XDG_CACHE_HOME": str(isolated / "cache")}
    return subprocess.run([installed_hrfind()], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **home, **env}).stdout


@pytest.mark.parametrize("words, expected", [
    ("hrfind se", {"search", "services"}),
    ("hrfind show narc", {"narcan"}),
    ("hrfind services --offers syr", {"syringe-services"}),
    ("hrfind services --language s", {"sv", "so", "sq", "sr", "sk", "sl", "sw", "sm"}),
    ("hrfind search x --li", {"--limit"}),
])
def test_bash_completion_end_to_end(words, expected, isolated):
    out = shell({"COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1), "_HRFIND_COMPLETE": "complete_bash"}, isolated)
    assert expected <= set(out.split())


def test_zsh_and_fish_completion(isolated):
    zsh = shell({"_TYPER_COMPLETE_ARGS": "hrfind show nalo", "_HRFIND_COMPLETE": "complete_zsh"}, isolated)
    assert '"naloxone":"strategy"' in zsh
    fish = shell({"_TYPER_COMPLETE_ARGS": "hrfind show nalo", "_HRFIND_COMPLETE": "complete_fish",
                  "_TYPER_COMPLETE_FISH_ACTION": "get-args"}, isolated)
    assert "naloxone" in fish


@pytest.mark.parametrize("name", ["bash", "zsh", "fish"])
def test_show_completion_prints_a_script(cli, name):
    result = cli("--show-completion", name)
    assert result.exit_code == 0 and "_HRFIND_COMPLETE" in result.stdout


def test_a_normal_run_imports_no_completion_data():
    # What the completers read (the language table, the data) is imported only when they run.
    code = "import sys, hrfind.commands.services, hrfind.commands.knowledge; print('hrfind.hsds.languages' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout == "False\n"
