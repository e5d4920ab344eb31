// SPDX-License-Identifier: EUPL-1.2
#include "metrics/scan_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <sstream>

#include "pipeline/engine/ingest_figures.hpp"

namespace vigie {

struct ScanMetrics::Impl {
    std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
    prometheus::Family<prometheus::Counter>& events = prometheus::BuildCounter()
                                                          .Name("vigie_events_received_total")
                                                          .Help("Events read")
                                                          .Register(*registry);
    prometheus::Family<prometheus::Counter>& rejected = prometheus::BuildCounter()
                                                            .Name("vigie_events_rejected_total")
                                                            .Help("Documents rejected")
                                                            .Register(*registry);
    prometheus::Family<prometheus::Counter>& bytes = prometheus::BuildCounter()
                                                         .Name("vigie_received_bytes_total")
                                                         .Help("Bytes of documents read")
                                                         .Register(*registry);
    prometheus::Family<prometheus::Counter>& alerts = prometheus::BuildCounter()
                                                          .Name("vigie_alerts_total")
                                                          .Help("Alerts by rule level")
                                                          .Register(*registry);
    prometheus::Family<prometheus::Counter>& evaluations =
        prometheus::BuildCounter()
            .Name("vigie_rule_evaluations_total")
            .Help("Rule conditions evaluated: the candidates the prefilter let through")
            .Register(*registry);
    prometheus::Family<prometheus::Counter>& regex_limit_hits =
        prometheus::BuildCounter()
            .Name("vigie_rule_regex_limit_hits_total")
            .Help(
                "Rule evaluations in which a regex hit its match limit: undecided, and the "
                "rule fired if that test could make it hold (fail-closed)")
            .Register(*registry);
    prometheus::Gauge& rules_loaded = prometheus::BuildGauge()
                                          .Name("vigie_rules_loaded")
                                          .Help("Rules loaded")
                                          .Register(*registry)
                                          .Add({});
    prometheus::Gauge& rules_failed = prometheus::BuildGauge()
                                          .Name("vigie_rules_failed")
                                          .Help("Rule documents that could not be loaded")
                                          .Register(*registry)
                                          .Add({});
};

ScanMetrics::ScanMetrics() : impl_(std::make_unique<Impl>()) {}
ScanMetrics::~ScanMetrics() = default;

void ScanMetrics::add(const ScanCounters& c, const std::string& input) {
    impl_->events.Add({{"input", input}}).Increment(static_cast<double>(c.events));
    impl_->rejected.Add({{"input", input}}).Increment(static_cast<double>(c.rejected));
    impl_->bytes.Add({{"input", input}}).Increment(static_cast<double>(c.bytes));
    impl_->evaluations.Add({{"input", input}}).Increment(static_cast<double>(c.rule_evaluations));
    for (size_t i = 0; i < kLevelNames.size(); ++i) {
        impl_->alerts.Add({{"level", std::string(kLevelNames[i])}})
            .Increment(static_cast<double>(c.alerts_by_level[i]));
    }
}

void ScanMetrics::add_regex_limit_hit(const std::string& rule_id) {
    impl_->regex_limit_hits.Add({{"rule_id", rule_id}}).Increment();
}

void ScanMetrics::set_rules_loaded(uint64_t loaded, uint64_t failed) {
    impl_->rules_loaded.Set(static_cast<double>(loaded));
    impl_->rules_failed.Set(static_cast<double>(failed));
}

std::string ScanMetrics::exposition() const {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, impl_->registry->Collect());
    return out.str();
}

}  // namespace vigie
