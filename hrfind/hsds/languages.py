"""Language names and ISO 639-2/639-3 codes as directories write them, folded to ISO 639-1."""

from __future__ import annotations

import functools

# code | other codes (ISO 639-2/B, 639-2/T, 639-3) | English name first, then other names seen in exports.
# Languages with no two-letter code (Hmong, American Sign Language, Chuukese...) are left out on purpose:
# they cannot be written as ISO 639-1, so they are dropped rather than mislabelled.
_TABLE = """
en|eng|English
es|spa|Spanish|Espanol|Castilian
fr|fra fre|French|Francais
de|deu ger|German|Deutsch
it|ita|Italian
pt|por|Portuguese|Brazilian Portuguese
ru|rus|Russian
zh|zho chi cmn yue nan hak|Chinese|Mandarin|Cantonese|Taiwanese|Toisanese|Toishanese|Hakka|Shanghainese|Fukienese|Fuzhounese
vi|vie|Vietnamese
tl|tgl fil|Tagalog|Filipino|Pilipino
ko|kor|Korean
ar|ara|Arabic
ja|jpn|Japanese
hi|hin|Hindi
ur|urd|Urdu
bn|ben|Bengali|Bangla
pa|pan|Punjabi|Panjabi
gu|guj|Gujarati
ta|tam|Tamil
te|tel|Telugu
ml|mal|Malayalam
mr|mar|Marathi
ne|nep|Nepali
fa|fas per prs pes|Persian|Farsi|Dari
ps|pus|Pashto|Pushto
ht|hat|Haitian Creole|Haitian|Kreyol|Kreyol Ayisyen
pl|pol|Polish
uk|ukr|Ukrainian
ro|ron rum|Romanian
el|ell gre|Greek
tr|tur|Turkish
he|heb|Hebrew
yi|yid|Yiddish
am|amh|Amharic
ti|tir|Tigrinya
om|orm|Oromo|Afaan Oromo
so|som|Somali
sw|swa swh|Swahili|Kiswahili
yo|yor|Yoruba
ig|ibo|Igbo
ha|hau|Hausa
km|khm|Khmer|Cambodian
lo|lao|Lao|Laotian
th|tha|Thai
my|mya bur|Burmese
hy|hye arm|Armenian
ka|kat geo|Georgian
sq|sqi alb|Albanian
bs|bos|Bosnian
hr|hrv|Croatian
sr|srp|Serbian
mk|mkd mac|Macedonian
bg|bul|Bulgarian
cs|ces cze|Czech
sk|slk slo|Slovak
sl|slv|Slovenian|Slovene
hu|hun|Hungarian
lt|lit|Lithuanian
lv|lav|Latvian
et|est|Estonian
fi|fin|Finnish
sv|swe|Swedish
no|nor nob nno|Norwegian
da|dan|Danish
nl|nld dut|Dutch|Flemish
id|ind|Indonesian
ms|msa may|Malay
sm|smo|Samoan
to|ton|Tongan
mh|mah|Marshallese
ku|kur|Kurdish
uz|uzb|Uzbek
kk|kaz|Kazakh
ky|kir|Kyrgyz|Kirghiz
tg|tgk|Tajik
az|aze|Azerbaijani
mn|mon|Mongolian
ga|gle|Irish|Irish Gaelic
cy|cym wel|Welsh
nv|nav|Navajo|Dine
iu|iku|Inuktitut
cr|cre|Cree
oj|oji|Ojibwe|Ojibwa
qu|que|Quechua
gn|grn|Guarani
rw|kin|Kinyarwanda
rn|run|Kirundi|Rundi
ln|lin|Lingala
wo|wol|Wolof
ff|ful|Fulah|Fula|Fulani
mg|mlg|Malagasy
si|sin|Sinhala|Sinhalese
bo|bod tib|Tibetan
ca|cat|Catalan
eu|eus baq|Basque
gl|glg|Galician
is|isl ice|Icelandic
mt|mlt|Maltese
be|bel|Belarusian
"""


@functools.cache
def _lookup() -> tuple[dict[str, str], dict[str, str]]:
    """(code or other code -> ISO 639-1, folded name -> ISO 639-1)."""
    from hrfind.text import normalize

    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for line in _TABLE.strip().splitlines():
        code, others, *spellings = line.split("|")
        codes[code] = code
        codes.update((other, code) for other in others.split())
        names.update((normalize(s), code) for s in spellings)
    return codes, names


def known() -> list[tuple[str, str]]:
    """(ISO 639-1 code, English name) of every language in the table, in its order."""
    return [(line.split("|")[0], line.split("|")[2]) for line in _TABLE.strip().splitlines()]


def english_name(code: str) -> str | None:
    """The English name of an ISO 639-1 code in the table."""
    for line in _TABLE.strip().splitlines():
        if line.startswith(code + "|"):
            return line.split("|")[2]
    return None


def iso639_1(text: str) -> str | None:
    """The ISO 639-1 code for a code ("es", "spa", "en-US") or a name ("Spanish", "Chinese (Mandarin)")."""
    from hrfind.text import normalize

    codes, names = _lookup()
    raw = text.strip().lower()
    code = raw.replace("_", "-").split("-")[0]
    if code.isalpha() and len(code) in (2, 3) and code in codes:
        return codes[code]
    folded = normalize(text)
    if folded in names:
        return names[folded]
    # "Chinese (Mandarin)", "Spanish only", "Spanish - interpreters": the first words name the language.
    before = normalize(text.split("(")[0])
    if before in names:
        return names[before]
    words = folded.split()
    for size in (2, 1):
        if len(words) >= size and " ".join(words[:size]) in names:
            return names[" ".join(words[:size])]
    return None


def codes(text: str) -> list[str]:
    """ISO 639-1 codes of a list of languages separated by commas, semicolons, slashes or "and"."""
    import re

    found = []
    for part in re.split(r"[,;/|\n]+|\band\b", text, flags=re.IGNORECASE):
        if part.strip():
            code = iso639_1(part)
            if code and code not in found:
                found.append(code)
    return found
