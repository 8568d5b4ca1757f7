#!/usr/bin/env bash
# The adapter end to end: a real Redis, three sidecars (two pods of app=web in ns-a with
# different tiers, one app=web pod in ns-b) fed by statsd at known rates and publishing to the
# fleet registry, and the adapter over TLS. The real kubectl (kubeconfig with a client
# certificate from the --client-ca-file test CA) reads MetricValueLists in v1beta2 and v1beta1,
# filtered by namespace and selector, within 2 % of the known rates; the external metric and
# the KEDA document carry the fleet sum. Then the authentication matrix (no certificate, wrong
# CA, no CN, front proxy with and without X-Remote-User, a CN not allowed, authorized groups),
# the access log's identities, and a certificate reload on SIGHUP that keeps an established
# connection serving while new ones get the new certificate.
. "$E2E_LIB"
. "$(dirname "$0")/redis_lib.sh"
. "$(dirname "$0")/adapter_lib.sh"
need curl
need kubectl
pki_make

RP=$(free_port)
start_redis r "$RP"
U1=$(udp_port); U2=$(udp_port); U3=$(udp_port)
start_fleet_sidecar web1 web-1 ns-a 'app="web"\ntier="a"\n' "$U1" "$RP"
start_fleet_sidecar web2 web-2 ns-a 'app="web"\ntier="b"\n' "$U2" "$RP"
start_fleet_sidecar api1 api-1 ns-b 'app="web"\ntier="a"\n' "$U3" "$RP"
printf '%s 150\n%s 250\n%s 50\n' "$U1" "$U2" "$U3" > "$E2E_TMP/rates"
start_sender "$E2E_TMP/rates"
AP=$(free_port)
start_adapter ad "$AP" --redis.addr="127.0.0.1:$RP" --authorized-groups=rizk-readers
A=https://127.0.0.1:$AP
KC="$E2E_TMP/kubeconfig"
kubeconfig_write "$KC" "$AP" alice
CM=/apis/custom.metrics.k8s.io
RPS=rizk_requests_per_second

# items FILE: "name value-in-milli" per item of a MetricValueList (quantities read like the HPA)
items() {
    "$PY" - "$1" <<'PYEOF'
import json, sys
from decimal import Decimal, ROUND_CEILING
d = json.load(open(sys.argv[1]))
assert d["kind"] == "MetricValueList", d
for it in d["items"]:
    v = it["value"]
    q = Decimal(v[:-1]) / 1000 if v.endswith("m") else Decimal(v)
    print(it["describedObject"]["name"], int((q * 1000).to_integral_value(ROUND_CEILING)))
PYEOF
}

# --- wait until the 5 s windows are full and every pod is published at its rate
ok=0
for _ in $(seq 100); do
    if kubectl --kubeconfig="$KC" get --raw "$CM/v1beta2/namespaces/ns-a/pods/*/$RPS?labelSelector=app%3Dweb" \
        > "$E2E_TMP/w.json" 2>/dev/null; then
        got=$(items "$E2E_TMP/w.json" | sort | tr '\n' ' ')
        set -- $got
        if [ "$#" -eq 4 ] && within_pct "$(($2))" 150000 2 && within_pct "$(($4))" 250000 2; then ok=1; break; fi
    fi
    sleep 0.3
done
[ "$ok" = 1 ] || fail "the fleet never reached the known rates: [$got] $(cat "$E2E_TMP/w.json")"
pass "fleet at the known rates: $got"

# --- kubectl: v1beta2, as the HPA asks (%2A and an encoded selector)
kubectl --kubeconfig="$KC" get --raw "$CM/v1beta2/namespaces/ns-a/pods/%2A/$RPS?labelSelector=app%3Dweb" \
    > "$E2E_TMP/v2.json" || fail "kubectl get --raw v1beta2"
"$PY" - "$E2E_TMP/v2.json" <<'PYEOF' || fail "v1beta2 MetricValueList: $(cat "$E2E_TMP/v2.json")"
import json, re, sys
from decimal import Decimal
d = json.load(open(sys.argv[1]))
assert d["kind"] == "MetricValueList" and d["apiVersion"] == "custom.metrics.k8s.io/v1beta2", d
assert d["metadata"] == {}, d
want = {"web-1": 150, "web-2": 250}
assert sorted(i["describedObject"]["name"] for i in d["items"]) == sorted(want), d
for it in d["items"]:
    o = it["describedObject"]
    assert o == {"kind": "Pod", "namespace": "ns-a", "name": o["name"], "apiVersion": "v1"}, o
    assert it["metric"] == {"name": "rizk_requests_per_second", "selector": None}, it
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", it["timestamp"]), it
    assert it["windowSeconds"] == 5, it
    assert isinstance(it["value"], str) and re.fullmatch(r"\d+m?", it["value"]), it
    v = Decimal(it["value"][:-1]) / 1000 if it["value"].endswith("m") else Decimal(it["value"])
    w = want[o["name"]]
    assert abs(float(v) - w) <= 0.02 * w, (o["name"], v, w)
    assert "metricName" not in it and "window" not in it, it
    print("  v1beta2", o["name"], it["value"])
