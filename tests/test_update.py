"""An edited file updates the store where it is: the same answers, and the same tables, as a fresh compile."""

import contextlib
import json
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrfind import catalog
from hrfind.store import db, files, update
from test_package import installed_hrfind
from test_store import SAMPLE, answers, load, same, settled, write  # noqa: F401 (settled: an autouse fixture)

WORDS = ["van", "naloxone", "harbor", "clinic", "mobile", "outreach", "testing", "syringes", "overdose", "care"]
LOCATIONS = ["lat = 39.29\nlon = -76.62", "address = { city = \"Baltimore\", region = \"MD\", postal_code = \"21201\", country = \"US\" }",
             'access = ["phone"]\nphone = "410-555-0100"\ncoverage = ["US-MD"]', ""]


def record(kind: str, record_id: str, title: list[str], offers: list[str], related: list[str], where: int, flag: bool, day: int) -> str:
    text = " ".join(title) or "plain"
    links = f"offers = {offers!r}\nrelated = {related!r}".replace("'", '"')
    if kind == "offer":
        return f'[[offer]]\nid = "{record_id}"\nlabel = "{text}"\naliases = {title!r}\n\n'.replace("'", '"')
    if kind == "principle":
        return f'[[principle]]\nid = "{record_id}"\nnumber = {day}\ntitle = "{text}"\nsummary = "About {text}."\nreviewed = 2025-0{day}-01\n\n'
    if kind == "strategy":
        return (f'[[strategy]]\nid = "{record_id}"\ntitle = "{text}"\nsummary = "About {text}."\n{links}\n'
                f"emergency = {'true' if flag else 'false'}\nreviewed = 2026-0{day}-01\n\n")
    return (f'[[service]]\nid = "{record_id}"\nname = "{text}"\nsummary = "A {text} service."\n{links}\n'
            f"{LOCATIONS[where]}\nlanguages = {['en', 'es'] if flag else ['en']!r}\nverified = 2026-0{day}-01\n\n").replace("'", '"')


specs = st.tuples(
    st.sampled_from(["strategy", "service", "service", "principle", "offer"]), st.sampled_from(["r1", "r2", "r3", "sample-howto", "naloxone"]),
    st.lists(st.sampled_from(WORDS), max_size=3), st.lists(st.sampled_from(["naloxone", "syringe-services", "r1", "nowhere"]), max_size=2, unique=True),
    st.lists(st.sampled_from(["sample-howto", "r1", "missing"]), max_size=2, unique=True),
    st.integers(0, len(LOCATIONS) - 1), st.booleans(), st.integers(1, 9))


