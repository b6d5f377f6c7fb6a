"""Commands that answer from the knowledge base: search, show, card, the lists, and overdose."""

import enum
from typing import Annotated, Optional

import typer

from hrfind import complete
from hrfind.errors import ExitStatus, NotFoundError
from hrfind.output import Item
from hrfind.runner import Run, command

EMERGENCY_ID = "overdose-response"
SMS_LIMIT = 480  # three SMS segments
SHORT_NAMES = ("od", "911")  # what someone in a hurry types instead of `overdose`


LimitOption = Annotated[Optional[int], typer.Option("--limit", "-n", min=1, help="Show at most this many (default: all).", show_default=False)]


class Kind(str, enum.Enum):
    principle = "principle"
    strategy = "strategy"
    service = "service"


def search(
    run: Run,
    query: Annotated[list[str], typer.Argument(help="Words to look for; typos and other names are fine.", show_default=False)],
    kind: Annotated[Optional[Kind], typer.Option("--kind", help="Only principles, strategies or services.")] = None,
    offers: Annotated[Optional[str], typer.Option("--offers", help="Only records that deliver this offer (id or alias, e.g. narcan).", autocompletion=complete.offer_names)] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most this many results.")] = 10,
) -> ExitStatus:
    """Search principles, strategies and services by words, with typo tolerance."""
    from hrfind import search as engine
    from hrfind.intents import PINNED, intents

    catalog = run.catalog()
    text = " ".join(query)
    kinds = (kind.value,) if kind else ("principle", "strategy", "service")
    offer = engine.resolve_offer(catalog.offers, offers) if offers is not None else None
    hits = engine.search_catalog(catalog, text, kinds=kinds, offer=offer, limit=limit)
    items = [Item(h.record, {"score": h.score}) for h in hits]
    urgent = _human().urgent_lines(intents(text)) if run.human else []

    def view(found):
        from rich.console import Group

        human = _human()
        parts = list(urgent)
        rest = found
        # An urgent query's own record, put first by its intent, leads whatever the scores.
        if leads([h.score for h in hits], pinned=bool(urgent) and found[0].record.id in (EMERGENCY_ID, *PINNED.values())):
            parts.append(human.guidance(found[0].record, run.links))
            rest = found[1:]
        if rest:
            parts.append(human.listing(rest, show_score=True))
        lang = "" if run.lang == "en" else f"--lang {run.lang} "  # the command as it answers in this language
        parts.append(human.hint(f"hrfind {lang}show {found[0].record.id}", "for everything about the first result"))
        return Group(*parts)

    if urgent and not items:
        run.console().print(*urgent)
    from hrfind.i18n import _

    return run.emit(items, view, empty=f'{_("Nothing matched")} "{text}". {_("Try fewer or other words, or `hrfind strategies`.")}')


# The top result "clearly leads" when it scores at least LEAD_SCORE and LEAD_RATIO times the
# second (or is alone), or when an overdose query pinned the emergency record first.
LEAD_SCORE = 50.0
LEAD_RATIO = 1.5


def leads(scores: list[float], pinned: bool = False) -> bool:
    """Whether the first result clearly leads the others, so its guidance can be shown first."""
    if not scores:
        return False
    if pinned:
        return True
    return scores[0] >= LEAD_SCORE and (len(scores) == 1 or scores[0] >= LEAD_RATIO * scores[1])


def _human():
    from hrfind import human

    return human


def _page():
    from hrfind import page

    return page


def show(run: Run, record_id: Annotated[str, typer.Argument(metavar="ID", help="The id of a principle, strategy, service or offer, or another name for it (narcan).", autocompletion=complete.record_names)]) -> ExitStatus:
    """Show everything about one record."""
    record = find_record(run, record_id)
    bundled = bool(record.origin and record.origin.startswith("bundled:"))
    return run.emit([Item(record)], lambda items: _human().detail(items[0].record, bundled, run.links),
                    text=lambda items: _page().detail(items[0].record, bundled))


