// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One unit of work in the scan pipeline: a batch of documents from one input and what
// scanning it produced (formatted alerts, located problems, counters). The output stage
// writes these in input order; the batch then goes back to the pool. In `vigie serve` the
// alerts are records instead (AlertOptions::records), which the engine hands its sink.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "detector/rule.hpp"
#include "ingest/document_batch.hpp"
#include "pipeline/alerts/alert_record.hpp"
#include "pipeline/scan/scan_counters.hpp"

namespace vigie {

struct ScanBatch {
    uint64_t sequence = 0;
    const std::string* source = nullptr;  // the input's display name
    std::string_view agency;              // vigie serve: the sender, shown in alerts
    DocumentBatch input;
    std::string failure;  // why the input could not be opened or read; empty when fine
    // Results, filled by a worker.
    std::string alerts;        // `vigie scan`: the formatted alerts, one after the other
    AlertRecordBatch records;  // `vigie serve`: one record per alert, storage reused
    std::string errors;        // "file:line: reason\n" per rejected document
    // When set, rejections are also kept as values (vigie serve answers with them).
    bool keep_rejections = false;
    std::vector<InputProblem> rejections;
    ScanCounters counters;
    // The rule of each alert written (for per-rule metrics); valid while the batch's
    // ruleset is.
    std::vector<const Rule*> matched_rules;
    // A rule per (event, rule) evaluation in which a regex hit its limit (metrics, logs).
    std::vector<const Rule*> regex_limit_rules;
    uint64_t suppressed_alerts = 0;  // counted into an open suppression window

    void clear_results() {
        alerts.clear();
        records.clear();
        errors.clear();
        rejections.clear();
        counters = {};
        matched_rules.clear();
        regex_limit_rules.clear();
        suppressed_alerts = 0;
    }
};

}  // namespace vigie
