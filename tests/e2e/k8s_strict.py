#!/usr/bin/python3
"""Strict validation of rendered Kubernetes objects against the API models of Debian's
python3-kubernetes: every key must be a field of the model (an unknown field is an error, where
the client's own deserializer drops it silently), every value must have the field's type (str,
int, bool, list, map, nested model; IntOrString and Quantity accepted as str or int), and the
model's constructor must accept the result (required fields present, enum checks).

The models lag the cluster versions the manifests target, so fields Kubernetes added later are
listed in NEWER_FIELDS with the release that added them, and autoscaling/v2 (schema-identical to
v2beta2, which the models have) is checked against the v2beta2 models. Custom resources (cert-
manager, Prometheus Operator) have no models: CRD_SCHEMAS holds the subset of their CRD schemas
the manifests use, strict in the same way.

usage: k8s_strict.py FILE.yaml...   exits 1 naming every error as FILE: Kind/name: path: what
"""
import datetime
import re
import sys

import kubernetes.client as kc
import yaml

# libyaml when present: the checks read tens of rendered manifests
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# (group/version, kind) -> model class name
GV_MODEL = {
    ("autoscaling/v2", "HorizontalPodAutoscaler"): "V2beta2HorizontalPodAutoscaler",
    ("apiregistration.k8s.io/v1", "APIService"): "V1APIService",
}
# model -> {json field: (type string, added in)}; types use the models' own notation
NEWER_FIELDS = {
    "V1Container": {"restartPolicy": ("str", "1.28 (native sidecars)")},
    "V1Handler": {"sleep": ("V1SleepAction", "1.29 (PodLifecycleSleepAction)")},
}
NEWER_MODELS = {
    "V1SleepAction": {"seconds": ("int", True)},   # field: (type, required)
}
INT_OR_STRING = {"object"}   # the models type IntOrString and Quantity fields as object


def S(fields, required=()):
    return {"fields": fields, "required": set(required)}


STR, INT, BOOL = "str", "int", "bool"
LABELSEL = "V1LabelSelector"
CRD_SCHEMAS = {
    ("cert-manager.io/v1", "Issuer"): S({
        "selfSigned": S({"crlDistributionPoints": f"list[{STR}]"}),
        "ca": S({"secretName": STR, "crlDistributionPoints": f"list[{STR}]"}, ["secretName"]),
    }),
    ("cert-manager.io/v1", "Certificate"): S({
        "secretName": STR, "commonName": STR, "isCA": BOOL, "duration": STR, "renewBefore": STR,
        "dnsNames": f"list[{STR}]", "usages": f"list[{STR}]",
        "privateKey": S({"algorithm": STR, "size": INT, "encoding": STR, "rotationPolicy": STR}),
        "issuerRef": S({"name": STR, "kind": STR, "group": STR}, ["name"]),
    }, ["secretName", "issuerRef"]),
    ("monitoring.coreos.com/v1", "PodMonitor"): S({
        "namespaceSelector": S({"any": BOOL, "matchNames": f"list[{STR}]"}),
        "selector": LABELSEL, "jobLabel": STR, "podTargetLabels": f"list[{STR}]",
        "podMetricsEndpoints": [S({
            "port": STR, "path": STR, "scheme": STR, "interval": STR, "scrapeTimeout": STR,
            "honorLabels": BOOL,
            "tlsConfig": S({"insecureSkipVerify": BOOL, "serverName": STR}),
            "bearerTokenSecret": S({"name": STR, "key": STR, "optional": BOOL}, ["key"]),
            "relabelings": [S({"sourceLabels": f"list[{STR}]", "separator": STR, "targetLabel": STR,
                               "regex": STR, "replacement": STR, "action": STR, "modulus": INT})],
            "metricRelabelings": [S({"sourceLabels": f"list[{STR}]", "separator": STR,
                                     "targetLabel": STR, "regex": STR, "replacement": STR,
                                     "action": STR})],
        })],
    }, ["selector"]),
    ("monitoring.coreos.com/v1", "PrometheusRule"): S({
        "groups": [S({
            "name": STR, "interval": STR, "limit": INT,
            "rules": [S({"record": STR, "alert": STR, "expr": "intorstr", "for": STR,
                         "keep_firing_for": STR, "labels": f"dict(str, {STR})",
                         "annotations": f"dict(str, {STR})"}, ["expr"])],
        }, ["name"])],
    }),
}
CRD_META = S({"name": STR, "namespace": STR, "labels": f"dict(str, {STR})",
              "annotations": f"dict(str, {STR})"}, ["name"])


