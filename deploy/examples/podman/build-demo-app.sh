#!/usr/bin/env bash
# Builds the example's stand-in app (demo-app.c, static) into an image from scratch and commits
# it to the local containers storage as localhost/rizk-demo-app:latest (or TAG). No registry.
# usage: deploy/examples/podman/build-demo-app.sh [TAG]
#   CC (default cc); CONTAINERS_STORAGE_CONF / CONTAINERS_CONF are honoured as usual.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tag=${1:-latest}
[ $# -le 1 ] || { echo "usage: $0 [TAG]" >&2; exit 2; }
command -v buildah >/dev/null || { echo "build-demo-app.sh: buildah not found (apt-get install buildah)" >&2; exit 1; }
work=$(mktemp -d)
ctr=
cleanup() {
    [ -n "$ctr" ] && buildah rm "$ctr" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
"${CC:-cc}" -O2 -static -pthread -o "$work/demo-app" "$here/demo-app.c"
strip "$work/demo-app"
ctr=$(buildah from scratch)
buildah copy --quiet "$ctr" "$work/demo-app" /usr/bin/demo-app >/dev/null
buildah config --user 65532:65532 --entrypoint '["/usr/bin/demo-app"]' --cmd '' \
    --label org.opencontainers.image.title=rizk-demo-app "$ctr"
buildah commit --quiet --rm "$ctr" "localhost/rizk-demo-app:$tag" >/dev/null
ctr=
echo "localhost/rizk-demo-app:$tag"
