"""Commands that answer from the knowledge base: search, show, the lists, and overdose."""

import enum
from typing import Annotated, Optional

import typer

from hrfind.errors import ExitStatus, NotFoundError
from hrfind.output import Item
from hrfind.runner import Run, command

EMERGENCY_ID = "overdose-response"


class Kind(str, enum.Enum):
    principle = "principle"
    strategy = "strategy"
    service = "service"


def search(
    run: Run,
    query: Annotated[list[str], typer.Argument(help="Words to look for; typos and other names are fine.", show_default=False)],
    kind: Annotated[Optional[Kind], typer.Option("--kind", help="Only principles, strategies or services.")] = None,
    offers: Annotated[Optional[str], typer.Option("--offers", help="Only records that deliver this offer (id or alias, e.g. narcan).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many results.")] = 10,
) -> ExitStatus:
    """Search principles, strategies and services by words, with typo tolerance."""
    from hrfind import search as engine
    from hrfind.intents import intents

    catalog = run.catalog()
    text = " ".join(query)
    kinds = (kind.value,) if kind else ("principle", "strategy", "service")
    offer = engine.resolve_offer(catalog.offers, offers) if offers else None
    hits = engine.search_catalog(catalog, text, kinds=kinds, offer=offer, limit=limit)
    items = [Item(h.record, {"score": h.score}) for h in hits]
    urgent = _human().urgent_lines(intents(text)) if run.human else []

    def view(found):
        from rich.console import Group

        return Group(*urgent, _human().listing(found, show_score=True))

    if urgent and not items:
        run.console().print(*urgent)
    return run.emit(items, view, empty=f'Nothing matched "{text}". Try fewer or other words, or `hrfind strategies`.')


def _human():
    from hrfind import human

    return human


def show(run: Run, record_id: Annotated[str, typer.Argument(metavar="ID", help="The id of a principle, strategy, service or offer.")]) -> ExitStatus:
    """Show everything about one record."""
    catalog = run.catalog()
    record = catalog.get(record_id)
    if record is None:
        close = catalog.closest_ids(record_id)
        hint = f" Did you mean {' or '.join(close)}?" if close else " `hrfind search` finds records by words."
        raise NotFoundError(f'No record has the id "{record_id}".{hint}')
    bundled = bool(record.origin and record.origin.startswith("bundled:"))
    return run.emit([Item(record)], lambda items: _human().detail(items[0].record, bundled))


def _listing(kind: str):
    def list_kind(run: Run) -> ExitStatus:
        catalog = run.catalog()
        records = list(catalog.table(kind).values())
        records.sort(key=(lambda r: (r.number, r.id)) if kind == "principle" else (lambda r: r.id))
        return run.emit([Item(r) for r in records], lambda items: _human().listing(items), empty=f"No {kind} records are loaded.")

    return list_kind


def overdose(run: Run) -> ExitStatus:
    """What to do right now if someone may be overdosing. Needs no data folder and no network."""
    from hrfind import catalog

    # Only the bundled layer, never the cache: a broken user file or cache must never stand between a person and these steps.
    loaded = catalog.load([catalog.Layer(catalog.BUNDLED, catalog.bundled_dir())], use_cache=False)
    strategy = loaded.strategies[EMERGENCY_ID]
    services = [loaded.services[i] for i in strategy.related if i in loaded.services]
    items = [Item(strategy), *(Item(s) for s in services)]
    return run.emit(items, lambda _: _human().overdose(strategy, services))


def register(app: typer.Typer) -> None:
    command(app)(search)
    command(app)(show)
    for kind, name, doc in (("principle", "principles", "List the principles of harm reduction, in order."),
                            ("strategy", "strategies", "List the harm-reduction strategies and how-tos."),
                            ("offer", "offers", "List what services offer: the words --offers accepts.")):
        fn = _listing(kind)
        fn.__doc__ = doc
        fn.__name__ = name
        command(app, name)(fn)
    command(app)(overdose)
