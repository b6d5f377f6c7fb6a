"""Machine renderers (JSON, JSON Lines, plain tab-separated) and the choice of output mode.

The human view lives in `hrfind.human`, so Rich is imported only when a person is reading.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import msgspec

from hrfind.model import Record, kind_of

MODES = ("human", "text", "plain", "json", "jsonl")  # text: readable, wrapped, no colour (show and overdose off a terminal)
# C0 and C1 control characters, DEL, the bidirectional overrides and marks that can disguise text,
# and the invisible zero-width characters (word joiners, the byte-order mark).
# A pattern string, not a compiled one: `re` compiles it on first use, so a JSON answer never does.
_INVISIBLE = "\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_CONTROL = f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}]"
# What JSON may carry raw but a terminal could act on: DEL, C1 controls, the characters above, line separators.
_RAW_IN_JSON = f"[\x7f-\x9f{_INVISIBLE}\u2028\u2029]"
# What a spreadsheet reads as the start of a formula (OWASP's list), after any quotes that neutralise it.
_FORMULA = r"'*[=+\-@\t\r]"


class Item(msgspec.Struct, frozen=True):
    """A record as a command answers it, with what the answer adds (score, distance, open_now)."""

    record: Record
    extras: dict[str, Any] = msgspec.field(default_factory=dict)

    @property
    def kind(self) -> str:
        return kind_of(self.record)


def clean(text: str, newlines: bool = True) -> str:
    """Text safe for a terminal: control and invisible characters removed, tabs (and newlines if asked) as spaces."""
    text = re.sub(_CONTROL, "", text.replace("\t", " ").replace("\u2028", "\n").replace("\u2029", "\n"))
    return text if newlines else " ".join(text.splitlines())


def csv_cell(value: Any) -> Any:
    """A value for a CSV file that no spreadsheet runs as a formula: text starting like one gets a leading quote.

    Text that already starts with quotes before such a character gets one more, so `csv_uncell`
    gives back exactly the text that was written.
    """
    return f"'{value}" if isinstance(value, str) and re.match(_FORMULA, value) else value


def csv_uncell(text: str) -> str:
    """The text `csv_cell` was given."""
    return text[1:] if text.startswith("'") and re.match(_FORMULA, text[1:]) else text


def as_dict(item: Item) -> dict[str, Any]:
    return {"kind": item.kind, **msgspec.to_builtins(item.record), **item.extras}


def json_text(encoded: bytes, indent: bool = False) -> str:
    """JSON as text, indented if asked, with the characters of _RAW_IN_JSON as \\u escapes: the same JSON."""
    text = (msgspec.json.format(encoded, indent=2) if indent else encoded).decode()
    return re.sub(_RAW_IN_JSON, lambda m: f"\\u{ord(m.group()):04x}", text)


def json_array(items: Iterable[Item]) -> str:
    return "".join(json_array_parts(items))


def json_array_parts(items: Iterable[Item]) -> Iterator[str]:
    """An indented JSON array, a record at a time: an export of any size never holds more than one."""
    opening = "[\n"
    for item in items:
        yield opening + textwrap.indent(json_text(msgspec.json.encode(as_dict(item)), indent=True), "  ")
        opening = ",\n"
    yield "[]\n" if opening == "[\n" else "\n]\n"


def json_lines(items: Iterable[Item]) -> str:
    return "".join(json_lines_parts(items))


def json_lines_parts(items: Iterable[Item]) -> Iterator[str]:
    return (json_text(msgspec.json.encode(as_dict(i))) + "\n" for i in items)


def csv_text(items: Sequence[Item], terminal: bool = False) -> str:
    return "".join(csv_parts(lambda: items, terminal))


def csv_parts(items: Callable[[], Iterable[Item]], terminal: bool = False) -> Iterator[str]:
    """A spreadsheet of records: one row each, every field a column (the union over kinds).

    Lists of words join with "; "; the address spreads over `address.*` columns; lists of
    tables (hours, sources) stay JSON, so nothing is lost on the way through a spreadsheet.
    Cells that would start a formula are quoted (`csv_cell`); for a terminal, text is `clean`ed too.
    The records are read twice, once for the columns and once for the rows, a record at a time.
    """
    import csv
    import io

    shapes: dict[tuple, None] = {}  # each distinct sequence of keys (and of a table's keys), in order
    tables: set[str] = set()
    for item in items():
        record = as_dict(item)
        tables.update(key for key, value in record.items() if isinstance(value, dict))
        shapes[tuple((key, tuple(value) if isinstance(value, dict) else None) for key, value in record.items())] = None
    columns = list(dict.fromkeys(column for shape in shapes for key, inner in shape
                                 for column in ((f"{key}.{k}" for k in inner or ()) if key in tables else (key,))))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()

    def cell(value: Any) -> Any:
        if isinstance(value, bool):
            return plain_value(value)
        return csv_cell(clean(value) if terminal and isinstance(value, str) else value)

    for item in items():
        writer.writerow({k: cell(v) for k, v in _csv_row(as_dict(item), tables).items()})
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _csv_row(record: dict[str, Any], tables: set[str]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in record.items():
        if key in tables:  # an absent table is empty columns, not a column of its own
            row.update({f"{key}.{k}": v for k, v in (value or {}).items()})
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            row[key] = msgspec.json.encode(value).decode()
        elif isinstance(value, list):
            row[key] = "; ".join(map(str, value))
        else:
            row[key] = value
    return row


def plain_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(plain_value(v) for v in value)
    return clean(str(value), newlines=False)


def plain_line(fields: Sequence[Any]) -> str:
    """Fields separated by tabs, each on one line without control characters."""
    return "\t".join(plain_value(f) for f in fields) + "\n"


def plain(items: Sequence[Item]) -> str:
    """One line a record: kind, id, title, then what the answer adds, then the summary."""
    lines = []
    for item in items:
        record = item.record
        summary = getattr(record, "summary", None) or getattr(record, "description", None)
        lines.append(plain_line([item.kind, record.id, record.title, *item.extras.values(), summary]))
    return "".join(lines)


def choose_mode(json: bool, jsonl: bool, plain: bool, stdout_isatty: bool, piped: str = "plain", **others: bool) -> str:
    """The output mode from the flags given; human on a terminal, `piped` (plain unless the command says) off one."""
    from hrfind.errors import UsageError

    chosen = [name for name, on in (("json", json), ("jsonl", jsonl), ("plain", plain), *others.items()) if on]
    if len(chosen) > 1:
        raise UsageError(f"Choose one output format, not {' and '.join('--' + c for c in chosen)}.")
    if chosen:
        return chosen[0]
    return "human" if stdout_isatty else piped
