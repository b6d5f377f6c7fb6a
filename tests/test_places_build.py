"""places/build.py: the layer of federal places is reproducible, cleaned and merged as its README says."""

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from hrfind import check

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "places" / "raw"


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("places_build", ROOT / "places" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


OTP = ("ID,ADDRESS,CITY,STATE,POSTAL,Latitude,Longitude\n"
       "Harbor Methadone Clinic,100 North Charles Street,Baltimore,MD,21201,39.2905,-76.6155\n"
       "Harbor Methadone Clinic,100 North Charles Street,Baltimore,MD,21201,39.2905,-76.6155\n"  # exact duplicate
       "Harbor Methadone Clinic LLC,100 N. Charles St.,Baltimore,MD,21201,39.29051,-76.61549\n"  # near duplicate
       "Eastside Detention Center Methadone Program,1 Jail Road,Baltimore,MD,21202,39.30,-76.60\n"  # custodial
       "Lost Clinic,5 Main Street,Baltimore,MD,21201,47.60,-122.33\n"  # geocoded to Seattle
       "New England Clinic,5 Elm Street,Boston,MA,2108,42.3570,-71.0640\n")  # a ZIP code that lost its 0
MOUD = ('"","name1","name2","street1","street2","city","state","zip","zip4","category","countyGEOID","countyName","source",'
        '"geom1","geom2","Longitude","Latitude"\n'
        '"1","Harbor Methadone Clinic",NA,"100 North Charles Street","Suite 2","Baltimore","MD","21201",NA,"buprenorphine",'
        '"24510","Baltimore city","SAMHSA",c(-76.6155, 39.2905),-76.6155,39.2905\n'
        '"2","Harbor Methadone Clinic",NA,"100 North Charles Street",NA,"Baltimore","MD","21201",NA,"naltrexone/vivitrol",'
        '"24510","Baltimore city","vivitrolWeb",c(-76.6155, 39.2905),-76.6155,39.2905\n'
        '"3","Uptown Recovery",NA,"9 Oak Avenue",NA,"Baltimore","MD","21218",NA,"naltrexone/vivitrol",'
        '"24510","Baltimore city","SAMHSA",c(-76.61, 39.33),-76.61,39.33\n')
SUT = ("name1,name2,street1,street2,city,state,zip,zip4,county,latitude,longitude\n"
       "Uptown Recovery,Outpatient,9 Oak Ave,,Baltimore,MD,21218,,Baltimore City,39.33,-76.61\n"
       "Fictional Center for Women and,Children,7 Elm Street,,Baltimore,MD,21218,,Baltimore City,39.32,-76.62\n")  # a name cut in two
FQHC = ("name,st_abbr,city,address,phone,testing_status,lon,lat\n"
        "HARBOR HEALTH CTR,MD,Baltimore,200 E Pratt St,410-555-0100 x0000,Yes,-76.6130,39.2866\n"
        "ZERO PHONE CLINIC,MD,Baltimore,300 E Pratt St,0,Yes,-76.6120,39.2866\n")


def write_lists(folder: Path, build, otp=OTP, moud=MOUD, sut=SUT, fqhc=FQHC) -> Path:
    for listing, text in zip(build.LISTS, (otp, moud, sut, fqhc)):
        (folder / listing.folder).mkdir(parents=True)
        (folder / listing.folder / listing.file).write_text(text, encoding=listing.encoding)
    return folder


def test_cleans_merges_and_counts(build, tmp_path):
    services, log = build.build(write_lists(tmp_path / "raw", build))
    by_name = {s["name"]: s for s in services}
    assert sorted(by_name) == ["Fictional Center for Women and Children", "Harbor Health Ctr", "Harbor Methadone Clinic",
                               "New England Clinic", "Uptown Recovery", "Zero Phone Clinic"]
    assert "aliases" not in by_name["Fictional Center for Women and Children"]
    assert by_name["Uptown Recovery"]["aliases"] == ["Outpatient"]
    harbor = by_name["Harbor Methadone Clinic"]
    # One facility in two lists: one service, the union of what each list says (not the manufacturer's naltrexone).
    assert harbor["offers"] == ["methadone", "buprenorphine"]
    assert [s["publisher"] for s in harbor["sources"]] == ["SAMHSA", "SAMHSA"]
    assert all("OEPS" in s["title"] for s in harbor["sources"])
    assert str(harbor["verified"]) == "2021-07-01"
    assert "phone" not in harbor and "hours" not in harbor
    assert by_name["Uptown Recovery"]["offers"] == ["naltrexone", "treatment"]
    assert by_name["Harbor Health Ctr"]["phone"] == "410-555-0100"
    assert "phone" not in by_name["Zero Phone Clinic"]
    assert by_name["New England Clinic"]["address"]["postal_code"] == "02108"
    assert log[0] == ("samhsa-otp-2021: read 6, kept 2; dropped 1 jail, prison or detention, "
                      "1 coordinates outside its state, 1 exact duplicate, 1 near duplicate")
    assert log[1] == "samhsa-moud-2020: read 3, kept 2; dropped 1 vivitrolWeb (manufacturer's site)"
    assert "merged: 1 samhsa-sut-2021 rows joined to a facility of an earlier list" in log
    for service in services:
        assert not {"naloxone", "syringe-services", "drug-checking"} & set(service["offers"])
        record, problems = check.build_record("places", "service", 0, service, __import__("datetime").date(2026, 12, 1))
        assert record is not None and not problems, problems


def test_ids_are_readable_and_stable(build, tmp_path):
    first, _ = build.build(write_lists(tmp_path / "a", build))
    reordered = FQHC.splitlines(keepends=True)
    second, _ = build.build(write_lists(tmp_path / "b", build, fqhc=reordered[0] + "".join(reversed(reordered[1:]))))
    assert [s["id"] for s in first] == [s["id"] for s in second]
    assert any(s["id"].startswith("harbor-methadone-clinic-baltimore-") for s in first)


def test_output_is_byte_identical_on_a_slice_of_the_real_lists(build, tmp_path):
    raw = tmp_path / "raw"
    for listing in build.LISTS:
        lines = (RAW / listing.folder / listing.file).read_bytes().splitlines(keepends=True)
        (raw / listing.folder).mkdir(parents=True)
        (raw / listing.folder / listing.file).write_bytes(b"".join(lines[:300]))
    outputs = []
    for n in range(2):
        out = tmp_path / f"out{n}.toml"
        done = subprocess.run([sys.executable, str(ROOT / "places" / "build.py"), "--raw", str(raw), "-o", str(out)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    services = tomllib.loads(outputs[0].decode())["service"]
    assert 500 < len(services) < 1200
    assert len({s["id"] for s in services}) == len(services)


def test_refuses_a_file_without_the_expected_columns(build, tmp_path):
    raw = write_lists(tmp_path / "raw", build, sut="name,street,city\nA,B,C\n")
    with pytest.raises(build.BuildError) as error:
        build.build(raw)
    message = str(error.value)
    assert "SubstanceUseTreatment_Geocoded.csv" in message
    assert "missing columns name1, name2, street1, street2, state, zip, latitude, longitude" in message
    out = tmp_path / "out.toml"
    done = subprocess.run([sys.executable, str(ROOT / "places" / "build.py"), "--raw", str(raw), "-o", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "missing columns" in done.stderr and not out.exists()

