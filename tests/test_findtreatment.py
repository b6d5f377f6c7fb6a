"""`hrfind import findtreatment`: SAMHSA's locator listing as a valid layer, read by text as well as by code."""

import json
import tomllib
from pathlib import Path

import pytest

from hrfind import findtreatment


@pytest.fixture
def sample(shared) -> Path:
    return shared / "fixtures" / "findtreatment" / "locator-sample.json"


def row(frid="a1b2c3d4e5f60718", name1="Fictional Harbor Clinic", services=(), **fields):
    """A locator row of a fictional facility (555-01xx numbers are reserved for fiction)."""
    base = {"frid": frid, "name1": name1, "name2": "", "street1": "1 Example St", "street2": "", "city": "Baltimore",
            "state": "MD", "zip": "21201", "phone": "410-555-0101", "intake1": None, "hotline1": None,
            "website": "www.example.org", "latitude": "39.2946", "longitude": "-76.6252", "typeFacility": "SA",
            "services": [{"f1": name, "f2": code, "f3": values} for code, name, values in services]}
    return {**base, **fields}


def page(*rows):
    return {"page": 1, "totalPages": 1, "recordCount": len(rows), "rows": list(rows)}


NEWER = row(services=[
    ("TC", "Type of Care", "Substance use treatment"),
    ("HRS", "Harm Reduction Services", "Naloxone and overdose education; Fentanyl test strips; Syringe services"),
    ("PHR", "Pharmacotherapies", "Buprenorphine with naloxone (Suboxone®); Methadone"),
    ("SCR", "Screening & Testing", "HIV testing; Hepatitis C testing"),
    ("RS", "Recovery Support Services", "Mentoring/peer support"),
    ("PAY", "Payment/Insurance/Funding Accepted", "No payment accepted"),
    ("OL", "Other Languages", "Spanish"),
    ("SL", "Language Services", "American Sign Language (ASL)"),
], intake1="410-555-0102")


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data))
    return path


def imported(tmp_path, data):
    return findtreatment.import_findtreatment(write(tmp_path / "page.json", data))


