"""Records as readable plain text, wrapped to a width: the emergency page, `show` in a pipe, cards.

No Rich and no colour: this is what a pipe, a file, a printer, a kiosk or an SMS gateway gets.
Words are never split, so a web address longer than a line stays whole on a line of its own.
"""

from __future__ import annotations

import datetime
import re
import textwrap
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from hrfind.i18n import _, current
from hrfind.model import Address, Record, Service, Strategy
from hrfind.output import clean

WIDTH = 80
CALL = "CALL 911 NOW"


def wrap(text: str, width: int = WIDTH, first: str = "", rest: str = "") -> list[str]:
    """Lines of at most `width` columns, never split inside a word (a longer word has a line of its own)."""
    return textwrap.wrap(clean(text, newlines=False), width, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()]


def blocks(body: str) -> Iterator[tuple[str, str]]:
    """A body's lines as (kind, text): "blank" between paragraphs, "heading" (a short line ending in a colon), "bullet", "text"."""
    for n, block in enumerate(body.strip().split("\n\n")):
        if n:
            yield "blank", ""
        for line in (line.strip() for line in block.strip().splitlines()):
            if line.startswith("- "):
                yield "bullet", line[2:]
            else:
                yield ("heading" if line.endswith(":") and len(line) < 60 else "text"), line


LINK_SCHEMES = ("http", "https", "tel", "mailto")


