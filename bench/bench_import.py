"""Time `hrfind import hsds` on a synthetic HSDS 3.0 export of 5,000 services (median of several runs).

    .venv/bin/python bench/bench_import.py [--services 5000] [--runs 5]

The export is messy on purpose, as real ones are: a third of the locations have no coordinates
(geocoded from the ZIP code), times are 12-hour on some rows, a few rows repeat, some services are
inactive. It is written to a temporary folder and removed afterwards.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

ZIPS = ["21201", "21202", "21205", "21217", "10001", "10027", "60601", "60614", "94103", "94110", "98101", "02118",
        "19104", "30303", "33101", "73301", "80202", "85004", "97204", "48201"]
WORDS = ["Harbor", "Eastside", "Community", "Health", "Outreach", "Peer", "Recovery", "Family", "Mobile", "Clinic",
         "Center", "Project", "Network", "Bridge", "Haven", "Northside", "Unity", "Hope", "Care", "Street"]
WHAT = ["naloxone and fentanyl test strips", "syringe services and wound care", "HIV and hepatitis C testing",
        "buprenorphine and methadone", "food pantry and clothing", "legal aid for tenants", "peer support groups",
        "job training and resume help", "crisis line and counselling", "housing search assistance"]


def generate(folder: Path, services: int, seed: int = 5) -> None:
    """Write an HSDS 3.0 export with `services` services, each at one location, into `folder`."""
    rng = random.Random(seed)
    ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(services * 4)]
    tables: dict[str, list[list[object]]] = {name: [] for name in (
        "organizations", "services", "locations", "service_at_location", "addresses", "phones", "schedules", "languages",
        "taxonomy_terms", "attributes")}
    terms = [("t-naloxone", "Naloxone Distribution"), ("t-ssp", "Syringe Services Programs"), ("t-food", "Food Pantries")]
    tables["taxonomy_terms"] = [[i, code, name, name] for i, (code, name) in zip(ids[:3], terms)]
    for n in range(services):
        org, service, location, link = ids[4 * n: 4 * n + 4]
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {n}"
        tables["organizations"].append([org, name + " Inc.", "A community organisation."])
        status = "inactive" if n % 50 == 0 else "active"
        tables["services"].append([service, org, name, f"We offer {rng.choice(WHAT)}.", f"www.example{n}.org", status,
                                   rng.choice(["Free", "Sliding scale", "", "Medicaid accepted"]), "2025-06-01"])
        zip_code = rng.choice(ZIPS)
        located = n % 3 != 0
        lat, lon = (f"{rng.uniform(25, 48):.6f}", f"{rng.uniform(-122, -71):.6f}") if located else ("", "")
        tables["locations"].append([location, "physical", name + " site", lat, lon])
        tables["service_at_location"].append([link, service, location])
        tables["addresses"].append([str(uuid.UUID(int=rng.getrandbits(128))), location, f"{n} Main Street Suite {n % 90}",
                                    "Somewhere", "MD", zip_code, "US", "physical"])
        tables["phones"].append([str(uuid.UUID(int=rng.getrandbits(128))), service, f"(410) 555-{n % 10000:04d}", "voice"])
        for day in ("MO", "TU", "WE", "TH", "FR"):
            opens, closes = ("9:00am", "5:00pm") if n % 2 else ("09:00:00", "17:00:00")
            tables["schedules"].append([str(uuid.UUID(int=rng.getrandbits(128))), service, location, link, "WEEKLY", day, opens, closes])
        tables["languages"].append([str(uuid.UUID(int=rng.getrandbits(128))), service, rng.choice(["English", "Spanish", "spa", "zh"])])
        if n % 4 == 0:
            tables["attributes"].append([str(uuid.UUID(int=rng.getrandbits(128))), service, ids[n % 3], "service"])
    tables["schedules"] += tables["schedules"][:100]  # duplicate rows, as exports made by joins have
    headers = {
        "organizations": ["id", "name", "description"],
        "services": ["id", "organization_id", "name", "description", "url", "status", "fees_description", "assured_date"],
        "locations": ["id", "location_type", "name", "latitude", "longitude"],
        "service_at_location": ["id", "service_id", "location_id"],
        "addresses": ["id", "location_id", "address_1", "city", "state_province", "postal_code", "country", "address_type"],
        "phones": ["id", "service_id", "number", "type"],
        "schedules": ["id", "service_id", "location_id", "service_at_location_id", "freq", "byday", "opens_at", "closes_at"],
        "languages": ["id", "service_id", "name"],
        "taxonomy_terms": ["id", "code", "name", "description"],
        "attributes": ["id", "link_id", "taxonomy_term_id", "link_entity"],
    }
    for name, rows in tables.items():
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(headers[name])
            writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from hrfind import catalog
    from hrfind.hsds.importer import import_hsds

    offers = catalog.load(catalog.layers(no_bundled=True, env={})).offers
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "export"
        folder.mkdir()
        generate(folder, args.services)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = import_hsds(folder, offers)
            result.write(Path(temp) / "out.toml")
            times.append(time.perf_counter() - start)
        report = result.report
    print(f"{args.services} services in the export; {report.imported} imported, {report.located} located "
          f"({report.geocoded} geocoded), {report.with_hours} with hours, {report.with_offers} with offers, "
          f"skipped {dict(report.skipped)}")
    print(f"import + write, median of {args.runs} runs: {statistics.median(times):.2f} s "
          f"(min {min(times):.2f} s, max {max(times):.2f} s)")


if __name__ == "__main__":
    main()
