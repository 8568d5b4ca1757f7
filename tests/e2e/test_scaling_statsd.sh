#!/usr/bin/env bash
# The recommendation driven by the app's own traffic over statsd (SPEC 2, 5): more than 100
# requests/s at 1.5 s each exceed two scale-up thresholds -> scale_up +1 (CPU of the static
# fixture is 0, the +1 band); light traffic (5 requests/s at 50 ms, no errors) on an idle fixture
# puts all five signals below their scale-down thresholds -> scale_down -1; zero traffic (the
# source up, nothing sent) is idle, not unknown: rps 0, error ratio 0, response time "no
# requests" -> scale_down -1 (SPEC 5). Both in the API and in /metrics. Needs the statsd
# collector (branch app): skipped (77) without it.
. "$E2E_LIB"
. "$(dirname "$E2E_LIB")/scale_helpers.sh"
need curl
"$RIZK_BIN" --help | grep -q 'collector.statsd' || skip "this build has no statsd collector"
SPORT=$(free_port)
PORT=$(free_port)
start_sidecar sc "$PORT" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup" \
    --statsd.listen-address="127.0.0.1:$SPORT" --history.interval=200ms --signals.window=2s
U=http://127.0.0.1:$PORT

# A sender whose rate and latency come from a control file: "<requests/s> <response time ms>".
echo "150 1500" > "$E2E_TMP/traffic"
"$PY" - "$E2E_TMP/traffic" "$SPORT" <<'PYEOF' &
import socket, sys, time
ctl, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
owed, last = 0.0, time.monotonic()
while True:
    time.sleep(0.05)
    now = time.monotonic()
    try:
        rps, ms = (float(x) for x in open(ctl).read().split())
    except (OSError, ValueError):
        continue
    owed += rps * (now - last)
    last = now
    n = int(owed)
    owed -= n
    lines = ["rizk.requests:1|c", "rizk.response_time:%g|ms" % ms] * n
    for i in range(0, len(lines), 40):  # many lines per datagram, as clients batch them
        s.sendto("\n".join(lines[i:i + 40]).encode(), ("127.0.0.1", port))
PYEOF
E2E_PIDS+=("$!")

wait_py "$U/api/v1/recommendation" "d['action'] == 'scale_up' and d['replica_change'] == 1" 100 \
    || fail "busy: expected scale_up +1, got $(curl -s "$U/api/v1/recommendation")"
jq_py "$U/api/v1/recommendation" "d['inputs']" | "$PY" -c "
import ast, sys
i = ast.literal_eval(sys.stdin.read())
assert i['rizk_requests_per_second']['above_scale_up'], i
assert i['rizk_response_time_seconds']['above_scale_up'], i
assert abs(i['rizk_response_time_seconds']['current'] - 1.5) < 1e-9, i
" || fail "busy: inputs"
reason=$(jq_py "$U/api/v1/recommendation" "d['reason']")
case "$reason" in
"High resource usage: CPU 0.0%, Memory 27.2%, Response Time 1500.0ms, RPS 1"*", Error Rate 0.0%; above scale-up thresholds: Response Time, RPS") pass "busy reason: $reason" ;;
*) fail "busy reason: [$reason]" ;;
esac
curl -s -o "$E2E_TMP/m.txt" "$U/metrics"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_scaling_recommendation{action="scale_up"}')" 1 "metrics: scale_up"
assert_eq "$(metric_value "$E2E_TMP/m.txt" rizk_scaling_recommended_replica_change)" 1 "metrics: +1"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_scaling_conditions_met{direction="up"}')" 2 "metrics: 2 conditions up"

echo "5 50" > "$E2E_TMP/traffic"
# The rules decide on the newest sample; the reason quotes 3-sample averages, which reach the
# idle values two ticks later: wait for both.
wait_py "$U/api/v1/recommendation" "d['action'] == 'scale_down' and d['replica_change'] == -1 and 'Response Time 50.0ms' in d['reason']" 100 \
    || fail "idle: expected scale_down -1, got $(curl -s "$U/api/v1/recommendation")"
reason=$(jq_py "$U/api/v1/recommendation" "d['reason']")
case "$reason" in
"Low resource usage: CPU 0.0%, Memory 27.2%, Response Time 50.0ms, RPS "*", Error Rate 0.0%") pass "idle reason: $reason" ;;
*) fail "idle reason: [$reason]" ;;
esac
curl -s -o "$E2E_TMP/m.txt" "$U/metrics"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_scaling_recommendation{action="scale_down"}')" 1 "metrics: scale_down"
assert_eq "$(metric_value "$E2E_TMP/m.txt" rizk_scaling_recommended_replica_change)" -1 "metrics: -1"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_scaling_conditions_met{direction="down"}')" 5 "metrics: all 5 below"

# Zero traffic: after a 2 s window without a request the pod is idle, and idle scales down.
echo "0 50" > "$E2E_TMP/traffic"
wait_py "$U/api/v1/recommendation" "'Response Time no requests' in d['reason'] and d['inputs']['rizk_response_time_seconds']['average'] is None" 100 \
    || fail "zero traffic: expected idle, got $(curl -s "$U/api/v1/recommendation")"
reason=$(jq_py "$U/api/v1/recommendation" "d['reason']")
assert_eq "$reason" "Low resource usage: CPU 0.0%, Memory 27.2%, Response Time no requests, RPS 0.0, Error Rate 0.0%" "zero traffic: idle reason"
assert_eq "$(jq_py "$U/api/v1/recommendation" "(d['action'], d['replica_change'], d['idle'], d['inputs']['rizk_error_ratio']['current'] == 0, d['inputs']['rizk_response_time_seconds']['below_scale_down'])")" \
    "('scale_down', -1, True, True, True)" "zero traffic: scale_down -1, error ratio 0, no requests counts as below"
curl -s -o "$E2E_TMP/m.txt" "$U/metrics"
assert_eq "$(metric_value "$E2E_TMP/m.txt" rizk_scaling_idle)" 1 "metrics: idle"
assert_eq "$(metric_value "$E2E_TMP/m.txt" rizk_requests_per_second)" 0 "metrics: rps 0"
assert_eq "$(metric_value "$E2E_TMP/m.txt" rizk_error_ratio)" 0 "metrics: error ratio 0"
grep -q '^rizk_response_time_seconds ' "$E2E_TMP/m.txt" && fail "metrics: a response time without requests"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_scaling_recommendation{action="scale_down"}')" 1 "metrics: idle scales down"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_scaling_conditions_met{direction="down"}')" 5 "metrics: idle, all 5 below"
