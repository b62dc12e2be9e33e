#!/usr/bin/env python3
"""Writes the distribution variants of benchmark scenarios (issue 16).

For each scenario FILE, two small files in OUT that include it and override
a few parameters:

  STEM_severity.toml  crisis.severity a normal (mean as written, sd 0.1,
                      truncated to [0, 1]); every other parameter as written.
  STEM_beta.toml      every member's sovereignty a beta with the mean as
                      written (clamped to [0.05, 0.95]) and a + b = 10.

The written values are read with `BIN params FILE`, so any scenario works,
includes and all. Python 3 standard library only.

Usage: python3 bench/members/variants.py BIN OUT FILE...
"""

import os
import subprocess
import sys


def params(binary, scenario):
    """The fixed values of `BIN params FILE`, by path."""
    text = subprocess.run(
        [binary, "params", scenario], check=True, capture_output=True, text=True
    ).stdout
    values = {}
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2:
            try:
                values[parts[0]] = float(parts[1])
            except ValueError:
                pass  # a distribution already: not overridden
    return values


def num(x):
    return repr(round(x, 6))


def write(path, include, body):
    with open(path, "w", newline="\n") as f:
        f.write(f"# Made by bench/members/variants.py from {include}.\n")
        f.write(f'include = ["{include}"]\n\n{body}')


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    binary, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    for scenario in files:
        values = params(binary, scenario)
        stem = os.path.splitext(os.path.basename(scenario))[0]
        include = os.path.relpath(os.path.abspath(scenario), os.path.abspath(out))
        severity = values.get("crisis.severity")
        if severity is None:
            sys.exit(f"variants.py: {scenario}: crisis.severity is not a fixed number")
        write(
            os.path.join(out, f"{stem}_severity.toml"),
            include,
            "[crisis]\n"
            f'severity = {{ dist = "normal", mean = {num(severity)}, sd = 0.1 }}\n',
        )
        body = []
        for path, x in values.items():
            parts = path.split(".")
            if len(parts) == 3 and parts[0] == "members" and parts[2] == "sovereignty":
                mean = min(max(x, 0.05), 0.95)
                body.append(
                    f"[members.{parts[1]}]\n"
                    f'sovereignty = {{ dist = "beta", a = {num(10 * mean)}, b = {num(10 * (1 - mean))} }}\n'
                )
        if not body:
            sys.exit(f"variants.py: {scenario}: no member's sovereignty is a fixed number")
        write(os.path.join(out, f"{stem}_beta.toml"), include, "\n".join(body))


if __name__ == "__main__":
    main()
