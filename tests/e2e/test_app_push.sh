#!/usr/bin/env bash
# POST /api/v1/report end to end: a JSON and a protobuf report (hand-encoded rizk.v1.Report)
# change the counters by exactly their deltas; bad input is a 400 with the exact reason and
# changes nothing; 415/405/413 for the wrong content type, method and size; a peer outside
# --web.report-allow gets 403. Also the socket fallback of rizk_active_connections.
. "$E2E_LIB"
need curl
PORT=$(free_port)
start_sidecar sc "$PORT" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup" \
    --history.interval=200ms --signals.window=5s --statsd.listen-address= --web.max-request-bytes=4096
U=http://127.0.0.1:$PORT/api/v1/report
M=http://127.0.0.1:$PORT/metrics

# post TYPE BODY_FILE -> "code body"
post() { curl -s -o "$E2E_TMP/resp" -w '%{http_code}' -H "Content-Type: $1" --data-binary @"$2" "$U"; }
scrape() { sleep 0.5; curl -s -o "$E2E_TMP/$1" "$M"; }
val() { metric_value "$E2E_TMP/$1" "$2"; }

scrape m0.txt
grep -q '^rizk_requests_total ' "$E2E_TMP/m0.txt" && fail "rizk_requests_total before any report"
grep -q '^rizk_active_connections ' "$E2E_TMP/m0.txt" && fail "rizk_active_connections without a source"
pass "no app counters before the first report"

# --- JSON
cat > "$E2E_TMP/r1.json" <<'JSON'
{"requests": 100, "errors": 5, "durations_seconds": [0.5, 1.5],
 "cache_l1": {"hits": 8, "misses": 2}, "active_connections": 3}
JSON
assert_eq "$(post application/json "$E2E_TMP/r1.json")" 202 "JSON report accepted"
scrape m1.txt
assert_num "$(val m1.txt rizk_requests_total)" 100 "requests += 100"
assert_num "$(val m1.txt rizk_request_errors_total)" 5 "errors += 5"
assert_num "$(val m1.txt rizk_request_duration_seconds_count)" 2 "two raw durations"
assert_num "$(val m1.txt rizk_request_duration_seconds_sum)" 2 "duration sum 0.5 + 1.5"
assert_num "$(val m1.txt 'rizk_cache_hits_total{tier="l1"}')" 8 "l1 hits += 8"
assert_num "$(val m1.txt 'rizk_cache_misses_total{tier="l1"}')" 2 "l1 misses += 2"
assert_num "$(val m1.txt rizk_active_connections)" 3 "active connections gauge"
assert_num "$(val m1.txt 'rizk_app_reports_total{result="accepted"}')" 1 "accepted counted"

# --- protobuf: requests 50, errors 1, histogram {0.1: 1, 1: 3, count 4, sum 2.5}, l2 {4, 1}
"$PY" - "$E2E_TMP/r2.pb" <<'PYEOF'
import struct, sys
def varint(n):
    out = b''
    while True:
        b = n & 0x7f; n >>= 7
        if n: out += bytes([b | 0x80])
        else: return out + bytes([b])
def key(f, w): return varint(f << 3 | w)
def ld(f, payload): return key(f, 2) + varint(len(payload)) + payload
hist = (ld(1, struct.pack('<dd', 0.1, 1.0)) + ld(2, varint(1) + varint(3)) +
        key(3, 0) + varint(4) + key(4, 1) + struct.pack('<d', 2.5))
tier = key(1, 0) + varint(4) + key(2, 0) + varint(1)
msg = key(1, 0) + varint(50) + key(2, 0) + varint(1) + ld(4, hist) + ld(6, tier)
open(sys.argv[1], 'wb').write(msg)
PYEOF
assert_eq "$(post application/x-protobuf "$E2E_TMP/r2.pb")" 202 "protobuf report accepted"
scrape m2.txt
assert_num "$(val m2.txt rizk_requests_total)" 150 "requests += 50"
assert_num "$(val m2.txt rizk_request_errors_total)" 6 "errors += 1"
assert_num "$(val m2.txt rizk_request_duration_seconds_count)" 6 "histogram count += 4"
assert_num "$(val m2.txt rizk_request_duration_seconds_sum)" 4.5 "histogram sum += 2.5"
assert_num "$(val m2.txt 'rizk_cache_hits_total{tier="l2"}')" 4 "l2 hits += 4"
assert_num "$(val m2.txt 'rizk_cache_misses_total{tier="l2"}')" 1 "l2 misses += 1"
assert_num "$(val m2.txt 'rizk_cache_hits_total{tier="l1"}')" 8 "l1 untouched"

# --- concurrent pushes from several connections: each applied exactly once (and TSan-clean)
printf '{"requests": 1, "durations_seconds": [0.25]}' > "$E2E_TMP/one.json"
pids=()
for _ in $(seq 24); do
    curl -s -o /dev/null -H 'Content-Type: application/json' --data-binary @"$E2E_TMP/one.json" "$U" &
    pids+=("$!")
