#!/usr/bin/env bash
# The adapter's delegated authentication and authorization against a fake kube-apiserver
# (tests/e2e/kube_fake.py, which checks every TokenReview and SubjectAccessReview it receives
# field by field against the python3-kubernetes models): the client and front-proxy CAs, allowed
# names and headers read from the extension-apiserver-authentication ConfigMap (no CA flag given);
# bearer tokens through TokenReview (allowed, unknown, expired, backend error, timeout, cache hit,
# expiry); SubjectAccessReviews with kube-apiserver's attributes for pods metrics, external
# metrics, discovery and the KEDA path (allow, deny with kube's message, error, timeout, cache hit,
# expiry); system:masters and the always-allowed probes without reviews; 405 with Allow after
# authentication; a slow kube-apiserver that fails its own request with 503 while a cached
# identity keeps being served; kubectl get --raw with a bearer token.
. "$E2E_LIB"
. "$(dirname "$0")/redis_lib.sh"
. "$(dirname "$0")/adapter_lib.sh"
. "$(dirname "$0")/kube_lib.sh"
need curl
need kubectl
need redis-server
: "${FLEET_TOOL:?FLEET_TOOL must point at tests/e2e/fleet_tool}"
pki_make

RP=$(free_port)
start_redis r "$RP"
"$FLEET_TOOL" fake ns-a 2 --redis.addr="127.0.0.1:$RP" --fleet.interval=60s >/dev/null \
    || fail "fleet_tool fake"
start_kube_fake K
HPA=system:serviceaccount:kube-system:horizontal-pod-autoscaler
CM_DATA=$(kube_configmap_json "$PKI/client-ca.pem" "$PKI/proxy-ca.pem")
# behaviour [EXTRA_JSON]: tokens, rules and the ConfigMap, plus EXTRA (delays, failures)
behaviour() {
    kube_behaviour K "$(CM="$CM_DATA" HPA="$HPA" EXTRA="${1:-{\}}" "$PY" -c '
import json, os
b = {
  "configmap": json.loads(os.environ["CM"]),
  "tokens": {
    "tok-hpa": {"username": os.environ["HPA"], "uid": "uid-hpa",
                "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
                "extra": {"authentication.kubernetes.io/pod-name": ["hpa-0"]}},
    "tok-hpa2": {"username": os.environ["HPA"], "groups": ["system:authenticated"]},
    "tok-hpa3": {"username": os.environ["HPA"], "groups": ["system:authenticated"]},
    "tok-boss2": {"username": "boss", "groups": ["system:masters"]},
    "tok-eve": {"username": "eve", "groups": ["system:authenticated"]},
    "tok-boss": {"username": "boss", "groups": ["system:masters", "system:authenticated"]},
    "tok-slow": {"username": "slow", "groups": ["system:authenticated"]},
    "tok-error": "error",
    "tok-expired": "unauthenticated-error"},
  "rules": [
    {"user": os.environ["HPA"], "verb": "get", "group": "custom.metrics.k8s.io", "resource": "pods",
     "allowed": True, "reason": "RBAC: allowed by ClusterRoleBinding \"hpa-custom-metrics\""},
    {"user": os.environ["HPA"], "verb": "list", "group": "external.metrics.k8s.io", "allowed": True},
    {"user": os.environ["HPA"], "path": "/apis/custom.metrics.k8s.io/v1beta2", "verb": "get", "allowed": True},
    {"user": "alice", "path": "/apis", "verb": "get", "allowed": True},
    {"user": "proxied", "groups": ["team-a"], "resource": "pods", "namespace": "ns-a", "allowed": True},
    {"user": "eve", "denied": True, "reason": "eve is on the deny list"}]}
b.update(json.loads(os.environ["EXTRA"]))
print(json.dumps(b))')"
}
behaviour

# the adapter reaches the fake kube-apiserver with its own service-account token
cat > "$E2E_TMP/adapter-kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kube
  cluster: {server: "https://127.0.0.1:$K_PORT", certificate-authority: "$PKI/server-ca.pem"}
users:
- name: adapter
  user: {token: adapter-sa-token}
contexts:
- name: kube
  context: {cluster: kube, user: adapter, namespace: rizk}
