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
echo "== one basic-auth check (median CPU microseconds; bcrypt cost 10 from htpasswd -nBC 10)"
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

cpu_ns() { local s=0 t a; for t in /proc/$1/task/*/schedstat; do read -r a _ < "$t" 2>/dev/null && s=$((s + a)); done; echo $s; }
# rps PID URL [header] -> "requests/s of 2xx answers" and the server's CPU microseconds per
# request (schedstat of every thread), as "rps cpu_us"
rps() {
    local pid=$1 url=$2 out c0 c1
    shift 2
    c0=$(cpu_ns "$pid")
    if [ $# -gt 0 ]; then out=$(wrk -t1 -c"$CONNS" -d"$DUR" -H "$1" "$url" 2>&1)
    else out=$(wrk -t1 -c"$CONNS" -d"$DUR" "$url" 2>&1); fi
    c1=$(cpu_ns "$pid")
    echo "$out" | awk -v d=$((c1 - c0)) '/Non-2xx/ { bad = 1 } /requests in/ { n = $1 }
        /^Requests\/sec/ { r = $2 } END { printf "%s %.1f\n", (bad ? 0 : r), (n > 0 ? d / 1000 / n : 0) }'
}
declare -a P T A PC TC AC
for i in $(seq "$ROUNDS"); do
    read -r r c < <(rps "${PIDS[0]}" "http://127.0.0.1:$PORT_plain/metrics"); P+=("$r"); PC+=("$c")
    read -r r c < <(rps "${PIDS[1]}" "https://127.0.0.1:$PORT_tls/metrics"); T+=("$r"); TC+=("$c")
    read -r r c < <(rps "${PIDS[2]}" "https://127.0.0.1:$PORT_auth/metrics" "$AUTH"); A+=("$r"); AC+=("$c")
done
med() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mp=$(med "${P[@]}"); mt=$(med "${T[@]}"); ma=$(med "${A[@]}")
echo "== /metrics over keep-alive: wrk -t1 -c$CONNS -d$DUR, $ROUNDS interleaved rounds, body $size bytes"
printf '%-28s %12s %16s %s\n' "server" "req/s (med)" "server CPU us/req" "req/s per round"
printf '%-28s %12.0f %16s %s\n' "plain HTTP" "$mp" "$(med "${PC[@]}")" "${P[*]}"
printf '%-28s %12.0f %16s %s\n' "TLS" "$mt" "$(med "${TC[@]}")" "${T[*]}"
printf '%-28s %12.0f %16s %s\n' "TLS + basic auth (cached)" "$ma" "$(med "${AC[@]}")" "${A[*]}"
awk -v p="$mp" -v t="$mt" -v a="$ma" 'BEGIN {
    printf "loss vs plain: TLS %.1f %%, TLS + basic auth %.1f %%; basic auth vs TLS alone %.1f %%\n",
        100 * (1 - t / p), 100 * (1 - a / p), 100 * (1 - a / t) }'
