// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A client of the test hub: creates the alerts stream with a duplicate window and reads
// back what it holds.
#include <nats/nats.h>

#include <string>
#include <vector>

namespace vigie::test {

struct StoredAlert {
    std::string subject;
    std::string uid;  // Nats-Msg-Id
    std::string data;
};

class HubClient {
  public:
    explicit HubClient(const std::string& url);
    ~HubClient();
    HubClient(const HubClient&) = delete;
    HubClient& operator=(const HubClient&) = delete;

    void create_stream();            // HUB on alerts.>, duplicate window 2 minutes
    uint64_t stream_messages();      // 0 when unreachable
    std::vector<StoredAlert> all();  // by sequence

  private:
    natsConnection* nc_ = nullptr;
    jsCtx* js_ = nullptr;
};

}  // namespace vigie::test
