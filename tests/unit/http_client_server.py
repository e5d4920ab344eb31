#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""The HTTP server of tests/unit/http_client_test.cpp (loopback, standard library only).

Binds 127.0.0.1 on a port the kernel picks (no gap between choosing and binding), prints
it on a line of its own on stdout (the test reads it from a pipe), and answers:
  GET /bytes/N        200 with a body of N bytes
  GET /slow           headers at once, then nothing for 30 s (timeouts, interruption)
  GET /status/N       status N, body "busy\\nnow", Retry-After: 2, X-Extra: yes
  GET /redirect       302 to /bytes/3 (the client must not follow it)
  any  /echo          200, a JSON object: method, body, authorization, content_type, the
                      client's port (the same port twice: the connection was kept alive)
"""
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *unused):
        pass

    def answer(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def echo(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        record = {"method": self.command, "body": body.decode(),
                  "authorization": self.headers.get("Authorization", ""),
                  "content_type": self.headers.get("Content-Type", ""),
                  "port": self.client_address[1]}
        self.answer(200, json.dumps(record).encode(), [("Content-Type", "application/json")])

    def do_GET(self):
        if self.path.startswith("/bytes/"):
            self.answer(200, b"x" * int(self.path[7:]))
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "10")
            self.end_headers()
            self.wfile.flush()
            time.sleep(30)  # the planned behaviour: a server that stalls
        elif self.path.startswith("/status/"):
            self.answer(int(self.path[8:]), b"busy\nnow", [("Retry-After", "2"), ("X-Extra", "yes")])
        elif self.path == "/redirect":
            self.answer(302, b"", [("Location", "/bytes/3")])
        elif self.path == "/echo":
            self.echo()
        else:
            self.answer(404, b"")

    do_POST = echo
    do_PUT = echo


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
