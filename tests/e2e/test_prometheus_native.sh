#!/usr/bin/env bash
# Protobuf exposition and native histograms against a real Prometheus 2.42.
# 1. The sidecar answers protobuf only to an Accept header that names it (Prometheus's
#    native-histograms header, exactly), never to the default Prometheus header or to */*.
# 2. Two Prometheus servers, one with --enable-feature=native-histograms and one without, each
#    scrape two targets: the sidecar, and a static server replaying the exact bytes
#    render_protobuf made for known observations (tests/e2e/proto_dump.c; the sidecar has no
#    source of request durations yet and gets no test-only code path).
#    - native: both targets up; a gauge equals the text body; the native histogram's count and
#      sum are exact, every bucket matches, histogram_quantile(0.5) lies within one bucket of the
#      true median; the classic-only family is ingested as classic series.
#    - default: the sidecar is up (text/OpenMetrics), the protobuf replay fails the whole scrape
#      with "native histograms are disabled": why protobuf is only ever sent on request.
. "$E2E_LIB"
need prometheus
need curl
: "${PROTO_DUMP:?PROTO_DUMP must point at the proto_dump helper}"

CT_PROTO='application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited'

PORT=$(free_port)
start_sidecar sc "$PORT" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup"
URL=http://127.0.0.1:$PORT/metrics

# content_type ACCEPT [ENCODING]: prints "Content-Type|Content-Encoding" of a /metrics reply.
content_type() {
    local enc=${2:-identity}
    curl -s -o "$E2E_TMP/body" -D "$E2E_TMP/headers" -H "Accept: $1" -H "Accept-Encoding: $enc" "$URL" \
        || fail "curl $URL"
    "$PY" - "$E2E_TMP/headers" <<'PY'
import sys
h = {}
for line in open(sys.argv[1], encoding="latin-1").read().splitlines()[1:]:
    if ":" in line:
        k, v = line.split(":", 1)
        h[k.strip().lower()] = v.strip()
print(h.get("content-type", "") + "|" + h.get("content-encoding", ""))
PY
}

assert_eq "$(content_type "$PROM_ACCEPT_NATIVE")" "$CT_PROTO|" "native Accept gets protobuf"
# The body is delimited MetricFamily messages: the first varint prefix covers a whole message.
"$PY" - "$E2E_TMP/body" <<'PY' || fail "protobuf body framing"
import sys
b = open(sys.argv[1], "rb").read()
off = n = 0
while off < len(b):
    ln = shift = 0
    while True:
        c = b[off]; off += 1
        ln |= (c & 0x7f) << shift; shift += 7
        if not c & 0x80:
            break
    assert b[off] == 0x0a, "MetricFamily must start with field 1 (name)"
    off += ln; n += 1
assert off == len(b) and n > 20, (off, len(b), n)
PY
pass "protobuf body: delimited messages end exactly at the body's end"
assert_eq "$(content_type "$PROM_ACCEPT_NATIVE" gzip)" "$CT_PROTO|gzip" "native Accept + gzip"
got=$(content_type "$PROM_ACCEPT_DEFAULT")
assert_eq "${got%%;*}" "application/openmetrics-text" "default Prometheus Accept: no protobuf"
got=$(content_type '*/*')
assert_eq "${got%%;*}" "text/plain" "*/* gets text, never protobuf"
got=$(content_type 'application/vnd.google.protobuf')
assert_eq "${got%%;*}" "text/plain" "protobuf without proto= and encoding=delimited: text"

want_mem=$(curl -s "$URL" | awk '$1=="rizk_system_memory_total_bytes"{print $2}')
[ -n "$want_mem" ] || fail "no rizk_system_memory_total_bytes in the text body"

# --- the replayed renderer bytes -----------------------------------------------------------
"$PROTO_DUMP" "$E2E_TMP/native.bin" "$E2E_TMP/expect.json" || fail "proto_dump"
BPORT=$(free_port)
cat > "$E2E_TMP/serve.py" <<'PY'
import http.server, sys
body = open(sys.argv[2], "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", sys.argv[3])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
"$PY" "$E2E_TMP/serve.py" "$BPORT" "$E2E_TMP/native.bin" "$CT_PROTO" > "$E2E_TMP/serve.log" 2>&1 &
E2E_PIDS+=("$!")
wait_http "http://127.0.0.1:$BPORT/metrics" 50 || fail "replay server did not start"

