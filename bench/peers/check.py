#!/usr/bin/env python3
"""Check that the numpy and Mesa peers reproduce alliance-sim's outcome distribution.

Runs the tool (`run FILE --runs N --out TMP -q`, counts from outcomes.csv), numpy_peer.py with N
runs and mesa_peer.py with min(N, --mesa-runs) runs, and compares each level's probability with a
two-proportion z-test (pooled), |z| < 3.29 (99.9%, two-sided); levels with both counts 0 are
skipped. Exits 1 on any disagreement.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
Z_CRIT = 3.29


def tool_counts(binary, scenario, runs, seed, rule):
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [binary, "run", scenario, "--runs", str(runs), "--out", tmp, "-q"]
        if seed is not None:
            cmd += ["--seed", str(seed)]
        if rule:
            cmd += ["--rule", rule]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(Path(tmp) / Path(scenario).stem / "outcomes.csv", newline="") as f:
            rows = sorted(csv.DictReader(f), key=lambda r: int(r["level"]))
    return [int(r["count"]) for r in rows]


def peer(script, scenario, runs, seed, binary, rule, extra=()):
    cmd = [sys.executable, str(HERE / script), "--scenario", scenario, "--runs", str(runs),
           "--seed", str(seed), "--bin", binary, *extra]
    if rule:
        cmd += ["--rule", rule]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def z_test(c1, n1, c2, n2):
    p = (c1 + c2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0 if c1 / n1 == c2 / n2 else math.inf
    return (c1 / n1 - c2 / n2) / se


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--runs", type=int, default=20000)
    ap.add_argument("--mesa-runs", type=int, default=2000, help="cap on the Mesa peer's runs")
    ap.add_argument("--mesa-mode", choices=["batch_run", "loop"], default="batch_run")
    ap.add_argument("--seed", type=int, default=12345, help="seed for the tool and the peers")
    ap.add_argument("--bin", default="target/release/alliance-sim")
    ap.add_argument("--rule", default=None, help="rule label instead of the scenario's")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)

    ref = tool_counts(binary, a.scenario, a.runs, a.seed, a.rule)
    nref = sum(ref)
    peers = [("numpy", peer("numpy_peer.py", a.scenario, a.runs, a.seed + 1, binary, a.rule)),
             ("mesa", peer("mesa_peer.py", a.scenario, min(a.runs, a.mesa_runs), a.seed + 2,
                           binary, a.rule, ["--mode", a.mesa_mode]))]
    rule = peers[0][1]["rule"]
    print(f"{a.scenario}  rule {rule}  tool runs {nref}")
    for name, res in peers:
        print(f"  {name}: {res['runs']} runs, {res['runs_per_second']:,.0f} runs/s")
    print(f"{'level':>5} {'tool p':>9} " + " ".join(f"{n + ' p':>9} {'z':>7}" for n, _ in peers))
    failures = []
    for k in range(len(ref)):
        line = f"{k:>5} {ref[k] / nref:>9.5f} "
        for name, res in peers:
            c, n = res["counts"], res["runs"]
            if len(c) != len(ref):
                failures.append(f"{name}: {len(c)} levels, tool has {len(ref)}")
                continue
            if ref[k] == 0 and c[k] == 0:
                line += f"{c[k] / n:>9.5f} {'-':>7} "
                continue
            z = z_test(ref[k], nref, c[k], n)
            flag = "" if abs(z) < Z_CRIT else "!"
            line += f"{c[k] / n:>9.5f} {z:>6.2f}{flag or ' '} "
            if flag:
                failures.append(f"{name}: level {k}: p = {c[k] / n:.5f} ({c[k]}/{n}) vs tool "
                                f"{ref[k] / nref:.5f} ({ref[k]}/{nref}), z = {z:.2f}, |z| >= {Z_CRIT}")
        print(line.rstrip())
    if failures:
        print("DISAGREEMENT:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print(f"OK: every level agrees (|z| < {Z_CRIT}, two-proportion z-test, 99.9%)")


if __name__ == "__main__":
    main()
