#!/usr/bin/env bash
# check --cluster end to end (SPEC 5): a fake kube-apiserver over HTTPS (the test PKI, a bearer
# token from a kubeconfig) answers with the recorded API documents of tests/fixtures/k8s/
# (Deployment, HPA v2, PDB, Pods, shaped as `kubectl get -o json` prints them), a real
# redis-server holds the fleet registry, and three sidecars publish the fixture's pods with a
# zone and region each. The guide's manifests pass every item but Redis HA (standalone: warn);
# exit 0, --strict exit 1; table and JSON carry the same verdicts. Then the API changes under
# it: no HPA for the workload (fail, exit 1), PDBs forbidden (403: not checkable with the
# Status message), the Deployment gone (404: its items not checkable); every request the check
# made is a GET of the expected path with the kubeconfig's token.
. "$E2E_LIB"
. "$(dirname "$0")/redis_lib.sh"
. "$(dirname "$0")/adapter_lib.sh"
. "$(dirname "$0")/scale_helpers.sh"
need curl
pki_make
K8S=$FIXTURES/k8s

# The fake: routes.json maps "<path>" -> [status, fixture file or inline Status message]; re-read
# on every request. Every request is logged as one JSON line.
cat > "$E2E_TMP/kube.py" <<'PYEOF'
import json, ssl, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
port, cert, key, routes, fixtures, log = sys.argv[1:7]
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        with open(log, "a") as f:
            f.write(json.dumps({"method": "GET", "path": self.path,
                                "auth": self.headers.get("Authorization")}) + "\n")
        r = json.load(open(routes)).get(self.path)
        if r is None:
            status, body = 404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                 "message": "the server could not find the requested resource",
                                 "reason": "NotFound", "code": 404}
        elif r[0] == 200:
            status, body = 200, json.load(open(fixtures + "/" + r[1]))
        else:
            status, body = r[0], {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                  "message": r[1], "code": r[0]}
        b = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a):
        pass
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
s = ThreadingHTTPServer(("127.0.0.1", int(port)), H)
s.socket = ctx.wrap_socket(s.socket, server_side=True)
s.serve_forever()
PYEOF
D=/apis/apps/v1/namespaces/shop/deployments/rizk-app
H=/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers
P=/apis/policy/v1/namespaces/shop/poddisruptionbudgets
PODS="/api/v1/namespaces/shop/pods?labelSelector=app%3Drizk-app"
routes() { # routes DEPLOYMENT HPA PDB PODS: each "file" or "code:message"
    "$PY" - "$E2E_TMP/routes.json" "$D" "$1" "$H" "$2" "$P" "$3" "$PODS" "$4" <<'PYEOF'
import json, sys
out, a = sys.argv[1], sys.argv[2:]
r = {}
for path, v in zip(a[0::2], a[1::2]):
    if v == "-":
        continue
    code, _, rest = v.partition(":")
    r[path] = [200, v] if not code.isdigit() else [int(code), rest]
open(out + ".tmp", "w").write(json.dumps(r))
import os; os.replace(out + ".tmp", out)
PYEOF
}
routes deployment.json hpa.json pdb.json pods.json
KP=$(free_port)
: > "$E2E_TMP/kube.log"
"$PY" "$E2E_TMP/kube.py" "$KP" "$PKI/server.pem" "$PKI/server-key.pem" "$E2E_TMP/routes.json" "$K8S" "$E2E_TMP/kube.log" \
    > "$E2E_TMP/kube.err" 2>&1 &
E2E_PIDS+=("$!")
for _ in $(seq 100); do
    curl -s -o /dev/null --max-time 1 --cacert "$PKI/server-ca.pem" "https://127.0.0.1:$KP$D" && break

    sleep 0.1
done
: > "$E2E_TMP/kube.log" # the probes above are not the check's
cat > "$E2E_TMP/kubeconfig" <<KEOF
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: https://127.0.0.1:$KP
    certificate-authority: $PKI/server-ca.pem
