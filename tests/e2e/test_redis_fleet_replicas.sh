#!/usr/bin/env bash
# Absolute replica targets from the fleet registry and the topology of each snapshot (SPEC 5, 7),
# against a real redis-server. Three sidecars of one workload (same pod-template-hash) and one of
# another publish to one namespace; each app sent a few requests over statsd, then nothing: the
# fleet is idle (rps 0, error ratio 0, no response time) and scales down, and every pod of the
# workload recommends 3 - 1 = 2 replicas from the 3 live pods it counts in the registry (the
# other workload counts 1: recommends 1, never 0). One pod stops: after its TTL the others count
# 2 and recommend 1. --scaling.current-replicas wins over the fleet. Region and zone come from
# the topology labels of the labels file, or from --pod.region/--pod.zone over them; the
# instance info hash <prefix>{<instance>}:info carries version, pod, started, basis.
. "$E2E_LIB"
. "$(dirname "$0")/redis_lib.sh"
. "$(dirname "$0")/scale_helpers.sh"
need curl
: "${FLEET_TOOL:?FLEET_TOOL must point at the fleet_tool binary}"
"$RIZK_BIN" --help | grep -q 'collector.statsd' || skip "this build has no statsd collector"

RP=$(free_port)
start_redis r "$RP"
N="127.0.0.1:$RP"

labels() { # labels FILE HASH ZONE
    printf 'app="web"\npod-template-hash="%s"\ntopology.kubernetes.io/region="eu-west-1"\ntopology.kubernetes.io/zone="%s"\n' \
        "$2" "$3" > "$1"
}
labels "$E2E_TMP/a.labels" 5d8f eu-west-1a
labels "$E2E_TMP/b.labels" 5d8f eu-west-1b
labels "$E2E_TMP/c.labels" 5d8f eu-west-1c
labels "$E2E_TMP/o.labels" 9e1d eu-west-1a

declare -A HP SPORT
for p in web-a web-b web-c other; do
    HP[$p]=$(free_port)
    SPORT[$p]=$(free_port)
done
side() { # side POD LABELS [flags...]
    local pod=$1 lf=$2; shift 2
    POD_NAME=$pod POD_NAMESPACE=shop start_sidecar "${pod//-/_}" "${HP[$pod]}" --redis.addr="$N" \
        --fleet.interval=1s --pod.labels-file="$lf" --path.procfs="$FIXTURES/proc" \
        --path.cgroupfs="$FIXTURES/sys/fs/cgroup" --statsd.listen-address="127.0.0.1:${SPORT[$pod]}" \
        --history.interval=200ms --signals.window=2s "$@"
}
side web-a "$E2E_TMP/a.labels"
side web-b "$E2E_TMP/b.labels"
side web-c "$E2E_TMP/c.labels" --pod.zone=zone-override --pod.instance-id=i-c
side other "$E2E_TMP/o.labels"
for p in web-a web-b web-c other; do
    "$PY" -c 'import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"rizk.requests:5|c\nrizk.response_time:40|ms", ("127.0.0.1", int(sys.argv[1])))' "${SPORT[$p]}"
done

U=http://127.0.0.1:${HP[web-a]}
wait_py "$U/api/v1/recommendation" "d['current_replicas'] == 3 and d['idle'] and d['action'] == 'scale_down'" 150 \
    || fail "web-a: expected 3 live pods, idle, scale_down; got $(curl -s "$U/api/v1/recommendation")"
assert_eq "$(jq_py "$U/api/v1/recommendation" "(d['current_replicas_source'], d['replica_change'], d['recommended_replicas'])")" \
    "('fleet', -1, 2)" "idle fleet of 3: change -1, absolute target 2 (current from the fleet)"
curl -s -o "$E2E_TMP/a.prom" "$U/metrics"
assert_eq "$(metric_value "$E2E_TMP/a.prom" rizk_fleet_workload_pods)" 3 "metrics: 3 live pods of the workload"
assert_eq "$(metric_value "$E2E_TMP/a.prom" 'rizk_scaling_current_replicas{source="fleet"}')" 3 "metrics: current replicas from the fleet"
assert_eq "$(metric_value "$E2E_TMP/a.prom" rizk_scaling_recommended_replicas)" 2 "metrics: recommended replicas 2"
assert_eq "$(metric_value "$E2E_TMP/a.prom" rizk_scaling_recommended_replica_change)" -1 "metrics: the guide's delta stays -1"
UO=http://127.0.0.1:${HP[other]}
wait_py "$UO/api/v1/recommendation" "d['current_replicas'] == 1 and d['action'] == 'scale_down'" 100 \
    || fail "other: $(curl -s "$UO/api/v1/recommendation")"
