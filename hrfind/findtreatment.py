"""Map SAMHSA's FindTreatment.gov locator listing (its JSON pages) onto hrfind services, and count what happened.

A page is `{"page", "totalPages", "recordCount", "rows": [facility, ...]}`; each facility lists its
services as categories `{f1: name, f2: code, f3: "value; value"}`. Newer pages add categories and
values, so what a facility offers is read from the text of the values (and the category's name),
not from a fixed table of codes.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from hrfind.errors import DataError, UsageError
from hrfind.hsds import languages
from hrfind.hsds.importer import Imported, Mapper, Report, phone_number, slug, validated, web_address, zip_point

FORMAT = "FindTreatment.gov locator"
EXPECTED = ('a FindTreatment.gov locator listing: a JSON page with a "rows" list of facilities, '
            "a JSON array of such pages, or a folder of page files (.json)")
SOURCE = {"title": "FindTreatment.gov, the Behavioral Health Treatment Services Locator", "url": "https://findtreatment.gov",
          "publisher": "SAMHSA"}
_US_ZIP = re.compile(r"\d{5}(-\d{4})?")
_NOT = re.compile(r"^(?:do not|does not|doesn't|no|not)\b")
# (offer, words a value must hold, words that rule it out), checked against each value in lower case.
_OFFERS = (
    ("methadone", ("methadone maintenance", "methadone detox", "samhsa-certified opioid treatment program"), ("pain management",)),
    ("buprenorphine", ("buprenorphine",), ("pain management", "methadone/buprenorphine or naltrexone")),
    ("naltrexone", ("naltrexone",), ("methadone/buprenorphine or naltrexone",)),
    ("moud", ("methadone/buprenorphine or naltrexone", "medications for opioid use disorder", "medication for opioid addiction"), ()),
    # "Buprenorphine with naloxone (Suboxone)" is a medicine for opioid use disorder, not an overdose kit.
    ("naloxone", ("naloxone", "narcan", "overdose education", "overdose prevention"), ("buprenorphine with", "buprenorphine without")),
    ("drug-checking", ("fentanyl test strip", "test strips", "drug checking"), ()),
    ("syringe-services", ("syringe", "needle exchange", "needle and syringe"), ()),
    ("infection-testing", ("hiv testing", "hepatitis b", "hepatitis c testing", "screening for hepatitis", "hepatitis testing",
                           "std testing", "sti testing", "hiv or hepatitis testing"), ("education", "vaccination")),
    ("prep", ("pre-exposure prophylaxis", "prep"), ()),
    ("peer-support", ("peer support", "peer-support", "peer services", "recovery coach"), ()),
)
_METHADONE_MEDICINE = re.compile(r"^methadone\b")  # "Methadone" as a pharmacotherapy value


def read_pages(source: Path) -> tuple[list[Any], str]:
    """(rows, dataset name) of a page, an array of pages, or a folder of pages; UsageError for anything else."""
    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.suffix.lower() == ".json" and p.is_file() and not p.name.startswith("."))
        if not files:
            raise UsageError(f"{source} holds no .json files. hrfind import findtreatment expects {EXPECTED}.")
        rows: list[Any] = []
        for file in files:
            rows += _rows(_load(file), file)
        return rows, source.name
    if not source.exists():
        raise UsageError(f"No file or folder at {source}. Give {EXPECTED}.")
    return _rows(_load(source), source), source.stem


def _load(path: Path) -> Any:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataError(f"Cannot read {path} ({error.strerror or error}). Check its permissions.") from error
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UsageError(f"{path} is not JSON. hrfind import findtreatment expects {EXPECTED}.") from None


def _rows(data: Any, path: Path) -> list[Any]:
    pages = data if isinstance(data, list) and data and all(isinstance(p, dict) and "rows" in p for p in data) else [data]
    rows: list[Any] = []
    for page in pages:
        if not (isinstance(page, dict) and isinstance(page.get("rows"), list)):
            raise UsageError(f'{path} is JSON but not a locator listing (no "rows" list of facilities). '
                             f"hrfind import findtreatment expects {EXPECTED}.")
        rows += page["rows"]
    return rows


def import_findtreatment(source: Path, today: datetime.date | None = None) -> Imported:
    """Read a listing and map each facility to a service."""
    rows, dataset = read_pages(source)
    report = Report(FORMAT, dataset)
    today = today or datetime.date.today()
    services: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in rows:
        if not isinstance(row, dict):
            report.skipped["not a facility"] += 1
            continue
        table = service(row)
        if not table.get("name"):
            report.skipped["no name"] += 1
            continue
        if table["id"] in seen:
            report.skipped["duplicate row"] += 1
            continue
        kept = validated(table, report, today)
        if kept is None:
            report.skipped["invalid"] += 1
            continue
        seen.add(table["id"])
        services.append(kept)
        report.imported += 1
        report.located += "lat" in kept
        report.geocoded += "geocoded" in kept["provenance"]
        report.with_offers += bool(kept.get("offers"))
    return Imported(services, report)


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def categories(row: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(code, category name, value) for each value of each service category of a facility."""
    listed = row.get("services")
    for category in listed if isinstance(listed, list) else ():
        if not isinstance(category, dict):
            continue
        code, name = _text(category, "f2").upper(), _text(category, "f1")
        for value in _text(category, "f3").split(";"):
            if value.strip():
                yield code, name, value.strip()


