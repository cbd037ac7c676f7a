#!/usr/bin/env bash
# bench/jetstream/run.sh [ROUNDS] [N] [MODES] — the scale-out issue's benchmark: TCP RFC 3164 replay (the
# shared bench's corpus, sent by socat over one connection) into ONE receiver (dist/cli.js), storage by mode:
#   file  the embedded file store (storage.type file, fsync on) — the reference
#   r1    storage.type jetstream, one local nats-server (JetStream, file storage), stream R1
#   r3    storage.type jetstream, a local 3-node nats-server cluster (routes on loopback), stream R3
# MODES defaults to "file r1 r3"; every round runs each mode once (round-robin, fresh servers and stream).
# JS_EXTRA="maxInFlight: 4096" adds keys to storage.jetstream (experiments).
# msg/s = messages stored (file lines / stream messages) / (last stored - first send), as ../shared/bench.
# Rows go to $RESULTS (lib.sh format; receiver column ours-file / ours-js-r1 / ours-js-r3) and a summary is
# printed per mode: median msg/s, ratio to file, receiver CPU µs/msg, nats-server CPU µs/msg (all nodes), peak
# RSS of the receiver. Needs: npm ci (dist/ built), nats-server, socat (../shared/interop/install-clients.sh).
# Run it on an idle machine (the figures halve when tests run beside it). Scratch: $WORK (/tmp/perf-js).
set -euo pipefail
ROUNDS=${1:-3}; N=${2:-1000000}; MODES=${3:-file r1 r3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
export WORK=${WORK:-/tmp/perf-js} RESULTS=${RESULTS:-${WORK:-/tmp/perf-js}/results.tsv} MSG=3164 SENDER=replay
export SHARED_BENCH=$SHARED
source "$SHARED/lib.sh"
[[ -f $ROOT/dist/cli.js ]] || { echo "no $ROOT/dist/cli.js: run npm ci" >&2; exit 2; }
command -v nats-server >/dev/null || { echo "nats-server not installed (scripts/install-interop-clients.sh)" >&2; exit 2; }
NATS_BASE=${NATS_BASE:-14300}
SUMMARY=$WORK/summary-$(date +%s).tsv

# nats_up K DIR -> starts K JetStream servers (a cluster when K > 1) on 127.0.0.1:$NATS_BASE.., prints their PIDs
nats_up() {
  local k=$1 dir=$2 i routes="" pids=()
  for ((i = 0; i < k; i++)); do routes+="nats-route://127.0.0.1:$((NATS_BASE + 100 + i)),"; done
  for ((i = 0; i < k; i++)); do
    mkdir -p "$dir/n$i"
    {
      echo "server_name: n$i"; echo "listen: 127.0.0.1:$((NATS_BASE + i))"
      echo "jetstream { store_dir: \"$dir/n$i\" }"
      ((k > 1)) && echo "cluster { name: bench, listen: 127.0.0.1:$((NATS_BASE + 100 + i)), routes: [${routes%,}] }"
    } >"$dir/n$i.conf"
    nats-server -c "$dir/n$i.conf" >"$dir/n$i.log" 2>&1 &
    pids+=($!)
  done
  for ((i = 0; i < 200; i++)); do
    if node -e "
      const { connect } = await import('@nats-io/transport-node'); const { jetstreamManager } = await import('@nats-io/jetstream');
      const nc = await connect({ servers: 'nats://127.0.0.1:$NATS_BASE', timeout: 500 }); await (await jetstreamManager(nc)).getAccountInfo(); await nc.close();" --input-type=module 2>/dev/null; then
      echo "${pids[*]}"; return 0
    fi
    sleep 0.1
  done
  echo "JetStream on 127.0.0.1:$NATS_BASE not ready (see $dir/n*.log)" >&2; return 1
}

# cpu_of PID... -> total CPU seconds (utime + stime) of the processes
cpu_of() { local s=0 p; for p in "$@"; do s=$(awk -v s="$s" -v c="$(proc_stats "$p" | cut -d' ' -f2)" 'BEGIN {print s + c}'); done; echo "$s"; }

one() { # one MODE
  local mode=$1 servers="" pids="" k=0 storage
  plan tcp "$N"
  new_run "js-$mode"
  mkdir -p "$RUN/data"
  case $mode in
    file) storage="{ dir: $RUN/data }" ;;
    r1|r3)
      k=${mode#r}
      pids=$(nats_up "$k" "$RUN/nats")
      for ((i = 0; i < k; i++)); do servers+="nats://127.0.0.1:$((NATS_BASE + i)),"; done
      storage="{ dir: $RUN/data, type: jetstream, jetstream: { servers: [${servers%,}], replicas: $k${JS_EXTRA:+, $JS_EXTRA} } }" ;;
    *) echo "unknown mode $mode" >&2; return 2 ;;
  esac
  cat >"$RUN/receiver.yaml" <<YAML
