#!/usr/bin/python3
"""The app endpoint of the faults test: GET /metrics answers as the file MODE says, re-read on
every request: "ok N" (rizk_requests_total N, Prometheus text), "slow" (answers after 5 s),
"garbage" (random bytes as text/plain), "big" (a 100 MB body streamed, no length).
Usage: fault_app.py PORT MODE_FILE"""
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, MODE = int(sys.argv[1]), sys.argv[2]


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        mode = open(MODE).read().split()
        try:
            if mode[0] == "ok":
                body = (b"# TYPE rizk_requests_total counter\nrizk_requests_total %s\n" %
                        mode[1].encode())
            elif mode[0] == "slow":
                time.sleep(5)
                body = b"# TYPE rizk_requests_total counter\nrizk_requests_total 1\n"
            elif mode[0] == "garbage":
                body = os.urandom(4096)
            else:
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.end_headers()
                chunk = b"rizk_requests_total 1\n" * 4096
                for _ in range(100 * 1024 * 1024 // len(chunk)):
                    self.wfile.write(chunk)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
