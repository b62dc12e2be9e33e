#!/usr/bin/env bash
# same-bytes.sh OLD_BIN NEW_BIN: do two builds of alliance-sim write the same
# bytes? A change made for speed must not change a single output byte (issue
# 16). This runs one matrix of commands with each binary, on 1 and on 2
# threads, into two temporary folders, and compares every file written, and
# every command's standard output, error and exit code, byte for byte.
#
# The matrix: `run` (--per-run, several files at once, --decimal-comma) of
# shipped cases and of scenarios generated here from them with a
# distribution on nearly every parameter `params` lists (every family:
# normal, uniform, beta, triangular), on the options, on a 30-member NATO
# case, the 27-member EU with populations, a 64-member synthetic alliance
# and the 20-member benchmark scenario; absolute and relative noise; rules
# counting drawn spending, GDP and population; a case with a party excluded
# and no requester (ECOWAS, Niger 2023); runs and sweeps
# drawing from a posterior sample; `sweep` (grid, lhs, oat, small points);
# `run` and `sweep` split into shards and merged; `sensitivity`, `validate`,
# `power`, `calibrate`, `explain` (table, csv, json), `params`, `check`.
#
# Ignored, as they differ from one run of the same binary to the next: the
# elapsed seconds and runs per second printed on standard output, and
# `seconds` and `runs_per_second` in calibrate's manifest.json. Both binaries
# are copied in turn to the same path, so that manifests, which record the
# command line, name the same program. Nothing else is normalised.
#
# Exit code: 0 when everything is the same, 1 when anything differs (each
# difference is listed by file, with the first lines of its diff), 2 on bad
# usage or when a scenario generated here is refused by OLD_BIN.
# Takes about a minute; KEEP=1 keeps the temporary folder and prints it.
set -uo pipefail
set -f # the matrix's arguments hold `*`, never a file pattern

