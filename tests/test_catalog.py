"""Data layers: discovery, override by id, origins, and problems that skip only what is broken."""

import difflib
import os
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hrfind import catalog
from hrfind.errors import UsageError

SAMPLE = Path(__file__).parent / "fixtures" / "sample.toml"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load(*data, no_bundled=False, env=None, user=None):
    return catalog.load(catalog.layers([Path(d) for d in data], no_bundled, env or {}, user=user))


def strategy(record_id, title="T", **extra):
    lines = [f'id = "{record_id}"', f'title = "{title}"', 'summary = "S"']
    lines += [f"{k} = {v}" for k, v in extra.items()]
    return "[[strategy]]\n" + "\n".join(lines) + "\n"


def test_bundled_data_loads_without_problems():
    loaded = load()
    assert loaded.problems == []
    assert loaded.strategies and loaded.offers
    assert all(r.origin.startswith("bundled:") for r in loaded.records())


def test_no_bundled_keeps_only_the_offer_vocabulary():
    loaded = load(SAMPLE, no_bundled=True)
    assert set(loaded.strategies) == {"sample-howto"}
    assert set(loaded.services) == {"sample-van"}
    assert "naloxone" in loaded.offers


def test_later_layer_overrides_by_id_and_keeps_origin(tmp_path):
    first = write(tmp_path / "a" / "x.toml", strategy("local-tip", "First"))
    second = write(tmp_path / "b.toml", strategy("local-tip", "Second"))
    loaded = load(first.parent, second, no_bundled=True)
    assert loaded.strategies["local-tip"].title == "Second"
    assert loaded.strategies["local-tip"].origin == str(second)
    assert [(o.id, o.replaced, o.by) for o in loaded.overrides] == [("local-tip", str(first), str(second))]


def test_layer_order_bundled_user_env_then_data(tmp_path):
    user = write(tmp_path / "user" / "u.toml", strategy("naloxone", "From user")).parent
    env_file = write(tmp_path / "env.toml", strategy("naloxone", "From env"))
    data_file = write(tmp_path / "data.toml", strategy("naloxone", "From data"))
    layers = catalog.layers([data_file], env={"HRFIND_DATA": str(env_file)}, user=user)
    assert [layer.name for layer in layers] == ["bundled", "user", "HRFIND_DATA", "--data"]
    assert catalog.load(layers).strategies["naloxone"].title == "From data"
    assert catalog.load(layers[:3]).strategies["naloxone"].title == "From env"
    assert catalog.load(layers[:2]).strategies["naloxone"].title == "From user"


def test_hrfind_data_takes_several_paths(tmp_path):
    a = write(tmp_path / "a.toml", strategy("tip-a"))
    b = write(tmp_path / "b.toml", strategy("tip-b"))
    loaded = load(env={"HRFIND_DATA": os.pathsep.join([str(a), str(b)])}, no_bundled=True)
    assert {"tip-a", "tip-b"} <= set(loaded.strategies)


def test_missing_data_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="No data file or folder at .*nowhere.toml"):
        load(tmp_path / "nowhere.toml")


def test_duplicate_id_in_one_layer_is_reported(tmp_path):
    write(tmp_path / "d" / "a.toml", strategy("dup", "A"))
    write(tmp_path / "d" / "b.toml", strategy("dup", "B"))
    loaded = load(tmp_path / "d", no_bundled=True)
    assert loaded.strategies["dup"].title == "A"
    assert [str(p) for p in loaded.problems] == [
        f'{tmp_path / "d" / "b.toml"}: strategy "dup": id: duplicate id, also in {tmp_path / "d" / "a.toml"}; this one was skipped'
    ]


