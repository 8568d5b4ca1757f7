#!/usr/bin/env bash
# Soak (issue 14): an hour of work compressed into DURATION seconds (default 600). The sidecar
# ticks every 100 ms (6000 ticks: more than an hour at the default 1 s) with a 5 min retention
# (half the soak, at least 1 min), so every ring wraps halfway, saves its history every 30 s
# (--history.path), publishes to a real redis-server every second; tests/soak/load.py keeps steady scrapes of every format (10/s),
# statsd (1000 lines/s), pushes (5/s) and HTTPS queries of the adapter (20/s, 200 fake pods plus
# the sidecar) going. RSS (kB) and open fds of the sidecar and the adapter are printed at start,
# after one minute, in the middle and at the end. The first half is the warm-up: the rings are
# allocated at start but their pages become resident as they fill, which takes the retention
# (5 min). The end is judged against the middle: exit 1 when an RSS moved more than 5 %, an fd
# count more than 2 (one connection open or not at the moment of the count), or a request
# failed. Usage: tests/soak/run.sh [build dir]   Env: DURATION=600.
set -u
B=${1:-build}
BIN=$B/src/rizk-metrics
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$HERE/../fixtures
PY=/usr/bin/python3
DURATION=${DURATION:-600}
for t in "$BIN" "$B/tests/fleet_tool"; do [ -x "$t" ] || { echo "missing $t: build first" >&2; exit 2; }; done
for t in redis-server openssl; do command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }; done
W=$(mktemp -d /tmp/rizk-soak.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
fds() { ls "/proc/$1/fd" | wc -l; }

( cd "$W"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -keyout ca-key.pem \
      -out ca.pem -subj /CN=soak-ca 2>/dev/null
  for n in server client; do
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $n-key.pem \
          -out $n.csr -subj "/O=soak/CN=$n" 2>/dev/null
      printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > $n.ext
      openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 1 \
          -extfile $n.ext -out $n.pem 2>/dev/null
  done )
RP=$(port)
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no > "$W/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do redis-cli -p "$RP" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
REDIS_URL=redis://127.0.0.1:$RP "$B/tests/fleet_tool" fake soak 200 --fleet.interval=1h \
    || { echo "fleet_tool fake failed" >&2; exit 1; }
SP=$(port); UP=$(port); AP=$(port)
RETENTION=$((DURATION / 2)); [ "$RETENTION" -ge 60 ] || RETENTION=60 # the rings wrap mid-soak
POD_NAME=soak-sidecar POD_NAMESPACE=soak "$BIN" sidecar --web.listen-address="127.0.0.1:$SP" \
    --statsd.listen-address="127.0.0.1:$UP" --path.procfs="$FIX/proc" \
    --path.cgroupfs="$FIX/sys/fs/cgroup" --history.interval=100ms --history.retention="${RETENTION}s" \
    --signals.window=10s --history.path="$W/history.bin" --history.persist-interval=30s \
    --redis.addr="127.0.0.1:$RP" --fleet.interval=1s --log.level=warn > "$W/sidecar.log" 2>&1 &
SPID=$!
PIDS+=($SPID)
"$BIN" adapter --web.listen-address="127.0.0.1:$AP" --redis.addr="127.0.0.1:$RP" \
    --fleet.interval=1h --tls.cert-file="$W/server.pem" --tls.key-file="$W/server-key.pem" \
    --client-ca-file="$W/ca.pem" --log.level=warn > "$W/adapter.log" 2>&1 &
APID=$!
PIDS+=($APID)
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$SP/ready" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$SP/ready" || { cat "$W/sidecar.log"; exit 1; }
for _ in $(seq 100); do curl -sf -o /dev/null --cacert "$W/ca.pem" "https://127.0.0.1:$AP/healthz" && break; sleep 0.1; done

"$PY" "$HERE/load.py" --sidecar "127.0.0.1:$SP" --statsd "127.0.0.1:$UP" --adapter "127.0.0.1:$AP" \
    --certs "$W" --seconds "$DURATION" > "$W/load.out" 2>&1 &
LPID=$!
PIDS+=($LPID)

row() { printf '%-8s %6ss  sidecar rss_kb=%-6s fds=%-4s  adapter rss_kb=%-6s fds=%-4s\n' \
    "$1" "$2" "$(rss $SPID)" "$(fds $SPID)" "$(rss $APID)" "$(fds $APID)"; }
start=$(date +%s)
at() { while [ $(( $(date +%s) - start )) -lt "$1" ]; do sleep 1; done; }
row start 0
[ "$DURATION" -gt 120 ] && { at 60; row 1min 60; }
at $((DURATION / 2)); row middle $((DURATION / 2))
s0=$(rss $SPID); a0=$(rss $APID); sf0=$(fds $SPID); af0=$(fds $APID)
at "$DURATION"; wait "$LPID"; row end "$DURATION"
s1=$(rss $SPID); a1=$(rss $APID); sf1=$(fds $SPID); af1=$(fds $APID)
cat "$W/load.out"
"$PY" - "$s0" "$s1" "$a0" "$a1" "$sf0" "$sf1" "$af0" "$af1" <<'PYEOF'
import sys
v = list(map(int, sys.argv[1:]))
bad = False
for name, a, b in (("sidecar rss", v[0], v[1]), ("adapter rss", v[2], v[3]),
                   ("sidecar fds", v[4], v[5]), ("adapter fds", v[6], v[7])):
    ch = (b - a) * 100.0 / a
    # fds: a connection open or not at the moment of the count is +-1, so +-2 is flat
    ok = abs(ch) <= 5.0 if "rss" in name else abs(b - a) <= 2
    bad |= not ok
    print(f"{name}: middle {a} -> end {b} ({ch:+.1f} %) {'flat' if ok else 'NOT FLAT'}")
sys.exit(1 if bad else 0)
PYEOF
flat=$?
grep -q ' failed=0$' "$W/load.out" || { echo "requests failed during the soak"; exit 1; }
exit $flat
