#!/usr/bin/env bash
# statsd end to end with exact ground truth: a sender paces known requests, errors (status tag
# and sample rate), timings, cache lookups and a relative gauge at a known rate; the signals
# must match (rps within 2 %, ratios and mean exact, quantiles within one bucket), counters
# must equal what was sent, and before any traffic no app signal may exist at all.
. "$E2E_LIB"
need curl
PORT=$(free_port)
UPORT=$("$PY" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
start_sidecar sc "$PORT" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup" \
    --history.interval=200ms --signals.window=5s --statsd.listen-address="127.0.0.1:$UPORT" \
    --statsd.max-series=3
U=http://127.0.0.1:$PORT

# --- no source, no signal: absent, not 0
sleep 0.5
curl -s -o "$E2E_TMP/m0.txt" "$U/metrics"
for m in rizk_requests_per_second rizk_error_ratio rizk_response_time_seconds \
    rizk_response_time_quantile_seconds rizk_active_connections rizk_cache_hit_ratio \
    rizk_cache_tier_hit_ratio rizk_requests_total rizk_request_duration_seconds_count; do
    grep -q "^$m[ {]" "$E2E_TMP/m0.txt" && fail "$m present before any statsd traffic"
done
pass "no app signal or counter before any statsd traffic"
assert_eq "$(metric_value "$E2E_TMP/m0.txt" rizk_statsd_lines_total)" 0 "no line received yet"
assert_eq "$(metric_value "$E2E_TMP/m0.txt" 'rizk_signal_basis_info{signal="active_connections",basis="none"}')" 1 "connections basis none"

# --- paced sender: 100 datagrams/s x 10 requests = 1000 requests/s for 7 s
RATE=1000
"$PY" - "$UPORT" 7 > "$E2E_TMP/sender.out" <<'PYEOF' &
import socket, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dgram = "\n".join([
    "rizk.requests:8|c",
    "rizk.requests:1|c|@0.5|#status:503,route:/v1",    # 2 requests, 2 errors
    "rizk.response_time:125|ms", "rizk.response_time:250|ms",
    "rizk.response_time:375|ms|#route:/v1", "rizk.response_time:500|d",
    "rizk.cache.l1.hits:6|c", "rizk.cache.l1.misses:4|c",
    "rizk.cache.l2.hits:3|c", "rizk.cache.l2.misses:1|c",
    "rizk.active_connections:10|g", "rizk.active_connections:+5|g",
    "rizk.active_connections:-3|g",
    "api.calls:1|c|#env:prod",
    "garbage",
]).encode()
lines = dgram.count(b"\n") + 1
t0 = time.monotonic(); k = 0
while True:
    t = t0 + k * 0.01
    if t - t0 >= secs:
        break
    d = t - time.monotonic()
    if d > 0:
        time.sleep(d)
    s.sendto(dgram, ("127.0.0.1", port)); k += 1
print(k, k * lines)
PYEOF
SENDER=$!
E2E_PIDS+=("$SENDER")
sleep 6
curl -s -o "$E2E_TMP/m1.txt" "$U/metrics"
# under traffic, for the OpenMetrics check below: the window signals (the quantiles) are only
# present while the window holds requests, and the end of the test may come later than that
curl -s -o "$E2E_TMP/m1.om" -H "Accept: $PROM_ACCEPT_DEFAULT" "$U/metrics"
rps=$(metric_value "$E2E_TMP/m1.txt" rizk_requests_per_second)
[ -n "$rps" ] || fail "rizk_requests_per_second absent under traffic"
"$PY" -c "import sys; r=float('$rps'); sys.exit(0 if abs(r-$RATE)/$RATE <= 0.02 else 1)" \
    || fail "rps $rps not within 2 % of $RATE"
pass "rizk_requests_per_second $rps within 2 % of $RATE"
assert_num "$(metric_value "$E2E_TMP/m1.txt" rizk_error_ratio)" 0.2 "error ratio (status >= 500, sampled) exact"
assert_num "$(metric_value "$E2E_TMP/m1.txt" rizk_response_time_seconds)" 0.3125 "mean response time exact (ms -> s)"
assert_num "$(metric_value "$E2E_TMP/m1.txt" rizk_cache_hit_ratio)" 0.9 "hierarchy hit ratio (6+3)/10"
assert_num "$(metric_value "$E2E_TMP/m1.txt" 'rizk_cache_tier_hit_ratio{tier="l1"}')" 0.6 "l1 hit ratio"
assert_num "$(metric_value "$E2E_TMP/m1.txt" 'rizk_cache_tier_hit_ratio{tier="l2"}')" 0.75 "l2 hit ratio"
assert_num "$(metric_value "$E2E_TMP/m1.txt" rizk_active_connections)" 12 "relative gauge 10 +5 -3"
assert_eq "$(metric_value "$E2E_TMP/m1.txt" 'rizk_signal_basis_info{signal="active_connections",basis="app"}')" 1 "connections basis app"
# quantiles: the true value's bucket (DefBuckets) must hold the estimate
"$PY" - "$E2E_TMP/m1.txt" <<'PYEOF' || fail "quantiles outside the true value's bucket"
import sys
vals = {}
for line in open(sys.argv[1]):
    if line.startswith('rizk_response_time_quantile_seconds{'):
        q = line.split('"')[1]; vals[q] = float(line.rsplit(' ', 1)[1])
bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
truth = {"0.5": 0.25, "0.95": 0.5, "0.99": 0.5}   # of 125, 250, 375, 500 ms in equal numbers
for q, t in truth.items():
    lo = max([0] + [b for b in bounds if b < t]); hi = min(b for b in bounds if b >= t)
    v = vals[q]
    assert lo <= v <= hi, (q, v, lo, hi)
    print("p%s=%g in (%g, %g]" % (q, v, lo, hi))
PYEOF
pass "p50/p95/p99 within the bucket of the true quantile"

# --- after the sender: counters equal exactly what was sent
wait "$SENDER" || fail "sender failed"
read -r NDGRAM NLINES < "$E2E_TMP/sender.out"
sleep 0.6
curl -s -o "$E2E_TMP/m2.txt" "$U/metrics"
assert_num "$(metric_value "$E2E_TMP/m2.txt" rizk_statsd_packets_total)" "$NDGRAM" "every datagram counted"
assert_num "$(metric_value "$E2E_TMP/m2.txt" rizk_statsd_lines_total)" "$NLINES" "every line counted"
assert_num "$(metric_value "$E2E_TMP/m2.txt" rizk_requests_total)" "$((NDGRAM * 10))" "rizk_requests_total = sent"
assert_num "$(metric_value "$E2E_TMP/m2.txt" rizk_request_errors_total)" "$((NDGRAM * 2))" "rizk_request_errors_total = sent"
assert_num "$(metric_value "$E2E_TMP/m2.txt" rizk_request_duration_seconds_count)" "$((NDGRAM * 4))" "duration count = timings sent"
assert_num "$(metric_value "$E2E_TMP/m2.txt" 'rizk_cache_hits_total{tier="l1"}')" "$((NDGRAM * 6))" "l1 hits = sent"
assert_num "$(metric_value "$E2E_TMP/m2.txt" 'rizk_cache_misses_total{tier="l2"}')" "$NDGRAM" "l2 misses = sent"
assert_num "$(metric_value "$E2E_TMP/m2.txt" 'rizk_app_api_calls_total{env="prod"}')" "$NDGRAM" "other names become rizk_app_*"
assert_num "$(metric_value "$E2E_TMP/m2.txt" 'rizk_statsd_malformed_lines_total{reason="bad_value"}')" "$NDGRAM" "malformed lines counted by reason"
assert_num "$(metric_value "$E2E_TMP/m2.txt" 'rizk_statsd_dropped_total{reason="receive_buffer"}')" 0 "no kernel drops at this rate"

# --- the series cap: 1 series exists, cap 3 -> 2 more accepted, 3 dropped, memory bounded
"$PY" -c "
import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'm1:1|g\nm2:2|g\nm3:3|g\nm4:4|g\nm5:5|g', ('127.0.0.1', $UPORT))"
sleep 0.6
curl -s -o "$E2E_TMP/m3.txt" "$U/metrics"
assert_num "$(metric_value "$E2E_TMP/m3.txt" 'rizk_statsd_dropped_total{reason="max_series"}')" 3 "series over --statsd.max-series dropped and counted"
assert_num "$(metric_value "$E2E_TMP/m3.txt" rizk_statsd_series)" 3 "series held = cap"
assert_num "$(metric_value "$E2E_TMP/m3.txt" rizk_app_m2)" 2 "gauge under the cap exported"
grep -q '^rizk_app_m3 ' "$E2E_TMP/m3.txt" && fail "series over the cap exported"
if command -v promtool >/dev/null; then
    promtool check metrics < "$E2E_TMP/m3.txt" > "$E2E_TMP/promtool.out" 2>&1 \
        || { cat "$E2E_TMP/promtool.out"; fail "promtool check metrics"; }
    pass "promtool accepts the body with app metrics"
fi
curl -s -o "$E2E_TMP/m3.om" -H "Accept: $PROM_ACCEPT_DEFAULT" "$U/metrics"
"$PY" - "$E2E_TMP/m3.om" "$E2E_TMP/m1.om" <<'PYEOF' || fail "strict OpenMetrics parser rejected the body with app metrics"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
def names(path):
    return {f.name for f in text_string_to_metric_families(open(path).read())}
late, busy = names(sys.argv[1]), names(sys.argv[2])
for n in ("rizk_requests", "rizk_request_duration_seconds", "rizk_app_api_calls", "rizk_cache_hits"):
    assert n in late, n
for n in ("rizk_response_time_quantile_seconds", "rizk_requests_per_second"):
    assert n in busy, n
PYEOF
pass "strict OpenMetrics parser accepts the body with app metrics"
exit 0
