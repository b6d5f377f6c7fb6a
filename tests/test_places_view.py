"""The human view of a place from an old federal list: its age and unknown hours said plainly, its phone shown."""

import datetime as dt

from hrfind.page import listed
from hrfind.model import Service, Source

# A fictional place as places/build.py writes them (555-01xx numbers are reserved for fiction).
PLACE = '''
[[service]]
id = "fictional-harbor-clinic-baltimore-abc123"
name = "Fictional Harbor Clinic"
summary = "Listed as opioid treatment program (methadone) (SAMHSA, July 2021). No hours listed: call ahead."
offers = ["methadone", "health-center"]
access = ["in-person"]
phone = "410-555-0101"
verified = 2021-07-01
sources = [{ title = "SAMHSA Opioid Treatment Program Directory, July 2021 (geocoded by OEPS)", url = "https://dpt2.samhsa.gov/treatment/directory.aspx", publisher = "SAMHSA", date = "2021-07" },
           { title = "HRSA Health center service delivery sites, 2020 (geocoded by OEPS)", url = "https://data.hrsa.gov", publisher = "HRSA", date = "2020" }]
address = { street = "1 Example St", city = "Baltimore", region = "MD", postal_code = "21201", country = "US" }
lat = 39.2946
lon = -76.6252
'''


def test_the_human_view_says_how_old_the_listing_is_and_that_hours_are_unknown(cli, tmp_path):
    (tmp_path / "places.toml").write_text(PLACE)
    result = cli("--data", tmp_path, "services", "--near", "21201", "--no-remote", tty=True, env={"NO_COLOR": "1", "COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    # The column of hours and contact is narrow at 80 columns: the age line wraps.
    for expected in ("Fictional Harbor Clinic", "hours unknown", "listed by SAMHSA, July", "2021: call", "410-555-0101"):
        assert expected in result.stdout, expected


def service(verified, *sources):
    return Service(id="x", name="X", verified=verified, sources=[Source(title="t", url="https://x.org", publisher=p, date=d) for p, d in sources])


def test_listed_names_the_newest_list_and_only_for_old_listings():
    today = dt.date(2026, 12, 2)
    assert listed(service(dt.date(2021, 7, 1), ("SAMHSA", "2021-07"), ("HRSA", "2020")), today) == "listed by SAMHSA, July 2021: call ahead"
    assert listed(service(dt.date(2020, 1, 1), ("HRSA", "2020")), today) == "listed by HRSA, 2020: call ahead"
    assert listed(service(dt.date(2020, 9, 1), ("SAMHSA", "2020-09-30"), ("HRSA", "2020-09")), today) == \
        "listed by SAMHSA, September 2020: call ahead"
    assert listed(service(dt.date(2019, 3, 5)), today) == "listed March 2019: call ahead"
    assert listed(service(dt.date(2026, 6, 1), ("SAMHSA", "2026-06")), today) is None
    assert listed(service(None, ("SAMHSA", "2021-07")), today) is None


def test_show_says_how_old_the_listing_is(cli, tmp_path):
    (tmp_path / "places.toml").write_text(PLACE)
    shown = cli("--data", tmp_path, "show", "fictional-harbor-clinic-baltimore-abc123", tty=True, env={"NO_COLOR": "1", "COLUMNS": "100"})
    assert shown.exit_code == 0, shown.stderr
    assert "listed by SAMHSA, July 2021: call ahead" in shown.stdout
    plain = cli("--data", tmp_path, "show", "fictional-harbor-clinic-baltimore-abc123")
    assert "Listed by SAMHSA, July 2021: call ahead." in plain.stdout.replace("\n", " ")
