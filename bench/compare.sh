#!/usr/bin/env bash
# compare.sh [N] — throughput of our receiver next to rsyslog doing the same job, in ONE run on this machine:
# syslog over TCP (LF framing) — or TLS with TRANSPORT=tls — on 127.0.0.1 → parse → one JSON document per
# message in a file.
#   ours:    node dist/cli.js start (storage.fsync: true — the default — so every batch is fdatasync'ed)
#            TLS: a listen.tls listener with a throwaway self-signed cert/key (openssl, under WORK/tls)
#   rsyslog: imtcp → RFC 3164/5424 parser → omfile with a JSON template (no fsync: rsyslog's default)
#            TLS: imtcp with the gtls (or TLS_DRIVER=ossl) stream driver, mode 1, authMode anon, same cert/key
# Sends N messages (default 1,000,000) with syslog-ng's loggen (its own 200-byte messages, like
# `loggen -i -S -s 200`), waits until N records are stored, and reports per receiver:
#   msg/s       = records / (time the last record was seen in the file − time of the first send)
#   peak RSS MB = VmHWM of the receiver process;  CPU s = its user+sys CPU during the run (all threads)
#   received/sent, and the ratio ours/rsyslog of the same run.
# Knobs (environment):
#   ROUNDS=1         alternate ours/rsyslog this many times; with >1, medians and the median same-round ratio
#   TRANSPORT=tcp    or tls: RFC 5425 TLS (LF framing inside, as Sematext's/rsyslog's own TLS forwarders send);
#                    loggen -U or socat OPENSSL:…,verify=0 as the sender; cert/key generated in WORK/tls
#   TLS_DRIVER=gtls  rsyslog's TLS stream driver for TRANSPORT=tls: gtls (GnuTLS) or ossl (OpenSSL, like Node)
#   TLS_MAX=         highest TLS version the sender offers: 1.2 or 1.3 (set through OPENSSL_CONF for loggen,
#                    socat and the probe). Default 1.2 with loggen, 1.3 with replay: loggen -U never reads from
#                    its socket, so the two TLS 1.3 NewSessionTicket messages Node's server sends after the
#                    handshake sit unread and its close() becomes a RST (TcpExtTCPAbortOnClose), which throws
#                    away whatever is still in its send buffer — against our receiver (which lags behind the
#                    sender) ~25–35 % of the messages never arrive. rsyslog's gtls sends no tickets. See README.
#   SENDER=loggen    or replay: a pre-framed RFC 3164 corpus (mkcorpus.mjs, 200 bytes/msg, built before timing)
#                    sent by socat — near-zero sender CPU on TCP (on TLS socat encrypts: ~1 µs/msg), so it
#                    measures the receiver and not loggen
#   ONLY=            ours | rsyslog: run one receiver only
#   FSYNC=true       storage.fsync of our receiver (false only to see what fsync costs)
#   FLUSH_MS=20      storage.flushIntervalMs of our receiver
#   HIGH_WATER=      storage.highWaterBytes of our receiver (unset: its default, 4 MiB)
#   WORKERS=         pipeline.workers of our receiver (unset: its default, auto = the CPUs it may use)
#   PROFILE=         1: run our receiver under `node --cpu-prof` and print its top self-time functions
#                    (profiling slows it down; the row is labelled ours[cpu-prof])
#   NODE_FLAGS=      extra node flags for our receiver, e.g. "--max-semi-space-size=32" or "--trace-gc" (to receiver.log)
#   PIN=             1: receiver on CPU 1, sender on CPU 0 (taskset)
#   PORT=15514  WORK=/tmp/syslog-receiver-bench (scratch: configs, corpora, one dir per run, results.tsv)
#   STALL_S=30       fail a run when no record arrived for this many seconds
#   KEEP=            1: keep the stored records (deleted after each run by default; sample.json keeps one)
#   BUILD=           1: rebuild dist/ even if it exists
#   LOGGEN=/opt/syslog-ng/usr/bin/loggen
# Prerequisites: node ≥ 20, rsyslog, syslog-ng's loggen (scripts/install-interop-clients.sh), socat for replay;
# for TRANSPORT=tls also openssl and rsyslog's gtls/ossl driver (Debian: rsyslog-gnutls / rsyslog-openssl).
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
N=${1:-1000000}
ROUNDS=${ROUNDS:-1}
TRANSPORT=${TRANSPORT:-tcp}
TLS_DRIVER=${TLS_DRIVER:-gtls}
SENDER=${SENDER:-loggen}
TLS_MAX=${TLS_MAX:-$([[ $SENDER == replay ]] && echo 1.3 || echo 1.2)}
ONLY=${ONLY:-}
FSYNC=${FSYNC:-true}
FLUSH_MS=${FLUSH_MS:-20}
HIGH_WATER=${HIGH_WATER:-}
WORKERS=${WORKERS:-}
read -r -a NODE_FLAGS <<<"${NODE_FLAGS:-}"
PROFILE=${PROFILE:-}
PORT=${PORT:-15514}
WORK=${WORK:-/tmp/syslog-receiver-bench}
STALL_S=${STALL_S:-30}
LOGGEN=${LOGGEN:-/opt/syslog-ng/usr/bin/loggen}
RX_PIN=(); TX_PIN=(); [[ -n ${PIN:-} ]] && RX_PIN=(taskset -c 1) TX_PIN=(taskset -c 0)
ME=compare.sh
# shellcheck source=bench/lib.sh
source "$BENCH/lib.sh"   # die, process bookkeeping (PIDS, cleanup, forget, stop_pid), measuring helpers, rsyslog templates
[[ $N =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer (got '$N')"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"
[[ $SENDER == loggen || $SENDER == replay ]] || die "SENDER must be loggen or replay"
[[ $TRANSPORT == tcp || $TRANSPORT == tls ]] || die "TRANSPORT must be tcp or tls"
[[ $TLS_DRIVER == gtls || $TLS_DRIVER == ossl ]] || die "TLS_DRIVER must be gtls or ossl"
[[ $TLS_MAX == 1.2 || $TLS_MAX == 1.3 ]] || die "TLS_MAX must be 1.2 or 1.3"
[[ -z $ONLY || $ONLY == ours || $ONLY == rsyslog ]] || die "ONLY must be ours or rsyslog"
[[ $FSYNC == true || $FSYNC == false ]] || die "FSYNC must be true or false"

# --- prerequisites --------------------------------------------------------------------------------------------
command -v node >/dev/null || die "node not found"
if [[ $SENDER == loggen ]]; then
  [[ -x $LOGGEN ]] || die "loggen not found at $LOGGEN (install it: scripts/install-interop-clients.sh, or set LOGGEN=)"
else
  command -v socat >/dev/null || die "socat not found (SENDER=replay needs it)"
fi
[[ $ONLY == ours ]] || command -v rsyslogd >/dev/null || die "rsyslogd not found (scripts/install-interop-clients.sh, or ONLY=ours)"
if [[ $TRANSPORT == tls ]]; then
  command -v openssl >/dev/null || die "openssl not found (TRANSPORT=tls makes a throwaway certificate with it)"
  if [[ $ONLY != ours ]]; then
    compgen -G "/usr/lib*/*rsyslog/lmnsd_$TLS_DRIVER.so" >/dev/null || compgen -G "/usr/lib*/*/rsyslog/lmnsd_$TLS_DRIVER.so" >/dev/null || die "rsyslog's $TLS_DRIVER stream driver (lmnsd_$TLS_DRIVER.so) not found: apt-get install rsyslog-$([[ $TLS_DRIVER == gtls ]] && echo gnutls || echo openssl), or ONLY=ours"
  fi
fi
command -v ss >/dev/null || die "ss (iproute2) not found"
# rebuild when dist/ is missing, older than a source file (e.g. a new src/transports/tls.ts), or BUILD=1
build_if_stale
command -v setsid >/dev/null || die "setsid (util-linux) not found"

mkdir -p "$WORK"
RESULTS=$WORK/results.tsv
SESSION=$(date +%Y%m%dT%H%M%S)

# a throwaway self-signed certificate for TRANSPORT=tls (scratch dir only: never the repo's certs/);
# remade when missing or expiring within a day
TLS_DIR=$WORK/tls
if [[ $TRANSPORT == tls ]] && ! openssl x509 -checkend 86400 -noout -in "$TLS_DIR/cert.pem" >/dev/null 2>&1; then
  mkdir -p "$TLS_DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" 2>"$TLS_DIR/openssl.log" || die "openssl could not make a certificate (see $TLS_DIR/openssl.log)"
fi
# TLS_MAX=1.2: an OpenSSL config for the client side (loggen, socat, the probe) that caps the protocol
TLS_ENV=()
if [[ $TRANSPORT == tls && $TLS_MAX == 1.2 ]]; then
  mkdir -p "$TLS_DIR"
  printf '%s\n' 'openssl_conf = openssl_init' '[openssl_init]' 'ssl_conf = ssl_sect' '[ssl_sect]' \
    'system_default = system_default_sect' '[system_default_sect]' 'MaxProtocol = TLSv1.2' >"$TLS_DIR/client-tls12.cnf"
  TLS_ENV=(OPENSSL_CONF="$TLS_DIR/client-tls12.cnf")
fi
# tls_probe — protocol and cipher the receiver on $PORT negotiates with a client like the sender (to $RUN/tls-probe.txt)
tls_probe() {
  [[ $TRANSPORT == tls ]] || return 0
  timeout 5 env "${TLS_ENV[@]}" openssl s_client -connect "127.0.0.1:$PORT" -brief </dev/null >"$RUN/tls-probe.txt" 2>&1 || true
  TLS_SEEN="$(awk -F': *' '/^Protocol version/ {p = $2} /^Ciphersuite/ {c = $2} END {print p " " c}' "$RUN/tls-probe.txt")"
  echo "  ${1}: negotiates ${TLS_SEEN:-?} (see $RUN/tls-probe.txt)"
}

CORPUS=
[[ $SENDER == replay ]] && ensure_corpus

# send — the sender (run it in the background: it execs into setsid + the sender); CPU (user+sys) to $RUN/sender.time
send() {
  local tm=(); [[ ${#TIMECMD[@]} -gt 0 ]] && tm=("${TIMECMD[@]}" "$RUN/sender.time")
  if [[ $SENDER == loggen ]]; then
    local sng how=(-i -S); sng=$(dirname "$(dirname "$LOGGEN")")
    [[ $TRANSPORT == tls ]] && how=(-U)   # loggen's TLS is a transport plugin of its own: -U instead of -i -S
    exec setsid "${tm[@]}" "${TX_PIN[@]}" env "${TLS_ENV[@]}" SYSLOGNG_PREFIX="$sng" LD_LIBRARY_PATH="$sng/lib/syslog-ng" \
      "$LOGGEN" -r 100000000 -I 3600 -n "$N" -Q "${how[@]}" -s 200 127.0.0.1 "$PORT"
  elif [[ $TRANSPORT == tls ]]; then
    exec setsid "${tm[@]}" "${TX_PIN[@]}" env "${TLS_ENV[@]}" socat -u "FILE:$CORPUS" "OPENSSL:127.0.0.1:$PORT,verify=0"
  else
    exec setsid "${tm[@]}" "${TX_PIN[@]}" socat -u "FILE:$CORPUS" "TCP:127.0.0.1:$PORT"
  fi
}

# measure NAME STORE_PATH PID ROUND — send N, wait for N records, append a row to $RESULTS and ROWS
ROWS=()
measure() {
  local name=$1 store=$2 pid=$3 round=$4 cpu0 st0 t0 spid res records tlast status rss cpu scpu secs rate steal main
  sleep 0.3                                   # settle after start-up; start-up CPU is not counted
  read -r _ cpu0 < <(proc_stats "$pid")
  thread_cpu "$pid" >"$RUN/threads0.txt"
  st0=$(steal_ticks)
  t0=$(now_ms)
  send >"$RUN/sender.log" 2>&1 &
  spid=$!; PIDS+=("$spid")
  # in the background + wait, so that INT/TERM interrupt the script at once
  node "$BENCH/waitrecords.mjs" "$store" "$N" "$STALL_S" 1800 >"$RUN/wait.out" &
  local wpid=$!; PIDS+=("$wpid")
  wait "$wpid" || true
  forget "$wpid"
  read -r records tlast status <"$RUN/wait.out" || true
  records=${records:-0} tlast=${tlast:-0} status=${status:-failed}
  if [[ $status != ok ]]; then
    echo "!! $name: records stopped arriving: $records of $N stored, none for $STALL_S s ($status); see $RUN" >&2
    kill -TERM -- "-$spid" 2>/dev/null || true
  fi
  wait "$spid" 2>/dev/null || echo "!! sender exited non-zero (see $RUN/sender.log)" >&2
  forget "$spid"
  kill -0 "$pid" 2>/dev/null || { echo "!! $name died during the run; see $RUN" >&2; records=${records:-0}; }
  steal=$(steal_pct "$st0" "$t0")
  read -r rss cpu < <(proc_stats "$pid" 2>/dev/null || echo "0 $cpu0")
  thread_cpu_since "$pid" "$RUN/threads0.txt" >"$RUN/threads.txt"
  main=$(awk -v p="$pid" '$1 == p {print $3}' "$RUN/threads.txt"); main=${main:-0}
  cpu=$(awk -v a="$cpu" -v b="$cpu0" 'BEGIN {printf "%.2f", a - b}')
  scpu=$(awk '{printf "%.2f", $1 + $2}' "$RUN/sender.time" 2>/dev/null || echo NA)
  secs=$(awk -v a="$t0" -v b="$tlast" 'BEGIN {printf "%.3f", (b > a ? (b - a) / 1000 : 0)}')
  rate=$(awk -v l="$records" -v s="$secs" 'BEGIN {printf "%.0f", (s > 0 ? l / s : 0)}')
  local row="$SESSION	$round	$name	$SENDER	$N	$records	$secs	$rate	$rss	$cpu	$main	$scpu	$steal	$status	$TRANSPORT"
  echo "$row" >>"$RESULTS"
  ROWS+=("$row")
  printf '  %-18s %9s msg/s  %6.1f MB peak RSS  %6s CPU s (main thread %s)  %s/%s received  %s s  [%s]\n' \
    "$name" "$rate" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" "$cpu" "$main" "$records" "$N" "$secs" "$status"
  printf '  %-18s busiest threads (CPU s): %s; sender CPU %s s; steal %s %%\n' "" \
    "$(busiest "$RUN/threads.txt")" "$scpu" "$steal"
}

run_ours() {
  local round=$1 name=ours prof=()
  RUN=$WORK/run-ours-$(date +%s%N); mkdir -p "$RUN"
  local listen="tcp: { address: 127.0.0.1, port: $PORT }"
  [[ $TRANSPORT == tls ]] && listen="tls: { address: 127.0.0.1, port: $PORT, cert: $TLS_DIR/cert.pem, key: $TLS_DIR/key.pem }"
  # certsDir inside the run dir: the receiver must never generate certificates next to a config in the repo
  cat >"$RUN/config.yaml" <<EOF
listen: { $listen }
certsDir: $RUN/certs
apps: [ { name: bench, allowedSources: [127.0.0.1/32] } ]
storage: { dir: $RUN/data, fsync: $FSYNC, flushIntervalMs: $FLUSH_MS${HIGH_WATER:+, highWaterBytes: $HIGH_WATER} }
${WORKERS:+pipeline: { workers: $WORKERS \}}
logLevel: warn
EOF
  if [[ -n $PROFILE ]]; then prof=(--cpu-prof --cpu-prof-dir="$RUN/prof"); name='ours[cpu-prof]'; fi
  [[ $FSYNC == false ]] && name="$name[no-fsync]"
  [[ ${#NODE_FLAGS[@]} -gt 0 ]] && name="$name[${NODE_FLAGS[*]}]"
  port_free "$PORT" || die "TCP port $PORT is in use (set PORT=)"
  (cd "$ROOT" && exec setsid "${RX_PIN[@]}" node "${NODE_FLAGS[@]}" "${prof[@]}" dist/cli.js start --config "$RUN/config.yaml") >"$RUN/receiver.log" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  wait_listen "$PORT" "$pid" receiver || die "our receiver did not start; its log:$(echo; tail -n 20 "$RUN/receiver.log")"
  tls_probe "$name"
  measure "$name" "$RUN/data/bench" "$pid" "$round"
  stop_pid "$pid" receiver
  [[ $STOP_RC == 0 ]] || echo "!! our receiver exited with $STOP_RC after SIGTERM; see $RUN/receiver.log" >&2
  grep -q . "$RUN/receiver.log" && echo "  (receiver log: $(wc -l <"$RUN/receiver.log") lines in $RUN/receiver.log)"
  keep_sample "$RUN"/data/bench/*.ndjson
  if [[ -n $PROFILE ]]; then
    # one profile per thread (the main thread and each parse worker)
    local p found=0
    : >"$RUN/profile-top.txt"
    for p in "$RUN"/prof/*.cpuprofile; do
      [[ -e $p ]] || continue
      found=1
      { echo "== $(basename "$p")"; node "$BENCH/cpuprofile-top.mjs" "$p" "${PROFILE_TOP:-10}"; } | tee -a "$RUN/profile-top.txt" | sed 's/^/  /'
    done
    if [[ $found == 0 ]]; then echo "!! no .cpuprofile written in $RUN/prof" >&2; fi
  fi
}

run_rsyslog() {
  local round=$1 name=rsyslog
  RUN=$WORK/run-rsyslog-$(date +%s%N); mkdir -p "$RUN"
  local out=$RUN/out.json
  # as the baseline kit's anchor-rsyslog.sh tcp / tls: imtcp -> (mmjsonparse for "@cee:") -> omfile, one JSON a line
  local tls_global= imtcp_mod='module(load="imtcp")'
  if [[ $TRANSPORT == tls ]]; then
    name="rsyslog($TLS_DRIVER)"
    tls_global="defaultNetstreamDriver=\"$TLS_DRIVER\" defaultNetstreamDriverCAFile=\"$TLS_DIR/cert.pem\" defaultNetstreamDriverCertFile=\"$TLS_DIR/cert.pem\" defaultNetstreamDriverKeyFile=\"$TLS_DIR/key.pem\""
    imtcp_mod='module(load="imtcp" streamDriver.name="'$TLS_DRIVER'" streamDriver.mode="1" streamDriver.authMode="anon")'
  fi
  cat >"$RUN/rsyslog.conf" <<EOF
global(workDirectory="$RUN" maxMessageSize="64k" $tls_global)
module(load="mmjsonparse")
$imtcp_mod
input(type="imtcp" address="127.0.0.1" port="$PORT" ruleset="bench")
$(rsyslog_json_output "$out")
EOF
  port_free "$PORT" || die "TCP port $PORT is in use (set PORT=)"
  setsid "${RX_PIN[@]}" rsyslogd -n -f "$RUN/rsyslog.conf" -i "$RUN/rsyslogd.pid" >"$RUN/rsyslogd.log" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  wait_listen "$PORT" "$pid" receiver || die "rsyslogd did not start; its log:$(echo; tail -n 20 "$RUN/rsyslogd.log")"
  tls_probe "$name"
  measure "$name" "$out" "$pid" "$round"
  stop_pid "$pid" receiver
  keep_sample "$out"
}

# --- the run -------------------------------------------------------------------------------------------------
msgdesc="loggen's own 200-byte messages (loggen -i -S -s 200: RFC 3164 header with an ISO stamp)"
if [[ $TRANSPORT == tls ]]; then msgdesc="loggen's own 200-byte messages (loggen -U -s 200: TLS, RFC 3164 header with an ISO stamp)"; fi
if [[ $SENDER == replay ]]; then
  msgdesc="RFC 3164 corpus, 200 bytes/msg, pre-framed, replayed by socat"
  if [[ $TRANSPORT == tls ]]; then msgdesc+=" (OPENSSL:…,verify=0)"; fi
fi
tdesc="TCP (LF framing)"
[[ $TRANSPORT == tls ]] && tdesc="TLS (RFC 5425, LF framing inside; self-signed RSA-2048 cert, no client certs; sender offers up to TLS $TLS_MAX)"
echo "syslog-receiver vs rsyslog — $N messages per run over $tdesc to 127.0.0.1:$PORT, $ROUNDS round(s)"
echo "  sender: $SENDER — $msgdesc"
[[ $ONLY == rsyslog ]] || echo "  ours:    node $(node -v) dist/cli.js$([[ $TRANSPORT == tls ]] && echo " listen.tls (Node's TLS, OpenSSL $(node -p process.versions.openssl))") — storage.fsync: $FSYNC$([[ $FSYNC == true ]] && echo ' (the default: one fdatasync per batch)'), flushIntervalMs: $FLUSH_MS${HIGH_WATER:+, highWaterBytes: $HIGH_WATER}${WORKERS:+, pipeline.workers: $WORKERS}, one app by allowedSources"
[[ $ONLY == ours ]] || echo "  rsyslog: $(rsyslogd -v | head -n 1 | awk '{print $2}') imtcp$([[ $TRANSPORT == tls ]] && echo " + $TLS_DRIVER stream driver (mode 1, authMode anon)") -> omfile JSON template, no fsync (its default)"
echo "  machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo), scratch $WORK ($(df -T "$WORK" | awk 'NR == 2 {print $2}'))${PIN:+, PIN=1 (receiver CPU 1, sender CPU 0)}"
echo
for r in $(seq "$ROUNDS"); do
  [[ $ROUNDS -gt 1 ]] && echo "round $r/$ROUNDS"
  # alternate which receiver goes first, so neither always runs on a warmer/cooler machine
  if [[ $ONLY == ours ]]; then run_ours "$r"
  elif [[ $ONLY == rsyslog ]]; then run_rsyslog "$r"
  elif (( r % 2 == 1 )); then run_ours "$r"; run_rsyslog "$r"
  else run_rsyslog "$r"; run_ours "$r"; fi
done

# --- the table ----------------------------------------------------------------------------------------------
echo
echo "transport: $([[ $TRANSPORT == tls ]] && echo "TLS ($TLS_DRIVER for rsyslog)" || echo TCP), sender: $SENDER, $N messages"
[[ $ROUNDS -gt 1 ]] && echo "medians over $ROUNDS rounds (ratio: median of the same-round ratios):"
printf '%s\n' "${ROWS[@]}" | awk -F'\t' -v rounds="$ROUNDS" '
  function median(arr, n,   i, j, t) {
    for (i = 2; i <= n; i++) { t = arr[i]; for (j = i - 1; j >= 1 && arr[j] > t; j--) arr[j + 1] = arr[j]; arr[j + 1] = t }
    return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
  }
  {
    rx = $3; if (!(rx in seen)) { seen[rx] = 1; order[++nrx] = rx }
    k = ++cnt[rx]; rate[rx, k] = $8; rss[rx, k] = $9 / 1024; cpu[rx, k] = $10; recv[rx, k] = $6; sent[rx] = $5
    secs[rx, k] = $7; bad[rx] += ($14 != "ok"); byround[$2, rx] = $0
    if (rx ~ /^ours/) ours = rx; else if (rx ~ /^rsyslog/) rs = rx
  }
  END {
    printf "%-20s %10s %12s %8s %10s %17s\n", "receiver", "msg/s", "peak RSS MB", "CPU s", "µs CPU/msg", "received/sent"
    for (i = 1; i <= nrx; i++) {
      rx = order[i]; n = cnt[rx]
      for (k = 1; k <= n; k++) { a[k] = rate[rx, k] } ; mr = median(a, n)
      for (k = 1; k <= n; k++) { a[k] = rss[rx, k] }  ; mm = median(a, n)
      for (k = 1; k <= n; k++) { a[k] = cpu[rx, k] }  ; mc = median(a, n)
      for (k = 1; k <= n; k++) { a[k] = recv[rx, k] } ; mv = median(a, n)
      M[rx, "rate"] = mr; M[rx, "rss"] = mm; M[rx, "cpu"] = mc
      printf "%-20s %10.0f %12.1f %8.2f %10.2f %17s%s\n", rx, mr, mm, mc, (mv > 0 ? mc * 1e6 / mv : 0),
        sprintf("%d/%d", mv, sent[rx]), (bad[rx] ? "  (" bad[rx] " run(s) incomplete!)" : "")
    }
    if (ours != "" && rs != "") {
      n = 0
      for (r = 1; r <= rounds; r++) {
        if (!((r, ours) in byround) || !((r, rs) in byround)) continue
        split(byround[r, ours], o, "\t"); split(byround[r, rs], s, "\t"); n++
        qr[n] = (s[8] > 0 ? o[8] / s[8] : 0); qm[n] = (s[9] > 0 ? o[9] / s[9] : 0); qc[n] = (s[10] > 0 ? o[10] / s[10] : 0)
      }
      printf "ratio %s/%s: msg/s %.2f   peak RSS %.2f   CPU %.2f\n", ours, rs, median(qr, n), median(qm, n), median(qc, n)
    }
  }'
echo "(rows appended to $RESULTS; per-run dirs with configs, logs, threads.txt and one sample record under $WORK)"
