"""Freshness benchmark (SPEC 9): how long after a load step at the app the adapter's answer shows
it, split into its stages, against the theoretical bound of one fleet interval + one tick.

The sidecars run with a --signals.window of W, a tick (--history.interval) T, and publish every
--fleet.interval F; the adapter's shared view is at most --fleet.max-age M old. This script sends
statsd requests to every sidecar at a base rate, steps all of them at once to another rate, and
polls every ~25 ms, per pod, until each stage shows the step (crosses the midpoint):
  window  : step -> the sidecar's own /metrics (its newest sample; about W/2 + up to T)
  publish : sidecar -> the fleet registry record (fleet_tool read; up to F)
  refresh : registry -> the adapter's answer, minus the answer's own time (up to M)
  answer  : the adapter's response time (curl-measured)
  age     : sidecar -> adapter answer = publish + refresh + answer: how much older the value the
            HPA reads is than the pod's newest sample (bound: F + one tick, with M = one tick).
Prints one "key=value" line per figure (max and median over pods and steps) for run.sh.

usage: freshness.py ADAPTER_URL CA CERT KEY NS FLEET_TOOL REDIS_URL F_S T_S STEPS
       SIDECAR... (each "udpport:httpport:pod")
"""
import json
import os
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

(url, ca, cert, key, ns, fleet_tool, redis_url, f_s, t_s, steps) = sys.argv[1:11]
f_s, t_s, steps = float(f_s), float(t_s), int(steps)
sidecars = [s.split(":") for s in sys.argv[11:]]
pods = [s[2] for s in sidecars]
LOW, HIGH = 100.0, 300.0
MID = (LOW + HIGH) / 2

rate = {"v": LOW}
stop = threading.Event()


def sender():
    """Paced statsd: every 10 ms, floor(accumulated) requests per sidecar in one line."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    acc = {int(u): 0.0 for u, _, _ in sidecars}
    last = time.monotonic()
    while not stop.is_set():
        now = time.monotonic()
        dt, last = now - last, now
        for port in acc:
            acc[port] += rate["v"] * dt
            n = int(acc[port])
            if n > 0:
                acc[port] -= n
                s.sendto(b"rizk.requests:%d|c" % n, ("127.0.0.1", port))
        time.sleep(0.01)


ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
q = url + "/apis/custom.metrics.k8s.io/v1beta2/namespaces/%s/pods/%%2A/rizk_requests_per_second" % ns


def milli(v):
    return float(v[:-1]) / 1000 if v.endswith("m") else float(v)


def adapter_values():
    t0 = time.monotonic()
    with urllib.request.urlopen(q, context=ctx, timeout=5) as r:
        d = json.load(r)
    dt = time.monotonic() - t0
    return {i["describedObject"]["name"]: milli(i["value"]) for i in d["items"]}, dt


def sidecar_value(port):
    with urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=2) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("rizk_requests_per_second "):
                return float(line.split()[1])
    return None


def registry_values():
    env = dict(os.environ, REDIS_URL=redis_url)
    out = subprocess.run([fleet_tool, "read", ns, "--fleet.interval=%gs" % f_s], env=env,
                         capture_output=True, timeout=5, check=True).stdout
    return {p["pod"]: p["signals"].get("rizk_requests_per_second") for p in json.loads(out)["pods"]}


def crossed(v, up):
    return v is not None and (v >= MID if up else v <= MID)


threading.Thread(target=sender, daemon=True).start()
# steady state at LOW everywhere, as the adapter sees it
deadline = time.monotonic() + 60
while True:
    vals, _ = adapter_values()
    if all(abs(vals.get(p, 0) - LOW) <= 0.05 * LOW for p in pods):
        break
    if time.monotonic() > deadline:
        sys.exit("freshness: the adapter never showed the base rate: %s" % vals)
    time.sleep(0.2)

fig = {"window": [], "publish": [], "refresh": [], "answer": [], "age": []}
for k in range(steps):
    up = k % 2 == 0
    rate["v"] = HIGH if up else LOW
    t0 = time.monotonic()
    first = {st: {} for st in ("side", "reg", "ad")}
    answer_times = []
    while len(first["ad"]) < len(pods):
        if time.monotonic() - t0 > 30:
            sys.exit("freshness: step %d not seen within 30 s: %s" % (k, first))
        for u, port, pod in sidecars:
            if pod not in first["side"] and crossed(sidecar_value(port), up):
                first["side"][pod] = time.monotonic()
        now = time.monotonic()
        for pod, v in registry_values().items():
            if pod in pods and pod not in first["reg"] and crossed(v, up):
                first["reg"][pod] = now
        vals, dt = adapter_values()
        now = time.monotonic()
        answer_times.append(dt)
        for pod, v in vals.items():
            if pod in pods and pod not in first["ad"] and crossed(v, up):
                first["ad"][pod] = now
        time.sleep(0.02)
    ans = statistics.median(answer_times)
    for pod in pods:
        ts = first["side"].get(pod, first["reg"].get(pod, first["ad"][pod]))
        tr = first["reg"].get(pod, first["ad"][pod])
        ta = first["ad"][pod]
        fig["window"].append(ts - t0)
        fig["publish"].append(max(0.0, tr - ts))
        fig["refresh"].append(max(0.0, ta - tr - ans))
        fig["answer"].append(ans)
        fig["age"].append(max(0.0, ta - ts))
    # let the window fill at the new rate and every stage settle before the next step
    time.sleep(5 + f_s)
stop.set()
for name, v in fig.items():
    print("%s_max_s=%.3f %s_median_s=%.3f" % (name, max(v), name, statistics.median(v)))
print("samples=%d bound_s=%.3f" % (len(fig["age"]), f_s + t_s))
