#!/usr/bin/env bash
# Benchmark (not a test): /metrics throughput, latency and CPU per scrape of rizk-metrics against
# nginx serving the very same bytes as a static file and against node_exporter, plus the
# daemon's RSS idle and after load and its idle sampler CPU, in one run on this machine.
# Prints ratios against SPEC 9's targets. Usage: tests/bench/bench_metrics.sh [path/to/rizk-metrics]
# Env: DUR=10s (wrk duration), IDLE=20 (seconds of idle CPU measurement).
set -u
BIN=${1:-build/release/src/rizk-metrics}
[ -x "$BIN" ] || BIN=build/src/rizk-metrics
[ -x "$BIN" ] || { echo "usage: $0 path/to/rizk-metrics" >&2; exit 2; }
DUR=${DUR:-10s}
IDLE=${IDLE:-20}
for t in wrk nginx prometheus-node-exporter curl; do
    command -v "$t" >/dev/null || { echo "missing $t: run .ci/install-deps --bench" >&2; exit 2; }
done
W=$(mktemp -d /tmp/rizk-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }
cpu_ns() { local s=0 p t; for p in "$@"; do for t in /proc/$p/task/*/schedstat; do read -r a _ < "$t" 2>/dev/null && s=$((s + a)); done; done; echo $s; }
rss_kb() { local s=0 p v; for p in "$@"; do v=$(awk '/^VmRSS:/{print $2}' /proc/$p/status 2>/dev/null); s=$((s + ${v:-0})); done; echo $s; }

# wrk_row LABEL URL "PIDS" [wrk args] -> "label|ok_req_s|p50_ms|p99_ms|cpu_us_per_ok|non2xx"
wrk_row() {
    local label=$1 url=$2 pids=$3; shift 3
    local c0 c1 out=$W/wrk.txt
    c0=$(cpu_ns $pids)
    wrk -t2 -c50 -d"$DUR" --latency "$@" "$url" > "$out" 2>&1
    c1=$(cpu_ns $pids)
    awk -v label="$label" -v d=$((c1 - c0)) '
        function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
                         if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
                         if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 } return v }
        /requests in/ { n = $1 } /^Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
        $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
        END { ok = n - bad; printf "%s|%.0f|%.3f|%.3f|%.1f|%d\n", label, (n > 0 ? rps * ok / n : 0), p50, p99, (ok > 0 ? d / 1000 / ok : 0), bad + 0 }' "$out"
}
row() { echo "$1" | awk -F'|' '{ printf "%-34s %10s %8s %8s %10s %6s\n", $1, $2, $3, $4, $5, $6 }'; }
col() { echo "$1" | cut -d'|' -f"$2"; }

P_RZ=$(port); P_NG=$(port); P_NE=$(port)
"$BIN" --web.listen-address=127.0.0.1:$P_RZ --log.level=warn > "$W/rizk.log" 2>&1 &
RZ=$!; PIDS+=("$RZ")
wait_http "http://127.0.0.1:$P_RZ/ready" || { echo "rizk-metrics did not start" >&2; cat "$W/rizk.log"; exit 1; }
sleep 2
RSS_IDLE=$(rss_kb $RZ)
c0=$(cpu_ns $RZ); sleep "$IDLE"; c1=$(cpu_ns $RZ)
SAMPLER_PCT=$(awk -v d=$((c1 - c0)) -v s="$IDLE" 'BEGIN{printf "%.3f", d / 1e9 / s * 100}')
curl -s -o "$W/metrics" "http://127.0.0.1:$P_RZ/metrics"
BYTES=$(wc -c < "$W/metrics"); SAMPLES=$(grep -vc '^#' "$W/metrics")
GZBYTES=$(curl -s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$P_RZ/metrics" | wc -c)

mkdir -p "$W/ng/html" "$W/ng/tmp"; cp "$W/metrics" "$W/ng/html/metrics"; chmod -R a+rX "$W"
cat > "$W/ng/nginx.conf" <<NGX
daemon off; worker_processes 2; pid $W/ng/nginx.pid; error_log $W/ng/error.log warn;
events { worker_connections 1024; }
http { access_log off; default_type text/plain; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  client_body_temp_path $W/ng/tmp/b; proxy_temp_path $W/ng/tmp/p; fastcgi_temp_path $W/ng/tmp/f;
  uwsgi_temp_path $W/ng/tmp/u; scgi_temp_path $W/ng/tmp/s;
  server { listen 127.0.0.1:$P_NG reuseport; root $W/ng/html;
    location /nosf/ { alias $W/ng/html/; sendfile off; output_buffers 1 64k; } } }
NGX
nginx -p "$W/ng" -c "$W/ng/nginx.conf" > "$W/ng.log" 2>&1 &
NG=$!; PIDS+=("$NG")
wait_http "http://127.0.0.1:$P_NG/metrics" || { echo "nginx did not start" >&2; exit 1; }
NGP="$NG $(ps --ppid "$NG" -o pid= | tr -s ' \n' ' ')"
prometheus-node-exporter --web.listen-address=127.0.0.1:$P_NE > "$W/ne.log" 2>&1 &
NE=$!; PIDS+=("$NE")
wait_http "http://127.0.0.1:$P_NE/" || { echo "node_exporter did not start" >&2; exit 1; }

echo "machine: nproc=$(nproc) kernel=$(uname -r) load=$(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c50 -d$DUR (client shares the 2 cores)"
echo "rizk /metrics body: $BYTES bytes, $SAMPLES samples, gzip $GZBYTES bytes"
printf "%-34s %10s %8s %8s %10s %6s\n" target "ok req/s" "p50 ms" "p99 ms" "CPU us/ok" non2xx
R_RZ=$(wrk_row "rizk-metrics /metrics" "http://127.0.0.1:$P_RZ/metrics" "$RZ"); row "$R_RZ"
R_RZG=$(wrk_row "rizk-metrics /metrics gzip" "http://127.0.0.1:$P_RZ/metrics" "$RZ" -H 'Accept-Encoding: gzip'); row "$R_RZG"
R_NG=$(wrk_row "nginx same bytes (sendfile)" "http://127.0.0.1:$P_NG/metrics" "$NGP"); row "$R_NG"
R_NGB=$(wrk_row "nginx same bytes (sendfile off)" "http://127.0.0.1:$P_NG/nosf/metrics" "$NGP"); row "$R_NGB"
R_NE=$(wrk_row "node_exporter /metrics" "http://127.0.0.1:$P_NE/metrics" "$NE"); row "$R_NE"
RSS_LOAD=$(rss_kb $RZ)
HWM=$(awk '/^VmHWM:/{print $2}' /proc/$RZ/status)
echo
awk -v rz="$(col "$R_RZ" 2)" -v ng="$(col "$R_NG" 2)" -v ngb="$(col "$R_NGB" 2)" \
    -v ne="$(col "$R_NE" 2)" -v rzp99="$(col "$R_RZ" 4)" \
    -v cr="$(col "$R_RZ" 5)" -v cg="$(col "$R_RZG" 5)" \
    -v ri="$RSS_IDLE" -v rl="$RSS_LOAD" -v hwm="$HWM" -v sp="$SAMPLER_PCT" 'BEGIN {
    printf "throughput vs nginx (sendfile)   : %.2f x   (target >= 0.5)\n", rz / ng
    printf "throughput vs nginx (sendfile off): %.2f x\n", rz / ngb
    printf "throughput vs node_exporter      : %.0f x   (target >= 100)\n", rz / ne
    printf "p99 under 50 connections         : %.3f ms (target < 2)\n", rzp99
    printf "CPU per scrape plain / gzip      : %.1f / %.1f us (gzip costs about the same: body pre-compressed per tick)\n", cr, cg
    printf "RSS idle / after load / peak     : %.1f / %.1f / %.1f MB (target < 8 with 1 h history)\n", ri/1024, rl/1024, hwm/1024
    printf "sampler CPU idle (1 s interval)  : %.3f %% of one core (target < 0.5)\n", sp }'
