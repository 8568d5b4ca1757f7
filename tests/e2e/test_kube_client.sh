#!/usr/bin/env bash
# io/kube_client against a local HTTPS fake kube-apiserver (tests/e2e/kube_fake.py), through
# tests/e2e/kube_probe: in-cluster configuration (KUBERNETES_SERVICE_HOST/PORT, the service
# account's token, ca.crt and namespace) with the token rotated the way kubelet rotates projected
# tokens (an atomic ..data symlink swap) and then deleted (the last token stays in use); kubeconfig
# with inline data and with relative files, client certificates (the CN the server saw), tokenFile,
# insecure-skip-tls-verify, a wrong CA; every method with its body; and the errors: timeout,
# refused, a body over the cap, a malformed kubeconfig, no cluster.
. "$E2E_LIB"
. "$(dirname "$0")/adapter_lib.sh"
. "$(dirname "$0")/kube_lib.sh"
need curl
: "${KUBE_PROBE:?KUBE_PROBE must point at tests/e2e/kube_probe}"
pki_make
start_kube_fake K
A="https://127.0.0.1:$K_PORT"

# --- in-cluster ------------------------------------------------------------------------------
SA="$E2E_TMP/sa"
mkdir -p "$SA/..2026_12_07_01" && cp "$PKI/server-ca.pem" "$SA/..2026_12_07_01/ca.crt"
printf 'tok-1\n' > "$SA/..2026_12_07_01/token"
printf 'rizk-system' > "$SA/..2026_12_07_01/namespace"
ln -s ..2026_12_07_01 "$SA/..data"
for f in ca.crt token namespace; do ln -s "..data/$f" "$SA/$f"; done
incluster() { KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=$K_PORT "$KUBE_PROBE" --sa-dir="$SA" "$@"; }

