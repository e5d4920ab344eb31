// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A dead letter is a copy of a message the input will not evaluate (malformed, an unknown
// agency, delivered too often, a line the engine rejected), with the reason in its headers
// (Vigie-Error, Vigie-Subject), published to JetStream and acknowledged by the stream that
// stores the dead-letter subject. Only then may the original be acknowledged: a core NATS
// publish is fire and forget, and one made during a leader election is lost while its
// original was acknowledged (issue 18 item 3).
// The copy's Nats-Msg-Id is made of the original's stream and sequence, so that publishing
// it again (a retry after a timeout whose publish did land, another worker after a
// redelivery) is dropped by the stream as a duplicate within its duplicate window.
#include <nats/nats.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigie {

// A dead letter a stream acknowledged: its original may be acknowledged.
struct StoredDeadLetter {
    bool duplicate = false;  // the stream already held it (an earlier attempt landed)
    std::string stream;      // the stream that holds it, and where
    uint64_t sequence = 0;
};

// "dl-<stream>-<sequence>": the dead letter's Nats-Msg-Id for the original at `sequence`.
std::string dead_letter_id(std::string_view stream, uint64_t sequence);

// Publishes the copy of `original` to `subject` and waits up to `wait_ms` for the stream's
// acknowledgement; an error saying why it was not stored (no responders, timeout, ...).
Result<StoredDeadLetter> publish_dead_letter(jsCtx* js, const std::string& subject,
                                             natsMsg* original, const std::string& reason,
                                             int64_t wait_ms);

// True when the server says that no stream stores `subject` (false when it cannot tell):
// a dead letter published there would wait, its original kept, until a stream does.
bool no_stream_stores(jsCtx* js, const std::string& subject);

}  // namespace vigie
