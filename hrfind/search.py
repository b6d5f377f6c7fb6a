"""Text search over the catalog: normalise, expand, match with typo tolerance, score, rank.

An inverted index maps each word to the records that hold it, with the weight of the most
important field it appears in. A query word matches index words exactly, by prefix or, for
longer words, by edit similarity (rapidfuzz); each match counts by its similarity, the field's
weight and how rare the query word is. Scores are 0-100: 100 means every query word is in the
title. Aliases and the labels of a record's offers are fields of the record, so "narcan" finds
naloxone and "needle exchange" finds syringe services without a separate synonym table.

The index is flat arrays (sorted words, postings grouped by weight), so the cache stores it as
it is and a query reads only the postings of the words it matches: a directory of 100,000
services answers as fast as it can be read.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from array import array
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING

import msgspec

from hrfind.errors import UsageError
from hrfind.model import Offer, Record, kind_of

if TYPE_CHECKING:
    from hrfind.catalog import Catalog

# Field weights, in the order DESIGN.md lists them: titles, aliases, summaries, bodies, steps, offers.
TITLE, ALIAS, KIND, SUMMARY, OFFERS, BODY, STEPS = 10.0, 8.0, 6.0, 5.0, 3.0, 2.5, 2.0
WEIGHTS = (STEPS, BODY, OFFERS, SUMMARY, KIND, ALIAS, TITLE)  # a posting stores its weight's position here
PHRASE_BONUS = 0.3  # share of a full score added when the whole query is a title or an alias
MIN_SCORE = 5.0
STOP = frozenset(
    "a an and are as at be by can do does for from get give how i if in is it me my near of on or "
    "the to use using what when where which who why with you your".split()
)
OVERDOSE_WORDS = frozenset({"overdose", "overdosing", "overdosed", "od", "ods"})
SEARCHED = ("principle", "strategy", "service")  # the kinds `hrfind search` looks through
_WORD = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    """Lowercase, without accents, punctuation as spaces."""
    if text.isascii():  # most data: nothing to decompose or strip, and much faster this way
        return " ".join(_WORD.findall(text.lower()))
    import unicodedata

    # Compatibility forms first (𝘈 -> A), so that casefolding sees plain letters.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return " ".join(_WORD.findall("".join(c for c in decomposed if not unicodedata.combining(c))))


def stem(word: str) -> str:
    """Fold a plain English plural onto its singular ("strips" -> "strip")."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    return [stem(w) for w in normalize(text).split()]


def query_words(query: str) -> list[str]:
    """The words of a query that carry meaning; all of them when every word is a stop word."""
    found = words(query)
    meaningful = [w for w in found if w not in STOP]
    return list(dict.fromkeys(meaningful or found))


class Hit(msgspec.Struct, frozen=True):
    record: Record
    score: float


def _own_fields(record: Record) -> Iterable[tuple[float, str]]:
    """(weight, text) for the searchable fields that are the record's own."""
    yield TITLE, record.title
    for alias in getattr(record, "aliases", ()):
        yield ALIAS, alias
    for field, weight in (("summary", SUMMARY), ("description", SUMMARY), ("body", BODY), ("eligibility", BODY)):
        if getattr(record, field, None):
            yield weight, getattr(record, field)
    for step in getattr(record, "steps", ()):
        yield STEPS, step


def _groups(record: Record) -> Iterable[str]:
    """The groups a record belongs to: its kind, its ways of access and its offers, whose words it shares."""
    yield f"kind:{kind_of(record)}"
    for access in getattr(record, "access", ()):
        yield f"access:{access}"
    for offer_id in getattr(record, "offers", ()):
        yield f"offer:{offer_id}"


def _group_fields(group: str, offers: dict[str, Offer]) -> Iterable[tuple[float, str]]:
    """(weight, text) for the searchable words of a group: the kind's name, the access, the offer's names."""
    what, value = group.split(":", 1)
    if what == "kind":
        yield KIND, value
    elif what == "access":
        yield OFFERS, value
    else:
        offer = offers.get(value)
        yield OFFERS, value.replace("-", " ")
        if offer:
            yield OFFERS, offer.label
            for alias in offer.aliases:
                yield OFFERS, alias


