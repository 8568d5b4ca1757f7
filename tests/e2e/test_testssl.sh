#!/usr/bin/env bash
# testssl.sh (Debian's) against the sidecar with web-config TLS (EC certificate) and against the
# adapter with its defaults (RSA certificate, so the RSA suites and ROBOT are probed too), both
# scans at once: no protocol below TLS 1.2, no CBC suite, nothing VULNERABLE. Then the
# adapter's --tls-cipher-suites and --tls-min-version with openssl s_client, and a bad suite
# name exiting 2 naming the flag.
. "$E2E_LIB"
. "$(dirname "$0")/adapter_lib.sh"
need curl
command -v testssl >/dev/null 2>&1 || command -v testssl.sh >/dev/null 2>&1 || skip "testssl.sh not installed"
TESTSSL=$(command -v testssl || command -v testssl.sh)

pki_make
openssl req -newkey rsa:2048 -nodes -keyout "$PKI/rsa-key.pem" -out "$PKI/rsa.csr" \
    -subj "/CN=rizk-metrics-adapter" 2>/dev/null || fail "openssl: RSA key"
printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "extendedKeyUsage=serverAuth" > "$PKI/rsa.ext"
openssl x509 -req -in "$PKI/rsa.csr" -CA "$PKI/server-ca.pem" -CAkey "$PKI/server-ca-key.pem" \
    -CAcreateserial -days 2 -extfile "$PKI/rsa.ext" -out "$PKI/rsa.pem" 2>/dev/null || fail "openssl: sign RSA"

SP=$(free_port)
cat > "$E2E_TMP/web.yml" <<EOF
tls_server_config:
  cert_file: $PKI/server.pem
  key_file: $PKI/server-key.pem
EOF
"$RIZK_BIN" sidecar --web.listen-address="127.0.0.1:$SP" --statsd.listen-address= \
    --web.config.file="$E2E_TMP/web.yml" >"$E2E_TMP/sidecar.log" 2>&1 &
E2E_PIDS+=("$!")
E2E_DAEMONS+=("$!")
for _ in $(seq 100); do
    curl -sf -o /dev/null --max-time 1 --cacert "$PKI/server-ca.pem" "https://127.0.0.1:$SP/ready" && break
    sleep 0.1
done
AP=$(free_port)
# no Redis is needed for the handshake: the fleet registry address is never dialled here
start_adapter adapter "$AP" --redis.addr=127.0.0.1:1 --tls.cert-file="$PKI/rsa.pem" \
    --tls.key-file="$PKI/rsa-key.pem"
grep -q 'msg="TLS VersionTLS12 minimum; TLS 1.2 cipher suites TLS_ECDHE_ECDSA_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_CHACHA20_POLY1305,TLS_ECDHE_RSA_AES_128_GCM_SHA256,TLS_ECDHE_RSA_AES_256_GCM_SHA384,TLS_ECDHE_RSA_CHACHA20_POLY1305"' \
    "$E2E_TMP/adapter.log" || fail "adapter start-up log of its TLS policy: $(grep TLS "$E2E_TMP/adapter.log")"

scan() { # NAME PORT
    "$TESTSSL" --quiet --color 0 --warnings off --ip one -p -s -U \
        --jsonfile "$E2E_TMP/testssl-$1.json" "127.0.0.1:$2" >"$E2E_TMP/testssl-$1.txt" 2>&1
}
scan sidecar "$SP" &
s1=$!
scan adapter "$AP" &
s2=$!
E2E_PIDS+=("$s1" "$s2")
wait "$s1"
wait "$s2"