assert_eq "$(jq_py "$UO/api/v1/recommendation" "d['recommended_replicas']")" 1 "another workload of one pod: never below 1"
assert_eq "$(redis-cli -p "$RP" ZCARD 'rizk:fleet:{shop}:workload:pod-template-hash=5d8f')" 3 "the workload's sorted set holds its 3 pods"

# Region and zone in every snapshot: from the labels, the flag over the label.
REDIS_URL="redis://$N" "$FLEET_TOOL" read shop --fleet.interval=1s > "$E2E_TMP/shop.json" || fail "fleet_tool read"
"$PY" - "$E2E_TMP/shop.json" <<'PYEOF' || fail "topology: $(cat "$E2E_TMP/shop.json")"
import json, sys
pods = {p["pod"]: (p["region"], p["zone"]) for p in json.load(open(sys.argv[1]))["pods"]}
assert pods == {"web-a": ("eu-west-1", "eu-west-1a"), "web-b": ("eu-west-1", "eu-west-1b"),
                "web-c": ("eu-west-1", "zone-override"), "other": ("eu-west-1", "eu-west-1a")}, pods
PYEOF
pass "region and zone in every snapshot (labels file; --pod.zone over the label)"

# The instance info hash, keyed by the instance id, expiring with the snapshot.
redis-cli -p "$RP" HGETALL 'rizk:{i-c}:info' > "$E2E_TMP/info.txt"
curl -s -o "$E2E_TMP/c.prom" "http://127.0.0.1:${HP[web-c]}/metrics"
basis=$(sed -n 's/^rizk_signal_basis_info{signal="cpu",basis="\([a-z]*\)"} 1$/\1/p' "$E2E_TMP/c.prom")
[ -n "$basis" ] || fail "no cpu basis in /metrics"
"$PY" - "$E2E_TMP/info.txt" "$("$RIZK_BIN" version | head -1)" "$basis" <<'PYEOF' || fail "info hash: $(cat "$E2E_TMP/info.txt")"
import sys, time
w = open(sys.argv[1]).read().split("\n")[:-1]
h = dict(zip(w[0::2], w[1::2]))
assert h["pod"] == "web-c" and h["namespace"] == "shop", h
assert h["version"] in sys.argv[2], (h, sys.argv[2])
assert abs(int(h["started"]) - time.time()) < 120, h
assert h["basis"] == sys.argv[3] and h["region"] == "eu-west-1" and h["zone"] == "zone-override", h
PYEOF
ttl=$(redis-cli -p "$RP" PTTL 'rizk:{i-c}:info')
"$PY" -c 'import sys; t = int(sys.argv[1]); sys.exit(0 if 0 < t <= 3000 else 1)' "$ttl" || fail "info TTL $ttl"
assert_eq "$(redis-cli -p "$RP" HGET 'rizk:{web-a}:info' pod)" web-a "instance id defaults to the pod name"
pass "instance info hash: version, pod, namespace, started, basis, region, zone; TTL ${ttl} ms"

# One pod of the workload stops: after its TTL (3 intervals) the others count 2, recommend 1.
kill -TERM "$web_c_PID"
wait "$web_c_PID" 2>/dev/null
wait_py "$U/api/v1/recommendation" "d['current_replicas'] == 2" 150 \
    || fail "after web-c stopped: $(curl -s "$U/api/v1/recommendation")"
assert_eq "$(jq_py "$U/api/v1/recommendation" "(d['action'], d['recommended_replicas'])")" "('scale_down', 1)" "2 live pods, idle: target 1"

# The flag wins over the fleet.
HP[web-d]=$(free_port)
SPORT[web-d]=$(free_port)
side web-d "$E2E_TMP/a.labels" --scaling.current-replicas=10
UD=http://127.0.0.1:${HP[web-d]}
wait_py "$UD/api/v1/recommendation" "d['samples'] >= 3" 100 || fail "web-d never decided"
assert_eq "$(jq_py "$UD/api/v1/recommendation" "(d['current_replicas'], d['current_replicas_source'])")" "(10, 'flag')" "--scaling.current-replicas over the fleet"
