#!/usr/bin/env python3
"""Unauthenticated peers of huskd's TLS listener, for api-safety.bats.

  tls_peers.py drip PORT N     N connections each send a POST's headers
                               (Content-Length 10 MB, no credentials) and
                               then drip the body; prints how many were
                               answered 401, how many were closed, and the
                               seconds it all took.
  tls_peers.py idle PORT N     N connections that say nothing (no TLS
                               handshake); prints how many were closed, how
                               many within 2 s, and the first and last
                               closing times.
"""
import select
import socket
import ssl
import sys
import time


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def drip(port, n):
    ctx = tls_context()
    start = time.time()
    conns = []
    for _ in range(n):
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
        s.sendall(b"POST /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: huskd\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{")
        conns.append(s)
    answered = closed = 0
    for s in conns:
        s.settimeout(5)
        data = b""
        try:
            while True:
                try:
                    s.sendall(b" ")
                except OSError:
                    pass
                chunk = s.recv(4096)
                if not chunk:
                    closed += 1
                    break
                data += chunk
        except socket.timeout:
            pass
        except (ssl.SSLError, OSError):
            closed += 1
        answered += data.startswith(b"HTTP/1.1 401 ")
    print(answered, closed, round(time.time() - start, 2))


def idle(port, n):
    start = time.time()
    conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    closed = {}
    while len(closed) < n and time.time() - start < 30:
        waiting = [s for s in conns if s not in closed]
        readable, _, _ = select.select(waiting, [], [], 0.5)
        for s in readable:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                closed[s] = time.time() - start
    times = sorted(closed.values())
    print(len(times), sum(t < 2 for t in times),
          round(times[0], 1) if times else -1, round(times[-1], 1) if times else -1)


if __name__ == "__main__":
    {"drip": drip, "idle": idle}[sys.argv[1]](int(sys.argv[2]), int(sys.argv[3]))
