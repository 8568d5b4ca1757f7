#!/usr/bin/env bash
# The Debian package: `cpack -G DEB` builds rizk-metrics_<version>_<arch>.deb from this build
# folder; lintian reports no error (nor warning); `dpkg -i` installs it into a clean root
# (dpkg --root, maintainer scripts run chrootless with DPKG_ROOT) and every file the package
# lists is in place, the conffile registered, the system user created by postinst; both
# systemd units pass `systemd-analyze verify` with no output (in that root, with the host's
# systemd targets and kill standing in for the packages it depends on) and score as hardened
# with `systemd-analyze security`; the man page has a line for every flag of --help-markdown
# and renders without warnings; the installed binary runs the sidecar unit's command line with
# /etc/default/rizk-metrics and serves /ready; dpkg -r / -P remove it cleanly.
. "$E2E_LIB"
: "${RIZK_BUILD_DIR:?RIZK_BUILD_DIR must point at the build folder}"
need cpack
need dpkg-deb
need lintian
need systemd-analyze
[ "$(id -u)" -eq 0 ] || skip "dpkg --root needs root (chown of the installed files)"
VERSION=$("$RIZK_BIN" --version | awk '{print $3; exit}')
ARCH=$(dpkg --print-architecture)
DEB=$E2E_TMP/out/rizk-metrics_${VERSION}_${ARCH}.deb

(cd "$RIZK_BUILD_DIR" && cpack -G DEB -B "$E2E_TMP/out") > "$E2E_TMP/cpack.log" 2>&1 \
    || fail "cpack -G DEB: $(tail -20 "$E2E_TMP/cpack.log")"
[ -f "$DEB" ] || fail "no $(basename "$DEB"): $(ls "$E2E_TMP/out")"
pass "cpack -G DEB built $(basename "$DEB") ($(stat -c %s "$DEB") bytes)"

# lintian as an unprivileged user when possible (it warns about running as root)
lintian_cmd=(lintian --fail-on "error,warning" "$DEB")
if command -v setpriv >/dev/null 2>&1; then
    chmod 755 "$E2E_TMP" "$E2E_TMP/out"; chmod 644 "$DEB"
    lintian_cmd=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp "${lintian_cmd[@]}")
fi
"${lintian_cmd[@]}" > "$E2E_TMP/lintian.out" 2>&1 || fail "lintian: $(cat "$E2E_TMP/lintian.out")"
! grep -E '^(E|W): ' "$E2E_TMP/lintian.out" || fail "lintian: $(cat "$E2E_TMP/lintian.out")"
pass "lintian: no error, no warning"

dpkg-deb -f "$DEB" Package Version Architecture Depends > "$E2E_TMP/fields"
grep -qx "Package: rizk-metrics" "$E2E_TMP/fields" && grep -qx "Version: $VERSION" "$E2E_TMP/fields" \
    && grep -qx "Architecture: $ARCH" "$E2E_TMP/fields" \
    && grep -q "^Depends: libcurl4 | libcurl3-gnutls, systemd | systemd-standalone-sysusers, .*libc6 (>= " "$E2E_TMP/fields" \
    || fail "control fields: $(cat "$E2E_TMP/fields")"
pass "control: rizk-metrics $VERSION $ARCH, Depends with the dlopen'ed libcurl and sysusers"

# the files a user needs, at their places
want=(/usr/bin/rizk-metrics /usr/share/man/man1/rizk-metrics.1.gz
      /lib/systemd/system/rizk-metrics.service /lib/systemd/system/rizk-metrics-adapter.service
      /etc/default/rizk-metrics /usr/lib/sysusers.d/rizk-metrics.conf
      /usr/share/doc/rizk-metrics/copyright /usr/share/doc/rizk-metrics/changelog.gz
      /usr/share/rizk-metrics/dashboards/rizk-fleet.json /usr/share/rizk-metrics/dashboards/rizk-sidecar.json
      /usr/share/rizk-metrics/dashboards/rizk-adapter.json)
dpkg-deb -c "$DEB" | awk '{print substr($6, 2)}' | grep -v '/$' | sort > "$E2E_TMP/listed"
for f in "${want[@]}"; do grep -qx -- "$f" "$E2E_TMP/listed" || fail "the package lacks $f"; done
pass "the package holds the binary, man page, both units, /etc/default/rizk-metrics, sysusers, docs, dashboards"

# dpkg -i into a clean root
R=$E2E_TMP/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers" "$R/var/log"
: > "$R/var/lib/dpkg/status"; : > "$R/var/lib/dpkg/available"
dpkg --root="$R" --log="$R/var/log/dpkg.log" --force-depends --force-script-chrootless -i "$DEB" \
    > "$E2E_TMP/dpkg.log" 2>&1 || fail "dpkg -i: $(cat "$E2E_TMP/dpkg.log")"
dpkg --root="$R" -s rizk-metrics | grep -qx "Status: install ok installed" || fail "not installed: $(dpkg --root="$R" -s rizk-metrics)"
missing=0
while read -r f; do
    [ -e "$R$f" ] || { echo "missing in the root: $f" >&2; missing=1; }
done < "$E2E_TMP/listed"
[ "$missing" = 0 ] || fail "installed files missing"
dpkg --root="$R" -L rizk-metrics | sort > "$E2E_TMP/dpkg-L"
for f in "${want[@]}"; do grep -qx -- "$f" "$E2E_TMP/dpkg-L" || fail "dpkg -L does not list $f"; done
[ -x "$R/usr/bin/rizk-metrics" ] || fail "the binary is not executable"
[ "$(stat -c '%U:%G %a' "$R/etc/default/rizk-metrics")" = "root:root 644" ] || fail "/etc/default/rizk-metrics owner/mode"
grep -qx "/etc/default/rizk-metrics" "$R/var/lib/dpkg/info/rizk-metrics.conffiles" || fail "/etc/default/rizk-metrics is not a conffile"
grep -q '^rizk-metrics:x:[0-9]*:[0-9]*:rizk-metrics daemon:/nonexistent:/usr/sbin/nologin$' "$R/etc/passwd" \
    || fail "postinst did not create the system user: $(cat "$R/etc/passwd" 2>&1)"
