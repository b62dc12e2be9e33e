#!/usr/bin/env python3
"""Compare alliance-sim's voting power with the Python package powerindex on shared games.

Runs the Rust side, `target/release/examples/power_games --reps N` (build it with
`cargo build --release --example power_games`), which prints each reference game (weights,
quota), our indices and our median times on one thread as JSON. Then computes the same plain
weighted games with powerindex (`Game(quota, weights=...)`, `calc_banzhaf()` and
`calc_shapley_shubik()`, both normalized indices), times them the same way (median of N), checks
that every index agrees with ours to 1e-12 and prints the times and their ratio. Games with
conditions on sizes (the EU's double majority) are ours alone: powerindex takes one quota.

powerindex computes the Shapley-Shubik index with float(n!), which overflows from 171 players:
that case is only attempted with --attempt-overflow (it then builds its whole table first,
about 25 s and 2 GB for 193 players, before failing), and otherwise reported as not run.
Exits 1 when an index disagrees, 2 on a usage or set-up error.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

TOLERANCE = 1e-12
# float(math.factorial(n)) raises OverflowError from n = 171 on.
FLOAT_FACTORIAL_MAX = 170


def ours(binary: str, reps: int, games: str | None) -> dict:
    cmd = [binary, "--reps", str(reps)]
    if games:
        cmd += ["--games", games]
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    except FileNotFoundError:
        sys.exit(f"powerindex_peer: {binary} not found; build it with "
                 "`cargo build --release --example power_games`")
    except subprocess.CalledProcessError as e:
        sys.exit(f"powerindex_peer: {' '.join(cmd)} failed: {e.stderr.strip()}")
    return json.loads(out)


def timed(reps: int, f):
    times, result = [], None
    for _ in range(reps):
        t = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t)
    return result, statistics.median(times)


def max_diff(xs, ys) -> float:
    if len(xs) != len(ys):
        return math.inf
    return max((abs(a - b) for a, b in zip(xs, ys)), default=0.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="target/release/examples/power_games",
                    help="the power_games example, built in release")
    ap.add_argument("--reps", type=int, default=5, help="repetitions; medians are reported")
    ap.add_argument("--games", default=None,
                    help="comma-separated games (default: all of power_games)")
    ap.add_argument("--attempt-overflow", action="store_true",
                    help="also run powerindex's Shapley-Shubik index where float(n!) overflows")
    a = ap.parse_args()
    if a.reps < 1:
        ap.error("--reps must be at least 1")
    try:
        import powerindex as px
    except ImportError:
        print("powerindex_peer: the package powerindex is not installed "
              "(pip install -r bench/peers/requirements.txt)", file=sys.stderr)
        return 2

    data = ours(os.path.abspath(a.bin), a.reps, a.games)
    failures = []
    print(f"voting power: alliance-sim against powerindex, median of {a.reps}, one thread each")
    print(f"  {'game':<20} {'players':>7}  {'index':<15} {'ours (s)':>10} {'powerindex (s)':>15} "
          f"{'peer/ours':>10}  agreement")
    for g in data["games"]:
        name, n = g["name"], g["players"]
        rows = [("banzhaf", g["seconds_banzhaf"]), ("shapley_shubik", g["seconds_all"])]
        if not g["plain_weighted"]:
            for index, secs in rows:
                print(f"  {name:<20} {n:>7}  {index:<15} {secs:>10.6f} {'-':>15} {'-':>10}  "
                      "not comparable: powerindex takes one quota, not conditions on sizes")
            continue
        quota, weights = int(g["quota"]), g["weights"]
        for index, secs in rows:
            if index == "shapley_shubik" and n > FLOAT_FACTORIAL_MAX and not a.attempt_overflow:
                print(f"  {name:<20} {n:>7}  {index:<15} {secs:>10.6f} {'not run':>15} {'-':>10}  "
                      f"powerindex computes float({n}!), which overflows (--attempt-overflow)")
                continue

            def run():
                game = px.Game(quota, weights=list(weights))
                if index == "banzhaf":
                    game.calc_banzhaf()
                    return game.banzhaf
                game.calc_shapley_shubik()
                return game.shapley_shubik

            reps = a.reps if index == "banzhaf" or n <= 60 else 1
            try:
                values, peer = timed(reps, run)
            except OverflowError as e:
                print(f"  {name:<20} {n:>7}  {index:<15} {secs:>10.6f} {'fails':>15} {'-':>10}  "
                      f"powerindex raised OverflowError: {e}")
                continue
            mine = g["banzhaf_normalized"] if index == "banzhaf" else g["shapley_shubik"]
            d = max_diff(values, mine)
            ok = d <= TOLERANCE
            if not ok:
                failures.append(f"{name} {index}: max |difference| {d:.3g}")
            ratio = f"{peer / secs:.1f}" if secs > 0 else "-"
            print(f"  {name:<20} {n:>7}  {index:<15} {secs:>10.6f} {peer:>15.6f} {ratio:>10}  "
                  f"{'agree' if ok else 'DISAGREE'} (max |diff| {d:.1e})")
    print("  (ours: CountedGame::banzhaf for banzhaf, CountedGame::indices, every index, for "
          "shapley_shubik; peer/ours > 1 means alliance-sim is faster)")
    if failures:
        print("disagreements beyond 1e-12:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
