// SPDX-License-Identifier: EUPL-1.2
#include "metrics/serve_metrics.hpp"

#include <prometheus/client_metric.h>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <deque>
#include <iterator>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <unordered_set>
#include <utility>

namespace vigie {

namespace pm = prometheus;

namespace {

using Labels = std::vector<pm::ClientMetric::Label>;

// The families of one collection, built from plain values: every figure is a total or a
// level read at this moment, so nothing is kept between scrapes but the rule labels.
class Builder {
  public:
    pm::MetricFamily& family(const char* name, const char* help, pm::MetricType type) {
        families_.push_back({name, help, type, {}});
        return families_.back();
    }
    pm::MetricFamily& counter(const char* name, const char* help) {
        return family(name, help, pm::MetricType::Counter);
    }
    pm::MetricFamily& gauge(const char* name, const char* help) {
        return family(name, help, pm::MetricType::Gauge);
    }
    std::vector<pm::MetricFamily> take() {
        return {std::make_move_iterator(families_.begin()),
                std::make_move_iterator(families_.end())};
    }

  private:
    std::deque<pm::MetricFamily> families_;  // a deque: the references handed out stay valid
};

void add_counter(pm::MetricFamily& f, Labels labels, double value) {
    pm::ClientMetric m;
    m.label = std::move(labels);
    m.counter.value = value;
    f.metric.push_back(std::move(m));
}

void add_gauge(pm::MetricFamily& f, Labels labels, double value) {
    pm::ClientMetric m;
    m.label = std::move(labels);
    m.gauge.value = value;
    f.metric.push_back(std::move(m));
}

double num(uint64_t n) {
    return static_cast<double>(n);
}

Labels agency_input(const IngestKey& key) {
    return {{"agency", key.agency},
            {"input", std::string(kIngestInputNames[static_cast<size_t>(key.input)])}};
}

pm::ClientMetric histogram(const LatencyHistogram& h) {
    pm::ClientMetric m;
    uint64_t cumulative = 0;
    for (size_t i = 0; i < h.counts.size(); ++i) {
        cumulative += h.counts[i];
        const double bound =
            i < kLatencyBounds.size() ? kLatencyBounds[i] : std::numeric_limits<double>::infinity();
        m.histogram.bucket.push_back({cumulative, bound});
    }
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = h.sum;
    return m;
}

// civetweb, behind prometheus::Exposer, gives each connection a thread until it ends: with
// its defaults (2 threads, 30 s request timeout, keep-alive) two idle connections blocked
// every scrape for 30 s. More threads than scrapers, a short request timeout and no
// keep-alive bound what idle connections can hold to seconds.
constexpr int kMetricsThreads = 8;
constexpr int kMetricsRequestTimeoutMs = 5000;

std::vector<std::string> exposer_options(const std::string& address) {
    return {"listening_ports",    address,
            "num_threads",        std::to_string(kMetricsThreads),
            "request_timeout_ms", std::to_string(kMetricsRequestTimeoutMs),
            "enable_keep_alive",  "no"};
}

void collect_http(Builder& b, const ServeSnapshot& s) {
    auto& http =
        b.counter("vigie_http_responses_total", "HTTP answers by outcome (all: every one)");
    const std::pair<const char*, uint64_t> outcomes[] = {{"all", s.http_requests},
                                                         {"unauthorized", s.http_unauthorized},
                                                         {"rate_limited", s.http_rate_limited},
                                                         {"unavailable", s.http_overloaded},
                                                         {"too_large", s.http_too_large},
                                                         {"unsupported_media", s.http_unsupported}};
    for (const auto& [outcome, n] : outcomes) add_counter(http, {{"outcome", outcome}}, num(n));
    add_gauge(b.gauge("vigie_http_connections", "Open HTTP connections"), {},
              num(s.http_connections));
    add_gauge(b.gauge("vigie_http_requests_in_progress",
                      "Requests handed to the worker pools and not yet answered"),
              {}, num(s.http_in_progress));
    add_counter(b.counter("vigie_http_evicted_connections_total",
                          "Idle unauthenticated connections closed to give a newcomer their slot"),
                {}, num(s.http_evicted));
}

void collect_engine(Builder& b, const ServeSnapshot& s) {
    add_gauge(b.gauge("vigie_queued_jobs", "Ingest jobs waiting for a worker"), {},
              num(s.queued_jobs));
    add_gauge(b.gauge("vigie_queue_capacity", "Ingest jobs the queue holds before refusing (503)"),
              {}, num(s.queue_capacity));
    add_gauge(b.gauge("vigie_ready", "1 when GET /readyz answers 200"), {}, s.ready ? 1 : 0);
    add_gauge(b.gauge("vigie_rules_loaded", "Rules in the ruleset in use"), {},
              num(s.rules_loaded));
    auto& reloads = b.counter("vigie_reloads_total", "Rule and agency reloads by result");
    add_counter(reloads, {{"result", "ok"}}, num(s.reloads_ok));
    add_counter(reloads, {{"result", "refused"}}, num(s.reloads_failed));
}

void collect_nats(Builder& b, const ServeSnapshot& s) {
    auto& nats = b.counter("vigie_nats_messages_total", "NATS JetStream messages by outcome");
    const std::pair<const char*, uint64_t> outcomes[] = {{"fetched", s.nats_messages},
                                                         {"acked", s.nats_acked},
                                                         {"redelivered", s.nats_redelivered},
                                                         {"dead_lettered", s.nats_dead_lettered},
                                                         {"naked", s.nats_naked}};
    for (const auto& [outcome, n] : outcomes) add_counter(nats, {{"outcome", outcome}}, num(n));
    add_gauge(
        b.gauge("vigie_nats_pending_messages", "NATS messages fetched and not yet acknowledged"),
        {}, num(s.nats_in_flight));
}

void collect_spool(Builder& b, const SpoolFigures& spool) {
    if (!spool.enabled) return;
    add_gauge(b.gauge("vigie_spool_bytes", "Bytes of alerts in the local spool"), {},
              num(spool.bytes));
    add_gauge(b.gauge("vigie_spool_max_bytes", "Size at which the spool is full (spool.max_bytes)"),
              {}, num(spool.max_bytes));
    add_gauge(b.gauge("vigie_spool_full", "1 while the spool is full and ingest is refused"), {},
              spool.full ? 1 : 0);
    add_counter(
        b.counter("vigie_spool_full_refusals_total", "Appends refused because the spool was full"),
        {}, num(spool.refused_full));
}

void collect_indicators(Builder& b, const IndicatorFigures& f) {
    if (!f.enabled) return;
    auto& live = b.gauge("vigie_indicators",
                         "Indicators matched on every event, by object type, TLP and source peer");
    for (const auto& l : f.live)
        add_gauge(live, {{"type", l.type}, {"tlp", l.tlp}, {"source", l.source}}, num(l.count));
    add_gauge(b.gauge("vigie_indicators_stored", "Indicators in the store"), {}, num(f.stored));
    add_gauge(
        b.gauge("vigie_indicators_max", "Size of the store's bound (indicators.max_indicators)"),
        {}, num(f.max_stored));
    add_counter(
        b.counter("vigie_indicator_evictions_total", "Indicators evicted to stay within the bound"),
        {}, num(f.evictions));
    add_counter(b.counter("vigie_indicators_not_matched_total",
                          "Indicators stored whose pattern is outside the per-event subset"),
                {}, num(f.not_matched));
    add_counter(b.counter("vigie_indicator_objects_rejected_total",
                          "STIX/MISP objects refused (invalid, over a limit)"),
                {}, num(f.rejected));
    add_counter(b.counter("vigie_indicator_matches_total", "Indicator alerts written"), {},
                num(f.matches));
    add_counter(b.counter("vigie_sightings_published_total", "STIX Sightings sent to source peers"),
                {}, num(f.sightings_published));
    if (f.sync_lag_seconds.empty()) return;
    auto& lag = b.gauge("vigie_federation_sync_lag_seconds",
                        "Seconds since the last successful poll of a peer's collection");
    for (const auto& [peer, seconds] : f.sync_lag_seconds)
        add_gauge(lag, {{"peer", peer}}, seconds);
}

void collect_outputs(Builder& b, const std::vector<OutputFigures>& outputs) {
    if (outputs.empty()) return;
    auto& delivered = b.counter("vigie_output_delivered_total", "Alerts delivered by output");
    auto& errors = b.counter("vigie_output_errors_total", "Failed deliveries by output");
    auto& retries = b.counter("vigie_output_retries_total", "Deliveries retried by output");
    auto& dead = b.counter("vigie_output_dead_letters_total",
                           "Alerts an upstream refused for good, put in the dead-letter file");
    auto& pending =
        b.gauge("vigie_spool_pending_alerts", "Alerts in the spool not yet delivered, by output");
    auto& oldest = b.gauge("vigie_spool_oldest_unforwarded_seconds",
                           "Age of the oldest alert not yet delivered, by output (0 when none)");
    for (const OutputFigures& o : outputs) {
        Labels l{{"output", o.name}};
        add_counter(delivered, l, num(o.delivered));
        add_counter(errors, l, num(o.errors));
        add_counter(retries, l, num(o.retries));
        add_counter(dead, l, num(o.dead_lettered));
        add_gauge(pending, l, num(o.pending_alerts));
        add_gauge(oldest, l, o.oldest_pending_seconds);
    }
}

void collect_ingest_counts(Builder& b, const IngestFigures& f) {
    auto& received = b.counter("vigie_events_received_total",
                               "Events received, by agency and input (a body refused whole: 1)");
    auto& rejected = b.counter("vigie_events_rejected_total",
                               "Events not processed, by agency, input and reason");
    auto& bytes = b.counter("vigie_received_bytes_total", "Body bytes received (decoded)");
    auto& evaluations =
        b.counter("vigie_rule_evaluations_total",
                  "Rule conditions evaluated: the candidates the prefilter let through");
    auto& alerts = b.counter("vigie_alerts_total", "Alerts delivered, by agency and rule level");
    std::map<std::string, std::array<uint64_t, kLevelNames.size()>> by_agency;
    for (const auto& [key, c] : f.counts) {
        add_counter(received, agency_input(key), num(c.received));
        add_counter(bytes, agency_input(key), num(c.bytes));
        for (size_t r = 0; r < c.rejected.size(); ++r) {
            if (c.rejected[r] == 0) continue;  // only the reasons seen: fewer series
            Labels l = agency_input(key);
            l.push_back({"reason", std::string(kRejectReasonNames[r])});
            add_counter(rejected, std::move(l), num(c.rejected[r]));
        }
        if (key.agency == kUnknownAgency) continue;  // refusals only: no evaluation, no alert
        add_counter(evaluations, agency_input(key), num(c.rule_evaluations));
        auto& levels = by_agency[key.agency];
        for (size_t i = 0; i < levels.size(); ++i) levels[i] += c.alerts[i];
    }
    for (const auto& [agency, levels] : by_agency) {
        for (size_t i = 0; i < levels.size(); ++i)
            add_counter(alerts, {{"agency", agency}, {"level", std::string(kLevelNames[i])}},
                        num(levels[i]));
    }
}

// Rare by design (a regex over its limit): only the rules that hit it have a series.
void collect_regex_limit_hits(Builder& b, const RuleMatches& m) {
    if (m.by_rule.empty() && m.other == 0) return;
    auto& family = b.counter("vigie_rule_regex_limit_hits_total",
                             "Rule evaluations in which a regex hit its match limit: undecided, "
                             "and the rule fired if that test could make it hold (fail-closed)");
    for (const auto& [id, n] : m.by_rule) add_counter(family, {{"rule_id", id}}, num(n));
    if (m.other > 0) add_counter(family, {{"rule_id", std::string(kOtherRule)}}, num(m.other));
}

}  // namespace

// The one collectable behind /metrics and the Pushgateway (a push of several collectables
// to one grouping key would have each replace the one before).
class ServeMetrics::Families final : public pm::Collectable {
  public:
    Families(IngestSource ingest, ServeMetricsOptions options)
        : ingest_(std::move(ingest)), options_(std::move(options)) {}

