#!/usr/bin/env bash
# deploy/prometheus: `promtool check rules` and `promtool test rules` (rules_test.yml), `promtool
# check config` of scrape.yml, then a real Prometheus runs scrape.yml's relabelling and
# rules.yml against a live sidecar: Kubernetes pod discovery is replaced by a file_sd list of
# the targets it would produce (Debian's Prometheus is built without kubernetes_sd), the
# sidecar's port is kept under the expected labels, the app's port and an opted-out pod are
# dropped, and the recording rules produce fleet series with no alert firing.
. "$E2E_LIB"
. "$(dirname "$0")/ops_lib.sh"
need promtool
cd "$OPS_ROOT/deploy/prometheus"

promtool check rules rules.yml > "$E2E_TMP/check-rules.log" 2>&1 \
    || { cat "$E2E_TMP/check-rules.log"; fail "promtool check rules"; }
pass "promtool check rules: $(grep -o '[0-9]* rules found' "$E2E_TMP/check-rules.log")"
promtool test rules rules_test.yml > "$E2E_TMP/test-rules.log" 2>&1 \
    || { cat "$E2E_TMP/test-rules.log"; fail "promtool test rules"; }
pass "promtool test rules rules_test.yml"

# Every alert has summary, description and runbook_url, and the runbook section exists.
"$PY" - rules.yml README.md <<'PY' || fail "alert annotations or runbooks"
import re, sys, yaml
rules, readme = sys.argv[1], open(sys.argv[2]).read()
anchors = {re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-")
           for h in re.findall(r"^#+ (.*)$", readme, re.M)}
bad = []
for g in yaml.safe_load(open(rules))["groups"]:
    for r in g["rules"]:
        if "alert" not in r:
            continue
        a = r.get("annotations", {})
        for k in ("summary", "description", "runbook_url"):
            if not a.get(k):
                bad.append(f"{r['alert']}: no {k}")
        if "severity" not in r.get("labels", {}):
            bad.append(f"{r['alert']}: no severity label")
        path, _, frag = a.get("runbook_url", "").rpartition("#")
        if path != "deploy/prometheus/README.md" or frag != r["alert"].lower() or frag not in anchors:
            bad.append(f"{r['alert']}: runbook_url #{frag} has no section in README.md")
if bad:
    sys.exit("\n".join(bad))
PY
pass "every alert has summary, description, severity and a runbook section"

# scrape.yml: as is when this promtool knows kubernetes_sd_configs, else with file_sd in its place.
"$PY" - scrape.yml "$E2E_TMP" <<'PY' || fail "could not derive the test configuration"
import sys, yaml
src, tmp = sys.argv[1], sys.argv[2]
c = yaml.safe_load(open(src))
c["rule_files"] = [__import__("os").path.abspath("rules.yml")]
job = c["scrape_configs"][0]
assert job["job_name"] == "rizk-sidecar" and "kubernetes_sd_configs" in job
del job["kubernetes_sd_configs"]
job["file_sd_configs"] = [{"files": [tmp + "/targets.json"], "refresh_interval": "1s"}]
yaml.safe_dump(c, open(tmp + "/filesd.yml", "w"))
c["global"].update({"scrape_interval": "1s", "evaluation_interval": "1s"})
job["scrape_interval"], job["scrape_timeout"] = "1s", "1s"
yaml.safe_dump(c, open(tmp + "/live.yml", "w"))
PY
if promtool check config scrape.yml > "$E2E_TMP/check-config.log" 2>&1; then
    pass "promtool check config scrape.yml"
elif grep -q 'field kubernetes_sd_configs not found' "$E2E_TMP/check-config.log"; then
    echo '[]' > "$E2E_TMP/targets.json"
    promtool check config "$E2E_TMP/filesd.yml" > "$E2E_TMP/check-config.log" 2>&1 \
        || { cat "$E2E_TMP/check-config.log"; fail "promtool check config (file_sd in place of kubernetes_sd)"; }
    pass "promtool check config scrape.yml (this promtool has no kubernetes_sd: checked with file_sd in its place)"
