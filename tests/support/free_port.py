# SPDX-License-Identifier: EUPL-1.2
"""Prints a free loopback TCP port for a test server, chosen below the kernel's ephemeral
range: a port from bind(("127.0.0.1", 0)) is in that range, and between the probe and the
server's own bind any outgoing connection on the machine (another test's client, under
ctest -j) may be given it as its local port ("Address already in use")."""
import random
import socket
import sys

low, high = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
candidates = range(10000, low) if low > 11000 else range(high + 1, 65536)
for _ in range(500):
    port = random.choice(candidates)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    print(port)
    sys.exit(0)
sys.exit("free_port.py: no free loopback port found")
