# lib.sh — the shell pieces compare.sh and relp.sh share; sourced by both after `set -euo pipefail`, never run.
# The script sets before sourcing: ME (its own name, for messages), BENCH, ROOT; the functions also read WORK, N,
# RUN (the current run's dir), ONLY and BUILD (build_if_stale), KEEP (keep_sample), where they say so.
# Sourcing defines functions and HZ, PIDS, TIMECMD, and installs the EXIT (cleanup) and INT/TERM traps.

HZ=$(getconf CLK_TCK)

die() { echo "$ME: $*" >&2; exit 1; }

# --- process bookkeeping: every background process is started with setsid (its own process group, so a
# sender's children go with it) and its PID recorded in PIDS; cleanup stops exactly those groups, with bounded
# waits, when the script ends, fails or is interrupted (INT/TERM) -------------------------------------------------
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  PIDS=()
}
trap cleanup EXIT
trap 'echo "$ME: interrupted" >&2; exit 130' INT TERM
# forget PID — no longer ours to stop (it has been waited for)
forget() { local keep=() p; for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done; PIDS=("${keep[@]}"); }

# stop_pid PID [WHAT] — SIGTERM to PID's process group (our receiver flushes, acks and exits), at most 30 s, then
# SIGKILL; its exit code in STOP_RC. WHAT (default "process") names it in the message.
stop_pid() {
  local p=$1 what=${2:-process}
  STOP_RC=0
  kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$p" 2>/dev/null; then echo "$what $p did not exit 30 s after SIGTERM; killing it" >&2; kill -KILL -- "-$p" 2>/dev/null || true; fi
  wait "$p" 2>/dev/null || STOP_RC=$?
  forget "$p"
}

# --- prerequisites ------------------------------------------------------------------------------------------------
# build_if_stale — npm run build when dist/ is missing, older than a source file, or BUILD=1 (not with ONLY=rsyslog)
build_if_stale() {
  local stale=
  [[ -f $ROOT/dist/cli.js ]] && [[ -n $(find "$ROOT/src" -newer "$ROOT/dist/cli.js" -name '*.ts' -print -quit 2>/dev/null) ]] && stale=1
  if [[ ${ONLY:-} != rsyslog && ( ! -f $ROOT/dist/cli.js || -n ${BUILD:-} || -n $stale ) ]]; then
    echo "building the receiver (npm run build$([[ -n $stale ]] && echo ': dist/ is older than src/')) ..."
    (cd "$ROOT" && npm run build --silent) || die "build failed"
  fi
  return 0
}
TIMECMD=(); [[ -x /usr/bin/time ]] && TIMECMD=(/usr/bin/time -f '%U %S' -o)   # sender CPU; optional

# ensure_corpus — CORPUS=WORK/corpus/3164-N.lf: N pre-framed 200-byte RFC 3164 lines (mkcorpus.mjs), built once
ensure_corpus() {
  CORPUS=$WORK/corpus/3164-$N.lf
  if [[ ! -s $CORPUS ]]; then
    echo "building the replay corpus ($N RFC 3164 lines) ..."
    mkdir -p "$WORK/corpus"
    node "$BENCH/mkcorpus.mjs" 3164 "$N" lf "$CORPUS.tmp" && mv "$CORPUS.tmp" "$CORPUS" || die "could not build the replay corpus $CORPUS"
  fi
}

