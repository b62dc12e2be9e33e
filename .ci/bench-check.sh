#!/usr/bin/env bash
# Benchmarks are not CI tests. CI only checks that the benchmark code builds
# (clippy --all-targets in .ci/run compiles benches/ and examples/) and that
# the numpy and Mesa peers reproduce our outcome distribution on a small run
# count, so that bench/run.sh compares equal work (and, on an EU initiative
# with no requesting member, that they agree on that path too), and that the
# Python package powerindex gives the same voting power as ours on the shared
# games (one repetition each; its Shapley-Shubik index on 193 players, which
# overflows after about 25 s, is not attempted); and that the floors of
# bench/run.sh's section (f) draw what the model draws (examples/floor.rs
# --check, on the member scenarios and their variants). See docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=$(mktemp -d)/venv
trap 'rm -rf "$(dirname "$venv")"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r bench/peers/requirements.txt

cargo build --locked --release --quiet
for scenario in scenarios/kyrgyzstan_2010.toml bench/synthetic_20x6.toml scenarios/eu/belarus_2020_09.toml; do
    echo "== peers agree with alliance-sim: $scenario"
    "$venv/bin/python" bench/peers/check.py --scenario "$scenario" --runs 20000 --mesa-runs 1000 \
        --bin target/release/alliance-sim
done

cargo build --locked --release --quiet --example power_games
echo "== powerindex agrees with alliance-sim's voting power"
"$venv/bin/python" bench/peers/powerindex_peer.py --reps 1 --bin target/release/examples/power_games

cargo build --locked --release --quiet --example floor
echo "== the floors of bench/run.sh (f) draw what the model draws"
files=(bench/members/m7.toml bench/members/m16.toml bench/members/m32.toml bench/members/m64.toml scenarios/kazakhstan_2022.toml)
python3 bench/members/variants.py target/release/alliance-sim "$(dirname "$venv")/variants" "${files[@]}"
for f in "${files[@]}" "$(dirname "$venv")"/variants/*.toml; do
    target/release/examples/floor --scenario "$f" --check 2000 1 1 >/dev/null
done
for f in "${files[@]}"; do
    target/release/examples/floor --scenario "$f" --posterior bench/members/posterior.csv --check 2000 1 1 >/dev/null
done
