#!/usr/bin/env bash
# Pull channel end to end: io/http_fetch, parse/expo and io/pull_worker (through fetch_probe)
# against tests/e2e/pull_server.py, a keep-alive HTTP server that serves the python_client
# fixtures as 0.0.4, OpenMetrics and gzip, and plays a slow app, an oversized body, a 500, an HTML
# page and a redirect; plus a port nobody listens on. Every output line is asserted exactly.
source "${E2E_LIB:?}"
: "${FETCH_PROBE:?FETCH_PROBE must point at the fetch_probe binary}"

PORT=$(free_port)
"$PY" "$(dirname "$0")/pull_server.py" "$PORT" "$FIXTURES" >"$E2E_TMP/pull_server.log" 2>&1 &
E2E_PIDS+=("$!")
wait_http "http://127.0.0.1:$PORT/prom" || fail "pull_server did not start on $PORT"
U="http://127.0.0.1:$PORT"
APP="rizk_requests_total,rizk_request_errors_total,http_requests_total,rizk_request_duration_seconds,rizk_active_connections,rizk_cache_hits_total,rizk_cache_misses_total"

# probe NAME ARGS...: run fetch_probe, keep stdout in $E2E_TMP/NAME.out, the exit code in $RC.
probe() {
    local name=$1; shift
    "$FETCH_PROBE" "$@" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.log"
    RC=$?
}
line() { sed -n "${2}p" "$E2E_TMP/$1.out"; }

TEXT_CT='text/plain; version=0.0.4; charset=utf-8'
OM_CT='application/openmetrics-text; version=0.0.1; charset=utf-8'

# --- 0.0.4 body, selection of the app families
probe prom --select "$APP" "$U/prom"
assert_eq "$RC" 0 "0.0.4 fetch exit code"
assert_eq "$(line prom 1)" "fetch rc=0 (success) status=200 bytes=3258 content_type=\"$TEXT_CT\"" "0.0.4 fetch line"
assert_eq "$(line prom 2)" "parse format=text samples=39 kept=28 malformed=0 exemplars=0" "0.0.4 parse line"
assert_eq "$(grep -c '^want .* found=1 ' "$E2E_TMP/prom.out")" 7 "0.0.4 every family found"
assert_eq "$(grep '^want rizk_request_duration_seconds ' "$E2E_TMP/prom.out")" \
    "want rizk_request_duration_seconds found=1 type=histogram" "0.0.4 histogram type"
grep -qx 'kept http_requests_total value {method="get",status="503"} 7' "$E2E_TMP/prom.out" || fail "503 series"
grep -qx 'kept rizk_request_duration_seconds bucket {le="+Inf"} 1028' "$E2E_TMP/prom.out" || fail "+Inf bucket"
grep -qx 'kept rizk_request_duration_seconds sum {} 89.24000000000005' "$E2E_TMP/prom.out" || fail "histogram sum"
grep -qx 'kept rizk_cache_misses_total value {tier="l2"} 50' "$E2E_TMP/prom.out" || fail "cache misses l2"
pass "0.0.4 kept samples"

# --- OpenMetrics body: chosen from the Content-Type, same kept samples as 0.0.4
probe om --select "$APP" "$U/om"
assert_eq "$(line om 1)" "fetch rc=0 (success) status=200 bytes=2734 content_type=\"$OM_CT\"" "OM fetch line"
assert_eq "$(line om 2)" "parse format=openmetrics samples=39 kept=28 malformed=0 exemplars=2" "OM parse line"
diff <(grep '^kept ' "$E2E_TMP/prom.out") <(grep '^kept ' "$E2E_TMP/om.out") >"$E2E_TMP/diff.log" \
    || fail "OM and 0.0.4 selections differ: $(head -5 "$E2E_TMP/diff.log")"
pass "OM selection equals the 0.0.4 selection"