# --- measuring (after the shared baseline kit's lib.sh) -------------------------------------------------------------
now_ms() { date +%s%3N; }
steal_ticks() { awk '/^cpu / {print $9}' /proc/stat; }
# steal_pct TICKS0 T0_MS -> steal since then, % of all CPUs × wall time
steal_pct() {
  awk -v a="$1" -v b="$(steal_ticks)" -v s="$(( $(now_ms) - $2 ))" -v hz="$HZ" -v n="$(nproc)" \
    'BEGIN {printf "%.1f", (s > 0 ? 100 * (b - a) / hz / (s / 1000 * n) : 0)}'
}
port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }
# wait_listen PORT PID [WHAT] — until something listens on TCP PORT (fails at once if PID died); at most 20 s
wait_listen() {
  for _ in $(seq 400); do
    ss -Hltn "sport = :$1" | grep -q . && return 0
    kill -0 "$2" 2>/dev/null || { echo "${3:-process} $2 exited before listening on $1; see $RUN" >&2; return 1; }
    sleep 0.05
  done
  echo "nothing listening on TCP port $1 after 20 s; see $RUN" >&2; return 1
}
# proc_stats PID -> "PEAK_RSS_KB CPU_S" (all threads)
proc_stats() {
  local rss cpu
  rss=$(awk '/^VmHWM/ {print $2}' "/proc/$1/status")
  cpu=$(sed 's/^.*) //' "/proc/$1/stat" | awk -v hz="$HZ" '{printf "%.2f", ($12 + $13) / hz}')
  echo "$rss $cpu"
}
# thread_cpu PID -> "TID NAME CPU_S" per thread
thread_cpu() {
  local t
  for t in /proc/$1/task/*; do
    awk -v hz="$HZ" '{c = $0; sub(/^.*\) /, "", c); split(c, f, " ");
      n = $0; sub(/^[0-9]+ \(/, "", n); sub(/\) .*$/, "", n); gsub(/ /, "_", n);
      printf "%s %s %.2f\n", $1, n, (f[12] + f[13]) / hz}' "$t/stat" 2>/dev/null || true
  done
}
# thread_cpu_since PID BEFORE_FILE -> "TID NAME CPU_S" per thread since thread_cpu wrote BEFORE_FILE, busiest first
thread_cpu_since() {
  thread_cpu "$1" | awk 'NR == FNR {c0[$1] = $3; next} {printf "%s %s %.2f\n", $1, $2, $3 - c0[$1]}' "$2" - | sort -k3 -nr
}
# busiest THREADS_FILE -> "name cpu, name cpu, …" (the first 4 lines of a thread_cpu_since output)
busiest() { head -n 4 "$1" | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $3}'; }

# keep_sample FILE... — keep one record as RUN/sample.json, delete the (large) outputs unless KEEP=1
keep_sample() {
  local f; for f in "$@"; do [[ -s $f ]] && { head -n 1 "$f" >"$RUN/sample.json"; break; }; done
  [[ -n ${KEEP:-} ]] || rm -f "$@"
}

# rsyslog_json_output FILE — the rsyslog config text after the input: the JSON templates ("json": one document a
# line with the header fields, sd and msg; "jsoncee": the same header + the parsed "@cee:" JSON) and the ruleset
# "bench" (mmjsonparse for "@cee:" messages, omfile to FILE, no fsync) — as the baseline kit's anchor-rsyslog.sh
rsyslog_json_output() {
  local head   # the fields both templates start with
  head=$(cat <<'EOF'
  constant(value="{\"ts\":\"")       property(name="timereported" dateFormat="rfc3339")
  constant(value="\",\"host\":\"")   property(name="hostname" format="json")
  constant(value="\",\"app\":\"")    property(name="app-name" format="json")
  constant(value="\",\"procid\":\"") property(name="procid" format="json")
  constant(value="\",\"msgid\":\"")  property(name="msgid" format="json")
  constant(value="\",\"facility\":") property(name="syslogfacility")
  constant(value=",\"severity\":")   property(name="syslogseverity")
EOF
)
  cat <<EOF
template(name="json" type="list") {
$head
  constant(value=",\"sd\":\"")       property(name="structured-data" format="json")
  constant(value="\",\"msg\":\"")    property(name="msg" format="json")
  constant(value="\"}\n")
}
template(name="jsoncee" type="list") {
$head
  constant(value=",\"cee\":")        property(name="\$!")
  constant(value="}\n")
}
ruleset(name="bench" queue.type="FixedArray" queue.size="200000" queue.dequeueBatchSize="2048") {
  if \$msg startswith " @cee:" or \$msg startswith "@cee:" then {
    action(type="mmjsonparse" cookie="@cee:")
    if \$parsesuccess == "OK" then {
      action(type="omfile" file="$1" template="jsoncee" ioBufferSize="256k" flushOnTXEnd="on")
      stop
    }
  }
  action(type="omfile" file="$1" template="json" ioBufferSize="256k" flushOnTXEnd="on")
}
EOF
}
