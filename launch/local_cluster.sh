#!/usr/bin/env bash
# Runs a real Slurm (Debian's slurm-wlm + munge) on this machine, for tests and for trying the
# cluster path without a cluster: one node, or N "nodes" that are N slurmd on this one machine.
# local_cluster.sh start|stop|status [--state-dir DIR] [--nodes N].
set -euo pipefail

usage() {
  cat <<'EOF'
usage: launch/local_cluster.sh start|stop|status [--state-dir DIR] [--nodes N]
  start   start munged (unless a working one is already running), slurmctld and slurmd, and
          wait until the node is idle; then: source DIR/env.sh  (sets SLURM_CONF)
  stop    cancel this cluster's jobs and stop the daemons that start started
  status  print sinfo and exit 0 when the cluster is up, exit 1 when it is down
  --nodes N  (start; default 1) N > 1 starts N slurmd on this machine, nodes n1..nN, each
          offering the whole machine's CPUs and memory and, where unshare allows, giving its
          jobs its node name as hostname; sbatch -N 2 then spans two of them. stop and status
          find the nodes themselves and ignore --nodes.
DIR defaults to $VARSTYLE_SLURM_STATE or /tmp/varstyle-slurm. VARSTYLE_SLURM_PORT (default
6817) sets slurmctld's port; the slurmd of node i listens on the i-th port after it. Needs root.
EOF
}

die() { echo "local_cluster: $*" >&2; exit 1; }

[ $# -ge 1 ] || { usage >&2; exit 2; }
action="$1"; shift
state_dir="${VARSTYLE_SLURM_STATE:-/tmp/varstyle-slurm}"
node_count=""   # empty: not given (start: keep a running cluster as it is, else 1 node)
while [ $# -gt 0 ]; do
  case "$1" in
    --state-dir) [ $# -ge 2 ] || die "--state-dir needs a value"; state_dir="$2"; shift 2 ;;
    --state-dir=*) state_dir="${1#--state-dir=}"; shift ;;
    --nodes) [ $# -ge 2 ] || die "--nodes needs a value"; node_count="$2"; shift 2 ;;
    --nodes=*) node_count="${1#--nodes=}"; shift ;;
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
port="${VARSTYLE_SLURM_PORT:-6817}"
# stop and status find the nodes start started; they accept --nodes (a cleanup may pass the
# same arguments as its start) and ignore it.
if [ -n "$node_count" ]; then
  [[ "$node_count" =~ ^[1-9][0-9]*$ ]] || die "--nodes wants a whole number >= 1, got '$node_count'"
  # slurmctld takes $port and node i takes $port + i; all must be valid TCP ports.
  ((port + node_count <= 65535)) || die "--nodes $node_count: ports $port..$((port + node_count)) go past 65535"
fi
if [ ! -d "$state_dir" ]; then
  case "$action" in
    status) echo "local_cluster: not running (no state dir $state_dir)"; exit 1 ;;
    stop) echo "local_cluster: not running (no state dir $state_dir)"; exit 0 ;;
  esac
  mkdir -p "$state_dir" 2>/dev/null || die "cannot create state dir $state_dir"
fi
state_dir="$(cd "$state_dir" && pwd -P)"

host="$(hostname -s)"
conf="$state_dir/slurm.conf"
run_dir="$state_dir/run"
log_dir="$state_dir/log"
munge_dir="$state_dir/munge"
ctld_pid_file="$run_dir/slurmctld.pid"
# The names of the nodes start started, one a line, so that stop and status know them.
nodes_file="$state_dir/nodes"
nodes=()   # this cluster's node names: set by start from --nodes, else read from $nodes_file
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

node_state() { sinfo -h -n "$1" -o %T 2>/dev/null | head -n1; }  # node

# One node keeps the machine's own name and today's file names. Several nodes on one machine
# need names of their own (n1..nN; slurmd -N NAME picks its node), and each slurmd its own port,
# spool folder, pid file and log; slurm.conf gets them through %n (the node name).
node_names() {  # count: prints one name per line
  local i
  if [ "$1" -eq 1 ]; then
    echo "$host"
  else
    for ((i = 1; i <= $1; i++)); do echo "n$i"; done
  fi
}

# The nodes a start recorded; a state dir from before --nodes existed had just this machine.
recorded_nodes() {
  if [ -s "$nodes_file" ]; then cat "$nodes_file"; else echo "$host"; fi
}

slurmd_pid_file() {  # node
  if [ "${#nodes[@]}" -eq 1 ]; then echo "$run_dir/slurmd.pid"; else echo "$run_dir/slurmd-$1.pid"; fi
}

slurmd_port() {  # index of the node, from 0: node i (from 1) listens on $port + i
  echo $((port + 1 + $1))
}

