"""Text search over the catalog: normalise, expand, match with typo tolerance, score, rank.

An inverted index maps each word to the records that hold it, with the weight of the most
important field it appears in. A query word matches index words exactly, by prefix or, for
longer words, by edit similarity (rapidfuzz); each match counts by its similarity, the field's
weight and how rare the query word is. Scores are 0-100: 100 means every query word is in the
title. Aliases and the labels of a record's offers are fields of the record, so "narcan" finds
naloxone and "needle exchange" finds syringe services without a separate synonym table.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections.abc import Iterable

from hrfind.errors import UsageError
from hrfind.model import Offer, Record, kind_of

# Field weights, in the order DESIGN.md lists them: titles, aliases, summaries, bodies, steps, offers.
TITLE, ALIAS, KIND, SUMMARY, OFFERS, BODY, STEPS = 10.0, 8.0, 6.0, 5.0, 3.0, 2.5, 2.0
PHRASE_BONUS = 0.3  # share of a full score added when the whole query is a title or an alias
MIN_SCORE = 5.0
STOP = frozenset(
    "a an and are as at be by can do does for from get give how i if in is it me my near of on or "
    "the to use using what when where which who why with you your".split()
)
OVERDOSE_WORDS = frozenset({"overdose", "overdosing", "overdosed", "od", "ods"})
_WORD = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    """Lowercase, without accents, punctuation as spaces."""
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


@dataclasses.dataclass(frozen=True)
class Hit:
    record: Record
    score: float


def _fields(record: Record, offers: dict[str, Offer]) -> Iterable[tuple[float, str]]:
    """(weight, text) for every searchable field of a record."""
    yield TITLE, record.title
    yield KIND, kind_of(record)
    for alias in getattr(record, "aliases", ()):
        yield ALIAS, alias
    for field, weight in (("summary", SUMMARY), ("description", SUMMARY), ("body", BODY), ("eligibility", BODY)):
        if getattr(record, field, None):
            yield weight, getattr(record, field)
    for step in getattr(record, "steps", ()):
        yield STEPS, step
    for access in getattr(record, "access", ()):
        yield OFFERS, access
    for offer_id in getattr(record, "offers", ()):
        offer = offers.get(offer_id)
        yield OFFERS, offer_id.replace("-", " ")
        if offer:
            yield OFFERS, offer.label
            for alias in offer.aliases:
                yield OFFERS, alias


class Index:
    """Words of a set of records, with the weight of the best field each appears in."""

    def __init__(self, records: list[Record], offers: dict[str, Offer]):
        self.records = records
        self.postings: dict[str, dict[int, float]] = {}
        self.phrases: list[set[str]] = []  # each record's normalised title and aliases
        for n, record in enumerate(records):
            for weight, text in _fields(record, offers):
                for word in words(text):
                    posting = self.postings.setdefault(word, {})
                    if posting.get(n, 0.0) < weight:
                        posting[n] = weight
            self.phrases.append({" ".join(words(t)) for t in (record.title, *getattr(record, "aliases", ()))})
        self.vocabulary = list(self.postings)

    def matches(self, word: str) -> dict[str, float]:
        """Index words that match a query word, with their similarity from 0 to 1."""
        found = {word: 1.0} if word in self.postings else {}
        if len(word) >= 3:
            for candidate in self.vocabulary:
                if candidate != word and candidate.startswith(word):
                    found.setdefault(candidate, 0.75 if len(word) >= 4 else 0.5)
        if len(word) >= 5:
            from rapidfuzz import fuzz, process

            cutoff = 80 if len(word) >= 7 else 83
            for candidate, similarity, _ in process.extract(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None):
                found.setdefault(candidate, 0.75 * similarity / 100)
        return found

    def scores(self, query: str) -> dict[int, float]:
        """Record number -> score from 0 to 100 for every record the query touches."""
        terms = query_words(query)
        if not terms:
            return {}
        total = len(self.records) or 1
        raw: dict[int, float] = {}
        best = 0.0
        for term in terms:
            matched = self.matches(term)
            per_record: dict[int, float] = {}
            for candidate, similarity in matched.items():
                for n, weight in self.postings[candidate].items():
                    value = similarity * weight
                    if per_record.get(n, 0.0) < value:
                        per_record[n] = value
            rarity = math.log(1 + total / (len(per_record) or 1))
            best += rarity * TITLE
            for n, value in per_record.items():
                raw[n] = raw.get(n, 0.0) + rarity * value
        phrase = " ".join(words(query))
        scored = {}
        for n, value in raw.items():
            share = value / best
            if len(terms) > 1 and phrase in self.phrases[n]:
                share += PHRASE_BONUS
            scored[n] = round(min(100.0, 100 * share), 1)
        return scored


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
    index = Index(records, offers)
    scores = index.scores(query)
    urgent = about_overdose(query)
    hits = [Hit(r, scores.get(n, 0.0)) for n, r in enumerate(records)
            if scores.get(n, 0.0) >= MIN_SCORE or (urgent and getattr(r, "emergency", False))]
    hits.sort(key=lambda h: (-h.score, h.record.id))
    if urgent:  # a stable sort keeps the ranking within each group
        hits.sort(key=lambda h: not getattr(h.record, "emergency", False))
    return hits[:limit] if limit is not None else hits
