"""Time the federal places layer (places/hrfind-places.toml) given with --data, cold and warm.

    .venv/bin/python bench/places.py               # about two minutes on 2 cores
    .venv/bin/python bench/places.py --runs 5 --cold-runs 3

Each figure is the median of fresh processes, alternating with the baseline
`python -c "import typer, rapidfuzz.process"` as bench/run.py does. "cold" starts from an empty
cache each run (the first run after installing, or after the file changed); "warm" reads the
compiled cache. The layer is not bundled: bundling it awaits the compiled store (issue 10).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

from run import BASELINE, HRFIND, MIB, ROOT, environment, paired, run_once

LAYER = ROOT / "places" / "hrfind-places.toml"
COMMANDS = {
    "services --near 21201 --offers moud": ["services", "--near", "21201", "--offers", "moud", "--limit", "10", "--json"],
    "search naloxone": ["search", "naloxone", "--json"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="warm runs of each command (default 7)")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold runs of each command (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        env = environment(home)
        print(f"places layer: {LAYER.stat().st_size / MIB:.1f} MiB")
        print("| command | cold median s | warm median s | baseline s | warm / baseline | peak RSS MiB |")
        print("|---|---|---|---|---|---|")
        for label, command in COMMANDS.items():
            full = HRFIND + ["--data", str(LAYER)] + command
            cold = []
            for _ in range(args.cold_runs):
                shutil.rmtree(home / "cache", ignore_errors=True)
                cold.append(run_once(full, env))
            warm, base = paired(full, env, BASELINE, env, args.runs)
            peak = max(warm.peak, max(r[1] for r in cold)) / MIB
            print(f"| `{label}` | {statistics.median(r[0] for r in cold):.2f} | {warm.median:.2f} | {base.median:.2f} | "
                  f"{warm.median / base.median:.2f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
