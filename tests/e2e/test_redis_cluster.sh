#!/usr/bin/env bash
# The redis collector and the fleet registry against a real Redis Cluster (3 masters + 3
# replicas made with redis-cli --cluster create, node timeout 1 s): per-node stats and the
# summed hit ratio from exact lookups; three sidecars publish three namespaces, read back with
# fleet_tool from one seed; the {ns-a} slot is migrated by hand while publishing and reading
# (MOVED/ASK followed, no error); then its master is killed and the fleet lists pod-a again
# after the replica's promotion; the sidecars keep serving throughout. check --cluster's Redis HA
# item reads the topology: 3 masters each with a replica pass; after the failover the promoted
# master has none: warn.
. "$E2E_LIB"
. "$(dirname "$0")/redis_lib.sh"
: "${FLEET_TOOL:?FLEET_TOOL must point at the fleet_tool binary}"

# The bus port is given explicitly (Redis 7 cluster-port): port + 10000 may be taken or > 65535.
P=()
for i in 0 1 2 3 4 5; do P+=("$(free_port)"); done
for i in 0 1 2 3 4 5; do
    start_redis "c$i" "${P[$i]}" --cluster-enabled yes --cluster-config-file nodes.conf \
        --cluster-node-timeout 1000 --cluster-port "$(free_port)"
done
addrs=(); for p in "${P[@]}"; do addrs+=("127.0.0.1:$p"); done
redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >"$E2E_TMP/create.log" 2>&1 \
    || fail "redis-cli --cluster create failed"
cluster_ok() {
    for p in "$@"; do
        redis-cli -p "$p" CLUSTER INFO | tr -d '\r' | grep -q '^cluster_state:ok$' || return 1
        [ "$(redis-cli -p "$p" CLUSTER NODES | grep -c connected)" -ge 6 ] || return 1
    done
}
for _ in $(seq 100); do cluster_ok "${P[@]}" && break; sleep 0.1; done
cluster_ok "${P[@]}" || fail "cluster never became ok"
pass "cluster of 6 created"

SEED="127.0.0.1:${P[0]}"
common=(--history.interval=1s --fleet.interval=1s --no-collector.cgroup)
SA=$(free_port); SB=$(free_port); SC=$(free_port)
REDIS_CLUSTER_URL="$SEED" POD_NAMESPACE=ns-a POD_NAME=pod-a start_sidecar a "$SA" "${common[@]}"
REDIS_CLUSTER_URL="$SEED" POD_NAMESPACE=ns-b POD_NAME=pod-b start_sidecar b "$SB" "${common[@]}"
REDIS_CLUSTER_URL="$SEED" POD_NAMESPACE=ns-c POD_NAME=pod-c start_sidecar c "$SC" "${common[@]}"
for p in "${P[@]}"; do
    wait_metric "$SA" "rizk_redis_up{node=\"127.0.0.1:$p\"}" 1 8 || fail "node $p not up"
done
pass "rizk_redis_up 1 for all 6 nodes, discovered from one seed"
wait_metric "$SA" rizk_redis_cluster_state_ok 1 3 || fail "cluster_state_ok"
wait_metric "$SA" rizk_redis_cluster_known_nodes 6 3 || fail "known nodes"
wait_metric "$SA" rizk_redis_cluster_size 3 3 || fail "cluster size"
wait_metric "$SA" 'rizk_source_up{source="redis"}' 1 3 || fail "source up"
pass "cluster state ok, 6 known nodes, size 3"
scrape "$SA" "$E2E_TMP/a0.prom"
assert_eq "$(grep -c '^rizk_redis_instance_info{.*role="master".*mode="cluster"' "$E2E_TMP/a0.prom")" 3 "3 masters"
assert_eq "$(grep -c '^rizk_redis_instance_info{.*role="replica".*mode="cluster"' "$E2E_TMP/a0.prom")" 3 "3 replicas"
# redis_ha of check --cluster (no Kubernetes API here: those items are not checkable)
ALL_SEEDS=$(IFS=,; echo "${addrs[*]}")
redis_ha() {
    env -u KUBERNETES_SERVICE_HOST -u KUBERNETES_SERVICE_PORT REDIS_CLUSTER_URL="$ALL_SEEDS" \
        "$RIZK_BIN" check --cluster --check.workload=web --check.namespace=ns-a --output=json \
        --url="http://127.0.0.1:$SA" > "$E2E_TMP/check.json" 2> "$E2E_TMP/check.err"
    "$PY" -c 'import json,sys; c=json.load(open(sys.argv[1]))["cluster"]["checks"]; print([x["status"] + ": " + x["message"] for x in c if x["name"] == "redis_ha"][0])' "$E2E_TMP/check.json"
}

