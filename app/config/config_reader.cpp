#include "app/config/config_reader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "app/config/federation_config_reader.hpp"
#include "app/config/taxii_config_reader.hpp"
#include "app/config/yaml_guard.hpp"
#include "core/input_limits.hpp"
#include "core/token_digest.hpp"

namespace vigie {

namespace {

SourceLocation location(const std::string& origin, const YAML::Mark& mark) {
    return {origin, static_cast<uint32_t>(mark.line + 1), static_cast<uint32_t>(mark.column + 1)};
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
    return out;
}

// Agency ids become NATS subject tokens and label values: no dots, spaces or wildcards.
bool valid_agency_id(const std::string& id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

}  // namespace

void ConfigReader::error(const YAML::Node& n, std::string message) {
    diags_.push_back({Severity::Error, location(origin_, n.Mark()), {}, std::move(message)});
    ++errors_;
}

void ConfigReader::fields(const YAML::Node& map, const std::string& path,
                          const std::vector<Field>& known) {
    if (map.IsNull()) return;  // "http:" with nothing under it: the defaults
    if (!map.IsMap()) {
        error(map, (path.empty() ? std::string("the configuration") : path) +
                       " must be a mapping of settings");
        return;
    }
    std::set<std::string> seen;
    for (const auto& entry : map) {
        const std::string key = entry.first.Scalar();
        std::string full = path;
        if (!full.empty()) full += '.';
        full += key;
        if (places_ != nullptr) places_->keys.emplace(full, location(origin_, entry.first.Mark()));
        if (!seen.insert(key).second) {  // yaml-cpp would keep the last one silently
            error(entry.first, "setting " + full + " is given twice");
            continue;
        }
        auto it =
            std::find_if(known.begin(), known.end(), [&](const Field& f) { return key == f.key; });
        if (it == known.end()) {
            std::vector<std::string> names;
            names.reserve(known.size());
            for (const auto& f : known) names.emplace_back(f.key);
            error(entry.first, "unknown setting " + full + " (known here: " + join(names) + ")");
            continue;
        }
        it->handler(entry.second, full);
    }
}

void ConfigReader::text(const YAML::Node& n, const std::string& path, std::string& out) {
    if (n.IsNull()) {
        out.clear();
    } else if (n.IsScalar()) {
        out = n.Scalar();
    } else {
        error(n, path + " must be a string");
    }
}

void ConfigReader::flag(const YAML::Node& n, const std::string& path, bool& out) {
    if (!n.IsScalar() || (n.Scalar() != "true" && n.Scalar() != "false")) {
        error(n, path + " must be true or false");
        return;
    }
    out = n.Scalar() == "true";
}

void ConfigReader::number(const YAML::Node& n, const std::string& path, uint64_t min, uint64_t max,
                          uint64_t& out) {
    // Base 10 always: yaml-cpp would read 010 as octal 8.
    uint64_t v = 0;
    const std::string& t = n.IsScalar() ? n.Scalar() : std::string();
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v, 10);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || v < min || v > max) {
        error(n, path + " must be a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max));
        return;
    }
    out = v;
}

void ConfigReader::rate(const YAML::Node& n, const std::string& path, double min,
                        const char* expected, double& out) {
    double v = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !(v >= min) || v > 1e12) {
        error(n, path + " must be " + expected);
        return;
    }
    out = v;
}

void ConfigReader::listen(const YAML::Node& n, const std::string& path, ListenAddress& out) {
    std::string why;
    if (!n.IsScalar()) {
        error(n, path + " must be HOST:PORT");
    } else if (auto a = parse_listen_address(n.Scalar(), why)) {
        out = *a;
    } else {
        error(n, path + ": " + why);
    }
}

void ConfigReader::texts(const YAML::Node& n, const std::string& path,
                         std::vector<std::string>& out) {
    if (n.IsScalar()) {
        out = {n.Scalar()};
        return;
    }
    if (!n.IsSequence() || n.size() == 0) {
        error(n, path + " must be a path or a non-empty list of paths");
        return;
    }
    out.clear();
    for (const auto& item : n) {
        if (!item.IsScalar()) {
            error(item, path + " entries must be strings");
            continue;
        }
        out.push_back(item.Scalar());
    }
}

void ConfigReader::choice(const YAML::Node& n, const std::string& path,
                          const std::vector<std::string>& allowed, std::string& out) {
    if (!n.IsScalar() || std::find(allowed.begin(), allowed.end(), n.Scalar()) == allowed.end()) {
        error(n, path + " must be one of: " + join(allowed));
        return;
    }
    out = n.Scalar();
}

void ConfigReader::digest(const YAML::Node& n, const std::string& path, std::string& out) {
    if (!n.IsScalar() || !is_sha256_hex(n.Scalar())) {
        error(n, path +
                     " must be the 64 hex digits of the token's SHA-256 "
                     "(printf %s TOKEN | sha256sum)");
        return;
    }
    out = n.Scalar();
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(c >= 'A' && c <= 'F' ? c + 32 : c); });
}

