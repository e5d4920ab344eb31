// SPDX-License-Identifier: EUPL-1.2
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <thread>

#include "app/commands.hpp"
#include "app/indicator_loading.hpp"
#include "core/input_limits.hpp"
#include "generated/version.hpp"
#include "metrics/scan_metrics.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/scan/progress_meter.hpp"
#include "pipeline/scan/scan_pipeline.hpp"

namespace vigie {

namespace fs = std::filesystem;

namespace {

bool is_event_file(const fs::path& p) {
    auto ext = p.extension();
    return ext == ".json" || ext == ".ndjson" || ext == ".jsonl";
}

// Directories expand to the event files under them, sorted; files and "-" stay.
std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs) {
    std::vector<std::string> out;
    for (const auto& in : inputs) {
        std::error_code ec;
        if (in != "-" && fs::is_directory(in, ec)) {
            std::vector<std::string> found;
            for (const auto& e : fs::recursive_directory_iterator(in, ec)) {
                if (e.is_regular_file() && is_event_file(e.path()))
                    found.push_back(e.path().string());
            }
            std::sort(found.begin(), found.end());
            out.insert(out.end(), found.begin(), found.end());
        } else {
            out.push_back(in);
        }
    }
    if (out.empty()) out.emplace_back("-");
    return out;
}

// The ordered end of the pipeline: writes alerts and problems, counts, shows progress.
class ScanReport final : public ScanOutput {
  public:
    ScanReport(const AlertFormat& format, ScanMetrics& metrics, ProgressMeter* progress)
        : format_(format), metrics_(metrics), progress_(progress) {}

    void on_batch(const ScanBatch& b) override {
        if (!b.failure.empty()) {
            if (progress_ != nullptr) progress_->finish();
            std::fprintf(stderr, "%s\n", b.failure.c_str());
            failed = true;
        }
        if (!b.errors.empty()) {
            if (progress_ != nullptr) progress_->finish();
            std::fwrite(b.errors.data(), 1, b.errors.size(), stderr);
        }
        if (!b.alerts.empty()) {
            const std::string_view header = format_.header();
            if (!header_written_ && !header.empty())
                std::fwrite(header.data(), 1, header.size(), stdout);
            header_written_ = true;
            std::fwrite(b.alerts.data(), 1, b.alerts.size(), stdout);
            std::fflush(stdout);
        }
        metrics_.add(b.counters, *b.source);
        for (const Rule* rule : b.regex_limit_rules) metrics_.add_regex_limit_hit(rule->id);
        total.events += b.counters.events;
        total.rejected += b.counters.rejected;
        total.bytes += b.counters.bytes;
        total.rule_evaluations += b.counters.rule_evaluations;
        for (size_t i = 0; i < total.alerts_by_level.size(); ++i)
            total.alerts_by_level[i] += b.counters.alerts_by_level[i];
        input_bytes_ += b.input.input_bytes();
        if (progress_ != nullptr) {
            const auto& a = total.alerts_by_level;
            progress_->update(input_bytes_, total.events,
                              std::accumulate(a.begin(), a.end(), uint64_t{0}));
        }
    }

    ScanCounters total;
    bool failed = false;

