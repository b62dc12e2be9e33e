#!/usr/bin/env bash
# A real single-node Slurm cluster on localhost, for the CI scale-out test.
#
#   bash .ci/slurm/cluster.sh start   # install if missing, start, prove a job runs
#   bash .ci/slurm/cluster.sh stop    # stop slurmctld, slurmd and munged (idempotent)
#
# Meant for a throwaway Debian 12 machine where it runs as root without
# systemd, possibly in a container without cgroups. This script owns, and
# overwrites or wipes on every `start`:
#   /etc/slurm/slurm.conf
#   /var/lib/slurm/slurmctld/* and /var/lib/slurm/slurmd/*  (state: job ids restart at 1)
#   /var/log/slurm/slurmctld.log and slurmd.log             (the previous run's go to *.prev)
#   /run/slurmctld.pid, /run/slurmd.pid, /run/munge/munged.pid
# and creates /etc/munge/munge.key only if it is missing.
#
# `start` first stops whatever an earlier `start` left running, so it can be
# run twice. It exits 0 only once the node is idle and a trivial batch job has
# completed; on any failure it says which step failed, prints the tail of the
# daemon logs and exits non-zero. It never skips quietly.
#
# The configuration uses plugins that need no cgroups (proctrack/linuxproc,
# task/none) and no accounting; Debian 12 ships Slurm 22.05.
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

NODE=localhost
CONF=/etc/slurm/slurm.conf
STATE_DIR=/var/lib/slurm/slurmctld
SPOOL_DIR=/var/lib/slurm/slurmd
LOG_DIR=/var/log/slurm
CTLD_PID=/run/slurmctld.pid
SLURMD_PID=/run/slurmd.pid
MUNGE_PID=/run/munge/munged.pid
MUNGE_KEY=/etc/munge/munge.key
MUNGE_LOG=/var/log/munge/munged.log
IDLE_WAIT=60   # seconds for the node to reach idle
JOB_WAIT=120   # seconds for the trivial job

