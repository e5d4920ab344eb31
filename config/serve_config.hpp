#pragma once
// The settings of `vigie serve`, every one with a default, so that a missing file or a
// missing key means "the documented default". samples/vigie.yaml shows and explains them.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/input_limits.hpp"
#include "config/listen_address.hpp"
#include "config/output_settings.hpp"
#include "detector/diagnostic.hpp"
#include "taxii/federation_config.hpp"
#include "taxii/taxii_config.hpp"

namespace vigie {

struct TlsSettings {
    bool enabled = false;
    std::string certificate;  // PEM
    std::string private_key;  // PEM
    std::string client_ca;    // PEM; when set, clients must present a certificate it signed
};

struct HttpSettings {
    ListenAddress listen{"127.0.0.1", 8080};
    uint64_t max_body_bytes = 16ULL << 20;  // after decompression
    uint64_t max_event_bytes = 1ULL << 20;
    uint32_t max_connections = 256;
    // An admitted (authenticated) request's body, and the write of each answer: a slow
    // client is dropped after this.
    uint32_t read_timeout_seconds = 30;
    // Before a request is authenticated: a new connection (its TLS handshake and request
    // header included) and a kept-alive one between requests are dropped after these.
    uint32_t header_timeout_seconds = 10;
    uint32_t idle_timeout_seconds = 5;
    // Threads of each of the two pools that run requests off the I/O threads (ingest:
    // inflate and check bodies; other: TAXII, reloads).
    uint32_t request_threads = 2;
    TlsSettings tls;
};

struct RuleSettings {
    std::vector<std::string> paths{"rules"};
    std::string mapping = "windows";
    std::string placeholders;  // empty: none
    std::string cache_dir;     // empty: the default cache directory
};

struct RateLimit {
    double events_per_second = 5000;  // refill rate of the agency's token bucket
    double burst = 20000;             // bucket size
};

struct Agency {
    std::string id;            // attached to its events and alerts; never from the payload
    std::string token_sha256;  // lower-case hex SHA-256 of the bearer token
    RateLimit rate_limit;
};

// The stream a hub operator sizes: vigie creates the events stream with these, and says at
// start-up (and in `config check`) where an existing stream differs.
struct NatsStreamSettings {
    uint32_t replicas = 1;                    // 3 on a JetStream cluster
    uint64_t max_age_seconds = 0;             // 0: kept until max_bytes
    uint64_t max_bytes = 0;                   // 0: unlimited
    uint32_t duplicate_window_seconds = 120;  // repeats of a Nats-Msg-Id within it are dropped
};

struct NatsSettings {
    bool enabled = false;
    // Every server of the cluster (or the agency's leaf node): the client tries them in turn,
    // at start-up and after a loss.
    std::vector<std::string> servers{"nats://127.0.0.1:4222"};
    std::string credentials;   // .creds file; empty: none (or user:password in the URLs)
    std::string inbox_prefix;  // replies (JetStream API answers) on <prefix>.>; empty: _INBOX
    // Start-up: the servers and the JetStream API are retried this long before giving up
    // (0: forever), so that a worker started during a node's restart or a leader election
    // comes up once the cluster answers.
    uint32_t connect_retry_seconds = 60;
    NatsStreamSettings stream_settings;
    std::string stream = "EVENTS";
    std::string subjects = "events.>";  // the agency is the token after "events."
    std::string consumer = "vigie";     // durable pull consumer shared by every worker
    // Inside `subjects` by default, so dead letters are kept by the stream; the input
    // acknowledges them without evaluating them.
    std::string dead_letter_subject = "events.dead";
    uint32_t fetch_batch = 256;        // messages per pull request
    uint32_t ack_wait_seconds = 30;    // unacknowledged this long: redelivered to any worker
    // Deliveries of one message before the worker dead-letters it (its next delivery), so a
    // message that crashes or stalls every worker cannot loop; never unlimited.
    uint32_t max_deliver = 5;
    uint32_t max_ack_pending = 20000;  // unacknowledged messages across all workers
};

enum class LogFormat : uint8_t { Json, Logfmt };
enum class LogLevel : uint8_t { Debug, Info, Warning, Error };

// indicators: threat indicators (STIX 2.1) matched on every event.
struct IndicatorSettings {
    bool enabled = false;
    std::string store;  // SQLite file; empty: indicators.sqlite in the spool directory
    uint64_t max_indicators = 2'000'000;  // past it, revoked/expired then oldest are evicted
    std::vector<std::string> bundles;     // STIX bundle files imported at start
    std::vector<std::string> misp_feeds;  // MISP feeds (directories or URLs) imported at start
    // ... and read again this often (only the events new or changed since; 0: never).
    uint32_t misp_interval_seconds = 300;
    std::string default_tlp = "amber";  // for objects without a TLP marking
    // TAXII collections whose posted indicators are matched (empty: every collection).
    std::vector<std::string> taxii_collections;
    // Sightings of indicators are flushed (stored, and sent to their source peer when the
    // TLP allows) this often.
    uint32_t sightings_interval_seconds = 60;
    // Sigma rules received as indicators (pattern_type sigma): from these peers they are
    // accepted at once (checked, never over a local rule's id) into sigma_rules_dir and
    // the rules reloaded; from any other they wait for `vigie rules accept`.
    std::vector<std::string> sigma_auto_accept;
    std::string sigma_rules_dir = "rules/federation";
    // Several workers on one NATS (nats.url): what one imports is published on the
    // VIGIE_INDICATORS stream (subject vigie.indicators) and imported by all the others.
    bool share_over_nats = false;
};

// Where each setting was written: its key path ("http.listen", "alerts.outputs[0].url")
// -> file:line:col, so that what is checked after reading (the start-up checks) is still
// reported at its place.
struct ConfigPlaces {
    std::string origin;  // the file
    std::map<std::string, SourceLocation> keys;
    // The key's place; the file's when the key was not written (its default is in use).
    [[nodiscard]] SourceLocation of(const std::string& key) const {
        auto it = keys.find(key);
        return it != keys.end() ? it->second : SourceLocation{origin, 0, 0};
    }
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
    taxii::TaxiiSettings taxii;  // taxii: the TAXII 2.1 server (off by default)
    taxii::FederationSettings federation;  // federation: the TAXII peers polled (none by default)
    // limits: the bounds on untrusted input (base/input_limits.hpp), applied by vigie serve
    // at start-up before any thread starts; a reload cannot change them.
    InputLimits limits;
    ConfigPlaces places;
};

}  // namespace vigie
