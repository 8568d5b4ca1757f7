#!/usr/bin/env bash
# Command line as a user meets it: exit codes and exact messages, --help, --version,
# --check-config, env twins, the adapter's TLS requirement and mode defaults, README flag table
# in sync.
. "$E2E_LIB"
set +e
out=$("$RIZK_BIN" --history.interval=5ms 2>&1); rc=$?
assert_eq "$rc" 2 "bad duration exits 2"
assert_eq "$out" 'rizk-metrics: invalid value "5ms" for --history.interval: expected a duration from 100ms to 1h (e.g. 500ms, 1s, 1m30s, 1h)' "bad duration message"
out=$(RIZK_WEB_MAX_CONNECTIONS=abc "$RIZK_BIN" --check-config 2>&1); rc=$?
assert_eq "$rc" 2 "bad env value exits 2"
assert_eq "$out" 'rizk-metrics: invalid value "abc" in RIZK_WEB_MAX_CONNECTIONS (for --web.max-connections): expected an integer from 1 to 10000' "bad env message names the variable"
out=$("$RIZK_BIN" --nope 2>&1); rc=$?
assert_eq "$rc" 2 "unknown flag exits 2"
assert_eq "$out" 'rizk-metrics: unknown flag --nope (see --help)' "unknown flag message"
out=$("$RIZK_BIN" --check-config 2>&1); rc=$?
assert_eq "$rc" 0 "--check-config on defaults"
assert_eq "$out" "configuration OK" "--check-config message"
out=$("$RIZK_BIN" --check-config --path.procfs=/nonexistent 2>&1); rc=$?
assert_eq "$rc" 2 "--check-config with a missing procfs exits 2"
assert_eq "$out" 'rizk-metrics: invalid value "/nonexistent" for --path.procfs: no such file or directory' "missing procfs message"
out=$("$RIZK_BIN" --version); rc=$?
assert_eq "$rc" 0 "--version exits 0"
case "$out" in "rizk-metrics version "*) pass "--version output";; *) fail "--version printed [$out]";; esac
assert_eq "$("$RIZK_BIN" version)" "$out" "version subcommand = --version"
"$RIZK_BIN" --help > "$E2E_TMP/help.txt"; rc=$?
assert_eq "$rc" 0 "--help exits 0"
for f in web.listen-address web.telemetry-path log.level log.format path.procfs path.sysfs \
         path.cgroupfs history.interval history.retention signals.window; do
    grep -q -- "--$f" "$E2E_TMP/help.txt" || fail "--help lacks --$f"
done
grep -q 'env RIZK_HISTORY_RETENTION, default "1h"' "$E2E_TMP/help.txt" || fail "--help lacks env twin and default"
grep -q -- '--\[no-\]collector.system' "$E2E_TMP/help.txt" || fail "--help lacks collector flags"
pass "--help lists every flag with env twin and default"
out=$("$RIZK_BIN" adapter --tls.cert-file=/c.pem 2>&1); rc=$?
assert_eq "$rc" 2 "adapter with a certificate but no key exits 2"
assert_eq "$out" "rizk-metrics: adapter: --tls.cert-file and --tls.key-file go together (RIZK_TLS_CERT_FILE, RIZK_TLS_KEY_FILE): set both, or neither for a self-signed certificate" "adapter TLS message"
out=$("$RIZK_BIN" adapter --insecure-http --print-config --check-config 2>&1); rc=$?
assert_eq "$rc" 0 "adapter --insecure-http --check-config"
echo "$out" | grep -q $'^--web.listen-address=:6443\t# default$' || fail "adapter default listen address: $out"
echo "$out" | grep -q $'^--web.max-header-bytes=16384\t# default$' || fail "adapter default header memory: $out"
out=$("$RIZK_BIN" --print-config --check-config 2>&1)
echo "$out" | grep -q $'^--web.listen-address=:8080\t# default$' || fail "sidecar default listen address"
echo "$out" | grep -q $'^--web.max-header-bytes=8192\t# default$' || fail "sidecar default header memory"
out=$("$RIZK_BIN" adapter --insecure-http --web.listen-address=:9443 --web.max-header-bytes=4096 --print-config --check-config 2>&1)
echo "$out" | grep -q $'^--web.listen-address=:9443\t# flag$' || fail "adapter listen address by flag"
echo "$out" | grep -q $'^--web.max-header-bytes=4096\t# flag$' || fail "adapter header memory by flag"
out=$(taskset -c 0 "$RIZK_BIN" --print-config --check-config 2>&1)
echo "$out" | grep -q $'^--web.threads=1\t# default$' || fail "one HTTP thread on one allowed CPU: $out"
want=$(( $(nproc) >= 2 ? 2 : 1 ))
out=$("$RIZK_BIN" --print-config --check-config 2>&1)
echo "$out" | grep -q $'^--web.threads='"$want"$'\t# default$' || fail "HTTP threads on $(nproc) CPUs: $out"
out=$(taskset -c 0 "$RIZK_BIN" adapter --insecure-http --print-config --check-config 2>&1)
echo "$out" | grep -q $'^--web.threads=2\t# default$' || fail "the adapter keeps 2 HTTP threads on one CPU: $out"
out=$(taskset -c 0 "$RIZK_BIN" --web.threads=3 --print-config --check-config 2>&1)
echo "$out" | grep -q $'^--web.threads=3\t# flag$' || fail "--web.threads by flag: $out"
pass "listen address and header memory default per mode (:8080 and 8 KiB sidecar, :6443 and 16 KiB adapter), HTTP threads per allowed CPU, flags win"
out=$("$RIZK_BIN" check --output=xml 2>&1); rc=$?
assert_eq "$rc" 2 "check with a bad --output exits 2"
assert_eq "$out" 'rizk-metrics: invalid value "xml" for --check.output: expected one of table|json' "check usage message"
out=$("$RIZK_BIN" --scaling.rps-down=200 --check-config 2>&1); rc=$?
assert_eq "$rc" 2 "a scale-down threshold above its scale-up one exits 2"
assert_eq "$out" 'rizk-metrics: invalid value for --scaling.rps-down: must not be above --scaling.rps-up' "threshold order message"
out=$(RIZK_SCALING_CPU_UP=1.5 "$RIZK_BIN" --check-config 2>&1); rc=$?
assert_eq "$rc" 2 "a ratio threshold above 1 exits 2"
assert_eq "$out" 'rizk-metrics: invalid value "1.5" in RIZK_SCALING_CPU_UP (for --scaling.cpu-up): expected a number from 0 to 1' "ratio threshold message"
out=$(RIZK_LOG_LEVEL=debug "$RIZK_BIN" --log.level=warn --print-config --check-config 2>&1)
echo "$out" | grep -q $'^--log.level=warn\t# flag$' || fail "flag must beat env in --print-config"
echo "$out" | grep -q $'^--history.interval=1s\t# default$' || fail "--print-config default origin"
pass "--print-config shows effective values and origins"
# README's flag table is generated from the option table and must match it
readme=$(dirname "$E2E_LIB")/../../README.md
awk '/<!-- flags:begin -->/{f=1;next} /<!-- flags:end -->/{f=0} f' "$readme" > "$E2E_TMP/readme-flags.md"
"$RIZK_BIN" --help-markdown > "$E2E_TMP/flags.md"
diff -u "$E2E_TMP/flags.md" "$E2E_TMP/readme-flags.md" || fail "README flag table is stale: regenerate with rizk-metrics --help-markdown"
pass "README flag table matches the option table"
