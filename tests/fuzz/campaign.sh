#!/usr/bin/env bash
# Fuzz campaign: runs each libFuzzer target (ASan+UBSan build, CC=clang -DRIZK_BUILD_FUZZERS=ON)
# for SECONDS, one at a time under nice -n 19 (the machine is shared), then rewrites the
# inputs that add coverage into the committed corpus (-merge=1, so the corpus grows by the minimal
# set of new inputs). Prints one TSV line per target: target, seconds run, executions, crashes; crash
# inputs are kept in OUT/<target>/ for a regression test.
#   tests/fuzz/campaign.sh BUILD_DIR SECONDS OUT [TARGET...]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?build dir}; secs=${2:?seconds}; out=${3:?output dir}; shift 3
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in "$here"/fuzz_*.c; do t=$(basename "$f" .c); targets+=("${t#fuzz_}"); done
fi
mkdir -p "$out"
printf 'target\tseconds\texecs\tcrashes\n'
for t in "${targets[@]}"; do
    bin="$build/tests/fuzz_$t"
    [ -x "$bin" ] || { printf '%s\tmissing\n' "$t"; continue; }
    work="$out/$t"; rm -rf "$work"; mkdir -p "$work/new" "$work/crashes"
    dict=(); [ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
    start=$(date +%s)
    nice -n 19 "$bin" "${dict[@]}" -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix="$work/crashes/" -fork=0 -ignore_crashes=0 \
        "$work/new" "$here/corpus/$t" >"$work/log" 2>&1
    # after a crash, keep fuzzing for the rest of the time so one finding does not end the run
    while [ -n "$(ls -A "$work/crashes")" ] && [ $(( $(date +%s) - start )) -lt "$secs" ] &&
          [ "$(ls "$work/crashes" | wc -l)" -lt 5 ]; do
        left=$(( secs - ($(date +%s) - start) ))
        nice -n 19 "$bin" "${dict[@]}" -max_total_time="$left" -print_final_stats=1 \
            -artifact_prefix="$work/crashes/" "$work/new" "$here/corpus/$t" >>"$work/log" 2>&1 || true
        break
    done
    elapsed=$(( $(date +%s) - start ))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | awk '{s+=$2} END {print s+0}')
    crashes=$(ls "$work/crashes" | wc -l)
    # the committed seeds stay (they are named regression cases); only inputs of the run that
    # add coverage are merged in
    nice -n 19 "$bin" -merge=1 "$here/corpus/$t" "$work/new" >>"$work/log" 2>&1
    printf '%s\t%s\t%s\t%s\n' "$t" "$elapsed" "$execs" "$crashes"
done
