#pragma once
// A worker's scanning state: its own simdjson parser, detector (Hyperscan and PCRE2
// scratch) and match list over the shared, immutable ruleset. scan() parses, detects
// and formats a whole batch; once warmed up it allocates nothing per event.
#include <memory>
#include <vector>

#include "alerts/alert_format.hpp"
#include "detector/detector.hpp"
#include "ingest/event_parser.hpp"
#include "runtime/scan_batch.hpp"

namespace vigie {

class BatchScanner {
  public:
    BatchScanner(std::shared_ptr<const Ruleset> ruleset, const AlertFormat& format,
                 Level min_level);

    void scan(ScanBatch& batch);

  private:
    void scan_document(ScanBatch& batch, const RawDocument& doc);
    static void reject(ScanBatch& batch, uint64_t line, std::string_view message);

    Detector detector_;
    EventParser parser_;
    const AlertFormat& format_;
    Level min_level_;
    std::vector<uint32_t> matches_;
};

}  // namespace vigie
