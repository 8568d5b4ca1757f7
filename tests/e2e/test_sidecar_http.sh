#!/usr/bin/env bash
# The sidecar on fixture trees: exact values from the fixtures in /metrics, every format and
# encoding negotiated as Prometheus 2.42 asks, validators accept the bodies, probes and errors.
. "$E2E_LIB"
need curl
PORT=$(free_port)
start_sidecar sc "$PORT" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup" \
    --history.interval=200ms --signals.window=1s
U=http://127.0.0.1:$PORT

# --- text 0.0.4 by default
curl -s -D "$E2E_TMP/h.txt" -o "$E2E_TMP/m.txt" "$U/metrics" || fail "GET /metrics"
grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' "$E2E_TMP/h.txt" || fail "text content type"
grep -qi '^Vary: Accept, Accept-Encoding' "$E2E_TMP/h.txt" || fail "Vary header"
pass "default format is text 0.0.4 with Vary"

# exact values computed from the fixture files
memtotal=$(awk '$1=="MemTotal:"{printf "%.0f", $2*1024}' "$FIXTURES/proc/meminfo")
memavail=$(awk '$1=="MemAvailable:"{printf "%.0f", $2*1024}' "$FIXTURES/proc/meminfo")
assert_num "$(metric_value "$E2E_TMP/m.txt" rizk_system_memory_total_bytes)" "$memtotal" "MemTotal from fixture"
assert_num "$(metric_value "$E2E_TMP/m.txt" rizk_system_memory_available_bytes)" "$memavail" "MemAvailable from fixture"
load1=$(awk '{print $1}' "$FIXTURES/proc/loadavg")
assert_num "$(metric_value "$E2E_TMP/m.txt" rizk_system_load1)" "$load1" "load1 from fixture"
cg=$FIXTURES/sys/fs/cgroup
cur=$(cat "$cg/memory.current"); lim=$(cat "$cg/memory.max")
inact=$(awk '$1=="inactive_file"{print $2}' "$cg/memory.stat")
ws=$((cur - inact))
assert_num "$(metric_value "$E2E_TMP/m.txt" 'rizk_container_memory_working_set_bytes{container="rizk-metrics"}')" "$ws" "working set = memory.current - inactive_file"
assert_num "$(metric_value "$E2E_TMP/m.txt" 'rizk_container_memory_limit_bytes{container="rizk-metrics"}')" "$lim" "memory.max limit"
ratio=$("$PY" -c "print(repr($ws/$lim))")
# wait until the window has two samples so the CPU rate exists too
for _ in $(seq 50); do
    curl -s -o "$E2E_TMP/m.txt" "$U/metrics"
    [ -n "$(metric_value "$E2E_TMP/m.txt" rizk_cpu_utilization_ratio)" ] && break
    sleep 0.1
done
assert_num "$(metric_value "$E2E_TMP/m.txt" rizk_memory_utilization_ratio)" "$ratio" "memory utilization = working set / limit"
# static fixtures: usage does not move, so the container CPU ratio is exactly 0 (a measured 0)
assert_num "$(metric_value "$E2E_TMP/m.txt" rizk_cpu_utilization_ratio)" 0 "cpu utilization from a static cgroup"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_signal_basis_info{signal="cpu",basis="container",requested="auto"}')" 1 "cpu basis is the container"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_source_up{source="system"}')" 1 "system source up"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_source_up{source="cgroup"}')" 1 "cgroup source up"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_collector_success{collector="system"}')" 1 "system collector success"
grep -q '^rizk_build_info{version="' "$E2E_TMP/m.txt" || fail "rizk_build_info missing"
grep -q '^process_resident_memory_bytes ' "$E2E_TMP/m.txt" || fail "process metrics missing"

if command -v promtool >/dev/null; then
    promtool check metrics < "$E2E_TMP/m.txt" > "$E2E_TMP/promtool.out" 2>&1 \
        || { cat "$E2E_TMP/promtool.out"; fail "promtool check metrics"; }
    pass "promtool check metrics accepts the text body"
fi

# --- OpenMetrics with Prometheus 2.42's default Accept
curl -s -D "$E2E_TMP/h.om" -o "$E2E_TMP/m.om" -H "Accept: $PROM_ACCEPT_DEFAULT" "$U/metrics"
grep -qi '^Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8' "$E2E_TMP/h.om" || fail "OM content type"
[ "$(tail -n 1 "$E2E_TMP/m.om")" = "# EOF" ] || fail "OM body must end with # EOF"
if "$PY" -c 'import prometheus_client' 2>/dev/null; then
    "$PY" - "$E2E_TMP/m.om" <<'PYEOF' || fail "strict OpenMetrics parser rejected the body"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(open(sys.argv[1]).read()))
assert any(f.name == "rizk_system_memory_total_bytes" for f in fams), "family missing"
print("families", len(fams))
PYEOF
    pass "python OpenMetrics parser accepts the OM body"
fi

# --- gzip
curl -s -D "$E2E_TMP/h.gz" -o "$E2E_TMP/m.gz" -H 'Accept-Encoding: gzip' "$U/metrics"
grep -qi '^Content-Encoding: gzip' "$E2E_TMP/h.gz" || fail "gzip encoding header"
gzip -dc "$E2E_TMP/m.gz" | grep -q '^rizk_system_memory_total_bytes ' || fail "gzip body does not decode to metrics"
curl -s -D "$E2E_TMP/h.id" -o /dev/null -H 'Accept-Encoding: gzip;q=0, identity' "$U/metrics"
grep -qi '^Content-Encoding' "$E2E_TMP/h.id" && fail "gzip;q=0 must not be compressed"
pass "gzip when accepted, identity when refused"

# --- probes, landing page, errors
assert_eq "$(curl -s "$U/health")" "ok" "/health"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")" 200 "/healthz"
assert_eq "$(curl -s "$U/ready")" "ready" "/ready"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$U/readyz")" 200 "/readyz"
curl -s "$U/" | grep -q '<a href="/metrics">Metrics</a>' || fail "landing page links /metrics"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$U/nope")" 404 "unknown path 404"
assert_eq "$(curl -s "$U/nope")" "404 page not found" "404 reason"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$U/metrics")" 405 "POST /metrics 405"
curl -s -D - -o /dev/null -X DELETE "$U/health" | grep -qi '^Allow: GET, HEAD' || fail "405 Allow header"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -I "$U/metrics")" 200 "HEAD /metrics"
big=$(head -c 70000 /dev/zero | tr '\0' a)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$U/metrics")
[ "$code" -ge 400 ] && [ "$code" -lt 500 ] || fail "oversized request: expected 4xx, got $code"
pass "oversized request refused with $code"
assert_eq "$(curl -s "$U/health")" "ok" "still serving after bad requests"
