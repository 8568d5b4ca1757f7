#!/usr/bin/env bash
# The JSON API against a sidecar on a fixture tree whose memory we move: every document parses
# as JSON, absent signals are null, the history returns exactly the points that were sampled
# (in order, one per tick, downsampled evenly on request, bounded by the retention), and every
# error is JSON with the right 4xx code.
. "$E2E_LIB"
. "$(dirname "$E2E_LIB")/scale_helpers.sh"
need curl
CG=$E2E_TMP/cg
cg_copy "$CG"
PORT=$(free_port)
start_sidecar sc "$PORT" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$CG" \
    --history.interval=200ms --signals.window=1s --history.retention=1m
U=http://127.0.0.1:$PORT
MEM=rizk_memory_utilization_ratio

# --- history: the values we force, in the order we forced them, one sample per tick
for r in 0.25 0.5 0.75; do
    sleep 0.5
    cg_set_memory "$CG" "$r"
    wait_py "$U/api/v1/current" "d['signals']['$MEM'] == $r" || fail "memory did not reach $r"
done
sleep 0.5
curl -s -D "$E2E_TMP/h.hdr" -o "$E2E_TMP/hist.json" "$U/api/v1/history?series=$MEM&window=1h"
grep -qi '^Content-Type: application/json' "$E2E_TMP/h.hdr" || fail "history content type"
curl -s -o "$E2E_TMP/m.txt" "$U/metrics"
ticks=$(metric_value "$E2E_TMP/m.txt" rizk_sampler_ticks_total)
"$PY" - "$E2E_TMP/hist.json" "$ticks" <<'PYEOF' || fail "history of the memory ratio"
import json, sys
d = json.load(open(sys.argv[1]))
ticks = int(float(sys.argv[2]))
v, t = d["values"], d["timestamps_ms"]
assert d["series"] == "rizk_memory_utilization_ratio", d["series"]
assert d["window_seconds"] == 60, "window clamped to the 1m retention: %r" % d["window_seconds"]
assert d["points"] == len(v) == len(t) == d["samples_in_window"], d
# every tick appended one sample: all of them are here (the scrape came a tick or two later)
assert ticks - 3 <= len(v) <= ticks, (len(v), ticks)
assert t[-1] == d["end_ms"], (t[-1], d["end_ms"])
steps = [b - a for a, b in zip(t, t[1:])]
# one sample per tick, oldest first (how far apart depends on the box's load: not asserted)
assert all(s > 0 for s in steps), steps
runs = [x for i, x in enumerate(v) if i == 0 or x != v[i - 1]]
assert runs == [291766272 / 1073741824, 0.25, 0.5, 0.75], runs
print("samples", len(v), "runs", runs)
PYEOF
pass "history returns every sampled point, in order"

# downsampled: 5 points spread over the same samples, oldest kept
curl -s -o "$E2E_TMP/ds.json" "$U/api/v1/history?series=$MEM&window=1h&points=5"
"$PY" - "$E2E_TMP/hist.json" "$E2E_TMP/ds.json" <<'PYEOF' || fail "downsampled history"
import json, sys
full = json.load(open(sys.argv[1]))
ds = json.load(open(sys.argv[2]))
assert ds["points"] == 5 and len(ds["values"]) == 5, ds
assert ds["samples_in_window"] >= full["samples_in_window"], ds
assert ds["timestamps_ms"][0] == full["timestamps_ms"][0], "oldest sample kept"
assert ds["timestamps_ms"][-1] == ds["end_ms"], "newest sample kept"
t = ds["timestamps_ms"]
assert all(b > a for a, b in zip(t, t[1:])), t
known = dict(zip(full["timestamps_ms"], full["values"]))
assert all(known.get(ts, v) == v for ts, v in zip(t, ds["values"])), "values are sampled ones"
PYEOF
pass "points=5 downsamples evenly, keeping the oldest and newest samples"
assert_eq "$(jq_py "$U/api/v1/history?series=$MEM&window=500ms" "d['window_seconds'], d['samples_in_window'] <= 3")" "0.5 True" "a short window holds only its samples"
assert_eq "$(jq_py "$U/api/v1/history?series=$MEM&points=100000" "d['points'] == d['samples_in_window']")" True "points above the cap are clamped"
assert_eq "$(jq_py "$U/api/v1/history?series=rizk_requests_per_second" "d['points'], d['values']")" "0 []" "an absent signal has no points, not zeros"
assert_eq "$(jq_py "$U/api/v1/history?series=rizk_scaling_recommended_replica_change&window=1m" "set(d['values'])")" "{0}" "recommendation series is kept"

