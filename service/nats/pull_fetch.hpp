// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The NATS input's own pull requests (fetches), read from a plain subscription on an inbox
// of its own, and the acknowledgements of what they bring, replies to each message.
//
// Why not libnats' fetch (natsSubscription_FetchRequest on a js_PullSubscribe): in libnats
// 3.4.1 (Debian 12) it writes past the array of a fetch that starts with messages already
// queued on the subscription while more keep coming (nats.c #749, fixed upstream later).
// Messages are queued that way whenever a fetch gave up at its deadline before the server
// ended its request: the server's expiry is only 10 ms shorter than the client's wait and
// counts from when it reads the request, later on a loaded machine. A worker of the
// `nats_serve_workers` test vanished that way in CI (issue 19 item 10; reproduced by
// tests/nats/item10_late_deliveries.sh: SIGSEGV). Here a fetch waits for the server's answer
// a quarter of its expiry longer than the server keeps the request, whatever comes late
// is taken by the next fetch first, and the messages go into a vector: nothing to overflow.
#include <nats/nats.h>

#include <chrono>
#include <string>
#include <vector>

namespace vigie {

// `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`: where pull requests go.
std::string pull_subject(const std::string& stream, const std::string& consumer);

// A fresh inbox under `prefix` (empty: _INBOX), as the connection's requests use it.
std::string new_inbox(const std::string& prefix);

// Up to `batch` messages into `out` (cleared first): those already queued on `inbox_sub`
// (late answers to an earlier fetch), then the answer to one no-wait pull request the
// server keeps for `expires` at most. NATS_OK with messages; NATS_NOT_FOUND or
// NATS_TIMEOUT with none; another status when the request could not be made or answered
// (no responders: the consumer or JetStream is gone; the connection lost).
natsStatus pull_fetch(natsConnection* nc, natsSubscription* inbox_sub, const std::string& subject,
                      size_t batch, std::chrono::milliseconds expires, std::vector<natsMsg*>& out);

// A JetStream acknowledgement of `msg`, sent to its reply subject: "+ACK", "-NAK", "+WPI"
// (in progress: its ack timer restarts).
natsStatus reply_to_message(natsConnection* nc, natsMsg* msg, const char* kind);

}  // namespace vigie
