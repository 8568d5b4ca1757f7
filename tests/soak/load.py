#!/usr/bin/python3
"""The soak's steady load (tests/soak/run.sh): scrapes of every /metrics format and the JSON API
(10/s), statsd lines (1000/s in datagrams of 20), JSON pushes (5/s) and HTTPS custom-metrics
queries of the adapter with a client certificate (20/s), for --seconds. Prints one line per kind:
"<kind> requests=N failed=F" (a failure is a non-2xx answer or an error)."""
import argparse
import http.client
import socket
import ssl
import threading
import time

ACCEPTS = ["text/plain;version=0.0.4", "application/openmetrics-text;version=1.0.0",
           "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
           "encoding=delimited"]


last_status = [0]


def every(period, seconds, fn, stats):
    end = time.monotonic() + seconds
    nxt = time.monotonic()
    while time.monotonic() < end:
        try:
            ok = fn()
            why = f"status {last_status[0]}"
        except Exception as e:
            ok = False
            why = f"{type(e).__name__}: {e}"
        if not ok and stats[1] < 3:
            print(f"{fn.__name__} failed at {time.monotonic() - end + seconds:.1f}s: {why}",
                  flush=True)
        stats[0] += 1
        stats[1] += 0 if ok else 1
        nxt += period
        time.sleep(max(0.0, nxt - time.monotonic()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sidecar")
    ap.add_argument("--statsd")
    ap.add_argument("--adapter")
    ap.add_argument("--certs")
    ap.add_argument("--seconds", type=float)
    a = ap.parse_args()
    sh, sp = a.sidecar.split(":")
    uh, up = a.statsd.split(":")
    ah, apo = a.adapter.split(":")
    ctx = ssl.create_default_context(cafile=f"{a.certs}/ca.pem")
    ctx.load_cert_chain(f"{a.certs}/client.pem", f"{a.certs}/client-key.pem")
    ctx.check_hostname = False
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    i = [0]
    stats = {k: [0, 0] for k in ("scrape", "statsd", "push", "adapter")}
    conn = {}

    def get(key, mk, path, headers):
        c = conn.get(key)
        if c is None:
            c = conn[key] = mk()
        try:
            c.request("GET", path, headers=headers)
            r = c.getresponse()
            body = r.read()
            last_status[0] = f"{r.status} {body[:120]!r}"
            return 200 <= r.status < 300
        except Exception:
            conn.pop(key, None)
            c.close()
            raise

    def scrape():
        i[0] += 1
        h = {"Accept": ACCEPTS[i[0] % 3]}
        if i[0] % 2:
            h["Accept-Encoding"] = "gzip"
        path = "/metrics" if i[0] % 5 else "/api/v1/current"
        return get("s", lambda: http.client.HTTPConnection(sh, int(sp), timeout=5), path, h)

    def statsd():
        lines = b"\n".join([b"rizk.requests:1|c|#status:200", b"rizk.response_time:42|ms",
                            b"rizk.cache.l1.hits:3|c", b"rizk.cache.l1.misses:1|c",
                            b"soak.latency:0.2|h|#route:/x"] * 4)
        udp.sendto(lines, (uh, int(up)))
        return True

    def push():
        c = http.client.HTTPConnection(sh, int(sp), timeout=5)
        try:
            c.request("POST", "/api/v1/report", body=b'{"requests": 2, "durations_seconds": [0.05]}',
                      headers={"Content-Type": "application/json"})
            return c.getresponse().status == 202
        finally:
            c.close()

    def adapter():
        return get("a", lambda: http.client.HTTPSConnection(ah, int(apo), timeout=5, context=ctx),
                   "/apis/custom.metrics.k8s.io/v1beta2/namespaces/soak/pods/%2A/"
                   "rizk_requests_per_second", {})

    ts = [threading.Thread(target=every, args=(p, a.seconds, f, stats[k])) for k, p, f in
          (("scrape", 0.1, scrape), ("statsd", 0.02, statsd), ("push", 0.2, push),
           ("adapter", 0.05, adapter))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for k, (n, f) in stats.items():
        print(f"{k} requests={n} failed={f}")


if __name__ == "__main__":
    main()
