#!/usr/bin/env bash
# deploy/: `kubectl kustomize deploy/sidecar` and `kubectl kustomize deploy` render, and the
# objects are what an operator expects: the sidecar (native sidecar) with downward-API identity
# and labels file, Redis from an optional Secret, restricted securityContext, resources, probes
# on /healthz and /readyz, scrape annotations, a port named rizk-metrics; a Service selecting the
# pods; the Prometheus rules ConfigMap equal to deploy/prometheus/rules.yml; the adapter base
# included once deploy/adapter exists. The container's flags pass the binary's --check-config.
# Without kubectl the resource files are checked as written (no kustomize rendering).
. "$E2E_LIB"
. "$(dirname "$0")/ops_lib.sh"
"$PY" -c 'import yaml' 2>/dev/null || skip "python3-yaml not installed"
cd "$OPS_ROOT/deploy"

render() {   # render DIR OUT
    if command -v kubectl >/dev/null 2>&1; then
        kubectl kustomize "$1" > "$2" 2> "$E2E_TMP/kustomize.err" \
            || { cat "$E2E_TMP/kustomize.err"; fail "kubectl kustomize $1"; }
        pass "kubectl kustomize $1"
    else
        echo "note: kubectl not installed: checking the resource files of $1 unrendered" >&2
        "$PY" - "$1" > "$2" <<'PY'
import os, sys, yaml
def files(d):
    k = yaml.safe_load(open(os.path.join(d, "kustomization.yaml")))
    for r in k.get("resources", []):
        p = os.path.join(d, r)
        yield from files(p) if os.path.isdir(p) else [p]
print("\n---\n".join(open(f).read() for f in files(sys.argv[1])))
PY
    fi
}
render sidecar "$E2E_TMP/sidecar.yaml"
render . "$E2E_TMP/all.yaml"

RENDERED=0
command -v kubectl >/dev/null 2>&1 && RENDERED=1
"$PY" - "$E2E_TMP/sidecar.yaml" "$E2E_TMP/all.yaml" "$E2E_TMP/args" "$RENDERED" <<'PY' || fail "manifest checks"
import os, sys, yaml
sidecar_yaml, all_yaml, args_out = sys.argv[1:4]
rendered = sys.argv[4] == "1"
bad = []
def check(cond, msg):
    print(("ok - " if cond else "FAIL: ") + msg)
    if not cond:
        bad.append(msg)
def objs(path):
    return [o for o in yaml.safe_load_all(open(path)) if o]
def find(os_, kind, name=None):
    return [o for o in os_ if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]

docs = objs(sidecar_yaml)
dep = find(docs, "Deployment")
check(len(dep) == 1, "deploy/sidecar: one Deployment")
dep = dep[0]
spec = dep["spec"]["template"]["spec"]
tmeta = dep["spec"]["template"]["metadata"]
sel = dep["spec"]["selector"]["matchLabels"]
check(all(tmeta["labels"].get(k) == v for k, v in sel.items()), "the selector matches the pod template labels")
inits = {c["name"]: c for c in spec.get("initContainers", [])}
conts = {c["name"]: c for c in spec.get("containers", [])}
sc = inits.get("rizk-metrics") or conts.get("rizk-metrics")
check(sc is not None, "a container named rizk-metrics")
if "rizk-metrics" in inits:
    check(inits["rizk-metrics"].get("restartPolicy") == "Always", "the init-container sidecar has restartPolicy: Always (native sidecar)")
check(any(n != "rizk-metrics" for n in conts), "an app container beside the sidecar")
args = sc.get("args", [])
check(args[:1] == ["sidecar"], "args start with the sidecar command")
listen = [a.split("=", 1)[1] for a in args if a.startswith("--web.listen-address=")]
port = int(listen[0].rsplit(":", 1)[1]) if listen else 8080
ports = {p.get("name"): p for p in sc.get("ports", [])}
check(ports.get("rizk-metrics", {}).get("containerPort") == port,
      f"port rizk-metrics is the listen port {port} (deploy/prometheus/scrape.yml keeps it by name)")