class IndexData(msgspec.Struct, frozen=True):
    """An index as flat arrays, the form the cache stores it in."""

    # A word's own postings are the records that hold it in their own fields; its groups are the
    # kinds, access and offers whose names hold it, each standing for all the records in it, so
    # that the words of an offer are indexed once and not once for each of 100,000 services.

    size: int  # how many records it covers
    words: list[str]  # sorted
    starts: memoryview  # array('I'): word i's own postings are numbers[starts[i]:starts[i + 1]]
    numbers: memoryview  # array('I'): record numbers, ordered by weight, then number, within a word
    weights: memoryview  # array('B'): each posting's weight, as its position in WEIGHTS
    group_starts: memoryview  # array('I'): word i's groups are word_groups[group_starts[i]:group_starts[i + 1]]
    word_groups: memoryview  # array('I'): positions in groups
    group_weights: memoryview  # array('B')
    groups: list[str]  # sorted: "kind:service", "access:phone", "offer:naloxone"
    member_starts: memoryview  # array('I'): group g's records are members[member_starts[g]:member_starts[g + 1]]
    members: memoryview  # array('I')
    phrases: list[str]  # sorted: every record's normalised title and aliases
    phrase_starts: memoryview  # array('I')
    phrase_numbers: memoryview  # array('I')
    emergency: list[int]


def _flat(lists: dict[str, list[int]]) -> tuple[list[str], memoryview, memoryview]:
    """Sorted keys, and their lists laid end to end with where each starts."""
    keys = sorted(lists)
    starts, numbers = array("I", [0]), array("I")
    for key in keys:
        numbers.extend(lists[key])
        starts.append(len(numbers))
    return keys, memoryview(starts), memoryview(numbers)


def build(records: Sequence[Record], offers: dict[str, Offer], progress: Callable[[int, int], None] | None = None) -> IndexData:
    """Index the searchable fields of records, numbered by their position; `progress(done, total)` hears how far it is."""
    code = {weight: n for n, weight in enumerate(WEIGHTS)}
    # word -> one list of record numbers per weight; records come in order, so each list is sorted.
    postings: dict[str, list[list[int]]] = {}
    members: dict[str, list[int]] = {}
    phrases: dict[str, list[int]] = {}
    emergency: list[int] = []
    for n, record in enumerate(records):
        if progress is not None and n % 4096 == 0:
            progress(n, len(records))
        best: dict[str, int] = {}
        for weight, text in _own_fields(record):
            for word in words(text):
                if best.get(word, -1) < code[weight]:
                    best[word] = code[weight]
        for word, weight in best.items():
            lists = postings.get(word)
            if lists is None:
                lists = postings[word] = [[] for _ in WEIGHTS]
            lists[weight].append(n)
        for group in dict.fromkeys(_groups(record)):
            members.setdefault(group, []).append(n)
        for phrase in {" ".join(words(t)) for t in (record.title, *getattr(record, "aliases", ()))}:
            phrases.setdefault(phrase, []).append(n)
        if getattr(record, "emergency", False):
            emergency.append(n)
    groups, member_starts, member_numbers = _flat(members)
    shared: dict[str, dict[int, int]] = {}  # word -> group position -> best weight
    for g, group in enumerate(groups):
        for weight, text in _group_fields(group, offers):
            for word in words(text):
                held = shared.setdefault(word, {})
                if held.get(g, -1) < code[weight]:
                    held[g] = code[weight]
    vocabulary = sorted(postings.keys() | shared.keys())
    starts, numbers, weights = array("I", [0]), array("I"), array("B")
    group_starts, word_groups, group_weights = array("I", [0]), array("I"), array("B")
    for word in vocabulary:
        for weight, group in enumerate(postings.get(word, ())):
            numbers.extend(group)
            weights.extend(bytes([weight]) * len(group))
        starts.append(len(numbers))
        for g, weight in sorted(shared.get(word, {}).items()):
            word_groups.append(g)
            group_weights.append(weight)
        group_starts.append(len(word_groups))
    phrase_list, phrase_starts, phrase_numbers = _flat(phrases)
    return IndexData(len(records), vocabulary, memoryview(starts), memoryview(numbers), memoryview(weights),
                     memoryview(group_starts), memoryview(word_groups), memoryview(group_weights),
                     groups, member_starts, member_numbers, phrase_list, phrase_starts, phrase_numbers, emergency)