def safe_url(url: str) -> str | None:
    """The URL to put in a terminal hyperlink, escaped; None unless it is http(s) with a host, tel or mailto."""
    from urllib.parse import quote, urlsplit

    if any(c.isspace() or not c.isprintable() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or (parts.scheme.lower().startswith("http") and not parts.hostname):
        return None
    # Only printable ASCII reaches the terminal; anything else is percent-encoded, as a browser would.
    return quote(url, safe="!#$%&'()*+,-./:;=?@[]_~")


def tel_url(phone: str) -> str | None:
    """A tel: URL for a phone number as written ("1-800-222-1222"); None when it has no digits."""
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    return f"tel:{digits}" if any(c.isdigit() for c in digits) else None


def title(record: Record) -> str:
    """A record's title, marked "(in English)" in the run's language when the record has no translation into it."""
    return record.title if record.lang == current() else f"{record.title} {_('(in English)')}"


def address(a: Address) -> str:
    """An address on one line: street, city, "MD 21201"."""
    return ", ".join(p for p in (a.street, a.city, " ".join(q for q in (a.region, a.postal_code) if q)) if p)


def contact(service: Service) -> str:
    """How to reach a service: phone and text number, else its web address."""
    by_phone = [p for p in (service.phone, f"{_('text')} {service.text}" if service.text else None) if p]
    return " / ".join(by_phone) or service.url or ""


def hours_text(service: Service) -> str:
    """The week's hours on one line, with the clock they are read on and the note: "Mon-Fri 09:00-17:00, Sat-Sun closed"."""
    from hrfind import hours

    parts = []
    if service.hours:
        try:
            week = hours.weekly(hours.week(service.hours))
        except ValueError as error:
            week = [("hours", f"not readable ({error})")]
        zone = hours.zone_of(service)
        clock = f" (hora de {zone})" if current() == "es" else f" ({zone} time)"
        parts.append(", ".join(f"{days} {text}" for days, text in week) + (clock if zone else ""))
    if service.hours_note:
        parts.append(service.hours_note)
    return "\n".join(parts)


def facts(record: Record) -> list[tuple[str, str]]:
    """(label, value) for the fields that are lists and contact details, leaving out the empty ones."""
    pairs = [
        ("Phone", getattr(record, "phone", None)),
        ("Text", getattr(record, "text", None)),
        ("Web", getattr(record, "url", None)),
        ("Address", address(record.address) if isinstance(record, Service) and record.address else None),
        ("Hours", hours_text(record) if isinstance(record, Service) else None),
        ("Access", ", ".join(getattr(record, "access", ()))),
        ("Covers", ", ".join(getattr(record, "coverage", ()))),
        ("Languages", ", ".join(getattr(record, "languages", ()))),
        ("Cost", getattr(record, "cost", None)),
        ("Eligibility", getattr(record, "eligibility", None)),
        ("Also called", ", ".join(getattr(record, "aliases", ()))),
        ("Offers", ", ".join(getattr(record, "offers", ()))),
        ("Related", ", ".join(getattr(record, "related", ()))),
    ]
    return [(key, str(value)) for key, value in pairs if value]  # keys in English: the views translate them


def listed(service: Service, today: datetime.date) -> str | None:
    """ "listed by SAMHSA, July 2021: call ahead" for a listing over a year old; None for a fresher or undated one."""
    if service.verified is None or (today - service.verified).days <= 365:
        return None
    dated = [s for s in service.sources if s.publisher and s.date]
    spanish = current() == "es"
    if not dated:
        return f"{'listado' if spanish else 'listed'} {_month(service.verified.isoformat())}: {_('call ahead')}"
    newest = max(s.date for s in dated)  # ISO dates, "2020" before "2020-09"
    publishers = (" y " if spanish else " and ").join(dict.fromkeys(s.publisher for s in dated if s.date == newest))
    return f"{'listado por' if spanish else 'listed by'} {publishers}, {_month(newest)}: {_('call ahead')}"


MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre")


def _month(date: str) -> str:
    """ "July 2021" ("julio de 2021") for "2021-07" or "2021-07-23"; a year alone stays a year."""
    year, _sep, rest = date.partition("-")
    if not rest:
        return year
    if current() == "es":
        return f"{MONTHS_ES[int(rest[:2]) - 1]} de {year}"
    return datetime.date(int(year), int(rest[:2]), 1).strftime("%B %Y")


def dated(record: Record) -> str:
    """"reviewed 2026-11-26" for a strategy or principle, "verified ..." for a service; empty when undated."""
    when = getattr(record, "reviewed", None) or getattr(record, "verified", None)
    return f"{_('verified') if isinstance(record, Service) else _('reviewed')} {when}" if when else ""


def source_lines(record: Record) -> list[tuple[str, str]]:
    """Each source as ("publisher, date: title", url)."""
    entries = []
    for source in getattr(record, "sources", ()):
        who = ", ".join(p for p in (source.publisher, source.date) if p)
        entries.append((f"{who}: {source.title}" if who else source.title, source.url))
    return entries


def _steps(steps: Sequence[str], width: int) -> list[str]:
    pad = len(str(len(steps)))
    lines = []
    for n, step in enumerate(steps, 1):
        mark = f"{n:>{pad}}. "
        lines += wrap(step, width, mark, " " * len(mark))
    return lines


def _body(body: str, width: int) -> list[str]:
    lines: list[str] = []
    for kind, line in blocks(body):
        if kind == "blank":
            lines.append("")
        elif kind == "bullet":
            lines += wrap(line, width, "- ", "  ")
        else:
            lines += wrap(line, width)
    return lines


def _text(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"


def emergency(strategy: Strategy, services: Sequence[Service], width: int = WIDTH) -> str:
    """The emergency page: CALL 911 and the numbered steps first, then the signs, the rest, and the phone lines."""
    lines = [*wrap(title(strategy), width), "", _(CALL) + ".", "", *_steps(strategy.steps, width)]
    lines += ["", *wrap(strategy.summary, width)]
    if strategy.body:
        lines += ["", *_body(strategy.body, width)]
    if services:
        lines += ["", _("Phone lines:")]
        for service in services:
            reach = contact(service)
            lines += wrap(f"{service.name} ({', '.join(service.coverage)})" if service.coverage else service.name,
                          width, f"- {reach}  " if reach else "- ", "  ")
    footer = " ".join(p for p in (dated(strategy).capitalize() + "." if dated(strategy) else "",
                                  f"{_('Sources: hrfind show')} {strategy.id}") if p)
    lines += ["", *wrap(footer, width)]
    return _text(lines)


def detail(record: Record, bundled: bool, width: int = WIDTH) -> str:
    """Everything about one record as text: title, summary, steps, body, facts, sources, dates."""
    from hrfind.model import kind_of

    lines = [*wrap(title(record), width), f"{_(kind_of(record))} {clean(record.id, newlines=False)}"]
    summary = getattr(record, "summary", None) or getattr(record, "description", None)
    if summary:
        lines += ["", *wrap(summary, width)]
    if getattr(record, "steps", None):
        lines += ["", _("Steps:"), *_steps(record.steps, width)]
    if getattr(record, "body", None):
        lines += ["", *_body(record.body, width)]
    pairs = facts(record)
    if pairs:
        lines.append("")
        pad = max(len(_(key)) for key, _value in pairs) + 2
        for key, value in pairs:
            for n, part in enumerate(value.splitlines()):
                lines += wrap(part, width, (_(key) if n == 0 else "").ljust(pad), " " * pad)
    sources = source_lines(record)
    if sources:
        lines += ["", _("Sources:")]
        for name, url in sources:
            lines += [*wrap(name, width, "- ", "  "), *wrap(url, width, "  ", "  ")]
    footer = [dated(record).capitalize()] if dated(record) else []
    age = listed(record, datetime.date.today()) if isinstance(record, Service) else None
    if age:
        footer.append(age[0].upper() + age[1:])
    if not bundled and record.origin:
        footer.append(f"{_('From')} {record.origin}")
    if footer:
        lines += ["", *wrap(". ".join(footer) + ".", width)]
    return _text(lines)


# --- cards: what an outreach worker passes on by text message or on paper ---------------------

class Part(NamedTuple):
    """One piece of a card: what it is called when left out, its text, and how late it goes (higher: sooner)."""

    name: str
    text: str
    drop: float


def map_links(lat: float, lon: float) -> tuple[str, str]:
    """A geo: URI (opens the phone's map app) and an OpenStreetMap address for a place, built offline."""
    return f"geo:{lat:.5f},{lon:.5f}", f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=17/{lat:.5f}/{lon:.5f}"


def _service_parts(service: Service, now: datetime.datetime) -> list[Part]:
    from hrfind import geo, hours

    parts = [Part("the name", title(service), 0)]
    if service.address:
        parts.append(Part("the address", address(service.address), 2))
    if service.phone:
        parts.append(Part("the phone number", f"{_('Phone')}: {service.phone}", 1))
    if service.text:
        parts.append(Part("the text number", f"{_('Text')}: {service.text}", 1.5))
    try:
        found = hours.reading(service, now)
    except ValueError:
        found = None
    if found and found.hours_today:
        state = {True: f" ({_('open now')})", False: f" ({_('closed now')})"}.get(found.open_now, "")  # type: ignore[arg-type]
        parts.append(Part("today's hours", f"{_('Today')}: {found.hours_today}{state}", 3))
    elif service.hours:
        parts.append(Part("the hours", f"{_('Hours')}: {hours_text(service).splitlines()[0]}", 3))
    location: tuple[float, float] | None = None
    if service.lat is not None and service.lon is not None:
        location = (service.lat, service.lon)
    elif service.address and service.address.postal_code:
        info = geo.zip_info(service.address.postal_code)
        location = (info.lat, info.lon) if info else None
    if location:
        geo_uri, osm = map_links(*location)
        parts += [Part("the map link", f"{_('Map')}: {geo_uri}", 5), Part("the OpenStreetMap link", osm, 6)]
    if service.url:
        parts.append(Part("the web address", f"{_('Web')}: {service.url}", 4))
    if service.summary:
        parts.append(Part("the summary", service.summary, 7))
    return parts


def card_parts(record: Record, now: datetime.datetime) -> list[Part]:
    """A record's card in reading order: a service's name, address, phone, today's hours and map; a how-to's summary and steps."""
    if isinstance(record, Service):
        parts = _service_parts(record, now)
    else:
        parts = [Part("the title", title(record), 0)]
        summary = getattr(record, "summary", None) or getattr(record, "description", None)
        steps = getattr(record, "steps", ())
        if summary:
            # Without steps the summary is the guidance; with them it goes before any step does.
            parts.append(Part("the summary", summary, 10 if steps else 1))
        for n, step in enumerate(steps, 1):
            parts.append(Part(f"step {n}", f"{n}. {step}", 1 + n / 100))  # later steps go first
    when = dated(record)
    if when:
        parts.append(Part("the date", when.capitalize(), 20))
    return parts


def card(parts: Sequence[Part], width: int = WIDTH) -> str:
    """The card as text for paper or a screen, wrapped at `width`."""
    lines: list[str] = []
    for n, part in enumerate(parts):
        step = part.name.startswith("step ")
        if n and (part.name == "the date" or (step and not parts[n - 1].name.startswith("step "))):
            lines.append("")  # the steps and the date stand apart
        mark = re.match(r"\d+\. ", part.text) if step else None
        lines += wrap(part.text, width, "", " " * len(mark.group()) if mark else "")
    return _text(lines)


def sms(parts: Sequence[Part], limit: int = 480) -> tuple[str, list[str]]:
    """The card in at most `limit` characters, and the names of the parts left out (the text ends by saying so)."""
    kept = list(parts)
    order = sorted(range(len(parts)), key=lambda i: (-parts[i].drop, -i))  # what goes first
    cut: list[Part] = []

    def text() -> str:
        body = "\n".join(" ".join(clean(p.text, newlines=False).split()) for p in kept)
        if cut:
            body += f"\n({_('Left out')}: {left_out([p.name for p in sorted(cut, key=parts.index)], _)}.)"
        return body + "\n"

    for i in order:
        if len(text()) - 1 <= limit or len(kept) == 1:
            break
        kept.remove(parts[i])
        cut.append(parts[i])
    return text(), [p.name for p in sorted(cut, key=parts.index)]


def folded(text: str) -> str:
    """Text in ascii: letters without their accents ("qué" is "que"), no "¿" or "¡", anything else ascii lacks as "?"."""
    import unicodedata

    # Canonical decomposition only: the compatibility one would make "½" the "12" of a dose.
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("¿", "").replace("¡", "").encode("ascii", "replace").decode("ascii")


def left_out(names: list[str], say: Callable[[str], str] = str) -> str:
    """Part names in short: "summary, steps 6-7, date"; `say` puts each in the card's language."""
    words: list[str] = []
    steps: list[int] = []

    def flush() -> None:
        if steps:
            words.append(f"{say('step')} {steps[0]}" if len(steps) == 1 else f"{say('steps')} {steps[0]}-{steps[-1]}")
            steps.clear()

    for name in names:
        if name.startswith("step ") and (not steps or int(name[5:]) == steps[-1] + 1):
            steps.append(int(name[5:]))
            continue
        flush()
        if name.startswith("step "):
            steps.append(int(name[5:]))
        else:
            words.append(say(name.removeprefix("the ")))
    flush()
    return ", ".join(words)


def qr_target(record: Record) -> str | None:
    """What a QR code of a record holds: a service's phone as a tel: link, else its web address; else the first source."""
    phone = getattr(record, "phone", None)
    if phone and tel_url(phone):
        return tel_url(phone)
    url = getattr(record, "url", None) or next((s.url for s in getattr(record, "sources", ())), None)
    return url if url and safe_url(url) else None


def qr(data: str) -> str:
    """A QR code as text for a terminal (half blocks; dark modules print as spaces)."""
    import io

    import segno  # imported here only: a card without --qr never pays for it

    out = io.StringIO()
    segno.make(data, error="m").terminal(out=out, compact=True)
    return out.getvalue()
