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
from array import array
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING

import msgspec

from hrfind import intents
from hrfind.errors import UsageError
from hrfind.model import Offer, Record, kind_of
from hrfind.text import normalize, stem, words

if TYPE_CHECKING:
    from hrfind.catalog import Catalog

# Field weights, in the order DESIGN.md lists them: titles, aliases, summaries, bodies, steps, offers.
TITLE, ALIAS, KIND, SUMMARY, OFFERS, BODY, STEPS = 10.0, 8.0, 6.0, 5.0, 3.0, 2.5, 2.0
WEIGHTS = (STEPS, BODY, OFFERS, SUMMARY, KIND, ALIAS, TITLE)  # a posting stores its weight's position here
PHRASE_BONUS = 0.3  # share of a full score added when the whole query is a title or an alias
MIN_SCORE = 5.0
UNKNOWN_WORD_MIN = 20.0  # the least score when a query has a word of meaning that matches nothing
CLEAR, MIN_NAMED = 1.75, 50.0  # how plainly a query must name a record to put it before the emergency page
STOP = frozenset(
    "a about all also am an and any anyone are as at be been being by can could did do does for from get "
    "give had has have he her him his how i if in is it its just me my near of on or our please pls really "
    "she so some someone somebody something that the their them there these they this those to u ur was "
    "we were what whats when where which who why will with would you your "
    # What is left of contractions once the apostrophe is a space ("don't" -> "don t"), and their
    # spellings without it.
    "t s m d ll re ve don won isn didn doesn im ive id dont wont cant isnt didnt doesnt".split()
)
# Words that say how, not what: they count for a quarter, so "using alone" is about being alone.
LOW = frozenset({"use", "using", "used", "user", "users"})
LOW_WEIGHT = 0.25
SEARCHED = ("principle", "strategy", "service")  # the kinds `hrfind search` looks through
INDEX_NAME = "search-index-2"  # the name the cache keeps the index under: a new one when words fold differently


class Term(msgspec.Struct, frozen=True):
    """A query word as searched: folded, how much it counts, and whether it was typed whole."""

    word: str
    weight: float = 1.0
    whole: bool = False  # an ending was folded off, so the word is complete: no prefix matches
    raw: str = ""  # as typed, lowercased: typos are looked for in both forms

    def __post_init__(self):
        if not self.raw:
            msgspec.structs.force_setattr(self, "raw", self.word)


def query_terms(query: str, *, keep_stop: bool = False) -> list[Term]:
    """The words of a query that carry meaning; all of them when every word is a stop word.

    Stop words are recognised before their endings are folded ("does" is not "doe").
    """
    found = normalize(query).split()
    meaningful = found if keep_stop else [w for w in found if w not in STOP and stem(w) not in STOP]
    terms: dict[str, Term] = {}
    for raw in meaningful or found:
        word = stem(raw)
        terms.setdefault(word, Term(word, LOW_WEIGHT if raw in LOW else 1.0, whole=word != raw, raw=raw))
    return list(terms.values())


def query_words(query: str) -> list[str]:
    """The folded words a query is searched by."""
    return [t.word for t in query_terms(query)]


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

    def named(self, query: str) -> frozenset[int]:
        """Record numbers whose title or an alias is the whole query ("what's in the drugs")."""
        return self._phrase(" ".join(words(query)))

    def _phrase(self, phrase: str) -> frozenset[int]:
        """Record numbers whose normalised title or an alias is exactly this phrase."""
        phrases = self._data.phrases
        at = bisect.bisect_left(phrases, phrase)
        if at == len(phrases) or phrases[at] != phrase:
            return frozenset()
        starts = _ints(self._data.phrase_starts)
        return frozenset(_ints(self._data.phrase_numbers)[starts[at]:starts[at + 1]])

    def _matches(self, term: Term) -> dict[int, float]:
        """Positions of the index words that match a query word, with their similarity from 0 to 1."""
        vocabulary, word = self.vocabulary, term.word
        at = bisect.bisect_left(vocabulary, word)
        if at < len(vocabulary) and vocabulary[at] == word:
            # A word the index holds as it is: not the start of a longer one ("need" is not
            # "needle"), nor a typo for a neighbour.
            return {at: 1.0}
        found: dict[int, float] = {}
        if len(word) >= 3 and not term.whole:  # finishing a word being typed ("nalox")
            prefix = 0.75 if len(word) >= 4 else 0.5
            for n in range(at, len(vocabulary)):  # sorted, so every extension follows the word
                if not vocabulary[n].startswith(word):
                    break
                found[n] = prefix
        for form in dict.fromkeys((word, term.raw)):  # "absces" is near "abscess"; its fold "absc" is not
            for n, similarity in _typos(form, vocabulary).items():
                found.setdefault(n, similarity)
        return found

    def _best_fields(self, term: Term, allowed: Collection[int] | None) -> dict[int, float]:
        """Record number -> similarity times the weight of its best field, for one query word."""
        found: list[tuple[float, memoryview]] = []
        for position, similarity in self._matches(term).items():
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
        terms = query_terms(query)
        matched = [(term, self._best_fields(term, allowed)) for term in terms]
        if not any(found for _, found in matched) and len(terms) < len(normalize(query).split()):
            # Its words of meaning match nothing: the small words may still ("the who").
            terms = query_terms(query, keep_stop=True)
            matched = [(term, self._best_fields(term, allowed)) for term in terms]
        if not terms:
            return {}
        total = (self.size if allowed is None else len(allowed)) or 1
        raw: dict[int, float] = {}
        best = 0.0
        for term, per_record in matched:
            rarity = term.weight * math.log(1 + total / (len(per_record) or 1))
            best += rarity * TITLE
            for n, value in per_record.items():
                raw[n] = raw.get(n, 0.0) + rarity * value
        # A record's raw value adds up at most what `best` does, term by term, so its share is at
        # most 1 and only the phrase bonus can take a score past 100.
        scored = {n: round(100 * (value / best), 1) for n, value in raw.items()}
        if len(normalize(query).split()) > 1:
            for n in self.named(query) & raw.keys():
                scored[n] = round(min(100.0, 100 * (raw[n] / best + PHRASE_BONUS)), 1)
        if not all(found for _, found in matched):
            # A word the index has never seen ("dui lawyer", "medical marijuana card") says the
            # question may be outside what hrfind knows: only a convincing answer is one.
            scored = {n: score for n, score in scored.items() if score >= UNKNOWN_WORD_MIN}
        return scored


