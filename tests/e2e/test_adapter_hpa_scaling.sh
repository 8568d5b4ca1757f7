#!/usr/bin/env bash
# HPA simulation, extended (issue 16): the guide's advice beside what the HPA's own algorithm
# (tests/e2e/hpa_sim.py: kube-controller-manager's replica calculation for a Pods metric,
# AverageValue 100, tolerance 0.1, 5-minute downscale stabilization, the scale-up limit
# max(2 x current, 4); minReplicas 2, maxReplicas 10) does with the adapter's answers, for three
# sidecars of one workload (same pod-template-hash) publishing to a real Redis.
#  - idle: the apps sent a few requests, then none. Each sidecar is idle (rps 0, error ratio 0,
#    no response time) and advises scale_down -1 with the absolute target 3 - 1 = 2 from the 3
#    live pods it counts in the fleet; the adapter serves rps 0 (present, not absent) and the
#    HPA scales the fleet down to minReplicas.
#  - load steps 150 / 250 / 390 rps per pod with CPU 75 / 85 / 97 %: the guide advises
#    +1 / +2 / +3 (targets 4 / 5 / 6); the HPA proposes ceil(ratio x 3) = 5 / 8 / 12 and
#    scales to 5 / 6 / 6 (its scale-up limit). The table of both is printed. Each rate keeps
#    ratio x 3 clear of an integer (4.5, 7.5, 11.7): at 400 rps it is exactly 12, and a sender a
#    hair fast gave 13 (seen in .ci/run).
. "$E2E_LIB"
. "$(dirname "$0")/redis_lib.sh"
. "$(dirname "$0")/adapter_lib.sh"
. "$(dirname "$0")/scale_helpers.sh"
need curl
pki_make
cp "$(dirname "$0")/hpa_sim.py" "$E2E_TMP/hpa.py"
"$PY" "$E2E_TMP/hpa.py" || fail "the HPA simulation disagrees with the reference's worked examples"

RP=$(free_port)
start_redis r "$RP"
# One cgroup tree for the three sidecars: they share the CPU utilization the driver produces.
CG=$E2E_TMP/cg
cg_copy "$CG"
cg_cpu_driver "$CG"
cg_set_cpu "$CG" 0 # exactly 0: the usage counter stands still
declare -A UP HP
for p in web-1 web-2 web-3; do
    UP[$p]=$(udp_port)
    HP[$p]=$(free_port)
    printf 'app="web"\npod-template-hash="6b7c9"\n' > "$E2E_TMP/$p.labels"
    POD_NAME=$p POD_NAMESPACE=prod start_sidecar "${p//-/_}" "${HP[$p]}" \
        --path.procfs="$FIXTURES/proc" --path.cgroupfs="$CG" --redis.addr="127.0.0.1:$RP" \
        --fleet.interval=1s --pod.labels-file="$E2E_TMP/$p.labels" \
        --statsd.listen-address="127.0.0.1:${UP[$p]}" --history.interval=200ms --signals.window=3s
done
rates() { printf '%s %s\n%s %s\n%s %s\n' "${UP[web-1]}" "$1" "${UP[web-2]}" "$1" "${UP[web-3]}" "$1" > "$E2E_TMP/rates"; }
rates 5
start_sender "$E2E_TMP/rates"
AP=$(free_port)
start_adapter ad "$AP" --redis.addr="127.0.0.1:$RP"
URL="https://127.0.0.1:$AP/apis/custom.metrics.k8s.io/v1beta2/namespaces/prod/pods/%2A/rizk_requests_per_second?labelSelector=pod-template-hash%3D6b7c9"