def _ints(view: memoryview) -> memoryview:
    """An array('I') as stored, whether built here or read from the cache as bytes."""
    return memoryview(view).cast("B").cast("I")


class Index:
    """Words of a set of records, with the weight of the best field each appears in."""

    def __init__(self, records: Sequence[Record] | IndexData, offers: dict[str, Offer] | None = None):
        data = records if isinstance(records, IndexData) else build(records, offers or {})
        self.size = data.size
        self.vocabulary = data.words
        self.emergency = frozenset(data.emergency)
        self._data = data
        self._starts, self._numbers = _ints(data.starts), _ints(data.numbers)
        self._weights = memoryview(data.weights).cast("B")
        self._group_starts, self._word_groups = _ints(data.group_starts), _ints(data.word_groups)
        self._group_weights = memoryview(data.group_weights).cast("B")
        self._member_starts, self._members = _ints(data.member_starts), _ints(data.members)

    def _group(self, position: int) -> memoryview:
        return self._members[self._member_starts[position]:self._member_starts[position + 1]]

    def offered(self, offer_id: str) -> frozenset[int]:
        """Record numbers of the records that deliver an offer."""
        groups = self._data.groups
        at = bisect.bisect_left(groups, f"offer:{offer_id}")
        return frozenset(self._group(at)) if at < len(groups) and groups[at] == f"offer:{offer_id}" else frozenset()

    def _phrase(self, phrase: str) -> frozenset[int]:
        """Record numbers whose normalised title or an alias is exactly this phrase."""
        phrases = self._data.phrases
        at = bisect.bisect_left(phrases, phrase)
        if at == len(phrases) or phrases[at] != phrase:
            return frozenset()
        starts = _ints(self._data.phrase_starts)
        return frozenset(_ints(self._data.phrase_numbers)[starts[at]:starts[at + 1]])

    def _matches(self, word: str) -> dict[int, float]:
        """Positions of the index words that match a query word, with their similarity from 0 to 1."""
        vocabulary = self.vocabulary
        at = bisect.bisect_left(vocabulary, word)
        found = {at: 1.0} if at < len(vocabulary) and vocabulary[at] == word else {}
        if len(word) >= 3:
            prefix = 0.75 if len(word) >= 4 else 0.5
            for n in range(at + len(found), len(vocabulary)):  # sorted, so every extension follows the word
                if not vocabulary[n].startswith(word):
                    break
                found.setdefault(n, prefix)
        if len(word) >= 5:
            from rapidfuzz import fuzz, process

            cutoff = 80 if len(word) >= 7 else 83
            for _, similarity, n in process.extract(word, vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None):
                found.setdefault(n, 0.75 * similarity / 100)
        return found

    def _best_fields(self, word: str, allowed: Collection[int] | None) -> dict[int, float]:
        """Record number -> similarity times the weight of its best field, for one query word."""
        found: list[tuple[float, memoryview]] = []
        for position, similarity in self._matches(word).items():
            start, end = self._starts[position], self._starts[position + 1]
            while start < end:
                weight = self._weights[start]
                stop = bisect.bisect_right(self._weights, weight, start, end)
                found.append((similarity * WEIGHTS[weight], self._numbers[start:stop]))
                start = stop
            for n in range(self._group_starts[position], self._group_starts[position + 1]):
                found.append((similarity * WEIGHTS[self._group_weights[n]], self._group(self._word_groups[n])))
        # Ascending, so that a record's best value is written last and stays.
        found.sort(key=lambda pair: pair[0])
        best: dict[int, float] = {}
        for value, numbers in found:
            best.update(dict.fromkeys(numbers, value))
        if allowed is not None:
            best = {n: value for n, value in best.items() if n in allowed}
        return best

    def scores(self, query: str, allowed: Collection[int] | None = None) -> dict[int, float]:
        """Record number -> score from 0 to 100 for every record the query touches, among `allowed` if given."""
        terms = query_words(query)
        if not terms:
            return {}
        total = (self.size if allowed is None else len(allowed)) or 1
        raw: dict[int, float] = {}
        best = 0.0
        for term in terms:
            per_record = self._best_fields(term, allowed)
            rarity = math.log(1 + total / (len(per_record) or 1))
            best += rarity * TITLE
            for n, value in per_record.items():
                raw[n] = raw.get(n, 0.0) + rarity * value
        # A record's raw value adds up at most what `best` does, term by term, so its share is at
        # most 1 and only the phrase bonus can take a score past 100.
        scored = {n: round(100 * (value / best), 1) for n, value in raw.items()}
        if len(terms) > 1:
            for n in self._phrase(" ".join(words(query))) & raw.keys():
                scored[n] = round(min(100.0, 100 * (raw[n] / best + PHRASE_BONUS)), 1)
        return scored


