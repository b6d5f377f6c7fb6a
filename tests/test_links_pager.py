"""Web addresses are never cut and become hyperlinks only where safe; long views go through a pager that can fail safely."""

import re
import sys
from pathlib import Path

import pytest

from hrfind import pager
from hrfind.environment import Environment
from hrfind.page import safe_url

LONG = "https://example.org/" + "a-very-long-path/" * 8


@pytest.mark.parametrize("url, expected", [
    ("https://example.org/a?b=1;c", "https://example.org/a?b=1;c"),
    ("https://example.org/é", "https://example.org/%C3%A9"),
    ("tel:+18002221222", "tel:+18002221222"),
    ("mailto:help@example.org", "mailto:help@example.org"),
    ("javascript:alert(1)", None),
    ("file:///etc/passwd", None),
    ("http:///no-host", None),
    ("https://example.org/\x1b]8;;\x07", None),
    ("https://example.org/a b", None),
    ("https://example.org/\u202e", None),
])
def test_only_safe_urls_become_links(url, expected):
    assert safe_url(url) == expected


@pytest.mark.parametrize("environ, expected", [
    ({}, False),
    ({"TERM_PROGRAM": "iTerm.app"}, True),
    ({"TERM": "xterm-kitty"}, True),
    ({"VTE_VERSION": "6003"}, True),
    ({"VTE_VERSION": "4000"}, False),
    ({"WT_SESSION": "x"}, True),
    ({"TERM_PROGRAM": "iTerm.app", "FORCE_HYPERLINK": "0"}, False),
    ({"FORCE_HYPERLINK": "1"}, True),
])
def test_hyperlinks_only_on_terminals_known_to_show_them(environ, expected):
    assert Environment(stdout_isatty=True, stderr_isatty=True, environ=environ).hyperlinks() is expected
    if not environ.get("FORCE_HYPERLINK"):
        assert Environment(stdout_isatty=False, stderr_isatty=False, environ=environ).hyperlinks() is False


@pytest.fixture
def long_urls(tmp_path):
    data = tmp_path / "long.toml"
    data.write_text(f'[[service]]\nid = "long"\nname = "Long"\nurl = "{LONG}"\n'
                    f'sources = [{{ title = "Good", url = "{LONG}" }}]\n')
    return ["--no-bundled", "--data", str(data)]


def test_human_view_never_cuts_a_web_address(cli, long_urls):
    out = cli(*long_urls, "show", "long", "--color", "never", tty=True).stdout
    assert out.count(LONG) == 2 and "…" not in out


def test_hyperlinks_carry_only_safe_urls(cli, long_urls):
    out = cli(*long_urls, "show", "long", tty=True, env={"FORCE_HYPERLINK": "1"}).stdout
    assert [t for t in re.findall("\x1b]8;[^;]*;([^\x1b]*)\x1b\\\\", out) if t] == [LONG, LONG]
    assert "\x1b]8" not in cli(*long_urls, "show", "long", tty=True).stdout  # unknown terminal: no links


def test_a_link_to_anything_else_is_only_text():
    import io

    from hrfind import human

    for url in ("javascript:alert(1)", "https://x.org/\x1b]8;;evil\x07"):
        stream = io.StringIO()
        human.console(stream, color=True, terminal=True).print(human.Link(url, links=True), crop=False)
        assert "\x1b]8" not in stream.getvalue() and "\x07" not in stream.getvalue()


def test_search_guidance_of_a_service_shows_its_web_address_whole(cli, long_urls):
    out = cli(*long_urls, "search", "long", "--color", "never", tty=True).stdout
    assert LONG in out


# --- pager ------------------------------------------------------------------------------------

def test_pager_command():
    assert pager.command({}) == ["less", "-FRX"]
    assert pager.command({"PAGER": "more"}) == ["more"]
    assert pager.command({"PAGER": "more", "HRFIND_PAGER": "less -S"}) == ["less", "-S"]
    assert pager.command({"PAGER": "cat"}) is None and pager.command({"PAGER": ""}) is None
    assert pager.command({"PAGER": "less 'unbalanced"}) is None


def test_page_feeds_the_pager_without_hyperlinks(tmp_path):
    out = tmp_path / "paged.txt"
    argv = [sys.executable, "-c", f"import sys; open({str(out)!r}, 'wb').write(sys.stdin.buffer.read())"]
    assert pager.page("one \x1b]8;;https://x.org\x1b\\link\x1b]8;;\x1b\\\n", argv, {})
    assert out.read_text() == "one link\n"


def test_a_pager_that_cannot_start_says_so():
    assert pager.page("text\n", ["/nonexistent/pager"], {}) is False


@pytest.fixture
def terminal(monkeypatch, tmp_path):
    """Pretend stdout really is a 10-row terminal, with a pager that writes what it gets to a file."""
    monkeypatch.setattr(pager, "on_terminal", lambda stream: True)
    monkeypatch.setattr(pager, "rows", lambda: 10)
    paged = tmp_path / "paged.txt"
    return paged, f"{sys.executable} -c \"import sys; open('{paged}', 'w').write(sys.stdin.read())\""


def test_long_output_goes_through_the_pager(cli, terminal):
    paged, command = terminal
    result = cli("show", "naloxone", "--color", "never", tty=True, env={"PAGER": command})
    assert result.exit_code == 0 and result.stdout == ""
    assert "Naloxone (Narcan)" in paged.read_text()


def test_short_output_no_pager_and_a_bad_pager_print_directly(cli, terminal):
    paged, command = terminal
    assert "sample" not in cli("offers", "-n", "2", "--color", "never", tty=True, env={"PAGER": command}).stdout
    assert not paged.exists()  # two lines fit the screen
    assert "Naloxone (Narcan)" in cli("show", "naloxone", "--no-pager", tty=True, env={"PAGER": command}).stdout
    assert "Naloxone (Narcan)" in cli("--no-pager", "show", "naloxone", tty=True, env={"PAGER": command}).stdout
    assert not paged.exists()
    bad = cli("show", "naloxone", tty=True, env={"PAGER": "/nonexistent/pager"})
    assert bad.exit_code == 0 and "Naloxone (Narcan)" in bad.stdout


def test_overdose_never_pages(cli, terminal):
    paged, command = terminal
    assert "CALL 911" in cli("overdose", tty=True, env={"PAGER": command}).stdout
    assert not paged.exists()


def test_services_view_puts_web_only_contacts_below_the_table_whole(cli, tmp_path):
    data = tmp_path / "web.toml"
    data.write_text(f'[[service]]\nid = "web-only"\nname = "Web only"\naccess = ["online"]\ncoverage = ["US"]\nurl = "{LONG}"\n')
    out = cli("--no-bundled", "--data", data, "services", "--near", "21201", "--color", "never", tty=True).stdout
    assert f"  web-only  {LONG}\n" in out and "web: below" in out


def test_phone_numbers_are_tel_links_where_links_are_shown(cli):
    sample = ["--no-bundled", "--data", str(Path(__file__).parent / "fixtures" / "sample.toml")]
    assert "\x1b]8;id=" in cli(*sample, "show", "sample-van", tty=True, env={"FORCE_HYPERLINK": "1"}).stdout
    assert ";tel:4105550142\x1b\\" in cli(*sample, "show", "sample-van", tty=True, env={"FORCE_HYPERLINK": "1"}).stdout
    assert "tel:" not in cli(*sample, "show", "sample-van", tty=True).stdout
