#!/usr/bin/python3
"""Generates the Grafana dashboards of rizk-metrics (Grafana 9/10 JSON model, schemaVersion 37):

  rizk-fleet.json    every sidecar of a namespace/app: the seven signals per pod and fleet-wide,
                     recommendations, sources, Redis, fleet registry publishing
  rizk-sidecar.json  one pod: node and container CPU/memory, PSI, network, TCP states,
                     collectors, statsd, scrape and process self-metrics, history
  rizk-adapter.json  the custom-metrics adapter: its APIServices as kube-apiserver sees them,
                     requests by path/code/user, latency, Redis round trips, authentication

Run `dashboards/generate.py` after editing; tests/e2e/test_dashboards.sh fails when the JSON
files differ from what this prints. Standard library only.
"""
import json
import os
import sys

DS = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
SEL = 'job=~"$job", namespace=~"$namespace", app=~"$app", pod=~"$pod"'
POD1 = 'job=~"$job", namespace=~"$namespace", pod=~"$pod"'


class Board:
    def __init__(self):
        self.panels = []
        self.y = 0
        self.x = 0
        self.row_h = 0

    def _place(self, w, h):
        if self.x + w > 24:
            self.y += self.row_h
            self.x, self.row_h = 0, 0
        pos = {"x": self.x, "y": self.y, "w": w, "h": h}
        self.x += w
        self.row_h = max(self.row_h, h)
        return pos

    def row(self, title):
        if self.x:
            self.y += self.row_h
            self.x, self.row_h = 0, 0
        self.panels.append({"type": "row", "title": title, "collapsed": False, "panels": [],
                            "gridPos": {"x": 0, "y": self.y, "w": 24, "h": 1}})
        self.y += 1

    def add(self, ptype, title, targets, w=8, h=8, unit="short", description="", options=None,
            field=None, overrides=None, transformations=None, min_=None, max_=None, stack=False):
        defaults = {"unit": unit, "custom": {}}
        if min_ is not None:
            defaults["min"] = min_
        if max_ is not None:
            defaults["max"] = max_
        if ptype == "timeseries":
            defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10,
                                  "showPoints": "never", "spanNulls": False}
            if stack:
                defaults["custom"]["stacking"] = {"mode": "normal", "group": "A"}
        defaults.update(field or {})
        p = {"type": ptype, "title": title, "description": description, "datasource": DS,
             "gridPos": self._place(w, h),
             "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
             "options": options or {},
             "targets": []}
        if ptype == "timeseries" and not options:
            p["options"] = {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                            "tooltip": {"mode": "multi", "sort": "desc"}}
        if ptype == "stat" and not options:
            p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                            "colorMode": "value", "graphMode": "area", "textMode": "auto"}
        if transformations:
            p["transformations"] = transformations
        for i, t in enumerate(targets):
            expr, legend = t[0], t[1]
            tgt = {"datasource": DS, "refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend,
                   "range": True, "instant": False}
            if ptype in ("table",) or (len(t) > 2 and t[2] == "instant"):
                tgt.update({"range": False, "instant": True, "format": "table"})
            p["targets"].append(tgt)
        self.panels.append(p)
        return p


def ts(b, title, targets, unit="short", w=8, h=8, **kw):
    return b.add("timeseries", title, targets, unit=unit, w=w, h=h, **kw)


def stat(b, title, expr, unit="short", w=4, h=4, thresholds=None, **kw):
    field = {}
    if thresholds:
        field["thresholds"] = {"mode": "absolute", "steps": thresholds}
        field["color"] = {"mode": "thresholds"}
    return b.add("stat", title, [(expr, "")], unit=unit, w=w, h=h, field=field, **kw)


def steps(*pairs):
    out = [{"color": pairs[0], "value": None}]
    for i in range(1, len(pairs), 2):
        out.append({"color": pairs[i + 1], "value": pairs[i]})
    return out


def var_ds():
    return {"name": "DS_PROMETHEUS", "label": "Data source", "type": "datasource", "query": "prometheus",
            "current": {}, "hide": 0, "refresh": 1, "regex": "", "options": []}


def var_query(name, label, query, multi=True, include_all=True, all_value=".*"):
    v = {"name": name, "label": label, "type": "query", "datasource": DS,
         "query": {"query": query, "refId": f"{name}-var"}, "definition": query,
         "refresh": 2, "sort": 1, "multi": multi, "includeAll": include_all, "current": {},
         "hide": 0, "options": [], "regex": ""}
    if include_all:
        v["allValue"] = all_value
    return v