current-context: kube
EOF
AP=$(free_port)
"$RIZK_BIN" adapter --web.listen-address="127.0.0.1:$AP" \
    --tls.cert-file="$PKI/server.pem" --tls.key-file="$PKI/server-key.pem" \
    --redis.addr="127.0.0.1:$RP" --fleet.interval=60s \
    --authentication-kubeconfig="$E2E_TMP/adapter-kubeconfig" \
    --authorization-kubeconfig="$E2E_TMP/adapter-kubeconfig" \
    --authentication-token-webhook-cache-ttl=8s --authorization-webhook-cache-authorized-ttl=8s \
    --authorization-webhook-cache-unauthorized-ttl=8s --delegation-timeout=700ms \
    >"$E2E_TMP/ad.log" 2>&1 &
AD_PID=$!
E2E_PIDS+=("$AD_PID")
E2E_DAEMONS+=("$AD_PID")
A=https://127.0.0.1:$AP
for _ in $(seq 100); do
    curl -sf -o /dev/null --max-time 1 --cacert "$PKI/server-ca.pem" "$A/healthz" && break
    sleep 0.1
done
curl -sf -o /dev/null --max-time 1 --cacert "$PKI/server-ca.pem" "$A/healthz" || fail "the adapter did not start"
pass "/healthz without any credential: always allowed"

# --- the ConfigMap ----------------------------------------------------------------------------
grep -q 'msg="from kube-system/extension-apiserver-authentication: client-ca-file,requestheader-client-ca-file,requestheader-allowed-names,requestheader-username-headers,requestheader-group-headers,requestheader-extra-headers-prefix"' "$E2E_TMP/ad.log" \
    || fail "the adapter did not take its settings from the ConfigMap: $(grep auth "$E2E_TMP/ad.log")"
pass "every unset requestheader setting and the client CA come from the ConfigMap"
assert_eq "$(kube_log_field K 1 path)" /api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication "the ConfigMap is read"
assert_eq "$(kube_log_field K 1 auth)" "Bearer adapter-sa-token" "with the adapter's own token"