def _typos(word: str, vocabulary: list[str]) -> dict[int, float]:
    """Positions of index words a typo of `word` may stand for, with how much such a match counts.

    Two measures, since people make two kinds of typo: fuzz.ratio forgives a letter left out,
    added or swapped with its neighbour ("nalxone"); Levenshtein forgives letters typed wrong
    in place ("fentynal", one edit in a short word, two in a long one). A short word is one
    letter from many others ("lawyer", "layer"): such a match counts less.
    """
    if len(word) < 5:
        return {}
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import Levenshtein

    share = 0.75 if len(word) >= 7 else 0.4
    found = {n: share * similarity / 100
             for _, similarity, n in process.extract(word, vocabulary, scorer=fuzz.ratio, score_cutoff=80, limit=None)}
    edits = 2 if len(word) >= 7 else 1
    for candidate, distance, n in process.extract(word, vocabulary, scorer=Levenshtein.distance, score_cutoff=edits, limit=None):
        found.setdefault(n, share * (1 - distance / max(len(word), len(candidate))))
    return found


def _pinned(index: Index, ids: Sequence[str], query: str, scores: dict[int, float],
            allowed: Collection[int] | None) -> list[int]:
    """Record numbers an urgent query puts first, most urgent first (see hrfind.intents).

    The emergency records of an overdose query stay first unless the query says more than
    "overdose" and names another record so plainly that it scores CLEAR times theirs
    ("canada overdose response line" is NORS).
    """
    numbers: list[int] = []
    for intent in intents.intents(query):
        if intent == intents.OVERDOSE:
            emergency = sorted(index.emergency, key=lambda n: (ids[n], n))
            named: list[int] = []
            if not all(intents.about_overdose(w) for w in query_words(query)):
                floor = max(MIN_NAMED, CLEAR * max((scores.get(n, 0.0) for n in emergency), default=0.0))
                named = [n for n, score in scores.items() if score >= floor and n not in emergency]
            numbers.extend(sorted(named, key=lambda n: (-scores[n], ids[n], n)) + emergency)
        elif intents.PINNED[intent] in ids:
            numbers.append(ids.index(intents.PINNED[intent]))
    return [n for n in dict.fromkeys(numbers) if allowed is None or n in allowed]


def rank(index: Index, records: Sequence[Record], ids: Sequence[str], query: str, *,
         allowed: Collection[int] | None = None, limit: int | None = None) -> list[Hit]:
    """Indexed records that match a query, best first; ties by id. Urgent queries put their records first."""
    scores = index.scores(query, allowed)
    chosen = {n: score for n, score in scores.items() if score >= MIN_SCORE}
    ahead = _pinned(index, ids, query, scores, allowed)
    for n in ahead:
        chosen.setdefault(n, scores.get(n, 0.0))
    rest = [n for n in chosen if n not in ahead]
    if limit is not None and len(rest) > limit:
        # Only records scoring at least the limit-th best can be shown: order just those.
        cut = heapq.nlargest(limit, (chosen[n] for n in rest))[-1]
        rest = [n for n in rest if chosen[n] >= cut]
    named = index.named(query)  # among equal scores (100 is the most), the record the query names comes first
    rest.sort(key=lambda n: (-chosen[n], n not in named, ids[n], n))
    order = ahead + rest
    return [Hit(records[n], chosen[n]) for n in order[:limit]]


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
    data = catalog.derived(INDEX_NAME, IndexData, lambda: build(records, catalog.offers, progress))
    index = Index(data)
    allowed: Collection[int] | None = None
    if tuple(kinds) != SEARCHED:
        spans = [catalog.positions(SEARCHED)[kind] for kind in kinds]
        allowed = spans[0] if len(spans) == 1 else frozenset(n for span in spans for n in span)
    if offer is not None:
        offered = index.offered(offer)
        allowed = offered if allowed is None else frozenset(n for n in offered if n in allowed)
    return rank(index, records, catalog.ids(SEARCHED), query, allowed=allowed, limit=limit)
