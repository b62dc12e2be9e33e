#!/usr/bin/env bash
# Submits an alliance-sim run or sweep to Slurm as a job array of N shards
# plus a merge job that waits for all of them (--dependency=afterok).
#
#   scripts/slurm/submit.sh [--shards N] [--out DIR] [--work DIR] [--wait]
#                           [--sbatch "OPTIONS"] -- run|sweep ARGS...
#
#   --shards N   array tasks, one shard each (default 4)
#   --out DIR    where the merged results go (default: output)
#   --work DIR   where the shards' counts go (default: OUT/shards); each
#                submission writes to WORK/<array job id>/
#   --wait       block until the merge job ends; exit with its exit code
#   --sbatch S   extra sbatch options for both jobs, e.g. "--partition=long"
#
# ALLIANCE_SIM names the binary; by default alliance-sim on the PATH, else
# target/release/alliance-sim of this repository. Give file arguments as
# paths from the folder you submit from (jobs run there).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
shards=4
out=output
work=
wait=
extra=
usage() {
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
while [ "$#" -gt 0 ]; do
    case $1 in
        --shards) shards=${2:?--shards needs a number}; shift 2 ;;
        --out) out=${2:?--out needs a folder}; shift 2 ;;
        --work) work=${2:?--work needs a folder}; shift 2 ;;
        --wait) wait=--wait; shift ;;
        --sbatch) extra=${2?--sbatch needs options}; shift 2 ;;
        --) shift; break ;;
        -h|--help) usage ;;
        *) echo "submit.sh: unknown option $1 (the alliance-sim command goes after --)" >&2; usage ;;
    esac
done
case ${1:-} in
    run|sweep) ;;
    *) echo "submit.sh: after -- give the command: run or sweep, and its arguments" >&2; usage ;;
esac
case $shards in
    ''|*[!0-9]*|0) echo "submit.sh: --shards must be a whole number from 1" >&2; exit 2 ;;
esac
for a in "$@"; do
    case $a in
        --out|--out=*|--shard|--shard=*|--shards|--shards=*)
            echo "submit.sh: $a is set by this script; use submit.sh --out, --shards" >&2; exit 2 ;;
    esac
done

if [ -z "${ALLIANCE_SIM:-}" ]; then
    if command -v alliance-sim >/dev/null; then
        ALLIANCE_SIM=$(command -v alliance-sim)
    elif [ -x "$here/../../target/release/alliance-sim" ]; then
        ALLIANCE_SIM=$(cd "$here/../../target/release" && pwd)/alliance-sim
    else
        echo "submit.sh: no alliance-sim binary: build it (cargo build --release) or set ALLIANCE_SIM" >&2
        exit 2
    fi
fi
export ALLIANCE_SIM
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=${work:-$out/shards}
mkdir -p "$work"
work=$(cd "$work" && pwd)

# shellcheck disable=SC2086 # $extra holds several sbatch options
array=$(sbatch --parsable $extra --array=0-$((shards - 1)) \
    "$here/shard.sbatch" "$work" "$@")
array=${array%%;*}
echo "submitted job array $array: $shards shards of alliance-sim $1, counts in $work/$array/"
# If a shard fails, the merge can never start: --kill-on-invalid-dep cancels it
# rather than leaving it pending for ever.
set +e
# shellcheck disable=SC2086
merge=$(sbatch --parsable $extra $wait --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    "$here/merge.sbatch" "$work/$array" "$out")
status=$?
set -e
merge=${merge%%;*}
if [ -z "$wait" ]; then
    [ "$status" -eq 0 ] || { echo "submit.sh: sbatch could not submit the merge job" >&2; exit 1; }
    echo "submitted merge job $merge (after $array succeeds); results will be in $out/"
    exit 0
fi
# sbatch --wait can return 0 for a job cancelled before it started (as the
# merge is when a shard fails), so ask Slurm how it ended.
state=$(scontrol show job "$merge" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2)
if [ "$status" -eq 0 ] && { [ -z "$state" ] || [ "$state" = COMPLETED ]; }; then
    echo "merge job $merge finished; results in $out/"
else
    echo "submit.sh: the merge job ${merge:-?} did not succeed (state ${state:-unknown}, sbatch exit $status): a shard failed or the merge refused; see slurm-${array}_*.out and slurm-${merge:-?}.out" >&2
    exit 1
fi
