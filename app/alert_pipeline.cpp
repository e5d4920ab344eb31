// SPDX-License-Identifier: EUPL-1.2
#include "app/alert_pipeline.hpp"

#include <algorithm>
#include <chrono>

#include "core/clock.hpp"
#include "generated/version.hpp"

namespace vigie {

namespace {

OutputLog output_log(Logger& log) {
    return [&log](LogLevel level, std::string_view output, std::string_view message,
                  std::string_view detail) {
        log.log(level, message, {{"output", output}, {"detail", detail}});
    };
}

}  // namespace

std::vector<OutputSettings> effective_outputs(const ServeConfig& config) {
    if (!config.outputs.empty()) return config.outputs;
    OutputSettings o;
    if (config.alerts_output == "-") {
        o.name = "stdout";
        o.type = OutputType::Stdout;
    } else {
        o.name = "file";
        o.type = OutputType::File;
        o.file.path = config.alerts_output;
    }
    return {o};
}

AlertPipeline::AlertPipeline(const ServeConfig& config, Logger& log)
    : log_(log),
      content_(config.alert_content),
      format_(make_alert_format(config.alerts_format, kVersion)),
      suppressor_(std::make_unique<AlertSuppressor>(config.suppression)) {
    if (!format_) throw std::runtime_error("unknown alert format " + config.alerts_format);
    format_->set_max_bytes(config.alert_content.max_alert_bytes);
    std::vector<std::string> notes;
    std::vector<OutputSettings> outputs = effective_outputs(config);
    for (auto& o : outputs) {  // each output's copies share its filter, which a reload sets
        o.filter.live = std::make_shared<LiveOutputFilter>(o.filter);
        filters_.emplace_back(o.name, o.filter.live);
    }
    outputs_ = std::make_unique<AlertOutputs>(outputs, config.spool, output_log(log), &notes);
    for (const auto& note : notes) log.warn("alert spool recovered", {{"note", note}});
}

AlertPipeline::~AlertPipeline() {
    stop();
}

AlertOptions AlertPipeline::alert_options() const {
    AlertOptions options;
    options.content = content_;
    // Even while off (window 0): a reload may turn it on (its admit() is then one load).
    options.suppressor = suppressor_.get();
    return options;
}

std::vector<size_t> AlertPipeline::apply_filters(const std::vector<OutputSettings>& outputs) {
    std::vector<size_t> not_running;
    for (size_t i = 0; i < outputs.size(); ++i) {
        auto it = std::find_if(filters_.begin(), filters_.end(),
                               [&](const auto& f) { return f.first == outputs[i].name; });
        if (it == filters_.end()) {
            not_running.push_back(i);
            continue;
        }
        OutputFilter filter = outputs[i].filter;
        filter.live = nullptr;
        it->second->replace(std::move(filter));
    }
    return not_running;
}

void AlertPipeline::start() {
    outputs_->start();
    // Always: a reload may turn suppression on; without windows a pass is a few locks.
    summaries_ = std::thread([this] { run_summaries(); });
}

void AlertPipeline::add_figures(ServeSnapshot& snapshot) const {
    const AlertSpool* spool = outputs_->spool();
    std::vector<CursorStats> cursors;
    if (spool != nullptr) {
        const SpoolStats s = spool->stats();
        snapshot.spool = {true, s.bytes, s.max_bytes, s.full, s.refused_full};
        cursors = spool->cursor_stats();
    }
    for (const OutputStats& o : outputs_->stats()) {
        OutputFigures f{o.name, o.delivered, o.failed_attempts, o.retries, 0, 0};
        f.dead_lettered = o.dead_lettered;
        for (const CursorStats& c : cursors) {
            if (c.name != o.name) continue;
            f.pending_alerts = c.pending_records;
            f.oldest_pending_seconds = c.oldest_pending_age_seconds;
        }
        snapshot.outputs.push_back(std::move(f));
    }
}

void AlertPipeline::write_summaries(bool all) {
    suppressor_->take_closed(unix_now_ms(), all, *format_, pending_);
    if (pending_.empty()) return;
    const Status written = outputs_->delivery().write(pending_.records());
    if (written) {
        pending_.clear();
    } else {
        log_.warn("suppression summaries not written yet", {{"error", written.error().message}});
    }
}

void AlertPipeline::run_summaries() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, std::chrono::seconds(1));
        if (!stopping_) write_summaries(false);
    }
}

void AlertPipeline::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    wake_.notify_all();
    if (summaries_.joinable()) summaries_.join();
    write_summaries(true);  // windows opened before a reload turned suppression off too
    outputs_->stop();
}

}  // namespace vigie
