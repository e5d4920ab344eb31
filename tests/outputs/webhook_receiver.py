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
"""
import argparse
import hashlib
import hmac
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
        uids = []
        try:
            uids = [a.get("uid") for a in json.loads(body)]
        except ValueError:
            answer = "400"
        record = {"n": n, "time": time.time(), "answer": answer, "signature_ok": ok,
                  "content_type": self.headers.get("Content-Type"), "uids": uids}
        with lock, open(args.log, "a") as log:
            log.write(json.dumps(record) + "\n")
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
    args = parser.parse_args()
    args.plan = [p for p in args.plan.split(",") if p]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
