#!/usr/bin/env python3
"""Mesa 3 peer of alliance-sim's per-run model (docs/MODEL.md).

Members are `Member(mesa.Agent)` agents: each perceives its components with noise and votes
(agent methods). The chair procedure and the decision rule live in `Alliance(mesa.Model)`.
One model step is one meeting (one Monte Carlo run); the adopted level is recorded with a
`mesa.DataCollector`.

Modes:
  --mode batch_run  (default) Mesa's recommended way to repeat a stochastic model:
                    `mesa.batch_run` with one Model instance per run (max_steps=1), each seeded
                    from a numpy SeedSequence spawned from --seed.
  --mode loop       one Model, stepped N times in a plain loop (agents re-perceive every step).

Prints JSON {"runs", "seconds", "runs_per_second", "counts"}, like numpy_peer.py.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import mesa
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

YES, NO, ABSTAIN = "yes", "no", "abstain"


class Member(mesa.Agent):
    """One member state: central components, dependence, reservation; perceives and votes."""

    def __init__(self, model: "Alliance", index: int, ident: str, base, dependence: float,
                 reservation: float, pulled: bool):
        super().__init__(model)
        self.index = index
        self.ident = ident
        self.B, self.E, self.V, self.T = (float(x) for x in base)
        self.dependence = dependence
        self.reservation = reservation
        self.pulled = pulled           # neither hegemon nor requester, and there is a hegemon
        self.perceived = (self.B, self.E, self.V, self.T)

    def perceive(self) -> None:
        """Four independent N(0, eta) draws added to B, E, V, T, once per run."""
        eta = self.model.eta
        if eta > 0:
            z = self.model.rng.standard_normal(4)
            self.perceived = (self.B + eta * z[0], self.E + eta * z[1],
                              self.V + eta * z[2], self.T + eta * z[3])
        else:
            self.perceived = (self.B, self.E, self.V, self.T)

    def utility(self, k: int) -> float:
        """Perceived utility U~_i(k) = e_k (B~ - E~) - s_k V~ - t_k T~."""
        o = self.model.options[k]
        b, e, v, t = self.perceived
        return o["effect"] * (b - e) - o["intrusion"] * v - o["troops"] * t

    def pulled_utility(self, k: int) -> float:
        """U^_i(k): pulled toward the hegemon's perceived utility unless hegemon/requester."""
        u = self.utility(k)
        if self.pulled:
            d = self.dependence
            u = (1.0 - d) * u + d * self.model.hegemon.utility(k)
        return u

    def vote(self, k: int) -> str:
        """Yes / no / abstain against thresholds per unit of effect (strict comparisons);
        the requester votes yes on the option it requested."""
        if self.index == self.model.spec.q and k == self.model.requested:
            return YES
        u = self.pulled_utility(k)
        e = self.model.options[k]["effect"]
        beta = self.model.beta
        if u > e * (self.reservation + beta):
            return YES
        if u < e * (self.reservation - beta):
            return NO
        return ABSTAIN


class Alliance(mesa.Model):
    """The alliance meeting: members perceive, the chair proposes r, r-1, ..., 1."""

    def __init__(self, spec: common.Model, seed=None, rng=None, meetings: int | None = None):
        if rng is not None:
            super().__init__(rng=rng)
        else:
            super().__init__(seed=seed)
        self.spec = spec
        self.meetings = meetings       # stop (running = False) after this many steps, if set
        self.eta = spec.eta
        self.beta = spec.beta
        self.requested = spec.r
        self.options = [dict(effect=float(spec.effect[k]), troops=float(spec.troops[k]),
                             intrusion=float(spec.intrusion[k])) for k in range(spec.K + 1)]
        self.rule_kind, self.rule_param = common.parse_rule(spec.rule, spec)
        self.members = [Member(self, i, spec.ids[i], spec.base[i], float(spec.dependence[i]),
                               float(spec.reservation[i]), bool(spec.pull[i] > 0))
                        for i in range(spec.n)]
        self.hegemon = self.members[spec.h] if spec.h is not None else None
        self.adopted = None
        self.rounds = 0
        self.datacollector = mesa.DataCollector(model_reporters={"adopted": "adopted",
                                                                 "rounds": "rounds"})

    def passes(self, votes: list[str]) -> bool:
        yes = np.array([v == YES for v in votes])
        no = np.array([v == NO for v in votes])
        h = self.spec.h
        return bool(common.passes(self.rule_kind, self.rule_param, yes, no, len(votes), h))

    def step(self) -> None:
        """One meeting = one Monte Carlo run."""
        self.agents.do("perceive")
        self.adopted, self.rounds = 0, 0
        for k in range(self.requested, 0, -1):
            self.rounds += 1
            votes = [m.vote(k) for m in self.members]    # file order (AgentSet.map is unordered-safe too)
            if self.passes(votes):
                self.adopted = k
                break
        self.datacollector.collect(self)
        if self.meetings is not None and self.steps >= self.meetings:
            self.running = False


def run_loop(spec: common.Model, runs: int, seed: int) -> np.ndarray:
    model = Alliance(spec, seed=seed)
    for _ in range(runs):
        model.step()
    adopted = model.datacollector.get_model_vars_dataframe()["adopted"].to_numpy()
    return np.bincount(adopted.astype(int), minlength=spec.K + 1)


def run_batch(spec: common.Model, runs: int, seed: int) -> np.ndarray:
    seeds = [int(s) for s in np.random.SeedSequence(seed).generate_state(runs, dtype=np.uint64)]
    results = mesa.batch_run(Alliance, parameters={"spec": [spec], "seed": seeds, "meetings": 1},
                             # one meeting per Model: step() sets running = False after it
                             iterations=1, max_steps=1, number_processes=1,
                             data_collection_period=-1, display_progress=False)
    adopted = np.array([row["adopted"] for row in results], dtype=int)
    return np.bincount(adopted, minlength=spec.K + 1)


def main() -> None:
    p = common.peer_args(__doc__.splitlines()[0])
    p.add_argument("--mode", choices=["batch_run", "loop"], default="batch_run")
    a = p.parse_args()
    spec = common.load(a.bin, a.scenario, a.rule, a.noise)
    t0 = time.perf_counter()
    counts = (run_batch if a.mode == "batch_run" else run_loop)(spec, a.runs, a.seed)
    dt = time.perf_counter() - t0
    assert counts.sum() == a.runs, (counts, a.runs)
    print(json.dumps({"peer": "mesa", "mode": a.mode, "mesa": mesa.__version__,
                      "scenario": a.scenario, "rule": spec.rule, "runs": a.runs, "seconds": dt,
                      "runs_per_second": a.runs / dt if dt > 0 else None,
                      "counts": counts.tolist()}))


if __name__ == "__main__":
    main()
