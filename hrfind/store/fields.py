"""What search reads of each record: its fields with their weights, and the groups it belongs to.

The store indexes these when it compiles; `hrfind.search` scores with the same weights.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from hrfind.model import Offer, Record, kind_of
from hrfind.text import words

# Field weights, in the order DESIGN.md lists them: titles, aliases, summaries, bodies, steps, offers.
TITLE, ALIAS, KIND, SUMMARY, OFFERS, BODY, STEPS = 10.0, 8.0, 6.0, 5.0, 3.0, 2.5, 2.0
# The weight of each column of the store's word index (hrfind.store.db.COLUMNS), highest first.
COLUMN_WEIGHTS = (TITLE, ALIAS, SUMMARY, BODY, STEPS)
SEARCHED = ("principle", "strategy", "service")  # the kinds `hrfind search` looks through


def own_fields(record: Record) -> Iterable[tuple[float, str]]:
    """(weight, text) for the searchable fields that are the record's own."""
    yield TITLE, record.title
    for alias in getattr(record, "aliases", ()):
        yield ALIAS, alias
    for field, weight in (("summary", SUMMARY), ("description", SUMMARY), ("body", BODY), ("eligibility", BODY)):
        if getattr(record, field, None):
            yield weight, getattr(record, field)
    for step in getattr(record, "steps", ()):
        yield STEPS, step


@functools.lru_cache(maxsize=1 << 16)
def folded(text: str) -> tuple[str, ...]:
    """The folded words of a text; a directory repeats many texts (summaries, offer names), folded once each."""
    return tuple(words(text))


def columns(record: Record) -> list[list[str]]:
    """The folded words of a record's own fields, one list for each column of the word index."""
    found: list[list[str]] = [[] for _ in COLUMN_WEIGHTS]
    for weight, text in own_fields(record):
        found[COLUMN_WEIGHTS.index(weight)].extend(folded(text))
    return found


def groups(record: Record) -> Iterable[str]:
    """The groups a record belongs to: its kind, its ways of access and its offers, whose words it shares."""
    yield f"kind:{kind_of(record)}"
    for access in getattr(record, "access", ()):
        yield f"access:{access}"
    for offer_id in getattr(record, "offers", ()):
        yield f"offer:{offer_id}"


def group_fields(group: str, offers: Mapping[str, Offer]) -> Iterable[tuple[float, str]]:
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


def phrases(record: Record) -> set[str]:
    """A record's title and aliases as folded phrases: a query that is one of them whole gets a bonus."""
    return {" ".join(folded(t)) for t in (record.title, *getattr(record, "aliases", ()))}
