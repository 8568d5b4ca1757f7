#!/usr/bin/env bash
# Benchmark (not a test): the adapter's answer to the HPA's query over 1000 pods (SPEC 9: < 5 ms
# p99 including Redis). A real redis-server holds 1000 fake pods of one namespace (fleet_tool
# fake); the adapter serves them over TLS; adapter_client (libcurl, keep-alive, client
# certificate) times N queries of pods/*/rizk_requests_per_second?labelSelector=app=web on one
# connection (latency), then on C connections (throughput); the adapter's RSS is read before
# and after, to show memory does not grow with the number of queries.
# Usage: tests/bench/adapter_bench.sh [build dir]   Env: N=5000 (requests), C=4, PODS=1000.
set -u
B=${1:-build}
BIN=$B/src/rizk-metrics
for t in "$BIN" "$B/tests/fleet_tool" "$B/tests/adapter_client"; do
    [ -x "$t" ] || { echo "missing $t: build first (cmake --build $B)" >&2; exit 2; }
done
for t in redis-server openssl; do command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }; done
N=${N:-5000}
C=${C:-4}
PODS=${PODS:-1000}
W=$(mktemp -d /tmp/rizk-adapter-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }

cd "$W"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -keyout ca-key.pem \
    -out ca.pem -subj /CN=bench-ca 2>/dev/null
for n in server client; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $n-key.pem -out $n.csr \
        -subj "/O=bench/CN=$n" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > $n.ext
    openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 1 \
        -extfile $n.ext -out $n.pem 2>/dev/null
done
RP=$(port)
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no > redis.log 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do redis-cli -p "$RP" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
REDIS_URL=redis://127.0.0.1:$RP "$OLDPWD/$B/tests/fleet_tool" fake bench "$PODS" --fleet.interval=1h \
    || { echo "fleet_tool fake failed" >&2; exit 1; }
AP=$(port)
"$OLDPWD/$BIN" adapter --web.listen-address="127.0.0.1:$AP" --redis.addr="127.0.0.1:$RP" \
    --fleet.interval=1h --tls.cert-file=server.pem --tls.key-file=server-key.pem \
    --client-ca-file=ca.pem --web.threads=4 --log.level=warn > adapter.log 2>&1 &
APID=$!
PIDS+=($APID)
for _ in $(seq 50); do curl -sf -o /dev/null --cacert ca.pem "https://127.0.0.1:$AP/healthz" && break; sleep 0.1; done
URL="https://127.0.0.1:$AP/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/%2A/rizk_requests_per_second?labelSelector=app%3Dweb"
items=$(curl -s --cacert ca.pem --cert client.pem --key client-key.pem "$URL" \
    | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
echo "adapter: $(nproc) CPUs, $PODS pods published, the query returns $items items"
echo "redis-side baseline (fleet_tool bench: ZRANGEBYSCORE + MGET + decode, no HTTP/TLS/JSON):"
REDIS_URL=redis://127.0.0.1:$RP "$OLDPWD/$B/tests/fleet_tool" bench bench 2000 --fleet.interval=1h | sed 's/^/  /'
rss0=$(rss_kb $APID)
echo "1 keep-alive connection, $N queries:"
"$OLDPWD/$B/tests/adapter_client" "$URL" ca.pem client.pem client-key.pem "$N" 1 100 1000 | sed 's/^/  /'
echo "$C keep-alive connections, $N queries:"
"$OLDPWD/$B/tests/adapter_client" "$URL" ca.pem client.pem client-key.pem "$N" "$C" 50 1000 | sed 's/^/  /'
rss1=$(rss_kb $APID)
echo "$C keep-alive connections, another $((2 * N)) queries:"
"$OLDPWD/$B/tests/adapter_client" "$URL" ca.pem client.pem client-key.pem "$((2 * N))" "$C" 0 1000 | sed 's/^/  /'
rss2=$(rss_kb $APID)
echo "adapter RSS: ${rss0} kB before, ${rss1} kB after $((N + N)) queries, ${rss2} kB after $((4 * N))"
# the adapter returns freed memory every 10 s (malloc_trim in its main loop, issue 14): the RSS
# once the queries stopped is the steady state the next burst starts from
sleep 12
echo "adapter RSS 12 s after the last query: $(rss_kb $APID) kB"
