#!/usr/bin/env bash
# Scale measurements (not a test, not part of run.sh's table): the fleet registry and the adapter
# with PODS pods in one namespace and with NS namespaces of PER pods, on this machine.
#   Redis memory per pod (INFO used_memory before/after), bytes per refresh (the MGET reply),
#   a refresh's wall time and CPU (fleet_tool bench: ZRANGEBYSCORE + MGET + decode; Redis's own
#   CPU from its schedstat), the adapter's CPU per answer from a shared view and per answer that
#   refreshes (--fleet.max-age=0), and the adapter's RSS with every namespace's view resident.
#   tests/bench/scale.sh [BUILD_DIR]     Env: PODS=10000 NS=1000 PER=10
set -u
export LC_ALL=C
SRC=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/bench/bench_lib.sh
. "$SRC/tests/bench/bench_lib.sh"
B=$(cd "${1:-$SRC/build}" && pwd) || exit 2
PODS=${PODS:-10000}
NS=${NS:-1000}
PER=${PER:-10}
PY=/usr/bin/python3
FT=$B/tests/fleet_tool
for f in "$B/src/rizk-metrics" "$FT" "$B/tests/adapter_client"; do
    [ -x "$f" ] || { echo "missing $f" >&2; exit 2; }
done
W=$(mktemp -d /tmp/rizk-scale.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ns() { local s=0 t a; for t in /proc/"$1"/task/*/schedstat; do read -r a _ < "$t" 2>/dev/null && s=$((s + a)); done; echo "$s"; }
mem() { redis-cli -p "$RP" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'; }
kb() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }
field() { tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }

cd "$W" || exit 1
bench_pki "$W" || { echo "openssl failed" >&2; exit 1; }
RP=$(port)
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no > redis.log 2>&1 &
RS=$!; PIDS+=("$RS")
for _ in $(seq 50); do redis-cli -p "$RP" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
export REDIS_URL=redis://127.0.0.1:$RP
echo "machine: nproc=$(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg)"

m0=$(mem)
"$FT" fake big "$PODS" --fleet.interval=1h || exit 1
m1=$(mem)
rec=$(redis-cli -p "$RP" --no-raw strlen "rizk:fleet:{big}:pod:fake-1" | tr -dc 0-9)
echo "registry: $PODS pods in one namespace: Redis used_memory +$(((m1 - m0) / PODS)) B per pod (record $rec B + key + ZSET member)"
c0=$(cpu_ns "$RS")
out=$("$FT" bench big 100 --fleet.interval=1h)
c1=$(cpu_ns "$RS")
echo "refresh of $PODS pods (fleet_tool bench, 100 runs): $out; Redis CPU $(((c1 - c0) / 100 / 1000)) us per refresh; about $((PODS * (rec + 16) / 1024)) KiB per MGET reply"

start_adapter() {
    AP=$(port)
    "$B/src/rizk-metrics" adapter --web.listen-address=127.0.0.1:"$AP" --redis.addr=127.0.0.1:"$RP" \
        --fleet.interval=1h --tls.cert-file=server.pem --tls.key-file=server-key.pem \
        --client-ca-file=ca.pem --web.threads=4 --log.level=warn "$@" > adapter.log 2>&1 &
    AD=$!; PIDS+=("$AD")
    for _ in $(seq 100); do curl -sf -o /dev/null --cacert ca.pem "https://127.0.0.1:$AP/healthz" && return 0; sleep 0.1; done
    echo "adapter did not start" >&2; exit 1
}
for age in 1s 0; do
    start_adapter --fleet.max-age=$age
    U="https://127.0.0.1:$AP/apis/custom.metrics.k8s.io/v1beta2/namespaces/big/pods/%2A/rizk_requests_per_second?labelSelector=app%3Dweb"
    c0=$(cpu_ns "$AD")
    out=$(GZIP=1 "$B/tests/adapter_client" "$U" ca.pem client.pem client-key.pem 400 1 0 1000)
    c1=$(cpu_ns "$AD")
    echo "adapter, $PODS-pod answer, --fleet.max-age=$age, 1 connection, gzip: p50 $(field p50_ms <<< "$out") ms, p99 $(field p99_ms <<< "$out") ms, $(field bytes <<< "$out") B ($(field wire_bytes <<< "$out") on the wire), adapter CPU $(((c1 - c0) / 400 / 1000)) us per answer, RSS $(kb "$AD" VmRSS) kB"
    kill "$AD"; wait "$AD" 2>/dev/null
done

redis-cli -p "$RP" flushall > /dev/null
m0=$(mem)
"$FT" fakens ns "$NS" "$PER" --fleet.interval=1h || exit 1
m1=$(mem)
echo "registry: $NS namespaces x $PER pods: Redis used_memory +$(((m1 - m0) / (NS * PER))) B per pod, $(((m1 - m0) / NS)) B per namespace"
start_adapter
rss0=$(kb "$AD" VmRSS)
: > q.cfg
for i in $(seq 0 $((NS - 1))); do
    printf 'url = "https://127.0.0.1:%s/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns%s/pods/%%2A/rizk_requests_per_second"\noutput = "/dev/null"\n' "$AP" "$i" >> q.cfg
done
for pass in 1 2; do
    c0=$(cpu_ns "$AD"); r0=$(cpu_ns "$RS"); t0=$(date +%s%N)
    curl -s --compressed --cacert ca.pem --cert client.pem --key client-key.pem -K q.cfg -w '%{http_code}\n' > codes.txt
    t1=$(date +%s%N); c1=$(cpu_ns "$AD"); r1=$(cpu_ns "$RS")
    ok=$(grep -c '^200$' codes.txt)
    echo "adapter, one query per namespace over $NS namespaces (pass $pass, one keep-alive connection): $ok x 200, $(((t1 - t0) / NS / 1000)) us wall, adapter CPU $(((c1 - c0) / NS / 1000)) us, Redis CPU $(((r1 - r0) / NS / 1000)) us per query; RSS $(kb "$AD" VmRSS) kB ($rss0 before: $(( ($(kb "$AD" VmRSS) - rss0) * 1024 / NS )) B per resident view)"
done