# Lookups spread over the masters: 11 hits, 7 misses in total (publishing only writes).
for i in $(seq 11); do redis-cli -c -p "${P[0]}" SET "k:$i" v >/dev/null; done
for i in $(seq 11); do redis-cli -c -p "${P[0]}" GET "k:$i" >/dev/null; done
for i in $(seq 7); do redis-cli -c -p "${P[0]}" GET "nokey:$i" >/dev/null; done
sum_metric() {
    scrape "$SA" "$E2E_TMP/sum.prom"
    awk -v n="$1" 'index($0, n "{") == 1 { s += $NF } END { print s + 0 }' "$E2E_TMP/sum.prom"
}
for _ in $(seq 40); do
    [ "$(sum_metric rizk_redis_keyspace_hits_total)/$(sum_metric rizk_redis_keyspace_misses_total)" = "11/7" ] && break
    sleep 0.1
done
assert_eq "$(sum_metric rizk_redis_keyspace_hits_total)/$(sum_metric rizk_redis_keyspace_misses_total)" "11/7" \
    "per-node hits and misses sum to the test's lookups"
isum=0; msum=0
for p in "${P[@]}"; do isum=$((isum + $(info_field "$p" keyspace_hits))); msum=$((msum + $(info_field "$p" keyspace_misses))); done
assert_eq "$isum/$msum" "11/7" "INFO of the 6 nodes agrees"
nz=$(scrape "$SA" "$E2E_TMP/nz.prom"; grep '^rizk_redis_keyspace_hits_total' "$E2E_TMP/nz.prom" | awk '$NF > 0' | wc -l)
[ "$nz" -ge 2 ] || fail "hits landed on only $nz node(s): the sum is not exercised"
want=$("$PY" -c 'print(repr(11/18))')
wait_metric "$SA" rizk_redis_keyspace_hit_ratio "$want" 4 || fail "summed ratio"
pass "rizk_redis_keyspace_hit_ratio = 11/18 summed over $nz nodes"
# after the exact-lookup assertions: the check's fleet read is a lookup too
assert_eq "$(redis_ha)" "pass: Redis Cluster: 3 masters, each with a replica" "check --cluster: Redis HA passes on 3 masters + 3 replicas"

# The fleet: three namespaces, read back from the one seed.
read_pods() { REDIS_CLUSTER_URL="$SEED" "$FLEET_TOOL" read "$1" --fleet.interval=1s; }
pods_of() { read_pods "$1" | "$PY" -c 'import json,sys; print(" ".join(p["pod"] for p in json.load(sys.stdin)["pods"]))'; }
for ns in a b c; do
    for _ in $(seq 30); do [ "$(pods_of "ns-$ns" 2>/dev/null)" = "pod-$ns" ] && break; sleep 0.2; done
    assert_eq "$(pods_of "ns-$ns")" "pod-$ns" "fleet ns-$ns lists pod-$ns"
done
read_pods ns-a > "$E2E_TMP/ns-a.json"
"$PY" - "$E2E_TMP/ns-a.json" <<'PYEOF' || fail "PodSnapshot content"
import json, sys
p = json.load(open(sys.argv[1]))["pods"][0]
assert p["namespace"] == "ns-a" and p["instance_id"] == "pod-a", p
assert p["interval_ms"] == 1000 and p["window_ms"] == 60000, p
assert "rizk_memory_utilization_ratio" in p["signals"], p
for k in p["signals"]:
    assert k in ("rizk_cpu_utilization_ratio", "rizk_memory_utilization_ratio"), k
PYEOF
pass "PodSnapshot: identity, window, only the signals that have data"
slots=$(for ns in a b c; do redis-cli -p "${P[0]}" CLUSTER KEYSLOT "{ns-$ns}"; done | tr '\n' ' ')
pass "namespaces live in slots $slots"