assert_eq "$(incluster ns)" "rizk-system $A" "in-cluster: namespace from the service account, server from the environment"
out=$(incluster GET /api) || fail "in-cluster GET /api: $out"
assert_eq "${out%% *}" 200 "in-cluster GET /api: status"
"$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["kind"]=="APIVersions", d' "${out#* }" \
    || fail "in-cluster GET /api: body [$out]"
pass "in-cluster GET /api: the APIVersions body"
assert_eq "$(kube_log_field K -1 auth)" "Bearer tok-1" "in-cluster: the service-account token as bearer (trailing newline cut)"
assert_eq "$(kube_log_field K -1 accept)" "application/json" "Accept: application/json"
case "$(kube_log_field K -1 ua)" in rizk-metrics/*) pass "User-Agent rizk-metrics/<version>" ;;
    *) fail "User-Agent: $(kube_log_field K -1 ua)" ;; esac
assert_eq "$(kube_log_field K -1 cn)" None "in-cluster: no client certificate"

# one client, the token rotated between two requests, then deleted
mkfifo "$E2E_TMP/probe.in" "$E2E_TMP/probe.out"
KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=$K_PORT "$KUBE_PROBE" --sa-dir="$SA" - \
    < "$E2E_TMP/probe.in" > "$E2E_TMP/probe.out" &
PROBE_PID=$!
E2E_PIDS+=("$PROBE_PID")
exec 7>"$E2E_TMP/probe.in" 8<"$E2E_TMP/probe.out"
ask() { echo "$1" >&7; read -r -t 10 line <&8 || fail "kube_probe did not answer [$1]"; echo "$line"; }
assert_eq "$(ask 'GET /api' | cut -d' ' -f1)" 200 "long-lived client: first request"
assert_eq "$(kube_log_field K -1 auth)" "Bearer tok-1" "long-lived client: token 1"
mkdir "$SA/..2026_12_07_02" && cp "$SA/..2026_12_07_01/"* "$SA/..2026_12_07_02/"
printf 'tok-2\n' > "$SA/..2026_12_07_02/token"
ln -s ..2026_12_07_02 "$SA/..data_tmp" && mv -T "$SA/..data_tmp" "$SA/..data"
rm -rf "$SA/..2026_12_07_01"
assert_eq "$(ask 'GET /api' | cut -d' ' -f1)" 200 "long-lived client: request after the rotation"
assert_eq "$(kube_log_field K -1 auth)" "Bearer tok-2" "a rotated projected token is re-read (..data symlink swap)"
rm "$SA/..2026_12_07_02/token"
assert_eq "$(ask 'GET /api' | cut -d' ' -f1)" 200 "long-lived client: request with the token file gone"
assert_eq "$(kube_log_field K -1 auth)" "Bearer tok-2" "an unreadable token file keeps the last good token"
exec 7>&- 8<&-
wait "$PROBE_PID" 2>/dev/null
printf 'tok-3' > "$SA/..2026_12_07_02/token"

# no cluster: a clear refusal, exit 2
out=$(env -u KUBERNETES_SERVICE_HOST "$KUBE_PROBE" --sa-dir="$SA" ns 2>&1); rc=$?
assert_eq "$rc" 2 "not in a cluster: kube_client_new fails"
assert_eq "$out" "kube_probe: not running in a cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset) and no kubeconfig given" \
    "not in a cluster: the message"
out=$(KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=$K_PORT "$KUBE_PROBE" --sa-dir="$E2E_TMP/nosa" ns 2>&1)
assert_eq "$out" "kube_probe: in-cluster CA $E2E_TMP/nosa/ca.crt: no such file or directory" "in-cluster without ca.crt: the message"

# --- kubeconfig: inline data ------------------------------------------------------------------
b64() { base64 -w0 < "$1"; }
cat > "$E2E_TMP/kc-data.yaml" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: $A/
    certificate-authority-data: $(b64 "$PKI/server-ca.pem")
users:
- name: alice
  user:
    client-certificate-data: $(b64 "$PKI/alice.pem")
    client-key-data: $(b64 "$PKI/alice-key.pem")
contexts:
- name: other
  context: {cluster: nowhere, user: nobody}
- name: fake
  context: {cluster: fake, user: alice, namespace: team-a}
current-context: fake
EOF
assert_eq "$("$KUBE_PROBE" --kubeconfig="$E2E_TMP/kc-data.yaml" ns)" "team-a $A" \
    "kubeconfig: the context's namespace; a trailing / of the server dropped"
out=$("$KUBE_PROBE" --kubeconfig="$E2E_TMP/kc-data.yaml" GET /api) || fail "kubeconfig data: $out"
assert_eq "${out%% *}" 200 "kubeconfig with certificate-authority-data and client-certificate-data: 200"
assert_eq "$(kube_log_field K -1 cn)" alice "kubeconfig data: the server saw the client certificate CN=alice"
assert_eq "$(kube_log_field K -1 auth)" None "kubeconfig data: no bearer token"

# --- kubeconfig: files relative to the kubeconfig, tokenFile -------------------------------------
mkdir -p "$E2E_TMP/kc/certs"
cp "$PKI/server-ca.pem" "$PKI/alice.pem" "$PKI/alice-key.pem" "$E2E_TMP/kc/certs/"
printf 'tok-file\n' > "$E2E_TMP/kc/token"
cat > "$E2E_TMP/kc/config" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: {server: "$A", certificate-authority: certs/server-ca.pem}
users:
- name: both
  user: {client-certificate: certs/alice.pem, client-key: certs/alice-key.pem, tokenFile: token}
contexts:
- name: fake
  context: {cluster: fake, user: both}
current-context: fake
EOF
assert_eq "$("$KUBE_PROBE" --kubeconfig="$E2E_TMP/kc/config" ns)" "default $A" "kubeconfig without a namespace: default"
out=$(cd / && "$KUBE_PROBE" --kubeconfig="$E2E_TMP/kc/config" GET /api) || fail "kubeconfig files: $out"
assert_eq "${out%% *}" 200 "kubeconfig with relative files (resolved against its directory): 200"
assert_eq "$(kube_log_field K -1 cn)" alice "kubeconfig files: client certificate CN=alice"
assert_eq "$(kube_log_field K -1 auth)" "Bearer tok-file" "kubeconfig tokenFile: the bearer token"

# --- TLS verification -------------------------------------------------------------------------
sed "s|certs/server-ca.pem|$PKI/rogue-ca.pem|" "$E2E_TMP/kc/config" > "$E2E_TMP/kc/rogue"
out=$("$KUBE_PROBE" --kubeconfig="$E2E_TMP/kc/rogue" GET /api); rc=$?
assert_eq "$rc" 1 "a server certificate from another CA: the request fails"
case "$out" in "ERR EIO GET $A/api: SSL certificate problem"*) pass "wrong CA: EIO with curl's reason [$out]" ;;
    *) fail "wrong CA: [$out]" ;; esac
cat > "$E2E_TMP/kc-insecure.yaml" <<EOF
clusters:
- name: fake
  cluster: {server: "$A", insecure-skip-tls-verify: true}
users:
- name: t
  user: {token: tok-inline}
contexts:
- name: fake
  context: {cluster: fake, user: t}
current-context: fake
EOF
out=$("$KUBE_PROBE" --kubeconfig="$E2E_TMP/kc-insecure.yaml" GET /api)
assert_eq "${out%% *}" 200 "insecure-skip-tls-verify: no CA needed"
assert_eq "$(kube_log_field K -1 auth)" "Bearer tok-inline" "kubeconfig token: the bearer token"

# --- methods and bodies -----------------------------------------------------------------------
KC="$E2E_TMP/kc-data.yaml"
body='{"apiVersion":"v1","kind":"Thing","spec":{"x":"y z"}}'
for m in POST PUT PATCH DELETE; do
    out=$("$KUBE_PROBE" --kubeconfig="$KC" "$m" /echo "$body")
    assert_eq "$out" "200 $body" "$m with a JSON body: echoed"
    assert_eq "$(kube_log_field K -1 method)" "$m" "$m: the method on the wire"
    assert_eq "$(kube_log_field K -1 ctype)" "application/json" "$m: Content-Type application/json"
done
out=$("$KUBE_PROBE" --kubeconfig="$KC" DELETE /echo)
assert_eq "$out" "200 " "DELETE without a body"
out=$("$KUBE_PROBE" --kubeconfig="$KC" GET /api/v1/nothing)
case "$out" in '404 {"kind": "Status"'*'"code": 404}') pass "a 404 Status is an answer, not an error" ;;
    *) fail "404: [$out]" ;; esac
out=$("$KUBE_PROBE" --kubeconfig="$KC" --threads=8 GET /api | cut -d' ' -f1 | sort | uniq -c | tr -s ' ')
assert_eq "$out" " 8 200" "8 threads sharing one client: 8 answers"
out=$("$KUBE_PROBE" --kubeconfig="$KC" TRACE /api); rc=$?
assert_eq "$rc:$out" "1:ERR EINVAL invalid request TRACE /api" "a method outside the list: EINVAL"

# --- errors -----------------------------------------------------------------------------------
kube_behaviour K '{"delay_ms": {"slow": 3000}}'
out=$("$KUBE_PROBE" --kubeconfig="$KC" --timeout-ms=300 GET /slow); rc=$?
case "$rc:$out" in "1:ERR ETIMEDOUT GET $A/slow: Operation timed out after "*) pass "a slow server: ETIMEDOUT [$out]" ;;
    *) fail "timeout: [$rc:$out]" ;; esac
out=$("$KUBE_PROBE" --kubeconfig="$KC" --cap=1000 GET '/big?n=1000')
assert_eq "${#out}" 1004 "a body of exactly the cap fits"
out=$("$KUBE_PROBE" --kubeconfig="$KC" --cap=1000 GET '/big?n=5000'); rc=$?
assert_eq "$rc:$out" "1:ERR E2BIG GET /big?n=5000: the answer is larger than the caller's cap" "a body above the cap: E2BIG"
DEAD=$(free_port)
sed "s|$A|https://127.0.0.1:$DEAD|" "$KC" > "$E2E_TMP/kc-dead.yaml"
out=$("$KUBE_PROBE" --kubeconfig="$E2E_TMP/kc-dead.yaml" GET /api); rc=$?
case "$rc:$out" in "1:ERR ECONNREFUSED GET https://127.0.0.1:$DEAD/api: "*) pass "nobody listening: ECONNREFUSED" ;;
    *) fail "refused: [$rc:$out]" ;; esac
printf 'clusters:\n- name: c\n  cluster: {server: https://h}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n' \
    > "$E2E_TMP/kc-bad.yaml"
out=$("$KUBE_PROBE" --kubeconfig="$E2E_TMP/kc-bad.yaml" ns 2>&1); rc=$?
assert_eq "$rc:$out" "2:kube_probe: kubeconfig $E2E_TMP/kc-bad.yaml:6:31: the context's user is not defined" \
    "a kubeconfig naming an undefined user: file, line, column, reason"
out=$("$KUBE_PROBE" --kubeconfig="$E2E_TMP/none.yaml" ns 2>&1); rc=$?
assert_eq "$rc:$out" "2:kube_probe: cannot read the kubeconfig $E2E_TMP/none.yaml: no such file or directory" \
    "a missing kubeconfig: the message"
sed 's|client-key-data: .*|client-key-data: "%%%"|' "$KC" > "$E2E_TMP/kc-b64.yaml"
out=$("$KUBE_PROBE" --kubeconfig="$E2E_TMP/kc-b64.yaml" ns 2>&1); rc=$?
assert_eq "$rc:$out" "2:kube_probe: kubeconfig $E2E_TMP/kc-b64.yaml: user alice / cluster fake: client-key-data is not valid base64" \
    "invalid base64: named, without the secret"
echo "all kube_client checks passed"
