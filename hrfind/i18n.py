"""The language of a run: how it is chosen, and the human view's own words in it.

A run's language comes from --lang, else HRFIND_LANG, else the locale (LC_ALL, LC_MESSAGES,
LANG, as POSIX reads them); English when none names a language hrfind has. Records carry their
own translations (`lang = "es"` files, see the README); this module holds only what the
interface itself says, keyed by its English text, as gettext does. Error messages stay English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

ENGLISH = "en"
# The languages hrfind speaks, by ISO 639-1 code, each named in itself.
LANGUAGES = {"en": "English", "es": "español"}

_current = ENGLISH


def choose(option: str | None, environ: Mapping[str, str]) -> str:
    """The language code of a run; ValueError naming the choices for one hrfind does not have."""
    for given in (option, environ.get("HRFIND_LANG")):
        if given is not None and given.strip():
            # Read as a locale is ("es_US.UTF-8", "es.UTF-8", "es@euro"): the language is what comes first.
            code = re.split(r"[-_.@]", given.strip().lower())[0]
            if code not in LANGUAGES:
                said = given.strip() if len(given.strip()) <= 40 else given.strip()[:40] + "..."  # a runaway variable stays one line
                raise ValueError(f"Unknown language {said!r}: choose one of {known()}.")
            return code
    # The locale only suggests: a French one means English here, not an error.
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            code = value.split("_")[0].split(".")[0].split("@")[0].lower()
            return code if code in LANGUAGES else ENGLISH
    return ENGLISH


def known() -> str:
    """ "en (English), es (español)" """
    return ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())


def use(code: str) -> None:
    """Speak this language in the human view from now on (each run sets it once)."""
    global _current
    _current = code


def current() -> str:
    return _current


def _(text: str) -> str:
    """The interface text in the run's language; the English text when it has no translation."""
    return SPANISH.get(text, text) if _current == "es" else text


# The interface's words in Spanish. A key is the English text exactly as the code says it.
SPANISH = {
    # the emergency page and urgent lines
    "CALL 911 NOW": "LLAME AL 911 AHORA",
    "Phone lines": "Líneas telefónicas",
    "Phone lines:": "Líneas telefónicas:",
    "If someone may be overdosing now: call 911, give naloxone, stay with them. Run: hrfind overdose":
        "Si alguien puede estar teniendo una sobredosis ahora: llame al 911, dé naloxona y quédese con la persona. "
        "Ejecute: hrfind --lang es overdose",
    "If you are thinking about suicide or are in crisis: call or text 988, or chat at 988lifeline.org. In danger now: call 911.":
        "Si está pensando en el suicidio o está en crisis: llame al 988 y marque 2 para español, o envíe AYUDA por "
        "mensaje de texto al 988. En peligro ahora: llame al 911.",
    "Possible poisoning: if they collapsed, had a seizure, have trouble breathing or can't be woken, call 911. "
    "Otherwise call Poison Control now: 1-800-222-1222.":
        "Posible envenenamiento: si la persona se desmayó, tuvo una convulsión, le cuesta respirar o no se despierta, "
        "llame al 911. Si no, llame ahora a Control de Envenenamientos: 1-800-222-1222 (hay intérpretes).",
    # labels of a record's facts
    "Phone": "Teléfono",
    "Text": "Texto",
    "Web": "Web",
    "Address": "Dirección",
    "Hours": "Horario",
    "Access": "Acceso",
    "Covers": "Cubre",
    "Languages": "Idiomas",
    "Cost": "Costo",
    "Eligibility": "Quién puede usarlo",
    "Also called": "También llamado",
    "Offers": "Ofrece",
    "Related": "Relacionado",
    "Steps": "Pasos",
    "Steps:": "Pasos:",
    "Sources": "Fuentes",
    "Sources:": "Fuentes:",
    "Score": "Puntaje",
    "Title": "Título",
    "Summary": "Resumen",
    "reviewed": "revisado",
    "verified": "verificado",
    "Sources: hrfind show": "Fuentes: hrfind --lang es show",
    "(in English)": "(en inglés)",
    "More: ": "Más: ",
    "for everything about the first result": "para ver todo sobre el primer resultado",
    "From": "De",
    "from": "de",
    # kinds, as a listing names them
    "principle": "principio",
    "strategy": "estrategia",
    "service": "servicio",
    "offer": "oferta",
    # services
    "Services": "Servicios",
    "Services near": "Servicios cerca de",
    "Distance": "Distancia",
    "Service": "Servicio",
    "Hours and contact": "Horario y contacto",
    "On the web": "En la web",
    "open now": "abierto ahora",
    "closed now": "cerrado ahora",
    "hours unknown": "horario desconocido",
    "remote": "a distancia",
    "no hours listed": "sin horario publicado",
    "web: below": "web: abajo",
    "open at": "abierto el",
    "local time": "hora local",
    "covers": "cubre",
    "phone": "teléfono",
    "text": "texto",
    "online": "en línea",
    "mail": "correo",
    "a wider --radius": "un --radius más amplio",
    "fewer filters": "menos filtros",
    "leaving out": "quitar",
    "near": "cerca de",
    "No service matched": "Ningún servicio coincide",
    "Try": "Pruebe",
    ", or ": ", o ",
    " or ": " o ",
    "within": "a menos de",
    "miles of": "millas de",
    "showing": "abajo:",
    "remote option": "opción a distancia",
    "for": "para",
    "instead": "en su lugar",
    "No place": "Ningún lugar",
    "is known to offer": "se sabe que ofrezca",
    "Naloxone (Narcan) is sold without a prescription at pharmacies, and remote programs like NEXT Distro mail it free.":
        "La naloxona (Narcan) se vende sin receta en las farmacias, y programas a distancia como NEXT Distro la envían gratis por correo.",
    "is another name for": "es otro nombre de",
    # opening hours
    "open 24 hours": "abierto las 24 horas",
    "open, closes": "abierto, cierra",
    "opens": "abre",
    "24 hours": "24 horas",
    "closed": "cerrado",
    "Mon": "lun", "Tue": "mar", "Wed": "mié", "Thu": "jue", "Fri": "vie", "Sat": "sáb", "Sun": "dom",
    "call ahead": "llame antes",
    "Today": "Hoy",
    "Map": "Mapa",
    "Left out": "Se omitió",
    # what an SMS card left out (hrfind.page.left_out)
    "title": "título", "name": "nombre", "summary": "resumen", "step": "paso", "steps": "pasos", "date": "fecha",
    "address": "dirección", "phone number": "teléfono", "text number": "número para textos", "today's hours": "horario de hoy",
    "hours": "horario", "map link": "enlace al mapa", "OpenStreetMap link": "enlace a OpenStreetMap", "web address": "dirección web",
    # empty results and notes
    "Nothing matched": "No se encontró nada para",
    "Try fewer or other words, or `hrfind strategies`.": "Pruebe con menos palabras o con otras, o con `hrfind --lang es strategies`.",
    # info
    "Language": "Idioma",
}
