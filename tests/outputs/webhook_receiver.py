#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""A webhook receiver for the outputs tests (loopback, standard library only).

Binds 127.0.0.1 on a free port, writes the port to --port-file, and answers each POST
according to --plan, a comma-separated list used for the first requests in turn:
  a status code (e.g. 503: answered with "Retry-After: 1" when --retry-after is given),
  "drop" (the connection is closed without an answer), "hang" (no answer for 60 s);
then 200 for every later request whose signature verifies (401 otherwise). With
--max-body N, a body over N bytes gets 413 for good, as a proxy in front of a hub would.
Each request is recorded as one JSON line in --log:
  {"n": 1, "time": <unix float>, "answer": "503", "signature_ok": true, "uids": [...]}
With --alerts FILE, each alert of a body answered 200 is appended whole, as one line, to
FILE (so that a test can read what was delivered on the wire, not only that it was).
"""
import argparse
import hashlib
import hmac
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import loopback_server  # noqa: E402 (found through the path above)

args = None
lock = threading.Lock()
count = 0


def signature_ok(headers, body):
    timestamp = headers.get("X-Vigie-Timestamp", "")
    given = headers.get("X-Vigie-Signature", "")
    expected = "sha256=" + hmac.new(args.secret.encode(), timestamp.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < 300
    return fresh and hmac.compare_digest(given, expected)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *unused):
        pass

    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            count += 1
            n = count
        answer = args.plan[n - 1] if n <= len(args.plan) else "200"
        if args.max_body and len(body) > args.max_body:
            answer = "413"
        ok = signature_ok(self.headers, body)
        if answer == "200" and not ok:
            answer = "401"
        alerts = []
        try:
            alerts = json.loads(body)
        except ValueError:
            answer = "400"
        record = {"n": n, "time": time.time(), "answer": answer, "signature_ok": ok,
                  "content_type": self.headers.get("Content-Type"),
                  "uids": [a.get("uid") for a in alerts]}
        with lock:
            with open(args.log, "a") as log:
                log.write(json.dumps(record) + "\n")
            if args.alerts and answer == "200":
                with open(args.alerts, "a") as delivered:
                    for alert in alerts:
                        delivered.write(json.dumps(alert, separators=(",", ":")) + "\n")
        if answer == "drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if answer == "hang":
            time.sleep(60)  # the planned behaviour (an upstream that never answers), no wait
            return
        self.send_response(int(answer))
        if answer in ("429", "503") and args.retry_after:
            self.send_header("Retry-After", args.retry_after)
        reply = b'{"ok":true}' if answer == "200" else b'{"error":"planned"}'
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        if answer != "200":
            # A fresh connection for the next request: curl silently resends a request
            # whose reused connection was dropped, which would hide the planned "drop".
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(reply)


def main():
    global args
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--plan", default="")
    parser.add_argument("--retry-after", default="")
    parser.add_argument("--max-body", type=int, default=0)
    parser.add_argument("--alerts", default="")
    args = parser.parse_args()
    args.plan = [p for p in args.plan.split(",") if p]
    loopback_server.serve_forever(ThreadingHTTPServer, Handler, args.port_file)


if __name__ == "__main__":
    main()
