// SPDX-License-Identifier: EUPL-1.2
#include "delivery/outputs/forwarding_loop.hpp"

#include <algorithm>

#include "delivery/outputs/output_filter.hpp"

namespace vigie {

namespace {

constexpr std::chrono::milliseconds kReadWait{200};
// A Retry-After longer than this is treated as this: the output must not go silent for
// hours on one misconfigured answer.
constexpr std::chrono::milliseconds kMaxRetryAfter{10 * 60 * 1000};

// Logs the first failure, a changed error, and then every 2^k-th failure: the log shows
// an outage without a line per retry.
bool worth_logging(uint32_t failures) {
    return (failures & (failures - 1)) == 0;
}

}  // namespace

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, uint32_t failures,
                                        std::mt19937_64& random) {
    const uint32_t doublings = std::min<uint32_t>(failures > 0 ? failures - 1 : 0, 30);
    const int64_t ceiling =
        std::min<int64_t>(policy.max.count(), policy.initial.count() * (int64_t{1} << doublings));
    std::uniform_int_distribution<int64_t> pick(0, std::max<int64_t>(ceiling, 0));
    return std::chrono::milliseconds(pick(random));
}

ForwardingLoop::ForwardingLoop(const OutputSettings& settings,
                               std::unique_ptr<AlertForwarder> forwarder, AlertSpool& spool,
                               RetryPolicy retry, OutputLog log,
                               std::unique_ptr<DeadLetterFile> dead_letters)
    : name_(settings.name),
      filter_(settings.filter),
      forwarder_(std::move(forwarder)),
      spool_(spool),
      retry_(retry),
      log_(std::move(log)),
      counters_(settings.name, settings.type),
      random_(std::random_device{}()),
      dead_letters_(std::move(dead_letters)) {}

ForwardingLoop::~ForwardingLoop() {
    stop();
}

void ForwardingLoop::start() {
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void ForwardingLoop::drain() {
    draining_.store(true);
    spool_.wake_readers();  // a read waiting for new alerts returns now
}

bool ForwardingLoop::wait_drained(std::chrono::steady_clock::time_point deadline) {
    if (!thread_.joinable()) return true;
    std::unique_lock lock(mutex_);
    return ended_cv_.wait_until(lock, deadline, [&] { return ended_; });
}

void ForwardingLoop::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_.store(true);
    }
    wake_.notify_all();
    forwarder_->interrupt();
    spool_.wake_readers();
    if (thread_.joinable()) thread_.join();
}

OutputStats ForwardingLoop::stats() const {
    OutputStats s = counters_.snapshot();
    s.connected = forwarder_->connected();
    return s;
}

void ForwardingLoop::note(LogLevel level, std::string_view message, std::string_view detail) const {
    if (log_) log_(level, name_, message, detail);
}

bool ForwardingLoop::pause(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, delay, [&] { return stopping_.load(); });
}

void ForwardingLoop::report_failure(const DeliveryResult& result, uint32_t failures) {
    counters_.record_failure(result.error);
    if (!worth_logging(failures) && result.error == last_logged_error_) return;
    last_logged_error_ = result.error;
    note(result.retryable ? LogLevel::Warning : LogLevel::Error,
         result.retryable ? "delivery failed; retrying"
                          : "delivery refused, likely a permanent error; retrying",
         result.error + " (attempt " + std::to_string(failures) + ")");
}

bool ForwardingLoop::deliver_until_done(std::span<const ForwardedAlert> alerts) {
    for (uint32_t failures = 0;;) {
        if (stopping_.load()) return false;
        if (failures > 0) counters_.add_retry();
        const DeliveryResult result = forwarder_->deliver(alerts);
        if (result.delivered) {
            counters_.set_ok(true);
            if (failures > 0)
                note(LogLevel::Info, "delivering again",
                     "after " + std::to_string(failures) + " failed attempts");
            last_logged_error_.clear();
            return true;
        }
        if (stopping_.load()) return false;  // interrupted: not a failure of the upstream
        if (result.refused && dead_letters_) {
            if (alerts.size() > 1) return deliver_one_by_one(alerts, result.error);
            if (dead_letter(alerts.front(), result.error)) return true;
        }
        report_failure(result, ++failures);
        const auto delay = result.retry_after ? std::min(*result.retry_after, kMaxRetryAfter)
                                              : backoff_delay(retry_, failures, random_);
        if (!pause(delay)) return false;
    }
}

bool ForwardingLoop::deliver_one_by_one(std::span<const ForwardedAlert> alerts,
                                        const std::string& refusal) {
    note(LogLevel::Warning, "batch refused for good; sending its alerts one by one",
         refusal + " (" + std::to_string(alerts.size()) + " alerts)");
    for (size_t i = 0; i < alerts.size(); ++i)
        if (!deliver_until_done(alerts.subspan(i, 1))) return false;
    return true;
}

bool ForwardingLoop::dead_letter(const ForwardedAlert& alert, const std::string& reason) {
    if (Status stored = dead_letters_->write(alert.routing, alert.line, reason); !stored) {
        note(LogLevel::Error, "alert refused for good but not dead-lettered; retrying",
             stored.error().message);
        return false;
    }
    counters_.add_dead_lettered();
    ++batch_dead_lettered_;
    note(LogLevel::Error, "alert refused for good; dead-lettered",
         "uid " + std::string(alert.routing.uid) + ", " + std::to_string(alert.line.size()) +
             " bytes, to " + dead_letters_->path() + ": " + reason);
    return true;
}

void ForwardingLoop::run() {
    forward();
    {
        std::lock_guard lock(mutex_);
        ended_ = true;
    }
    ended_cv_.notify_all();
}

void ForwardingLoop::forward() {
    std::vector<ForwardedAlert> alerts;
    while (!stopping_.load()) {
        // Loaded before the read: a drain requested during it wakes the read, and the next
        // turn reads again without waiting.
        const bool draining = draining_.load();
        SpoolBatch batch = spool_.read(name_, forwarder_->max_batch(),
                                       draining ? std::chrono::milliseconds(0) : kReadWait);
        if (batch.records.empty()) {
            if (draining) return;  // everything spooled is delivered
            continue;
        }
        alerts.clear();
        uint64_t filtered = 0, malformed = 0;
        for (const SpoolRecord& record : batch.records) {
            ForwardedAlert alert;
            // The record's stored form (alert_envelope.hpp), written by this or an earlier
            // version: its routing line is read back, the alert line is sent as it is.
            if (!parse_envelope(record.data, alert.routing, alert.line)) {
                ++malformed;
                note(LogLevel::Error, "spool record is no alert envelope; skipped",
                     record.data.substr(0, 200));
                continue;
            }
            if (!filter_accepts(filter_, alert.routing)) {
                ++filtered;
                continue;
            }
            alert.appended_unix_ms = record.appended_unix_ms;
            alerts.push_back(alert);
        }
        batch_dead_lettered_ = 0;
        if (!alerts.empty() && !deliver_until_done(alerts)) return;
        spool_.commit(name_, batch.next);
        counters_.add_delivered(alerts.size() - batch_dead_lettered_);
        counters_.add_filtered(filtered);
        counters_.add_malformed(malformed);
    }
}

}  // namespace vigie
