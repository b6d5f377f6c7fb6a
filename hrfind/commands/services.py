"""`hrfind services`: the nearest places that offer something, open now, and the lines that reach you."""

import datetime
import enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from hrfind import complete
from hrfind.errors import ExitStatus, UsageError
from hrfind.model import ACCESS, REMOTE_ACCESS
from hrfind.output import Item
from hrfind.runner import Run, command

if TYPE_CHECKING:
    from rich.console import Group
    from rich.text import Text

    from hrfind.geo import Place
    from hrfind.hours import Moment
    from hrfind.locate import Answer, Result

Access = enum.Enum("Access", {name: name for name in ACCESS}, type=str)


def services(
    run: Run,
    query: Annotated[Optional[list[str]], typer.Argument(metavar="[QUERY]...", help="Words to look for among the matches (optional).", show_default=False)] = None,
    near: Annotated[Optional[str], typer.Option("--near", metavar="PLACE", help='A ZIP code, "City, ST" or "lat,lon".', show_default=False)] = None,
    radius: Annotated[Optional[float], typer.Option("--radius", metavar="MILES", help="Only services within this many miles; all of them unless --limit is given too.", show_default=False)] = None,
    offers: Annotated[Optional[list[str]], typer.Option("--offers", metavar="OFFER", help="Only services that offer this (id or alias, e.g. narcan); repeat to require several.", show_default=False, autocompletion=complete.offer_names)] = None,
    open_now: Annotated[bool, typer.Option("--open-now", help="Only services known to be open now, in their own time zone.")] = False,
    open_at: Annotated[Optional[str], typer.Option("--open-at", metavar="WHEN", help='Only services open then: "sat 10:00" or "2026-11-28T10:00", in each service\'s local time.', show_default=False)] = None,
    language: Annotated[Optional[str], typer.Option("--language", metavar="CODE", help='Only services in this language: "es" or "Spanish".', show_default=False, autocompletion=complete.language_codes)] = None,
    free: Annotated[bool, typer.Option("--free", help="Only free services.")] = False,
    access: Annotated[Optional[Access], typer.Option("--access", help="Only services reached this way.", show_default=False)] = None,
    remote: Annotated[bool, typer.Option("--remote/--no-remote", help="Add phone, text, online and mail services that cover the place.")] = True,
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", min=1, help="At most this many local services (default 10, or all within --radius); remote ones are counted by --remote-limit.", show_default=False)] = None,
    remote_limit: Annotated[Optional[int], typer.Option("--remote-limit", min=0, help="At most this many remote services after the local ones (default: all that cover the place).", show_default=False)] = None,
) -> ExitStatus:
    """Find services near a place: nearest first, open now, then phone and online services that reach it."""
    from hrfind import geo, hours, locate

    if open_now and open_at is not None:
        raise UsageError("Give --open-now or --open-at WHEN, not both.")
    if language is not None and not language.strip():
        raise UsageError('--language is empty; give a code like "es" or a name like "Spanish".')
    now = datetime.datetime.now(datetime.timezone.utc)
    moment = hours.parse_when(open_at, now) if open_at is not None else (now if open_now else None)
    place = geo.parse_place(near) if near is not None else None
    catalog = run.catalog()
    text = " ".join(query or [])
    filters = locate.Filters(offers=offers or (), language=language, free=free, access=access.value if access else None, query=text)
    if limit is None and radius is None:
        limit = locate.LIMIT
    answer = locate.find(catalog, place, filters, now=now, open_at=moment, radius=radius, limit=limit, remote=remote)
    if remote_limit is not None and len(answer.results) - answer.local > remote_limit:
        import dataclasses

        left_out = len(answer.results) - answer.local - remote_limit
        answer = dataclasses.replace(answer, results=answer.results[:answer.local + remote_limit],
                                     notes=(*answer.notes, f"Left out {left_out} more remote services (--remote-limit {remote_limit})."))
    for note in answer.notes:
        run.note(note)
    items = [Item(r.service, _extras(r, text)) for r in answer.results]
    empty = _empty(place, radius is not None, "--open-now" if open_now else "--open-at" if open_at is not None else None)
    if run.mode == "geojson":
        return _geojson(run, answer.results, items, empty)
    return run.emit(items, lambda shown: _view(shown, answer, place, moment, now, run.links), empty=empty, plain=_plain)


def _plain(items: list[Item]) -> str:
    """service, id, name, distance_mi, approximate, open_now, hours_today, phone, address, [score,] summary."""
    from hrfind.output import plain_line
    from hrfind.page import address

    lines = []
    for item in items:
        service, extras = item.record, item.extras
        fields = [item.kind, service.id, service.name, extras["distance_mi"], extras["approximate"], extras["open_now"],
                  extras["hours_today"], service.phone, address(service.address) if service.address else None]
        if "score" in extras:
            fields.append(extras["score"])
        lines.append(plain_line([*fields, service.summary]))
    return "".join(lines)