def test_the_sample_becomes_a_valid_layer(cli, sample, tmp_path):
    out = tmp_path / "ft.toml"
    result = cli("import", "findtreatment", sample, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "hrfind: imported 30 services from locator-sample (FindTreatment.gov locator)" in result.stderr
    assert f"wrote {out}" in result.stderr
    services = tomllib.loads(out.read_text())["service"]
    by_id = {s["id"]: s for s in services}
    mohr = by_id["region-ten-community-services-board-mohr-center-811a908f"]
    assert mohr["name"] == "Region Ten Community Services Board (Mohr Center)"
    assert mohr["phone"] == "434-979-8871" and "Intake: 434-972-1800." in mohr["summary"]
    assert mohr["cost"] == "sliding-scale" and mohr["url"] == "http://www.regionten.org"
    assert {"treatment", "infection-testing", "peer-support"} <= set(mohr["offers"])
    assert mohr["provenance"]["frid"].startswith("811a908f")
    # Suboxone holds naloxone, but is not an overdose kit; no place in the sample hands out naloxone.
    assert not any("naloxone" in s.get("offers", ()) for s in services)
    assert any("methadone" in s.get("offers", ()) for s in services)
    assert any("es" in s.get("languages", ()) for s in services)
    again = tmp_path / "again.toml"
    assert cli("import", "findtreatment", sample, "-o", again).exit_code == 0
    assert again.read_bytes() == out.read_bytes()
    assert cli("validate", out).exit_code == 0
    near = cli("--data", out, "services", "--near", "22902", "--offers", "moud", "--json")
    assert near.exit_code == 0 and json.loads(near.stdout)[0]["distance_mi"] < 30


def test_categories_are_read_by_their_text(tmp_path):
    (service,) = imported(tmp_path, page(NEWER)).services
    assert service["offers"] == ["treatment", "methadone", "buprenorphine", "naloxone", "drug-checking", "syringe-services",
                                 "infection-testing", "peer-support"]
    assert service["cost"] == "free"
    assert service["languages"] == ["es"]
    assert "Services for the deaf and hard of hearing." in service["summary"]
    assert "Intake: 410-555-0102." in service["summary"]
    assert service["url"] == "http://www.example.org"
    assert service["id"] == "fictional-harbor-clinic-a1b2c3d4"


def test_suboxone_alone_is_not_naloxone(tmp_path):
    only = row(services=[("PHR", "Pharmacotherapies", "Buprenorphine with naloxone (Suboxone®)"),
                         ("OT", "Type of Opioid Treatment", "Do not use medication for opioid addiction")])
    (service,) = imported(tmp_path, page(only)).services
    assert service["offers"] == ["buprenorphine"]


def test_rows_without_coordinates_sit_at_their_zip_and_are_approximate(tmp_path, cli):
    result = imported(tmp_path, page(row(latitude="", longitude=None), row(frid="ffff0000ffff0000", latitude="0", longitude="0", zip="99999")))
    placed, unplaced = result.services
    assert placed["provenance"]["geocoded"] == "postal_code" and abs(placed["lat"] - 39.29) < 0.1
    assert "lat" not in unplaced
    assert result.report.lines()[1] == "located: 1 (1 geocoded from postal codes, approximate)"


def test_bad_rows_are_skipped_and_counted_by_reason(tmp_path):
    result = imported(tmp_path, page(row(), row(), "not a row", row(frid="0000aaaa0000aaaa", name1=""),
                                     row(frid="1111bbbb1111bbbb", phone="call us", website="not a site", state="Maryland")))
    assert [s["id"] for s in result.services] == ["fictional-harbor-clinic-a1b2c3d4", "fictional-harbor-clinic-1111bbbb"]
    assert result.report.skipped == {"duplicate row": 1, "not a facility": 1, "no name": 1}
    assert "phone" not in result.services[1] and "url" not in result.services[1]


def test_an_array_of_pages_and_a_folder_of_pages(tmp_path):
    pages = [page(row()), page(row(frid="2222cccc2222cccc", name1="Fictional Second Clinic"))]
    assert len(findtreatment.import_findtreatment(write(tmp_path / "all.json", pages)).services) == 2
    folder = tmp_path / "pages"
    folder.mkdir()
    for n, one in enumerate(pages):
        write(folder / f"page-{n}.json", one)
    (folder / "notes.txt").write_text("not a page")
    result = findtreatment.import_findtreatment(folder)
    assert [s["name"] for s in result.services] == ["Fictional Harbor Clinic", "Fictional Second Clinic"]
    assert result.report.dataset == "pages"


@pytest.mark.parametrize("make, said", [
    (lambda p: (p / "x.json").write_text("<html>") and p / "x.json", "is not JSON"),
    (lambda p: write(p / "x.json", {"services": []}), 'no "rows" list'),
    (lambda p: write(p / "x.json", [1, 2]), 'no "rows" list'),
    (lambda p: (p / "hsds").mkdir() or (p / "hsds" / "services.csv").write_text("id,name\n") and p / "hsds", "holds no .json files"),
    (lambda p: p / "missing.json", "No file or folder"),
])
def test_what_is_not_a_listing_exits_2_and_writes_nothing(cli, tmp_path, make, said):
    source = make(tmp_path)
    out = tmp_path / "out.toml"
    out.write_text("# Imported by hrfind before: a file this run may replace, and must not touch.\n")
    before = out.read_text()
    result = cli("import", "findtreatment", source, "-o", out)
    assert result.exit_code == 2
    assert said in result.stderr and "FindTreatment.gov locator listing" in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert out.read_text() == before


def test_nothing_importable_writes_nothing(cli, tmp_path):
    source = write(tmp_path / "empty.json", page(row(name1="")))
    out = tmp_path / "out.toml"
    result = cli("import", "findtreatment", source, "-o", out)
    assert result.exit_code == 1 and not out.exists()
    assert "skipped: 1 (1 no name)" in result.stderr


FIELDS = ("frid", "name1", "name2", "street1", "street2", "city", "state", "zip", "phone", "intake1", "hotline1", "website",
          "latitude", "longitude", "services")


def test_any_row_is_imported_or_skipped_never_a_crash(tmp_path_factory):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    value = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30), st.lists(st.text(max_size=5), max_size=2),
                      st.lists(st.dictionaries(st.sampled_from(("f1", "f2", "f3")), st.one_of(st.text(max_size=40), st.none())), max_size=3))
    folder = tmp_path_factory.mktemp("rows")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.one_of(st.dictionaries(st.sampled_from(FIELDS), value), value), max_size=4))
    def check(rows):
        result = findtreatment.import_findtreatment(write(folder / "page.json", page(*rows)))
        assert result.report.imported + sum(result.report.skipped.values()) == len(rows)
        tomllib.loads(result.toml())

    check()
