"""Nothing a user or a data file throws at hrfind crashes it, loses data, or reaches the terminal raw."""

import importlib
import json
import os
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrfind import catalog, runner
from hrfind.store import files as store_files
from hrfind.cli import COMMANDS

DOCUMENTED = {0, 1, 2, 3, 4, 130}  # README: exit codes; 70 would be a bug
# Markup, a link, a screen clear, a title change with a bell, a C1 CSI, a bidi override, a carriage return.
PAYLOAD = "[red]x[/red] [link=file:///etc/passwd]y[/link] \x1b[2J\x1b]0;pwned\x07 \x9b31m \u202eevil\u202c \rz"
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colour codes Rich writes itself with --color always
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def toml_string(text: str) -> str:
    return json.dumps(text)  # for text in the Basic Multilingual Plane, a JSON string is a valid TOML basic string


def hostile_directory(folder: Path) -> Path:
    """A record of every kind with the payload in every free-text field, and a file named with it too."""
    p = toml_string(PAYLOAD)
    body = toml_string("Heading:\n- " + PAYLOAD + "\n\n" + PAYLOAD)
    text = f"""
[[principle]]
id = "hostile-principle"
number = 9
title = {p}
summary = {p}
body = {body}
sources = [{{ title = {p}, url = "https://example.org/p", publisher = {p} }}]

[[strategy]]
id = "hostile-howto"
title = {p}
summary = {p}
body = {p}
steps = [{p}, {p}]
aliases = [{p}]
offers = ["hostile-offer"]
related = ["hostile-van"]
sources = [{{ title = {p}, url = "https://example.org/s", publisher = {p} }}]

[[service]]
id = "hostile-van"
name = {p}
summary = {p}
offers = ["hostile-offer", "naloxone"]
access = ["in-person", "phone"]
coverage = ["US-MD"]
eligibility = {p}
hours_note = {p}
address = {{ street = {p}, city = {p}, region = "MD", postal_code = "21201", country = "US" }}
lat = 39.2946
lon = -76.6252
timezone = "America/New_York"
hours = [{{ days = ["mon"], opens = "09:00", closes = "17:00" }}]
sources = [{{ title = {p}, url = "https://example.org/v", publisher = {p} }}]
provenance = {{ system = {p} }}

[[offer]]
id = "hostile-offer"
label = {p}
aliases = [{p}]
description = {p}
"""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hostile.toml").write_text(text, encoding="utf-8")
    # A problem in a file whose very name is hostile: the warning names the file.
    bad_id = toml_string("bad " + PAYLOAD)
    (folder / "odd \x1b[2J name.toml").write_text(f'[[strategy]]\nid = {bad_id}\ntitle = "t"\nsummary = "s"\n', encoding="utf-8")
    return folder


def assert_safe(text: str, where: str) -> None:
    leftover = SGR.sub("", text).replace("\n", "").replace("\t", "")
    assert not RAW.search(leftover), f"{where}: raw control characters reach the terminal: {RAW.findall(leftover)!r}"


COMMAND_LINES = [
    ["search", "x", "y", "evil", "hostile"],
    ["show", "hostile-van"], ["show", "hostile-howto"], ["show", "hostile-principle"], ["show", "hostile-offer"],
    ["principles"], ["strategies"], ["offers"],
    ["services", "--near", "21201"], ["services", "evil", "--near", "21201", "--offers", "hostile-offer"],
    ["info"], ["validate"],
]


@pytest.mark.parametrize("args", COMMAND_LINES, ids=lambda a: " ".join(a))
def test_hostile_text_in_every_field_prints_literally_in_every_mode(cli, tmp_path, args):
    folder = hostile_directory(tmp_path / "hostile")
    for mode in ("human", "--plain", "--json", "--jsonl"):
        for color in ("always", "never"):
            flags = [] if mode == "human" else [mode]
            result = cli("--data", folder, "--color", color, *args, *flags, tty=mode == "human")
            label = f"{' '.join(args)} {mode} {color}"
            assert result.exit_code in {0, 3}, (label, result.stderr)
            assert_safe(result.stderr, label + " stderr")
            if mode in ("--json", "--jsonl"):
                assert not RAW.search(result.stdout), label  # JSON escapes control characters, never prints them
                continue
            assert_safe(result.stdout, label)
            if mode == "human" and args[0] not in ("info", "validate"):
                assert "[red]x[/red]" in result.stdout, label  # markup printed, not obeyed
            if color == "never":
                assert "\x1b" not in result.stdout, label


