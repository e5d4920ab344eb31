// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The NATS C client's handles of one connection, released in the order the library wants
// (JetStream context, connection, options). Shared by the test tools.
#include <nats/nats.h>

namespace vigie::test {

struct NatsHandles {
    natsOptions* options = nullptr;
    natsConnection* nc = nullptr;
    jsCtx* js = nullptr;
    NatsHandles() = default;
    NatsHandles(const NatsHandles&) = delete;
    NatsHandles& operator=(const NatsHandles&) = delete;
    ~NatsHandles() {
        jsCtx_Destroy(js);
        if (nc) natsConnection_Close(nc);
        natsConnection_Destroy(nc);
        natsOptions_Destroy(options);
    }
};

}  // namespace vigie::test
