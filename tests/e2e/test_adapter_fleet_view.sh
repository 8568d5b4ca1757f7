#!/usr/bin/env bash
# The adapter's shared fleet view, its selectors and its timestamps, against a real Redis holding
# pods published with fleet_tool put (exact labels, region, zone, values and sample times).
# 1. Selectors: every operator (=, ==, !=, in, notin, key, !key) on labels, region and zone, as
#    labelSelector and as metricLabelSelector (on top of labelSelector) on the custom metrics API,
#    and as the external metrics API's labelSelector (the HPA's metric selector); a pod label
#    named "zone" shadows the snapshot's zone field.
# 2. Honest time: each item's timestamp is the pod's sample time (here 20-40 s in the past), the
#    external aggregate's the newest contribution, never the time of the answer.
# 3. The view: with --fleet.max-age=1m, 40 queries (16 of them concurrent, identity and gzip)
#    cost Redis exactly one ZRANGEBYSCORE and one MGET (INFO commandstats), and a pod published
#    meanwhile is not seen; with --fleet.max-age=0 it is seen by the next query.
. "$E2E_LIB"
. "$(dirname "$0")/redis_lib.sh"
. "$(dirname "$0")/adapter_lib.sh"
need curl
need redis-cli
pki_make

RP=$(free_port)
start_redis r "$RP"
export REDIS_URL=redis://127.0.0.1:$RP
FT=("$FLEET_TOOL")
NOW=$(date +%s%3N)
T_A=$((NOW - 20000)) T_B=$((NOW - 30250)) T_C=$((NOW - 40500))
put() { "${FT[@]}" put shop "$@" --fleet.interval=1h || fail "fleet_tool put $*"; }
put web-a 10 "@$T_A" app=web,tier=a eu-west-1 eu-west-1a
put web-b 20 "@$T_B" app=web,tier=b eu-west-1 eu-west-1b
put web-c 30 "@$T_C" app=web us-east-1 us-east-1a
put api-d 40 0 app=api,tier=a
put web-e 50 0 app=web,zone=lbl-z eu-central-1 field-z

AP=$(free_port)
start_adapter ad "$AP" --redis.addr="127.0.0.1:$RP" --fleet.interval=1h --fleet.max-age=0
A=https://127.0.0.1:$AP
CM=$A/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/%2A/rizk_requests_per_second
EM=$A/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/rizk_requests_per_second

enc() { "$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
# names QUERY: the sorted pod names of a custom-metrics answer
names() {
    acurl alice "$CM?$1" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); assert d["kind"]=="MetricValueList", d; print(" ".join(sorted(i["describedObject"]["name"] for i in d["items"])))'
}
# ext QUERY: the external aggregate's value ("-" when the list is empty)
ext() {
    acurl alice "$EM?$1" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); assert d["kind"]=="ExternalMetricValueList", d; print(d["items"][0]["value"] if d["items"] else "-")'
}

assert_eq "$(names "")" "api-d web-a web-b web-c web-e" "no selector: every pod"
# selector -> pods, over labels, region and zone
while IFS='|' read -r sel want sum; do
    assert_eq "$(names "labelSelector=$(enc "$sel")")" "$want" "labelSelector $sel"
    assert_eq "$(ext "labelSelector=$(enc "$sel")")" "$sum" "external labelSelector $sel: sum"
done <<'EOF'
region=eu-west-1|web-a web-b|30
region==us-east-1|web-c|30
region!=eu-west-1|api-d web-c web-e|120
zone in (eu-west-1a,us-east-1a)|web-a web-c|40
zone notin (eu-west-1a,lbl-z)|api-d web-b web-c|90
region|web-a web-b web-c web-e|110
!region|api-d|40
zone=lbl-z|web-e|50
zone=field-z||-
tier=a,region=eu-west-1|web-a|10
app in (web,api),!tier|web-c web-e|80
EOF
# metricLabelSelector narrows labelSelector=app=web with the same grammar
while IFS='|' read -r sel want; do
    assert_eq "$(names "labelSelector=app%3Dweb&metricLabelSelector=$(enc "$sel")")" "$want" \
        "app=web + metricLabelSelector $sel"