check() { # NAME: exact findings from the JSON report
    "$PY" - "$E2E_TMP/testssl-$1.json" "$1" <<'EOF'
import json, sys
findings = {f["id"]: f for f in json.load(open(sys.argv[1]))}
name = sys.argv[2]
bad = []
for proto in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
    if findings.get(proto, {}).get("finding") != "not offered":
        bad.append("%s: %s" % (proto, findings.get(proto, {}).get("finding")))
if not findings.get("TLS1_2", {}).get("finding", "").startswith("offered"):
    bad.append("TLS 1.2 not offered")
for cat in ("cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT", "cipherlist_LOW",
            "cipherlist_3DES_IDEA", "cipherlist_AVERAGE"):
    # cipherlist_AVERAGE is testssl's "Obsolete CBC ciphers": every CBC-SHA1 suite
    if findings.get(cat, {}).get("finding") != "not offered":
        bad.append("%s: %s" % (cat, findings.get(cat, {}).get("finding")))
for f in findings.values():
    if "VULNERABLE" in f.get("finding", "").upper() and "NOT VULNERABLE" not in f["finding"].upper():
        bad.append("%s: %s" % (f["id"], f["finding"]))
    if f.get("severity") in ("HIGH", "CRITICAL", "MEDIUM"):
        bad.append("%s (%s): %s" % (f["id"], f["severity"], f["finding"]))
for must in ("heartbleed", "ROBOT", "LUCKY13", "BEAST", "POODLE_SSL", "SWEET32", "fallback_SCSV"):
    if must not in findings:
        bad.append("%s was not tested" % must)
if bad:
    print("%s: %s" % (name, "; ".join(bad)))
    sys.exit(1)
EOF
}
check sidecar || fail "testssl.sh against the sidecar"
pass "testssl.sh, sidecar (web-config TLS): nothing below TLS 1.2, no CBC, nothing vulnerable"
check adapter || fail "testssl.sh against the adapter"
pass "testssl.sh, adapter (defaults, RSA certificate): nothing below TLS 1.2, no CBC, nothing vulnerable"

# --- the adapter's flags in kube-apiserver's spelling ---
os() { # PORT openssl-args...: prints the negotiated cipher or "refused"
    local port=$1; shift
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -CAfile "$PKI/server-ca.pem" "$@" 2>/dev/null \
        | awk '/^New, /{c=$NF} END{print (c == "" || c == "(NONE)") ? "refused" : c}'
}
assert_eq "$(os "$AP" -tls1_2 -cipher ECDHE-RSA-AES128-SHA)" refused "adapter default: CBC-SHA1 refused"
assert_eq "$(os "$AP" -tls1_1)" refused "adapter default: TLS 1.1 refused"
AP2=$(free_port)
start_adapter adapter2 "$AP2" --redis.addr=127.0.0.1:1 --tls.cert-file="$PKI/rsa.pem" \
    --tls.key-file="$PKI/rsa-key.pem" \
    --tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
assert_eq "$(os "$AP2" -tls1_2 -cipher ECDHE-RSA-AES128-SHA)" ECDHE-RSA-AES128-SHA \
    "--tls-cipher-suites enables a listed CBC suite"
assert_eq "$(os "$AP2" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256)" refused \
    "--tls-cipher-suites leaves out an unlisted suite"
AP3=$(free_port)
start_adapter adapter3 "$AP3" --redis.addr=127.0.0.1:1 --tls-min-version=VersionTLS13
assert_eq "$(os "$AP3" -tls1_2)" refused "--tls-min-version=VersionTLS13 refuses TLS 1.2"
assert_eq "$(os "$AP3" -tls1_3)" TLS_AES_128_GCM_SHA256 "--tls-min-version=VersionTLS13 serves TLS 1.3"
out=$("$RIZK_BIN" adapter --web.listen-address="127.0.0.1:$(free_port)" --redis.addr=127.0.0.1:1 \
    --tls.cert-file="$PKI/rsa.pem" --tls.key-file="$PKI/rsa-key.pem" \
    --tls-cipher-suites=TLS_RSA_WITH_RC4_128_SHA 2>&1); rc=$?
assert_eq "$rc" 2 "an unknown --tls-cipher-suites name exits 2"
echo "$out" | grep -q 'invalid value for --tls-cipher-suites: unknown or unsupported cipher suite \\"TLS_RSA_WITH_RC4_128_SHA\\"' \
    || fail "the error names the flag and the suite: $out"
out=$("$RIZK_BIN" adapter --redis.addr=127.0.0.1:1 --insecure-http --tls-min-version=TLS12 2>&1); rc=$?
assert_eq "$rc" 2 "--tls-min-version takes kube-apiserver's names only"
