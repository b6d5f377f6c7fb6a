"""import hsds a row at a time: the same bytes as the importer that held the whole export in memory.

The expected outputs were written by that importer (commit 7f02bbb) from the same exports: the
whole file where it is small (tests/fixtures/golden/import-*.toml), else its SHA-256.
"""

import codecs
import csv
import errno
import hashlib
import io
import os
import sys
from pathlib import Path

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

import golden
from hrfind.hsds import importer, read
from hrfind.hsds.importer import import_hsds, reading_hsds, toml_services
from hrfind.hsds.read import column, read_export
from test_hsds_import import OFFERS, TODAY

FIXTURES = "fixtures/hsds"
DIGESTS = {
    "hsds-1.1-ilao": "afda8fcf9c4c2e9db49cbabc33c0e51e649d5eae76e5a99be3ce81a4acbb1d52",
    "generated-400": "3b74222304251a121b8927621d9d858e0a2cc2c9096fb3fb0b319ddba57d7455",
}
REPORTS = {
    "hsds-1.1-ilao": ["imported 429 services from hsds-1.1-ilao (HSDS 1.1)", "read the CSV files at the top",
                      "located: 26 (26 geocoded from postal codes, approximate)", "with hours: 101", "with offers: 0",
                      "skipped: 1 (1 no name)"],
    "hsds-3.0-example": ["imported 1 services from human_services_data (HSDS 3.0)",
                         "read the tables of datapackage.json, found where datapackage.json says",
                         "located: 0 (0 geocoded from postal codes, approximate)", "with hours: 0", "with offers: 0", "skipped: 0"],
    "ohana-sample": ["imported 21 services from ohana-sample (Ohana API CSV)", "read the CSV files at the top",
                     "located: 21 (0 geocoded from postal codes, approximate)", "with hours: 3", "with offers: 0",
                     "skipped: 2 (1 defunct, 1 inactive)"],
    "generated-400": ["imported 400 services from hrfind-export (HSDS 3.0)",
                      "read the tables of datapackage.json, found where datapackage.json says",
                      "located: 398 (0 geocoded from postal codes, approximate)", "with hours: 371", "with offers: 364", "skipped: 0"],
}


def expect(name: str, text: str) -> None:
    if name in DIGESTS:
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == DIGESTS[name]
    else:
        golden.check(f"import-{name}.toml", text)


@pytest.mark.parametrize("name", ["hsds-1.1-ilao", "hsds-3.0-example", "ohana-sample"])
def test_the_fixtures_import_as_before(shared, name):
    with reading_hsds(shared / FIXTURES / name, OFFERS, TODAY) as imported:
        text = "".join(imported.toml_parts())
        assert imported.report.lines() == REPORTS[name]
    expect(name, text)
    assert import_hsds(shared / FIXTURES / name, OFFERS, TODAY).toml() == text


def test_a_generated_export_imports_as_before(cli, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent.parent / "bench"))
    import generate

    generate.generate(400, tmp_path / "directory")
    package = tmp_path / "package"
    assert cli("--data", tmp_path / "directory", "--no-bundled", "export", "--format", "hsds", "-o", package).exit_code == 0
    with reading_hsds(package, OFFERS, TODAY) as imported:
        text = "".join(imported.toml_parts())
        assert imported.report.lines() == REPORTS["generated-400"]
    expect("generated-400", text)


# --- the TOML, a service at a time ---------------------------------------------------------------

SHORT = st.fixed_dictionaries({"id": st.text("ab-", min_size=1, max_size=8), "name": st.text(max_size=12)})
LONG = st.fixed_dictionaries({"id": st.text("ab-", min_size=1, max_size=8), "summary": st.text(min_size=100, max_size=120),
                              "hours": st.just([{"days": ["mon"], "opens": "09:00", "closes": "17:00"}]),
                              "provenance": st.just({"format": "ohana", "dataset": "d"})})


@settings(max_examples=200, deadline=None)
@given(tables=st.lists(st.one_of(SHORT, LONG), max_size=8))
def test_toml_services_writes_what_tomli_w_writes_for_the_whole_list(tables):
    # Lists of short tables only are written inline; any long one makes every table [[service]].
    assert "".join(toml_services(iter(tables))) == tomli_w.dumps({"service": tables})


# --- CSV a line at a time ------------------------------------------------------------------------

def rows_as_before(data: bytes) -> list[dict]:
    """The rows as the importer read them before: the whole file decoded, then parsed."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                pass
    first = text[:4096].split("\n", 1)[0]
    delimiter = "," if "," in first else ";" if ";" in first else "\t" if "\t" in first else ","
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = [column(h) for h in next(reader, [])]
    rows = [{n: c.replace("\x00", "").strip(" \t\r\n\u00a0\ufeff") for n, c in zip(names, cells) if n} for cells in reader]
    rows = [r for r in rows if any(r.values())]
    return list({tuple(r.items()): r for r in rows}.values())


def rows_now(folder: Path, data: bytes) -> list[dict]:
    folder.mkdir()
    (folder / "services.csv").write_bytes(data)
    with read_export(folder) as export:
        return list(export.rows("services"))


PAD = "x" * 4090
CASES = {
    "a line break across the first 4096 characters": f"id,name\r\n1,{PAD}\r\n2,b\r\n".encode(),
    "old Mac line ends past 4096 characters": ("id;name\r" + "".join(f"{n};v{n}\r" for n in range(900))).encode(),
    "a header longer than 4096 characters": ("id;" + ";".join(f"c{n}" for n in range(1200)) + "\n1;2\n").encode(),
    "quoted line breaks and quotes": b'id,name,description\n1,"A ""van""","line one\r\nline two\rthree"\n2,b,\n',
    "Windows-1252 far into the file": ("id,name\n" + "".join(f"{n},name {n}\n" for n in range(3000))).encode() + b"9,caf\xe9\n",
    "a byte Windows-1252 leaves undefined": ("id,name\n" + "1,a\n" * 2000).encode() + b"2,\x81x\n",
    "UTF-16 with a byte-order mark and a cut last character": "id,name\n1,é\n".encode("utf-16") + b"\x00",
    "UTF-8 with a byte-order mark": "\ufeffid,name\n1,é\n".encode(),
    "NUL bytes, blank rows and repeated rows": b"id,name\n1,a\x00b\n,\n1,a\x00b\n\n2,c\n2,c\n",
    "only a header": b"id,name\n",
}


