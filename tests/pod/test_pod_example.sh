#!/usr/bin/env bash
# The image and deploy/examples/podman/pod.yaml, as a new user runs them: the image built from
# scratch has no shell, runs as 65532, carries the OCI labels and agrees with the Dockerfile;
# the example pod plays with only its ports and image tags changed (c) the app's statsd reaches
# the sidecar, /metrics and /ready answer on the host, the signals measure the app; (d) stopping
# the pod's containers sends SIGTERM and the sidecar exits 0 within the 5 s it is given.
. "$E2E_LIB"
. "$(dirname "$0")/lib.sh"
need curl
pod_images
IMG=localhost/rizk-metrics:test

# --- the image
version=$("$RIZK_BIN" --version | awk '{print $3}')
inspect() { podman image inspect "$IMG" --format "$1"; }
assert_eq "$(inspect '{{index .Config.Labels "org.opencontainers.image.version"}}')" "$version" "image version label"
assert_eq "$(inspect '{{index .Config.Labels "org.opencontainers.image.source"}}')" https://example.com/rizk-metrics "image source label"
rev=$(inspect '{{index .Config.Labels "org.opencontainers.image.revision"}}')
"$RIZK_BIN" --version | grep -qF "(revision $rev)" || fail "image revision label [$rev] is not the binary's"
pass "image revision label $rev"
# the Dockerfile's runtime stage says the same
df=$RIZK_SRC/deploy/image/Dockerfile
assert_eq "$(awk '$1=="USER"{print $2}' "$df")" "$(inspect '{{.Config.User}}')" "Dockerfile USER = image user"
assert_eq "$(awk '$1=="ENTRYPOINT"{print $2}' "$df")" "$(inspect '{{json .Config.Entrypoint}}')" "Dockerfile ENTRYPOINT = image entrypoint"
assert_eq "$(awk '$1=="CMD"{print $2}' "$df")" "$(inspect '{{json .Config.Cmd}}')" "Dockerfile CMD = image cmd"
for l in title description source version revision; do
    grep -q "org.opencontainers.image.$l=" "$df" || fail "Dockerfile lacks label $l"
done
pass "Dockerfile labels match build-local.sh's"
podman run --rm --entrypoint /bin/sh "$IMG" -c true >/dev/null 2>&1 && fail "the image has a shell"
pass "no shell in the image"
podman run --rm --network host --read-only "$IMG" version >"$E2E_TMP/v.txt" 2>&1 || fail "podman run version: $(cat "$E2E_TMP/v.txt")"
grep -qF "rizk-metrics version $version" "$E2E_TMP/v.txt" || fail "version from the image: $(cat "$E2E_TMP/v.txt")"
pass "podman run --read-only $IMG version"
size=$(inspect '{{.Size}}')
echo "# image size: $size bytes ($(( size / 1024 / 1024 )) MiB), $(podman image tree "$IMG" 2>/dev/null | wc -l) layer lines"

# --- (c) the example pod
P=$(free_port); S=$(free_port); AP=$(free_port)
Y=$E2E_TMP/example.yaml
sed -e "s/:8080/:$P/; s/port: 8080/port: $P/g; s/127.0.0.1:8125/127.0.0.1:$S/g; s/\"8125\"/\"$S\"/" \
    -e "s/--listen=8000/--listen=$AP/; s/port: 8000/port: $AP/g; s/--app.port=8000/--app.port=$AP/" \
    -e "s#localhost/rizk-demo-app:latest#localhost/rizk-demo-app:test#; s#localhost/rizk-metrics:0.1.0#$IMG#" \
    -e "s/limits: {cpu: 100m, memory: 32Mi}/limits: {cpu: 100m, memory: $SIDECAR_MEM}/" \
    "$RIZK_SRC/deploy/examples/podman/pod.yaml" >"$Y"
if [ -n "${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" ]; then
    "$PY" - "$Y" "${ASAN_OPTIONS:-}" "${UBSAN_OPTIONS:-}" <<'PYEOF'