done <<'EOF'
region=eu-west-1|web-a web-b
region==eu-central-1|web-e
region!=eu-west-1|web-c web-e
zone in (eu-west-1b,us-east-1a)|web-b web-c
zone notin (eu-west-1b)|web-a web-c web-e
tier|web-a web-b
!tier|web-c web-e
app=api|
EOF
code=$(acurl alice "$CM?metricLabelSelector=$(enc 'zone in (a')" -o "$E2E_TMP/bad.json" -w '%{http_code}')
assert_eq "$code" 400 "malformed metricLabelSelector: 400"
grep -q 'invalid metricLabelSelector \\"zone in (a\\"' "$E2E_TMP/bad.json" || fail "400 body: $(cat "$E2E_TMP/bad.json")"
pass "the 400 names metricLabelSelector: $(head -c 140 "$E2E_TMP/bad.json")"

# --- honest time: the sample time of each pod, not the time of the answer
rfc() { date -u -d "@$(($1 / 1000))" +%Y-%m-%dT%H:%M:%SZ; }
acurl alice "$CM?labelSelector=region" > "$E2E_TMP/times.json"
got=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join("%s=%s" % (i["describedObject"]["name"], i["timestamp"]) for i in sorted(d["items"], key=lambda i: i["describedObject"]["name"]) if i["describedObject"]["name"] != "web-e"))' "$E2E_TMP/times.json")
assert_eq "$got" "web-a=$(rfc $T_A) web-b=$(rfc $T_B) web-c=$(rfc $T_C)" "item timestamps are the pods' sample times"
got=$(acurl alice "$EM?labelSelector=$(enc 'region in (eu-west-1,us-east-1)')" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["timestamp"])')
assert_eq "$got" "$(rfc $T_A)" "external aggregate: timestamp of the newest contribution"

# --- max-age 0: a pod published now is in the next answer
put web-f 60 0 app=web
assert_eq "$(names "labelSelector=app%3Dweb")" "web-a web-b web-c web-e web-f" "max-age 0: a new pod is seen by the next query"

# --- the shared view: one registry read for many queries
AP2=$(free_port)
start_adapter ad2 "$AP2" --redis.addr="127.0.0.1:$RP" --fleet.interval=1h --fleet.max-age=1m \
    --web.threads=4
CM2=https://127.0.0.1:$AP2/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/%2A/rizk_requests_per_second
redis-cli -p "$RP" config resetstat > /dev/null
calls() { redis-cli -p "$RP" info commandstats | tr -d '\r' | awk -F'[:=,]' -v c="cmdstat_$1" '$1 == c { print $3 }'; }
first=$(acurl alice "$CM2?labelSelector=app%3Dweb" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
assert_eq "$first" 5 "max-age 1m: first answer has the 5 app=web pods"
put web-g 70 0 app=web
pids=()
for i in $(seq 16); do
    enc_opt=(); [ $((i % 2)) = 0 ] && enc_opt=(--compressed)
    (for _ in 1 2; do acurl alice "$CM2?labelSelector=app%3Dweb" "${enc_opt[@]}" -o "$E2E_TMP/par.$i.$_.json" -w '%{http_code}\n'; done > "$E2E_TMP/par.$i.codes") &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
for i in $(seq 16); do
    assert_eq "$(tr '\n' ' ' < "$E2E_TMP/par.$i.codes")" "200 200 " "concurrent client $i: 200 twice" > /dev/null
    for j in 1 2; do
        n=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$E2E_TMP/par.$i.$j.json") \
            || fail "client $i answer $j is not JSON"
        [ "$n" = 5 ] || fail "client $i answer $j: $n items, expected the view's 5"
    done
done
pass "32 concurrent answers (identity and gzip) all from the same view: 5 items, web-g not yet seen"
for _ in $(seq 7); do acurl alice "$CM2?labelSelector=app%3Dweb" -o /dev/null || fail "query"; done
assert_eq "$(calls zrangebyscore)" 1 "40 queries: one ZRANGEBYSCORE"
assert_eq "$(calls mget)" 1 "40 queries: one MGET"
hdr=$(acurl alice "$CM2?labelSelector=app%3Dweb" --compressed -D - -o "$E2E_TMP/gz.json" | tr -d '\r')
grep -qi '^content-encoding: gzip' <<< "$hdr" || fail "gzip asked, not given: $hdr"
grep -qi '^vary: .*accept-encoding' <<< "$hdr" || fail "no Vary: $hdr"
pass "Accept-Encoding: gzip answered gzip with Vary"
