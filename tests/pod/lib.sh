# Helpers for the pod tests (sourced after tests/e2e/lib.sh): real pods under podman, on a
# private containers storage (vfs driver, --root/--runroot under the build folder) with runc and
# explicit ulimits from a containers.conf passed by CONTAINERS_CONF; /etc is never touched. The
# images are built from scratch (no registry). Everything is removed on exit, pass or fail.
: "${POD_WORK:?POD_WORK must name a scratch folder under the build tree}"
: "${RIZK_SRC:?RIZK_SRC must point at the source tree}"

[ "$(id -u)" -eq 0 ] || skip "pod tests need root (podman with runc and cgroupfs)"
for t in podman buildah runc catatonit cc; do
    command -v "$t" >/dev/null 2>&1 || [ -x "/usr/libexec/podman/$t" ] || skip "$t not installed"
done

mkdir -p "$POD_WORK"
POD_DIR=$(mktemp -d "$POD_WORK/$E2E_NAME.XXXXXX")
cat >"$POD_DIR/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$POD_DIR/root"
runroot = "$POD_DIR/runroot"
CONF
# runc: crun fails on hybrid v1 hosts; cgroupfs: no systemd needed; explicit ulimits: the
# defaults podman derives from the host fail under runc here.
cat >"$POD_DIR/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$POD_DIR/events.log"
tmp_dir = "$POD_DIR/tmp"
CONF
export CONTAINERS_STORAGE_CONF=$POD_DIR/storage.conf CONTAINERS_CONF=$POD_DIR/containers.conf
POD_YAMLS=()
# The sidecar's memory limit in the test pods: 32Mi as in the examples, more for a sanitized
# binary (AddressSanitizer's shadow memory alone passes 32Mi: the OOM killer would stop it).
SIDECAR_MEM=32Mi
ldd "$RIZK_BIN" 2>/dev/null | grep -q libasan && SIDECAR_MEM=256Mi

pod_cleanup() {
    local y c
    # the containers' logs go beside the test's logs, printed when the test failed
    for c in $(podman ps -a --format '{{.Names}}' 2>/dev/null); do
        podman logs "$c" >"$E2E_TMP/ctr-$c.log" 2>&1
        podman inspect "$c" --format 'state: {{.Name}} {{.State.Status}} exit {{.State.ExitCode}} oom {{.State.OOMKilled}}' \
            >>"$E2E_TMP/ctr-$c.log" 2>&1
    done
    for y in "${POD_YAMLS[@]}"; do podman kube down "$y" >/dev/null 2>&1; done
    podman pod rm -f -a >/dev/null 2>&1
    podman rm -f -a >/dev/null 2>&1
    podman rmi -f -a >/dev/null 2>&1
    rm -rf "$POD_DIR"
}
trap 'rc=$?; pod_cleanup; (exit $rc); e2e_cleanup' EXIT

# pod_images builds localhost/rizk-metrics:test from RIZK_BIN and localhost/rizk-demo-app:test.
pod_images() {
    RIZK_BINARY=$RIZK_BIN RIZK_IMAGE_SOURCE=https://example.com/rizk-metrics \
        "$RIZK_SRC/deploy/image/build-local.sh" test >"$E2E_TMP/build-image.log" 2>&1 ||
        { cat "$E2E_TMP/build-image.log" >&2; fail "deploy/image/build-local.sh failed"; }
    "$RIZK_SRC/deploy/examples/podman/build-demo-app.sh" test >"$E2E_TMP/build-app.log" 2>&1 ||
        { cat "$E2E_TMP/build-app.log" >&2; fail "build-demo-app.sh failed"; }
}

# pod_play YAML: plays it and records it for the cleanup.
pod_play() {
    POD_YAMLS+=("$1")
    podman kube play "$1" >"$E2E_TMP/play.log" 2>&1 || { cat "$E2E_TMP/play.log" >&2; fail "podman kube play $1"; }
}

# pod_pid CONTAINER: the host PID of the container's main process.
pod_pid() { podman inspect "$1" --format '{{.State.Pid}}'; }

# pod_sanitizer_env: the sanitizer options of this ctest run, for the containers' env (a
# sanitized binary in the image must not fail on leaks it cannot report inside a container).
pod_sanitizer_env() {
    [ -n "${ASAN_OPTIONS:-}" ] && printf '        - {name: ASAN_OPTIONS, value: "%s"}\n' "${ASAN_OPTIONS}"
    [ -n "${UBSAN_OPTIONS:-}" ] && printf '        - {name: UBSAN_OPTIONS, value: "%s"}\n' "${UBSAN_OPTIONS}"
    return 0
}

# cg_read PID [pod]: prints "cpu_seconds working_set_bytes cpu_limit_cores memory_limit_bytes"
# of the process's cgroup (or its parent, the pod's, with "pod"), v1 or v2, read on the host.
# A missing limit prints the node's capacity (CPUs, MemTotal), as the sidecar divides by it.
cg_read() {
    "$PY" - "$1" "${2:-}" <<'PYEOF'
import os, sys
pid, level = sys.argv[1], sys.argv[2]
lines = open(f"/proc/{pid}/cgroup").read().splitlines()
paths = {}
for l in lines:
    hid, ctrl, path = l.split(":", 2)
    for c in ctrl.split(",") if ctrl else [""]:
        paths[c] = path
def up(p):
    return os.path.dirname(p) if level == "pod" else p
ncpu = sum(1 for l in open("/proc/stat") if l.startswith("cpu") and l[3].isdigit())
memtotal = next(int(l.split()[1]) * 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal:"))
def kv(path):
    return {k: int(v) for k, v in (l.split() for l in open(path) if len(l.split()) == 2)}
root = "/sys/fs/cgroup"
if os.path.exists(root + "/cgroup.controllers"):
    d = root + up(paths[""])
    cpu = kv(d + "/cpu.stat")["usage_usec"] / 1e6
    q, per = open(d + "/cpu.max").read().split()
    climit = int(q) / int(per) if q != "max" else ncpu
    cur = int(open(d + "/memory.current").read())
    ws = max(cur - kv(d + "/memory.stat")["inactive_file"], 0)
    m = open(d + "/memory.max").read().strip()
    mlimit = int(m) if m != "max" else memtotal
else:
    def ctl(name):
        for c in (name, "cpu,cpuacct"):
            if os.path.isdir(f"{root}/{c}") and (c in paths or name in paths):
                return f"{root}/{c}" + up(paths.get(name, paths.get(c)))
        raise SystemExit(f"no {name} hierarchy")
    cpu = int(open(ctl("cpuacct") + "/cpuacct.usage").read()) / 1e9
    q = int(open(ctl("cpu") + "/cpu.cfs_quota_us").read())
    per = int(open(ctl("cpu") + "/cpu.cfs_period_us").read())
    climit = q / per if q > 0 else ncpu
    md = ctl("memory")
    cur = int(open(md + "/memory.usage_in_bytes").read())
    ws = max(cur - kv(md + "/memory.stat")["total_inactive_file"], 0)
    m = int(open(md + "/memory.limit_in_bytes").read())
    mlimit = m if m < (1 << 62) else memtotal
print(repr(cpu), ws, repr(climit), mlimit)
PYEOF
}

# near A B TOL: |A - B| <= TOL (decimal strings).
near() { "$PY" -c "import sys; a,b,t=map(float,sys.argv[1:]); sys.exit(0 if abs(a-b)<=t else 1)" "$1" "$2" "$3"; }
