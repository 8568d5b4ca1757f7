#!/usr/bin/env bash
# The pull channel end to end against a real Python app instrumented with Debian's
# python3-prometheus-client (tests/e2e/prom_app.py), with exact ground truth: the app runs paced
# batches of known increments once told to, so the counters pulled after the baseline must equal
# what it counted, and the signals must match (rps within 2 %, ratios and mean exact).
# 1. default names, OpenMetrics negotiated, statsd on too: signals; exact counters; statsd and
#    pull add up; the app killed (source down, /metrics still fast) and restarted (a new
#    process_start_time_seconds: every counter counts from zero, no negative or huge spike).
# 2. remapped names (http_requests_total{status}, errors = status 5xx by --app.errors-from-label,
#    labelled histogram and gauge series summed, cache tier label "layer", an unknown tier
#    skipped), text 0.0.4: the same signals; a body over --app.max-body-bytes is a counted error
#    and changes nothing; a restart seen only as counter resets (no start-time metric).
. "$E2E_LIB"
need curl
APP_PY=$(dirname "$0")/prom_app.py
RATE=1000 # 10 requests per 10 ms batch

# start_app TAG PORT [args...]: the Python app on PORT; sets <TAG>_PID.
start_app() {
    local tag=$1 port=$2; shift 2
    "$PY" "$APP_PY" --port "$port" "$@" > "$E2E_TMP/app-$tag.log" 2>&1 &
    local pid=$!
    E2E_PIDS+=("$pid")
    eval "${tag}_PID=$pid"
    wait_http "http://127.0.0.1:$port/metrics" 100 || fail "app $tag did not start on $port"
}

