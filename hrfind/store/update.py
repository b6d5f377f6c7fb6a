"""Bring a store up to date, in place, with one edited data file, deriving again only what changed.

An edit that keeps the file's records, by kind and id, in the same order leaves every merge
decision as it was: the same record numbers, listing positions, overrides and counts, and the
same set of records for links to point at. Only the records whose bytes changed (and those whose
translation changed with them) are indexed again: their old word, tag, place and phrase entries
are worked out from their old bytes and deleted, the new ones inserted (in both word indexes:
an edit may make a record a place, or no longer one). Every translation is checked again, with
the layer of its file and of the record it translates, which the edit left as they were, so a
later layer's goes on top of an earlier one's as in a compile. Anything else (records
added, removed or reordered, a file added or removed, a layer changed, more than one file
edited, a store from before this) is left to a full compile, which answers the same.

The store is changed where it is, under SQLite's locks, in three transactions: the first marks
it stale (its key emptied), the second makes the changes, the third gives it its new key. A run
that stops anywhere in between (Ctrl-C, a crash, a full disk) leaves a store that no run trusts,
which the next compiles afresh. There is no rollback journal: nothing beside the store could
ever be played back into a different file renamed over it by a full compile.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from hrfind.files import text_of
from hrfind.model import Offer, Translation
from hrfind.store import build, db
from hrfind.store.layout import File, Part

if TYPE_CHECKING:
    from hrfind.problem import Problem


def update_into(connection: sqlite3.Connection, parts: Sequence[Part], key: bytes, today: datetime.date,
                read: build.Reader) -> bool:
    """Update the store `connection` holds to `parts`, compiled as `key`; False when only a full compile can be
    sure of the answer (the store is then as it was, or marked stale)."""
    connection.isolation_level = None  # transactions by hand, each one explicit
    connection.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -32000;")
    # Another run updating the same store holds this lock: wait for it, then find the store current.
    connection.execute("BEGIN IMMEDIATE")
    try:
        store = db.Store(connection, build.features_of(connection))
        if store.current(key, today):
            return True
        found = _edited(store, parts, key, today)
        if found is None:
            return False
        segments, (part_at, file_at), segment = found
        file = parts[part_at].files[file_at]
        parsed = build.parse(read, file.path, file.origin)
        entries = store.rows("SELECT id, kind, rid, origin, body FROM entry WHERE segment = ? ORDER BY id", (segment,))
        if [record[:3] for record in parsed.records] != [tuple(row[1:4]) for row in entries]:
            return False  # records added, removed, renamed or moved: numbers and merge decisions may change
        _write_meta(connection, key=b"")  # stale until the changes below are all written
        connection.execute("COMMIT")
        connection.execute("BEGIN IMMEDIATE")
        _Update(store, parts, segments, today).apply(file, segment, parsed, entries, (part_at, file_at))
        connection.execute("COMMIT")
        connection.execute("BEGIN IMMEDIATE")
        _write_meta(connection, key=key)
        connection.execute("COMMIT")
        return True
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK")


def _write_meta(connection: sqlite3.Connection, **values: Any) -> None:
    """Set these `meta` entries of the store (as `build` writes them: sealed msgpack)."""
    connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           ((name, db.seal(msgspec.msgpack.encode(value))) for name, value in values.items()))


def _edited(store: db.Store, parts: Sequence[Part], key: bytes,
            today: datetime.date) -> tuple[list[list[int]], tuple[int, int], int] | None:
    """The segment of every file, where the one edited file is and its segment; None unless exactly one file
    changed, in a layer that is not --no-bundled's offers, of a store whose files are all current."""
    from hrfind.problem import Problem

    spans = store.meta("spans", list[int])
    if not store.checked(today) or spans is None:
        return None
    if len(spans) != sum(1 + 2 * len(part.files) for part in parts) + 2 or sum(spans) != len(store.meta("problems", list[Problem])):
        return None
    try:
        was, now = msgspec.msgpack.decode(store.meta("key")), msgspec.msgpack.decode(key)
    except (msgspec.DecodeError, TypeError):
        return None
    if was[:2] != now[:2] or len(was[2]) != len(now[2]) or len(parts) != len(now[2]):
        return None  # another version of hrfind, or other layers
    edited = []
    for at, (before, after) in enumerate(zip(was[2], now[2])):
        if before[:2] != after[:2] or [path for path, _ in before[2]] != [path for path, _ in after[2]]:
            return None  # a layer appeared or vanished, its problems changed, or a file was added or removed
        for index, ((_, old_key), (_, new_key)) in enumerate(zip(before[2], after[2])):
            if old_key is None or new_key is None:
                return None  # a file that could not be read is read again every time
            if old_key != new_key:
                edited.append((at, index, old_key))
    if len(edited) != 1 or parts[edited[0][0]].offers_only:
        return None
    known: dict[tuple[str, str, str], int] = {}
    for segment, path, origin, file_key in store.rows("SELECT id, path, origin, key FROM segment"):
        if (path, origin, file_key) in known:
            return None
        known[path, origin, file_key] = segment
    at, index, old_key = edited[0]
    segments = []
    for part_at, part in enumerate(parts):
        ids = []
        for file_at, file in enumerate(part.files):
            wanted = old_key if (part_at, file_at) == (at, index) else file.key
            if (text_of(file.path), file.origin, wanted) not in known:
                return None
            ids.append(known[text_of(file.path), file.origin, wanted])
        segments.append(ids)
    if len(set(sum(segments, []))) != len(known):
        return None
    return segments, (at, index), known[text_of(parts[at].files[index].path), parts[at].files[index].origin, old_key]


