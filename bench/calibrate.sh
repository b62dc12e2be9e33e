#!/usr/bin/env bash
# Benchmarks of `alliance-sim calibrate` (issue 12). From a fresh clone:
# `bash bench/calibrate.sh`. See docs/PERFORMANCE.md ("Calibration").
#
#   (a) throughput of the objective against run's, on the shipped cases
#       (examples/objective.rs: median of BENCH_REPS, interleaved);
#   (b) wall-clock time of a leave-one-out calibration of three global
#       parameters on the whole library, 2,000 runs a case, 1,000 draws;
#   (c) with BENCH_RECOVERY=N, the recovery study over N synthetic libraries
#       (examples/recovery.rs; N=100 takes about ten minutes on 2 cores).
#
# Settings: BENCH_REPS (default 5). Results go to a temporary directory.
set -euo pipefail

REPS=${BENCH_REPS:-5}
die() { echo "bench: error: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }
[[ $REPS =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPS must be a positive whole number, got '$REPS'"
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || die "cargo not found; install Rust (https://rustup.rs)"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/alliance-calibrate.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

note "building release binaries"
cargo build --release --quiet --bin alliance-sim --example objective --example recovery || die "cargo build failed"
BIN=target/release/alliance-sim

echo "alliance-sim calibration benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
echo
echo "(a) objective against run, 18 shipped cases, 2,000 runs a case, 20 evaluations, median of $REPS"
target/release/examples/objective scenarios 2000 20 "$REPS"

echo
echo "(b) leave-one-out calibration: noise, abstention_band, members.*.weights.cost; 1,000 draws"
start=$(date +%s.%N)
"$BIN" calibrate scenarios --param noise=0.01:1 --param abstention_band=0:0.3 \
    --param 'members.*.weights.cost=0.1:5' --cv loo --out "$TMP" --quiet | tail -2
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN {printf "wall-clock: %.1f s\n", b - a}'

if [[ -n ${BENCH_RECOVERY:-} ]]; then
    [[ $BENCH_RECOVERY =~ ^[1-9][0-9]*$ ]] || die "BENCH_RECOVERY must be a positive whole number"
    echo
    echo "(c) recovery study, $BENCH_RECOVERY synthetic libraries of 40 cases"
    target/release/examples/recovery "$BENCH_RECOVERY" 40 500 600
fi
