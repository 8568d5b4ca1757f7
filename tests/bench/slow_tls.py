#!/usr/bin/python3
"""Slow TLS handshakes: keep N connections to HOST:PORT open for SECONDS, each sending the
start of a TLS ClientHello one byte a second; a connection the server closes is opened again
(the pressure stays at N, as slowhttptest does). Usage: slow_tls.py HOST PORT N SECONDS"""
import errno
import socket
import sys
import time

host, port, n, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
# a TLS 1.2 record header announcing a 512-byte handshake message, then a ClientHello header
hello = bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]) + bytes(501)


def opened():
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect((host, port))
    except BlockingIOError:
        pass
    except OSError:
        s.close()
        return None
    return [s, 0]


conns, reopened, end = [], 0, time.monotonic() + secs
while time.monotonic() < end:
    while len(conns) < n:
        c = opened()
        if c is None:
            break
        conns.append(c)
    alive = []
    for c in conns:
        try:
            c[0].send(hello[c[1] % len(hello):c[1] % len(hello) + 1])
            c[1] += 1
            alive.append(c)
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.ENOTCONN):
                alive.append(c)
                continue
            c[0].close()
            reopened += 1
    conns = alive
    time.sleep(1)
print(f"slow_tls: {n} connections for {secs:.0f}s, {reopened} closed by the server and reopened")