PYEOF
pass "kubectl v1beta2: web-1 and web-2 of ns-a, values within 2 % of 150 and 250"

kubectl --kubeconfig="$KC" get --raw "$CM/v1beta1/namespaces/ns-a/pods/*/$RPS?labelSelector=app%3Dweb" \
    > "$E2E_TMP/v1.json" || fail "kubectl get --raw v1beta1"
"$PY" - "$E2E_TMP/v1.json" <<'PYEOF' || fail "v1beta1 MetricValueList: $(cat "$E2E_TMP/v1.json")"
import json, sys
from decimal import Decimal
d = json.load(open(sys.argv[1]))
assert d["kind"] == "MetricValueList" and d["apiVersion"] == "custom.metrics.k8s.io/v1beta1", d
want = {"web-1": 150, "web-2": 250}
assert sorted(i["describedObject"]["name"] for i in d["items"]) == sorted(want), d
for it in d["items"]:
    assert it["metricName"] == "rizk_requests_per_second" and it["window"] == 5, it
    assert "selector" in it and it["selector"] is None, it
    assert "metric" not in it and "windowSeconds" not in it, it
    v = Decimal(it["value"][:-1]) / 1000 if it["value"].endswith("m") else Decimal(it["value"])
    w = want[it["describedObject"]["name"]]
    assert abs(float(v) - w) <= 0.02 * w, (it, w)
PYEOF
pass "kubectl v1beta1: metricName, window, selector null; values within 2 %"

# --- filtering by namespace and by every selector form
names() { kubectl --kubeconfig="$KC" get --raw "$1" | "$PY" -c 'import json,sys; print(" ".join(sorted(i["describedObject"]["name"] for i in json.load(sys.stdin)["items"])))'; }
assert_eq "$(names "$CM/v1beta2/namespaces/ns-b/pods/*/$RPS?labelSelector=app%3Dweb")" "api-1" "ns-b holds only api-1"
assert_eq "$(names "$CM/v1beta2/namespaces/ns-a/pods/*/$RPS?labelSelector=app%3Dweb%2Ctier+in+%28b%29")" "web-2" "app=web,tier in (b)"
assert_eq "$(names "$CM/v1beta2/namespaces/ns-a/pods/*/$RPS?labelSelector=tier+notin+%28b%29")" "web-1" "tier notin (b)"
assert_eq "$(names "$CM/v1beta2/namespaces/ns-a/pods/*/$RPS?labelSelector=app%21%3Dweb")" "" "app!=web: empty list"
assert_eq "$(names "$CM/v1beta2/namespaces/ns-a/pods/*/$RPS?labelSelector=%21tier")" "" "!tier: empty list"
assert_eq "$(names "$CM/v1beta2/namespaces/ns-a/pods/*/$RPS?labelSelector=tier")" "web-1 web-2" "tier exists"
assert_eq "$(names "$CM/v1beta2/namespaces/ns-a/pods/*/$RPS")" "web-1 web-2" "no selector: every live pod"
assert_eq "$(names "$CM/v1beta2/namespaces/ns-c/pods/*/$RPS")" "" "unknown namespace: empty list"
assert_eq "$(names "$CM/v1beta2/namespaces/ns-a/pods/web-2/$RPS")" "web-2" "one pod by name"
assert_eq "$(names "$CM/v1beta2/namespaces/ns-a/pods/*/$RPS?labelSelector=app%3Dweb&metricLabelSelector=tier%3Db")" "web-2" "metricLabelSelector filters on top of labelSelector"
assert_eq "$(names "$CM/v1beta2/namespaces/ns-a/pods/*/$RPS?labelSelector=app%3Dweb&metricLabelSelector=x%3Dy")" "" "metricLabelSelector on a label no pod has: empty list"
set +e
out=$(kubectl --kubeconfig="$KC" get --raw "$CM/v1beta2/namespaces/ns-a/pods/*/rizk_nope" 2>&1); rc=$?
set -e; set +e
[ "$rc" -ne 0 ] || fail "unknown metric succeeded"
assert_eq "$out" "Error from server (NotFound): the server could not find the metric rizk_nope for pods" "kubectl shows the Status message of an unknown metric"
out=$(kubectl --kubeconfig="$KC" get --raw "$CM/v1beta2/namespaces/ns-a/pods/web-9/$RPS" 2>&1)
assert_eq "$out" "Error from server (NotFound): the server could not find the metric $RPS for pods web-9" "unknown pod is NotFound"
out=$(kubectl --kubeconfig="$KC" get --raw "$CM/v1beta2/namespaces/ns-a/pods/*/$RPS?labelSelector=app+in+%28web" 2>&1)
case "$out" in "Error from server (BadRequest): invalid labelSelector \"app in (web\": "*) pass "bad selector is BadRequest: $out";; *) fail "bad selector: $out";; esac
set -u

