"""Shared loading for the peer implementations of alliance-sim's per-run model.

The peers do not parse scenario files. They start from the central components that the tool
itself computes, printed by `alliance-sim explain FILE --format json`, and from the perception
noise eta printed by `alliance-sim params FILE` (the `noise` row). Only scenarios without
distributions are supported: then the components B, E, V, T of every member are the same in
every run and only the perception noise varies (docs/MODEL.md, "Perception noise").
"""
from __future__ import annotations

import argparse
import json
import subprocess
from dataclasses import dataclass

import numpy as np

DEFAULT_BIN = "target/release/alliance-sim"


@dataclass
class Model:
    """Everything one run needs, as arrays indexed by member (file order) and level."""

    name: str
    rule: str                    # rule label, e.g. "consensus", "qualified_majority:0.8"
    ids: list[str]
    n: int                       # members
    K: int                       # highest level (options 1..K; level 0 is no action)
    r: int                       # requested level, 1 <= r <= K
    q: int | None                # requester index (None for an initiative without one)
    h: int | None                # hegemon index, or None
    beta: float                  # abstention band
    eta: float                   # perception noise (standard deviation)
    effect: np.ndarray           # (K+1,), index 0 = no action (all zero)
    troops: np.ndarray           # (K+1,)
    intrusion: np.ndarray        # (K+1,)
    base: np.ndarray             # (n, 4): columns B, E, V, T (central components)
    dependence: np.ndarray       # (n,)
    pull: np.ndarray             # (n,): d_i for members pulled by the hegemon, else 0
    reservation: np.ndarray      # (n,)
    military_share: np.ndarray   # (n,)
    economic_share: np.ndarray   # (n,)


def run_tool(binary: str, *args: str) -> str:
    out = subprocess.run([binary, *args], check=True, capture_output=True, text=True)
    return out.stdout


def read_noise(binary: str, scenario: str) -> float:
    """eta from the `noise` row of `alliance-sim params FILE`."""
    for line in run_tool(binary, "params", scenario).splitlines():
        parts = line.split()
        if parts and parts[0] in ("noise", "montecarlo.noise"):
            return float(parts[1])
    raise SystemExit(f"no `noise` row in `{binary} params {scenario}`")


def load(binary: str, scenario: str, rule: str | None = None, noise: float | None = None) -> Model:
    args = ["explain", scenario, "--format", "json"]
    if rule:
        args += ["--rule", rule]
    ex = json.loads(run_tool(binary, *args))
    if ex.get("has_distributions"):
        raise SystemExit(f"{scenario}: has distributions; the peers support only fixed parameters")
    members = ex["members"]
    ids = [m["id"] for m in members]
    n = len(ids)
    opts = sorted(ex["options"], key=lambda o: o["level"])
    K = len(opts)
    assert [o["level"] for o in opts] == list(range(1, K + 1)), "options must be levels 1..K"
    effect = np.array([0.0] + [o["effect"] for o in opts])
    troops = np.array([0.0] + [o["troops"] for o in opts])
    intrusion = np.array([0.0] + [o["intrusion"] for o in opts])
    req = ex["requested"]
    r = int(req["level"] if isinstance(req, dict) else req)
    q = ids.index(ex["requester"]) if ex.get("requester") is not None else None
    if ex.get("parties") and ex.get("party_vote", "vote") != "vote":
        raise SystemExit(f"{scenario}: parties that abstain or are excluded are not supported by the peers")
    hid = ex.get("hegemon")
    h = ids.index(hid) if hid is not None else None
    base = np.array([[m["components"][c] for c in ("benefit", "external", "sovereignty", "cost")]
                     for m in members], dtype=float)
    dep = np.array([m.get("dependence") or 0.0 for m in members], dtype=float)
    pull = dep.copy()
    if h is None:
        pull[:] = 0.0
    else:
        pull[h] = 0.0
        if q is not None:
            pull[q] = 0.0
    eta = read_noise(binary, scenario) if noise is None else float(noise)
    return Model(
        name=ex.get("scenario", scenario), rule=ex["rule"], ids=ids, n=n, K=K, r=r, q=q, h=h,
        beta=float(ex["abstention_band"]), eta=eta, effect=effect, troops=troops,
        intrusion=intrusion, base=base, dependence=dep, pull=pull,
        reservation=np.array([m.get("reservation") or 0.0 for m in members], dtype=float),
        military_share=np.array([m["military_share"] for m in members], dtype=float),
        economic_share=np.array([m["economic_share"] for m in members], dtype=float),
    )


def parse_rule(label: str, model: Model):
    """Return (kind, parameter) for a rule label (docs/MODEL.md, "Decision rules")."""
    parts = label.split(":")
    kind = parts[0]
    # `consensus` and `strict_unanimity`; the older labels `unanimity` and
    # `unanimity:abstention_blocks` name the same rules.
    if kind == "consensus" and len(parts) == 1:
        return "unanimity", None
    if kind == "strict_unanimity" and len(parts) == 1:
        return "unanimity_ab", None
    if kind == "unanimity":
        if len(parts) == 1:
            return "unanimity", None
        if parts[1] == "abstention_blocks":
            return "unanimity_ab", None
    elif kind == "majority":
        return "majority", None
    elif kind == "qualified_majority":
        return "qualified", float(parts[1])
    elif kind == "weighted":
        attr, quota = parts[1], float(parts[2])
        w = {"military": model.military_share, "economic": model.economic_share,
             "equal": np.ones(model.n)}[attr]
        return "weighted", (w, quota)
    elif kind == "hegemon_majority":
        if model.h is None:
            raise SystemExit("hegemon_majority needs a hegemon")
        return "hegemon_majority", None
    raise SystemExit(f"unsupported rule label: {label}")


def passes(kind: str, param, yes, no, n: int, h: int | None, axis: int = -1):
    """Decision rule on boolean vote arrays with members on axis `axis`.

    Works for a single proposal (shape (n,)) and for many at once (e.g. (runs, n, levels)).
    """
    nyes = yes.sum(axis=axis)
    if kind == "unanimity":
        return (nyes >= 1) & ~no.any(axis=axis)
    if kind == "unanimity_ab":
        return nyes == n
    if kind == "majority":
        return 2 * nyes > n
    if kind == "qualified":
        return nyes >= param * n
    if kind == "weighted":
        w, quota = param
        total = w.sum()
        shape = [1] * yes.ndim
        shape[axis] = n
        return ((yes * w.reshape(shape)).sum(axis=axis) >= quota * total) & (total > 0)
    if kind == "hegemon_majority":
        return np.take(yes, h, axis=axis) & (2 * nyes > n)
    raise ValueError(kind)


def peer_args(description: str) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--scenario", required=True, help="scenario file (no distributions)")
    p.add_argument("--runs", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--bin", default=DEFAULT_BIN, help="path to the alliance-sim binary")
    p.add_argument("--rule", default=None, help="rule label instead of the scenario's")
    p.add_argument("--noise", type=float, default=None, help="eta instead of the scenario's")
    return p
