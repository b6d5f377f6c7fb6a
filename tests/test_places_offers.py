"""Offers of the federal places: moud stands for methadone, buprenorphine and naltrexone; each of them only for itself."""

import datetime as dt
from pathlib import Path

import pytest

from hrfind import catalog as catalogs
from hrfind import geo, locate
from hrfind.locate import Filters

# Fictional places for tests, one for each medicine and one that lists moud itself.
PLACES = "".join(f'''
[[service]]
id = "fictional-{offer}-clinic"
name = "Fictional {offer.title()} Clinic"
offers = ["{offer}"]
access = ["in-person"]
lat = 39.29
lon = {-76.61 - n / 100}
''' for n, offer in enumerate(("methadone", "buprenorphine", "naltrexone", "moud", "treatment", "health-center")))


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    folder = tmp_path_factory.mktemp("places")
    (folder / "places.toml").write_text(PLACES)
    return catalogs.load(catalogs.layers([folder], no_bundled=True, env={}, user=Path("/nonexistent")), use_cache=False)


def found(catalog, *offers):
    answer = locate.find(catalog, geo.parse_place("21201"), Filters(offers=offers), now=dt.datetime(2026, 12, 2, 15, tzinfo=dt.timezone.utc),
                         remote=False)
    return sorted(r.service.id.removeprefix("fictional-").removesuffix("-clinic") for r in answer.results)


@pytest.mark.parametrize("asked, expected", [
    ("moud", ["buprenorphine", "methadone", "moud", "naltrexone"]),
    ("mat", ["buprenorphine", "methadone", "moud", "naltrexone"]),
    ("methadone", ["methadone"]),
    ("methadone clinic", ["methadone"]),
    ("suboxone", ["buprenorphine"]),
    ("vivitrol", ["naltrexone"]),
    ("rehab", ["treatment"]),
    ("fqhc", ["health-center"]),
])
def test_an_offer_finds_itself_and_moud_finds_its_three_medicines(catalog, asked, expected):
    assert found(catalog, asked) == expected


def test_repeated_offers_still_all_have_to_hold(catalog):
    assert found(catalog, "moud", "methadone") == ["methadone"]
    assert found(catalog, "methadone", "treatment") == []


def test_no_local_naloxone_says_where_else_once_and_json_stays_clean(cli):
    result = cli("services", "--offers", "narcan", "--near", "21201", "--json")
    assert result.exit_code == 0
    assert [s["id"] for s in __import__("json").loads(result.stdout)] == ["next-distro"]
    assert result.stderr.count("without a prescription at pharmacies") == 1
    assert "No place near 21201 (Baltimore, MD) is known to offer naloxone." in result.stderr
    assert "NEXT Distro" in result.stderr and "Showing 1 remote option" in result.stderr
    assert result.stderr.count("No service matched") == 0


def test_a_local_naloxone_place_needs_no_advice(catalog, tmp_path):
    (tmp_path / "van.toml").write_text(PLACES.replace('"treatment"', '"naloxone"'))
    loaded = catalogs.load(catalogs.layers([tmp_path], no_bundled=True, env={}, user=Path("/nonexistent")), use_cache=False)
    answer = locate.find(loaded, geo.parse_place("21201"), Filters(offers=["naloxone"]), now=dt.datetime(2026, 12, 2, tzinfo=dt.timezone.utc))
    assert answer.local == 1 and not answer.notes
