# Helpers for the redis e2e tests (sourced after lib.sh): real redis-server processes on free
# loopback ports, registered in E2E_PIDS so cleanup stops them; no persistence.
command -v redis-server >/dev/null 2>&1 || skip "redis-server not installed"
command -v redis-cli >/dev/null 2>&1 || skip "redis-cli not installed"

# start_redis NAME PORT [redis-server args...]: start and wait until it answers PING.
start_redis() {
    local name=$1 port=$2; shift 2
    mkdir -p "$E2E_TMP/$name"
    (cd "$E2E_TMP/$name" && exec redis-server --port "$port" --bind 127.0.0.1 --save '' \
        --appendonly no "$@") >"$E2E_TMP/$name.redis.log" 2>&1 &
    local pid=$!
    E2E_PIDS+=("$pid")
    eval "${name}_PID=$pid"
    for _ in $(seq 100); do
        redis-cli -p "$port" PING 2>/dev/null | grep -q -E 'PONG|NOAUTH' && return 0
        sleep 0.05
    done
    fail "redis $name did not start on port $port"
}

# scrape PORT FILE: /metrics of the sidecar on PORT into FILE.
scrape() { curl -sf --max-time 2 -o "$2" "http://127.0.0.1:$1/metrics"; }

# wait_metric PORT 'name{labels}' VALUE [seconds]: wait until the sample equals VALUE.
wait_metric() {
    local port=$1 key=$2 want=$3 secs=${4:-10} got=""
    local f="$E2E_TMP/wait.prom"
    local end=$(( $(date +%s%N) + secs * 1000000000 ))
    while [ "$(date +%s%N)" -lt "$end" ]; do
        if scrape "$port" "$f"; then
            got=$(metric_value "$f" "$key")
            [ -n "$got" ] && num_eq "$got" "$want" && return 0
        fi
        sleep 0.05
    done
    echo "wait_metric: $key = [$got], wanted $want" >&2
    return 1
}

# info_field PORT FIELD: a numeric INFO field of a node.
info_field() { redis-cli -p "$1" INFO all | tr -d '\r' | awk -F: -v k="$2" '$1 == k { print $2 }'; }

# now_s: seconds as a float.
now_s() { date +%s.%N; }
