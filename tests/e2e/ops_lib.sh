# Helpers for the operations tests (sourced after lib.sh): a sidecar with app traffic and,
# when redis-server is installed, a Redis, so that every family the dashboards and rules read
# exists; a Prometheus started on a free port with a given configuration.
OPS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OPS_CHECK=$OPS_ROOT/tests/e2e/ops_check.py
OPS_REDIS=0

# udp_free_port: a UDP port free on 127.0.0.1 a moment ago.
udp_free_port() {
    "$PY" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# statsd_send PORT LINES: one datagram to the sidecar's statsd listener.
statsd_send() {
    "$PY" -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(sys.argv[2].encode(), ("127.0.0.1", int(sys.argv[1])))' "$1" "$2"
}

# start_ops_sidecar NAME PORT: a sidecar on the fixture trees with statsd traffic, a Redis
# (OPS_REDIS=1) when redis-server is installed, and --scaling.current-replicas so that
# rizk_scaling_recommended_replicas exists. Waits until the app and Redis signals are served.
start_ops_sidecar() {
    local name=$1 port=$2 sport redis_args=()
    sport=$(udp_free_port)
    if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
        OPS_REDIS_PORT=$(free_port)
        mkdir -p "$E2E_TMP/redis"
        (cd "$E2E_TMP/redis" && exec redis-server --port "$OPS_REDIS_PORT" --bind 127.0.0.1 --save '' \
            --appendonly no) >"$E2E_TMP/redis.redis.log" 2>&1 &
        E2E_PIDS+=("$!")
        for _ in $(seq 100); do
            redis-cli -p "$OPS_REDIS_PORT" PING 2>/dev/null | grep -q PONG && break
            sleep 0.05
        done
        redis_args=(--redis.addr="127.0.0.1:$OPS_REDIS_PORT" --fleet.interval=1s)
        OPS_REDIS=1
    fi
    POD_NAME=web-1 POD_NAMESPACE=prod start_sidecar "$name" "$port" \
        --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup" \
        --statsd.listen-address="127.0.0.1:$sport" --signals.window=5s --scaling.current-replicas=3 \
        --pod.labels-file="$OPS_ROOT/tests/e2e/ops_labels.txt" "${redis_args[@]}"
    local body=$E2E_TMP/$name.prom want=(rizk_requests_per_second rizk_cache_hit_ratio rizk_response_time_seconds)
    [ "$OPS_REDIS" = 1 ] && want+=(rizk_redis_keyspace_hit_ratio rizk_fleet_last_publish_timestamp_seconds)
    for _ in $(seq 100); do
        statsd_send "$sport" "$(printf '%s\n' 'rizk.requests:20|c|#status:200' 'rizk.requests:1|c|#status:503' \
            'rizk.errors:1|c' 'rizk.response_time:42|ms' 'rizk.response_time:420|ms' 'rizk.active_connections:3|g' \
            'rizk.cache.l1.hits:5|c' 'rizk.cache.l1.misses:2|c' 'rizk.cache.l2.hits:1|c' 'rizk.cache.l2.misses:1|c')"
        if [ "$OPS_REDIS" = 1 ]; then
            redis-cli -p "$OPS_REDIS_PORT" SET ops:k v >/dev/null
            redis-cli -p "$OPS_REDIS_PORT" GET ops:k >/dev/null
            redis-cli -p "$OPS_REDIS_PORT" GET ops:missing >/dev/null
        fi
        curl -sf -o "$body" "http://127.0.0.1:$port/metrics" || fail "$name: /metrics"
        local ok=1 m
        for m in "${want[@]}"; do grep -q "^$m[ {]" "$body" || ok=0; done
        [ "$ok" = 1 ] && return 0
        sleep 0.2
    done
    fail "$name: the app and Redis signals did not appear in /metrics"
}

# start_prometheus NAME CONFIG [flags...]: sets PROM_URL.
start_prometheus() {
    local name=$1 config=$2; shift 2
    local pport
    pport=$(free_port)
    prometheus --config.file="$config" --storage.tsdb.path="$E2E_TMP/$name-data" \
        --web.listen-address="127.0.0.1:$pport" --log.level=warn "$@" >"$E2E_TMP/$name.log" 2>&1 &
    E2E_PIDS+=("$!")
    PROM_URL=http://127.0.0.1:$pport
    wait_http "$PROM_URL/-/ready" 300 || fail "$name did not start"
}

# prom_query EXPR: prints the instant query result as JSON (data.result).
prom_query() {
    curl -s "$PROM_URL/api/v1/query" --data-urlencode "query=$1" \
        | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(d["data"]["result"]) if d["status"]=="success" else "ERROR "+d["error"])'
}
