#!/usr/bin/env python3
"""Vectorised numpy peer of alliance-sim's per-run model (docs/MODEL.md).

All runs of a chunk are processed as arrays, with no Python loop over runs:

  perceived components   P = base + eta * Z                 (c, n, 4)   columns B, E, V, T
  utilities, all levels  U = P @ C,  C[:, k] = (e_k, -e_k, -s_k, -t_k)   (c, n, r)
  hegemon pull           U^ = (1 - p_i) U_i + p_i U_h        p_i = d_i off the hegemon/requester
  votes                  yes = U^ > e_k (tau_i + beta),  no = U^ < e_k (tau_i - beta)
                         (the requester votes yes on the requested level r)
  rule                   pass (c, r)
  chair                  adopted = highest passing level <= r, else 0

The generator is numpy's default_rng(seed) (PCG64), not the tool's ChaCha8: only the outcome
distribution is meant to agree. Prints JSON {"runs", "seconds", "runs_per_second", "counts"}.
"""
from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def simulate(m: common.Model, runs: int, seed: int, chunk_elems: int = 1 << 23) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n, r = m.n, m.r
    levels = np.arange(1, r + 1)
    e, s, t = m.effect[levels], m.intrusion[levels], m.troops[levels]
    coef = np.stack([e, -e, -s, -t])                                # (4, r)
    thr_yes = e[None, :] * (m.reservation[:, None] + m.beta)        # (n, r)
    thr_no = e[None, :] * (m.reservation[:, None] - m.beta)         # (n, r)
    kind, param = common.parse_rule(m.rule, m)
    pulled = np.flatnonzero(m.pull > 0)
    p = m.pull[pulled][None, :, None]                               # (1, |pulled|, 1)
    counts = np.zeros(m.K + 1, dtype=np.int64)
    chunk = max(1, min(runs, chunk_elems // (n * max(r, 4))))
    done = 0
    while done < runs:
        c = min(chunk, runs - done)
        P = rng.standard_normal((c, n, 4))
        if m.eta != 1.0:
            P *= m.eta
        P += m.base
        U = P @ coef                                                # (c, n, r)
        if pulled.size:
            Uh = U[:, m.h, None, :]                                 # (c, 1, r)
            U[:, pulled, :] = (1.0 - p) * U[:, pulled, :] + p * Uh
        yes = U > thr_yes
        no = U < thr_no
        if m.q is not None:                                         # the requester votes yes on its request
            yes[:, m.q, r - 1] = True
            no[:, m.q, r - 1] = False
        ok = common.passes(kind, param, yes, no, n, m.h, axis=1)   # (c, r)
        # highest passing level: scan columns from r down; argmax finds the first True
        rev = ok[:, ::-1]
        first = rev.argmax(axis=1)
        adopted = np.where(rev[np.arange(c), first], r - first, 0)
        counts += np.bincount(adopted, minlength=m.K + 1)
        done += c
    return counts


def main() -> None:
    a = common.peer_args(__doc__.splitlines()[0]).parse_args()
    m = common.load(a.bin, a.scenario, a.rule, a.noise)
    t0 = time.perf_counter()
    counts = simulate(m, a.runs, a.seed)
    dt = time.perf_counter() - t0
    print(json.dumps({"peer": "numpy", "numpy": np.__version__, "scenario": a.scenario,
                      "rule": m.rule, "runs": a.runs, "seconds": dt,
                      "runs_per_second": a.runs / dt if dt > 0 else None,
                      "counts": counts.tolist()}))


if __name__ == "__main__":
    main()
