# Shared helpers for the e2e scripts (sourced). Every process a test starts is recorded and
# stopped on exit, pass or fail; every port is picked free at run time on 127.0.0.1.
set -u
: "${RIZK_BIN:?RIZK_BIN must point at the rizk-metrics binary}"
: "${FIXTURES:?FIXTURES must point at tests/fixtures}"

# Hermetic even when CI runs in a pod: no test may reach the cluster around it (the adapter
# delegates to kube-apiserver when KUBERNETES_SERVICE_HOST is set); tests that want in-cluster
# behaviour set these per command.
unset KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT

E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rizk-e2e.XXXXXX")
E2E_PIDS=()
E2E_DAEMONS=()   # our own processes: must exit 0 on SIGTERM (LeakSanitizer fails them otherwise)
E2E_NAME=$(basename "$0" .sh)
PY=/usr/bin/python3

e2e_cleanup() {
    local rc=$?
    local p d st
    for d in "${E2E_DAEMONS[@]}"; do
        kill -0 "$d" 2>/dev/null || continue
        kill -TERM "$d" 2>/dev/null
        wait "$d"; st=$?
        if [ "$st" -ne 0 ] && [ "$rc" -eq 0 ]; then
            echo "FAIL [$E2E_NAME]: daemon $d exited $st after SIGTERM" >&2; rc=1
        fi
    done
    # a sanitizer report in any of our logs fails the test even if every assertion passed
    if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:|WARNING: ThreadSanitizer' \
        "$E2E_TMP"/*.log >/dev/null 2>&1 && [ "$rc" -eq 0 ]; then
        echo "FAIL [$E2E_NAME]: sanitizer report in the daemon log" >&2; rc=1
    fi
    for p in "${E2E_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${E2E_PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
        for f in "$E2E_TMP"/*.log; do
            [ -f "$f" ] || continue
            echo "---- $f (last 40 lines)"; tail -n 40 "$f"
        done
    fi
    if [ -n "${E2E_ARTIFACTS:-}" ]; then mkdir -p "$E2E_ARTIFACTS" && cp -r "$E2E_TMP"/. "$E2E_ARTIFACTS"/ 2>/dev/null; fi
    rm -rf "$E2E_TMP"
    exit "$rc"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL [$E2E_NAME]: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }
skip() { echo "SKIP [$E2E_NAME]: $*" >&2; exit 77; }

# free_port prints a TCP port that was free on 127.0.0.1 a moment ago.
free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL [tries]: wait until URL answers 200.
wait_http() {
    local url=$1 tries=${2:-100}
    for _ in $(seq "$tries"); do
        curl -sf -o /dev/null --max-time 1 "$url" && return 0
        sleep 0.1
    done
    return 1
}

# start_sidecar NAME PORT [flags...]: start the daemon on 127.0.0.1:PORT and wait for /ready.
start_sidecar() {
    local name=$1 port=$2; shift 2
    # statsd off unless the test asks for it (later flags win): parallel tests would all try
    # the default 127.0.0.1:8125.
    "$RIZK_BIN" sidecar --web.listen-address="127.0.0.1:$port" --statsd.listen-address= "$@" \
        >"$E2E_TMP/$name.log" 2>&1 &
    local pid=$!
    E2E_PIDS+=("$pid")
    E2E_DAEMONS+=("$pid")
    eval "${name}_PID=$pid"
    wait_http "http://127.0.0.1:$port/ready" 100 || fail "$name did not become ready on port $port"
}

# metric_value BODY_FILE 'name{labels}' -> prints the sample value (exact series match).
metric_value() {
    awk -v k="$2" '$0 !~ /^#/ { s=$0; sub(/ [^ ]+$/, "", s); if (s == k) { n=split($0, a, " "); print a[n]; exit } }' "$1"
}

assert_eq() { [ "$1" = "$2" ] || fail "$3: expected [$2], got [$1]"; pass "$3"; }

# wait_series URL SERIES WANT [tries]: until URL/metrics has the series equal to WANT
# (numerically), polling every 0.1 s; fails with the last value seen.
wait_series() {
    local v=""
    for _ in $(seq "${4:-50}"); do
        curl -s -o "$E2E_TMP/wait_series.txt" "$1/metrics" || fail "scrape $1"
        v=$(metric_value "$E2E_TMP/wait_series.txt" "$2")
        [ -n "$v" ] && num_eq "$v" "$3" && return 0
        sleep 0.1
    done
    fail "$2: expected $3, still [$v]"
}

need() { command -v "$1" >/dev/null 2>&1 || skip "$1 not installed"; }

# num_eq A B: exact float equality of two decimal strings (Go and Python both print the
# shortest round-trip form, but not always the same spelling: 1e+06 vs 1000000.0).
num_eq() { "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) == float(sys.argv[2]) else 1)' "$1" "$2"; }
assert_num() { num_eq "$1" "$2" || fail "$3: expected $2, got [$1]"; pass "$3"; }

PROM_ACCEPT_DEFAULT='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
PROM_ACCEPT_NATIVE='application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

# --- a real Prometheus for a test ------------------------------------------------------------
# start_prometheus_jobs TAG "JOB=HOST:PORT ..." [prometheus flags]: scrapes each job every second;
# sets API_<TAG> to its HTTP API. The first scrape comes >= 5 s after start (see target_state).
start_prometheus_jobs() {
    local tag=$1 jobs=$2; shift 2
    local pport dir j
    pport=$(free_port)
    dir=$E2E_TMP/prom-$tag
    mkdir -p "$dir"
    { echo "global:"; echo "  scrape_interval: 1s"; echo "scrape_configs:"
      for j in $jobs; do
          echo "  - job_name: ${j%%=*}"
          echo "    static_configs: [{targets: ['${j#*=}']}]"
      done; } > "$dir/prometheus.yml"
    prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
        --web.listen-address="127.0.0.1:$pport" --log.level=warn "$@" > "$E2E_TMP/prom-$tag.log" 2>&1 &
    E2E_PIDS+=("$!")
    eval "API_$tag=http://127.0.0.1:$pport"
    wait_http "http://127.0.0.1:$pport/-/ready" 200 || fail "prometheus ($tag) did not start"
}

# target_state API JOB: waits (<= 30 s) until the job's target was scraped, then prints
# "health|lastError".
target_state() {
    local st=""
    for _ in $(seq 300); do
        st=$(curl -s "$1/api/v1/targets?state=active&scrapePool=$2" | "$PY" -c '
import json, sys
t = json.load(sys.stdin)["data"]["activeTargets"]
print(t[0]["health"] + "|" + t[0]["lastError"] if t and t[0]["health"] != "unknown" else "")')
        [ -n "$st" ] && break
        sleep 0.1
    done
    echo "$st"
}

# query API EXPR: prints the JSON result list of an instant query.
query() {
    curl -s "$1/api/v1/query" --data-urlencode "query=$2" | "$PY" -c '
import json, sys
print(json.dumps(json.load(sys.stdin)["data"]["result"]))'
}

# scalar API EXPR: the single value of an instant query ("" when empty).
scalar() {
    query "$1" "$2" | "$PY" -c '
import json, sys
r = json.load(sys.stdin)
print(r[0]["value"][1] if r else "")'
}
