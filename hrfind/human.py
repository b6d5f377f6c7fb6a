"""The human view: Rich tables and panels that read well at 80 columns.

Data text always reaches Rich as `Text`, never as markup, and passes through `clean` first, so
a record named "[red]x[/red]" or holding escape sequences prints literally.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hrfind.model import Address, Principle, Record, Service, Strategy
from hrfind.output import Item, clean

if TYPE_CHECKING:
    from rich.progress import Progress

EMERGENCY = "If someone may be overdosing now: call 911, give naloxone, stay with them. Run: hrfind overdose"
CRISIS = "If you are thinking about suicide or are in crisis: call or text 988, or chat at 988lifeline.org. In danger now: call 911."
POISON = ("Possible poisoning: if they collapsed, had a seizure, have trouble breathing or can't be woken, call 911. "
          "Otherwise call Poison Control now: 1-800-222-1222.")
# The line each urgent intent of a query (hrfind.intents) prints above the results.
URGENT = {"suicide": CRISIS, "overdose": EMERGENCY, "poisoning": POISON}


def console(file: TextIO, color: bool, terminal: bool) -> Console:
    return Console(
        file=file,
        force_terminal=terminal,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
        width=None if terminal and file.isatty() else 80,
        legacy_windows=False,
    )


def progress_bar(stderr: Console, what: str, done: int, total: int) -> Progress:
    """A bar for long work on stderr, already at `done` (it appears once the work has taken a while); it leaves no trace."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
                   console=stderr, transient=True)
    bar.add_task(what, completed=done, total=total)
    return bar


def text(value: object, style: str = "") -> Text:
    return Text(clean(str(value)), style=style)


def emergency_line(line: str = EMERGENCY) -> Text:
    return Text(line, style="bold red")


def urgent_lines(intents: Sequence[str]) -> list[Text]:
    """The lines an urgent query prints above its results, most urgent first."""
    return [emergency_line(URGENT[i]) for i in intents]


def listing(items: Sequence[Item], show_score: bool = False) -> Table:
    """A table of records: principles by number, others by title, with a one-line summary."""
    table = Table(box=box.SIMPLE_HEAD, expand=False, show_edge=False, pad_edge=False)
    if show_score:
        table.add_column("Score", justify="right", style="dim", no_wrap=True)
    first = items[0].record if items else None
    if isinstance(first, Principle):
        table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Title", style="bold", ratio=2)
    table.add_column("Summary", ratio=3)
    for item in items:
        record = item.record
        row: list[Text] = []
        if show_score:
            row.append(text(f"{item.extras.get('score', 0):.0f}"))
        if isinstance(first, Principle):
            row.append(text(getattr(record, "number", "")))
        title = text(record.title, "bold")
        title.append(Text(f"\n{item.kind} {clean(record.id)}", style="dim"))
        row.append(title)
        row.append(text(getattr(record, "summary", None) or getattr(record, "description", None) or ""))
        table.add_row(*row)
    return table


