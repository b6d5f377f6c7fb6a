"""`hrfind import hsds` and `hrfind export` through the command line."""

import json
from pathlib import Path

import pytest


@pytest.fixture
def ohana(shared) -> Path:
    return shared / "fixtures" / "hsds" / "ohana-sample"


def test_import_reports_on_stderr_and_writes_a_valid_layer(cli, ohana, tmp_path):
    out = tmp_path / "ohana.toml"
    result = cli("import", "hsds", ohana, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "hrfind: imported 21 services from ohana-sample (Ohana API CSV)",
        "hrfind: read the CSV files at the top",
        "hrfind: located: 21 (0 geocoded from postal codes, approximate)",
        "hrfind: with hours: 3",
        "hrfind: with offers: 0",
        "hrfind: skipped: 2 (1 defunct, 1 inactive)",
        f"hrfind: wrote {out}; use it with --data {out}, or add it to HRFIND_DATA",
    ]
    assert cli("validate", out).exit_code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["ohana.toml"]  # no temporary file left
    shown = cli("--data", out, "show", "passport-photos-22", "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)[0]["origin"] == str(out)
    listed = cli("services", "--near", "94103", "--json", env={"HRFIND_DATA": str(out)})
    assert "passport-photos-22" in {r["id"] for r in json.loads(listed.stdout)}


def test_import_usage_errors(cli, ohana, tmp_path):
    missing = cli("import", "hsds", tmp_path / "nowhere", "-o", tmp_path / "x.toml")
    assert missing.exit_code == 2 and "No file or folder at" in missing.stderr
    assert cli("import", "hsds", ohana).exit_code == 2  # -o is required
    wrong = cli("import", "hsds", ohana, "-o", tmp_path / "x.json")
    assert wrong.exit_code == 2 and "ending in .toml" in wrong.stderr
    nowhere = cli("import", "hsds", ohana, "-o", tmp_path / "no" / "x.toml")
    assert nowhere.exit_code == 2 and "Create it first" in nowhere.stderr
    assert not (tmp_path / "x.toml").exists() and not (tmp_path / "x.json").exists()


def test_import_of_nothing_writes_nothing(cli, tmp_path):
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "services.csv").write_text("id,name,status\n1,A,defunct\n")
    out = tmp_path / "out.toml"
    out.write_text("# Imported by hrfind from an earlier export\n")
    result = cli("import", "hsds", tmp_path / "export", "-o", out)
    assert result.exit_code == 1 and "Nothing to import" in result.stderr
    assert out.read_text() == "# Imported by hrfind from an earlier export\n"


def test_values_that_fail_validation_are_dropped_and_strict_refuses_them(cli, tmp_path, monkeypatch):
    from hrfind.hsds import importer

    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "services.csv").write_text("id,name,url\n1,A,example.org\n")
    # The mapping checks every value it makes; this stands in for a value that slips past it.
    monkeypatch.setattr(importer, "web_address", lambda text: "ftp://example.org")
    out = tmp_path / "out.toml"
    strict = cli("import", "hsds", tmp_path / "export", "-o", out, "--strict")
    assert strict.exit_code == 3 and "nothing was written (--strict)" in strict.stderr
    assert not out.exists()
    lenient = cli("import", "hsds", tmp_path / "export", "-o", out)
    assert lenient.exit_code == 0 and "hrfind: values dropped as invalid: 1 url" in lenient.stderr.splitlines()
    assert "url" not in out.read_text() and cli("validate", out).exit_code == 0


def test_export_hsds_needs_a_folder_or_zip(cli, tmp_path):
    result = cli("export", "--format", "hsds")
    assert result.exit_code == 2 and "-o FOLDER" in result.stderr
    assert cli("export", "--format", "yaml").exit_code == 2


def test_export_hsds_of_the_users_own_directory(cli, ohana, tmp_path):
    out = tmp_path / "ohana.toml"
    cli("import", "hsds", ohana, "-o", out)
    package = tmp_path / "package"
    result = cli("--data", out, "--no-bundled", "export", "--format", "hsds", "-o", package)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"hrfind: exported 21 services as HSDS 3.0 to {package}\n")
    assert (package / "datapackage.json").is_file()
    again = tmp_path / "again.toml"
    assert cli("import", "hsds", package / "datapackage.json", "-o", again).exit_code == 0
    ids = lambda path: sorted(r["id"] for r in json.loads(cli("--data", path, "--no-bundled", "export", "--format", "json").stdout))
    assert ids(again) == ids(out)


def test_export_json_and_jsonl_hold_every_record(cli, ohana, tmp_path):
    out = tmp_path / "ohana.toml"
    cli("import", "hsds", ohana, "-o", out)
    records = json.loads(cli("--data", out, "export", "--format", "json").stdout)
    kinds = {r["kind"] for r in records}
    assert kinds == {"principle", "strategy", "service", "offer"}
    assert len([r for r in records if r["kind"] == "service" and r["origin"] == str(out)]) == 21
    lines = cli("--data", out, "export", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == records
    own = json.loads(cli("--data", out, "--no-bundled", "export", "--format", "json").stdout)
    assert len(own) == 21 and {r["origin"] for r in own} == {str(out)}


def test_export_to_a_file(cli, tmp_path):
    target = tmp_path / "all.jsonl"
    result = cli("export", "--format", "jsonl", "-o", target)
    assert result.exit_code == 0 and result.stdout == ""
    count = len(target.read_text().splitlines())
    assert f"exported {count} records to {target}" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["all.jsonl"]
    folder = cli("export", "--format", "json", "-o", tmp_path)
    assert folder.exit_code == 2 and "is a folder" in folder.stderr


def test_export_geojson_maps_every_located_service(cli, ohana, tmp_path):
    out = tmp_path / "ohana.toml"
    cli("import", "hsds", ohana, "-o", out)
    collection = json.loads(cli("--data", out, "--no-bundled", "export", "--format", "geojson").stdout)
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 21
    feature = next(f for f in collection["features"] if f["properties"]["id"] == "fair-oaks-adult-activity-center-1")
    assert feature["geometry"] == {"type": "Point", "coordinates": [-122.213221, 37.477227]}
    assert feature["properties"]["kind"] == "service"


def test_nothing_to_export_exits_1(cli, tmp_path):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    result = cli("--data", empty, "--no-bundled", "export", "--format", "geojson")
    assert result.exit_code == 1


def test_import_matches_offers_through_the_loaded_vocabulary(cli, tmp_path):
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "services.csv").write_text("id,name,description\n7,Harbor Van,Free Narcan and fentanyl test strips\n")
    out = tmp_path / "out.toml"
    assert cli("import", "hsds", tmp_path / "export", "-o", out).exit_code == 0
    (service,) = json.loads(cli("--data", out, "--no-bundled", "export", "--format", "json").stdout)
    assert service["id"] == "harbor-van-7" and service["offers"] == ["naloxone", "drug-checking"]
