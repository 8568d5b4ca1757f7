#!/usr/bin/env bash
# deploy/deploy.sh: shellcheck clean; --dry-run prints the guide's steps in order with every
# command and changes nothing; the component flags pick what is applied; its apply selectors
# together cover every rendered object exactly once (all components on); malformed flags exit 2
# naming the flag; a failing command stops the rollout with the step named; an APIService held
# by another adapter (prometheus-adapter) is refused before anything is applied.
. "$E2E_LIB"
need shellcheck
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCRIPT=$ROOT/deploy/deploy.sh

shellcheck -S warning "$SCRIPT" > "$E2E_TMP/sc.out" 2>&1 || fail "shellcheck: $(cat "$E2E_TMP/sc.out")"
pass "shellcheck deploy/deploy.sh"

# A kubectl that records its calls and fails the test if a dry run calls it.
mkdir -p "$E2E_TMP/bin"
cat > "$E2E_TMP/bin/kubectl" <<'SH'
#!/bin/sh
echo "$*" >> "$KUBECTL_LOG"
case "$FAKE_MODE:$*" in
dry:*) echo "kubectl called during a dry run: $*" >&2; exit 99 ;;
ok:kustomize*) if [ -n "$REAL_KUBECTL" ]; then exec "$REAL_KUBECTL" "$@"; fi; echo "kind: List"; exit 0 ;;
ok:*"get pod"*jsonpath*) printf 'rizk-app-a\nrizk-app-b\n'; exit 0 ;;
ok:*"apply "*) f=$(echo "$*" | sed 's/.*--filename //'); cp "$f" "$KUBECTL_LOG.rendered"; exit 0 ;;
ok:*port-forward*)
    port=$(echo "$*" | sed 's/.* \([0-9]*\):80.*/\1/')
    exec /usr/bin/python3 -c 'import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/ready" else 404); self.end_headers(); self.wfile.write(b"ready")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()' "$port" ;;
nometrics:*"get apiservice v1beta1.metrics.k8s.io"*) echo 'Error from server (NotFound): apiservices "v1beta1.metrics.k8s.io" not found' >&2; exit 1 ;;
taken:*"get apiservice v1beta2.custom.metrics.k8s.io -o"*) printf monitoring/prometheus-adapter; exit 0 ;;
*"get apiservice v1beta"*"-o"*) exit 1 ;;   # absent: nobody holds the group
*) exit 0 ;;
esac
SH
chmod +x "$E2E_TMP/bin/kubectl"
export KUBECTL_LOG=$E2E_TMP/kubectl.log
: > "$KUBECTL_LOG"

PATH=$E2E_TMP/bin:$PATH FAKE_MODE=dry "$SCRIPT" --dry-run > "$E2E_TMP/dry.out" 2> "$E2E_TMP/dry.err" \
    || fail "dry run: $(cat "$E2E_TMP/dry.err")"
[ ! -s "$KUBECTL_LOG" ] || fail "the dry run called kubectl: $(cat "$KUBECTL_LOG")"
grep '^==> step' "$E2E_TMP/dry.out" | sed 's/: .*//; s/==> //' > "$E2E_TMP/steps"
grep '^==> step' "$E2E_TMP/dry.out" | sed 's/^==> step [0-9]*: //; s/[:(].*//; s/ *$//' > "$E2E_TMP/titles"
cat > "$E2E_TMP/want" <<'T'
prerequisites
Redis
the adapter
the app at its minimal replica count
health checks
the HPA and the PodDisruptionBudget
monitoring
a bounded load check
rizk-metrics check
T
diff "$E2E_TMP/want" "$E2E_TMP/titles" > "$E2E_TMP/d" || fail "steps out of order: $(cat "$E2E_TMP/d")"
[ "$(tr '\n' ' ' < "$E2E_TMP/steps")" = "step 1 step 2 step 3 step 4 step 5 step 6 step 7 step 8 step 9 " ] \
    || fail "steps not numbered 1-9: $(cat "$E2E_TMP/steps")"
grep -q 'dry run done: nothing was changed' "$E2E_TMP/dry.out" || fail "no dry-run summary"
pass "dry run: the guide's 9 steps in order, no kubectl call"

# every step prints its commands; spot the ones the guide's order depends on
expect() { grep -q -F -- "$1" "$E2E_TMP/dry.out" || fail "dry run does not print: $1"; }
expect "+ kubectl get apiservice v1beta1.metrics.k8s.io"
expect "+ kubectl get secret rizk-redis --namespace default"
expect "+ kubectl rollout status deployment/rizk-metrics-adapter --namespace rizk-system --timeout 300s"
expect "+ kubectl wait apiservice/v1beta2.custom.metrics.k8s.io --for condition=Available --timeout 300s"
expect "+ kubectl scale deployment/rizk-app --namespace default --replicas 3"
expect "+ kubectl rollout status deployment/rizk-app --namespace default --timeout 300s"
expect "+ kubectl wait hpa/rizk-app --namespace default --for condition=AbleToScale --timeout 300s"
expect "+ kubectl exec --namespace default deployment/rizk-app --container rizk-metrics -- rizk-metrics check --url=http://127.0.0.1:9090"
! grep -q 'external.metrics\|redis-cluster\|cert-manager\|monitoring.coreos' "$E2E_TMP/dry.out" \
    || fail "the default dry run touches an optional component"
