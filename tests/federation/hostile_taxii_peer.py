#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""A hostile TAXII 2.1 peer for two_peers_test.sh, on 127.0.0.1 (port 0; the port is
written to the file given as argument). Each collection misbehaves in its own way:
  ...0001  a 200 whose body is not JSON
  ...0002  a 2 MiB page (the client caps pages far below)
  ...0003  one page: a good GREEN indicator among bad objects (an invalid pattern, a
           1.5 MiB object, a number, an object without an id, a wrong spec_version, and
           CERT-A's GREEN indicator revoked)
  ...0004  an endless flood: every page is full and says more, with a new next
  ...0005  a peer that takes the connection and answers nothing for 120 s
Every request is counted in <port file>.requests (one line per request)."""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
MEDIA = "application/taxii+json;version=2.1"
lock = threading.Lock()
flood_counter = [0]


def indicator(n, domain, **extra):
    o = {"type": "indicator", "spec_version": "2.1",
         "id": "indicator--c0000000-0000-4000-8000-%012d" % n,
         "created": "2026-11-30T09:00:00.000Z", "modified": "2026-11-30T09:00:00.000Z",
         "name": "hostile %d" % n, "pattern_type": "stix",
         "pattern": "[domain-name:value = '%s']" % domain,
         "valid_from": "2026-11-30T09:00:00Z", "object_marking_refs": [GREEN]}
    o.update(extra)
    return o


def mixed_page():
    objects = [
        indicator(1, "good.hostile.example"),
        indicator(2, "x", pattern="[domain-name:value = 'unclosed.example'"),
        indicator(3, "big.hostile.example", description="A" * (1536 * 1024)),
        42,
        {"type": "indicator", "spec_version": "2.1", "pattern": "[domain-name:value = 'noid.example']"},
        indicator(4, "old.hostile.example", spec_version="2.0"),
        # CERT-A's GREEN indicator, revoked in a newer version: only CERT-A may do that.
        dict(indicator(5, "green.cert-a.example"), id="indicator--a0000000-0000-4000-8000-000000000001",
             modified="2026-12-01T00:00:00.000Z", revoked=True),
    ]
    return {"more": False, "objects": objects}


def flood_page(limit):
    with lock:
        start = flood_counter[0]
        flood_counter[0] += limit
    objects = [indicator(100000 + start + i, "flood%d.hostile.example" % (start + i))
               for i in range(limit)]
    return {"more": True, "next": str(start + limit), "objects": objects}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, body, headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", MEDIA)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: what it should do with a page too large

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        with open(sys.argv[1] + ".requests", "a") as log:
            log.write(self.path + "\n")
        collection = url.path.split("/")[3] if url.path.count("/") >= 4 else ""
        kind = collection[-1:]
        limit = int(query.get("limit", ["100"])[0])
        if kind == "1":
            self.answer(b"this is not JSON {{{")
        elif kind == "2":
            self.answer(b'{"objects":[' + b" " * (2 << 20) + b"]}")
        elif kind == "3" and "added_after" not in query:
            self.answer(mixed_page(), [("X-TAXII-Date-Added-Last", "2026-12-01T00:00:00.000000Z")])
        elif kind == "3":
            self.answer({"more": False})
        elif kind == "4":
            n = flood_counter[0]
            self.answer(flood_page(limit),
                        [("X-TAXII-Date-Added-Last", "2026-12-01T00:00:%02d.%06dZ" % (n // 1000000 % 60, n % 1000000))])
        elif kind == "5":
            time.sleep(120)  # the silent peer: never answers (B must stop during this poll)
        else:
            self.send_error(404)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
