# Helpers for the scaling, API and check e2e tests (sourced after lib.sh; not a test itself).
# A private copy of the cgroup fixture tree lets a test set memory and CPU utilization exactly:
# the fixture's limits are memory.max = 1 GiB and cpu.max = 2 cores.

CG_MEM_LIMIT=1073741824
CG_INACTIVE_FILE=120586240
CG_CPU_CORES=2

# cg_copy DIR: a writable copy of the fixture cgroup tree.
cg_copy() {
    mkdir -p "$1" && cp -r "$FIXTURES/sys/fs/cgroup/." "$1/"
}

# cg_write DIR FILE CONTENT: replace a file atomically, so a collector never reads half of it.
cg_write() {
    printf '%s\n' "$3" > "$1/.$2.tmp" && mv -f "$1/.$2.tmp" "$1/$2"
}

# cg_set_memory DIR RATIO: memory.current such that working set / limit = RATIO exactly (for
# ratios that are multiples of 1/2^k).
cg_set_memory() {
    local cur
    cur=$("$PY" -c "print(int($2 * $CG_MEM_LIMIT) + $CG_INACTIVE_FILE)")
    cg_write "$1" memory.current "$cur"
}

# cg_cpu_driver DIR: start a writer that advances cpu.stat usage_usec continuously at
# (ratio in DIR/.cpu_ratio) x the 2-core limit, so the sidecar measures that CPU utilization.
cg_cpu_driver() {
    echo 0 > "$1/.cpu_ratio"
    "$PY" - "$1" <<'PYEOF' &
import os, sys, time
d = sys.argv[1]
usage = 8734561234.0
last = time.monotonic()
while True:
    time.sleep(0.01)
    now = time.monotonic()
    try:
        r = float(open(os.path.join(d, ".cpu_ratio")).read())
    except (OSError, ValueError):
        continue
    usage += r * 2 * (now - last) * 1e6
    last = now
    tmp = os.path.join(d, ".cpu.stat.tmp")
    with open(tmp, "w") as f:
        f.write("usage_usec %d\nuser_usec %d\nsystem_usec 0\nnr_periods 0\nnr_throttled 0\n"
                "throttled_usec 0\n" % (usage, usage))
    os.replace(tmp, os.path.join(d, "cpu.stat"))
PYEOF
    E2E_PIDS+=("$!")
}

# cg_set_cpu DIR RATIO: the CPU utilization the driver produces from now on.
cg_set_cpu() {
    echo "$2" > "$1/.cpu_ratio.tmp" && mv -f "$1/.cpu_ratio.tmp" "$1/.cpu_ratio"
}

# jq_py URL EXPR: fetch URL (must answer 200 with JSON) and print the Python expression EXPR
# evaluated with the parsed document as d (json module as json).
jq_py() {
    curl -sf --max-time 5 "$1" | "$PY" -c "import json,sys; d=json.load(sys.stdin); print($2)"
}

# wait_py URL COND [tries]: poll URL every 0.2 s until the Python condition COND on d holds.
wait_py() {
    local tries=${3:-75}
    for _ in $(seq "$tries"); do
        [ "$(jq_py "$1" "bool($2)" 2>/dev/null)" = True ] && return 0
        sleep 0.2
    done
    return 1
}
