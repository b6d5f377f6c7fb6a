"""What a query is urgently about: thoughts of suicide, an overdose (or its signs), a poisoning.

In English and in Spanish: a Spanish query is urgent whatever language the run answers in.

A query with such an intent puts the record that answers it first, whatever the scores say,
and the human view prints that record's line above the results. The patterns read the
query's folded words, so "Don't", "dont" and "DONT" read alike.
"""

from __future__ import annotations

import functools
import re

from hrfind.text import normalize

SUICIDE, OVERDOSE, POISONING = "suicide", "overdose", "poisoning"
# The record each intent puts first; an overdose puts first the records marked `emergency`.
PINNED = {SUICIDE: "lifeline-988", POISONING: "poison-control"}
OVERDOSE_WORDS = frozenset({"overdose", "overdoses", "overdosing", "overdosed", "od", "ods", "oding", "oded", "sobredosis"})

_SUICIDE = re.compile(
    r"\bsuicid|\bself ?(harm|injur|hurt)"
    r"|\b(kill|killing|kms|hurt|hurting|harm|harming|cut|cutting)( my| me)? ?self\b|\bkms\b"
    r"|\b(want|wanna|wish|going|gonna|ready|plan\w*|trying|think\w* about|thoughts? of) (\w+ ){0,3}(die|dying|be dead)\b"
    r"|\b(want|wanna|going|gonna|plan\w*|trying) (to )?(end it|overdose|od)\b|\b(overdose|od) on purpose\b"
    r"|\bend(ing)? (it|it all|things|everything|my life|my own life)\b|\btake my (own )?life\b"
    r"|\b(don t|dont|do not|not|no longer|never) (want|wanna|wish) (to )?(be )?(alive|live|living|here|exist|wake up|go on)\b"
    r"|\b(can t|cant|cannot) (go on|keep going|do this anymore)\b|\bwish i (was|were) dead\b"
    r"|\b(better off dead|better off without me|no reason to live|not worth living|nothing to live for)\b"
    r"|\bno (point|reason) (in )?(living|going on|being alive|to live)\b"
    # Spanish, folded ("suicid" above already reads "suicidio" and "suicidarme")
    r"|\b(me )?(quiero|quisiera|voy a|pienso) (morir|morirme|matarme|quitarme la vida)\b|\bmatarme\b|\bquitarme la vida\b"
    r"|\bno quiero (vivir|seguir viviendo|estar aqui|despertar)\b|\b(hacerme|me hago) dano\b|\bacabar con (todo|mi vida)\b"
)
# Signs of an overdose in the words of someone watching it.
_UNRESPONSIVE = re.compile(
    r"\b(won t|wont|will not|can t|cant|cannot|not|isn t|isnt|stopped|stop|barely|hardly) "
    r"(wake|waking|breath\w*|respond\w*|moving)\b|\b(unresponsive|unconscious|passed out|blacked out)\b"
    r"|\b(turn\w*|going|gone|lips|face|skin|is) (blue|gray|grey|purple)\b|\b(blue|gray|grey) (lips|face)\b"
    r"|\b(fell|falling) out\b|\bgurgl\w*|\bsnor\w* weird|\bpinpoint pupils\b"
    r"|\bno (se )?(despierta|reacciona|responde|respira|mueve)\b|\b(casi no|dejo de|deja de) respirar?\b"
    r"|\b(inconsciente|desmayad[oa]|desvanecid[oa])\b|\b(labios|cara|piel) (azul|azules|morad[oa]s?|gris|grises)\b"
    r"|\b(se puso|se esta poniendo|esta) (azul|morad[oa])\b|\bse (me )?(esta muriendo|muere)\b"
    r"|\b(lo|la|los) encontre tirad[oa]s?\b|\btirad[oa] (en el|en la) (piso|suelo|bano|calle)\b"
    r"|\b(la )?aguja (todavia |aun )?(en el|clavada en el) brazo\b|\bneedle (is )?(still )?in (his|her|their) arm\b"
    r"|\bfound (him|her|them) (on the floor|passed out|not breathing)\b"
)
# _CHILD and _SUBSTANCE are read only when a query says it swallowed or got into something: compiled then
# (about a millisecond saved on every other search).
_CHILD = (
    r"\b(kid|kids|child|children|toddler|toddlers|baby|babies|infant|son|daughter|grandchild\w*|grandkid\w*"
    r"|grandson|granddaughter|niece|nephew|little one|\d+ ?(year|yr|month|mo|y) ?o(ld)?"
    r"|nino|nina|ninos|ninas|bebe|hijo|hija|hijos|nieto|nieta|chiquito|chiquita)\b"
)
# Not "drinking" or "eating": "my son is drinking" is not a poisoning. "Got into" counts only for
# a child and a substance together ("the baby got into my pills", not "my son got into drugs").
_INGESTED = re.compile(r"\b(swallow\w*|ate|eaten|drank|chew\w*|lick\w*|ingest\w*|put \w+ in (his|her|their) mouth"
                       r"|se (trago|comio|tomo|bebio)|trago|mordio)\b")
_GOT_INTO = re.compile(r"\bgot (into|in to|ahold of|hold of)\b")
_SUBSTANCE = (
    r"\b(pill|pills|medicine\w*|meds|medication\w*|tablet\w*|bleach|cleaner\w*|detergent|pods?|batter(y|ies)"
    r"|chemical\w*|antifreeze|edibles?|gumm(y|ies)|vape|nicotine|patch|patches|suboxone|methadone|fentanyl|stash"
    r"|pastillas?|medicinas?|medicamentos?|cloro|quimicos?|detergente|pilas?|metadona)\b"
)
_POISON = re.compile(r"\bpoison\w*|\b(fumes|carbon monoxide|antifreeze|bleach)\b|\b(wrong|double|extra) (dose|medicine|meds|pills?)\b"
                     r"|\b(veneno|envenen\w*|intoxicacion)\b")


def intents(query: str) -> list[str]:
    """The urgent intents of a query, most urgent first."""
    text = normalize(query)
    found = []
    if _SUICIDE.search(text):
        found.append(SUICIDE)
    if about_overdose(text) or _UNRESPONSIVE.search(text):
        found.append(OVERDOSE)
    def says(pattern: str) -> bool:
        return _compiled(pattern).search(text) is not None

    ingested = _INGESTED.search(text) and (says(_CHILD) or says(_SUBSTANCE))
    if _POISON.search(text) or ingested or (_GOT_INTO.search(text) and says(_CHILD) and says(_SUBSTANCE)):
        found.append(POISONING)
    return found


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def about_overdose(query: str) -> bool:
    """Whether a query asks about an overdose, typos included."""
    from rapidfuzz import fuzz

    words = normalize(query).split()
    # "sobre dosis", as it is often typed, is one word
    words += [a + b for a, b in zip(words, words[1:]) if (a, b) == ("sobre", "dosis")]
    return any(w in OVERDOSE_WORDS or (len(w) >= 6 and (fuzz.ratio(w, "overdose") >= 80 or fuzz.ratio(w, "sobredosis") >= 80))
               for w in words)
