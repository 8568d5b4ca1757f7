#!/usr/bin/env bash
# statsd benchmark (SPEC 9: >= 500k lines/s on one core, drops counted, none below that rate).
# For each rate, blasts lines at the sidecar's statsd listener for SECS seconds and compares the
# lines it counted (rizk_statsd_lines_total) and the kernel's drops
# (rizk_statsd_dropped_total{reason="receive_buffer"}) with what was sent; then the same against
# a bare recvmmsg loop (recvmmsg_baseline) on the same machine. rizk_drop and base_drop are
# datagrams the kernel dropped (receive buffer full); *_cpu is the receiver's CPU over the run.
#   tests/bench/statsd_bench.sh [BUILD_DIR]     env: RATES, PER (lines/datagram), SECS
set -u
B=${1:-build}
RATES=${RATES:-"250000 500000 750000 1000000 1500000 2000000"}
PER=${PER:-10}
SECS=${SECS:-5}
BIN=$B/src/rizk-metrics BLAST=$B/tests/statsd_blast BASE=$B/tests/recvmmsg_baseline
for f in "$BIN" "$BLAST" "$BASE"; do [ -x "$f" ] || { echo "missing $f (build first)"; exit 2; }; done
port() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, int(sys.argv[1])); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"; }
metric() { curl -s "$1" | awk -v k="$2" '$0 !~ /^#/ { s=$0; sub(/ [^ ]+$/, "", s); if (s == k) printf "%.0f\n", $NF }'; }

printf '%-9s %-3s | %-9s %-10s %-10s %-9s %-8s | %-9s %-10s %-10s %-9s %-8s\n' target per achieved sent rizk_lines rizk_drop rizk_cpu achieved sent base_lines base_drop base_cpu
for R in $RATES; do
    W=$(port 1); U=$(port 2)
    "$BIN" --web.listen-address=127.0.0.1:$W --statsd.listen-address=127.0.0.1:$U \
        --log.level=warn >/tmp/statsd_bench.$$.log 2>&1 &
    P=$!
    for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$W/ready" && break; sleep 0.1; done
    c0=$(awk '{print $14+$15}' /proc/$P/stat)
    read -r sent _ _ achieved < <("$BLAST" 127.0.0.1 "$U" "$R" "$SECS" "$PER")
    sleep 2
    c1=$(awk '{print $14+$15}' /proc/$P/stat)
    got=$(metric "http://127.0.0.1:$W/metrics" rizk_statsd_lines_total)
    drop=$(metric "http://127.0.0.1:$W/metrics" 'rizk_statsd_dropped_total{reason="receive_buffer"}')
    kill -TERM $P; wait $P
    rcpu=$(awk -v a="$c0" -v b="$c1" -v s="$SECS" -v t="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f%%", (b-a)/t/s*100}')

    U=$(port 2)
    "$BASE" 127.0.0.1 "$U" 1.5 >/tmp/statsd_base.$$.out 2>/tmp/statsd_base.$$.err &
    Q=$!
    for _ in $(seq 50); do grep -q ready /tmp/statsd_base.$$.err 2>/dev/null && break; sleep 0.05; done
    read -r bsent _ _ bach < <("$BLAST" 127.0.0.1 "$U" "$R" "$SECS" "$PER")
    bc=$(awk '{print $14+$15}' /proc/$Q/stat 2>/dev/null)
    wait $Q
    read -r bl _ bd < /tmp/statsd_base.$$.out
    bcpu=$(awk -v b="${bc:-0}" -v s="$SECS" -v t="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f%%", b/t/s*100}')
    printf '%-9s %-3s | %-9s %-10s %-10s %-9s %-8s | %-9s %-10s %-10s %-9s %-8s\n' "$R" "$PER" "$achieved" "$sent" "$got" "$drop" "$rcpu" "$bach" "$bsent" "$bl" "$bd" "$bcpu"
done
rm -f /tmp/statsd_bench.$$.log /tmp/statsd_base.$$.out /tmp/statsd_base.$$.err
