// SPDX-License-Identifier: EUPL-1.2
// The table of the whole `vigie serve` configuration file, and of its sections that are
// small enough to sit here: http, metrics, rules, engine, agencies, admin, log, limits.
#include <yaml-cpp/yaml.h>

#include <functional>

#include "app/config/sections.hpp"
#include "core/identifiers.hpp"
#include "core/text.hpp"

namespace vigie {

namespace {

constexpr const char* kTokenDigest =
    "the 64 hex digits of the token's SHA-256 (printf %s TOKEN | sha256sum)";

const Schema<HttpSettings>& http_schema() {
    using namespace keys;
    using H = HttpSettings;
    static const Schema<TlsSettings> tls{{
        flag("enabled", &TlsSettings::enabled),
        live(text("certificate", &TlsSettings::certificate)),
        live(text("private_key", &TlsSettings::private_key)),
        live(text("client_ca", &TlsSettings::client_ca)),
    }};
    static const Schema<H> schema{{
        listen("listen", &H::listen),
        live(number("max_body_bytes", &H::max_body_bytes, 1024, 1ULL << 30)),
        live(number("max_event_bytes", &H::max_event_bytes, 256, 1ULL << 30)),
        live(number("max_connections", &H::max_connections, 1, 1000000)),
        live(number("read_timeout_seconds", &H::read_timeout_seconds, 1, 3600)),
        live(number("header_timeout_seconds", &H::header_timeout_seconds, 1, 3600)),
        live(number("idle_timeout_seconds", &H::idle_timeout_seconds, 1, 3600)),
        number("request_threads", &H::request_threads, 1, 64),
        section("tls", &H::tls, tls),
    }};
    return schema;
}

// metrics: settings of ServeConfig itself (the listener is app/'s, the push metrics/').
const Schema<ServeConfig>& metrics_schema() {
    using namespace keys;
    static const Schema<ServeConfig> schema{
        {
            flag("enabled", &ServeConfig::metrics_enabled),
            listen("listen", &ServeConfig::metrics_listen),
            section("pushgateway", &ServeConfig::pushgateway, pushgateway_schema()),
        },
        [](SchemaReader& r, const YAML::Node& n, const std::string&, ServeConfig& c) {
            if (!c.metrics_enabled && !c.pushgateway.url.empty())
                r.error(n, "metrics.pushgateway needs metrics.enabled: true (it pushes them)");
        }};
    return schema;
}

const Schema<RuleSettings>& rules_schema() {
    using namespace keys;
    static const Schema<RuleSettings> schema{{
        live(texts("paths", &RuleSettings::paths, false)),
        live(text("mapping", &RuleSettings::mapping)),
        live(text("placeholders", &RuleSettings::placeholders)),
        live(text("cache_dir", &RuleSettings::cache_dir)),
    }};
    return schema;
}

const Schema<ServeConfig>& engine_schema() {
    using namespace keys;
    static const Schema<ServeConfig> schema{{
        number("threads", &ServeConfig::threads, 0, 1024),
        number("queue_capacity", &ServeConfig::queue_capacity, 1, 1U << 20),
    }};
    return schema;
}

// limits: every field of InputLimits, each within what keeps a recursive walk's stack and
// one rule's compilation sane.
const Schema<InputLimits>& limits_schema() {
    using namespace keys;
    using L = InputLimits;
    static const Schema<L> schema{{
        number("max_nesting_depth", &L::max_nesting_depth, 1, kMaxNestingDepthSetting),
        number("max_rule_nodes", &L::max_rule_nodes, 1000, 100000000),
        number("max_rule_values", &L::max_rule_values, 100, 10000000),
        number("max_granular_selectors", &L::max_granular_selectors, 1, 100000),
    }};
    return schema;
}

const Schema<ServeConfig>& admin_schema() {
    using namespace keys;
    static const Schema<ServeConfig> schema{{
        live(digest("token_sha256", &ServeConfig::admin_token_sha256, kTokenDigest)),
    }};
    return schema;
}

const Schema<ServeConfig>& log_schema() {
    using namespace keys;
    static const Schema<ServeConfig> schema{{
        choice("format", &ServeConfig::log_format,
               std::vector<std::pair<std::string, LogFormat>>{{"json", LogFormat::Json},
                                                              {"logfmt", LogFormat::Logfmt}}),
        live(choice("level", &ServeConfig::log_level,
                    std::vector<std::pair<std::string, LogLevel>>{{"debug", LogLevel::Debug},
                                                                  {"info", LogLevel::Info},
                                                                  {"warning", LogLevel::Warning},
                                                                  {"error", LogLevel::Error}})),
    }};
    return schema;
}

const Schema<Agency>& agency_schema() {
    using namespace keys;
    static const Schema<RateLimit> rate_limit{{
        rate("events_per_second", &RateLimit::events_per_second, 0.001, "a positive number"),
        rate("burst", &RateLimit::burst, 1, "a number of at least 1"),
    }};
    static const Schema<Agency> schema{{
        text("id", &Agency::id),
        digest("token_sha256", &Agency::token_sha256, kTokenDigest),
        custom("token",
               [](SchemaReader& r, const YAML::Node& v, const std::string&, Agency&) {
                   r.error(v,
                           "store the token's SHA-256 as token_sha256 "
                           "(printf %s TOKEN | sha256sum), never the token itself");
               }),
        section("rate_limit", &Agency::rate_limit, rate_limit),
    }};
    return schema;
}

// Agency ids become NATS subject tokens and label values: no dots, spaces or wildcards.
void check_agency(SchemaReader& r, const YAML::Node& item, const Agency& a) {
    if (!is_name_token(a.id)) {
        r.error(item, "an agency needs an id of letters, digits, '-' or '_' (at most 64)");
    } else if (!r.claim("agency id", a.id)) {
        r.error(item, "agency " + a.id + " is defined twice");
    }
    if (!item["token_sha256"]) {
        r.error(item, "agency " + a.id + " has no token_sha256");
    } else if (!a.token_sha256.empty() && !r.claim("agency token", a.token_sha256)) {
        r.error(item, "agency " + a.id + " has the token of another agency");
    }
}

void read_agencies(SchemaReader& r, const YAML::Node& n, const std::string& path, ServeConfig& c) {
    const SchemaReader::ListRules rules{"a list", /*null_is_empty=*/true, false};
    r.each_item(n, path, rules, [&](const YAML::Node& item, const std::string& where) {
        Agency a;
        agency_schema().read(r, item, where, a);
        if (!item.IsMap()) {
            // yaml-cpp places a null item after it: name it by its index, at the list.
            if (item.IsNull()) r.error(n, where + " is empty");
            return;  // the schema reported anything else
        }
        check_agency(r, item, a);
        c.agencies.push_back(std::move(a));
    });
}

void check_tls(SchemaReader& r, const YAML::Node&, const std::string&, ServeConfig& c) {
    if (c.http.tls.enabled && (c.http.tls.certificate.empty() || c.http.tls.private_key.empty()))
        r.error_in_file("http.tls.enabled needs http.tls.certificate and http.tls.private_key");
}

}  // namespace

const Schema<ServeConfig>& serve_schema() {
    using namespace keys;
    using C = ServeConfig;
    static const Schema<C> schema{
        {
            section("http", &C::http, http_schema()),
            section("metrics", std::identity{}, metrics_schema()),
            section("rules", &C::rules, rules_schema()),
            section("engine", std::identity{}, engine_schema()),
            section("alerts", std::identity{}, alerts_schema()),
            section("spool", &C::spool, spool_schema()),
            section("indicators", &C::indicators, indicators_schema()),
            section("nats", &C::nats, nats_schema()),
            live(custom("agencies", read_agencies)),
            section("limits", &C::limits, limits_schema()),
            custom("taxii", [](SchemaReader& r, const YAML::Node& v, const std::string& p,
                               C& c) { read_taxii(r, v, p, c.taxii); }),
            section("federation", &C::federation, federation_schema()),
            section("admin", std::identity{}, admin_schema()),
            section("log", std::identity{}, log_schema()),
        },
        check_tls};
    return schema;
}

}  // namespace vigie
