#!/usr/bin/python3
"""One HTTPS GET with Python's ssl module, for the web-config e2e tests.

usage: tls_client.py PORT PATH CAFILE [CERT KEY] [--min TLSv1_2|TLSv1_3] [--max ...]
Prints the HTTP status code, or "tls-error <reason>" when the handshake (or the first read,
where TLS 1.3 reports a refused client certificate) fails. Always exits 0.
"""
import socket
import ssl
import sys


def main():
    args = sys.argv[1:]
    opts = {}
    while len(args) >= 2 and args[-2].startswith("--"):
        opts[args[-2][2:]] = args[-1]
        args = args[:-2]
    port, path, cafile = int(args[0]), args[1], args[2]
    ctx = ssl.create_default_context(cafile=cafile)
    if "min" in opts:
        ctx.minimum_version = getattr(ssl.TLSVersion, opts["min"])
    if "max" in opts:
        ctx.maximum_version = getattr(ssl.TLSVersion, opts["max"])
    if len(args) >= 5:
        ctx.load_cert_chain(args[3], args[4])
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                           % path).encode())
                data = b""
                while b"\r\n" not in data:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
        line = data.split(b"\r\n", 1)[0].decode(errors="replace")
        parts = line.split(" ")
        print(parts[1] if len(parts) > 1 else "no-response")
    except (ssl.SSLError, ConnectionError, OSError) as e:
        print("tls-error %s" % type(e).__name__)


main()
