// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Forwards alerts to an HTTP(S) endpoint (a SIEM, a SOAR): one POST per batch, the body a
// JSON array of the alert lines, signed (webhook_signature.hpp). 2xx is delivered.
// Everything else is retried by the forwarding loop, since nothing may be dropped:
// 408, 429, 5xx and connection errors are expected to pass; other statuses (4xx: a bad
// URL, a refused signature) are retried too but reported as likely permanent errors, to
// be fixed by an operator. On 429 and 503 the server's Retry-After is honoured.
#include <atomic>
#include <string>

#include "core/http_client.hpp"
#include "delivery/outputs/alert_forwarder.hpp"
#include "delivery/outputs/output_settings.hpp"

namespace vigie {

class WebhookForwarder final : public AlertForwarder {
  public:
    // Throws std::runtime_error when secret_env names a variable that is unset or empty,
    // or the URL is not http(s). secret_env empty: requests are not signed (no
    // X-Vigie-Signature header), for receivers that authenticate by TLS or network alone.
    WebhookForwarder(std::string name, const WebhookOutputSettings& settings);
    ~WebhookForwarder() override;
    WebhookForwarder(const WebhookForwarder&) = delete;
    WebhookForwarder& operator=(const WebhookForwarder&) = delete;

    DeliveryResult deliver(std::span<const ForwardedAlert> alerts) override;
    void interrupt() override { interrupted_.store(true); }
    [[nodiscard]] size_t max_batch() const override { return batch_; }
    [[nodiscard]] bool connected() const override { return connected_.load(); }

    // Whether a status is worth retrying as a transient failure (408, 429, 5xx).
    static bool transient_status(long status);
    // Whether a status refuses the alerts themselves for good (400, 413, 422): dead-lettered.
    static bool refused_status(long status);

  private:
    DeliveryResult classify(long status, std::string_view response, long retry_after_s) const;

    std::string name_;
    WebhookOutputSettings settings_;
    size_t batch_;
    std::string secret_;
    HttpClient client_;  // reused so that the connection is kept alive
    std::atomic<bool> interrupted_{false};
    std::atomic<bool> connected_{false};
};

// A webhook output's url or secret_env that serve cannot start with, in words; "" when
// fine. Both the start-up checks and the forwarder's construction (which throws them) use
// these, so the two say the same.
std::string webhook_url_problem(const std::string& url);
std::string webhook_secret_problem(const std::string& secret_env);

}  // namespace vigie
