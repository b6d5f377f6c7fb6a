"""Write hrfind services as an HSDS 3.0 tabular data package: datapackage.json and one CSV per table.

Ids are UUIDs (the specification requires them) derived from hrfind ids, so exporting the same data
twice gives the same package. hrfind's own id rides along as an attribute, so importing an export
gives back the same ids.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hrfind.errors import UsageError
from hrfind.hsds import spec
from hrfind.model import Offer, Service

NAMESPACE = uuid.UUID("7d23d419-0667-4413-af3f-ebfa12f8cc5d")  # fixed forever: changing it changes every exported id
BYDAY = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
COST_TEXT = {"free": "Free", "low-cost": "Low cost", "sliding-scale": "Sliding scale", "insurance": "Insurance accepted"}
_EXTENSION = re.compile(r"\s*(?:x|ext\.?)\s*(\d+)$", re.IGNORECASE)
ADDRESS_REQUIRED = ("street", "city", "region", "postal_code", "country")


@dataclasses.dataclass
class Exported:
    """What went into a package: rows per table, and services whose address was incomplete."""

    path: Path
    counts: dict[str, int]
    partial_addresses: int = 0

    def lines(self) -> list[str]:
        lines = [f"exported {self.counts['service']} services as HSDS 3.0 to {self.path}",
                 "tables: " + ", ".join(f"{n} {t}" for t, n in self.counts.items())]
        if self.partial_addresses:
            lines.append(f"addresses left out: {self.partial_addresses} (HSDS needs street, city, state, postal code and country)")
        return lines


def uid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def tables(services: Iterable[Service], offers: Mapping[str, Offer], rows: Mapping[str, Any]) -> int:
    """Append the rows of every table to `rows` (a table's name -> its `append`), a service at a time;
    how many addresses were too incomplete for HSDS."""
    taxonomy = uid("taxonomy", "hrfind")
    rows["taxonomy"].append({"id": taxonomy, "name": "hrfind", "description": "The offer vocabulary of hrfind, and hrfind's record ids."})
    id_term = uid("term", spec.ID_TERM_CODE)
    rows["taxonomy_term"].append({"id": id_term, "code": spec.ID_TERM_CODE, "name": "hrfind id", "taxonomy": "hrfind",
                                  "description": "The id of the service in hrfind: the attribute's value.", "taxonomy_id": taxonomy})
    for offer in offers.values():
        rows["taxonomy_term"].append({"id": uid("term", offer.id), "code": offer.id, "name": offer.label, "taxonomy": "hrfind",
                                      "description": offer.description or offer.label, "language": "en", "taxonomy_id": taxonomy})
    partial = 0
    for service in services:
        partial += _service(service, offers, id_term, rows)
    return partial


def _service(s: Service, offers: Mapping[str, Offer], id_term: str, rows: dict[str, list[dict[str, Any]]]) -> bool:
    """Add one service's rows; True when its address had to be left out."""
    from hrfind.hsds import languages

    organization, service = uid("organization", s.id), uid("service", s.id)
    rows["organization"].append({"id": organization, "name": s.name, "description": s.summary or s.name, "website": s.url})
    rows["service"].append({
        "id": service, "organization_id": organization, "name": s.name, "description": s.summary, "url": s.url,
        "status": "active", "fees_description": COST_TEXT.get(s.cost or ""), "eligibility_description": s.eligibility,
        "assured_date": s.verified.isoformat() if s.verified else None,
    })
    rows["attribute"].append({"id": uid("attribute", s.id, spec.ID_TERM_CODE), "link_id": service, "taxonomy_term_id": id_term,
                              "link_entity": "service", "value": s.id})
    for offer in s.offers:
        if offer in offers:
            rows["attribute"].append({"id": uid("attribute", s.id, offer), "link_id": service,
                                      "taxonomy_term_id": uid("term", offer), "link_entity": "service"})
    complete = s.address is not None and all(getattr(s.address, f) for f in ADDRESS_REQUIRED)
    # A point geocoded from a postal code is a guess: other systems get the address and can do better.
    approximate = s.geocoded
    point = s.lat is not None and s.lon is not None and not approximate
    location = None
    if complete or point or ("online" in s.access and s.address is None):
        location = uid("location", s.id)
        virtual = not complete and not point
        rows["location"].append({"id": location, "location_type": "virtual" if virtual else "physical", "organization_id": organization,
                                 "name": s.name, "url": s.url if virtual else None,
                                 "latitude": s.lat if point else None, "longitude": s.lon if point else None})
        rows["service_at_location"].append({"id": uid("service_at_location", s.id), "service_id": service, "location_id": location})
    if complete:
        a = s.address
        rows["address"].append({"id": uid("address", s.id), "location_id": location, "address_1": a.street, "city": a.city,
                                "state_province": a.region, "postal_code": a.postal_code, "country": a.country,
                                "address_type": "physical"})
    for number, kind in ((s.phone, "hotline" if "phone" in s.access else "voice"), (s.text, "sms")):
        if number:
            extension = _EXTENSION.search(number)
            rows["phone"].append({"id": uid("phone", s.id, kind), "service_id": service,
                                  "number": number[:extension.start()] if extension else number,
                                  "extension": extension.group(1) if extension else None, "type": kind})
    for i, span in enumerate(s.hours):
        rows["schedule"].append({
            "id": uid("schedule", s.id, str(i)), "service_id": service, "freq": "WEEKLY",
            "byday": ",".join(BYDAY[d] for d in span.days), "opens_at": f"{span.opens}:00",
            # HSDS times are times of day, so the end of the day is the last minute of it.
            "closes_at": "23:59:00" if span.closes == "24:00" else f"{span.closes}:00",
            "description": s.hours_note if i == 0 else None,
        })
    if s.hours_note and not s.hours:
        rows["schedule"].append({"id": uid("schedule", s.id, "note"), "service_id": service, "description": s.hours_note})
    for code in s.languages:
        rows["language"].append({"id": uid("language", s.id, code), "service_id": service,
                                 "name": languages.english_name(code) or code, "code": code})
    for code in s.coverage:
        rows["service_area"].append({"id": uid("service_area", s.id, code), "service_id": service, "name": code,
                                     "description": "ISO 3166 code of an area the service covers"})
    return s.address is not None and not complete


class _Table:
    """One table's CSV file, written a row at a time with the specification's columns in its order."""

    def __init__(self, name: str, path: Path):
        import csv

        self.file = open(path, "w", encoding="utf-8", newline="")
        self.writer = csv.DictWriter(self.file, spec.columns(name), extrasaction="raise", lineterminator="\r\n")
        self.writer.writeheader()
        self.count = 0

    def append(self, row: dict[str, Any]) -> None:
        from hrfind.output import csv_cell

        self.writer.writerow({k: "" if v is None else csv_cell(v) for k, v in row.items()})
        self.count += 1


def _stage(services: Iterable[Service], offers: Mapping[str, Offer], folder: Path, now: datetime.datetime) -> tuple[list[str], dict[str, int], int]:
    """Write the package's files into `folder`: their names (datapackage.json last), rows per table, partial addresses."""
    import json

    rows = {table: _Table(table, folder / spec.TABLES[table][0]) for table in spec.TABLES}
    try:
        partial = tables(services, offers, rows)
    finally:
        for table in rows.values():
            table.file.close()
    from hrfind.target import PACKAGE_NAME

    descriptor = spec.descriptor(PACKAGE_NAME, "Services exported by hrfind", now.replace(microsecond=0).isoformat())
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [spec.TABLES[t][0] for t in spec.TABLES] + ["datapackage.json"], {t: r.count for t, r in rows.items()}, partial


def export_hsds(services: Iterable[Service], offers: Mapping[str, Offer], target: Path,
                now: datetime.datetime | None = None) -> Exported:
    """Write the package to a folder, or to a .zip when the path ends in .zip; atomically either way.

    Each table is written as the services stream by, so an export of any size holds one service at a time.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    zipped = target.suffix.lower() == ".zip"
    if zipped and target.is_dir():
        raise UsageError(f"{target} is a folder. Give a new .zip file name, or a folder without .zip.")
    if not zipped:
        if target.exists() and not target.is_dir():
            raise UsageError(f"{target} is a file. Give a folder for the HSDS package, or a path ending in .zip.")
        if target.is_dir() and any(target.iterdir()) and not (target / "datapackage.json").exists():
            raise UsageError(f"{target} already holds other files. Give a new or empty folder, or a path ending in .zip.")
        if not target.exists() and not target.parent.is_dir():
            raise UsageError(f"No folder {target.parent} to write {target.name} in. Create it first.")
    if zipped:
        import tempfile
        import zipfile

        from hrfind.atomic import replacing

        with tempfile.TemporaryDirectory(prefix="hrfind-hsds-") as staging:
            names, counts, partial = _stage(services, offers, Path(staging), now)
            with replacing(target, "wb") as file, zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
                for name in names:
                    archive.write(Path(staging) / name, name)
    elif target.is_dir():
        import shutil
        import tempfile

        staging = Path(tempfile.mkdtemp(dir=target, prefix=".hrfind-hsds-", suffix=".tmp"))
        try:
            names, counts, partial = _stage(services, offers, staging, now)
            for name in names:  # datapackage.json comes last: it is replaced once the tables are in place
                os.replace(staging / name, target / name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    else:
        from hrfind.atomic import new_folder

        with new_folder(target) as folder:
            names, counts, partial = _stage(services, offers, folder, now)
    return Exported(target, counts, partial)
