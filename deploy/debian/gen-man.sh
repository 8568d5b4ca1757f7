#!/bin/sh
# gen-man.sh BINARY VERSION [OUT]: writes the rizk-metrics(1) man page to OUT (default stdout).
# The OPTIONS section comes from the option table itself (`BINARY --help-markdown`, the table
# the README shows), so the page never drifts from the flags. Run by the build (CMakeLists.txt).
set -eu
bin=$1
version=$2
if [ $# -ge 3 ]; then exec > "$3"; fi
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)

cat <<HEAD
.TH RIZK-METRICS 1 "$date" "rizk-metrics $version" "User Commands"
.SH NAME
rizk-metrics \- metrics and scaling signals for Rizk SDK apps, and a Kubernetes custom metrics adapter
.SH SYNOPSIS
.B rizk-metrics
.RB [ sidecar | adapter | check | version ]
.RI [ flags ]
.SH DESCRIPTION
One binary, four commands.
.TP
.B sidecar
(the default) samples /proc, cgroups, Redis and the app's request stats (statsd, pulled
/metrics, pushed reports) into a ring-buffer history; serves them as Prometheus metrics, JSON
and a landing page; computes the seven scaling signals and the scaling recommendation; publishes
them to the fleet registry in Redis.
.TP
.B adapter
serves the Kubernetes custom and external metrics APIs over HTTPS from the fleet registry, so
an autoscaling/v2 HorizontalPodAutoscaler scales on rizk_requests_per_second.
.TP
.B check
runs the scaling-readiness validation against live sources and prints a table (or JSON).
.TP
.B version
prints the version.
.SH OPTIONS
Every flag has an environment twin, shown below it; precedence is default < environment < flag.
Flags take the form
.BI \-\-flag= value
or
.BI \-\-flag " value"\fR;
booleans also
.B \-\-no\-flag\fR.
.TP
.B \-\-help
the flags with their defaults.
.TP
.B \-\-version
the version.
.TP
.B \-\-check\-config
validate the configuration and exit.
.TP
.B \-\-print\-config
the effective configuration and where each value comes from.
HEAD

"$bin" --help-markdown | awk '
function roff(s) {
    gsub(/\\\|/, "|", s)
    gsub(/\\/, "\\e", s)
    gsub(/`/, "", s)
    gsub(/-/, "\\-", s)
    sub(/^[.'"'"']/, "\\\\\\&&", s)
    return s
}
/^\| `--/ {
    n = split($0, f, " \\| ")
    flag = f[1]; sub(/^\| /, "", flag)
    env = f[2]; def = f[3]; acc = f[4]; help = f[5]
    sub(/ \|$/, "", help)
    print ".TP"
    print ".B " roff(flag)
    print roff(help)
    print ".br"
    line = "Environment " roff(env) ", default " roff(def)
    if (acc != "") line = line "; " roff(acc)
    print line "."
    rows++
}
END { if (rows == 0) { print "gen-man.sh: no flag rows in --help-markdown" > "/dev/stderr"; exit 1 } }
'

cat <<'TAIL'
.SH ENVIRONMENT
Besides the RIZK_* twins: REDIS_URL, REDIS_CLUSTER_URL, REDIS_PASSWORD, POD_NAME, POD_NAMESPACE
and INSTANCE_ID, as the Rizk scaling guide and the Kubernetes downward API name them.
.SH FILES
.TP
.I /etc/default/rizk-metrics
environment of the systemd units rizk-metrics.service (sidecar) and
rizk-metrics-adapter.service (adapter), with SIDECAR_ARGS and ADAPTER_ARGS.
.TP
.I /usr/share/rizk-metrics/dashboards
Grafana dashboards.
.TP
.I /usr/share/rizk-metrics/proto
the protobuf schemas of pushed reports and of the fleet registry.
.SH EXIT STATUS
0 on success (check: ready); 1 on a runtime failure (check: not ready); 2 for a malformed flag or
configuration, with a line naming the flag and the accepted range.
.SH SIGNALS
SIGTERM and SIGINT stop accepting, let in-flight requests finish and exit 0 within 5 seconds;
SIGHUP reloads the adapter's certificates.
.SH EXAMPLES
.nf
rizk-metrics \-\-web.listen\-address=:9090 \-\-signals.window=30s
REDIS_URL=redis://127.0.0.1:6379/0 POD_NAMESPACE=prod rizk-metrics
rizk-metrics check \-\-url=http://127.0.0.1:8080
systemctl enable \-\-now rizk-metrics
.fi
.SH SEE ALSO
.BR systemd.exec (5),
.BR prometheus (1)
TAIL