env = {e["name"]: e for e in sc.get("env", [])}
fr = lambda n: env.get(n, {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
check(fr("POD_NAME") == "metadata.name", "POD_NAME from the downward API")
check(fr("POD_NAMESPACE") == "metadata.namespace", "POD_NAMESPACE from the downward API")
sk = env.get("REDIS_URL", {}).get("valueFrom", {}).get("secretKeyRef")
check(sk is not None and "value" not in env.get("REDIS_URL", {}), "REDIS_URL from a Secret reference")
check(bool(sk) and sk.get("optional") is True,
      "the Redis Secret is optional (a missing Secret must not keep the app container from starting)")
check(not any("password" in e["name"].lower() and "value" in e for e in sc.get("env", [])) and
      not any(a.startswith("--redis.password=") for a in args), "no literal password in env or args")
labels_file = next((a.split("=", 1)[1] for a in args if a.startswith("--pod.labels-file=")), "/etc/podinfo/labels")
vols = {v["name"]: v for v in spec.get("volumes", [])}
mounts = [m for m in sc.get("volumeMounts", []) if os.path.dirname(labels_file) == m["mountPath"].rstrip("/")]
dv = vols.get(mounts[0]["name"], {}).get("downwardAPI", {}) if mounts else {}
check(any(i.get("path") == os.path.basename(labels_file) and i.get("fieldRef", {}).get("fieldPath") == "metadata.labels"
          for i in dv.get("items", [])), f"downwardAPI volume with the pod labels at {labels_file}")
def probe(name):
    p = sc.get(name, {}).get("httpGet", {})
    return p.get("path"), p.get("port")
check(probe("livenessProbe")[0] == "/healthz", "livenessProbe on /healthz")
check(probe("readinessProbe")[0] == "/readyz", "readinessProbe on /readyz (never depends on Redis)")
check(all(probe(n)[1] in ("rizk-metrics", port) for n in ("livenessProbe", "readinessProbe")),
      "probes on the sidecar's port")
sctx = sc.get("securityContext", {})
psctx = spec.get("securityContext", {})
check(sctx.get("runAsNonRoot") or psctx.get("runAsNonRoot"), "runAsNonRoot")
check(sctx.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem")
check(sctx.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation: false")
check(sctx.get("capabilities", {}).get("drop") == ["ALL"], "capabilities drop ALL")
check((sctx.get("seccompProfile") or psctx.get("seccompProfile") or {}).get("type") == "RuntimeDefault",
      "seccompProfile RuntimeDefault")
res = sc.get("resources", {})
check("cpu" in res.get("requests", {}) and "memory" in res.get("requests", {}), "cpu and memory requests")
check("memory" in res.get("limits", {}), "a memory limit")
check(spec.get("automountServiceAccountToken") is False, "automountServiceAccountToken: false")
ann = tmeta.get("annotations", {})
check(ann.get("prometheus.io/scrape") == "true" and ann.get("prometheus.io/port") == str(port),
      "prometheus.io scrape annotations on the pod template")
for o in docs if rendered else []:
    check(o["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "rizk",
          f"{o['kind']}/{o['metadata']['name']}: app.kubernetes.io/part-of label")
svc = find(docs, "Service", "rizk-app-metrics")
check(len(svc) == 1, "deploy/sidecar: the Service rizk-app-metrics")
if svc:
    s = svc[0]["spec"]
    check(all(tmeta["labels"].get(k) == v for k, v in s["selector"].items()), "the Service selects the pods")
    check(any(p.get("targetPort") in (port, "rizk-metrics") for p in s["ports"]), "the Service targets the sidecar port")
with open(args_out, "w") as f:
    f.write("\n".join(args[1:]) + "\n")

docs = objs(all_yaml)
names = {(o["kind"], o["metadata"]["name"]) for o in docs}
check(("Deployment", "rizk-app") in names and ("Service", "rizk-app-metrics") in names, "deploy/ includes the sidecar base")
if rendered:
    cm = find(docs, "ConfigMap", "rizk-prometheus-rules")
    check(len(cm) == 1, "deploy/ has the ConfigMap rizk-prometheus-rules")
    if cm:
        check(cm[0]["data"].get("rizk-rules.yml") == open("prometheus/rules.yml").read(),
              "the ConfigMap holds deploy/prometheus/rules.yml unchanged")
k = yaml.safe_load(open("kustomization.yaml"))
if os.path.exists("adapter/kustomization.yaml"):
    check("adapter" in k.get("resources", []), "deploy/kustomization.yaml includes the adapter base")
if bad:
    sys.exit(1)
PY
pass "manifest checks"

# The sidecar's flags as written in the manifest are accepted by this build.
mapfile -t args < "$E2E_TMP/args"
POD_NAME=x POD_NAMESPACE=y "$RIZK_BIN" sidecar "${args[@]}" --check-config > "$E2E_TMP/check-config.log" 2>&1 \
    || { cat "$E2E_TMP/check-config.log"; fail "the manifest's sidecar flags fail --check-config"; }
pass "the manifest's sidecar flags pass --check-config"
