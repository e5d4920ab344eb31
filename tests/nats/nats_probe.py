#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""A minimal NATS client (the text protocol over a socket, standard library only) for the
tests that check what a user may and may not do on a nats-server: Debian 12 packages no
NATS library for Python, and vigie-nats-tool has no subscriber.

  nats_probe.py listen  --server HOST:PORT [--user U --password P] --subjects A,B,...
                        [--marker SUBJECT] [--timeout S]
      Subscribes to each subject, then prints one line {"ready":true,"refused":[...]} once
      the server has answered (a PING after the SUBs: a refusal comes before its PONG).
      Then counts every message received per subscription until a message arrives on
      --marker (which it subscribes to as well), or the timeout; then prints
      {"refused":[subjects],"received":{subscription:count},"by_subject":{subject:count},
      "samples":[subjects],"marker":bool}; by_subject counts the messages' own subjects
      (a stream's message delivered to an inbox keeps its subject; inbox subjects count
      under "_INBOX.*", "_INBOX_demo.*"...).
      A marker message whose payload ends with "sync" only prints {"synced":true} (once)
      and the probe goes on: the sender knows then that the server routes to this client.
      The marker is the synchronisation: whoever sends it after the traffic under test
      knows that anything routed to this client before it has been received.

  nats_probe.py publish --server HOST:PORT [--user U --password P] --subject S
                        [--msg-id ID] [--inbox PREFIX] [--timeout S] [--payload TEXT]
      Publishes one message with a reply subject under PREFIX (default _INBOX_probe) and
      waits for an answer (a JetStream publish acknowledgement). Prints
      {"acked":bool,"refused":bool,"answer":"...","error":"..."}; exit 0 only when acked.
      With --no-reply: a plain message, flushed (PING/PONG); exit 0 unless refused.

  nats_probe.py late-pulls --server HOST:PORT --stream S --consumer C [--batch N]
                          [--interval S] [--expires S] [--timeout S]
      Waits for a pull request of a worker on the consumer (a copy of what it sends to
      $JS.API.CONSUMER.MSG.NEXT.S.C) to learn the inbox its fetches read, then, until the
      timeout, sends pull requests of its own (no_wait, N messages) with that inbox as the
      reply every --interval: the server delivers to the worker messages that no fetch of
      its asked for, as it does when a fetch gave up at its deadline before the server
      ended the request (late deliveries). Prints {"inbox":...,"pulls":n}.

  A server that closes the connection (e.g. 'Authorization Violation') ends the probe with
  exit status 2 and the server's error on stderr.
