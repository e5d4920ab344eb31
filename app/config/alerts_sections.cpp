// SPDX-License-Identifier: EUPL-1.2
// The alerts section of the `vigie serve` configuration (alerts.outputs and their types,
// suppression, the alert's content), spool and metrics.pushgateway.
#include <yaml-cpp/yaml.h>

#include "app/config/sections.hpp"
#include "core/identifiers.hpp"
#include "core/text.hpp"

namespace vigie {

namespace {

const std::vector<std::pair<std::string, OutputType>> kOutputTypes{{"stdout", OutputType::Stdout},
                                                                   {"file", OutputType::File},
                                                                   {"nats", OutputType::Nats},
                                                                   {"webhook", OutputType::Webhook},
                                                                   {"syslog", OutputType::Syslog}};

// An output's name is a spool cursor's file name and a metrics label.
bool output_name(std::string& name) {
    return is_name_token(name);
}

// The keys every output has: its name and type, and its filter (live: a reload gives it
// to the running output of that name, app/serve_reload.cpp).
std::vector<KeySpec<OutputSettings>> common_output_keys() {
    using namespace keys;
    using O = OutputSettings;
    auto filter = [](auto member) {
        return [member](O & o) -> auto& {
            return o.filter.*member;
        };
    };
    return {
        read_before("type"),
        text("name", &O::name, {"letters, digits, '-' or '_'", output_name}),
        live(parsed("min_level", filter(&OutputFilter::min_level), parse_level,
                    "one of: informational, low, medium, high, critical")),
        live(texts("agencies", filter(&OutputFilter::agencies), true)),
        live(texts("tags", filter(&OutputFilter::tags), true)),
        live(texts("exclude_rules", filter(&OutputFilter::exclude_rules), true)),
        live(flag("tlp_amber", filter(&OutputFilter::tlp_amber))),
        live(flag("inside_organisation", filter(&OutputFilter::inside_organisation))),
    };
}

template <class Settings>
auto output_part(Settings OutputSettings::*part) {
    return [part](auto member) {
        return [ part, member ](OutputSettings & o) -> auto& {
            return (o.*part).*member;
        };
    };
}

std::vector<KeySpec<OutputSettings>> output_keys(OutputType type) {
    using namespace keys;
    auto file = output_part(&OutputSettings::file);
    auto nats = output_part(&OutputSettings::nats);
    auto webhook = output_part(&OutputSettings::webhook);
    auto syslog = output_part(&OutputSettings::syslog);
    using F = FileOutputSettings;
    using N = NatsOutputSettings;
    using W = WebhookOutputSettings;
    using S = SyslogOutputSettings;
    switch (type) {
        case OutputType::Stdout:
            return {};
        case OutputType::File:
            return {text("path", file(&F::path)),
                    number("rotate_bytes", file(&F::rotate_bytes), 0, 1ULL << 40),
                    number("keep_files", file(&F::keep_files), 1, 1000),
                    choice("fsync", file(&F::fsync),
                           std::vector<std::pair<std::string, FsyncPolicy>>{
                               {"never", FsyncPolicy::Never},
                               {"batch", FsyncPolicy::Batch},
                               {"always", FsyncPolicy::Always}})};
        case OutputType::Nats:
            return {nats_servers("url", nats(&N::servers)),
                    text("inbox_prefix", nats(&N::inbox_prefix), nats_inbox_prefix_check()),
                    text("subject_prefix", nats(&N::subject_prefix)),
                    text("credentials", nats(&N::credentials)),
                    number("batch", nats(&N::batch), 1, 100000),
                    number("ack_timeout_ms", nats(&N::ack_timeout_ms), 100, 600000)};
        case OutputType::Webhook:
            return {text("url", webhook(&W::url)),
                    text("secret_env", webhook(&W::secret_env)),
                    text("ca_file", webhook(&W::ca_file)),
                    number("batch", webhook(&W::batch), 1, 100000),
                    number("timeout_ms", webhook(&W::timeout_ms), 100, 600000),
                    number("retry_initial_ms", webhook(&W::retry_initial_ms), 1, 600000),
                    number("retry_max_ms", webhook(&W::retry_max_ms), 1, 3600000)};
        case OutputType::Syslog:
            return {text("address", syslog(&S::address)),
                    number("facility", syslog(&S::facility), 0, 23),
                    text("app_name", syslog(&S::app_name)), text("hostname", syslog(&S::hostname))};
    }
    return {};
}

// The table of an output of `type`: the keys of every output, then its type's.
const Schema<OutputSettings>& output_schema(OutputType type) {
    static const std::vector<Schema<OutputSettings>> schemas = [] {
        std::vector<Schema<OutputSettings>> out;
        for (const auto& [name, t] : kOutputTypes) {
            auto keys = common_output_keys();
            for (auto& k : output_keys(t)) keys.push_back(std::move(k));
            out.emplace_back(std::move(keys));
        }
        return out;
    }();
    return schemas[static_cast<size_t>(type)];
}

void read_output(SchemaReader& r, const YAML::Node& n, const std::string& path, OutputSettings& o) {
    if (!n.IsMap() || !n["type"] || !n["name"]) {
        r.error(n, path + " must be a mapping with at least name and type");
        return;
    }
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        out.reserve(kOutputTypes.size());
        for (const auto& [name, type] : kOutputTypes) out.push_back(name);
        return out;
    }();
    const auto type = r.choice(n["type"], path + ".type", names);
    if (type) o.type = kOutputTypes[*type].second;
    output_schema(o.type).read(r, n, path, o);
    if (o.type == OutputType::File && o.file.path.empty())
        r.error(n, path + ": a file output needs a path");
    if (o.type == OutputType::Webhook && o.webhook.url.empty())
        r.error(n, path + ": a webhook output needs a url");
}

void read_outputs(SchemaReader& r, const YAML::Node& n, const std::string& path, ServeConfig& c) {
    const SchemaReader::ListRules rules{"a non-empty list of outputs", false, true};
    r.each_item(n, path, rules, [&](const YAML::Node& item, const std::string& where) {
        OutputSettings o;
        read_output(r, item, where, o);
        o.filter.leaves_organisation = o.forwards() && !o.filter.inside_organisation;
        if (!o.name.empty() && !r.claim("output name", o.name))
            r.error(item, where + ": output name '" + o.name + "' is used twice");
        c.outputs.push_back(std::move(o));
    });
}

}  // namespace

