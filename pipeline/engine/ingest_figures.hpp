// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The ingest counters of vigie serve as plain values, without Prometheus: what the engine
// and its inputs count (per worker, once per job), and what ServeMetrics folds and exposes
// at scrape time. Every label here has a bounded set of values: agencies are the configured
// ones (an unauthenticated sender is kUnknownAgency), inputs and reasons are enums, rule
// ids are capped (kDefaultMaxRuleLabels) with the rest under kOtherRule.
#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vigie {

enum class IngestInput : uint8_t { Http, Nats };
inline constexpr std::array<std::string_view, 2> kIngestInputNames = {"http", "nats"};

// Why events were not processed. A fixed set: the `reason` label stays bounded.
enum class RejectReason : uint8_t {
    MalformedJson,   // not JSON, truncated, bytes between documents
    InvalidUtf8,     // the document is not valid UTF-8
    NotObject,       // a JSON document that is not an object
    TooLarge,        // an event over max_event_bytes, a body over max_body_bytes or the burst
    UnreadableBody,  // unsupported Content-Type or Content-Encoding, corrupt gzip
    Unauthorized,    // bad or missing token, or a client certificate of another agency
    UnknownAgency,   // a NATS subject that is not <prefix><configured agency>
    RateLimited,     // over the agency's rate (HTTP 429)
    Overloaded,      // the queue is full or vigie is draining (HTTP 503, NATS nak)
    OutputError,     // the alerts could not be written: the sender must send them again
    DeliveryLimit,   // a NATS message delivered more than nats.max_deliver times: dead-lettered
};
inline constexpr std::array<std::string_view, 11> kRejectReasonNames = {
    "malformed_json",  "invalid_utf8", "not_object",     "too_large",
    "unreadable_body", "unauthorized", "unknown_agency", "rate_limited",
    "overloaded",      "output_error", "delivery_limit"};
std::string_view reject_reason_name(RejectReason reason);

// Indexed by detector Level (informational .. critical).
inline constexpr std::array<std::string_view, 5> kLevelNames = {"informational", "low", "medium",
                                                                "high", "critical"};

// The agency label of what came from no configured agency (a bad token, an unknown NATS
// subject): the sender's claim is never a label value, so that it cannot grow the series.
inline constexpr std::string_view kUnknownAgency = "_unknown";

// Counts of one (agency, input). A body or message refused as a whole before its events
// were counted (bad token, unreadable body, unknown subject) counts as one event.
// Invariant: received - sum(rejected) = events evaluated and acknowledged.
struct IngestCounts {
    uint64_t received = 0;  // events (documents)
    uint64_t bytes = 0;     // body bytes, after gzip decoding
    uint64_t rule_evaluations = 0;
    std::array<uint64_t, kRejectReasonNames.size()> rejected{};  // by RejectReason
    std::array<uint64_t, kLevelNames.size()> alerts{};           // by Level, delivered only

    void reject(RejectReason reason, uint64_t events) {
        rejected[static_cast<size_t>(reason)] += events;
    }
    void add(const IngestCounts& other);
};

struct IngestKey {
    std::string agency;
    IngestInput input = IngestInput::Http;
    // NOLINTNEXTLINE(modernize-use-nullptr): a clang-tidy 14 false positive on <=>
    auto operator<=>(const IngestKey&) const = default;
};

// Upper bounds of the end-to-end latency buckets, in seconds: from a millisecond (a small
// HTTP request) to a minute (a NATS job held back by a full spool).
inline constexpr std::array<double, 15> kLatencyBounds = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

struct LatencyHistogram {
    std::array<uint64_t, kLatencyBounds.size() + 1> counts{};  // per bucket; the last is +Inf
    double sum = 0;

    void observe(double seconds);
    void add(const LatencyHistogram& other);
    [[nodiscard]] uint64_t count() const;
};

// Distinct rule ids counted by name, by default; the rest are counted under kOtherRule.
// A series per rule id is what a SOC wants (which rules fire), but rule sets change with
// every reload: the cap bounds the series of a long-running process whatever the rules.
inline constexpr size_t kDefaultMaxRuleLabels = 500;
inline constexpr std::string_view kOtherRule = "_other";

struct RuleMatches {
    std::unordered_map<std::string, uint64_t> by_rule;
    uint64_t other = 0;  // matches of rules that found no room under the cap

    // Counts under the rule's id while fewer than `max_rules` ids are known, else as other.
    void count(const std::string& rule_id, uint64_t matches, size_t max_rules);
    // Merges without a cap (the exposition applies its own).
    void add(const RuleMatches& other);
};

struct IngestFigures {
    std::map<IngestKey, IngestCounts> counts;
    RuleMatches rule_matches;
    // Rule evaluations in which a regex hit its match limit, by rule id (same cap).
    RuleMatches regex_limit_hits;
    LatencyHistogram latency;

    IngestCounts& at(std::string_view agency, IngestInput input) {
        return counts[IngestKey{std::string(agency), input}];
    }
    void add(const IngestFigures& other);
};

}  // namespace vigie
