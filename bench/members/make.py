#!/usr/bin/env python3
"""Writes the benchmark scenarios of 7, 16, 32 and 64 members (m7.toml ... m64.toml)
and the posterior sample posterior.csv into this folder (issue 16).

The alliances are invented: every number comes from Python's `random` with a
fixed seed per size, spread so that several options are adopted in some runs
under each scenario's rule. They describe no real alliance. The files are
committed; rerun this script (Python 3 standard library only) to remake them
byte for byte:

    python3 bench/members/make.py
"""

import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = (7, 16, 32, 64)
REGIONS = ["north", "south", "east", "west"]
TYPES = ["unrest", "war"]
# Rules chosen per size so that no single option dominates: in 100,000 runs
# (`alliance-sim run FILE --runs 100000`) at least three outcomes each have
# more than 1%.
RULES = {
    7: ('kind = "consensus"', 0.05),
    16: ('kind = "qualified_majority"\nthreshold = 0.8', 0.05),
    32: ('kind = "qualified_majority"\nthreshold = 0.7', 0.05),
    64: ('kind = "qualified_majority"\nthreshold = 0.75', 0.05),
}
OPTIONS = [
    ("statement", "Statement", 0.1, 0.0, 0.0),
    ("sanctions", "Coordinated sanctions", 0.25, 0.0, 0.05),
    ("observers", "Observer mission", 0.4, 0.05, 0.15),
    ("deployment", "Limited deployment", 0.7, 0.35, 0.5),
    ("intervention", "Full intervention", 1.0, 1.0, 1.0),
]
POSTERIOR_DRAWS = 1000


def num(x):
    """A short decimal: at most two decimals, no trailing zeros."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def scenario(n):
    rng = random.Random(1600 + n)
    ids = [f"M{i:02d}" for i in range(n)]
    requester = ids[min(3, n - 1)]
    out = []
    w = out.append
    w(f"# A synthetic alliance of {n} members and {len(OPTIONS)} options, for benchmarks (issue 16).")
    w("# Invented: written by bench/members/make.py with a fixed seed; the numbers are")
    w("# spread so that several outcomes occur and describe no real alliance.")
    w("# Self-contained (no includes) and without distributions: each run draws")
    w(f"# exactly 4 x {n} standard normals (perception noise). bench/run.sh makes its")
    w("# distribution variants on the fly (bench/members/variants.py).")
    w("")
    w("[scenario]")
    w(f'name = "Synthetic {n} members"')
    rule, band = RULES[n]
    w(f'description = "Benchmark scenario: {n} invented members, {len(OPTIONS)} options"')
    w("")
    w("[alliance]")
    w('name = "Synthetic alliance"')
    w('hegemon = "M00"')
    w(f"capacity = {num(rng.uniform(0.4, 0.8))}")
    w(f"regions = {fmt_list(REGIONS)}")
    w(f"crisis_types = {fmt_list(TYPES)}")
    w("")
    w("[alliance.outsiders]")
    w('X1 = "Outside backer"')
    w("")
    w("[crisis]")
    w('name = "Synthetic crisis"')
    w(f'requester = "{requester}"')
    w('type = "unrest"')
    w('region = "south"')
    w('requested = "deployment"')
    w('adversary = "X1"')
    for key, lo, hi in [
        ("severity", 0.6, 0.8),
        ("domestic", 0.5, 0.7),
        ("framing", 0.4, 0.6),
        ("contagion", 0.4, 0.6),
        ("legal_fit", 0.5, 0.7),
        ("legitimacy", 0.5, 0.7),
        ("credibility", 0.5, 0.7),
        ("combat_risk", 0.2, 0.4),
    ]:
        w(f"{key} = {num(rng.uniform(lo, hi))}")
    w("")
    w("[montecarlo]")
    w("runs = 20000")
    w(f"seed = {n}")
    w("noise = 0.3")
    for i, mid in enumerate(ids):
        region = REGIONS[i % len(REGIONS)]
        w("")
        w(f"[members.{mid}]")
        w(f'name = "Member {i}"')
        w(f'region = "{region}"')
        if i == 0:
            w(f"military_spending = {num(rng.uniform(40, 60))}")
            w(f"gdp = {num(rng.uniform(1000, 2000))}")
        else:
            w(f"military_spending = {num(rng.lognormvariate(0.0, 1.0))}")
            w(f"gdp = {num(rng.lognormvariate(4.5, 0.8))}")
            w(f"dependence = {num(rng.uniform(0.1, 0.8))}")
        w(f"sovereignty = {num(rng.uniform(0.05, 0.95))}")
        w(f"vulnerability = {num(rng.uniform(0.1, 0.9))}")
        w(f"reservation = {num(rng.uniform(-0.1, 0.12))}")
        w(f"threat = {{ unrest = {num(rng.uniform(0.1, 1.0))}, war = {num(rng.uniform(0.1, 1.0))} }}")
        concern = ", ".join(
            f"{r} = {'1' if r == region else num(rng.uniform(0.05, 0.8))}" for r in REGIONS
        )
        w(f"concern = {{ {concern} }}")
        aff = []
        if i != 0:
            aff.append(f"M00 = {num(rng.uniform(-0.3, 0.7))}")
        if mid not in (requester,) and requester != "M00":
            aff.append(f"{requester} = {num(rng.uniform(-0.4, 0.7))}")
        aff.append(f"X1 = {num(rng.uniform(-0.6, 0.4))}")
        w(f"affinity = {{ {', '.join(aff)} }}")
    for oid, name, effect, troops, intrusion in OPTIONS:
        w("")
        w("[[options]]")
        w(f'id = "{oid}"')
        w(f'name = "{name}"')
        w(f"effect = {num(effect)}")
        w(f"troops = {num(troops)}")
        w(f"intrusion = {num(intrusion)}")
    w("")
    w("[rule]")
    w(rule)
    w(f"abstention_band = {num(band)}")
    return "\n".join(out) + "\n"


def fmt_list(xs):
    return "[" + ", ".join(f'"{x}"' for x in xs) + "]"


def posterior():
    """1,000 invented draws of noise, abstention_band and every member's cost
    weight, in the format `calibrate` writes (see src/posterior/mod.rs)."""
    rng = random.Random(16)
    lines = ["draw,noise,abstention_band,members.*.weights.cost,log_likelihood"]
    for d in range(POSTERIOR_DRAWS):
        noise = rng.uniform(0.15, 0.35)
        band = rng.uniform(0.02, 0.08)
        cost = rng.uniform(0.7, 1.4)
        ll = -20.0 + rng.uniform(-2.0, 0.0)
        lines.append(f"{d},{noise:.4f},{band:.4f},{cost:.4f},{ll:.4f}")
    return "\n".join(lines) + "\n"


def main():
    for n in SIZES:
        with open(os.path.join(HERE, f"m{n}.toml"), "w", newline="\n") as f:
            f.write(scenario(n))
    with open(os.path.join(HERE, "posterior.csv"), "w", newline="\n") as f:
        f.write(posterior())


if __name__ == "__main__":
    main()
