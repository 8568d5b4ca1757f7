#!/usr/bin/env bash
# The golden renderings must satisfy the real consumers' checkers: promtool's expfmt parser and
# promlint for text 0.0.4, and prometheus_client's strict OpenMetrics parser for metrics.om (plus
# its lax 0.0.4 parser for metrics.prom). Exit 77 (skip) when a validator is not installed.
# Usage: GOLDEN=tests/golden bash tests/e2e/test_golden_validators.sh
set -u
GOLDEN=${GOLDEN:-$(dirname "$0")/../golden}
PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
PY=/usr/bin/python3   # the python3 on PATH may be a pyenv shim without prometheus_client

if [ ! -x "$PROMTOOL" ]; then
    echo "SKIP: promtool not found at $PROMTOOL"
    exit 77
fi
if [ ! -x "$PY" ] || ! "$PY" -c 'import prometheus_client.openmetrics.parser' 2>/dev/null; then
    echo "SKIP: $PY with prometheus_client not available"
    exit 77
fi
for f in metrics.prom metrics.om; do
    if [ ! -s "$GOLDEN/$f" ]; then
        echo "FAIL: missing $GOLDEN/$f"
        exit 1
    fi
done

fail=0
if out=$("$PROMTOOL" check metrics <"$GOLDEN/metrics.prom" 2>&1); then
    echo "ok: promtool check metrics metrics.prom"
else
    echo "FAIL: promtool check metrics metrics.prom: $out"
    fail=1
fi

# Family and sample counts are asserted so a parser that silently drops or splits families fails.
if out=$("$PY" - "$GOLDEN/metrics.om" 2>&1 <<'PYEOF'
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
text = open(sys.argv[1], encoding="utf-8").read()
fams = list(text_string_to_metric_families(text))
names = [f.name for f in fams]
assert len(names) == len(set(names)), names
n = sum(len(f.samples) for f in fams)
types = {f.name: f.type for f in fams}
assert types.get("rizk_demo_requests") == "counter", types
assert types.get("rizk_demo_latency_seconds") == "histogram", types
assert types.get("rizk_demo_queue_length") == "unknown", types
print(f"{len(fams)} families, {n} samples")
PYEOF
); then
    echo "ok: prometheus_client OpenMetrics parser metrics.om: $out"
else
    echo "FAIL: prometheus_client OpenMetrics parser metrics.om: $out"
    fail=1
fi

if out=$("$PY" - "$GOLDEN/metrics.prom" 2>&1 <<'PYEOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1], encoding="utf-8").read()
fams = list(text_string_to_metric_families(text))
vals = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in fams for s in f.samples}
key = ("rizk_demo_requests_total", (("method", "get"), ("path", 'C:\\dir\\"x"\nnext')))
assert vals[key] == 1027, vals.get(key)
print(f"{len(fams)} families, {len(vals)} samples")
PYEOF
); then
    echo "ok: prometheus_client text parser metrics.prom: $out"
else
    echo "FAIL: prometheus_client text parser metrics.prom: $out"
    fail=1
fi
exit $fail
