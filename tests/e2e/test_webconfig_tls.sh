#!/usr/bin/env bash
# The sidecar's --web.config.file with real clients: every client_auth_type against curl,
# openssl s_client and Python's ssl, each with no certificate, one from the client CA and one
# from a rogue CA; client_allowed_sans; min_version; the toolkit's headers; basic auth with
# hashes made by the real htpasswd (right, wrong, unknown user, none); the rate limit's 429;
# --web.probes-unauthenticated; a rotated certificate picked up without a restart; SIGHUP
# reloads (good, then bad: the old config stays and the log says why); strict parsing at start.
. "$E2E_LIB"
. "$(dirname "$0")/adapter_lib.sh"
need curl
need htpasswd
TLS_PY="$(dirname "$0")/tls_client.py"

pki_make
pki_cert scraper client-ca "/CN=scraper" "subjectAltName=DNS:scraper.example.com" \
    "extendedKeyUsage=clientAuth"
CA="$PKI/server-ca.pem"

# start_web NAME PORT CONFIG [flags...]: the sidecar with a web config; waits until it listens.
start_web() {
    local name=$1 port=$2 conf=$3; shift 3
    "$RIZK_BIN" sidecar --web.listen-address="127.0.0.1:$port" --statsd.listen-address= \
        --web.config.file="$conf" "$@" >"$E2E_TMP/$name.log" 2>&1 &
    local pid=$!
    E2E_PIDS+=("$pid")
    E2E_DAEMONS+=("$pid")
    eval "${name}_PID=$pid"
    for _ in $(seq 100); do
        grep -q 'msg="rizk-metrics .* listening on' "$E2E_TMP/$name.log" && return 0
        kill -0 "$pid" 2>/dev/null || fail "$name exited: $(tail -3 "$E2E_TMP/$name.log")"
        sleep 0.1
    done
    fail "$name did not answer on port $port"
}

stop_web() {
    local pid
    pid=$(eval echo "\$${1}_PID")
    kill -TERM "$pid"
    wait "$pid" || fail "$1 exited $? after SIGTERM"
}

# tls_conf FILE AUTH_TYPE [extra lines...]: a web config with TLS and the client CA when the
# policy verifies.
tls_conf() {
    local file=$1 auth=$2; shift 2
    {
        echo "tls_server_config:"
        echo "  cert_file: $PKI/server.pem"
        echo "  key_file: $PKI/server-key.pem"
        echo "  client_auth_type: $auth"
        case "$auth" in
        VerifyClientCertIfGiven | RequireAndVerifyClientCert) echo "  client_ca_file: $PKI/client-ca.pem" ;;
        esac
        for l in "$@"; do echo "$l"; done
    } > "$file"
}

# The three clients, each printing 200 or "fail": WHO is none or a certificate name.
c_curl() {
    local port=$1 who=$2 code id=()
    [ "$who" = none ] || id=(--cert "$PKI/$who.pem" --key "$PKI/$who-key.pem")
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$CA" "${id[@]}" \
        "https://localhost:$port/metrics" --resolve "localhost:$port:127.0.0.1")
    [ "$code" = 200 ] && echo 200 || echo fail
}
c_openssl() {
    local port=$1 who=$2 id=() out
    [ "$who" = none ] || id=(-cert "$PKI/$who.pem" -key "$PKI/$who-key.pem")
    out=$(printf 'GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' |
        timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$CA" \
            -verify_return_error -quiet "${id[@]}" 2>/dev/null | head -1)
    case "$out" in "HTTP/1.1 200"*) echo 200 ;; *) echo fail ;; esac
}
c_python() {
    local port=$1 who=$2 id=() out
    [ "$who" = none ] || id=("$PKI/$who.pem" "$PKI/$who-key.pem")
    out=$("$PY" "$TLS_PY" "$port" /metrics "$CA" "${id[@]}")
    [ "$out" = 200 ] && echo 200 || echo fail
}

# expect PORT AUTH WHO WANT: every client agrees with WANT.
expect() {
    local port=$1 auth=$2 who=$3 want=$4 c got
    for c in c_curl c_openssl c_python; do
        got=$($c "$port" "$who")
        [ "$got" = "$want" ] || fail "$auth, certificate $who, ${c#c_}: expected $want, got $got"
    done
    pass "$auth: certificate $who -> $want (curl, openssl s_client, python ssl)"
}

