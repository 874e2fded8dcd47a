#!/usr/bin/env bash
# scripts/local-slurm.sh: a real single-node Slurm (munge + slurmctld + slurmd) for trying `scaling slurm` and for the integration test.
#
#   scripts/local-slurm.sh start [--dir DIR] [--port P]   start munged, slurmctld and slurmd with config and state in DIR
#   scripts/local-slurm.sh stop  [--dir DIR]              cancel the cluster's jobs, stop the three daemons by their PIDs
#   scripts/local-slurm.sh status [--dir DIR]             which of our daemons run (exit 0 when all three do)
#   scripts/local-slurm.sh env   [--dir DIR]              print `export SLURM_CONF=DIR/slurm.conf` (eval it to use sbatch/squeue)
#
# Needs root and Debian's packages: apt-get install -y --no-install-recommends munge slurm-wlm slurmctld slurmd slurm-client
# (Slurm 22.05 on Debian 12; see .ci/run). No systemd: the daemons run in the foreground (-D / -F) in the background of this
# script, so `$!` is each daemon's own PID; those PIDs are written to DIR/pids/ and `stop` signals only them, after checking that
# /proc/PID/cmdline is still that daemon started with this DIR (a reused PID is never signalled). Nothing is killed by name.
# Everything (slurm.conf, cgroup.conf, munge key/socket, state, spool, logs) lives in DIR (default /tmp/scaling-slurm), which
# carries a marker file; `start` refuses a non-empty DIR without it. Ports: slurmctld P, slurmd P+1 (default 6817/6818).
set -euo pipefail

cmd="${1:-}"
[ $# -gt 0 ] && shift
DIR="${SCALING_SLURM_DIR:-/tmp/scaling-slurm}"
PORT="${SCALING_SLURM_PORT:-6817}"
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --dir=*) DIR="${1#--dir=}"; shift ;;
    --port) PORT="$2"; shift 2 ;;
    --port=*) PORT="${1#--port=}"; shift ;;
    *) echo "local-slurm: unknown argument '$1' (usage: $0 start|stop|status|env [--dir DIR] [--port P])" >&2; exit 2 ;;
  esac