uid=$(awk -F: '$1 == "rizk-metrics" {print $3}' "$R/etc/passwd")
[ "$uid" -lt 1000 ] || fail "rizk-metrics is not a system user (uid $uid)"
pass "dpkg -i into a clean root: $(wc -l < "$E2E_TMP/listed") files in place, conffile registered, system user rizk-metrics (uid $uid)"

# systemd-analyze in the root, with the host's targets and kill for the packages it depends on
mkdir -p "$R/bin"
cp -a /lib/systemd/system/*.target "$R/lib/systemd/system/"
cp /bin/kill "$R/bin/kill" || fail "no /bin/kill on this host"
for u in rizk-metrics.service rizk-metrics-adapter.service; do
    systemd-analyze verify --man=no --root="$R" "$u" > "$E2E_TMP/verify.out" 2>&1 \
        || fail "systemd-analyze verify $u: $(cat "$E2E_TMP/verify.out")"
    [ ! -s "$E2E_TMP/verify.out" ] || fail "systemd-analyze verify $u: $(cat "$E2E_TMP/verify.out")"
    systemd-analyze security --offline=yes --root="$R" "$u" > "$E2E_TMP/sec.out" 2>&1 \
        || fail "systemd-analyze security $u: $(tail -5 "$E2E_TMP/sec.out")"
    score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' "$E2E_TMP/sec.out")
    [ -n "$score" ] && "$PY" -c "import sys; sys.exit(0 if float('$score') <= 2.0 else 1)" \
        || fail "$u: exposure $score > 2.0: $(grep '✗' "$E2E_TMP/sec.out")"
    for k in User=rizk-metrics ProtectSystem=strict NoNewPrivileges=yes; do
        grep -qx "$k" "$R/lib/systemd/system/$u" || fail "$u: no $k"
    done
    pass "$u: systemd-analyze verify clean; exposure $score (systemd-analyze security); dedicated user, ProtectSystem=strict, NoNewPrivileges"
done

# a bad unit is reported (the check can fail)
printf '[Service]\nExecStart=/usr/bin/rizk-metrics\nProtectSystem=stricter\n' > "$R/lib/systemd/system/rizk-bad.service"
systemd-analyze verify --man=no --root="$R" rizk-bad.service > "$E2E_TMP/verify.out" 2>&1
[ -s "$E2E_TMP/verify.out" ] || fail "systemd-analyze verify accepted ProtectSystem=stricter"
rm "$R/lib/systemd/system/rizk-bad.service"
pass "systemd-analyze verify reports a bad unit"

# the man page: one entry per flag of the option table, no groff warning
"$RIZK_BIN" --help-markdown | grep -o '^| `--[a-z0-9.-]*`' | sed 's/^| `//; s/`$//' > "$E2E_TMP/flags"
zcat "$R/usr/share/man/man1/rizk-metrics.1.gz" > "$E2E_TMP/man.1"
while read -r f; do
    grep -qE "^\.B ${f//-/\\\\-}( \(|$)" "$E2E_TMP/man.1" || fail "man page lacks $f"
done < "$E2E_TMP/flags"
LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 "$E2E_TMP/man.1" 2> "$E2E_TMP/man.err" > /dev/null
[ ! -s "$E2E_TMP/man.err" ] || fail "man --warnings: $(cat "$E2E_TMP/man.err")"
pass "man page: all $(wc -l < "$E2E_TMP/flags") flags of the option table, renders without warnings"

# the sidecar unit's command line, as systemd would run it, from the installed root
PORT=$(free_port)
exec_start=$(sed -n 's/^ExecStart=//p' "$R/lib/systemd/system/rizk-metrics.service")
[ "$exec_start" = '/usr/bin/rizk-metrics sidecar $SIDECAR_ARGS' ] || fail "ExecStart: $exec_start"
(
    set -a
    # shellcheck disable=SC1091
    . "$R/etc/default/rizk-metrics"
    set +a
    # shellcheck disable=SC2086
    exec env RIZK_WEB_LISTEN_ADDRESS="127.0.0.1:$PORT" RIZK_STATSD_LISTEN_ADDRESS= \
        "$R/usr/bin/rizk-metrics" sidecar $SIDECAR_ARGS
) > "$E2E_TMP/unit.log" 2>&1 &
E2E_PIDS+=("$!")
wait_http "http://127.0.0.1:$PORT/ready" 100 || fail "the installed sidecar did not become ready: $(cat "$E2E_TMP/unit.log")"
pass "the installed binary runs the unit's command line with /etc/default/rizk-metrics: /ready 200"

dpkg --root="$R" --force-script-chrootless -r rizk-metrics > "$E2E_TMP/rm.log" 2>&1 || fail "dpkg -r: $(cat "$E2E_TMP/rm.log")"
[ ! -e "$R/usr/bin/rizk-metrics" ] && [ -e "$R/etc/default/rizk-metrics" ] || fail "dpkg -r: binary left or conffile removed"
dpkg --root="$R" --force-script-chrootless -P rizk-metrics > "$E2E_TMP/rm.log" 2>&1 || fail "dpkg -P: $(cat "$E2E_TMP/rm.log")"
[ ! -e "$R/etc/default/rizk-metrics" ] || fail "dpkg -P left /etc/default/rizk-metrics"
pass "dpkg -r keeps the conffile, dpkg -P removes it"
exit 0
