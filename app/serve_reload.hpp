#pragma once
// Hot reload for vigie serve (SIGHUP, POST /v1/admin/reload): re-reads the configuration
// file, loads and compiles the rules and mappings, and only when all of it is free of
// errors swaps the ruleset and the agencies in, atomically for each new job. A refused
// reload leaves the running rules and agencies as they were. Reloads run one at a time
// on a thread of their own, so the network threads never wait for a compile.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "app/rule_loading.hpp"
#include "config/serve_config.hpp"
#include "http/ingest_handler.hpp"
#include "serve/agency_registry.hpp"
#include "serve/ingest_engine.hpp"
#include "serve/logger.hpp"

namespace vigie {

// The rule-loading options a configuration asks for.
RuleLoadOptions rule_options(const RuleSettings& rules);
// {"reloaded":false,"errors":[...]} from diagnostics (errors only, each file:line:col).
std::string refused_summary(const Diagnostics& diags);

class ServeReloader {
  public:
    // `config_file` empty: the defaults are reloaded (rules from the same paths).
    ServeReloader(std::string config_file, ServeConfig current, IngestEngine& engine,
                  AgencyRegistry& agencies, Logger& log);
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

    std::string config_file_;
    ServeConfig current_;
    IngestEngine& engine_;
    AgencyRegistry& agencies_;
    Logger& log_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void(ReloadOutcome&&)>> pending_;
    bool stopping_ = false;
    uint64_t succeeded_ = 0;
    uint64_t refused_ = 0;
    std::thread thread_;
};

}  // namespace vigie
