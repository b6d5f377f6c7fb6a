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
