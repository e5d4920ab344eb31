# SPDX-License-Identifier: EUPL-1.2
"""What the tests' loopback servers share (tests/outputs/webhook_receiver.py,
tests/intel/syslog_collector.py): serve on a free port of 127.0.0.1 and say which.

The port is written to PORT_FILE through a rename, so that a test waiting for the file
(`wait_until 10 test -s FILE`) never reads half of it.
"""
import os


def serve_forever(server_class, handler, port_file):
    server = server_class(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, port_file)
    server.serve_forever()
