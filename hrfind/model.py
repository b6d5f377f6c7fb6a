"""The record types of the knowledge base and the directory.

Records are frozen msgspec Structs: cheap to build from TOML, to encode as JSON and to cache.
Field order is the order of keys in JSON output.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal, Union

import msgspec

Kind = Literal["principle", "strategy", "service", "offer"]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ACCESS = ("in-person", "phone", "text", "online", "mail", "mobile")
COSTS = ("free", "low-cost", "sliding-scale", "insurance", "unknown")
REMOTE_ACCESS = frozenset({"phone", "text", "online", "mail"})


class Source(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    title: str
    url: str
    publisher: str | None = None
    date: str | None = None  # "YYYY", "YYYY-MM" or "YYYY-MM-DD": when the source was published


class Address(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


class Hours(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    days: list[str]
    opens: str
    closes: str


class Principle(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    number: int
    title: str
    summary: str
    body: str | None = None
    reviewed: datetime.date | None = None
    sources: list[Source] = []
    origin: str | None = None
    lang: str = "en"  # the language of the text, filled in by the reader (a translation says "es")


class Strategy(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    title: str
    summary: str
    body: str | None = None
    steps: list[str] = []
    aliases: list[str] = []
    offers: list[str] = []
    related: list[str] = []
    emergency: bool = False
    reviewed: datetime.date | None = None
    sources: list[Source] = []
    origin: str | None = None
    lang: str = "en"  # the language of the text, filled in by the reader (a translation says "es")


class Service(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    summary: str | None = None
    aliases: list[str] = []  # other names people use for it ("suicide hotline"), searched like a strategy's
    offers: list[str] = []
    access: list[str] = []
    phone: str | None = None
    text: str | None = None
    url: str | None = None
    coverage: list[str] = []
    languages: list[str] = []
    cost: str | None = None
    eligibility: str | None = None
    verified: datetime.date | None = None
    sources: list[Source] = []
    address: Address | None = None
    lat: float | None = None
    lon: float | None = None
    timezone: str | None = None
    hours: list[Hours] = []
    hours_note: str | None = None
    provenance: dict[str, str] | None = None  # source system and its ids, kept by importers
    origin: str | None = None
    lang: str = "en"  # the language of the text, filled in by the reader (a translation says "es")

    @property
    def title(self) -> str:
        return self.name

    @property
    def geocoded(self) -> bool:
        """Its lat/lon are its postal code's centre, placed there by an importer: approximate."""
        return bool(self.provenance and self.provenance.get("geocoded"))

    @property
    def is_remote(self) -> bool:
        """Reachable without visiting a site (phone, text, online or mail)."""
        return bool(self.coverage) and any(a in REMOTE_ACCESS for a in self.access)


# The fields a translation may give, by kind: its text, the words people use for it, sources in its
# language, and the date it was checked. Everything else (ids, numbers, links, places) is the record's own.
TRANSLATABLE = {
    "principle": ("title", "summary", "body", "sources", "reviewed"),
    "strategy": ("title", "summary", "body", "steps", "aliases", "sources", "reviewed"),
    "service": ("name", "summary", "eligibility", "hours_note", "aliases", "sources", "verified"),
    "offer": ("label", "description", "aliases"),
}

# An offer that asking for also finds the narrower offers it stands for: a place listed under one medicine offers MOUD.
NARROWER = {"moud": ("methadone", "buprenorphine", "naltrexone")}


class Offer(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    label: str
    aliases: list[str] = []
    description: str | None = None
    origin: str | None = None
    lang: str = "en"  # the language of the text, filled in by the reader (a translation says "es")

    @property
    def title(self) -> str:
        return self.label


Record = Union[Principle, Strategy, Service, Offer]


class Translation(msgspec.Struct, frozen=True):
    """A record's text in another language, as a `lang = "es"` data file gives it; checked against the
    record itself once the layers are merged (`hrfind.check.translated`)."""

    lang: str
    kind: str
    id: str
    origin: str  # the file, as problems name it
    index: int  # its place among the file's tables of its kind
    fields: dict[str, Any]  # TRANSLATABLE fields, already of the record's types

# TOML array name -> record type; the array name is also the record's `kind`.
TYPES: dict[str, type] = {
    "principle": Principle,
    "strategy": Strategy,
    "service": Service,
    "offer": Offer,
}
KIND_OF: dict[type, str] = {t: k for k, t in TYPES.items()}


def kind_of(record: Record) -> str:
    return KIND_OF[type(record)]
