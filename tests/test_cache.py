"""The compiled cache: the same answers as the data files, rebuilt when anything changes or breaks."""

import datetime
import json
import os
from pathlib import Path
from types import SimpleNamespace

import msgspec
import pytest

from hrfind import cache, catalog, runner, search
from hrfind.atomic import replacing

SAMPLE = Path(__file__).parent / "fixtures" / "sample.toml"


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    """Files written by a test are seconds old; let the cache trust them (one test checks the real rule)."""
    monkeypatch.setattr(cache, "RACY_NS", -1)


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
    assert a.overrides == b.overrides and a.counts == b.counts
    assert [(layer.name, layer.path, layer.files) for layer in a.layers] == [(layer.name, layer.path, layer.files) for layer in b.layers]


def cache_files(home: Path) -> list[Path]:
    return sorted(p for p in (home / "cache").rglob("*") if p.is_file())


def test_second_load_reads_the_cache_and_answers_the_same(tmp_path):
    folder = tmp_path / "d"
    write(folder / "a.toml", strategy("tip-a", "Alpha") + '\n[[service]]\nid = "svc"\nname = "A van"\nlat = "x"\n')
    write(folder / "b.toml", strategy("naloxone", "Override", related='["nowhere"]'))
    first = load(SAMPLE, folder)
    second = load(SAMPLE, folder)
    assert (first.cache.state, second.cache.state) == ("rebuilt", "fresh")
    assert isinstance(second.services, cache.Table)
    same(second, load(SAMPLE, folder, use_cache=False))
    assert second.problems and second.overrides  # a file's problems are cached with it, and reported every run


def test_lazy_tables_behave_like_dicts():
    load(SAMPLE)
    table = load(SAMPLE).strategies
    assert isinstance(table, cache.Table)
    assert "naloxone" in table and "nowhere" not in table and table.get("nowhere") is None
    assert len(table) == len(list(table)) == len(table.values())
    assert table["sample-howto"].title == "Sample how-to" and table["sample-howto"] is table["sample-howto"]
    with pytest.raises(KeyError):
        table["nowhere"]


def test_search_answers_the_same_from_the_cache():
    cold = load(SAMPLE, use_cache=False)
    load(SAMPLE)
    warm = load(SAMPLE)
    assert warm.cache.state == "fresh"
    for query in ("narcan", "needle exchange", "overdose", "fictional van", "kit", "zzzz", ""):
        for kinds, offer in ((search.SEARCHED, None), (("service",), None), (("strategy", "principle"), "naloxone")):
            def hits(loaded):
                return [(h.record, h.score) for h in search.search_catalog(loaded, query, kinds=kinds, offer=offer, limit=5)]

            plain = search.search(cold.records(kinds), cold.offers, query, offer=offer, limit=5)
            assert hits(warm) == hits(cold) == [(h.record, h.score) for h in plain], (query, kinds, offer)


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


def test_another_version_of_hrfind_rebuilds(monkeypatch):
    load(SAMPLE)
    monkeypatch.setattr(cache, "TAG", cache.TAG + "-next")
    assert load(SAMPLE).cache.state == "rebuilt"
    assert load(SAMPLE).cache.state == "fresh"


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage", "flipped"])
def test_a_damaged_cache_is_rebuilt_silently(isolated, damage, cli):
    load(SAMPLE)
    search.search_catalog(load(SAMPLE), "narcan")  # the index too
    for path in cache_files(isolated):
        data = path.read_bytes()
        path.write_bytes({"empty": b"", "truncated": data[:len(data) // 2], "garbage": os.urandom(len(data)),
                          "flipped": data[:-40] + bytes([data[-40] ^ 0x55]) + data[-39:]}[damage])
    again = load(SAMPLE)
    assert again.cache.state == "rebuilt"
    same(again, load(SAMPLE, use_cache=False))
    result = cli("search", "narcan", "--json", "--data", SAMPLE)
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout)[0]["id"] == "naloxone"


