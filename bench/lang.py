#!/usr/bin/env python3
"""What answering in Spanish costs: each command run with and without `--lang es`, alternately.

usage: python bench/lang.py [--hrfind PATH] [--runs N]

Times hrfind as installed (a wheel install, so that the bundled store is the packaged one) and
prints, for each command, the median of N runs in English and in Spanish and their ratio. The
runs alternate, so that a busy machine slows both alike. Issue 13's bar: `--lang es` costs no
more than 10% over the English run of the same command.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

COMMANDS = [
    ["overdose"],
    ["overdose", "--json"],
    ["search", "naloxone", "--json"],
    ["search", "jeringas", "limpias", "--json"],
    ["show", "naloxone"],
    ["services", "--near", "21201", "--offers", "naloxone", "--limit", "10", "--json"],
]


def timed(argv, env):
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hrfind", default=shutil.which("hrfind") or "hrfind")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    home = tempfile.mkdtemp()
    env = {**os.environ, "HOME": home, "XDG_CACHE_HOME": f"{home}/cache", "XDG_DATA_HOME": f"{home}/data", "LANG": "C.UTF-8"}
    env.pop("HRFIND_LANG", None)
    print(f"{args.runs} runs each, alternating; load average {os.getloadavg()[0]:.1f}")
    print("| command | English | --lang es | ratio |\n|---|---|---|---|")
    for command in COMMANDS:
        english, spanish = [], []
        for argv in ([args.hrfind, *command], [args.hrfind, "--lang", "es", *command]):
            timed(argv, env)  # the first run after install warms the disk cache
        for _ in range(args.runs):
            english.append(timed([args.hrfind, *command], env))
            spanish.append(timed([args.hrfind, "--lang", "es", *command], env))
        en, es = statistics.median(english), statistics.median(spanish)
        print(f"| `{' '.join(command)}` | {en * 1000:.0f} ms | {es * 1000:.0f} ms | {es / en:.2f}x |")


if __name__ == "__main__":
    main()
