#!/usr/bin/env bash
# Redis authentication: the default user's password from REDIS_PASSWORD, an ACL user with its
# password from --redis.password-file, credentials inside REDIS_URL; a wrong password counts
# an auth error. No password ever shows in the logs, /metrics or --print-config, and a
# password on the command line is refused.
. "$E2E_LIB"
. "$(dirname "$0")/redis_lib.sh"

RP=$(free_port)
start_redis r "$RP" --requirepass 'default-S3cret'
redis-cli -p "$RP" --no-auth-warning -a 'default-S3cret' ACL SETUSER app on '>app-Pw0rd' '~*' '&*' '+@all' \
    | grep -q OK || fail "ACL SETUSER"
N="127.0.0.1:$RP"

SP1=$(free_port)
REDIS_PASSWORD='default-S3cret' start_sidecar envpw "$SP1" --redis.addr="$N" --no-collector.cgroup
wait_metric "$SP1" "rizk_redis_up{node=\"$N\"}" 1 5 || fail "REDIS_PASSWORD auth"
pass "default user, password from REDIS_PASSWORD"

printf 'app-Pw0rd\n' > "$E2E_TMP/pw"
SP2=$(free_port)
start_sidecar acl "$SP2" --redis.addr="$N" --redis.username=app --redis.password-file="$E2E_TMP/pw" \
    --no-collector.cgroup
wait_metric "$SP2" "rizk_redis_up{node=\"$N\"}" 1 5 || fail "ACL user auth"
pass "ACL user, password from --redis.password-file"
redis-cli -p "$RP" --user app --pass app-Pw0rd --no-auth-warning CLIENT LIST | grep -q 'user=app' \
    || fail "no connection authenticated as app"
pass "the server sees a connection of user app"

SP3=$(free_port)
REDIS_URL="redis://app:app-Pw0rd@$N/0" start_sidecar url "$SP3" --no-collector.cgroup
wait_metric "$SP3" "rizk_redis_up{node=\"$N\"}" 1 5 || fail "URL credentials"
pass "user and password inside REDIS_URL"

SP4=$(free_port)
REDIS_PASSWORD='Wr0ng-Guess' start_sidecar wrong "$SP4" --redis.addr="$N" --no-collector.cgroup
wait_metric "$SP4" "rizk_redis_up{node=\"$N\"}" 0 5 || fail "wrong password up"
scrape "$SP4" "$E2E_TMP/wrong.prom"
a=$(metric_value "$E2E_TMP/wrong.prom" 'rizk_redis_errors_total{kind="auth"}')
"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 1 else 1)' "$a" || fail "auth errors not counted [$a]"
pass "wrong password: up 0, auth errors counted ($a)"

out=$(REDIS_URL="redis://app:app-Pw0rd@$N" REDIS_PASSWORD='default-S3cret' "$RIZK_BIN" --print-config --check-config 2>&1)
echo "$out" | grep -q $'^--redis.addr=redis://app:<secret>@127.0.0.1' || fail "URL not redacted in --print-config"
echo "$out" | grep -q $'^--redis.password=<secret>\t# env$' || fail "password not redacted in --print-config"
pass "--print-config redacts the passwords"
set +e
out=$("$RIZK_BIN" --redis.password=app-Pw0rd 2>&1); rc=$?
assert_eq "$rc" 2 "a password flag exits 2"
echo "$out" | grep -q 'app-Pw0rd' && fail "refusal echoes the password"
out=$("$RIZK_BIN" --redis.addr='redis://app:app-Pw0rd@h:0' 2>&1); rc=$?
assert_eq "$rc" 2 "a bad URL exits 2"
echo "$out" | grep -q 'app-Pw0rd' && fail "bad URL error echoes the password"
pass "errors never echo a password"

for p in "$SP1" "$SP2" "$SP3" "$SP4"; do scrape "$p" "$E2E_TMP/s$p.prom"; done
sleep 0.5
if grep -l -E 'default-S3cret|app-Pw0rd|Wr0ng-Guess' "$E2E_TMP"/*.log "$E2E_TMP"/s*.prom 2>/dev/null | grep -v redis.log; then
    fail "a password appears in a daemon log or in /metrics"
fi
pass "no password in any daemon log or /metrics"