# --- gzip: offered by the probe, decoded by curl
probe gzip --select "$APP" "$U/gzip"
assert_eq "$(line gzip 1)" "fetch rc=0 (success) status=200 bytes=3258 content_type=\"$TEXT_CT\"" "gzip body decoded"
diff <(grep '^kept ' "$E2E_TMP/prom.out") <(grep '^kept ' "$E2E_TMP/gzip.out") >/dev/null || fail "gzip selection"
pass "gzip selection"

# --- request headers
probe accept --print-body "$U/accept"
assert_eq "$(line accept 2)" "accept=application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1" "Accept header"
line accept 3 | grep -q 'gzip' || fail "Accept-Encoding lacks gzip: $(line accept 3)"
pass "Accept-Encoding offers gzip"

# --- keep-alive: three GETs on one handle use one connection
probe conns --repeat 3 --print-body "$U/conns"
first=$(line conns 2); last=$(line conns 6)
assert_eq "$last" "$first" "keep-alive: no new connection across 3 GETs"

# --- failures, each mapped to its errno
probe slow --timeout-ms 300 "$U/slow"
assert_eq "$RC" 1 "slow exit code"
assert_eq "$(line slow 1)" 'fetch rc=-110 (timed out) status=0 bytes=0 content_type=""' "timeout"

probe big --max-body 1048576 "$U/big"
assert_eq "$(line big 1)" "fetch rc=-7 (size limit exceeded) status=200 bytes=0 content_type=\"$TEXT_CT\"" "cap by Content-Length"
probe bigchunk --max-body 1048576 "$U/bigchunk"
assert_eq "$(line bigchunk 1)" "fetch rc=-7 (size limit exceeded) status=200 bytes=0 content_type=\"$TEXT_CT\"" "cap while receiving (chunked)"
probe bigok --max-body 4194304 "$U/bigchunk"
assert_eq "$(line bigok 1)" "fetch rc=0 (success) status=200 bytes=2097152 content_type=\"$TEXT_CT\"" "2 MiB under a 4 MiB cap"

probe e500 --select "$APP" "$U/500"
assert_eq "$(line e500 1)" 'fetch rc=-71 (malformed input) status=500 bytes=0 content_type="text/html"' "HTTP 500 keeps the status"
assert_eq "$(wc -l <"$E2E_TMP/e500.out")" 1 "no parse after a 500"

probe html --select "$APP" "$U/html"
assert_eq "$(line html 2)" 'parse rc=-71 (malformed input) at 1:1 no valid line: not an exposition' "HTML page rejected"

probe redirect --select "$APP" "$U/redirect"
assert_eq "$(line redirect 2)" "parse format=text samples=39 kept=28 malformed=0 exemplars=0" "redirect followed"

DEAD=$(free_port)
probe refused "http://127.0.0.1:$DEAD/metrics"
assert_eq "$(line refused 1)" 'fetch rc=-111 (connection refused) status=0 bytes=0 content_type=""' "connection refused"

probe badurl "ftp://127.0.0.1/metrics"
assert_eq "$(line badurl 1)" 'new rc=-22 (invalid argument)' "non-http URL rejected"

# --- the worker thread: results arrive in order; a slow app gives timeouts, never a hang
probe worker --worker 3 --interval-ms 200 --timeout-ms 150 --select "$APP" "$U/prom"
assert_eq "$RC" 0 "worker exit code"
assert_eq "$(cat "$E2E_TMP/worker.out")" "worker seq=next rc=0 (success) status=200 kept=28
worker seq=next rc=0 (success) status=200 kept=28
worker seq=next rc=0 (success) status=200 kept=28
after stop take=0" "worker results"

start=$(date +%s%N)
probe wslow --worker 2 --interval-ms 300 --timeout-ms 200 --select "$APP" "$U/slow"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq "$(cat "$E2E_TMP/wslow.out")" "worker seq=next rc=-110 (timed out) status=0 kept=0
worker seq=next rc=-110 (timed out) status=0 kept=0
after stop take=0" "worker on a slow app"
[ "$elapsed_ms" -lt 2000 ] || fail "worker on a slow app took ${elapsed_ms} ms"
pass "worker on a slow app returns within its timeouts (${elapsed_ms} ms)"
