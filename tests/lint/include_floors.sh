#!/bin/bash
# Checks the layering of src/ from its #include lines: a file may include headers of its own
# folder and of lower floors only (folders that share a floor do not include each other),
# hiredis only in src/io/redis_conn.c, libcurl only under src/io/. The floor order is read from
# the README's architecture section (the line starting "Floors:"), so it is written once.
# Usage: include_floors.sh SOURCE_DIR. Prints every offending include; exit 1 if any.
set -euo pipefail
top=${1:?usage: include_floors.sh SOURCE_DIR}
readme="$top/README.md"
floors=$(grep -m1 '^Floors: ' "$readme" | sed 's/^Floors: //') || true
if [[ -z "$floors" ]]; then
    echo "include_floors: no 'Floors: ' line in $readme" >&2
    exit 2
fi
cd "$top/src"
# every "#include" of every file under src/, as: file<TAB>header<TAB>quoted|angle
find . -name '*.[ch]' -printf '%P\n' | sort | while read -r f; do
    sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"]\)\([^>"]*\)[>"].*/\1\t\2/p' "$f" |
        while IFS=$'\t' read -r kind hdr; do printf '%s\t%s\t%s\n' "$f" "$hdr" "$kind"; done
done | awk -F'\t' -v floors="$floors" '
BEGIN {
    # "core → parse, store → signals → ...": floor k holds the names between the k-th arrows
    n = split(floors, level, "→")
    for (k = 1; k <= n; k++) {
        m = split(level[k], names, ",")
        for (j = 1; j <= m; j++) {
            name = names[j]
            gsub(/^[ \t`]+|[ \t`.]+$/, "", name)
            if (name != "")
                floor[name] = k
        }
    }
    if (n < 2) { print "include_floors: cannot read the floor order: " floors; bad = 2; exit }
}
# unit: the folder of a file under src/, or the file itself at the top of src/
function unit(path,   i) {
    i = index(path, "/")
    return i ? substr(path, 1, i - 1) : path
}
{
    file = $1; hdr = $2; kind = $3
    if (kind == "<") {
        if (hdr ~ /^hiredis\// && file != "io/redis_conn.c") {
            printf "src/%s: includes <%s>: hiredis belongs to io/redis_conn.c alone\n", file, hdr
            bad = 1
        }
        if (hdr ~ /^curl\// && unit(file) != "io") {
            printf "src/%s: includes <%s>: libcurl belongs to io/\n", file, hdr
            bad = 1
        }
        next
    }
    if (hdr ~ /\.pb-c\.h$/ || hdr == "core/banned.h")
        next # generated from proto/ (no project includes), and the banned-function list
    from = unit(file)
    to = index(hdr, "/") ? unit(hdr) : (hdr ~ /\.h$/ ? substr(hdr, 1, length(hdr) - 2) ".c" : hdr)
    if (from == to)
        next
    if (!(from in floor)) { printf "src/%s: %s is on no floor of the README\n", file, from; bad = 1; next }
    if (!(to in floor)) { printf "src/%s: includes \"%s\": %s is on no floor of the README\n", file, hdr, to; bad = 1; next }
    if (floor[to] > floor[from]) {
        printf "src/%s: includes \"%s\": %s is above %s\n", file, hdr, to, from
        bad = 1
    } else if (floor[to] == floor[from]) {
        printf "src/%s: includes \"%s\": %s and %s share a floor\n", file, hdr, to, from
        bad = 1
    }
}
END { exit bad }
'