CM=/apis/custom.metrics.k8s.io/v1beta2
PODS="$CM/namespaces/ns-a/pods/*/rizk_requests_per_second"
# bcurl TOKEN URL [curl args]: prints "<code> <body>"
bcurl() {
    local t=$1 u=$2; shift 2
    local h=()
    [ "$t" = none ] || h=(-H "Authorization: Bearer $t")
    curl -s --max-time 10 --cacert "$PKI/server-ca.pem" "${h[@]}" -w ' %{http_code}' "$@" "$u" \
        | "$PY" -c 'import sys; b = sys.stdin.read(); body, code = b.rsplit(" ", 1); print(code, body)'
}
status_msg() { "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["kind"], d["code"], d["message"])' "$1"; }

# --- TokenReview + SubjectAccessReview: allowed -------------------------------------------------
out=$(bcurl tok-hpa "$A$PODS")
assert_eq "${out%% *}" 200 "the HPA's bearer token: 200"
"$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["kind"]=="MetricValueList" and len(d["items"])==2, d' "${out#* }" \
    || fail "MetricValueList: $out"
pass "the HPA reads both pods"
assert_eq "$(kube_last_review K token)" '{"token":"tok-hpa"}' "TokenReview spec: exactly the token"
assert_eq "$(kube_last_review K access)" "{\"extra\":{\"authentication.kubernetes.io/pod-name\":[\"hpa-0\"]},\"groups\":[\"system:serviceaccounts\",\"system:serviceaccounts:kube-system\",\"system:authenticated\"],\"resourceAttributes\":{\"group\":\"custom.metrics.k8s.io\",\"name\":\"*\",\"namespace\":\"ns-a\",\"resource\":\"pods\",\"subresource\":\"rizk_requests_per_second\",\"verb\":\"get\",\"version\":\"v1beta2\"},\"uid\":\"uid-hpa\",\"user\":\"$HPA\"}" \
    "SubjectAccessReview spec: kube-apiserver's attributes and the reviewed user, uid, groups, extra"
grep -q "status=200 user=$HPA groups=system:serviceaccounts,system:serviceaccounts:kube-system,system:authenticated via=token authz=allowed" "$E2E_TMP/ad.log" \
    || fail "access log of the token request: $(grep access "$E2E_TMP/ad.log" | tail -2)"
pass "access log: user, groups, via=token, authz=allowed"

# --- cache hits ---------------------------------------------------------------------------------
nt=$(kube_review_count K token); na=$(kube_review_count K access)
for _ in 1 2 3; do assert_eq "$(bcurl tok-hpa "$A$PODS" | cut -d' ' -f1)" 200 "cached: 200"; done
assert_eq "$(kube_review_count K token)" "$nt" "cache hit: no new TokenReview"
assert_eq "$(kube_review_count K access)" "$na" "cache hit: no new SubjectAccessReview"
grep -q "via=token authz=\"allowed (cached)\"" "$E2E_TMP/ad.log" || fail "access log: cached authorization"
pass "access log: authz=\"allowed (cached)\""
# another pod name is another review (the cache key is the whole spec)
assert_eq "$(bcurl tok-hpa "$A$CM/namespaces/ns-a/pods/fake-1/rizk_requests_per_second" | cut -d' ' -f1)" 200 "one pod by name"
assert_eq "$(kube_review_count K access)" "$((na + 1))" "another name: one more SubjectAccessReview"
assert_eq "$(kube_last_review K access | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["resourceAttributes"]["name"])')" fake-1 "its name attribute"

# --- cache hit and expiry, shown with a failing kube-apiserver: a cached decision still answers,
# an expired one needs a review (which fails). The 8 s TTLs leave the few requests in between
# plenty of time even on a loaded machine; the sleep outlasts them.
t0=$(date +%s.%N)
P0="$CM/namespaces/ns-a/pods/fake-0/rizk_requests_per_second"
assert_eq "$(bcurl tok-boss "$A$PODS" | cut -d' ' -f1)" 200 "system:masters, reviewed once"
assert_eq "$(bcurl tok-hpa2 "$A$P0" | cut -d' ' -f1)" 200 "a new token and a new access, reviewed once"
behaviour '{"fail": {"tokenreviews": 500, "subjectaccessreviews": 503}}'
assert_eq "$(bcurl tok-boss "$A$PODS" | cut -d' ' -f1)" 200 "kube-apiserver failing: the cached token still answers"
assert_eq "$(bcurl tok-hpa2 "$A$P0" | cut -d' ' -f1)" 200 \
    "kube-apiserver failing: the cached token and access decision still answer"
sleep "$("$PY" -c 'import sys,time; print(max(0.0, 8.3 - (time.time() - float(sys.argv[1]))))' "$t0")"
out=$(bcurl tok-boss "$A$PODS")
assert_eq "$(status_msg "${out#* }")" "Status 503 kube-apiserver answered the TokenReview with HTTP 500: tokenreviews are failing" \
    "after the TTL the token is reviewed again (and that review fails: 503)"
behaviour

# --- external metrics, discovery, the KEDA path ------------------------------------------------
out=$(bcurl tok-hpa "$A/apis/external.metrics.k8s.io/v1beta1/namespaces/ns-a/rizk_requests_per_second?labelSelector=app%3Dweb")
assert_eq "${out%% *}" 200 "external metric: 200"
assert_eq "$(kube_last_review K access | "$PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["resourceAttributes"], sort_keys=True))')" \
    '{"group": "external.metrics.k8s.io", "namespace": "ns-a", "resource": "rizk_requests_per_second", "verb": "list", "version": "v1beta1"}' \
    "external metric: resource = the metric, verb list"
assert_eq "$(bcurl tok-hpa "$A$CM" | cut -d' ' -f1)" 200 "discovery for the HPA"
assert_eq "$(kube_last_review K access | "$PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["nonResourceAttributes"], sort_keys=True))')" \
    '{"path": "/apis/custom.metrics.k8s.io/v1beta2", "verb": "get"}' "discovery: a non-resource review"
out=$(bcurl tok-hpa "$A/api/v1/fleet/ns-a/rizk_requests_per_second")
assert_eq "$out" '403 {"error":"fleet \"ns-a\" is forbidden: User \"system:serviceaccount:kube-system:horizontal-pod-autoscaler\" cannot get resource \"fleet/rizk_requests_per_second\" in API group \"\" at the cluster scope"}' \
    "the KEDA path: refused with kube's message, as JSON under /api/"
assert_eq "$(kube_last_review K access | "$PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["resourceAttributes"], sort_keys=True))')" \
    '{"name": "ns-a", "resource": "fleet", "subresource": "rizk_requests_per_second", "verb": "get", "version": "v1"}' \
    "the KEDA path: the attributes kube-apiserver's parser makes"

