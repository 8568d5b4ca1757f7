"""kube-controller-manager's HPA for one Pods metric with an AverageValue target (no behavior)."""
import json, math, ssl, sys, urllib.request
from decimal import Decimal, ROUND_CEILING

TOLERANCE = 0.1
DOWNSCALE_STABILIZATION_S = 300

class MetricError(Exception):
    pass

def milli_value(q):
    """resource.Quantity.MilliValue(): value x 1000, rounded up (the quantities we meet)."""
    sfx = {"m": Decimal("0.001"), "k": Decimal(1000), "M": Decimal(10) ** 6, "": Decimal(1)}
    s = q[-1] if q[-1] in "mkM" else ""
    v = Decimal(q[: len(q) - len(s)]) * sfx[s] * 1000
    return int(v.to_integral_value(ROUND_CEILING))

def usage_ratio(metrics, target):
    # GetMetricUsageRatio: int64 average (truncating), then a float ratio
    avg = sum(metrics.values()) // len(metrics)
    return avg / target, avg

def plain_metric_replicas(current, target, pods, metrics):
    """calcPlainMetricReplicas. pods: [{"name", "phase", "deleting"}]; metrics: name -> milli."""
    if not pods:
        raise MetricError("no pods returned by selector while calculating replica count")
    metrics = dict(metrics)  # names the HPA does not know stay in (reference 0.5)
    ready, unready, missing, ignored = 0, set(), set(), set()
    for p in pods:
        if p.get("deleting") or p["phase"] == "Failed":
            ignored.add(p["name"])
        elif p["phase"] == "Pending":
            unready.add(p["name"])
        elif p["name"] not in metrics:
            missing.add(p["name"])
        else:
            ready += 1
    for n in ignored | unready:
        metrics.pop(n, None)
    if not metrics:
        raise MetricError("did not receive metrics for targeted pods (pods might be unready)")
    ratio, _ = usage_ratio(metrics, target)
    within = lambda r: 1 - TOLERANCE <= r <= 1 + TOLERANCE
    scale_up_with_unready = len(unready) > 0 and ratio > 1
    if not scale_up_with_unready and not missing:
        return current if within(ratio) else math.ceil(ratio * ready)
    for n in missing:
        metrics[n] = target if ratio < 1 else 0
    if scale_up_with_unready:
        for n in unready:
            metrics[n] = 0
    new_ratio, _ = usage_ratio(metrics, target)
    if within(new_ratio) or (ratio < 1 < new_ratio) or (ratio > 1 > new_ratio):
        return current
    new = math.ceil(new_ratio * len(metrics))
    if (new_ratio < 1 and new > current) or (new_ratio > 1 and new < current):
        return current
    return new

class HPA:
    """One HPA: sync() = fetch + replica proposal + stabilization + clamping (3.5, 3.6 A)."""
    def __init__(self, fetch, target_milli, min_r, max_r):
        self.fetch, self.target, self.min, self.max = fetch, target_milli, min_r, max_r
        self.recs = []  # (time, recommendation)

    def sync(self, now, current, pods):
        try:
            items = self.fetch()
            if not items:
                raise MetricError("no metrics returned from custom metrics API")
            metrics = {}
            for it in items:
                metrics[it["describedObject"]["name"]] = milli_value(it["value"])
            proposal = plain_metric_replicas(current, self.target, pods, metrics)
        except MetricError as e:
            # every metric failed: no scaling at all, ScalingActive=False
            return {"proposal": None, "desired": current, "error": str(e)}
        self.recs = [(t, r) for t, r in self.recs if now - t < DOWNSCALE_STABILIZATION_S]
        self.recs.append((now, proposal))
        desired = max(r for _, r in self.recs)
        up_limit = max(2 * current, 4)
        desired = max(self.min, min(desired, self.max, up_limit))
        return {"proposal": proposal, "desired": desired, "error": None}

def adapter_fetch(url, pki):
    ctx = ssl.create_default_context(cafile=pki + "/server-ca.pem")
    ctx.load_cert_chain(pki + "/front-proxy.pem", pki + "/front-proxy-key.pem")
    def fetch():
        req = urllib.request.Request(url, headers={
            "Accept": "application/vnd.kubernetes.protobuf, */*",
            "User-Agent": "kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/test/system:serviceaccount:kube-system:horizontal-pod-autoscaler",
            "X-Remote-User": "system:serviceaccount:kube-system:horizontal-pod-autoscaler",
        })
        req.add_header("X-Remote-Group", "system:serviceaccounts")
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=5) as r:
                d = json.load(r)
        except urllib.error.HTTPError as e:
            body = json.load(e)
            raise MetricError("unable to fetch metrics from custom metrics API: %s (%s %d)"
                              % (body["message"], body["reason"], body["code"]))
        if d.get("kind") != "MetricValueList" or not d.get("apiVersion", "").startswith("custom.metrics.k8s.io/"):
            raise MetricError("cannot decode %r" % d)
        return d["items"]
    return fetch

def self_check():
    """The worked examples of reference 3.8, target 100 (100000 m)."""
    run = lambda cur, names, vals: plain_metric_replicas(
        cur, 100000, [{"name": n, "phase": "Running"} for n in names],
        {n: v * 1000 for n, v in zip(names, vals)})
    assert run(3, "abc", [150, 200, 250]) == 6
    assert run(3, "abc", [105, 108, 104]) == 3
    assert run(4, "abcd", [160, 160, 160]) == 5
    assert run(4, "abcd", [40, 40, 40]) == 3
    assert run(4, "abcd", [120, 120, 120]) == 4
    # a Pending pod with a value does not count; a Failed one is ignored
    assert plain_metric_replicas(3, 100000, [{"name": "a", "phase": "Running"},
        {"name": "b", "phase": "Pending"}, {"name": "c", "phase": "Failed"}],
        {"a": 200000, "b": 999000, "c": 999000}) == 3  # ratio 2 > 1 with an unready pod at 0
    h = HPA(lambda: [{"describedObject": {"name": "a"}, "value": "150"}], 100000, 1, 10)
    assert h.sync(0, 1, [{"name": "a", "phase": "Running"}])["desired"] == 2
    assert milli_value("1500m") == 1500 and milli_value("100") == 100000 and milli_value("1k") == 1000000

def sync_main(argv):
    """sync URL PKI STATE NOW CURRENT PODS MIN MAX: one HPA sync against the adapter (target
    AverageValue 100; PODS comma-separated, all Running); the recommendations are kept in the
    STATE file between calls; prints the result as JSON."""
    url, pki, state, now, current, names, lo, hi = argv
    import os
    h = HPA(adapter_fetch(url, pki), 100000, int(lo), int(hi))
    if os.path.exists(state):
        h.recs = [tuple(r) for r in json.load(open(state))]
    out = h.sync(float(now), int(current), [{"name": n, "phase": "Running"} for n in names.split(",")])
    json.dump(h.recs, open(state, "w"))
    print(json.dumps(out))

if __name__ == "__main__":
    if sys.argv[1:2] == ["sync"]:
        sync_main(sys.argv[2:])
    else:
        self_check()
        print("self-check ok")
