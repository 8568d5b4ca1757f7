#!/usr/bin/env bash
# rizk-metrics check without Redis (the Redis cases are in test_check_redis.sh): against a live
# sidecar by --url, against the local sidecar found from --web.listen-address, and by direct
# sampling when no sidecar answers; the CPU and memory checklist bands with exact values from
# driven cgroup data; JSON output parses; exit codes 0/1/2.
. "$E2E_LIB"
. "$(dirname "$E2E_LIB")/scale_helpers.sh"
need curl
CG=$E2E_TMP/cg
cg_copy "$CG"
cg_set_memory "$CG" 0.875
cg_cpu_driver "$CG"
cg_set_cpu "$CG" 0.7
PORT=$(free_port)
start_sidecar sc "$PORT" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$CG" \
    --history.interval=200ms --signals.window=2s
U=http://127.0.0.1:$PORT
wait_py "$U/api/v1/current" "0.65 < d['signals']['rizk_cpu_utilization_ratio'] < 0.75" \
    || fail "cpu did not settle at 0.7"
sleep 2 # one full signals window at the steady rate

set +e
# --- --url: table
out=$("$RIZK_BIN" check --url="$U" 2>&1); rc=$?
assert_eq "$rc" 1 "no Redis configured: not ready"
echo "$out" | grep -q '^Scaling readiness: NOT READY (1 error, 4 warnings)$' || fail "summary line: $out"
echo "$out" | grep -q "^Source: $U\$" || fail "source line: $out"
echo "$out" | grep -Eq '^redis +FAIL +- +reachable +no Redis configured' || fail "redis row: $out"
echo "$out" | grep -Eq '^cpu_utilization +ok +(6[6-9]|7[0-4])\.[0-9]% +60-80% +CPU' || fail "cpu row (in band): $out"
echo "$out" | grep -Eq '^memory_utilization +warn +87\.5% +< 85% +Memory 87\.5% not below 85%$' || fail "memory row: $out"
pass "check --url prints the table naming the failed check"

# --- --url: JSON (parses; same checks; passed/strict/source added)
out=$("$RIZK_BIN" check --url="$U/" --output=json); rc=$?
assert_eq "$rc" 1 "JSON output: same exit code"
echo "$out" | "$PY" -c "
import json, sys
d = json.load(sys.stdin)
assert d['passed'] is False and d['strict'] is False and d['source'] == '$U/', d
c = {x['name']: x for x in d['checks']}
assert c['redis']['status'] == 'fail', c['redis']
assert c['memory_utilization']['value'] == 0.875 and c['memory_utilization']['status'] == 'warn'
assert c['cpu_utilization']['status'] == 'ok', c['cpu_utilization']
assert len(d['errors']) == 1 and len(d['warnings']) == 4, d
" || fail "check --output=json: $out"
pass "check --output=json parses and carries the checks"

# --- CPU out of its band: a warning (exit code unchanged without --strict)
cg_set_cpu "$CG" 0.2
cg_set_memory "$CG" 0.5
wait_py "$U/api/v1/current" "d['signals']['rizk_cpu_utilization_ratio'] < 0.25 and d['signals']['rizk_memory_utilization_ratio'] == 0.5" \
    || fail "cpu did not drop"
out=$("$RIZK_BIN" check --url="$U" --strict 2>&1); rc=$?
assert_eq "$rc" 1 "--strict: not ready"
echo "$out" | grep -Eq '^cpu_utilization +WARN +(1[6-9]|2[0-4])\.[0-9]% +60-80% +CPU (1[6-9]|2[0-4])\.[0-9]% outside 60-80%$' || fail "cpu row (out of band, strict): $out"
echo "$out" | grep -Eq '^memory_utilization +ok +50\.0% +< 85% +Memory 50\.0%$' || fail "memory row (ok): $out"
echo "$out" | grep -q -- '--strict: warnings fail' || fail "strict noted in the summary"
pass "CPU below 60 % warns, memory under 85 % is ok"

# --- no --url: the local sidecar on --web.listen-address is read
out=$("$RIZK_BIN" check --web.listen-address="127.0.0.1:$PORT" --output=json); rc=$?
assert_eq "$rc" 1 "local sidecar: exit code"
assert_eq "$(echo "$out" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["source"])')" "http://127.0.0.1:$PORT" "local sidecar found from --web.listen-address"

# --- no sidecar at all: direct sampling of the same sources
NOPORT=$(free_port)
out=$("$RIZK_BIN" check --web.listen-address=":$NOPORT" --path.procfs="$FIXTURES/proc" \
    --path.cgroupfs="$CG" --history.interval=200ms --check.duration=1s --output=json 2>"$E2E_TMP/direct.log"); rc=$?
assert_eq "$rc" 1 "direct sampling: exit code"
echo "$out" | "$PY" -c "
import json, sys
d = json.load(sys.stdin)
assert d['source'] == 'direct sampling for 1s (no sidecar answered)', d['source']
c = {x['name']: x for x in d['checks']}
assert c['memory_utilization']['value'] == 0.5, c['memory_utilization']
assert c['cpu_utilization']['value'] is not None, c['cpu_utilization']
" || fail "direct sampling document: $out"
pass "without a sidecar, check samples the sources directly"

# --- unreachable or foreign --url: exit 1 with a reason
out=$("$RIZK_BIN" check --url="http://127.0.0.1:$NOPORT" 2>&1); rc=$?
assert_eq "$rc" 1 "unreachable --url exits 1"
case "$out" in "rizk-metrics: check: cannot read http://127.0.0.1:$NOPORT/api/v1/readiness: "*) pass "unreachable --url message" ;; *) fail "unreachable message: $out" ;; esac
out=$("$RIZK_BIN" check --url="$U/metrics" 2>&1); rc=$?
assert_eq "$rc" 1 "a URL that is not a sidecar exits 1"
case "$out" in "rizk-metrics: check: $U/metrics/api/v1/readiness answered HTTP 404"*) pass "non-sidecar message" ;; *) fail "non-sidecar message: $out" ;; esac
out=$("$RIZK_BIN" check --url=localhost:8080 2>&1); rc=$?
assert_eq "$rc" 2 "a --url without a scheme is a usage error"