def test_derived_data_follows_its_catalog(tmp_path):
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
    monkeypatch.setattr(cache, "RACY_NS", 3600 * 10**9)
    file = write(tmp_path / "a.toml", strategy("tip"))
    loaded = load(file)
    assert loaded.cache.state == "unsaved" and "changed in the last few seconds" in loaded.cache.note
    assert load(file).cache.state == "unsaved"
    monkeypatch.setattr(cache, "RACY_NS", -1)
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
        assert cache_files(isolated) == []
    finally:
        (isolated / "cache").chmod(0o700)


def test_info_shows_the_cache_path_and_state(cli, isolated):
    first = json.loads(cli("info", "--json").stdout)["cache"]
    assert first == {"path": str(isolated / "cache" / "hrfind"), "state": "rebuilt", "note": None}
    assert json.loads(cli("info", "--json").stdout)["cache"]["state"] == "fresh"
    assert f"cache\t{isolated / 'cache' / 'hrfind'}\tfresh" in cli("info", "--plain").stdout
    assert "Cache" in cli("info", tty=True).stdout


def test_old_catalogs_are_pruned(tmp_path, isolated):
    for n in range(cache.KEEP_SETS + 3):
        load(write(tmp_path / f"{n}.toml", strategy(f"tip-{n}")))
    sets = {p.name.split(".")[0] for p in (isolated / "cache" / "hrfind" / "sets").iterdir()}
    assert len(sets) == cache.KEEP_SETS
    assert load(tmp_path / f"{cache.KEEP_SETS + 2}.toml").cache.state == "fresh"


def test_progress_is_reported_while_compiling(tmp_path):
    folder = tmp_path / "d"
    for n in range(3):
        write(folder / f"{n}.toml", strategy(f"tip-{n}"))
    calls = []
    load(folder, progress=lambda done, total: calls.append((done, total)))
    total = sum(f.stat().st_size for f in folder.iterdir()) + sum(f.stat().st_size for f in catalog.bundled_dir().rglob("*.toml"))
    assert calls[-1] == (total, total) and [d for d, _ in calls] == sorted(d for d, _ in calls)
    calls.clear()
    loaded = load(folder, progress=lambda done, total: calls.append((done, total)))
    assert calls == []  # read from the cache: nothing to show
    search.search_catalog(loaded, "tip", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, len(loaded.listing(search.SEARCHED)))]  # the index, built once
    search.search_catalog(load(folder), "tip", progress=lambda done, total: calls.append((done, total)))
    assert len(calls) == 1


def test_a_progress_bar_on_a_terminal_only(cli, monkeypatch, tmp_path):
    monkeypatch.setattr(runner._Bar, "DELAY", 0.0)
    on_terminal = cli("search", "narcan", "--data", SAMPLE, "--color", "never", tty=True)
    assert "Reading data files" in on_terminal.stderr
    in_a_pipe = cli("search", "narcan", "--data", SAMPLE, "--json", env={"XDG_CACHE_HOME": str(tmp_path / "empty")})
    assert in_a_pipe.exit_code == 0 and in_a_pipe.stderr == ""


def test_cache_files_hold_whole_records_not_pickles(isolated):
    load(SAMPLE)
    for path in cache_files(isolated):
        data = path.read_bytes()
        assert data.startswith(cache.MAGIC)
        msgspec.msgpack.decode(data[len(cache.MAGIC) + 4:])  # plain msgpack: reading a cache runs no code


def test_writes_go_through_the_atomic_helper(monkeypatch, isolated):
    used = []

    def spy(path, *args, **kwargs):
        used.append(Path(path).parent.name)
        return replacing(path, *args, **kwargs)

    monkeypatch.setattr("hrfind.atomic.replacing", spy)
    search.search_catalog(load(SAMPLE), "narcan")
    assert sorted(used) == ["files", "files", "sets", "sets"]
