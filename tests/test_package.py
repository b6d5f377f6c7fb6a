"""The wheel is complete, and the installed `hrfind` runs end to end through subprocess."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def installed_hrfind() -> str:
    found = shutil.which("hrfind", path=str(Path(sys.executable).parent))
    if not found:
        pytest.skip("the hrfind script is not installed beside this Python; run the README's install line")
    return found


def run(*args, cwd=None, env=None):
    return subprocess.run([installed_hrfind(), *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=120)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    pytest.importorskip("build")
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (found,) = out.glob("hrfind-*.whl")
    return found


def test_wheel_holds_package_data_and_entry_point(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    data = sorted(n for n in names if n.startswith("hrfind/data/"))
    bundled = sorted("hrfind/data/" + p.relative_to(ROOT / "data").as_posix() for p in (ROOT / "data").rglob("*.toml"))
    assert data == bundled
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "hrfind = hrfind.cli:main" in entry_points
    assert {"hrfind/bundled.sqlite", "hrfind/zips.sqlite"} <= set(names)  # compiled by the build hook
    assert zipfile.ZipFile(wheel).read("hrfind/places.toml") == (ROOT / "places" / "hrfind-places.toml").read_bytes()


def test_the_compiled_files_are_reproducible(wheel, tmp_path):
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (again,) = tmp_path.glob("hrfind-*.whl")
    for name in ("hrfind/bundled.sqlite", "hrfind/zips.sqlite"):
        assert zipfile.ZipFile(wheel).read(name) == zipfile.ZipFile(again).read(name), name


def test_wheel_runs_from_a_fresh_venv_outside_the_repo(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    target = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    # Unpack the wheel as pip would (no network here); dependencies come from this test environment.
    zipfile.ZipFile(wheel).extractall(target)
    python = venv / "bin" / "python"
    deps = os.pathsep.join(p for p in sys.path if p.endswith("site-packages"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": deps}
    where = subprocess.run([str(python), "-c", "import hrfind; print(hrfind.__file__)"], capture_output=True, text=True, cwd=elsewhere, env=env, check=True)
    assert where.stdout.startswith(str(venv)), "hrfind was imported from the checkout, not the wheel"
    env.update(HOME=str(elsewhere), XDG_CACHE_HOME=str(elsewhere / "cache"), XDG_DATA_HOME=str(elsewhere / "data"))
    result = subprocess.run([str(python), "-m", "hrfind", "search", "naloxone", "--json"], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["id"] == "naloxone"
    near = subprocess.run([str(python), "-m", "hrfind", "services", "--near", "21201", "--offers", "moud", "--limit", "3", "--json"],
                          capture_output=True, text=True, cwd=elsewhere, env=env)
    assert near.returncode == 0, near.stderr
    # The federal places come compiled in the wheel: real Baltimore clinics, each listing a medicine
    # (the remote options follow them, as always).
    places = [s for s in json.loads(near.stdout) if s["address"]]
    assert [p["address"]["city"].lower() for p in places] == ["baltimore"] * 3
    assert all({"methadone", "buprenorphine", "naltrexone"} & set(p["offers"]) for p in places)
    assert all(p["origin"] == "bundled:places.toml" for p in places)
    info = subprocess.run([str(python), "-m", "hrfind", "info", "--json"], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert json.loads(info.stdout)["cache"]["state"] == "packaged"
    assert not (elsewhere / "cache").exists()  # a fresh install compiles nothing: the first run is like the second


def test_end_to_end_search_and_exit_codes(tmp_path):
    result = run("search", "narcan", "--json", cwd=tmp_path)
    assert result.returncode == 0 and json.loads(result.stdout)[0]["id"] == "naloxone"
    assert run("search", "qqqzzz", "--json", cwd=tmp_path).returncode == 1
    assert run("show", "nothing-here", cwd=tmp_path).returncode == 1
    assert run("search", "--bogus", cwd=tmp_path).returncode == 2


def test_end_to_end_piped_output_is_plain(tmp_path):
    result = run("principles", cwd=tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 8 and all(line.startswith("principle\t") for line in lines)
    assert "\x1b[" not in result.stdout


def test_end_to_end_overdose_needs_nothing(tmp_path):
    result = run("overdose", cwd=tmp_path, env={"HRFIND_DATA": str(tmp_path / "missing"), "HOME": str(tmp_path)})
    assert result.returncode == 0 and "overdose-response" in result.stdout


def test_end_to_end_python_m(tmp_path):
    result = subprocess.run([sys.executable, "-m", "hrfind", "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("hrfind ")