def dashboard(uid, title, description, board, variables, tags):
    # ids in layout order
    n = 0
    for p in board.panels:
        n += 1
        p["id"] = n
    return {
        "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource",
                      "pluginId": "prometheus", "pluginName": "Prometheus"}],
        "__requires": [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "9.0.0"},
                       {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}],
        "id": None, "uid": uid, "title": title, "description": description, "tags": tags,
        "editable": True, "graphTooltip": 1, "schemaVersion": 37, "version": 1,
        "time": {"from": "now-1h", "to": "now"}, "refresh": "30s", "timezone": "",
        "fiscalYearStartMonth": 0, "liveNow": False, "weekStart": "",
        "timepicker": {}, "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
            "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts",
            "type": "dashboard"}]},
        "links": [{"title": "rizk dashboards", "type": "dashboards", "tags": ["rizk"], "asDropdown": True,
                   "includeVars": True, "keepTime": True}],
        "templating": {"list": variables},
        "panels": board.panels,
    }


def common_vars(pod_multi=True):
    return [
        var_ds(),
        var_query("job", "Job", 'label_values(rizk_build_info, job)', multi=False, include_all=False),
        var_query("namespace", "Namespace", 'label_values(rizk_build_info{job=~"$job"}, namespace)'),
        var_query("app", "App", 'label_values(rizk_build_info{job=~"$job", namespace=~"$namespace"}, app)'),
        var_query("pod", "Pod",
                  'label_values(rizk_build_info{job=~"$job", namespace=~"$namespace", app=~"$app"}, pod)',
                  multi=pod_multi, include_all=pod_multi),
    ]


# The seven signals: (title, metric, unit, fleet aggregation, fleet expression from counters)
SIGNALS = [
    ("Requests per second", "rizk_requests_per_second", "reqps", "sum", None),
    ("Error ratio", "rizk_error_ratio", "percentunit", "avg",
     f"sum(rate(rizk_request_errors_total{{{SEL}}}[$__rate_interval])) / sum(rate(rizk_requests_total{{{SEL}}}[$__rate_interval]))"),
    ("Response time (mean)", "rizk_response_time_seconds", "s", "avg",
     f"sum(rate(rizk_request_duration_seconds_sum{{{SEL}}}[$__rate_interval])) / sum(rate(rizk_request_duration_seconds_count{{{SEL}}}[$__rate_interval]))"),
    ("Cache hit ratio", "rizk_cache_hit_ratio", "percentunit", "avg", None),
    ("Active connections", "rizk_active_connections", "short", "sum", None),
    ("CPU utilization", "rizk_cpu_utilization_ratio", "percentunit", "avg", None),
    ("Memory utilization", "rizk_memory_utilization_ratio", "percentunit", "avg", None),
]
THRESHOLD_SIGNAL = {"rizk_requests_per_second", "rizk_error_ratio", "rizk_response_time_seconds",
                    "rizk_cpu_utilization_ratio", "rizk_memory_utilization_ratio"}


