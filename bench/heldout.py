#!/usr/bin/env python3
"""Score `hrfind search` on held-out queries by shape; out-of-scope queries pass when nothing is found.

usage: python bench/heldout.py [QUERIES.toml ...] [--hrfind CMD] [--verbose]

Each query has `q`, `expect` (ids; empty for a query hrfind should not answer) or `expect_kind`,
and a `shape` (question, slang, emergency, typo, out-of-scope). A query with expectations passes
at rank k when one of them is among the first k results, as ../shared/eval/relevance.py counts.
Prints hit@1, hit@3 and MRR for each shape and for all answerable queries, and the share of
out-of-scope queries that found nothing. Misses are listed only with --verbose, so that reading
the numbers does not mean reading the queries.
"""
import argparse
import json
import pathlib
import shlex
import subprocess
from collections import defaultdict

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib


def rank_of(hits, query):
    expect, kind = set(query.get("expect", [])), query.get("expect_kind")
    for i, hit in enumerate(hits, 1):
        if hit.get("id") in expect or (kind and hit.get("kind") == kind):
            return i
    return None


def main():
    here = pathlib.Path(__file__).parent
    ap = argparse.ArgumentParser()
    ap.add_argument("queries", nargs="*", default=[str(here / "queries-heldout-2026.toml")])
    ap.add_argument("--hrfind", default="hrfind")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    cmd = shlex.split(args.hrfind)
    by_shape = defaultdict(list)
    for path in args.queries:
        for q in tomllib.loads(pathlib.Path(path).read_text(encoding="utf-8"))["query"]:
            proc = subprocess.run(cmd + ["search", q["q"], "--json", "--limit", "10"], capture_output=True, text=True)
            hits = json.loads(proc.stdout) if proc.returncode == 0 and proc.stdout.strip() else []
            shape = q.get("shape", "question")
            if not q.get("expect") and not q.get("expect_kind"):
                ok = not hits
                by_shape["out-of-scope"].append(ok)
                if args.verbose and not ok:
                    print(f"ANSWERED q={q['q']!r} top3={[h['id'] for h in hits[:3]]}")
                continue
            r = rank_of(hits, q)
            by_shape[shape].append(r)
            if args.verbose and (r is None or r > 3):
                print(f"MISS rank={r} shape={shape} q={q['q']!r} top3={[h['id'] for h in hits[:3]]}")
    answerable = [r for shape, ranks in by_shape.items() if shape != "out-of-scope" for r in ranks]
    for shape, ranks in sorted(by_shape.items()) + [("all answerable", answerable)]:
        if shape == "out-of-scope":
            print(f"{shape:16} found nothing={sum(ranks) / len(ranks):.2f} n={len(ranks)}")
            continue
        n = len(ranks)
        hit1 = sum(r == 1 for r in ranks) / n
        hit3 = sum(bool(r and r <= 3) for r in ranks) / n
        mrr = sum(1 / r for r in ranks if r) / n
        print(f"{shape:16} hit@1={hit1:.2f} hit@3={hit3:.2f} mrr={mrr:.2f} n={n}")


if __name__ == "__main__":
    main()
