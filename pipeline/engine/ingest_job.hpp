// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What the serve engine is given and what it answers: a body of NDJSON from one agency
// (an HTTP request, or messages fetched from NATS), and, once its alerts are written,
// how many events were accepted and which lines were rejected and why.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "detector/ruleset.hpp"
#include "pipeline/engine/ingest_figures.hpp"

namespace vigie {

struct IngestRejection {
    uint64_t line = 0;  // 1-based line of the body
    std::string error;
};

struct IngestResult {
    uint64_t accepted = 0;  // events parsed and evaluated
    uint64_t alerts = 0;    // alerts written for them
    std::vector<IngestRejection> rejected;
    // Set when the alerts could not be written: nothing of the job counts as delivered,
    // so the sender must send it again (HTTP 503; NATS: not acknowledged).
    std::string output_error;
    // With output_error: the outputs can never take these alerts (one request's alerts
    // are more than the whole spool holds), so sending the job again cannot help.
    bool output_refused_for_good = false;
};

struct IngestJob {
    std::string agency;  // from the credential or the NATS subject, never the payload
    std::string source;  // shown as the alerts' source.file: "http", a NATS subject
    std::string body;    // NDJSON (or concatenated JSON documents)
    // Called exactly once, on a worker thread, after the job's alerts were handed to the
    // alert sink; a job is never dropped, even while draining.
    std::function<void(IngestResult&&)> done;
    // For the metrics: the input that took the job (a label), and when it received it, the
    // start of the end-to-end latency that ends once `done` has answered the sender.
    IngestInput input = IngestInput::Http;
    std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
    // The input keeps the job when its alerts are not written and submits it again (the
    // NATS input holds its messages): such a run counts nothing in the figures, only the
    // run that writes them, so that each event counts once however long the outputs refuse.
    bool kept_when_undelivered = false;
    // The rules the job's request began with (its settings snapshot,
    // service/http/live_settings.hpp), so that a reload meanwhile does not change them under it;
    // null: the engine's rules.
    std::shared_ptr<const Ruleset> ruleset{};
    // Its request's http.max_event_bytes, likewise; 0: the engine's.
    size_t max_event_bytes = 0;
};

}  // namespace vigie
