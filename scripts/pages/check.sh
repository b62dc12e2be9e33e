#!/usr/bin/env bash
# Writes one page of every kind the program makes, from the shipped
# scenarios, and renders each in headless Chromium (scripts/pages/render.py):
# no console errors, not blank, not wider than the window.
#
#   scripts/pages/check.sh                      # check every kind of page
#   scripts/pages/check.sh --screenshots DIR    # and save each first screen as DIR/NAME.png
#   scripts/pages/check.sh --keep DIR           # keep the result folders in DIR (new or empty)
#   scripts/pages/check.sh --height H           # window height in pixels (default 1000)
#
# Needs Debian's `chromium` (or CHROMIUM=/path/to/chrome) and python3. The
# program is built with `cargo build --release` unless ALLIANCE_SIM names a
# binary. Exit status: 0 when every page passes, 1 otherwise.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

screenshots=""
keep=""
height=1000
while [ $# -gt 0 ]; do
    case "$1" in
        --screenshots) screenshots=$2; shift 2 ;;
        --keep) keep=$2; shift 2 ;;
        --height) height=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "check.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

chromium=${CHROMIUM:-chromium}
if ! command -v "$chromium" >/dev/null; then
    echo "check.sh: $chromium not found: install Debian's chromium package (apt-get install chromium)" >&2
    exit 1
fi

if [ -n "${ALLIANCE_SIM:-}" ]; then
    bin=$ALLIANCE_SIM
else
    cargo build --locked --release --quiet
    bin=$root/target/release/alliance-sim
fi

if [ -n "$keep" ]; then
    work=$keep
    if [ -e "$work" ] && [ -n "$(ls -A "$work" 2>/dev/null)" ]; then
        echo "check.sh: --keep $work: the folder exists and is not empty; name a new one" >&2
        exit 2
    fi
    mkdir -p "$work"
else
    work=$(mktemp -d /tmp/alliance-sim-pages.XXXXXX)
    trap 'rm -rf "$work"' EXIT
fi

# A case whose name is long, to check that a long name does not shrink charts.
cat > "$work/long_name.toml" <<EOF
include = ["$root/scenarios/kyrgyzstan_2010.toml"]

[scenario]
name = "Kyrgyzstan, June 2010: the provisional government's request for peacekeepers after the violence in Osh and Jalal-Abad"
EOF

sim() { "$bin" "$@" --quiet --out "$work" >/dev/null; }

echo "pages: writing one result of every kind into $work"
sim run scenarios/kyrgyzstan_2010.toml
sim run "$work/long_name.toml"
sim run scenarios/armenia_2020.toml --shard 0/2
sim run scenarios/armenia_2020.toml --shard 1/2
"$bin" merge "$work/armenia_2020.shard-0-of-2" "$work/armenia_2020.shard-1-of-2" --out "$work/merged" >/dev/null
sim sweep scenarios/kyrgyzstan_2010.toml --vary crisis.severity=0:1:21 --runs 2000
mv "$work/kyrgyzstan_2010-sweep" "$work/sweep-line"
sim sweep scenarios/kyrgyzstan_2010.toml --vary crisis.severity=0:1:21 \
    --rules consensus,strict_unanimity,majority --runs 2000
mv "$work/kyrgyzstan_2010-sweep" "$work/sweep-rules"
sim sweep scenarios/kazakhstan_2022.toml --vary crisis.framing=0:1:201 \
    --vary members.RUS.weights.cost=1:5:21 --runs 100
mv "$work/kazakhstan_2022-sweep" "$work/sweep-heat"
sim sweep scenarios/kazakhstan_2022.toml --vary crisis.framing=0:1:6 \
    --vary members.RUS.weights.cost=1:5:5 --rules consensus,qualified_majority:2/3 --runs 500
mv "$work/kazakhstan_2022-sweep" "$work/sweep-heat-rules"
sim sweep scenarios/kyrgyzstan_2010.toml --design lhs --samples 200 \
    --vary crisis.severity=0:1 --vary crisis.contagion=0:1 --vary members.UZB.sovereignty=0:1 --runs 500
mv "$work/kyrgyzstan_2010-sweep" "$work/sweep-lhs"
sim sweep scenarios/kyrgyzstan_2010.toml --design oat \
    --vary crisis.severity=0:1:6 --vary crisis.contagion=0:1:6 --runs 1000
mv "$work/kyrgyzstan_2010-sweep" "$work/sweep-oat"
sim power scenarios/kazakhstan_2022.toml --runs 2000
sim power scenarios/eu/ukraine_facility_2024_02.toml --rule double_majority --runs 2000
sim power --weights games/unsc_1965.csv --quota 39
sim sensitivity scenarios/kyrgyzstan_2010.toml --runs 500
sim validate scenarios --runs 2000
sim calibrate scenarios --param noise=0.02:0.5 --runs 500

pages=()
for page in "$work"/*/report.html "$work"/merged/*/report.html; do
    name=$(basename "$(dirname "$page")")
    case "$page" in "$work"/merged/*) name=merged-$name ;; esac
    pages+=("$name=$page")
done
echo "pages: rendering ${#pages[@]} pages in $("$chromium" --version 2>/dev/null | head -n 1)"
args=(--height "$height")
if [ -n "$screenshots" ]; then
    args+=(--screenshots "$screenshots")
fi
python3 "$root/scripts/pages/render.py" --chromium "$chromium" "${args[@]}" "${pages[@]}"