def fleet():
    b = Board()
    b.row("Fleet overview")
    stat(b, "Sidecars up", f'sum(up{{{SEL}}}) or vector(0)', w=3,
         description="Scraped sidecars that answered (up == 1).")
    stat(b, "Requests/s", f"sum(rizk_requests_per_second{{{SEL}}})", unit="reqps", w=3)
    stat(b, "Error ratio", SIGNALS[1][4], unit="percentunit", w=3,
         thresholds=steps("green", 0.01, "orange", 0.05, "red"),
         description="Errors / requests over all selected pods (raw counters). The guide scales up above 5 %.")
    stat(b, "Mean response time", SIGNALS[2][4], unit="s", w=3,
         thresholds=steps("green", 0.5, "orange", 1, "red"))
    stat(b, "Cache hit ratio", f"avg(rizk_cache_hit_ratio{{{SEL}}})", unit="percentunit", w=3,
         thresholds=steps("red", 0.7, "orange", 0.8, "green"),
         description="Mean of the pods' hierarchy hit ratios. Guide: warning below 70 %, target above 80 %.")
    stat(b, "Active connections", f"sum(rizk_active_connections{{{SEL}}})", w=3)
    stat(b, "Pods recommending scale_up", f'sum(rizk_scaling_recommendation{{{SEL}, action="scale_up"}}) or vector(0)',
         w=3, thresholds=steps("green", 1, "orange"))
    stat(b, "Pods recommending scale_down", f'sum(rizk_scaling_recommendation{{{SEL}, action="scale_down"}}) or vector(0)',
         w=3, thresholds=steps("green", 1, "blue"))

    b.row("The seven scaling signals (per pod, fleet in bold)")
    for title, metric, unit, agg, fleet_expr in SIGNALS:
        targets = [(f"{metric}{{{SEL}}}", "{{pod}}"),
                   (fleet_expr or f"{agg}({metric}{{{SEL}}})", f"fleet ({agg})")]
        if metric in THRESHOLD_SIGNAL:
            targets.append((f'max(rizk_scaling_threshold{{{SEL}, signal="{metric}", direction="up"}})',
                            "scale-up threshold"))
        overrides = [
            {"matcher": {"id": "byRegexp", "options": "fleet.*"},
             "properties": [{"id": "custom.lineWidth", "value": 3}, {"id": "custom.fillOpacity", "value": 0}]},
            {"matcher": {"id": "byName", "options": "scale-up threshold"},
             "properties": [{"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}},
                            {"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}},
                            {"id": "custom.fillOpacity", "value": 0}]},
        ]
        ts(b, title, targets, unit=unit, overrides=overrides)
    ts(b, "Response time quantiles (fleet, from histograms)", [
        (f"histogram_quantile({q}, sum by (le) (rate(rizk_request_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))",
         f"p{int(float(q) * 100)}") for q in ("0.5", "0.95", "0.99")], unit="s")
    ts(b, "Cache hit ratio by tier (fleet)", [
        (f"sum by (tier) (rate(rizk_cache_hits_total{{{SEL}}}[$__rate_interval])) / "
         f"(sum by (tier) (rate(rizk_cache_hits_total{{{SEL}}}[$__rate_interval])) + "
         f"sum by (tier) (rate(rizk_cache_misses_total{{{SEL}}}[$__rate_interval])))", "{{tier}}"),
        (f"avg(rizk_redis_keyspace_hit_ratio{{{SEL}}})", "redis keyspace")], unit="percentunit", min_=0, max_=1)

    b.row("Scaling recommendation")
    b.add("table", "Recommendation per pod", [
        (f"max by (namespace, pod, action) (rizk_scaling_recommendation{{{SEL}}} == 1)", ""),
        (f"max by (namespace, pod) (rizk_scaling_recommended_replica_change{{{SEL}}})", ""),
        (f'max by (namespace, pod) (rizk_scaling_conditions_met{{{SEL}, direction="up"}})', ""),
        (f'max by (namespace, pod) (rizk_scaling_conditions_met{{{SEL}, direction="down"}})', ""),
        (f"max by (namespace, pod) (rizk_scaling_ready{{{SEL}}})", ""),
    ], w=12, h=9, description="The sidecar's AutoScalingController decision (the guide's rules) per pod.",
        transformations=[
            {"id": "merge", "options": {}},
            {"id": "organize", "options": {
                "excludeByName": {"Time": True, "Value #A": True},
                "renameByName": {"action": "Action", "Value #B": "Replica change",
                                 "Value #C": "Scale-up conditions met", "Value #D": "Scale-down conditions met",
                                 "Value #E": "Scaling ready"}}}])
    ts(b, "Pods per recommended action", [
        (f"sum by (action) (rizk_scaling_recommendation{{{SEL}}})", "{{action}}")], w=12, h=9, stack=True,
        description="How many pods recommend each action (wait, maintain, scale_up, scale_down).")
    ts(b, "Recommended replica change per pod", [
        (f"rizk_scaling_recommended_replica_change{{{SEL}}}", "{{pod}}")], w=12)
    ts(b, "Scaling conditions met per pod", [
        (f'rizk_scaling_conditions_met{{{SEL}, direction="up"}}', "{{pod}} up"),
        (f'rizk_scaling_conditions_met{{{SEL}, direction="down"}}', "{{pod}} down")], w=12, min_=0, max_=5)

    b.row("Sources")
    b.add("table", "Source status per pod", [
        (f"max by (namespace, pod, source) (rizk_source_up{{{SEL}}})", ""),
        (f"max by (namespace, pod, source) (time() - rizk_source_last_success_timestamp_seconds{{{SEL}}})", ""),
    ], w=12, h=9, transformations=[
        {"id": "merge", "options": {}},
        {"id": "organize", "options": {"excludeByName": {"Time": True},
                                       "renameByName": {"Value #A": "Up", "Value #B": "Seconds since last success"}}}],
        overrides=[{"matcher": {"id": "byName", "options": "Up"},
                    "properties": [{"id": "custom.displayMode", "value": "color-background"},
                                   {"id": "thresholds", "value": {"mode": "absolute", "steps": steps("red", 1, "green")}}]}])
    ts(b, "Sources down", [
        (f"count by (source) (rizk_source_up{{{SEL}}} == 0)", "{{source}}")], w=12, h=9,
        description="Pods whose source did not answer on the last tick (a cgroup source is 0 on cgroup v1 nodes by design).")

    b.row("Redis (per node, as the sidecars see it)")
    ts(b, "Redis node up (sidecars reaching it)", [
        (f"sum by (node) (rizk_redis_up{{{SEL}}})", "{{node}} up"),
        (f"count by (node) (rizk_redis_up{{{SEL}}})", "{{node}} sidecars")], w=8)
    ts(b, "Redis keyspace hit ratio", [
        (f"rizk_redis_keyspace_hit_ratio{{{SEL}}}", "{{pod}}"),
        (f"sum(max by (node) (rate(rizk_redis_keyspace_hits_total{{{SEL}}}[$__rate_interval]))) / "
         f"(sum(max by (node) (rate(rizk_redis_keyspace_hits_total{{{SEL}}}[$__rate_interval]))) + "
         f"sum(max by (node) (rate(rizk_redis_keyspace_misses_total{{{SEL}}}[$__rate_interval]))))", "all nodes")],
        unit="percentunit", w=8, min_=0, max_=1)
    ts(b, "PING round trip", [
        (f"max by (node) (rizk_redis_ping_seconds{{{SEL}}})", "{{node}} max"),
        (f"avg by (node) (rizk_redis_ping_seconds{{{SEL}}})", "{{node}} avg")], unit="s", w=8)
    ts(b, "Commands per second", [
        (f"max by (node) (rate(rizk_redis_commands_processed_total{{{SEL}}}[$__rate_interval]))", "{{node}}")],
        unit="ops", w=8)
    ts(b, "Keyspace hits and misses per second", [
        (f"max by (node) (rate(rizk_redis_keyspace_hits_total{{{SEL}}}[$__rate_interval]))", "{{node}} hits"),
        (f"max by (node) (rate(rizk_redis_keyspace_misses_total{{{SEL}}}[$__rate_interval]))", "{{node}} misses")],
        unit="ops", w=8)
    ts(b, "Memory used / maxmemory", [
        (f"max by (node) (rizk_redis_memory_used_bytes{{{SEL}}})", "{{node}} used"),
        (f"max by (node) (rizk_redis_memory_max_bytes{{{SEL}}} > 0)", "{{node}} max")], unit="bytes", w=8)
    ts(b, "Connected clients", [
        (f"max by (node) (rizk_redis_connected_clients{{{SEL}}})", "{{node}}")], w=8)
    ts(b, "Evicted and expired keys per second", [
        (f"max by (node) (rate(rizk_redis_evicted_keys_total{{{SEL}}}[$__rate_interval]))", "{{node}} evicted"),
        (f"max by (node) (rate(rizk_redis_expired_keys_total{{{SEL}}}[$__rate_interval]))", "{{node}} expired")],
        unit="ops", w=8)
    b.add("table", "Redis nodes", [
        (f"max by (node, role, version, mode) (rizk_redis_instance_info{{{SEL}}})", ""),
        (f"max by (node) (rizk_redis_db_keys{{{SEL}}})", "")], w=8,
        transformations=[{"id": "merge", "options": {}},
                         {"id": "organize", "options": {"excludeByName": {"Time": True, "Value #A": True},
                                                        "renameByName": {"Value #B": "Keys"}}}])
    ts(b, "Redis Cluster state", [
        (f"min(rizk_redis_cluster_state_ok{{{SEL}}})", "state ok"),
        (f"max(rizk_redis_cluster_size{{{SEL}}})", "masters serving slots"),
        (f"max(rizk_redis_cluster_known_nodes{{{SEL}}})", "known nodes")], w=8,
        description="Only with --redis.cluster-nodes / REDIS_CLUSTER_URL.")
    ts(b, "Collector errors per second", [
        (f"sum by (kind) (rate(rizk_redis_errors_total{{{SEL}}}[$__rate_interval]))", "{{kind}}")], unit="ops", w=8)

    b.row("Fleet registry publishing")
    ts(b, "Publishes per second", [
        (f"sum(rate(rizk_fleet_publish_total{{{SEL}}}[$__rate_interval]))", "fleet"),
        (f"rate(rizk_fleet_publish_total{{{SEL}}}[$__rate_interval])", "{{pod}}")], unit="ops", w=6)
    ts(b, "Publish errors per second", [
        (f"sum by (kind) (rate(rizk_fleet_publish_errors_total{{{SEL}}}[$__rate_interval]))", "{{kind}}")],
        unit="ops", w=6)
    ts(b, "Age of the last publish", [
        (f"time() - rizk_fleet_last_publish_timestamp_seconds{{{SEL}}}", "{{pod}}")], unit="s", w=6,
        description="Keys expire after 3 --fleet.interval (15 s by default): older pods drop out of the HPA's view.")
    ts(b, "Cluster redirects per second", [
        (f"sum by (kind) (rate(rizk_fleet_redirects_total{{{SEL}}}[$__rate_interval]))", "{{kind}}")],
        unit="ops", w=6)
    return dashboard("rizk-fleet", "Rizk / Fleet",
                     "Every rizk-metrics sidecar of a namespace and app: the seven scaling signals, "
                     "recommendations, sources, Redis and the fleet registry.",
                     b, common_vars(), ["rizk", "autoscaling"])


def sidecar():
    b = Board()
    S = POD1
    b.row("Pod")
    stat(b, "Scrape up", f"max(up{{{S}}})", w=3, thresholds=steps("red", 1, "green"))
    stat(b, "Uptime", f"time() - max(process_start_time_seconds{{{S}}})", unit="s", w=3)
    b.add("stat", "Recommendation", [(f"max by (action) (rizk_scaling_recommendation{{{S}}} == 1)", "{{action}}")],
          w=4, h=4, options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                             "textMode": "name", "colorMode": "background", "graphMode": "none"})
    stat(b, "Scaling ready", f"max(rizk_scaling_ready{{{S}}})", w=3, thresholds=steps("orange", 1, "green"))
    stat(b, "Sidecar RSS", f"max(process_resident_memory_bytes{{{S}}})", unit="bytes", w=3)
    stat(b, "History memory", f"max(rizk_history_memory_bytes{{{S}}})", unit="bytes", w=3)
    b.add("table", "Build and signal basis", [
        (f"max by (version, revision, compiler) (rizk_build_info{{{S}}})", ""),
        (f"max by (signal, basis) (rizk_signal_basis_info{{{S}}})", "")], w=5, h=4,
        transformations=[{"id": "merge", "options": {}},
                         {"id": "organize", "options": {"excludeByName": {"Time": True, "Value #A": True,
                                                                          "Value #B": True}}}])

    b.row("CPU and memory")
    ts(b, "Node CPU by mode", [
        (f"sum by (mode) (rate(rizk_system_cpu_seconds_total{{{S}, mode!=\"idle\"}}[$__rate_interval])) / "
         f"scalar(max(rizk_system_cpus{{{S}}}))", "{{mode}}")], unit="percentunit", stack=True)
    ts(b, "Container CPU", [
        (f"rate(rizk_container_cpu_usage_seconds_total{{{S}}}[$__rate_interval])", "usage (cores)"),
        (f"rate(rizk_container_cpu_throttled_seconds_total{{{S}}}[$__rate_interval])", "throttled (cores)"),
        (f"rizk_container_cpu_limit_cores{{{S}}}", "limit")], unit="short")
    ts(b, "CPU utilization (signal)", [
        (f"rizk_cpu_utilization_ratio{{{S}}}", "utilization"),
        (f'rizk_scaling_threshold{{{S}, signal="rizk_cpu_utilization_ratio"}}', "{{direction}} threshold")],
        unit="percentunit")
    ts(b, "Node memory", [
        (f"rizk_system_memory_total_bytes{{{S}}}", "total"),
        (f"rizk_system_memory_total_bytes{{{S}}} - rizk_system_memory_available_bytes{{{S}}}", "used"),
        (f"rizk_system_memory_cached_bytes{{{S}}} + rizk_system_memory_buffers_bytes{{{S}}}", "cache + buffers"),
        (f"rizk_system_swap_total_bytes{{{S}}} - rizk_system_swap_free_bytes{{{S}}}", "swap used")], unit="bytes")
    ts(b, "Container memory", [
        (f"rizk_container_memory_usage_bytes{{{S}}}", "usage"),
        (f"rizk_container_memory_working_set_bytes{{{S}}}", "working set"),
        (f"rizk_container_memory_limit_bytes{{{S}}}", "limit")], unit="bytes")
    ts(b, "Memory utilization (signal) and OOM", [
        (f"rizk_memory_utilization_ratio{{{S}}}", "utilization"),
        (f"increase(rizk_container_memory_oom_kills_total{{{S}}}[$__rate_interval])", "OOM kills"),
        (f"increase(rizk_container_memory_max_events_total{{{S}}}[$__rate_interval])", "memory.max hits")],
        unit="short")
    ts(b, "Load average", [
        (f"rizk_system_load1{{{S}}}", "load1"), (f"rizk_system_load5{{{S}}}", "load5"),
        (f"rizk_system_load15{{{S}}}", "load15"), (f"rizk_system_cpus{{{S}}}", "CPUs")], unit="short")
    ts(b, "Container CPU throttling", [
        (f"rate(rizk_container_cpu_throttled_periods_total{{{S}}}[$__rate_interval]) / "
         f"rate(rizk_container_cpu_periods_total{{{S}}}[$__rate_interval])", "throttled periods")],
        unit="percentunit", min_=0, max_=1)

    b.row("Pressure stall information (node)")
    for res in ("cpu", "memory", "io"):
        ts(b, f"{res.upper() if res != 'memory' else 'Memory'} pressure", [
            (f"rate(rizk_system_pressure_{res}_waiting_seconds_total{{{S}}}[$__rate_interval])", "some (waiting)"),
            (f"rate(rizk_system_pressure_{res}_stalled_seconds_total{{{S}}}[$__rate_interval])", "full (stalled)")],
            unit="percentunit", description="Share of time tasks waited (some) or all stalled (full); absent without PSI.")

    b.row("Network and TCP")
    ts(b, "Network bytes per second", [
        (f"rate(rizk_system_network_receive_bytes_total{{{S}}}[$__rate_interval])", "{{device}} rx"),
        (f"-rate(rizk_system_network_transmit_bytes_total{{{S}}}[$__rate_interval])", "{{device}} tx")],
        unit="Bps")
    ts(b, "Network packets per second", [
        (f"rate(rizk_system_network_receive_packets_total{{{S}}}[$__rate_interval])", "{{device}} rx"),
        (f"-rate(rizk_system_network_transmit_packets_total{{{S}}}[$__rate_interval])", "{{device}} tx")],
        unit="pps")
    ts(b, "Network errors and drops per second", [
        (f"rate(rizk_system_network_receive_errors_total{{{S}}}[$__rate_interval]) + "
         f"rate(rizk_system_network_transmit_errors_total{{{S}}}[$__rate_interval])", "{{device}} errors"),
        (f"rate(rizk_system_network_receive_drops_total{{{S}}}[$__rate_interval]) + "
         f"rate(rizk_system_network_transmit_drops_total{{{S}}}[$__rate_interval])", "{{device}} drops")],
        unit="pps")
    ts(b, "TCP connections by state", [
        (f"rizk_system_tcp_connections{{{S}}} > 0", "{{state}}")], w=12, stack=True)
    ts(b, "Active connections (signal)", [
        (f"rizk_active_connections{{{S}}}", "active connections"),
        (f'rizk_system_tcp_connections{{{S}, state="established"}}', "established (all ports)")], w=12)

    b.row("Collectors and sources")
    ts(b, "Collector duration", [
        (f"rizk_collector_duration_seconds{{{S}}}", "{{collector}}"),
        (f"rizk_redis_poll_duration_seconds{{{S}}}", "redis poll (worker)")], unit="s")
    ts(b, "Collector success", [
        (f"rizk_collector_success{{{S}}}", "{{collector}}")], min_=0, max_=1)
    ts(b, "Source up and age of last success", [
        (f"rizk_source_up{{{S}}}", "{{source}} up"),
        (f"time() - rizk_source_last_success_timestamp_seconds{{{S}}}", "{{source}} age (s)")])

    b.row("App stats ingestion (statsd, push)")
    ts(b, "statsd packets and lines per second", [
        (f"rate(rizk_statsd_packets_total{{{S}}}[$__rate_interval])", "packets"),
        (f"rate(rizk_statsd_lines_total{{{S}}}[$__rate_interval])", "lines")], unit="ops")
    ts(b, "statsd malformed lines per second", [
        (f"rate(rizk_statsd_malformed_lines_total{{{S}}}[$__rate_interval]) > 0", "{{reason}}")], unit="ops")
    ts(b, "statsd dropped per second", [
        (f"rate(rizk_statsd_dropped_total{{{S}}}[$__rate_interval]) > 0", "{{reason}}")], unit="ops")
    ts(b, "statsd series", [
        (f"rizk_statsd_series{{{S}}}", "rizk_app_* series"),
        (f"rizk_statsd_max_series{{{S}}}", "--statsd.max-series")])
    ts(b, "Pushed reports per second", [
        (f"rate(rizk_app_reports_total{{{S}}}[$__rate_interval]) > 0", "{{result}}")], unit="ops")
    ts(b, "App requests and errors per second (raw counters)", [
        (f"rate(rizk_requests_total{{{S}}}[$__rate_interval])", "requests"),
        (f"rate(rizk_request_errors_total{{{S}}}[$__rate_interval])", "errors"),
        (f"rizk_requests_per_second{{{S}}}", "signal (window)")], unit="reqps")

    b.row("Scrape and process (self-monitoring)")
    ts(b, "Scrape duration", [
        (f"scrape_duration_seconds{{{S}}}", "scrape duration")], unit="s",
        description="Measured by Prometheus. /metrics bodies are rendered once per tick, so a scrape costs no collection.")
    ts(b, "Samples per scrape", [
        (f"scrape_samples_scraped{{{S}}}", "samples"),
        (f"scrape_series_added{{{S}}}", "new series")])
    ts(b, "Sidecar CPU", [
        (f"rate(process_cpu_seconds_total{{{S}}}[$__rate_interval])", "cores")], unit="short")
    ts(b, "Sidecar memory", [
        (f"process_resident_memory_bytes{{{S}}}", "RSS"),
        (f"rizk_history_memory_bytes{{{S}}}", "history rings")], unit="bytes")
    ts(b, "File descriptors and threads", [
        (f"process_open_fds{{{S}}}", "open fds"),
        (f"process_threads{{{S}}}", "threads")])
    ts(b, "HTTP scrape health", [
        (f"up{{{S}}}", "up"),
        (f"rate(rizk_sampler_ticks_total{{{S}}}[$__rate_interval])", "sampler ticks/s")])

    b.row("History and sampler")
    ts(b, "Sampler ticks and overruns per second", [
        (f"rate(rizk_sampler_ticks_total{{{S}}}[$__rate_interval])", "ticks"),
        (f"rate(rizk_sampler_overruns_total{{{S}}}[$__rate_interval])", "overruns")], unit="ops")
    ts(b, "History configuration", [
        (f"rizk_history_interval_seconds{{{S}}}", "interval"),
        (f"rizk_signals_window_seconds{{{S}}}", "signals window"),
        (f"rizk_history_retention_seconds{{{S}}}", "retention")], unit="s")
    ts(b, "History memory", [
        (f"rizk_history_memory_bytes{{{S}}}", "ring buffers")], unit="bytes")
    return dashboard("rizk-sidecar", "Rizk / Sidecar",
                     "One rizk-metrics sidecar: node and container resources, PSI, network, TCP, collectors, "
                     "statsd ingestion, scrape and process self-metrics, history.",
                     b, common_vars(pod_multi=False), ["rizk"])


ADP = 'job=~"$job", namespace=~"$namespace", pod=~"$pod"'
APISVC = 'name=~"v1beta[12]\\\\.custom\\\\.metrics\\\\.k8s\\\\.io|v1beta1\\\\.external\\\\.metrics\\\\.k8s\\\\.io"'
METRIC_PATHS = 'path=~"custom_metrics|external_metrics|fleet"'


def adapter():
    b = Board()
    S = ADP
    b.row("Availability")
    stat(b, "Adapters up", f"sum(up{{{S}}}) or vector(0)", w=3, thresholds=steps("red", 1, "orange", 2, "green"),
         description="Adapter pods Prometheus scrapes (the Deployment runs 2).")
    stat(b, "APIServices unavailable", f"sum(max by (name) (aggregator_unavailable_apiservice{{{APISVC}}})) or vector(0)",
         w=4, thresholds=steps("green", 1, "red"),
         description="kube-apiserver's view of the adapter's APIServices (aggregator_unavailable_apiservice): "
                     "while one is unavailable no HPA on its metrics scales and namespace deletion hangs.")
    stat(b, "Metric queries/s", f"sum(rate(rizk_adapter_requests_total{{{S}, {METRIC_PATHS}}}[$__rate_interval]))",
         unit="reqps", w=4)
    stat(b, "Query errors", f"sum(rate(rizk_adapter_requests_total{{{S}, {METRIC_PATHS}, code=~\"5..\"}}[$__rate_interval])) / "
         f"sum(rate(rizk_adapter_requests_total{{{S}, {METRIC_PATHS}}}[$__rate_interval]))", unit="percentunit", w=4,
         thresholds=steps("green", 0.01, "orange", 0.05, "red"))
    stat(b, "p99 query latency", f"histogram_quantile(0.99, sum by (le) (rate(rizk_adapter_request_duration_seconds_bucket{{{S}, {METRIC_PATHS}}}[$__rate_interval])))",
         unit="s", w=4)
    stat(b, "Uptime", f"time() - max(process_start_time_seconds{{{S}}})", unit="s", w=5)
    ts(b, "APIService availability (kube-apiserver)", [
        (f"1 - max by (name) (aggregator_unavailable_apiservice{{{APISVC}}})", "{{name}}")],
        unit="percentunit", w=24, h=6, min_=0, max_=1)

    b.row("Requests")
    ts(b, "Requests by path and code", [
        (f"sum by (path, code) (rate(rizk_adapter_requests_total{{{S}}}[$__rate_interval]))", "{{path}} {{code}}")],
        unit="reqps", w=12)
    ts(b, "Requests by user", [
        (f"sum by (user) (rate(rizk_adapter_user_requests_total{{{S}}}[$__rate_interval]))", "{{user}}")],
        unit="reqps", w=12, description="The HPA controller arrives as system:serviceaccount:kube-system:horizontal-pod-autoscaler "
                                        "(or the controller manager's user) through kube-apiserver's front proxy.")
    ts(b, "Latency by path (p50, p99)", [
        (f"histogram_quantile(0.5, sum by (path, le) (rate(rizk_adapter_request_duration_seconds_bucket{{{S}}}[$__rate_interval])))", "p50 {{path}}"),
        (f"histogram_quantile(0.99, sum by (path, le) (rate(rizk_adapter_request_duration_seconds_bucket{{{S}}}[$__rate_interval])))", "p99 {{path}}")],
        unit="s", w=12)
    ts(b, "In flight", [(f"sum by (pod) (rizk_adapter_requests_in_flight{{{S}}})", "{{pod}}")], w=12)

    b.row("Fleet registry and authentication")
    ts(b, "Redis round trips by result", [
        (f"sum by (result) (rate(rizk_adapter_redis_queries_total{{{S}}}[$__rate_interval]))", "{{result}}")],
        unit="ops", w=8)
    ts(b, "Redis round-trip latency (p50, p99)", [
        (f"histogram_quantile(0.5, sum by (le) (rate(rizk_adapter_redis_query_duration_seconds_bucket{{{S}}}[$__rate_interval])))", "p50"),
        (f"histogram_quantile(0.99, sum by (le) (rate(rizk_adapter_redis_query_duration_seconds_bucket{{{S}}}[$__rate_interval])))", "p99")],
        unit="s", w=8)
    ts(b, "Authentication and authorization", [
        (f"sum by (result) (rate(rizk_adapter_authentications_total{{{S}}}[$__rate_interval]))", "authn {{result}}"),
        (f"sum by (decision) (rate(rizk_adapter_authorizations_total{{{S}}}[$__rate_interval]))", "authz {{decision}}")],
        unit="reqps", w=8)
    b.add("table", "Build", [(f"max by (pod, version, revision) (rizk_adapter_build_info{{{S}}})", "")], w=24, h=5,
          transformations=[{"id": "organize", "options": {"excludeByName": {"Time": True, "Value": True}}}])
    variables = [
        var_ds(),
        var_query("job", "Job", 'label_values(rizk_adapter_build_info, job)', multi=False, include_all=False),
        var_query("namespace", "Namespace", 'label_values(rizk_adapter_build_info{job=~"$job"}, namespace)'),
        var_query("pod", "Pod", 'label_values(rizk_adapter_build_info{job=~"$job", namespace=~"$namespace"}, pod)'),
    ]
    return dashboard("rizk-adapter", "Rizk / Adapter",
                     "The rizk-metrics custom and external metrics adapter: APIService availability, "
                     "requests, latency, Redis round trips, authentication.",
                     b, variables, ["rizk"])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    check = "--check" in sys.argv
    bad = 0
    for name, d in (("rizk-fleet.json", fleet()), ("rizk-sidecar.json", sidecar()),
                    ("rizk-adapter.json", adapter())):
        text = json.dumps(d, indent=2, sort_keys=False) + "\n"
        path = os.path.join(here, name)
        if check:
            if not os.path.exists(path) or open(path).read() != text:
                print(f"{path} is out of date: run dashboards/generate.py", file=sys.stderr)
                bad = 1
        else:
            with open(path, "w") as f:
                f.write(text)
    sys.exit(bad)


if __name__ == "__main__":
    main()
