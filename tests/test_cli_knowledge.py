"""search, show, principles, strategies, offers and overdose, in every output mode."""

import json
from pathlib import Path

import pytest

from golden import check

SAMPLE = Path(__file__).parent / "fixtures" / "sample.toml"
FIXTURE = ["--no-bundled", "--data", str(SAMPLE)]
MODES = ["--json", "--jsonl", "--plain", None]


def run_mode(cli, args, mode, tty=False):
    return cli(*args, *([mode] if mode else []), tty=tty)


# --- the promises of the issue -------------------------------------------------------------

def test_search_narcan_lists_naloxone_first(cli):
    result = cli("search", "narcan", "--json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert hits[0]["id"] == "naloxone"
    assert hits[0]["kind"] == "strategy" and 0 < hits[0]["score"] <= 100


def test_principles_are_eight_numbered_one_to_eight(cli):
    result = cli("principles", "--json")
    principles = json.loads(result.stdout)
    assert [p["number"] for p in principles] == list(range(1, 9))
    assert all(p["kind"] == "principle" for p in principles)


def test_nothing_found_prints_empty_array_and_exits_1(cli):
    result = cli("search", "qqqzzz", "--json")
    assert result.exit_code == 1
    assert result.stdout == "[]\n"
    assert "Nothing matched" in result.stderr


def test_overdose_query_puts_overdose_response_first(cli):
    for query in ("overdose", "naloxone overdose", "my friend overdosed", "ovedrose"):
        hits = json.loads(cli("search", query, "--json").stdout)
        assert hits[0]["id"] == "overdose-response", query


def test_emergency_line_on_terminal_for_overdose_topics(cli):
    from hrfind.human import EMERGENCY

    assert cli("search", "overdose", tty=True, env={"NO_COLOR": "1"}).stdout.startswith(EMERGENCY[:40])
    assert EMERGENCY[:40] not in cli("search", "overdose", "--plain").stdout
    assert EMERGENCY[:40] not in cli("search", "naloxone", tty=True).stdout


# --- every command in every mode -----------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("args", [["search", "sampler"], ["show", "sample-howto"], ["principles"], ["strategies"], ["offers"]])
def test_every_command_in_every_mode(cli, args, mode):
    result = run_mode(cli, [*FIXTURE, *args], mode)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    if mode == "--json":
        assert isinstance(json.loads(out), list) and json.loads(out)
    elif mode == "--jsonl":
        assert all(isinstance(json.loads(line), dict) for line in out.splitlines())
    elif mode is None and args[0] == "show":  # show in a pipe: the record as readable text
        assert out.startswith("Sample how-to\n") and "\t" not in out
    else:  # plain, also the default in a pipe
        assert out and all("\t" in line for line in out.splitlines())
    assert "\x1b[" not in out


def test_default_is_plain_in_a_pipe_and_human_on_a_terminal(cli):
    piped = cli(*FIXTURE, "strategies")
    terminal = cli(*FIXTURE, "strategies", tty=True)
    assert piped.stdout == cli(*FIXTURE, "strategies", "--plain").stdout
    assert "Sample how-to" in terminal.stdout and "\t" not in terminal.stdout


def test_json_record_has_every_field_and_kind(cli):
    (record,) = json.loads(cli(*FIXTURE, "show", "sample-van", "--json").stdout)
    assert record["kind"] == "service"
    assert record["origin"] == str(SAMPLE)
    assert record["text"] is None and record["eligibility"] is None  # absent optional fields are null
    assert record["hours"] == [{"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "09:00", "closes": "17:00"}]


def test_plain_columns(cli):
    out = cli(*FIXTURE, "search", "sampler", "--plain").stdout
    kind, rid, title, score, summary = out.splitlines()[0].split("\t")
    assert (kind, rid, title) == ("strategy", "sample-howto", "Sample how-to")
    assert float(score) > 0


def test_search_filters(cli):
    by_kind = json.loads(cli(*FIXTURE, "search", "fictional", "--kind", "service", "--json").stdout)
    assert [h["id"] for h in by_kind] == ["sample-van"]
    by_offer = json.loads(cli(*FIXTURE, "search", "fictional", "--offers", "needle exchange", "--json").stdout)
    assert [h["id"] for h in by_offer] == ["sample-van"]
    limited = json.loads(cli("search", "naloxone", "--limit", "2", "--json").stdout)
    assert len(limited) == 2


def test_unknown_offer_names_the_closest(cli):
    result = cli("search", "kit", "--offers", "naloxon")
    assert result.exit_code == 2
    assert 'Unknown offer "naloxon". Did you mean naloxone?' in result.stderr


# --- golden human output --------------------------------------------------------------------

@pytest.mark.parametrize("color", ["never", "always"])
@pytest.mark.parametrize("args", [["show", "sample-howto"], ["show", "sample-van"], ["principles"], ["search", "sampler"]])
def test_human_view_golden(cli, args, color, monkeypatch):
    monkeypatch.chdir(SAMPLE.parent)  # a relative --data path keeps the origin line the same on any machine
    result = cli("--no-bundled", "--data", SAMPLE.name, "--color", color, *args, tty=True)
    assert result.exit_code == 0
    check(f"{'-'.join(args)}.{color}.txt", result.stdout)


def test_show_human_reads_well(cli):
    out = cli(*FIXTURE, "show", "sample-howto", "--color", "never", tty=True).stdout
    assert "1. Do the first thing." in out and "3. Do the third thing." in out
    assert "Example Health, 2025-06: Sample guide" in out
    assert "reviewed 2026-01-15" in out and f"from {SAMPLE}" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_no_color_and_dumb_terminal_turn_colour_off(cli):
    coloured = cli(*FIXTURE, "principles", tty=True).stdout
    assert "\x1b[" in coloured
    assert "\x1b[" not in cli(*FIXTURE, "principles", tty=True, env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" not in cli(*FIXTURE, "principles", tty=True, env={"TERM": "dumb"}).stdout
    assert "\x1b[" not in cli(*FIXTURE, "principles", "--color", "never", tty=True).stdout


# --- show ------------------------------------------------------------------------------------

def test_show_unknown_id_suggests_closest(cli):
    result = cli("show", "naloxon")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert 'No record has the id "naloxon". Did you mean naloxone,' in result.stderr


def test_show_finds_offers_too(cli):
    (offer,) = json.loads(cli("show", "prep", "--json").stdout)
    assert offer["kind"] == "offer"


# --- overdose ---------------------------------------------------------------------------------

def test_overdose_works_with_broken_user_data(cli, tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text("[[strategy\n")
    result = cli("overdose", tty=True, env={"HRFIND_DATA": str(bad), "NO_COLOR": "1"})
    assert result.exit_code == 0
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert "CALL 911" in result.stdout[:400]
    first_step = next(n for n, line in enumerate(lines) if " 1. " in line)
    assert first_step < 12  # the first steps fit a phone screen


@pytest.mark.parametrize("mode", ["--json", "--jsonl"])
def test_overdose_machine_modes(cli, mode):
    result = cli("overdose", mode)
    assert result.exit_code == 0
    assert "overdose-response" in result.stdout.splitlines()[0] or "overdose-response" in result.stdout[:200]


# --- hostile data ---------------------------------------------------------------------------

def test_markup_and_escapes_in_data_print_literally(cli, tmp_path):
    evil = tmp_path / "evil.toml"
    evil.write_text(
        '[[service]]\nid = "evil"\nname = "[red]x[/red] \\u001b[2J\\u001b]0;pwned\\u0007"\n'
        'summary = "[bold]loud[/bold] \\u009b31m"\n',
        encoding="utf-8",
    )
    for mode in ("--plain", None):
        for color in ("always", "never"):
            result = cli("--no-bundled", "--data", evil, "--color", color, "show", "evil", *([mode] if mode else []), tty=True)
            assert "[red]x[/red]" in result.stdout and "[bold]loud[/bold]" in result.stdout
            assert "\x1b[2J" not in result.stdout and "\x1b]0" not in result.stdout and "\x9b" not in result.stdout
    (record,) = json.loads(cli("--no-bundled", "--data", evil, "show", "evil", "--json").stdout)
    assert record["name"] == "[red]x[/red] \x1b[2J\x1b]0;pwned\x07"  # JSON keeps the data exactly, escaped


# --- errors and options ---------------------------------------------------------------------

def test_bad_option_is_a_usage_error(cli):
    result = cli("search", "x", "--bogus")
    assert result.exit_code == 2
    assert "No such option" in result.stderr and result.stdout == ""


def test_two_output_formats_is_a_usage_error(cli):
    result = cli("principles", "--json", "--plain")
    assert result.exit_code == 2
    assert "Choose one output format" in result.stderr


def test_missing_data_path_names_it(cli, tmp_path):
    result = cli("--data", tmp_path / "nope.toml", "principles")
    assert result.exit_code == 2
    assert f"No data file or folder at {tmp_path / 'nope.toml'}" in result.stderr


def test_global_options_work_after_the_command_too(cli):
    before = cli(*FIXTURE, "strategies").stdout
    after = cli("strategies", *FIXTURE).stdout
    assert before == after and "sample-howto" in before


def test_bad_data_warns_and_still_answers(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[service]]\nid = "harbor-van"\nname = "Van"\nlat = "39.2"\nlon = 1\n')
    result = cli("--data", bad, "search", "narcan", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["id"] == "naloxone"
    assert f'{bad}: service[0] "harbor-van": lat: expected a number, got "39.2"' in result.stderr


def test_strict_exits_3(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[service]]\nid = "harbor-van"\nname = "Van"\nlat = "39.2"\nlon = 1\n')
    result = cli("--strict", "--data", bad, "principles", "--json")
    assert result.exit_code == 3 and result.stdout == ""
    assert "lat: expected a number" in result.stderr


def test_no_arguments_shows_short_help(cli):
    result = cli()
    assert result.exit_code == 0
    assert "hrfind search narcan" in result.stdout and "hrfind overdose" in result.stdout


def test_version(cli):
    from hrfind import __version__

    assert cli("--version").stdout == f"hrfind {__version__}\n"


def test_no_traceback_on_internal_error(cli, monkeypatch):
    from hrfind import search

    monkeypatch.setattr(search, "search_catalog", lambda *a, **k: 1 / 0)
    result = cli("search", "x")
    assert result.exit_code == 70
    assert "internal error: ZeroDivisionError" in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(ZeroDivisionError):
        cli("search", "x", env={"HRFIND_DEBUG": "1"})


def test_interrupt_exits_130(cli, monkeypatch):
    from hrfind import search

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(search, "search_catalog", interrupted)
    result = cli("search", "x")
    assert result.exit_code == 130 and "interrupted" in result.stderr
