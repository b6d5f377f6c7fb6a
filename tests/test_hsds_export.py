"""HSDS 3.0 export: valid against the specification's own schema (checked with frictionless), and lossless
for every field HSDS carries when imported back."""

import csv
import datetime
import io
import json
import zipfile
from pathlib import Path

import msgspec
import pytest

from hrfind import catalog
from hrfind.errors import UsageError
from hrfind.hsds import exporter, spec
from hrfind.hsds.importer import import_hsds
from hrfind.model import Address, Hours, Offer, Service

TODAY = datetime.date(2026, 11, 26)


def offers() -> dict[str, Offer]:
    """The bundled vocabulary: the one a real export writes as taxonomy terms."""
    return catalog.load(catalog.layers(no_bundled=True, env={})).offers


SERVICES = [
    Service(id="harbor-van", name="Harbor Van", summary="Mobile outreach with supplies.", offers=["naloxone", "syringe-services"],
            access=["in-person", "text"], phone="410-555-0100 x12", text="41055", url="https://harbor.example.org",
            languages=["en", "es"], cost="free", eligibility="Adults", verified=datetime.date(2026, 10, 1),
            address=Address(street="1 Pier St, Suite 2", city="Baltimore", region="MD", postal_code="21202", country="US"),
            lat=39.2847, lon=-76.6205,
            hours=[Hours(days=["mon", "wed"], opens="09:00", closes="17:00"), Hours(days=["fri"], opens="20:00", closes="02:00"),
                   Hours(days=["sat"], opens="00:00", closes="24:00")],
            hours_note="Closed on federal holidays"),
    Service(id="spotting-line", name="Spotting Line", summary="Someone stays on the phone while you use.",
            offers=["overdose-spotting"], access=["phone"], phone="1-800-484-3731", coverage=["US", "CA-BC"], cost="free"),
    Service(id="online-only", name="Online Only", access=["online"], url="https://online.example.org",
            hours_note="Replies within a day"),
    Service(id="corner-clinic", name="Corner Clinic", access=["in-person"], cost="sliding-scale",
            address=Address(street="5 Main St", city="Towson", region="MD", postal_code="21204", country="US"),
            lat=39.4072, lon=-76.6038, provenance={"format": "hsds-1.1", "geocoded": "postal_code"}),  # the centre of 21204
    Service(id="no-city", name="No City", address=Address(street="9 Side St", postal_code="21201")),
]


def export(tmp_path: Path, services=SERVICES) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    target = tmp_path / "package"
    exporter.export_hsds(services, offers(), target)
    return target


