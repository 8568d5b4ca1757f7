#!/usr/bin/env bash
# deploy/nginx with a real nginx: the shipped nginx.conf and rizk-app.conf (only the pid, log and
# temp paths and the listen address changed) pass `nginx -t`, then balance two running
# rizk-metrics sidecars standing in for app instances: /health answered by nginx, /ready and
# / through the upstreams, /metrics 200 from an allowed source (127.0.0.1) and 403 from any
# other (127.0.0.2, also with a forged X-Forwarded-For), both instances used, and a stopped
# instance costs no request (passive health check + retry on the next upstream).
. "$E2E_LIB"
need nginx
need curl
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NGINX=$(command -v nginx)
curl -s -o /dev/null --max-time 2 --interface 127.0.0.2 http://127.0.0.1:1/ 2>/dev/null
[ $? -eq 45 ] && skip "cannot bind 127.0.0.2 (no second loopback address)"

PA=$(free_port); PB=$(free_port); PN=$(free_port)
# the signal window tells the two instances apart in their /metrics (rizk_signals_window_seconds)
start_sidecar a "$PA" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup" --signals.window=5s
start_sidecar b "$PB" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup" --signals.window=7s

N=$E2E_TMP/nginx
mkdir -p "$N/logs" "$N/tmp"
chmod 755 "$E2E_TMP" "$N" "$N/tmp"   # worker processes (nobody when run as root) use the temp dirs
sed -e "s|/run/nginx.pid|$N/nginx.pid|; s|/var/log/nginx|$N/logs|g" \
    -e "s|^http {|http {\n    client_body_temp_path $N/tmp/body; proxy_temp_path $N/tmp/proxy;\n    fastcgi_temp_path $N/tmp/fcgi; uwsgi_temp_path $N/tmp/uwsgi; scgi_temp_path $N/tmp/scgi;|" \
    "$ROOT/deploy/nginx/nginx.conf" > "$N/nginx.conf"
sed -e "s|^    listen 80;|    listen 127.0.0.1:$PN;|" "$ROOT/deploy/nginx/rizk-app.conf" > "$N/rizk-app.conf"
grep -q "listen 127.0.0.1:$PN;" "$N/rizk-app.conf" || fail "rizk-app.conf: no 'listen 80;' line to point at the test port"
cat > "$N/rizk-upstreams.conf" <<UP
server 127.0.0.1:$PA max_fails=3 fail_timeout=10s;
server 127.0.0.1:$PB max_fails=3 fail_timeout=10s;
UP
"$NGINX" -t -p "$N" -c "$N/nginx.conf" -e "$N/logs/error.log" > "$N/t.out" 2>&1 \
    || fail "nginx -t: $(cat "$N/t.out")"
grep -q "syntax is ok" "$N/t.out" || fail "nginx -t: $(cat "$N/t.out")"
pass "nginx -t accepts deploy/nginx/nginx.conf + rizk-app.conf"
"$NGINX" -p "$N" -c "$N/nginx.conf" -e "$N/logs/error.log" -g 'daemon off;' > "$E2E_TMP/nginx.log" 2>&1 &
E2E_PIDS+=("$!")
wait_http "http://127.0.0.1:$PN/health" 100 || fail "nginx did not start: $(cat "$N/logs/error.log")"

# code PATH [curl args]: the status of GET PATH through nginx
code() { local p=$1; shift; curl -s -o "$E2E_TMP/body" -w '%{http_code}' --max-time 5 "$@" "http://127.0.0.1:$PN$p"; }
[ "$(code /health)" = 200 ] && [ "$(cat "$E2E_TMP/body")" = ok ] || fail "/health: $(cat "$E2E_TMP/body")"
pass "/health: 200 ok from nginx itself"
[ "$(code /ready)" = 200 ] && [ "$(cat "$E2E_TMP/body")" = ready ] || fail "/ready through the upstreams: $(cat "$E2E_TMP/body")"
pass "/ready: 200 ready from an instance"
[ "$(code /metrics)" = 200 ] && grep -q '^rizk_build_info{' "$E2E_TMP/body" || fail "/metrics from 127.0.0.1"
pass "/metrics from 127.0.0.1 (allowed): 200 with the exposition"
[ "$(code /metrics --interface 127.0.0.2)" = 403 ] || fail "/metrics from 127.0.0.2 was not refused"
[ "$(code /metrics --interface 127.0.0.2 -H 'X-Forwarded-For: 10.0.0.1')" = 403 ] \
    || fail "/metrics from 127.0.0.2 with a forged X-Forwarded-For was not refused"
pass "/metrics from 127.0.0.2 (not private): 403, also with X-Forwarded-For: 10.0.0.1"
[ "$(code /ready --interface 127.0.0.2)" = 200 ] || fail "/ready from 127.0.0.2 was refused"
[ "$(code /api/v1/current --interface 127.0.0.2)" = 200 ] || fail "/ (app traffic) from 127.0.0.2 was refused"
pass "app traffic and /ready from any source: 200"

# both instances serve (least_conn alternates between idle upstreams)
: > "$E2E_TMP/windows"
for _ in $(seq 10); do
    code /metrics > /dev/null
    awk '/^rizk_signals_window_seconds / {print $2}' "$E2E_TMP/body" >> "$E2E_TMP/windows"
done
SA=$(grep -c -x 5 "$E2E_TMP/windows"); SB=$(grep -c -x 7 "$E2E_TMP/windows")
[ "$SA" -gt 0 ] && [ "$SB" -gt 0 ] && [ $((SA + SB)) -eq 10 ] || fail "requests were not spread: a=$SA b=$SB"
pass "both instances served: 10 requests, a=$SA b=$SB"

kill -TERM "$b_PID"; wait "$b_PID" 2>/dev/null
for i in $(seq 8); do
    c=$(code /metrics)
    [ "$c" = 200 ] && grep -q -x 'rizk_signals_window_seconds 5' "$E2E_TMP/body" \
        || fail "request $i after stopping instance b: $c"
done
pass "instance b stopped: 8 of 8 requests still 200, all from a (failed upstream skipped)"
exit 0
