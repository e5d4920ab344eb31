// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A worker's scanning state: its own simdjson parser, detector (Hyperscan and PCRE2
// scratch) and match list over the shared, immutable ruleset. scan() parses, detects
// and formats a whole batch; once warmed up it allocates nothing per event (an event that
// raises alerts is read a second time for the alert's details: its time, host, subset).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "detector/detector.hpp"
#include "ingest/event_parser.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/alerts/alert_suppressor.hpp"
#include "pipeline/alerts/event_details_reader.hpp"
#include "pipeline/scan/indicator_source.hpp"
#include "pipeline/scan/scan_batch.hpp"

namespace vigie {

struct AlertOptions {
    Level min_level = Level::Informational;
    AlertContentSettings content;
    // vigie serve: alerts as records (pipeline/alerts/alert_record.hpp) in the batch's
    // `records`, for the outputs to route by their fields; else text in `alerts`.
    bool records = false;
    AlertSuppressor* suppressor = nullptr;  // shared by the workers; null: no suppression
    // Threat indicators matched on every event; null: none.
    const IndicatorSource* indicators = nullptr;
};

class BatchScanner {
  public:
    BatchScanner(std::shared_ptr<const Ruleset> ruleset, const AlertFormat& format,
                 AlertOptions options);
    BatchScanner(std::shared_ptr<const Ruleset> ruleset, const AlertFormat& format,
                 Level min_level);

    void scan(ScanBatch& batch);

  private:
    void scan_document(ScanBatch& batch, const RawDocument& doc);
    size_t scan_line(ScanBatch& batch, size_t first);
    void emit_alert(ScanBatch& batch, const RawDocument& doc, uint32_t rule_index,
                    const EventDetails& details);
    void emit_indicator_alert(ScanBatch& batch, const RawDocument& doc, const IndicatorHit& hit,
                              const EventDetails& details);
    void deliver(ScanBatch& batch, const Alert& alert);
    Alert make_alert(const ScanBatch& batch, const RawDocument& doc, const Rule& rule,
                     const EventDetails& details);
    static void reject(ScanBatch& batch, uint64_t line, std::string_view message);

    std::shared_ptr<const Ruleset> ruleset_;  // kept for suppression summaries
    Detector detector_;
    EventParser parser_;
    const AlertFormat& format_;
    AlertOptions options_;
    EventDetailsReader details_reader_;
    std::vector<uint32_t> matches_;
    std::vector<MatchedField> matched_fields_;
    std::unique_ptr<IndicatorLookup> indicator_lookup_;
    std::vector<IndicatorHit> indicator_hits_;
    Rule indicator_rule_;  // what an indicator alert says as its rule, filled per hit
    std::string minified_event_;
    std::string uid_;
    int64_t batch_time_ms_ = 0;
};

}  // namespace vigie