# --- every client_auth_type: certificate none / from the client CA / from a rogue CA ---
P=$(free_port)
for row in "NoClientCert 200 200 200" "RequestClientCert 200 200 200" \
    "RequireAnyClientCert fail 200 200" "VerifyClientCertIfGiven 200 200 fail" \
    "RequireAndVerifyClientCert fail 200 fail"; do
    set -- $row
    tls_conf "$E2E_TMP/web-$1.yml" "$1"
    start_web "w$1" "$P" "$E2E_TMP/web-$1.yml"
    expect "$P" "$1" none "$2"
    expect "$P" "$1" alice "$3"
    expect "$P" "$1" rogue "$4"
    stop_web "w$1"
done

# --- client_allowed_sans: a verified certificate must also carry an allowed SAN ---
tls_conf "$E2E_TMP/web-sans.yml" RequireAndVerifyClientCert \
    "  client_allowed_sans: [scraper.example.com]"
start_web wsans "$P" "$E2E_TMP/web-sans.yml"
expect "$P" "client_allowed_sans" scraper 200
expect "$P" "client_allowed_sans" alice fail
expect "$P" "client_allowed_sans" rogue fail
stop_web wsans

# --- protocol versions: TLS 1.2 minimum by default; min_version TLS13 refuses 1.2 ---
tls_conf "$E2E_TMP/web-v.yml" NoClientCert
start_web wv "$P" "$E2E_TMP/web-v.yml"
for v in tls1 tls1_1; do
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$P" -"$v" -CAfile "$CA" >/dev/null 2>&1 \
        && fail "default web config accepted $v"
done
echo | timeout 10 openssl s_client -connect "127.0.0.1:$P" -tls1_2 -CAfile "$CA" 2>/dev/null \
    | grep -q -E '^ +Cipher +: ECDHE-(RSA|ECDSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$' \
    || fail "TLS 1.2 with an ECDHE AEAD suite"
echo | timeout 10 openssl s_client -connect "127.0.0.1:$P" -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA \
    -CAfile "$CA" >/dev/null 2>&1 && fail "a CBC-SHA1 suite was accepted by default"
assert_eq "$("$PY" "$TLS_PY" "$P" /metrics "$CA" --max TLSv1_2)" 200 "python ssl over TLS 1.2"
pass "default TLS: 1.0 and 1.1 refused, 1.2 with an ECDHE AEAD suite, no CBC-SHA1"
stop_web wv
tls_conf "$E2E_TMP/web-13.yml" NoClientCert "  min_version: TLS13"
start_web w13 "$P" "$E2E_TMP/web-13.yml"
assert_eq "$("$PY" "$TLS_PY" "$P" /metrics "$CA" --max TLSv1_2 | cut -d' ' -f1)" tls-error \
    "min_version TLS13 refuses a TLS 1.2 client"
assert_eq "$("$PY" "$TLS_PY" "$P" /metrics "$CA" --min TLSv1_3)" 200 "min_version TLS13 serves TLS 1.3"
stop_web w13

# --- basic auth (hashes from the real htpasswd), headers, rate limit, probes ---
HASH_A=$(htpasswd -nbBC 10 "" 'correct horse' | tr -d ':\n')
HASH_B=$(htpasswd -nbBC 10 "" 'battery staple' | tr -d ':\n')
case "$HASH_A" in '$2y$10$'*) ;; *) fail "htpasswd -nBC 10 made [$HASH_A]" ;; esac
cat > "$E2E_TMP/web-auth.yml" <<EOF
tls_server_config:
  cert_file: $PKI/server.pem
  key_file: $PKI/server-key.pem
http_server_config:
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
    Content-Security-Policy: default-src 'self'
basic_auth_users:
  alice: $HASH_A