pass "dry run prints every command: waits with --timeout, the app scaled to 3 before the HPA, check from a sidecar"

PATH=$E2E_TMP/bin:$PATH FAKE_MODE=dry "$SCRIPT" --dry-run --namespace=prod --timeout 60 --external-metrics \
    --cert-manager --prometheus-operator --redis-cluster > "$E2E_TMP/all.out" 2>&1 || fail "dry run, all components: $(cat "$E2E_TMP/all.out")"
grep -q -F "+ set components: custom-metrics-api external-metrics-api prometheus-operator redis-cluster cert-manager in" "$E2E_TMP/all.out" \
    || fail "components not in order (cert-manager last): $(grep 'set components' "$E2E_TMP/all.out")"
for e in "kubectl wait job/redis-cluster-create --namespace rizk-system --for condition=complete --timeout 60s" \
         "kubectl get crd certificates.cert-manager.io" "kubectl get crd podmonitors.monitoring.coreos.com prometheusrules.monitoring.coreos.com" \
         "kubectl wait apiservice/v1beta1.external.metrics.k8s.io --for condition=Available --timeout 60s" \
         "kubectl scale deployment/rizk-app --namespace prod --replicas 3"; do
    grep -q -F -- "+ $e" "$E2E_TMP/all.out" || fail "dry run with every component does not print: $e"
done
grep -q -F "kubectl get secret rizk-redis" "$E2E_TMP/all.out" && fail "--redis-cluster still asks for the rizk-redis Secret"
pass "dry run with every component: Redis Cluster waited for, CRDs checked, cert-manager applied last, namespace and timeout used"

# The apply selectors partition the rendered objects.
if command -v kubectl >/dev/null 2>&1 && "$PY" -c 'import yaml' 2>/dev/null; then
    cp -r "$ROOT/deploy" "$E2E_TMP/tree"
    "$PY" - "$E2E_TMP/tree/kustomization.yaml" <<'PY'
import sys, yaml
k = yaml.safe_load(open(sys.argv[1]))
k["components"] = ["components/" + c for c in ("custom-metrics-api", "external-metrics-api", "prometheus-operator", "redis-cluster", "cert-manager")]
yaml.safe_dump(k, open(sys.argv[1], "w"), sort_keys=False)
PY
    kubectl kustomize "$E2E_TMP/tree" > "$E2E_TMP/all.yaml" || fail "kubectl kustomize"
    grep -- '+ kubectl apply' "$E2E_TMP/all.out" | grep -o -- '--selector [^ ]*\( in\\ \\([^)]*)\)\?' | sed 's/^--selector //; s/\\//g' > "$E2E_TMP/selectors"
    "$PY" - "$E2E_TMP/all.yaml" "$E2E_TMP/selectors" <<'PY' || fail "apply selectors do not partition the objects"
import re, sys, yaml
sels = [l.strip() for l in open(sys.argv[2]) if l.strip()]
def match(sel, labels):
    for req in re.split(r",(?![^()]*\))", sel):
        m = re.fullmatch(r"(\S+) in \((.*)\)", req)
        if m:
            if labels.get(m.group(1)) not in m.group(2).split(","):
                return False
        elif "!=" in req:
            k, v = req.split("!=")
            if labels.get(k) == v:
                return False
        else:
            k, v = req.split("=")
            if labels.get(k) != v:
                return False
    return True
bad = 0
for o in yaml.safe_load_all(open(sys.argv[1])):
    if not o:
        continue
    n = [s for s in sels if match(s, o["metadata"].get("labels", {}))]
    if len(n) != 1:
        print(f"{o['kind']}/{o['metadata']['name']}: applied by {len(n)} steps: {n}")
        bad += 1
print(f"{len(sels)} selectors")
sys.exit(1 if bad else 0)
PY
    pass "the apply selectors cover every rendered object exactly once (all components on)"
else
    echo "note: kubectl not installed: selector coverage not checked" >&2
fi

# The whole rollout against the fake cluster: every step runs, in order, and succeeds.
: > "$KUBECTL_LOG"
LP=$(free_port)
REAL_KUBECTL=$(command -v kubectl || true) PATH=$E2E_TMP/bin:$PATH FAKE_MODE=ok \
    timeout 120 "$SCRIPT" --namespace prod --load-seconds 2 --local-port "$LP" --timeout 30 \
    > "$E2E_TMP/run.out" 2> "$E2E_TMP/run.err" || fail "full run: $(cat "$E2E_TMP/run.err")"
