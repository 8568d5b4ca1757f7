#!/usr/bin/env bash
# The landing page in a real browser: headless Chromium (Debian `chromium`) loads "/", runs its
# JavaScript, and the DOM must hold rendered charts with data for the signals the sidecar has
# (CPU, memory, the recommendation) and "no data" for the absent ones; a screenshot is kept as a
# test artefact. No request may leave the page's origin: the page has no absolute URL, the server
# sends a Content-Security-Policy that only allows 'self', and Chromium's own network log shows
# that every request made on behalf of the page went to the sidecar (external names do not even
# resolve: --host-resolver-rules maps them to NOTFOUND).
. "$E2E_LIB"
. "$(dirname "$E2E_LIB")/scale_helpers.sh"
need curl
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip "chromium not installed (apt-get install chromium)"
ART=${E2E_ARTIFACTS:-$PWD/e2e-artifacts}
mkdir -p "$ART" || fail "cannot create $ART"

CG=$E2E_TMP/cg
cg_copy "$CG"
cg_set_memory "$CG" 0.5
cg_cpu_driver "$CG"
cg_set_cpu "$CG" 0.6
PORT=$(free_port)
start_sidecar sc "$PORT" --path.procfs="$FIXTURES/proc" --path.cgroupfs="$CG" \
    --history.interval=200ms --signals.window=1s --scaling.current-replicas=4
ORIGIN=http://127.0.0.1:$PORT
U=$ORIGIN/
# a few seconds of history with some shape: memory steps up, CPU changes
sleep 1
cg_set_memory "$CG" 0.625
cg_set_cpu "$CG" 0.3
sleep 1
cg_set_memory "$CG" 0.75
sleep 1

# --- static: the page names no other origin and is served with a self-only CSP
curl -s -D "$E2E_TMP/landing.hdr" -o "$E2E_TMP/landing.html" "$U"
grep -qi "^Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self';" "$E2E_TMP/landing.hdr" \
    || fail "landing page CSP header: $(cat "$E2E_TMP/landing.hdr")"
if grep -Eion "https?:|(src|href|action)=[\"']?//|[\"'(]//[a-z0-9]|@import|url\(" "$E2E_TMP/landing.html"; then
    fail "the landing page references another origin (see the lines above)"
fi
grep -Eo '(src|href)="[^"]*"' "$E2E_TMP/landing.html" | grep -v '="/' && fail "a link or source that is not a local path"
pass "the page names no other origin and carries a self-only CSP"

chrome() { # chrome OUTFLAGS... : one headless run with a fresh profile and no way out
    local profile
    profile=$(mktemp -d "$E2E_TMP/profile.XXXXXX")
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --disable-extensions --user-data-dir="$profile" \
        --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
        --virtual-time-budget=5000 --window-size=1440,1000 --hide-scrollbars "$@" \
        2>>"$E2E_TMP/chromium.err"
}

# --- the rendered DOM
chrome --log-net-log="$E2E_TMP/netlog.json" --dump-dom "$U" > "$E2E_TMP/dom.html" \
    || fail "chromium --dump-dom failed: $(tail -5 "$E2E_TMP/chromium.err")"
cp "$E2E_TMP/dom.html" "$ART/landing-dom.html"
"$PY" - "$E2E_TMP/dom.html" <<'PYEOF' || fail "rendered DOM"
import re, sys
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.figs, self.paths, self.stack, self.text = {}, {}, [], {}
        self.ids = {}
        self.cur = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure" and "data-series" in a:
            self.cur = a["data-series"]
            self.figs[self.cur] = int(a.get("data-points", "-1"))
            self.text[self.cur] = ""
        if tag == "path" and self.cur is not None and "data-points" in a:
            self.paths[self.cur] = (int(a["data-points"]), a.get("d", ""))
        if "id" in a:
            self.ids[a["id"]] = ""
            self.stack.append(a["id"])
        elif tag not in ("br", "meta", "line", "path", "input"):
            self.stack.append(None)
    def handle_endtag(self, tag):
        if tag == "figure":
            self.cur = None
        if self.stack and tag not in ("br", "meta", "line", "path", "input"):
            self.stack.pop()
    def handle_data(self, data):
        if self.cur is not None:
            self.text[self.cur] += data
        for i in self.stack:
            if i is not None:
                self.ids[i] += data

p = P()
p.feed(open(sys.argv[1]).read())
want = ["rizk_requests_per_second", "rizk_error_ratio", "rizk_response_time_seconds",
        "rizk_cache_hit_ratio", "rizk_active_connections", "rizk_cpu_utilization_ratio",
        "rizk_memory_utilization_ratio", "rizk_scaling_recommended_replica_change"]
assert list(p.figs) == want, list(p.figs)
for s in ("rizk_cpu_utilization_ratio", "rizk_memory_utilization_ratio",
          "rizk_scaling_recommended_replica_change"):
    n, d = p.paths.get(s, (0, ""))
    assert p.figs[s] >= 10 and n == p.figs[s], (s, p.figs[s], n)
    assert len(re.findall(r"[ML]", d)) >= 2 or s.endswith("change"), (s, d[:80])
    print(s, "points", n)
for s in want[:5]:
    assert p.figs[s] == 0 and s not in p.paths, (s, p.figs[s])
    assert "no data" in p.text[s], (s, p.text[s])
mem = p.text["rizk_memory_utilization_ratio"]
assert "75.0 %" in mem, mem
assert p.ids["action"].strip() in ("maintain", "wait"), p.ids["action"]
if p.ids["action"].strip() == "maintain":  # the absolute target beside the guide's delta
    assert p.ids["change"].endswith(": 4 \u2192 4 replicas"), p.ids["change"]
assert "Metrics within acceptable range" in p.ids["reason"], p.ids["reason"]
assert "system" in p.ids["sources"] and "cgroup" in p.ids["sources"], p.ids["sources"]
assert p.ids["updated"].startswith("updated "), p.ids["updated"]
assert "no Redis configured" in p.ids["readiness-notes"], p.ids["readiness-notes"]
PYEOF
pass "charts rendered with data points; absent signals show no data"

# --- the network log: every request made for the page stayed on its origin
"$PY" - "$E2E_TMP/netlog.json" "$ORIGIN" <<'PYEOF' || fail "a request left the page's origin"
import json, sys
raw = open(sys.argv[1]).read()
try:
    log = json.loads(raw)
except ValueError:  # a log cut short at exit lacks its closing brackets
    log = json.loads(raw.rstrip().rstrip(",") + "]}")
origin = sys.argv[2]
names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
page, other = [], []
for ev in log["events"]:
    p = ev.get("params") or {}
    if names.get(ev["type"]) != "URL_REQUEST_START_JOB":
        continue
    # Requests on behalf of the page carry its site in their network isolation key; the
    # browser's own housekeeping (component updater, sign-in) carries another one or none.
    if "http://127.0.0.1" in p.get("network_isolation_key", "") or p.get("initiator") == origin:
        (page if p["url"].startswith(origin + "/") else other).append(p["url"])
assert not other, "requests to other origins: %r" % other
assert any("/api/v1/history?series=" in u for u in page), page
print(len(page), "requests, all to", origin)
PYEOF
pass "every request of the page went to $ORIGIN"

# --- screenshot artefact
chrome --screenshot="$ART/landing.png" "$U" > /dev/null || fail "chromium --screenshot failed"
[ "$(head -c 8 "$ART/landing.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
    || fail "screenshot is not a PNG"
[ "$(stat -c %s "$ART/landing.png")" -gt 20000 ] || fail "screenshot suspiciously small"
pass "screenshot saved to $ART/landing.png"
