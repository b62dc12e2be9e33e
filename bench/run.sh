#!/usr/bin/env bash
# Benchmarks of alliance-sim (issue 6). From a fresh clone: `bash bench/run.sh`.
# See docs/PERFORMANCE.md for what each figure means.
#
# Settings (environment variables):
#   BENCH_RUNS       runs per throughput measurement           (default 10000000)
#   BENCH_REPS       repetitions; the median is reported        (default 5)
#   BENCH_MEM_SMALL  runs of the small memory measurement       (default 1000000)
#   BENCH_MEM_BIG    runs of the big memory measurement         (default 100000000)
#   BENCH_NUMPY_RUNS runs of the numpy peer                     (default 1000000)
#   BENCH_MESA_RUNS  runs of the Mesa peer                      (default 2000)
#   BENCH_SKIP_PEERS set to 1 to skip the Python peers
# Results go to a temporary directory, removed at the end; nothing is written
# to output/. The Python peers' venv is kept in bench/.venv.
set -euo pipefail

RUNS=${BENCH_RUNS:-10000000}
REPS=${BENCH_REPS:-5}
MEM_SMALL=${BENCH_MEM_SMALL:-1000000}
MEM_BIG=${BENCH_MEM_BIG:-100000000}
NUMPY_RUNS=${BENCH_NUMPY_RUNS:-1000000}
MESA_RUNS=${BENCH_MESA_RUNS:-2000}
SEED=1

die() { echo "bench: error: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

cd "$(dirname "$0")/.."
ROOT=$PWD
for v in RUNS REPS MEM_SMALL MEM_BIG NUMPY_RUNS MESA_RUNS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number, got '${!v}'"
done
command -v cargo >/dev/null || die "cargo not found; install Rust (https://rustup.rs)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian/Ubuntu: apt-get install time)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/alliance-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

note "building release binaries (cargo build --release --bin alliance-sim --example floor --example power_games)"
cargo build --release --quiet --bin alliance-sim --example floor --example power_games || die "cargo build failed"
BIN=$ROOT/target/release/alliance-sim
FLOOR=$ROOT/target/release/examples/floor
POWER=$ROOT/target/release/examples/power_games
NPROC=$(nproc)

KAZ=scenarios/kazakhstan_2022.toml
SYN=bench/synthetic_20x6.toml
"$BIN" check "$KAZ" "$SYN" >&2 || die "scenario check failed"
members() { "$BIN" check "$1" | sed -n 's/.*: \([0-9][0-9]*\) members,.*/\1/p'; }
M_KAZ=$(members "$KAZ")
M_SYN=$(members "$SYN")

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) exit 1; print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b+0==0) print "-"; else printf "%.2f", a/b}'; }
fmt() { printf '%s' "$1"; }

# runs/s of `alliance-sim run FILE` on THREADS threads (one measurement).
sim_once() {
    local file=$1 threads=$2 runs=$3 out line
    out=$("$BIN" run "$file" --runs "$runs" --seed "$SEED" --threads "$threads" --out "$TMP/run" 2>&1) \
        || { echo "$out" >&2; die "alliance-sim run $file failed"; }
    line=$(grep -o '([0-9,]* runs/s' <<<"$out" | tr -d '(,' | awk '{print $1}')
    [[ -n $line ]] || die "no 'runs/s' in the output of alliance-sim run $file"
    echo "$line"
}
sim_median() { local i; for ((i = 0; i < REPS; i++)); do sim_once "$@"; done | median; }
floor_median() {
    local i
    for ((i = 0; i < REPS; i++)); do
        "$FLOOR" "$1" "$RUNS" "$2" | sed -n 's/.*s, \([0-9.]*\) runs\/s$/\1/p'
    done | median
}