listen:
  tcp: { address: 127.0.0.1, port: $PORT }
apps:
  - { name: bench, allowedSources: [127.0.0.0/8] }
storage: $storage
YAML
  node "$ROOT/dist/cli.js" start --config "$RUN/receiver.yaml" >"$RUN/receiver.log" 2>&1 &
  local rx=$!
  wait_listen tcp "$PORT" "$rx"
  OUT="$RUN/data/bench/$(date -u +%F).ndjson"
  [[ $mode == file ]] || OUT="nats://127.0.0.1:$NATS_BASE/SYSLOG"
  local ncpu0=0; [[ -n $pids ]] && ncpu0=$(cpu_of $pids)
  local line
  line=$(BENCH="$ROOT/bench/jetstream" LABEL=tcp measure "ours-$([[ $mode == file ]] && echo file || echo "js-$mode")" tcp "$N" "$rx" | tail -1)
  echo "$line"
  local ncpu=0; [[ -n $pids ]] && ncpu=$(awk -v a="$(cpu_of $pids)" -v b="$ncpu0" 'BEGIN {printf "%.2f", a - b}')
  local v; declare -A v
  for kv in $line; do v[${kv%%=*}]=${kv#*=}; done
  printf '%s\t%s\t%s\t%s\t%s\n' "$mode" "${v[msg_per_s]}" "${v[rx_cpu_s]}" "$ncpu" "${v[rss_kb]}" >>"$SUMMARY"
  stop "$rx"
  local p
  # the servers are not this shell's children (started in a command substitution): wait for them by pid
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for p in $pids; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
  rm -rf "$RUN/nats" "$RUN/data" || true
}

for ((r = 1; r <= ROUNDS; r++)); do
  for m in $MODES; do echo "== round $r/$ROUNDS: $m"; one "$m"; done
done

echo
echo "TCP RFC 3164 replay, $N messages, 1 connection, $ROUNDS rounds (medians; ratio = median of same-round ratios to file)"
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split("\t"));
const N = Number(process.argv[2]);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const modes = [...new Set(rows.map((r) => r[0]))];
const byMode = (m) => rows.filter((r) => r[0] === m);
const file = byMode("file").map((r) => Number(r[1]));
console.log("| storage | msg/s | ratio to file | receiver CPU µs/msg | nats-server CPU µs/msg | receiver peak RSS |");
console.log("|---|---|---|---|---|---|");
for (const m of modes) {
  const rs = byMode(m);
  const ratio = file.length ? med(rs.map((r, i) => Number(r[1]) / file[Math.min(i, file.length - 1)])) : NaN;
  console.log(`| ${m} | ${Math.round(med(rs.map((r) => Number(r[1])))/1000)}k | ${ratio.toFixed(2)} | ${(med(rs.map((r) => Number(r[2]))) * 1e6 / N).toFixed(2)} | ${(med(rs.map((r) => Number(r[3]))) * 1e6 / N).toFixed(2)} | ${Math.round(med(rs.map((r) => Number(r[4]))) / 1024)} MB |`);
}' "$SUMMARY" "$N"
