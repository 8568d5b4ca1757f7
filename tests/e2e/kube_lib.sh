# Helpers for the tests that talk to a fake kube-apiserver (sourced after lib.sh and
# adapter_lib.sh): tests/e2e/kube_fake.py on a free port with the test PKI's server certificate,
# its behaviour file and its request log.
"$PY" -c 'import kubernetes' 2>/dev/null || skip "python3-kubernetes not installed"

KUBE_FAKE="$(dirname "${BASH_SOURCE[0]}")/kube_fake.py"

# start_kube_fake NAME: a fake kube-apiserver; sets NAME_PID, NAME_PORT, NAME_BEHAVIOUR (JSON file, re-read
# per request: write it with kube_behaviour) and NAME_LOG (one JSON object per request).
start_kube_fake() {
    local name=$1 port
    port=$(free_port)
    local beh="$E2E_TMP/$name.behaviour.json" log="$E2E_TMP/$name.requests.jsonl"
    echo '{}' > "$beh"
    : > "$log"
    "$PY" "$KUBE_FAKE" "$port" "$PKI/server.pem" "$PKI/server-key.pem" "$PKI/client-ca.pem" \
        "$beh" "$log" >"$E2E_TMP/$name.log" 2>&1 &
    E2E_PIDS+=("$!")
    eval "${name}_PID=$! ${name}_PORT=$port ${name}_BEHAVIOUR=$beh ${name}_LOG=$log"
    for _ in $(seq 100); do
        curl -s -o /dev/null --max-time 1 --cacert "$PKI/server-ca.pem" "https://127.0.0.1:$port/api" \
            && return 0
        sleep 0.1
    done
    fail "fake kube-apiserver $name did not start on port $port"
}

# kube_behaviour NAME JSON: replace the fake's behaviour (atomically).
kube_behaviour() {
    local f
    eval "f=\$${1}_BEHAVIOUR"
    printf '%s\n' "$2" > "$f.tmp" && mv "$f.tmp" "$f"
}

# kube_log_field NAME INDEX FIELD: FIELD of the INDEX-th logged request (Python indexing: -1 is
# the last), "None" when absent.
kube_log_field() {
    local f
    eval "f=\$${1}_LOG"
    "$PY" -c 'import json,sys; L=[json.loads(l) for l in open(sys.argv[1])]; print(L[int(sys.argv[2])].get(sys.argv[3]))' \
        "$f" "$2" "$3"
}

# kube_log_count NAME [PATH]: how many requests the fake received (to PATH).
kube_log_count() {
    local f
    eval "f=\$${1}_LOG"
    "$PY" -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if len(sys.argv) < 3 or json.loads(l)["path"].split("?")[0] == sys.argv[2]))' \
        "$f" "${@:2}"
}

# kube_log_invalid NAME: fails the test when the fake refused a review as malformed.
kube_log_invalid() {
    local f
    eval "f=\$${1}_LOG"
    if grep -q '"invalid"' "$f"; then
        fail "the fake kube-apiserver received malformed reviews: $(grep '"invalid"' "$f" | head -3)"
    fi
}

# kube_last_review NAME token|access: the spec of the last TokenReview / SubjectAccessReview the
# fake received, as compact JSON with sorted keys ("none" when there was none).
kube_last_review() {
    local f
    eval "f=\$${1}_LOG"
    "$PY" -c '
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
L = [e for e in L if e.get("review") == sys.argv[2]]
print(json.dumps(json.loads(L[-1]["body"])["spec"], sort_keys=True, separators=(",", ":")) if L else "none")
' "$f" "$2"
}

# kube_review_count NAME token|access: how many reviews of that kind the fake answered.
kube_review_count() {
    local f
    eval "f=\$${1}_LOG"
    "$PY" -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l).get("review") == sys.argv[2]))' "$f" "$2"
}

# kube_configmap_json FILE.pem...: the data of an extension-apiserver-authentication ConfigMap
# (client CA, front-proxy CA, allowed names, headers) as kube-apiserver writes it.
kube_configmap_json() {
    "$PY" - "$@" <<'PYEOF'
import json, sys
client_ca, proxy_ca = (open(p).read() for p in sys.argv[1:3])
print(json.dumps({
    "client-ca-file": client_ca,
    "requestheader-client-ca-file": proxy_ca,
    "requestheader-allowed-names": json.dumps(["front-proxy-client"]),
    "requestheader-username-headers": json.dumps(["X-Remote-User"]),
    "requestheader-group-headers": json.dumps(["X-Remote-Group"]),
    "requestheader-extra-headers-prefix": json.dumps(["X-Remote-Extra-"]),
}))
PYEOF
}