usage() {
    echo "usage: scripts/same-bytes.sh OLD_BIN NEW_BIN" >&2
    echo "  compares every output file of the two alliance-sim binaries (see the top of the script)" >&2
    exit 2
}
[[ $# -eq 2 ]] || usage
for b in "$1" "$2"; do
    [[ -f $b && -x $b ]] || { echo "same-bytes: not an executable file: $b" >&2; usage; }
done
OLD=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
NEW=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
unset ALLIANCE_SIM_DECIMAL_COMMA SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SLURM_CPUS_PER_TASK

TMP=$(mktemp -d "${TMPDIR:-/tmp}/same-bytes.XXXXXX")
if [[ ${KEEP:-} == 1 ]]; then
    echo "same-bytes: keeping $TMP" >&2
else
    trap 'rm -rf "$TMP"' EXIT
fi
SC=$TMP/scenarios          # shipped scenarios plus the generated ones
BIN=$TMP/bin/alliance-sim  # where each binary is copied in turn
mkdir -p "$TMP/bin"
cp -r "$ROOT/scenarios" "$SC"
cp "$ROOT/bench/synthetic_20x6.toml" "$SC/"

die2() { echo "same-bytes: $*" >&2; exit 2; }

# ---------------------------------------------------------------------------
# Scenarios with distributions, generated from the shipped ones.

# Reads `params` lines (path value [lo, hi]) and writes TOML tables setting
# each path to a distribution around its value, the family turning with the
# line: normal, uniform, beta, triangular. Judgements (ranges of width 2 or
# less) move by a tenth of the range, amounts and weights by a quarter of
# the value.
DIST_AWK='
{
    path = $1; v = $2 + 0; lo = $3; hi = $4
    gsub(/[\[,]/, "", lo); gsub(/\]/, "", hi); lo += 0; hi += 0
    width = hi - lo
    d = (width <= 2) ? 0.1 * width : (v != 0 ? 0.25 * (v < 0 ? -v : v) : 0.1)
    a = v - d; if (a < lo) a = lo
    b = v + d; if (b > hi) b = hi
    f = n++ % 4
    if (f == 0) s = sprintf("{ dist = \"normal\", mean = %.6g, sd = %.6g }", v, d)
    else if (f == 1) s = sprintf("{ dist = \"uniform\", lo = %.6g, hi = %.6g }", a, b)
    else if (f == 2) s = sprintf("{ dist = \"beta\", a = 2, b = 3, lo = %.6g, hi = %.6g }", a, b)
    else s = sprintf("{ dist = \"triangular\", lo = %.6g, mode = %.6g, hi = %.6g }", a, v, b)
    k = path; sub(/\.[^.]*$/, "", k); key = path; sub(/^.*\./, "", key)
    if (!(k in seen)) { seen[k] = 1; order[++tables] = k }
    body[k] = body[k] key " = " s "\n"
}
END { for (i = 1; i <= tables; i++) printf "\n[%s]\n%s", order[i], body[order[i]] }
'

# gen OUT BASE PATTERN [EXTRA]: writes $SC/OUT, which includes BASE (relative
# to $SC) and sets every parameter path matching the extended regex PATTERN,
# populations aside unless PATTERN names them, to a distribution; EXTRA is
# appended as it is.
gen() {
    local out=$1 base=$2 pattern=$3 extra=${4:-} rel skip='population'
    [[ $pattern == *population* ]] && skip='^$'
    rel=$(realpath --relative-to="$(dirname "$SC/$out")" "$SC/$base")
    {
        echo "include = [\"$rel\"]"
        "$OLD" params "$SC/$base" | tail -n +2 | grep -E "$pattern" | grep -Ev "$skip" | awk "$DIST_AWK"
        printf '%s\n' "$extra"
    } >"$SC/$out"
    "$OLD" check "$SC/$out" >/dev/null || die2 "OLD_BIN refuses the generated scenario $out"
}

# Every parameter but the options (a list, replaced whole), the noise and
# the band (plain numbers).
ALL='^(alliance|crisis|members)\.'
gen kgz_every.toml kyrgyzstan_2010.toml "$ALL"
gen kgz_every_relative.toml kyrgyzstan_2010.toml "$ALL" $'\n[montecarlo]\nnoise_model = "relative"'
# Large noise, so that the outcome is not certain and votes vary.
gen kaz_every.toml kazakhstan_2022.toml "$ALL" $'\n[montecarlo]\nnoise = 0.6'
gen nato_every.toml nato/eastern_allies_2022.toml "$ALL" $'\n[montecarlo]\nnoise = 0.6'
gen eu_every.toml eu/belarus_2020_09.toml "$ALL|population"
gen niger_every.toml ecowas/niger_2023.toml "$ALL"
gen kaz_sovereignty.toml kazakhstan_2022.toml '^members\.[^.]*\.sovereignty '
gen syn_severity.toml synthetic_20x6.toml '^crisis\.severity '
# The options, every family, on Kyrgyzstan's distributions.
cat >"$SC/kgz_options.toml" <<'EOF'
include = ["kgz_every.toml"]

[[options]]
id = "statement"
effect = { dist = "uniform", lo = 0.05, hi = 0.15 }
troops = 0.0
intrusion = 0.0

[[options]]
id = "monitoring"
effect = { dist = "normal", mean = 0.3, sd = 0.05, lo = 0.1 }
troops = { dist = "triangular", lo = 0, mode = 0.02, hi = 0.1 }
intrusion = { dist = "beta", a = 2, b = 5, lo = 0, hi = 0.2 }

[[options]]
id = "limited_deployment"
effect = { dist = "triangular", lo = 0.5, mode = 0.7, hi = 0.9 }
troops = { dist = "uniform", lo = 0.3, hi = 0.5 }
intrusion = { dist = "normal", mean = 0.5, sd = 0.1 }

[[options]]
id = "full_intervention"
effect = 1.0
troops = { dist = "beta", a = 5, b = 1, lo = 0.6, hi = 1 }
intrusion = 1.0

[rule]
kind = "consensus"
abstention_band = 0.05
EOF
"$OLD" check "$SC/kgz_options.toml" >/dev/null || die2 "OLD_BIN refuses kgz_options.toml"

# 64 members, the most a scenario may have; a beta on every sovereignty.
{
    echo '[alliance]'
    echo 'hegemon = "M00"'
    echo 'capacity = { dist = "uniform", lo = 0.3, hi = 0.7 }'
    echo 'regions = ["n", "s"]'
    echo 'crisis_types = ["c"]'
    for ((i = 0; i < 64; i++)); do
        m=$(printf 'M%02d' "$i")
        echo
        echo "[members.$m]"
        echo "region = \"$([[ $((i % 2)) == 0 ]] && echo n || echo s)\""
        echo "military_spending = $(((i * 37) % 50 + 1))"
        echo "gdp = $(((i * 53) % 90 + 10))"
        ((i > 0)) && echo "dependence = 0.$(((i * 7) % 9 + 1))"
        echo "sovereignty = { dist = \"beta\", a = 2, b = $((i % 4 + 2)) }"
        echo "vulnerability = 0.$(((i * 3) % 9 + 1))"
        echo "threat = { c = 0.$(((i * 5) % 9 + 1)) }"
        echo "concern = { s = 0.$(((i * 11) % 9 + 1)) }"
        echo "affinity = { M05 = 0.$(((i * 13) % 9)), X = -0.$(((i * 17) % 9)) }"
    done
    cat <<'EOF'

[alliance.outsiders]
X = "Adversary"

[crisis]
requester = "M05"
adversary = "X"
type = "c"
region = "s"
requested = "deploy"
severity = { dist = "normal", mean = 0.6, sd = 0.15 }
domestic = 0.5
framing = 0.5
contagion = 0.4
legal_fit = 0.7
legitimacy = 0.6
credibility = 0.6
combat_risk = 0.3

[[options]]
id = "statement"
effect = 0.2
troops = 0
intrusion = 0

[[options]]
id = "deploy"
effect = 0.8
troops = 0.5
intrusion = 0.5

[rule]
kind = "qualified_majority"
votes = 63   # nearly everyone votes yes: 63 of 64 passes in about two runs of three
EOF
} | sed '/^\[members\.M05\]/,/^$/ s/affinity = { M05 = [^,]*, /affinity = { /' >"$SC/syn64.toml"
"$OLD" check "$SC/syn64.toml" >/dev/null || die2 "OLD_BIN refuses syn64.toml"

# A posterior sample for the CSTO cases (the last column names no member).
cat >"$SC/post.csv" <<'EOF'
draw,noise,crisis.severity,members.*.weights.cost,members.KAZ.sovereignty,members.RUS.affinity.KGZ,members.USA.dependence,log_likelihood
0,0.1,0.6,1.0,0.5,0.5,0.3,-10.5
1,0.2,0.7,1.5,0.7,0.3,0.3,-11.0
2,0.15,0.8,0.8,0.4,0.6,0.2,-12.25
3,0.12,0.65,1.2,0.6,0.4,0.1,-11.5
4,0.3,0.75,2.0,0.3,0.2,0.1,-13.0
EOF

# ---------------------------------------------------------------------------
# The matrix: one line per command, NAME then the arguments. `@` stands for
# the scenarios folder. Each runs in a folder of its own (results in `o/`),
# on T threads where the command takes --threads.

MATRIX=$(cat <<'EOF'
run_kaz           run @/kazakhstan_2022.toml --per-run --out o
run_kgz           run @/kyrgyzstan_2010.toml --per-run --out o --runs 30000
run_three         run @/kyrgyzstan_2010.toml @/armenia_2020.toml @/kazakhstan_2022.toml --out o --runs 5000 --seed 3
run_kgz_every     run @/kgz_every.toml --per-run --out o --runs 30000
run_kgz_relative  run @/kgz_every_relative.toml --per-run --out o --runs 20000
run_kgz_options   run @/kgz_options.toml --per-run --out o --runs 20000
run_kgz_comma     run @/kgz_every.toml --per-run --out o --runs 5000 --decimal-comma
run_kgz_military  run @/kgz_every.toml --rule weighted:military:0.5 --per-run --out o --runs 20000
run_kgz_gdp       run @/kgz_every.toml --rule weighted:economic:amount:200 --out o --runs 20000
run_kgz_majority  run @/kgz_every.toml --rule qualified_majority:2/3 --out o --runs 20000
run_kaz_every     run @/kaz_every.toml --per-run --out o --runs 20000 --seed 7
run_kaz_sov       run @/kaz_sovereignty.toml --per-run --out o --runs 20000
run_nato_every    run @/nato_every.toml --per-run --out o --runs 10000
run_niger_every   run @/niger_every.toml --per-run --out o --runs 10000
run_eu_every      run @/eu_every.toml --per-run --out o --runs 10000
run_eu_double     run @/eu_every.toml --rule double_majority --per-run --out o --runs 10000
run_eu_popweight  run @/eu_every.toml --rule weighted:population:0.9 --out o --runs 10000
run_syn20         run @/syn_severity.toml --per-run --out o --runs 20000
run_syn64         run @/syn64.toml --per-run --out o --runs 5000
run_post_kgz      run @/kyrgyzstan_2010.toml --posterior @/post.csv --per-run --out o --runs 20000
run_post_every    run @/kgz_every.toml --posterior @/post.csv --per-run --out o --runs 20000
sweep_grid        sweep @/kgz_every.toml --vary crisis.framing=0:1:5 --vary members.UZB.sovereignty=0.2,0.8 --rules consensus,majority --runs 500 --out o
sweep_small       sweep @/kaz_sovereignty.toml --vary crisis.severity=0:1:400 --runs 100 --out o --no-report
sweep_lhs         sweep @/kgz_options.toml --design lhs --samples 40 --vary crisis.severity=0.2:1 --vary members.*.dependence=0:1 --runs 200 --out o
sweep_oat         sweep @/kyrgyzstan_2010.toml --design oat --vary crisis.severity=0.3,0.9 --vary members.KGZ.sovereignty=0.1,0.9 --runs 1000 --out o
sweep_post        sweep @/kgz_every.toml --posterior @/post.csv --vary crisis.framing=0:1:3 --rules consensus,strict_unanimity --runs 500 --out o
sweep_syn64       sweep @/syn64.toml --vary crisis.severity=0.3:0.9:4 --runs 300 --out o
sens_kgz          sensitivity @/kyrgyzstan_2010.toml --runs 300 --trajectories 3 --out o
sens_every        sensitivity @/kgz_every.toml --param members.*.sovereignty --param crisis.* --response monitoring --at-least --runs 400 --trajectories 4 --out o
validate_all      validate @ --runs 2000 --out o
validate_post     validate @/kyrgyzstan_2010.toml @/armenia_2020.toml @/kazakhstan_2022.toml --posterior @/post.csv --runs 3000 --out o
power_kaz         power @/kazakhstan_2022.toml --runs 3000 --out o
power_every       power @/kgz_every.toml --runs 3000 --out o
calibrate_csto    calibrate @/kyrgyzstan_2010.toml @/armenia_2020.toml @/kazakhstan_2022.toml --param noise=0.05:0.3 --param members.*.weights.cost=0.5:3 --runs 300 --starts 0 --draws 30 --burn-in 10 --cv none --out o
EOF
)

# Commands that take no --threads: run once per side, in t1.
SINGLE=$(cat <<'EOF'
explain_json      explain @/kyrgyzstan_2010.toml --format json
explain_every     explain @/kgz_every.toml --format json
explain_csv       explain @/kgz_options.toml --format csv
explain_table     explain @/niger_every.toml
params_every      params @/kgz_every.toml
check_all         check @/kgz_every.toml @/kgz_options.toml @/nato_every.toml @/syn64.toml @/eu_every.toml
power_weights     power --weights 9,4,4,2,1 --quota 12 --out o
EOF
)

# Shards merged: NAME, the number of shards, then the command.
SHARDED=$(cat <<'EOF'
shard_run_every   3 run @/kgz_every.toml --per-run --runs 20000
shard_run_post    3 run @/kgz_every.toml --posterior @/post.csv --per-run --runs 20000
shard_sweep       2 sweep @/kgz_every.toml --vary crisis.framing=0:1:4 --rules consensus,majority --runs 700
EOF
)

# one DIR ARGS...: runs $BIN ARGS in DIR; keeps stdout, stderr and the exit code.
one() {
    local dir=$1
    shift
    mkdir -p "$dir"
    (cd "$dir" && "$BIN" "$@" >stdout 2>stderr; echo $? >rc)
}

# side OLD|NEW BINARY: the whole matrix with BINARY, into $TMP/SIDE.
side() {
    local name=$1 t line n k i st f
    cp "$2" "$BIN"
    for t in 1 2; do
        while read -r n line; do
            [[ -n $n ]] || continue
            # shellcheck disable=SC2086
            one "$TMP/$name/t$t/$n" ${line//@/$SC} -q --threads "$t"
        done <<<"$MATRIX"
        while read -r n k line; do
            [[ -n $n ]] || continue
            for ((i = 0; i < k; i++)); do
                # Shards on alternating thread counts, starting with T.
                st=$(((t + i - 1) % 2 + 1))
                # shellcheck disable=SC2086
                one "$TMP/$name/t$t/$n" ${line//@/$SC} -q --threads "$st" --shard "$i/$k" --out shards
                for f in stdout stderr rc; do
                    mv "$TMP/$name/t$t/$n/$f" "$TMP/$name/t$t/$n/$f.shard$i"
                done
            done
            one "$TMP/$name/t$t/$n" merge shards --out merged
            # The same work in one process, whose files the merge must equal.
            # shellcheck disable=SC2086
            one "$TMP/$name/t$t/$n/whole" ${line//@/$SC} -q --threads "$t" --out o
        done <<<"$SHARDED"
    done
    while read -r n line; do
        [[ -n $n ]] || continue
        # shellcheck disable=SC2086
        one "$TMP/$name/t1/$n" ${line//@/$SC}
    done <<<"$SINGLE"
}

started=$SECONDS
echo "same-bytes: running the matrix with OLD ($OLD)" >&2
side old "$OLD"
# A command OLD refuses compares little: say so (the matrix may need fixing).
while IFS= read -r f; do
    [[ $(cat "$f") == 0 ]] || echo "same-bytes: note: ${f#"$TMP/old/"} is $(cat "$f") under OLD: $(head -c 300 "$(dirname "$f")/stderr")" >&2
done < <(find "$TMP/old" -name 'rc*' -type f | sort)
echo "same-bytes: running the matrix with NEW ($NEW)" >&2
side new "$NEW"

# ---------------------------------------------------------------------------
# Comparison.

# What differs between runs of one binary, removed from copies before comparing.
normalise() { # normalise FILE: the file's text with the volatile fields blanked
    case $1 in
        */stdout | */stdout.shard* | */stderr | */stderr.shard*)
            sed -E 's/ in [0-9]+(\.[0-9]+)? s\b/ in _ s/g; s/\([0-9,]+ runs\/s/(_ runs\/s/g; s/[0-9,]+ runs\/s/_ runs\/s/g' "$1" ;;
        */calibration/manifest.json)
            sed -E 's/("(seconds|runs_per_second)": )[0-9.e+-]+/\1_/' "$1" ;;
        *) cat "$1" ;;
    esac
}

diffs=0 files=0
report() { echo "DIFF $*"; diffs=$((diffs + 1)); }
while IFS= read -r rel; do
    files=$((files + 1))
    a=$TMP/old/$rel b=$TMP/new/$rel
    if [[ ! -e $a ]]; then report "$rel: only NEW wrote it"; continue; fi
    if [[ ! -e $b ]]; then report "$rel: only OLD wrote it"; continue; fi
    cmp -s "$a" "$b" && continue
    if ! cmp -s <(normalise "$a") <(normalise "$b"); then
        report "$rel"
        diff <(normalise "$a") <(normalise "$b") | head -6 | sed 's/^/    /'
    fi
done < <( (cd "$TMP/old" && find . -type f; cd "$TMP/new" && find . -type f) | sed 's|^\./||' | sort -u)

# Within NEW: the merged shards equal the same work in one process.
set +f
merged=0
while read -r n k line; do
    [[ -n $n ]] || continue
    for t in 1 2; do
        d=$TMP/new/t$t/$n
        for f in "$d"/whole/o/*/*.csv; do
            [[ -e $f ]] || { report "t$t/$n: no CSV written in one process"; break; }
            m=$d/merged/$(basename "$(dirname "$f")")/$(basename "$f")
            merged=$((merged + 1))
            cmp -s "$f" "$m" || report "t$t/$n: merged $(basename "$f") differs from one process's"
        done
    done
done <<<"$SHARDED"

echo "same-bytes: compared $files files from $(grep -c . <<<"$MATRIX") commands x 2 thread counts, $(grep -c . <<<"$SHARDED") sharded and $(grep -c . <<<"$SINGLE") single ones, and $merged merged CSV files with one process's, in $((SECONDS - started)) s" >&2
if ((diffs > 0)); then
    echo "same-bytes: $diffs difference(s) between OLD ($OLD) and NEW ($NEW)"
    exit 1
fi
echo "same-bytes: all the same"
exit 0
