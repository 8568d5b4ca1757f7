#!/usr/bin/env bash
# Idle needs the request source up (SPEC 5): an app whose pulled /metrics shows a counter that
# does not move is idle (rps 0, error ratio 0, "no requests") and scales down; when its endpoint
# stops answering, the same flat counter proves nothing: rizk_source_up{source="app"} 0, not
# idle, the error ratio absent again and scale-down blocked; the endpoint back: idle again.
. "$E2E_LIB"
. "$(dirname "$E2E_LIB")/scale_helpers.sh"
need curl
cat > "$E2E_TMP/app.py" <<'PYEOF'
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
BODY = (b"# TYPE rizk_requests_total counter\nrizk_requests_total 42\n"
        b"# TYPE rizk_request_errors_total counter\nrizk_request_errors_total 3\n")
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)
    def log_message(self, *a):
        pass
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PYEOF
AP=$(free_port)
start_app() {
    "$PY" "$E2E_TMP/app.py" "$AP" &
    APP_PID=$!
    E2E_PIDS+=("$APP_PID")
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$AP/metrics" && return 0; sleep 0.1; done
    fail "app did not start"
}
start_app
PORT=$(free_port)
start_sidecar sc "$PORT" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup" \
    --app.metrics-url="http://127.0.0.1:$AP/metrics" --history.interval=200ms --signals.window=2s
U=http://127.0.0.1:$PORT

wait_py "$U/api/v1/recommendation" "d['idle'] and d['action'] == 'scale_down'" 100 \
    || fail "flat pulled counter: expected idle scale_down, got $(curl -s "$U/api/v1/recommendation")"
pass "a flat pulled counter with the endpoint up: idle, scale_down"
curl -s -o "$E2E_TMP/m.txt" "$U/metrics"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_source_up{source="app"}') $(metric_value "$E2E_TMP/m.txt" rizk_scaling_idle) $(metric_value "$E2E_TMP/m.txt" rizk_error_ratio)" \
    "1 1 0" "source up, idle, error ratio 0"

kill "$APP_PID"; wait "$APP_PID" 2>/dev/null
wait_py "$U/api/v1/recommendation" "not d['idle'] and d['action'] == 'maintain'" 100 \
    || fail "endpoint down: expected not idle, got $(curl -s "$U/api/v1/recommendation")"
curl -s -o "$E2E_TMP/m.txt" "$U/metrics"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_source_up{source="app"}') $(metric_value "$E2E_TMP/m.txt" rizk_scaling_idle)" \
    "0 0" "endpoint down: source down, not idle"
# the counter is still there and flat (rps 0): only the source's state tells idle from unknown
assert_eq "$(metric_value "$E2E_TMP/m.txt" rizk_requests_per_second)" 0 "endpoint down: the flat counter still gives rps 0"
grep -q '^rizk_error_ratio ' "$E2E_TMP/m.txt" && fail "an error ratio while the source is down"
assert_eq "$(jq_py "$U/api/v1/recommendation" "d['inputs']['rizk_error_ratio']['below_scale_down']")" False "scale-down blocked"

start_app
wait_py "$U/api/v1/recommendation" "d['idle'] and d['action'] == 'scale_down'" 100 \
    || fail "endpoint back: expected idle again, got $(curl -s "$U/api/v1/recommendation")"
pass "endpoint back: idle again"
