"""info, validate and schema."""

import json
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "fixtures" / "sample.toml"


def test_validate_bundled_and_sample_is_clean(cli):
    result = cli("validate", SAMPLE)
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    assert result.stderr.startswith("hrfind: ok: ")


def test_validate_lists_every_problem_and_exits_3(cli, tmp_path):
    bad = tmp_path / "local.toml"
    bad.write_text(
        '[[service]]\nid = "a"\nname = "A"\n\n'
        '[[service]]\nid = "b"\nname = "B"\n\n'
        '[[service]]\nid = "c"\nname = "C"\n\n'
        '[[service]]\nid = "harbor-van"\nname = "Van"\nlat = "39.2"\nlon = 1\ncots = "free"\noffers = ["narcan"]\n'
    )
    result = cli("validate", bad)
    assert result.exit_code == 3
    assert result.stdout.splitlines() == [
        f'{bad}: service[3] "harbor-van": lat: expected a number, got "39.2"',
        f'{bad}: service[3] "harbor-van": cots: unknown key (ignored); did you mean "cost"?',
    ]
    assert "2 problem(s) in" in result.stderr


def test_validate_json(cli, tmp_path):
    bad = tmp_path / "local.toml"
    bad.write_text('[[strategy]]\nid = "x"\ntitle = "X"\nsummary = "S"\nrelated = ["nowhere"]\n')
    result = cli("validate", bad, "--json")
    assert result.exit_code == 3
    (problem,) = json.loads(result.stdout)
    assert problem["file"] == str(bad) and problem["field"] == "related" and problem["id"] == "x"
    assert problem["fatal"] is False


def test_validate_syntax_error_has_line_and_column(cli, tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text('[[service]]\nid = "x"\nname = \n')
    result = cli("validate", bad)
    assert result.exit_code == 3
    assert "TOML syntax error" in result.stdout and "line 3" in result.stdout and "column" in result.stdout


def test_validate_missing_path(cli, tmp_path):
    result = cli("validate", tmp_path / "missing.toml")
    assert result.exit_code == 2
    assert "No data file or folder at" in result.stderr


def test_info_lists_layers_counts_and_overrides(cli, tmp_path):
    override = tmp_path / "mine.toml"
    override.write_text('[[strategy]]\nid = "naloxone"\ntitle = "Our naloxone"\nsummary = "S"\nreviewed = 2020-01-01\n')
    info = json.loads(cli("--data", override, "info", "--json").stdout)
    assert [layer["layer"] for layer in info["layers"]] == ["bundled", "--data"]
    assert info["layers"][1]["records"] == {"strategy": 1}
    assert info["overrides"] == [{"id": "naloxone", "kind": "strategy", "replaced": "bundled:strategies/naloxone.toml", "by": str(override)}]
    assert info["oldest_reviewed"] == "2020-01-01"
    assert info["counts"]["principle"] == 8


@pytest.mark.parametrize("mode", ["--plain", None])
def test_info_other_modes(cli, mode):
    result = cli("info", *([mode] if mode else []), tty=mode is None)
    assert result.exit_code == 0
    assert "bundled" in result.stdout


def test_schema_describes_the_json_output(cli):
    schema = json.loads(cli("schema").stdout)
    assert schema["type"] == "array"
    assert set(schema["$defs"]) >= {"principle", "strategy", "service", "offer", "Source", "Hours", "Address"}
    service = json.loads(cli("schema", "service").stdout)
    assert {"kind", "distance_mi", "open_now", "origin", "score"} <= set(service["properties"])


def test_json_output_matches_schema_keys(cli):
    schema = json.loads(cli("schema", "strategy").stdout)
    (record,) = json.loads(cli("show", "naloxone", "--json").stdout)
    assert set(record) <= set(schema["properties"])
    assert set(schema["required"]) <= set(record)


def test_every_command_is_documented_in_the_readme(cli):
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    from hrfind.cli import app
    import typer.main

    commands = typer.main.get_command(app).commands
    for name, command in commands.items():
        assert f"hrfind {name}" in readme, f"README does not show `hrfind {name}`"
        assert command.help, f"{name} has no help text"
