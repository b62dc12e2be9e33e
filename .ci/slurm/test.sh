#!/usr/bin/env bash
# The Slurm test: on a real single-node cluster (started by cluster.sh),
# submit a sweep as a 4-task job array plus its merge job through
# scripts/slurm/submit.sh, wait, and compare the merged files with a
# single-process sweep byte for byte. Fails loudly if the cluster cannot
# start; stops the daemons afterwards whatever happens.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
started=$(date +%s)

cargo build --locked --release
bin=$root/target/release/alliance-sim

trap 'bash "$root/.ci/slurm/cluster.sh" stop' EXIT
bash .ci/slurm/cluster.sh start

work=$(mktemp -d /tmp/alliance-sim-slurm.XXXXXX)
sweep=(sweep scenarios/kyrgyzstan_2010.toml --vary crisis.severity=0:1:5
       --rules consensus,qualified_majority:0.67 --runs 20000)

echo "slurm-test: one process"
"$bin" "${sweep[@]}" --out "$work/single" --quiet

echo "slurm-test: a 4-task job array and a merge job"
cluster_started=$(date +%s)
# Jobs run in the folder they were submitted from; their logs go there.
(cd "$work" && ALLIANCE_SIM=$bin timeout 600 bash "$root/scripts/slurm/submit.sh" \
    --shards 4 --out "$work/cluster" --wait -- \
    "${sweep[0]}" "$root/${sweep[1]}" "${sweep[@]:2}") || {
    echo "slurm-test: FAILED: the jobs did not succeed; their logs:" >&2
    tail -n 20 "$work"/slurm-*.out >&2 || true
    exit 1
}
cluster_done=$(date +%s)

shard_folders=$(find "$work/cluster/shards" -name shard.json | wc -l)
if [ "$shard_folders" -ne 4 ]; then
    echo "slurm-test: FAILED: expected 4 shards, found $shard_folders" >&2
    exit 1
fi
single=$work/single/kyrgyzstan_2010-sweep
merged=$work/cluster/kyrgyzstan_2010-sweep
# Every file but the manifest and the report, which name the command that made them.
compared=0
for path in "$single"/*; do
    f=$(basename "$path")
    case $f in manifest.json|report.html) continue ;; esac
    compared=$((compared + 1))
    if ! cmp "$path" "$merged/$f"; then
        echo "slurm-test: FAILED: $f of the merged shards differs from one process" >&2
        exit 1
    fi
done
[ "$compared" -ge 3 ] || { echo "slurm-test: FAILED: only $compared files to compare" >&2; exit 1; }
echo "slurm-test: the merged sweep's $compared files equal one process's byte for byte ($(wc -l < "$merged/sweep_outcomes.csv") lines)"
rm -rf "$work"
echo "slurm-test: passed; jobs took $((cluster_done - cluster_started)) s, the whole test $(($(date +%s) - started)) s"