else
    cat "$E2E_TMP/check-config.log"; fail "promtool check config scrape.yml"
fi

need prometheus
need curl
PORT=$(free_port)
start_ops_sidecar sc "$PORT"
# The targets Kubernetes pod discovery would give for three pods: one target per container port.
"$PY" - "$PORT" > "$E2E_TMP/targets.json" <<'PY'
import json, sys
port = sys.argv[1]
def tgt(pod, container, port_name, addr, labels, annotations={}, phase="Running"):
    l = {"__meta_kubernetes_namespace": "prod", "__meta_kubernetes_pod_name": pod,
         "__meta_kubernetes_pod_container_name": container,
         "__meta_kubernetes_pod_container_port_name": port_name,
         "__meta_kubernetes_pod_phase": phase}
    l.update({"__meta_kubernetes_pod_label_" + k: v for k, v in labels.items()})
    l.update({"__meta_kubernetes_pod_annotation_" + k: v for k, v in annotations.items()})
    return {"targets": [addr], "labels": l}
sidecar = "127.0.0.1:" + port
print(json.dumps([
    tgt("web-1", "rizk-metrics", "rizk-metrics", sidecar, {"app_kubernetes_io_name": "web", "app": "ignored"}),
    tgt("web-1", "app", "http", "127.0.0.1:1", {"app_kubernetes_io_name": "web"}),
    tgt("legacy-1", "rizk-metrics", "rizk-metrics", sidecar, {"app": "legacy"}),
    tgt("optout-1", "rizk-metrics", "rizk-metrics", "127.0.0.1:2", {"app": "x"}, {"prometheus_io_scrape": "false"}),
    tgt("done-1", "rizk-metrics", "rizk-metrics", "127.0.0.1:3", {"app": "x"}, phase="Succeeded"),
]))
PY
start_prometheus prom "$E2E_TMP/live.yml"
got=""
for _ in $(seq 150); do
    got=$(curl -s "$PROM_URL/api/v1/targets?state=active" | "$PY" -c '
import json, sys
t = json.load(sys.stdin)["data"]["activeTargets"]
print(" ".join(sorted("{}/{}/{}/{}/{}".format(x["labels"].get("namespace"), x["labels"].get("pod"), x["labels"].get("app"),
      x["labels"].get("container"), x["health"]) for x in t if x["labels"].get("job") == "rizk-sidecar")))')
    [ "$got" = "prod/legacy-1/legacy/rizk-metrics/up prod/web-1/web/rizk-metrics/up" ] && break
    sleep 0.2
done
assert_eq "$got" "prod/legacy-1/legacy/rizk-metrics/up prod/web-1/web/rizk-metrics/up" \
    "relabelling: the sidecar ports kept with namespace/pod/app/container, app port and opted-out/finished pods dropped"

# The recording rules see both "pods" (one sidecar scraped twice under two identities).
res=""
for _ in $(seq 150); do
    res=$(prom_query 'namespace_app:rizk_requests_per_second:sum')
    case "$res" in *'"app": "legacy"'*'"app": "web"'*|*'"app": "web"'*'"app": "legacy"'*) break ;; esac
    sleep 0.2
done
case "$res" in *'"namespace": "prod"'*) ;; *) fail "namespace_app:rizk_requests_per_second:sum: $res" ;; esac
pass "recording rule namespace_app:rizk_requests_per_second:sum per namespace and app"
res=$(prom_query 'namespace_app:rizk_sidecars_up:sum{app="web"}')
case "$res" in *'"1"]'*) ;; *) fail "namespace_app:rizk_sidecars_up:sum: $res" ;; esac
pass "recording rule namespace_app:rizk_sidecars_up:sum"
res=$(prom_query 'ALERTS{alertname=~"RizkSidecarDown|RizkSidecarTargetsMissing|RizkSourceDown|RizkCollectorFailing|RizkRedisDown"}')
assert_eq "$res" "[]" "no sidecar, source or Redis alert for a healthy sidecar"
