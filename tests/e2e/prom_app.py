#!/usr/bin/python3
"""A real app instrumented with Debian's python3-prometheus-client, for the pull e2e tests.

It serves its registry on 127.0.0.1:PORT/metrics and, once the --go file exists, runs paced
batches (every --period seconds) of known increments for --secs seconds, then writes the number
of batches to --out and keeps serving. One batch = 10 requests of which 2 are errors (5xx), 4
durations (0.125, 0.25, 0.375, 0.5 s: mean 0.3125, exact in binary), cache l1 6 hits / 4 misses,
l2 3 hits / 1 miss, and 12 open connections. The increments of a batch and each scrape hold the
same lock, so every scrape sees whole batches and the expected ratios are exact.

--mode default: the product's own names (rizk_requests_total, ...); the body format is negotiated
  by prometheus_client (OpenMetrics for the sidecar's Accept header).
--mode remap: http_requests_total{method,status} (errors are status 5xx, a 404 is not),
  http_request_duration_seconds{route} (two series, same buckets), http_connections_open{worker}
  (5 + 7), app_cache_{hits,misses}_total{layer} (and a layer l3 that must be ignored); always
  text 0.0.4. While the --big file exists, the body is padded with comment lines past 64 KiB.
"""
import argparse
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, choose_encoder, generate_latest

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--mode", choices=("default", "remap"), default="default")
ap.add_argument("--go", default="")
ap.add_argument("--secs", type=float, default=5.0)
ap.add_argument("--period", type=float, default=0.01)
ap.add_argument("--out", default="")
ap.add_argument("--big", default="")
args = ap.parse_args()

lock = threading.Lock()
DURATIONS = (0.125, 0.25, 0.375, 0.5)

if args.mode == "default":
    requests = Counter("rizk_requests", "Requests handled.")
    errors = Counter("rizk_request_errors", "Requests that failed.")
    duration = Histogram("rizk_request_duration_seconds", "Request duration.")
    active = Gauge("rizk_active_connections", "Open connections.")
    hits = Counter("rizk_cache_hits", "Cache hits.", ["tier"])
    misses = Counter("rizk_cache_misses", "Cache misses.", ["tier"])

    def batch():
        requests.inc(10)
        errors.inc(2)
        for d in DURATIONS:
            duration.observe(d)
        active.set(12)
        hits.labels("l1").inc(6)
        misses.labels("l1").inc(4)
        hits.labels("l2").inc(3)
        misses.labels("l2").inc(1)
else:
    requests = Counter("http_requests", "HTTP requests.", ["method", "status"])
    duration = Histogram("http_request_duration_seconds", "HTTP request duration.", ["route"])
    conns = Gauge("http_connections_open", "Open connections.", ["worker"])
    hits = Counter("app_cache_hits", "Cache hits.", ["layer"])
    misses = Counter("app_cache_misses", "Cache misses.", ["layer"])

    def batch():
        requests.labels("GET", "200").inc(7)
        requests.labels("GET", "404").inc(1)
        requests.labels("POST", "503").inc(1)
        requests.labels("GET", "500").inc(1)
        duration.labels("/a").observe(DURATIONS[0])
        duration.labels("/a").observe(DURATIONS[1])
        duration.labels("/b").observe(DURATIONS[2])
        duration.labels("/b").observe(DURATIONS[3])
        conns.labels("w1").set(5)
        conns.labels("w2").set(7)
        hits.labels("l1").inc(6)
        misses.labels("l1").inc(4)
        hits.labels("l2").inc(3)
        misses.labels("l2").inc(1)
        hits.labels("l3").inc(100)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/metrics":
            self.send_error(404)
            return
        with lock:
            if args.mode == "default":
                encoder, ctype = choose_encoder(self.headers.get("Accept"))
                body = encoder(REGISTRY)
            else:
                ctype = CONTENT_TYPE_LATEST
                body = generate_latest(REGISTRY)
        if args.big and os.path.exists(args.big):
            body += b"".join(b"# padding %06d %s\n" % (i, b"x" * 100) for i in range(1000))
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def run():
    while args.go and not os.path.exists(args.go):
        time.sleep(0.01)
    t0 = time.monotonic()
    k = 0
    while True:
        t = t0 + k * args.period
        if t - t0 >= args.secs:
            break
        d = t - time.monotonic()
        if d > 0:
            time.sleep(d)
        with lock:
            batch()
        k += 1
    if args.out:
        with open(args.out + ".tmp", "w") as f:
            f.write("%d\n" % k)
        os.rename(args.out + ".tmp", args.out)


signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
srv.daemon_threads = True
threading.Thread(target=run, daemon=True).start()
srv.serve_forever()
