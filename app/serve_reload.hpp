// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Hot reload for vigie serve (SIGHUP, POST /v1/admin/reload). A reload re-reads the whole
// configuration file and validates it as start-up does (the settings, the files they
// name, the rules compiled): a file with an error changes nothing, and the answer and the
// log say why, each error at its file:line:col. A valid file's live settings
// (app/config/setting_classes.hpp: HTTP limits and timeouts, agencies, the admin token, the
// rules, alerts.suppression, log.level) are applied together: all but the last two as one
// new settings snapshot published with one swap (service/http/live_settings.hpp), which requests
// in flight do not see (they keep the one they began under); suppression and the log
// level just after it, for the alerts and log lines made from then on.
// Every other changed setting is named, in the answer and the log, as needing a restart,
// and is not applied. Reloads run one at a time on a thread of their own, so the network
// threads never wait for a compile.
//
// The answer (HTTP 200):
//   {"reloaded":true,"rules":N,"rules_inactive":N,"agencies":N,
//    "applied":["http.max_body_bytes",...],"restart_required":["http.listen",...]}
// or (HTTP 422) {"reloaded":false,"errors":["vigie.yaml:3:19: ...",...]}.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "app/alert_pipeline.hpp"
#include "app/config/serve_config.hpp"
#include "app/config/setting_classes.hpp"
#include "app/rule_loading.hpp"
#include "core/logger.hpp"
#include "pipeline/engine/ingest_engine.hpp"
#include "service/agencies/agency_registry.hpp"
#include "service/http/ingest_handler.hpp"
#include "service/http/live_settings.hpp"

namespace vigie {

// The rule-loading options a configuration asks for.
RuleLoadOptions rule_options(const RuleSettings& rules);
// {"reloaded":false,"errors":[...]} from diagnostics (errors only, each file:line:col).
std::string refused_summary(const Diagnostics& diags);

// The parts of the running server a reload changes.
struct ReloadTargets {
    LiveSettingsStore& live;   // the snapshot requests begin under
    IngestEngine& engine;      // its rules and event limit (NATS batches, /readyz)
    AgencyRegistry& agencies;  // the rate-limit buckets, kept across reloads
    AlertPipeline& alerts;     // its suppression
    Logger& log;               // its level (log.level)
};

class ServeReloader {
  public:
    // `config_file` empty: the defaults are reloaded (rules from the same paths).
    // `running`: the configuration the server started with (command-line overrides in).
    ServeReloader(std::string config_file, ServeConfig running, ReloadTargets targets);
    ~ServeReloader();
    ServeReloader(const ServeReloader&) = delete;
    ServeReloader& operator=(const ServeReloader&) = delete;

    // Queues a reload; `done` is called on the reload thread with its outcome.
    void request(std::function<void(ReloadOutcome&&)> done);
    [[nodiscard]] uint64_t succeeded() const;
    [[nodiscard]] uint64_t refused() const;

  private:
    void run();
    ReloadOutcome reload();
    ReloadOutcome refuse(const Diagnostics& diags);
    // The indexes of next's outputs whose filters found no running output.
    std::vector<size_t> apply(const ServeConfig& next, const LoadedRuleset& loaded);

    std::string config_file_;
    ServeConfig running_;   // with the live settings last applied
    FlatSettings started_;  // the file as the server started with it
    FlatSettings applied_;  // the file as last applied
    ReloadTargets targets_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void(ReloadOutcome&&)>> pending_;
    bool stopping_ = false;
    uint64_t succeeded_ = 0;
    uint64_t refused_ = 0;
    std::thread thread_;
};

// The live settings of `next` over those of `running`: what one reload publishes.
LiveSettings live_settings(const ServeConfig& running, const ServeConfig& next,
                           std::shared_ptr<const Ruleset> ruleset);

}  // namespace vigie
