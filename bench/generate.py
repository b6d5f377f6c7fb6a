"""Write a synthetic service directory of N services, placed at real US ZIP centroids, as TOML.

    python bench/generate.py 100000 bench/out/100k

The directory looks like a statewide or national 211 export: one folder per state, at most
FILE_SIZE services a file, names and summaries from the words such directories use, street
addresses, phone numbers in the 555-01xx range reserved for fiction, opening hours (some past
midnight, some all day), offers from the bundled vocabulary, and a few remote phone and text
lines covering a state. Everything is seeded, so the same N always writes the same files.
"""

from __future__ import annotations

import argparse
import datetime
import random
import shutil
from pathlib import Path

import tomli_w
import zipcodes

FILE_SIZE = 2000
OFFERS = {  # offer id -> how often a site offers it
    "naloxone": 0.6, "syringe-services": 0.35, "drug-checking": 0.3, "safer-use-supplies": 0.4,
    "wound-care": 0.2, "infection-testing": 0.35, "prep": 0.15, "moud": 0.2,
    "treatment-referral": 0.45, "peer-support": 0.3,
}
KINDS = [  # (name pattern, summary, weight)
    ("{place} Harm Reduction Program", "Walk-in harm reduction services: supplies, naloxone and a friendly ear, no ID needed.", 5),
    ("{place} Syringe Services Program", "Sterile syringes, safe disposal, and referrals for testing and treatment.", 4),
    ("{place} Mobile Outreach Van", "A van that brings supplies, naloxone and wound care to where people are.", 3),
    ("{county} Health Department: {place} Clinic", "Public health clinic with testing, vaccines and naloxone training.", 4),
    ("{place} Community Health Center", "Primary care on a sliding scale, with medications for opioid use disorder.", 4),
    ("{place} Recovery Community Center", "Peer recovery coaches, support groups and help finding treatment.", 3),
    ("{place} Drop-In Center", "A safe place to rest, shower and get supplies, with peer support on site.", 2),
    ("{place} Pharmacy", "Naloxone without a prescription and sterile syringes over the counter.", 5),
    ("{place} Wellness Hub", "Drug checking with test strips, safer use supplies and HIV and hepatitis C testing.", 2),
    ("{place} Treatment Services", "Outpatient treatment with buprenorphine and methadone referrals.", 3),
]
STREETS = ["Main St", "Oak Ave", "Maple St", "Washington Blvd", "Park Ave", "Lincoln Way", "Church St",
           "Market St", "Elm St", "Highland Ave", "River Rd", "Broadway", "Union St", "Franklin Ave",
           "Mill Rd", "Lake St", "Central Ave", "Jefferson St", "Pine St", "Court St"]
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
LANGUAGES = [["en"], ["en"], ["en"], ["en", "es"], ["en", "es"], ["en", "zh"], ["en", "vi"], ["en", "fr"]]
COSTS = ["free", "free", "free", "low-cost", "sliding-scale", "insurance", "unknown"]


def sites() -> list[dict]:
    """The ZIP codes where people live and work, with their centroid and time zone."""
    return [z for z in zipcodes.list_all()
            if z["zip_code_type"] == "STANDARD" and z["active"] and float(z["lat"]) and z["timezone"] and "/" in z["timezone"]]


def hours(rng: random.Random) -> list[dict]:
    """Opening hours as directories list them: office days, evenings past midnight, all day."""
    shape = rng.random()
    if shape < 0.55:
        opens = rng.choice(["08:00", "08:30", "09:00", "10:00"])
        return [{"days": WEEKDAYS, "opens": opens, "closes": rng.choice(["16:00", "17:00", "18:00"])}]
    if shape < 0.75:
        return [{"days": rng.sample(WEEKDAYS, 3), "opens": "10:00", "closes": "14:00"},
                {"days": ["sat"], "opens": "11:00", "closes": "15:00"}]
    if shape < 0.85:
        return [{"days": ["thu", "fri", "sat"], "opens": "20:00", "closes": "02:00"}]
    if shape < 0.92:
        return [{"days": [*WEEKDAYS, "sat", "sun"], "opens": "00:00", "closes": "24:00"}]
    return []


