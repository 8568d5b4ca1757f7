#!/usr/bin/env bash
# deploy/adapter renders with `kubectl kustomize` and holds what an aggregated API server needs
# (reference/k8s-custom-metrics.md 4.1-4.5): a Deployment of 2 whose flags pass the binary's
# --check-config, probes over HTTPS on the probe paths, a Service 443 -> 6443, the three
# APIServices named <version>.<group> pointing at it (v1beta2 preferred), the auth-delegator
# and extension-apiserver-authentication-reader bindings (the latter in kube-system: the
# kustomization must not force a namespace), a reader ClusterRole bound to the HPA controller,
# and the ServiceAccount. The examples render: an autoscaling/v2 HPA on
# rizk_requests_per_second (Pods, AverageValue 100) and a KEDA ScaledObject on /api/v1/fleet.
. "$E2E_LIB"
need kubectl
"$PY" -c 'import yaml' 2>/dev/null || skip "python3-yaml not installed"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
kubectl kustomize "$ROOT/deploy/adapter" > "$E2E_TMP/adapter.yaml" 2> "$E2E_TMP/k.err" \
    || fail "kubectl kustomize deploy/adapter: $(cat "$E2E_TMP/k.err")"
pass "kubectl kustomize deploy/adapter"
kubectl kustomize "$ROOT/deploy/adapter/examples" > "$E2E_TMP/examples.yaml" 2> "$E2E_TMP/k.err" \
    || fail "kubectl kustomize deploy/adapter/examples: $(cat "$E2E_TMP/k.err")"
pass "kubectl kustomize deploy/adapter/examples"

"$PY" - "$E2E_TMP/adapter.yaml" "$E2E_TMP/examples.yaml" "$E2E_TMP/args" <<'PYEOF' || fail "manifest checks"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
ex = [d for d in yaml.safe_load_all(open(sys.argv[2])) if d]
def one(kind, name=None):
    m = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(m) == 1, (kind, name, len(m))
    return m[0]
ns = "rizk-system"
sa = one("ServiceAccount", "rizk-metrics-adapter")
assert sa["metadata"]["namespace"] == ns
dep = one("Deployment", "rizk-metrics-adapter")
assert dep["metadata"]["namespace"] == ns and dep["spec"]["replicas"] == 2, dep["spec"]
pod = dep["spec"]["template"]["spec"]
assert pod["serviceAccountName"] == "rizk-metrics-adapter"
c = [c for c in pod["containers"] if c["name"] == "rizk-metrics-adapter"][0]
args = c["args"]
assert args[0] == "adapter", args
flags = {a.split("=", 1)[0]: a.split("=", 1)[1] for a in args[1:]}
for f in ("--tls.cert-file", "--tls.key-file", "--client-ca-file",
          "--requestheader-client-ca-file", "--requestheader-allowed-names"):
    assert f in flags, f
assert "--insecure-http" not in flags
assert flags.get("--web.listen-address", ":6443").endswith(":6443")
port = [p for p in c["ports"] if p["name"] == "https"][0]
assert port["containerPort"] == 6443
for probe, path in (("livenessProbe", "/livez"), ("readinessProbe", "/readyz")):
    g = c[probe]["httpGet"]
    assert g["path"] == path and g["scheme"] == "HTTPS", g
mounts = {m["mountPath"] for m in c["volumeMounts"]}
assert any(flags["--tls.cert-file"].startswith(m + "/") for m in mounts)
assert any(flags["--client-ca-file"].startswith(m + "/") for m in mounts)
sc = c["securityContext"]
assert sc["readOnlyRootFilesystem"] and not sc["allowPrivilegeEscalation"], sc
assert c["env"][0]["name"] == "REDIS_URL"
svc = one("Service", "rizk-metrics-adapter")
assert svc["metadata"]["namespace"] == ns
sp = svc["spec"]["ports"][0]
assert sp["port"] == 443 and sp["targetPort"] in (6443, "https"), sp
assert svc["spec"]["selector"].items() <= dep["spec"]["template"]["metadata"]["labels"].items()
aps = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "APIService"}
assert set(aps) == {"v1beta2.custom.metrics.k8s.io", "v1beta1.custom.metrics.k8s.io",
                    "v1beta1.external.metrics.k8s.io"}, aps
for name, s in aps.items():
    assert name == s["version"] + "." + s["group"], name
    assert s["service"] == {"namespace": ns, "name": "rizk-metrics-adapter", "port": 443}, s
    assert not s.get("insecureSkipTLSVerify"), name
    assert 1 <= s["groupPriorityMinimum"] <= 20000 and 1 <= s["versionPriority"] <= 1000
assert aps["v1beta2.custom.metrics.k8s.io"]["versionPriority"] > aps["v1beta1.custom.metrics.k8s.io"]["versionPriority"]
crb = [d for d in docs if d["kind"] == "ClusterRoleBinding" and d["roleRef"]["name"] == "system:auth-delegator"]
assert len(crb) == 1 and crb[0]["subjects"] == [{"kind": "ServiceAccount", "name": sa["metadata"]["name"], "namespace": ns}]
rb = one("RoleBinding")
assert rb["metadata"]["namespace"] == "kube-system", rb["metadata"]
assert rb["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "extension-apiserver-authentication-reader"}
assert rb["subjects"][0]["namespace"] == ns
cr = one("ClusterRole", "rizk-custom-metrics-reader")
assert any("custom.metrics.k8s.io" in r["apiGroups"] and "get" in r["verbs"] for r in cr["rules"])
hb = [d for d in docs if d["kind"] == "ClusterRoleBinding" and d["roleRef"]["name"] == cr["metadata"]["name"]]
assert hb and hb[0]["subjects"][0]["name"] == "horizontal-pod-autoscaler" and hb[0]["subjects"][0]["namespace"] == "kube-system"
pdb = one("PodDisruptionBudget")
assert pdb["spec"]["minAvailable"] == 1
cert = [d for d in docs if d["kind"] == "Certificate" and d["spec"]["secretName"] == "rizk-metrics-adapter-tls"][0]
assert "rizk-metrics-adapter.rizk-system.svc" in cert["spec"]["dnsNames"]
hpa = [d for d in ex if d["kind"] == "HorizontalPodAutoscaler"][0]
assert hpa["apiVersion"] == "autoscaling/v2"
m = hpa["spec"]["metrics"][0]
assert m["type"] == "Pods" and m["pods"]["metric"]["name"] == "rizk_requests_per_second", m
assert m["pods"]["target"] == {"type": "AverageValue", "averageValue": "100"}, m
so = [d for d in ex if d["kind"] == "ScaledObject"][0]
t = so["spec"]["triggers"][0]
assert t["type"] == "metrics-api" and "/api/v1/fleet/" in t["metadata"]["url"] and t["metadata"]["valueLocation"] == "value", t
open(sys.argv[3], "w").write("\n".join(args))
PYEOF
pass "adapter objects: Deployment of 2, Service 443->6443, 3 APIServices, RBAC, PDB, certificate; examples: HPA Pods/AverageValue 100, KEDA metrics-api"
mapfile -t ARGS < "$E2E_TMP/args"
REDIS_URL=redis://redis:6379/0 "$RIZK_BIN" "${ARGS[@]}" --check-config > "$E2E_TMP/check.out" 2>&1 \
    || fail "the Deployment's flags: $(cat "$E2E_TMP/check.out")"
pass "the Deployment's flags pass rizk-metrics --check-config"
exit 0
