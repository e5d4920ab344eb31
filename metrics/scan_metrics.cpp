#include "metrics/scan_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace vigie {

namespace {
constexpr std::array<const char*, 5> kLevels = {"informational", "low", "medium", "high",
                                                "critical"};
}

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
                                                         .Name("vigie_event_bytes_total")
                                                         .Help("Bytes of events read")
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
    prometheus::Family<prometheus::Gauge>& rules = prometheus::BuildGauge()
                                                       .Name("vigie_rules")
                                                       .Help("Rules by load state")
                                                       .Register(*registry);
};

ScanMetrics::ScanMetrics() : impl_(std::make_unique<Impl>()) {}
ScanMetrics::~ScanMetrics() = default;

void ScanMetrics::add(const ScanCounters& c, const std::string& input) {
    impl_->events.Add({{"input", input}}).Increment(static_cast<double>(c.events));
    impl_->rejected.Add({{"input", input}}).Increment(static_cast<double>(c.rejected));
    impl_->bytes.Add({{"input", input}}).Increment(static_cast<double>(c.bytes));
    impl_->evaluations.Add({{"input", input}}).Increment(static_cast<double>(c.rule_evaluations));
    for (size_t i = 0; i < kLevels.size(); ++i) {
        impl_->alerts.Add({{"level", kLevels[i]}})
            .Increment(static_cast<double>(c.alerts_by_level[i]));
    }
}

void ScanMetrics::set_rules_loaded(uint64_t loaded, uint64_t failed) {
    impl_->rules.Add({{"state", "loaded"}}).Set(static_cast<double>(loaded));
    impl_->rules.Add({{"state", "failed"}}).Set(static_cast<double>(failed));
}

std::shared_ptr<prometheus::Registry> ScanMetrics::registry() const {
    return impl_->registry;
}

std::string ScanMetrics::exposition() const {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, impl_->registry->Collect());
    return out.str();
}

}  // namespace vigie
