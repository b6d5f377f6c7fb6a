"""The human view: Rich tables and panels that read well at 80 columns.

Data text always reaches Rich as `Text`, never as markup, and passes through `clean` first, so
a record named "[red]x[/red]" or holding escape sequences prints literally.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, TextIO

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from hrfind import page
from hrfind.i18n import _
from hrfind.model import Principle, Record, Service, Strategy
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
        width=width(file) if terminal and file.isatty() else 80,
        legacy_windows=False,
    )


def width(file: TextIO) -> int:
    """The columns to draw in: COLUMNS as Rich reads it, else the terminal's own, else 80; never under 20.

    COLUMNS=0, or a terminal that reports no size (a fresh pseudo-terminal), would otherwise print nothing at all.
    """
    import os

    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) >= 20:
        return int(columns)
    try:
        found = os.get_terminal_size(file.fileno()).columns
    except (OSError, ValueError, AttributeError):
        found = 0
    return found if found >= 20 else 80


def progress_bar(stderr: Console, what: str, done: int, total: int) -> Progress:
    """A bar for long work on stderr, already at `done` (it appears once the work has taken a while); it leaves no trace."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
                   console=stderr, transient=True)
    bar.add_task(what, completed=done, total=total)
    return bar


class Link:
    """A web address on a line of its own, never cut or wrapped (the terminal wraps it if it must); a hyperlink if allowed.

    Only whole at the top level of a view printed uncropped (`print(crop=False)`), not in a panel or a table.
    """

    def __init__(self, url: str, indent: int = 0, label: str = "", links: bool = False):
        self.url, self.indent, self.label, self.links = url, indent, label, links

    def __rich_console__(self, console: Console, options: object) -> Iterator[Segment]:
        target = page.safe_url(self.url) if self.links else None
        yield Segment(" " * self.indent)
        if self.label:
            yield Segment(self.label, Style(bold=True))
        yield Segment(clean(self.url, newlines=False), Style(link=target) if target else None)
        yield Segment.line()


def text(value: object, style: str = "") -> Text:
    return Text(clean(str(value)), style=style)


def emergency_line(line: str = EMERGENCY) -> Text:
    return Text(_(line), style="bold red")


def urgent_lines(intents: Sequence[str]) -> list[Text]:
    """The lines an urgent query prints above its results, most urgent first."""
    return [emergency_line(URGENT[i]) for i in intents]


def listing(items: Sequence[Item], show_score: bool = False) -> Table:
    """A table of records: principles by number, others by title, with a one-line summary."""
    table = Table(box=box.SIMPLE_HEAD, expand=False, show_edge=False, pad_edge=False)
    if show_score:
        table.add_column(_("Score"), justify="right", style="dim", no_wrap=True)
    first = items[0].record if items else None
    if isinstance(first, Principle):
        table.add_column("#", justify="right", no_wrap=True)
    table.add_column(_("Title"), style="bold", ratio=2)
    table.add_column(_("Summary"), ratio=3)
    for item in items:
        record = item.record
        row: list[Text] = []
        if show_score:
            row.append(text(f"{item.extras.get('score', 0):.0f}"))
        if isinstance(first, Principle):
            row.append(text(getattr(record, "number", "")))
        title = text(page.title(record), "bold")
        title.append(Text(f"\n{_(item.kind)} {clean(record.id)}", style="dim"))
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
    bullets: list[str] = []
    for kind, line in page.blocks(body):
        if kind == "bullet":
            bullets.append(line)
            continue
        if bullets:
            parts.append(_hanging(["•"] * len(bullets), bullets))
            bullets = []
        parts.append(Text(clean(line), style="bold" if kind == "heading" else ""))
    if bullets:
        parts.append(_hanging(["•"] * len(bullets), bullets))
    return Group(*parts)


def steps(items: Sequence[str], style: str = "") -> Table:
    return _hanging([f"{n}." for n in range(1, len(items) + 1)], items, style)


def _links(record: Record, links: bool) -> list:
    """Below a record's panel: its web address, then each source as "publisher, date: title" and its address."""
    parts: list = []
    if getattr(record, "url", None):
        parts.append(Link(record.url, 0, f"{_('Web')}  ", links))
    sources = page.source_lines(record)
    if sources:
        parts.append(Text(_("Sources"), style="bold underline"))
        for title, url in sources:
            parts += [_hanging(["•"], [title]), Link(url, 2, "", links)]
    return parts


