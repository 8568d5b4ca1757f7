#!/usr/bin/env bash
# Real pod, podman kube play: the app container burns CPU under a 500m limit and holds 48 MiB
# under a 64Mi limit. Sidecar A (shared process namespace, basis app, --app.container since a
# second sidecar shares the pod) must report the app container's usage / limit, compared with the
# app cgroup's own counters read here on the host, while its own container stays near zero.
# Sidecar B (the node's cgroup tree mounted read-only, pod found by its UID) reports the pod
# basis. Both run as 65532 with a read-only root file system.
. "$E2E_LIB"
. "$(dirname "$0")/lib.sh"
need curl
pod_images

PA=$(free_port); PB=$(free_port)
WINDOW=10
Y=$E2E_TMP/signals.yaml
cat >"$Y" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: rizk-sig
  labels: {app: rizk-sig}
spec:
  hostNetwork: true
  shareProcessNamespace: true
  securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532}
  containers:
    - name: app
      image: localhost/rizk-demo-app:test
      args: ["--burn=2", "--hold-mib=48", "--rate=0"]
      resources:
        limits: {cpu: 500m, memory: 64Mi}
    - name: sidecar-a
      image: localhost/rizk-metrics:test
      args: ["sidecar", "--web.listen-address=127.0.0.1:$PA", "--statsd.listen-address=",
             "--app.container=demo-app", "--history.interval=500ms", "--signals.window=${WINDOW}s"]
      env:
$(pod_sanitizer_env)
        - {name: RIZK_LOG_LEVEL, value: info}
      resources:
        limits: {cpu: 100m, memory: $SIDECAR_MEM}
      securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
    - name: sidecar-b
      image: localhost/rizk-metrics:test
      args: ["sidecar", "--web.listen-address=127.0.0.1:$PB", "--statsd.listen-address=",
             "--signals.basis=pod", "--path.cgroupfs=/host/sys/fs/cgroup",
             "--history.interval=500ms", "--signals.window=${WINDOW}s"]
      env:
$(pod_sanitizer_env)
        - name: POD_UID
          valueFrom: {fieldRef: {fieldPath: metadata.uid}}
      volumeMounts:
        - {name: cgroup, mountPath: /host/sys/fs/cgroup, readOnly: true}
      resources:
        limits: {cpu: 100m, memory: $SIDECAR_MEM}
      securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
  volumes:
    - name: cgroup
      hostPath: {path: /sys/fs/cgroup, type: Directory}
YAML
pod_play "$Y"
wait_http "http://127.0.0.1:$PA/ready" 900 || fail "sidecar A not ready"
wait_http "http://127.0.0.1:$PB/ready" 900 || fail "sidecar B not ready"
pass "pod with an app and two sidecars plays"

APP=$(pod_pid rizk-sig-app); SA=$(pod_pid rizk-sig-sidecar-a)
# let the app reach its limit and the window fill with it
sleep $((WINDOW + 2))
read -r c0 _ _ _ < <(cg_read "$APP")
read -r p0 _ _ _ < <(cg_read "$APP" pod)
read -r s0 _ _ _ < <(cg_read "$SA")
t0=$(date +%s.%N)
sleep "$WINDOW"
read -r c1 ws climit mlimit < <(cg_read "$APP")
read -r p1 pws pclimit pmlimit < <(cg_read "$APP" pod)
read -r s1 sws sclimit smlimit < <(cg_read "$SA")
t1=$(date +%s.%N)
curl -sf -o "$E2E_TMP/a.txt" "http://127.0.0.1:$PA/metrics" || fail "GET A /metrics"
curl -sf -o "$E2E_TMP/b.txt" "http://127.0.0.1:$PB/metrics" || fail "GET B /metrics"

calc() { "$PY" -c "print(repr($1))"; }
exp_cpu=$(calc "($c1 - $c0) / ($t1 - $t0) / $climit")
exp_mem=$(calc "$ws / $mlimit")
own_cpu=$(calc "($s1 - $s0) / ($t1 - $t0) / $sclimit")
own_mem=$(calc "$sws / $smlimit")
exp_pcpu=$(calc "($p1 - $p0) / ($t1 - $t0) / $pclimit")
exp_pmem=$(calc "$pws / $pmlimit")
a_cpu=$(metric_value "$E2E_TMP/a.txt" rizk_cpu_utilization_ratio)
a_mem=$(metric_value "$E2E_TMP/a.txt" rizk_memory_utilization_ratio)
b_cpu=$(metric_value "$E2E_TMP/b.txt" rizk_cpu_utilization_ratio)
b_mem=$(metric_value "$E2E_TMP/b.txt" rizk_memory_utilization_ratio)
a_app_cpu=$(metric_value "$E2E_TMP/a.txt" 'rizk_container_cpu_usage_seconds_total{container="demo-app"}')
a_app_lim=$(metric_value "$E2E_TMP/a.txt" 'rizk_container_cpu_limit_cores{container="demo-app"}')
a_app_mlim=$(metric_value "$E2E_TMP/a.txt" 'rizk_container_memory_limit_bytes{container="demo-app"}')

