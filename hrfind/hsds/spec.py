"""The HSDS 3.0 tables hrfind writes: their files, fields (in the specification's order) and links.

Each field is "name type[:format] [flags]": "!" required, "u" unique. The test suite checks this
against the specification's own datapackage.json, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any

VERSION = "3.0.0"
# The taxonomy term whose attributes carry hrfind's own ids, so that importing an export keeps them.
ID_TERM_CODE = "hrfind-id"

TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "organization": ("organizations.csv", (
        "id string:uuid !u", "name string !", "alternate_name string", "description string !",
        "email string:email", "website string:uri", "tax_status string", "tax_id string",
        "year_incorporated number", "legal_status string", "logo string", "uri string:uri",
        "parent_organization_id string:uuid",
    )),
    "program": ("programs.csv", (
        "id string:uuid !u", "organization_id string:uuid !u", "name string !", "alternate_name string",
        "description string !",
    )),
    "service": ("services.csv", (
        "id string:uuid !u", "organization_id string:uuid !", "program_id string:uuid", "name string !",
        "alternate_name string", "description string", "url string:uri", "email string:email",
        "status string !", "interpretation_services string", "application_process string",
        "fees_description string", "wait_time string", "fees string", "accreditations string",
        "eligibility_description string", "minimum_age number", "maximum_age number", "assured_date date",
        "assurer_email string:email", "licenses string", "alert string", "last_modified datetime",
    )),
    "location": ("locations.csv", (
        "id string:uuid !u", "location_type string !", "url string:uri", "organization_id string:uuid",
        "name string", "alternate_name string", "description string", "transportation string",
        "latitude number", "longitude number", "external_identifier string",
        "external_identifier_type string",
    )),
    "service_at_location": ("service_at_location.csv", (
        "id string:uuid !u", "service_id string:uuid !", "location_id string:uuid !", "description string",
    )),
    "address": ("addresses.csv", (
        "id string:uuid !u", "location_id string:uuid", "attention string", "address_1 string !",
        "address_2 string", "city string !", "region string", "state_province string !",
        "postal_code string !", "country string !", "address_type string !",
    )),
    "contact": ("contacts.csv", (
        "id string:uuid !u", "organization_id string:uuid", "service_id string:uuid",
        "service_at_location_id string:uuid", "location_id string:uuid", "name string", "title string",
        "department string", "email string:email",
    )),
    "phone": ("phones.csv", (
        "id string:uuid !u", "location_id string:uuid", "service_id string:uuid",
        "organization_id string:uuid", "contact_id string:uuid", "service_at_location_id string:uuid",
        "number string !", "extension number", "type string", "description string",
    )),
    "schedule": ("schedules.csv", (
        "id string:uuid !u", "service_id string:uuid", "location_id string:uuid",
        "service_at_location_id string:uuid", "valid_from date", "valid_to date", "dtstart date",
        "timezone number", "until date", "count number", "wkst string", "freq string", "interval number",
        "byday string", "byweekno string", "bymonthday string", "byyearday string", "description string",
        "opens_at time", "closes_at time", "schedule_link string:uri", "attending_type string",
        "notes string",
    )),
    "language": ("languages.csv", (
        "id string:uuid !u", "service_id string:uuid", "location_id string:uuid", "phone_id string:uuid",
        "name string", "code string", "note string",
    )),
    "service_area": ("service_areas.csv", (
        "id string:uuid !u", "service_id string:uuid", "name string", "description string", "extent string",
        "extent_type string", "uri string",
    )),
    "taxonomy": ("taxonomies.csv", (
        "id string:uuid !u", "name string !", "description string !", "uri string:uri", "version string",
    )),
    "taxonomy_term": ("taxonomy_terms.csv", (
        "id string:uuid !u", "code string u", "name string !", "description string !",
        "parent_id string:uuid", "taxonomy string", "language string", "taxonomy_id string:uuid",
        "term_uri string:uri",
    )),
    "attribute": ("attributes.csv", (
        "id string:uuid !u", "link_id string:uuid !", "taxonomy_term_id string:uuid !", "link_type string",
        "link_entity string !", "value string",
    )),
}
ENUMS = {
    ("service", "status"): ["active", "inactive", "defunct", "temporarily closed"],
    ("location", "location_type"): ["physical", "postal", "virtual"],
    ("address", "address_type"): ["physical", "postal", "virtual"],
    ("schedule", "wkst"): ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
    ("schedule", "freq"): ["WEEKLY", "MONTHLY"],
}
# (table, field, referenced table), as the specification links them.
FOREIGN_KEYS = (
    ("program", "organization_id", "organization"),
    ("service", "organization_id", "organization"),
    ("service", "program_id", "program"),
    ("location", "organization_id", "organization"),
    ("service_at_location", "service_id", "service"),
    ("service_at_location", "location_id", "location"),
    ("address", "location_id", "location"),
    ("contact", "location_id", "location"),
    ("contact", "organization_id", "organization"),
    ("contact", "service_id", "service"),
    ("contact", "service_at_location_id", "service_at_location"),
    ("phone", "contact_id", "contact"),
    ("phone", "location_id", "location"),
    ("phone", "organization_id", "organization"),
    ("phone", "service_id", "service"),
    ("phone", "service_at_location_id", "service_at_location"),
    ("schedule", "location_id", "location"),
    ("schedule", "service_id", "service"),
    ("schedule", "service_at_location_id", "service_at_location"),
    ("language", "location_id", "location"),
    ("language", "phone_id", "phone"),
    ("language", "service_id", "service"),
    ("service_area", "service_id", "service"),
    ("taxonomy_term", "taxonomy_id", "taxonomy"),
    ("attribute", "taxonomy_term_id", "taxonomy_term"),
)
DESCRIPTIONS = {
    "organization": "The organizations that deliver the services.",
    "program": "Programs that group services; hrfind has none, so this table is empty.",
    "service": "The services, one per hrfind service.",
    "location": "The places where services are delivered.",
    "service_at_location": "Which service is delivered at which place.",
    "address": "The street addresses of the places.",
    "contact": "People to contact; hrfind keeps none, so this table is empty.",
    "phone": "Telephone numbers of the services.",
    "schedule": "Weekly opening hours, as RFC 5545 recurrence fields.",
    "language": "Languages spoken at the services.",
    "service_area": "Areas a remote service covers, as ISO 3166 codes.",
    "taxonomy": "The vocabularies the taxonomy terms come from.",
    "taxonomy_term": "What services offer, from hrfind's offer vocabulary, and hrfind's own id term.",
    "attribute": "Links from services to taxonomy terms.",
}


def columns(table: str) -> list[str]:
    return [field.split()[0] for field in TABLES[table][1]]


def field(text: str, table: str) -> dict[str, Any]:
    """One field of a Table Schema from its short form."""
    name, kind, *flags = text.split()
    type_, _, format_ = kind.partition(":")
    described: dict[str, Any] = {"name": name, "type": type_}
    if format_:
        described["format"] = format_
    flags_text = flags[0] if flags else ""
    constraints: dict[str, Any] = {"required": "!" in flags_text, "unique": "u" in flags_text}
    if (table, name) in ENUMS:
        constraints["enum"] = ENUMS[table, name]
    described["constraints"] = constraints
    return described


def descriptor(name: str, title: str, created: str) -> dict[str, Any]:
    """The datapackage.json of an export: every table with its HSDS 3.0 schema."""
    resources = []
    for table, (path, fields) in TABLES.items():
        schema: dict[str, Any] = {"fields": [field(f, table) for f in fields], "primaryKey": "id"}
        keys = [{"fields": f, "reference": {"resource": target, "fields": "id"}} for t, f, target in FOREIGN_KEYS if t == table]
        if keys:
            schema["foreignKeys"] = keys
        resources.append({"name": table, "path": path, "description": DESCRIPTIONS[table], "format": "csv",
                          "mediatype": "text/csv", "encoding": "utf-8", "profile": "tabular-data-resource", "schema": schema})
    return {"name": name, "title": title, "profile": "tabular-data-package", "version": VERSION,
            "created": created, "resources": resources}
