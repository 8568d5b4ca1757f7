#!/usr/bin/env bash
# DogStatsD events and service checks (SPEC 12): valid input, counted by alert type and status,
# each check's last status a gauge, never a parse error. The datagrams are the ones hot-shots
# 10 (Node.js) sends for these calls (recorded byte for byte, including its UTF-16 lengths for
# non-ASCII titles); with node and hot-shots installed (HOT_SHOTS_DIR = a directory whose
# node_modules holds it), the real client sends them instead.
source "$E2E_LIB"
PORT=$(free_port)
UPORT=$(free_port)
start_sidecar sc "$PORT" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup" \
    --history.interval=200ms --signals.window=5s --statsd.listen-address="127.0.0.1:$UPORT"

send_recorded() {
    "$PY" - "$UPORT" <<'PYEOF'
import socket, sys
port = int(sys.argv[1])
dgrams = [
    b'_e{11,23}:deploy done|version 1.2\\nrolled out|d:1700000000|h:web-1|k:deploy|p:low|s:rizk|t:success|#env:prod',
    b'_e{16,6}:disk almost full|at 95%|t:warning',
    b'_e{6,10}:caf\xc3\xa9 \xe2\x9c\x93|na\xc3\xafve text|t:error',
    b'_sc|rizk.redis|2|d:1700000000|h:web-1|#env:prod|m:down | since 12:00',
    b'_sc|rizk.app|0',
    b'_sc|rizk.app|1|m:slow',
    b'rizk.requests:3|c',
]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for d in dgrams:
    s.sendto(d, ("127.0.0.1", port))
PYEOF
}

send_hot_shots() {
    cat > "$E2E_TMP/hs.js" <<'JSEOF'
const StatsD = require('hot-shots');
const c = new StatsD({host: '127.0.0.1', port: parseInt(process.argv[2]), prefix: '',
                      errorHandler: e => { console.error(e); process.exit(1); }});
c.event('deploy done', 'version 1.2\nrolled out', {alert_type: 'success', priority: 'low',
        hostname: 'web-1', aggregation_key: 'deploy', source_type_name: 'rizk',
        date_happened: new Date(1700000000000)}, ['env:prod']);
c.event('disk almost full', 'at 95%', {alert_type: 'warning'});
c.event('café ✓', 'naïve text', {alert_type: 'error'});
c.check('rizk.redis', c.CHECKS.CRITICAL, {hostname: 'web-1', message: 'down | since 12:00',
        date_happened: new Date(1700000000000)}, ['env:prod']);
c.check('rizk.app', c.CHECKS.OK);
c.check('rizk.app', c.CHECKS.WARNING, {message: 'slow'});
c.increment('rizk.requests', 3);
c.close(() => {});
JSEOF
    NODE_PATH="$HOT_SHOTS_DIR/node_modules" node "$E2E_TMP/hs.js" "$UPORT"
}

if [ -n "${HOT_SHOTS_DIR:-}" ] && command -v node >/dev/null &&
    NODE_PATH="$HOT_SHOTS_DIR/node_modules" node -e "require('hot-shots')" 2>/dev/null; then
    send_hot_shots || fail "hot-shots failed"
    pass "sent with the real hot-shots client"
else
    send_recorded
    pass "sent hot-shots' recorded datagrams"
fi

m=$E2E_TMP/m.txt
for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$PORT/metrics" -o "$m"
    [ "$(metric_value "$m" 'rizk_requests_total')" = 3 ] &&
        [ "$(metric_value "$m" 'rizk_statsd_service_checks_total{status="warning"}')" = 1 ] && break
    sleep 0.2
done
assert_eq "$(metric_value "$m" 'rizk_statsd_events_total{alert_type="success"}')" 1 "success event counted"
assert_eq "$(metric_value "$m" 'rizk_statsd_events_total{alert_type="warning"}')" 1 "warning event counted"
assert_eq "$(metric_value "$m" 'rizk_statsd_events_total{alert_type="error"}')" 1 \
    "the non-ASCII event (UTF-16 lengths) counted as error"
assert_eq "$(metric_value "$m" 'rizk_statsd_events_total{alert_type="info"}')" 0 "no info event"
assert_eq "$(metric_value "$m" 'rizk_statsd_service_checks_total{status="critical"}')" 1 "critical check"
assert_eq "$(metric_value "$m" 'rizk_statsd_service_checks_total{status="ok"}')" 1 "ok check"
assert_eq "$(metric_value "$m" 'rizk_statsd_service_checks_total{status="warning"}')" 1 "warning check"
assert_eq "$(metric_value "$m" 'rizk_statsd_service_check_status{check="rizk.redis"}')" 2 \
    "rizk.redis status gauge is 2 (critical)"
assert_eq "$(metric_value "$m" 'rizk_statsd_service_check_status{check="rizk.app"}')" 1 \
    "rizk.app status gauge is its last status, 1 (warning)"
for r in bad_event bad_service_check bad_name bad_value bad_type bad_tags; do
    assert_eq "$(metric_value "$m" "rizk_statsd_malformed_lines_total{reason=\"$r\"}")" 0 "no $r"
done
assert_eq "$(metric_value "$m" 'rizk_statsd_lines_total')" 7 "7 lines received"

# malformed ones are counted under their own reasons
"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"_e{9,4}:short|text\n_sc|x|7\n_sc|x|0|t:error", ("127.0.0.1", int(sys.argv[1])))' "$UPORT"
for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$PORT/metrics" -o "$m"
    [ "$(metric_value "$m" 'rizk_statsd_lines_total')" = 10 ] && break
    sleep 0.2
done
assert_eq "$(metric_value "$m" 'rizk_statsd_malformed_lines_total{reason="bad_event"}')" 1 "a bad event counted"
assert_eq "$(metric_value "$m" 'rizk_statsd_malformed_lines_total{reason="bad_service_check"}')" 2 \
    "two bad service checks counted"
promtool check metrics < "$m" > "$E2E_TMP/promtool.out" 2>&1 || { cat "$E2E_TMP/promtool.out"; fail "promtool"; }
pass "promtool accepts the exposition with the new families"
