"""The compiled store: the same answers as the data files, rebuilt when anything changes or breaks."""

import datetime
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, strategies as st

from hrfind import catalog, locate, runner, search
from hrfind.geo import parse_place
from hrfind.store import build, db, files

SAMPLE = Path(__file__).parent / "fixtures" / "sample.toml"
NOW = datetime.datetime(2026, 12, 2, 15, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    """Files written by a test are seconds old; let the store trust them (one test checks the real rule)."""
    monkeypatch.setattr(files, "RACY_NS", -1)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def strategy(record_id, title="T", **extra):
    lines = [f'id = "{record_id}"', f'title = "{title}"', 'summary = "S"'] + [f"{k} = {v}" for k, v in extra.items()]
    return "[[strategy]]\n" + "\n".join(lines) + "\n"


def load(*data, **options):
    return catalog.load(catalog.layers([Path(d) for d in data], env={}), **options)


def same(a: catalog.Catalog, b: catalog.Catalog) -> None:
    """Two catalogs hold the same records, in the same order, with the same problems and overrides."""
    for kind in catalog.KINDS:
        assert list(a.table(kind).items()) == list(b.table(kind).items()), kind
    assert [str(p) for p in a.problems] == [str(p) for p in b.problems]
    assert a.overrides == b.overrides and a.counts == b.counts and a.oldest() == b.oldest()
    assert [(layer.name, layer.path, layer.files) for layer in a.layers] == [(layer.name, layer.path, layer.files) for layer in b.layers]


def stores(home: Path) -> list[Path]:
    return sorted((home / "cache" / "hrfind").glob("*.sqlite"))


def answers(loaded: catalog.Catalog) -> list:
    """What search and the services query say, for comparing two ways of loading."""
    found = []
    for query in ("narcan", "needle exchange", "overdose", "fictional van", "kit", "zzzz", "syrnge", "nalox"):
        for kinds, offer in ((search.SEARCHED, None), (("service",), None), (("strategy", "principle"), "naloxone")):
            found.append([(h.record.id, h.score) for h in search.search_catalog(loaded, query, kinds=kinds, offer=offer, limit=5)])
    for place in (parse_place("21201"), None):
        for filters in (locate.Filters(), locate.Filters(offers=["naloxone"]), locate.Filters(query="van")):
            answer = locate.find(loaded, place, filters, now=NOW)
            found.append([(r.service.id, r.distance_mi, r.score, r.remote) for r in answer.results] + list(answer.notes))
    return found


def test_second_load_reads_the_store_and_answers_the_same(tmp_path):
    folder = tmp_path / "d"
    write(folder / "a.toml", strategy("tip-a", "Alpha") + '\n[[service]]\nid = "svc"\nname = "A van"\nlat = "x"\n')
    write(folder / "b.toml", strategy("naloxone", "Override", related='["nowhere"]'))
    first = load(SAMPLE, folder)
    second = load(SAMPLE, folder)
    assert (first.cache.state, second.cache.state) == ("rebuilt", "fresh")
    same(second, load(SAMPLE, folder, use_cache=False))
    assert second.problems and second.overrides  # a file's problems are kept with it, and reported every run
    assert answers(second) == answers(load(SAMPLE, folder, use_cache=False))


def test_tables_behave_like_dicts():
    load(SAMPLE)
    table = load(SAMPLE).strategies
    assert "naloxone" in table and "nowhere" not in table and table.get("nowhere") is None
    assert len(table) == len(list(table)) == len(table.values()) == len(list(table.values()))
    assert table["sample-howto"].title == "Sample how-to"
    with pytest.raises(KeyError):
        table["nowhere"]


def test_search_answers_as_a_search_of_the_records_themselves():
    warm = load(SAMPLE)
    for query in ("narcan", "needle exchange", "overdose", "fictional van", "kit", "zzzz", ""):
        for kinds, offer in ((search.SEARCHED, None), (("service",), None), (("strategy", "principle"), "naloxone")):
            stored = [(h.record, h.score) for h in search.search_catalog(warm, query, kinds=kinds, offer=offer, limit=5)]
            plain = search.search(warm.records(kinds), warm.offers, query, offer=offer, limit=5)
            assert stored == [(h.record, h.score) for h in plain], (query, kinds, offer)


# Edges of latitude bands and just either side of them, the poles, and two cities: where services are, and where boxes end.
LATITUDES = sorted({edge + nudge for k in range(0, 721, 37) for edge in [k / db.BANDS_A_DEGREE - 90]
                    for nudge in (-1e-9, 0.0, 1e-9) if -90 <= edge + nudge <= 90} | {-90.0, 90.0, 39.2904, -33.8688})


@pytest.fixture(scope="module")
def points(tmp_path_factory):
    """A store of services at LATITUDES, on the date line and between."""
    lats = LATITUDES
    lons = [-180.0, -179.999, -76.6122, 0.0, 0.25, 151.2093, 180.0]
    text = "".join(f'[[service]]\nid = "p{i}-{j}"\nname = "P"\nlat = {lat!r}\nlon = {lon!r}\n\n'
                   for i, lat in enumerate(lats) for j, lon in enumerate(lons))
    path = write(tmp_path_factory.mktemp("points") / "points.toml", text)
    loaded = catalog.load(catalog.layers([path], no_bundled=True, env={}, user=Path("/nonexistent")), use_cache=False)
    return loaded.store, [(s.id, s.lat, s.lon) for s in loaded.services.values()]


coordinate = st.floats(-90, 90) | st.sampled_from(LATITUDES)


@given(a=coordinate, b=coordinate, west=st.floats(-180, 180), span=st.floats(0, 360))
def test_a_box_finds_exactly_the_services_inside_it(points, a, b, west, span):
    store, located = points
    south, north = min(a, b), max(a, b)
    boxes = [(west, min(180.0, west + span))]
    found = sorted(record_id for _, record_id, _, _, _ in store.in_box(south, north, boxes))
    assert found == sorted(i for i, lat, lon in located if south <= lat <= north and west <= lon <= boxes[0][1])


@pytest.mark.parametrize("have", [db.features(), frozenset()])
def test_a_word_of_letters_newer_than_sqlite_s_unicode_tables_is_one_word(tmp_path, monkeypatch, cli, have):
    # U+19B0 is a letter in Python's Unicode and a mark in SQLite's (6.1): the word must not split in two.
    monkeypatch.setattr(db, "features", lambda: have)
    write(tmp_path / "d" / "a.toml", strategy("tai-lue", "\u1980\u19b0\u1981 guide") + strategy("other", "\u1980 \u1981 guide"))
    loaded = load(tmp_path / "d")
    assert [h.record.id for h in search.search_catalog(loaded, "\u1980\u19b0\u1981", kinds=search.SEARCHED)] == ["tai-lue"]
    said = cli("search", "--json", "--", "0\u19b00", "--data", tmp_path / "d")
    assert said.exit_code == 1 and "internal error" not in said.stderr


def test_without_fts5_the_answers_are_the_same(tmp_path, monkeypatch, cli):
    write(tmp_path / "d" / "a.toml", strategy("tip-a", "Alpha van") + '\n[[service]]\nid = "svc"\nname = "A van"\n'
          'offers = ["naloxone"]\nlat = 39.3\nlon = -76.6\n')
    full = answers(load(SAMPLE, tmp_path / "d"))
    monkeypatch.setattr(db, "features", lambda: frozenset())
    plain = load(SAMPLE, tmp_path / "d")
    assert plain.cache.state == "rebuilt" and plain.lacking == ["FTS5"]
    assert "posting" in {row[0] for row in plain.store.rows("SELECT name FROM sqlite_master")}
    assert answers(plain) == full
    said = cli("search", "narcan", "--json", "--data", SAMPLE)
    assert said.exit_code == 0 and said.stderr.count("no FTS5;") == 1
    assert cli("search", "narcan", "--json", "--data", SAMPLE).stderr == ""  # said once, when the store was made


def test_only_changed_files_are_read_again(tmp_path, monkeypatch):
    folder = tmp_path / "d"
    for name in "abc":
        write(folder / f"{name}.toml", strategy(f"tip-{name}", name.upper()))
    load(folder)
    bundled = set(load(use_cache=False).strategies)
    read = []
    original = catalog.read_file
    monkeypatch.setattr(catalog, "read_file", lambda path, origin: read.append(path.name) or original(path, origin))
    assert load(folder).cache.state == "fresh" and read == []
    write(folder / "b.toml", strategy("tip-b", "Z"))  # the same size: the time and inode tell
    os.utime(folder / "b.toml", ns=(1, 1))
    changed = load(folder)
    assert read == ["b.toml"] and changed.strategies["tip-b"].title == "Z"
    (folder / "c.toml").unlink()
    write(folder / "d.toml", strategy("tip-d", "D"))
    assert set(load(folder).strategies) - bundled == {"tip-a", "tip-b", "tip-d"}
    assert read == ["b.toml", "d.toml"]
    assert [h.record.id for h in search.search_catalog(load(folder), "z")][:1] == ["tip-b"]


def test_another_version_of_hrfind_rebuilds(monkeypatch):
    load(SAMPLE)
    monkeypatch.setattr(catalog, "__version__", "99.0")
    assert load(SAMPLE).cache.state == "rebuilt"
    assert load(SAMPLE).cache.state == "fresh"


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage", "flipped", "foreign"])
def test_a_damaged_or_foreign_store_is_rebuilt_silently(isolated, damage, cli):
    load(SAMPLE)
    (path,) = stores(isolated)
    data = path.read_bytes()
    if damage == "foreign":
        path.unlink()
        with sqlite3.connect(path) as other:
            other.execute("CREATE TABLE meta(key, value)")
    else:
        path.write_bytes({"empty": b"", "truncated": data[:len(data) // 2], "garbage": os.urandom(len(data)),
                          "flipped": data[:-40] + bytes([data[-40] ^ 0x55]) + data[-39:]}[damage])
    result = cli("search", "narcan", "--json", "--data", SAMPLE)
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout)[0]["id"] == "naloxone"
    again = load(SAMPLE)
    assert again.cache.state in ("fresh", "rebuilt")
    same(again, load(SAMPLE, use_cache=False))


def test_a_record_damaged_inside_the_store_is_never_shown(isolated, cli):
    load(SAMPLE)
    (path,) = stores(isolated)
    with sqlite3.connect(path) as writable:
        writable.execute("UPDATE entry SET body = substr(body, 1, 4) || x'c0' || substr(body, 6) WHERE rid = 'naloxone'")
    result = cli("search", "narcan", "--json", "--data", SAMPLE)
    assert result.exit_code == 0 and result.stderr == ""  # the damage was met mid-query: answered from the files
    assert json.loads(result.stdout)[0]["title"] == load(SAMPLE, use_cache=False).strategies["naloxone"].title


@pytest.mark.parametrize("table", ["spelling", "shape"])
def test_damaged_id_shapes_are_never_trusted_for_suggestions(isolated, cli, table):
    load(SAMPLE)
    (path,) = stores(isolated)
    column = {"spelling": "shapes", "shape": "ids"}[table]
    with sqlite3.connect(path) as writable:
        writable.execute(f"UPDATE {table} SET {column} = substr({column}, 1, 4) || x'c0' || substr({column}, 6)")
    result = cli("show", "naloxne", "--data", SAMPLE)
    assert result.exit_code == 1 and "Did you mean naloxone" in result.stderr  # answered from the files


def test_a_locked_store_is_bypassed_or_rebuilt(isolated, cli):
    load(SAMPLE)
    (path,) = stores(isolated)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = cli("search", "narcan", "--json", "--data", SAMPLE)
        assert result.exit_code == 0 and result.stderr == "" and json.loads(result.stdout)[0]["id"] == "naloxone"
    finally:
        holder.close()


def test_store_files_are_the_users_own(isolated):
    load(SAMPLE)
    folder = isolated / "cache" / "hrfind"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_store_that_is_not_a_regular_file_is_not_trusted(isolated, tmp_path):
    load(SAMPLE)
    (path,) = stores(isolated)
    elsewhere = tmp_path / "planted.sqlite"
    shutil.move(path, elsewhere)
    path.symlink_to(elsewhere)
    assert load(SAMPLE).cache.state == "rebuilt"  # the link was replaced by a store of its own
    assert not path.is_symlink() and load(SAMPLE).cache.state == "fresh"


def test_a_store_of_another_user_is_not_trusted(isolated, monkeypatch):
    load(SAMPLE)
    someone_else = os.getuid() + 1
    monkeypatch.setattr(files.os, "getuid", lambda: someone_else)
    assert not files.trusted(stores(isolated)[0])
    assert load(SAMPLE).cache.state == "unsaved"  # nor is its folder: no cache this run


def test_overdose_never_reads_the_store(cli, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("overdose opened the store")

    monkeypatch.setattr(catalog, "_open", refuse)
    result = cli("overdose", "--plain")
    assert result.exit_code == 0 and "overdose-response" in result.stdout


def test_a_search_after_an_edit_answers_from_the_new_data(tmp_path):
    file = write(tmp_path / "a.toml", strategy("zebra-tip", "Zebra crossing"))
    assert [h.record.id for h in search.search_catalog(load(file), "zebra")] == ["zebra-tip"]
    write(file, strategy("zebra-tip", "Giraffe crossing"))
    os.utime(file, ns=(1, 1))
    changed = load(file)
    assert search.search_catalog(changed, "zebra") == []
    assert [h.record.id for h in search.search_catalog(changed, "giraffe")] == ["zebra-tip"]


def test_problems_that_depend_on_the_day_are_checked_again_the_next_day(tmp_path, monkeypatch):
    file = write(tmp_path / "a.toml", strategy("tip", reviewed=(datetime.date.today() + datetime.timedelta(days=1)).isoformat()))
    assert "in the future" in str(load(file).problems[0])
    assert load(file).cache.state == "fresh"

    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(catalog, "datetime", SimpleNamespace(date=SimpleNamespace(today=lambda: tomorrow)))
    read = []
    original = catalog.read_file
    monkeypatch.setattr(catalog, "read_file", lambda path, origin: read.append(path) or original(path, origin))
    assert load(file).cache.state == "rebuilt" and read == [file]


def test_a_file_changed_seconds_ago_is_not_cached_yet(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "RACY_NS", 3600 * 10**9)
    file = write(tmp_path / "a.toml", strategy("tip"))
    loaded = load(file)
    assert loaded.cache.state == "unsaved" and "changed in the last few seconds" in loaded.cache.note
    assert load(file).cache.state == "unsaved"
    monkeypatch.setattr(files, "RACY_NS", -1)
    assert load(file).cache.state == "rebuilt"


def test_an_unwritable_cache_folder_means_no_cache_not_an_error(isolated, monkeypatch, cli):
    blocker = isolated / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    loaded = load(SAMPLE)
    assert loaded.cache.state == "unsaved" and "cannot write" in loaded.cache.note
    same(loaded, load(SAMPLE, use_cache=False))
    result = cli("search", "narcan", "--json", "--data", SAMPLE)
    assert result.exit_code == 0 and result.stderr == "" and json.loads(result.stdout)[0]["id"] == "naloxone"
    info = json.loads(cli("info", "--json").stdout)["cache"]
    assert info["state"] == "unsaved" and info["path"].startswith(str(blocker))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_cache_folder(isolated, cli):
    (isolated / "cache").mkdir()
    (isolated / "cache").chmod(0o500)
    try:
        result = cli("search", "narcan", "--json")
        assert result.exit_code == 0 and result.stderr == ""
        assert list((isolated / "cache").rglob("*")) == []
    finally:
        (isolated / "cache").chmod(0o700)


def test_a_read_only_store_is_used_as_it_is(isolated, cli):
    """A kiosk's store, copied in and made read-only, answers without being written."""
    load(SAMPLE)
    (path,) = stores(isolated)
    path.chmod(0o400)
    (isolated / "cache" / "hrfind").chmod(0o500)
    try:
        assert load(SAMPLE).cache.state == "fresh"
    finally:
        (isolated / "cache" / "hrfind").chmod(0o700)


def test_info_shows_the_cache_path_and_state(cli, isolated):
    first = json.loads(cli("info", "--json").stdout)["cache"]
    assert first == {"path": str(isolated / "cache" / "hrfind"), "state": "rebuilt", "note": None}
    assert json.loads(cli("info", "--json").stdout)["cache"]["state"] == "fresh"
    assert f"cache\t{isolated / 'cache' / 'hrfind'}\tfresh" in cli("info", "--plain").stdout
    assert "Cache" in cli("info", tty=True).stdout


def test_old_stores_are_pruned(tmp_path, isolated):
    for n in range(catalog.KEEP_STORES + 3):
        load(write(tmp_path / f"{n}.toml", strategy(f"tip-{n}")))
    assert len(stores(isolated)) == catalog.KEEP_STORES
    assert load(tmp_path / f"{catalog.KEEP_STORES + 2}.toml").cache.state == "fresh"


def test_progress_is_reported_while_compiling(tmp_path):
    folder = tmp_path / "d"
    for n in range(3):
        write(folder / f"{n}.toml", strategy(f"tip-{n}"))
    calls = []
    load(folder, progress=lambda done, total: calls.append((done, total)))
    total = sum(f.stat().st_size for f in folder.iterdir()) + sum(f.stat().st_size for f in catalog.bundled_dir().rglob("*.toml"))
    assert calls[-1] == (total, total) and [d for d, _ in calls] == sorted(d for d, _ in calls)
    calls.clear()
    load(folder, progress=lambda done, total: calls.append((done, total)))
    assert calls == []  # read from the store: nothing to show


def test_a_progress_bar_on_a_terminal_only(cli, monkeypatch, tmp_path):
    monkeypatch.setattr(runner._Bar, "DELAY", 0.0)
    on_terminal = cli("search", "narcan", "--data", SAMPLE, "--color", "never", tty=True)
    assert "Reading data files" in on_terminal.stderr
    in_a_pipe = cli("search", "narcan", "--data", SAMPLE, "--json", env={"XDG_CACHE_HOME": str(tmp_path / "empty")})
    assert in_a_pipe.exit_code == 0 and in_a_pipe.stderr == ""


def test_records_are_sealed_blobs_not_pickles(isolated):
    load(SAMPLE)
    with sqlite3.connect(stores(isolated)[0]) as connection:
        for (body,) in connection.execute("SELECT body FROM entry"):
            import msgspec

            msgspec.msgpack.decode(db.unseal(body))  # plain msgpack: reading a store runs no code


def test_a_store_is_written_whole_or_not_at_all(isolated, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(build._Writer, "finish", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load(SAMPLE)
    assert [p.name for p in (isolated / "cache" / "hrfind").iterdir() if p.suffix in (".sqlite", ".tmp")] == []


def test_five_cold_runs_in_parallel_agree(tmp_path):
    script = shutil.which("hrfind", path=str(Path(sys.executable).parent))
    if not script:
        pytest.skip("the hrfind script is not installed beside this Python")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    command = [script, "search", "narcan", "--json", "--data", str(SAMPLE)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(5)]
    results = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs) and {err for _, err in results} == {b""}
    assert len({out for out, _ in results}) == 1
    left = sorted(p.name for p in (tmp_path / "cache" / "hrfind").iterdir())
    assert [name for name in left if name.endswith(".sqlite")] and not [name for name in left if name.endswith(".tmp")]
    again = subprocess.run(command, capture_output=True, env=env, timeout=120)
    assert again.stdout == results[0][0]


def test_the_packaged_store_answers_as_the_data_files_do(tmp_path, monkeypatch, isolated, cli):
    packaged = tmp_path / "bundled.sqlite"
    assert catalog.compile_packaged(catalog.bundled_dir(), packaged) == []
    compiled = catalog.load(catalog.layers(env={}), use_cache=False)
    monkeypatch.setattr(catalog, "PACKAGED", packaged)
    loaded = catalog.load(catalog.layers(env={}))
    assert loaded.cache.state == "packaged"
    same(loaded, compiled)
    assert answers(loaded) == answers(compiled)
    assert cli("overdose", "--plain").exit_code == 0
    assert not (isolated / "cache").exists()  # nothing compiled, nothing written
    assert catalog.load(catalog.layers([SAMPLE], env={})).cache.state == "rebuilt"  # other layers: a store of their own


def test_files_read_in_worker_processes_compile_to_the_same_store(tmp_path, monkeypatch):
    for n in range(4):
        write(tmp_path / "d" / f"{n}.toml", strategy(f"tip-{n}", f"Tip {n}") + '\n[[service]]\n'
              f'id = "svc-{n}"\nname = "Van {n}"\noffers = ["naloxone", "nowhere"]\nlat = 39.{n}\nlon = -76.6\n')
    inline = load(SAMPLE, tmp_path / "d", use_cache=False)
    monkeypatch.setattr(build, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(build, "PARALLEL_RECORDS", 0)
    parallel = load(SAMPLE, tmp_path / "d", use_cache=False)
    same(parallel, inline)
    assert answers(parallel) == answers(inline)


def test_a_kiosk_answers_from_a_store_copied_to_it(isolated, tmp_path, cli, monkeypatch):
    data = write(tmp_path / "d" / "a.toml", strategy("kiosk-tip", "Kiosk van"))
    assert cli("search", "kiosk", "--json", "--data", data.parent).exit_code == 0
    (built,) = stores(isolated)
    copied = tmp_path / "fleet" / "hrfind.sqlite"
    copied.parent.mkdir()
    shutil.copy(built, copied)
    copied.chmod(0o400)
    os.utime(data, ns=(1, 1))  # another host: the files' times and inodes differ
    shutil.rmtree(isolated / "cache")
    monkeypatch.setattr(catalog, "_save", lambda *args: pytest.fail("compiled although a store was given"))
    env = {"HRFIND_STORE": str(copied)}
    result = cli("search", "kiosk", "--json", "--data", data.parent, env=env)
    assert result.exit_code == 0 and result.stderr == "" and json.loads(result.stdout)[0]["id"] == "kiosk-tip"
    assert json.loads(cli("info", "--json", "--data", data.parent, env=env).stdout)["cache"]["state"] == "given"
    assert not (isolated / "cache").exists()


@pytest.mark.parametrize("content", [b"", b"not a database", None])
def test_a_given_store_that_cannot_be_used_is_a_usage_error(tmp_path, cli, content):
    given = tmp_path / "store.sqlite"
    if content is not None:
        given.write_bytes(content)
    result = cli("search", "narcan", env={"HRFIND_STORE": str(given)})
    assert result.exit_code == 2 and "HRFIND_STORE" in result.stderr and result.stdout == ""
    assert cli("overdose", "--plain", env={"HRFIND_STORE": str(given)}).exit_code == 0


@pytest.mark.parametrize("fts", [True, False])
def test_reading_only_the_allowed_records_postings_answers_the_same(tmp_path, monkeypatch, fts):
    """A search among a few records reads only their postings (search.Index.WITHIN); the answers do not change."""
    if not fts:
        monkeypatch.setattr(db, "features", lambda: frozenset())
    write(tmp_path / "d" / "a.toml", strategy("tip-a", "Alpha van") + '\n[[service]]\nid = "svc"\nname = "A van"\n'
          'offers = ["naloxone"]\nlat = 39.3\nlon = -76.6\n')
    loaded = load(SAMPLE, tmp_path / "d")
    narrowed = answers(loaded)
    monkeypatch.setattr(search.Index, "WITHIN", -1)  # never narrowed: every posting read, then filtered
    assert answers(loaded) == narrowed
    everything = db.Store.postings  # and the index of every record, places too, rather than fts_k
    monkeypatch.setattr(db.Store, "postings", lambda self, word, prefix=False, own=False, within=None, knowledge=False:
                        everything(self, word, prefix, own))
    assert answers(loaded) == narrowed


@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), unique=True), st.integers(min_value=0, max_value=2**32 - 1))
def test_a_tags_members_answer_in_as_a_set_would(numbers, probe):
    from array import array

    members = db.Members(array("I", sorted(numbers)))
    assert (probe in members) == (probe in set(numbers)) and len(members) == len(numbers)
    assert all(n in members for n in numbers) and sorted(members) == sorted(numbers)