"""
import argparse
import json
import socket
import sys
import time


class Client:
    def __init__(self, server, user, password):
        host, port = server.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.buf = b""
        self.errors = []
        info = self.line()
        if not info.startswith(b"INFO"):
            raise SystemExit("nats_probe: no INFO from %s: %r" % (server, info))
        connect = {"verbose": False, "pedantic": False, "headers": True,
                   "no_responders": True, "protocol": 1, "name": "nats_probe"}
        if user:
            connect.update(user=user, **{"pass": password})
        # CONNECT and PING in one write, then nothing until the answer: a server refusing
        # the login closes with nothing of ours unread, so its -ERR is not lost to a reset.
        self.send(b"CONNECT " + json.dumps(connect).encode() + b"\r\nPING\r\n")
        if self.next(time.monotonic() + 10) != "PONG":
            self.closed()

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed()

    def closed(self):
        errors = self.errors + [e[5:].decode(errors="replace").strip(" '")
                                for e in self.buf.split(b"\r\n") if e.startswith(b"-ERR")]
        print("nats_probe: the server closed the connection: %s" % "; ".join(errors),
              file=sys.stderr)
        sys.exit(2)

    def line(self, deadline=None):
        while b"\r\n" not in self.buf:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            except OSError:
                self.closed()
            if not chunk:
                self.closed()
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def payload(self, size):
        while len(self.buf) < size + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                self.closed()
            self.buf += chunk
        data, self.buf = self.buf[:size], self.buf[size + 2:]
        return data

    def next(self, deadline):
        """The next message (sid, subject, headers+payload bytes), or None at the deadline.
        Answers PINGs; collects -ERR lines in self.errors; returns "PONG" on a PONG."""
        while True:
            line = self.line(deadline)
            if line is None:
                return None
            if line == b"PING":
                self.send(b"PONG\r\n")
            elif line == b"PONG":
                return "PONG"
            elif line.startswith(b"-ERR"):
                self.errors.append(line[5:].decode(errors="replace").strip(" '"))
            elif line.startswith(b"MSG ") or line.startswith(b"HMSG "):
                parts = line.decode().split()
                size = int(parts[-1])
                return parts[2], parts[1], self.payload(size)

    def sync(self, seconds=10):
        self.send(b"PING\r\n")
        deadline = time.monotonic() + seconds
        early = []
        while True:
            got = self.next(deadline)
            if got is None:
                raise SystemExit("nats_probe: no PONG within %s s: %s" % (seconds, self.errors))
            if got == "PONG":
                return early
            early.append(got)


def refused_subscriptions(errors):
    prefix = 'Permissions Violation for Subscription to "'
    return [e[len(prefix):].split('"')[0] for e in errors if e.startswith(prefix)]


def listen(a):
    c = Client(a.server, a.user, a.password)
    subjects = [s for s in a.subjects.split(",") if s]
    if a.marker:
        subjects.append(a.marker)
    for sid, subject in enumerate(subjects, 1):
        c.send(("SUB %s %d\r\n" % (subject, sid)).encode())
    early = c.sync()
    refused = refused_subscriptions(c.errors)
    print(json.dumps({"ready": True, "refused": refused}), flush=True)
    received = {s: 0 for s in subjects}
    samples, marker, synced, by_subject = [], False, False, {}
    deadline = time.monotonic() + a.timeout
    pending = list(early)
    while not marker:
        got = pending.pop(0) if pending else c.next(deadline)
        if got is None:
            break
        if got == "PONG":
            continue
        sid, subject, _ = got
        if a.marker and subject == a.marker:
            # "sync": the server routes to us (every SUB before the marker's is known there)
            if got[2].endswith(b"sync"):
                if not synced:
                    print(json.dumps({"synced": True}), flush=True)
                synced = True
            else:
                marker = True
            continue
        received[subjects[int(sid) - 1]] += 1
        # JetStream delivers a stream's message to an inbox under its own subject.
        key = subject.split(".")[0] + ".*" if subject.startswith("_INBOX") else subject
        by_subject[key] = by_subject.get(key, 0) + 1
        if len(samples) < 10:
            samples.append(subject)
    received.pop(a.marker, None)
    print(json.dumps({"refused": refused_subscriptions(c.errors), "received": received,
                      "by_subject": by_subject, "samples": samples, "marker": marker,
                      "errors": c.errors}), flush=True)
    return 0 if (marker or not a.marker) else 1


def publish(a):
    c = Client(a.server, a.user, a.password)
    if a.no_reply:  # a plain message (a marker): flushed, then done
        body = a.payload.encode()
        c.send(("PUB %s %d\r\n" % (a.subject, len(body))).encode() + body + b"\r\n")
        c.sync()
        print(json.dumps({"sent": not c.errors, "errors": c.errors}), flush=True)
        return 0 if not c.errors else 1
    inbox = "%s.%d" % (a.inbox, int(time.time() * 1000))
    c.send(("SUB %s 1\r\n" % inbox).encode())
    body = a.payload.encode()
    headers = b"NATS/1.0\r\n"
    if a.msg_id:
        headers += b"Nats-Msg-Id: " + a.msg_id.encode() + b"\r\n"
    headers += b"\r\n"
    c.send(("HPUB %s %s %d %d\r\n" % (a.subject, inbox, len(headers), len(headers) + len(body)))
           .encode() + headers + body + b"\r\n")
    c.send(b"PING\r\n")
    deadline = time.monotonic() + a.timeout
    answer = ""
    while True:
        got = c.next(deadline)
        if got is None:
            break
        if got == "PONG":  # a refusal by this server comes before the PONG: no answer then
            if any(e.startswith("Permissions Violation") for e in c.errors):
                break
            continue
        answer = got[2].decode(errors="replace")
        break
    # A JetStream ack is a JSON body {"stream":...,"seq":N}; "No responders" is a 503 header.
    acked = '"seq"' in answer and '"error"' not in answer
    refused = any(e.startswith("Permissions Violation for Publish") for e in c.errors)
    print(json.dumps({"acked": acked, "refused": refused, "answer": answer.strip(),
                      "errors": c.errors}), flush=True)
    return 0 if acked else 1


def late_pulls(a):
    c = Client(a.server, a.user, a.password)
    api = "$JS.API.CONSUMER.MSG.NEXT.%s.%s" % (a.stream, a.consumer)
    c.send(("SUB %s 1\r\n" % api).encode())
    c.sync()
    deadline = time.monotonic() + a.timeout
    inbox = None
    while inbox is None:  # MSG <subject> <sid> <reply> <size>: the reply is the inbox
        line = c.line(deadline)
        if line is None:
            raise SystemExit("nats_probe: no pull request on %s within %s s" % (api, a.timeout))
        if line == b"PING":
            c.send(b"PONG\r\n")
        elif line.startswith(b"MSG "):
            parts = line.decode().split()
            c.payload(int(parts[-1]))
            if len(parts) == 5:
                inbox = parts[3]
    c.send(("UNSUB 1\r\n").encode())
    pull = {"batch": a.batch, "no_wait": True}
    if a.expires > 0:  # the server ends each request by then: none stays waiting for ever
        pull["expires"] = int(a.expires * 1e9)
    request = json.dumps(pull).encode()
    pulls = 0
    while time.monotonic() < deadline:
        c.send(("PUB %s %s %d\r\n" % (api, inbox, len(request))).encode() + request + b"\r\n")
        pulls += 1
        time.sleep(a.interval)  # the pace of the pulls, not a wait for anything
    c.sync()
    print(json.dumps({"inbox": inbox, "pulls": pulls}), flush=True)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("listen", "publish", "late-pulls"):
        s = sub.add_parser(name)
        s.add_argument("--server", required=True, help="HOST:PORT")
        s.add_argument("--user", default="")
        s.add_argument("--password", default="")
        s.add_argument("--timeout", type=float, default=10)
    sub.choices["listen"].add_argument("--subjects", required=True)
    sub.choices["listen"].add_argument("--marker", default="")
    sub.choices["publish"].add_argument("--subject", required=True)
    sub.choices["publish"].add_argument("--msg-id", default="")
    sub.choices["publish"].add_argument("--inbox", default="_INBOX_probe")
    sub.choices["publish"].add_argument("--payload", default='{"seq":0,"probe":true}')
    sub.choices["publish"].add_argument("--no-reply", action="store_true",
                                        help="a plain message, no answer awaited")
    late = sub.choices["late-pulls"]
    late.add_argument("--stream", default="EVENTS")
    late.add_argument("--consumer", default="vigie")
    late.add_argument("--batch", type=int, default=64)
    late.add_argument("--interval", type=float, default=0.005)
    late.add_argument("--expires", type=float, default=0, help="seconds; 0: none")
    a = p.parse_args()
    if a.command == "late-pulls":
        return late_pulls(a)
    return listen(a) if a.command == "listen" else publish(a)


if __name__ == "__main__":
    sys.exit(main())
