#!/usr/bin/env bash
# The Rizk scaling guide's ordered rollout of deploy/ (its deploy-scaled.sh): prerequisites,
# Redis, the app at its minimal replica count and a wait, health checks, the HPA and the PDB,
# monitoring, a bounded load check, and `rizk-metrics check`. Every wait has a timeout; a failure
# names the step. --dry-run prints every step and command and runs none.
#
#   deploy/deploy.sh [--namespace NS] [--context CTX] [--timeout SECONDS] [--load-seconds N]
#                    [--local-port PORT] [--external-metrics] [--cert-manager]
#                    [--prometheus-operator] [--redis-cluster] [--no-custom-metrics] [--dry-run]
set -euo pipefail

usage() {
    sed -n '/^#   deploy/,/^set -euo/p' "$0" | sed '$d; s/^#//' >&2
    exit 2
}

HERE=$(cd "$(dirname "$0")" && pwd)
NS=default
CONTEXT=
TIMEOUT=300
LOAD_SECONDS=30
LOCAL_PORT=18080   # the load check's kubectl port-forward
DRY_RUN=0
COMPONENTS=(custom-metrics-api)
EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
    --namespace) NS=${2:?--namespace needs a value}; shift ;;
    --namespace=*) NS=${1#*=} ;;
    --context) CONTEXT=${2:?--context needs a value}; shift ;;
    --context=*) CONTEXT=${1#*=} ;;
    --timeout) TIMEOUT=${2:?--timeout needs a value}; shift ;;
    --timeout=*) TIMEOUT=${1#*=} ;;
    --load-seconds) LOAD_SECONDS=${2:?--load-seconds needs a value}; shift ;;
    --load-seconds=*) LOAD_SECONDS=${1#*=} ;;
    --local-port) LOCAL_PORT=${2:?--local-port needs a value}; shift ;;
    --local-port=*) LOCAL_PORT=${1#*=} ;;
    --external-metrics) EXTRA+=(external-metrics-api) ;;
    --cert-manager) CERT_MANAGER=1 ;;
    --prometheus-operator) EXTRA+=(prometheus-operator) ;;
    --redis-cluster) EXTRA+=(redis-cluster) ;;
    --no-custom-metrics) COMPONENTS=() ;;
    --dry-run) DRY_RUN=1 ;;
    -h | --help) usage ;;
    *) echo "deploy.sh: unknown argument: $1" >&2; usage ;;
    esac
    shift
