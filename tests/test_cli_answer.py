"""One command to the answer: search shows the leading result's guidance, show takes other names, a stray word is pointed to search."""

import json

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