  private:
    const AlertFormat& format_;
    ScanMetrics& metrics_;
    ProgressMeter* progress_;
    bool header_written_ = false;
    uint64_t input_bytes_ = 0;
};

// A progress meter only for a terminal, and only when every input is a file whose
// size is known.
std::unique_ptr<ProgressMeter> make_progress(const std::vector<std::string>& inputs) {
    if (isatty(STDERR_FILENO) == 0) return nullptr;
    uint64_t total = 0;
    for (const auto& in : inputs) {
        std::error_code ec;
        if (in == "-" || !fs::is_regular_file(in, ec)) return nullptr;
        total += fs::file_size(in, ec);
    }
    return std::make_unique<ProgressMeter>(stderr, total);
}

void print_summary(const ScanCounters& total, const LoadedRuleset& loaded, double load_seconds,
                   double scan_seconds) {
    const auto& a = total.alerts_by_level;
    std::fprintf(
        stderr,
        "vigie: %llu events read, %llu rejected, %llu alerts (critical %llu, high %llu, medium "
        "%llu, low %llu, "
        "informational %llu), rules loaded %zu of %zu in %.3f s, scanned %.1f MB in %.3f s\n",
        static_cast<unsigned long long>(total.events),
        static_cast<unsigned long long>(total.rejected),
        static_cast<unsigned long long>(std::accumulate(a.begin(), a.end(), uint64_t{0})),
        static_cast<unsigned long long>(a[4]), static_cast<unsigned long long>(a[3]),
        static_cast<unsigned long long>(a[2]), static_cast<unsigned long long>(a[1]),
        static_cast<unsigned long long>(a[0]), loaded.loaded, loaded.documents, load_seconds,
        static_cast<double>(total.bytes) / 1e6, scan_seconds);
}

// --indicators / --indicator-store: the indicators matched on every event; false when the
// store cannot be opened (said on stderr). Nothing to load is not a failure.
bool scan_indicators(const ScanOptions& options, LoadedIndicators& indicators) {
    if (options.indicator_files.empty() && options.indicator_store.empty()) return true;
    const auto start = std::chrono::steady_clock::now();
    IndicatorLoadOptions load;
    load.store_path = options.indicator_store;
    load.bundle_files = options.indicator_files;
    indicators = load_indicators(load);
    if (!indicators.catalog) return false;
    std::fprintf(stderr, "vigie: %zu indicators matched per event, loaded in %.1f s\n",
                 indicators.catalog->counts().matched_per_event,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return true;
}

}  // namespace

int run_scan(const ScanOptions& options) {
    auto start = std::chrono::steady_clock::now();
    auto min_level = parse_level(options.min_level);
    if (!min_level) {
        std::fprintf(stderr,
                     "vigie: unknown level '%s' (informational, low, medium, high, critical)\n",
                     options.min_level.c_str());
        return 2;
    }
    InputLimits limits = input_limits();  // before any thread reads them
    limits.max_nesting_depth = options.max_nesting_depth;
    configure_input_limits(limits);
    LoadedRuleset loaded = load_ruleset(options.rules);
    // Loaded before the scan's clock starts: the summary's scan rate is the scan's alone.
    LoadedIndicators indicators;
    if (!scan_indicators(options, indicators)) return 1;
    auto loaded_at = std::chrono::steady_clock::now();
    print_diagnostics(loaded.diagnostics);
    if (!loaded.ruleset) return 1;
    if (options.strict && (loaded.errors > 0 || loaded.loaded != loaded.documents)) {
        std::fprintf(stderr, "vigie: %zu rule problems and --strict: not scanning\n",
                     loaded.errors);
        return 1;
    }
    std::string format_name =
        options.format.empty() ? (isatty(STDOUT_FILENO) != 0 ? "table" : "jsonl") : options.format;
    auto format = make_alert_format(format_name, kVersion);
    auto inputs = expand_inputs(options.inputs);
    auto progress = make_progress(inputs);
    ScanMetrics metrics;
    ScanReport report(*format, metrics, progress.get());
    unsigned threads =
        options.threads != 0 ? options.threads : std::max(1U, std::thread::hardware_concurrency());
    PipelineOptions pipeline{threads, options.max_event_bytes, options.batch_bytes, *min_level};
    pipeline.indicators = indicators.catalog.get();
    ScanPipeline(loaded.ruleset, *format, pipeline).run(inputs, report);
    if (progress) progress->finish();
    const ScanCounters& total = report.total;
    int status = report.failed ? 1 : 0;
    auto seconds = [](auto from, auto to) {
        return std::chrono::duration<double>(to - from).count();
    };
    print_summary(total, loaded, seconds(start, loaded_at),
                  seconds(loaded_at, std::chrono::steady_clock::now()));
    if (!options.metrics_file.empty()) {
        metrics.set_rules_loaded(loaded.loaded, loaded.documents - loaded.loaded);
        std::ofstream(options.metrics_file) << metrics.exposition();
    }
    return status;
}

}  // namespace vigie
