#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>

#include "alerts/alert_sink.hpp"
#include "app/commands.hpp"
#include "detector/detector.hpp"
#include "ingest/event_parser.hpp"
#include "ingest/input_reader.hpp"
#include "metrics/scan_metrics.hpp"

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
                if (e.is_regular_file() && is_event_file(e.path())) found.push_back(e.path().string());
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

// Reads one input: parse, detect and alert, one document at a time.
class ScanJob final : public InputSink {
public:
    ScanJob(Detector& detector, EventParser& parser, AlertSink& sink, Level min_level, std::string name)
        : detector_(detector), parser_(parser), sink_(sink), min_level_(min_level), name_(std::move(name)) {}

    void on_document(const RawDocument& doc) override {
        counters.bytes += doc.size;
        std::string_view error = parser_.parse(doc, detector_.event());
        if (!error.empty()) {
            on_problem({doc.line, doc.index, std::string(error)});
            return;
        }
        ++counters.events;
        matches_.clear();
        detector_.detect(matches_);
        const auto& rules = detector_.ruleset().rules();
        for (uint32_t r : matches_) {
            const Rule& rule = rules[r].rule;
            if (rule.level < min_level_) continue;
            ++counters.alerts_by_level[static_cast<size_t>(rule.level)];
            sink_.write(Alert{rule, name_, doc.index, doc.line, {doc.data, doc.size}});
        }
    }

    void on_problem(const InputProblem& p) override {
        ++counters.rejected;
        std::fprintf(stderr, "%s:%llu: %s\n", name_.c_str(), static_cast<unsigned long long>(p.line), p.message.c_str());
    }

    ScanCounters counters;

private:
    Detector& detector_;
    EventParser& parser_;
    AlertSink& sink_;
    Level min_level_;
    std::string name_;
    std::vector<uint32_t> matches_;
};

void print_summary(const ScanCounters& total, const LoadedRuleset& loaded, double seconds) {
    const auto& a = total.alerts_by_level;
    std::fprintf(stderr,
                 "vigie: %llu events read, %llu rejected, %llu alerts (critical %llu, high %llu, medium %llu, low %llu, "
                 "informational %llu), rules loaded %zu of %zu, %.3f s\n",
                 static_cast<unsigned long long>(total.events), static_cast<unsigned long long>(total.rejected),
                 static_cast<unsigned long long>(std::accumulate(a.begin(), a.end(), uint64_t{0})),
                 static_cast<unsigned long long>(a[4]), static_cast<unsigned long long>(a[3]),
                 static_cast<unsigned long long>(a[2]), static_cast<unsigned long long>(a[1]),
                 static_cast<unsigned long long>(a[0]), loaded.loaded, loaded.documents, seconds);
}

}  // namespace

int run_scan(const ScanOptions& options) {
    auto start = std::chrono::steady_clock::now();
    auto min_level = parse_level(options.min_level);
    if (!min_level) {
        std::fprintf(stderr, "vigie: unknown level '%s' (informational, low, medium, high, critical)\n",
                     options.min_level.c_str());
        return 2;
    }
    LoadedRuleset loaded = load_ruleset(options.rules);
    print_diagnostics(loaded.diagnostics);
    if (!loaded.ruleset) return 1;
    if (options.strict && (loaded.errors > 0 || loaded.loaded != loaded.documents)) {
        std::fprintf(stderr, "vigie: %zu rule problems and --strict: not scanning\n", loaded.errors);
        return 1;
    }
    std::string format = options.format.empty() ? (isatty(STDOUT_FILENO) != 0 ? "table" : "jsonl") : options.format;
    std::unique_ptr<AlertSink> sink;
    if (format == "table") {
        sink = std::make_unique<TableAlertSink>(stdout);
    } else {
        sink = std::make_unique<JsonlAlertSink>(stdout);
    }
    Detector detector(loaded.ruleset);
    EventParser parser(loaded.ruleset->trie(), loaded.ruleset->needs_all_strings());
    ScanMetrics metrics;
    ScanCounters total;
    int status = 0;
    for (const auto& input : expand_inputs(options.inputs)) {
        int fd = input == "-" ? STDIN_FILENO : ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            std::fprintf(stderr, "%s: cannot open: %s\n", input.c_str(), std::strerror(errno));
            status = 1;
            continue;
        }
        std::string name = input == "-" ? "<stdin>" : input;
        ScanJob job(detector, parser, *sink, *min_level, name);
        InputReader reader(fd, options.max_event_bytes);
        if (!reader.read_all(job)) {
            std::fprintf(stderr, "%s: read error: %s\n", name.c_str(), reader.error().c_str());
            status = 1;
        }
        sink->flush();
        metrics.add(job.counters, name);
        total.events += job.counters.events;
        total.rejected += job.counters.rejected;
        total.bytes += job.counters.bytes;
        for (size_t i = 0; i < total.alerts_by_level.size(); ++i) total.alerts_by_level[i] += job.counters.alerts_by_level[i];
    }
    sink->flush();
    print_summary(total, loaded, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (!options.metrics_file.empty()) {
        metrics.set_rules_loaded(loaded.loaded, loaded.documents - loaded.loaded);
        std::ofstream(options.metrics_file) << metrics.exposition();
    }
    return status;
}

}  // namespace vigie
