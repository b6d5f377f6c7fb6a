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


# --- zips ------------------------------------------------------------------------------------------

def zipped(tmp_path: Path, members: dict, method=zipfile.ZIP_DEFLATED) -> Path:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return archive


def test_default_zip_limits_are_the_documented_ones():
    from hrfind.hsds.read import ZipLimits

    limits = ZipLimits.raised()
    assert (limits.member, limits.total, limits.ratio) == (256 * 2**20, 2**30, 100)
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "256 MiB" in readme and "1 GiB" in readme and "100 times" in readme


def test_a_zip_bomb_member_is_refused_by_name(cli, tmp_path):
    bomb = zipped(tmp_path, {"services.csv": b"id,name\n" + b"0" * (20 * 2**20)})  # 20 MiB of zeros: 20 KiB zipped
    assert bomb.stat().st_size < 100_000
    result = cli("import", "hsds", bomb, "-o", tmp_path / "out.toml")
    assert result.exit_code == 3 and "services.csv" in result.stderr and "zip bomb" in result.stderr
    assert "--max-unzipped" in result.stderr and not (tmp_path / "out.toml").exists()


@pytest.mark.parametrize("limits, expected", [
    (dict(member=2**20), "inflates to more than 1 MiB"),
    (dict(total=3 * 2**20), "takes the export past 3 MiB unzipped"),
])
def test_size_caps_per_member_and_in_total(cli, tmp_path, monkeypatch, limits, expected):
    from hrfind.hsds import read

    for key, value in limits.items():
        monkeypatch.setattr(read, f"MAX_{key.upper()}", value)
    rows = "".join(f"s{n},Service {n} {os.urandom(24).hex()}\n" for n in range(25_000))  # ~1.6 MiB, no bomb ratio
    bomb = zipped(tmp_path, {"services.csv": "id,name\n" + rows, "locations.csv": "id,name\n" + rows})
    result = cli("import", "hsds", bomb, "-o", tmp_path / "out.toml")
    assert result.exit_code == 3 and expected in result.stderr, result.stderr
    raised = cli("import", "hsds", bomb, "-o", tmp_path / "out.toml", "--max-unzipped", "8M")
    assert raised.exit_code == 0, raised.stderr


@pytest.mark.parametrize("size", ["", "lots", "-1", "4X"])
def test_a_bad_max_unzipped_is_a_usage_error(cli, tmp_path, size):
    archive = zipped(tmp_path, {"services.csv": SERVICES})
    result = cli("import", "hsds", archive, "-o", tmp_path / "out.toml", "--max-unzipped", size)
    assert result.exit_code == 2 and "is not a size" in result.stderr


def rewrite(archive: Path, old: bytes, new: bytes) -> None:
    data = archive.read_bytes()
    assert old in data
    archive.write_bytes(data.replace(old, new))


@pytest.mark.parametrize("damage, expected", [
    ("deflate", "Cannot read services.csv"),
    ("encrypted", "services.csv in"),
    ("deflate64", "Deflate64"),
    ("aes", "AES encryption"),
])
def test_zips_that_cannot_be_read_exit_3_naming_the_member(cli, tmp_path, damage, expected):
    data = b"id,name\n" + b"".join(b"s%d,Service %d\n" % (n, n) for n in range(2000))
    archive = zipped(tmp_path, {"services.csv": data})
    raw = bytearray(archive.read_bytes())
    info = zipfile.ZipFile(archive).getinfo("services.csv")
    local, central = 0, raw.rfind(b"PK\x01\x02")
    if damage == "deflate":
        start = info.header_offset + 30 + len(info.filename)
        raw[start + 10:start + 40] = os.urandom(30)
    elif damage == "encrypted":
        raw[local + 6] |= 1
        raw[central + 8] |= 1
    else:
        method = 9 if damage == "deflate64" else 99
        raw[local + 8:local + 10] = method.to_bytes(2, "little")
        raw[central + 10:central + 12] = method.to_bytes(2, "little")
    archive.write_bytes(bytes(raw))
    result = cli("import", "hsds", archive, "-o", tmp_path / "out.toml")
    assert result.exit_code == 3, result.stderr
    assert expected in result.stderr and "internal error" not in result.stderr


def test_an_unreadable_datapackage_json_is_a_data_error(cli, tmp_path, monkeypatch):
    from hrfind import files

    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "services.csv").write_text(SERVICES)
    (tmp_path / "export" / "datapackage.json").write_text("{}")
    real = files.read_regular

    def denied(path, *args, **kwargs):  # what a file without read permission does, even for root
        if Path(path).name == "datapackage.json":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(files, "read_regular", denied)
    result = cli("import", "hsds", tmp_path / "export", "-o", tmp_path / "out.toml")
    assert result.exit_code == 3 and "Cannot read the datapackage.json" in result.stderr and "Permission denied" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file regardless of permissions; the test above simulates it")
def test_a_datapackage_json_without_read_permission(cli, tmp_path):
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "services.csv").write_text(SERVICES)
    descriptor = tmp_path / "export" / "datapackage.json"
    descriptor.write_text("{}")
    descriptor.chmod(0)
    result = cli("import", "hsds", tmp_path / "export", "-o", tmp_path / "out.toml")
    assert result.exit_code == 3 and "Cannot read the datapackage.json" in result.stderr


def test_a_deeply_nested_datapackage_json(cli, tmp_path):
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "services.csv").write_text(SERVICES)
    (tmp_path / "export" / "datapackage.json").write_text('{"resources": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = cli("import", "hsds", tmp_path / "export", "-o", tmp_path / "out.toml")
    assert result.exit_code == 3 and "nested too deeply" in result.stderr