say() { echo "slurm: $*"; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Seconds since $1 (milliseconds from now_ms), with one decimal.
elapsed() {
    local ms=$(($(now_ms) - $1))
    printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

# ---------------------------------------------------------------- stopping

# Prints the pid recorded in pid file $2 if that process is alive and is $1.
live_pid() {
    local name=$1 file=$2 pid comm
    [ -r "$file" ] || return 1
    pid=$(tr -dc '0-9' <"$file")
    [ -n "$pid" ] || return 1
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
    [ "$comm" = "$name" ] || return 1
    echo "$pid"
}

# Stops daemon $1 by the pid in pid file $2: TERM, then KILL after 15 s.
stop_daemon() {
    local name=$1 file=$2 pid i
    if pid=$(live_pid "$name" "$file"); then
        say "stopping $name (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 150); do
            [ -d "/proc/$pid" ] || break
            sleep 0.1
        done
        if [ -d "/proc/$pid" ]; then
            say "$name did not exit after TERM; sending KILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
        fi
    fi
    rm -f "$file"
}

stop_cluster() {
    # A clean shutdown lets slurmctld save state and tell slurmd to exit;
    # the pid files then catch anything that did not go.
    if live_pid slurmctld "$CTLD_PID" >/dev/null && command -v scontrol >/dev/null; then
        timeout 10 scontrol shutdown >/dev/null 2>&1 || true
    fi
    stop_daemon slurmd "$SLURMD_PID"
    stop_daemon slurmctld "$CTLD_PID"
    stop_daemon munged "$MUNGE_PID"
    return 0
}

# ---------------------------------------------------------------- starting

step="(none)"

show_logs() {
    local log
    for log in "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log" "$MUNGE_LOG"; do
        echo "----- tail -n 40 $log" >&2
        if [ -r "$log" ]; then tail -n 40 "$log" >&2; else echo "(missing)" >&2; fi
    done
    echo "-----" >&2
}

# EXIT trap of `start`: any non-zero exit, from `fail` or from `set -e`,
# names the step and shows the logs.
on_start_exit() {
    local rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "slurm: FAILED (exit $rc) at step: $step" >&2
        show_logs
    fi
    exit "$rc"
}

fail() {
    echo "slurm: ERROR: $*" >&2
    exit 1
}

install_if_missing() {
    local missing=() cmd t0
    for cmd in sbatch slurmctld slurmd munged; do
        command -v "$cmd" >/dev/null || missing+=("$cmd")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        say "already installed ($(slurmctld -V))"
        return
    fi
    step="install (missing: ${missing[*]})"
    say "installing slurm-wlm and munge (missing: ${missing[*]})"
    t0=$(now_ms)
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        slurm-wlm munge >/dev/null
    for cmd in sbatch slurmctld slurmd munged; do
        command -v "$cmd" >/dev/null || fail "$cmd still missing after apt-get install"
    done
    say "installed $(slurmctld -V) in $(elapsed "$t0") s"
}

prepare_files() {
    step="prepare users, directories and key"
    id slurm >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin slurm
    id munge >/dev/null 2>&1 || fail "user munge missing (the munge package creates it)"

    mkdir -p /etc/slurm "$STATE_DIR" "$SPOOL_DIR" "$LOG_DIR" \
        /etc/munge /run/munge /var/lib/munge /var/log/munge
    # Fresh state: no old jobs, job ids start again at 1.
    find "$STATE_DIR" "$SPOOL_DIR" -mindepth 1 -delete
    local log
    for log in slurmctld slurmd; do
        if [ -f "$LOG_DIR/$log.log" ]; then mv -f "$LOG_DIR/$log.log" "$LOG_DIR/$log.log.prev"; fi
    done
    chown -R slurm:slurm /var/lib/slurm "$LOG_DIR"
    chown munge:munge /run/munge /var/lib/munge /var/log/munge
    chmod 0755 /run/munge
    chmod 0700 /var/lib/munge /var/log/munge

    if [ ! -s "$MUNGE_KEY" ]; then
        say "creating $MUNGE_KEY"
        if command -v mungekey >/dev/null; then
            mungekey --create --force --keyfile="$MUNGE_KEY"
        else
            dd if=/dev/urandom of="$MUNGE_KEY" bs=1024 count=1 status=none
        fi
    fi
    chown munge:munge "$MUNGE_KEY"
    chmod 0400 "$MUNGE_KEY"

    step="write $CONF"
    cat >"$CONF" <<CONF
# Written by .ci/slurm/cluster.sh: single-node CI cluster, no cgroups, no accounting.
ClusterName=ci
SlurmctldHost=$NODE
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
# Start batch jobs as soon as they are submitted or freed, not up to 3 s later.
SchedulerParameters=batch_sched_delay=0
# No mail on this machine (the default MailProg is missing and logs an error).
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$STATE_DIR
SlurmdSpoolDir=$SPOOL_DIR
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
NodeName=$NODE CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF
    chmod 0644 "$CONF"
}

start_munge() {
    step="start munged"
    rm -f /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock
    runuser -u munge -- /usr/sbin/munged --force
    step="munge check (munge -n | unmunge)"
    local i
    for i in $(seq 50); do
        if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
            say "munge works"
            return
        fi
        sleep 0.1
    done
    munge -n | unmunge || true
    fail "munge -n | unmunge does not succeed"
}

start_slurm() {
    local i
    step="start slurmctld"
    slurmctld
    step="wait for slurmctld to answer (scontrol ping)"
    for i in $(seq 150); do
        if scontrol ping 2>/dev/null | grep -q 'is UP'; then break; fi
        live_pid slurmctld "$CTLD_PID" >/dev/null || [ "$i" -lt 20 ] ||
            fail "slurmctld is not running"
        sleep 0.2
    done
    scontrol ping | grep -q 'is UP' || fail "slurmctld does not answer scontrol ping"
    say "slurmctld up (pid $(live_pid slurmctld "$CTLD_PID" || echo '?'))"

    step="start slurmd"
    slurmd -N "$NODE"
    for i in $(seq 50); do
        live_pid slurmd "$SLURMD_PID" >/dev/null && break
        sleep 0.2
    done
    live_pid slurmd "$SLURMD_PID" >/dev/null || fail "slurmd is not running"
    say "slurmd up (pid $(live_pid slurmd "$SLURMD_PID"))"
}

wait_idle() {
    step="wait for node $NODE to be idle (${IDLE_WAIT} s)"
    local state="" deadline=$((SECONDS + IDLE_WAIT)) next_resume=$((SECONDS + 5))
    while [ "$SECONDS" -lt "$deadline" ]; do
        state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null | head -n 1) || state=""
        case "$state" in
        idle) say "node $NODE idle"; return ;;
        down* | drain* | fail* | inval* | unknown*)
            # ReturnToService=2 should revive it on registration; if not, ask.
            if [ "$SECONDS" -ge "$next_resume" ]; then
                say "node $NODE is '$state': scontrol update state=resume"
                scontrol update nodename="$NODE" state=resume 2>&1 | sed 's/^/slurm:   /' || true
                next_resume=$((SECONDS + 10))
            fi
            ;;
        esac
        live_pid slurmctld "$CTLD_PID" >/dev/null || fail "slurmctld died"
        live_pid slurmd "$SLURMD_PID" >/dev/null || fail "slurmd died"
        sleep 0.5
    done
    scontrol show node "$NODE" >&2 || true
    fail "node $NODE is '${state:-?}', not idle, after ${IDLE_WAIT} s"
}

# The job itself takes well under a second, but sbatch --wait polls the job
# state after 2, 10, 42, 74... s, so this step takes about 10 s.
trivial_job() {
    step="trivial job (sbatch --wait --wrap true, ${JOB_WAIT} s)"
    local t0 out
    t0=$(now_ms)
    if ! out=$(timeout "$JOB_WAIT" sbatch --wait --parsable --job-name=ci-smoke \
        --chdir=/tmp --output=/dev/null --wrap true 2>&1); then
        echo "$out" >&2
        squeue >&2 || true
        fail "the trivial job did not succeed within ${JOB_WAIT} s"
    fi
    say "trivial job $out ran in $(elapsed "$t0") s"
}

start_cluster() {
    trap on_start_exit EXIT
    local t0
    install_if_missing
    t0=$(now_ms)
    step="stop leftovers"
    stop_cluster
    prepare_files
    start_munge
    start_slurm
    wait_idle
    trivial_job
    step="(done)"
    say "cluster ready: 1 node, $(nproc) CPUs, partition debug; started in $(elapsed "$t0") s"
}

case "${1:-}" in
start) start_cluster ;;
stop)
    stop_cluster
    say "stopped"
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