def tables(connection: sqlite3.Connection) -> dict[str, list]:
    """Every row of every table, sorted, with files and entries named by what they hold rather than by their ids
    (files copied from another store are numbered anew)."""
    segments = {i: (path, origin) for i, path, origin in connection.execute("SELECT id, path, origin FROM segment")}
    entries = {i: (segments[s], kind, rid) for i, s, kind, rid in connection.execute("SELECT id, segment, kind, rid FROM entry")}
    named = {"segment": lambda row: row[1:], "entry": lambda row: (segments[row[1]], *row[2:]),
             "link": lambda row: (entries[row[0]], *row[1:]), "record": lambda row: (*row[:4], entries[row[4]], row[5]),
             "translated": lambda row: (segments[row[0]], *row[1:])}
    tables = dict(connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
    virtual = [name for name, sql in tables.items() if sql.startswith("CREATE VIRTUAL TABLE")]
    # The virtual tables themselves (fts, fts_k), not the shadow tables that hold them (fts_data, fts_k_idx ...).
    names = [name for name in tables if name in virtual or not name.startswith(tuple(f"{v}_" for v in virtual))]
    assert ("fts" in names) == ("fts_k" in names)  # both word indexes are compared, or neither exists
    found = {}
    for name in names:
        columns = "rowid, *" if name in virtual else "*"
        found[name] = sorted((named.get(name, tuple)(row) for row in connection.execute(f"SELECT {columns} FROM {name}")), key=repr)
    return found


@contextlib.contextmanager
def watching():
    """What each update of a store answered: True when it was updated, False when it had to be compiled whole."""
    taken: list[bool] = []
    real = update.update_into
    update.update_into = lambda *args: taken.append(real(*args)) or taken[-1]
    try:
        yield taken
    finally:
        update.update_into = real


def check(folder: Path, edited: str, before: str, after: str, translation: str = "", tamper=None, earlier: tuple[Path, ...] = (),
          no_bundled: bool = False) -> bool:
    """Compile, edit one file, load again; assert it answers as a fresh compile does. Whether the update path was taken.
    (`earlier`: layers between the sample and `folder`; `edited` is a path from `folder`.)"""
    def load(*data: Path, **options) -> catalog.Catalog:
        return catalog.load(catalog.layers(data, no_bundled=no_bundled, env={}), **options)

    write(folder / "a.toml", '[[strategy]]\nid = "keep"\ntitle = "Clinic care"\nsummary = "Kept as it is."\nrelated = ["r1"]\n')
    write(folder / edited, before)
    if translation:
        write(folder / "z-es.toml", translation)
    load(SAMPLE, *earlier, folder)
    if tamper is not None:
        tamper(next(Path(files.folder()).glob("*.sqlite")))
    write(folder / edited, after + "\n# edited\n")
    with watching() as taken:
        updated = load(SAMPLE, *earlier, folder)
    fresh = load(SAMPLE, *earlier, folder, use_cache=False)
    assert updated.cache.state == "rebuilt"
    same(updated, fresh)
    assert answers(updated) == answers(fresh)
    assert updated.oldest() == fresh.oldest() and updated.store.meta("emergency") == fresh.store.meta("emergency")
    for kind in catalog.KINDS:  # show, in both languages
        for record_id in fresh.ids([kind]):
            assert updated.table(kind)[record_id] == fresh.table(kind)[record_id]
    for store in (updated.store, fresh.store):
        store.read_in("es")
    assert answers(updated) == answers(fresh)
    if taken and taken[0]:
        # Nothing renumbered: the update wrote exactly what a compile from nothing writes.
        assert tables(updated.store.connection) == tables(fresh.store.connection)
    assert load(SAMPLE, *earlier, folder).cache.state == "fresh"
    return bool(taken and taken[0])


BEFORE = record("service", "r1", ["harbor", "van"], ["naloxone"], ["missing"], 0, True, 2) + \
    record("strategy", "r2", ["overdose"], ["nowhere"], ["sample-howto"], 0, True, 3)
AFTER = record("service", "r1", ["mobile", "clinic"], ["syringe-services", "nowhere"], [], 1, False, 1) + \
    record("strategy", "r2", ["testing"], [], ["r1", "missing"], 0, False, 5)
SPANISH = 'lang = "es"\n\n[[strategy]]\nid = "r2"\ntitle = "Sobredosis"\nsummary = "Acerca de la sobredosis."\n'


def test_an_edit_that_keeps_the_ids_updates_the_store(tmp_path):
    assert check(tmp_path / "d", "b.toml", BEFORE, AFTER)


@pytest.mark.parametrize("have", [frozenset(), frozenset({"fts5"})])
def test_with_or_without_fts5_an_edit_updates_the_same_way(tmp_path, monkeypatch, have):
    monkeypatch.setattr(db, "features", lambda: have)
    assert check(tmp_path / "d", "b.toml", BEFORE, AFTER, SPANISH)
    assert check(tmp_path / "d", "b.toml", AFTER, BEFORE, SPANISH)


def test_with_no_bundled_an_edit_leaves_out_the_bundled_translations_but_the_offers(tmp_path):
    assert check(tmp_path / "d", "b.toml", BEFORE, AFTER, SPANISH, no_bundled=True)


def test_a_comment_changes_nothing_but_the_files_key(tmp_path):
    text = record("service", "r1", ["harbor"], ["naloxone"], [], 0, True, 2)
    assert check(tmp_path / "d", "b.toml", text, text)


def test_a_translated_record_is_checked_again(tmp_path):
    before = record("strategy", "r2", ["overdose"], [], [], 0, False, 3)
    after = record("strategy", "r2", ["overdose", "care"], [], [], 0, False, 3)
    assert check(tmp_path / "d", "b.toml", before, after, SPANISH)


def test_an_override_of_the_sample_is_updated(tmp_path):
    before = record("strategy", "sample-howto", ["harbor"], ["naloxone"], [], 0, False, 4)
    after = record("strategy", "sample-howto", ["clinic", "van"], [], ["r9"], 0, True, 4)
    assert check(tmp_path / "d", "b.toml", before, after)


def test_an_edited_translation_is_checked_again(tmp_path):
    strategy = record("strategy", "r2", ["overdose"], [], [], 0, False, 3)
    folder = tmp_path / "d"
    write(folder / "b.toml", strategy)
    assert check(folder, "z-es.toml", SPANISH, SPANISH.replace("Sobredosis", "Cuidado de sobredosis").replace('"r2"', '"r2"\nsteps = ["Uno"]'))


# Translations follow the layer of their record: a later layer's goes on top of an earlier one's, field by field; one
# of a record a later layer replaced is not used; two in one layer are reported; a broken one names the text used instead.
DOSE = '[[strategy]]\nid = "r2"\ntitle = "Call 911"\nsummary = "Give 1 dose, wait 3 minutes."\n'
DOSIS = 'lang = "es"\n\n[[strategy]]\nid = "r2"\ntitle = "Llame al 911"\nsummary = "Dé 1 dosis, espere 3 minutos."\n'
TITLE = 'lang = "es"\n\n[[strategy]]\nid = "r2"\ntitle = "Mi título, 911"\n'
BROKEN = 'lang = "es"\n\n[[strategy]]\nid = "r2"\nsummary = "Dé 2 dosis, espere 3 minutos."\n'
MINE = '[[strategy]]\nid = "r2"\ntitle = "Call 911 first"\nsummary = "My own: 1 dose, then 3 minutes."\n'


@pytest.mark.parametrize(("earlier", "later", "edited", "after", "title", "problem"), [
    ({"b.toml": DOSE, "es.toml": DOSIS}, {"z-es.toml": TITLE}, "../e/b.toml", DOSE.replace("Call 911", "Call 911 at once"),
     "Mi título, 911", None),
    ({"b.toml": DOSE, "es.toml": DOSIS}, {"z-es.toml": TITLE}, "z-es.toml", TITLE.replace("Mi título", "Otro título"),
     "Otro título, 911", None),
    ({"b.toml": DOSE, "es.toml": DOSIS}, {"y-es.toml": BROKEN}, "../e/es.toml", DOSIS.replace("minutos", "minutos ya"),
     "Llame al 911", "the translation in"),
    ({"b.toml": DOSE, "es.toml": DOSIS}, {"y-es.toml": BROKEN}, "y-es.toml", TITLE, "Mi título, 911", None),
    ({"b.toml": DOSE}, {"y-es.toml": TITLE, "z-es.toml": DOSIS}, "z-es.toml", TITLE.replace("Mi título", "Otro título"),
     "Mi título, 911", "duplicate translation"),
    ({"b.toml": DOSE, "es.toml": DOSIS}, {"b.toml": MINE}, "b.toml", MINE.replace("My own", "Mine"), "Call 911 first", None),
    ({"b.toml": DOSE, "es.toml": DOSIS}, {"b.toml": MINE, "z-es.toml": TITLE}, "../e/es.toml", TITLE, "Mi título, 911", None),
    ({"b.toml": DOSE, "es.toml": DOSIS}, {"b.toml": MINE, "z-es.toml": TITLE}, "../e/b.toml", DOSE.replace("Give", "Spray"),
     "Mi título, 911", None),
])
def test_translations_of_other_layers_update_as_a_compile_layers_them(tmp_path, earlier, later, edited, after, title, problem):
    folder, first = tmp_path / "d", tmp_path / "e"
    for name, text in earlier.items():
        write(first / name, text)
    for name, text in later.items():
        write(folder / name, text)
    assert check(folder, edited, earlier[edited.removeprefix("../e/")] if edited.startswith("../e/") else later[edited], after,
                 earlier=(first,))
    loaded = load(SAMPLE, first, folder)
    loaded.store.read_in("es")
    assert loaded.table("strategy")["r2"].title == title  # what the case is about happened
    assert (problem is None) == all(p.id != "r2" for p in loaded.problems)
    assert problem is None or any(problem in p.message for p in loaded.problems)


def test_an_edited_offer_renames_its_group(tmp_path):
    service = record("service", "r1", ["harbor"], ["new-offer"], [], 0, False, 2)
    before = record("offer", "new-offer", ["glitter", "kit"], [], [], 0, False, 2)
    folder = tmp_path / "d"
    write(folder / "a2.toml", service)
    assert check(folder, "b.toml", before, record("offer", "new-offer", ["sparkle", "box"], [], [], 0, False, 2))


def test_a_file_with_problems_reports_its_new_ones(tmp_path):
    assert check(tmp_path / "d", "b.toml", "this is not TOML", "[[strategy]]\nid = 1\n")


@pytest.mark.parametrize("after", [
    "",  # every record removed
    record("service", "r1", ["harbor"], [], [], 0, False, 2),  # one removed
    record("service", "r1", ["harbor"], [], [], 0, False, 2) + record("service", "r3", ["van"], [], [], 0, False, 2) +
    record("strategy", "r2", ["care"], [], [], 0, False, 2),  # one added
    record("strategy", "r2", ["care"], [], [], 0, False, 2) + record("service", "r1", ["harbor"], [], [], 0, False, 2),  # reordered
    "this is not TOML",
])
def test_records_added_removed_or_reordered_compile_afresh(tmp_path, after):
    before = record("service", "r1", ["harbor"], [], [], 0, False, 2) + record("strategy", "r2", ["care"], [], [], 0, False, 2)
    assert not check(tmp_path / "d", "b.toml", before, after)


def forget_spans(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM meta WHERE key = 'spans'")


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])


