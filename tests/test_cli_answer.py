"""One command to the answer: search shows the leading result's guidance, show takes other names, a stray word is pointed to search."""

import json
from pathlib import Path

import pytest

from hrfind.commands.knowledge import leads


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


@pytest.fixture(scope="module")
def naloxone():
    from hrfind import catalog

    return catalog.load([catalog.Layer(catalog.BUNDLED, catalog.bundled_dir())], use_cache=False).strategies["naloxone"]


# --- search -----------------------------------------------------------------------------------

def test_leads_rule():
    assert leads([100.0])
    assert leads([100.0, 30.0]) and leads([75.0, 50.0])
    assert not leads([100.0, 100.0]) and not leads([80.0, 69.0])
    assert not leads([40.0])  # too weak a match to answer with
    assert leads([100.0, 100.0], pinned=True)
    assert not leads([])


def test_search_on_a_terminal_answers_with_the_steps_first(cli, naloxone):
    out = cli("search", "how do i use narcan", "--color", "never", tty=True).stdout
    text = flat(out)
    for n, step in enumerate(naloxone.steps, 1):
        assert f"{n}. {flat(step)}" in text
    assert text.index(flat(naloxone.steps[-1])) < text.index("criminal-justice")  # then the other results
    assert out.rstrip().splitlines()[-1].startswith("More: hrfind show naloxone")


def test_search_without_a_clear_leader_lists_and_still_hints(cli, naloxone):
    out = cli("search", "naloxone", "--color", "never", tty=True).stdout  # two results score alike
    assert flat(naloxone.steps[0]) not in flat(out)
    assert out.rstrip().splitlines()[-1].startswith("More: hrfind show naloxone")


def test_search_about_an_overdose_shows_the_emergency_steps(cli):
    from hrfind import catalog

    strategy = catalog.load([catalog.Layer(catalog.BUNDLED, catalog.bundled_dir())], use_cache=False).strategies["overdose-response"]
    out = flat(cli("search", "overdose", "--color", "never", tty=True).stdout)
    assert all(flat(step) in out for step in strategy.steps)


def test_search_machine_output_is_unchanged(cli):
    plain = cli("search", "how do i use narcan", "--plain").stdout.splitlines()
    assert all(len(line.split("\t")) == 5 for line in plain) and "More:" not in "".join(plain)
    assert json.loads(cli("search", "how do i use narcan", "--json").stdout)[0]["id"] == "naloxone"


# --- show -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["narcan", "NALOXONE", "Naloxone", "Narcan Nasal Spray"])
def test_show_takes_other_names_and_any_case(cli, name):
    result = cli("show", name, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["id"] == "naloxone"


def test_show_says_which_record_another_name_is(cli):
    result = cli("show", "narcan", "--plain")
    assert result.stderr == 'hrfind: "narcan" is another name for naloxone.\n'
    assert cli("show", "narcan", "--plain", "-q").stderr == ""
    assert cli("show", "naloxone", "--plain").stderr == ""


def test_show_an_unknown_id_offers_search_hits(cli):
    result = cli("show", "narcn kit")
    assert result.exit_code == 1 and result.stdout == ""
    assert "naloxone" in result.stderr and "`hrfind search 'narcn kit'`" in result.stderr


def test_show_prefers_an_id_to_an_alias(cli):
    # "naloxone" is also an offer's id; the strategy with that id wins, as before.
    assert json.loads(cli("show", "naloxone", "--json").stdout)[0]["kind"] == "strategy"


# --- a word where a command goes ---------------------------------------------------------------

def test_a_search_word_as_a_command_points_to_search(cli):
    result = cli("narcan")
    assert result.exit_code == 2 and result.stdout == ""
    assert "No such command 'narcan'. To look it up, run: hrfind search narcan" in result.stderr
    assert "hrfind search fentanyl test" in cli("fentanyl", "test").stderr


def test_a_mistyped_command_is_suggested(cli):
    result = cli("serch", "x")
    assert result.exit_code == 2 and "Did you mean 'search'" in result.stderr


# --- show of a service, in a pipe -------------------------------------------------------------

SAMPLE = ["--no-bundled", "--data", str(Path(__file__).parent / "fixtures" / "sample.toml")]


def test_show_of_a_service_has_its_hours_on_a_terminal_and_in_a_pipe(cli):
    hours = "Mon-Fri 09:00-17:00, Sat-Sun closed (America/New_York time)"
    assert hours in cli(*SAMPLE, "show", "sample-van", "--color", "never", tty=True).stdout
    piped = cli(*SAMPLE, "show", "sample-van").stdout
    assert f"Hours      {hours}\n" in piped
    assert piped.startswith("Fictional Harbor Van\nservice sample-van\n") and "\t" not in piped
    assert "Address    1 Example St, Baltimore, MD 21201\n" in piped
    assert "- Example: Fictional listing\n  https://example.org/van\n" in piped


def test_show_plain_stays_one_tab_separated_line(cli):
    out = cli(*SAMPLE, "show", "sample-van", "--plain").stdout
    assert out.count("\n") == 1 and out.split("\t")[:2] == ["service", "sample-van"]


def test_show_in_a_pipe_never_cuts_a_web_address(cli, tmp_path):
    url = "https://example.org/" + "a-very-long-path/" * 8
    data = tmp_path / "long.toml"
    data.write_text(f'[[service]]\nid = "long"\nname = "Long"\nurl = "{url}"\n'
                    f'sources = [{{ title = "T", url = "{url}" }}]\n')
    out = cli("--no-bundled", "--data", data, "show", "long").stdout
    assert out.count(url) == 2


# --- quiet and version ------------------------------------------------------------------------

def test_quiet_silences_notes_and_warnings_not_errors(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[service]]\nid = "x"\nname = "X"\nlat = "1"\nlon = 1\n')
    assert "warning" in cli("--data", bad, "principles", "--json").stderr
    assert cli("--data", bad, "principles", "--json", "-q").stderr == ""
    assert cli("-q", "--data", bad, "principles", "--json").stderr == ""
    strict = cli("--strict", "-q", "--data", bad, "principles")
    assert strict.exit_code == 3 and "lat: expected a number" in strict.stderr
    missing = cli("-q", "show", "no-such-id")
    assert missing.exit_code == 1 and "No record has the id" in missing.stderr


def test_short_version_flag(cli):
    from hrfind import __version__

    assert cli("-V").stdout == f"hrfind {__version__}\n"