done
for v in TIMEOUT LOAD_SECONDS LOCAL_PORT; do
    n=${v,,}; n=${n//_/-}
    if ! [[ ${!v} =~ ^[0-9]+$ ]] || [ "${!v}" -lt 1 ]; then echo "deploy.sh: --$n: a whole number >= 1" >&2; exit 2; fi
done
if [ "$LOCAL_PORT" -gt 65535 ]; then echo "deploy.sh: --local-port: a port from 1 to 65535" >&2; exit 2; fi
COMPONENTS+=("${EXTRA[@]}")
# cert-manager patches the APIServices present when it runs: it comes last
[ -n "${CERT_MANAGER:-}" ] && COMPONENTS+=(cert-manager)
has() { local c; for c in "${COMPONENTS[@]}"; do [ "$c" = "$1" ] && return 0; done; return 1; }

KUBECTL=(kubectl)
[ -n "$CONTEXT" ] && KUBECTL+=(--context "$CONTEXT")
STEP=0
STEP_NAME=
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rizk-deploy.XXXXXX")
PF_PID=
cleanup() {
    local rc=$?
    [ -n "$PF_PID" ] && kill "$PF_PID" 2>/dev/null
    rm -rf "$WORK"
    if [ "$rc" -ne 0 ] && [ "$STEP" -gt 0 ]; then
        echo "deploy.sh: FAILED at step $STEP ($STEP_NAME), exit $rc" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT

step() {
    STEP=$((STEP + 1))
    STEP_NAME=$1
    echo "==> step $STEP: $1"
}
# run CMD...: print the command; run it unless --dry-run
run() {
    printf '+'; printf ' %q' "$@"; printf '\n'
    [ "$DRY_RUN" = 1 ] || "$@"
}
# poll DESCRIPTION CMD...: run CMD every 5 s until it succeeds or --timeout passes
poll() {
    local what=$1; shift
    printf '+ until'; printf ' %q' "$@"; printf '; do sleep 5; done   # at most %ss\n' "$TIMEOUT"
    [ "$DRY_RUN" = 1 ] && return 0
    local deadline=$((SECONDS + TIMEOUT))
    until "$@" > /dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "deploy.sh: timed out after ${TIMEOUT}s waiting for $what" >&2; return 1; }
        sleep 5
    done
}
k() { run "${KUBECTL[@]}" "$@"; }
RENDERED=$WORK/rendered.yaml
# apply_part SELECTOR [NAMESPACE]: the rendered objects carrying these labels
apply_part() {
    if [ -n "${2:-}" ]; then k apply --namespace "$2" --selector "$1" --filename "$RENDERED"
    else k apply --selector "$1" --filename "$RENDERED"; fi
}

step "prerequisites: kubectl, the cluster, metrics-server, the metrics API slots, the manifests"
run command -v kubectl
k version
k get apiservice v1beta1.metrics.k8s.io   # metrics-server: the HPA's cpu and memory metrics
for g in custom.metrics.k8s.io:custom-metrics-api external.metrics.k8s.io:external-metrics-api; do
    group=${g%%:*}; comp=${g#*:}
    has "$comp" || continue
    # one server per group: never take the slot of prometheus-adapter or KEDA (their HPAs break)
    for v in v1beta2 v1beta1; do
        [ "$group" = external.metrics.k8s.io ] && [ "$v" = v1beta2 ] && continue
        printf '+ %s get apiservice %s.%s -o jsonpath={.spec.service.namespace}/{.spec.service.name}   # must be absent or rizk-system/rizk-metrics-adapter\n' "${KUBECTL[*]}" "$v" "$group"
        [ "$DRY_RUN" = 1 ] && continue
        owner=$("${KUBECTL[@]}" get apiservice "$v.$group" -o 'jsonpath={.spec.service.namespace}/{.spec.service.name}' 2>/dev/null || true)
        if [ -n "$owner" ] && [ "$owner" != rizk-system/rizk-metrics-adapter ]; then
            echo "deploy.sh: $v.$group is served by $owner; rerun without the $comp component (--no-custom-metrics / no --external-metrics)" >&2
            exit 1
        fi
    done
done
if has cert-manager; then k get crd certificates.cert-manager.io; fi
if has prometheus-operator; then k get crd podmonitors.monitoring.coreos.com prometheusrules.monitoring.coreos.com; fi
# deploy/ as shipped, with the chosen components
run cp -r "$HERE" "$WORK/deploy"
printf '+ set components: %s in %s\n' "${COMPONENTS[*]}" "$WORK/deploy/kustomization.yaml"
if [ "$DRY_RUN" != 1 ]; then
    sed -i '/^components:/,/^[^ ]/{/^  - components\//d}' "$WORK/deploy/kustomization.yaml"
    sed -i '/^components:/d' "$WORK/deploy/kustomization.yaml"
    if [ ${#COMPONENTS[@]} -gt 0 ]; then
        { echo "components:"; for c in "${COMPONENTS[@]}"; do echo "  - components/$c"; done; } >> "$WORK/deploy/kustomization.yaml"
    fi
fi
printf '+ %s kustomize %s > %s\n' "${KUBECTL[*]}" "$WORK/deploy" "$RENDERED"
[ "$DRY_RUN" = 1 ] || "${KUBECTL[@]}" kustomize "$WORK/deploy" > "$RENDERED"
k get namespace "$NS"
apply_part app.kubernetes.io/component=namespace   # rizk-system

step "Redis: the L2 cache and the fleet registry"
if has redis-cluster; then
    apply_part app.kubernetes.io/name=redis-cluster
    k rollout status statefulset/redis-cluster --namespace rizk-system --timeout "${TIMEOUT}s"
    k wait job/redis-cluster-create --namespace rizk-system --for condition=complete --timeout "${TIMEOUT}s"
else
    # REDIS_URL (and an optional password) for the sidecars and for the adapter
    k get secret rizk-redis --namespace "$NS"
    k get secret rizk-redis --namespace rizk-system
fi

step "the adapter (custom metrics API) and its APIServices"
apply_part app.kubernetes.io/name=rizk-metrics-adapter,app.kubernetes.io/component!=namespace
k rollout status deployment/rizk-metrics-adapter --namespace rizk-system --timeout "${TIMEOUT}s"
if has custom-metrics-api; then
    k wait apiservice/v1beta2.custom.metrics.k8s.io --for condition=Available --timeout "${TIMEOUT}s"
fi
if has external-metrics-api; then
    k wait apiservice/v1beta1.external.metrics.k8s.io --for condition=Available --timeout "${TIMEOUT}s"
fi

step "the app at its minimal replica count (3), and wait"
apply_part 'app.kubernetes.io/name=rizk-app,app.kubernetes.io/component in (app,metrics)' "$NS"
k scale deployment/rizk-app --namespace "$NS" --replicas 3
k rollout status deployment/rizk-app --namespace "$NS" --timeout "${TIMEOUT}s"

step "health checks: every pod's app /ready and sidecar /readyz, the signals published"
k wait pod --namespace "$NS" --selector app=rizk-app --for condition=Ready --timeout "${TIMEOUT}s"
PODS=(rizk-app-pod)
if [ "$DRY_RUN" != 1 ]; then
    mapfile -t PODS < <("${KUBECTL[@]}" get pod --namespace "$NS" --selector app=rizk-app \
        --field-selector status.phase=Running -o 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}')
fi
for pod in "${PODS[@]}"; do
    k get --raw "/api/v1/namespaces/$NS/pods/$pod:8080/proxy/ready"
    k get --raw "/api/v1/namespaces/$NS/pods/$pod:9090/proxy/readyz"
done
if has custom-metrics-api; then
    # the sidecars publish to the fleet registry and the adapter serves it (an idle app's rate is 0)
    poll "the custom metrics API to serve rizk_requests_per_second" "${KUBECTL[@]}" get --raw \
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/$NS/pods/*/rizk_requests_per_second?labelSelector=app%3Drizk-app"
fi

step "the HPA and the PodDisruptionBudget"
apply_part 'app.kubernetes.io/name=rizk-app,app.kubernetes.io/component in (autoscaler,disruption-budget)' "$NS"
k wait hpa/rizk-app --namespace "$NS" --for condition=AbleToScale --timeout "${TIMEOUT}s"

step "monitoring: the Prometheus rules (ConfigMap; PodMonitor and PrometheusRule with --prometheus-operator)"
apply_part app.kubernetes.io/name=rizk-metrics "$NS"

step "a bounded load check: ${LOAD_SECONDS}s of requests through Service rizk-app, none may fail"
PORT=$LOCAL_PORT
printf '+ %s port-forward --namespace %q service/rizk-app %s:80 &\n' "${KUBECTL[*]}" "$NS" "$PORT"
if [ "$DRY_RUN" != 1 ]; then
    "${KUBECTL[@]}" port-forward --namespace "$NS" service/rizk-app "$PORT:80" > "$WORK/pf.log" 2>&1 &
    PF_PID=$!
fi
poll "the port-forward to Service rizk-app" curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/ready"
printf '+ for %ss: curl -s http://127.0.0.1:%s/ready   # at most 50 requests/s\n' "$LOAD_SECONDS" "$PORT"
if [ "$DRY_RUN" != 1 ]; then
    end=$((SECONDS + LOAD_SECONDS)); ok=0; failed=0
    while [ "$SECONDS" -lt "$end" ]; do
        if curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$PORT/ready" | grep -qx 200; then
            ok=$((ok + 1)); else failed=$((failed + 1)); fi
        sleep 0.02
    done
    echo "load check: $ok answered 200, $failed failed"
    if [ "$failed" -ne 0 ] || [ "$ok" -eq 0 ]; then echo "deploy.sh: $failed of $((ok + failed)) requests failed" >&2; exit 1; fi
    kill "$PF_PID" 2>/dev/null; PF_PID=
fi
k get hpa rizk-app --namespace "$NS"

step "rizk-metrics check: the guide's scaling-readiness validation, from a sidecar"
k exec --namespace "$NS" deployment/rizk-app --container rizk-metrics -- rizk-metrics check --url=http://127.0.0.1:9090

if [ "$DRY_RUN" = 1 ]; then echo "deploy.sh: dry run done: nothing was changed"; else echo "deploy.sh: done"; fi