def offers(values: list[tuple[str, str, str]]) -> list[str]:
    """The offers the facility's category values name, in the order of the vocabulary table."""
    found: set[str] = set()
    for code, name, value in values:
        text = value.lower()
        if _NOT.match(text):
            continue  # "Do not use medication for opioid addiction"
        if code == "TC" and "substance use" in text or "detox" in text and "methadone" not in text:
            found.add("treatment")
        if "pharmaco" in name.lower() or code == "PHR":
            if _METHADONE_MEDICINE.match(text):
                found.add("methadone")
        for offer, words, excluded in _OFFERS:
            if any(w in text for w in words) and not any(x in text for x in excluded):
                if offer == "prep" and not re.search(r"\bprep\b|pre-exposure", text):
                    continue
                found.add(offer)
    if found & {"methadone", "buprenorphine", "naltrexone"}:
        found.discard("moud")  # the medicine named says more than "one of the three"
    order = [o for o, _, _ in _OFFERS]
    return sorted(found, key=lambda o: (order.index(o) if o in order else -1, o))


def _languages(values: list[tuple[str, str, str]]) -> tuple[list[str], bool]:
    """(ISO 639-1 codes, whether it offers sign language or services for the deaf)."""
    codes: list[str] = []
    signs = False
    for code, name, value in values:
        if code not in ("OL", "SL") and "language" not in name.lower():
            continue
        lowered = value.lower()
        if "sign language" in lowered or "deaf" in lowered or lowered in ("asl", "american sign language"):
            signs = True
            continue
        found = languages.iso639_1(value)
        if found and found not in codes:
            codes.append(found)
    return codes, signs


def _cost(values: list[tuple[str, str, str]]) -> str | None:
    texts = [value.lower() for code, name, value in values if code in ("PAY", "PYAS") or "payment" in name.lower()]
    if any("no payment accepted" in t or t.startswith("free") for t in texts):
        return "free"
    if any("sliding fee" in t or "sliding scale" in t for t in texts):
        return "sliding-scale"
    if any("medicaid" in t or "medicare" in t or "insurance" in t for t in texts):
        return "insurance"
    return None


def service(row: Mapping[str, Any]) -> dict[str, Any]:
    """The TOML table of one facility."""
    name1, name2 = _text(row, "name1"), _text(row, "name2")
    name = f"{name1} ({name2})" if name1 and name2 and name2.lower() not in name1.lower() else name1 or name2
    frid = _text(row, "frid")
    street = ", ".join(p for p in (_text(row, "street1"), _text(row, "street2")) if p)
    postal = _text(row, "zip")
    tail = frid[:8].lower() if re.fullmatch(r"[0-9A-Za-z]{8,}", frid) else \
        hashlib.sha1("|".join((name, street, postal)).encode()).hexdigest()[:8]
    table: dict[str, Any] = {"id": f"{slug(name) or 'facility'}-{tail}", "name": name}
    values = list(categories(row))
    care = [v for c, _, v in values if c in ("TC", "SET")]
    intake = phone_number(_text(row, "intake1"))
    hotline = phone_number(_text(row, "hotline1"))
    codes, signs = _languages(values)
    notes = [f"{'; '.join(care)}." if care else "",
             f"Intake: {intake}." if intake else "", f"Hotline: {hotline}." if hotline else "",
             "Services for the deaf and hard of hearing." if signs else ""]
    summary = " ".join(n for n in notes if n)
    if summary:
        table["summary"] = summary[0].upper() + summary[1:]
    table["offers"] = offers(values)
    table["access"] = ["in-person"] if street else []
    phone = phone_number(_text(row, "phone")) or intake
    if phone:
        table["phone"] = phone
    url = web_address(_text(row, "website"))
    if url:
        table["url"] = url
    table["languages"] = codes
    cost = _cost(values)
    if cost:
        table["cost"] = cost
    table["sources"] = [SOURCE]
    address = {"street": street, "city": _text(row, "city"), "region": _text(row, "state").upper(), "postal_code": postal,
               "country": "US"}
    table["address"] = {k: v for k, v in address.items() if v}
    point, geocoded = Mapper.point({"latitude": _text(row, "latitude"), "longitude": _text(row, "longitude")}), False
    if point is None and _US_ZIP.fullmatch(postal):
        point, geocoded = zip_point(postal[:5]), True
    if point is not None:
        table["lat"], table["lon"] = point
    table["provenance"] = {"format": "findtreatment", **({"frid": frid} if frid else {}),
                           **({"geocoded": "postal_code"} if geocoded and point else {})}
    return {k: v for k, v in table.items() if v not in ([], None, "")}

