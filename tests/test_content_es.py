"""Content checks for the bundled Spanish translations (data/es/): what issue 13 asks to be in
Spanish, the sources they cite, the words they use, and the emergency page's shape.

Like test_content.py these read the TOML files directly; that the numbers agree with the English
records is hrfind's own check (`hrfind validate`), tested in test_translations.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import tomli

from tests.test_content import DENIED_HOST_FRAGMENTS, NOT_A_PUBLISHER, SOURCE_KEYS

DATA = Path(__file__).parents[1] / "data"

REQUIRED = {
    "strategy": ["overdose-response", "naloxone", "never-use-alone", "syringe-services", "drug-checking",
                 "good-samaritan", "safer-use", "wound-care", "stimulants", "moud", "pregnancy-postpartum",
                 "criminal-justice"],
    "service": ["lifeline-988", "samhsa-helpline", "poison-control", "never-use-alone-hotline", "next-distro",
                "findtreatment"],
}
# Words that label people by their drug use, in Spanish: "personas que usan drogas" instead.
STIGMA = [r"\badict[oa]s?\b", r"\bdrogadict[oa]s?\b", r"\bviciosos?\b", r"\babuso de (drogas|sustancias)\b",
          r"\babusador(es|as)?\b", r"\bdroga zombi\b", r"\btecatos?\b"]
TEXT_FIELDS = ("title", "name", "label", "summary", "body", "description", "eligibility", "hours_note", "steps", "aliases")


def _translations() -> dict[str, dict[str, dict]]:
    found: dict[str, dict[str, dict]] = {"principle": {}, "strategy": {}, "service": {}, "offer": {}}
    for path in sorted((DATA / "es").rglob("*.toml")):
        document = tomli.loads(path.read_text(encoding="utf-8"))
        assert document.get("lang") == "es", f"{path}: a file in data/es/ starts with lang = \"es\""
        for kind, tables in document.items():
            if kind != "lang":
                for table in tables:
                    found[kind][table["id"]] = table
    return found


ES = _translations()


def _english(kind: str) -> list[str]:
    ids = []
    for path in sorted(DATA.rglob("*.toml")):
        document = tomli.loads(path.read_text(encoding="utf-8"))
        if "lang" not in document:
            ids += [table["id"] for table in document.get(kind, [])]
    return ids


@pytest.mark.parametrize("kind,rid", [(k, r) for k, ids in REQUIRED.items() for r in ids])
def test_required_record_is_in_spanish(kind, rid):
    assert rid in ES[kind], f"{kind} {rid} has no Spanish text in data/es/"


@pytest.mark.parametrize("kind", ["principle", "offer"])
def test_every_principle_and_offer_is_in_spanish(kind):
    assert sorted(ES[kind]) == sorted(_english(kind))


def _sources():
    return [pytest.param(rid, source, id=f"{rid}:{i}") for kind in ES for rid, table in ES[kind].items()
            for i, source in enumerate(table.get("sources", []))]


@pytest.mark.parametrize("rid,source", _sources())
def test_spanish_source_is_an_original_publisher(rid, source):
    assert set(source) <= SOURCE_KEYS and source.get("publisher") and source.get("title")
    parts = urlsplit(source["url"])
    host = (parts.hostname or "").lower()
    assert parts.scheme == "https" and "." in host, f"{rid}: {source['url']}"
    assert not [f for f in DENIED_HOST_FRAGMENTS if f in host or f in source["url"].lower()], f"{rid}: a copy: {source['url']}"
    assert not [f for fragments in NOT_A_PUBLISHER.values() for f in fragments if f in host], f"{rid}: not a publisher: {source['url']}"


@pytest.mark.parametrize("kind,rid", [(k, r) for k in ES for r in ES[k]])
def test_no_stigmatising_words_in_spanish(kind, rid):
    table = ES[kind][rid]
    texts = [t for field in TEXT_FIELDS for t in ([table[field]] if isinstance(table.get(field), str) else table.get(field, []))]
    found = [m.group(0) for text in texts for pattern in STIGMA for m in [re.search(pattern, text, re.IGNORECASE)] if m]
    assert not found, f"{kind} {rid} uses stigmatising words: {found}"


def test_spanish_emergency_steps_are_short_and_call_911():
    steps = ES["strategy"]["overdose-response"]["steps"]
    assert len(steps) == 7
    assert all(len(step) <= 64 for step in steps), [s for s in steps if len(s) > 64]
    assert "911" in steps[1] and "naloxona" in steps[2].lower()


def test_988_in_spanish_says_press_2_and_text_ayuda():
    lifeline = ES["service"]["lifeline-988"]
    text = " ".join(lifeline.get(f, "") for f in ("summary", "eligibility"))
    assert "AYUDA" in text and re.search(r"\b2\b", text) and "988" in text


def test_spanish_text_uses_usted():
    """One register throughout, as CDC and SAMHSA Spanish material: "usted", not "tú"."""
    page = ES["strategy"]["overdose-response"]
    text = " ".join([page["summary"], page["body"], *page["steps"]])
    assert not re.search(r"\b(tú|llama|dale|quédate|ponle)\b", text, re.IGNORECASE)
