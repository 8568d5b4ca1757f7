#!/usr/bin/env bash
# Builds the rizk-metrics image on a machine with no registry: buildah "from scratch" with the
# binary and exactly the shared libraries it needs (deploy/image/rootfs.sh, the same file list as
# the Dockerfile's runtime stage), and commits it to the local containers storage, where podman
# sees it as localhost/rizk-metrics:<version> (or TAG).
# usage: deploy/image/build-local.sh [TAG]
#   RIZK_BINARY   the binary to package (default: build/src/rizk-metrics, built if missing)
#   RIZK_IMAGE_SOURCE  org.opencontainers.image.source (default: git remote origin)
#   CONTAINERS_STORAGE_CONF / CONTAINERS_CONF are honoured by buildah and podman as usual.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${RIZK_BINARY:-$top/build/src/rizk-metrics}

if [ $# -gt 1 ]; then
    echo "usage: $0 [TAG]" >&2
    exit 2
fi
command -v buildah >/dev/null || { echo "build-local.sh: buildah not found (apt-get install buildah)" >&2; exit 1; }
if [ ! -x "$bin" ]; then
    cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$top/build" -j2 --target rizk-metrics >/dev/null
fi

# "rizk-metrics version 0.1.0 (revision 833496af6b2d)"
read -r _ _ version _ revision < <("$bin" --version)
revision=${revision%)}
tag=${1:-$version}
# The repository users fetch the source from: RIZK_IMAGE_SOURCE, else this checkout's origin.
source=${RIZK_IMAGE_SOURCE:-$(git -C "$top" remote get-url origin 2>/dev/null || echo "$top")}
image=localhost/rizk-metrics:$tag

work=$(mktemp -d)
ctr=
cleanup() {
    [ -n "$ctr" ] && buildah rm "$ctr" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

"$here/rootfs.sh" "$bin" "$work/rootfs"
ctr=$(buildah from scratch)
buildah copy --quiet "$ctr" "$work/rootfs" / >/dev/null
# Keep in step with the runtime stage of deploy/image/Dockerfile.
buildah config \
    --user 65532:65532 \
    --workingdir / \
    --entrypoint '["/usr/bin/rizk-metrics"]' \
    --cmd sidecar \
    --port 8080/tcp --port 8125/udp \
    --label org.opencontainers.image.title=rizk-metrics \
    --label org.opencontainers.image.description="Rizk SDK scaling sidecar and Kubernetes custom-metrics adapter" \
    --label org.opencontainers.image.source="$source" \
    --label org.opencontainers.image.version="$version" \
    --label org.opencontainers.image.revision="$revision" \
    "$ctr"
buildah commit --quiet --rm "$ctr" "$image" >/dev/null
ctr=
echo "$image"
