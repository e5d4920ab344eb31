#pragma once
// Forwards alerts to the national hub's NATS JetStream: each alert is published to
// `<subject_prefix>.<agency>` with header Nats-Msg-Id = the alert uid, so that the hub's
// stream (with a duplicate window) keeps one copy of an alert delivered twice (after a
// retry, a restart, a lost acknowledgement). A batch is published asynchronously and
// counts as delivered only once the stream acknowledged every alert of it. The
// connection is retried forever, from start-up on: vigie starts while the hub is down,
// and the alerts wait in the spool meanwhile.
#include <memory>
#include <string>
#include <string_view>

#include "config/output_settings.hpp"
#include "outputs/alert_forwarder.hpp"

// The C client's handle types, declared here so that nats.h stays out of this header; the
// names are the library's (nats.h: typedef struct __natsConnection natsConnection ...).
struct __natsConnection;  // NOLINT(bugprone-reserved-identifier)
struct __natsOptions;     // NOLINT(bugprone-reserved-identifier)
struct __jsCtx;           // NOLINT(bugprone-reserved-identifier)

namespace vigie {

// The subject of an alert: prefix.agency, "unknown" for an alert without agency; the
// characters a subject token cannot hold ('.', '*', '>', whitespace) become '_'.
std::string nats_alert_subject(std::string_view prefix, std::string_view agency);

class NatsForwarder final : public AlertForwarder {
  public:
    // Throws std::runtime_error when the settings are unusable (bad URL, unreadable
    // credentials); an unreachable hub is not an error, it is retried.
    NatsForwarder(std::string name, const NatsOutputSettings& settings, OutputLog log = {});
    ~NatsForwarder() override;
    NatsForwarder(const NatsForwarder&) = delete;
    NatsForwarder& operator=(const NatsForwarder&) = delete;

    DeliveryResult deliver(std::span<const ForwardedAlert> alerts) override;
    void interrupt() override;
    [[nodiscard]] size_t max_batch() const override { return batch_; }
    [[nodiscard]] bool connected() const override;

    struct Shared;  // what the client library's callbacks see

  private:
    DeliveryResult publish_all(std::span<const ForwardedAlert> alerts);
    DeliveryResult wait_for_acks();
    [[nodiscard]] std::string context() const;
    [[nodiscard]] std::string servers_text() const;

    std::string name_;
    NatsOutputSettings settings_;
    size_t batch_;
    Shared* shared_;  // lives as long as the process: callbacks may outlive this object
    __natsOptions* options_ = nullptr;
    __natsConnection* connection_ = nullptr;
    __jsCtx* js_ = nullptr;
};

}  // namespace vigie
