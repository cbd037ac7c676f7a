#!/usr/bin/env bash
# relp.sh [N] — RELP: our receiver next to rsyslog's imrelp, in ONE run on this machine, two measurements each.
#
#  A. throughput, a real RELP sender: an rsyslogd forwarder (imtcp on PORT+1 → omrelp, windowSize OMRELP_WINDOW,
#     4096 as in the baseline kit) is fed N RFC 3164 messages (a pre-written corpus replayed by socat, or SENDER=loggen) and
#     relays them over RELP to the receiver on PORT:
#       ours:    node dist/cli.js start, listen.relp (plain), storage.fsync true (the default): `rsp 200` only
#                after the record's batch is fdatasync'ed
#       rsyslog: imrelp → RFC 3164 parser → omfile, one JSON document a line (as the baseline kit's
#                anchor-rsyslog.sh relp); no fsync; imrelp answers `rsp 200` once the message is in its queue
#     msg/s = records stored ÷ (time the last record was seen in the output − time of the first send);
#     peak RSS (VmHWM) and CPU s (user+sys, all threads, start-up excluded) of the receiver, and of the forwarder.
#  B. ack latency on the wire: bench/relp-client.mjs opens a session and sends CLIENT_N frames keeping
#     CLIENT_WINDOW (128, librelp's default) unanswered, timing every frame send → `rsp`: p50/p99/max ms, acked
#     msg/s (as the client sees it) and stored msg/s (as A), each against a freshly started receiver.
#     The difference is the point: we ack after fsync (the record is on disk), rsyslog acks on enqueue (the record
#     is in memory, and lost if rsyslogd dies before its omfile writes it).
# Knobs (environment):
#   ROUNDS=1          alternate ours/rsyslog this many times; with >1, medians and the median same-round ratio
#   ONLY=             ours | rsyslog
#   SENDER=replay     replay: socat sends a pre-built RFC 3164 corpus (mkcorpus.mjs 3164, 200 bytes/msg, cached
#                     under WORK/corpus) to the forwarder; loggen: `loggen -i -S -s 200` (its ISO-stamped header:
#                     the forwarder's parser misreads it, the forwarded messages then carry a wrong tag)
#   OMRELP_WINDOW=4096  the forwarder's omrelp windowSize, as the baseline kit's anchor-rsyslog.sh. 0 = librelp's
#                     default (128): on this machine omrelp then stalls ~200 ms per window whatever the receiver
#                     (~500 msg/s for ours and rsyslog alike: librelp's client socket keeps Nagle on, see README)
#   CLIENT_N=N        frames sent by relp-client.mjs in B (0: skip B);  CLIENT_WINDOW=128
#   PHASES=AB         A, B or AB
#   FSYNC=true        storage.fsync of our receiver (false only to see what fsync costs)
#   FLUSH_MS=20       storage.flushIntervalMs of our receiver;  MAX_UNACKED=  listen.relp.maxUnackedFrames (default 1024)
#   PIN=              1: receivers on CPU 1, senders (forwarder, socat/loggen, relp-client) on CPU 0
#   PORT=15530 (receiver; the forwarder listens on PORT+1)  WORK=/tmp/syslog-receiver-bench-relp  STALL_S=30
#   KEEP=             1: keep the stored records (deleted after each run; sample.json keeps one)
#   BUILD=            1: rebuild dist/ even if it is up to date;  LOGGEN=/opt/syslog-ng/usr/bin/loggen
# Prerequisites: node ≥ 20, rsyslog with omrelp/imrelp (Debian: rsyslog-relp), socat (SENDER=replay) or loggen,
# ss (iproute2), setsid; /usr/bin/time optional. scripts/install-interop-clients.sh installs rsyslog + loggen.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
N=${1:-200000}
ROUNDS=${ROUNDS:-1}
ONLY=${ONLY:-}
SENDER=${SENDER:-replay}
OMRELP_WINDOW=${OMRELP_WINDOW:-4096}
CLIENT_N=${CLIENT_N:-$N}
CLIENT_WINDOW=${CLIENT_WINDOW:-128}
PHASES=${PHASES:-AB}
FSYNC=${FSYNC:-true}
FLUSH_MS=${FLUSH_MS:-20}
MAX_UNACKED=${MAX_UNACKED:-}
PORT=${PORT:-15530}
FPORT=$((PORT + 1))
WORK=${WORK:-/tmp/syslog-receiver-bench-relp}
STALL_S=${STALL_S:-30}
LOGGEN=${LOGGEN:-/opt/syslog-ng/usr/bin/loggen}
RX_PIN=(); TX_PIN=(); [[ -n ${PIN:-} ]] && RX_PIN=(taskset -c 1) TX_PIN=(taskset -c 0)
ME=relp.sh
# shellcheck source=bench/lib.sh
source "$BENCH/lib.sh"   # die, process bookkeeping (PIDS, cleanup, forget, stop_pid), measuring helpers, rsyslog templates
[[ $N =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer (got '$N')"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"
[[ $CLIENT_N =~ ^[0-9]+$ && $CLIENT_WINDOW =~ ^[1-9][0-9]*$ ]] || die "CLIENT_N must be ≥ 0 and CLIENT_WINDOW ≥ 1"
[[ $OMRELP_WINDOW =~ ^[0-9]+$ ]] || die "OMRELP_WINDOW must be a number"
[[ $SENDER == replay || $SENDER == loggen ]] || die "SENDER must be replay or loggen"
[[ $PHASES == A || $PHASES == B || $PHASES == AB ]] || die "PHASES must be A, B or AB"
[[ -z $ONLY || $ONLY == ours || $ONLY == rsyslog ]] || die "ONLY must be ours or rsyslog"
[[ $FSYNC == true || $FSYNC == false ]] || die "FSYNC must be true or false"
[[ $CLIENT_N == 0 ]] && PHASES=${PHASES//B/}
[[ -n $PHASES ]] || die "nothing to do (PHASES=B with CLIENT_N=0)"

# --- prerequisites --------------------------------------------------------------------------------------------
command -v node >/dev/null || die "node not found"
command -v rsyslogd >/dev/null || die "rsyslogd not found (scripts/install-interop-clients.sh)"
relp_mod() { compgen -G "/usr/lib*/rsyslog/$1.so" >/dev/null || compgen -G "/usr/lib*/*/rsyslog/$1.so" >/dev/null; }
[[ $PHASES != *A* ]] || relp_mod omrelp || die "rsyslog's omrelp module not found (apt-get install rsyslog-relp)"
[[ $ONLY == ours ]] || relp_mod imrelp || die "rsyslog's imrelp module not found (apt-get install rsyslog-relp)"
if [[ $PHASES == *A* ]]; then
  if [[ $SENDER == loggen ]]; then [[ -x $LOGGEN ]] || die "loggen not found at $LOGGEN (or set LOGGEN=, or SENDER=replay)"
  else command -v socat >/dev/null || die "socat not found (SENDER=replay needs it)"; fi
fi
command -v ss >/dev/null || die "ss (iproute2) not found"
command -v setsid >/dev/null || die "setsid (util-linux) not found"
build_if_stale
[[ $ONLY == rsyslog ]] || grep -q 'relp' "$ROOT/dist/config/schema.js" 2>/dev/null || die "dist/ has no RELP listener (BUILD=1?)"

mkdir -p "$WORK"
RESULTS=$WORK/results.tsv
SESSION=$(date +%Y%m%dT%H%M%S)

cpu_of() { proc_stats "$1" 2>/dev/null | cut -d' ' -f2 || echo 0; }
CORPUS=
[[ $PHASES == *A* && $SENDER == replay ]] && ensure_corpus

# --- receivers: start_ours / start_rsyslog set RX_PID and STORE (what waitrecords.mjs counts) -------------------
start_ours() {
  RUN=$WORK/run-ours-$1-$(date +%s%N); mkdir -p "$RUN"
  cat >"$RUN/config.yaml" <<EOF
listen: { relp: { address: 127.0.0.1, port: $PORT, tls: false${MAX_UNACKED:+, maxUnackedFrames: $MAX_UNACKED} } }
certsDir: $RUN/certs
apps: [ { name: bench, allowedSources: [127.0.0.1/32] } ]
storage: { dir: $RUN/data, fsync: $FSYNC, flushIntervalMs: $FLUSH_MS }
logLevel: warn
EOF
  port_free "$PORT" || die "TCP port $PORT is in use (set PORT=)"
  (cd "$ROOT" && exec setsid "${RX_PIN[@]}" node dist/cli.js start --config "$RUN/config.yaml") >"$RUN/receiver.log" 2>&1 &
  RX_PID=$!; PIDS+=("$RX_PID")
  wait_listen "$PORT" "$RX_PID" || die "our receiver did not start; its log:$(echo; tail -n 20 "$RUN/receiver.log")"
  STORE=$RUN/data/bench
}

start_rsyslog() {
  RUN=$WORK/run-rsyslog-$1-$(date +%s%N); mkdir -p "$RUN"
  STORE=$RUN/out.json
  # as the baseline kit's anchor-rsyslog.sh relp: imrelp -> (mmjsonparse for "@cee:") -> omfile, one JSON a line
  cat >"$RUN/rsyslog.conf" <<EOF
global(workDirectory="$RUN" maxMessageSize="64k")
module(load="mmjsonparse")
module(load="imrelp")
input(type="imrelp" address="127.0.0.1" port="$PORT" ruleset="bench")
$(rsyslog_json_output "$STORE")
EOF
  port_free "$PORT" || die "TCP port $PORT is in use (set PORT=)"
  setsid "${RX_PIN[@]}" rsyslogd -n -f "$RUN/rsyslog.conf" -i "$RUN/rsyslogd.pid" >"$RUN/rsyslogd.log" 2>&1 &
  RX_PID=$!; PIDS+=("$RX_PID")
  wait_listen "$PORT" "$RX_PID" || die "rsyslogd did not start; its log:$(echo; tail -n 20 "$RUN/rsyslogd.log")"
}

# start_forwarder — rsyslogd: imtcp on FPORT -> omrelp -> 127.0.0.1:PORT (as anchor-rsyslog.sh SENDER=omrelp); FWD_PID
start_forwarder() {
  mkdir -p "$RUN/fwd"
  local win=; [[ $OMRELP_WINDOW != 0 ]] && win=" windowSize=\"$OMRELP_WINDOW\""
  cat >"$RUN/forwarder.conf" <<EOF
global(workDirectory="$RUN/fwd" maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$FPORT" ruleset="fwd")
module(load="omrelp")
ruleset(name="fwd" queue.type="FixedArray" queue.size="200000" queue.dequeueBatchSize="2048") {
  action(type="omrelp" target="127.0.0.1" port="$PORT" template="RSYSLOG_ForwardFormat"$win)
}
EOF
  port_free "$FPORT" || die "TCP port $FPORT (the forwarder's) is in use (set PORT=)"
  setsid "${TX_PIN[@]}" rsyslogd -n -f "$RUN/forwarder.conf" -i "$RUN/forwarder.pid" >"$RUN/forwarder.log" 2>&1 &
  FWD_PID=$!; PIDS+=("$FWD_PID")
  wait_listen "$FPORT" "$FWD_PID" || die "the omrelp forwarder did not start; its log:$(echo; tail -n 20 "$RUN/forwarder.log")"
}

# feed — the phase-A sender, to the forwarder (exec: run it in the background); CPU to $RUN/sender.time
feed() {
  local tm=(); [[ ${#TIMECMD[@]} -gt 0 ]] && tm=("${TIMECMD[@]}" "$RUN/sender.time")
  if [[ $SENDER == loggen ]]; then
    local sng; sng=$(dirname "$(dirname "$LOGGEN")")
    exec setsid "${tm[@]}" "${TX_PIN[@]}" env SYSLOGNG_PREFIX="$sng" LD_LIBRARY_PATH="$sng/lib/syslog-ng" \
      "$LOGGEN" -r 100000000 -I 3600 -n "$N" -Q -i -S -s 200 127.0.0.1 "$FPORT"
  else
    exec setsid "${tm[@]}" "${TX_PIN[@]}" socat -u "FILE:$CORPUS" "TCP:127.0.0.1:$FPORT"
  fi
}

# wait_store COUNT — waitrecords.mjs in the background (so INT/TERM interrupt at once); sets RECORDS TLAST STATUS
wait_store() {
  node "$BENCH/waitrecords.mjs" "$STORE" "$1" "$STALL_S" 1800 >"$RUN/wait.out" &
  local wpid=$!; PIDS+=("$wpid")
  wait "$wpid" || true
  forget "$wpid"
  read -r RECORDS TLAST STATUS <"$RUN/wait.out" || true
  RECORDS=${RECORDS:-0} TLAST=${TLAST:-0} STATUS=${STATUS:-failed}
}

# snapshot / settle: receiver CPU, threads and machine steal before the timed section
begin() {
  sleep 0.3
  CPU0=$(cpu_of "$RX_PID")
  thread_cpu "$RX_PID" >"$RUN/threads0.txt"
  ST0=$(steal_ticks)
  T0=$(now_ms)
}
# end_stats -> RSS_KB CPU MAIN STEAL BUSY (receiver figures since begin)
end_stats() {
  local rss cpu
  STEAL=$(steal_pct "$ST0" "$T0")
  read -r rss cpu < <(proc_stats "$RX_PID" 2>/dev/null || echo "0 $CPU0")
  RSS_KB=$rss
  CPU=$(awk -v a="$cpu" -v b="$CPU0" 'BEGIN {printf "%.2f", a - b}')
  thread_cpu_since "$RX_PID" "$RUN/threads0.txt" >"$RUN/threads.txt"
  MAIN=$(awk -v p="$RX_PID" '$1 == p {print $3}' "$RUN/threads.txt"); MAIN=${MAIN:-0}
  BUSY=$(busiest "$RUN/threads.txt")
}

# row fields: session round receiver phase sender sent stored secs stored_msg_s rss_kb cpu_s main_cpu_s helper_cpu_s
#             steal_pct status p50_ms p99_ms max_ms acked_msg_s window
ROWS=()
add_row() {
  local row; row=$(printf '%s\t' "$SESSION" "$@"); row=${row%$'\t'}
  echo "$row" >>"$RESULTS"
  ROWS+=("$row")
}
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
rate_of() { awk -v l="$1" -v s="$2" 'BEGIN {printf "%.0f", (s > 0 ? l / s : 0)}'; }
secs_of() { awk -v a="$T0" -v b="$TLAST" 'BEGIN {printf "%.3f", (b > a ? (b - a) / 1000 : 0)}'; }

# phase_a NAME ROUND — forwarder + feed, wait for N records
phase_a() {
  local name=$1 round=$2 spid fcpu0 fcpu secs rate scpu
  start_forwarder
  fcpu0=$(cpu_of "$FWD_PID")
  begin
  feed >"$RUN/sender.log" 2>&1 &
  spid=$!; PIDS+=("$spid")
  wait_store "$N"
  [[ $STATUS == ok ]] || { echo "!! $name (A): $RECORDS of $N stored, none for $STALL_S s ($STATUS); see $RUN" >&2; kill -TERM -- "-$spid" 2>/dev/null || true; }
  wait "$spid" 2>/dev/null || echo "!! sender exited non-zero (see $RUN/sender.log)" >&2
  forget "$spid"
  kill -0 "$RX_PID" 2>/dev/null || echo "!! $name died during the run; see $RUN" >&2
  end_stats
  fcpu=$(awk -v a="$(cpu_of "$FWD_PID")" -v b="$fcpu0" 'BEGIN {printf "%.2f", a - b}')
  scpu=$(awk '{printf "%.2f", $1 + $2}' "$RUN/sender.time" 2>/dev/null || echo NA)
  stop_pid "$FWD_PID"
  secs=$(secs_of); rate=$(rate_of "$RECORDS" "$secs")
  add_row "$round" "$name" A "omrelp/$SENDER" "$N" "$RECORDS" "$secs" "$rate" "$RSS_KB" "$CPU" "$MAIN" "$fcpu" "$STEAL" "$STATUS" - - - - "${OMRELP_WINDOW/#0/128}"
  printf '  A %-8s %8s msg/s stored  %6s MB peak RSS  %6s CPU s (main %s)  %s/%s stored  %s s  [%s]\n' \
    "$name" "$rate" "$(mb "$RSS_KB")" "$CPU" "$MAIN" "$RECORDS" "$N" "$secs" "$STATUS"
  printf '    %-8s busiest threads: %s; forwarder CPU %s s; %s CPU %s s; steal %s %%\n' "" "$BUSY" "$fcpu" "$SENDER" "$scpu" "$STEAL"
}

# phase_b NAME ROUND — relp-client.mjs, CLIENT_N frames, window CLIENT_WINDOW
phase_b() {
  local name=$1 round=$2 cpid line p50 p99 max acked arate secs rate
  begin
  setsid "${TX_PIN[@]}" node "$BENCH/relp-client.mjs" 127.0.0.1 "$PORT" "$CLIENT_N" "$CLIENT_WINDOW" "$RUN/client.json" \
    >"$RUN/client.out" 2>"$RUN/client.err" &
  cpid=$!; PIDS+=("$cpid")
  wait_store "$CLIENT_N"
  for _ in $(seq 600); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.1; done   # the client ends at its last rsp
  wait "$cpid" 2>/dev/null || echo "!! relp-client.mjs: $(cat "$RUN/client.out" "$RUN/client.err" 2>/dev/null | tr '\n' ' ')" >&2
  forget "$cpid"
  kill -0 "$RX_PID" 2>/dev/null || echo "!! $name died during the run; see $RUN" >&2
  end_stats
  line=$(cat "$RUN/client.out" 2>/dev/null || true)
  kv() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$line"; }
  p50=$(kv p50_ms); p99=$(kv p99_ms); max=$(kv max_ms); acked=$(kv acked); arate=$(kv msg_per_s)
  secs=$(secs_of); rate=$(rate_of "$RECORDS" "$secs")
  add_row "$round" "$name" B "relp-client" "$CLIENT_N" "$RECORDS" "$secs" "$rate" "$RSS_KB" "$CPU" "$MAIN" - "$STEAL" "$STATUS" \
    "${p50:-NA}" "${p99:-NA}" "${max:-NA}" "${arate:-0}" "$CLIENT_WINDOW"
  printf '  B %-8s ack latency p50 %s / p99 %s / max %s ms  %s msg/s acked (%s/%s)  %s msg/s stored  %s MB peak RSS  %s CPU s  [%s]\n' \
    "$name" "${p50:-NA}" "${p99:-NA}" "${max:-NA}" "${arate:-0}" "${acked:-0}" "$CLIENT_N" "$rate" "$(mb "$RSS_KB")" "$CPU" "$STATUS"
  printf '    %-8s busiest threads: %s; steal %s %%\n' "" "$BUSY" "$STEAL"
}

# run RECEIVER ROUND — phase A and B, each against a freshly started receiver
run() {
  local rx=$1 round=$2 ph
  for ph in A B; do
    [[ $PHASES == *$ph* ]] || continue
    "start_$rx" "$round"
    if [[ $ph == A ]]; then phase_a "$rx" "$round"; else phase_b "$rx" "$round"; fi
    stop_pid "$RX_PID"
    [[ $rx != ours || $STOP_RC == 0 ]] || echo "!! our receiver exited with $STOP_RC after SIGTERM; see $RUN/receiver.log" >&2
    [[ $rx == ours ]] && grep -q . "$RUN/receiver.log" && echo "    (receiver log: $(wc -l <"$RUN/receiver.log") lines in $RUN/receiver.log)"
    local outs=("$STORE"); [[ $rx == ours ]] && outs=("$STORE"/*.ndjson)
    keep_sample "${outs[@]}"
  done
}

# --- the run -------------------------------------------------------------------------------------------------
omw=$([[ $OMRELP_WINDOW == 0 ]] && echo "librelp's default window (128)" || echo "windowSize $OMRELP_WINDOW")
echo "RELP: syslog-receiver vs rsyslog imrelp — 127.0.0.1:$PORT, $ROUNDS round(s)"
[[ $PHASES == *A* ]] && echo "  A: $N messages: $([[ $SENDER == replay ]] && echo "RFC 3164 corpus (200 bytes/msg) replayed by socat" || echo "loggen -i -S -s 200") -> rsyslogd forwarder (imtcp :$FPORT -> omrelp, $omw) -> RELP -> receiver"
[[ $PHASES == *B* ]] && echo "  B: relp-client.mjs: $CLIENT_N frames (RFC 3164, 200 bytes), window $CLIENT_WINDOW, ack latency = frame sent -> its rsp read"
[[ $ONLY == rsyslog ]] || echo "  ours:    node $(node -v) dist/cli.js listen.relp — storage.fsync: $FSYNC$([[ $FSYNC == true ]] && echo ' (the default): rsp 200 after the batch is fdatasync'"'"'ed'), flushIntervalMs: $FLUSH_MS, maxUnackedFrames: ${MAX_UNACKED:-1024 (default)}"
[[ $ONLY == ours ]] || echo "  rsyslog: $(rsyslogd -v | head -n 1 | awk '{print $2}') imrelp -> omfile JSON template, no fsync; rsp 200 once the message is in its queue (in memory)"
echo "  machine: $(nproc) CPUs, scratch $WORK ($(df -T "$WORK" | awk 'NR == 2 {print $2}')), load average $(cut -d' ' -f1-3 /proc/loadavg)${PIN:+, PIN=1}"
echo
for r in $(seq "$ROUNDS"); do
  [[ $ROUNDS -gt 1 ]] && echo "round $r/$ROUNDS"
  if [[ $ONLY == ours ]]; then run ours "$r"
  elif [[ $ONLY == rsyslog ]]; then run rsyslog "$r"
  elif (( r % 2 == 1 )); then run ours "$r"; run rsyslog "$r"
  else run rsyslog "$r"; run ours "$r"; fi
done

# --- the table: medians per receiver and phase; ratios = median of the same-round ratios ours/rsyslog ------------
echo
[[ $ROUNDS -gt 1 ]] && echo "medians over $ROUNDS rounds (ratios: median of the same-round ratios)"
printf '%s\n' "${ROWS[@]}" | awk -F'\t' -v rounds="$ROUNDS" '
  function median(arr, n,   i, j, t) {
    if (n == 0) return 0
    for (i = 2; i <= n; i++) { t = arr[i]; for (j = i - 1; j >= 1 && arr[j] > t; j--) arr[j + 1] = arr[j]; arr[j + 1] = t }
    return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
  }
  function med(ph, rx, col,   k, n, a) { n = 0; for (k = 1; k <= cnt[ph, rx]; k++) a[++n] = v[ph, rx, k, col]; return median(a, n) }
  function ratio(ph, col,   r, n, q) {
    n = 0
    for (r = 1; r <= rounds; r++) if (((ph, "ours", r) in R) && ((ph, "rsyslog", r) in R) && R[ph, "rsyslog", r, col] > 0)
      q[++n] = R[ph, "ours", r, col] / R[ph, "rsyslog", r, col]
    return n ? sprintf("%.2f", median(q, n)) : "–"
  }
  {
    # 2 round 3 rx 4 phase 5 sender 6 sent 7 stored 8 secs 9 rate 10 rss 11 cpu 12 main 13 helper 14 steal 15 status 16 p50 17 p99 18 max 19 arate 20 window
    ph = $4; rx = $3; k = ++cnt[ph, rx]; sent[ph, rx] = $6; win[ph] = $20
    for (c = 7; c <= 19; c++) { v[ph, rx, k, c] = $c; R[ph, rx, $2, c] = $c }
    R[ph, rx, $2] = 1
    bad[ph, rx] += ($15 != "ok")
    stored_min[ph, rx] = (k == 1 || $7 < stored_min[ph, rx]) ? $7 : stored_min[ph, rx]
  }
  END {
    if (cnt["A", "ours"] + cnt["A", "rsyslog"] > 0) {
      printf "A. throughput, rsyslog omrelp (window %s) -> RELP -> receiver\n", win["A"]
      printf "   %-9s %10s %12s %8s %11s %12s %15s\n", "receiver", "msg/s", "peak RSS MB", "CPU s", "µs CPU/msg", "fwd CPU s", "stored/sent"
      for (i = 1; i <= 2; i++) { rx = (i == 1 ? "ours" : "rsyslog"); if (!cnt["A", rx]) continue
        st = med("A", rx, 7); cp = med("A", rx, 11)
        printf "   %-9s %10.0f %12.1f %8.2f %11.2f %12.2f %15s%s\n", rx, med("A", rx, 9), med("A", rx, 10) / 1024, cp,
          (st > 0 ? cp * 1e6 / st : 0), med("A", rx, 13), stored_min["A", rx] "/" sent["A", rx], (bad["A", rx] ? "  (" bad["A", rx] " run(s) incomplete!)" : "") }
      if (cnt["A", "ours"] && cnt["A", "rsyslog"])
        printf "   ratio ours/rsyslog: msg/s %s   peak RSS %s   CPU %s\n", ratio("A", 9), ratio("A", 10), ratio("A", 11)
    }
    if (cnt["B", "ours"] + cnt["B", "rsyslog"] > 0) {
      printf "B. ack latency, relp-client.mjs (window %s): send -> rsp, ms\n", win["B"]
      printf "   %-9s %8s %8s %8s %13s %13s %12s %8s %15s\n", "receiver", "p50", "p99", "max", "acked msg/s", "stored msg/s", "peak RSS MB", "CPU s", "stored/sent"
      for (i = 1; i <= 2; i++) { rx = (i == 1 ? "ours" : "rsyslog"); if (!cnt["B", rx]) continue
        printf "   %-9s %8.2f %8.2f %8.2f %13.0f %13.0f %12.1f %8.2f %15s%s\n", rx, med("B", rx, 16), med("B", rx, 17), med("B", rx, 18),
          med("B", rx, 19), med("B", rx, 9), med("B", rx, 10) / 1024, med("B", rx, 11), stored_min["B", rx] "/" sent["B", rx],
          (bad["B", rx] ? "  (" bad["B", rx] " run(s) incomplete!)" : "") }
      if (cnt["B", "ours"] && cnt["B", "rsyslog"])
        printf "   ratio ours/rsyslog: p50 %s   p99 %s   acked msg/s %s   stored msg/s %s\n", ratio("B", 16), ratio("B", 17), ratio("B", 19), ratio("B", 9)
      print "   NOT the same promise: ours answers rsp 200 after the record is fdatasync'\''ed to its file; rsyslog imrelp"
      print "   answers once the message is in its in-memory queue (omfile writes later, never fsyncs)."
    }
  }'
echo "(rows appended to $RESULTS; per-run dirs with configs, logs, threads.txt, client.json and a sample record under $WORK)"
