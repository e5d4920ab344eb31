// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Metrics pushed to a Prometheus Pushgateway (`alerts.pushgateway` in the configuration).
#include <cstdint>
#include <string>

namespace vigie {

struct PushgatewaySettings {
    std::string url;  // empty: off; e.g. http://hub:9091
    uint32_t interval_seconds = 15;
    std::string job = "vigie";
    // The grouping key is {agency, instance}: this site's agency (empty: the only agency
    // configured, or "all" when there are several) and the instance (empty: the host name).
    std::string agency;
    std::string instance;
};

}  // namespace vigie
