#!/usr/bin/python3
"""A small fake kube-apiserver over HTTPS for the e2e tests (kube_client, delegated auth).

usage: kube_fake.py PORT CERT KEY CLIENT_CA BEHAVIOUR_JSON LOG_JSONL

Every request is appended to LOG_JSONL as one JSON object (method, path, the Authorization,
Content-Type and User-Agent headers, the body, the client certificate's CN). BEHAVIOUR_JSON is
re-read on every request, so a test changes the answers while the client runs:
  {"tokens": {"<token>": {"username": .., "uid": .., "groups": [..], "extra": {..}}
                          | "error" (HTTP 500) | "unauthenticated-error" (status.error set)},
   "audiences": [..]                       # echoed in a TokenReview status when set
   "rules": [{"user": .., "groups": [..], "verb": .., "group": .., "resource": ..,
              "subresource": .., "name": .., "namespace": .., "path": ..,
              "allowed": true|false, "denied": bool, "reason": ..}],  # first match wins
   "fail": {"tokenreviews": 500, "subjectaccessreviews": 503, "configmap": 403},
   "delay_ms": {"tokenreviews": 0, "subjectaccessreviews": 0, "configmap": 0, "slow": 3000},
   "configmap": {"<key>": "<value>"} | null (404)}
A rule field that is absent matches anything; "groups" matches when the reviewed user has every
group listed. TokenReview and SubjectAccessReview bodies are checked field by field against the
python3-kubernetes models (V1TokenReview, V1SubjectAccessReview): an unknown field, a wrong
type, a missing required field, a wrong apiVersion/kind is answered 400 with the reason and
logged as "invalid", which the tests assert never happens.
Other paths: GET /api (APIVersions), GET /slow (sleeps delay_ms.slow), GET /big?n=BYTES,
POST|PUT|PATCH|DELETE /echo (echoes the body).
"""
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

from kubernetes import client as k8s

PORT, CERT, KEY, CLIENT_CA, BEHAVIOUR, LOG = sys.argv[1:7]
LOG_LOCK = threading.Lock()


class Invalid(Exception):
    pass


def check_value(val, typ, where):
    if typ == "str":
        if not isinstance(val, str):
            raise Invalid("%s: expected a string, got %r" % (where, val))
        return val
    if typ == "bool":
        if not isinstance(val, bool):
            raise Invalid("%s: expected a boolean, got %r" % (where, val))
        return val
    if typ == "int":
        if not isinstance(val, int) or isinstance(val, bool):
            raise Invalid("%s: expected an integer, got %r" % (where, val))
        return val
    if typ.startswith("list[") and typ.endswith("]"):
        if not isinstance(val, list):
            raise Invalid("%s: expected a list, got %r" % (where, val))
        return [check_value(v, typ[5:-1], "%s[%d]" % (where, i)) for i, v in enumerate(val)]
    if typ.startswith("dict(str, ") and typ.endswith(")"):
        if not isinstance(val, dict):
            raise Invalid("%s: expected an object, got %r" % (where, val))
        return {k: check_value(v, typ[10:-1], "%s.%s" % (where, k)) for k, v in val.items()}
    if typ == "datetime":
        return val
    return check_model(val, typ, where)


def check_model(obj, name, where):
    """obj (parsed JSON) must be exactly an instance of the python3-kubernetes model name."""
    klass = getattr(k8s, name)
    if not isinstance(obj, dict):
        raise Invalid("%s: expected a %s object, got %r" % (where, name, obj))
    by_json = {v: k for k, v in klass.attribute_map.items()}
    kwargs = {}
    for key, val in obj.items():
        if key not in by_json:
            raise Invalid("%s: unknown field %r for %s" % (where, key, name))
        attr = by_json[key]
        kwargs[attr] = check_value(val, klass.openapi_types[attr], "%s.%s" % (where, key))
    try:
        return klass(**kwargs)  # client-side validation: required fields present
    except ValueError as e:
        raise Invalid("%s: %s" % (where, e))


def check_review(body, kind, api_version):
    try:
        obj = json.loads(body)
    except ValueError as e:
        raise Invalid("not JSON: %s" % e)
    if obj.get("apiVersion") != api_version or obj.get("kind") != kind:
        raise Invalid("apiVersion/kind %r/%r, want %s/%s"
                      % (obj.get("apiVersion"), obj.get("kind"), api_version, kind))
    if "status" in obj:
        raise Invalid("a review request carries no status")
    check_model(obj, "V1" + kind, kind)
    return obj


