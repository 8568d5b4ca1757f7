#!/usr/bin/env bash
# The redis collector against a real standalone redis-server: exact hit/miss counters and the
# summed hit ratio from lookups this test makes; a stopped (unresponsive) and a killed Redis
# turn rizk_redis_up to 0 while /metrics and /ready keep answering at their normal speed; a
# restarted Redis is back to 1 within 2 intervals. Without Redis configured nothing redis exists.
. "$E2E_LIB"
. "$(dirname "$0")/redis_lib.sh"

RP=$(free_port)
start_redis r "$RP"
SP=$(free_port)
start_sidecar side "$SP" --redis.addr="127.0.0.1:$RP" --history.interval=1s --signals.window=60s --redis.timeout=1s \
    --no-collector.cgroup
N="127.0.0.1:$RP"
wait_metric "$SP" "rizk_redis_up{node=\"$N\"}" 1 5 || fail "redis never came up"
pass "rizk_redis_up 1"
wait_metric "$SP" 'rizk_source_up{source="redis"}' 1 3 || fail "source redis not up"
pass "rizk_source_up{source=\"redis\"} 1"
scrape "$SP" "$E2E_TMP/m0.prom"
grep -q "rizk_redis_keyspace_hit_ratio" "$E2E_TMP/m0.prom" && fail "hit ratio present without lookups"
pass "no hit ratio before any lookup"
grep -q "^rizk_redis_instance_info{node=\"$N\",role=\"master\",version=\"7\.[0-9.]*\",mode=\"standalone\"} 1$" \
    "$E2E_TMP/m0.prom" || fail "instance_info missing"
pass "instance info labels"

# 4 present keys read 9 times, 6 missing keys: exactly 9 hits and 6 misses.
for k in 1 2 3 4; do redis-cli -p "$RP" SET "present:$k" v >/dev/null; done
for i in $(seq 9); do redis-cli -p "$RP" GET "present:$(( i % 4 + 1 ))" >/dev/null; done
for i in $(seq 6); do redis-cli -p "$RP" GET "missing:$i" >/dev/null; done
assert_eq "$(info_field "$RP" keyspace_hits)/$(info_field "$RP" keyspace_misses)" "9/6" "INFO agrees with the test's lookups"
wait_metric "$SP" "rizk_redis_keyspace_hits_total{node=\"$N\"}" 9 4 || fail "hits"
wait_metric "$SP" "rizk_redis_keyspace_misses_total{node=\"$N\"}" 6 4 || fail "misses"
pass "hits 9 and misses 6 exactly"
want=$("$PY" -c 'print(repr(9/15))')
wait_metric "$SP" "rizk_redis_keyspace_hit_ratio" "$want" 4 || fail "hit ratio"
pass "rizk_redis_keyspace_hit_ratio = 9/15"
wait_metric "$SP" "rizk_redis_db_keys{node=\"$N\",db=\"db0\"}" 4 3 || fail "db keys"
pass "db keys"

# The HTTP side must not wait on Redis: with a 1 s Redis timeout, a handler that waited would take
# at least 1 s, so "under 0.5 s" tells blocked from not blocked without being a latency
# benchmark (a loaded CI machine can take tens of ms to schedule a reply).
http_time() { curl -s -o /dev/null -w '%{time_total}' --max-time 3 "http://127.0.0.1:$SP$1"; }
assert_fast() {
    local t; t=$(http_time "$1")
    "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 0.5 else 1)' "$t" || fail "$1 took ${t}s ($2)"
}
ticks_of() { scrape "$SP" "$E2E_TMP/t.prom"; metric_value "$E2E_TMP/t.prom" rizk_sampler_overruns_total; }

# An unresponsive Redis (SIGSTOP: the kernel still accepts connections, nothing answers) costs
# the worker timeouts, never the sampler or the HTTP side.
over0=$(ticks_of)
kill -STOP "$r_PID"
wait_metric "$SP" "rizk_redis_up{node=\"$N\"}" 0 4 || fail "stopped redis still up"
pass "unresponsive redis -> rizk_redis_up 0"
for i in $(seq 10); do assert_fast /metrics stopped; assert_fast /ready stopped; sleep 0.2; done
pass "/metrics and /ready answer without waiting on the hung Redis"
wait_metric "$SP" 'rizk_source_up{source="redis"}' 0 2 || fail "source redis still up"
scrape "$SP" "$E2E_TMP/m1.prom"
t=$(metric_value "$E2E_TMP/m1.prom" 'rizk_redis_errors_total{kind="timeout"}')
"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 1 else 1)' "$t" || fail "timeouts not counted: [$t]"
pass "timeouts counted ($t)"
assert_eq "$(ticks_of)" "$over0" "no sampler overrun while Redis hangs"
grep -q "rizk_redis_keyspace_hit_ratio" "$E2E_TMP/m1.prom" && fail "ratio still reported while Redis is down"
pass "ratio absent while Redis is down"
kill -CONT "$r_PID"
wait_metric "$SP" "rizk_redis_up{node=\"$N\"}" 1 4 || fail "redis not back after SIGCONT"
pass "back after SIGCONT"

