#!/usr/bin/python3
"""A scraper beside an attack: COUNT GETs of URL, one every INTERVAL seconds, each on a new
connection from the local address SOURCE (so a per-source limit on the attacker's address does
not apply to it), each with a TIMEOUT. A scrape counts as answered when the status is 200 and
the body contains MUST (a line of the exposition that must be there). Prints one line per
failure and a summary line:
  answered=N/COUNT max_ms=X p50_ms=Y
and exits 0 only when every scrape was answered (latency is reported, never judged here)."""
import argparse
import http.client
import ssl
import statistics
import sys
import time
import urllib.parse


def scrape(u, source, timeout, ctx):
    host, port = u.hostname, u.port or (443 if u.scheme == "https" else 80)
    if u.scheme == "https":
        c = http.client.HTTPSConnection(host, port, timeout=timeout, context=ctx,
                                        source_address=(source, 0))
    else:
        c = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(source, 0))
    try:
        c.request("GET", u.path or "/", headers={"Accept": "text/plain;version=0.0.4"})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--interval", type=float, default=0.25)
    ap.add_argument("--source", default="127.0.0.2")
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--must", default="")
    ap.add_argument("--header", action="append", default=[])
    a = ap.parse_args()
    u = urllib.parse.urlsplit(a.url)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    lat, ok = [], 0
    for i in range(a.count):
        t0 = time.monotonic()
        try:
            status, body = scrape(u, a.source, a.timeout, ctx)
            ms = (time.monotonic() - t0) * 1000
            if status == 200 and a.must.encode() in body:
                ok += 1
                lat.append(ms)
            else:
                print(f"scrape {i}: status {status}, {len(body)} bytes", flush=True)
        except Exception as e:  # a timeout, a reset, a refused connection: not answered
            print(f"scrape {i}: {type(e).__name__}: {e}", flush=True)
        left = a.interval - (time.monotonic() - t0)
        if left > 0:
            time.sleep(left)
    mx = max(lat) if lat else float("nan")
    p50 = statistics.median(lat) if lat else float("nan")
    print(f"answered={ok}/{a.count} max_ms={mx:.1f} p50_ms={p50:.1f}", flush=True)
    sys.exit(0 if ok == a.count else 1)


if __name__ == "__main__":
    main()