def test_json_carries_the_hostile_text_exactly(cli, tmp_path):
    folder = hostile_directory(tmp_path / "hostile")
    (van,) = json.loads(cli("--data", folder, "show", "hostile-van", "--json").stdout)
    assert van["name"] == van["summary"] == van["address"]["street"] == van["provenance"]["system"] == PAYLOAD
    (offer,) = json.loads(cli("--data", folder, "show", "hostile-offer", "--json").stdout)
    assert offer["aliases"] == [PAYLOAD]


# --- malformed data: each problem reported, the rest loads ---------------------------------------

GOOD = '[[strategy]]\nid = "good-tip"\ntitle = "Good tip for zebra crossings"\nsummary = "Still answers."\n'


def answers_despite(cli, folder: Path, *expected: str) -> None:
    """A search still answers from the good file, warning about each problem; validate lists them and exits 3."""
    result = cli("search", "zebra", "--json", "--data", folder)
    assert result.exit_code == 0, result.stderr
    assert [hit["id"] for hit in json.loads(result.stdout)] == ["good-tip"]
    for text in expected:
        assert text in result.stderr, (text, result.stderr)
    checked = cli("validate", folder)
    assert checked.exit_code == 3 and all(text in checked.stdout for text in expected)


def test_toml_syntax_error_names_line_and_column(cli, tmp_path):
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "broken.toml").write_text('[[strategy]]\nid = "x"\ntitle = "unterminated\nsummary = "s"\n')
    answers_despite(cli, tmp_path, "broken.toml: TOML syntax error", "line 3, column")


def test_wrong_types_skip_only_their_record(cli, tmp_path):
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "types.toml").write_text('[[service]]\nid = "typed"\nname = 7\nlat = "39.2"\nlon = -76.6\n'
                                         '[[strategy]]\nid = "listy"\ntitle = "T"\nsummary = "S"\nsteps = "one step"\n'
                                         '[[strategy]]\nid = true\n[[offer]]\n')
    answers_despite(cli, tmp_path, 'service[0] "typed": name: expected a string, got 7', 'lat: expected a number, got "39.2"',
                    'strategy[0] "listy": steps: expected a list of strings', "strategy[1]: id: expected a string, got true")


def test_a_one_mebibyte_field(cli, tmp_path):
    huge = "harm reduction " * (1024 * 1024 // 15)
    (tmp_path / "huge.toml").write_text(f'[[strategy]]\nid = "huge-tip"\ntitle = "Huge"\nsummary = "{huge}"\n'
                                        f'[[service]]\nid = "huge-van"\nname = "Van"\nlat = "{huge}"\n')
    (tmp_path / "good.toml").write_text(GOOD)
    result = cli("search", "harm", "reduction", "--json", "--data", tmp_path)
    assert result.exit_code == 0
    assert "huge-tip" in [hit["id"] for hit in json.loads(result.stdout)]
    (warning,) = [line for line in result.stderr.splitlines() if "huge-van" in line]
    assert len(warning) < 300 and warning.endswith('...')  # the value is shown cut short
    shown = cli("show", "huge-tip", "--json", "--data", tmp_path)
    assert len(json.loads(shown.stdout)[0]["summary"]) == len(huge)


def test_empty_and_non_utf8_files(cli, tmp_path):
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "empty.toml").write_text("")
    (tmp_path / "latin1.toml").write_bytes('[[strategy]]\nid = "caf\xe9"\n'.encode("latin-1"))
    (tmp_path / "binary.toml").write_bytes(os.urandom(4096).replace(b"\n", b"") + b"\xff")
    answers_despite(cli, tmp_path, "latin1.toml: is not UTF-8 text (line 2)", "binary.toml: is not UTF-8")