def _empty(place: "Place | None", radius: bool, when: str | None) -> str:
    """What to say when nothing matched, with the options worth relaxing."""
    from hrfind.i18n import _

    tries = [_("a wider --radius")] if radius else []
    tries.append(_("fewer filters"))
    if when:
        tries.append(f"{_('leaving out')} {when}")
    where = f" {_('near')} {place.label}" if place else ""
    return f"{_('No service matched')}{where}. {_('Try')} {_(', or ').join(tries)}."


def _extras(result: "Result", query: str) -> dict:
    extras = {
        "distance_mi": None if result.distance_mi is None else round(result.distance_mi, 2),
        "approximate": result.approximate,
        "open_now": result.open_now,
        "hours_today": result.hours_today,
    }
    if query:
        extras["score"] = result.score
    return extras


def _geojson(run: Run, results: "tuple[Result, ...]", items: list[Item], empty: str) -> ExitStatus:
    from hrfind import geojson
    from hrfind.output import as_dict

    rows = [(as_dict(item), *result.location) for result, item in zip(results, items) if result.location and not result.remote]
    run.env.stdout.write(geojson.dumps(geojson.feature_collection(rows)))
    if not rows:
        run.note(empty if not items else f"None of the {len(items)} matching services has a location to map.")
        return ExitStatus.NO_MATCH
    return ExitStatus.OK


def _view(items: list[Item], answer: "Answer", place: "Place | None", moment: "Moment | None", now: datetime.datetime,
          links: bool = False) -> "Group":
    """Name, distance, open status, address and contact; remote services in a section of their own.

    A service reached only on the web has its address below the table, whole (a table cell would break it).
    """
    from rich import box
    from rich.console import Group
    from rich.table import Table

    from hrfind.human import Link, text
    from hrfind.i18n import _
    from hrfind.page import contact, listed
    from hrfind.output import clean

    title = _("Services") if place is None else f"{_('Services near')} {place.label}"
    if moment is now:
        title += f", {_('open now')}"
    elif isinstance(moment, datetime.datetime):
        title += f", {_('open at')} {moment.isoformat(sep=' ', timespec='minutes')}"
    elif moment is not None:
        title += f", {_('open at')} {moment} {_('local time')}"
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(_("Distance"), justify="right", no_wrap=True)
    table.add_column(_("Service"), ratio=2)
    table.add_column(_("Hours and contact"), ratio=1, min_width=18, overflow="fold")
    web: list = []
    for n, (item, result) in enumerate(zip(items, answer.results)):
        if n == answer.local and n:
            table.add_section()
        service = result.service
        about = text(service.name, "bold")  # a name, not text to read: no "(en inglés)" here; `show` has it with the summary
        for line, style in ((_where(result), ""), (service.id, "dim")):
            if line:
                about.append("\n" + clean(line), style=style)
        reach = _status(result)
        age = listed(service, now.date())
        if age:
            reach.append("\n" + age, style="yellow")
        reach.append("\n" + clean(contact(service) if service.phone or service.text or not service.url else _("web: below")))
        if not (service.phone or service.text) and service.url:
            web.append(Link(service.url, 2, f"{service.id}  ", links))
        table.add_row(_distance(result), about, reach)
    return Group(text(title, "bold"), table, *([text(_("On the web"), "bold"), *web] if web else []))


def _distance(result: "Result") -> "Text":
    from hrfind.human import text
    from hrfind.i18n import _

    if result.remote:
        return text(_("remote"), "cyan")
    if result.distance_mi is None:
        return text("")
    return text(f"{'~' if result.approximate else ''}{result.distance_mi:.1f} mi")


def _status(result: "Result") -> "Text":
    from hrfind.human import text
    from hrfind.i18n import _

    if result.status is None:
        # A site without hours may be closed when you get there; a website or a mail service has none to give.
        unknown = "no hours listed" if result.remote and not result.service.hours else "hours unknown"
        return text(result.hours_today or _(unknown), "dim")
    return text(result.status, "green" if result.open_now else "yellow")


def _where(result: "Result") -> str:
    """The address of a site; how a remote service is reached and where it reaches."""
    service = result.service
    if result.remote:
        ways = [a for a in service.access if a in REMOTE_ACCESS]
        from hrfind.i18n import _

        return f"{', '.join(_(w) for w in ways)}; {_('covers')} {', '.join(service.coverage)}"
    from hrfind.page import address

    return address(service.address) if service.address else ""


def register(app: typer.Typer) -> None:
    command(app, formats={"geojson": "Print a GeoJSON FeatureCollection of the services with a location."})(services)
