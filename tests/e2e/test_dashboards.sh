#!/usr/bin/env bash
# The Grafana dashboards (dashboards/*.json): up to date with dashboards/generate.py, valid
# structure (uid, title, schemaVersion >= 37, ${DS_PROMETHEUS}, namespace/pod variables, panels
# with targets), every PromQL expression accepted by a real Prometheus 2.42, and every metric
# name the dashboards and deploy/prometheus/rules.yml read exposed by a live sidecar (fixture
# trees, statsd traffic, a Redis when installed) or allow-listed with a reason.
. "$E2E_LIB"
. "$(dirname "$0")/ops_lib.sh"
need prometheus
need curl
"$PY" -c 'import yaml' 2>/dev/null || skip "python3-yaml not installed"
cd "$OPS_ROOT"
RULES=deploy/prometheus/rules.yml

"$PY" dashboards/generate.py --check || fail "dashboards/*.json differ from dashboards/generate.py"
pass "dashboards match dashboards/generate.py"
"$PY" "$OPS_CHECK" structure dashboards/*.json || fail "dashboard structure"
"$PY" "$OPS_CHECK" exprs dashboards/*.json > "$E2E_TMP/dash.jsonl" || fail "dashboard expressions"
"$PY" "$OPS_CHECK" exprs "$RULES" > "$E2E_TMP/rules.jsonl" || fail "rule expressions"
pass "$(wc -l < "$E2E_TMP/dash.jsonl") dashboard and $(wc -l < "$E2E_TMP/rules.jsonl") rule expressions extracted"

# A Prometheus with nothing to scrape: parse and type errors surface as status "error".
cat > "$E2E_TMP/empty.yml" <<YML
global: {scrape_interval: 1m}
scrape_configs: []
YML
start_prometheus prom "$E2E_TMP/empty.yml"
"$PY" "$OPS_CHECK" validate "$PROM_URL" < "$E2E_TMP/dash.jsonl" || fail "dashboard PromQL rejected"
"$PY" "$OPS_CHECK" validate "$PROM_URL" < "$E2E_TMP/rules.jsonl" || fail "rule PromQL rejected"
# a deliberately broken expression must be rejected (the check can fail)
echo '{"where": "self-test", "expr": "sum(rate(rizk_requests_total[5m])"}' \
    | "$PY" "$OPS_CHECK" validate "$PROM_URL" 2>/dev/null && fail "a broken expression was accepted"
pass "a broken expression is rejected"

PORT=$(free_port)
start_ops_sidecar sc "$PORT"
body=$E2E_TMP/sc.prom
allow=$E2E_TMP/allowlist.txt
cp tests/e2e/ops_allowlist.txt "$allow"
# The adapter's own /metrics (rizk-adapter.json and the adapter alerts): a live adapter on the
# same Redis, plain HTTP, after one metric query so that every family has samples.
if [ "$OPS_REDIS" = 1 ]; then
    APORT=$(free_port)
    "$RIZK_BIN" adapter --insecure-http --web.listen-address="127.0.0.1:$APORT" \
        --redis.addr="127.0.0.1:$OPS_REDIS_PORT" > "$E2E_TMP/adapter.log" 2>&1 &
    E2E_PIDS+=("$!"); E2E_DAEMONS+=("$!")
    wait_http "http://127.0.0.1:$APORT/healthz" 100 || fail "the adapter did not start"
    curl -sf -o /dev/null "http://127.0.0.1:$APORT/apis/custom.metrics.k8s.io/v1beta2/namespaces/prod/pods/*/rizk_requests_per_second" \
        || fail "adapter metric query"
    curl -sf "http://127.0.0.1:$APORT/metrics" > "$E2E_TMP/adapter.prom" || fail "adapter /metrics"
    cat "$E2E_TMP/sc.prom" "$E2E_TMP/adapter.prom" > "$E2E_TMP/both.prom"
    body=$E2E_TMP/both.prom
fi
if [ "$OPS_REDIS" != 1 ]; then
    echo "note: redis-server not installed: rizk_redis_* and rizk_fleet_* names are allow-listed" >&2
    grep -v '^#' dashboards/*.json "$RULES" | grep -o -E 'rizk_(redis|fleet|adapter)_[a-z_]+' | sort -u \
        | grep -v -x -f <(awk '{print $1}' "$allow") | sed 's/$/ redis-server not installed/' >> "$allow"
fi
"$PY" "$OPS_CHECK" names "$allow" "$body" "$RULES" < "$E2E_TMP/dash.jsonl" || fail "dashboard metric names"
pass "dashboard metric names"
"$PY" "$OPS_CHECK" names "$allow" "$body" "$RULES" < "$E2E_TMP/rules.jsonl" || fail "rules metric names"
pass "rules metric names"
