"""What a query is urgently about: thoughts of suicide, an overdose (or its signs), a poisoning.

A query with such an intent puts the record that answers it first, whatever the scores say,
and the human view prints that record's line above the results. The patterns read the
query's folded words, so "Don't", "dont" and "DONT" read alike.
"""

from __future__ import annotations

import re

from hrfind.text import normalize

SUICIDE, OVERDOSE, POISONING = "suicide", "overdose", "poisoning"
# The record each intent puts first; an overdose puts first the records marked `emergency`.
PINNED = {SUICIDE: "lifeline-988", POISONING: "poison-control"}
OVERDOSE_WORDS = frozenset({"overdose", "overdoses", "overdosing", "overdosed", "od", "ods", "oding", "oded"})

_SUICIDE = re.compile(
    r"\bsuicid|\bself ?(harm|injur|hurt)"
    r"|\b(kill|killing|hurt|hurting|harm|harming|cut|cutting)( my| me)? ?self\b"
    r"|\b(want|wanna|wish|going|gonna|ready|plan\w*|trying) (\w+ ){0,3}(die|be dead)\b"
    r"|\b(want|wanna|going|gonna|plan\w*|trying) (to )?(end it|overdose|od)\b"
    r"|\bend(ing)? (it|it all|my life|my own life)\b|\btake my (own )?life\b"
    r"|\b(don t|dont|do not|not|no longer|never) (want|wanna|wish) (to )?(be )?(alive|live|living|here|exist|wake up)\b"
    r"|\b(better off dead|no reason to live|not worth living|nothing to live for)\b"
)
# Signs of an overdose in the words of someone watching it.
_UNRESPONSIVE = re.compile(
    r"\b(won t|wont|will not|can t|cant|cannot|not|isn t|isnt|stopped|stop|barely|hardly) "
    r"(wake|waking|breath\w*|respond\w*|moving)\b"
    r"|\b(turn\w*|going|gone|lips|face|is) (blue|gray|grey)\b|\b(fell|falling) out\b|\bgurgl\w*|\bsnor\w* weird"
)
_CHILD = re.compile(
    r"\b(kid|kids|child|children|toddler|toddlers|baby|babies|infant|son|daughter|grandchild\w*|grandkid\w*"
    r"|niece|nephew|little one|\d+ ?(year|yr|month|mo) old)\b"
)
# Not "drinking" or "got into": "my son is drinking" and "got into drugs" are not poisonings.
_INGESTED = re.compile(r"\b(swallow\w*|ate|eaten|drank|chew\w*|lick\w*|ingest\w*|put \w+ in (his|her|their) mouth)\b")
_SUBSTANCE = re.compile(r"\b(pill|pills|medicine\w*|medication\w*|tablet\w*|bleach|cleaner\w*|detergent|pods?|batter(y|ies)|chemical\w*|antifreeze)\b")
_POISON = re.compile(r"\bpoison\w*|\b(fumes|carbon monoxide|antifreeze|bleach)\b")


def intents(query: str) -> list[str]:
    """The urgent intents of a query, most urgent first."""
    text = normalize(query)
    found = []
    if _SUICIDE.search(text):
        found.append(SUICIDE)
    if about_overdose(text) or _UNRESPONSIVE.search(text):
        found.append(OVERDOSE)
    if _POISON.search(text) or (_INGESTED.search(text) and (_CHILD.search(text) or _SUBSTANCE.search(text))):
        found.append(POISONING)
    return found


def about_overdose(query: str) -> bool:
    """Whether a query asks about an overdose, typos included."""
    from rapidfuzz import fuzz

    return any(w in OVERDOSE_WORDS or (len(w) >= 6 and fuzz.ratio(w, "overdose") >= 80) for w in normalize(query).split())