JOBS="sidecar=127.0.0.1:$PORT bytes=127.0.0.1:$BPORT"
start_prometheus_jobs native "$JOBS" --enable-feature=native-histograms
start_prometheus_jobs classic "$JOBS"

# --- native-histograms Prometheus ----------------------------------------------------------
assert_eq "$(target_state "$API_native" sidecar)" "up|" "native: sidecar (protobuf) up, no scrape error"
assert_eq "$(target_state "$API_native" bytes)" "up|" "native: renderer bytes up, no scrape error"
for _ in $(seq 50); do   # both up: wait until the samples are queryable
    [ -n "$(scalar "$API_native" 'histogram_count(rizk_request_duration_seconds)')" ] && break
    sleep 0.1
done
assert_num "$(scalar "$API_native" 'rizk_system_memory_total_bytes{job="sidecar"}')" "$want_mem" \
    "native: sidecar gauge equals the text body"
assert_num "$(scalar "$API_native" 'rizk_demo_gauge')" 21.5 "native: replayed gauge"

want() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$E2E_TMP/expect.json" "$1"; }
H=rizk_request_duration_seconds
hc=$(scalar "$API_native" "histogram_count($H)")
hs=$(scalar "$API_native" "histogram_sum($H)")
hq=$(scalar "$API_native" "histogram_quantile(0.5, $H)")
echo "queried: histogram_count=$hc histogram_sum=$hs histogram_quantile(0.5)=$hq (true median $(want median))"
assert_num "$hc" "$(want count)" "native: histogram_count exact"
assert_num "$hs" "$(want sum)" "native: histogram_sum exact"
"$PY" - "$hq" "$(want median)" "$(want schema)" <<'PY' || fail "native: median $hq not within one bucket of $(want median)"
import math, sys
q, m, s = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
idx = lambda v: math.ceil(math.log2(v) * 2 ** s)
sys.exit(0 if q > 0 and abs(idx(q) - idx(m)) <= 1 else 1)
PY
pass "native: histogram_quantile(0.5) = $hq within one bucket of the median $(want median)"
query "$API_native" "$H" > "$E2E_TMP/native_result.json"
"$PY" - "$E2E_TMP/native_result.json" "$E2E_TMP/expect.json" <<'PY' || fail "native: buckets differ"
import json, math, sys
r = json.load(open(sys.argv[1]))
e = json.load(open(sys.argv[2]))
assert len(r) == 1, r
assert r[0]["metric"].get("route") == "/api", r[0]["metric"]
assert "histogram" in r[0], "stored as a classic histogram, not native"
h = r[0]["histogram"][1]
assert int(h["count"]) == e["count"] and float(h["sum"]) == e["sum"], h
got = [(int(b[0]), float(b[1]), float(b[2]), int(b[3])) for b in h["buckets"]]
assert len(got) == len(e["buckets"]), (len(got), len(e["buckets"]))
for g, w in zip(got, e["buckets"]):
    ok = g[0] == w[0] and g[3] == w[3] and all(
        math.isclose(a, b, rel_tol=1e-12) for a, b in zip(g[1:3], w[1:3]))
    assert ok, (g, w)
print(f"{len(got)} buckets match")
PY
pass "native: every native bucket (bounds, rule, count) as encoded"
assert_num "$(scalar "$API_native" 'rizk_demo_classic_seconds_count')" "$(want classic_count)" \
    "native: classic-only histogram ingested as classic _count"
assert_num "$(scalar "$API_native" 'rizk_demo_classic_seconds_sum')" "$(want classic_sum)" \
    "native: classic-only histogram _sum"
assert_num "$(scalar "$API_native" 'rizk_demo_classic_seconds_bucket{le="0.1"}')" 15 \
    "native: classic-only bucket le=\"0.1\""
nclassic=$(query "$API_native" "count({__name__=~\"${H}_(bucket|count|sum)\"})")
assert_eq "$nclassic" "[]" "native: no classic series for the native histogram"

# --- Prometheus without the feature flag ---------------------------------------------------
assert_eq "$(target_state "$API_classic" sidecar)" "up|" "default: sidecar up (text/OpenMetrics)"
st=$(target_state "$API_classic" bytes)
case "$st" in
down\|*"native histograms are disabled"*) pass "default: protobuf with a native histogram fails the scrape ($st)" ;;
*) fail "default: expected the scrape to fail with 'native histograms are disabled', got [$st]" ;;
esac
assert_eq "$(scalar "$API_classic" 'up{job="bytes"}')" 0 "default: up == 0 for the protobuf replay"
