#!/bin/sh
# Assembles the runtime root file system of the image in DESTDIR: the binary, exactly the shared
# libraries it loads (ldd, plus the libcurl it dlopens for --app.metrics-url), the CA bundle, and
# passwd/group entries for the non-root user 65532. No shell, no package manager.
# Shared by deploy/image/Dockerfile (build stage) and deploy/image/build-local.sh, so both images
# hold the same files. POSIX sh: the Dockerfile's build stage runs it with /bin/sh.
# usage: rootfs.sh BINARY DESTDIR
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 BINARY DESTDIR" >&2
    exit 2
fi
bin=$1
dest=$2
[ -x "$bin" ] || { echo "rootfs.sh: $bin: not an executable" >&2; exit 1; }
mkdir -p "$dest/usr/bin" "$dest/etc" "$dest/tmp"
chmod 1777 "$dest/tmp"
cp "$bin" "$dest/usr/bin/rizk-metrics"
strip --strip-unneeded "$dest/usr/bin/rizk-metrics" 2>/dev/null || true

# libcurl is dlopen'ed (src/io/curl_api.c tries libcurl.so.4, then libcurl-gnutls.so.4): ship
# the GnuTLS flavour when present (it shares libgnutls with the binary: smaller), with its deps.
curl=
for name in libcurl-gnutls.so.4 libcurl.so.4; do
    curl=$(ldconfig -p 2>/dev/null | awk -v n="$name" '$1 == n && /x86-64|x86_64|aarch64|AArch64/ {print $NF; exit}')
    [ -n "$curl" ] && break
done

libs() {
    # "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
    ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
}

{
    libs "$bin"
    if [ -n "$curl" ]; then
        echo "$curl"
        libs "$curl"
    fi
} | sort -u | while read -r lib; do
    mkdir -p "$dest$(dirname "$lib")"
    cp -L "$lib" "$dest$lib"
    strip --strip-unneeded "$dest$lib" 2>/dev/null || true
done

for f in /etc/ssl/certs/ca-certificates.crt; do
    if [ -f "$f" ]; then
        mkdir -p "$dest$(dirname "$f")"
        cp -L "$f" "$dest$f"
    fi
done
printf 'root:x:0:0:root:/:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/:/sbin/nologin\n' >"$dest/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$dest/etc/group"