EOF
start_web wauth "$P" "$E2E_TMP/web-auth.yml"
U="https://localhost:$P"
R=(--resolve "localhost:$P:127.0.0.1" --cacert "$CA" --max-time 5)
code() { curl -s -o /dev/null -w '%{http_code}' "${R[@]}" "$@"; }
assert_eq "$(code -u 'alice:correct horse' "$U/metrics")" 200 "basic auth: right password"
assert_eq "$(code -u 'alice:correct horse' "$U/metrics")" 200 "basic auth: right password again (cached)"
assert_eq "$(code -u 'alice:wrong' "$U/metrics")" 401 "basic auth: wrong password"
assert_eq "$(code -u 'mallory:correct horse' "$U/metrics")" 401 "basic auth: unknown user"
assert_eq "$(code "$U/metrics")" 401 "basic auth: no credentials"
assert_eq "$(code "$U/ready")" 401 "probes need credentials without --web.probes-unauthenticated"
assert_eq "$(code "$U/api/v1/current")" 401 "the JSON API needs credentials"
assert_eq "$(code "$U/")" 401 "the landing page needs credentials"
hdr=$(curl -s -D - -o "$E2E_TMP/401.txt" "${R[@]}" "$U/metrics" | tr -d '\r')
echo "$hdr" | grep -qx 'WWW-Authenticate: Basic' || fail "401 without WWW-Authenticate: Basic: $hdr"
assert_eq "$(cat "$E2E_TMP/401.txt")" "Unauthorized" "401 body"
hdr=$(curl -s -D - -o /dev/null -u 'alice:correct horse' "${R[@]}" "$U/" | tr -d '\r')
echo "$hdr" | grep -qx 'X-Frame-Options: deny' || fail "X-Frame-Options missing: $hdr"
echo "$hdr" | grep -qx 'Strict-Transport-Security: max-age=31536000' || fail "HSTS missing: $hdr"
assert_eq "$(echo "$hdr" | grep -c '^Content-Security-Policy:')" 1 "one Content-Security-Policy line"
echo "$hdr" | grep -qx "Content-Security-Policy: default-src 'self'" || fail "configured CSP: $hdr"
pass "the toolkit's headers on every response (the configured CSP replaces the page's own)"
stop_web wauth

cat "$E2E_TMP/web-auth.yml" > "$E2E_TMP/web-probes.yml"
start_web wprobes "$P" "$E2E_TMP/web-probes.yml" --web.probes-unauthenticated
for p in /health /healthz /ready /readyz; do
    assert_eq "$(code "$U$p")" 200 "--web.probes-unauthenticated: $p without credentials"
done
assert_eq "$(code "$U/metrics")" 401 "--web.probes-unauthenticated: /metrics still needs credentials"
stop_web wprobes

# rate limit: burst 3, one token an hour: the 4th request in a row is refused whatever the timing
cat > "$E2E_TMP/web-rl.yml" <<EOF
tls_server_config:
  cert_file: $PKI/server.pem
  key_file: $PKI/server-key.pem
rate_limit:
  interval: 1h
  burst: 3
EOF
start_web wrl "$P" "$E2E_TMP/web-rl.yml" --web.probes-unauthenticated
# start_web's readiness probes hit the exempt /ready, so the bucket is still full
got=""
for _ in 1 2 3 4 5; do got="$got $(code "$U/metrics")"; done
assert_eq "$got" " 200 200 200 429 429" "rate_limit burst 3: then 429"
assert_eq "$(code "$U/ready")" 200 "probes are not rate limited with --web.probes-unauthenticated"
stop_web wrl

# --- a rotated certificate (the Secret's symlink swap) is served without a restart ---
mkdir -p "$E2E_TMP/rot/v1" "$E2E_TMP/rot/v2"
cp "$PKI/server.pem" "$PKI/server-key.pem" "$E2E_TMP/rot/v1/"
pki_cert server2 server-ca "/CN=rizk-metrics-rotated" \
    "subjectAltName=DNS:localhost,IP:127.0.0.1" "extendedKeyUsage=serverAuth"
cp "$PKI/server2.pem" "$E2E_TMP/rot/v2/server.pem"
cp "$PKI/server2-key.pem" "$E2E_TMP/rot/v2/server-key.pem"
ln -s v1 "$E2E_TMP/rot/..data"
ln -s ..data/server.pem "$E2E_TMP/rot/server.pem"
ln -s ..data/server-key.pem "$E2E_TMP/rot/server-key.pem"
# relative paths resolve against the config file's directory
printf 'tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n' > "$E2E_TMP/rot/web.yml"
start_web wrot "$P" "$E2E_TMP/rot/web.yml"
subject() {
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$P" -CAfile "$CA" 2>/dev/null \
        | openssl x509 -noout -subject 2>/dev/null
}
assert_eq "$(subject)" "subject=CN = rizk-metrics-adapter" "serves the first certificate"
ln -sfn v2 "$E2E_TMP/rot/..tmp" && mv -T "$E2E_TMP/rot/..tmp" "$E2E_TMP/rot/..data"
seen=""
for _ in $(seq 100); do
    seen=$(subject)
    [ "$seen" = "subject=CN = rizk-metrics-rotated" ] && break
    sleep 0.1