    std::vector<pm::MetricFamily> Collect() const override {
        Builder b;
        ServeSnapshot s;
        {
            std::lock_guard lock(mutex_);
            s = snapshot_;
        }
        collect_http(b, s);
        collect_engine(b, s);
        collect_nats(b, s);
        collect_spool(b, options_.spool ? options_.spool() : s.spool);
        collect_outputs(b, s.outputs);
        collect_indicators(b, s.indicators);
        if (ingest_) {
            const IngestFigures f = ingest_();
            collect_ingest_counts(b, f);
            collect_rule_matches(b, f.rule_matches);
            collect_regex_limit_hits(b, f.regex_limit_hits);
            auto& latency = b.family("vigie_event_latency_seconds",
                                     "Ingest jobs from receipt by the input to their alerts "
                                     "stored and the sender answered or acknowledged",
                                     pm::MetricType::Histogram);
            latency.metric.push_back(histogram(f.latency));
        }
        add_counter(b.counter("vigie_pushgateway_errors_total", "Failed pushes to the Pushgateway"),
                    {}, num(push_errors_.load()));
        add_gauge(b.gauge("vigie_build_info", "The running build (always 1)"),
                  {{"version", options_.version}, {"compiler", __VERSION__}}, 1);
        return b.take();
    }

    void publish(const ServeSnapshot& s) {
        std::lock_guard lock(mutex_);
        snapshot_ = s;
    }
    void count_push_error() { ++push_errors_; }