# Every slurmd pid file in the run folder, whatever node count wrote it, so that stop and a
# restart also catch the daemons of an earlier start with another --nodes.
slurmd_pid_files() {
  local f
  for f in "$run_dir"/slurmd.pid "$run_dir"/slurmd-*.pid; do
    [ -e "$f" ] && echo "$f"
  done
  return 0
}

# True when slurmctld and the slurmd of every node in $nodes are alive and slurmctld answers.
cluster_up() {
  local n
  live_pid "$ctld_pid_file" slurmctld >/dev/null || return 1
  for n in "${nodes[@]}"; do
    live_pid "$(slurmd_pid_file "$n")" slurmd >/dev/null || return 1
  done
  ctld_responds
}

any_daemon_alive() {  # of slurmctld and the slurmd, from any earlier start
  local f
  live_pid "$ctld_pid_file" slurmctld >/dev/null && return 0
  while read -r f; do
    live_pid "$f" slurmd >/dev/null && return 0
  done < <(slurmd_pid_files)
  return 1
}

stop_all_slurmd() {
  local f
  while read -r f; do
    stop_daemon "$f" slurmd 20
  done < <(slurmd_pid_files)
}

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
  for f in "$log_dir/slurmctld.log" "$log_dir"/slurmd*.log "$munge_dir/munged.log"; do
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
  local mem_mib slurmd_lines node_lines i
  mem_mib="$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)"
  if [ "${#nodes[@]}" -eq 1 ]; then
    slurmd_lines="SlurmdSpoolDir=$state_dir/spool
SlurmdPidFile=$(slurmd_pid_file "$host")
SlurmdLogFile=$log_dir/slurmd.log"
    node_lines="NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem_mib State=UNKNOWN"
  else
    # Several slurmd on one machine (Debian builds Slurm with multiple-slurmd support): %n is the
    # node name. TmpFS too: each node's slurmstepd makes the PMIx client folder
    # TmpFS/spmix_appdir_UID_JOB.STEP, and with a shared /tmp the second node's fails ("File
    # exists") and srun --mpi=pmix across two nodes aborts.
    slurmd_lines="SlurmdSpoolDir=$state_dir/spool/%n
SlurmdPidFile=$run_dir/slurmd-%n.pid
SlurmdLogFile=$log_dir/slurmd-%n.log
TmpFS=$state_dir/tmp/%n"
    # Every node offers the whole machine, so that a job of 2 tasks fits on one node as well as
    # on two (a 2-node job requeued onto 1 node, say); nothing here enforces CPUs or memory.
    node_lines=""
    for i in "${!nodes[@]}"; do
      node_lines+="NodeName=${nodes[$i]} NodeHostname=$host NodeAddr=127.0.0.1 Port=$(slurmd_port "$i")"
      node_lines+=" CPUs=$(nproc) RealMemory=$mem_mib State=UNKNOWN"$'\n'
    done
    node_lines="${node_lines%$'\n'}"
  fi
  cat >"$conf.tmp" <<EOF
# Written by launch/local_cluster.sh start; rewritten on every start.
ClusterName=local
SlurmctldHost=$host
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
SlurmctldPidFile=$ctld_pid_file
SlurmctldLogFile=$log_dir/slurmctld.log
$slurmd_lines
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
$node_lines
PartitionName=debug Nodes=$(IFS=,; echo "${nodes[*]}") Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
  mv "$conf.tmp" "$conf"
  printf '%s\n' "${nodes[@]}" >"$nodes_file"
  : >"$state_dir/plugstack.conf"
  print_env_line >"$state_dir/env.sh"
}

do_status() {
  local n
  mapfile -t nodes < <(recorded_nodes)
  if cluster_up; then
    sinfo
    return 0
  fi
  echo "local_cluster: not running (state dir $state_dir)"
  if [ "${#nodes[@]}" -gt 1 ]; then  # say which of the several daemons are missing
    live_pid "$ctld_pid_file" slurmctld >/dev/null || echo "local_cluster: slurmctld is not running"
    for n in "${nodes[@]}"; do
      live_pid "$(slurmd_pid_file "$n")" slurmd >/dev/null || echo "local_cluster: slurmd of node $n is not running"
    done
  fi
  return 1
}

# Starts the slurmd of node $1 (index $2 from 0). With several nodes each slurmd gets, where
# unshare allows, a UTS namespace of its own named after its node, which its jobs inherit: they
# see that hostname, as on separate machines. This is needed, not cosmetic: Open MPI names its
# shared-memory segments (btl vader) after the hostname, job and node-local rank, so with one
# hostname the ranks of a job with 2+ ranks on each of 2 nodes collide and crash in
# MPI_Comm_split_type. MPI's node-local split itself follows the Slurm node either way.
start_slurmd() {  # node, index
  if [ "${#nodes[@]}" -eq 1 ]; then
    slurmd -f "$conf"
  elif [ "$own_hostnames" = 1 ]; then
    # shellcheck disable=SC2016  # expanded by the inner sh
    unshare --uts sh -c 'hostname "$1" && exec slurmd -f "$2" -N "$1"' sh "$1" "$conf"
  else
    slurmd -f "$conf" -N "$1"
  fi
}

