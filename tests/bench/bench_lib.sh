# Shared by the benchmarks (sourced): bench_pki DIR makes a test CA (ca.pem) and the server
# (localhost, 127.0.0.1) and client certificates it signs (server.pem, client.pem, *-key.pem).
bench_pki() {
    local d=$1 n
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
        -keyout "$d/ca-key.pem" -out "$d/ca.pem" -subj /CN=bench-ca 2>/dev/null || return 1
    for n in server client; do
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/$n-key.pem" \
            -out "$d/$n.csr" -subj "/O=bench/CN=$n" 2>/dev/null || return 1
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$d/$n.ext"
        openssl x509 -req -in "$d/$n.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" -CAcreateserial \
            -days 1 -extfile "$d/$n.ext" -out "$d/$n.pem" 2>/dev/null || return 1
    done
}
