#!/usr/bin/env bash
# Runs a real single-node Slurm (Debian's slurm-wlm + munge) on this machine, for tests and for
# trying the cluster path without a cluster: local_cluster.sh start|stop|status [--state-dir DIR].
set -euo pipefail

usage() {
  cat <<'EOF'
usage: launch/local_cluster.sh start|stop|status [--state-dir DIR]
  start   start munged (unless a working one is already running), slurmctld and slurmd, and
          wait until the node is idle; then: source DIR/env.sh  (sets SLURM_CONF)
  stop    cancel this cluster's jobs and stop the daemons that start started
  status  print sinfo and exit 0 when the cluster is up, exit 1 when it is down
DIR defaults to $VARSTYLE_SLURM_STATE or /tmp/varstyle-slurm. VARSTYLE_SLURM_PORT (default
6817) sets slurmctld's port; slurmd listens on the next one. Needs root.
EOF
}

die() { echo "local_cluster: $*" >&2; exit 1; }

[ $# -ge 1 ] || { usage >&2; exit 2; }
action="$1"; shift
state_dir="${VARSTYLE_SLURM_STATE:-/tmp/varstyle-slurm}"
while [ $# -gt 0 ]; do
  case "$1" in
    --state-dir) [ $# -ge 2 ] || die "--state-dir needs a value"; state_dir="$2"; shift 2 ;;
    --state-dir=*) state_dir="${1#--state-dir=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
case "$action" in
  start|stop|status) ;;
  -h|--help|help) usage; exit 0 ;;
  *) usage >&2; die "unknown action: $action" ;;
esac
[ -n "$state_dir" ] || die "empty state dir"
if [ ! -d "$state_dir" ]; then
  case "$action" in
    status) echo "local_cluster: not running (no state dir $state_dir)"; exit 1 ;;
    stop) echo "local_cluster: not running (no state dir $state_dir)"; exit 0 ;;
  esac
  mkdir -p "$state_dir" 2>/dev/null || die "cannot create state dir $state_dir"
fi
state_dir="$(cd "$state_dir" && pwd -P)"

node="$(hostname -s)"
port="${VARSTYLE_SLURM_PORT:-6817}"
conf="$state_dir/slurm.conf"
run_dir="$state_dir/run"
log_dir="$state_dir/log"
munge_dir="$state_dir/munge"
ctld_pid_file="$run_dir/slurmctld.pid"
slurmd_pid_file="$run_dir/slurmd.pid"
munged_pid_file="$munge_dir/munged.pid"   # only exists when start started its own munged
system_munge_socket=/run/munge/munge.socket.2
export SLURM_CONF="$conf"

# Prints the PID in pid file $1 when that process is alive and is named $2.
live_pid() {
  local pid
  [ -f "$1" ] || return 1
  pid="$(tr -dc 0-9 <"$1")"
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] || return 1
  echo "$pid"
}

munge_works() {  # socket
  [ -S "$1" ] && munge -n -S "$1" 2>/dev/null | unmunge -S "$1" >/dev/null 2>&1
}

ctld_responds() { scontrol ping 2>/dev/null | grep -q 'is UP'; }

node_state() { sinfo -h -n "$node" -o %T 2>/dev/null | head -n1; }

# SIGTERM, wait up to $3 seconds, then SIGKILL; only for a live process named $2 in pid file $1.
stop_daemon() {
  local pid_file="$1" name="$2" wait_s="$3" pid i
  if ! pid="$(live_pid "$pid_file" "$name")"; then
    rm -f "$pid_file"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 10; i++)); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  if [ -d "/proc/$pid" ]; then
    echo "local_cluster: $name (pid $pid) ignored SIGTERM for ${wait_s}s, sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pid_file"
  echo "local_cluster: stopped $name (pid $pid)"
}

show_logs() {
  local f
  for f in "$log_dir/slurmctld.log" "$log_dir/slurmd.log" "$munge_dir/munged.log"; do
    [ -f "$f" ] || continue
    echo "---- tail of $f" >&2
    tail -n 20 "$f" >&2
  done
}

# Shows the logs, stops whatever this start got running, and exits non-zero.
start_failed() {
  show_logs
  do_stop >/dev/null 2>&1 || true
  die "$@"
}

print_env_line() {
  echo "export SLURM_CONF=$conf"
}

# Uses a working munged on the system socket, or starts one whose key, socket, pid, log and seed
# all live under $munge_dir. Prints the socket path to use.
setup_munge() {
  if live_pid "$munged_pid_file" munged >/dev/null && munge_works "$munge_dir/munge.socket.2"; then
    echo "$munge_dir/munge.socket.2"
    return 0
  fi
  stop_daemon "$munged_pid_file" munged 10 >&2   # ours but not answering
  if munge_works "$system_munge_socket"; then
    echo "$system_munge_socket"
    return 0
  fi
  # munged wants the socket's directory (and every parent) searchable by all and the key private.
  mkdir -p "$munge_dir"
  chmod 755 "$state_dir" "$munge_dir"
  if [ ! -s "$munge_dir/munge.key" ]; then
    (umask 077 && dd if=/dev/urandom of="$munge_dir/munge.key" bs=1024 count=1 status=none)
  fi
  chmod 400 "$munge_dir/munge.key"
  rm -f "$munge_dir/munge.socket.2" "$munge_dir/munge.socket.2.lock" "$munged_pid_file"
  munged --key-file="$munge_dir/munge.key" --socket="$munge_dir/munge.socket.2" \
    --pid-file="$munged_pid_file" --log-file="$munge_dir/munged.log" \
    --seed-file="$munge_dir/munged.seed" >&2 ||
    { show_logs; die "munged failed to start (log: $munge_dir/munged.log)"; }
  local i
  for ((i = 0; i < 50; i++)); do
    munge_works "$munge_dir/munge.socket.2" && { echo "$munge_dir/munge.socket.2"; return 0; }
    sleep 0.2
  done
  show_logs
  die "munged started but 'munge -n | unmunge' fails on $munge_dir/munge.socket.2"
}