class _Update:
    def __init__(self, store: db.Store, parts: Sequence[Part], segments: list[list[int]], today: datetime.date):
        self.store = store
        self.connection = store.connection
        self.execute = store.connection.execute
        self.parts = parts
        self.segments = segments
        self.today = today
        self.encoder = msgspec.msgpack.Encoder()

    def apply(self, file: File, segment: int, parsed: build.Parsed, entries: list[tuple], at: tuple[int, int]) -> None:
        from hrfind.problem import Problem

        execute = self.execute
        changed = {row[0]: i for i, row in enumerate(entries) if parsed.records[i][3] != row[4]}
        live = [n for (n,) in execute("SELECT n FROM record WHERE entry IN (SELECT value FROM json_each(?))",
                                      (db.as_json(changed),))]
        before = self._rows(live)  # the old bytes of what changes, to delete what was derived from them
        old_translations = self._translations()

        execute("UPDATE segment SET key = ?, checked = ?, problems = ? WHERE id = ?",
                (file.key, self.today.isoformat() if parsed.problems else None, db.seal(msgspec.msgpack.encode(parsed.problems)), segment))
        for entry, i in changed.items():
            execute("UPDATE entry SET body = ? WHERE id = ?", (parsed.records[i][3], entry))
            execute("DELETE FROM link WHERE entry = ?", (entry,))
        place = {i: entry for entry, i in changed.items()}
        self.connection.executemany("INSERT INTO link VALUES (?, ?, ?, ?)", (
            (place[i], field, idx, target) for i, field, idx, target in parsed.links if i in place))
        execute("DELETE FROM translated WHERE segment = ?", (segment,))
        self.connection.executemany("INSERT INTO translated VALUES (?, ?, ?)", (
            (segment, i, db.seal(self.encoder.encode(t))) for i, t in enumerate(parsed.translations)))

        execute("UPDATE record SET body = NULL WHERE n IN (SELECT value FROM json_each(?))", (db.as_json(live),))
        links = build.check_links(self.connection, self.encoder, live) if live else []
        kept, translation_problems = build.translate(self.connection, *self._all_translations())
        moved = {n for n, _ in old_translations.keys() ^ kept.keys()} | {
            key[0] for key, blob in kept.items() if old_translations.get(key, blob) != blob}
        for n, kind, body in self.store.rows("SELECT r.n, r.kind, coalesce(r.body, e.body) FROM record r JOIN entry e ON e.id = r.entry "
                                             "WHERE r.n IN (SELECT value FROM json_each(?)) ORDER BY r.n", (db.as_json(moved - set(live)),)):
            before += [(n, kind, body, blob) for blob in ([b for (m, _), b in sorted(old_translations.items()) if m == n] or [None])]
        execute("DELETE FROM translation WHERE n IN (SELECT value FROM json_each(?))", (db.as_json(moved),))
        self.connection.executemany("INSERT INTO translation VALUES (?, ?, ?)",
                                    ((n, lang, blob) for (n, lang), blob in kept.items() if n in moved))
        numbers = sorted(set(live) | moved)
        _Reindex(self.store).apply(build.derive(before, "fts5" in self.store.features),
                                   build.derive(self._rows(numbers), "fts5" in self.store.features), numbers)

        problems = self.store.meta("problems", list[Problem])
        spans = self.store.meta("spans", list[int])
        # The edited file's problems when read, the broken links of the records it holds, all translations'.
        read_at = sum(1 + 2 * len(part.files) for part in self.parts[:at[0]]) + 1 + 2 * at[1]
        starts = [sum(spans[:i]) for i in range(len(spans) + 1)]
        ours = {(kind, record_id) for n, kind, record_id in self.store.rows(
            "SELECT n, kind, id FROM record WHERE n IN (SELECT value FROM json_each(?))", (db.as_json(live),))}
        linked = [p for p in problems[starts[-3]:starts[-2]] if (p.kind, p.id) not in ours] + links
        linked = self._in_link_order(linked)
        problems = problems[:starts[read_at]] + parsed.problems + problems[starts[read_at + 1]:starts[-3]] + linked + translation_problems
        spans[read_at], spans[-2], spans[-1] = len(parsed.problems), len(linked), len(translation_problems)
        _write_meta(self.connection, problems=problems, spans=spans, checked=self.today if problems else None)

    def _rows(self, numbers: Iterable[int]) -> list[tuple]:
        """(n, kind, blob, translated blob) of records, as the full compile's index pass reads them."""
        return self.store.rows("SELECT r.n, r.kind, coalesce(r.body, e.body), t.body FROM record r JOIN entry e ON e.id = r.entry "
                               "LEFT JOIN translation t ON t.n = r.n WHERE r.n IN (SELECT value FROM json_each(?)) ORDER BY r.n",
                               (db.as_json(numbers),))

    def _translations(self) -> dict[tuple[int, str], bytes]:
        return {(n, lang): blob for n, lang, blob in self.store.rows("SELECT n, lang, body FROM translation")}

    def _all_translations(self) -> tuple[list[tuple[int, Translation]], dict[tuple[str, str], int]]:
        """Every file's translations with their layers, in order, as a full compile meets them; and the layer of the
        record each translates (a merge decision, which the edit left as it was)."""
        found: list[tuple[int, Translation]] = []
        layer_of: dict[int, int] = {}
        for layer, (part, segments) in enumerate(zip(self.parts, self.segments)):
            for segment in segments:
                layer_of[segment] = layer
                for (blob,) in self.store.rows("SELECT body FROM translated WHERE segment = ? ORDER BY idx", (segment,)):
                    translation = msgspec.msgpack.decode(db.unseal(blob), type=Translation)
                    if not part.offers_only or translation.kind == "offer":  # --no-bundled keeps only the offers'
                        found.append((layer, translation))
        records = self.store.rows("SELECT r.kind, r.id, e.segment FROM record r JOIN entry e ON e.id = r.entry "
                                  "WHERE r.id IN (SELECT value FROM json_each(?))", (db.as_json({t.id for _, t in found}),))
        return found, {(kind, record_id): layer_of[segment] for kind, record_id, segment in records}

    def _in_link_order(self, problems: list[Problem]) -> list[Problem]:
        """Broken-link problems in the order a full compile reports them: strategies, then services, each by position."""
        where: dict[tuple[str | None, str | None], tuple[bool, int]] = {}
        for p in problems:
            if (p.kind, p.id) not in where:
                n = self.store.number(p.id or "", (p.kind or "",))
                pos = self.store.column("SELECT pos FROM record WHERE n = ?", (n,))
                where[p.kind, p.id] = (p.kind == "service", pos[0] if pos else 0)
        return sorted(problems, key=lambda p: where[p.kind, p.id])  # stable: a record's own problems stay in order


