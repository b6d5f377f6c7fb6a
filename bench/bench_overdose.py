"""What it costs `hrfind overdose` to read no cache: its median against `principles`, which the cache serves.

    .venv/bin/python bench/bench_overdose.py [--runs 41]

Both run in the same loop, one after the other, with a warm cache in a temporary folder, so the
ratio holds on a busy machine. overdose compiles the bundled TOML every time (issue 14: a cache
file someone else could write must never change the emergency text).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=41)
    runs = parser.parse_args().runs
    hrfind = shutil.which("hrfind", path=str(Path(sys.executable).parent)) or sys.exit("install hrfind beside this Python first")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        commands = {"overdose --plain": ["overdose", "--plain"], "principles --plain": ["principles", "--plain"]}
        times: dict[str, list[float]] = {name: [] for name in commands}
        for name, args in commands.items():  # warm the cache and the file system
            subprocess.run([hrfind, *args], stdout=subprocess.DEVNULL, env=env, check=True)
        for _ in range(runs):
            for name, args in commands.items():
                start = time.perf_counter()
                subprocess.run([hrfind, *args], stdout=subprocess.DEVNULL, env=env, check=True)
                times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, median in medians.items():
        print(f"{name:20} {median * 1000:6.0f} ms")
    print(f"overdose / principles: {medians['overdose --plain'] / medians['principles --plain']:.2f}")


if __name__ == "__main__":
    main()