# owner SLOT -> "port id" of the master serving SLOT
owner() {
    local p nodes=""
    for p in "${P[@]}"; do nodes=$(redis-cli -p "$p" CLUSTER NODES 2>/dev/null) && [ -n "$nodes" ] && break; done
    echo "$nodes" | "$PY" -c '
import sys
slot = int(sys.argv[1])
for line in sys.stdin:
    f = line.split()
    if "master" not in f[2] or "fail" in f[2]: continue
    for r in f[8:]:
        if r.startswith("["): continue
        a, _, b = r.partition("-")
        if int(a) <= slot <= int(b or a):
            print(f[1].split("@")[0].rsplit(":", 1)[1], f[0])' "$1"
}
SLOT=$(redis-cli -p "${P[0]}" CLUSTER KEYSLOT '{ns-a}')
read -r SRC SRC_ID <<<"$(owner "$SLOT")"
DST=""; DST_ID=""
# The seed (P[0]) stays alive: DST is the third master when possible, and it dies below.
for p in "${P[@]}"; do
    [ "$p" = "$SRC" ] || [ "$p" = "${P[0]}" ] && continue
    line=$(redis-cli -p "$p" CLUSTER NODES | grep myself)
    case "$line" in *master*) DST=$p; DST_ID=${line%% *}; break;; esac
done
[ -n "$DST" ] || fail "no other master"

# A reader with one long-lived client (one slot map) runs across the migration and failover.
REDIS_CLUSTER_URL="$SEED" "$FLEET_TOOL" watch ns-a 30 --fleet.interval=1s >"$E2E_TMP/watch.out" 2>&1 &
WATCH_PID=$!
E2E_PIDS+=("$WATCH_PID")
sleep 1.5

# Migrate slot SLOT (the {ns-a} records) from SRC to DST while pod-a keeps publishing.
redis-cli -p "$DST" CLUSTER SETSLOT "$SLOT" IMPORTING "$SRC_ID" | grep -q OK || fail "IMPORTING"
redis-cli -p "$SRC" CLUSTER SETSLOT "$SLOT" MIGRATING "$DST_ID" | grep -q OK || fail "MIGRATING"
for k in $(redis-cli -p "$SRC" CLUSTER GETKEYSINSLOT "$SLOT" 100); do
    redis-cli -p "$SRC" MIGRATE 127.0.0.1 "$DST" "$k" 0 5000 REPLACE >/dev/null
done
sleep 1.5 # keys moved, slot still MIGRATING: the source answers ASK for them
for p in "${P[@]}"; do redis-cli -p "$p" CLUSTER SETSLOT "$SLOT" NODE "$DST_ID" >/dev/null 2>&1; done
t_mig=$(date +%s%3N)
for _ in $(seq 40); do [ "$(owner "$SLOT" | cut -d' ' -f1)" = "$DST" ] && break; sleep 0.1; done
sleep 3
scrape "$SA" "$E2E_TMP/a1.prom"
moved=$(metric_value "$E2E_TMP/a1.prom" 'rizk_fleet_redirects_total{kind="moved"}')
"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 1 else 1)' "$moved" || fail "publisher followed no MOVED [$moved]"
errs=$(awk 'index($0, "rizk_fleet_publish_errors_total{") == 1 { s += $NF } END { print s + 0 }' "$E2E_TMP/a1.prom")
assert_eq "$errs" 0 "no publish error across the slot migration"
ask=$(metric_value "$E2E_TMP/a1.prom" 'rizk_fleet_redirects_total{kind="ask"}')
"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 1 else 1)' "$ask" || fail "publisher followed no ASK [$ask]"
pass "publisher followed $ask ASK and $moved MOVED redirection(s) across the migration"
fresh_pod_a() { # fresh_pod_a AFTER_MS: pod-a listed with a snapshot newer than AFTER_MS
    read_pods ns-a 2>/dev/null | "$PY" -c '
import json, sys
ps = json.load(sys.stdin)["pods"]
sys.exit(0 if any(p["pod"] == "pod-a" and p["timestamp_ms"] > int(sys.argv[1]) for p in ps) else 1)' "$1"
}
fresh_pod_a "$t_mig" || fail "pod-a not readable after the migration"
pass "pod-a read back from the new owner"

