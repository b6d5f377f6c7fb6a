"""Text search over the store: normalise, expand, match with typo tolerance, score, rank.

The store indexes each record's folded words by field (`hrfind.store.fields`), with FTS5. A query
word matches index words exactly, by prefix (an FTS5 prefix query) or, for longer words, by edit
similarity (rapidfuzz over the store's vocabulary); each match counts by its similarity, the
weight of the best field it is in and how rare the query word is. Scores are 0-100: 100 means
every query word is in the title. Aliases and the labels of a record's offers are fields of the
record, so "narcan" finds naloxone and "needle exchange" finds syringe services without a
separate synonym table. A query reads the postings of the words it matches and decodes only the
records it shows.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import msgspec

from hrfind.errors import UsageError
from hrfind.model import NARROWER, Offer, Record
from hrfind.store.fields import ALIAS, BODY, COLUMN_WEIGHTS, KIND, OFFERS, SEARCHED, STEPS, SUMMARY, TITLE  # noqa: F401
from hrfind.text import normalize, stem, words

if TYPE_CHECKING:
    from hrfind.store.db import Loaded, Store

PHRASE_BONUS = 0.3  # share of a full score added when the whole query is a title or an alias
MIN_SCORE = 5.0
# Knowledge first. A place is a service at a site of its own, not reachable remotely. Tens of
# thousands of clinic names share words with questions and dilute the rarity that ranks answers,
# so a search reads the places only when it asks for them (`asks_for_places`), and lists them last.
# Compared folded, as query words are ("facilities" -> "facilit"). Not "near": "dui lawyer near me" must
# stay a question outside harm reduction, and a clinic's name would answer it.
PLACE_WORDS = frozenset(stem(w) for w in ("nearby", "nearest", "clinic", "address", "location", "facility", "facilities"))
UNKNOWN_WORD_MIN = 20.0  # the least score when a query has a word of meaning that matches nothing
CLEAR, MIN_NAMED = 1.75, 50.0  # how plainly a query must name a record to put it before the emergency page
ENGLISH_STOP = frozenset(
    "a about all also am an and any anyone are as at be been being by can could did do does for from get "
    "give had has have he her him his how i if in is it its just me my near of on or our please pls really "
    "she so some someone somebody something that the their them there these they this those to u ur was "
    "we were what whats when where which who why will with would you your "
    # What is left of contractions once the apostrophe is a space ("don't" -> "don t"), and their
    # spellings without it.
    "t s m d ll re ve don won isn didn doesn im ive id dont wont cant isnt didnt doesnt".split()
)
# Spanish, folded as queries are ("dónde" is "donde"). Not "son" or "sin": they are words in English too.
SPANISH_STOP = frozenset(
    "de del la las el los lo un una unos unas para por mi mis tu tus su sus donde como que cual cuando quien "
    "no y o e en al se le les te es esta este esto estoy hay puedo puede tengo necesito quiero hago "
    "con pero porque muy mas ya si yo usted ella ellos algo alguien".split()
)
STOP = ENGLISH_STOP | SPANISH_STOP
# Those that say so: not the ones an English query has too ("no insurance", "LA", "El Paso", "a").
SAYS_SPANISH = SPANISH_STOP - {"no", "la", "el", "lo", "un", "mi", "tu", "e", "o", "y", "en", "es", "al", "se", "le", "te",
                               "si", "con", "mas", "ya", "yo", "hay"}
# Words that say how, not what: they count for a quarter, so "using alone" ("usar solo") is about being alone.
LOW = frozenset({"use", "using", "used", "user", "users", "uso", "usar", "usa", "usas", "usan", "usando", "usado", "usada"})
LOW_WEIGHT = 0.25


class Term(msgspec.Struct, frozen=True):
    """A query word as searched: folded, how much it counts, and whether it was typed whole."""

    word: str
    raw: str  # as typed, lowercased: typos are looked for in both forms
    weight: float = 1.0
    whole: bool = False  # an ending was folded off, so the word is complete: no prefix matches


def query_terms(query: str, *, keep_stop: bool = False) -> list[Term]:
    """The words of a query that carry meaning; all of them when every word is a stop word.

    Stop words are recognised before their endings are folded ("does" is not "doe").
    """
    found = normalize(query).split()
    meaningful = found if keep_stop else [w for w in found if w not in STOP and stem(w) not in STOP]
    terms: dict[str, Term] = {}
    for raw in meaningful or found:
        word = stem(raw)
        terms.setdefault(word, Term(word, raw, LOW_WEIGHT if raw in LOW else 1.0, whole=word != raw))
    return list(terms.values())


def query_words(query: str) -> list[str]:
    """The folded words a query is searched by."""
    return [t.word for t in query_terms(query)]


class Hit(msgspec.Struct, frozen=True):
    record: Record
    score: float


class Index:
    """The store's word index, as the scores of one query read it."""

    def __init__(self, store: Store):
        self.store = store
        self.size = sum(store.count(kind) for kind in SEARCHED)
        self.emergency = frozenset(store.meta("emergency", list[int]) or ())
        self._members: dict[str, set[int]] = {}
        self.own = True  # the query is in the records' own language: beginnings and typos stand for its words only
        self._allowed: Collection[int] | None = None
        self._allowed_json: str | None = None
        self._allowed_members: dict[str, set[int]] = {}
        self.knowledge = False  # the records allowed are none of them places (hrfind.store.db.Store.postings)

    def spanish(self, query: str) -> bool:
        """Whether a query is in Spanish: a Spanish small word, or a word found only in translations."""
        found = normalize(query).split()
        return any(w in SAYS_SPANISH for w in found) or any(self.store.translated_only(stem(w)) for w in found)

    def offered(self, offer_id: str) -> set[int]:
        """Record numbers of the records that deliver an offer."""
        return self._group(f"offer:{offer_id}")

    def _group_within(self, tag: str, allowed: Collection[int]) -> set[int]:
        """The allowed records of a group, without making a set of all its members (tens of thousands of places)."""
        self._within(allowed)
        if tag not in self._allowed_members:
            self._allowed_members[tag] = self.store.tagged_within(tag, allowed)
        return self._allowed_members[tag]

    def _group(self, tag: str) -> set[int]:
        if tag not in self._members:
            self._members[tag] = self.store.tagged(tag)
        return self._members[tag]

    def named(self, query: str) -> frozenset[int]:
        """Record numbers whose title or an alias is the whole query ("what's in the drugs")."""
        return self._phrase(" ".join(words(query)))

    def _phrase(self, phrase: str) -> frozenset[int]:
        """Record numbers whose normalised title or an alias is exactly this phrase."""
        return self.store.phrase(phrase)

    def _matches(self, term: Term) -> tuple[dict[str, float], float | None]:
        """Index words that match a query word, with their similarity from 0 to 1; and the similarity of
        the words it begins, when it is matched as the start of a word."""
        word = term.word
        if self.store.has_word(word):
            # A word the index holds as it is: not the start of a longer one ("need" is not
            # "needle"), nor a typo for a neighbour.
            return {word: 1.0}, None
        prefix = None
        if len(word) >= 3 and not term.whole:  # finishing a word being typed ("nalox")
            prefix = 0.75 if len(word) >= 4 else 0.5
        found: dict[str, float] = {}
        for form in dict.fromkeys((word, term.raw)):  # "absces" is near "abscess"; its fold "absc" is not
            for match, similarity in _typos(form, self.store, self.own).items():
                if prefix is None or not match.startswith(word):  # a word it begins counts as that
                    found.setdefault(match, similarity)
        return found, prefix

    def _best_fields(self, term: Term, allowed: Collection[int] | None) -> dict[int, float]:
        """Record number -> similarity times the weight of its best field, for one query word."""
        matched, prefix = self._matches(term)
        found: list[tuple[float, Iterable[int]]] = []
        within = self._within(allowed)
        for word, similarity, starts in ([(term.word, prefix, True)] if prefix is not None else []) + \
                [(w, s, False) for w, s in matched.items()]:
            for column, numbers in self.store.postings(word, prefix=starts, own=self.own, within=within, knowledge=self.knowledge):
                found.append((similarity * COLUMN_WEIGHTS[column], numbers))
            for tag, weight in self.store.group_words(word, prefix=starts):
                found.append((similarity * weight, self._group(tag) if allowed is None else self._group_within(tag, allowed)))
        # Ascending, so that a record's best value is written last and stays.
        found.sort(key=lambda pair: pair[0])
        best: dict[int, float] = {}
        for value, numbers in found:
            best.update(dict.fromkeys(numbers, value))
        if allowed is not None:
            best = {n: value for n, value in best.items() if n in allowed}
        return best

    # Up to this many records allowed, the store reads only their postings (`Store.postings`).
    WITHIN = 20_000

    def _within(self, allowed: Collection[int] | None) -> str | None:
        """The records allowed, as the JSON array `Store.postings` reads; None for all, or too many to be worth it."""
        if allowed is None:
            return None
        if self._allowed is not allowed:  # what was worked out for other records allowed does not hold
            self._allowed, self._allowed_json, self._allowed_members = allowed, None, {}
        if len(allowed) > self.WITHIN:
            return None
        if self._allowed_json is None:
            from hrfind.store.db import as_json

            self._allowed_json = as_json(allowed)
        return self._allowed_json

    def scores(self, query: str, allowed: Collection[int] | None = None) -> dict[int, float]:
        """Record number -> score from 0 to 100 for every record the query touches, among `allowed` if given."""
        terms = query_terms(query)
        self.own = not self.spanish(query)
        matched = [(term, self._best_fields(term, allowed)) for term in terms]
        if self.own and len(terms) == 1 and not any(found for _, found in matched):
            # A misspelt Spanish word ("jeringsa") is a word of neither language: its typos may be of a translation's
            # words. Only a word alone: in a longer query, a word that is Spanish says so, and English questions
            # outside harm reduction ("dui lawyer near me") must not be answered by Spanish words that look alike.
            self.own = False
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