users:
- name: checker
  user:
    token: tok-check
contexts:
- name: fake
  context: {cluster: fake, user: checker, namespace: shop}
current-context: fake
KEOF

RP=$(free_port)
start_redis r "$RP"
i=0
for z in a b c; do
    pod=$(sed -n 's/.*"name": "\(rizk-app-7f9c8d5b6d-[a-z0-9]*\)".*/\1/p' "$K8S/pods.json" | sed -n "$((i + 1))p")
    i=$((i + 1))
    printf 'app="rizk-app"\npod-template-hash="7f9c8d5b6d"\ntopology.kubernetes.io/region="eu-west-1"\ntopology.kubernetes.io/zone="eu-west-1%s"\n' "$z" > "$E2E_TMP/$z.labels"
    port=$(free_port)
    POD_NAME=$pod POD_NAMESPACE=shop start_sidecar "side_$z" "$port" --redis.addr="127.0.0.1:$RP" \
        --fleet.interval=1s --pod.labels-file="$E2E_TMP/$z.labels" --path.procfs="$FIXTURES/proc" \
        --path.cgroupfs="$FIXTURES/sys/fs/cgroup" --history.interval=200ms
    SIDE_URL=http://127.0.0.1:$port
done
for _ in $(seq 50); do
    [ "$(redis-cli -p "$RP" ZCARD 'rizk:fleet:{shop}:pods')" = 3 ] && break
    sleep 0.2
done
assert_eq "$(redis-cli -p "$RP" ZCARD 'rizk:fleet:{shop}:pods')" 3 "three fixture pods publish to the fleet"
# the pod-level half of the check reads this sidecar: wait until it has seen Redis
wait_py "$SIDE_URL/api/v1/readiness" "d['ready']" 100 || fail "sidecar not ready: $(curl -s "$SIDE_URL/api/v1/readiness")"

check() { # check [flags...]: check --cluster against the fake and the fleet; output in $E2E_TMP/out
    RC=0
    "$RIZK_BIN" check --cluster --kubeconfig="$E2E_TMP/kubeconfig" --check.workload=rizk-app \
        --url="$SIDE_URL" --redis.addr="127.0.0.1:$RP" "$@" > "$E2E_TMP/out" 2> "$E2E_TMP/err" || RC=$?
}
statuses() { # the cluster items as "name=status ..." from a JSON output
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))["cluster"]; print(" ".join(c["name"] + "=" + c["status"] for c in d["checks"]))' "$E2E_TMP/out"
}
message() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))["cluster"]; print([c["message"] for c in d["checks"] if c["name"] == sys.argv[2]][0])' "$E2E_TMP/out" "$1"; }

check --output=json
[ "$RC" = 0 ] || fail "the guide's manifests: exit $RC: $(cat "$E2E_TMP/out" "$E2E_TMP/err")"
pass "the guide's manifests: exit 0 (only a warning)"
assert_eq "$(statuses)" "hpa=pass resources=pass pdb=pass zones=pass graceful_shutdown=pass redis_ha=warn instance_prefixes=pass health_checks=pass regional_endpoints=pass" "every item passes but Redis HA"
assert_eq "$(message zones)" "3 pods over 3 zones (eu-west-1a, eu-west-1b, eu-west-1c; from the fleet)" "zones from the fleet's snapshots"
assert_eq "$(message instance_prefixes)" "3 pods, 3 distinct instance ids" "instance ids from the fleet"
assert_eq "$(message redis_ha)" "standalone Redis: a single point of failure (the guide runs a Redis Cluster of >= 3 masters, each with a replica)" "standalone Redis warns"
assert_eq "$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["cluster"]["namespace"], d["cluster"]["server"], d["cluster"]["ready"], d["passed"])' "$E2E_TMP/out")" \
    "shop https://127.0.0.1:$KP True True" "namespace from the kubeconfig context, the server named"