import sys
p, asan, ubsan = sys.argv[1:]
s = open(p).read()
add = "".join(f'        - {{name: {k}, value: "{v}"}}\n' for k, v in (("ASAN_OPTIONS", asan), ("UBSAN_OPTIONS", ubsan)) if v)
s = s.replace("        - name: POD_NAME\n", add + "        - name: POD_NAME\n", 1)
open(p, "w").write(s)
PYEOF
fi
grep -v '^ *#' "$Y" | grep -q "8080\|8125\|8000" && fail "a default port is left in the example: $(grep -n '8080\|8125\|8000' "$Y")"
pod_play "$Y"
wait_http "http://127.0.0.1:$P/ready" 900 || fail "(c) the sidecar's /ready does not answer on the host"
wait_http "http://127.0.0.1:$AP/health" 900 || fail "(c) the app's /health does not answer on the host"
pass "(c) /ready of the sidecar and /health of the app answer on the host"
for _ in $(seq 600); do
    curl -sf -o "$E2E_TMP/m.txt" "http://127.0.0.1:$P/metrics" || fail "(c) GET /metrics"
    [ -n "$(metric_value "$E2E_TMP/m.txt" rizk_requests_per_second)" ] &&
        [ "$(metric_value "$E2E_TMP/m.txt" 'rizk_signal_basis_info{signal="cpu",basis="app",requested="auto"}')" = 1 ] && break
    sleep 0.2
done
req=$(metric_value "$E2E_TMP/m.txt" rizk_requests_total)
err=$(metric_value "$E2E_TMP/m.txt" rizk_request_errors_total)
"$PY" -c "import sys; sys.exit(0 if $req >= 10 else 1)" || fail "(c) statsd from the app not counted: requests $req"
pass "(c) the app's statsd reaches the sidecar: rizk_requests_total $req, errors $err"
"$PY" -c "import sys; r,e=$req,$err; sys.exit(0 if abs(e - r/10) <= 1 else 1)" || fail "(c) one request in 10 fails: $err of $req"
pass "(c) 5xx statuses counted as errors ($err of $req)"
assert_eq "$(metric_value "$E2E_TMP/m.txt" 'rizk_signal_basis_info{signal="memory",basis="app",requested="auto"}')" 1 "(c) the signals measure the app container"
assert_num "$(metric_value "$E2E_TMP/m.txt" 'rizk_container_memory_limit_bytes{container="demo-app"}')" 134217728 "(c) the app's 128Mi limit is read"
assert_num "$(metric_value "$E2E_TMP/m.txt" 'rizk_container_cpu_limit_cores{container="rizk-metrics"}')" 0.1 "(c) the sidecar's own 100m limit"
curl -sf "http://127.0.0.1:$P/api/v1/current" | grep -q '"rizk_memory_utilization_ratio":0\.' || fail "(c) /api/v1/current lacks the memory signal"
pass "(c) /api/v1/current carries the app's memory signal"

# --- (d) stop: SIGTERM with 5 s to go, then SIGKILL (exit 137). podman 4.3's `kube down` kills
# at once and a shared process namespace dies with its infra process, so the containers are
# stopped first, as the README says.
id=$(podman inspect rizk-app-rizk-metrics --format '{{.Id}}')
# A sanitizer build (the ASan pass of .ci/run) does its exit-time leak scan and runs several times
# slower: it gets 15 s; the 5 s bound of SPEC 8 is asserted on the release build.
stop_s=5
readelf -d "$RIZK_BIN" 2>/dev/null | grep -q 'lib[at]san' && stop_s=15
podman stop -t "$stop_s" rizk-app-rizk-metrics >/dev/null || fail "(d) podman stop of the sidecar"
podman stop -t 5 rizk-app-app >/dev/null || fail "(d) podman stop of the app"
podman kube down "$Y" >/dev/null 2>&1 || fail "(d) podman kube down"
died=$(grep -F "$id" "$POD_DIR/events.log" | grep -F '"Status":"died"' | head -1)
[ -n "$died" ] || fail "(d) no died event for the sidecar"
code=$(echo "$died" | "$PY" -c 'import json,sys; print(json.loads(sys.stdin.read()).get("ContainerExitCode", 0))')
assert_eq "$code" 0 "(d) the sidecar exits 0 on SIGTERM within the ${stop_s} s stop timeout"
podman logs "$id" >/dev/null 2>&1 && fail "(d) the sidecar container is still there after kube down"
pass "(d) podman kube down removed the pod"
