// SPDX-License-Identifier: EUPL-1.2
// The `nats` section (the JetStream input) and the NATS settings shared with the nats
// alert outputs: server lists and inbox prefixes. Names and subjects are checked here, so
// that a typo is a file:line:col error rather than a refusal by the server at start-up.
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "app/config/sections.hpp"
#include "core/identifiers.hpp"
#include "core/text.hpp"

namespace vigie {

namespace {

// A JetStream stream or consumer name (also a subject token of its API).
bool nats_name(std::string& name) {
    return is_name_token(name);
}

// A subject of non-empty dot-separated tokens, without wildcards or white space.
bool nats_subject(std::string& s) {
    if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string::npos)
        return false;
    return std::none_of(s.begin(), s.end(), [](char c) {
        return c == '*' || c == '>' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
    });
}

// "<prefix>.>": the agency is the one token after the prefix.
bool nats_subjects(std::string& s) {
    std::string prefix = s.size() > 2 ? s.substr(0, s.size() - 2) : std::string();
    return s.size() > 2 && s.compare(s.size() - 2, 2, ".>") == 0 && nats_subject(prefix);
}

bool inbox_prefix(std::string& s) {
    return s.empty() || nats_subject(s);
}

// One server: nats://, tls:// or a bare host:port, as the client library takes it.
std::string server_problem(const std::string& url) {
    if (url.empty()) return "an empty server URL";
    if (std::any_of(url.begin(), url.end(), [](char c) { return c == ' ' || c == '\t'; }))
        return "white space in server URL '" + url + "'";
    const auto scheme = url.find("://");
    if (scheme != std::string::npos) {
        const std::string s = url.substr(0, scheme);
        if (s != "nats" && s != "tls") return "server URL '" + url + "' must be nats:// or tls://";
    }
    return {};
}

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        std::string part = text.substr(start, end - start);
        part.erase(0, part.find_first_not_of(' '));
        part.erase(part.find_last_not_of(' ') + 1);
        out.push_back(part);
        start = end + 1;
    }
    return out;
}

void check_stream(SchemaReader& r, const YAML::Node& n, const std::string& path, NatsSettings& s) {
    const NatsStreamSettings& st = s.stream_settings;
    if (st.max_age_seconds != 0 && st.duplicate_window_seconds > st.max_age_seconds)
        r.error(n, path + ".duplicate_window_seconds must not exceed max_age_seconds");
}

}  // namespace

keys::TextCheck nats_inbox_prefix_check() {
    return {"a subject without wildcards (_INBOX_demo)", inbox_prefix};
}

std::optional<std::vector<std::string>> read_nats_servers(SchemaReader& r, const YAML::Node& n,
                                                          const std::string& path) {
    std::vector<std::pair<std::string, YAML::Node>> given;
    if (n.IsScalar()) {
        for (auto& url : split_commas(n.Scalar())) given.emplace_back(url, n);
    } else if (n.IsSequence()) {
        for (const auto& item : n) {
            if (!item.IsScalar()) {
                r.error(item, path + " must list server URLs (strings)");
                return std::nullopt;
            }
            for (auto& url : split_commas(item.Scalar())) given.emplace_back(url, item);
        }
    }
    if (given.empty() || given.size() > 64) {
        r.error(n, path + " must be a server URL, a comma list or a list of 1 to 64 of them");
        return std::nullopt;
    }
    std::vector<std::string> servers;
    for (const auto& [url, node] : given) {
        if (std::string problem = server_problem(url); !problem.empty()) {
            r.error(node, problem.insert(0, path + ": "));
            return std::nullopt;
        }
        servers.push_back(url);
    }
    return servers;
}

const Schema<NatsSettings>& nats_schema() {
    using namespace keys;
    using N = NatsSettings;
    using T = NatsStreamSettings;
    auto stream = [](auto member) {
        return [member](N & s) -> auto& {
            return s.stream_settings.*member;
        };
    };
    const TextCheck name{"a name of letters, digits, '-' or '_'", nats_name};
    static const Schema<N> schema{
        {
            flag("enabled", &N::enabled),
            nats_servers("url", &N::servers),
            text("credentials", &N::credentials),
            text("inbox_prefix", &N::inbox_prefix, nats_inbox_prefix_check()),
            number("connect_retry_seconds", &N::connect_retry_seconds, 0, 86400),
            text("stream", &N::stream, name),
            text("subjects", &N::subjects, {"a subject prefix and .> (events.>)", nats_subjects}),
            number("replicas", stream(&T::replicas), 1, 5),
            number("max_age_seconds", stream(&T::max_age_seconds), 0, 100ULL * 365 * 86400),
            number("max_bytes", stream(&T::max_bytes), 0, 1ULL << 50),
            number("duplicate_window_seconds", stream(&T::duplicate_window_seconds), 1,
                   7ULL * 86400),
            text("consumer", &N::consumer, name),
            text("dead_letter_subject", &N::dead_letter_subject,
                 {"a subject without wildcards", nats_subject}),
            number("fetch_batch", &N::fetch_batch, 1, 10000),
            number("ack_wait_seconds", &N::ack_wait_seconds, 1, 3600),
            number("max_deliver", &N::max_deliver, 1, 1000),
            number("max_ack_pending", &N::max_ack_pending, 1, 1000000),
        },
        check_stream};
    return schema;
}

}  // namespace vigie