write_conf() {  # munge socket
  local mem_mib
  mem_mib="$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)"
  cat >"$conf.tmp" <<EOF
# Written by launch/local_cluster.sh start; rewritten on every start.
ClusterName=local
SlurmctldHost=$node
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# A requeued job waits cred_expire s (default 120) and then for the next scheduling pass
# (sched_interval, default 60 s) before it restarts; both are short here for tests. Step
# credentials also expire after cred_expire s, so it cannot be very short.
AuthInfo=socket=$1,cred_expire=20
SchedulerParameters=sched_interval=5
StateSaveLocation=$state_dir/state
SlurmdSpoolDir=$state_dir/spool
SlurmctldPidFile=$ctld_pid_file
SlurmdPidFile=$slurmd_pid_file
SlurmctldLogFile=$log_dir/slurmctld.log
SlurmdLogFile=$log_dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$state_dir/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobRequeue=1
MinJobAge=300
KillWait=5
SlurmdTimeout=300
InactiveLimit=0
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem_mib State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
  mv "$conf.tmp" "$conf"
  : >"$state_dir/plugstack.conf"
  print_env_line >"$state_dir/env.sh"
}

do_status() {
  if live_pid "$ctld_pid_file" slurmctld >/dev/null && live_pid "$slurmd_pid_file" slurmd >/dev/null &&
    ctld_responds; then
    sinfo
    return 0
  fi
  echo "local_cluster: not running (state dir $state_dir)"
  return 1
}

do_start() {
  [ "$(id -u)" -eq 0 ] || die "start needs root (slurmd launches jobs as their users)"
  local tool
  for tool in munged munge unmunge slurmctld slurmd sinfo scontrol; do
    command -v "$tool" >/dev/null ||
      die "$tool not found: install slurm-wlm and munge (bash launch/install_deps.sh)"
  done
  if live_pid "$ctld_pid_file" slurmctld >/dev/null && live_pid "$slurmd_pid_file" slurmd >/dev/null &&
    ctld_responds; then
    echo "local_cluster: already running (state dir $state_dir)"
    print_env_line
    return 0
  fi

  if live_pid "$ctld_pid_file" slurmctld >/dev/null || live_pid "$slurmd_pid_file" slurmd >/dev/null; then
    echo "local_cluster: partly running or not answering; restarting its daemons"
    stop_daemon "$slurmd_pid_file" slurmd 20
    stop_daemon "$ctld_pid_file" slurmctld 20
  fi

  mkdir -p "$state_dir/state" "$state_dir/spool" "$run_dir" "$log_dir"
  local socket
  socket="$(setup_munge)"
  write_conf "$socket"

  local t0=$SECONDS
  slurmctld -f "$conf" || { start_failed "slurmctld failed to start"; }
  slurmd -f "$conf" || { start_failed "slurmd failed to start"; }

  local state resumed=0
  while :; do
    if ((SECONDS - t0 >= 2)); then
      # Without this, another cluster on the same port could answer sinfo for ours.
      live_pid "$ctld_pid_file" slurmctld >/dev/null ||
        { start_failed "slurmctld exited (port $port in use? set VARSTYLE_SLURM_PORT)"; }
      live_pid "$slurmd_pid_file" slurmd >/dev/null ||
        { start_failed "slurmd exited (port $((port + 1)) in use? set VARSTYLE_SLURM_PORT)"; }
    fi
    state="$(node_state || true)"
    case "$state" in
      idle | mixed | allocated | completing) break ;;
      down* | drain* | fail*)
        if [ "$resumed" -eq 0 ] && ctld_responds; then
          echo "local_cluster: node $node is $state, resuming it"
          scontrol update nodename="$node" state=resume || true
          resumed=1
        fi
        ;;
    esac
    if ((SECONDS - t0 >= 60)); then
      start_failed "node $node not idle after 60 s (state: '${state:-no answer}'); logs under $log_dir"
    fi
    sleep 1
  done
  echo "local_cluster: up in $((SECONDS - t0)) s (state dir $state_dir, munge socket $socket)"
  sinfo
  print_env_line
}

do_stop() {
  local ctld slurmd_pid jobs i
  ctld="$(live_pid "$ctld_pid_file" slurmctld || true)"
  slurmd_pid="$(live_pid "$slurmd_pid_file" slurmd || true)"
  # Cancel this cluster's jobs first so no job processes (slurmstepd and its tasks) outlive it.
  if [ -n "$ctld" ] && [ -n "$slurmd_pid" ] && ctld_responds; then
    jobs="$(squeue -h -o %i 2>/dev/null || true)"
    if [ -n "$jobs" ]; then
      echo "local_cluster: cancelling jobs: ${jobs//$'\n'/ }"
      # shellcheck disable=SC2086
      scancel $jobs 2>/dev/null || true
      for ((i = 0; i < 30; i++)); do
        [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
        sleep 1
      done
    fi
  fi
  stop_daemon "$slurmd_pid_file" slurmd 20
  stop_daemon "$ctld_pid_file" slurmctld 20
  stop_daemon "$munged_pid_file" munged 10
  echo "local_cluster: stopped (state dir $state_dir)"
}

"do_$action"
