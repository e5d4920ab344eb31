// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Where alerts go (`alerts.outputs` in the configuration), the local spool that holds them
// until every forwarding output has delivered them, suppression, and the Pushgateway.
// Every setting has a default; samples/vigie.yaml explains them.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/level.hpp"

namespace vigie {

class LiveOutputFilter;

// Which alerts an output takes. Empty lists mean "all".
struct OutputFilter {
    Level min_level = Level::Informational;
    std::vector<std::string> agencies;  // only alerts of these agencies
    std::vector<std::string> tags;      // only rules with one of these tags (e.g. attack.t1059)
    std::vector<std::string> exclude_rules;  // never these rule ids
    // TLP of indicator alerts (tag "tlp:<level>"): an output that leaves the organisation
    // (the forwarding ones, unless inside_organisation) never takes TLP:RED or
    // TLP:AMBER+STRICT, and TLP:AMBER only with tlp_amber.
    bool inside_organisation = false;  // configured: a forwarding output that stays in-house
    bool leaves_organisation = false;  // derived: forwards and not inside_organisation
    bool tlp_amber = false;
    // vigie serve: the filter a reload may replace, shared by every copy of the output's
    // settings (its local output or forwarding loop); when set, it is what decides.
    std::shared_ptr<LiveOutputFilter> live{};
};

class LiveOutputFilter {
  public:
    explicit LiveOutputFilter(OutputFilter filter)
        : current_(std::make_shared<const OutputFilter>(std::move(filter))) {}
    [[nodiscard]] std::shared_ptr<const OutputFilter> current() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    void replace(OutputFilter filter) {
        auto fresh = std::make_shared<const OutputFilter>(std::move(filter));
        std::lock_guard lock(mutex_);
        current_.swap(fresh);
    }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const OutputFilter> current_;  // its own `live` is null
};

enum class OutputType : uint8_t { Stdout, File, Nats, Webhook, Syslog };
enum class FsyncPolicy : uint8_t { Never, Batch, Always };

struct FileOutputSettings {
    std::string path;           // appended to, created 0640
    uint64_t rotate_bytes = 0;  // 0: never; else path -> path.1 -> ... when it would pass this
    uint32_t keep_files = 5;    // rotated files kept (path.1 .. path.N)
    FsyncPolicy fsync = FsyncPolicy::Batch;  // Batch: once per written buffer
};

struct NatsOutputSettings {
    // The national hub's servers (or the agency's leaf node): tried in turn.
    std::vector<std::string> servers{"nats://127.0.0.1:4222"};
    // Publish acknowledgements come back on <inbox_prefix>.>; a per-agency prefix lets the
    // server give each agency only its own acks (README "The national network").
    std::string inbox_prefix;
    std::string subject_prefix = "alerts";  // alerts.<agency>
    std::string credentials;                // .creds file; empty: none
    uint32_t batch = 256;                   // alerts published before waiting for acks
    uint32_t ack_timeout_ms = 5000;
};

struct WebhookOutputSettings {
    std::string url;         // http:// or https://
    std::string secret_env;  // environment variable holding the HMAC-SHA256 key
    std::string ca_file;     // PEM; empty: the system's CAs
    uint32_t batch = 100;    // alerts per POST (a JSON array)
    uint32_t timeout_ms = 10000;
    uint32_t retry_initial_ms = 500;  // exponential backoff with full jitter ...
    uint32_t retry_max_ms = 60000;    // ... capped here; retried until delivered
};

struct SyslogOutputSettings {
    std::string address = "127.0.0.1:6514";  // TCP, RFC 5424 with octet counting (RFC 6587)
    uint32_t facility = 10;                  // authpriv
    std::string app_name = "vigie";
    std::string hostname;  // empty: the machine's
};

struct OutputSettings {
    std::string name;  // unique; names the spool cursor, the metrics' label, log lines
    OutputType type = OutputType::Stdout;
    OutputFilter filter;
    FileOutputSettings file;
    NatsOutputSettings nats;
    WebhookOutputSettings webhook;
    SyslogOutputSettings syslog;
    // stdout and file are written before the input is acknowledged; nats, webhook and
    // syslog forward from the spool.
    [[nodiscard]] bool forwards() const {
        return type == OutputType::Nats || type == OutputType::Webhook ||
               type == OutputType::Syslog;
    }
};

}  // namespace vigie