echo "# measured (window ${WINDOW}s)         sidecar    app cgroup on the host"
printf '# (a) cpu  app usage/limit       %-10.4f %.4f  (%.3f cores / %s)\n' "$a_cpu" "$exp_cpu" \
    "$(calc "($c1 - $c0) / ($t1 - $t0)")" "$climit"
printf '# (a) mem  app working set/limit %-10.4f %.4f  (%s / %s bytes)\n' "$a_mem" "$exp_mem" "$ws" "$mlimit"
printf "# (a) sidecar A own cpu, mem     -          %.4f %.4f  (of 100m, $SIDECAR_MEM)\n" "$own_cpu" "$own_mem"
printf '# (b) cpu  pod usage/capacity    %-10.4f %.4f  (limit or node CPUs: %s)\n' "$b_cpu" "$exp_pcpu" "$pclimit"
printf '# (b) mem  pod working set/limit %-10.6f %.6f  (%s / %s bytes)\n' "$b_mem" "$exp_pmem" "$pws" "$pmlimit"

printf '# cgroup collector duration (last tick): A %s s, B %s s\n' \
    "$(metric_value "$E2E_TMP/a.txt" 'rizk_collector_duration_seconds{collector="cgroup"}')" \
    "$(metric_value "$E2E_TMP/b.txt" 'rizk_collector_duration_seconds{collector="cgroup"}')"
assert_eq "$(metric_value "$E2E_TMP/a.txt" 'rizk_signal_basis_info{signal="cpu",basis="app",requested="auto"}')" 1 "(a) cpu basis app"
assert_eq "$(metric_value "$E2E_TMP/a.txt" 'rizk_signal_basis_info{signal="memory",basis="app",requested="auto"}')" 1 "(a) memory basis app"
assert_num "$a_app_lim" 0.5 "(a) the app's CPU limit, 500m"
assert_num "$a_app_mlim" 67108864 "(a) the app's memory limit, 64Mi"
near "$a_app_cpu" "$c1" 1.0 || fail "(a) app cpu seconds $a_app_cpu vs cgroup $c1"
pass "(a) rizk_container_cpu_usage_seconds_total{container=demo-app} follows the app cgroup"
near "$a_cpu" "$exp_cpu" 0.1 || fail "(a) cpu ratio $a_cpu vs app cgroup $exp_cpu"
# On an idle machine the app runs at its limit (ratio about 1); a loaded one gives it less, so
# only "it burned" is required of the app itself.
"$PY" -c "import sys; sys.exit(0 if $exp_cpu > 0.05 else 1)" || fail "(a) the app did not burn ($exp_cpu)"
pass "(a) rizk_cpu_utilization_ratio $a_cpu = app usage / limit $exp_cpu"
near "$a_mem" "$exp_mem" 0.02 || fail "(a) memory ratio $a_mem vs app cgroup $exp_mem"
"$PY" -c "import sys; sys.exit(0 if $exp_mem > 0.7 else 1)" || fail "(a) the app does not hold its 48 MiB ($exp_mem)"
pass "(a) rizk_memory_utilization_ratio $a_mem = app working set / limit $exp_mem"
"$PY" -c "import sys; sys.exit(0 if $own_cpu < 0.5 and $own_mem < 0.5 and $own_cpu < $exp_cpu else 1)" ||
    fail "(a) the sidecar's own container is not near zero: cpu $own_cpu mem $own_mem"
pass "(a) the sidecar's own container stays near zero (cpu $own_cpu, memory $own_mem of its limits)"

assert_eq "$(metric_value "$E2E_TMP/b.txt" 'rizk_signal_basis_info{signal="cpu",basis="pod",requested="pod"}')" 1 "(b) cpu basis pod"
near "$b_cpu" "$exp_pcpu" 0.05 || fail "(b) pod cpu ratio $b_cpu vs pod cgroup $exp_pcpu"
pass "(b) pod basis cpu $b_cpu = pod usage / capacity $exp_pcpu"
near "$b_mem" "$exp_pmem" "$(calc "max(0.002, 0.05 * $exp_pmem)")" || fail "(b) pod memory ratio $b_mem vs $exp_pmem"
pass "(b) pod basis memory $b_mem = pod working set / limit $exp_pmem"

# (e) read-only root file system, non-root user, and still serving
for c in rizk-sig-sidecar-a rizk-sig-sidecar-b; do
    assert_eq "$(podman inspect "$c" --format '{{.HostConfig.ReadonlyRootfs}}')" true "(e) $c read-only root"
    uid=$(awk '$1=="Uid:"{print $2}' "/proc/$(pod_pid "$c")/status")
    assert_eq "$uid" 65532 "(e) $c runs as 65532"
done
assert_eq "$(podman image inspect localhost/rizk-metrics:test --format '{{.Config.User}}')" 65532:65532 "(e) image user 65532"
