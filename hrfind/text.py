"""Folding text for comparison: case, accents, punctuation, and the endings of English words.

Search, geocoding and the importers compare words the same way through this module, which
imports nothing of hrfind's, so that none of them has to import another.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+")
# Words whose last letters look like an ending but are not one ("crisis", "virus", "need").
_KEEP_S = ("ss", "us", "is")
_KEEP_ED = ("eed",)


def normalize(text: str) -> str:
    """Lowercase, without accents, punctuation as spaces."""
    if text.isascii():  # most data: nothing to decompose or strip, and much faster this way
        return " ".join(_WORD.findall(text.lower()))
    import unicodedata

    # Compatibility forms first (𝘈 -> A), so that casefolding sees plain letters.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return " ".join(_WORD.findall("".join(c for c in decomposed if not unicodedata.combining(c))))


def stem(word: str) -> str:
    """Fold plurals, -ing and -ed, and a silent final e onto one form ("strips" -> "strip", "dosing" -> "dos").

    The forms are not always words ("dose" -> "dos"); they only need to be the same for the
    forms of one word, index and query alike. Short words are left alone, so that "using",
    "bring" and "speed" do not lose letters that are not an ending.
    """
    if len(word) > 3 and word.endswith("s") and not word.endswith(_KEEP_S):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = _undouble(word[:-3])
    elif len(word) > 4 and word.endswith("ed") and not word.endswith(_KEEP_ED):
        word = _undouble(word[:-2])
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def _undouble(word: str) -> str:
    """'stopp' -> 'stop', 'nodd' -> 'nod': a doubled last consonant belongs to the ending."""
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return [stem(w) for w in normalize(text).split()]