# --- errors: JSON {"error": ...} with the right code
check_error() { # PATH CODE WHAT
    local code
    code=$(curl -s -o "$E2E_TMP/err.json" -w '%{http_code}' "$U$1")
    assert_eq "$code" "$2" "$3: HTTP $2"
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert set(d)=={"error"} and d["error"], d' \
        "$E2E_TMP/err.json" || fail "$3: body is not {\"error\": ...}: $(cat "$E2E_TMP/err.json")"
}
check_error "/api/v1/history" 400 "missing series"
check_error "/api/v1/history?series=rizk_nope" 404 "unknown series"
check_error "/api/v1/history?series=%22%3Cx%3E%01%FF" 404 "hostile series name is escaped"
check_error "/api/v1/history?series=$MEM&window=yesterday" 400 "bad window"
check_error "/api/v1/history?series=$MEM&window=0" 400 "zero window"
check_error "/api/v1/history?series=$MEM&points=-3" 400 "bad points"
check_error "/api/v1/history?series=$MEM&points=0" 400 "zero points"
check_error_m() { # METHOD PATH CODE WHAT: the dispatcher's own errors are JSON under /api/ too
    local code
    code=$(curl -s -X "$1" -D "$E2E_TMP/err.hdr" -o "$E2E_TMP/err.json" -w '%{http_code}' "$U$2")
    assert_eq "$code" "$3" "$4: HTTP $3"
    grep -qi '^Content-Type: application/json' "$E2E_TMP/err.hdr" || fail "$4: not JSON"
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert set(d)=={"error"}, d' \
        "$E2E_TMP/err.json" || fail "$4: body $(cat "$E2E_TMP/err.json")"
}
check_error_m POST /api/v1/recommendation 405 "POST /api/v1/recommendation"
grep -qi '^Allow: GET, HEAD' "$E2E_TMP/err.hdr" || fail "405 Allow header"
check_error_m GET /api/v1/nope 404 "unknown API path"

# --- current
curl -s -D "$E2E_TMP/c.hdr" -o "$E2E_TMP/cur.json" "$U/api/v1/current"
grep -qi '^Content-Type: application/json' "$E2E_TMP/c.hdr" || fail "current content type"
"$PY" - "$E2E_TMP/cur.json" <<'PYEOF' || fail "current document"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["signals"]
assert list(s) == ["rizk_requests_per_second", "rizk_error_ratio", "rizk_response_time_seconds",
                   "rizk_cache_hit_ratio", "rizk_active_connections", "rizk_cpu_utilization_ratio",
                   "rizk_memory_utilization_ratio"], list(s)
for k in ("rizk_requests_per_second", "rizk_error_ratio", "rizk_response_time_seconds",
          "rizk_cache_hit_ratio", "rizk_active_connections"):
    assert s[k] is None, (k, s[k])        # absent, never 0
assert s["rizk_memory_utilization_ratio"] == 0.75, s
assert s["rizk_cpu_utilization_ratio"] == 0, s  # static cpu.stat: a measured zero
src = {x["source"]: x for x in d["sources"]}
assert src["system"]["up"] and src["cgroup"]["up"], src
assert abs(src["cgroup"]["last_success_timestamp_ms"] - d["timestamp_ms"]) < 5000, src
assert d["interval_seconds"] == 0.2 and d["window_seconds"] == 1, d
assert d["recommendation"]["action"] == "maintain", d["recommendation"]
assert d["readiness"] == {"ready": False, "strict_ready": False}, d["readiness"]
PYEOF
pass "/api/v1/current: seven signals (absent as null), sources, recommendation, readiness"

