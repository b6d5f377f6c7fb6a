"""Imports of real and hostile exports: the 211 package layout, paths that lead outside, zip bombs."""

import json
import os
import shutil
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrfind.errors import DataError
from hrfind.hsds.read import inside, read_export

ILAO = "fixtures/hsds/hsds-1.1-ilao"
SERVICES = "id,name,description\ns1,Harbor Van,Naloxone\n"


def package_211(shared: Path, where: Path) -> Path:
    """A real 211 export as such systems write it: datapackage.json at the top, the CSV files in data/,
    and resource paths that name the bare file."""
    source = shared / ILAO
    (where / "data").mkdir(parents=True)
    resources = []
    for csv in sorted(source.glob("*.csv")):
        shutil.copy(csv, where / "data" / csv.name)
        resources.append({"name": csv.stem, "path": csv.name, "format": "csv"})
    (where / "datapackage.json").write_text(json.dumps({"name": "ilao-211", "version": "1.1", "resources": resources}))
    return where


def test_a_211_package_with_its_tables_in_data(cli, shared, tmp_path):
    export = package_211(shared, tmp_path / "export")
    out = tmp_path / "out.toml"
    result = cli("import", "hsds", export, "-o", out)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "hrfind: imported 429 services from ilao-211 (HSDS 1.1)"
    assert lines[1] == "hrfind: read the tables of datapackage.json, found in data/"
    # The same services as the folder of bare CSV files gives.
    assert len(read_export(export).rows("services")) == len(read_export(shared / ILAO).rows("services"))


def test_resources_are_found_by_table_name_when_the_path_is_wrong(tmp_path):
    (tmp_path / "Services.csv").write_text(SERVICES)
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": [{"name": "services", "path": "tables/services.csv"}]}))
    export = read_export(tmp_path / "datapackage.json")
    assert [r["name"] for r in export.rows("services")] == ["Harbor Van"]
    assert export.layout == "the tables of datapackage.json, found by table name"


def test_a_zipped_211_package(shared, tmp_path):
    export = package_211(shared, tmp_path / "export")
    zipped = tmp_path / "export.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(export.rglob("*")):
            archive.write(path, path.relative_to(tmp_path).as_posix())
    read = read_export(zipped)
    assert len(read.rows("services")) == 429 + 1 and read.layout.endswith("found in data/")  # 429 and the one skipped


# --- containment -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["../outside/services.csv", "/etc/passwd", "data/../../outside/services.csv",
                                  "..\\outside\\services.csv", "C:/Windows/services.csv"])
def test_resource_paths_outside_the_export_are_refused_by_name(cli, tmp_path, path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "services.csv").write_text("id,name\nleak,Secret sibling service\n")
    export = tmp_path / "export"
    export.mkdir()
    (export / "datapackage.json").write_text(json.dumps({"resources": [{"name": "services", "path": path}]}))
    result = cli("import", "hsds", export, "-o", tmp_path / "out.toml")
    assert result.exit_code == 3
    assert path in result.stderr and "outside the export" in result.stderr
    assert not (tmp_path / "out.toml").exists()


def test_a_link_out_of_the_export_is_refused(cli, tmp_path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "services.csv").write_text("id,name\nleak,Secret sibling service\n")
    export = tmp_path / "export"
    export.mkdir()
    (export / "services.csv").symlink_to(tmp_path / "outside" / "services.csv")
    result = cli("import", "hsds", export, "-o", tmp_path / "out.toml")
    assert result.exit_code == 3 and "services.csv" in result.stderr and "outside the export" in result.stderr


PARTS = st.lists(st.sampled_from(["..", ".", "data", "a.csv", "", "x", "/", "\\", "C:", "~"]), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=PARTS)
def test_every_accepted_resource_path_stays_inside(parts, tmp_path_factory):
    path = "/".join(parts)
    try:
        relative = inside(path)
    except DataError:
        return
    root = Path("/srv/export")
    resolved = Path(os.path.normpath(root / relative))
    assert resolved == root or root in resolved.parents, (path, relative)
    assert not PurePosixPath(relative).is_absolute()
