"""Shell completion of record ids and their other names, offers and language codes.

Typer calls these only while a shell asks for completions (`_HRFIND_COMPLETE` is set), so a
normal run pays for nothing here but this module's few definitions. Completion never fails
aloud: broken data means fewer suggestions, not an error in the middle of a command line.
"""

from __future__ import annotations

from collections.abc import Iterable


def _catalog():
    import os

    from hrfind import catalog

    return catalog.load(catalog.layers([], False, os.environ))


def _matching(candidates: Iterable[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    """(value, help) pairs whose value starts with what was typed, in any case; one word each, each value once."""
    typed = incomplete.casefold()
    seen: dict[str, str] = {}
    for value, about in candidates:
        if value.casefold().startswith(typed) and " " not in value and value not in seen:
            seen[value] = about
    return sorted(seen.items())


def record_names(incomplete: str) -> list[tuple[str, str]]:
    """Ids of every record, then the one-word aliases of strategies and offers."""
    try:
        loaded = _catalog()
        found = [(record_id, kind) for kind in ("principle", "strategy", "service", "offer") for record_id in loaded.table(kind)]
        for kind in ("strategy", "offer"):
            found += [(alias, f"{record.id}") for record in loaded.table(kind).values() for alias in record.aliases]
        return _matching(found, incomplete)
    except Exception:  # noqa: BLE001 - see the module's docstring
        return []


def offer_names(incomplete: str) -> list[tuple[str, str]]:
    """Offer ids and their one-word aliases, with the offer's label."""
    try:
        offers = _catalog().offers.values()
        return _matching([(o.id, o.label) for o in offers] + [(a, o.label) for o in offers for a in o.aliases], incomplete)
    except Exception:  # noqa: BLE001
        return []


def language_codes(incomplete: str) -> list[tuple[str, str]]:
    """ISO 639-1 codes hrfind knows, with the language's name."""
    from hrfind.hsds.languages import known

    return _matching(known(), incomplete)


def interface_languages(incomplete: str) -> list[tuple[str, str]]:
    """The languages hrfind speaks (--lang), each named in itself."""
    from hrfind.i18n import LANGUAGES

    return _matching(LANGUAGES.items(), incomplete)
