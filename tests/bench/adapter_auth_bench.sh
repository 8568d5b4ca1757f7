#!/usr/bin/env bash
# Benchmark (not a test): what delegated authentication and authorization cost a request whose
# decisions are cached, side by side in one run. A fake kube-apiserver (tests/e2e/kube_fake.py)
# answers the reviews; two adapters serve /apis (discovery: no Redis work, so only the auth step
# differs): one without delegation (client certificate), one with TokenReview and
# SubjectAccessReview (1 h TTLs). adapter_client times N keep-alive requests on C connections:
# client certificate without delegation, client certificate with a cached SubjectAccessReview,
# bearer token with a cached TokenReview and SubjectAccessReview. Then the reviews counted at the
# fake (one each: everything else came from the caches).
# Usage: tests/bench/adapter_auth_bench.sh [build dir]   Env: N=20000, C=1.
set -u
B=$(cd "${1:-build}" && pwd)
export RIZK_BIN=$B/src/rizk-metrics
export FIXTURES=$(cd "$(dirname "$0")/../fixtures" && pwd)
CLIENT=$B/tests/adapter_client
[ -x "$RIZK_BIN" ] && [ -x "$CLIENT" ] || { echo "build first (cmake --build $B)" >&2; exit 2; }
N=${N:-20000}
C=${C:-1}
E2E=$(cd "$(dirname "$0")/../e2e" && pwd)
E2E_LIB=$E2E/lib.sh
. "$E2E_LIB"
. "$E2E/adapter_lib.sh"
. "$E2E/kube_lib.sh"
pki_make
start_kube_fake K
kube_behaviour K '{"tokens": {"tok": {"username": "hpa", "groups": ["system:authenticated"]}},
  "rules": [{"path": "/apis", "allowed": true}]}'
cat > "$E2E_TMP/kc" <<KC
clusters:
- name: k
  cluster: {server: "https://127.0.0.1:$K_PORT", certificate-authority: "$PKI/server-ca.pem"}
users:
- name: a
  user: {token: adapter}
contexts:
- name: k
  context: {cluster: k, user: a}
current-context: k
KC
DEAD=$(free_port)
P1=$(free_port)
P2=$(free_port)
start_adapter plain "$P1" --redis.addr="127.0.0.1:$DEAD"
start_adapter deleg "$P2" --redis.addr="127.0.0.1:$DEAD" --authentication-skip-lookup \
    --authentication-kubeconfig="$E2E_TMP/kc" --authorization-kubeconfig="$E2E_TMP/kc" \
    --authentication-token-webhook-cache-ttl=1h --authorization-webhook-cache-authorized-ttl=1h
run() { "$CLIENT" "https://127.0.0.1:$1/apis" "$PKI/server-ca.pem" "$2" "$3" "$N" "$C" 200 100; }
echo "no delegation, client certificate:"
run "$P1" "$PKI/alice.pem" "$PKI/alice-key.pem"
echo "delegation, client certificate, SubjectAccessReview cached:"
run "$P2" "$PKI/alice.pem" "$PKI/alice-key.pem"
echo "delegation, bearer token, TokenReview and SubjectAccessReview cached:"
ADAPTER_CLIENT_BEARER=tok run "$P2" - -
echo "reviews kube-apiserver answered: TokenReview $(kube_review_count K token), SubjectAccessReview $(kube_review_count K access)"
