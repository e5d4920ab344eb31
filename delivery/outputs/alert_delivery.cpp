// SPDX-License-Identifier: EUPL-1.2
#include "delivery/outputs/alert_delivery.hpp"

#include <chrono>

#include "delivery/outputs/output_filter.hpp"
#include "pipeline/alerts/alert_envelope.hpp"

namespace vigie {

namespace {

int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

AlertDelivery::AlertDelivery(std::vector<std::unique_ptr<LocalOutput>> locals, AlertSpool* spool,
                             OutputLog log)
    : locals_(std::move(locals)), spool_(spool), log_(std::move(log)) {}

// A full spool means the hub has been unreachable long enough that agencies are now being
// refused: an operator must hear it at once, and again while it lasts, not once a day.
void AlertDelivery::report_full() {
    const int64_t now = steady_ms();
    const bool first = !full_reported_.exchange(true);
    int64_t last = full_logged_ms_.load();
    if (first) {
        full_logged_ms_.store(now);
    } else if (now - last < kFullReminderSeconds * 1000 ||
               !full_logged_ms_.compare_exchange_strong(last, now)) {
        return;  // logged lately, or another worker is logging it now
    }
    if (!log_) return;
    const SpoolStats s = spool_->stats();
    log_(LogLevel::Error, "spool",
         first ? "alert spool full: ingest refused (HTTP 503, NATS not acknowledged) until "
                 "the forwarding outputs catch up"
               : "alert spool still full: ingest still refused",
         std::to_string(s.bytes) + " of " + std::to_string(s.max_bytes) + " bytes, " +
             std::to_string(s.refused_full) + " appends refused since start");
}

void AlertDelivery::report_room() {
    if (!full_reported_.exchange(false) || !log_) return;
    const SpoolStats s = spool_->stats();
    log_(LogLevel::Info, "spool", "alert spool has room again: ingest resumed",
         std::to_string(s.bytes) + " of " + std::to_string(s.max_bytes) + " bytes");
}

// A worker's buffers, reused from job to job (AlertDelivery is shared by the workers).
struct AlertDelivery::Scratch {
    std::string stored;  // the records in the spool's form, one after the other
    std::vector<size_t> ends;
    std::vector<std::string_view> records;
    std::vector<std::string> lines;  // per local output: the text of the alerts it takes
    std::vector<uint64_t> taken;
};

Status AlertDelivery::append_to_spool(std::span<const AlertRecord> alerts, Scratch& scratch) {
    if (!spool_ || alerts.empty()) return {};
    scratch.stored.clear();
    scratch.ends.clear();
    for (const AlertRecord& alert : alerts) {
        append_envelope(alert.routing(), alert.text, scratch.stored);
        scratch.stored.pop_back();  // stored without the final newline
        scratch.ends.push_back(scratch.stored.size());
    }
    scratch.records.clear();
    const std::string_view stored = scratch.stored;
    for (size_t i = 0, begin = 0; i < scratch.ends.size(); begin = scratch.ends[i++])
        scratch.records.push_back(stored.substr(begin, scratch.ends[i] - begin));
    const std::span<const std::string_view> records = scratch.records;
    const AppendStatus status = spool_->append(records);
    if (status == AppendStatus::Stored) {
        if (full_reported_.load(std::memory_order_relaxed)) report_room();
        return {};
    }
    spool_refusals_.fetch_add(1, std::memory_order_relaxed);
    if (status == AppendStatus::TooLarge) {
        // Not "spool full": the spool may be empty; these alerts alone are more than it holds.
        return Error{std::to_string(records.size()) + " alerts (" +
                         std::to_string(scratch.stored.size()) +
                         " bytes) are more than the whole alert spool holds (spool.max_bytes " +
                         std::to_string(spool_->stats().max_bytes) + ")",
                     {},
                     ErrorKind::Refused};
    }
    if (status == AppendStatus::Full) {
        report_full();
        return Error{"alert spool full (" + std::to_string(spool_->stats().max_bytes) +
                     " bytes): ingest paused until the forwarding outputs catch up"};
    }
    return Error{"alert spool: I/O error while storing " + std::to_string(records.size()) +
                 " alerts (see the spool's log lines); input not acknowledged"};
}

Status AlertDelivery::write(std::span<const AlertRecord> alerts) {
    if (alerts.empty()) return {};
    thread_local Scratch scratch;
    scratch.lines.resize(locals_.size());
    scratch.taken.assign(locals_.size(), 0);
    for (std::string& lines : scratch.lines) lines.clear();
    for (const AlertRecord& alert : alerts) {
        // One line each, or the spool could not store it: a bug in the formatter, refused
        // loudly rather than lost.
        if (alert.text.find('\n') != std::string::npos)
            return Error{"alert delivery: the text of alert " + alert.uid + " is not one line"};
        const AlertRouting routing = alert.routing();
        for (size_t i = 0; i < locals_.size(); ++i) {
            if (!filter_accepts(locals_[i]->filter(), routing)) continue;
            scratch.lines[i].append(alert.text).push_back('\n');
            ++scratch.taken[i];
        }
    }
    if (Status spooled = append_to_spool(alerts, scratch); !spooled) return spooled;
    for (size_t i = 0; i < locals_.size(); ++i) {
        OutputCounters& counters = locals_[i]->counters();
        Status written = locals_[i]->write(scratch.lines[i]);
        if (!written) {
            counters.record_failure(written.error().message);
            return written;
        }
        counters.set_ok(true);
        counters.add_delivered(scratch.taken[i]);
        counters.add_filtered(alerts.size() - scratch.taken[i]);
    }
    return {};
}

void AlertDelivery::flush() {
    for (auto& local : locals_) local->flush();
}

std::vector<OutputStats> AlertDelivery::stats() const {
    std::vector<OutputStats> out;
    for (const auto& local : locals_) out.push_back(local->stats());
    return out;
}

uint64_t AlertDelivery::spool_refusals() const {
    return spool_refusals_.load(std::memory_order_relaxed);
}

}  // namespace vigie