done
for p in "${pids[@]}"; do wait "$p"; done
scrape m2b.txt
assert_num "$(val m2b.txt rizk_requests_total)" 174 "24 concurrent reports applied exactly once"
assert_num "$(val m2b.txt rizk_request_duration_seconds_count)" 30 "their durations too"
printf '{"requests": -24}' > "$E2E_TMP/undo.json"
post application/json "$E2E_TMP/undo.json" > /dev/null
printf '{"requests": 0, "durations_seconds": []}' > "$E2E_TMP/zero.json"
assert_eq "$(post application/json "$E2E_TMP/zero.json")" 202 "an idle report (0 requests) is accepted"

# --- bad input: 400 with the exact reason, nothing applied
bad() {
    local type=$1 body=$2 want=$3
    printf '%s' "$body" > "$E2E_TMP/bad"
    assert_eq "$(post "$type" "$E2E_TMP/bad")" 400 "400 for $body"
    assert_eq "$(cat "$E2E_TMP/resp")" "bad report: $want" "reason for $body"
}
bad application/json '{"reqs": 1}' 'unknown field "reqs"'
bad application/json '{"requests": 10, "errors": -1}' 'errors must be a non-negative integer'
bad application/json '{"requests": 10, "cache_l1": {"hits": 1.5}}' 'cache_l1.hits must be a non-negative integer'
bad application/json '{"requests": 10, "durations_seconds": [1, -2]}' 'durations_seconds[1] must be a finite number >= 0'
bad application/json '{"requests": 10' 'malformed JSON at line 1 column 15: '"'"'}'"'"' expected near end of file'
bad application/x-protobuf $'\xff\xff\xff' 'malformed protobuf: not a rizk.v1.Report'
bad application/x-protobuf $'\x08\x0a\x78\x01' 'unknown field number 15 in Report'
printf 'requests=1' > "$E2E_TMP/form"
assert_eq "$(post application/x-www-form-urlencoded "$E2E_TMP/form")" 415 "415 for a form body"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$U")" 405 "GET is 405"
head -c 8000 /dev/zero | tr '\0' ' ' > "$E2E_TMP/big"
code=$(post application/json "$E2E_TMP/big")
case "$code" in 413) pass "oversized body is 413" ;; *) fail "oversized body: got $code" ;; esac
scrape m3.txt
assert_num "$(val m3.txt rizk_requests_total)" 174 "nothing applied from rejected reports"
assert_num "$(val m3.txt rizk_request_errors_total)" 6 "errors unchanged by rejected reports"
assert_num "$(val m3.txt 'rizk_app_reports_total{result="invalid"}')" 8 "invalid reports counted"
assert_num "$(val m3.txt 'rizk_app_reports_total{result="unsupported"}')" 1 "unsupported type counted"
assert_eq "$(curl -s "http://127.0.0.1:$PORT/health")" ok "still healthy"

# --- 403 outside --web.report-allow, and the ESTABLISHED-socket fallback on --app.port
APORT=$(free_port)
"$PY" - "$APORT" > "$E2E_TMP/conns.out" 2>&1 <<'PYEOF' &
import socket, sys, time
port = int(sys.argv[1])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port)); srv.listen(8)
clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
accepted = [srv.accept()[0] for _ in range(3)]
print("ready", flush=True)
time.sleep(60)
PYEOF
E2E_PIDS+=("$!")
for _ in $(seq 50); do grep -q ready "$E2E_TMP/conns.out" && break; sleep 0.1; done
PORT2=$(free_port)
start_sidecar sc2 "$PORT2" --path.procfs=/proc --no-collector.cgroup --statsd.listen-address= \
    --history.interval=200ms --signals.window=2s --web.report-allow=10.0.0.0/8,fd00::/8 --app.port="$APORT"
printf '{"requests": 1}' > "$E2E_TMP/r3.json"
code=$(curl -s -o "$E2E_TMP/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$E2E_TMP/r3.json" "http://127.0.0.1:$PORT2/api/v1/report")
assert_eq "$code" 403 "403 from a peer outside --web.report-allow"
sleep 0.5
curl -s -o "$E2E_TMP/m4.txt" "http://127.0.0.1:$PORT2/metrics"
grep -q '^rizk_requests_total ' "$E2E_TMP/m4.txt" && fail "a forbidden report was applied"
assert_num "$(val m4.txt 'rizk_app_reports_total{result="forbidden"}')" 1 "forbidden counted"
assert_num "$(val m4.txt rizk_active_connections)" 3 "ESTABLISHED sockets on --app.port"
assert_eq "$(val m4.txt 'rizk_signal_basis_info{signal="active_connections",basis="sockets"}')" 1 "connections basis sockets"
exit 0