# --- discovery through kubectl, external metric and the KEDA document
kubectl --kubeconfig="$KC" get --raw "$CM/v1beta2" > "$E2E_TMP/disc.json" || fail "discovery"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); n=[r["name"] for r in d["resources"]]; assert d["kind"]=="APIResourceList" and "pods/rizk_requests_per_second" in n and len(n)>=7, d' \
    "$E2E_TMP/disc.json" || fail "APIResourceList: $(cat "$E2E_TMP/disc.json")"
pass "discovery lists pods/<signal>, never empty"
kubectl --kubeconfig="$KC" get --raw "/apis/external.metrics.k8s.io/v1beta1/namespaces/ns-a/$RPS?labelSelector=app%3Dweb" \
    > "$E2E_TMP/ext.json" || fail "external metric"
"$PY" - "$E2E_TMP/ext.json" <<'PYEOF' || fail "ExternalMetricValueList: $(cat "$E2E_TMP/ext.json")"
import json, sys
from decimal import Decimal
d = json.load(open(sys.argv[1]))
assert d["kind"] == "ExternalMetricValueList" and len(d["items"]) == 1, d
v = d["items"][0]["value"]
v = Decimal(v[:-1]) / 1000 if v.endswith("m") else Decimal(v)
assert abs(float(v) - 400) <= 8, v
PYEOF
pass "external metric: the fleet sum of ns-a app=web within 2 % of 400"
acurl alice "$A/api/v1/fleet/ns-a/$RPS?labelSelector=app%3Dweb" > "$E2E_TMP/keda.json"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["aggregation"]=="sum" and d["pods"]==2 and abs(d["value"]-400)<=8, d' \
    "$E2E_TMP/keda.json" || fail "KEDA document: $(cat "$E2E_TMP/keda.json")"
pass "KEDA /api/v1/fleet: plain JSON sum of 2 pods"

# --- the authentication matrix: code of a data path, a discovery path and the probes
DATA="$A$CM/v1beta2/namespaces/ns-a/pods/%2A/$RPS?labelSelector=app%3Dweb"
code() { local who=$1 url=$2; shift 2; acurl "$who" "$url" -o "$E2E_TMP/body" -w '%{http_code}' "$@"; }
reason() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["kind"]=="Status" and d["apiVersion"]=="v1" and d["status"]=="Failure"; print(d["reason"], d["code"])' "$E2E_TMP/body"; }
for p in healthz livez readyz; do
    assert_eq "$(code none "$A/$p")/$(cat "$E2E_TMP/body")" "200/ok" "no certificate: /$p 200 ok"
done
assert_eq "$(code none "$A/version")" 200 "no certificate: /version 200"
assert_eq "$(code none "$A/openapi/v2")" 404 "/openapi/v2 404"
assert_eq "$(code alice "$A/openapi/v3")" 404 "/openapi/v3 404"
assert_eq "$(code none "$DATA")" 401 "no certificate: data 401"
assert_eq "$(reason)" "Unauthorized 401" "401 is a Status"
assert_eq "$(code none "$A$CM/v1beta2")" 401 "no certificate: discovery 401"
assert_eq "$(code rogue "$DATA")" 401 "certificate from an unknown CA (right names): 401"
assert_eq "$(code nocn "$DATA")" 401 "certificate without CN: 401"
assert_eq "$(code proxy-other "$DATA" -H 'X-Remote-User: admin' -H 'X-Remote-Group: rizk-readers')" 401 "front-proxy CA but CN not allowed: 401"
assert_eq "$(code alice "$DATA")" 200 "client certificate in --authorized-groups (O): 200"
assert_eq "$(code mallory "$DATA")" 403 "client certificate outside --authorized-groups: 403"
assert_eq "$(reason)" "Forbidden 403" "403 is a Status"
assert_eq "$(code mallory "$A$CM/v1beta2")" 200 "authenticated outsider: discovery 200"
assert_eq "$(code front-proxy "$DATA")" 401 "front proxy without X-Remote-User: 401"
assert_eq "$(code front-proxy "$DATA" -H 'X-Remote-User: system:serviceaccount:kube-system:horizontal-pod-autoscaler' -H 'X-Remote-Group: system:serviceaccounts' -H 'X-Remote-Group: rizk-readers')" 200 "front proxy with X-Remote-User and an authorized X-Remote-Group: 200"
assert_eq "$(code front-proxy "$DATA" -H 'X-Remote-User: someone' -H 'X-Remote-Group: system:authenticated')" 403 "front proxy, user outside the groups: 403"
assert_eq "$(code front-proxy "$DATA" -H 'X-Remote-User: system:kube-aggregator' -H 'X-Remote-Group: system:masters')" 200 "front proxy, system:masters: 200"
assert_eq "$(code front-proxy "$A$CM/v1beta2" -H 'X-Remote-User: system:kube-aggregator')" 200 "availability probe of kube-apiserver: 200"
assert_eq "$(code mallory "$DATA" -H 'X-Remote-User: alice' -H 'X-Remote-Group: rizk-readers')" 403 "X-Remote-* ignored on the direct path"
# the access log names who asked and how
sleep 0.2
grep -q 'component=access .*status=200 user=alice groups=rizk-readers,devs via=client-cert' "$E2E_TMP/ad.log" || fail "access log: alice"
grep -q 'component=access .*status=200 user=system:serviceaccount:kube-system:horizontal-pod-autoscaler groups=system:serviceaccounts,rizk-readers via=front-proxy' "$E2E_TMP/ad.log" || fail "access log: front proxy identity"
grep -q 'component=access .*status=403 user=mallory groups=others via=client-cert refused=' "$E2E_TMP/ad.log" || fail "access log: mallory refused"
grep -q 'component=access .*status=401 refused="front-proxy client certificate without an X-Remote-User header"' "$E2E_TMP/ad.log" || fail "access log: 401 reason"
pass "access log records user, groups and the way in"

