#include "outputs/alert_delivery.hpp"

#include "alerts/alert_envelope.hpp"
#include "outputs/output_filter.hpp"

namespace vigie {

AlertDelivery::AlertDelivery(std::vector<std::unique_ptr<LocalOutput>> locals, AlertSpool* spool)
    : locals_(std::move(locals)), spool_(spool) {}

bool AlertDelivery::fail(std::string error) {
    std::lock_guard lock(mutex_);
    error_ = std::move(error);
    return false;
}

bool AlertDelivery::append_to_spool(const std::vector<std::string_view>& records) {
    if (!spool_ || records.empty()) return true;
    const AppendStatus status = spool_->append(records);
    if (status == AppendStatus::Stored) return true;
    spool_refusals_.fetch_add(1, std::memory_order_relaxed);
    if (status == AppendStatus::Full)
        return fail("alert spool full (" + std::to_string(spool_->stats().max_bytes) +
                    " bytes): ingest paused until the forwarding outputs catch up");
    return fail("alert spool: I/O error while storing " + std::to_string(records.size()) +
                " alerts (see the spool's log lines); input not acknowledged");
}

bool AlertDelivery::write(std::string_view envelopes) {
    if (envelopes.empty()) return true;
    std::vector<std::string_view> records;
    std::vector<std::string> lines(locals_.size());
    std::vector<uint64_t> taken(locals_.size(), 0);
    EnvelopeReader reader(envelopes);
    AlertRouting routing;
    std::string_view alert, record;
    while (reader.next(routing, alert, record)) {
        records.push_back(record);
        for (size_t i = 0; i < locals_.size(); ++i) {
            if (!filter_accepts(locals_[i]->filter(), routing)) continue;
            lines[i].append(alert).push_back('\n');
            ++taken[i];
        }
    }
    // A malformed envelope is a bug in the formatter: refuse loudly rather than lose it.
    if (!reader.error().empty()) return fail("alert delivery: " + std::string(reader.error()));
    if (!append_to_spool(records)) return false;
    for (size_t i = 0; i < locals_.size(); ++i) {
        OutputCounters& counters = locals_[i]->counters();
        const WriteOutcome outcome = locals_[i]->write(lines[i]);
        if (!outcome.ok) {
            counters.record_failure(outcome.error);
            return fail(outcome.error);
        }
        counters.set_ok(true);
        counters.add_delivered(taken[i]);
        counters.add_filtered(records.size() - taken[i]);
    }
    return true;
}

void AlertDelivery::flush() {
    for (auto& local : locals_) local->flush();
}

std::string AlertDelivery::error() const {
    std::lock_guard lock(mutex_);
    return error_;
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