declare -A SIM FLR
note "throughput: $(fmt "$RUNS") runs, median of $REPS, on 1 and 2 threads ($NPROC cores)"
for s in KAZ SYN; do
    file=${!s}
    for t in 1 2; do SIM[$s,$t]=$(sim_median "$file" "$t" "$RUNS"); done
    if ((NPROC > 2)); then SIM[$s,all]=$(sim_median "$file" "$NPROC" "$RUNS"); else SIM[$s,all]=${SIM[$s,2]}; fi
done
note "floor: $(fmt "$RUNS") runs, median of $REPS, 1 thread"
FLR[KAZ]=$(floor_median "$M_KAZ" 1)
FLR[SYN]=$(floor_median "$M_SYN" 1)

echo
echo "alliance-sim benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $NPROC cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "runs per measurement: $(fmt "$RUNS"), median of $REPS"
echo
echo "(a) throughput of alliance-sim run, and (b) the floor (random numbers only), runs/s"
printf '%-18s %8s %14s %14s %8s %14s %10s\n' scenario members "1 thread" "2 threads" "2/1" "floor 1 thr" "sim/floor"
for s in KAZ SYN; do
    # sim/floor in time per run = floor runs/s / sim runs/s.
    printf '%-18s %8s %14s %14s %8s %14s %10s\n' "$(basename "${!s}" .toml)" "$([[ $s == KAZ ]] && echo "$M_KAZ" || echo "$M_SYN")" \
        "$(fmt "${SIM[$s,1]}")" "$(fmt "${SIM[$s,2]}")" "$(ratio "${SIM[$s,2]}" "${SIM[$s,1]}")" \
        "$(fmt "${FLR[$s]}")" "$(ratio "${FLR[$s]}" "${SIM[$s,1]}")"
done

# (c) Python peers.
echo
echo "(c) Python peers (bench/peers/)"
PEERS=bench/peers
if [[ -n ${BENCH_SKIP_PEERS:-} ]]; then
    echo "  skipped (BENCH_SKIP_PEERS is set)"
elif [[ ! -d $PEERS ]]; then
    echo "  bench/peers/ is missing: no peer comparison"
else
    PY=""
    if [[ -f $PEERS/requirements.txt ]]; then
        if [[ ! -x bench/.venv/bin/python ]]; then
            note "creating bench/.venv from $PEERS/requirements.txt"
            python3 -m venv bench/.venv || die "cannot create bench/.venv (python3 -m venv)"
        fi
        bench/.venv/bin/python -m pip install --quiet -r "$PEERS/requirements.txt" >&2 \
            || die "pip install -r $PEERS/requirements.txt failed"
        PY=bench/.venv/bin/python
    else
        note "$PEERS/requirements.txt is missing; using python3 as it is"
        PY=$(command -v python3) || die "python3 not found"
    fi
    if [[ -f $PEERS/check.py ]]; then
        for s in KAZ SYN; do
            if "$PY" "$PEERS/check.py" --scenario "${!s}" --seed "$SEED" --bin "$BIN" >"$TMP/check.log" 2>&1; then
                echo "  agreement on $(basename "${!s}" .toml) (check.py): passed"
            else
                echo "  agreement on $(basename "${!s}" .toml) (check.py): FAILED; its output:"
                sed 's/^/    /' "$TMP/check.log" | tail -n 20
            fi
        done
    else
        echo "  $PEERS/check.py is missing: agreement not checked"
    fi
    printf '  %-18s %-8s %10s %14s %16s %16s\n' scenario peer runs "peer runs/s" "ours/peer (all)" "ours/peer (1 core)"
    for s in KAZ SYN; do
        for peer in numpy mesa; do
            script=$PEERS/${peer}_peer.py
            n=$([[ $peer == numpy ]] && echo "$NUMPY_RUNS" || echo "$MESA_RUNS")
            if [[ ! -f $script ]]; then
                printf '  %-18s %-8s %s\n' "$(basename "${!s}" .toml)" "$peer" "$script missing"
                continue
            fi
            if ! "$PY" "$script" --scenario "${!s}" --runs "$n" --seed "$SEED" --bin "$BIN" >"$TMP/peer.json" 2>"$TMP/peer.err"; then
                printf '  %-18s %-8s %s\n' "$(basename "${!s}" .toml)" "$peer" "failed: $(tail -n 1 "$TMP/peer.err")"
                continue
            fi
            rps=$("$PY" -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["runs_per_second"]))' "$TMP/peer.json") \
                || { printf '  %-18s %-8s %s\n' "$(basename "${!s}" .toml)" "$peer" "no runs_per_second in its JSON"; continue; }
            printf '  %-18s %-8s %10s %14s %16s %16s\n' "$(basename "${!s}" .toml)" "$peer" "$(fmt "$n")" "$(fmt "$rps")" \
                "$(ratio "${SIM[$s,all]}" "$rps")" "$(ratio "${SIM[$s,1]}" "$rps")"
        done
    done
    echo "  (ours/peer (all): alliance-sim on all $NPROC cores; (1 core): on 1 thread; peers run as they are)"
