#!/usr/bin/env bash
# Benchmarks of alliance-sim (issues 6 and 16). From a fresh clone: `bash bench/run.sh`.
# See docs/PERFORMANCE.md for what each figure means.
#
# Sections: base = (a)-(e) (throughput and floor on kazakhstan_2022 and the
# synthetic 20x6 scenario, Python peers, memory, voting power); paths = (f)
# (the fixed, distribution and posterior paths on 7, 16, 32, 64 members and
# kazakhstan_2022, each with a floor that draws the same numbers); sweep = (g)
# (a sweep of small points against one run, and sweep memory).
#
# Settings (environment variables):
#   BENCH_ONLY       sections to run, comma-separated: base,paths,sweep (default all)
#   BENCH_BIN        the alliance-sim binary to measure (default: this checkout's
#                    release build); e.g. an older build, for before/after tables
#   BENCH_QUICK      set to 1 for a quick pass, rougher figures: the "quick"
#                    defaults below (1 repetition, about a tenth of the work)
#   BENCH_RUNS       runs per throughput measurement in (a)     (default 10000000; quick 1000000)
#   BENCH_REPS       repetitions in (a)-(e); the median is reported (default 5; quick 1)
#   BENCH_MEM_SMALL  runs of the small memory measurement       (default 1000000)
#   BENCH_MEM_BIG    runs of the big memory measurement         (default 100000000; quick 10000000)
#   BENCH_NUMPY_RUNS runs of the numpy peer                     (default 1000000; quick 100000)
#   BENCH_MESA_RUNS  runs of the Mesa peer                      (default 2000)
#   BENCH_SKIP_PEERS set to 1 to skip the Python peers
#   BENCH_PATHS_RUNS runs per measurement in (f) up to 8 members; above, times
#                    8/members                                  (default 1000000; quick 100000)
#   BENCH_PATHS_REPS repetitions in (f)                         (default 3; quick 1)
#   BENCH_SWEEP_RUNS runs a point of the timed sweep in (g); the sweep has
#                    100,000 points                             (default 100; quick 10)
#   BENCH_SWEEP_REPS repetitions in (g)                         (default 3; quick 1)
#   BENCH_SWEEP_MEM_POINTS  points of the big memory sweep in (g), a multiple
#                    of 100; the small one has 10,000           (default 1000000; quick 100000)
# Results go to a temporary directory, removed at the end; nothing is written
# to output/. The Python peers' venv is kept in bench/.venv.
set -euo pipefail

QUICK=${BENCH_QUICK:-}
[[ -z $QUICK || $QUICK == 0 || $QUICK == 1 ]] || { echo "bench: error: BENCH_QUICK must be 0 or 1, got '$QUICK'" >&2; exit 1; }
[[ $QUICK == 0 ]] && QUICK=
RUNS=${BENCH_RUNS:-$([[ -n $QUICK ]] && echo 1000000 || echo 10000000)}
REPS=${BENCH_REPS:-${QUICK:+1}}
REPS=${REPS:-5}
PATHS_RUNS=${BENCH_PATHS_RUNS:-$([[ -n $QUICK ]] && echo 100000 || echo 1000000)}
PATHS_REPS=${BENCH_PATHS_REPS:-$([[ -n $QUICK ]] && echo 1 || echo 3)}
SWEEP_RUNS=${BENCH_SWEEP_RUNS:-$([[ -n $QUICK ]] && echo 10 || echo 100)}
SWEEP_REPS=${BENCH_SWEEP_REPS:-$([[ -n $QUICK ]] && echo 1 || echo 3)}
SWEEP_MEM_POINTS=${BENCH_SWEEP_MEM_POINTS:-$([[ -n $QUICK ]] && echo 100000 || echo 1000000)}
ONLY=${BENCH_ONLY:-base,paths,sweep}
MEM_SMALL=${BENCH_MEM_SMALL:-1000000}
MEM_BIG=${BENCH_MEM_BIG:-$([[ -n $QUICK ]] && echo 10000000 || echo 100000000)}
NUMPY_RUNS=${BENCH_NUMPY_RUNS:-$([[ -n $QUICK ]] && echo 100000 || echo 1000000)}
MESA_RUNS=${BENCH_MESA_RUNS:-2000}
SEED=1