void ConfigReader::agencies(const YAML::Node& n, ServeConfig& config) {
    if (n.IsNull()) return;
    if (!n.IsSequence()) {
        error(n, "agencies must be a list");
        return;
    }
    std::set<std::string> ids;
    std::set<std::string> digests;
    size_t index = 0;
    for (const auto& item : n) {
        Agency a;
        bool has_digest = false;
        fields(item, "agencies[" + std::to_string(index++) + "]",
               {{"id", [&](const YAML::Node& v, const std::string& p) { text(v, p, a.id); }},
                {"token_sha256",
                 [&](const YAML::Node& v, const std::string& p) {
                     digest(v, p, a.token_sha256);
                     has_digest = true;
                 }},
                {"token",
                 [&](const YAML::Node& v, const std::string&) {
                     error(v,
                           "store the token's SHA-256 as token_sha256 "
                           "(printf %s TOKEN | sha256sum), never the token itself");
                 }},
                {"rate_limit", [&](const YAML::Node& v, const std::string& p) {
                     fields(v, p,
                            {{"events_per_second",
                              [&](const YAML::Node& x, const std::string& q) {
                                  rate(x, q, 0.001, "a positive number",
                                       a.rate_limit.events_per_second);
                              }},
                             {"burst", [&](const YAML::Node& x, const std::string& q) {
                                  rate(x, q, 1, "a number of at least 1", a.rate_limit.burst);
                              }}});
                 }}});
        if (!item.IsMap()) {
            // yaml-cpp places a null item after it: name it by its index, at the list.
            if (item.IsNull()) error(n, "agencies[" + std::to_string(index - 1) + "] is empty");
            continue;  // fields() reported anything else
        }
        if (!valid_agency_id(a.id)) {
            error(item, "an agency needs an id of letters, digits, '-' or '_' (at most 64)");
        } else if (!ids.insert(a.id).second) {
            error(item, "agency " + a.id + " is defined twice");
        }
        if (!has_digest) {
            error(item, "agency " + a.id + " has no token_sha256");
        } else if (!a.token_sha256.empty() && !digests.insert(a.token_sha256).second) {
            error(item, "agency " + a.id + " has the token of another agency");
        }
        config.agencies.push_back(std::move(a));
    }
}