# sim NOW: one HPA sync (minReplicas 2, maxReplicas 10, current 3), state kept between calls
sim() { "$PY" "$E2E_TMP/hpa.py" sync "$URL" "$PKI" "$E2E_TMP/hpa.state" "$1" 3 web-1,web-2,web-3 2 10; }
# adapter_rates: "name=milli ..." of the adapter's answer, sorted by pod
adapter_rates() {
    acurl front-proxy "$URL" -H 'X-Remote-User: system:serviceaccount:kube-system:horizontal-pod-autoscaler' \
        | "$PY" -c 'import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("hpa", sys.argv[1]); h = importlib.util.module_from_spec(spec); spec.loader.exec_module(h)
print(" ".join("%s=%d" % (i["describedObject"]["name"], h.milli_value(i["value"])) for i in sorted(json.load(sys.stdin)["items"], key=lambda i: i["describedObject"]["name"])))' "$E2E_TMP/hpa.py"
}
# wait_rates RPS: until the adapter serves all three pods within 2 % of RPS (exactly 0 for 0)
wait_rates() {
    for _ in $(seq 150); do
        got=$(adapter_rates)
        "$PY" - "$got" "$1" <<'PYEOF' && return 0
import sys
got = dict(kv.split("=") for kv in sys.argv[1].split())
want = float(sys.argv[2]) * 1000
ok = sorted(got) == ["web-1", "web-2", "web-3"] and all(abs(int(v) - want) <= 0.02 * want for v in got.values())
sys.exit(0 if ok else 1)
PYEOF
        sleep 0.2
    done
    fail "adapter never served three pods at $1 rps: got [$got]"
}
# wait_advice COND: every sidecar's recommendation satisfies the Python condition on d
wait_advice() {
    local p
    for p in web-1 web-2 web-3; do
        wait_py "http://127.0.0.1:${HP[$p]}/api/v1/recommendation" "$1" 150 \
            || fail "$p: expected [$1], got $(curl -s "http://127.0.0.1:${HP[$p]}/api/v1/recommendation")"
    done
}
field() { echo "$1" | "$PY" -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }
TABLE="$E2E_TMP/table"
printf '%-22s %-24s %-14s %s\n' "load per pod" "guide (each sidecar)" "HPA proposal" "HPA desired" > "$TABLE"

# --- idle: a few requests, then none
sleep 1
rates 0
# (each condition is judged on one document: the CPU driver is paced, so two fetches can differ)
wait_advice "d['idle'] and d['action'] == 'scale_down' and d['replica_change'] == -1 and d['current_replicas'] == 3 and d['recommended_replicas'] == 2"
pass "idle: the guide advises -1, target 2 of the 3 live pods"
# the reason quotes 3-sample averages: it reads all-idle two ticks after the newest sample does
R="Low resource usage: CPU 0.0%, Memory 27.2%, Response Time no requests, RPS 0.0, Error Rate 0.0%"
wait_py "http://127.0.0.1:${HP[web-2]}/api/v1/recommendation" "d['reason'] == '$R'" 50 \
    || fail "idle reason: $(jq_py "http://127.0.0.1:${HP[web-2]}/api/v1/recommendation" "d['reason']")"
pass "idle: the reason ($R)"
wait_rates 0
out=$(sim 0)
assert_eq "$(field "$out" proposal) $(field "$out" desired)" "0 2" "idle: rps 0 from the adapter, the HPA scales down to minReplicas 2"
printf '%-22s %-24s %-14s %s\n' "0 rps, cpu 0" "scale_down -1 -> 2" "$(field "$out" proposal)" "$(field "$out" desired)" >> "$TABLE"

# --- load steps
step() { # step T RPS CPU CHANGE TARGET PROPOSAL DESIRED
    cg_set_cpu "$CG" "$3"
    rates "$2"
    wait_advice "d['action'] == 'scale_up' and d['replica_change'] == $4 and d['recommended_replicas'] == $5"
    pass "$2 rps, cpu $3: the guide advises +$4, target $5"
    wait_rates "$2"
    local out i
    for i in $(seq 5); do # the paced sender can sit a hair off the ceil() boundary: ask again
        out=$(sim "$1")
        [ "$(field "$out" proposal) $(field "$out" desired)" = "$6 $7" ] && break
        sleep 0.5
    done
    assert_eq "$(field "$out" proposal) $(field "$out" desired)" "$6 $7" "$2 rps: the HPA proposes $6, scales to $7"
    printf '%-22s %-24s %-14s %s\n' "$2 rps, cpu $3" "scale_up +$4 -> $5" "$6" "$7" >> "$TABLE"
}
step 60 150 0.75 1 4 5 5
step 120 250 0.85 2 5 8 6
step 180 390 0.97 3 6 12 6
echo "--- the guide's advice beside the HPA's algorithm (3 pods, Pods rizk_requests_per_second AverageValue 100)"
cat "$TABLE"