fi

# (e), printed after (d): voting power against powerindex, measured here while the
# venv is at hand.
POWER_OUT=$TMP/power.txt
if [[ -n ${BENCH_SKIP_PEERS:-} || ! -f bench/peers/powerindex_peer.py ]]; then
    note "voting power: our times only (no powerindex comparison)"
    "$POWER" --reps "$REPS" | python3 -c "
import json, sys
for g in json.load(sys.stdin)['games']:
    print('%-20s %7d  banzhaf %.6f s  all indices %.6f s' % (g['name'], g['players'], g['seconds_banzhaf'], g['seconds_all']))
" >"$POWER_OUT" || die "power_games failed"
else
    note "voting power: alliance-sim against powerindex (median of $REPS; powerindex's Shapley-Shubik on 193 players is attempted and fails after about 25 s)"
    if ! "$PY" bench/peers/powerindex_peer.py --bin "$POWER" --reps "$REPS" --attempt-overflow >"$POWER_OUT" 2>&1; then
        echo "  FAILED: powerindex_peer.py disagrees or failed" >>"$POWER_OUT"
    fi
fi

# (d) Peak memory.
rss() { # label, command...
    local label=$1; shift
    /usr/bin/time -v -o "$TMP/time.log" "$@" >"$TMP/mem.out" 2>&1 \
        || { cat "$TMP/mem.out" >&2; die "$label failed"; }
    local kb
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time.log")
    [[ -n $kb ]] || die "no 'Maximum resident set size' from /usr/bin/time for $label"
    printf '  %-58s %10s %8.1f\n' "$label" "$(fmt "$kb")" "$(awk -v k="$kb" 'BEGIN {print k/1024}')"
}
echo
echo "(d) peak resident memory (/usr/bin/time -v, all $NPROC cores)"
printf '  %-58s %10s %8s\n' command KiB MiB
note "memory: run at $(fmt "$MEM_SMALL") and $(fmt "$MEM_BIG") runs, and a 1,000-point sweep"
rss "run $(basename "$KAZ") --runs $MEM_SMALL" "$BIN" run "$KAZ" --runs "$MEM_SMALL" --out "$TMP/mem1"
K1=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time.log")
rss "run $(basename "$KAZ") --runs $MEM_BIG" "$BIN" run "$KAZ" --runs "$MEM_BIG" --out "$TMP/mem2"
K2=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time.log")
rss "sweep kyrgyzstan_2010 40x25 points --runs 10000" "$BIN" sweep scenarios/kyrgyzstan_2010.toml \
    --vary crisis.severity=0:1:40 --vary members.UZB.sovereignty=0:1:25 --runs 10000 --out "$TMP/sweep"
echo "  run: RSS at $(fmt "$MEM_BIG") / at $(fmt "$MEM_SMALL") runs = $(ratio "$K2" "$K1")"

echo
echo "(e) voting power (examples/power_games, one thread; bench/peers/powerindex_peer.py)"
sed 's/^/  /' "$POWER_OUT"