@pytest.mark.parametrize("tamper", [forget_spans, truncate])
def test_a_store_from_before_or_damaged_compiles_afresh(tmp_path, tamper):
    before = record("service", "r1", ["harbor"], [], [], 0, False, 2)
    assert not check(tmp_path / "d", "b.toml", before, record("service", "r1", ["van"], [], [], 0, False, 2), tamper=tamper)


def test_a_damaged_record_the_edit_leaves_alone_is_still_never_shown(tmp_path, cli):
    folder = tmp_path / "d"
    write(folder / "a.toml", record("service", "r1", ["harbor"], [], [], 0, False, 2))
    write(folder / "b.toml", record("service", "r2", ["van"], [], [], 0, False, 2))
    load(SAMPLE, folder)
    (path,) = Path(files.folder()).glob("*.sqlite")
    with sqlite3.connect(path) as writable:
        writable.execute("UPDATE entry SET body = substr(body, 1, 4) || x'c0' || substr(body, 6) WHERE rid = 'r1'")
    write(folder / "b.toml", record("service", "r2", ["clinic"], [], [], 0, False, 2))
    with watching() as taken:
        for shown, name in (("r1", "harbor"), ("r2", "clinic")):
            result = cli("show", shown, "--json", "--data", str(SAMPLE), "--data", str(folder))
            assert result.exit_code == 0  # the damage met mid-query: answered from the files, saying only what they say
            assert all("unknown key" in line for line in result.stderr.splitlines())
            assert json.loads(result.stdout)[0]["name"] == name
    assert taken[0]  # the update left the damage, which is met and bypassed as it was before the edit


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(specs, min_size=1, max_size=3), after=st.lists(specs, max_size=3), keep=st.booleans(), spanish=st.booleans())
def test_any_edit_answers_as_a_fresh_compile(before, after, keep, spanish):
    if keep and after:  # most edits keep the records, by kind and id, and change what they say
        after = [(*b[:2], *a[2:]) for b, a in zip(before, after * len(before))]
    translation = SPANISH if spanish else ""
    with tempfile.TemporaryDirectory() as temp:
        check(Path(temp) / "d", "b.toml", "".join(record(*spec) for spec in before), "".join(record(*spec) for spec in after), translation)