def _facts_grid(pairs: Iterable[tuple[str, str]], links: bool = False) -> Table:
    """Key-value lines, keys bold; a phone number is a tel: hyperlink when links are allowed."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for key, value in pairs:
        target = page.tel_url(value) if links and key == "Phone" else None
        grid.add_row(Text(_(key)), text(value, f"link {target}" if target else ""))
    return grid


def hint(command: str, why: str) -> Text:
    """A closing line naming the command that goes further."""
    line = Text(_("More: "), style="dim")
    line.append(command, style="bold")
    line.append(f" {_(why)}", style="dim")
    return line


def guidance(record: Record, links: bool = False) -> Group:
    """The answer at a glance: a record's summary and steps, or how to reach a service and when."""
    parts: list = []
    summary = getattr(record, "summary", None) or getattr(record, "description", None)
    if summary:
        parts.append(text(summary))
    if getattr(record, "steps", None):
        parts += [Text(""), steps(record.steps)]
    if isinstance(record, Service):
        grid = _facts_grid(((key, value) for key, value in page.facts(record) if key in ("Phone", "Text", "Address", "Hours")), links)
        if grid.row_count:
            parts += [Text(""), grid]
    emergency = getattr(record, "emergency", False)
    panel = Panel(Group(*parts), title=text(page.title(record), "bold"), title_align="left",
                  border_style="red" if emergency else "blue", subtitle=Text(clean(record.id), style="dim"),
                  subtitle_align="right", padding=(0, 1))
    web = [Link(record.url, 0, f"{_('Web')}  ", links)] if getattr(record, "url", None) else []
    return Group(panel, *web)


def detail(record: Record, bundled: bool, links: bool = False) -> Group:
    """Everything about one record, steps numbered, sources with publisher and date."""
    parts: list = []
    summary = getattr(record, "summary", None) or getattr(record, "description", None)
    if summary:
        parts.append(text(summary, "italic"))
    if getattr(record, "steps", None):
        parts += [Text(""), Text(_("Steps"), style="bold underline"), steps(record.steps)]
    if getattr(record, "body", None):
        parts += [Text(""), paragraphs(record.body)]
    facts = _facts_grid(((key, value) for key, value in page.facts(record) if key != "Web"), links)
    if facts.row_count:
        parts += [Text(""), facts]
    footer = Text(page.dated(record), style="dim")
    age = page.listed(record, datetime.date.today()) if isinstance(record, Service) else None
    if age:
        footer.append(f"  {age}", style="bold")  # an old federal listing says so where the details are
    if not bundled and record.origin:
        footer.append(f"  {_('from')} {clean(record.origin)}", style="dim")
    if footer:
        parts += [Text(""), footer]
    emergency = getattr(record, "emergency", False)
    title = text(page.title(record), "bold")
    panel = Panel(Group(*parts), title=title, title_align="left", border_style="red" if emergency else "blue",
                  subtitle=Text(clean(record.id), style="dim"), subtitle_align="right", padding=(0, 1))
    return Group(panel, *_links(record, links))


def taller_than(console: Console, renderable: object) -> bool:
    """Whether a renderable takes more rows than the console's window has."""
    return len(console.render_lines(renderable, pad=False)) > console.height


def steps_again(strategy: Strategy) -> Panel:
    """CALL 911 and the steps once more, for the end of a page whose top has scrolled away."""
    return Panel(Group(Text(_(page.CALL), style="bold white on red"), steps(strategy.steps, "bold")),
                 title=text(page.title(strategy), "bold red"), title_align="left", border_style="red", padding=(0, 1))


def overdose(strategy: Strategy, services: Sequence[Service]) -> Group:
    """The emergency page: the steps first, in short bold lines; then the signs and what else to know."""
    first = Panel(Group(Text(_(page.CALL), style="bold white on red"), Text(""), steps(strategy.steps, "bold"),
                        Text(""), text(strategy.summary)),
                  title=text(page.title(strategy), "bold red"), title_align="left", border_style="red", padding=(0, 1))
    parts: list = [first]
    if strategy.body:
        parts.append(Panel(paragraphs(strategy.body), border_style="red", padding=(0, 1)))
    if services:
        lines = Table.grid(padding=(0, 2))
        lines.add_column(style="bold", no_wrap=True)
        lines.add_column()
        for service in services:
            lines.add_row(text(page.contact(service)), text(f"{service.name} ({', '.join(service.coverage)})"))
        parts.append(Panel(lines, title=Text(_("Phone lines"), style="bold"), title_align="left", padding=(0, 1)))
    return Group(*parts)
