#include "metrics/serve_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <stdexcept>

namespace vigie {

namespace {

// A counter fed from a running total: increments by what the total grew since last time.
class TotalCounter {
  public:
    TotalCounter(prometheus::Family<prometheus::Counter>& family, const prometheus::Labels& labels)
        : counter_(family.Add(labels)) {}
    void update(uint64_t total) {
        if (total > last_) counter_.Increment(static_cast<double>(total - last_));
        last_ = total;
    }

  private:
    prometheus::Counter& counter_;
    uint64_t last_ = 0;
};

prometheus::Family<prometheus::Counter>& counter_family(prometheus::Registry& r, const char* name,
                                                        const char* help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

prometheus::Gauge& gauge(prometheus::Registry& r, const char* name, const char* help) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

}  // namespace

struct ServeMetrics::Impl {
    explicit Impl(const std::string& address) try : exposer(address, 2) {
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot serve metrics on " + address + ": " + e.what());
    }

    prometheus::Exposer exposer;
    std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
    prometheus::Family<prometheus::Counter>& http =
        counter_family(*registry, "vigie_http_responses_total", "HTTP answers by outcome");
    TotalCounter requests{http, {{"outcome", "all"}}};
    TotalCounter unauthorized{http, {{"outcome", "unauthorized"}}};
    TotalCounter rate_limited{http, {{"outcome", "rate_limited"}}};
    TotalCounter overloaded{http, {{"outcome", "unavailable"}}};
    TotalCounter too_large{http, {{"outcome", "too_large"}}};
    TotalCounter unsupported{http, {{"outcome", "unsupported_media"}}};
    prometheus::Gauge& connections =
        gauge(*registry, "vigie_http_connections", "Open HTTP connections");
    prometheus::Gauge& queued =
        gauge(*registry, "vigie_queued_jobs", "Ingest jobs waiting for a worker");
    prometheus::Gauge& ready = gauge(*registry, "vigie_ready", "1 when GET /readyz answers 200");
    prometheus::Family<prometheus::Counter>& nats = counter_family(
        *registry, "vigie_nats_messages_total", "NATS JetStream messages by outcome");
    TotalCounter nats_messages{nats, {{"outcome", "fetched"}}};
    TotalCounter nats_acked{nats, {{"outcome", "acked"}}};
    TotalCounter nats_redelivered{nats, {{"outcome", "redelivered"}}};
    TotalCounter nats_dead{nats, {{"outcome", "dead_lettered"}}};
    TotalCounter nats_naked{nats, {{"outcome", "naked"}}};
    prometheus::Family<prometheus::Counter>& reloads =
        counter_family(*registry, "vigie_reloads_total", "Rule and agency reloads by result");
    TotalCounter reloads_ok{reloads, {{"result", "ok"}}};
    TotalCounter reloads_failed{reloads, {{"result", "refused"}}};
};

ServeMetrics::ServeMetrics(ScanMetrics& scan, const std::string& address)
    : impl_(std::make_unique<Impl>(address)) {
    impl_->exposer.RegisterCollectable(impl_->registry);
    impl_->exposer.RegisterCollectable(scan.registry());
}

ServeMetrics::~ServeMetrics() = default;

uint16_t ServeMetrics::port() const {
    auto ports = impl_->exposer.GetListeningPorts();
    return ports.empty() ? 0 : static_cast<uint16_t>(ports.front());
}

void ServeMetrics::publish(const ServeSnapshot& s) {
    Impl& m = *impl_;
    m.requests.update(s.http_requests);
    m.unauthorized.update(s.http_unauthorized);
    m.rate_limited.update(s.http_rate_limited);
    m.overloaded.update(s.http_overloaded);
    m.too_large.update(s.http_too_large);
    m.unsupported.update(s.http_unsupported);
    m.connections.Set(static_cast<double>(s.http_connections));
    m.queued.Set(static_cast<double>(s.queued_jobs));
    m.ready.Set(s.ready ? 1 : 0);
    m.nats_messages.update(s.nats_messages);
    m.nats_acked.update(s.nats_acked);
    m.nats_redelivered.update(s.nats_redelivered);
    m.nats_dead.update(s.nats_dead_lettered);
    m.nats_naked.update(s.nats_naked);
    m.reloads_ok.update(s.reloads_ok);
    m.reloads_failed.update(s.reloads_failed);
}

}  // namespace vigie
