#!/usr/bin/env bash
# Benchmark (not a test): the sidecar's RSS with a FULL history and every history series fed.
# 3600 slots (the default 1 h at 1 s) are filled in 6 minutes with --history.interval=100ms
# --history.retention=6m; statsd traffic, a local redis-server (GETs: keyspace counters), the
# cgroup v2 fixture tree and --app.port feed all series. Prints VmRSS over time; target < 8 MB.
# Usage: tests/bench/bench_rss_history.sh [path/to/rizk-metrics]   (about 7.5 minutes)
set -u
cd "$(dirname "$0")/../.."
BIN=${1:-build/release/src/rizk-metrics}
[ -x "$BIN" ] || BIN=build/src/rizk-metrics
[ -x "$BIN" ] || { echo "usage: $0 path/to/rizk-metrics" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "missing redis-server: .ci/install-deps --test" >&2; exit 2; }
W=$(mktemp -d /tmp/rizk-rss.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
port() { /usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=="u" else socket.SOCK_STREAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"; }
RP=$(port t); HP=$(port t); UP=$(port u)
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no > "$W/redis.log" 2>&1 &
PIDS+=("$!")
sleep 0.5
"$BIN" --web.listen-address=127.0.0.1:"$HP" --statsd.listen-address=127.0.0.1:"$UP" --log.level=warn \
    --history.interval=100ms --history.retention=6m --signals.window=5s \
    --path.cgroupfs=tests/fixtures/sys/fs/cgroup --redis.addr=127.0.0.1:"$RP" --app.port="$RP" \
    > "$W/sidecar.log" 2>&1 &
S=$!
PIDS+=("$S")
/usr/bin/python3 - "$UP" "$RP" <<'PY' &
import random, socket, sys, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
port = int(sys.argv[1])
r = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
t0 = time.time()
while time.time() - t0 < 440:
    lines = []
    for _ in range(20):
        lines.append("rizk.requests:1|c|#status:%d" % (500 if random.random() < 0.02 else 200))
        lines.append("rizk.response_time:%d|ms" % random.randint(20, 400))
        lines.append("rizk.cache.l1.%s:1|c" % ("hits" if random.random() < 0.6 else "misses"))
        lines.append("rizk.cache.l2.%s:1|c" % ("hits" if random.random() < 0.5 else "misses"))
    lines.append("rizk.active_connections:%d|g" % random.randint(1, 20))
    u.sendto("\n".join(lines).encode(), ("127.0.0.1", port))
    r.sendall(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
    r.recv(100)
    time.sleep(0.01)
PY
PIDS+=("$!")
last=0
for t in 60 200 300 420; do
    sleep $((t - last)); last=$t
    echo "t=${t}s $(grep VmRSS /proc/$S/status | tr -s ' \t' ' ') $(grep VmHWM /proc/$S/status | tr -s ' \t' ' ')"
done
curl -s "127.0.0.1:$HP/metrics" | grep -E '^rizk_source_up|^rizk_history_memory_bytes'