# --- SIGHUP: new certificate for new connections, the established one keeps serving
"$PY" - "$AP" "$PKI" "$E2E_TMP/hup" > "$E2E_TMP/reload.out" 2>&1 <<'PYEOF' &
import hashlib, http.client, os, ssl, sys, time
port, pki, flag = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=pki + "/server-ca.pem")
ctx.load_cert_chain(pki + "/alice.pem", pki + "/alice-key.pem")
def fp(conn):
    return hashlib.sha256(conn.sock.getpeercert(binary_form=True)).hexdigest()[:16]
path = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns-a/pods/%2A/rizk_requests_per_second"
c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
c.request("GET", path); r = c.getresponse(); r.read()
print("old", r.status, fp(c), flush=True)
while not os.path.exists(flag):
    time.sleep(0.05)
c.request("GET", path); r = c.getresponse(); r.read()
print("same-connection", r.status, fp(c), flush=True)
c2 = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
c2.request("GET", path); r = c2.getresponse(); r.read()
print("new-connection", r.status, fp(c2), flush=True)
PYEOF
RELOADER=$!
for _ in $(seq 50); do grep -q '^old' "$E2E_TMP/reload.out" && break; sleep 0.1; done
grep -q '^old 200' "$E2E_TMP/reload.out" || fail "keep-alive client: $(cat "$E2E_TMP/reload.out")"
fp_of() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-16; }
old_fp=$(fp_of "$PKI/server.pem")
pki_cert server server-ca "/CN=rizk-metrics-adapter-renewed" \
    "subjectAltName=DNS:localhost,IP:127.0.0.1" "extendedKeyUsage=serverAuth"
new_fp=$(fp_of "$PKI/server.pem")
kill -HUP "$ad_PID"
for _ in $(seq 50); do grep -q 'certificates reloaded' "$E2E_TMP/ad.log" && break; sleep 0.1; done
grep -qF 'SIGHUP: certificates reloaded, new connections get subject=\"CN=rizk-metrics-adapter-renewed\"' "$E2E_TMP/ad.log" \
    || fail "reload not logged"
touch "$E2E_TMP/hup"
wait "$RELOADER" || fail "keep-alive client failed: $(cat "$E2E_TMP/reload.out")"
assert_eq "$(grep '^old' "$E2E_TMP/reload.out")" "old 200 $old_fp" "before SIGHUP: the old certificate"
assert_eq "$(grep '^same' "$E2E_TMP/reload.out")" "same-connection 200 $old_fp" "after SIGHUP the established connection keeps serving"
assert_eq "$(grep '^new' "$E2E_TMP/reload.out")" "new-connection 200 $new_fp" "after SIGHUP a new connection gets the new certificate"
# a broken file: the reload fails loudly and the current certificate keeps serving
cp "$PKI/server.pem" "$PKI/server.pem.good"
echo garbage > "$PKI/server.pem"
kill -HUP "$ad_PID"
for _ in $(seq 50); do grep -q 'reload failed' "$E2E_TMP/ad.log" && break; sleep 0.1; done
grep -q 'SIGHUP: reload failed, the previous certificates stay in use' "$E2E_TMP/ad.log" || fail "failed reload not logged"
mv "$PKI/server.pem.good" "$PKI/server.pem"
assert_eq "$(code alice "$DATA")" 200 "a failed reload keeps serving"
exit 0
