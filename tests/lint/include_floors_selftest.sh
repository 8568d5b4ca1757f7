#!/bin/bash
# include_floors.sh on tests/fixtures/floors, a tree that breaks each of its rules once (and
# keeps the allowed cases: own folder, lower floor, generated .pb-c.h, banned.h, system headers):
# it must fail and print exactly expected.txt.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fix="$here/../fixtures/floors"
out=$(bash "$here/include_floors.sh" "$fix")
rc=$?
if [[ $rc -ne 1 ]]; then
    echo "include_floors_selftest: exit $rc, want 1" >&2
    exit 1
fi
diff -u "$fix/expected.txt" <(printf '%s\n' "$out") || exit 1
echo "include_floors_selftest: ok"