def compiled_then_edited(folder: Path) -> Path:
    """A store compiled from the sample and `folder`, whose one file is then edited keeping its ids; the store's path."""
    write(folder / "b.toml", record("service", "r1", ["harbor"], [], [], 0, False, 2) + record("strategy", "r2", ["care"], [], [], 0, False, 2))
    load(SAMPLE, folder)
    write(folder / "b.toml", record("service", "r1", ["mobile", "van"], [], [], 1, True, 3) + record("strategy", "r2", ["testing"], [], [], 0, False, 2))
    (path,) = Path(files.folder()).glob("*.sqlite")
    return path


def test_the_store_is_updated_where_it_is_and_nothing_is_left_beside_it(tmp_path):
    path = compiled_then_edited(tmp_path / "d")
    inode = path.stat().st_ino
    with watching() as taken:
        updated = load(SAMPLE, tmp_path / "d")
    assert taken == [True] and path.stat().st_ino == inode
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(path.name)] == [path.name]  # no journal, no copy
    fresh = load(SAMPLE, tmp_path / "d", use_cache=False)
    same(updated, fresh)
    assert answers(updated) == answers(fresh)


@pytest.mark.parametrize("where", ["before the changes", "amid them"])
def test_an_update_stopped_halfway_leaves_a_store_no_run_trusts(tmp_path, monkeypatch, where):
    path = compiled_then_edited(tmp_path / "d")

    def stop(*args):
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(update._Update if where == "before the changes" else update._Reindex, "apply", stop)
        with pytest.raises(KeyboardInterrupt):
            load(SAMPLE, tmp_path / "d")
    with sqlite3.connect(path) as connection:
        assert db.Store(connection, frozenset()).meta("key") == b""  # marked stale: matches no key
    with watching() as taken:
        again = load(SAMPLE, tmp_path / "d")
    assert taken == [False] and again.cache.state == "rebuilt"  # compiled afresh, not updated from what was left
    fresh = load(SAMPLE, tmp_path / "d", use_cache=False)
    same(again, fresh)
    assert answers(again) == answers(fresh)
    assert load(SAMPLE, tmp_path / "d").cache.state == "fresh"


