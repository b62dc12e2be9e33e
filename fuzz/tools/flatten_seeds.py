#!/usr/bin/env python3
"""Writes the seed corpus of the `scenario` fuzz target from the shipped scenarios.

Each case file in scenarios/ becomes one self-contained seed with its includes
layered in (as the loader layers them: includes in order, then the file itself;
tables merge key by key, `options` and `rule` are replaced whole), since the
fuzzer names its input inside an empty folder where no include is found. Each
included file is also kept as a seed of its own, comments and all.

The other seeds there (example_annotated.toml, rule_*.toml) are written by hand
and left alone.

Run from the repository root:  python3 fuzz/tools/flatten_seeds.py
"""

import json
import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
OUT = ROOT / "fuzz" / "seeds" / "scenario"
REPLACED_WHOLE = {"options", "rule"}


def layered(path: pathlib.Path) -> dict:
    raw = tomllib.loads(path.read_text())
    merged: dict = {}
    for inc in raw.pop("include", []):
        merge(merged, layered(path.parent / inc), top=True)
    merge(merged, raw, top=True)
    return merged


def merge(base: dict, over: dict, top: bool = False) -> None:
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and not (
            top and key in REPLACED_WHOLE
        ):
            merge(base[key], value)
        else:
            base[key] = value


BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def key(k: str) -> str:
    return k if BARE.match(k) else json.dumps(k)


def value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def table(name: str, t: dict, lines: list) -> None:
    """`[name]` with its plain keys, then its sub-tables as their own headers
    (one level down; deeper tables stay inline)."""
    plain = {k: v for k, v in t.items() if not isinstance(v, dict)}
    subs = {k: v for k, v in t.items() if isinstance(v, dict)}
    if name == "members":
        for mid, m in t.items():
            table(f"members.{key(mid)}", m, lines)
        return
    lines.append(f"[{name}]")
    lines.extend(f"{key(k)} = {value(v)}" for k, v in plain.items())
    for k, v in subs.items():
        if name.startswith("members."):
            lines.append(f"{key(k)} = {value(v)}")
        else:
            lines.append("")
            table(f"{name}.{key(k)}", v, lines)
    lines.append("")


def dump(doc: dict, header: str) -> str:
    lines = [header, ""]
    for k, v in doc.items():
        if not isinstance(v, (dict, list)) or (
            isinstance(v, list) and not all(isinstance(x, dict) for x in v)
        ):
            lines.append(f"{key(k)} = {value(v)}")
    for k, v in doc.items():
        if isinstance(v, dict):
            table(key(k), v, lines)
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for item in v:
                lines.append(f"[[{key(k)}]]")
                lines.extend(f"{key(a)} = {value(b)}" for a, b in item.items())
                lines.append("")
    text = "\n".join(lines).rstrip() + "\n"
    return re.sub(r"\n{3,}", "\n\n", text)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for case in sorted(SCENARIOS.glob("*.toml")):
        text = dump(
            layered(case),
            f"# {case.name} with its includes layered in (fuzz/tools/flatten_seeds.py).",
        )
        (OUT / case.name).write_text(text)
    for part in sorted(SCENARIOS.glob("*/*.toml")):
        (OUT / f"{part.parent.name}_{part.name}").write_text(part.read_text())


if __name__ == "__main__":
    main()
