"""`hrfind card ID`: a short card for paper or a text message, nothing cut without saying so, and a QR code."""

import datetime
from pathlib import Path

import pytest

from golden import check
from hrfind import page
from hrfind.model import Service, Strategy

SAMPLE = Path(__file__).parent / "fixtures" / "sample.toml"
FIXTURE = ["--no-bundled", "--data", str(SAMPLE)]
WEDNESDAY_NOON_BALTIMORE = datetime.datetime(2026, 12, 2, 17, 0, tzinfo=datetime.timezone.utc)


def sample(record_id):
    from hrfind import catalog

    return catalog.load([catalog.Layer("--data", SAMPLE)], use_cache=False).get(record_id)


def test_card_of_a_how_to_golden(cli):
    result = cli(*FIXTURE, "card", "sample-howto")
    assert result.exit_code == 0 and result.stderr == ""
    check("card-sample-howto.txt", result.stdout)


def test_card_of_a_service_golden():
    text = page.card(page.card_parts(sample("sample-van"), WEDNESDAY_NOON_BALTIMORE))
    assert "Today: 09:00-17:00 (open now)" in text
    assert "Map: geo:39.29460,-76.62520" in text
    assert "https://www.openstreetmap.org/?mlat=39.29460&mlon=-76.62520#map=17/39.29460/-76.62520" in text
    check("card-sample-van.txt", text)


def test_service_without_coordinates_is_mapped_at_its_zip_code():
    service = Service(id="x", name="X", address=sample("sample-van").address)
    text = page.card(page.card_parts(service, WEDNESDAY_NOON_BALTIMORE))
    assert "Map: geo:39.29" in text


def test_sms_fits_and_says_what_it_left_out():
    steps = [f"Step number {n} says something long enough to matter for the limit here." for n in range(1, 11)]
    strategy = Strategy(id="long", title="Long how-to", summary="A summary. " * 5, steps=steps)
    text, cut = page.sms(page.card_parts(strategy, WEDNESDAY_NOON_BALTIMORE))
    assert len(text) <= 481  # 480 characters and the final newline
    assert cut[0] == "the summary" and cut[-1] == "step 10"
    assert text.splitlines()[0] == "Long how-to" and "1. Step number 1" in text  # title and first steps stay
    kept = [n for n in range(1, 11) if f"{n}. Step number {n} " in text]
    assert kept == list(range(1, len(kept) + 1))  # a prefix of the steps, never a gap
    assert text.rstrip().endswith(f"(Left out: summary, steps {len(kept) + 1}-10.)")


def test_sms_that_fits_leaves_nothing_out(cli):
    result = cli(*FIXTURE, "card", "sample-howto", "--sms")
    assert "Left out" not in result.stdout and result.stderr == ""
    check("card-sample-howto.sms.txt", result.stdout)


@pytest.mark.parametrize("record_id", ["overdose-response", "naloxone", "never-use-alone-hotline", "poison-control"])
def test_bundled_cards_by_sms_stay_within_480_characters(cli, record_id):
    result = cli("card", record_id, "--sms")
    assert result.exit_code == 0 and len(result.stdout) <= 481
    if "Left out" in result.stdout:
        assert "--sms: left out" in result.stderr


def test_the_emergency_sms_keeps_call_911(cli):
    out = cli("card", "overdose-response", "--sms").stdout
    assert "911" in out and out.startswith("Overdose")


def test_the_emergency_sms_keeps_every_step(cli):
    from hrfind import catalog

    steps = catalog.load(catalog.layers(env={})).strategies["overdose-response"].steps
    out = cli("card", "overdose-response", "--sms").stdout
    # A text message that stops before "another dose" or "stay with them" could cost a life.
    assert all(f"{n}. {step}" in out for n, step in enumerate(steps, 1)), out
    assert "step" not in out.split("(Left out:")[-1]


def test_card_of_an_unknown_id_behaves_like_show(cli):
    card, show = cli("card", "narcn"), cli("show", "narcn")
    assert card.exit_code == show.exit_code == 1 and card.stderr == show.stderr
    assert cli("card", "narcan").stdout.startswith("Naloxone")


def test_qr_code_of_the_phone(cli):
    result = cli(*FIXTURE, "card", "sample-van", "--qr")
    assert "tel:4105550142" in result.stderr
    assert "▀" in result.stdout or "▄" in result.stdout


def test_qr_target():
    assert page.qr_target(sample("sample-van")) == "tel:4105550142"
    assert page.qr_target(sample("sample-howto")) == "https://example.org/guide"
    assert page.qr_target(Strategy(id="x", title="X", summary="s")) is None


def test_qr_for_nothing_says_so(cli, tmp_path):
    bare = tmp_path / "bare.toml"
    bare.write_text('[[service]]\nid = "bare"\nname = "Bare"\n')
    result = cli("--no-bundled", "--data", bare, "card", "bare", "--qr")
    assert result.exit_code == 0 and "No QR code" in result.stderr


def test_segno_is_imported_only_for_qr(isolated):
    import os
    import subprocess
    import sys

    code = ("import sys; from hrfind.cli import main; sys.argv = ['hrfind', 'card', 'naloxone']; "
            "import contextlib, io\nwith contextlib.redirect_stdout(io.StringIO()):\n  try: main()\n  except SystemExit: pass\n"
            "print('segno' in sys.modules, file=sys.stderr)")
    env = {**os.environ, "HOME": str(isolated), "XDG_CACHE_HOME": str(isolated / "cache"), "XDG_DATA_HOME": str(isolated / "data")}
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env).stderr.strip().endswith("False")


from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=200, deadline=None)
@given(title=st.text(min_size=1, max_size=60), summary=st.text(max_size=300),
       steps=st.lists(st.text(min_size=1, max_size=200), max_size=15))
def test_sms_never_exceeds_the_limit_and_keeps_a_prefix_of_the_steps(title, summary, steps):
    strategy = Strategy(id="x", title=title, summary=summary, steps=steps)
    parts = page.card_parts(strategy, WEDNESDAY_NOON_BALTIMORE)
    text, cut = page.sms(parts)
    if len(" ".join(title.split())) <= 300:  # only the title is never left out
        assert len(text) <= 481
    cut_steps = [int(name[5:]) for name in cut if name.startswith("step ")]
    assert cut_steps == list(range(len(steps) - len(cut_steps) + 1, len(steps) + 1))
    # One line a kept part, and one saying what was left out if anything was (a summary may say "Left out" itself).
    assert text.count("\n") == len(parts) - len(cut) + bool(cut)
    assert text.endswith(f"(Left out: {page.left_out(cut)}.)\n") == bool(cut)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_safe_url_gives_printable_ascii_or_nothing(text):
    for url in (text, "https://example.org/" + text):
        safe = page.safe_url(url)
        assert safe is None or (safe.isascii() and safe.isprintable() and " " not in safe)