const Schema<ServeConfig>& alerts_schema() {
    using namespace keys;
    using C = ServeConfig;
    auto content = [](auto member) {
        return [member](C & c) -> auto& {
            return c.alert_content.*member;
        };
    };
    using A = AlertContentSettings;
    static const Schema<SuppressionSettings> suppression{{
        number("window_seconds", &SuppressionSettings::window_seconds, 0, 86400),
        texts("fields", &SuppressionSettings::fields, true),
    }};
    static const Schema<C> schema{{
        text("output", &C::alerts_output),
        choice("format", &C::alerts_format, {"jsonl", "ocsf", "table"}),
        flag("include_event", content(&A::include_event)),
        number("max_alert_bytes", content(&A::max_alert_bytes), 4096, 64ULL << 20),
        texts("event_fields", content(&A::event_fields), true),
        texts("time_fields", content(&A::time_fields), true),
        texts("host_fields", content(&A::host_fields), true),
        live(section("suppression", &C::suppression, suppression)),
        items_like(custom("outputs", read_outputs), output_schema(OutputType::Stdout)),
    }};
    return schema;
}

const Schema<SpoolSettings>& spool_schema() {
    using namespace keys;
    using S = SpoolSettings;
    static const Schema<S> schema{{
        text("directory", &S::directory,
             {"a directory", [](std::string& dir) { return !dir.empty(); }}),
        number("max_bytes", &S::max_bytes, 1ULL << 20, 1ULL << 44),
        number("segment_bytes", &S::segment_bytes, 64ULL << 10, 1ULL << 32),
        number("fsync_interval_ms", &S::fsync_interval_ms, 0, 10000),
        number("dead_letter_max_bytes", &S::dead_letter_max_bytes, 1ULL << 20, 1ULL << 40),
        number("drain_seconds", &S::drain_seconds, 0, 600),
    }};
    return schema;
}

const Schema<PushgatewaySettings>& pushgateway_schema() {
    using namespace keys;
    using P = PushgatewaySettings;
    static const Schema<P> schema{{
        text("url", &P::url),
        number("interval_seconds", &P::interval_seconds, 1, 86400),
        text("job", &P::job),
        text("agency", &P::agency),
        text("instance", &P::instance),
    }};
    return schema;
}

}  // namespace vigie