grep -q '^deploy.sh: done$' "$E2E_TMP/run.out" || fail "full run: no 'done': $(tail -3 "$E2E_TMP/run.out")"
grep -q '^load check: [1-9][0-9]* answered 200, 0 failed$' "$E2E_TMP/run.out" || fail "load check: $(grep 'load check' "$E2E_TMP/run.out")"
"$PY" - "$KUBECTL_LOG" <<'PY' || fail "kubectl calls out of order"
import sys
calls = [l.strip() for l in open(sys.argv[1])]
want = ["get apiservice v1beta1.metrics.k8s.io", "kustomize ", "apply --selector app.kubernetes.io/component=namespace",
        "get secret rizk-redis --namespace prod", "get secret rizk-redis --namespace rizk-system",
        "apply --selector app.kubernetes.io/name=rizk-metrics-adapter,app.kubernetes.io/component!=namespace",
        "rollout status deployment/rizk-metrics-adapter", "wait apiservice/v1beta2.custom.metrics.k8s.io",
        "apply --namespace prod --selector app.kubernetes.io/name=rizk-app,app.kubernetes.io/component in (app,metrics)",
        "scale deployment/rizk-app --namespace prod --replicas 3", "rollout status deployment/rizk-app --namespace prod",
        "wait pod --namespace prod", "get --raw /api/v1/namespaces/prod/pods/rizk-app-a:8080/proxy/ready",
        "get --raw /api/v1/namespaces/prod/pods/rizk-app-a:9090/proxy/readyz",
        "get --raw /api/v1/namespaces/prod/pods/rizk-app-b:8080/proxy/ready",
        "get --raw /apis/custom.metrics.k8s.io/v1beta2/namespaces/prod/pods/*/rizk_requests_per_second",
        "apply --namespace prod --selector app.kubernetes.io/name=rizk-app,app.kubernetes.io/component in (autoscaler,disruption-budget)",
        "wait hpa/rizk-app --namespace prod --for condition=AbleToScale",
        "apply --namespace prod --selector app.kubernetes.io/name=rizk-metrics",
        "port-forward --namespace prod service/rizk-app", "get hpa rizk-app --namespace prod",
        "exec --namespace prod deployment/rizk-app --container rizk-metrics -- rizk-metrics check --url=http://127.0.0.1:9090"]
i = 0
for c in calls:
    if i < len(want) and c.startswith(want[i]):
        i += 1
if i < len(want):
    print("missing or out of order from:", want[i])
    print("\n".join(calls))
    sys.exit(1)
PY
if [ -n "$(command -v kubectl)" ]; then
    grep -q 'name: v1beta2.custom.metrics.k8s.io' "$KUBECTL_LOG.rendered" || fail "the applied manifests lack the custom metrics APIService"
    ! grep -q 'v1beta1.external.metrics.k8s.io' "$KUBECTL_LOG.rendered" || fail "the default run applied the external metrics APIService"
fi
pass "full run against a fake cluster: the 22 calls in the guide's order, load check 0 failed, done"

for args in "--timeout=0" "--timeout=abc" "--load-seconds=-1" "--local-port=70000" "--bogus"; do
    "$SCRIPT" --dry-run $args > /dev/null 2> "$E2E_TMP/err"
    rc=$?
    flag=${args%%=*}
    [ "$rc" -eq 2 ] && grep -q -- "$flag" "$E2E_TMP/err" || fail "$args: exit $rc, $(cat "$E2E_TMP/err")"
done
pass "malformed flags exit 2 naming the flag"

: > "$KUBECTL_LOG"
PATH=$E2E_TMP/bin:$PATH FAKE_MODE=nometrics "$SCRIPT" > "$E2E_TMP/fail.out" 2> "$E2E_TMP/fail.err"
rc=$?
[ "$rc" -ne 0 ] || fail "a failing prerequisite did not stop the rollout"
grep -q "deploy.sh: FAILED at step 1 (prerequisites: kubectl, the cluster, metrics-server" "$E2E_TMP/fail.err" \
    || fail "the failing step is not named: $(cat "$E2E_TMP/fail.err")"
grep -q "apply" "$KUBECTL_LOG" && fail "objects were applied after a failed prerequisite"
pass "no metrics-server: stops at step 1, named, nothing applied"

: > "$KUBECTL_LOG"
PATH=$E2E_TMP/bin:$PATH FAKE_MODE=taken "$SCRIPT" > "$E2E_TMP/taken.out" 2> "$E2E_TMP/taken.err"
[ $? -ne 0 ] || fail "a custom metrics API held by prometheus-adapter was taken over"
grep -q "deploy.sh: v1beta2.custom.metrics.k8s.io is served by monitoring/prometheus-adapter; rerun without the custom-metrics-api component" "$E2E_TMP/taken.err" \
    || fail "no coexistence message: $(cat "$E2E_TMP/taken.err")"
grep -q "apply" "$KUBECTL_LOG" && fail "objects were applied over another adapter's APIService"
pass "custom.metrics.k8s.io held by prometheus-adapter: refused at step 1, nothing applied"
exit 0