def _hanging(marks: Sequence[str], lines: Sequence[str], style: str = "") -> Table:
    """Lines after a mark (a number or a bullet), wrapped lines aligned under the text, not the mark."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True, style="bold " + style)
    grid.add_column(style=style)
    for mark, line in zip(marks, lines):
        grid.add_row(mark, Text(clean(line)))
    return grid


def paragraphs(body: str) -> Group:
    """Plain-text body: blank lines between paragraphs, "- " lines as bullets, "Heading:" lines bold."""
    parts: list = []
    for block in body.strip().split("\n\n"):
        if parts:
            parts.append(Text(""))
        bullets: list[str] = []
        for line in (line.strip() for line in block.strip().splitlines()):
            if line.startswith("- "):
                bullets.append(line[2:])
                continue
            if bullets:
                parts.append(_hanging(["•"] * len(bullets), bullets))
                bullets = []
            heading = line.endswith(":") and len(line) < 60
            parts.append(Text(clean(line), style="bold" if heading else ""))
        if bullets:
            parts.append(_hanging(["•"] * len(bullets), bullets))
    return Group(*parts)


def steps(items: Sequence[str], style: str = "") -> Table:
    return _hanging([f"{n}." for n in range(1, len(items) + 1)], items, style)


def _sources(record: Record) -> Table:
    """Each source as "publisher, date: title" with its address below, under one bullet."""
    entries = []
    for source in getattr(record, "sources", ()):
        who = ", ".join(p for p in (source.publisher, source.date) if p)
        entries.append(f"{who}: {source.title}\n{source.url}" if who else f"{source.title}\n{source.url}")
    return _hanging(["•"] * len(entries), entries)


def address(a: Address) -> str:
    """An address on one line: street, city, "MD 21201"."""
    return ", ".join(p for p in (a.street, a.city, " ".join(q for q in (a.region, a.postal_code) if q)) if p)


def listed(service: Service, today: datetime.date) -> str | None:
    """ "listed by SAMHSA, July 2021: call ahead" for a listing over a year old; None for a fresher or undated one."""
    if service.verified is None or (today - service.verified).days <= 365:
        return None
    dated = [s for s in service.sources if s.publisher and s.date]
    if not dated:
        return f"listed {_month(service.verified.isoformat())}: call ahead"
    newest = max(s.date for s in dated)  # ISO dates, "2020" before "2020-09"
    publishers = " and ".join(dict.fromkeys(s.publisher for s in dated if s.date == newest))
    return f"listed by {publishers}, {_month(newest)}: call ahead"


def _month(date: str) -> str:
    """ "July 2021" for "2021-07" or "2021-07-23"; a year alone stays a year."""
    year, _, rest = date.partition("-")
    if not rest:
        return year
    return datetime.date(int(year), int(rest[:2]), 1).strftime("%B %Y")


def contact(service: Service) -> str:
    """How to reach a service: phone and text number, else its web address."""
    by_phone = [p for p in (service.phone, f"text {service.text}" if service.text else None) if p]
    return " / ".join(by_phone) or service.url or ""


def _facts(record: Record) -> Table:
    """Key-value lines for the fields that are lists and contact details."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    pairs = [
        ("Phone", getattr(record, "phone", None)),
        ("Text", getattr(record, "text", None)),
        ("Web", getattr(record, "url", None)),
        ("Access", ", ".join(getattr(record, "access", ()))),
        ("Covers", ", ".join(getattr(record, "coverage", ()))),
        ("Languages", ", ".join(getattr(record, "languages", ()))),
        ("Cost", getattr(record, "cost", None)),
        ("Eligibility", getattr(record, "eligibility", None)),
        ("Hours", getattr(record, "hours_note", None)),
        ("Also called", ", ".join(getattr(record, "aliases", ()))),
        ("Offers", ", ".join(getattr(record, "offers", ()))),
        ("Related", ", ".join(getattr(record, "related", ()))),
    ]
    if isinstance(record, Service) and record.address:
        pairs.insert(3, ("Address", address(record.address)))
    for key, value in pairs:
        if value:
            grid.add_row(Text(key), text(value))
    return grid


def detail(record: Record, bundled: bool) -> Panel:
    """Everything about one record, steps numbered, sources with publisher and date."""
    parts: list = []
    summary = getattr(record, "summary", None) or getattr(record, "description", None)
    if summary:
        parts.append(text(summary, "italic"))
    if getattr(record, "steps", None):
        parts += [Text(""), Text("Steps", style="bold underline"), steps(record.steps)]
    if getattr(record, "body", None):
        parts += [Text(""), paragraphs(record.body)]
    facts = _facts(record)
    if facts.row_count:
        parts += [Text(""), facts]
    if getattr(record, "sources", None):
        parts += [Text(""), Text("Sources", style="bold underline"), _sources(record)]
    dated = getattr(record, "reviewed", None) or getattr(record, "verified", None)
    footer = Text(f"{'verified' if isinstance(record, Service) else 'reviewed'} {dated}", style="dim") if dated else Text("")
    if not bundled and record.origin:
        footer.append(f"  from {clean(record.origin)}", style="dim")
    if footer:
        parts += [Text(""), footer]
    emergency = getattr(record, "emergency", False)
    title = text(record.title, "bold")
    return Panel(Group(*parts), title=title, title_align="left", border_style="red" if emergency else "blue",
                 subtitle=Text(clean(record.id), style="dim"), subtitle_align="right", padding=(0, 1))


def overdose(strategy: Strategy, services: Sequence[Service]) -> Group:
    """The emergency page: the steps first, in short bold lines; then the signs and what else to know."""
    first = Panel(Group(Text("CALL 911 NOW", style="bold white on red"), Text(""), steps(strategy.steps, "bold"),
                        Text(""), text(strategy.summary)),
                  title=text(strategy.title, "bold red"), title_align="left", border_style="red", padding=(0, 1))
    parts: list = [first]
    if strategy.body:
        parts.append(Panel(paragraphs(strategy.body), border_style="red", padding=(0, 1)))
    if services:
        lines = Table.grid(padding=(0, 2))
        lines.add_column(style="bold", no_wrap=True)
        lines.add_column()
        for service in services:
            lines.add_row(text(contact(service)), text(f"{service.name} ({', '.join(service.coverage)})"))
        parts.append(Panel(lines, title=Text("Phone lines", style="bold"), title_align="left", padding=(0, 1)))
    return Group(*parts)