# --- recommendation: the exact guide-style reason, consistent with /metrics
want="Metrics within acceptable range: CPU 0.0%, Memory 75.0%, Response Time n/a, RPS n/a, Error Rate n/a; no data: Response Time, RPS, Error Rate"
assert_eq "$(jq_py "$U/api/v1/recommendation" "d['reason']")" "$want" "recommendation reason"
"$PY" - <<PYEOF || fail "recommendation document"
import json, urllib.request
d = json.load(urllib.request.urlopen("$U/api/v1/recommendation"))
assert d["action"] == "maintain" and d["replica_change"] == 0, d
assert d["recommended_replicas"] is None and d["current_replicas"] is None, d
assert d["history_capacity"] == 100 and 3 <= d["samples"] <= 100, d
assert d["thresholds"]["scale_up"] == {"rizk_cpu_utilization_ratio": 0.7,
    "rizk_memory_utilization_ratio": 0.8, "rizk_requests_per_second": 100,
    "rizk_response_time_seconds": 1, "rizk_error_ratio": 0.05}, d["thresholds"]
assert d["thresholds"]["scale_down"]["rizk_response_time_seconds"] == 0.2, d["thresholds"]
assert d["thresholds"]["scale_up_min_conditions"] == 2
assert d["inputs"]["rizk_memory_utilization_ratio"] == {"current": 0.75, "average": 0.75,
    "above_scale_up": False, "below_scale_down": False}, d["inputs"]
assert d["inputs"]["rizk_error_ratio"]["current"] is None
assert d["conditions_met"] == {"up": 0, "down": 1}, d["conditions_met"]
PYEOF
curl -s -o "$E2E_TMP/m.txt" "$U/metrics"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_scaling_recommendation{action="maintain"}')" 1 "metrics: maintain"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_scaling_recommendation{action="wait"}')" 0 "metrics: not waiting"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_scaling_conditions_met{direction="down"}')" 1 "metrics: conditions met down"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_scaling_threshold{signal="rizk_requests_per_second",direction="up"}')" 100 "metrics: rps threshold"
if command -v promtool >/dev/null; then
    promtool check metrics < "$E2E_TMP/m.txt" > "$E2E_TMP/promtool.out" 2>&1 \
        || { cat "$E2E_TMP/promtool.out"; fail "promtool check metrics"; }
    pass "promtool accepts the scaling families"
fi

# --- readiness
"$PY" - <<PYEOF || fail "readiness document"
import json, urllib.request
d = json.load(urllib.request.urlopen("$U/api/v1/readiness"))
c = {x["name"]: x for x in d["checks"]}
assert list(c) == ["redis", "redis_cluster", "cache_hit_ratio", "response_time", "error_ratio",
                   "cpu_utilization", "memory_utilization"], list(c)
assert c["redis"]["status"] == "fail" and d["ready"] is False, c["redis"]
assert c["memory_utilization"] == {"name": "memory_utilization", "status": "ok", "value": 0.75,
    "target": "< 85%", "message": "Memory 75.0%"}, c["memory_utilization"]
assert c["cpu_utilization"]["status"] == "warn" and c["cpu_utilization"]["message"] == "CPU 0.0% outside 60-80%"
assert d["errors"] == [c["redis"]["message"]], d["errors"]
PYEOF
pass "/api/v1/readiness: checks, errors and warnings"

# --- concurrent readers while the sampler writes: history reads go through the rings' seqlock,
# the documents through snapshot references (under TSan/ASan the log check in lib.sh catches
# any race or leak); every answer must still be complete JSON.
for k in 1 2 3 4; do
    (
        end=$((SECONDS + 2))
        while [ $SECONDS -lt $end ]; do
            for p in "history?series=$MEM&points=7" "history?series=rizk_scaling_recommended_replica_change" \
                     current recommendation readiness; do
                curl -sf "$U/api/v1/$p" | "$PY" -c 'import json,sys; json.load(sys.stdin)' \
                    || { echo "bad answer for $p" >&2; exit 1; }
            done
        done
    ) &
    loaders+=("$!")
done
for p in "${loaders[@]}"; do wait "$p" || fail "a concurrent reader got a bad answer"; done
assert_eq "$(curl -s "$U/health")" "ok" "still healthy after concurrent readers"