def test_the_package_validates_against_its_own_descriptor(tmp_path):
    import frictionless

    report = frictionless.validate(export(tmp_path) / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def spec_package(shared: Path, folder: Path):
    """The specification's own resources (schemas and foreign keys untouched), reading the exported CSVs."""
    import frictionless

    descriptor = json.loads((shared / "fixtures" / "hsds" / "hsds-3.0-example" / "datapackage.json").read_text())
    written = {p.name for p in folder.glob("*.csv")}
    descriptor["resources"] = [r for r in descriptor["resources"] if r["path"] in written]
    assert len(descriptor["resources"]) == len(written) == len(spec.TABLES)
    return frictionless.Package(descriptor, basepath=str(folder))


def test_the_package_validates_against_the_specifications_schema(shared, tmp_path):
    report = spec_package(shared, export(tmp_path)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_validator_does_catch_a_broken_package(shared, tmp_path):
    folder = export(tmp_path)
    services = (folder / "services.csv").read_text()
    (folder / "services.csv").write_text(services.replace(",active,", ",open,", 1))  # not in the status enum
    phones = (folder / "phones.csv").read_text().splitlines()
    (folder / "phones.csv").write_text("\r\n".join([phones[0], "not-a-uuid" + phones[1][36:], *phones[2:]]) + "\r\n")
    errors = {e.type for task in spec_package(shared, folder).validate().tasks for e in task.errors}
    assert {"constraint-error", "type-error"} <= errors


def test_tables_match_the_specification_field_by_field(shared):
    descriptor = json.loads((shared / "fixtures" / "hsds" / "hsds-3.0-example" / "datapackage.json").read_text())
    theirs = {r["name"]: r for r in descriptor["resources"]}
    ours = spec.descriptor("x", "x", "2026-01-01T00:00:00")
    for resource in ours["resources"]:
        reference = theirs[resource["name"]]
        assert resource["path"] == reference["path"]
        assert resource["schema"]["fields"] == [
            {k: v for k, v in f.items() if k in ("name", "type", "format", "constraints") and not (k == "format" and v == "default")}
            for f in reference["schema"]["fields"]
        ], resource["name"]
        keys = lambda r: sorted((k["fields"], k["reference"]["resource"]) for k in r["schema"].get("foreignKeys", []))
        assert keys(resource) == keys(reference), resource["name"]


def rows(folder: Path, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((folder / name).read_text(encoding="utf-8"))))


def test_what_each_service_becomes(tmp_path):
    folder = export(tmp_path)
    services = {r["name"]: r for r in rows(folder, "services.csv")}
    van = services["Harbor Van"]
    assert van["status"] == "active" and van["fees_description"] == "Free" and van["assured_date"] == "2026-10-01"
    phones = {r["type"]: r for r in rows(folder, "phones.csv") if r["service_id"] == van["id"]}
    assert (phones["voice"]["number"], phones["voice"]["extension"], phones["sms"]["number"]) == ("410-555-0100", "12", "41055")
    schedules = [r for r in rows(folder, "schedules.csv") if r["service_id"] == van["id"]]
    assert [(r["byday"], r["opens_at"], r["closes_at"]) for r in schedules] == [
        ("MO,WE", "09:00:00", "17:00:00"), ("FR", "20:00:00", "02:00:00"), ("SA", "00:00:00", "23:59:00")]
    locations = {r["name"]: r for r in rows(folder, "locations.csv")}
    assert locations["Harbor Van"]["latitude"] == "39.2847"
    assert locations["Corner Clinic"]["latitude"] == ""  # a ZIP-code centre is not passed on as a real point
    assert locations["Online Only"]["location_type"] == "virtual"
    assert "No City" not in locations  # HSDS needs a city; an address without one is left out
    assert {r["name"] for r in rows(folder, "service_areas.csv")} == {"US", "CA-BC"}
    terms = {r["code"] for r in rows(folder, "taxonomy_terms.csv")}
    assert set(offers()) | {spec.ID_TERM_CODE} == terms


def test_ids_are_uuids_that_stay_the_same(tmp_path):
    first = export(tmp_path / "a")
    again = export(tmp_path / "b")
    for path in first.glob("*.csv"):
        assert path.read_bytes() == (again / path.name).read_bytes()
    assert rows(first, "services.csv")[0]["id"] == exporter.uid("service", "harbor-van")


def comparable(service: Service) -> dict:
    """A service's fields that HSDS carries; access is what HSDS can say of it."""
    data = msgspec.to_builtins(service)
    for field in ("origin", "provenance", "sources", "timezone"):
        data.pop(field)
    data["access"] = [a for a in data["access"] if a in ("in-person", "phone", "text", "online")]
    return data


def test_importing_an_export_gives_back_every_service(tmp_path):
    folder = export(tmp_path)
    imported = import_hsds(folder, offers(), TODAY)
    assert imported.report.skipped == {}
    out = tmp_path / "back.toml"
    imported.write(out)
    back = catalog.load(catalog.layers([out], no_bundled=True, env={}))
    assert not back.problems
    assert sorted(back.services) == sorted(s.id for s in SERVICES)
    for service in SERVICES:
        expected = comparable(service)
        if service.address and not service.address.city:
            expected["address"] = None  # HSDS cannot hold an address without a city
        assert comparable(back.services[service.id]) == expected, service.id
    assert back.services["corner-clinic"].provenance["geocoded"] == "postal_code"


def test_round_trip_of_an_imported_directory(shared, tmp_path):
    first = import_hsds(shared / "fixtures" / "hsds" / "ohana-sample", offers(), TODAY)
    first.write(tmp_path / "first.toml")
    loaded = catalog.load(catalog.layers([tmp_path / "first.toml"], no_bundled=True, env={}))
    exporter.export_hsds(loaded.services.values(), loaded.offers, tmp_path / "package")
    again = import_hsds(tmp_path / "package", offers(), TODAY)
    assert [s["id"] for s in again.services] == [s["id"] for s in first.services]
    strip = lambda s: {k: v for k, v in s.items() if k != "provenance"}
    assert [strip(s) for s in again.services] == [strip(s) for s in first.services]


def test_zip_output(tmp_path):
    target = tmp_path / "export.zip"
    result = exporter.export_hsds(SERVICES, offers(), target)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
    assert names[-1] == "datapackage.json" and len(names) == len(spec.TABLES) + 1
    assert result.counts["service"] == len(SERVICES) and result.partial_addresses == 1
    assert [p.name for p in tmp_path.iterdir()] == ["export.zip"]
    assert {s["id"] for s in import_hsds(target, offers(), TODAY).services} == {s.id for s in SERVICES}


def test_an_earlier_export_is_updated_and_other_folders_are_refused(tmp_path):
    folder = export(tmp_path)
    exporter.export_hsds(SERVICES[:1], offers(), folder)
    assert len(rows(folder, "services.csv")) == 1
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="already holds other files"):
        exporter.export_hsds(SERVICES, offers(), other)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        exporter.export_hsds(SERVICES, offers(), tmp_path / "file")
    with pytest.raises(UsageError, match="Create it first"):
        exporter.export_hsds(SERVICES, offers(), tmp_path / "missing" / "package")


@pytest.mark.parametrize("name", ["package", "package.zip"])
def test_a_new_folder_appears_whole(tmp_path, monkeypatch, name):
    written = []
    real = exporter._Table.append

    def interrupted(self, row):
        if len(written) == 3:
            raise KeyboardInterrupt  # Ctrl-C halfway through the tables
        written.append(row)
        return real(self, row)

    monkeypatch.setattr(exporter._Table, "append", interrupted)
    with pytest.raises(KeyboardInterrupt):
        exporter.export_hsds(SERVICES, offers(), tmp_path / name)
    assert len(written) == 3 and list(tmp_path.iterdir()) == []