@pytest.mark.parametrize("case", CASES)
def test_csv_rows_are_read_as_before(tmp_path, case):
    assert rows_now(tmp_path / "export", CASES[case]) == rows_as_before(CASES[case])


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet="ab,;\"\r\n\t é\x00", max_size=300), encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_any_csv_is_read_as_before(tmp_path_factory, text, encoding):
    data = ("id,name\n" + text).encode(encoding, errors="replace")
    assert rows_now(tmp_path_factory.mktemp("csv") / "export", data) == rows_as_before(data)


# --- what is left behind -------------------------------------------------------------------------

def open_temporary_files() -> list[str]:
    """SQLite's temporary files this process has open."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "etilqs_" in target:  # the prefix SQLite gives its temporary files
            found.append(target)
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see open files")
def test_the_rows_are_kept_in_a_file_already_deleted(tmp_path):
    # More rows than SQLite's page cache holds, so that they go to its temporary file.
    lines = "".join(f"s{n},Service {n},{'word ' * 100}\n" for n in range(40_000))
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "services.csv").write_text("id,name,description\n" + lines)
    with reading_hsds(tmp_path / "export", OFFERS, TODAY) as imported:
        held = open_temporary_files()
        assert held and all(target.endswith(" (deleted)") for target in held)  # nothing to clean up, even after kill -9
        assert next(iter(imported.services))["id"] == "service-0-s0"
    assert open_temporary_files() == []


def test_ctrl_c_while_mapping_leaves_no_file(cli, shared, tmp_path, monkeypatch):
    made = importer.Mapper.service

    def service(self, pair, several):
        if self.report.imported == 5:
            raise KeyboardInterrupt
        return made(self, pair, several)

    monkeypatch.setattr(importer.Mapper, "service", service)
    out = tmp_path / "out"
    out.mkdir()
    result = cli("import", "hsds", shared / FIXTURES / "ohana-sample", "-o", out / "ohana.toml")
    assert result.exit_code == 130 and "interrupted" in result.stderr
    assert list(out.iterdir()) == []


class FullDisk:
    """A file open for writing on a disk that fills up at the first write."""

    def __init__(self, file):
        self.file = file

    def write(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()


def test_a_full_disk_is_reported_after_the_counts(cli, shared, tmp_path, monkeypatch):
    fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, mode="r", *a, **k: FullDisk(fdopen(fd, mode, *a, **k)) if "w" in mode
                        else fdopen(fd, mode, *a, **k))
    out = tmp_path / "out"
    out.mkdir()
    result = cli("import", "hsds", shared / FIXTURES / "ohana-sample", "-o", out / "ohana.toml")
    lines = result.stderr.splitlines()
    assert result.exit_code == 74
    assert lines[0] == "hrfind: imported 21 services from ohana-sample (Ohana API CSV)"
    assert "No space left on device" in lines[-1] and "nothing was changed" in lines[-1]
    assert list(out.iterdir()) == []


# --- the rows services link to, a batch of services at a time -----------------------------------

@pytest.mark.parametrize("batch", [1, 7])
@pytest.mark.parametrize("name", ["hsds-1.1-ilao", "ohana-sample"])
def test_the_batch_size_does_not_change_the_output(shared, monkeypatch, name, batch):
    # Services at several places, and places shared by services, fall on both sides of a batch's end.
    monkeypatch.setattr(importer, "BATCH", batch)
    with reading_hsds(shared / FIXTURES / name, OFFERS, TODAY) as imported:
        text = "".join(imported.toml_parts())
        assert imported.report.lines() == REPORTS[name]
    expect(name, text)


def test_prefetched_groups_are_the_groups_read_one_by_one(shared):
    with read_export(shared / FIXTURES / "hsds-1.1-ilao") as export:
        lookups = [(table, key, row.get(key)) for table in sorted(export.tables) for row in export.rows(table)
                   for key in read.KEYS if row.get(key)]
        lookups += [("phones", "service_id", "no such id"), ("no such table", "id", "1")]
        read_one_by_one = {lookup: export.group(*lookup) for lookup in lookups}
        firsts = {lookup: export.group(*lookup, limit=1) for lookup in lookups}
        export.prefetch(lookups)
        assert len(export.fetched) > 100
        assert {lookup: export.group(*lookup) for lookup in lookups} == read_one_by_one
        assert {lookup: export.group(*lookup, limit=1) for lookup in lookups} == firsts


def test_a_service_costs_no_queries_of_its_own(cli, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent.parent / "bench"))
    import generate

    generate.generate(400, tmp_path / "directory")
    package = tmp_path / "package"
    assert cli("--data", tmp_path / "directory", "--no-bundled", "export", "--format", "hsds", "-o", package).exit_code == 0
    with read_export(package) as export:
        mapper = importer.Mapper(export, OFFERS, TODAY)
        queries = []
        export.db.set_trace_callback(lambda sql: queries.append(sql) if sql.lstrip().upper().startswith("SELECT") else None)
        assert len(list(mapper.run())) == 400
    assert 0 < len(queries) < 100  # a few for each batch of services; a dozen for each service before