# --- deny, unknown and expired tokens, backend error ------------------------------------------
out=$(bcurl tok-eve "$A$PODS")
assert_eq "${out%% *}" 403 "a denied user: 403"
assert_eq "$(status_msg "${out#* }")" 'Status 403 pods.custom.metrics.k8s.io "*" is forbidden: User "eve" cannot get resource "pods/rizk_requests_per_second" in API group "custom.metrics.k8s.io" in the namespace "ns-a": eve is on the deny list' \
    "403: kube-apiserver's message with the review's reason"
n=$(kube_review_count K access)
assert_eq "$(bcurl tok-eve "$A$PODS" | cut -d' ' -f1)" 403 "denied again"
assert_eq "$(kube_review_count K access)" "$n" "a denial is cached too"
out=$(bcurl tok-nobody "$A$PODS")
assert_eq "$(status_msg "${out#* }")" "Status 401 Unauthorized: the bearer token is not valid" "an unknown token: 401"
out=$(bcurl tok-expired "$A$PODS")
assert_eq "$(status_msg "${out#* }")" "Status 401 Unauthorized: the bearer token is not valid: token expired" "the review's error is told"
n=$(kube_review_count K token)
out=$(bcurl tok-error "$A$PODS")
assert_eq "$(status_msg "${out#* }")" "Status 503 kube-apiserver answered the TokenReview with HTTP 500: token review backend failure" \
    "TokenReview backend error: 503 with a Status"
bcurl tok-error "$A$PODS" >/dev/null
assert_eq "$(kube_review_count K token)" "$((n + 2))" "errors are never cached"
out=$(bcurl none "$A$PODS")
assert_eq "$(status_msg "${out#* }")" "Status 401 Unauthorized: a client certificate or a bearer token is required" "no credential at all: 401"

# --- system:masters, always-allowed paths -----------------------------------------------------
n=$(kube_review_count K access)
assert_eq "$(bcurl tok-boss "$A$PODS" | cut -d' ' -f1)" 200 "system:masters: 200"
assert_eq "$(kube_review_count K access)" "$n" "system:masters: no SubjectAccessReview"
for p in /healthz /readyz /livez; do
    assert_eq "$(bcurl none "$A$p")" "200 ok" "$p: no credential, no review"
done
assert_eq "$(kube_review_count K access)" "$n" "probes: no SubjectAccessReview"

# --- 405 after authentication ---------------------------------------------------------------------
curl -s --cacert "$PKI/server-ca.pem" -H "Authorization: Bearer tok-hpa" -X POST -D "$E2E_TMP/405.hdr" \
    -o "$E2E_TMP/405.body" "$A$PODS"
head -1 "$E2E_TMP/405.hdr" | grep -q ' 405' || fail "POST with a valid token: $(head -1 "$E2E_TMP/405.hdr")"
grep -qi '^Allow: GET, HEAD' "$E2E_TMP/405.hdr" || fail "405 without Allow"
assert_eq "$(status_msg "$(cat "$E2E_TMP/405.body")")" "Status 405 the server does not allow this method on the requested resource" "405 with Allow and a Status, after authentication"
out=$(bcurl none "$A$PODS" -X DELETE)
assert_eq "${out%% *}" 401 "DELETE without credentials: 401 first (nothing learnt about methods)"

# --- client certificate and front proxy, their CAs from the ConfigMap ----------------------------
assert_eq "$(acurl alice "$A/apis" -o /dev/null -w '%{http_code}')" 200 "alice's client certificate (CA from the ConfigMap) may list /apis"
assert_eq "$(kube_last_review K access)" '{"groups":["rizk-readers","devs"],"nonResourceAttributes":{"path":"/apis","verb":"get"},"user":"alice"}' \
    "client certificate: user = CN, groups = O in the review"
out=$(acurl front-proxy "$A$PODS" -H 'X-Remote-User: proxied' -H 'X-Remote-Group: team-a' -H 'X-Remote-Group: devs' \
    -H 'X-Remote-Extra-Scopes: metrics' -H 'X-Remote-Extra-Acme.com%2fProject: p1' -w ' %{http_code}')
assert_eq "${out##* }" 200 "front proxy (CA and allowed name from the ConfigMap): 200"
assert_eq "$(kube_last_review K access)" '{"extra":{"acme.com/project":["p1"],"scopes":["metrics"]},"groups":["team-a","devs"],"resourceAttributes":{"group":"custom.metrics.k8s.io","name":"*","namespace":"ns-a","resource":"pods","subresource":"rizk_requests_per_second","verb":"get","version":"v1beta2"},"user":"proxied"}' \
    "front proxy: X-Remote-User, every X-Remote-Group, X-Remote-Extra-* (decoded, lower-cased) in the review"
out=$(acurl proxy-other "$A$PODS" -H 'X-Remote-User: proxied' -w ' %{http_code}')
assert_eq "${out##* }" 401 "a front-proxy CN outside the ConfigMap's allowed names: 401"

# --- SubjectAccessReview failures and a slow kube-apiserver -------------------------------------
behaviour '{"fail": {"subjectaccessreviews": 503}}'
out=$(bcurl tok-hpa "$A$CM/namespaces/ns-a/pods/fake-0/rizk_error_ratio")
assert_eq "$(status_msg "${out#* }")" "Status 503 kube-apiserver answered the SubjectAccessReview with HTTP 503: subjectaccessreviews are failing" \
    "SubjectAccessReview error: 503 with a Status"
behaviour
# fresh tokens: their cache entries are new, so they outlive this phase
assert_eq "$(bcurl tok-boss2 "$A$PODS" | cut -d' ' -f1)" 200 "system:masters' token cached before the slow phase"
assert_eq "$(bcurl tok-hpa3 "$A$PODS" | cut -d' ' -f1)" 200 "the HPA's token cached before the slow phase"
behaviour '{"delay_ms": {"tokenreviews": 3000, "subjectaccessreviews": 3000}}'
bcurl tok-slow "$A$PODS" > "$E2E_TMP/slow.out" &
SLOW=$!
# while that review hangs, a cached identity and the probes are still answered
for _ in 1 2 3; do
    assert_eq "$(bcurl tok-boss2 "$A$PODS" | cut -d' ' -f1)" 200 "during a slow review: a cached identity is served"
done
assert_eq "$(bcurl none "$A/healthz")" "200 ok" "during a slow review: probes answer"
wait "$SLOW"
out=$(cat "$E2E_TMP/slow.out")
assert_eq "$(status_msg "${out#* }")" "Status 503 the TokenReview got no answer from kube-apiserver within 700ms" \
    "a slow TokenReview: 503 with a Status after --delegation-timeout"
# a client certificate needs no TokenReview, and its access here was never reviewed: only the
# SubjectAccessReview is slow (a cached token could have expired on a loaded machine by now)
code=$(acurl alice "$A$CM/namespaces/ns-b/pods/*/rizk_error_ratio" -o "$E2E_TMP/sar.body" -w '%{http_code}')
out="$code $(cat "$E2E_TMP/sar.body")"
case "$out" in "503 "*) ;; *) fail "a slow SubjectAccessReview: $out" ;; esac
assert_eq "$(status_msg "${out#* }")" "Status 503 the SubjectAccessReview got no answer from kube-apiserver within 700ms" \
    "a slow SubjectAccessReview: 503 with a Status"
behaviour

# --- kubectl with a bearer token ----------------------------------------------------------------
cat > "$E2E_TMP/hpa-kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: adapter
  cluster: {server: "$A", certificate-authority: "$PKI/server-ca.pem"}
users:
- name: hpa
  user: {token: tok-hpa}
contexts:
- name: adapter
  context: {cluster: adapter, user: hpa}
current-context: adapter
EOF
out=$(kubectl --kubeconfig="$E2E_TMP/hpa-kubeconfig" get --raw "$PODS" 2>&1) || fail "kubectl get --raw: $out"
"$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["kind"]=="MetricValueList" and len(d["items"])==2' "$out" \
    || fail "kubectl: $out"
pass "kubectl get --raw with the HPA's bearer token"
out=$(kubectl --kubeconfig="$E2E_TMP/hpa-kubeconfig" --token=tok-eve get --raw "$PODS" 2>&1)
case "$out" in *'pods.custom.metrics.k8s.io "*" is forbidden: User "eve" cannot get resource "pods/rizk_requests_per_second"'*) pass "kubectl shows the 403 as kube-apiserver would" ;;
    *) fail "kubectl as eve: $out" ;; esac

kube_log_invalid K
pass "every review the adapter sent matches the python3-kubernetes models"

# --- a dead kube-apiserver ------------------------------------------------------------------------
behaviour '{"tokens": {"tok-boss3": {"username": "boss", "groups": ["system:masters"]}}}'
assert_eq "$(bcurl tok-boss3 "$A$PODS" | cut -d' ' -f1)" 200 "system:masters' token cached before kube-apiserver dies"
kill "$K_PID"; wait "$K_PID" 2>/dev/null
out=$(bcurl tok-new "$A$PODS")
case "$(status_msg "${out#* }")" in
"Status 503 the TokenReview failed: POST https://127.0.0.1:$K_PORT/apis/authentication.k8s.io/v1/tokenreviews: "*)
    pass "kube-apiserver down: 503 with a Status naming the failed TokenReview" ;;
*) fail "kube-apiserver down: $out" ;;
esac
assert_eq "$(bcurl tok-boss3 "$A$PODS" | cut -d' ' -f1)" 200 "kube-apiserver down: a cached identity is still served"
assert_eq "$(bcurl none "$A/readyz")" "200 ok" "kube-apiserver down: the probes answer"
echo "all delegation checks passed"
