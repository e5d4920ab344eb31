// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The tests' client of an alert hub (one nats-server, or a cluster): creates the alerts
// stream HUB with a duplicate window and reads back what it holds.
#include <nats/nats.h>

#include <cstdint>
#include <string>
#include <vector>

namespace vigie::test {

struct StoredAlert {
    std::string subject;
    std::string uid;  // Nats-Msg-Id
    std::string data;
};

// Connects to `urls` (one URL or a comma list) within 20 s, then reconnects forever;
// throws when it cannot connect.
class HubClient {
  public:
    explicit HubClient(const std::string& urls, const std::string& user = "",
                       const std::string& password = "");
    ~HubClient();
    HubClient(const HubClient&) = delete;
    HubClient& operator=(const HubClient&) = delete;

    // Stream HUB on alerts.> (duplicate window 2 minutes) with this many replicas; retried
    // (a cluster elects its JetStream leader after start) until `seconds` pass: false then.
    [[nodiscard]] bool create_stream(int replicas = 1, double seconds = 30);
    uint64_t stream_messages();              // 0 when unknown
    std::string stream_leader();             // its server name (n1 ...); "" when unknown
    std::vector<StoredAlert> all();          // by sequence
    std::vector<std::string> stream_uids();  // Nats-Msg-Id of every message, by sequence

  private:
    natsConnection* nc_ = nullptr;
    jsCtx* js_ = nullptr;
};

}  // namespace vigie::test