class Checker:
    def __init__(self):
        self.errors = []
        self.file = ""
        self.where = ""

    def err(self, path, what):
        self.errors.append(f"{self.file}: {self.where}: {path or '.'}: {what}")

    # --- python-kubernetes models ---
    def model(self, name, value, path):
        if name in NEWER_MODELS:
            return self.newer_model(name, value, path)
        cls = getattr(kc, name, None)
        if cls is None:
            return self.err(path, f"no model {name}")
        if not isinstance(value, dict):
            return self.err(path, f"expected an object ({name}), got {type(value).__name__}")
        by_json = {j: a for a, j in cls.attribute_map.items()}
        extra = NEWER_FIELDS.get(name, {})
        for key, v in value.items():
            if key in by_json:
                self.typed(cls.openapi_types[by_json[key]], v, f"{path}.{key}")
            elif key in extra:
                self.typed(extra[key][0], v, f"{path}.{key}")
            else:
                self.err(f"{path}.{key}", f"unknown field of {name}")

    def newer_model(self, name, value, path):
        fields = NEWER_MODELS[name]
        if not isinstance(value, dict):
            return self.err(path, f"expected an object ({name})")
        for key, v in value.items():
            if key not in fields:
                self.err(f"{path}.{key}", f"unknown field of {name}")
            else:
                self.typed(fields[key][0], v, f"{path}.{key}")
        for key, (_, req) in fields.items():
            if req and key not in value:
                self.err(f"{path}.{key}", "required field missing")

    def typed(self, t, v, path):
        m = re.fullmatch(r"list\[(.+)\]", t)
        if m:
            if not isinstance(v, list):
                return self.err(path, f"expected a list ({t}), got {type(v).__name__}")
            for i, item in enumerate(v):
                self.typed(m.group(1), item, f"{path}[{i}]")
            return
        m = re.fullmatch(r"dict\(str, (.+)\)", t)
        if m:
            if not isinstance(v, dict):
                return self.err(path, f"expected a map ({t}), got {type(v).__name__}")
            for k, item in v.items():
                if not isinstance(k, str):
                    self.err(path, f"map key {k!r} is not a string")
                self.typed(m.group(1), item, f"{path}[{k}]")
            return
        if t == "str":
            if not isinstance(v, str):
                self.err(path, f"expected a string, got {type(v).__name__} {v!r}")
        elif t == "int":
            if not isinstance(v, int) or isinstance(v, bool):
                self.err(path, f"expected an integer, got {type(v).__name__} {v!r}")
        elif t == "bool":
            if not isinstance(v, bool):
                self.err(path, f"expected a boolean, got {type(v).__name__} {v!r}")
        elif t in INT_OR_STRING or t == "intorstr":
            if isinstance(v, bool) or not isinstance(v, (str, int)):
                self.err(path, f"expected an int or string, got {type(v).__name__} {v!r}")
        elif t == "datetime":
            if not isinstance(v, (str, datetime.datetime)):
                self.err(path, "expected a date-time")
        elif t == "float":
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                self.err(path, f"expected a number, got {v!r}")
        else:
            self.model(t, v, path)

    # --- CRD subsets ---
    def schema(self, s, v, path):
        if isinstance(s, str):
            return self.typed(s, v, path)
        if isinstance(s, list):
            if not isinstance(v, list):
                return self.err(path, "expected a list")
            for i, item in enumerate(v):
                self.schema(s[0], item, f"{path}[{i}]")
            return
        if not isinstance(v, dict):
            return self.err(path, f"expected an object, got {type(v).__name__}")
        for key, item in v.items():
            if key not in s["fields"]:
                self.err(f"{path}.{key}", "unknown field")
            else:
                self.schema(s["fields"][key], item, f"{path}.{key}")
        for key in s["required"]:
            if key not in v:
                self.err(f"{path}.{key}", "required field missing")

    def object(self, obj):
        gv, kind = obj.get("apiVersion"), obj.get("kind")
        name = (obj.get("metadata") or {}).get("name", "?")
        self.where = f"{kind}/{name}"
        if (gv, kind) in CRD_SCHEMAS:
            for key in obj:
                if key not in ("apiVersion", "kind", "metadata", "spec"):
                    self.err(key, "unknown top-level field")
            self.schema(CRD_META, obj.get("metadata"), "metadata")
            return self.schema(CRD_SCHEMAS[(gv, kind)], obj.get("spec"), "spec")
        model = GV_MODEL.get((gv, kind))
        if model is None:
            version = gv.split("/")[-1]
            model = version[0].upper() + version[1:] + kind
        if getattr(kc, model, None) is None:
            return self.err("apiVersion/kind", f"{gv} {kind}: no model {model}")
        before = len(self.errors)
        self.model(model, obj, "")
        if len(self.errors) == before:
            self.construct(model, obj)

    def construct(self, model, obj):
        """The models' constructors check required fields and enums: build the object with the
        client's deserializer (lenient about unknown keys, which model() already refused)."""
        client = kc.ApiClient()
        try:
            client._ApiClient__deserialize(strip_newer(obj), model)
        except (ValueError, TypeError) as e:
            self.err("", f"rejected by the {model} model: {e}")


def strip_newer(obj):
    """A copy without the NEWER_FIELDS, which the old models' constructors cannot take (a pod's
    own restartPolicy, dropped too, is optional, so the constructor check loses nothing)."""
    if isinstance(obj, list):
        return [strip_newer(o) for o in obj]
    if not isinstance(obj, dict):
        return obj
    newer = {k for fields in NEWER_FIELDS.values() for k in fields}
    return {k: strip_newer(v) for k, v in obj.items() if k not in newer}


def main(paths):
    c = Checker()
    n = 0
    for p in paths:
        c.file = p
        with open(p, encoding="utf-8") as f:
            for obj in yaml.load_all(f, Loader=LOADER):
                if obj:
                    n += 1
                    c.object(obj)
    for e in c.errors:
        print(e, file=sys.stderr)
    if not c.errors:
        print(f"{n} objects valid")
    return 1 if c.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