# Killed: connection refused; then restarted on the same port.
kill -KILL "$r_PID"; wait "$r_PID" 2>/dev/null
wait_metric "$SP" "rizk_redis_up{node=\"$N\"}" 0 3 || fail "killed redis still up"
pass "killed redis -> rizk_redis_up 0"
for i in $(seq 5); do assert_fast /metrics killed; assert_fast /ready killed; sleep 0.2; done
pass "/metrics and /ready answer without waiting on the dead Redis"
sleep 3 # let the reconnect backoff reach its cap
start_redis r "$RP"
t0=$(now_s)
wait_metric "$SP" "rizk_redis_up{node=\"$N\"}" 1 5 || fail "restarted redis not up"
dt=$("$PY" -c 'import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 3))' "$t0" "$(now_s)")
"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= 2.0 else 1)' "$dt" || fail "back after ${dt}s, more than 2 intervals"
pass "restarted redis back to 1 after ${dt}s (interval 1s)"
wait_metric "$SP" "rizk_redis_keyspace_hits_total{node=\"$N\"}" 0 2 || fail "counter of the new server"
pass "counters follow the restarted server"

# The fleet registry on a standalone Redis: key, TTL, sorted set, labels from the downward API.
: "${FLEET_TOOL:?FLEET_TOOL must point at the fleet_tool binary}"
printf 'app="web"\npod-template-hash="5d8f"\nnote="say \\"hi\\"\\n"\n' > "$E2E_TMP/labels"
SP3=$(free_port)
POD_NAME=web-1 POD_NAMESPACE=shop INSTANCE_ID=i-42 start_sidecar pub "$SP3" --redis.addr="$N" \
    --fleet.interval=1s --pod.labels-file="$E2E_TMP/labels" --no-collector.cgroup
# at least two publishes (a counter: waiting for exactly 2 can miss it between two scrapes)
for _ in $(seq 100); do
    scrape "$SP3" "$E2E_TMP/pub.prom" && n=$(metric_value "$E2E_TMP/pub.prom" rizk_fleet_publish_total)
    [ -n "${n:-}" ] && "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 2 else 1)' "$n" && break
    sleep 0.05
done
[ -n "${n:-}" ] && "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 2 else 1)' "$n" || fail "no publish"
ttl=$(redis-cli -p "$RP" PTTL 'rizk:fleet:{shop}:pod:web-1')
"$PY" -c 'import sys; t = int(sys.argv[1]); sys.exit(0 if 1000 < t <= 3000 else 1)' "$ttl" || fail "TTL $ttl ms"
score=$(redis-cli -p "$RP" ZSCORE 'rizk:fleet:{shop}:pods' web-1)
"$PY" -c 'import sys, time; sys.exit(0 if abs(time.time() * 1000 - float(sys.argv[1])) < 3000 else 1)' "$score" \
    || fail "ZSCORE $score is not the publish time"
pass "fleet key with TTL ${ttl} ms (3 intervals) and the pod in the sorted set at the publish time"
REDIS_URL="redis://$N" "$FLEET_TOOL" read shop --fleet.interval=1s > "$E2E_TMP/shop.json" || fail "fleet_tool read"
"$PY" - "$E2E_TMP/shop.json" <<'PYEOF' || fail "snapshot content: $(cat "$E2E_TMP/shop.json")"
import json, sys
pods = json.load(open(sys.argv[1]))["pods"]
assert len(pods) == 1, pods
p = pods[0]
assert p["pod"] == "web-1" and p["namespace"] == "shop" and p["instance_id"] == "i-42", p
assert p["labels"] == {"app": "web", "pod-template-hash": "5d8f", "note": 'say "hi"\n'}, p["labels"]
assert p["interval_ms"] == 1000, p
PYEOF
pass "fleet read back: identity and downward-API labels (escapes decoded)"
# a dead pod's member: its key expires, the read side leaves it out and prunes it
redis-cli -p "$RP" ZADD 'rizk:fleet:{shop}:pods' "$(date +%s%3N)" ghost >/dev/null
REDIS_URL="redis://$N" "$FLEET_TOOL" read shop --fleet.interval=1s > "$E2E_TMP/shop2.json"
"$PY" -c 'import json,sys; d = json.load(open(sys.argv[1])); sys.exit(0 if [p["pod"] for p in d["pods"]] == ["web-1"] and d["expired"] == 1 else 1)' \
    "$E2E_TMP/shop2.json" || fail "ghost member: $(cat "$E2E_TMP/shop2.json")"
assert_eq "$(redis-cli -p "$RP" ZSCORE 'rizk:fleet:{shop}:pods' ghost)" "" "expired member pruned"

# No Redis configured: the collector is inactive, no rizk_redis_* and no redis source at all.
SP2=$(free_port)
start_sidecar bare "$SP2" --no-collector.cgroup
sleep 1.2
scrape "$SP2" "$E2E_TMP/bare.prom"
grep -q -E '^rizk_(redis|fleet)_|source="redis"|collector="redis"' "$E2E_TMP/bare.prom" && fail "redis metrics without Redis configured"
pass "no redis metrics, no redis source without Redis configured"