def card(
    run: Run,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="The id of a service or a how-to, or another name for it.", autocompletion=complete.record_names)],
    sms: Annotated[bool, typer.Option("--sms", help=f"At most {SMS_LIMIT} characters (three text messages); what is left out is named.")] = False,
    qr: Annotated[bool, typer.Option("--qr", help="Add a QR code of the phone number or web address.")] = False,
) -> ExitStatus:
    """A short plain-text card to pass on by text message or on paper."""
    import datetime

    page = _page()
    record = find_record(run, record_id)
    parts = page.card_parts(record, datetime.datetime.now(datetime.timezone.utc))
    if sms:
        text, cut = page.sms(parts)
        if cut:
            from hrfind.i18n import _, current

            if current() == "es":
                run.note(f"--sms: se omitió {page.left_out(cut, _)} para no pasar de {SMS_LIMIT} caracteres (la tarjeta lo dice). "
                         f"`hrfind --lang es card {record.id}` sin --sms lo tiene todo.")
            else:
                run.note(f"--sms: left out {page.left_out(cut)} to stay within {SMS_LIMIT} characters (the card says so). "
                         f"`hrfind card {record.id}` without --sms has everything.")
    else:
        text = page.card(parts)
    run.env.stdout.write(text)
    if qr:
        target = page.qr_target(record)
        if target is None:
            run.note(f"No QR code: {record.id} has no phone number or web address to put in one.")
        else:
            run.env.stdout.write("\n" + page.qr(target))
            run.note(f"The QR code holds {target}.")
    return ExitStatus.OK


def find_record(run: Run, name: str):
    """The record with this id or alias (any case); NotFoundError naming the closest ids and the top search hits."""
    catalog = run.catalog()
    record = catalog.find(name)
    if record is not None:
        if record.id != name.lower():
            from hrfind.i18n import _

            run.note(f'"{name}" {_("is another name for")} {record.id}.')
        return record
    import shlex

    close = catalog.closest_ids(name)
    if len(close) < 3:  # the top search hits fill the places left; a search costs more than the ids
        from hrfind import search as engine

        close = list(dict.fromkeys([*close, *(h.record.id for h in engine.search_catalog(catalog, name, limit=3))]))[:3]
    hint = f" Did you mean {_either(close)}?" if close else ""
    raise NotFoundError(f'No record has the id "{name}".{hint} `hrfind search {shlex.quote(name)}` finds records by words.')


def _either(names: list[str]) -> str:
    """"a", "a or b", "a, b or c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _listing(kind: str):
    def list_kind(run: Run, limit: LimitOption = None) -> ExitStatus:
        catalog = run.catalog()
        records = list(catalog.table(kind).values())
        records.sort(key=(lambda r: (r.number, r.id)) if kind == "principle" else (lambda r: r.id))
        records = records[:limit]
        return run.emit([Item(r) for r in records], lambda items: _human().listing(items), empty=f"No {kind} records are loaded.")

    return list_kind


def overdose(run: Run) -> ExitStatus:
    """What to do right now if someone may be overdosing (also: hrfind od, hrfind 911). Needs no data folder and no network.

    On a terminal: CALL 911 and the steps on the first screen, then the rest; never a pager.
    In a pipe, a file or with --plain: the whole page as plain text wrapped at 80 columns.
    """
    from hrfind import catalog

    # Only the bundled layer, read from the package's own files: a broken user file, or a cache file
    # someone else could have written, must never stand between a person and these steps.
    loaded = catalog.load([catalog.Layer(catalog.BUNDLED, catalog.bundled_dir())], use_cache=False)
    loaded.store.read_in(run.lang)
    strategy = loaded.strategies[EMERGENCY_ID]
    services = [loaded.services[i] for i in strategy.related if i in loaded.services]
    if run.mode in ("plain", "text"):
        # The whole page, for a printed handout, a kiosk or an SMS gateway: --plain is for the page too.
        from hrfind import page

        text = page.emergency(strategy, services)
        # An output that takes only ascii (PYTHONIOENCODING=ascii, an old console) still gets the Spanish steps, unaccented.
        run.env.stdout.write(text if run.env.stdout.takes(text) else page.folded(text))
        return ExitStatus.OK
    items = [Item(strategy), *(Item(s) for s in services)]
    if run.mode != "human":
        return run.emit(items)
    console = run.console()
    view = _human().overdose(strategy, services)
    console.print(view)
    if _human().taller_than(console, view):
        # No pager here, ever: a page taller than the window leaves its end on screen, so the steps come again.
        console.print(_human().steps_again(strategy))
    return ExitStatus.OK


def register(app: typer.Typer) -> None:
    command(app)(search)
    command(app, piped="text")(show)
    command(app, output=False)(card)
    for kind, name, doc in (("principle", "principles", "List the principles of harm reduction, in order."),
                            ("strategy", "strategies", "List the harm-reduction strategies and how-tos."),
                            ("offer", "offers", "List what services offer: the words --offers accepts.")):
        fn = _listing(kind)
        fn.__doc__ = doc
        fn.__name__ = name
        command(app, name)(fn)
    command(app, emergency=True)(overdose)
    for short in SHORT_NAMES:
        command(app, short, hidden=True, emergency=True)(overdose)
