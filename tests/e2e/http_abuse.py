#!/usr/bin/python3
"""Abusive HTTP clients for the load and attack tests (raw sockets, so nothing is fixed up):
  many PORT N SOURCES PATH MUST  N concurrent keep-alive GETs spread over SOURCES local
                                 addresses (comma-separated); prints "ok=K/N" where ok means
                                 status 200, a body of the announced length containing MUST
  hold PORT N SOURCE             opens N connections from SOURCE that send nothing, prints
                                 "held N" and keeps them until stdin closes
  probe PORT SOURCE PATH         one GET from SOURCE; prints the status code and the body's
                                 first line ("closed" when the server closed without answering)
  raw PORT HEX [PAD]             sends the bytes (with PAD: HEX has one "00" byte that becomes
                                 PAD bytes "a"), prints the status code ("closed" if none)
  slow PORT SECONDS FAST SLOW    sends the bytes FAST at once, then SLOW one every 0.2 s for up
                                 to SECONDS (both hex); prints
                                 "closed after K bytes" when the server closes first, else
                                 "still open" (what an answer or a missing deadline looks like)
"""
import selectors
import socket
import sys
import time


def connect(port, source=None, timeout=10.0):
    s = socket.socket()
    if source:
        s.bind((source, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    return s


def read_response(s):
    """Reads one HTTP/1.1 response; returns (status, headers dict, body) or None if closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(body) < n:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def many(port, n, sources, path, must):
    srcs = sources.split(",")
    socks = []
    for i in range(n):
        socks.append(connect(port, srcs[i % len(srcs)]))
    # every connection is open before the first request: n concurrent connections
    req = f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n".encode()
    for s in socks:
        s.sendall(req)
    ok = 0
    for s in socks:
        r = read_response(s)
        if r is not None and r[0] == 200 and must.encode() in r[2] and \
                len(r[2]) == int(r[1].get("content-length", "-1")):
            ok += 1
        s.close()
    print(f"ok={ok}/{n}")


def hold(port, n, source):
    socks = [connect(port, source) for _ in range(n)]
    print(f"held {len(socks)}", flush=True)
    sys.stdin.read()


def send_and_print(s, data):
    """Sends data on s and prints the answer's status and the body's first line, or "closed"."""
    try:
        s.sendall(data)
        r = read_response(s)
    except (ConnectionResetError, BrokenPipeError):
        r = None
    if r is None:
        print("closed")
        return
    print(r[0], r[2].split(b"\n", 1)[0].decode("utf-8", "replace"))


def probe(port, source, path):
    try:
        s = connect(port, source)
    except (ConnectionResetError, BrokenPipeError):
        print("closed")
        return
    send_and_print(s, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())


def raw(port, hexdata, pad=0):
    data = bytes.fromhex(hexdata)
    if pad:
        data = data.replace(b"\x00", b"a" * pad, 1)
    send_and_print(connect(port), data)


def slow(port, secs, fast, hexdata):
    data = bytes.fromhex(hexdata)
    s = connect(port)
    s.sendall(bytes.fromhex(fast))
    s.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ)
    end = time.monotonic() + secs
    sent = 0
    while time.monotonic() < end and sent < len(data):
        try:
            s.send(data[sent:sent + 1])
            sent += 1
        except (BrokenPipeError, ConnectionResetError):
            print(f"closed after {sent} bytes")
            return
        for _ in sel.select(timeout=0.2):
            try:
                got = s.recv(4096)
            except ConnectionResetError:
                got = b""
            if not got:
                print(f"closed after {sent} bytes")
                return
            print(f"answered: {got[:12]!r}")
            return
    print("still open")


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "many":
        many(int(a[0]), int(a[1]), a[2], a[3], a[4])
    elif cmd == "hold":
        hold(int(a[0]), int(a[1]), a[2])
    elif cmd == "probe":
        probe(int(a[0]), a[1], a[2])
    elif cmd == "raw":
        raw(int(a[0]), a[1], int(a[2]) if len(a) > 2 else 0)
    elif cmd == "slow":
        slow(int(a[0]), float(a[1]), a[2], a[3])
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