def service(n: int, zip_row: dict, rng: random.Random) -> dict:
    kind = rng.choices(KINDS, weights=[k[2] for k in KINDS])[0]
    place, county = zip_row["city"].title(), zip_row["county"] or f"{zip_row['city'].title()} County"
    name = kind[0].format(place=place, county=county)
    offers = [o for o, share in OFFERS.items() if rng.random() < share] or ["naloxone"]
    record = {
        "id": f"svc-{zip_row['state'].lower()}-{n:06d}",
        "name": name,
        "summary": kind[1],
        "offers": offers,
        "access": ["mobile", "phone"] if "Van" in name else ["in-person", "phone"],
        "phone": f"{rng.randint(201, 989)}-555-01{rng.randint(0, 99):02d}",
        "url": f"https://example.org/{zip_row['state'].lower()}/{n}",
        "languages": rng.choice(LANGUAGES),
        "cost": rng.choice(COSTS),
        "verified": datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 300)),
        "sources": [{"title": f"{name}: listing", "url": f"https://example.org/{zip_row['state'].lower()}/{n}/listing",
                     "publisher": f"{zip_row['state']} 211"}],
        "address": {"street": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}", "city": place,
                    "region": zip_row["state"], "postal_code": zip_row["zip_code"], "country": "US"},
        # Within about a mile of the ZIP centroid, as real sites are.
        "lat": round(float(zip_row["lat"]) + rng.uniform(-0.015, 0.015), 5),
        "lon": round(float(zip_row["long"]) + rng.uniform(-0.015, 0.015), 5),
        "timezone": zip_row["timezone"],
    }
    if rng.random() < 0.2:
        record["eligibility"] = rng.choice(["Adults 18 and over.", "No ID or insurance needed.",
                                            "Residents of the county; call ahead for an appointment."])
    opening = hours(rng)
    if opening:
        record["hours"] = opening
    if rng.random() < 0.1:
        record["hours_note"] = "Closed on federal holidays."
    return record


def remote(n: int, state: str, rng: random.Random) -> dict:
    """A statewide phone or text line: no address, reached from anywhere in its state."""
    return {
        "id": f"line-{state.lower()}-{n:06d}",
        "name": f"{state} {rng.choice(['Naloxone by Mail', 'Peer Support Warmline', 'Treatment Helpline'])}",
        "summary": "A statewide line: call or text for support, naloxone by mail and referrals.",
        "offers": rng.sample(["naloxone", "peer-support", "treatment-referral", "crisis-support"], 2),
        "access": ["phone", "text", "mail"],
        "phone": f"1-800-555-01{rng.randint(0, 99):02d}",
        "coverage": [f"US-{state}"],
        "languages": ["en", "es"],
        "cost": "free",
        "verified": datetime.date(2026, 6, 1),
        "sources": [{"title": "Statewide line", "url": f"https://example.org/lines/{n}", "publisher": f"{state} 211"}],
    }


def generate(count: int, out: Path, seed: int = 6) -> int:
    """Write `count` services under `out` (replacing it); return the number of files written."""
    rng = random.Random(seed)
    zips = sites()
    by_state: dict[str, list[dict]] = {}
    for n in range(count):
        if n % 200 == 199:  # one in two hundred is a remote line
            state = rng.choice(zips)["state"]
            by_state.setdefault(state, []).append(remote(n, state, rng))
        else:
            row = rng.choice(zips)
            by_state.setdefault(row["state"], []).append(service(n, row, rng))
    if out.exists():
        shutil.rmtree(out)
    files = 0
    for state, services in sorted(by_state.items()):
        folder = out / state.lower()
        folder.mkdir(parents=True)
        for part, start in enumerate(range(0, len(services), FILE_SIZE), 1):
            text = f"# Synthetic directory for benchmarks ({state}); every record is fictional.\n\n"
            text += tomli_w.dumps({"service": services[start:start + FILE_SIZE]})
            (folder / f"services-{part}.toml").write_text(text, encoding="utf-8")
            files += 1
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many services")
    parser.add_argument("out", type=Path, help="folder to write (replaced)")
    args = parser.parse_args()
    files = generate(args.count, args.out)
    print(f"{args.count} services in {files} files under {args.out}")


if __name__ == "__main__":
    main()
