#!/usr/bin/env bash
# The app's duration histogram as a native histogram, end to end through real Prometheus 2.42:
# the sidecar gets a steady stream of statsd timings with a known distribution (100, 150, 200,
# 300 and 700 ms in equal numbers: median 200 ms) and two Prometheus servers scrape it every
# second, one with --enable-feature=native-histograms (protobuf negotiated) and one without
# (text). Native: up == 1, the family is stored as a native histogram (no classic series), and
# histogram_quantile(0.5, rate(rizk_request_duration_seconds[15s])) lies within one schema-3
# bucket (factor 2^(1/8)) of the median; histogram_count equals the sidecar's _count once the
# stream stops. Default: up == 1, and the classic series rizk_request_duration_seconds_bucket
# {le="0.25"} and _count equal the text body.
. "$E2E_LIB"
need prometheus
need curl

PORT=$(free_port)
UPORT=$("$PY" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
start_sidecar sc "$PORT" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup" \
    --statsd.listen-address="127.0.0.1:$UPORT"
U=http://127.0.0.1:$PORT
MEDIAN=0.2
SECS=26

# --- steady stream: every 10 ms one datagram of 5 timings and 5 requests
"$PY" - "$UPORT" "$SECS" > "$E2E_TMP/sender.out" <<'PYEOF' &
import socket, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dgram = b"\n".join(b"rizk.response_time:%d|ms" % v for v in (100, 150, 200, 300, 700)) \
    + b"\nrizk.requests:5|c"
t0 = time.monotonic(); k = 0
while True:
    t = t0 + k * 0.01
    if t - t0 >= secs:
        break
    d = t - time.monotonic()
    if d > 0:
        time.sleep(d)
    s.sendto(dgram, ("127.0.0.1", port)); k += 1
print(k)
PYEOF
SENDER=$!
E2E_PIDS+=("$SENDER")

start_prometheus_jobs native "sidecar=127.0.0.1:$PORT" --enable-feature=native-histograms
start_prometheus_jobs classic "sidecar=127.0.0.1:$PORT"

assert_eq "$(target_state "$API_native" sidecar)" "up|" "native: sidecar up (protobuf), no scrape error"
assert_eq "$(target_state "$API_classic" sidecar)" "up|" "default: sidecar up (text), no scrape error"
assert_eq "$(scalar "$API_native" 'up')" 1 "native: up == 1"
assert_eq "$(scalar "$API_classic" 'up')" 1 "default: up == 1"

# --- 15 s of scrapes under the steady stream, then the quantile of the rate
for _ in $(seq 300); do
    n=$(scalar "$API_native" 'count_over_time(up[15s])')
    [ "${n:-0}" -ge 15 ] && break
    sleep 0.1
done
[ "${n:-0}" -ge 15 ] || fail "native: fewer than 15 scrapes in 15 s ($n)"
kill -0 "$SENDER" 2>/dev/null || fail "the sender stopped before the quantile was queried"
H=rizk_request_duration_seconds
q=$(scalar "$API_native" "histogram_quantile(0.5, rate($H[15s]))")
echo "queried: histogram_quantile(0.5, rate($H[15s])) = $q (known median $MEDIAN)"
"$PY" - "$q" "$MEDIAN" <<'PY' || fail "native: median $q not within one schema-3 bucket of $MEDIAN"
import math, sys
q, m = float(sys.argv[1]), float(sys.argv[2])
idx = lambda v: math.ceil(math.log2(v) * 8)
print("bucket index: queried %d, median %d" % (idx(q), idx(m)))
sys.exit(0 if q > 0 and abs(idx(q) - idx(m)) <= 1 else 1)
PY
pass "native: histogram_quantile(0.5) = $q within one bucket (2^(1/8)) of the median $MEDIAN"
query "$API_native" "$H" > "$E2E_TMP/native.json"
"$PY" - "$E2E_TMP/native.json" <<'PY' || fail "native: not stored as a native histogram"
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r) == 1 and "histogram" in r[0], r
PY
pass "native: stored as a native histogram"
assert_eq "$(query "$API_native" "count({__name__=~\"${H}_(bucket|count|sum)\"})")" "[]" \
    "native: no classic series for the native histogram"
rps=$(scalar "$API_native" 'rizk_requests_per_second')
"$PY" -c "import sys; sys.exit(0 if abs(float('$rps') - 500) <= 10 else 1)" \
    || fail "native: rizk_requests_per_second $rps not within 2 % of 500"
pass "native: rizk_requests_per_second $rps"

# --- after the stream: both servers hold exactly what the text body says
wait "$SENDER" || fail "sender failed"
read -r NDGRAM < "$E2E_TMP/sender.out"
sleep 1.5 # one tick for the last datagrams, one scrape for both servers
curl -s -o "$E2E_TMP/text.txt" "$U/metrics"
want_count=$(metric_value "$E2E_TMP/text.txt" "${H}_count")
want_le=$(metric_value "$E2E_TMP/text.txt" "${H}_bucket{le=\"0.25\"}")
assert_num "$want_count" $((NDGRAM * 5)) "text: _count = timings sent"
assert_num "$want_le" $((NDGRAM * 3)) "text: le=\"0.25\" holds 100, 150 and 200 ms"
for _ in $(seq 50); do
    got=$(scalar "$API_classic" "${H}_count")
    [ -n "$got" ] && num_eq "$got" "$want_count" && break
    sleep 0.1
done
assert_num "$got" "$want_count" "default: ${H}_count equals the text body"
assert_num "$(scalar "$API_classic" "${H}_bucket{le=\"0.25\"}")" "$want_le" \
    "default: classic ${H}_bucket{le=\"0.25\"} equals the text body"
for _ in $(seq 50); do
    got=$(scalar "$API_native" "histogram_count($H)")
    [ -n "$got" ] && num_eq "$got" "$want_count" && break
    sleep 0.1
done
assert_num "$got" "$want_count" "native: histogram_count equals the text body's _count"
exit 0