die() { echo "bench: error: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

if [[ -n ${BENCH_BIN:-} ]]; then
    given=$BENCH_BIN
    BENCH_BIN=$(realpath -e -- "$given" 2>/dev/null) || die "BENCH_BIN: $given does not exist"
fi
cd "$(dirname "$0")/.."
ROOT=$PWD
for v in RUNS REPS MEM_SMALL MEM_BIG NUMPY_RUNS MESA_RUNS PATHS_RUNS PATHS_REPS SWEEP_RUNS SWEEP_REPS SWEEP_MEM_POINTS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number, got '${!v}'"
done
for section in ${ONLY//,/ }; do
    [[ $section == base || $section == paths || $section == sweep ]] \
        || die "BENCH_ONLY: unknown section '$section'; expected base, paths or sweep, comma-separated"
done
want() { [[ ,$ONLY, == *,$1,* ]]; }
command -v cargo >/dev/null || die "cargo not found; install Rust (https://rustup.rs)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian/Ubuntu: apt-get install time)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/alliance-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

note "building release binaries (cargo build --release --bin alliance-sim --example floor --example power_games)"
cargo build --release --quiet --bin alliance-sim --example floor --example power_games || die "cargo build failed"
BIN=${BENCH_BIN:-$ROOT/target/release/alliance-sim}
[[ -f $BIN && -x $BIN ]] || die "BENCH_BIN: $BIN is not an executable file"
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


echo "alliance-sim benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $NPROC cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "binary: $BIN ($("$BIN" --version 2>/dev/null || echo 'version unknown')); sections: $ONLY${QUICK:+ (quick)}"

# ---------------------------------------------------------------------------
# base: (a)-(e), issue 6.
if want base; then
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
fi

# ---------------------------------------------------------------------------
# paths: (f), issue 16. Each scenario run fixed, with crisis.severity a normal,
# with a beta on every member's sovereignty (variants written by
# bench/members/variants.py into $TMP), and fixed with --posterior; each with
# a floor that draws exactly the numbers its runs draw.
if want paths; then
    PATHS_FILES=(bench/members/m7.toml bench/members/m16.toml bench/members/m32.toml bench/members/m64.toml "$KAZ")
    POST=bench/members/posterior.csv
    VAR=$TMP/variants
    python3 bench/members/variants.py "$BIN" "$VAR" "${PATHS_FILES[@]}" || die "bench/members/variants.py failed"
    "$BIN" check "${PATHS_FILES[@]}" "$VAR"/*.toml >/dev/null || die "scenario check failed (paths)"

    # runs/s of one `alliance-sim run FILE --runs N --threads T [ARGS]`.
    path_sim() {
        local file=$1 threads=$2 runs=$3 out line
        shift 3
        rm -rf "$TMP/paths"
        out=$("$BIN" run "$file" --runs "$runs" --seed "$SEED" --threads "$threads" --out "$TMP/paths" -q --no-report "$@" 2>&1) \
            || { echo "$out" >&2; die "alliance-sim run $file $* failed"; }
        line=$(grep -o '([0-9,]* runs/s' <<<"$out" | tr -d '(,' | awk '{print $1}')
        [[ -n $line ]] || die "no 'runs/s' in the output of alliance-sim run $file $*"
        echo "$line"
    }
    # runs/s of one floor of FILE on 1 thread: floor --scenario FILE [ARGS] RUNS 1.
    path_floor() {
        local file=$1 runs=$2 line
        shift 2
        line=$("$FLOOR" --scenario "$file" "$@" "$runs" 1 | sed -n 's/.*s, \([0-9.]*\) runs\/s$/\1/p')
        [[ -n $line ]] || die "no 'runs/s' from the floor of $file $*"
        echo "$line"
    }
    ns() { awk -v r="$1" 'BEGIN {if (r+0==0) print "-"; else printf "%.0f", 1e9/r}'; }

    note "paths: ${#PATHS_FILES[@]} scenarios x 4 paths, $(fmt "$PATHS_RUNS") runs (x 8/members above 8 members), median of $PATHS_REPS, interleaved"
    echo
    echo "(f) run paths: alliance-sim run (1 and 2 threads) against a floor that draws the same numbers (1 thread)"
    echo "    fixed: as written; severity: crisis.severity ~ normal(as written, 0.1) on [0, 1];"
    echo "    beta: every member's sovereignty ~ beta(mean as written, a + b = 10); posterior: --posterior $POST ($(($(wc -l <"$POST") - 1)) draws)"
    echo "    runs per measurement: $(fmt "$PATHS_RUNS") up to 8 members, times 8/members above; median of $PATHS_REPS"
    printf '%-16s %7s %-9s %8s %12s %12s %6s %12s %9s %8s %8s\n' scenario members path runs "1 thread" "2 threads" "2/1" "floor 1 thr" "sim/floor" "ns/run" "floor ns"
    for file in "${PATHS_FILES[@]}"; do
        stem=$(basename "$file" .toml)
        m=$(members "$file")
        n=$((m > 8 ? PATHS_RUNS * 8 / m : PATHS_RUNS))
        ((n > 0)) || n=1
        for path in fixed severity beta posterior; do
            args=()
            case $path in
                fixed) f=$file ;;
                severity) f=$VAR/${stem}_severity.toml ;;
                beta) f=$VAR/${stem}_beta.toml ;;
                posterior) f=$file args=(--posterior "$POST") ;;
            esac
            # The floor must draw what the model draws: checked on 2,000 runs.
            "$FLOOR" --scenario "$f" "${args[@]}" --check 2000 1 1 >/dev/null 2>"$TMP/check.err" \
                || { cat "$TMP/check.err" >&2; die "the floor of $f ${args[*]} does not draw what the model draws"; }
            two=$([[ $path == fixed || $path == severity ]] && echo 1 || true)
            s1=() s2=() fl=()
            for ((i = 0; i < PATHS_REPS; i++)); do
                s1+=("$(path_sim "$f" 1 "$n" "${args[@]}")")
                [[ -n $two ]] && s2+=("$(path_sim "$f" 2 "$n" "${args[@]}")")
                fl+=("$(path_floor "$f" "$n" "${args[@]}")")
            done
            r1=$(printf '%s\n' "${s1[@]}" | median)
            r2=$([[ -n $two ]] && printf '%s\n' "${s2[@]}" | median || echo -)
            rf=$(printf '%s\n' "${fl[@]}" | median)
            printf '%-16s %7s %-9s %8s %12.0f %12s %6s %12.0f %9s %8s %8s\n' "$stem" "$m" "$path" "$n" "$r1" \
                "$r2" "$([[ -n $two ]] && ratio "$r2" "$r1" || echo -)" "$rf" "$(ratio "$rf" "$r1")" "$(ns "$r1")" "$(ns "$rf")"
        done
    done
    echo "  (sim/floor: time per run of the simulation on 1 thread over that of its floor; ns/run: the simulation's, 1 thread)"
fi

# ---------------------------------------------------------------------------
# sweep: (g), issue 16. A sweep of many small points against one run of the
# same total runs, and the sweep's peak memory at two sizes.
if want sweep; then
    KGZ=scenarios/kyrgyzstan_2010.toml
    "$BIN" check "$KGZ" >/dev/null || die "scenario check failed ($KGZ)"
    POINTS=100000
    TOTAL=$((POINTS * SWEEP_RUNS))
    ((SWEEP_MEM_POINTS % 100 == 0)) || die "BENCH_SWEEP_MEM_POINTS must be a multiple of 100, got $SWEEP_MEM_POINTS"
    sweep_args() { # points/100 runs
        echo sweep "$KGZ" --vary "crisis.severity=0:1:$1" --vary noise=0:0.5:100 --runs "$2" --seed "$SEED" -q --no-report
    }
    # Wall seconds of a command (its output kept in $TMP/wall.out).
    wall() {
        local t0 t1
        rm -rf "$TMP/sweep"
        t0=$(date +%s%N)
        "$@" >"$TMP/wall.out" 2>&1 || { tail -n 20 "$TMP/wall.out" >&2; die "$* failed"; }
        t1=$(date +%s%N)
        awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}'
    }
    note "sweep: $(fmt "$POINTS") points x $SWEEP_RUNS runs and run --runs $(fmt "$TOTAL"), 1 and 2 threads, median of $SWEEP_REPS, interleaved"
    declare -A W
    for ((i = 0; i < SWEEP_REPS; i++)); do
        for t in 1 2; do
            # shellcheck disable=SC2046 # sweep_args prints words without spaces inside
            W[sweep,$t]+="$(wall "$BIN" $(sweep_args 1000 "$SWEEP_RUNS") --threads "$t" --out "$TMP/sweep") "
            W[run,$t]+="$(wall "$BIN" run "$KGZ" --runs "$TOTAL" --seed "$SEED" -q --no-report --threads "$t" --out "$TMP/sweep") "
        done
    done
    for k in "${!W[@]}"; do W[$k]=$(tr ' ' '\n' <<<"${W[$k]}" | grep . | median); done
    echo
    echo "(g) sweeps of small points: $(basename "$KGZ" .toml), wall seconds, median of $SWEEP_REPS (interleaved)"
    printf '  %-60s %10s %10s %8s\n' command "1 thread" "2 threads" "speedup"
    printf '  %-60s %10s %10s %8s\n' "sweep: $(fmt "$POINTS") points (1000 severities x 100 noises) x $SWEEP_RUNS runs" \
        "${W[sweep,1]}" "${W[sweep,2]}" "$(ratio "${W[sweep,1]}" "${W[sweep,2]}")"
    printf '  %-60s %10s %10s %8s\n' "run --runs $(fmt "$TOTAL")" "${W[run,1]}" "${W[run,2]}" "$(ratio "${W[run,1]}" "${W[run,2]}")"
    printf '  %-60s %10s %10s\n' "sweep / run (same total runs)" "$(ratio "${W[sweep,1]}" "${W[run,1]}")" "$(ratio "${W[sweep,2]}" "${W[run,2]}")"
    printf '  %-60s %10s %10s\n' "sweep: microseconds a point" \
        "$(awk -v s="${W[sweep,1]}" -v p="$POINTS" 'BEGIN {printf "%.2f", s * 1e6 / p}')" \
        "$(awk -v s="${W[sweep,2]}" -v p="$POINTS" 'BEGIN {printf "%.2f", s * 1e6 / p}')"

    # Peak RSS of the sweep (all cores), 10 runs a point, at 10^4 points and at SWEEP_MEM_POINTS.
    sweep_kib() { # points/100
        rm -rf "$TMP/sweep"
        # shellcheck disable=SC2046
        /usr/bin/time -v -o "$TMP/time.log" "$BIN" $(sweep_args "$1" 10) --out "$TMP/sweep" >"$TMP/mem.out" 2>&1 \
            || { tail -n 20 "$TMP/mem.out" >&2; die "sweep of $(($1 * 100)) points failed"; }
        rm -rf "$TMP/sweep"
        local kb
        kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time.log")
        [[ -n $kb ]] || die "no 'Maximum resident set size' from /usr/bin/time for the sweep"
        echo "$kb"
    }
    note "sweep memory: 10,000 and $(fmt "$SWEEP_MEM_POINTS") points x 10 runs"
    KS=$(sweep_kib 100)
    KB=$(sweep_kib $((SWEEP_MEM_POINTS / 100)))
    echo
    echo "  peak resident memory of the sweep (/usr/bin/time -v, all $NPROC cores), 10 runs a point"
    printf '  %-60s %10s %8s\n' points KiB MiB
    printf '  %-60s %10s %8.1f\n' 10000 "$KS" "$(awk -v k="$KS" 'BEGIN {print k/1024}')"
    printf '  %-60s %10s %8.1f\n' "$SWEEP_MEM_POINTS" "$KB" "$(awk -v k="$KB" 'BEGIN {print k/1024}')"
    echo "  sweep: RSS at $(fmt "$SWEEP_MEM_POINTS") / at 10000 points = $(ratio "$KB" "$KS")"
fi
