#!/usr/bin/env bash
# --history.path (SPEC 12): a sidecar stopped with SIGTERM and started again finds the same
# history (every sample before the stop, bit for bit in the history API), so the rate is there
# at the first tick after the restart and the recommendation carries on instead of "wait";
# corrupt, truncated and foreign files are reported, ignored, and the sidecar starts empty.
source "$E2E_LIB"
PORT=$(free_port)
UPORT=$(free_port)
HF=$E2E_TMP/history.bin
ARGS=(--path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup"
    --history.interval=200ms --signals.window=5s --statsd.listen-address="127.0.0.1:$UPORT"
    --history.path="$HF")
H="http://127.0.0.1:$PORT/api/v1/history?window=1m&series="
start_sidecar sc "$PORT" "${ARGS[@]}"
grep -q "no history at $HF yet: starting empty" "$E2E_TMP/sc.log" || fail "first start not logged"
pass "first start: no file, starting empty"

# 3 s of 100 requests/s, then quiet
"$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(30):
    s.sendto(b"rizk.requests:10|c\nrizk.response_time:50|ms", ("127.0.0.1", int(sys.argv[1])))
    time.sleep(0.1)' "$UPORT"
sleep 0.5
curl -sf "${H}rizk_requests_per_second" -o "$E2E_TMP/rps1.json" || fail "history API"
curl -sf "${H}rizk_requests_total" -o "$E2E_TMP/req1.json" || fail "history API"
curl -sf "http://127.0.0.1:$PORT/api/v1/recommendation" -o "$E2E_TMP/rec1.json"
kill -TERM "$sc_PID"; wait "$sc_PID"; st=$?
assert_eq "$st" 0 "SIGTERM: exit 0"
[ -s "$HF" ] || fail "no history file after SIGTERM"
[ ! -e "$HF.tmp" ] || fail "the temporary file was left behind"
pass "SIGTERM wrote the history file (atomically: no .tmp left)"

start_sidecar sc "$PORT" "${ARGS[@]}"
grep -q "history restored from $HF: [1-9][0-9]* samples, [1-9][0-9]* decision samples" \
    "$E2E_TMP/sc.log" || fail "restore not logged"
curl -sf "${H}rizk_requests_per_second" -o "$E2E_TMP/rps2.json"
curl -sf "${H}rizk_requests_total" -o "$E2E_TMP/req2.json"
curl -sf "http://127.0.0.1:$PORT/api/v1/recommendation" -o "$E2E_TMP/rec2.json"
curl -sf "http://127.0.0.1:$PORT/metrics" -o "$E2E_TMP/m2.txt"
"$PY" - "$E2E_TMP" <<'PYEOF' || fail "history after the restart differs"
import json, math, sys
d = sys.argv[1]
for name in ("rps", "req"):
    a = json.load(open(f"{d}/{name}1.json")); b = json.load(open(f"{d}/{name}2.json"))
    n = len(a["timestamps_ms"])
    assert n >= 10, f"{name}: only {n} samples before the stop"
    assert a["timestamps_ms"] == b["timestamps_ms"][:n], f"{name}: timestamps differ"
    assert a["values"] == b["values"][:n], f"{name}: values differ"
r1 = json.load(open(f"{d}/rec1.json")); r2 = json.load(open(f"{d}/rec2.json"))
assert r1["action"] == "maintain", r1["action"]
assert r2["action"] == r1["action"], (r1["action"], r2["action"])
assert r2["samples"] > r1["samples"], (r1["samples"], r2["samples"])
PYEOF
pass "every sample before the stop is there after the restart, bit for bit"
pass "the recommendation carries on: same action, its history longer than before the stop"
rps=$(metric_value "$E2E_TMP/m2.txt" rizk_requests_per_second)
[ -n "$rps" ] || fail "rizk_requests_per_second absent right after the restart"
pass "rizk_requests_per_second is there at the first ticks after the restart ($rps)"
kill -TERM "$sc_PID"; wait "$sc_PID"

# corrupt, truncated, foreign: reported, ignored, started empty
cp "$HF" "$E2E_TMP/good.bin"
try_bad() {
    local what=$1 reason=$2
    start_sidecar sc "$PORT" "${ARGS[@]}"
    grep -q "ignoring the history file $HF: $reason" "$E2E_TMP/sc.log" ||
        fail "$what: not reported as '$reason'"
    curl -sf "http://127.0.0.1:$PORT/api/v1/recommendation" -o "$E2E_TMP/rec.json"
    "$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["samples"] < 10 else 1)' \
        "$E2E_TMP/rec.json" || fail "$what: history was not started empty"
    kill -TERM "$sc_PID"; wait "$sc_PID"
    pass "$what file: reported ('$reason') and ignored"
}
"$PY" -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[len(b)//2] ^= 0x10; open(sys.argv[2],"wb").write(b)' \
    "$E2E_TMP/good.bin" "$HF"
try_bad corrupt "checksum mismatch"
head -c 20 "$E2E_TMP/good.bin" > "$HF"
try_bad truncated "truncated"
printf 'rizk_requests_total 5\n' > "$HF"
try_bad foreign "not a history file"
rm -f "$HF"; mkdir "$HF"
try_bad "directory in place of the" "not a regular file"