class _Reindex:
    """Replace what was derived from some records' old bytes with what their new bytes give."""

    def __init__(self, store: db.Store):
        self.store = store
        self.connection = store.connection
        self.fts = "fts5" in store.features

    def apply(self, old: build.Derived, new: build.Derived, numbers: list[int]) -> None:
        many = self.connection.executemany
        if self.fts:
            # From both word indexes: a record that was a place may be one no longer, or the other way round.
            for table in ("fts", "fts_k"):
                many(f"DELETE FROM {table} WHERE rowid = ?", ((row[0],) for row in old.fts))
        else:
            many("DELETE FROM posting WHERE word = ? AND weight = ? AND n = ?", old.posting)
        many("DELETE FROM site WHERE n = ?", ((row[0],) for row in old.site))
        many("DELETE FROM phrase WHERE phrase = ? AND n = ?", old.phrase)
        self._members(old.members, new.members)
        group_words = self._group_words()
        self._words(old, new, group_words)  # before the new rows: what is left is what other records use
        if self.fts:
            many(build.fts_insert("fts"), new.fts)
            many(build.fts_insert("fts_k"), new.fts_k)
        else:
            many("INSERT INTO posting VALUES (?, ?, ?)", new.posting)
        many("INSERT INTO site VALUES (?, ?, ?, ?, ?)", new.site)
        many("INSERT OR IGNORE INTO phrase VALUES (?, ?)", new.phrase)

        emergency = sorted((set(self.store.meta("emergency", list[int])) - set(old.emergency)) | set(new.emergency))
        dates = dict(self.store.meta("dates", list[tuple[tuple[str, datetime.date], int]]))
        for date, count in old.dates.items():
            dates[date] -= count
        for date, count in new.dates.items():
            dates[date] = dates.get(date, 0) + count
        dates = {date: count for date, count in dates.items() if count}
        _write_meta(self.connection, emergency=emergency, dates=sorted(dates.items()), oldest=build.oldest(dates))

    def _members(self, old: dict[str, list[int]], new: dict[str, list[int]]) -> None:
        """Each tag's record numbers, kept sorted as the full compile writes them; a tag no record has goes."""
        from bisect import bisect_left

        for tag in sorted(old.keys() | new.keys()):
            gone, added = set(old.get(tag, ())) - set(new.get(tag, ())), set(new.get(tag, ())) - set(old.get(tag, ()))
            if not gone and not added:
                continue
            found = self.store.column("SELECT members FROM grp WHERE tag = ?", (tag,))
            members = db.unpack(db.unseal(found[0])) if found else db.unpack(b"")
            for n in gone:
                del members[bisect_left(members, n)]
            for n in added:
                members.insert(bisect_left(members, n), n)
            if members:
                self.connection.execute("INSERT OR REPLACE INTO grp VALUES (?, ?)", (tag, db.seal(db.pack(members))))
            else:
                self.connection.execute("DELETE FROM grp WHERE tag = ?", (tag,))

    def _group_words(self) -> tuple[set[str], set[str]]:
        """Write the words of the groups' names again (offers may have been renamed); their words before and after."""
        before = set(self.store.column("SELECT DISTINCT word FROM group_word"))
        groups = [tag for tag in self.store.column("SELECT tag FROM grp") if tag.startswith(build.GROUPS)]
        offers: dict[str, Offer] = {}
        for offer in self.store.scan("offer"):
            offers[offer.id] = offer  # type: ignore[assignment]
        best = build.group_words(groups, offers)
        self.connection.execute("DELETE FROM group_word")
        self.connection.executemany("INSERT INTO group_word VALUES (?, ?, ?)", ((w, g, weight) for (w, g), weight in best.items()))
        return before, {word for word, _ in best}

    def _words(self, old: build.Derived, new: build.Derived, group_words: tuple[set[str], set[str]]) -> None:
        """The vocabulary: a word stays while a record or a group name has it, marked translated when only translations do."""
        grouped_before, grouped = group_words
        for word in sorted(old.words | old.translated_words | grouped_before | new.words | new.translated_words | grouped):
            own = word in grouped or word in new.words or self._used(word, own=True)
            used = own or word in new.translated_words or self._used(word, own=False)
            row = self.store.column("SELECT translated FROM word WHERE word = ?", (word,))
            if not used:
                if row:
                    self.connection.execute("DELETE FROM word WHERE word = ?", (word,))
            elif not row or bool(row[0]) != (not own):
                self.connection.execute("INSERT OR REPLACE INTO word VALUES (?, ?, ?)", (word, len(word), not own))

    def _used(self, word: str, own: bool) -> bool:
        """Whether any record still indexed has the word in its own fields (or, not `own`, in any)."""
        if not self.fts:
            return bool(self.store.rows(f"SELECT 1 FROM posting WHERE word = ? {'AND weight < 5' if own else ''} LIMIT 1", (word,)))
        names = db.COLUMNS if own else db.COLUMNS + db.TRANSLATED
        # FTS5 folds words its own way: a match is a candidate, confirmed against the words as written.
        for row in self.store.stream(f"SELECT {', '.join(names)} FROM fts WHERE fts MATCH ?", (f'{{{" ".join(names)}}} : "{word}"',)):
            if any(word in text.split() for text in row):
                return True
        return False