  private:
    // The first max_rule_labels ids keep their series for the life of the process (a
    // counter must not move from one series to another); every later one adds to _other.
    void collect_rule_matches(Builder& b, const RuleMatches& m) const {
        auto& family = b.counter("vigie_rule_matches_total",
                                 "Alerts by rule id (beyond the label cap: rule_id=\"_other\")");
        uint64_t other = m.other;
        std::lock_guard lock(mutex_);
        for (const auto& [id, n] : m.by_rule) {
            if (labeled_rules_.count(id) == 0) {
                if (labeled_rules_.size() >= options_.max_rule_labels) {
                    other += n;
                    continue;
                }
                labeled_rules_.insert(id);
            }
            add_counter(family, {{"rule_id", id}}, num(n));
        }
        add_counter(family, {{"rule_id", std::string(kOtherRule)}}, num(other));
    }

    IngestSource ingest_;
    const ServeMetricsOptions options_;
    mutable std::mutex mutex_;  // snapshot_, labeled_rules_
    ServeSnapshot snapshot_;
    mutable std::unordered_set<std::string> labeled_rules_;
    std::atomic<uint64_t> push_errors_{0};
};

struct ServeMetrics::Impl {
    Impl(const std::string& address, IngestSource ingest, const ServeMetricsOptions& options) try
        : families(std::make_shared<Families>(std::move(ingest), options)) {
        if (options.serve_http) exposer = std::make_unique<pm::Exposer>(exposer_options(address));
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot serve metrics on " + address + ": " + e.what());
    }

    std::shared_ptr<Families> families;
    // After `families`: destroyed first, so that no scrape runs while they go.
    std::unique_ptr<pm::Exposer> exposer;
};

ServeMetrics::ServeMetrics(const std::string& address, IngestSource ingest,
                           const ServeMetricsOptions& options)
    : impl_(std::make_unique<Impl>(address, std::move(ingest), options)) {
    if (impl_->exposer) impl_->exposer->RegisterCollectable(impl_->families);
}

ServeMetrics::~ServeMetrics() = default;

uint16_t ServeMetrics::port() const {
    if (!impl_->exposer) return 0;
    auto ports = impl_->exposer->GetListeningPorts();
    return ports.empty() ? 0 : static_cast<uint16_t>(ports.front());
}

void ServeMetrics::publish(const ServeSnapshot& snapshot) {
    impl_->families->publish(snapshot);
}

std::string ServeMetrics::exposition() const {
    return pm::TextSerializer().Serialize(impl_->families->Collect());
}

void ServeMetrics::count_push_error() {
    impl_->families->count_push_error();
}

std::shared_ptr<pm::Collectable> ServeMetrics::collectable() const {
    return impl_->families;
}

}  // namespace vigie
