// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What happens to alerts in `vigie serve`, built from the configuration: the format, the
// suppression windows, the outputs (local ones written before an input is acknowledged,
// forwarding ones fed from the spool) and the thread that writes suppression summaries
// when their windows close. serve_command wires it between the engine and the metrics.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/config/serve_config.hpp"
#include "core/logger.hpp"
#include "delivery/outputs/alert_outputs.hpp"
#include "metrics/serve_metrics.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/alerts/alert_suppressor.hpp"
#include "pipeline/scan/batch_scanner.hpp"

namespace vigie {

// alerts.outputs, or the one local output alerts.output names when it is absent.
std::vector<OutputSettings> effective_outputs(const ServeConfig& config);

class AlertPipeline {
  public:
    // Throws std::runtime_error when an output or the spool cannot be set up.
    AlertPipeline(const ServeConfig& config, Logger& log);
    ~AlertPipeline();
    AlertPipeline(const AlertPipeline&) = delete;
    AlertPipeline& operator=(const AlertPipeline&) = delete;

    [[nodiscard]] const AlertFormat& format() const { return *format_; }
    [[nodiscard]] AlertSink& sink() { return outputs_->delivery(); }
    // For the engine's workers: the event details to read, the suppressor.
    [[nodiscard]] AlertOptions alert_options() const;
    void start();
    // After the engine drained: writes every open suppression summary, then stops the
    // forwarding loops (what they have not delivered stays in the spool for next time).
    void stop();

    [[nodiscard]] std::vector<OutputStats> output_stats() const { return outputs_->stats(); }
    [[nodiscard]] AlertSpool* spool() { return outputs_->spool(); }
    [[nodiscard]] SuppressionStats suppression_stats() const { return suppressor_->stats(); }
    // alerts.suppression from a reload: later alerts are suppressed under it.
    void apply_suppression(const SuppressionSettings& settings) {
        suppressor_->reconfigure(settings);
    }
    // The filters of `outputs` (a reload's effective_outputs) to the running outputs of the
    // same names; the indexes in `outputs` of those no running output has (a restart adds
    // them).
    std::vector<size_t> apply_filters(const std::vector<OutputSettings>& outputs);
    // The spool's and the outputs' figures for the metrics.
    void add_figures(ServeSnapshot& snapshot) const;

  private:
    void write_summaries(bool all);
    void run_summaries();

    Logger& log_;
    AlertContentSettings content_;
    std::unique_ptr<AlertFormat> format_;
    std::unique_ptr<AlertSuppressor> suppressor_;
    std::unique_ptr<AlertOutputs> outputs_;
    std::vector<std::pair<std::string, std::shared_ptr<LiveOutputFilter>>> filters_;  // by name
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    AlertRecordBatch pending_;  // summaries whose write failed (spool full): written again
    std::thread summaries_;
};

}  // namespace vigie
