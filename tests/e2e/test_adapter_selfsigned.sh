#!/usr/bin/env bash
# The adapter without --tls.cert-file/--tls.key-file: a self-signed serving certificate made at
# start (as metrics-server does), kept in memory only. openssl shows its subject, names, key and
# validity; Python's ssl verifies a handshake against it for "localhost" and 127.0.0.1; a client
# certificate still authenticates over it; SIGHUP reloads the same certificate (nothing on disk
# to change) and the adapter keeps serving it. Then --authorization-always-allow-paths with an
# exact path and a trailing-* prefix, and a probe left out of it.
. "$E2E_LIB"
. "$(dirname "$0")/adapter_lib.sh"
need curl
pki_make
AP=$(free_port)
DEAD=$(free_port)
"$RIZK_BIN" adapter --web.listen-address="127.0.0.1:$AP" --redis.addr="127.0.0.1:$DEAD" \
    --client-ca-file="$PKI/client-ca.pem" >"$E2E_TMP/ad.log" 2>&1 &
AD_PID=$!
E2E_PIDS+=("$AD_PID")
E2E_DAEMONS+=("$AD_PID")
A=https://127.0.0.1:$AP
for _ in $(seq 100); do
    curl -skf -o /dev/null --max-time 1 "$A/healthz" && break
    sleep 0.1
done
assert_eq "$(curl -sk --max-time 5 "$A/healthz")" ok "the adapter serves HTTPS without a certificate flag"
grep -q 'no --tls.cert-file: serving a self-signed certificate generated now' "$E2E_TMP/ad.log" \
    || fail "no warning about the self-signed certificate"
pass "the log says the certificate is self-signed and what kube-apiserver needs"

echo | openssl s_client -connect "127.0.0.1:$AP" -servername localhost 2>/dev/null \
    | openssl x509 -outform PEM > "$E2E_TMP/served.pem" || fail "no certificate served"
openssl x509 -in "$E2E_TMP/served.pem" -noout -text > "$E2E_TMP/served.txt"
subj=$(openssl x509 -in "$E2E_TMP/served.pem" -noout -subject -nameopt RFC2253)
case "$subj" in "subject=CN=rizk-metrics-adapter@"[0-9]*) pass "subject $subj" ;; *) fail "subject: $subj" ;; esac
assert_eq "$(openssl x509 -in "$E2E_TMP/served.pem" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')" "${subj#subject=}" "self-signed: issuer = subject"
grep -q "DNS:localhost, DNS:$(hostname), IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" "$E2E_TMP/served.txt" \
    || fail "SANs: $(grep -A1 'Subject Alternative Name' "$E2E_TMP/served.txt")"
pass "names: localhost, the host name, 127.0.0.1, ::1"
grep -q 'ASN1 OID: prime256v1' "$E2E_TMP/served.txt" || fail "key: $(grep -A2 'Public Key Algorithm' "$E2E_TMP/served.txt")"
grep -q 'TLS Web Server Authentication' "$E2E_TMP/served.txt" || fail "no serverAuth usage"
grep -q 'CA:FALSE' "$E2E_TMP/served.txt" || fail "a serving certificate is no CA"
pass "EC P-256 key, serverAuth, not a CA"
days=$("$PY" - "$E2E_TMP/served.pem" <<'PYEOF'
import ssl, sys, subprocess, datetime
out = subprocess.run(["openssl", "x509", "-in", sys.argv[1], "-noout", "-startdate", "-enddate"],
                     capture_output=True, text=True).stdout.split("\n")
nb = datetime.datetime.strptime(out[0].split("=", 1)[1], "%b %d %H:%M:%S %Y %Z")
na = datetime.datetime.strptime(out[1].split("=", 1)[1], "%b %d %H:%M:%S %Y %Z")
print(round((na - nb).total_seconds() / 86400, 3))
PYEOF
)
assert_eq "$days" 365.042 "valid one year from an hour ago (clock skew)"

# Python's ssl verifies the handshake with the served certificate as the only trust anchor
for host in localhost 127.0.0.1; do
    "$PY" - "$AP" "$E2E_TMP/served.pem" "$host" <<'PYEOF' || fail "Python ssl against $host"
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as s:
    with ctx.wrap_socket(s, server_hostname=sys.argv[3]) as t:
        t.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = t.recv(4096)
        assert data.startswith(b"HTTP/1.1 200"), data
PYEOF
    pass "Python ssl verifies the self-signed certificate for $host"
done
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$E2E_TMP/served.pem" --cert "$PKI/alice.pem" \
    --key "$PKI/alice-key.pem" "https://localhost:$AP/apis")
assert_eq "$code" 200 "a client certificate authenticates over the self-signed certificate"

serial=$(openssl x509 -in "$E2E_TMP/served.pem" -noout -serial)
kill -HUP "$AD_PID"
for _ in $(seq 50); do grep -q 'SIGHUP: certificates reloaded' "$E2E_TMP/ad.log" && break; sleep 0.1; done
grep -q 'SIGHUP: certificates reloaded' "$E2E_TMP/ad.log" || fail "SIGHUP: $(tail -3 "$E2E_TMP/ad.log")"
now=$(echo | openssl s_client -connect "127.0.0.1:$AP" 2>/dev/null | openssl x509 -noout -serial)
assert_eq "$now" "$serial" "SIGHUP reloads the same in-memory certificate"

# --authorization-always-allow-paths: exact paths and a trailing-* prefix skip authentication;
# a probe left out of the list needs an identity like any other path
P2=$(free_port)
"$RIZK_BIN" adapter --web.listen-address="127.0.0.1:$P2" --redis.addr="127.0.0.1:$DEAD" \
    --client-ca-file="$PKI/client-ca.pem" --authorization-always-allow-paths='/healthz, /apis/custom*' \
    >"$E2E_TMP/ad2.log" 2>&1 &
E2E_PIDS+=("$!")
E2E_DAEMONS+=("$!")
for _ in $(seq 100); do curl -skf -o /dev/null --max-time 1 "https://127.0.0.1:$P2/healthz" && break; sleep 0.1; done
assert_eq "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$P2/healthz")" 200 "an exact always-allowed path: no credential needed"
assert_eq "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$P2/apis/custom.metrics.k8s.io/v1beta2")" 200 "a path under a trailing-* entry: no credential needed"
assert_eq "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$P2/apis")" 401 "/apis is not under /apis/custom*"
assert_eq "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$P2/readyz")" 401 "a probe left out of the list needs an identity"
assert_eq "$(curl -sk -o /dev/null -w '%{http_code}' --cert "$PKI/alice.pem" --key "$PKI/alice-key.pem" "https://127.0.0.1:$P2/readyz")" 200 \
    "... and is served to an authenticated client"
echo "all self-signed checks passed"
