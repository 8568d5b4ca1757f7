#!/usr/bin/env bash
# The pull parser's cost, in instructions (callgrind: repeatable on a loaded machine), on a 1 MB
# 0.0.4 exposition (generated, deterministic: histograms, counters, gauges) and on the sidecar's
# own bodies (tests/golden). Usage: tests/bench/expo_bench.sh BUILD_DIR
# With OM_CORPUS=DIR (the OpenMetrics repository's tests/testdata/parsers), also the conformance
# count: invalid expositions noticed and valid ones flagged.
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
tool="$build/tests/expo_tool"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$tmp/big.prom" <<'PY'
import random, sys
random.seed(1)
out, i, size = [], 0, 0
while size < 1_000_000:
    f = f"app_family_{i}"
    if i % 3 == 0:
        out += [f"# HELP {f}_seconds Latency of something.", f"# TYPE {f}_seconds histogram"]
        for r in ("/a", "/b"):
            c = 0
            for le in ("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf"):
                c += random.randint(0, 50)
                out.append(f'{f}_seconds_bucket{{route="{r}",method="GET",le="{le}"}} {c}')
            out.append(f'{f}_seconds_sum{{route="{r}",method="GET"}} {c * 0.1:.3f}')
            out.append(f'{f}_seconds_count{{route="{r}",method="GET"}} {c}')
    elif i % 3 == 1:
        out += [f"# HELP {f}_total A counter.", f"# TYPE {f}_total counter"]
        for s in range(8):
            out.append(f'{f}_total{{status="{200 + s}",instance="pod-{s}"}} {random.randint(0, 10**6)}')
    else:
        out += [f"# HELP {f} A gauge.", f"# TYPE {f} gauge"]
        for s in range(4):
            out.append(f'{f}{{shard="{s}"}} {random.random() * 100:.6f}')
    size = sum(len(x) + 1 for x in out)
    i += 1
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
count() { # file format repetitions
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$tool" bench "$1" "$2" "$3" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
printf '%-40s %16s\n' "body (parse_expo_select)" "instructions"
printf '%-40s %16s\n' "1 MB 0.0.4, once" "$(count "$tmp/big.prom" text 1)"
printf '%-40s %16s\n' "sidecar body 0.0.4, 100 times" "$(count "$here/../golden/metrics.prom" text 100)"
printf '%-40s %16s\n' "sidecar body OpenMetrics, 100 times" "$(count "$here/../golden/metrics.om" om 100)"
if [ -n "${OM_CORPUS:-}" ]; then
    bad=0 noticed=0 good=0 flagged=0
    for d in "$OM_CORPUS"/*/; do
        want=$(grep -o '"shouldParse": *[a-z]*' "$d/test.json" | awk '{print $2}')
        if "$tool" check "$d/metrics" om >/dev/null; then got=valid; else got=invalid; fi
        if [ "$want" = false ]; then
            bad=$((bad + 1)); [ $got = invalid ] && noticed=$((noticed + 1))
        else
            good=$((good + 1)); [ $got = invalid ] && { flagged=$((flagged + 1)); echo "flagged: $d"; }
        fi
    done
    echo "conformance: $noticed of $bad invalid noticed, $flagged of $good valid flagged"
fi