def _typos(word: str, store: Store, own: bool = False) -> dict[str, float]:
    """Index words a typo of `word` may stand for, with how much such a match counts.

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
    edits = 2 if len(word) >= 7 else 1
    # fuzz.ratio is 200 * common / (sum of lengths), so only words from 2/3 to 3/2 of this length reach 80;
    # those within `edits` letters of its length are among them.
    vocabulary = store.words_of_length(len(word) * 80 // 120, -(-len(word) * 120 // 80), own=own)
    found = {vocabulary[n]: share * similarity / 100
             for _, similarity, n in process.extract(word, vocabulary, scorer=fuzz.ratio, score_cutoff=80, limit=None)}
    for candidate, distance, n in process.extract(word, vocabulary, scorer=Levenshtein.distance, score_cutoff=edits, limit=None):
        found.setdefault(candidate, share * (1 - distance / max(len(word), len(candidate))))
    return found


def _pinned(index: Index, ids: Sequence[str], query: str, scores: dict[int, float],
            allowed: Collection[int] | None) -> list[int]:
    """Record numbers an urgent query puts first, most urgent first (see hrfind.intents).

    The emergency records of an overdose query stay first unless the query says more than
    "overdose" and names another record so plainly that it scores CLEAR times theirs
    ("canada overdose response line" is NORS).
    """
    from hrfind import intents  # its patterns take a while to compile: `services` without words never needs them

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
         allowed: Collection[int] | None = None, limit: int | None = None,
         later: Callable[[Collection[int]], Collection[int]] | None = None) -> list[Hit]:
    """Indexed records that match a query, best first; ties by id. Urgent queries put their records first.

    `later` picks, among the matches, those that follow every other (the places: knowledge first).
    """
    scores = index.scores(query, allowed)
    chosen = {n: score for n, score in scores.items() if score >= MIN_SCORE}
    held = later(list(chosen)) if later is not None and chosen else ()
    ahead = _pinned(index, ids, query, scores, allowed)
    for n in ahead:
        chosen.setdefault(n, scores.get(n, 0.0))
    rest = [n for n in chosen if n not in ahead]
    if limit is not None and len(rest) > limit:
        # Only records scoring at least the limit-th best can be shown: order just those.
        cut = heapq.nlargest(limit, ((n not in held, chosen[n]) for n in rest))[-1]
        rest = [n for n in rest if (n not in held, chosen[n]) >= cut]
    named = index.named(query)  # among equal scores (100 is the most), the record the query names comes first
    rest.sort(key=lambda n: (n in held, -chosen[n], n not in named, ids[n], n))
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


class _Ids(Sequence[str]):
    """The ids of the searched records, by record number, read from the store as the ranking asks for them."""

    def __init__(self, store: Store):
        self.store = store
        self._known: dict[int, str] = {}
        self._misses = 0

    def __getitem__(self, n: int) -> str:  # type: ignore[override]
        found = self._known.get(n)
        if found is None:
            self._misses += 1
            # A ranking that sorts many ties reads every id at once rather than one by one.
            self._known.update(self.store.id_of([n]) if self._misses < 64 else self.store.id_map(SEARCHED))
            found = self._known[n]
        return found

    def __len__(self) -> int:
        return sum(self.store.count(kind) for kind in SEARCHED)

    def __contains__(self, record_id: object) -> bool:
        return isinstance(record_id, str) and self.store.number(record_id, SEARCHED) is not None

    def index(self, record_id: str, *args: object) -> int:  # type: ignore[override]
        n = self.store.number(record_id, SEARCHED)
        if n is None:
            raise ValueError(record_id)
        return n


class _Numbers(Sequence[int]):
    """Stands for the records in `rank`, so that it returns record numbers and decodes nothing."""

    def __getitem__(self, n: int) -> int:  # type: ignore[override]
        return n

    def __len__(self) -> int:
        return 0


def ranked(store: Store, query: str, *, allowed: Collection[int] | None = None, limit: int | None = None) -> list[tuple[int, float]]:
    """(record number, score) of the records that match a query, best first, as `rank` orders them."""
    hits = rank(Index(store), _Numbers(), _Ids(store), query, allowed=allowed, limit=limit)
    return [(hit.record, hit.score) for hit in hits]  # type: ignore[misc]


def asks_for_places(query: str, kinds: Sequence[str], offer: str | None) -> bool:
    """Whether a search is for places: `--kind service`, `--offers`, or a place word or ZIP code in the query."""
    return tuple(kinds) == ("service",) or offer is not None or any(
        w in PLACE_WORDS or (len(w) == 5 and w.isdigit()) for w in query_words(query))


def search_store(store: Store, query: str, *, kinds: Sequence[str] = SEARCHED, offer: str | None = None,
                 limit: int | None = None) -> list[Hit]:
    """Records of a store that match a query, best first; ties by id. Urgent queries put their records first."""
    index = Index(store)
    allowed: set[int] | None = None
    if tuple(kinds) != SEARCHED:
        allowed = set().union(*(store.tagged(f"kind:{kind}") for kind in kinds))
    if offer is not None:
        offered = set().union(*(index.offered(o) for o in (offer, *NARROWER.get(offer, ()))))  # moud: any of the three
        allowed = offered if allowed is None else offered & allowed
    later = None
    if asks_for_places(query, kinds, offer):
        later = store.places
    else:
        knowledge = store.not_places()
        allowed = knowledge if allowed is None else allowed & knowledge
        index.knowledge = True
    hits = rank(index, _Numbers(), _Ids(store), query, allowed=allowed, limit=limit, later=later)
    found = store.records(hit.record for hit in hits)  # type: ignore[misc]
    return [Hit(found[hit.record], hit.score) for hit in hits]  # type: ignore[index]


def search(records: list[Record], offers: Mapping[str, Offer], query: str, *, offer: str | None = None,
           limit: int | None = None) -> list[Hit]:
    """Records that match a query, best first; ties by id. Overdose queries put emergency records first."""
    from hrfind.store import build

    if offer is not None:
        records = [r for r in records if offer in getattr(r, "offers", ())]
    store = build.memory_store([*records, *offers.values()])
    try:
        return search_store(store, query, limit=limit)
    finally:
        store.connection.close()


def search_catalog(catalog: Loaded, query: str, *, kinds: Sequence[str] = SEARCHED, offer: str | None = None,
                   limit: int | None = None) -> list[Hit]:
    """Search a loaded catalog through its store."""
    return search_store(catalog.store, query, kinds=kinds, offer=offer, limit=limit)
