#!/usr/bin/env bash
# rizk-metrics check against a real Redis (SPEC 5): a healthy Redis passes (exit 0; the app's
# absent signals are warnings, so --strict fails), a stopped Redis fails with exit 1 naming the
# redis check, in the table and in the JSON. Needs the redis collector (branch redis) and
# redis-server: skipped (77) otherwise.
. "$E2E_LIB"
need curl
need redis-server
need redis-cli
"$RIZK_BIN" --help | grep -q 'collector.redis' || skip "this build has no redis collector"
RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
    > "$E2E_TMP/redis.out" 2>&1 &
RPID=$!
E2E_PIDS+=("$RPID")
for _ in $(seq 50); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
PORT=$(free_port)
start_sidecar sc "$PORT" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup" \
    --redis.addr="127.0.0.1:$RPORT" --history.interval=200ms --signals.window=1s
U=http://127.0.0.1:$PORT
for _ in $(seq 50); do
    curl -s "$U/metrics" | grep -q '^rizk_source_up{source="redis"} 1' && break
    sleep 0.2
done

set +e
out=$("$RIZK_BIN" check --url="$U" 2>&1); rc=$?
echo "$out"
assert_eq "$rc" 0 "healthy Redis: ready"
echo "$out" | grep -Eq '^redis +ok +- +reachable +Redis reachable$' || fail "redis row: $out"
echo "$out" | grep -Eq '^redis_cluster +skip ' || fail "standalone: cluster check skipped"
out=$("$RIZK_BIN" check --url="$U" --output=json); rc=$?
assert_eq "$rc" 0 "healthy Redis: JSON exit 0"
echo "$out" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); assert d["ready"] and d["passed"] and d["errors"] == [], d' \
    || fail "healthy JSON: $out"
"$RIZK_BIN" check --url="$U" --strict >/dev/null 2>&1; rc=$?
assert_eq "$rc" 1 "--strict: the absent app signals are warnings that fail"

redis-cli -p "$RPORT" shutdown nosave >/dev/null 2>&1
wait "$RPID" 2>/dev/null
for _ in $(seq 50); do
    curl -s "$U/metrics" | grep -q '^rizk_source_up{source="redis"} 0' && break
    sleep 0.2
done
out=$("$RIZK_BIN" check --url="$U" 2>&1); rc=$?
echo "$out"
assert_eq "$rc" 1 "stopped Redis: not ready"
echo "$out" | grep -Eq '^redis +FAIL +- +reachable +Redis not reachable$' || fail "failed check named: $out"
out=$("$RIZK_BIN" check --url="$U" --output=json); rc=$?
assert_eq "$rc" 1 "stopped Redis: JSON exit 1"
echo "$out" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); assert d["errors"] == ["Redis not reachable"] and not d["passed"], d' \
    || fail "stopped JSON: $out"