stop_app() {
    local pid=$1
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

# scrape URL FILE: one /metrics body.
scrape() { curl -s -o "$2" "$1/metrics" || fail "scrape $1"; }
val() { metric_value "$1" "$2"; }

wait_file() {
    for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.1; done
    fail "$1 never appeared"
}

within_2pct() {
    "$PY" -c "import sys; r=float('$1'); sys.exit(0 if abs(r-$RATE)/$RATE <= 0.02 else 1)" \
        || fail "$2: rps $1 not within 2 % of $RATE"
    pass "$2: rizk_requests_per_second $1 within 2 % of $RATE"
}

# check_signals FILE TAG: the signals of the known batch mix.
check_signals() {
    local f=$1 t=$2
    within_2pct "$(val "$f" rizk_requests_per_second)" "$t"
    assert_num "$(val "$f" rizk_error_ratio)" 0.2 "$t: error ratio exact (2 of 10)"
    assert_num "$(val "$f" rizk_response_time_seconds)" 0.3125 "$t: mean response time exact"
    assert_num "$(val "$f" rizk_cache_hit_ratio)" 0.9 "$t: hierarchy hit ratio (6+3)/10"
    assert_num "$(val "$f" 'rizk_cache_tier_hit_ratio{tier="l1"}')" 0.6 "$t: l1 hit ratio"
    assert_num "$(val "$f" 'rizk_cache_tier_hit_ratio{tier="l2"}')" 0.75 "$t: l2 hit ratio"
    assert_num "$(val "$f" rizk_active_connections)" 12 "$t: active connections"
    assert_eq "$(val "$f" 'rizk_signal_basis_info{signal="active_connections",basis="app"}')" 1 \
        "$t: connections basis app"
    local p50
    p50=$(val "$f" 'rizk_response_time_quantile_seconds{quantile="0.5"}')
    "$PY" -c "import sys; v=float('$p50'); sys.exit(0 if 0.1 <= v <= 0.25 else 1)" \
        || fail "$t: p50 $p50 outside the true median's bucket (0.1, 0.25]"
    pass "$t: p50 $p50 within the bucket of the true median 0.25"
}

# check_totals FILE TAG BATCHES EXTRA: counters equal exactly what the app counted (+ EXTRA
# requests from statsd).
check_totals() {
    local f=$1 t=$2 b=$3 x=${4:-0}
    assert_num "$(val "$f" rizk_requests_total)" "$((10 * b + x))" "$t: rizk_requests_total exact"
    assert_num "$(val "$f" rizk_request_errors_total)" "$((2 * b))" "$t: rizk_request_errors_total exact"
    assert_num "$(val "$f" rizk_request_duration_seconds_count)" "$((4 * b))" "$t: duration count exact"
    assert_num "$(val "$f" rizk_request_duration_seconds_sum)" "$("$PY" -c "print($b * 1.25)")" \
        "$t: duration sum exact"
    assert_num "$(val "$f" 'rizk_cache_hits_total{tier="l1"}')" "$((6 * b))" "$t: l1 hits exact"
    assert_num "$(val "$f" 'rizk_cache_misses_total{tier="l2"}')" "$b" "$t: l2 misses exact"
}

# watch_spikes URL SECONDS OUT: samples rps and the requests counter every 0.1 s; fails on a
# negative or above-rate rps or a counter going down.
watch_spikes() {
    local u=$1 secs=$2 out=$3 prev=0 r c
    : > "$out"
    for _ in $(seq $((secs * 10))); do
        scrape "$u" "$E2E_TMP/s.txt"
        r=$(val "$E2E_TMP/s.txt" rizk_requests_per_second)
        c=$(val "$E2E_TMP/s.txt" rizk_requests_total)
        echo "$r $c" >> "$out"
        "$PY" -c "import sys; r=float('${r:-0}'); sys.exit(0 if 0 <= r <= $RATE*1.02 else 1)" \
            || fail "rps $r out of [0, $RATE x 1.02] around the app restart"
        "$PY" -c "import sys; sys.exit(0 if float('${c:-0}') >= float('$prev') else 1)" \
            || fail "rizk_requests_total went down: $prev -> $c"
        prev=${c:-0}
        sleep 0.1
    done
}

SIDECAR_FLAGS=(--path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup"
    --history.interval=200ms --signals.window=5s)

# ==== 1. default names, OpenMetrics, statsd too ================================================
APORT=$(free_port)
PORT=$(free_port)
UPORT=$("$PY" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
U=http://127.0.0.1:$PORT
start_app a "$APORT" --go "$E2E_TMP/go1" --secs 7 --out "$E2E_TMP/a1.out"
start_sidecar sc "$PORT" "${SIDECAR_FLAGS[@]}" --statsd.listen-address="127.0.0.1:$UPORT" \
    --app.metrics-url="http://127.0.0.1:$APORT/metrics"
wait_series "$U" 'rizk_source_up{source="app"}' 1
wait_series "$U" rizk_requests_total 0 # the second pull: the app's counters exist, still 0
wait_series "$U" rizk_requests_per_second 0 # a rate once two samples exist: idle app, 0 not absent
scrape "$U" "$E2E_TMP/m0.txt"
assert_eq "$(val "$E2E_TMP/m0.txt" 'rizk_collector_success{collector="app_pull"}')" 1 "collector app_pull succeeds"
assert_num "$(val "$E2E_TMP/m0.txt" 'rizk_app_pull_errors_total{kind="parse"}')" 0 "no parse error"
body=$(val "$E2E_TMP/m0.txt" rizk_app_pull_body_bytes)
[ "${body%.*}" -gt 1000 ] || fail "rizk_app_pull_body_bytes $body"
pass "rizk_app_pull_body_bytes $body"

touch "$E2E_TMP/go1"
sleep 6
scrape "$U" "$E2E_TMP/m1.txt"
check_signals "$E2E_TMP/m1.txt" default
wait_file "$E2E_TMP/a1.out"
read -r B1 < "$E2E_TMP/a1.out"
sleep 0.6
scrape "$U" "$E2E_TMP/m2.txt"
check_totals "$E2E_TMP/m2.txt" default "$B1"

# statsd and pull add up
"$PY" - "$UPORT" <<'PYEOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(100):
    s.sendto(b"rizk.requests:5|c", ("127.0.0.1", int(sys.argv[1])))
    time.sleep(0.001)
PYEOF
wait_series "$U" rizk_requests_total $((10 * B1 + 500))
pass "statsd (500) and pull ($((10 * B1))) requests add up"

# the app dies: source down, /metrics still fast, nothing counted
stop_app "$a_PID"
wait_series "$U" 'rizk_source_up{source="app"}' 0
# (the first failure may be the kept-alive connection dropping; then connects are refused)
for _ in $(seq 30); do
    scrape "$U" "$E2E_TMP/m3.txt"
    refused=$(val "$E2E_TMP/m3.txt" 'rizk_app_pull_errors_total{kind="refused"}')
    [ "${refused%.*}" -ge 1 ] && break
    sleep 0.1
done
[ "${refused%.*}" -ge 1 ] || fail "refused pulls not counted ($(grep 'pull_errors_total{' "$E2E_TMP/m3.txt" | grep -v ' 0$'))"
pass "refused pulls counted ($refused)"
t=$(curl -s -o /dev/null -w '%{time_total}' "$U/metrics")
"$PY" -c "import sys; sys.exit(0 if float('$t') < 0.1 else 1)" || fail "/metrics took ${t}s with the app dead"
pass "/metrics answers in ${t}s with the app dead"
assert_num "$(val "$E2E_TMP/m3.txt" rizk_requests_total)" $((10 * B1 + 500)) "dead app: counters unchanged"

# restart (same port, counting at once): counters go on from zero, no spike
start_app a "$APORT" --secs 2 --out "$E2E_TMP/a2.out"
watch_spikes "$U" 3 "$E2E_TMP/spikes1.txt"
pass "no negative or above-rate rps, counter monotonic around the restart"
wait_file "$E2E_TMP/a2.out"
read -r B2 < "$E2E_TMP/a2.out"
sleep 0.6
scrape "$U" "$E2E_TMP/m4.txt"
check_totals "$E2E_TMP/m4.txt" "default after restart" $((B1 + B2)) 500
assert_num "$(val "$E2E_TMP/m4.txt" rizk_app_pull_restarts_total)" 1 "restart seen by process_start_time_seconds"
assert_eq "$(val "$E2E_TMP/m4.txt" 'rizk_source_up{source="app"}')" 1 "source up again"
stop_app "$a_PID"

# ==== 2. remapped names, text 0.0.4, body cap, resets without a start time =====================
APORT=$(free_port)
PORT=$(free_port)
U=http://127.0.0.1:$PORT
start_app b "$APORT" --mode remap --go "$E2E_TMP/go2" --secs 5 --out "$E2E_TMP/b1.out" \
    --big "$E2E_TMP/big"
start_sidecar sc2 "$PORT" "${SIDECAR_FLAGS[@]}" \
    --app.metrics-url="http://127.0.0.1:$APORT/metrics" \
    --app.requests-metric=http_requests_total --app.errors-from-label=status:5 \
    --app.duration-metric=http_request_duration_seconds \
    --app.active-connections-metric=http_connections_open \
    --app.cache-hits-metric=app_cache_hits_total --app.cache-misses-metric=app_cache_misses_total \
    --app.cache-tier-label=layer --app.start-time-metric=no_such_gauge --app.max-body-bytes=65536
wait_series "$U" 'rizk_source_up{source="app"}' 1
sleep 0.5
touch "$E2E_TMP/go2"
sleep 5
scrape "$U" "$E2E_TMP/r1.txt"
check_signals "$E2E_TMP/r1.txt" remap
skipped=$(val "$E2E_TMP/r1.txt" rizk_app_pull_skipped_series_total)
"$PY" -c "import sys; sys.exit(0 if float('$skipped') >= 1 else 1)" || fail "tier l3 not counted as skipped"
pass "unknown cache tier l3 skipped and counted ($skipped)"
wait_file "$E2E_TMP/b1.out"
read -r C1 < "$E2E_TMP/b1.out"
sleep 0.6
scrape "$U" "$E2E_TMP/r2.txt"
check_totals "$E2E_TMP/r2.txt" remap "$C1"

# a body over the cap: a counted error, the source down, nothing counted twice afterwards
touch "$E2E_TMP/big"
for _ in $(seq 50); do
    scrape "$U" "$E2E_TMP/r3.txt"
    big=$(val "$E2E_TMP/r3.txt" 'rizk_app_pull_errors_total{kind="body_too_large"}')
    [ "${big%.*}" -ge 2 ] && break
    sleep 0.1
done
[ "${big%.*}" -ge 1 ] || fail "a body over --app.max-body-bytes was not counted"
pass "body over --app.max-body-bytes counted as body_too_large ($big)"
assert_eq "$(val "$E2E_TMP/r3.txt" 'rizk_source_up{source="app"}')" 0 "source down while the body is too big"
rm -f "$E2E_TMP/big"
wait_series "$U" 'rizk_source_up{source="app"}' 1
sleep 0.4
scrape "$U" "$E2E_TMP/r4.txt"
check_totals "$E2E_TMP/r4.txt" "remap after oversize" "$C1"

# restart without a start-time metric: the values drop, so each series reset (rate() rule)
stop_app "$b_PID"
start_app b "$APORT" --mode remap --secs 1 --out "$E2E_TMP/b2.out"
watch_spikes "$U" 2 "$E2E_TMP/spikes2.txt"
pass "remap: no negative or above-rate rps, counter monotonic around the restart"
wait_file "$E2E_TMP/b2.out"
read -r C2 < "$E2E_TMP/b2.out"
sleep 0.6
scrape "$U" "$E2E_TMP/r5.txt"
check_totals "$E2E_TMP/r5.txt" "remap after restart" $((C1 + C2))
resets=$(val "$E2E_TMP/r5.txt" rizk_app_pull_counter_resets_total)
"$PY" -c "import sys; sys.exit(0 if float('$resets') >= 4 else 1)" || fail "resets not counted ($resets)"
pass "counter resets counted ($resets)"
assert_num "$(val "$E2E_TMP/r5.txt" rizk_app_pull_restarts_total)" 0 "no start-time metric: no restart seen"
stop_app "$b_PID"

# ==== 3. a hung app (accepts, never answers): timeouts counted, the sampler keeps ticking ======
HPORT=$(free_port)
"$PY" -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
time.sleep(3600)' "$HPORT" > "$E2E_TMP/hang.log" 2>&1 &
E2E_PIDS+=("$!")
sleep 0.3
PORT=$(free_port)
U=http://127.0.0.1:$PORT
start_sidecar sc3 "$PORT" "${SIDECAR_FLAGS[@]}" --app.metrics-url="http://127.0.0.1:$HPORT/metrics"
wait_series "$U" 'rizk_source_up{source="app"}' 0
scrape "$U" "$E2E_TMP/h1.txt"
sleep 1
t=$(curl -s -o "$E2E_TMP/h2.txt" -w '%{time_total}' "$U/metrics")
"$PY" -c "import sys; sys.exit(0 if float('$t') < 0.1 else 1)" || fail "/metrics took ${t}s with the app hung"
pass "/metrics answers in ${t}s with the app hung"
ticks=$("$PY" -c "print(float('$(val "$E2E_TMP/h2.txt" rizk_sampler_ticks_total)') - float('$(val "$E2E_TMP/h1.txt" rizk_sampler_ticks_total)'))")
"$PY" -c "import sys; sys.exit(0 if float('$ticks') >= 4 else 1)" || fail "sampler ticked $ticks times in 1 s with the app hung"
pass "the sampler keeps ticking with the app hung ($ticks ticks in 1 s at 200ms)"
to=$(val "$E2E_TMP/h2.txt" 'rizk_app_pull_errors_total{kind="timeout"}')
"$PY" -c "import sys; sys.exit(0 if float('$to') >= 3 else 1)" || fail "timeouts not counted ($to)"
pass "pull timeouts counted ($to; timeout 160ms below the 200ms interval)"

echo "numbers: default B1=$B1 B2=$B2 rps=$(val "$E2E_TMP/m1.txt" rizk_requests_per_second); remap C1=$C1 C2=$C2 rps=$(val "$E2E_TMP/r1.txt" rizk_requests_per_second)"
exit 0
