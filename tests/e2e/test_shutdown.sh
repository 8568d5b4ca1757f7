#!/usr/bin/env bash
# SIGTERM while a client holds a keep-alive connection and requests are in flight: the daemon
# stops accepting, answers what is in flight, and exits 0 before its 5 s budget runs out.
. "$E2E_LIB"
need curl
PORT=$(free_port)
start_sidecar sc "$PORT"
U=http://127.0.0.1:$PORT
# a keep-alive client hammering /metrics in the background
( for _ in $(seq 2000); do echo "url = \"$U/metrics\""; echo 'output = "/dev/null"'; done ) > "$E2E_TMP/k.cfg"
curl -s -K "$E2E_TMP/k.cfg" -w '%{http_code}\n' > "$E2E_TMP/codes.txt" 2>/dev/null &
CURL=$!
E2E_PIDS+=("$CURL")
sleep 0.5
kill -TERM "$sc_PID"
# bounded wait: 50 x 0.1 s = the 5 s budget of SPEC 8
for _ in $(seq 50); do kill -0 "$sc_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$sc_PID" 2>/dev/null && fail "still running 5 s after SIGTERM"
wait "$sc_PID"; rc=$?
assert_eq "$rc" 0 "exit code after SIGTERM"
wait "$CURL" 2>/dev/null
grep -q '^200$' "$E2E_TMP/codes.txt" || fail "no request succeeded before shutdown"
bad=$(grep -v -e '^200$' -e '^000$' "$E2E_TMP/codes.txt" | sort -u | tr '\n' ' ')
[ -z "$bad" ] || fail "unexpected status codes during shutdown: $bad"
pass "in-flight requests answered 200, later ones refused at connect"
grep -q 'received SIGTERM, shutting down' "$E2E_TMP/sc.log" || fail "shutdown not logged"
curl -s --max-time 1 "$U/health" && fail "still accepting after exit"
pass "stopped accepting"