def test_merge_decisions_in_the_order_records_are_met(tmp_path):
    """Skips, overrides, numbers and listing order, over two layers: an id is a duplicate in its layer even
    when its first record there was skipped, and offers have ids of their own."""
    a, b = tmp_path / "a", tmp_path / "b"
    service = '[[service]]\nid = "{}"\nname = "{}"\n'.format
    write(a / "1.toml", service("naloxone", "Taken") + service("van", "Van A") + service("clinic", "Clinic"))
    write(a / "2.toml", strategy("naloxone", "Local") + strategy("tip", "Tip A"))
    write(a / "3.toml", strategy("tip", "Tip again") + service("tip", "Not a strategy"))
    write(b / "1.toml", service("tip", "Van B") + strategy("tip", "Tip B") + service("van", "Van B")
          + '[[offer]]\nid = "van"\nlabel = "An offer named van"\n')
    loaded = load(a, b)
    at = lambda layer, name: str(tmp_path / layer / name)  # noqa: E731
    skipped = [(p.file, p.kind, p.id, p.message.split(";")[0]) for p in loaded.problems]
    assert skipped == [
        (at("a", "1.toml"), "service", "naloxone", "id already used by a strategy"),
        (at("a", "2.toml"), "strategy", "naloxone", f"duplicate id, also in {at('a', '1.toml')}"),
        (at("a", "3.toml"), "strategy", "tip", f"duplicate id, also in {at('a', '2.toml')}"),
        (at("a", "3.toml"), "service", "tip", f"duplicate id, also in {at('a', '2.toml')}"),
        (at("b", "1.toml"), "service", "tip", "id already used by a strategy"),
        (at("b", "1.toml"), "strategy", "tip", f"duplicate id, also in {at('b', '1.toml')}"),
    ]
    assert [(o.id, o.kind, o.replaced, o.by) for o in loaded.overrides] == [("van", "service", at("a", "1.toml"), at("b", "1.toml"))]
    assert [s.name for s in loaded.services.values()][-2:] == ["Van B", "Clinic"]
    assert loaded.strategies["tip"].title == "Tip A" and loaded.offers["van"].label == "An offer named van"
    assert loaded.strategies["naloxone"].origin.startswith("bundled:")


def test_id_shared_across_kinds_is_refused(tmp_path):
    f = write(tmp_path / "s.toml", '[[service]]\nid = "naloxone"\nname = "A service"\n')
    loaded = load(f)
    assert loaded.strategies["naloxone"].origin.startswith("bundled:")
    assert "naloxone" not in loaded.services
    assert "id already used by a strategy" in str(loaded.problems[0])


def test_dangling_references_are_dropped_and_reported(tmp_path):
    f = write(tmp_path / "s.toml", strategy("tip", related='["naloxone", "nowhere"]', offers='["naloxone", "nothing"]'))
    loaded = load(f)
    tip = loaded.strategies["tip"]
    assert tip.related == ["naloxone"] and tip.offers == ["naloxone"]
    assert sorted(str(p).split(": ", 2)[2] for p in loaded.problems) == [
        'offers: no offer has the id "nothing"; the link was dropped',
        'related: no record has the id "nowhere"; the link was dropped',
    ]


def test_toml_syntax_error_skips_only_that_file(tmp_path):
    write(tmp_path / "d" / "bad.toml", '[[strategy]]\nid = "x\n')
    write(tmp_path / "d" / "good.toml", strategy("good"))
    loaded = load(tmp_path / "d", no_bundled=True)
    assert "good" in loaded.strategies
    (problem,) = loaded.problems
    assert "bad.toml: TOML syntax error" in str(problem) and "line 2" in str(problem)


def test_non_utf8_and_empty_files(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "latin.toml").write_bytes('[[strategy]]\nid = "caf\xe9"\n'.encode("latin-1"))
    write(tmp_path / "d" / "empty.toml", "")
    loaded = load(tmp_path / "d", no_bundled=True)
    assert [str(p).split(": ", 1)[1] for p in loaded.problems] == ["is not UTF-8 text (line 2); save it as UTF-8"]


def test_discovery_is_recursive_sorted_and_skips_hidden(tmp_path):
    write(tmp_path / "d" / "b.toml", strategy("b"))
    write(tmp_path / "d" / "sub" / "a.toml", strategy("a"))
    write(tmp_path / "d" / ".git" / "x.toml", strategy("hidden"))
    write(tmp_path / "d" / "notes.txt", "not data")
    files = catalog.discover(tmp_path / "d", [])
    assert [f.relative_to(tmp_path / "d").as_posix() for f in files] == ["b.toml", "sub/a.toml"]


def test_symlink_loop_is_reported_not_followed_forever(tmp_path):
    write(tmp_path / "d" / "a.toml", strategy("a"))
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d")
    problems = []
    files = catalog.discover(tmp_path / "d", problems)
    assert len(files) == 1
    assert "links back to a folder already read" in str(problems[0])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder regardless of permissions")
