"""Content checks for the bundled knowledge base in data/.

These tests read the TOML files directly (no hrfind imports), so they guard the health
guidance itself: required ids, sources on original publishers, review dates, references
between records, dialable phone numbers and non-stigmatising language.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import tomli

DATA = Path(__file__).parents[1] / "data"

# --- The public contract (DESIGN.md, "Required ids of the bundled knowledge base") ----------

REQUIRED_STRATEGIES = [
    "naloxone", "overdose-response", "syringe-services", "drug-checking", "never-use-alone",
    "good-samaritan", "safer-use", "wound-care", "stimulants", "criminal-justice",
    "pregnancy-postpartum", "public-awareness", "moud", "infection-testing",
]
REQUIRED_SERVICES = [
    "never-use-alone-hotline", "samhsa-helpline", "lifeline-988", "poison-control",
    "next-distro", "nasen-directory", "findtreatment", "nors-canada",
]
REQUIRED_OFFERS = [
    "naloxone", "syringe-services", "drug-checking", "safer-use-supplies", "wound-care",
    "infection-testing", "prep", "moud", "treatment-referral", "peer-support",
    "overdose-spotting", "crisis-support", "poison-help",
]

# --- Rules ---------------------------------------------------------------------------------

# Hosts (or parts of hosts) that serve copies, mirrors, proxies or archives of other
# publishers' documents. Bundled data must cite the original publisher instead.
DENIED_HOST_FRAGMENTS = [
    "scribd", "issuu", "docslib", "vdocument", "abcdocz", "docobook", "webarchive",
    "archive.org", "archive.ph", "archive.today", "archive.is", "cybercemetery",
    "proxy", "altruwe", "paperai", "fliphtml5", "elogim", "brum.beds", "weglot",
    "moam.info", "iiab.me", "docksci", "yumpu", "studylib", "pdfcoffee", "dokumen.pub",
    "translate.goog", "googleusercontent", "lougcloud", "bibliotecabuap",
]

# Hosts that are not the original publisher of a health fact, by kind. Cite the agency, the label
# (FDA, DailyMed), the journal or the organisation itself instead.
NOT_A_PUBLISHER = {
    "retail pharmacy": ["shoppersdrugmart", "cvs.com", "walgreens", "riteaid", "rexall", "londondrugs",
                        "goodrx", "pharmacy.amazon", "tabsul"],
    "trade press": ["patientcareonline", "neurologyadvisor", "fiercehealthcare", "pharmacytimes",
                    "drugtopics", "medpagetoday", "beckershospitalreview", "healio", "hcplive",
                    "contemporaryobgyn", "oindpnews", "practical-patient-care", "respiratory-therapy",
                    "healthesystems", "news-medical", "mymatrixx", "rlsmedia", "maestrodatabase",
                    "pharmaceutical-business-review", "expresspharma", "medicaldesignsourcing",
                    "einpresswire", "prnewswire", "businesswire"],
    "TV, radio or news outlet": ["cbsnews", "nbcnews", "abcnews", "abc7", "foxnews", "fox43", "cnn.com",
                                 "news10", "kvia", "wtop", "upi.com", "spectrumnews", "masslive",
                                 "bayshorebroadcasting", "broadcasting", "stacker", "washingtonpost",
                                 "nytimes", "theglobeandmail", "psychcentral", "healthline", "filtermag",
                                 "apnews", "reuters", "npr.org", "kffhealthnews"],
    "re-poster of another publisher's document": ["claspp", "apcbham", "scribd", "drugs.com",
                                                  "drugpolicyfacts", "emergencymessagesystem",
                                                  "themeditary", "rockwallcpr", "m.moam"],
    "211 directory copy": ["211"],
}
# A path segment that marks a translated page (an English record cites the English original).
TRANSLATED_PATH_RE = re.compile(r"/(?:es|es-us|fr|pl|de|pt|zh|vi|ko|ru|ar)(?:/|$)")
# Federal domains a national US service may cite; a state page does not stand in for them.
FEDERAL_DOMAINS = ("samhsa.gov", "hhs.gov", "cdc.gov", "fda.gov", "nih.gov", "hrsa.gov", "gao.gov",
                   "dea.gov", "findtreatment.gov", "federalregister.gov", "govinfo.gov", "cms.gov",
                   "medicaid.gov", "hiv.gov", "va.gov", "fcc.gov", "usa.gov")

# Words that label people by their drug use. Proper names in source citations (for example
# "National Institute on Drug Abuse") are not checked: only our own text is.
STIGMA_PATTERNS = [
    r"\baddicts?\b", r"\babusers?\b", r"\bjunkies?\b", r"\bdrug abuse\b", r"\bsubstance abuse\b",
]

# 911, 988, 211... or a North American number written as dialled: 1-NNN-NNN-NNNN.
PHONE_RE = re.compile(r"^(?:\d{3}|1-\d{3}-\d{3}-\d{4})$")
# SMS: a short code (3-6 digits) or a dialable number.
TEXT_RE = re.compile(r"^(?:\d{3,6}|1-\d{3}-\d{3}-\d{4})$")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_DATE_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")

ACCESS_KINDS = {"in-person", "phone", "text", "online", "mail", "mobile"}
COSTS = {"free", "low-cost", "sliding-scale", "insurance", "unknown"}
DAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

KNOWN_KEYS = {
    "principle": {"id", "number", "title", "summary", "body", "reviewed", "sources"},
    "strategy": {"id", "title", "summary", "body", "steps", "aliases", "offers", "related",
                 "emergency", "reviewed", "sources"},
    "service": {"id", "name", "aliases", "summary", "offers", "access", "phone", "text", "url", "coverage",
                "languages", "cost", "eligibility", "verified", "sources", "address", "lat",
                "lon", "timezone", "hours", "hours_note"},
    "offer": {"id", "label", "aliases", "description"},
}
SOURCE_KEYS = {"title", "url", "publisher", "date"}

# Text fields written by us (scanned for stigmatising language).
TEXT_FIELDS = ["title", "name", "label", "summary", "body", "description", "eligibility",
               "hours_note", "steps", "aliases"]


# --- Loading -------------------------------------------------------------------------------

def _load():
    records = {"principle": [], "strategy": [], "service": [], "offer": []}
    for path in sorted(DATA.rglob("*.toml")):
        with path.open("rb") as fh:
            doc = tomli.load(fh)
        if "lang" in doc:  # translations: tests/test_content_es.py
            continue
        for kind, items in doc.items():
            assert kind in records, f"{path.name}: unknown top-level array [[{kind}]]"
            for item in items:
                records[kind].append((path.relative_to(DATA).as_posix(), item))
    return records


RECORDS = _load()


def _recs(kind):
    return [pytest.param(rec, id=f"{rec.get('id', '?')}") for _, rec in RECORDS[kind]]


def _sourced():
    return [pytest.param(kind, rec, id=f"{kind}:{rec.get('id', '?')}")
            for kind in ("principle", "strategy", "service") for _, rec in RECORDS[kind]]


def _all():
    return [pytest.param(kind, rec, id=f"{kind}:{rec.get('id', '?')}")
            for kind in RECORDS for _, rec in RECORDS[kind]]


def _ids(kind):
    return {rec["id"] for _, rec in RECORDS[kind]}


RECORD_IDS = _ids("principle") | _ids("strategy") | _ids("service")
OFFER_IDS = _ids("offer")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


# --- Required ids and uniqueness -----------------------------------------------------------

@pytest.mark.parametrize("rid", REQUIRED_STRATEGIES)
def test_required_strategy_present(rid):
    assert rid in _ids("strategy"), f"required strategy {rid!r} is missing"


@pytest.mark.parametrize("rid", REQUIRED_SERVICES)
def test_required_service_present(rid):
    assert rid in _ids("service"), f"required service {rid!r} is missing"


@pytest.mark.parametrize("rid", REQUIRED_OFFERS)
def test_required_offer_present(rid):
    assert rid in OFFER_IDS, f"required offer {rid!r} is missing"


def test_principles_numbered_one_to_eight():
    numbers = sorted(rec.get("number") for _, rec in RECORDS["principle"])
    assert numbers == list(range(1, 9)), f"principle numbers are {numbers}, expected 1..8"


def test_record_ids_unique_across_kinds():
    counts = Counter(rec["id"] for kind in ("principle", "strategy", "service")
                     for _, rec in RECORDS[kind])
    dupes = sorted(i for i, n in counts.items() if n > 1)
    assert not dupes, f"ids used more than once across principles, strategies, services: {dupes}"


def test_offer_ids_unique():
    counts = Counter(rec["id"] for _, rec in RECORDS["offer"])
    dupes = sorted(i for i, n in counts.items() if n > 1)
    assert not dupes, f"duplicate offer ids: {dupes}"


@pytest.mark.parametrize("kind,rec", _all())
def test_id_is_lowercase_kebab(kind, rec):
    assert ID_RE.match(rec.get("id", "")), f"{kind} id {rec.get('id')!r} is not lowercase-kebab"


@pytest.mark.parametrize("kind,rec", _all())
def test_no_unknown_keys(kind, rec):
    unknown = set(rec) - KNOWN_KEYS[kind]
    assert not unknown, f"{kind} {rec.get('id')!r} has unknown keys (typos?): {sorted(unknown)}"


# --- Sources -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,rec", _sourced())
def test_has_https_source(kind, rec):
    sources = rec.get("sources") or []
    assert any(str(s.get("url", "")).startswith("https://") for s in sources), \
        f"{kind} {rec['id']!r} cites no https source"


def _source_params():
    return [pytest.param(kind, rec["id"], src, id=f"{rec['id']}:{i}")
            for kind in ("principle", "strategy", "service") for _, rec in RECORDS[kind]
            for i, src in enumerate(rec.get("sources") or [])]


@pytest.mark.parametrize("kind,rid,src", _source_params())
def test_source_is_well_formed(kind, rid, src):
    assert set(src) <= SOURCE_KEYS, f"{rid}: unknown source keys {sorted(set(src) - SOURCE_KEYS)}"
    assert str(src.get("title", "")).strip(), f"{rid}: source without a title"
    assert str(src.get("publisher", "")).strip(), f"{rid}: source {src.get('url')} has no publisher"
    if "date" in src:
        assert isinstance(src["date"], str) and SOURCE_DATE_RE.match(src["date"]), \
            f"{rid}: source date {src['date']!r} is not 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'"


@pytest.mark.parametrize("kind,rid,src", _source_params())
def test_source_url_is_original_publisher(kind, rid, src):
    url = str(src.get("url", ""))
    parts = urlsplit(url)
    assert parts.scheme == "https", f"{rid}: source URL is not https: {url}"
    host = (parts.hostname or "").lower()
    assert host and "." in host, f"{rid}: source URL has no proper host: {url}"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        pytest.fail(f"{rid}: source URL points at an IP address, not a publisher: {url}")
    assert not host.endswith("."), f"{rid}: odd host with a trailing dot: {url}"
    bad = [frag for frag in DENIED_HOST_FRAGMENTS if frag in host or frag in url.lower()]
    assert not bad, f"{rid}: source URL is a mirror/proxy/archive copy ({bad}): {url}"


@pytest.mark.parametrize("kind,rid,src", _source_params())
def test_source_is_not_a_retailer_news_outlet_or_copy(kind, rid, src):
    url = str(src.get("url", ""))
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for what, fragments in NOT_A_PUBLISHER.items():
        bad = [frag for frag in fragments if frag in host]
        assert not bad, f"{rid}: {url} is a {what} ({bad}); cite the original publisher"
    assert not TRANSLATED_PATH_RE.search(parts.path.lower()), \
        f"{rid}: {url} is a translated page; cite the English original"


@pytest.mark.parametrize("rid", REQUIRED_SERVICES)
def test_national_us_service_cites_no_state_page_for_federal_facts(rid):
    rec = next((rec for _, rec in RECORDS["service"] if rec["id"] == rid), None)
    if rec is None or rec.get("coverage") != ["US"]:
        pytest.skip("not a US-wide service")
    for src in rec.get("sources") or []:
        host = (urlsplit(str(src.get("url", ""))).hostname or "").lower()
        if host.endswith(".gov"):
            assert any(host == d or host.endswith("." + d) for d in FEDERAL_DOMAINS), \
                f"{rid}: {host} is a state or local page; cite the federal publisher"


@pytest.mark.parametrize("url,what", [
    ("https://www.shoppersdrugmart.ca/en/health/how-to-administer-naloxone", "retail pharmacy"),
    ("https://patientcareonline.com/view/fda-approves-naloxone", "trade press"),
    ("https://cbsnews.com/amp/losangeles/news/fentanyl-test-strips", "TV, radio or news outlet"),
    ("https://www.bayshorebroadcasting.ca/?p=106460", "TV, radio or news outlet"),
    ("https://www.claspp.org/post/gao-releases-report", "re-poster of another publisher's document"),
    ("https://apcbham.org/the-never-use-alone-hotline", "re-poster of another publisher's document"),
    ("https://resources.fcfh211.net/books/chemical-dependency/page/naloxone", "211 directory copy"),
])
def test_blocked_host_kinds_are_caught(url, what):
    host = urlsplit(url).hostname
    assert any(frag in host for frag in NOT_A_PUBLISHER[what]), f"{url} should count as {what}"


def test_translated_page_is_caught():
    assert TRANSLATED_PATH_RE.search("/es/node/222776")
    assert not TRANSLATED_PATH_RE.search("/onepill")


@pytest.mark.parametrize("kind,rec", _all())
def test_service_and_record_urls_are_https(kind, rec):
    if "url" in rec:
        assert str(rec["url"]).startswith("https://"), f"{rec['id']}: url must be https"


# --- Dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("rec", _recs("strategy") + _recs("principle"))
def test_strategy_reviewed_date(rec):
    reviewed = rec.get("reviewed")
    assert isinstance(reviewed, dt.date) and not isinstance(reviewed, dt.datetime), \
        f"{rec['id']}: reviewed must be a TOML date (reviewed = 2026-11-26), got {reviewed!r}"
    assert reviewed <= dt.date.today(), f"{rec['id']}: reviewed {reviewed} is in the future"


@pytest.mark.parametrize("rec", _recs("service"))
def test_service_verified_date(rec):
    verified = rec.get("verified")
    assert isinstance(verified, dt.date) and not isinstance(verified, dt.datetime), \
        f"{rec['id']}: verified must be a TOML date (verified = 2026-11-26), got {verified!r}"
    assert verified <= dt.date.today(), f"{rec['id']}: verified {verified} is in the future"


# --- References ----------------------------------------------------------------------------

def _ref_params(field, kinds):
    return [pytest.param(rec["id"], ref, id=f"{rec['id']}->{ref}")
            for kind in kinds for _, rec in RECORDS[kind] for ref in rec.get(field) or []]


@pytest.mark.parametrize("rid,ref", _ref_params("related", ("strategy",)))
def test_related_exists(rid, ref):
    assert ref in RECORD_IDS, f"{rid}: related id {ref!r} does not exist"
    assert ref != rid, f"{rid}: a record should not list itself as related"


@pytest.mark.parametrize("rid,ref", _ref_params("offers", ("strategy", "service")))
def test_offer_reference_exists(rid, ref):
    assert ref in OFFER_IDS, f"{rid}: offer {ref!r} is not in offers.toml"


# --- Strategies ----------------------------------------------------------------------------

@pytest.mark.parametrize("rec", _recs("strategy"))
def test_strategy_has_required_fields(rec):
    for field in ("title", "summary", "body"):
        assert str(rec.get(field, "")).strip(), f"{rec['id']}: missing {field}"
    assert isinstance(rec.get("offers"), list), f"{rec['id']}: offers must be a list"
    assert isinstance(rec.get("related"), list), f"{rec['id']}: related must be a list"
    assert isinstance(rec.get("emergency"), bool), f"{rec['id']}: emergency must be true/false"


@pytest.mark.parametrize("rec", _recs("strategy"))
def test_strategy_has_aliases(rec):
    aliases = rec.get("aliases") or []
    assert aliases and all(isinstance(a, str) and a.strip() for a in aliases), \
        f"{rec['id']}: a strategy needs non-empty aliases (words people use for it)"


@pytest.mark.parametrize("rec", _recs("strategy"))
def test_steps_are_plain_sentences(rec):
    for step in rec.get("steps") or []:
        assert isinstance(step, str) and step.strip(), f"{rec['id']}: empty step"
        assert not re.match(r"^\s*(\d+[.)]|-|\*)\s", step), \
            f"{rec['id']}: steps are numbered by the renderer, drop the leading marker: {step!r}"


def test_only_overdose_response_is_emergency():
    emergencies = sorted(rec["id"] for _, rec in RECORDS["strategy"] if rec.get("emergency"))
    assert emergencies == ["overdose-response"], f"emergency strategies: {emergencies}"


def test_overdose_steps_are_short():
    rec = next(rec for _, rec in RECORDS["strategy"] if rec["id"] == "overdose-response")
    steps = rec.get("steps") or []
    assert 6 <= len(steps) <= 8, f"overdose-response should have 6-8 steps, has {len(steps)}"
    long = [s for s in steps if len(s) > 72]
    assert not long, f"overdose-response steps must fit one line: {long}"
    assert "911" in steps[0] + steps[1], "calling 911 belongs in the first steps"


# --- Services ------------------------------------------------------------------------------

@pytest.mark.parametrize("rec", _recs("service"))
def test_phone_is_dialable(rec):
    if "phone" in rec:
        assert PHONE_RE.match(rec["phone"]), \
            f"{rec['id']}: phone {rec['phone']!r} is not dialable (988 or 1-NNN-NNN-NNNN, no letters)"
    if "text" in rec:
        assert TEXT_RE.match(rec["text"]), \
            f"{rec['id']}: text {rec['text']!r} is not a short code or a dialable number"


@pytest.mark.parametrize("rec", _recs("service"))
def test_service_fields(rec):
    rid = rec["id"]
    assert str(rec.get("name", "")).strip(), f"{rid}: missing name"
    assert str(rec.get("summary", "")).strip(), f"{rid}: missing summary"
    access = rec.get("access") or []
    assert access and set(access) <= ACCESS_KINDS, f"{rid}: access {access} not in {sorted(ACCESS_KINDS)}"
    assert rec.get("cost") in COSTS, f"{rid}: cost {rec.get('cost')!r} not in {sorted(COSTS)}"
    for lang in rec.get("languages") or []:
        assert re.match(r"^[a-z]{2}$", lang), f"{rid}: language {lang!r} is not ISO 639-1"
    for code in rec.get("coverage") or []:
        assert re.match(r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$", code), f"{rid}: coverage {code!r} is not ISO 3166"
    if "phone" in access:
        assert "phone" in rec, f"{rid}: access includes phone but no phone number"
    if "text" in access:
        assert "text" in rec, f"{rid}: access includes text but no text number"


@pytest.mark.parametrize("rec", _recs("service"))
def test_service_hours_well_formed(rec):
    for block in rec.get("hours") or []:
        assert block.get("days") and set(block["days"]) <= DAYS, f"{rec['id']}: bad days {block.get('days')}"
        for key in ("opens", "closes"):
            assert re.match(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$", block.get(key, "")), \
                f"{rec['id']}: {key} {block.get(key)!r} is not HH:MM"


@pytest.mark.parametrize("rid", REQUIRED_SERVICES)
def test_national_services_have_no_location(rid):
    rec = next((rec for _, rec in RECORDS["service"] if rec["id"] == rid), None)
    if rec is None:
        pytest.skip("missing; reported by test_required_service_present")
    assert not ({"address", "lat", "lon", "timezone"} & set(rec)), f"{rid}: national services have no site"
    assert rec.get("coverage"), f"{rid}: a national service needs coverage"


def test_canada_is_sent_to_nors():
    services = {rec["id"]: rec for _, rec in RECORDS["service"]}
    nua, nors = services["never-use-alone-hotline"], services["nors-canada"]
    assert nua["coverage"] == ["US"] and nors["coverage"] == ["CA"]
    assert "NORS" in nua.get("eligibility", "") + nua.get("summary", "")


# --- Language ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,rec", _all())
def test_no_stigmatising_words(kind, rec):
    found = []
    for field in TEXT_FIELDS:
        for text in _strings(rec.get(field)):
            for pattern in STIGMA_PATTERNS:
                m = re.search(pattern, text, re.IGNORECASE)
                if m:
                    found.append(f"{field}: {m.group(0)!r}")
    assert not found, f"{kind} {rec['id']!r} uses stigmatising words: {found}"


@pytest.mark.parametrize("kind,rec", _all())
def test_no_unconfirmed_markers(kind, rec):
    for field in TEXT_FIELDS:
        for text in _strings(rec.get(field)):
            assert "UNCONFIRMED" not in text and "TODO" not in text, \
                f"{kind} {rec['id']!r}: unfinished text in {field}"


# --- Emergency guidance and dated facts (issue 9) ------------------------------------------
# Each test names the fact it guards; each failed on the text it replaced.

def _rec(rid):
    return next(rec for kind in ("principle", "strategy", "service")
                for _, rec in RECORDS[kind] if rec["id"] == rid)


def _text(rid):
    rec = _rec(rid)
    return "\n".join(t for field in TEXT_FIELDS for t in _strings(rec.get(field)))


def _source_hosts(rid):
    return {(urlsplit(str(s.get("url", ""))).hostname or "").lower() for s in _rec(rid).get("sources") or []}


def test_overdose_steps_fit_one_screen():
    assert len(_rec("overdose-response")["steps"]) <= 7, "hrfind overdose must fit one screen: 7 steps at most"


def test_overdose_response_leads_with_cpr_for_abnormal_breathing():
    steps = _rec("overdose-response")["steps"]
    cpr = [i for i, step in enumerate(steps) if "CPR" in step]
    assert cpr, "a person who is not breathing normally needs CPR, and the steps must say so"
    assert re.search(r"not breathing normally|only gasping", steps[cpr[0]]), "say when to start CPR"
    assert cpr[0] <= 3, "CPR belongs with the first things a bystander does"
    body = _rec("overdose-response")["body"]
    assert "compressions" in body and "American Heart Association" in body


def test_rescue_breath_rates_are_attributed():
    body = _rec("overdose-response")["body"]
    assert "1 breath every 6 seconds" in body, "AHA's rate: 1 breath every 6 seconds"
    assert "harm reduction" in body.lower() and "every 5" in body, "say what harm reduction trainings teach"


@pytest.mark.parametrize("rid", ["overdose-response", "naloxone"])
def test_recovery_position_only_once_breathing(rid):
    steps = _rec(rid)["steps"]
    side = [i for i, step in enumerate(steps) if re.search(r"on(to)? their side|recovery position", step)]
    assert side, f"{rid}: the recovery position step is missing"
    for i in side:
        assert "on their own" in steps[i], f"{rid}: roll onto the side only once they breathe on their own"
        assert "rescue breath" not in steps[i].lower() and "CPR" not in steps[i], \
            f"{rid}: nobody can be given breaths or CPR on their side"
    for step in steps[side[0] + 1:]:
        assert "rescue breath" not in step.lower(), f"{rid}: breaths after the recovery position: {step!r}"


def test_naloxone_steps_start_cpr_on_their_back():
    steps = _rec("naloxone")["steps"]
    assert any("CPR" in step and "back" in step for step in steps)


def test_stimulants_use_signs_a_bystander_can_see():
    text = _text("stimulants")
    assert "heart stops" not in text, "a bystander cannot tell that a heart has stopped"
    assert any("not breathing normally" in step and "CPR" in step for step in _rec("stimulants")["steps"])


def test_pregnancy_overdose_naloxone_911_tell_ems():
    text = _text("pregnancy-postpartum")
    for word in ("pregnant", "naloxone", "911", "EMS"):
        assert word in text, f"pregnancy-postpartum must name {word!r} in what to do during an overdose"
    assert re.search(r"tell (the dispatcher and )?EMS (that )?she is pregnant", text)
    assert _source_hosts("pregnancy-postpartum") & {"api.fda.gov", "www.acog.org", "dailymed.nlm.nih.gov"}


@pytest.mark.parametrize("rid,words", [
    ("overdose-response", ["medetomidine", "nitazene", "carfentanil", "xylazine"]),
    ("drug-checking", ["medetomidine", "nitazene", "carfentanil"]),
    ("wound-care", ["medetomidine"]),
    ("naloxone", ["medetomidine", "nitazene"]),
])
def test_current_drug_supply_is_named(rid, words):
    text = _text(rid).lower()
    missing = [w for w in words if w not in text]
    assert not missing, f"{rid}: says nothing about {missing}"


def test_medetomidine_is_not_reversed_by_naloxone():
    for rid in ("overdose-response", "drug-checking"):
        assert re.search(r"medetomidine[^.]*(naloxone (cannot|does not) reverse|not opioids)",
                         _text(rid), re.IGNORECASE | re.DOTALL) or \
            re.search(r"naloxone does not reverse medetomidine", _text(rid), re.IGNORECASE), rid
    assert "cdc.gov" in " ".join(_source_hosts("overdose-response"))


def test_moud_warnings():
    text = _text("moud")
    assert "7 to 10 days" in text, "naltrexone needs 7 to 10 opioid-free days"
    assert re.search(r"miss a shot|missed shot", text), "tolerance is low after a missed naltrexone shot"
    assert "precipitated withdrawal" in text and "fentanyl" in text
    assert "low-dose" in text


def test_moud_current_rules_and_forms():
    text = _text("moud")
    assert "42 CFR Part 8" in text and "28 days" in text, "methadone take-homes under the 2024 rule"
    assert "telehealth" in text.lower() and "31 December 2026" in text, "telehealth buprenorphine status, dated"
    assert "Brixadi" in text and "Sublocade" in text, "long-acting injectable buprenorphine"


def test_nalmefene_and_generic_naloxone():
    rec = _rec("naloxone")
    text = _text("naloxone")
    for word in ("Opvee", "Zurnai", "nalmefene", "prescription", "generic"):
        assert word in text, f"naloxone: missing {word!r}"
    assert "withdrawal" in text[text.index("Nalmefene"):], "be honest about the withdrawal debate"
    assert {"nalmefene", "opvee", "zurnai"} <= set(rec["aliases"])


def test_988_current_options():
    text = _text("lifeline-988")
    assert "AYUDA" in text and "chat" in text.lower()
    assert "July 2023" in text, "Spanish text and chat date"
    assert re.search(r"press 3\)? ended on 17 July 2025", text), "the LGBTQ+ youth option ended"
    assert "samhsa.gov" in " ".join(_source_hosts("lifeline-988"))


@pytest.mark.parametrize("rid", ["drug-checking", "syringe-services"])
def test_samhsa_funding_letter(rid):
    text = _text(rid)
    assert "24 April 2026" in text and "SAMHSA" in text
    assert "www.samhsa.gov" in _source_hosts(rid)


def test_never_use_alone_status_is_dated():
    for rid in ("never-use-alone-hotline", "never-use-alone"):
        assert re.search(r"last confirmed[^.]*20\d\d", _text(rid)), f"{rid}: say when the line was last confirmed"


def test_fake_pill_figure_is_current():
    # DEA's old "7 in 10 pills" figure; CDC's share of deaths involving fentanyl is another fact.
    old = re.compile(r"7 in 10[^.]*\bpills?\b|\bpills?\b[^.]*7 in 10", re.IGNORECASE)
    for kind in ("principle", "strategy", "service"):
        for _, rec in RECORDS[kind]:
            assert not old.search("\n".join(_strings([rec.get(f) for f in TEXT_FIELDS]))), rec["id"]
    text = _text("public-awareness")
    assert "5 in 10" in text and "2025 National Drug Threat Assessment" in text


def test_state_counts_are_dated():
    counted = re.compile(r"\b\d+ (?:US )?states\b")
    for _, rec in RECORDS["strategy"]:
        for text in _strings([rec.get(f) for f in TEXT_FIELDS]):
            for sentence in re.split(r"(?<=[.;])\s+|\n", text):
                if counted.search(sentence):
                    assert re.search(r"\b(?:19|20)\d\d\b", sentence), \
                        f"{rec['id']}: a count of states needs its date in the sentence: {sentence!r}"


def test_pregnancy_studies_are_attributed():
    text = _text("pregnancy-postpartum")
    assert "a Massachusetts study" not in text
    assert "Schiff" in text and "Nielsen" in text


@pytest.mark.parametrize("number,pattern,drift", [
    (4, r"reduce the harms?", None),
    (5, r"every time|routinely|as a matter of course", None),
    (8, r"real[^.]*tragic|real, and it can be tragic", r"sometimes tragic"),
])
def test_principle_keeps_the_seed_meaning(number, pattern, drift):
    summary = next(rec for _, rec in RECORDS["principle"] if rec["number"] == number)["summary"]
    assert re.search(pattern, summary), f"principle {number} drifted from the seed: {summary!r}"
    assert not (drift and re.search(drift, summary)), f"principle {number} softens the seed: {summary!r}"
