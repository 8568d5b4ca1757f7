#!/usr/bin/python3
"""Test app for test_pull_fetch.sh: one HTTP/1.1 keep-alive server whose paths play the
misbehaving apps the pull channel must survive.
  /prom /om      python_client fixtures with their real content types
  /gzip          the 0.0.4 fixture gzip-encoded (406 unless the client offered gzip)
  /slow          answers after 3 s
  /big /bigchunk 2 MiB body, with Content-Length / chunked without a length
  /500           an error page with status 500
  /html          a 200 HTML page (not an exposition)
  /accept        echoes the request's Accept and Accept-Encoding headers
  /conns         how many TCP connections this server has accepted so far
  /redirect      302 to /prom
Usage: pull_server.py PORT FIXTURES_DIR"""
import gzip
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
FIX = sys.argv[2]
TEXT = "text/plain; version=0.0.4; charset=utf-8"
OM = "application/openmetrics-text; version=0.0.1; charset=utf-8"
PROM = open(FIX + "/app/python_client.prom", "rb").read()
OMBODY = open(FIX + "/app/python_client.om", "rb").read()
BIG = b"".join(b"big_metric{i=\"%d\"} %d\n" % (i, i) for i in range(100000))[: 2 << 20]
connections = set()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.client_address[1], fmt % args))

    def reply(self, status, ctype, body, extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        connections.add(self.client_address)
        p = self.path
        if p == "/prom":
            self.reply(200, TEXT, PROM)
        elif p == "/om":
            self.reply(200, OM, OMBODY)
        elif p == "/gzip":
            if "gzip" not in self.headers.get("Accept-Encoding", ""):
                self.reply(406, "text/plain", b"gzip expected\n")
            else:
                self.reply(200, TEXT, gzip.compress(PROM), {"Content-Encoding": "gzip"})
        elif p == "/slow":
            time.sleep(3)
            self.reply(200, TEXT, PROM)
        elif p == "/big":
            self.reply(200, TEXT, BIG)
        elif p == "/bigchunk":
            self.send_response(200)
            self.send_header("Content-Type", TEXT)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for i in range(0, len(BIG), 65536):
                    part = BIG[i : i + 65536]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif p == "/500":
            self.reply(500, "text/html", b"<html>Internal Server Error</html>\n")
        elif p == "/html":
            self.reply(200, "text/html", b"<!DOCTYPE html>\n<html><body>hello</body></html>\n")
        elif p == "/accept":
            body = "accept=%s\naccept-encoding=%s\n" % (
                self.headers.get("Accept"),
                self.headers.get("Accept-Encoding"),
            )
            self.reply(200, "text/plain", body.encode())
        elif p == "/conns":
            self.reply(200, "text/plain", b"connections=%d\n" % len(connections))
        elif p == "/redirect":
            self.reply(302, "text/plain", b"", {"Location": "/prom"})
        else:
            self.reply(404, "text/plain", b"not found\n")


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
