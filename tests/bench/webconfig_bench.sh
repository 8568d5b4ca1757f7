#!/usr/bin/env bash
# Benchmark (not a test): the cost of --web.config.file. One bcrypt check (htpasswd -nBC 10)
# for a known user, an unknown user and a wrong password, a cached check, then /metrics over
# keep-alive with wrk against three sidecars started side by side on the same fixtures: plain
# HTTP, TLS only, and TLS + basic auth (cached credentials), interleaved in ROUNDS rounds so
# load on the machine hits each alike. Prints medians and the loss against plain.
# Usage: tests/bench/webconfig_bench.sh [build dir]   Env: DUR=5s ROUNDS=3 CONNS=8
set -u
B=${1:-build}
BIN=$B/src/rizk-metrics
COST=$B/tests/auth_cost
DUR=${DUR:-5s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-8}
for t in wrk openssl htpasswd curl; do
    command -v "$t" >/dev/null || { echo "missing $t: run .ci/install-deps --bench" >&2; exit 2; }
done
[ -x "$BIN" ] && [ -x "$COST" ] || { echo "usage: $0 BUILD_DIR (with src/rizk-metrics, tests/auth_cost)" >&2; exit 2; }
W=$(mktemp -d /tmp/rizk-webbench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

H=$(htpasswd -nbBC 10 "" 'correct horse' | tr -d ':\n')
echo "== one basic-auth check (median, microseconds; bcrypt cost 10 from htpasswd -nBC 10)"
"$COST" "$H" 'correct horse' 11

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -keyout "$W/key.pem" \
    -out "$W/cert.pem" -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n' "$W/cert.pem" "$W/key.pem" > "$W/tls.yml"
cp "$W/tls.yml" "$W/auth.yml"
printf 'basic_auth_users:\n  alice: %s\n' "$H" >> "$W/auth.yml"
FX=$(cd "$(dirname "$0")/../fixtures" && pwd)
start() { # NAME CONFIG -> sets PORT_<NAME>
    local p
    p=$(port)
    "$BIN" sidecar --web.listen-address="127.0.0.1:$p" --statsd.listen-address= \
        --path.procfs="$FX/proc" --path.sysfs="$FX/sys" --path.cgroupfs="$FX/sys/fs/cgroup" \
        ${2:+--web.config.file="$2"} >"$W/$1.log" 2>&1 &
    PIDS+=("$!")
    eval "PORT_$1=$p"
}
start plain ""
start tls "$W/tls.yml"
start auth "$W/auth.yml"
sleep 3
AUTH="Authorization: Basic $(printf 'alice:correct horse' | base64)"
size=$(curl -s "http://127.0.0.1:$PORT_plain/metrics" | wc -c)
[ "$(curl -sk -o /dev/null -w '%{http_code}' -H "$AUTH" "https://127.0.0.1:$PORT_auth/metrics")" = 200 ] \
    || { echo "the basic-auth sidecar does not answer 200" >&2; exit 1; }

rps() { # URL [header] -> requests/s of 2xx answers
    local out
    if [ $# -gt 1 ]; then out=$(wrk -t1 -c"$CONNS" -d"$DUR" -H "$2" "$1" 2>&1)
    else out=$(wrk -t1 -c"$CONNS" -d"$DUR" "$1" 2>&1); fi
    echo "$out" | awk '/Non-2xx/ { bad = 1 } /^Requests\/sec/ { r = $2 } END { print (bad ? 0 : r) }'
}
declare -a P T A
for i in $(seq "$ROUNDS"); do
    P+=("$(rps "http://127.0.0.1:$PORT_plain/metrics")")
    T+=("$(rps "https://127.0.0.1:$PORT_tls/metrics")")
    A+=("$(rps "https://127.0.0.1:$PORT_auth/metrics" "$AUTH")")
done
med() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mp=$(med "${P[@]}"); mt=$(med "${T[@]}"); ma=$(med "${A[@]}")
echo "== /metrics over keep-alive: wrk -t1 -c$CONNS -d$DUR, $ROUNDS interleaved rounds, body $size bytes"
printf '%-28s %12s %s\n' "server" "req/s (med)" "rounds"
printf '%-28s %12.0f %s\n' "plain HTTP" "$mp" "${P[*]}"
printf '%-28s %12.0f %s\n' "TLS" "$mt" "${T[*]}"
printf '%-28s %12.0f %s\n' "TLS + basic auth (cached)" "$ma" "${A[*]}"
awk -v p="$mp" -v t="$mt" -v a="$ma" 'BEGIN {
    printf "loss vs plain: TLS %.1f %%, TLS + basic auth %.1f %%; basic auth vs TLS alone %.1f %%\n",
        100 * (1 - t / p), 100 * (1 - a / p), 100 * (1 - a / t) }'
