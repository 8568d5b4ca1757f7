#!/usr/bin/python3
"""Checks of the operations files (dashboards/*.json, deploy/prometheus/rules.yml) for the e2e
tests test_dashboards.sh and test_prometheus_rules.sh. Standard library only, except the rules
file, which is read with PyYAML (python3-yaml).

  ops_check.py structure DASHBOARD.json...        uid, title, schemaVersion, variables, panels
  ops_check.py exprs DASHBOARD.json|rules.yml...  one JSON line per PromQL expression:
                                                  {"where", "expr"} with template variables
                                                  replaced by regex-safe values
  ops_check.py validate PROM_URL < exprs          POST /api/v1/query for each: status success
  ops_check.py names ALLOWLIST METRICS_BODY RULES < exprs
                                                  every metric name an expression reads is in
                                                  the sidecar's /metrics body, recorded by RULES,
                                                  or allow-listed (name, reason) for a reason
"""
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

# Grafana's global variables and what they become for validation.
GLOBALS = {
    "__rate_interval": "5m", "__interval": "1m", "__range": "1h", "__interval_ms": "60000",
    "__range_s": "3600", "__range_ms": "3600000",
}
# Dashboard variables become a value valid both as a literal and as a regex.
VAR_VALUE = "rizk-test"
VAR_RE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")
KEYWORDS = {"and", "or", "unless", "bool", "by", "without", "on", "ignoring", "group_left",
            "group_right", "offset", "inf", "nan", "atan2"}


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def walk_panels(panels):
    for p in panels:
        yield p
        yield from walk_panels(p.get("panels", []))


def substitute(expr, variables, where, errors):
    def repl(m):
        name = m.group(1) or m.group(2) or m.group(3)
        if name in GLOBALS:
            return GLOBALS[name]
        if name not in variables:
            errors.append(f"{where}: unknown template variable ${name}")
            return VAR_VALUE
        return VAR_VALUE
    # a multi-value variable must be matched with =~ (or !~), never = (Grafana joins values with |)
    for m in re.finditer(r'(=~|!~|!=|=)\s*"([^"]*)"', expr):
        for v in VAR_RE.finditer(m.group(2)):
            name = v.group(1) or v.group(2) or v.group(3)
            if name in variables and variables[name].get("multi") and m.group(1) in ("=", "!="):
                errors.append(f"{where}: multi-value ${name} used with {m.group(1)} instead of =~")
    return VAR_RE.sub(repl, expr)


def dashboard_exprs(path, errors):
    d = json.load(open(path))
    variables = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
    out = []
    for v in variables.values():
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query", "") if isinstance(q, dict) else q
        m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\s*\)\s*", q or "")
        if m:
            q = m.group(1)
        elif (q or "").startswith(("label_names(", "metrics(", "query_result(")):
            errors.append(f"{path}: variable {v['name']}: only label_values(selector, label) is checked")
            continue
        out.append({"where": f"{path}: variable {v['name']}",
                    "expr": substitute(q, variables, f"{path}: variable {v['name']}", errors)})
    for p in walk_panels(d.get("panels", [])):
        for t in p.get("targets", []):
            if "expr" not in t:
                continue
            where = f"{path}: panel {p.get('id')} '{p.get('title')}' {t.get('refId')}"
            out.append({"where": where, "expr": substitute(t["expr"], variables, where, errors)})
    return out


def rules_exprs(path):
    import yaml
    doc = yaml.safe_load(open(path))
    out = []
    for g in doc["groups"]:
        for r in g["rules"]:
            name = r.get("record") or r.get("alert")
            out.append({"where": f"{path}: {g['name']}/{name}", "expr": r["expr"], "record": r.get("record")})
    return out


def metric_names(expr):
    s = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)
    s = re.sub(r"#[^\n]*", " ", s)
    s = re.sub(r"\{[^}]*\}", " ", s)
    s = re.sub(r"\[[^\]]*\]", " ", s)
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    s = re.sub(r"\boffset\s+-?\w+", " ", s)
    s = re.sub(r"(?<![\w:])(0x[0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)", " ", s)
    names = set()
    for m in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", s):
        tok = m.group(0)
        rest = s[m.end():].lstrip()
        if rest.startswith("(") or tok.lower() in KEYWORDS:
            continue
        names.add(tok)
    # {__name__="x"} selectors
    for m in re.finditer(r'__name__\s*=\s*"([^"]+)"', expr):
        names.add(m.group(1))
    return names


