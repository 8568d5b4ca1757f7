#!/usr/bin/env bash
# Benchmark (not a test): the HTTP attacks of issue 14 with Debian's slowhttptest, each while a
# scraper (tests/bench/scraper.py: 40 scrapes on new connections from 127.0.0.2) keeps asking,
# then 40 more after the attack stopped (recovery). Prints per attack: answered, the scraper's
# max and median latency, the daemon's peak RSS and open fds during the attack.
#   sidecar /metrics: slowloris (SLOW_CONNS, default 900, one header line a second from
#     127.0.0.1), then slow body on POST /api/v1/report (500 connections);
#   adapter over TLS: slowloris over TLS, then slow TLS handshakes (900 connections that send
#     a ClientHello one byte a second).
# Usage: tests/bench/attack.sh [build dir]. Figures from a loaded machine are pessimistic.
set -u
B=${1:-build}
BIN=$B/src/rizk-metrics
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$HERE/../fixtures
PY=/usr/bin/python3
SLOW_CONNS=${SLOW_CONNS:-900}
BODY_CONNS=${BODY_CONNS:-500}
[ -x "$BIN" ] || { echo "missing $BIN: build first" >&2; exit 2; }
for t in slowhttptest redis-server openssl; do
    command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }
done
W=$(mktemp -d /tmp/rizk-attack.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ulimit -n 8192 2>/dev/null

# watch PID: peak RSS (kB) and peak open fds while the file $W/watching exists
watch() {
    local pid=$1 rss=0 fds=0 r f
    while [ -e "$W/watching" ]; do
        r=$(awk '/^VmRSS:/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        f=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
        [ "${r:-0}" -gt "$rss" ] && rss=$r
        [ "$f" -gt "$fds" ] && fds=$f
        sleep 0.2
    done
    echo "$rss $fds"
}

# run_attack NAME PID URL MUST ATTACK-COMMAND...: the attack in the background, the scraper
# after 5 s (the attack's connections are up), then recovery once the attack ended.
run_attack() {
    local name=$1 pid=$2 url=$3 must=$4; shift 4
    touch "$W/watching"
    watch "$pid" > "$W/$name.watch" &
    local wpid=$!
    "$@" > "$W/$name.attack.log" 2>&1 &
    local apid=$!
    PIDS+=("$apid")
    sleep 5
    local during after
    during=$("$PY" "$HERE/scraper.py" "$url" --count 40 --interval 0.25 --must "$must" | tail -1)
    rm -f "$W/watching"
    wait "$wpid"
    kill "$apid" 2>/dev/null; wait "$apid" 2>/dev/null
    sleep 1
    after=$("$PY" "$HERE/scraper.py" "$url" --count 40 --interval 0.05 --must "$must" | tail -1)
    read -r rss fds < "$W/$name.watch"
    printf '%-28s during: %-40s peak_rss_kb=%-6s peak_fds=%-5s after: %s\n' \
        "$name" "$during" "$rss" "$fds" "$after"
}

# --- sidecar ---------------------------------------------------------------------------------
SP=$(port)
"$BIN" sidecar --web.listen-address="127.0.0.1:$SP" --statsd.listen-address= \
    --path.procfs="$FIX/proc" --path.cgroupfs="$FIX/sys/fs/cgroup" --log.level=warn \
    > "$W/sidecar.log" 2>&1 &
SPID=$!
PIDS+=("$SPID")
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$SP/ready" && break; sleep 0.1; done
echo "sidecar: rss_kb at start $(awk '/^VmRSS:/{print $2}' /proc/$SPID/status)"
run_attack "sidecar slowloris x$SLOW_CONNS" "$SPID" "http://127.0.0.1:$SP/metrics" rizk_build_info \
    slowhttptest -H -c "$SLOW_CONNS" -r 500 -i 1 -l 20 -p 3 -u "http://127.0.0.1:$SP/metrics"
run_attack "sidecar slow body x$BODY_CONNS" "$SPID" "http://127.0.0.1:$SP/metrics" rizk_build_info \
    slowhttptest -B -c "$BODY_CONNS" -r 500 -i 1 -s 65000 -l 20 -p 3 -f application/json \
    -u "http://127.0.0.1:$SP/api/v1/report"

# --- adapter over TLS ------------------------------------------------------------------------
cd "$W"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -keyout key.pem \
    -out cert.pem -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null
cd - >/dev/null
RP=$(port)
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no > "$W/redis.log" 2>&1 &
PIDS+=("$!")
AP=$(port)
"$BIN" adapter --web.listen-address="127.0.0.1:$AP" --redis.addr="127.0.0.1:$RP" \
    --tls.cert-file="$W/cert.pem" --tls.key-file="$W/key.pem" --log.level=warn \
    > "$W/adapter.log" 2>&1 &
APID=$!
PIDS+=("$APID")
for _ in $(seq 100); do curl -skf -o /dev/null "https://127.0.0.1:$AP/healthz" && break; sleep 0.1; done
echo "adapter: rss_kb at start $(awk '/^VmRSS:/{print $2}' /proc/$APID/status)"
run_attack "adapter TLS slowloris x$SLOW_CONNS" "$APID" "https://127.0.0.1:$AP/healthz" ok \
    slowhttptest -H -c "$SLOW_CONNS" -r 500 -i 1 -l 20 -p 3 -u "https://127.0.0.1:$AP/healthz"
run_attack "adapter slow handshake x$SLOW_CONNS" "$APID" "https://127.0.0.1:$AP/healthz" ok \
    "$PY" "$HERE/slow_tls.py" 127.0.0.1 "$AP" "$SLOW_CONNS" 20