done
case "$DIR" in /*) ;; *) DIR="$(pwd)/$DIR" ;; esac
MARKER="$DIR/.scaling-local-slurm"
CONF="$DIR/slurm.conf"
PIDS="$DIR/pids"
DAEMONS=(munged slurmctld slurmd)

die() { echo "local-slurm: $*" >&2; exit 2; }

# The PID we recorded for daemon $1, if that process still runs and is that daemon started with our DIR.
live_pid() {
  local name="$1" pid
  [ -f "$PIDS/$name.pid" ] || return 1
  pid="$(cat "$PIDS/$name.pid")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  local cl
  cl="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
  case "$cl" in *"$name"*"$DIR"*) echo "$pid"; return 0 ;; esac
  # slurmctld/slurmd read SLURM_CONF from the environment, not argv: check it there.
  if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "SLURM_CONF=$CONF" && [[ "$cl" == *"$name"* ]]; then echo "$pid"; return 0; fi
  return 1
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs="$1" what="$2"; shift 2
  local end=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || { echo "local-slurm: timed out after ${secs} s waiting for $what" >&2; return 1; }
    sleep 0.2
  done
}

node_idle() { [ "$(sinfo -h -N -o '%t' 2>/dev/null | head -n1)" = "idle" ]; }

write_config() {
  local host cpus mem
  host="$(hostname -s)"
  cpus="$(nproc)"
  mem="$(free -m | awk '/^Mem:/ { print int($2 * 0.9) }')"
  mkdir -p "$DIR"/{state,spool,log,run,munge,pids}
  cat > "$CONF" <<EOF
# Written by scripts/local-slurm.sh: a single-node Slurm on $host for scaling's tests and trials.
ClusterName=scaling-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire: also how long a requeued job waits before it may start again (default 120 s); 5 s keeps requeue tests short.
AuthInfo=socket=$DIR/munge/munge.socket.2,cred_expire=5
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/slurmd-%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_interval=1,bf_interval=1
MinJobAge=3600
ReturnToService=2
KillWait=10
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  # 22.05 refuses CgroupPlugin=disabled and cgroup/v2 fails on mixed layouts; with v1 pinned and task/none, Slurm never touches cgroups.
  printf 'CgroupPlugin=cgroup/v1\n' > "$DIR/cgroup.conf"
}

start() {
  [ "$(id -u)" = 0 ] || die "needs root (the daemons run as root and munged as user munge)"
  for b in munged slurmctld slurmd sbatch scontrol sinfo squeue setpriv; do
    command -v "$b" >/dev/null || die "'$b' not found: apt-get install -y --no-install-recommends munge slurm-wlm slurmctld slurmd slurm-client"
  done
  id munge >/dev/null 2>&1 || die "no 'munge' user (install Debian's munge package)"
  if [ -d "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ] && [ ! -f "$MARKER" ]; then
    die "$DIR exists, is not empty and was not made by this script (no $(basename "$MARKER")): choose another --dir"
  fi
  for d in "${DAEMONS[@]}"; do
    if pid="$(live_pid "$d")"; then die "$d already runs for $DIR (pid $pid): '$0 stop --dir $DIR' first"; fi
  done
  mkdir -p "$DIR"
  chmod 0755 "$DIR" # munged runs as user munge and must reach DIR/munge (mktemp -d makes 0700 folders)
  setpriv --reuid=munge --regid=munge --clear-groups test -x "$DIR" ||
    die "user munge cannot enter $DIR (a parent folder is private, e.g. made by mktemp -d): choose a --dir under a world-searchable folder"
  touch "$MARKER"
  rm -rf "$DIR/state" "$DIR/spool" "$DIR/run" "$DIR/pids" "$DIR/munge" # our own state from a previous start
  write_config
  export SLURM_CONF="$CONF"

  # munge: our own key, socket, pid, log and seed under DIR/munge (owned by munge, mode 0700), run as user munge.
  chown munge:munge "$DIR/munge"
  chmod 0700 "$DIR/munge"
  if command -v mungekey >/dev/null; then
    setpriv --reuid=munge --regid=munge --clear-groups mungekey --create --keyfile="$DIR/munge/munge.key" >/dev/null
  else
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
    chown munge:munge "$DIR/munge/munge.key"
  fi
  chmod 0600 "$DIR/munge/munge.key"
  setpriv --reuid=munge --regid=munge --clear-groups munged -F --force --socket="$DIR/munge/munge.socket.2" \
    --key-file="$DIR/munge/munge.key" --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log" \
    --seed-file="$DIR/munge/munged.seed" </dev/null >"$DIR/log/munged.out" 2>&1 &
  echo $! > "$PIDS/munged.pid"
  wait_for 10 "munged's socket" test -S "$DIR/munge/munge.socket.2" || { cat "$DIR/log/munged.out" "$DIR/munge/munged.log" >&2 2>/dev/null; stop_daemons; exit 1; }

  slurmctld -D -i </dev/null >"$DIR/log/slurmctld.out" 2>&1 &
  echo $! > "$PIDS/slurmctld.pid"
  wait_for 20 "slurmctld (scontrol ping)" bash -c "scontrol ping | grep -q UP" || { tail -20 "$DIR/log/slurmctld.log" >&2 2>/dev/null; stop_daemons; exit 1; }

  slurmd -D </dev/null >"$DIR/log/slurmd.out" 2>&1 &
  echo $! > "$PIDS/slurmd.pid"
  wait_for 20 "the node to be idle (sinfo)" node_idle || { tail -20 "$DIR/log/slurmd.log" >&2 2>/dev/null; stop_daemons; exit 1; }

  echo "local slurm up: munged $(cat "$PIDS/munged.pid"), slurmctld $(cat "$PIDS/slurmctld.pid"), slurmd $(cat "$PIDS/slurmd.pid"); $(nproc) CPUs on $(hostname -s), port $PORT"
  echo "export SLURM_CONF=$CONF"
}

# Signals each recorded daemon by PID (TERM, then KILL after 10 s), slurmd first, munged last.
stop_daemons() {
  local d pid i
  for d in slurmd slurmctld munged; do
    if pid="$(live_pid "$d")"; then
      kill -TERM "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
      echo "stopped $d (pid $pid)"
    fi
    rm -f "$PIDS/$d.pid"
  done
}

stop() {
  [ -f "$MARKER" ] || { echo "local-slurm: nothing to stop in $DIR (no $(basename "$MARKER"))"; return 0; }
  export SLURM_CONF="$CONF"
  # Jobs first: their slurmstepd processes belong to this cluster; cancel them and wait for the queue to drain.
  if live_pid slurmctld >/dev/null && scontrol ping 2>/dev/null | grep -q UP; then
    scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
    wait_for 15 "cancelled jobs to leave the queue" bash -c '[ -z "$(squeue -h -o %i 2>/dev/null)" ]' || true
  fi
  stop_daemons
}

status() {
  local all=0 d pid
  for d in "${DAEMONS[@]}"; do
    if pid="$(live_pid "$d")"; then echo "$d running (pid $pid)"; else echo "$d not running"; all=1; fi
  done
  return $all
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|stop|status|env [--dir DIR] [--port P]" >&2; exit 2 ;;
esac
