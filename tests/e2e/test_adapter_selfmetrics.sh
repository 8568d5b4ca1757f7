#!/usr/bin/env bash
# The adapter's own /metrics (SPEC 6) on its HTTPS port: 401 without an identity, 403 for a user
# outside --authorized-groups, 200 text 0.0.4 for a reader; after a known sequence of requests
# the counters are exact: requests by path class and code, by user, authentication results
# (client-cert, refused), authorization decisions, Redis round trips (ok, then error with
# Redis stopped), latency histograms, in-flight, build info; promtool check metrics is silent.
. "$E2E_LIB"
. "$(dirname "$0")/redis_lib.sh"
. "$(dirname "$0")/adapter_lib.sh"
need curl
need redis-server
need promtool
pki_make

RP=$(free_port)
start_redis r "$RP"
AP=$(free_port)
start_adapter ad "$AP" --redis.addr="127.0.0.1:$RP" --authorized-groups=rizk-readers
A=https://127.0.0.1:$AP
Q="$A/apis/custom.metrics.k8s.io/v1beta2/namespaces/prod/pods/*/rizk_requests_per_second?labelSelector=app%3Dweb"
st() { acurl "$1" "$2" -o "$E2E_TMP/body" -w '%{http_code}'; }

[ "$(st none "$A/metrics")" = 401 ] || fail "/metrics without a certificate: not 401"
[ "$(st mallory "$A/metrics")" = 403 ] || fail "/metrics as mallory (not in rizk-readers): not 403"
pass "/metrics: 401 without an identity, 403 outside --authorized-groups"
for _ in 1 2 3; do [ "$(st alice "$Q")" = 200 ] || fail "alice's query: $(cat "$E2E_TMP/body")"; done
[ "$(st alice "$A/apis/custom.metrics.k8s.io/v1beta2/namespaces/prod/pods/*/no_such_signal")" = 404 ] || fail "unknown signal: not 404"
for _ in 1 2; do [ "$(st none "$A/apis")" = 401 ] || fail "/apis without a certificate: not 401"; done
[ "$(st mallory "$Q")" = 403 ] || fail "mallory's query: not 403"
for _ in 1 2; do [ "$(st none "$A/healthz")" = 200 ] || fail "/healthz"; done

acurl alice "$A/metrics" -D "$E2E_TMP/headers" -o "$E2E_TMP/m1.prom" -w '%{http_code}' > "$E2E_TMP/code"
[ "$(cat "$E2E_TMP/code")" = 200 ] || fail "/metrics as alice: $(cat "$E2E_TMP/code")"
grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$E2E_TMP/headers" || fail "content type: $(cat "$E2E_TMP/headers")"
pass "/metrics as alice: 200 text/plain; version=0.0.4"

# want FILE "series value": the exact sample
want() {
    local got
    got=$(awk -v s="$2" 'index($0, s " ") == 1 { print substr($0, length(s) + 2) }' "$1")
    [ "$got" = "$3" ] || fail "$2: expected $3, got [${got}]"
}
M=$E2E_TMP/m1.prom
want "$M" 'rizk_adapter_requests_total{path="healthz",code="200"}' 3   # start_adapter's wait + 2
want "$M" 'rizk_adapter_requests_total{path="metrics",code="401"}' 1
want "$M" 'rizk_adapter_requests_total{path="metrics",code="403"}' 1
want "$M" 'rizk_adapter_requests_total{path="custom_metrics",code="200"}' 3
want "$M" 'rizk_adapter_requests_total{path="custom_metrics",code="404"}' 1
want "$M" 'rizk_adapter_requests_total{path="custom_metrics",code="403"}' 1
want "$M" 'rizk_adapter_requests_total{path="discovery",code="401"}' 2
! grep -q 'rizk_adapter_requests_total{path="metrics",code="200"}' "$M" || fail "the scrape counted itself before answering"
want "$M" 'rizk_adapter_user_requests_total{user="alice"}' 4
want "$M" 'rizk_adapter_user_requests_total{user="mallory"}' 2
want "$M" 'rizk_adapter_authentications_total{result="client-cert"}' 6
want "$M" 'rizk_adapter_authentications_total{result="front-proxy"}' 0
want "$M" 'rizk_adapter_authentications_total{result="refused"}' 3
want "$M" 'rizk_adapter_authorizations_total{decision="allowed"}' 4
want "$M" 'rizk_adapter_authorizations_total{decision="denied"}' 2
want "$M" 'rizk_adapter_redis_queries_total{result="ok"}' 3
want "$M" 'rizk_adapter_redis_queries_total{result="error"}' 0
want "$M" 'rizk_adapter_redis_query_duration_seconds_count' 3
want "$M" 'rizk_adapter_redis_query_duration_seconds_bucket{le="+Inf"}' 3
want "$M" 'rizk_adapter_request_duration_seconds_count{path="custom_metrics"}' 5
want "$M" 'rizk_adapter_request_duration_seconds_bucket{path="custom_metrics",le="+Inf"}' 5
want "$M" 'rizk_adapter_requests_in_flight' 1   # this scrape
VERSION=$("$RIZK_BIN" --version | awk '{print $3; exit}')
grep -q "^rizk_adapter_build_info{version=\"$VERSION\",revision=\"[^\"]*\"} 1$" "$M" || fail "build info"
grep -q '^process_start_time_seconds [0-9]*\.[0-9]*$' "$M" || fail "process_start_time_seconds"
pass "exact counters: requests by path and code, by user, authentications, authorizations, Redis round trips, latency, in flight, build info"

# cumulative buckets never decrease
"$PY" - "$M" <<'PY' || fail "histogram buckets not cumulative"
import re, sys
last = {}
for line in open(sys.argv[1]):
    m = re.match(r'(\w+)_bucket\{(.*?)le="([^"]+)"\} (\d+)$', line)
    if m:
        key = (m.group(1), m.group(2))
        v = int(m.group(4))
        assert v >= last.get(key, 0), line
        last[key] = v
PY
promtool check metrics < "$M" > "$E2E_TMP/lint" 2>&1 || fail "promtool check metrics: $(cat "$E2E_TMP/lint")"
[ ! -s "$E2E_TMP/lint" ] || fail "promtool check metrics: $(cat "$E2E_TMP/lint")"
pass "promtool check metrics: no complaint; buckets cumulative"

acurl alice "$A/metrics" -o "$E2E_TMP/m2.prom"
want "$E2E_TMP/m2.prom" 'rizk_adapter_requests_total{path="metrics",code="200"}' 1
want "$E2E_TMP/m2.prom" 'rizk_adapter_user_requests_total{user="alice"}' 5
pass "the first scrape is counted by the second"

kill -TERM "$r_PID" 2>/dev/null; wait "$r_PID" 2>/dev/null
[ "$(st alice "$Q")" = 503 ] || fail "query with Redis stopped: not 503: $(cat "$E2E_TMP/body")"
acurl alice "$A/metrics" -o "$E2E_TMP/m3.prom"
want "$E2E_TMP/m3.prom" 'rizk_adapter_redis_queries_total{result="error"}' 1
want "$E2E_TMP/m3.prom" 'rizk_adapter_requests_total{path="custom_metrics",code="503"}' 1
pass "Redis stopped: the query is 503 and counted as a Redis error"
exit 0