def cmd_structure(paths):
    errors = []
    uids = set()
    for path in paths:
        d = json.load(open(path))
        for key in ("uid", "title", "panels", "templating", "schemaVersion", "time"):
            if key not in d:
                errors.append(f"{path}: no {key}")
        if d.get("schemaVersion", 0) < 37:
            errors.append(f"{path}: schemaVersion {d.get('schemaVersion')} < 37")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", d.get("uid", "")):
            errors.append(f"{path}: uid {d.get('uid')!r} is not a valid Grafana uid")
        if d.get("uid") in uids:
            errors.append(f"{path}: duplicate uid {d.get('uid')}")
        uids.add(d.get("uid"))
        if d.get("id") is not None:
            errors.append(f"{path}: id must be null for an importable dashboard")
        variables = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
        ds = variables.get("DS_PROMETHEUS")
        if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
            errors.append(f"{path}: no datasource variable DS_PROMETHEUS of type prometheus")
        for name in ("namespace", "pod"):
            if name not in variables:
                errors.append(f"{path}: no template variable {name}")
        for v in variables.values():
            if v.get("type") == "query" and v.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
                errors.append(f"{path}: variable {v['name']} does not use ${{DS_PROMETHEUS}}")
        ids = set()
        n_targets = 0
        panels = list(walk_panels(d.get("panels", [])))
        if not panels:
            errors.append(f"{path}: no panels")
        for p in panels:
            pid = p.get("id")
            if not isinstance(pid, int) or pid in ids:
                errors.append(f"{path}: panel '{p.get('title')}' has a missing or duplicate id {pid}")
            ids.add(pid)
            gp = p.get("gridPos", {})
            if not all(isinstance(gp.get(k), int) for k in ("x", "y", "w", "h")) or gp.get("x", 0) + gp.get("w", 0) > 24:
                errors.append(f"{path}: panel {pid} '{p.get('title')}' has a bad gridPos {gp}")
            if not p.get("title"):
                errors.append(f"{path}: panel {pid} has no title")
            if p.get("type") == "row":
                continue
            targets = p.get("targets", [])
            if not targets:
                errors.append(f"{path}: panel {pid} '{p.get('title')}' has no targets")
            if p.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
                errors.append(f"{path}: panel {pid} '{p.get('title')}' does not use ${{DS_PROMETHEUS}}")
            refs = set()
            for t in targets:
                n_targets += 1
                if not t.get("expr", "").strip():
                    errors.append(f"{path}: panel {pid} '{p.get('title')}' has a target without expr")
                if t.get("refId") in refs or not t.get("refId"):
                    errors.append(f"{path}: panel {pid} has a missing or duplicate refId")
                refs.add(t.get("refId"))
        print(f"ok - {path}: uid {d.get('uid')}, {len(panels)} panels, {n_targets} queries, "
              f"variables {', '.join(variables)}")
    if errors:
        fail("\n  ".join([""] + errors))


def cmd_exprs(paths):
    errors = []
    for path in paths:
        items = rules_exprs(path) if path.endswith((".yml", ".yaml")) else dashboard_exprs(path, errors)
        for it in items:
            print(json.dumps(it))
    if errors:
        fail("\n  ".join([""] + errors))


def cmd_validate(url):
    bad = 0
    n = 0
    for line in sys.stdin:
        it = json.loads(line)
        n += 1
        data = urllib.parse.urlencode({"query": it["expr"]}).encode()
        try:
            with urllib.request.urlopen(url + "/api/v1/query", data=data, timeout=10) as r:
                res = json.load(r)
        except urllib.error.HTTPError as e:
            res = json.load(e)
        if res.get("status") != "success":
            bad += 1
            print(f"FAIL: {it['where']}: {res.get('errorType')}: {res.get('error')}\n    {it['expr']}",
                  file=sys.stderr)
    if bad:
        fail(f"{bad} of {n} expressions rejected by Prometheus")
    print(f"ok - Prometheus accepted all {n} expressions")


def cmd_names(allowlist, body, rules):
    exposed = set()
    for line in open(body):
        if line.startswith("#") or not line.strip():
            continue
        exposed.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
    recorded = {r["record"] for r in rules_exprs(rules) if r.get("record")}
    allowed = {}
    for line in open(allowlist):
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            allowed[name] = reason.strip()
    used = {}
    for line in sys.stdin:
        it = json.loads(line)
        for n in metric_names(it["expr"]):
            used.setdefault(n, []).append(it["where"])
    missing = []
    for n in sorted(used):
        if n in exposed:
            continue
        if ":" in n:
            if n not in recorded:
                missing.append(f"{n}: recording rule not defined in {rules} (used by {used[n][0]})")
            continue
        if n in allowed:
            print(f"ok - allow-listed {n}: {allowed[n]}")
            continue
        missing.append(f"{n}: not exposed by the sidecar (used by {used[n][0]})")
    stale = sorted(n for n in allowed if n in exposed)
    if stale:
        missing.append("allow-listed but exposed (remove from the list): " + ", ".join(stale))
    if missing:
        fail("\n  ".join([""] + missing))
    print(f"ok - {len(used)} metric names, all exposed, recorded or allow-listed")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        fail(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "structure":
        cmd_structure(args)
    elif cmd == "exprs":
        cmd_exprs(args)
    elif cmd == "validate":
        cmd_validate(args[0])
    elif cmd == "names":
        cmd_names(*args)
    else:
        fail(__doc__)