do_start() {
  [ "$(id -u)" -eq 0 ] || die "start needs root (slurmd launches jobs as their users)"
  local tool
  for tool in munged munge unmunge slurmctld slurmd sinfo scontrol; do
    command -v "$tool" >/dev/null ||
      die "$tool not found: install slurm-wlm and munge (bash launch/install_deps.sh)"
  done
  # A running cluster counts as "already running" with the nodes it has; asking for another
  # node count explicitly is refused rather than silently restarting it under its jobs.
  mapfile -t nodes < <(recorded_nodes)
  if cluster_up; then
    if [ -n "$node_count" ] && [ "$node_count" -ne "${#nodes[@]}" ]; then
      die "already running with ${#nodes[@]} node(s) (state dir $state_dir); stop it first to start $node_count"
    fi
    echo "local_cluster: already running (state dir $state_dir)"
    print_env_line
    return 0
  fi

  if any_daemon_alive; then
    echo "local_cluster: partly running or not answering; restarting its daemons"
    stop_all_slurmd
    stop_daemon "$ctld_pid_file" slurmctld 20
  fi

  mapfile -t nodes < <(node_names "${node_count:-1}")
  mkdir -p "$state_dir/state" "$state_dir/spool" "$run_dir" "$log_dir"
  local n i
  if [ "${#nodes[@]}" -gt 1 ]; then
    for n in "${nodes[@]}"; do mkdir -p "$state_dir/spool/$n" "$state_dir/tmp/$n"; done
    own_hostnames=0
    if unshare --uts true 2>/dev/null; then
      own_hostnames=1
    else
      echo "local_cluster: unshare --uts fails here; every node's jobs will see hostname $host, and" \
        "an MPI job with 2+ ranks on each of several nodes needs OMPI_MCA_btl=^vader"
    fi
  fi
  local socket
  socket="$(setup_munge)"
  write_conf "$socket"

  local t0=$SECONDS
  slurmctld -f "$conf" || { start_failed "slurmctld failed to start"; }
  for i in "${!nodes[@]}"; do
    start_slurmd "${nodes[$i]}" "$i" || { start_failed "slurmd failed to start"; }
  done

  # Waits until every node is idle (or busy); resumes each node found down once.
  local state resumed=" " waiting
  while :; do
    if ((SECONDS - t0 >= 2)); then
      # Without this, another cluster on the same port could answer sinfo for ours.
      live_pid "$ctld_pid_file" slurmctld >/dev/null ||
        { start_failed "slurmctld exited (port $port in use? set VARSTYLE_SLURM_PORT)"; }
      for i in "${!nodes[@]}"; do
        live_pid "$(slurmd_pid_file "${nodes[$i]}")" slurmd >/dev/null ||
          { start_failed "slurmd exited (port $(slurmd_port "$i") in use? set VARSTYLE_SLURM_PORT)"; }
      done
    fi
    waiting=""
    for n in "${nodes[@]}"; do
      state="$(node_state "$n" || true)"
      case "$state" in
        idle | mixed | allocated | completing) continue ;;
        down* | drain* | fail*)
          if [[ "$resumed" != *" $n "* ]] && ctld_responds; then
            echo "local_cluster: node $n is $state, resuming it"
            scontrol update nodename="$n" state=resume || true
            resumed+="$n "
          fi
          ;;
      esac
      waiting="$n"
      break
    done
    [ -z "$waiting" ] && break
    if ((SECONDS - t0 >= 60)); then
      start_failed "node $waiting not idle after 60 s (state: '${state:-no answer}'); logs under $log_dir"
    fi
    sleep 1
  done
  echo "local_cluster: up in $((SECONDS - t0)) s (state dir $state_dir, munge socket $socket)"
  sinfo
  print_env_line
}

do_stop() {
  local ctld slurmd_alive=0 jobs i f
  ctld="$(live_pid "$ctld_pid_file" slurmctld || true)"
  while read -r f; do
    live_pid "$f" slurmd >/dev/null && slurmd_alive=1
  done < <(slurmd_pid_files)
  # Cancel this cluster's jobs first so no job processes (slurmstepd and its tasks) outlive it.
  if [ -n "$ctld" ] && [ "$slurmd_alive" = 1 ] && ctld_responds; then
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
  stop_all_slurmd   # every node's, found by their pid files
  stop_daemon "$ctld_pid_file" slurmctld 20
  stop_daemon "$munged_pid_file" munged 10
  echo "local_cluster: stopped (state dir $state_dir)"
}

"do_$action"