def test_unreadable_folder_is_reported(tmp_path):
    locked = tmp_path / "d" / "locked"
    write(locked / "a.toml", strategy("a"))
    locked.chmod(0)
    try:
        problems = []
        catalog.discover(tmp_path / "d", problems)
        assert "cannot read this folder" in str(problems[0])
    finally:
        locked.chmod(0o755)


def test_user_data_folder_is_a_layer(isolated):
    user = catalog.user_dir()
    write(user / "mine.toml", strategy("my-tip"))
    loaded = catalog.load(catalog.layers(env={}))
    assert loaded.strategies["my-tip"].origin == str(user / "mine.toml")


def test_get_and_closest_ids():
    loaded = load()
    assert loaded.get("naloxone").title
    assert loaded.get("narcan") is None
    assert "naloxone" in loaded.closest_ids("naloxon")


def ids_catalog(ids: list[str]) -> catalog.Catalog:
    """A catalog over a store that holds only these ids (as records of alternating kinds) and their shapes."""
    import sqlite3

    from hrfind.store import build, db

    connection = sqlite3.connect(":memory:")
    connection.executescript(db.schema(db.features()))
    connection.executemany("INSERT INTO record VALUES (?, ?, ?, ?, 0, NULL)",
                           ((n, ("service", "offer")[n % 2], n, record_id) for n, record_id in enumerate(ids)))
    connection.executemany("INSERT INTO meta VALUES (?, ?)", ((key, db.seal(msgspec.msgpack.encode(value))) for key, value in
                                                              (("counts", {}), ("overrides", []))))
    build.write_shapes(connection)
    return catalog.Catalog(db.Store(connection, db.features()), [])


def test_a_close_id_is_found_among_100000():
    states = ["ny", "ca", "tx", "wa", "md"]
    ids = [f"svc-{states[i % 5]}-{i:06d}" for i in range(100_000)] + ["naloxone", "naltrexone", "overdose-response", "overdose-spotting"]
    loaded = ids_catalog(ids)
    assert loaded.store.column("SELECT count(*) FROM shape") == [9]  # 5 shapes of services, 4 of words
    assert loaded.closest_ids("naloxne")[0] == "naloxone"
    assert loaded.closest_ids("overdose-respons")[:2] == ["overdose-response", "overdose-spotting"]
    assert loaded.closest_ids("svc-nd-012344")[0] == "svc-md-012344"  # a state mistyped
    assert loaded.closest_ids("no-such-record-anywhere") == []


ID_LETTERS = "ab01-"  # few letters, so that ids are alike, share shapes and tie


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(ID_LETTERS, min_size=1, max_size=9), max_size=30), st.text(ID_LETTERS + "c2", max_size=12))
def test_closest_ids_are_those_of_difflib_over_every_id(ids, name):
    from unittest import mock

    from hrfind.store import build

    with mock.patch.object(build, "SHAPES_A_ROW", 2):  # shapes of one length spread over several rows
        loaded = ids_catalog(ids)
    assert loaded.closest_ids(name) == difflib.get_close_matches(name, list(dict.fromkeys(ids)), n=3, cutoff=0.5)


def test_installed_places_join_the_bundled_layer_but_not_overdose_or_no_bundled(tmp_path, monkeypatch):
    # A wheel carries hrfind/places.toml beside its compiled store; with data of your own the bundled
    # layer is compiled from files, and the places must still be in it.
    from test_places_view import PLACE

    monkeypatch.setattr(catalog, "PLACES", write(tmp_path / "places.toml", PLACE))
    (bundled,) = catalog.layers(user=tmp_path / "none")
    assert bundled.places == catalog.PLACES
    loaded = catalog.load(catalog.layers(user=tmp_path / "none"), use_cache=False)
    assert loaded.services["fictional-harbor-clinic-baltimore-abc123"].origin == "bundled:places.toml"
    assert not loaded.problems
    assert "fictional-harbor-clinic-baltimore-abc123" not in load(no_bundled=True).services
    # `overdose` builds its own layer without them: it compiles only data/ when there is no packaged store.
    plain = catalog.load([catalog.Layer(catalog.BUNDLED, catalog.bundled_dir())], use_cache=False)
    assert "fictional-harbor-clinic-baltimore-abc123" not in plain.services


def test_a_checkout_carries_no_places():
    # An editable install reads data/ only; `--data places/hrfind-places.toml` adds the places.
    if not catalog.PLACES.is_file():
        (bundled,) = catalog.layers(user=Path("/nonexistent"))
        assert bundled.places is None