# Failover: kill the master that now serves {ns-a}; its replica is promoted.
for i in 0 1 2 3 4 5; do [ "${P[$i]}" = "$DST" ] && DEAD_I=$i; done
DEAD_PID_VAR="c${DEAD_I}_PID"
kill -KILL "${!DEAD_PID_VAR}"
t_kill=$(date +%s%3N)
for _ in $(seq 100); do
    o=$(owner "$SLOT" | cut -d' ' -f1)
    [ -n "$o" ] && [ "$o" != "$DST" ] && break
    sleep 0.1
done
NEW=$(owner "$SLOT" | cut -d' ' -f1)
[ -n "$NEW" ] && [ "$NEW" != "$DST" ] || fail "no replica promoted for slot $SLOT"
t_prom=$(date +%s%3N)
pass "replica on $NEW promoted $((t_prom - t_kill)) ms after the kill"
ok=""
for _ in $(seq 60); do fresh_pod_a "$t_prom" && { ok=1; break; }; sleep 0.25; done
[ -n "$ok" ] || fail "fleet does not list pod-a again after the failover"
t_back=$(date +%s%3N)
pass "fleet lists pod-a again $((t_back - t_prom)) ms after the promotion ($((t_back - t_kill)) ms after the kill)"
wait_metric "$SA" "rizk_redis_up{node=\"127.0.0.1:$DST\"}" 0 4 || fail "dead master still up"
wait_metric "$SA" rizk_redis_cluster_state_ok 1 8 || fail "cluster state not ok again"
pass "dead master reported down, cluster state ok again"
assert_eq "$(redis_ha)" "warn: 1 of 3 masters have no replica: losing one loses its slots" "check --cluster: the promoted master has no replica"
for s in "$SA" "$SB" "$SC"; do
    # not a latency benchmark: only that no handler waits on the dead node (timeouts of 200 ms)
    t=$(curl -s -o /dev/null -w '%{time_total}' --max-time 2 "http://127.0.0.1:$s/metrics")
    "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 0.15 else 1)' "$t" || fail "/metrics of $s took ${t}s"
    curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$s/ready" || fail "/ready of $s"
done
pass "every sidecar serves /metrics (not waiting on the dead node) and /ready after the failover"
scrape "$SA" "$E2E_TMP/a2.prom"; n1=$(metric_value "$E2E_TMP/a2.prom" rizk_fleet_publish_total)
sleep 2.2
scrape "$SA" "$E2E_TMP/a3.prom"; n2=$(metric_value "$E2E_TMP/a3.prom" rizk_fleet_publish_total)
"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[2]) >= float(sys.argv[1]) + 1 else 1)' "$n1" "$n2" \
    || fail "publisher stuck: $n1 -> $n2"
pass "publisher keeps publishing ($n1 -> $n2)"

wait "$WATCH_PID"
tail -n 1 "$E2E_TMP/watch.out" | grep -q '^moved=' || fail "watch did not finish: $(tail -n 3 "$E2E_TMP/watch.out")"
wmoved=$(tail -n 1 "$E2E_TMP/watch.out" | sed 's/^moved=\([0-9]*\).*/\1/')
[ "$wmoved" -ge 1 ] || fail "the long-lived reader saw no MOVED"
wask=$(tail -n 1 "$E2E_TMP/watch.out" | sed 's/.*ask=\([0-9]*\).*/\1/')
[ "$wask" -ge 1 ] || fail "the long-lived reader saw no ASK"
last_ok=$(grep -v '^moved=' "$E2E_TMP/watch.out" | tail -n 3 | grep -c ' pods=1 pod-a@')
[ "$last_ok" -eq 3 ] || fail "long-lived reader does not list pod-a at the end: $(tail -n 4 "$E2E_TMP/watch.out")"
gaps=$(grep -c -v -E '^moved=| pods=1 pod-a@' "$E2E_TMP/watch.out")
pass "long-lived reader: $(tail -n 1 "$E2E_TMP/watch.out"), $gaps read(s) without pod-a (failover window)"
