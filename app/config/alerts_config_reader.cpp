// The alerts, spool and pushgateway sections of the `vigie serve` configuration.
#include <yaml-cpp/yaml.h>

#include <set>

#include "app/config/config_reader.hpp"

namespace vigie {

namespace {

const std::vector<std::string> kOutputTypes{"stdout", "file", "nats", "webhook", "syslog"};

OutputType output_type(const std::string& name) {
    if (name == "file") return OutputType::File;
    if (name == "nats") return OutputType::Nats;
    if (name == "webhook") return OutputType::Webhook;
    if (name == "syslog") return OutputType::Syslog;
    return OutputType::Stdout;
}

// An output's name is a spool cursor's file name and a metrics label.
bool valid_output_name(const std::string& name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

}  // namespace

// Like texts(), but [] (none) is allowed: filters and field lists may be empty.
void ConfigReader::optional_texts(const YAML::Node& n, const std::string& path,
                                  std::vector<std::string>& out) {
    if (n.IsSequence() && n.size() == 0) {
        out.clear();
        return;
    }
    texts(n, path, out);
}

void ConfigReader::level(const YAML::Node& n, const std::string& path, Level& out) {
    std::optional<Level> parsed = n.IsScalar() ? parse_level(n.Scalar()) : std::nullopt;
    if (!parsed) {
        error(n, path + " must be one of: informational, low, medium, high, critical");
        return;
    }
    out = *parsed;
}

void ConfigReader::alerts(const YAML::Node& n, const std::string& path, ServeConfig& c) {
    auto str = [this](std::string& out) {
        return [this, &out](const YAML::Node& v, const std::string& p) { text(v, p, out); };
    };
    auto list = [this](std::vector<std::string>& out) {
        return
            [this, &out](const YAML::Node& v, const std::string& p) { optional_texts(v, p, out); };
    };
    AlertContentSettings& content = c.alert_content;
    fields(n, path,
           {{"output", str(c.alerts_output)},
            {"format",
             [&](const YAML::Node& x, const std::string& q) {
                 choice(x, q, {"jsonl", "ocsf", "table"}, c.alerts_format);
             }},
            {"include_event",
             [&](const YAML::Node& x, const std::string& q) { flag(x, q, content.include_event); }},
            {"max_alert_bytes", uint_field(4096, 64ULL << 20, content.max_alert_bytes)},
            {"event_fields", list(content.event_fields)},
            {"time_fields", list(content.time_fields)},
            {"host_fields", list(content.host_fields)},
            {"suppression",
             [&](const YAML::Node& x, const std::string& q) {
                 fields(x, q,
                        {{"window_seconds", uint_field(0, 86400, c.suppression.window_seconds)},
                         {"fields", list(c.suppression.fields)}});
             }},
            {"outputs",
             [&](const YAML::Node& x, const std::string& q) { outputs(x, q, c.outputs); }}});
}

void ConfigReader::outputs(const YAML::Node& n, const std::string& path,
                           std::vector<OutputSettings>& out) {
    if (!n.IsSequence() || n.size() == 0) {
        error(n, path + " must be a non-empty list of outputs");
        return;
    }
    std::set<std::string> names;
    size_t index = 0;
    for (const auto& item : n) {
        OutputSettings o;
        const std::string where = path + "[" + std::to_string(index++) + "]";
        output(item, where, o);
        o.filter.leaves_organisation = o.forwards() && !o.filter.inside_organisation;
        if (!o.name.empty() && !names.insert(o.name).second) {
            error(item, where + ": output name '" + o.name + "' is used twice");
        }
        out.push_back(std::move(o));
    }
}

void ConfigReader::output_filter_fields(OutputSettings& o, std::vector<Field>& known) {
    auto list = [this](std::vector<std::string>& out) {
        return
            [this, &out](const YAML::Node& v, const std::string& p) { optional_texts(v, p, out); };
    };
    known.push_back({"min_level", [this, &o](const YAML::Node& v, const std::string& p) {
                         level(v, p, o.filter.min_level);
                     }});
    known.push_back({"agencies", list(o.filter.agencies)});
    known.push_back({"tags", list(o.filter.tags)});
    known.push_back({"exclude_rules", list(o.filter.exclude_rules)});
    known.push_back({"tlp_amber", [this, &o](const YAML::Node& v, const std::string& p) {
                         flag(v, p, o.filter.tlp_amber);
                     }});
    known.push_back({"inside_organisation", [this, &o](const YAML::Node& v, const std::string& p) {
                         flag(v, p, o.filter.inside_organisation);
                     }});
}

void ConfigReader::output(const YAML::Node& n, const std::string& path, OutputSettings& o) {
    if (!n.IsMap() || !n["type"] || !n["name"]) {
        error(n, path + " must be a mapping with at least name and type");
        return;
    }
    std::string type;
    choice(n["type"], path + ".type", kOutputTypes, type);
    o.type = output_type(type);
    auto str = [this](std::string& out) {
        return [this, &out](const YAML::Node& v, const std::string& p) { text(v, p, out); };
    };
    std::vector<Field> known{{"type", [](const YAML::Node&, const std::string&) {}},
                             {"name", [this, &o](const YAML::Node& v, const std::string& p) {
                                  text(v, p, o.name);
                                  if (!valid_output_name(o.name))
                                      error(v, p + " must be letters, digits, '-' or '_'");
                              }}};
    output_filter_fields(o, known);
    switch (o.type) {
        case OutputType::Stdout:
            break;
        case OutputType::File:
            known.push_back({"path", str(o.file.path)});
            known.push_back({"rotate_bytes", uint_field(0, 1ULL << 40, o.file.rotate_bytes)});
            known.push_back({"keep_files", uint_field(1, 1000, o.file.keep_files)});
            known.push_back({"fsync", [this, &o](const YAML::Node& v, const std::string& p) {
                                 std::string policy;
                                 choice(v, p, {"never", "batch", "always"}, policy);
                                 o.file.fsync = policy == "never"    ? FsyncPolicy::Never
                                                : policy == "always" ? FsyncPolicy::Always
                                                                     : FsyncPolicy::Batch;
                             }});
            break;
        case OutputType::Nats:
            known.push_back({"url", nats_server_list(o.nats.servers)});
            known.push_back({"inbox_prefix", nats_inbox_prefix(o.nats.inbox_prefix)});
            known.push_back({"subject_prefix", str(o.nats.subject_prefix)});
            known.push_back({"credentials", str(o.nats.credentials)});
            known.push_back({"batch", uint_field(1, 100000, o.nats.batch)});
            known.push_back({"ack_timeout_ms", uint_field(100, 600000, o.nats.ack_timeout_ms)});
            break;
        case OutputType::Webhook:
            known.push_back({"url", str(o.webhook.url)});
            known.push_back({"secret_env", str(o.webhook.secret_env)});
            known.push_back({"ca_file", str(o.webhook.ca_file)});
            known.push_back({"batch", uint_field(1, 100000, o.webhook.batch)});
            known.push_back({"timeout_ms", uint_field(100, 600000, o.webhook.timeout_ms)});
            known.push_back(
                {"retry_initial_ms", uint_field(1, 600000, o.webhook.retry_initial_ms)});
            known.push_back({"retry_max_ms", uint_field(1, 3600000, o.webhook.retry_max_ms)});
            break;
        case OutputType::Syslog:
            known.push_back({"address", str(o.syslog.address)});
            known.push_back({"facility", uint_field(0, 23, o.syslog.facility)});
            known.push_back({"app_name", str(o.syslog.app_name)});
            known.push_back({"hostname", str(o.syslog.hostname)});
            break;
    }
    fields(n, path, known);
    const bool needs_target = (o.type == OutputType::File && o.file.path.empty()) ||
                              (o.type == OutputType::Webhook && o.webhook.url.empty());
    if (needs_target)
        error(n, path + ": a " + type + " output needs " +
                     (o.type == OutputType::File ? "a path" : "a url"));
}

void ConfigReader::spool(const YAML::Node& n, const std::string& path, SpoolSettings& s) {
    fields(n, path,
           {{"directory",
             [&](const YAML::Node& v, const std::string& p) {
                 text(v, p, s.directory);
                 if (s.directory.empty()) error(v, p + " must be a directory");
             }},
            {"max_bytes", uint_field(1ULL << 20, 1ULL << 44, s.max_bytes)},
            {"segment_bytes", uint_field(64ULL << 10, 1ULL << 32, s.segment_bytes)},
            {"fsync_interval_ms", uint_field(0, 10000, s.fsync_interval_ms)},
            {"dead_letter_max_bytes", uint_field(1ULL << 20, 1ULL << 40, s.dead_letter_max_bytes)},
            {"drain_seconds", uint_field(0, 600, s.drain_seconds)}});
}

void ConfigReader::pushgateway(const YAML::Node& n, const std::string& path,
                               PushgatewaySettings& s) {
    auto str = [this](std::string& out) {
        return [this, &out](const YAML::Node& v, const std::string& p) { text(v, p, out); };
    };
    fields(n, path,
           {{"url", str(s.url)},
            {"interval_seconds", uint_field(1, 86400, s.interval_seconds)},
            {"job", str(s.job)},
            {"agency", str(s.agency)},
            {"instance", str(s.instance)}});
}

}  // namespace vigie
