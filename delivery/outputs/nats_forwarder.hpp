// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Forwards alerts to the national hub's NATS JetStream: each alert is published to
// `<subject_prefix>.<agency>` with header Nats-Msg-Id = the alert uid, so that the hub's
// stream (with a duplicate window) keeps one copy of an alert delivered twice (after a
// retry, a restart, a lost acknowledgement). A batch is published asynchronously and
// counts as delivered only once the stream acknowledged every alert of it. The
// connection is retried forever, from start-up on, over the servers in the given order:
// vigie starts while the hub is down, and the alerts wait in the spool meanwhile.
//
// An alert whose subject the hub refuses to this user (a publish permissions violation)
// is refused for good, so that the forwarding loop dead-letters it and the other agencies'
// alerts flow. A watchdog rebuilds a connection that never came up (or that the library
// closed): the client library can stay unconnected after a hub that died during the first
// connection comes back.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/result.hpp"
#include "delivery/outputs/alert_forwarder.hpp"
#include "delivery/outputs/output_settings.hpp"

// The C client's handle types, declared here so that nats.h stays out of this header; the
// names are the library's (nats.h: typedef struct __natsConnection natsConnection ...).
struct __natsConnection;  // NOLINT(bugprone-reserved-identifier)
struct __natsOptions;     // NOLINT(bugprone-reserved-identifier)
struct __jsCtx;           // NOLINT(bugprone-reserved-identifier)

namespace vigie {

// The subject of an alert: prefix.agency, "unknown" for an alert without agency; the
// characters a subject token cannot hold ('.', '*', '>', whitespace) become '_'.
std::string nats_alert_subject(std::string_view prefix, std::string_view agency);

// The subject named by a server error `Permissions Violation for Publish to "<subject>"`;
// empty for any other error (a subscription or reply-subject violation, an auth error).
std::string nats_denied_publish_subject(std::string_view server_error);

class NatsForwarder final : public AlertForwarder {
  public:
    // A connection not connected this long after it was made is destroyed and made again
    // (one the library closed, after 2 s at most). 0: no watchdog (the tests show why).
    static constexpr std::chrono::milliseconds kDefaultRebuildAfter{15000};

    // Throws std::runtime_error when the settings are unusable (bad URL, unreadable
    // credentials); an unreachable hub is not an error, it is retried.
    NatsForwarder(std::string name, const NatsOutputSettings& settings, OutputLog log = {},
                  std::chrono::milliseconds rebuild_after = kDefaultRebuildAfter);
    ~NatsForwarder() override;
    NatsForwarder(const NatsForwarder&) = delete;
    NatsForwarder& operator=(const NatsForwarder&) = delete;

    DeliveryResult deliver(std::span<const ForwardedAlert> alerts) override;
    void interrupt() override;
    [[nodiscard]] size_t max_batch() const override { return batch_; }
    [[nodiscard]] bool connected() const override;
    // Connections made again by the watchdog so far.
    [[nodiscard]] uint64_t rebuilds() const;

    struct Shared;  // what the client library's callbacks see

  private:
    struct Handles {
        __natsConnection* connection = nullptr;
        __jsCtx* js = nullptr;
    };
    // Connects (or starts retrying in the background); an error when the library refuses
    // (the hub being down is not a failure).
    Result<Handles> open();
    void watch();
    void check_connection();
    void rebuild();
    DeliveryResult publish_all(std::span<const ForwardedAlert> alerts);
    DeliveryResult wait_for_acks(size_t batch);
    [[nodiscard]] std::string context() const;
    [[nodiscard]] std::string servers_text() const;

    std::string name_;
    NatsOutputSettings settings_;
    size_t batch_;
    const std::chrono::milliseconds rebuild_after_;
    Shared* shared_;  // lives as long as the process: callbacks may outlive this object
    __natsOptions* options_ = nullptr;
    // Replaced by the watchdog: deliver() holds use_mutex_ while it uses them, connected()
    // (any thread) reads them under handles_mutex_, a rebuild holds both.
    __natsConnection* connection_ = nullptr;
    __jsCtx* js_ = nullptr;
    std::mutex use_mutex_;
    mutable std::mutex handles_mutex_;

    // The watchdog thread's state.
    std::chrono::steady_clock::time_point built_at_;
    bool came_up_ = false;  // the current connection has been connected
    std::atomic<uint64_t> rebuilds_{0};
    bool stopping_ = false;
    std::mutex watch_mutex_;
    std::condition_variable watch_wake_;
    std::thread watchdog_;
};

}  // namespace vigie
