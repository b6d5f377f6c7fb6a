"""Time hrfind installed from its wheel, with the federal places bundled, against the import floor.

    .venv/bin/python bench/places.py               # about a minute on 2 cores
    .venv/bin/python bench/places.py --runs 11

The wheel is built here and unpacked as bench/run.py does. "first run" starts each time from an
empty home and cache (the first run after installing); "later runs" are medians of fresh
processes alternating with the floor `python -c "import typer, rapidfuzz.process"`, so the
ratio compares runs made in the same minutes. Peak RSS is the most of any run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

from run import MIB, environment, installed, paired, run_once

COMMANDS = {
    "search naloxone --json": ["search", "naloxone", "--json"],
    "services --near 21201 --limit 10 --json": ["services", "--near", "21201", "--limit", "10", "--json"],
    "services --near 21201 --offers moud --limit 10 --json": ["services", "--near", "21201", "--offers", "moud", "--limit", "10", "--json"],
    "search methadone clinic --json": ["search", "methadone clinic", "--json"],
    "overdose": ["overdose"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="later runs of each command (default 7)")
    parser.add_argument("--first-runs", type=int, default=3, help="first runs of each command (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        hrfind, extra = installed(work)
        (wheel,) = (work / "dist").glob("hrfind-*.whl")
        print(f"wheel: {wheel.stat().st_size / 1e6:.1f} MB")
        home = work / "home"
        env = environment(home, extra)
        print("| command | first run s | later runs s | floor s | later / floor | peak RSS MiB |")
        print("|---|---|---|---|---|---|")
        for label, command in COMMANDS.items():
            first = []
            for _ in range(args.first_runs):
                shutil.rmtree(home, ignore_errors=True)
                first.append(run_once(hrfind + command, env))
            later, floor = paired(hrfind + command, env, args.runs)
            peak = max(later.peak, max(r[1] for r in first) / MIB)
            print(f"| `{label}` | {statistics.median(r[0] for r in first):.2f} | {later.median:.3f} | {floor.median:.3f} | "
                  f"{later.median / floor.median:.2f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
