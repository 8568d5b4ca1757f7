#!/usr/bin/env bash
# A real Prometheus 2.42 scrapes the sidecar, once with default flags (OpenMetrics negotiated)
# and once with --enable-feature=native-histograms (protobuf-first Accept): up == 1, no scrape
# error, and a queried value equals the one in the body.
. "$E2E_LIB"
need prometheus
need curl
PORT=$(free_port)
start_sidecar sc "$PORT" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup"
want=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '$1=="rizk_system_memory_total_bytes"{print $2}')
[ -n "$want" ] || fail "no rizk_system_memory_total_bytes in the body"

run_prometheus() {
    local tag=$1; shift
    local pport dir pid
    pport=$(free_port)
    dir=$E2E_TMP/prom-$tag
    mkdir -p "$dir"
    cat > "$dir/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: rizk
    static_configs: [{targets: ['127.0.0.1:$PORT']}]
YML
    prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
        --web.listen-address="127.0.0.1:$pport" --log.level=warn "$@" > "$E2E_TMP/prom-$tag.log" 2>&1 &
    pid=$!
    E2E_PIDS+=("$pid")
    local api=http://127.0.0.1:$pport
    wait_http "$api/-/ready" 200 || fail "prometheus ($tag) did not start"
    local got=""
    for _ in $(seq 300); do   # the first scrape comes >= 5 s after start
        got=$(curl -s "$api/api/v1/query" --data-urlencode 'query=up{job="rizk"}' \
            | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")')
        [ "$got" = 1 ] && break
        sleep 0.1
    done
    assert_eq "$got" 1 "prometheus ($tag): up == 1"
    local err
    err=$(curl -s "$api/api/v1/targets?state=active" | "$PY" -c 'import json,sys; t=json.load(sys.stdin)["data"]["activeTargets"][0]; print(t["health"]+"|"+t["lastError"])')
    assert_eq "$err" "up|" "prometheus ($tag): target healthy, no scrape error"
    local v
    v=$(curl -s "$api/api/v1/query" --data-urlencode 'query=rizk_system_memory_total_bytes' \
        | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")')
    assert_num "$v" "$want" "prometheus ($tag): queried value equals the body"
    v=$(curl -s "$api/api/v1/query" --data-urlencode 'query=count({job="rizk",__name__=~"rizk_.*"})' \
        | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "0")')
    [ "${v:-0}" -gt 20 ] || fail "prometheus ($tag): expected many rizk_ series, got $v"
    pass "prometheus ($tag): $v rizk_ series ingested"
    kill "$pid"; wait "$pid" 2>/dev/null
}
run_prometheus default
run_prometheus native --enable-feature=native-histograms