def behaviour():
    try:
        with open(BEHAVIOUR) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def rule_matches(rule, spec):
    ra = spec.get("resourceAttributes") or {}
    na = spec.get("nonResourceAttributes") or {}
    if "user" in rule and rule["user"] != spec.get("user"):
        return False
    if "groups" in rule and not set(rule["groups"]) <= set(spec.get("groups") or []):
        return False
    if "path" in rule:
        return not ra and na.get("path") == rule["path"] and \
            rule.get("verb", na.get("verb")) == na.get("verb")
    for f in ("verb", "group", "version", "resource", "subresource", "name", "namespace"):
        if f in rule and rule[f] != ra.get(f, ""):
            return False
    return bool(ra)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, body, **extra):
        cn = None
        cert = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
        if cert:
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        cn = v
        entry = {"method": self.command, "path": self.path,
                 "auth": self.headers.get("Authorization"),
                 "ctype": self.headers.get("Content-Type"),
                 "accept": self.headers.get("Accept"),
                 "ua": self.headers.get("User-Agent"),
                 "body": body.decode("utf-8", "replace"), "cn": cn, "t": time.time()}
        entry.update(extra)
        with LOG_LOCK, open(LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def reply(self, code, obj=None, raw=None):
        data = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def status(self, code, reason, msg):
        self.reply(code, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                          "status": "Failure", "message": msg, "reason": reason, "code": code})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def delay(self, b, what):
        ms = (b.get("delay_ms") or {}).get(what, 0)
        if ms:
            time.sleep(ms / 1000.0)

    def handle_any(self):
        b = behaviour()
        body = self.body()
        u = urlsplit(self.path)
        path = u.path
        if self.command == "POST" and path == "/apis/authentication.k8s.io/v1/tokenreviews":
            return self.token_review(b, body)
        if self.command == "POST" and path == "/apis/authorization.k8s.io/v1/subjectaccessreviews":
            return self.access_review(b, body)
        self.record(body)
        if path == "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication":
            self.delay(b, "configmap")
            code = (b.get("fail") or {}).get("configmap")
            if code:
                return self.status(code, "Forbidden", "configmaps is forbidden")
            if b.get("configmap") is None:
                return self.status(404, "NotFound", 'configmaps "extension-apiserver-authentication" not found')
            return self.reply(200, {"kind": "ConfigMap", "apiVersion": "v1",
                                    "metadata": {"name": "extension-apiserver-authentication",
                                                 "namespace": "kube-system"},
                                    "data": b["configmap"]})
        if path == "/api" and self.command in ("GET", "HEAD"):
            return self.reply(200, {"kind": "APIVersions", "versions": ["v1"],
                                    "serverAddressByClientCIDRs": [
                                        {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:" + PORT}]})
        if path == "/slow":
            self.delay(b, "slow")
            return self.reply(200, {"slow": True})
        if path == "/big":
            n = int(parse_qs(u.query).get("n", ["1048576"])[0])
            return self.reply(200, raw=b"x" * n)
        if path == "/echo":
            return self.reply(200, raw=body)
        return self.status(404, "NotFound", "the server could not find the requested resource")

    def token_review(self, b, body):
        try:
            obj = check_review(body, "TokenReview", "authentication.k8s.io/v1")
        except Invalid as e:
            self.record(body, invalid=str(e))
            return self.status(400, "BadRequest", str(e))
        self.record(body, review="token")
        self.delay(b, "tokenreviews")
        code = (b.get("fail") or {}).get("tokenreviews")
        if code:
            return self.status(code, "InternalError", "tokenreviews are failing")
        spec = obj["spec"]
        who = (b.get("tokens") or {}).get(spec.get("token"))
        if who == "error":
            return self.status(500, "InternalError", "token review backend failure")
        status = {"authenticated": False}
        if who == "unauthenticated-error":
            status["error"] = "token expired"
        elif isinstance(who, dict):
            status = {"authenticated": True, "user": who}
            if b.get("audiences"):
                status["audiences"] = b["audiences"]
        out = dict(obj)
        out["status"] = status
        out.setdefault("metadata", {"creationTimestamp": None})
        self.reply(201, out)

    def access_review(self, b, body):
        try:
            obj = check_review(body, "SubjectAccessReview", "authorization.k8s.io/v1")
            spec = obj["spec"]
            if not spec.get("user") and not spec.get("groups"):
                raise Invalid("spec: at least one of user or group must be specified")
            if bool(spec.get("resourceAttributes")) == bool(spec.get("nonResourceAttributes")):
                raise Invalid("spec: exactly one of nonResourceAttributes or resourceAttributes must be specified")
        except Invalid as e:
            self.record(body, invalid=str(e))
            return self.status(400, "BadRequest", str(e))
        self.record(body, review="access")
        self.delay(b, "subjectaccessreviews")
        code = (b.get("fail") or {}).get("subjectaccessreviews")
        if code:
            return self.status(code, "ServiceUnavailable", "subjectaccessreviews are failing")
        status = {"allowed": False}
        for rule in b.get("rules") or []:
            if rule_matches(rule, spec):
                status = {"allowed": bool(rule.get("allowed"))}
                if rule.get("denied"):
                    status["denied"] = True
                if rule.get("reason"):
                    status["reason"] = rule["reason"]
                break
        out = dict(obj)
        out["status"] = status
        self.reply(201, out)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    ctx.load_verify_locations(CLIENT_CA)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    srv = ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler)
    srv.daemon_threads = True
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