done
assert_eq "$seen" "subject=CN = rizk-metrics-rotated" "a rotated certificate is served without restart"
grep -q 'msg="TLS files changed: reloaded' "$E2E_TMP/wrot.log" || fail "no reload log line"
# a broken rotation (key of another certificate) keeps the current one and says why
cp "$PKI/alice-key.pem" "$E2E_TMP/rot/v2/server-key.pem.new" && mv "$E2E_TMP/rot/v2/server-key.pem.new" "$E2E_TMP/rot/v2/server-key.pem"
for _ in $(seq 100); do
    grep -q 'TLS files changed but do not load' "$E2E_TMP/wrot.log" && break
    subject >/dev/null
    sleep 0.1
done
grep -q 'TLS files changed but do not load, the previous ones stay in use' "$E2E_TMP/wrot.log" \
    || fail "a broken rotation was not reported"
assert_eq "$(subject)" "subject=CN = rizk-metrics-rotated" "a broken rotation keeps the last good certificate"
stop_web wrot

# --- SIGHUP: a good reload applies, a bad one keeps the old config and says why ---
printf 'basic_auth_users:\n  alice: %s\n' "$HASH_A" > "$E2E_TMP/hup.yml"
"$RIZK_BIN" sidecar --web.listen-address="127.0.0.1:$P" --statsd.listen-address= \
    --web.config.file="$E2E_TMP/hup.yml" >"$E2E_TMP/whup.log" 2>&1 &
whup=$!
E2E_PIDS+=("$whup")
E2E_DAEMONS+=("$whup")
H="http://127.0.0.1:$P"
for _ in $(seq 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$H/ready")" = 401 ] && break; sleep 0.1; done
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -u 'bob:battery staple' "$H/metrics")" 401 "bob before the reload"
printf 'basic_auth_users:\n  alice: %s\n  bob: %s\n' "$HASH_A" "$HASH_B" > "$E2E_TMP/hup.yml"
kill -HUP "$whup"
for _ in $(seq 100); do grep -q 'SIGHUP: web config reloaded' "$E2E_TMP/whup.log" && break; sleep 0.1; done
grep -q 'msg="SIGHUP: web config reloaded: tls=off basic_auth_users=2 headers=0 rate_limit=off"' \
    "$E2E_TMP/whup.log" || fail "reload log line"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -u 'bob:battery staple' "$H/metrics")" 200 "bob after the reload"
printf 'basic_auth_users:\n  alice: %s\nbasic_auth_user:\n  bob: x\n' "$HASH_A" > "$E2E_TMP/hup.yml"
kill -HUP "$whup"
for _ in $(seq 100); do grep -q 'reload failed' "$E2E_TMP/whup.log" && break; sleep 0.1; done
grep -q "SIGHUP: web config reload failed, the previous one stays in use: $E2E_TMP/hup.yml: line 3: unknown key \\\\\"basic_auth_user\\\\\"" \
    "$E2E_TMP/whup.log" || fail "bad reload log line: $(grep reload "$E2E_TMP/whup.log")"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -u 'bob:battery staple' "$H/metrics")" 200 "a bad reload keeps the previous config"
# switching to HTTPS needs a restart (as with exporter-toolkit)
tls_conf "$E2E_TMP/hup.yml" NoClientCert
kill -HUP "$whup"
for _ in $(seq 100); do grep -q 'needs a restart' "$E2E_TMP/whup.log" && break; sleep 0.1; done
grep -q 'switching between HTTP and HTTPS (tls_server_config added) needs a restart' "$E2E_TMP/whup.log" \
    || fail "HTTP -> HTTPS reload must be refused"
pass "SIGHUP reload: applied, refused with the reason, old config kept"

# --- strict parsing at start: the key and its line; the exit code; --check-config ---
printf 'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth: RequireAndVerifyClientCert\n' > "$E2E_TMP/bad.yml"
out=$("$RIZK_BIN" --web.config.file="$E2E_TMP/bad.yml" --check-config 2>&1); rc=$?
assert_eq "$rc" 1 "--check-config with a bad web config exits 1"
assert_eq "$out" "rizk-metrics: invalid --web.config.file: $E2E_TMP/bad.yml: line 4: unknown key \"client_auth\" in tls_server_config" \
    "the error names the key and the line"
"$RIZK_BIN" sidecar --web.listen-address="127.0.0.1:$P" --statsd.listen-address= \
    --web.config.file="$E2E_TMP/bad.yml" >"$E2E_TMP/wbad.log" 2>&1
assert_eq "$?" 1 "the sidecar refuses to start with a bad web config"
out=$("$RIZK_BIN" --web.config.file="$E2E_TMP/web-auth.yml" --check-config 2>&1)
assert_eq "$out" "configuration OK" "--check-config accepts a good web config"