std::optional<ServeConfig> ConfigReader::read(const std::string& source) {
    YAML::Node root;
    try {
        // The bounds first, on the parser's events: a file nested deeper than the limit or
        // expanding past it through aliases is refused before any tree is built from it.
        const InputLimits& limits = input_limits();
        if (auto passed = check_yaml_bounds_on_events(source, limits.max_nesting_depth,
                                                      limits.max_rule_nodes)) {
            diags_.push_back({Severity::Error,
                              location(origin_, passed->mark),
                              {},
                              "the configuration is " + passed->message});
            return std::nullopt;
        }
        root = YAML::Load(source);
    } catch (const YAML::DeepRecursion& e) {  // yaml-cpp's own bound, past 2000 levels
        diags_.push_back(
            {Severity::Error,
             location(origin_, e.mark),
             {},
             "the configuration is nested deeper than " + std::to_string(e.depth()) + " levels"});
        return std::nullopt;
    } catch (const YAML::Exception& e) {
        diags_.push_back({Severity::Error, location(origin_, e.mark), {}, e.msg});
        return std::nullopt;
    }
    ServeConfig c;
    c.places.origin = origin_;
    places_ = &c.places;
    auto uint_field = [this](uint64_t min, uint64_t max, auto& out) {
        return [this, min, max, &out](const YAML::Node& v, const std::string& p) {
            uint64_t value = out;
            number(v, p, min, max, value);
            out = static_cast<std::remove_reference_t<decltype(out)>>(value);
        };
    };
    auto str = [this](std::string& out) {
        return [this, &out](const YAML::Node& v, const std::string& p) { text(v, p, out); };
    };
    std::string log_format = "json";
    std::string log_level = "info";
    fields(root, "",
           {{"http",
             [&](const YAML::Node& v, const std::string& p) {
                 auto& h = c.http;
                 fields(v, p,
                        {{"listen", [&](const YAML::Node& x,
                                        const std::string& q) { listen(x, q, h.listen); }},
                         {"max_body_bytes", uint_field(1024, 1ULL << 30, h.max_body_bytes)},
                         {"max_event_bytes", uint_field(256, 1ULL << 30, h.max_event_bytes)},
                         {"max_connections", uint_field(1, 1000000, h.max_connections)},
                         {"read_timeout_seconds", uint_field(1, 3600, h.read_timeout_seconds)},
                         {"header_timeout_seconds", uint_field(1, 3600, h.header_timeout_seconds)},
                         {"idle_timeout_seconds", uint_field(1, 3600, h.idle_timeout_seconds)},
                         {"request_threads", uint_field(1, 64, h.request_threads)},
                         {"tls", [&](const YAML::Node& x, const std::string& q) {
                              fields(x, q,
                                     {{"enabled",
                                       [&](const YAML::Node& y, const std::string& r) {
                                           flag(y, r, h.tls.enabled);
                                       }},
                                      {"certificate", str(h.tls.certificate)},
                                      {"private_key", str(h.tls.private_key)},
                                      {"client_ca", str(h.tls.client_ca)}});
                          }}});
             }},
            {"metrics",
             [&](const YAML::Node& v, const std::string& p) {
                 fields(v, p,
                        {{"enabled", [&](const YAML::Node& x,
                                         const std::string& q) { flag(x, q, c.metrics_enabled); }},
                         {"listen", [&](const YAML::Node& x,
                                        const std::string& q) { listen(x, q, c.metrics_listen); }},
                         {"pushgateway", [&](const YAML::Node& x, const std::string& q) {
                              pushgateway(x, q, c.pushgateway);
                          }}});
                 if (!c.metrics_enabled && !c.pushgateway.url.empty())
                     error(v, "metrics.pushgateway needs metrics.enabled: true (it pushes them)");
             }},
            {"rules",
             [&](const YAML::Node& v, const std::string& p) {
                 fields(v, p,
                        {{"paths", [&](const YAML::Node& x,
                                       const std::string& q) { texts(x, q, c.rules.paths); }},
                         {"mapping", str(c.rules.mapping)},
                         {"placeholders", str(c.rules.placeholders)},
                         {"cache_dir", str(c.rules.cache_dir)}});
             }},
            {"engine",
             [&](const YAML::Node& v, const std::string& p) {
                 fields(v, p,
                        {{"threads", uint_field(0, 1024, c.threads)},
                         {"queue_capacity", uint_field(1, 1U << 20, c.queue_capacity)}});
             }},
            {"alerts", [&](const YAML::Node& v, const std::string& p) { alerts(v, p, c); }},
            {"spool", [&](const YAML::Node& v, const std::string& p) { spool(v, p, c.spool); }},
            {"indicators",
             [&](const YAML::Node& v, const std::string& p) { indicators(v, p, c.indicators); }},
            {"nats", [&](const YAML::Node& v, const std::string& p) { nats(v, p, c.nats); }},
            {"agencies", [&](const YAML::Node& v, const std::string&) { agencies(v, c); }},
            {"limits", [&](const YAML::Node& v, const std::string& p) { limits(v, p, c.limits); }},
            {"taxii",
             [&](const YAML::Node& v, const std::string& p) {
                 errors_ += read_taxii_config(v, p, origin_, diags_, c.taxii);
             }},
            {"federation",
             [&](const YAML::Node& v, const std::string& p) {
                 errors_ += read_federation_config(v, p, origin_, diags_, c.federation);
             }},
            {"admin",
             [&](const YAML::Node& v, const std::string& p) {
                 fields(v, p, {{"token_sha256", [&](const YAML::Node& x, const std::string& q) {
                                    digest(x, q, c.admin_token_sha256);
                                }}});
             }},
            {"log", [&](const YAML::Node& v, const std::string& p) {
                 fields(v, p,
                        {{"format",
                          [&](const YAML::Node& x, const std::string& q) {
                              choice(x, q, {"json", "logfmt"}, log_format);
                          }},
                         {"level", [&](const YAML::Node& x, const std::string& q) {
                              choice(x, q, {"debug", "info", "warning", "error"}, log_level);
                          }}});
             }}});
    c.log_format = log_format == "logfmt" ? LogFormat::Logfmt : LogFormat::Json;
    c.log_level = log_level == "debug"     ? LogLevel::Debug
                  : log_level == "warning" ? LogLevel::Warning
                  : log_level == "error"   ? LogLevel::Error
                                           : LogLevel::Info;
    if (c.http.tls.enabled && (c.http.tls.certificate.empty() || c.http.tls.private_key.empty())) {
        diags_.push_back({Severity::Error,
                          {origin_, 0, 0},
                          {},
                          "http.tls.enabled needs http.tls.certificate and http.tls.private_key"});
        ++errors_;
    }
    places_ = nullptr;
    if (errors_ > 0) return std::nullopt;
    return c;
}

// limits: every field of InputLimits, each within what keeps a recursive walk's stack and
// one rule's compilation sane.
void ConfigReader::limits(const YAML::Node& n, const std::string& path, InputLimits& out) {
    fields(n, path,
           {{"max_nesting_depth", uint_field(1, kMaxNestingDepthSetting, out.max_nesting_depth)},
            {"max_rule_nodes", uint_field(1000, 100000000, out.max_rule_nodes)},
            {"max_rule_values", uint_field(100, 10000000, out.max_rule_values)},
            {"max_granular_selectors", uint_field(1, 100000, out.max_granular_selectors)}});
}

std::optional<std::string> read_config_file(const std::string& path, Diagnostics& diags) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        diags.push_back({Severity::Error, {path, 0, 0}, {}, "cannot read the configuration file"});
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<ServeConfig> load_serve_config(const std::string& path, Diagnostics& diags) {
    auto text = read_config_file(path, diags);
    if (!text) return std::nullopt;
    return ConfigReader(path, diags).read(*text);
}

}  // namespace vigie
