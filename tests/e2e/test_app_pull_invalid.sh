#!/usr/bin/env bash
# The pull channel leaves out a family that breaks the exposition rules and keeps the rest: an
# app (a small Python server serving a file the test rewrites) whose OpenMetrics body goes from
# valid, to a histogram without +Inf beside a valid counter, to valid again.
# - while the histogram is broken: the counter's increase is counted exactly, the histogram's
#   nothing; rizk_app_pull_malformed_lines_total{reason="histogram"} and
#   rizk_app_pull_invalid_families_total count it; one log line names the reason and line;
# - when it is valid again: its increase since the last good body counts once (the series was
#   remembered, not counted whole).
. "$E2E_LIB"
need curl

APP_PORT=$(free_port)
BODY="$E2E_TMP/body.om"
body() { # requests count plus_inf
    {
        echo '# TYPE rizk_requests counter'
        echo "rizk_requests_total $1"
        echo '# TYPE rizk_request_duration_seconds histogram'
        echo "rizk_request_duration_seconds_bucket{le=\"0.5\"} $2"
        [ "$3" = yes ] && echo "rizk_request_duration_seconds_bucket{le=\"+Inf\"} $2"
        echo "rizk_request_duration_seconds_count $2"
        echo "rizk_request_duration_seconds_sum $2"
        echo '# EOF'
    } > "$BODY.tmp"
    mv "$BODY.tmp" "$BODY"
}
body 100 10 yes
"$PY" -c '
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
path = sys.argv[2]
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        b = open(path, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$APP_PORT" "$BODY" > "$E2E_TMP/app.log" 2>&1 &
E2E_PIDS+=("$!")
wait_http "http://127.0.0.1:$APP_PORT/metrics" 100 || fail "app did not start"

PORT=$(free_port)
start_sidecar s "$PORT" --app.metrics-url="http://127.0.0.1:$APP_PORT/metrics" \
    --history.interval=250ms --no-collector.redis
URL="http://127.0.0.1:$PORT"

# pulls_after N: wait until N more pulls have been taken.
pulls_after() {
    curl -s -o "$E2E_TMP/m.txt" "$URL/metrics"
    local base want v
    base=$(metric_value "$E2E_TMP/m.txt" rizk_app_pulls_total)
    want=$(( ${base%.*} + $1 ))
    for _ in $(seq 100); do
        curl -s -o "$E2E_TMP/m.txt" "$URL/metrics"
        v=$(metric_value "$E2E_TMP/m.txt" rizk_app_pulls_total)
        [ "${v%.*}" -ge "$want" ] && return 0
        sleep 0.1
    done
    fail "no pulls taken"
}

pulls_after 2 # the baseline is taken
wait_series "$URL" 'rizk_app_pull_malformed_lines_total{reason="histogram"}' 0
pass "a valid body: nothing counted as malformed"

body 150 16 no
wait_series "$URL" rizk_requests_total 50 100
pass "histogram broken: the counter beside it still counts exactly (+50)"
pulls_after 2
curl -s -o "$E2E_TMP/m.txt" "$URL/metrics"
bad=$(metric_value "$E2E_TMP/m.txt" 'rizk_app_pull_malformed_lines_total{reason="histogram"}')
inv=$(metric_value "$E2E_TMP/m.txt" rizk_app_pull_invalid_families_total)
"$PY" -c "import sys; sys.exit(0 if float('$bad') >= 2 and float('$inv') == float('$bad') else 1)" ||
    fail "malformed{histogram} [$bad] and invalid families [$inv]: one per pull of the broken body"
pass "each pull of the broken body counted under reason histogram ($bad) and as an invalid family"
n=$(metric_value "$E2E_TMP/m.txt" rizk_request_duration_seconds_count)
[ -z "$n" ] || num_eq "$n" 0 || fail "the broken histogram was counted: [$n]"
pass "the broken histogram counted nothing"
syn=$(metric_value "$E2E_TMP/m.txt" 'rizk_app_pull_malformed_lines_total{reason="syntax"}')
assert_num "$syn" 0 "no other reason counted"
logs=$(grep -c 'breaks the exposition rules (histogram) at line 6' "$E2E_TMP/s.log" || true)
assert_eq "$logs" 1 "one log line for the reason, with the line of the histogram's last sample"

body 150 16 yes
wait_series "$URL" rizk_request_duration_seconds_count 6 100
pass "valid again: the histogram's increase since the last good body counted once (+6)"
pulls_after 2
curl -s -o "$E2E_TMP/m.txt" "$URL/metrics"
assert_num "$(metric_value "$E2E_TMP/m.txt" rizk_request_duration_seconds_count)" 6 \
    "and not again"
assert_num "$(metric_value "$E2E_TMP/m.txt" rizk_requests_total)" 50 "requests unchanged"
