"""Time whole hrfind processes against the bars of issue 10 and write bench/RESULTS.md.

    .venv/bin/python bench/run.py                                  # 10,000 and 100,000 services
    .venv/bin/python bench/run.py --sizes 10000,100000,300000      # and more

hrfind runs as installed from a wheel (built here and unpacked into a temporary folder), so the
bundled data and the ZIP table are the compiled files the wheel carries. Every figure is the
median of several runs of a fresh process; warm runs alternate with the import floor
`python -c "import typer, rapidfuzz.process"`, so that a busy machine slows both alike, and each
ratio is against the floor measured in the same loop. Peak memory is each process's own maximum
resident set (os.wait4), the largest of its runs. Runs use an empty home in a temporary folder.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
FLOOR = [PYTHON, "-c", "import typer, rapidfuzz.process"]
NEAR = ["services", "--near", "21201", "--offers", "naloxone", "--limit", "10", "--json"]
SEARCH = ["search", "harm reduction van", "--limit", "10", "--json"]
MIB = 1024 * 1024


class Timing:
    def __init__(self, results: list[tuple[float, int, int]]):
        self.median = statistics.median(r[0] for r in results)
        self.peak = max(r[1] for r in results) / MIB
        self.codes = {r[2] for r in results}


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Wall time, peak resident memory in bytes, and exit status of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)


def paired(command: list[str], env: dict[str, str], runs: int) -> tuple[Timing, Timing]:
    """A command and the import floor, run alternately."""
    mine, floor = [], []
    for _ in range(runs):
        floor.append(run_once(FLOOR, env))
        mine.append(run_once(command, env))
    return Timing(mine), Timing(floor)


def parse_seconds(files: list[Path], runs: int = 3) -> float:
    """How long tomli takes to parse these files, in a fresh process (reading them not counted)."""
    script = ("import sys, time, tomli\n"
              "texts = [open(f, encoding='utf-8').read() for f in sys.argv[1:]]\n"
              "start = time.perf_counter()\n"
              "for t in texts: tomli.loads(t)\n"
              "print(time.perf_counter() - start)\n")
    return statistics.median(float(subprocess.run([PYTHON, "-c", script, *map(str, files)], capture_output=True, text=True,
                                                  check=True).stdout) for _ in range(runs))


def installed(work: Path) -> tuple[list[str], dict[str, str]]:
    """hrfind as a wheel installs it: the command, and the environment variables that find it."""
    dist = work / "dist"
    subprocess.run([PYTHON, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = dist.glob("hrfind-*.whl")
    target = work / "site"
    zipfile.ZipFile(wheel).extractall(target)
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(target)], check=True, stdout=subprocess.DEVNULL)
    # -P: the folder a run starts in is not on the path, so a checkout's hrfind cannot stand in for the wheel's.
    return [PYTHON, "-P", "-m", "hrfind"], {"PYTHONPATH": str(target)}


def environment(home: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HRFIND_") and k not in ("NO_COLOR", "PYTHONDONTWRITEBYTECODE")}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / "cache"), XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"), **extra)
    return env


def directory(size: int, out: Path) -> Path:
    """A generated directory of `size` services, made once (in its own process, so that this one stays small)."""
    folder = out / str(size)
    if not (folder / ".complete").exists():
        print(f"generating {size:,} services in {folder} ...", flush=True)
        subprocess.run([PYTHON, str(HERE / "generate.py"), str(size), str(folder)], check=True)
        (folder / ".complete").write_text("")
    settle()
    return folder


def settle() -> None:
    """hrfind does not keep a file changed in the last two seconds in its store (store.files.RACY_NS)."""
    time.sleep(2.5)


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 1024**3:.0f} GiB RAM" if hasattr(os, "sysconf") else ""
    import sqlite3

    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("typer", "rapidfuzz", "msgspec", "tomli", "rich"))
    return [f"- {cpu}, {os.cpu_count()} cores, {memory}; {platform.platform()}",
            f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; {versions}; hrfind {metadata.version('hrfind')}"]


class Report:
    def __init__(self) -> None:
        self.rows: list[str] = []

    def row(self, what: str, figure: str, ratio: str = "", bar: str = "", met: bool | None = None) -> None:
        verdict = "" if met is None else ("met" if met else "**not met**")
        self.rows.append(f"| {what} | {figure} | {ratio} | {bar} | {verdict} |")
        print(f"{what}: {figure} {ratio} {bar} {verdict}", flush=True)


def measure(size: int, folder: Path, work: Path, hrfind: list[str], extra: dict[str, str], args: argparse.Namespace,
            report: Report) -> None:
    judged = size == 100_000
    large = size >= 300_000
    label = f"{size:,}"
    data = ["--data", str(folder)]
    files = sorted(folder.rglob("*.toml"))
    parse = parse_seconds(files)
    peak_bar = 300 if judged else 500 if large else None

    def peak_row(what: str, timing: Timing) -> None:
        report.row(f"{label}: peak memory, {what}", f"{timing.peak:.0f} MiB", "", f"< {peak_bar} MiB" if peak_bar else "",
                   timing.peak < peak_bar if peak_bar else None)

    report.row(f"{label}: load average when its runs began", " / ".join(f"{x:.1f}" for x in os.getloadavg()))
    colds, firsts = [], []
    for n in range(args.cold_runs):
        env = environment(work / f"cold-{size}-{n}", extra)
        colds.append(run_once(hrfind + NEAR + data, env))
        firsts.append(run_once(hrfind + SEARCH + data, env))
        shutil.rmtree(work / f"cold-{size}-{n}", ignore_errors=True)
    cold, first = Timing(colds), Timing(firsts)
    bar = judged or large
    report.row(f"{label}: cold `services --near` (empty cache)", f"{cold.median:.2f} s", f"{cold.median / parse:.2f}x tomli ({parse:.2f} s)",
               "≤ 2x tomli" if bar else "", cold.median <= 2 * parse if bar else None)
    peak_row("cold run", cold)
    report.row(f"{label}: first `search` after it", f"{first.median * 1000:.0f} ms")
    peak_row("first search", first)

    warm = environment(work / f"warm-{size}", extra)
    run_once(hrfind + NEAR + data, warm)
    factor = 1.5 if judged else 2.0 if large else None
    for command, name in ((NEAR, "services --near 21201 --offers naloxone --limit 10 --json"),
                          (SEARCH, 'search "harm reduction van" --limit 10 --json'),
                          (["show", "no-such-record-anywhere"], "show UNKNOWN")):
        timing, floor = paired(hrfind + command + data, warm, args.runs)
        ratio = timing.median / floor.median
        limit = 1.5 if judged and command[0] == "show" else factor if command[0] != "show" else None
        report.row(f"{label}: warm `{name}`", f"{timing.median * 1000:.0f} ms", f"{ratio:.2f}x floor ({floor.median * 1000:.0f} ms)",
                   f"≤ {limit}x floor" if limit else "", ratio <= limit if limit else None)
        peak_row(f"warm `{command[0]}`", timing)

    if args.full or judged:
        edited = files[len(files) // 2]
        original = edited.read_text(encoding="utf-8")
        one = parse_seconds([edited])
        steady = Timing([run_once(hrfind + NEAR + data, warm) for _ in range(3)])
        runs = []
        try:
            for n in range(3):
                edited.write_text(original + f"\n# edited {n}\n", encoding="utf-8")
                settle()
                runs.append(run_once(hrfind + NEAR + data, warm))
        finally:
            edited.write_text(original, encoding="utf-8")
            settle()
        after = Timing(runs)
        extra_time = max(0.0, after.median - steady.median)
        report.row(f"{label}: next run after editing 1 of {len(files)} files", f"{after.median:.2f} s",
                   f"+{extra_time:.2f} s = {extra_time / one:.1f}x its parse ({one * 1000:.0f} ms)",
                   "≤ 3x its parse" if judged else "", extra_time <= 3 * one if judged else None)
        peak_row("after an edit", after)
        for what, command in (("validate", ["validate"] + data),
                              ("export --format hsds", ["export", "--format", "hsds", "-o", str(work / f"hsds-{size}"), "--no-bundled"] + data),
                              ("import hsds", ["import", "hsds", str(work / f"hsds-{size}"), "-o", str(work / f"imported-{size}.toml")])):
            timing = Timing([run_once(hrfind + command, warm)])
            report.row(f"{label}: `{what}`", f"{timing.median:.2f} s", f"exit {sorted(timing.codes)}")
            peak_row(f"`{what}`", timing)


def write(path: Path, report: Report, args: argparse.Namespace) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/run.py` on {datetime.date.today().isoformat()}: medians of {args.runs} warm runs (each "
        f"alternating with the import floor) and {args.cold_runs} cold runs, of hrfind installed from its wheel.",
        "",
        *machine(),
        "",
        "Directories come from `bench/generate.py`: services at real ZIP centroids, with hours, offers and addresses, "
        "2,000 to a file. The bars are those of issue 10; peak memory is the largest of a step's runs.",
        "",
        "| what | median | ratio | bar | |",
        "|---|---|---|---|---|",
        *report.rows,
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="warm runs of each command (median)")
    parser.add_argument("--cold-runs", type=int, default=5, help="runs with an empty cache, per size")
    parser.add_argument("--sizes", default="10000,100000", help="directory sizes to generate and time")
    parser.add_argument("--full", action="store_true", help="edits, validate, export and import at every size")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where generated directories go")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()

    report = Report()
    work = Path(tempfile.mkdtemp(prefix="hrfind-bench-"))
    try:
        hrfind, extra = installed(work)
        bundled = hrfind + ["search", "naloxone", "--json"]
        firsts, seconds = [], []
        for n in range(args.runs):  # a new home each time: nothing of an earlier run can help
            fresh = environment(work / f"fresh-{n}", extra)
            firsts.append(run_once(bundled, fresh))
            seconds.append(run_once(bundled, fresh))
        first, second = Timing(firsts), Timing(seconds)
        report.row("bundled data: first run after install, then the second", f"{first.median * 1000:.0f} ms, {second.median * 1000:.0f} ms",
                   f"{first.median / second.median:.2f}x", "first no slower (within noise)", first.median <= second.median * 1.1)
        timing, floor = paired(bundled, fresh, args.runs)
        report.row("load average when the runs began (other work on the machine)", " / ".join(f"{x:.1f}" for x in os.getloadavg()))
        report.row("bundled data: `search naloxone --json`", f"{timing.median * 1000:.0f} ms",
                   f"{timing.median / floor.median:.2f}x floor ({floor.median * 1000:.0f} ms)", "≤ 1.3x floor",
                   timing.median <= 1.3 * floor.median)
        for size in (int(s) for s in args.sizes.split(",") if s):
            measure(size, directory(size, args.out), work, hrfind, extra, args, report)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write(args.results, report, args)


if __name__ == "__main__":
    main()
