#!/usr/bin/env bash
# deploy/ with real tools: `kubectl kustomize` renders the default and every combination of the
# five components (custom-metrics-api, external-metrics-api, cert-manager, prometheus-operator,
# redis-cluster); every rendered object validates strictly against the Kubernetes API models
# (tests/e2e/k8s_strict.py: an unknown field or a wrong type is an error); the HPA is the
# guide's, field by field; an APIService is rendered exactly for the groups whose component is
# on; the default needs no CRD and pulls no third-party image; the sidecar does not clash with
# the app's port 8080; the PrometheusRule is deploy/prometheus/rules.yml (generate.py --check,
# promtool check rules); the flags of the sidecar and of the adapter pass --check-config.
. "$E2E_LIB"
need kubectl
need promtool
"$PY" -c 'import yaml, kubernetes' 2>/dev/null || skip "python3-yaml or python3-kubernetes not installed"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STRICT=$ROOT/tests/e2e/k8s_strict.py
COMPONENTS=(custom-metrics-api external-metrics-api cert-manager prometheus-operator redis-cluster)

# The strict checker must be able to fail.
cat > "$E2E_TMP/bad.yaml" <<'YML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  replicas: "3"
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers: [{name: c, image: i, portz: []}]
YML
"$PY" "$STRICT" "$E2E_TMP/bad.yaml" 2> "$E2E_TMP/bad.err" && fail "k8s_strict.py accepted a bad Deployment"
grep -q "spec.replicas: expected an integer, got str '3'" "$E2E_TMP/bad.err" \
    && grep -q "containers\[0\].portz: unknown field of V1Container" "$E2E_TMP/bad.err" \
    || fail "k8s_strict.py: unexpected errors: $(cat "$E2E_TMP/bad.err")"
pass "k8s_strict.py refuses an unknown field and a wrong type"