def rank(index: Index, records: Sequence[Record], ids: Sequence[str], query: str, *,
         allowed: Collection[int] | None = None, limit: int | None = None) -> list[Hit]:
    """Indexed records that match a query, best first; ties by id. Overdose queries put emergency records first."""
    scores = index.scores(query, allowed)
    chosen = {n: score for n, score in scores.items() if score >= MIN_SCORE}
    first: frozenset[int] = frozenset()
    if about_overdose(query):
        first = frozenset(n for n in index.emergency if allowed is None or n in allowed)
        for n in first:
            chosen.setdefault(n, scores.get(n, 0.0))
    ahead = sorted((n for n in first if n in chosen), key=lambda n: (-chosen[n], ids[n], n))
    rest = [n for n in chosen if n not in first] if first else list(chosen)
    if limit is not None and len(rest) > limit:
        # Only records scoring at least the limit-th best can be shown: order just those.
        cut = heapq.nlargest(limit, (chosen[n] for n in rest))[-1]
        rest = [n for n in rest if chosen[n] >= cut]
    rest.sort(key=lambda n: (-chosen[n], ids[n], n))
    order = ahead + rest
    return [Hit(records[n], chosen[n]) for n in order[:limit]]


def about_overdose(query: str) -> bool:
    """Whether a query asks about an overdose, typos included."""
    from rapidfuzz import fuzz

    return any(w in OVERDOSE_WORDS or (len(w) >= 6 and fuzz.ratio(w, "overdose") >= 80) for w in words(query))


def resolve_offer(offers: dict[str, Offer], text: str) -> str:
    """The offer id for an id, label or alias; UsageError naming the closest when there is none."""
    wanted = normalize(text)
    for offer in offers.values():
        if wanted in {normalize(n) for n in (offer.id, offer.label, *offer.aliases)}:
            return offer.id
    import difflib

    close = difflib.get_close_matches(text.lower(), list(offers), n=3, cutoff=0.4)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    raise UsageError(f'Unknown offer "{text}".{hint} `hrfind offers` lists them all.')


def search(records: list[Record], offers: dict[str, Offer], query: str, *, offer: str | None = None,
           limit: int | None = None) -> list[Hit]:
    """Records that match a query, best first; ties by id. Overdose queries put emergency records first."""
    if offer is not None:
        records = [r for r in records if offer in getattr(r, "offers", ())]
    return rank(Index(records, offers), records, [r.id for r in records], query, limit=limit)


def search_catalog(catalog: Catalog, query: str, *, kinds: Sequence[str] = SEARCHED, offer: str | None = None,
                   limit: int | None = None, progress: Callable[[int, int], None] | None = None) -> list[Hit]:
    """Search a catalog through its index, built once (telling `progress`) and kept in the cache with the catalog."""
    records = catalog.listing(SEARCHED)
    data = catalog.derived("search-index", IndexData, lambda: build(records, catalog.offers, progress))
    index = Index(data)
    allowed: Collection[int] | None = None
    if tuple(kinds) != SEARCHED:
        spans = [catalog.positions(SEARCHED)[kind] for kind in kinds]
        allowed = spans[0] if len(spans) == 1 else frozenset(n for span in spans for n in span)
    if offer is not None:
        offered = index.offered(offer)
        allowed = offered if allowed is None else frozenset(n for n in offered if n in allowed)
    return rank(index, records, catalog.ids(SEARCHED), query, allowed=allowed, limit=limit)
