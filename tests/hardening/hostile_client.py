#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Hostile HTTP clients for the hardening tests (loopback only, standard library only).

  hold PORT N KIND HOLD_FILE   open N connections of KIND and keep them open until
                               HOLD_FILE is removed (at most 120 s); writes "held N" to
                               stdout once every connection is open. KIND:
                                 half-open   a request line and half a header, never finished
                                 idle        connected, nothing sent
                                 keepalive   GET /healthz with keep-alive, answer read, then idle
  upload PORT PATH TOKEN BYTES  announce a BYTES-long POST body, send only the headers
                               (with Expect: 100-continue) and print the status line that
                               comes back before any body byte is sent, or "none" when the
                               server waits for the body (10 s)
"""
import os
import socket
import sys
import time


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_status_line(s, seconds):
    s.settimeout(seconds)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        return "none"
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    return line if line else "closed"


def open_one(port, kind):
    s = connect(port)
    if kind == "half-open":
        s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
    elif kind == "keepalive":
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n")
        status = read_status_line(s, 10)
        if " 200 " not in status + " ":
            # Not held: a keep-alive client that was never answered 200 proves nothing.
            sys.exit(f"keep-alive GET /healthz answered {status!r}, not 200")
    return s


def hold(port, n, kind, hold_file):
    sockets = [open_one(port, kind) for _ in range(n)]
    print(f"held {len(sockets)}", flush=True)
    deadline = time.time() + 120
    while os.path.exists(hold_file) and time.time() < deadline:
        time.sleep(0.05)  # poll interval: the condition is HOLD_FILE gone
    for s in sockets:
        s.close()


def upload(port, path, token, size):
    s = connect(port)
    headers = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Content-Type: application/x-ndjson\r\nContent-Length: {size}\r\n"
               "Expect: 100-continue\r\n")
    if token:
        headers += f"Authorization: Bearer {token}\r\n"
    s.sendall((headers + "\r\n").encode())
    print(read_status_line(s, 10), flush=True)
    s.close()


def main():
    cmd = sys.argv[1]
    if cmd == "hold":
        hold(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif cmd == "upload":
        upload(int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