# render OUT [COMPONENT...]: deploy/ as shipped, with its components list replaced (the same
# edit deploy.sh makes).
render() {
    local out=$1 c; shift
    rm -rf "$E2E_TMP/tree" && cp -r "$ROOT/deploy" "$E2E_TMP/tree"
    local k=$E2E_TMP/tree/kustomization.yaml
    sed -i '/^components:/,/^[^ ]/{/^  - components\//d}' "$k"
    sed -i '/^components:/d' "$k"
    if [ $# -gt 0 ]; then
        { echo "components:"; for c in "$@"; do echo "  - components/$c"; done; } >> "$k"
    fi
    kubectl kustomize "$E2E_TMP/tree" > "$out" 2> "$E2E_TMP/kustomize.err" \
        || fail "kubectl kustomize deploy with [$*]: $(cat "$E2E_TMP/kustomize.err")"
}

kubectl kustomize "$ROOT/deploy" > "$E2E_TMP/default.yaml" 2> "$E2E_TMP/kustomize.err" \
    || fail "kubectl kustomize deploy: $(cat "$E2E_TMP/kustomize.err")"
"$PY" "$STRICT" "$E2E_TMP/default.yaml" || fail "deploy/ (default): strict validation"
pass "kubectl kustomize deploy: every object valid"

# Every combination of components, in the documented order (cert-manager after the APIServices).
n=0
for mask in $(seq 0 31); do
    on=()
    for i in 0 1 2 3 4; do
        if (( mask >> i & 1 )); then on+=("${COMPONENTS[$i]}"); fi
    done
    render "$E2E_TMP/combo-$mask.yaml" "${on[@]}"
    echo "${on[*]}" > "$E2E_TMP/combo-$mask.on"
    n=$((n + 1))
done
# one process for all of them (importing the kubernetes models takes a while)
"$PY" "$STRICT" "$E2E_TMP"/combo-*.yaml > "$E2E_TMP/strict.out" 2>&1 \
    || fail "strict validation: $(cat "$E2E_TMP/strict.out")"
pass "$n combinations of components render and validate strictly ($(cat "$E2E_TMP/strict.out"))"

"$PY" - "$E2E_TMP" "$ROOT" <<'PY' || fail "manifest checks"
import glob, os, sys, yaml
tmp, root = sys.argv[1:3]
bad = []
def check(cond, msg):
    if not cond:
        print("FAIL: " + msg)
        bad.append(msg)
def objs(p):
    return [o for o in yaml.load_all(open(p), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) if o]
def find(docs, kind, name=None):
    return [o for o in docs if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
def pod_containers(o):
    s = o["spec"]["template"]["spec"] if o["kind"] != "Job" else o["spec"]["template"]["spec"]
    return s.get("initContainers", []) + s.get("containers", [])
BUILTIN = {"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v2", "rbac.authorization.k8s.io/v1",
           "apiregistration.k8s.io/v1"}
GROUPS = {"custom-metrics-api": {"v1beta2.custom.metrics.k8s.io", "v1beta1.custom.metrics.k8s.io"},
          "external-metrics-api": {"v1beta1.external.metrics.k8s.io"}}

# --- the default: a bare cluster ---
d = objs(os.path.join(tmp, "default.yaml"))
check(all(o["apiVersion"] in BUILTIN for o in d),
      "default: only built-in kinds (no CRD needed): " + str(sorted({o["apiVersion"] + " " + o["kind"] for o in d if o["apiVersion"] not in BUILTIN})))
images = {c["image"] for o in d if o["kind"] in ("Deployment", "StatefulSet", "Job") for c in pod_containers(o)}
check(images == {"localhost/rizk-metrics:0.1.0", "registry.example.com/rizk-app:latest"},
      f"default: images are ours and the app's only (set by `images:`): {images}")
check({o["metadata"]["name"] for o in find(d, "APIService")} == GROUPS["custom-metrics-api"],
      "default: the custom metrics APIServices only")

# --- the guide's HPA, field by field ---
hpa = find(d, "HorizontalPodAutoscaler")
check(len(hpa) == 1, "one HPA")
h = hpa[0]
check(h["apiVersion"] == "autoscaling/v2" and h["metadata"]["name"] == "rizk-app", "HPA autoscaling/v2 rizk-app")
s = h["spec"]
check(s["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "rizk-app"}, f"scaleTargetRef {s['scaleTargetRef']}")
check(s["minReplicas"] == 3 and s["maxReplicas"] == 50, "min 3, max 50")
check(s["metrics"] == [
    {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}},
    {"type": "Resource", "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": 80}}},
    {"type": "Pods", "pods": {"metric": {"name": "rizk_requests_per_second"},
                              "target": {"type": "AverageValue", "averageValue": "100"}}},
], f"metrics: cpu 70 %, memory 80 %, Pods rizk_requests_per_second AverageValue 100: {s['metrics']}")
check(s["behavior"] == {
    "scaleUp": {"stabilizationWindowSeconds": 60, "selectPolicy": "Max",
                "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15},
                             {"type": "Pods", "value": 4, "periodSeconds": 15}]},
    "scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Max",
                  "policies": [{"type": "Percent", "value": 10, "periodSeconds": 60}]},
}, f"behavior block: {s.get('behavior')}")
check(set(s) == {"scaleTargetRef", "minReplicas", "maxReplicas", "metrics", "behavior"}, f"no other HPA field: {sorted(s)}")

