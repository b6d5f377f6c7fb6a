"""GeoJSON (RFC 7946): located records as a FeatureCollection any map tool can open."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def feature(properties: dict[str, Any], lat: float, lon: float) -> dict[str, Any]:
    """A Point feature; RFC 7946 puts longitude first."""
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def feature_collection(rows: Iterable[tuple[dict[str, Any], float, float]]) -> dict[str, Any]:
    """A FeatureCollection of (properties, lat, lon) rows, in the order given."""
    return {"type": "FeatureCollection", "features": [feature(p, lat, lon) for p, lat, lon in rows]}


def dumps(collection: dict[str, Any]) -> str:
    """Indented UTF-8 JSON text, escaped the way the rest of hrfind prints JSON."""
    import msgspec

    from hrfind.output import json_text

    return json_text(msgspec.json.encode(collection), indent=True) + "\n"
