"""The topics people expect (issue 9, section 4): new strategies and the additions to infection-testing.

The records are read straight from data/ (as test_content.py does), so a failure names the text
that lost a fact; search is checked through the CLI, as a person would look the topic up.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomli

STRATEGIES = Path(__file__).parents[1] / "data" / "strategies"

# Public contract from issue 9 on: these ids must keep existing.
NEW_IDS = ["drug-supply", "overdose-prevention-centers", "hepatitis-c", "safer-smoking"]
HOW_TOS = ["drug-supply", "hepatitis-c", "safer-smoking"]


def _strategies():
    records = {}
    for path in sorted(STRATEGIES.glob("*.toml")):
        with path.open("rb") as fh:
            for rec in tomli.load(fh).get("strategy", []):
                records[rec["id"]] = rec
    return records


RECORDS = _strategies()


def _text(rid):
    """Everything a reader sees of a record, folded to lower case and single spaces."""
    rec = RECORDS[rid]
    parts = [rec.get("title", ""), rec.get("summary", ""), rec.get("body", ""), *rec.get("steps", [])]
    return " ".join(" ".join(parts).lower().split())


@pytest.mark.parametrize("rid", NEW_IDS)
def test_new_topic_exists_with_https_sources(rid):
    assert rid in RECORDS, f"strategy {rid!r} is a public id since issue 9 and must exist"
    urls = [s["url"] for s in RECORDS[rid].get("sources", [])]
    assert len(urls) >= 3 and all(u.startswith("https://") for u in urls), urls


@pytest.mark.parametrize("rid", HOW_TOS)
def test_how_to_topics_have_short_steps(rid):
    steps = RECORDS[rid].get("steps") or []
    assert 5 <= len(steps) <= 10, f"{rid}: a how-to needs 5-10 steps, has {len(steps)}"
    long = [s for s in steps if len(s) > 100]
    assert not long, f"{rid}: steps are short plain sentences: {long}"


@pytest.mark.parametrize("rid", NEW_IDS)
def test_new_topics_were_reviewed(rid):
    assert RECORDS[rid]["reviewed"].isoformat() >= "2026-12-02"


@pytest.mark.parametrize("rid,facts", [
    ("drug-supply", [
        "fentanyl test strips find fentanyl",
        "do not detect nitazenes",
        "xylazine test strips are made to find xylazine",
        "a negative xylazine strip does not mean there is no medetomidine",
        "naloxone does not reverse xylazine or medetomidine",
        "give naloxone anyway",
        "carfentanil",
        "fake pills",
        "ftir",
    ]),
    ("overdose-prevention-centers", [
        "onpoint nyc opened the first authorized overdose prevention centers in the us on 30 november 2021",
        "rhode island",
        "providence",
        "licensed and regulated by the rhode island department of health",
        "supervised consumption sites need a federal exemption from health canada",
        "ontario",
        "200 metres of a school or child care centre",
        "jama network open",
    ]),
    ("hepatitis-c", [
        "antibody",
        "rna test",
        "8 to 12 weeks",
        "you do not need to stop using drugs to get the cure",
        "active or recent drug use",
        "a cure does not make you immune",
        "you can be treated again",
        "cookers, cottons, water",
        "pipes and straws",
        "medicaid",
    ]),
    ("safer-smoking", [
        "your own stem and mouthpiece every time",
        "screens",
        "you can still overdose",
        "don't smoke alone",
        "naloxone",
        "switching from injecting to smoking",
        "blood-borne infections",
    ]),
    ("infection-testing", [
        "get tested at least once a year",
        "hepatitis b blood test",
        "hepatitis b vaccine is recommended for all adults aged 19 to 59",
        "daily prep pills are what was studied for people who inject drugs",
        "lenacapavir",
        "neither is approved for hiv from injecting",
    ]),
])
def test_key_facts_present(rid, facts):
    text = _text(rid)
    missing = [f for f in facts if f not in text]
    assert not missing, f"{rid} lost these facts: {missing}"


def test_safer_smoking_does_not_promise_safety():
    text = _text("safer-smoking")
    assert "not a safe way to use fentanyl" in text
    assert "think smoking protects them from overdose. it does not" in text
    assert "endocarditis" not in text, "unsourced: keep out until a source is cited"


def test_new_topics_link_to_existing_records():
    for rid in NEW_IDS:
        related = RECORDS[rid].get("related") or []
        assert related and all(r in RECORDS for r in related), f"{rid}: related {related}"


@pytest.mark.parametrize("query,rid", [
    ("nitazene", "drug-supply"),
    ("medetomidine", "drug-supply"),
    ("rhino tranq", "drug-supply"),
    ("what's in the drugs", "drug-supply"),
    ("safe injection site", "overdose-prevention-centers"),
    ("supervised consumption", "overdose-prevention-centers"),
    ("onpoint nyc", "overdose-prevention-centers"),
    ("hep c", "hepatitis-c"),
    ("hcv", "hepatitis-c"),
    ("crack pipe", "safer-smoking"),
    ("smoking kit", "safer-smoking"),
    ("hepatitis b vaccine", "infection-testing"),
])
def test_search_finds_new_topic_first(cli, query, rid):
    result = cli("search", query, "--json")
    assert result.exit_code == 0, result.stderr
    hits = [h["id"] for h in json.loads(result.stdout)]
    assert hits[0] == rid, f"{query!r} -> {hits[:3]}"


@pytest.mark.parametrize("query,rid", [
    ("fentanyl test strips", "drug-checking"),
    ("xylazine test strips", "drug-checking"),
    ("tranq wounds", "wound-care"),
    ("hiv testing", "infection-testing"),
    ("safer smoking supplies", "safer-use"),
])
def test_new_topics_leave_existing_answers_first(cli, query, rid):
    hits = [h["id"] for h in json.loads(cli("search", query, "--json").stdout)]
    assert hits[0] == rid, f"{query!r} -> {hits[:3]}"


@pytest.mark.parametrize("rid", NEW_IDS)
def test_show_prints_new_topic(cli, rid):
    result = cli("show", rid, "--json")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    record = record[0] if isinstance(record, list) else record
    assert record["id"] == rid and record["sources"]