# --- the app Deployment: the guide's settings, the sidecar, no port clash ---
app = find(d, "Deployment", "rizk-app")[0]
ps = app["spec"]["template"]["spec"]
check(app["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}, "rolling update 1 / 0")
aff = ps["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
check({t["podAffinityTerm"]["topologyKey"] for t in aff} == {"kubernetes.io/hostname", "topology.kubernetes.io/zone"}
      and all(t["podAffinityTerm"]["labelSelector"]["matchLabels"] == app["spec"]["selector"]["matchLabels"] for t in aff),
      "pod anti-affinity over nodes and zones on the app's selector")
inits = {c["name"]: c for c in ps.get("initContainers", [])}
conts = {c["name"]: c for c in ps["containers"]}
sc, ac = inits.get("rizk-metrics"), conts.get("app")
check(sc is not None and sc.get("restartPolicy") == "Always", "rizk-metrics is a native sidecar")
check(ac is not None, "an app container")
ports = {}
for c in list(inits.values()) + list(conts.values()):
    for p in c.get("ports", []):
        check(p["containerPort"] not in ports, f"port {p['containerPort']} used twice in the pod ({ports.get(p['containerPort'])}, {c['name']})")
        ports[p["containerPort"]] = c["name"]
check(ports.get(8080) == "app" and ports.get(9090) == "rizk-metrics", f"app on 8080, sidecar on 9090: {ports}")
check("--web.listen-address=:9090" in sc["args"], "the sidecar listens on :9090")
check("--app.port=8080" in sc["args"], "the sidecar counts the app's connections on 8080")
check(ac["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"} and
      ac["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}, "app probes /ready and /health")
check(all(k in ac["resources"].get(w, {}) for w in ("requests", "limits") for k in ("cpu", "memory")), "app requests and limits")
check("preStop" in ac.get("lifecycle", {}), "app preStop (graceful shutdown)")
ann = app["spec"]["template"]["metadata"]["annotations"]
check(ann.get("prometheus.io/scrape") == "true" and ann.get("prometheus.io/port") == "9090", "scrape annotations on 9090")
env = {e["name"]: e for e in sc["env"]}
check(env["REDIS_URL"]["valueFrom"]["secretKeyRef"].get("optional") is True, "the sidecar's Redis Secret is optional")
check(sc["securityContext"].get("readOnlyRootFilesystem") is True and sc["securityContext"].get("allowPrivilegeEscalation") is False, "sidecar hardened")
pdb = [p for p in find(d, "PodDisruptionBudget") if p["spec"]["selector"]["matchLabels"] == app["spec"]["selector"]["matchLabels"]]
check(len(pdb) == 1 and pdb[0]["spec"].get("maxUnavailable") == 1, "a PDB for the app (maxUnavailable 1)")
svc = {o["metadata"]["name"]: o for o in find(d, "Service")}
check(svc["rizk-app"]["spec"]["ports"][0]["targetPort"] == "http", "Service rizk-app -> the app's http port")
check(svc["rizk-app-metrics"]["spec"]["ports"][0]["targetPort"] == 9090, "Service rizk-app-metrics -> 9090")

# --- the adapter: nothing pre-installed, nothing cluster-specific ---
ad = find(d, "Deployment", "rizk-metrics-adapter")[0]
aps = ad["spec"]["template"]["spec"]
check(ad["spec"]["replicas"] == 2 and not aps.get("initContainers"), "adapter: 2 replicas, no init container")
a_args = aps["containers"][0]["args"]
check(not any(a.startswith(("--tls.cert-file", "--requestheader-allowed-names", "--client-ca-file")) for a in a_args),
      f"adapter: no certificate file, no hard-coded front-proxy name or CA: {a_args}")
check(not aps.get("volumes"), "adapter: no volume (the serving certificate is generated at start)")
check(all(o["spec"].get("insecureSkipTLSVerify") is True for o in find(d, "APIService")),
      "default APIServices: insecureSkipTLSVerify (self-signed serving certificate)")
open(os.path.join(tmp, "sidecar.args"), "w").write("\n".join(sc["args"][1:]) + "\n")
open(os.path.join(tmp, "adapter.args"), "w").write("\n".join(a_args[1:]) + "\n")

# --- every combination ---
for p in sorted(glob.glob(os.path.join(tmp, "combo-*.yaml"))):
    on = set(open(p[:-5] + ".on").read().split())
    docs = objs(p)
    names = {o["metadata"]["name"] for o in find(docs, "APIService")}
    want = set().union(*[GROUPS[c] for c in GROUPS if c in on])
    check(names == want, f"[{' '.join(sorted(on))}]: APIServices {sorted(names)}, want {sorted(want)}")
    adapter = find(docs, "Deployment", "rizk-metrics-adapter")[0]["spec"]["template"]["spec"]["containers"][0]
    cm = "cert-manager" in on
    check(bool(find(docs, "Certificate")) == cm, f"[{on}]: Certificates iff cert-manager")
    check(any(a.startswith("--tls.cert-file=") for a in adapter["args"]) == cm, f"[{on}]: serving cert files iff cert-manager")
    for o in find(docs, "APIService"):
        if cm:
            check(o["spec"].get("insecureSkipTLSVerify") is False and
                  o["metadata"]["annotations"].get("cert-manager.io/inject-ca-from") == "rizk-system/rizk-metrics-adapter-tls",
                  f"[{on}] {o['metadata']['name']}: verified with cert-manager's CA")
    po = "prometheus-operator" in on
    check(bool(find(docs, "PodMonitor")) == po and bool(find(docs, "PrometheusRule")) == po, f"[{on}]: monitoring objects iff prometheus-operator")
    rc = "redis-cluster" in on
    sts = find(docs, "StatefulSet", "redis-cluster")
    check(bool(sts) == rc and (not rc or sts[0]["spec"]["replicas"] == 6), f"[{on}]: a StatefulSet of 6 iff redis-cluster")
    for dep in find(docs, "Deployment"):
        for c in pod_containers(dep):
            if not c["image"].startswith("localhost/rizk-metrics"):
                continue
            names = [e["name"] for e in c.get("env", [])]
            check(("REDIS_CLUSTER_URL" in names) == rc and ("REDIS_URL" in names) != rc,
                  f"[{on}] {dep['metadata']['name']}: REDIS_CLUSTER_URL xor REDIS_URL: {names}")
            if rc:
                open(os.path.join(tmp, dep["metadata"]["name"] + ".cluster-url"), "w").write(
                    [e["value"] for e in c["env"] if e["name"] == "REDIS_CLUSTER_URL"][0])
    other = {c["image"] for o in docs if o["kind"] in ("Deployment", "StatefulSet", "Job") for c in pod_containers(o)}
    other -= {"localhost/rizk-metrics:0.1.0", "registry.example.com/rizk-app:latest"}
    check(other <= {"docker.io/library/redis:7.2"}, f"[{on}]: no third-party image: {other}")
    if po:
        rule = find(docs, "PrometheusRule")[0]
        want_groups = yaml.safe_load(open(os.path.join(root, "deploy/prometheus/rules.yml")))["groups"]
        check(rule["spec"]["groups"] == want_groups, "PrometheusRule groups == deploy/prometheus/rules.yml")
        yaml.safe_dump({"groups": rule["spec"]["groups"]}, open(os.path.join(tmp, "promrule.yml"), "w"))
if bad:
    sys.exit(1)
PY
pass "default: no CRD, our images only, the guide's HPA field by field, the app and sidecar on 8080 and 9090, adapter with nothing cluster-specific"
pass "every combination: APIServices exactly for the components on, cert-manager wiring, monitoring objects, Redis Cluster wiring, no third-party image"

"$PY" "$ROOT/deploy/components/prometheus-operator/generate.py" --check \
    || fail "prometheusrule.yaml is not what generate.py makes from deploy/prometheus/rules.yml"
promtool check rules "$E2E_TMP/promrule.yml" > "$E2E_TMP/promtool.log" 2>&1 \
    || fail "promtool check rules on the PrometheusRule: $(cat "$E2E_TMP/promtool.log")"
pass "the PrometheusRule is generated from rules.yml and passes promtool check rules"

mapfile -t ARGS < "$E2E_TMP/sidecar.args"
POD_NAME=x POD_NAMESPACE=y "$RIZK_BIN" sidecar "${ARGS[@]}" --check-config > "$E2E_TMP/check.out" 2>&1 \
    || fail "the sidecar's flags: $(cat "$E2E_TMP/check.out")"
REDIS_CLUSTER_URL=$(cat "$E2E_TMP/rizk-app.cluster-url") POD_NAME=x POD_NAMESPACE=y \
    "$RIZK_BIN" sidecar "${ARGS[@]}" --check-config > "$E2E_TMP/check.out" 2>&1 \
    || fail "the sidecar's flags with the Redis Cluster seeds: $(cat "$E2E_TMP/check.out")"
pass "the sidecar's flags pass --check-config (with REDIS_URL and with the cluster's seeds)"
mapfile -t ARGS < "$E2E_TMP/adapter.args"
REDIS_URL=redis://redis:6379/0 "$RIZK_BIN" adapter "${ARGS[@]}" --check-config > "$E2E_TMP/check.out" 2>&1 \
    || fail "the adapter's default flags: $(cat "$E2E_TMP/check.out")"
pass "the adapter's default flags pass --check-config (no certificate: generated at start)"
exit 0
