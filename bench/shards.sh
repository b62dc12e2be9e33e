#!/usr/bin/env bash
# The cost of splitting work into shards and merging it: from a fresh clone,
# `bash bench/shards.sh`. For two sweeps (many runs per point; many points)
# it prints, as medians of BENCH_REPS repetitions on one thread each:
#   single  seconds of the sweep in one process
#   shards  seconds of its N shards run one after another (their sum)
#   merge   seconds and peak RSS of `merge` of the N shards
# and checks that the merged files equal the single process's byte for byte.
#
# Settings (environment variables):
#   BENCH_REPS    repetitions; the median is reported   (default 5)
#   BENCH_SHARDS  shards N                              (default 16)
# Results go to a temporary directory, removed at the end.
set -euo pipefail

REPS=${BENCH_REPS:-5}
N=${BENCH_SHARDS:-16}
die() { echo "bench: error: $*" >&2; exit 1; }
for v in REPS N; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number, got '${!v}'"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian/Ubuntu: apt-get install time)"
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin alliance-sim || die "cargo build failed"
BIN=$PWD/target/release/alliance-sim
TMP=$(mktemp -d "${TMPDIR:-/tmp}/alliance-shards.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# Seconds of a command, from /usr/bin/time (its stdout is dropped).
seconds() { /usr/bin/time -f '%e %M' -o "$TMP/time" "$@" >/dev/null && cut -d' ' -f1 "$TMP/time"; }

measure() {
    local name=$1
    shift
    local args=("$@" --threads 1 --quiet --no-report)
    local single=() shards=() merge=() rss=()
    for _ in $(seq "$REPS"); do
        rm -rf "$TMP/single" "$TMP/shards" "$TMP/merged"
        single+=("$(seconds "$BIN" "${args[@]}" --out "$TMP/single")")
        local total=0
        for k in $(seq 0 $((N - 1))); do
            t=$(seconds "$BIN" "${args[@]}" --out "$TMP/shards" --shard "$k/$N")
            total=$(awk -v a="$total" -v b="$t" 'BEGIN {print a + b}')
        done
        shards+=("$total")
        merge+=("$(seconds "$BIN" merge "$TMP/shards" --out "$TMP/merged" --quiet --no-report)")
        rss+=("$(cut -d' ' -f2 "$TMP/time")")
        for f in "$TMP"/single/*/*.csv; do
            cmp "$f" "$TMP/merged/$(basename "$(dirname "$f")")/$(basename "$f")" \
                || die "$name: merged $(basename "$f") differs from one process"
        done
    done
    printf '%-34s single %6.2f s   %2d shards %6.2f s (x%.2f)   merge %5.2f s, %s MB\n' \
        "$name" "$(printf '%s\n' "${single[@]}" | median)" "$N" \
        "$(printf '%s\n' "${shards[@]}" | median)" \
        "$(awk -v a="$(printf '%s\n' "${shards[@]}" | median)" -v b="$(printf '%s\n' "${single[@]}" | median)" 'BEGIN {print (b > 0) ? a / b : 0}')" \
        "$(printf '%s\n' "${merge[@]}" | median)" \
        "$(( $(printf '%s\n' "${rss[@]}" | median | cut -d. -f1) / 1024 ))"
}

echo "bench: medians of $REPS; every shard and the single process on 1 thread; merged files checked byte for byte"
measure "20 points x 200,000 runs" sweep scenarios/kyrgyzstan_2010.toml \
    --vary crisis.severity=0:1:20 --runs 200000
measure "100,000 points x 100 runs" sweep scenarios/kyrgyzstan_2010.toml \
    --vary crisis.severity=0:1:1000 --vary montecarlo.noise=0.05:0.3:100 --runs 100