"$PY" - "$E2E_TMP/kube.log" "$D" "$H" "$P" "$PODS" <<'PYEOF' || fail "requests: $(cat "$E2E_TMP/kube.log")"
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
assert [r["path"] for r in log] == sys.argv[2:], log
assert all(r["method"] == "GET" and r["auth"] == "Bearer tok-check" for r in log), log
PYEOF
pass "four GETs of the expected paths with the kubeconfig's token"

check
assert_eq "$RC" 0 "table: exit 0"
grep -q "^Cluster checklist: shop/rizk-app (https://127.0.0.1:$KP): 8 pass, 1 warn, 0 fail, 0 not checkable$" "$E2E_TMP/out" \
    || fail "table header: $(cat "$E2E_TMP/out")"
grep -Eq '^redis_ha +warn +>= 3 masters\+replicas +standalone Redis: a single point of failure' "$E2E_TMP/out" || fail "table row: $(cat "$E2E_TMP/out")"
grep -q "^Overall: READY$" "$E2E_TMP/out" || fail "table: overall"
pass "table: header, rows and the overall verdict"
cp "$E2E_TMP/out" "$E2E_TMP/sample-table.txt"
check --strict
assert_eq "$RC" 1 "--strict: the Redis HA warning fails"
grep -Eq '^redis_ha +WARN ' "$E2E_TMP/out" || fail "--strict shows WARN"

# No HPA for the workload, PDBs forbidden, pods as listed.
routes deployment.json hpa-fail.json "403:poddisruptionbudgets.policy is forbidden: User \"checker\" cannot list resource \"poddisruptionbudgets\" in API group \"policy\" in the namespace \"shop\"" pods.json
check --output=json
assert_eq "$RC" 1 "no HPA: exit 1"
assert_eq "$(message hpa)" "no HorizontalPodAutoscaler targets Deployment rizk-app" "hpa fails"
assert_eq "$(message pdb)" "PodDisruptionBudgets not readable: GET $P: HTTP 403: poddisruptionbudgets.policy is forbidden: User \"checker\" cannot list resource \"poddisruptionbudgets\" in API group \"policy\" in the namespace \"shop\"" "403: not checkable, with the Status message"
assert_eq "$(statuses | tr ' ' '\n' | grep '^pdb=')" "pdb=not_checkable" "pdb not checkable"

# The Deployment is gone: what needs it is not checkable, the fleet items still answer.
routes - hpa.json pdb.json pods.json
check --output=json
assert_eq "$(statuses)" "hpa=pass resources=not_checkable pdb=not_checkable zones=pass graceful_shutdown=not_checkable redis_ha=warn instance_prefixes=pass health_checks=not_checkable regional_endpoints=pass" "404 Deployment"
assert_eq "$(message resources)" "Deployment not readable: GET $D: HTTP 404: the server could not find the requested resource" "the 404 reason"
assert_eq "$RC" 0 "not checkable never fails"

# Usage: --cluster without a workload is a usage error naming the flag.
rc=0
"$RIZK_BIN" check --cluster > /dev/null 2> "$E2E_TMP/err" || rc=$?
assert_eq "$rc" 2 "--cluster without --check.workload: exit 2"
grep -q -- "--check.workload" "$E2E_TMP/err" || fail "usage message: $(cat "$E2E_TMP/err")"
rc=0
"$RIZK_BIN" check --cluster --check.workload='rizk-app/../../secrets' > /dev/null 2> "$E2E_TMP/err" || rc=$?
assert_eq "$rc" 2 "a workload name with '/': exit 2"
assert_eq "$(cat "$E2E_TMP/err")" "rizk-metrics: invalid value \"rizk-app/../../secrets\" for --check.workload: a Kubernetes name (lower-case letters, digits, '-' and '.', at most 253)" "the message names the flag"
echo "--- sample table output"
cat "$E2E_TMP/sample-table.txt"