def test_a_store_another_run_is_writing_is_not_waited_for_long(tmp_path, monkeypatch):
    path = compiled_then_edited(tmp_path / "d")
    monkeypatch.setattr(catalog, "UPDATE_WAIT", 0.05)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")  # as a run updating it would: others may read, none may write
    try:
        with watching() as taken:
            loaded = load(SAMPLE, tmp_path / "d")
    finally:
        holder.rollback()
        holder.close()
    assert taken == [] and loaded.cache.state == "rebuilt"  # the lock was not had: a new store was compiled instead
    fresh = load(SAMPLE, tmp_path / "d", use_cache=False)
    same(loaded, fresh)
    assert answers(loaded) == answers(fresh)
    assert load(SAMPLE, tmp_path / "d").cache.state == "fresh"


def test_five_runs_after_an_edit_in_parallel_agree(tmp_path):
    script = installed_hrfind()
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    folder = tmp_path / "d"
    command = [script, "search", "van", "--json", "--data", str(SAMPLE), "--data", str(folder)]
    write(folder / "b.toml", record("service", "r1", ["harbor"], [], [], 0, False, 2) + record("strategy", "r2", ["care"], [], [], 0, False, 2))
    subprocess.run(command, capture_output=True, env=env, timeout=120, check=True)
    write(folder / "b.toml", record("service", "r1", ["mobile", "van"], [], [], 1, True, 3) + record("strategy", "r2", ["van"], [], [], 0, False, 2))
    stamp = (folder / "b.toml").stat().st_mtime - 10  # settled: the store keeps it (files.RACY_NS)
    os.utime(folder / "b.toml", (stamp, stamp))
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(5)]
    results = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs) and len({err for _, err in results}) == 1  # the same warnings
    assert len({out for out, _ in results}) == 1 and b'"title": "van"' in results[0][0]  # the edited text
    left = sorted(p.name for p in (tmp_path / "cache" / "hrfind").iterdir())
    assert len([name for name in left if name.endswith(".sqlite")]) == 1 and not [n for n in left if n.endswith((".tmp", "-journal"))]
    again = subprocess.run(command, capture_output=True, env=env, timeout=120)
    assert again.stdout == results[0][0]
