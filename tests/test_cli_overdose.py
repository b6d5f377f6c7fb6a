"""`hrfind overdose` reaches people: the whole page in a pipe or file, CALL 911 and every step on the first screen.

The checks are computed from the bundled record, so a rewrite of the emergency text keeps them
meaningful; the golden file is the one place the wording is frozen (`HRFIND_UPDATE_GOLDEN=1`
rewrites it after a deliberate change of the data or the layout).
"""

import re
import subprocess

import pytest

from golden import check
from test_package import installed_hrfind

BOX = re.compile("[\u2500-\u257f]")  # box-drawing characters: none in plain text


@pytest.fixture(scope="module")
def record():
    from hrfind import catalog

    loaded = catalog.load([catalog.Layer(catalog.BUNDLED, catalog.bundled_dir())], use_cache=False)
    strategy = loaded.strategies["overdose-response"]
    return strategy, [loaded.services[i] for i in strategy.related if i in loaded.services]


def flat(text: str) -> str:
    """Text with box characters gone and all runs of white space as one space, to find wrapped sentences."""
    return " ".join(BOX.sub(" ", text).split())


def body_lines(body: str) -> list[str]:
    return [line.strip().removeprefix("- ") for line in body.splitlines() if line.strip()]


def assert_first_screen(out: str, strategy) -> None:
    first = flat("\n".join(out.splitlines()[:24]))
    assert "CALL 911" in first
    for n, step in enumerate(strategy.steps, 1):
        assert f"{n}. {flat(step)}" in first, f"step {n} is not on the first screen"


def test_piped_page_is_the_whole_text(cli, record):
    strategy, services = record
    result = cli("overdose")
    assert result.exit_code == 0 and result.stderr == ""
    out = result.stdout
    assert_first_screen(out, strategy)
    text = flat(out)
    assert flat(strategy.summary) in text
    for line in body_lines(strategy.body):
        assert flat(line) in text
    for service in services:
        assert service.phone in text and service.name in text
    assert "\x1b" not in out and "\t" not in out and not BOX.search(out)
    assert all(len(line) <= 80 or " " not in line.strip() for line in out.splitlines())


def test_plain_and_a_file_get_the_same_page(cli):
    piped = cli("overdose").stdout
    assert cli("overdose", "--plain").stdout == piped
    assert cli("overdose", "--plain", "--color", "always").stdout == piped
    check("overdose.txt", piped)


def test_steps_come_before_the_signs_and_the_rest(cli, record):
    strategy, _ = record
    out = flat(cli("overdose").stdout)
    assert out.index("CALL 911") < out.index(flat(strategy.steps[-1])) < out.index(flat(strategy.summary))
    assert out.index(flat(strategy.summary)) < out.index(flat(body_lines(strategy.body)[0]))


def test_terminal_first_screen_holds_911_and_every_step(cli, record):
    strategy, _ = record
    for color in ("never", "always"):
        result = cli("overdose", "--color", color, tty=True)
        out = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
        assert_first_screen(out, strategy)
        assert max(len(line) for line in out.splitlines()) <= 80


def test_terminal_page_taller_than_the_window_ends_with_the_steps(cli, record):
    strategy, _ = record
    lines = cli("overdose", "--color", "never", tty=True).stdout.splitlines()
    end = flat("\n".join(lines[-(len(strategy.steps) + 4):]))
    assert "CALL 911" in end and all(flat(step) in end for step in strategy.steps)


def test_json_stays_the_records(cli):
    import json

    records = json.loads(cli("overdose", "--json").stdout)
    assert records[0]["id"] == "overdose-response" and records[0]["steps"]


@pytest.mark.parametrize("word", ["od", "911"])
def test_od_and_911_run_overdose(cli, word):
    assert cli(word).stdout == cli("overdose").stdout
    assert cli(word, "--json").stdout == cli("overdose", "--json").stdout


def test_installed_hrfind_in_a_pipe(record, tmp_path):
    strategy, _ = record
    out = subprocess.run(f"'{installed_hrfind()}' overdose | cat", shell=True, capture_output=True, text=True,
                         timeout=120, cwd=tmp_path).stdout
    assert "911" in out
    assert_first_screen(out, strategy)
    for step in strategy.steps:
        assert flat(step) in flat(out)


def test_the_spanish_page_reaches_an_output_that_takes_only_ascii(tmp_path):
    # The Spanish page has é and ¿: such an output got an error instead of the steps (the English page is ascii).
    import os

    env = {**os.environ, "PYTHONIOENCODING": "ascii", "HRFIND_LANG": "es"}
    result = subprocess.run([installed_hrfind(), "overdose"], capture_output=True, env=env, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("ascii")
    assert "LLAME AL 911 AHORA" in out and "1. Grite y frote fuerte el centro del pecho. No responde? Actue." in out


def test_folding_to_ascii_never_makes_a_number():
    from hrfind import page

    assert page.folded("¿Dé ½ dosis? Niño, señal 2²") == "De ? dosis? Nino, senal 2?"
