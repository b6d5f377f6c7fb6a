"""`hrfind services` end to end: output modes, GeoJSON, exit codes, and a user's own directory."""

import json

import pytest

from test_locate import DIRECTORY

NEAR = ["--near", "21201"]


@pytest.fixture
def directory(tmp_path):
    path = tmp_path / "fictional.toml"
    path.write_text(DIRECTORY, encoding="utf-8")
    return path


@pytest.fixture
def services(cli, directory):
    """services(*args, tty=False) runs `hrfind services` over the fictional directory alone."""
    return lambda *args, **kw: cli("services", "--no-bundled", "--data", directory, *args, **kw)


def records(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --- the question of the issue --------------------------------------------------------------

def test_nearest_naloxone_open_at_a_time(services):
    found = records(services(*NEAR, "--offers", "narcan", "--open-at", "sat 23:00", "--json"))
    assert [r["id"] for r in found] == ["fictional-zip-clinic", "fictional-eastside-night", "fictional-maryland-line"]
    assert found[1]["open_now"] is True and found[1]["hours_today"] == "20:00-02:00"


def test_json_is_the_record_plus_what_services_add(services):
    found = records(services(*NEAR, "--json"))
    van = found[0]
    assert van["kind"] == "service" and van["id"] == "fictional-harbor-van"
    assert van["distance_mi"] == 0 and van["approximate"] is False
    assert van["origin"].endswith("fictional.toml")
    assert {"open_now", "hours_today", "phone", "address", "hours", "eligibility"} <= van.keys()
    assert "score" not in van
    clinic = next(r for r in found if r["id"] == "fictional-zip-clinic")
    assert clinic["approximate"] is True and clinic["lat"] is None and clinic["open_now"] is True
    remote = [r for r in found if r["distance_mi"] is None]
    assert [r["id"] for r in remote] == ["fictional-maryland-line", "fictional-national-mail"] == [r["id"] for r in found[-2:]]


def test_jsonl_and_plain(services):
    lines = services(*NEAR, "--jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in records(services(*NEAR, "--json"))]
    plain = services(*NEAR, "--plain").stdout.splitlines()
    assert plain == services(*NEAR).stdout.splitlines()  # plain is the default in a pipe
    first = plain[0].split("\t")
    assert first[:4] == ["service", "fictional-harbor-van", "Fictional Harbor Van", "0.0"]
    assert first[7:9] == ["410-555-0101", "1 Example St, Baltimore, MD 21201"]  # phone, address
    assert len(first) == 10 and first[9].startswith("A fictional outreach van")
    scored = services(*NEAR, "naloxone", "--plain").stdout.splitlines()[0].split("\t")
    assert scored[7] == "410-555-0101" and float(scored[9]) > 0 and len(scored) == 11


def test_human_view_shows_distance_status_address_and_phone(services):
    """The human view at 80 columns; each service's name fits on a line."""
    result = services(*NEAR, tty=True, env={"NO_COLOR": "1"})
    out = result.stdout
    assert result.exit_code == 0 and "\x1b[" not in out
    assert "Services near 21201 (Baltimore, MD)" in out
    for expected in ("Fictional Harbor Van", "0.0 mi", "~2.5 mi", "1 Example St", "410-555-0101", "open 24 hours",
                     "phone, text; covers US-MD", "remote", "no hours listed"):
        assert expected in out, expected
    assert out.index("Fictional Capitol Outreach") < out.index("Fictional Maryland Warmline")


def test_human_view_prints_data_literally(cli, tmp_path):
    (tmp_path / "odd.toml").write_text('''
[[service]]
id = "fictional-odd"
name = "[red]Fictional[/red] \\u001b[2J Odd"
offers = ["naloxone"]
access = ["in-person"]
lat = 39.29
lon = -76.62
''', encoding="utf-8")
    out = cli("services", "--no-bundled", "--data", tmp_path, *NEAR, tty=True, env={"NO_COLOR": "1"}).stdout
    assert "[red]Fictional[/red]" in out and "\x1b[2J" not in out


def test_query_adds_a_score(services):
    found = records(services("late", "night", *NEAR, "--json"))
    assert found[0]["id"] == "fictional-eastside-night" and 0 < found[0]["score"] <= 100


def test_filters_on_the_command_line(services):
    assert [r["id"] for r in records(services(*NEAR, "--access", "mobile", "--json"))] == ["fictional-harbor-van"]
    assert {r["id"] for r in records(services(*NEAR, "--language", "es", "--free", "--json"))} == {
        "fictional-harbor-van", "fictional-dc-outreach", "fictional-maryland-line"}
    assert [r["id"] for r in records(services(*NEAR, "--offers", "naloxone", "--offers", "syringe-services", "--json"))] == ["fictional-harbor-van"]
    assert len(records(services(*NEAR, "--radius", "3", "--json", "--no-remote"))) == 3
    assert len(records(services(*NEAR, "--limit", "1", "--json", "--no-remote"))) == 1


def test_open_now_keeps_the_always_open_and_drops_the_unknown(services):
    result = services(*NEAR, "--open-now", "--json")
    found = records(result)
    ids = {r["id"] for r in found}
    assert {"fictional-zip-clinic", "fictional-maryland-line"} <= ids and "fictional-national-mail" not in ids
    assert all(r["open_now"] is True for r in found)
    assert "unknown hours" in result.stderr


def test_nothing_local_says_so_on_stderr_and_shows_remote(services):
    result = services("--near", "Cumberland, MD", "--radius", "10", "--json")
    assert [r["id"] for r in records(result)] == ["fictional-maryland-line", "fictional-national-mail"]
    assert "No service matched within 10 miles of Cumberland, MD" in result.stderr


def test_nothing_at_all_exits_1_with_an_empty_array(services):
    result = services("--near", "Cumberland, MD", "--radius", "10", "--no-remote", "--json")
    assert (result.exit_code, result.stdout) == (1, "[]\n")
    assert "No service matched near Cumberland, MD" in result.stderr


def test_bundled_national_lines_follow_as_remote_options(cli):
    found = records(cli("services", *NEAR, "--json"))
    by_id = {r["id"]: r for r in found}
    assert "never-use-alone-hotline" in by_id and "nors-canada" not in by_id
    assert by_id["lifeline-988"]["distance_mi"] is None and by_id["lifeline-988"]["open_now"] is True


# --- GeoJSON --------------------------------------------------------------------------------

def test_geojson_is_a_feature_collection_of_located_results(services):
    result = services(*NEAR, "--geojson")
    assert result.exit_code == 0
    collection = json.loads(result.stdout)
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert [f["properties"]["id"] for f in features] == ["fictional-harbor-van", "fictional-zip-clinic", "fictional-eastside-night", "fictional-dc-outreach"]
    for f in features:
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert -80 < lon < -76 and 38 < lat < 40  # longitude first (RFC 7946)
        assert f["properties"]["kind"] == "service" and "distance_mi" in f["properties"]
    assert features[0]["geometry"]["coordinates"] == [-76.6252, 39.2946]
    assert features[1]["properties"]["approximate"] is True


def test_geojson_with_nothing_to_map(services):
    result = services("--near", "Cumberland, MD", "--radius", "10", "--geojson")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"type": "FeatureCollection", "features": []}
    assert "has a location" in result.stderr


def test_geojson_excludes_other_formats(services):
    result = services(*NEAR, "--geojson", "--json")
    assert result.exit_code == 2 and "Choose one output format" in result.stderr


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("args, code, message", [
    (["--near", "99999"], 4, "No ZIP code 99999"),
    (["--near", "Springfield"], 4, "Springfield, IL"),
    (["--near", "Baltimor, MD"], 4, 'Did you mean "Baltimore, MD"'),
    (["--near", "Baltimore, Narnia"], 4, "not a US state"),
    (["--near", "39.29"], 2, '"39.29,-76.61"'),
    (["--near", "95,-76"], 2, "latitude goes from -90 to 90"),
    (["--near", "39.2,abc"], 2, "coordinates like"),
    (["--near", "21201", "--radius", "-1"], 2, "--radius must be"),
    (["--near", "21201", "--open-at", "sax 10:00"], 2, '"sat 10:00"'),
    (["--near", "21201", "--open-at", "2026-11-28"], 2, "no time of day"),
    (["--near", "21201", "--open-at", "sat 10:00", "--open-now"], 2, "not both"),
    (["--near", "21201", "--offers", "naloxon"], 2, "naloxone"),
    (["--near", "21201", "--language", "klingonese"], 2, "ISO 639-1"),
    (["--near", "21201", "--access", "pigeon"], 2, "in-person"),
    (["--near", "21201", "--limit", "0"], 2, "--limit"),
])
def test_bad_input_exits_with_a_message_that_says_what_to_do(services, args, code, message):
    result = services(*args, "--json")
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


# --- a user's own directory -----------------------------------------------------------------

OWN = '''
# Fictional example directory: 555-01xx numbers are reserved for fiction.
[[service]]
id = "fictional-own-site"
name = "Fictional Own Site"
offers = ["naloxone"]
access = ["in-person"]
phone = "410-555-0111"
address = { street = "9 Example Ave", city = "Baltimore", region = "MD", postal_code = "21201", country = "US" }
hours = [{ days = ["mon"], opens = "09:00", closes = "17:00" }]
'''


def test_a_directory_in_the_user_data_folder_is_found_and_validated(cli, isolated):
    folder = isolated / "data" / "hrfind"  # platformdirs' user data folder under XDG_DATA_HOME
    folder.mkdir(parents=True)
    (folder / "directory.toml").write_text(OWN, encoding="utf-8")
    found = records(cli("services", *NEAR, "--no-remote", "--json"))
    assert found[0]["id"] == "fictional-own-site" and found[0]["approximate"] is True
    assert found[0]["origin"] == str(folder / "directory.toml")
    assert cli("validate", folder / "directory.toml").exit_code == 0


def test_a_directory_in_hrfind_data(cli, tmp_path):
    (tmp_path / "mine.toml").write_text(OWN, encoding="utf-8")
    found = records(cli("services", *NEAR, "--no-remote", "--json", env={"HRFIND_DATA": str(tmp_path)}))
    assert [r["id"] for r in found] == ["fictional-own-site"]


def test_broken_hours_are_reported_by_validate_and_skipped_by_services(cli, tmp_path):
    broken = OWN.replace('opens = "09:00"', 'opens = "9am"') + OWN.replace("fictional-own-site", "fictional-second-site")
    (tmp_path / "mine.toml").write_text(broken, encoding="utf-8")
    checked = cli("validate", tmp_path / "mine.toml")
    assert checked.exit_code == 3 and 'fictional-own-site": hours[0].opens' in checked.stdout
    result = cli("services", "--data", tmp_path, *NEAR, "--no-remote", "--json")
    assert [r["id"] for r in records(result)] == ["fictional-second-site"]
    assert "warning" in result.stderr and "fictional-own-site" in result.stderr
    assert cli("services", "--strict", "--data", tmp_path, *NEAR).exit_code == 3


def test_human_view_title_says_when(services):
    out = services(*NEAR, "--open-at", "sat 23:00", tty=True, env={"NO_COLOR": "1"}).stdout
    assert out.startswith("Services near 21201 (Baltimore, MD), open at Sat 23:00 local time")
    assert "open, closes 02:00" in out
