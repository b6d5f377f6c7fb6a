"""JSON Schema of what `--json` prints, derived from the record types so it cannot drift."""

from __future__ import annotations

from typing import Any

from hrfind.model import TYPES

# Keys an answer adds to a record, and the commands that add them.
EXTRAS: dict[str, dict[str, Any]] = {
    "score": {"type": "number", "minimum": 0, "maximum": 100, "description": "search relevance (search, services with a query)"},
    "distance_mi": {"type": ["number", "null"], "description": "great-circle miles from --near; null for remote services (services)"},
    "approximate": {"type": "boolean", "description": "true when the location is its postal code's centre (services)"},
    "open_now": {"type": ["boolean", "null"], "description": "open at the time asked; null when unknown (services)"},
    "hours_today": {"type": ["string", "null"], "description": "today's hours in the service's time zone (services)"},
}


def record_schema(kind: str) -> dict[str, Any]:
    import msgspec

    (out,), components = msgspec.json.schema_components([TYPES[kind]], ref_template="#/$defs/{name}")
    definition = components[out["$ref"].rsplit("/", 1)[1]]
    properties = {"kind": {"const": kind}, **definition["properties"]}
    properties.update({k: v for k, v in EXTRAS.items() if kind == "service" or k == "score"})
    helpers = {name: value for name, value in components.items() if name not in {t.__name__ for t in TYPES.values()}}
    return {
        "title": definition.get("title", kind),
        "type": "object",
        "properties": properties,
        "required": ["kind", *definition.get("required", [])],
        **({"$defs": helpers} if helpers else {}),
    }


def output_schema(kind: str | None = None) -> dict[str, Any]:
    """Schema of one record of `kind`, or of the JSON array any command prints."""
    if kind:
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", **record_schema(kind)}
    defs: dict[str, Any] = {}
    variants = []
    for name in TYPES:
        schema = record_schema(name)
        defs.update(schema.pop("$defs", {}))
        defs[name] = schema
        variants.append({"$ref": f"#/$defs/{name}"})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "hrfind JSON output",
        "type": "array",
        "items": {"anyOf": variants},
        "$defs": defs,
    }
