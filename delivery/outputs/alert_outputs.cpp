// SPDX-License-Identifier: EUPL-1.2
#include "delivery/outputs/alert_outputs.hpp"

#include <set>
#include <stdexcept>

#include "delivery/outputs/nats_forwarder.hpp"
#include "delivery/outputs/syslog_forwarder.hpp"
#include "delivery/outputs/webhook_forwarder.hpp"

namespace vigie {

std::unique_ptr<AlertForwarder> make_forwarder(const OutputSettings& settings, OutputLog log) {
    switch (settings.type) {
        case OutputType::Nats:
            return std::make_unique<NatsForwarder>(settings.name, settings.nats, std::move(log));
        case OutputType::Webhook:
            return std::make_unique<WebhookForwarder>(settings.name, settings.webhook);
        case OutputType::Syslog:
            return std::make_unique<SyslogForwarder>(settings.name, settings.syslog,
                                                     std::move(log));
        default:
            throw std::invalid_argument("output " + settings.name + " does not forward");
    }
}

RetryPolicy retry_policy(const OutputSettings& settings) {
    RetryPolicy policy;  // NATS and syslog: 0.5 s doubling up to 30 s
    if (settings.type == OutputType::Webhook) {
        policy.initial =
            std::chrono::milliseconds(std::max<uint32_t>(settings.webhook.retry_initial_ms, 1));
        policy.max = std::chrono::milliseconds(
            std::max(settings.webhook.retry_max_ms, settings.webhook.retry_initial_ms));
    }
    return policy;
}

AlertOutputs::AlertOutputs(const std::vector<OutputSettings>& outputs, const SpoolSettings& spool,
                           const OutputLog& log, std::vector<std::string>* spool_recovery_notes)
    : log_(log), drain_grace_(spool.drain_seconds) {
    std::set<std::string> names;
    std::vector<std::string> cursors;
    std::vector<std::unique_ptr<LocalOutput>> locals;
    for (const OutputSettings& o : outputs) {
        if (o.name.empty()) throw std::runtime_error("an alert output has no name");
        if (!names.insert(o.name).second)
            throw std::runtime_error("two alert outputs are named " + o.name);
        if (o.forwards())
            cursors.push_back(o.name);
        else
            locals.push_back(std::make_unique<LocalOutput>(o));
    }
    // The forwarders first: their settings errors show before the spool is touched.
    std::vector<std::pair<const OutputSettings*, std::unique_ptr<AlertForwarder>>> forwarders;
    for (const OutputSettings& o : outputs)
        if (o.forwards()) forwarders.emplace_back(&o, make_forwarder(o, log));
    if (!cursors.empty()) spool_ = AlertSpool::open(spool, cursors, spool_recovery_notes);
    delivery_ = std::make_unique<AlertDelivery>(std::move(locals), spool_.get(), log);
    for (auto& [settings, forwarder] : forwarders)
        loops_.push_back(std::make_unique<ForwardingLoop>(
            *settings, std::move(forwarder), *spool_, retry_policy(*settings), log,
            std::make_unique<DeadLetterFile>(spool.directory, settings->name,
                                             spool.dead_letter_max_bytes)));
}

AlertOutputs::~AlertOutputs() {
    stop();
}

void AlertOutputs::start() {
    for (auto& loop : loops_) loop->start();
}

void AlertOutputs::stop() {
    if (stopped_) return;
    stopped_ = true;
    // Every record in the spool is durable: what the grace period does not deliver is
    // forwarded after the next start, so the wait is bounded rather than "until done".
    const auto deadline = std::chrono::steady_clock::now() + drain_grace_;
    for (auto& loop : loops_) loop->drain();
    for (auto& loop : loops_) loop->wait_drained(deadline);
    for (auto& loop : loops_) loop->stop();
    if (delivery_) delivery_->flush();
    log_left_in_spool();
}

void AlertOutputs::log_left_in_spool() const {
    if (!spool_ || !log_) return;
    for (const CursorStats& cursor : spool_->cursor_stats()) {
        if (cursor.pending_records == 0) {
            log_(LogLevel::Info, cursor.name, "stopping: every spooled alert forwarded", "");
            continue;
        }
        log_(LogLevel::Warning, cursor.name,
             "stopping: alerts not forwarded stay in the spool for the next start",
             std::to_string(cursor.pending_records) + " alerts (" +
                 std::to_string(cursor.pending_bytes) + " bytes, the oldest " +
                 std::to_string(static_cast<uint64_t>(cursor.oldest_pending_age_seconds)) +
                 " s old) after spool.drain_seconds " + std::to_string(drain_grace_.count()));
    }
}

std::vector<OutputStats> AlertOutputs::stats() const {
    std::vector<OutputStats> out = delivery_->stats();
    for (const auto& loop : loops_) out.push_back(loop->stats());
    return out;
}

}  // namespace vigie
