"""With data of your own, the bundled files are copied from the package's compiled store, not read again."""

import shutil
import sqlite3
from pathlib import Path

import msgspec
import pytest

from hrfind import catalog
from hrfind.store import db
from test_store import SAMPLE, answers, load, same, settled, write  # noqa: F401 (settled: an autouse fixture)
from test_update import tables, watching

PLACE = '[[service]]\nid = "federal-place"\nname = "A Treatment Place"\nsummary = "Treatment."\nlat = 39.3\nlon = -76.6\n'


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A package as a wheel installs it: its own copy of the bundled data and places, and the store compiled from them."""
    data = tmp_path / "site" / "data"
    shutil.copytree(catalog.bundled_dir(), data)
    places = write(tmp_path / "site" / "places.toml", PLACE)
    packaged = tmp_path / "site" / "bundled.sqlite"
    assert catalog.compile_packaged(data, packaged, places) == []
    monkeypatch.setattr(catalog, "bundled_dir", lambda: data)
    monkeypatch.setattr(catalog, "PLACES", places)
    monkeypatch.setattr(catalog, "PACKAGED", packaged)
    return data


@pytest.fixture
def reads(monkeypatch):
    """The origins of the files read (parsed), in order."""
    found: list[str] = []
    real = catalog.read_file
    monkeypatch.setattr(catalog, "read_file", lambda path, origin: found.append(origin) or real(path, origin))
    return found


def without_package(monkeypatch, *data, **options) -> catalog.Catalog:
    """The same layers compiled from their files alone."""
    with monkeypatch.context() as patch:
        patch.setattr(catalog, "PACKAGED", Path("/nonexistent/bundled.sqlite"))
        return load(*data, use_cache=False, **options)


def agree(loaded: catalog.Catalog, fresh: catalog.Catalog) -> None:
    same(loaded, fresh)
    assert answers(loaded) == answers(fresh)
    assert tables(loaded.store.connection) == tables(fresh.store.connection)


def test_bundled_files_are_copied_and_answer_as_when_read(installed, reads, monkeypatch):
    loaded = load(SAMPLE)
    assert loaded.cache.state == "rebuilt"
    assert reads == [str(SAMPLE)]  # the bundled data and the places came from the package's store
    assert loaded.get("federal-place") is not None
    agree(loaded, without_package(monkeypatch, SAMPLE))
    assert load(SAMPLE).cache.state == "fresh"
    reads.clear()
    in_memory = load(SAMPLE, use_cache=False)
    assert reads == [str(SAMPLE)]
    agree(in_memory, loaded)


def test_a_bundled_file_edited_where_it_is_installed_is_read(installed, reads, monkeypatch):
    offers = installed / "offers.toml"
    offers.write_text(offers.read_text(encoding="utf-8").replace('label = "Naloxone', 'label = "Edited naloxone', 1), encoding="utf-8")
    loaded = load(SAMPLE)
    assert reads == ["bundled:offers.toml", str(SAMPLE)]
    assert loaded.offers["naloxone"].label.startswith("Edited naloxone")
    agree(loaded, without_package(monkeypatch, SAMPLE))


def test_the_copied_store_updates_in_place_and_compiles_again(installed, reads, monkeypatch):
    load(SAMPLE)
    services = installed / "services.toml"
    with watching() as taken:
        services.write_text(services.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
        updated = load(SAMPLE)
    assert taken == [True] and reads[-1] == "bundled:services.toml"  # the copied files are known by path and key
    agree(updated, without_package(monkeypatch, SAMPLE))
    # Records added: the store is compiled again, copying from itself and from the package.
    write(installed / "more.toml", PLACE.replace("federal-place", "another-place"))
    reads.clear()
    again = load(SAMPLE)
    assert again.cache.state == "rebuilt" and reads == ["bundled:more.toml"]
    agree(again, without_package(monkeypatch, SAMPLE))


def test_a_file_of_your_own_is_read_even_with_a_bundled_file_s_bytes(installed, reads, monkeypatch, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(installed / "offers.toml", mine / "offers.toml")
    loaded = load(mine)
    assert reads == [str(mine / "offers.toml")]
    agree(loaded, without_package(monkeypatch, mine))


CHANGED_ROWS = {
    "a link's field": "UPDATE link SET field = 'ofvers' WHERE (entry, field, idx) = (SELECT entry, field, idx FROM link WHERE field = 'offers' LIMIT 1)",
    "an entry's kind": "UPDATE entry SET kind = 'servicg' WHERE id = (SELECT min(id) FROM entry WHERE kind = 'service')",
    "an entry's id": "UPDATE entry SET rid = 'naloxonf' WHERE rid = 'naloxone' AND kind = 'offer'",
    "a translation's place": "UPDATE translated SET idx = idx + 100 WHERE (segment, idx) = (SELECT segment, idx FROM translated LIMIT 1)",
}


def damage(packaged: Path, how: str) -> None:
    if how == "garbage":
        packaged.write_bytes(b"not a database" * 100)
    elif how == "truncated":
        packaged.write_bytes(packaged.read_bytes()[: packaged.stat().st_size // 2])
    elif how == "missing":
        packaged.unlink()
    elif how == "damaged pages":
        body = bytearray(packaged.read_bytes())
        body[8192:16384] = b"\xff" * 8192
        packaged.write_bytes(bytes(body))
    elif how in CHANGED_ROWS:  # a value no checksum of SQLite's or of the records' blobs covers
        connection = sqlite3.connect(packaged)
        connection.execute(CHANGED_ROWS[how])
        connection.commit()
        connection.close()
    else:  # made by another version of hrfind: its key differs
        connection = sqlite3.connect(packaged)
        connection.execute("UPDATE meta SET value = ? WHERE key = 'key'", (db.seal(msgspec.msgpack.encode(b"another version")),))
        connection.commit()
        connection.close()


@pytest.mark.parametrize("how", ["garbage", "truncated", "missing", "damaged pages", "another version", *CHANGED_ROWS])
def test_a_broken_or_foreign_package_store_means_the_files_are_read(installed, reads, monkeypatch, how):
    damage(catalog.PACKAGED, how)
    loaded = load(SAMPLE)
    assert loaded.cache.state == "rebuilt"
    if how in ("garbage", "missing", "another version", *CHANGED_ROWS):  # damage elsewhere may spare the files' segments
        assert set(reads) >= {str(SAMPLE), "bundled:offers.toml", "bundled:places.toml"}
    fresh = without_package(monkeypatch, SAMPLE)
    same(loaded, fresh)
    assert answers(loaded) == answers(fresh)
