// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The subcommands of the vigie executable.
#include <string>
#include <vector>

#include "app/rule_loading.hpp"
#include "ingest/input_reader.hpp"

namespace vigie {

struct ScanOptions {
    RuleLoadOptions rules;
    std::vector<std::string> inputs;  // files, directories, or "-" for stdin
    std::string min_level = "informational";
    std::string format;  // jsonl | table; empty: table on a terminal, else jsonl
    bool strict = false;
    size_t max_event_bytes = 1 << 20;
    uint32_t max_nesting_depth = 64;  // core/input_limits.hpp
    std::string metrics_file;
    unsigned threads = 0;  // workers; 0: one per core
    size_t batch_bytes = InputReader::kChunkBytes;
    std::vector<std::string> indicator_files;  // STIX 2.1 bundles matched on every event
    std::string indicator_store;               // SQLite store; empty: in memory
};

struct ServeOptions {
    std::string config_file;     // empty: every setting's default
    std::string http_listen;     // HOST:PORT overriding http.listen
    std::string metrics_listen;  // HOST:PORT overriding metrics.listen
    std::string alert_format;    // jsonl | ocsf | table overriding alerts.format
};

int run_scan(const ScanOptions& options);
// Runs until SIGTERM or SIGINT, then drains and returns 0.
int run_serve(const ServeOptions& options);
int run_rules_check(const RuleLoadOptions& options);
// Validates a `vigie serve` configuration file: every error with its file:line:col.
int run_config_check(const std::string& path);

// Prints the diagnostics to stderr, one per line.
void print_diagnostics(const Diagnostics& diags);

}  // namespace vigie
