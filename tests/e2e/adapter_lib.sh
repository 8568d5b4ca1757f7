# Helpers for the adapter e2e tests (sourced after lib.sh and redis_lib.sh): test PKI made with
# openssl in the test's temp dir, the adapter over TLS, sidecars that publish to the fleet
# registry, and a paced statsd sender whose per-port rates can change while it runs.
command -v openssl >/dev/null 2>&1 || skip "openssl not installed"

PKI="$E2E_TMP/pki"

# pki_ca NAME: a self-signed CA (EC P-256, valid 2 days).
pki_ca() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -keyout "$PKI/$1-key.pem" -out "$PKI/$1.pem" -subj "/CN=rizk-test-$1" 2>/dev/null \
        || fail "openssl: CA $1"
}

# pki_cert NAME CA SUBJECT EXTENSIONS...: a certificate NAME.pem / NAME-key.pem signed by CA.
pki_cert() {
    local name=$1 ca=$2 subj=$3; shift 3
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/$name-key.pem" \
        -out "$PKI/$name.csr" -subj "$subj" 2>/dev/null || fail "openssl: request $name"
    printf '%s\n' "$@" > "$PKI/$name.ext"
    openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.pem" -CAkey "$PKI/$ca-key.pem" \
        -CAcreateserial -days 2 -extfile "$PKI/$name.ext" -out "$PKI/$name.pem" 2>/dev/null \
        || fail "openssl: sign $name"
}

# pki_make: the CAs and certificates every adapter test uses.
#   server-ca -> server (localhost, 127.0.0.1)
#   client-ca -> alice (O=rizk-readers,O=devs), mallory (O=others), nocn (no CN)
#   proxy-ca  -> front-proxy (CN=front-proxy-client), proxy-other (CN=someone-else)
#   rogue-ca  -> rogue (CN=alice, O=rizk-readers: the right names from the wrong CA)
pki_make() {
    mkdir -p "$PKI"
    local ca
    for ca in server-ca client-ca proxy-ca rogue-ca; do pki_ca "$ca"; done
    pki_cert server server-ca "/CN=rizk-metrics-adapter" \
        "subjectAltName=DNS:localhost,IP:127.0.0.1" "extendedKeyUsage=serverAuth"
    pki_cert alice client-ca "/O=rizk-readers/O=devs/CN=alice" "extendedKeyUsage=clientAuth"
    pki_cert mallory client-ca "/O=others/CN=mallory" "extendedKeyUsage=clientAuth"
    pki_cert nocn client-ca "/O=rizk-readers" "extendedKeyUsage=clientAuth"
    pki_cert front-proxy proxy-ca "/CN=front-proxy-client" "extendedKeyUsage=clientAuth"
    pki_cert proxy-other proxy-ca "/CN=someone-else" "extendedKeyUsage=clientAuth"
    pki_cert rogue rogue-ca "/O=rizk-readers/CN=alice" "extendedKeyUsage=clientAuth"
}

# start_adapter NAME PORT [flags...]: the adapter over TLS with the test PKI; waits for /healthz.
start_adapter() {
    local name=$1 port=$2; shift 2
    "$RIZK_BIN" adapter --web.listen-address="127.0.0.1:$port" \
        --tls.cert-file="$PKI/server.pem" --tls.key-file="$PKI/server-key.pem" \
        --client-ca-file="$PKI/client-ca.pem" --requestheader-client-ca-file="$PKI/proxy-ca.pem" \
        --requestheader-allowed-names=front-proxy-client "$@" >"$E2E_TMP/$name.log" 2>&1 &
    local pid=$!
    E2E_PIDS+=("$pid")
    E2E_DAEMONS+=("$pid")
    eval "${name}_PID=$pid"
    for _ in $(seq 100); do
        curl -sf -o /dev/null --max-time 1 --cacert "$PKI/server-ca.pem" \
            "https://127.0.0.1:$port/healthz" && return 0
        sleep 0.1
    done
    fail "adapter $name did not answer /healthz on port $port"
}

# acurl WHO URL [curl args...]: curl against the adapter as WHO (a certificate name, or "none").
acurl() {
    local who=$1 url=$2; shift 2
    local id=()
    [ "$who" = none ] || id=(--cert "$PKI/$who.pem" --key "$PKI/$who-key.pem")
    curl -s --max-time 5 --cacert "$PKI/server-ca.pem" "${id[@]}" "$@" "$url"
}

# kubeconfig_write FILE PORT CERT: a kubeconfig for the adapter with client certificate CERT.
kubeconfig_write() {
    cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: adapter
  cluster:
    server: https://127.0.0.1:$2
    certificate-authority: $PKI/server-ca.pem
users:
- name: $3
  user:
    client-certificate: $PKI/$3.pem
    client-key: $PKI/$3-key.pem
contexts:
- name: adapter
  context: {cluster: adapter, user: $3}
current-context: adapter
EOF
}

# udp_port prints a free UDP port on 127.0.0.1.
udp_port() {
    "$PY" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_fleet_sidecar NAME POD NS LABELS UDPPORT REDIS_PORT: a sidecar publishing its pod to
# the fleet registry every second, with statsd on UDPPORT and a 5 s signal window.
start_fleet_sidecar() {
    local name=$1 pod=$2 ns=$3 labels=$4 uport=$5 rport=$6 port
    port=$(free_port)
    printf '%b' "$labels" > "$E2E_TMP/$name.labels"
    POD_NAME=$pod POD_NAMESPACE=$ns start_sidecar "$name" "$port" \
        --path.procfs="$FIXTURES/proc" --path.cgroupfs="$FIXTURES/sys/fs/cgroup" \
        --redis.addr="127.0.0.1:$rport" --fleet.interval=1s --pod.labels-file="$E2E_TMP/$name.labels" \
        --statsd.listen-address="127.0.0.1:$uport" --history.interval=200ms --signals.window=5s
}

# start_sender RATES_FILE: a paced statsd sender. RATES_FILE holds "udpport requests_per_second"
# lines and is re-read every 200 ms, so rates change (or stop at 0) while it runs. Each 10 ms it
# sends floor(accumulated) requests per port as one "rizk.requests:N|c" line.
start_sender() {
    "$PY" - "$1" >"$E2E_TMP/sender.log" 2>&1 <<'PYEOF' &
import socket, sys, time
path = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rates, acc, t0, k, last_read = {}, {}, time.monotonic(), 0, -1.0
while True:
    now = time.monotonic()
    if now - last_read >= 0.2:
        try:
            rates = {int(p): float(r) for p, r in (l.split() for l in open(path) if l.strip())}
        except (OSError, ValueError):
            pass
        last_read = now
    for port, rate in rates.items():
        a = acc.get(port, 0.0) + rate * 0.01
        n = int(a)
        acc[port] = a - n
        if n > 0:
            s.sendto(("rizk.requests:%d|c\nrizk.response_time:20|ms" % n).encode(), ("127.0.0.1", port))
    k += 1
    d = t0 + k * 0.01 - time.monotonic()
    if d > 0:
        time.sleep(d)
PYEOF
    E2E_PIDS+=("$!")
}

# within_pct GOT WANT PCT: |got - want| <= pct % of want.
within_pct() {
    "$PY" -c 'import sys; g, w, p = map(float, sys.argv[1:]); sys.exit(0 if abs(g - w) <= w * p / 100 else 1)' "$1" "$2" "$3"
}
