#!/usr/bin/env bash
# Sweeps of small points (issue 16): prints the figures of the three targets.
#   (1) 2 threads against 1 on 100,000 points x 100 runs;
#   (2) the sweep's time against one `run` of the same 10^7 runs, same threads;
#   (3) peak resident memory at 10^4 and 10^6 points, with and without the report.
# Medians of REPS interleaved repetitions (wall seconds, /usr/bin/time).
# Usage: bash bench/sweep_small_points.sh [BINARY]   (default target/release/alliance-sim)
# Settings: REPS (default 5), MEM=0 to skip (3), SCENARIO (default kyrgyzstan_2010).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/alliance-sim}
REPS=${REPS:-5}
S=scenarios/${SCENARIO:-kyrgyzstan_2010}.toml
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
SWEEP=(sweep "$S" --vary crisis.severity=0:1:1000 --vary noise=0:0.5:100 --runs 100 -q)
RUN=(run "$S" --runs 10000000 -q)
secs() { # label, args... : one timed command into a fresh folder
  local label=$1; shift; rm -rf "$TMP/out"
  /usr/bin/time -f "%e" -o "$TMP/t" "$BIN" "$@" --out "$TMP/out" >/dev/null 2>&1
  echo "$label $(cat "$TMP/t")" >> "$TMP/times"
}
for _ in $(seq "$REPS"); do
  for t in 1 2; do
    secs "sweep$t" "${SWEEP[@]}" --threads $t
    secs "run$t" "${RUN[@]}" --threads $t
  done
done
median() { grep "^$1 " "$TMP/times" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
s1=$(median sweep1); s2=$(median sweep2); r1=$(median run1); r2=$(median run2)
echo "100,000 points x 100 runs ($S), median of $REPS, seconds"
printf "  sweep: 1 thread %.2f, 2 threads %.2f, 2/1 speed-up %.2f (target >= 1.8)\n" "$s1" "$s2" "$(echo "$s1/$s2" | bc -l)"
printf "  run --runs 10^7: 1 thread %.2f, 2 threads %.2f\n" "$r1" "$r2"
printf "  sweep/run: 1 thread %.2f, 2 threads %.2f (target <= 1.2)\n" "$(echo "$s1/$r1" | bc -l)" "$(echo "$s2/$r2" | bc -l)"
[ "${MEM:-1}" = 0 ] && exit 0
echo "peak resident memory (KiB, /usr/bin/time -v), 100 runs a point, all cores"
for pts in 10000 1000000; do
  n=$((pts / 100))
  for report in with without; do
    extra=(); [ $report = without ] && extra=(--no-report)
    rm -rf "$TMP/out"
    kib=$(/usr/bin/time -v "$BIN" sweep "$S" --vary crisis.severity=0:1:$n --vary noise=0:0.5:100 --runs 100 -q \
      --out "$TMP/out" "${extra[@]}" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}')
    echo "  $pts points, $report report: $kib"
  done
done