def test_a_folder_that_cannot_be_read(cli, tmp_path, monkeypatch):
    (tmp_path / "good.toml").write_text(GOOD)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "secret.toml").write_text(GOOD.replace("good-tip", "secret-tip"))
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == locked:  # what a folder without read permission does, even for root
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    answers_despite(cli, tmp_path, "locked: cannot read this folder (Permission denied)")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder regardless of permissions")
def test_a_folder_without_read_permission(cli, tmp_path):
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked").chmod(0)
    try:
        answers_despite(cli, tmp_path, "cannot read this folder")
    finally:
        (tmp_path / "locked").chmod(0o755)


def test_a_symbolic_link_loop(cli, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "good.toml").write_text(GOOD)
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d")
    (tmp_path / "d" / "self.toml").symlink_to(tmp_path / "d" / "self.toml")  # a link to itself: unreadable
    answers_despite(cli, tmp_path / "d", "links back to a folder already read", "self.toml: cannot read this file")


def test_ten_thousand_files_in_one_folder(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(store_files, "RACY_NS", -1)  # let the cache keep files written seconds ago
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(10_000):
        text = f'[[strategy]]\nid = "tip-{n:05d}"\ntitle = "Tip {n}"\nsummary = "Number {n}."\n'
        (folder / f"{n:05d}.toml").write_text(text if n % 1000 else text.replace('"\nsummary', '\nsummary'))  # unterminated
    result = cli("search", "tip", "--json", "--limit", "3", "--data", folder)
    assert result.exit_code == 0
    assert result.stderr.count("TOML syntax error") == 10  # each broken file reported
    info = json.loads(cli("info", "--json", "--data", folder).stdout)
    assert info["layers"][-1]["files"] == 10_000 and info["layers"][-1]["records"] == {"strategy": 9_990}
    assert info["cache"]["state"] == "fresh"


# --- hostile queries ------------------------------------------------------------------------------

def one_of_each_category() -> str:
    """A character of every Unicode general category (surrogates and unassigned included)."""
    found: dict[str, str] = {}
    for code in range(0x110000):
        found.setdefault(unicodedata.category(chr(code)), chr(code))
    return "".join(found.values())


@pytest.mark.parametrize("query", [
    "x" * 10_000, " ".join(["naloxone"] * 2_000), "", " ", "\x00\x01\x1b[2J\x7f\x9b", "\u202enaloxone", one_of_each_category(),
    "narcan" + "\u0301" * 5000, "ﷺ" * 100, "[red]narcan[/red]", "-", "--", "'; DROP TABLE services; --",
], ids=lambda q: repr(q[:20]))
def test_hostile_queries(cli, query):
    for mode in ("--json", "--plain", None):
        result = cli("search", *([mode] if mode else []), "--", query, tty=mode is None)
        assert result.exit_code in DOCUMENTED, result.stderr
        assert result.exit_code != 70 and "internal error" not in result.stderr
        assert_safe(result.stderr, "stderr")
        if mode == "--json":
            assert isinstance(json.loads(result.stdout), list)


TEXT = st.text(alphabet=st.characters(codec=None), max_size=60)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(query=TEXT)
def test_fuzzed_search(cli, query):
    result = cli("search", "--json", "--", query)
    assert result.exit_code in DOCUMENTED - {3, 4}, result.stderr
    assert "internal error" not in result.stderr


@FUZZ
@given(place=TEXT, when=TEXT, words=TEXT)
def test_fuzzed_places_and_hours(cli, place, when, words):
    result = cli("services", "--near", place, "--open-at", when, "--json", "--", words)
    assert result.exit_code in DOCUMENTED - {3}, result.stderr
    assert "internal error" not in result.stderr
    assert_safe(result.stderr, "stderr")


@FUZZ
@given(args=st.lists(TEXT, max_size=4))
def test_fuzzed_command_lines(cli, args):
    result = cli(*args)
    assert result.exit_code in DOCUMENTED, result.stderr
    assert "internal error" not in result.stderr


# --- interrupts -----------------------------------------------------------------------------------

def ctrl_c(fd):
    """What the user's Ctrl-C does to a write: arrive after its bytes, before it is in place."""
    raise KeyboardInterrupt


@pytest.fixture
def interrupt_writes(cli, monkeypatch):
    """Interrupt the next file written; the cache is written first, so that it is the command's own file."""
    import hrfind.atomic

    def arm():
        assert cli("info", "--json").exit_code == 0
        monkeypatch.setattr(hrfind.atomic.os, "fsync", ctrl_c)

    return arm


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_ctrl_c_during_export_leaves_no_partial_file(cli, tmp_path, interrupt_writes):
    interrupt_writes()
    old = tmp_path / "old.json"
    old.write_text("[]\n")
    for args in (["--format", "json", "-o", tmp_path / "all.json"], ["--format", "json", "-o", old],
                 ["--format", "hsds", "-o", tmp_path / "package.zip"]):
        result = cli("export", *args)
        assert result.exit_code == 130 and "interrupted" in result.stderr
    assert files_in(tmp_path) == ["old.json"] and old.read_text() == "[]\n"


def test_ctrl_c_during_import_leaves_no_partial_file(cli, shared, tmp_path, interrupt_writes):
    interrupt_writes()
    out = tmp_path / "out"
    out.mkdir()
    result = cli("import", "hsds", shared / "fixtures" / "hsds" / "ohana-sample", "-o", out / "ohana.toml")
    assert result.exit_code == 130 and "interrupted" in result.stderr
    assert files_in(out) == []


def test_ctrl_c_while_reading_data_exits_130(cli, monkeypatch, tmp_path):
    def interrupted(path, origin):
        raise KeyboardInterrupt

    monkeypatch.setattr(catalog, "read_file", interrupted)
    result = cli("search", "naloxone", "--json")
    assert result.exit_code == 130 and result.stdout == ""


def test_ctrl_c_while_writing_the_cache(cli, isolated, monkeypatch):
    from hrfind.store import build

    monkeypatch.setattr(build._Writer, "finish", lambda *args: ctrl_c(None))
    result = cli("search", "naloxone", "--json")
    assert result.exit_code == 130 and result.stdout == ""
    assert [p for p in isolated.rglob("*") if p.is_file()] == []


# --- privacy ----------------------------------------------------------------------------------------

def test_no_query_text_is_written_anywhere(cli, isolated, tmp_path, monkeypatch):
    monkeypatch.setattr(store_files, "RACY_NS", -1)
    monkeypatch.chdir(tmp_path)
    folder = hostile_directory(tmp_path / "data")
    secret = "zqxsecretwordzq"
    for args in (["search", secret], ["search", f"naloxone {secret}", "--json"], ["search", secret, "--kind", "service"],
                 ["services", secret, "--near", "21201"], ["services", "--near", f"{secret}, MD"],
                 ["services", "--near", "21201", "--open-at", secret], ["show", secret], ["search", "narcan", "--offers", secret]):
        cli(*args)
        cli("--data", folder, *args)
    written = [p for root in (isolated, tmp_path) for p in root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite" for p in written), "the store was written, so this looked where queries could go"
    for path in written:
        assert secret.encode() not in path.read_bytes(), f"{path} holds the query"


# --- the command table ------------------------------------------------------------------------------

def test_every_command_is_in_the_table_and_every_entry_is_a_command():
    fresh = runner.App(COMMANDS)
    for module in dict.fromkeys(COMMANDS.values()):
        before = set(fresh.later)
        importlib.import_module(module).register(fresh)
        assert set(fresh.later) - before == {name for name, owner in COMMANDS.items() if owner == module}, module
