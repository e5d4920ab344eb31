#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""A TCP syslog collector for the intel tests (loopback, standard library only).

Binds 127.0.0.1 on a free port, writes the port to --port-file, reads RFC 5424 messages
framed by octet counting (RFC 6587: "LEN SP MSG") from every connection, and appends each
message as one line to --log (flushed at once, so a test can wait on it).
"""
import argparse
import os
import socketserver
import sys
import threading

sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import loopback_server  # noqa: E402 (found through the path above)

lock = threading.Lock()
args = None


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            length = b""
            while not length.endswith(b" "):
                c = self.rfile.read(1)
                if not c:
                    return
                length += c
            message = self.rfile.read(int(length))
            with lock, open(args.log, "ab") as log:
                log.write(message.replace(b"\n", b" ") + b"\n")


def main():
    global args
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    loopback_server.serve_forever(socketserver.ThreadingTCPServer, Handler, args.port_file)


if __name__ == "__main__":
    main()
