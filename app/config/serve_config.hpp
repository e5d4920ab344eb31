// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The settings of `vigie serve`, every one with a default, so that a missing file or a
// missing key means "the documented default". samples/vigie.yaml shows and explains them.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/config_places.hpp"
#include "core/diagnostic.hpp"
#include "core/input_limits.hpp"
#include "core/listen_address.hpp"
#include "core/logger.hpp"
#include "delivery/outputs/output_settings.hpp"
#include "delivery/spool/spool_settings.hpp"
#include "federation/indicators/indicator_settings.hpp"
#include "federation/taxii/federation_config.hpp"
#include "federation/taxii/taxii_config.hpp"
#include "metrics/pushgateway_settings.hpp"
#include "pipeline/alerts/alert_settings.hpp"
#include "service/agencies/agency.hpp"
#include "service/http/http_settings.hpp"
#include "service/nats/nats_settings.hpp"

namespace vigie {

struct RuleSettings {
    std::vector<std::string> paths{"rules"};
    std::string mapping = "windows";
    std::string placeholders;  // empty: none
    std::string cache_dir;     // empty: the default cache directory
};

struct ServeConfig {
    HttpSettings http;
    ListenAddress metrics_listen{"127.0.0.1", 9464};
    bool metrics_enabled = true;  // false: no /metrics listener, no counting, no push
    RuleSettings rules;
    uint32_t threads = 0;          // 0: one per core
    uint32_t queue_capacity = 64;  // jobs (requests, NATS batches) waiting for a worker
    // alerts.output: the one local output ("-": stdout, else a file) when alerts.outputs
    // is not given.
    std::string alerts_output = "-";
    std::string alerts_format = "jsonl";  // jsonl | ocsf | table
    AlertContentSettings alert_content;
    SuppressionSettings suppression;
    std::vector<OutputSettings> outputs;  // alerts.outputs; empty: alerts_output
    SpoolSettings spool;
    PushgatewaySettings pushgateway;
    NatsSettings nats;
    std::vector<Agency> agencies;
    std::string admin_token_sha256;  // empty: the admin API is off
    LogFormat log_format = LogFormat::Json;
    LogLevel log_level = LogLevel::Info;
    IndicatorSettings indicators;
    taxii::TaxiiSettings taxii;            // taxii: the TAXII 2.1 server (off by default)
    taxii::FederationSettings federation;  // federation: the TAXII peers polled (none by default)
    // limits: the bounds on untrusted input (core/input_limits.hpp), applied by vigie serve
    // at start-up before any thread starts; a reload cannot change them.
    InputLimits limits;
    ConfigPlaces places;
};

}  // namespace vigie
