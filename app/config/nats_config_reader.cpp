// The `nats` section (the JetStream input) and the NATS settings shared with the nats
// alert outputs: server lists and inbox prefixes. Names and subjects are checked here, so
// that a typo is a file:line:col error rather than a refusal by the server at start-up.
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "app/config/config_reader.hpp"

namespace vigie {

namespace {

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

// A JetStream stream or consumer name (also a subject token of its API).
bool nats_name(const std::string& name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), name_char);
}

// A subject of non-empty dot-separated tokens, without wildcards or white space.
bool nats_subject(const std::string& s) {
    if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string::npos)
        return false;
    return std::none_of(s.begin(), s.end(), [](char c) {
        return c == '*' || c == '>' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
    });
}

// "<prefix>.>": the agency is the one token after the prefix.
bool nats_subjects(const std::string& s) {
    return s.size() > 2 && s.compare(s.size() - 2, 2, ".>") == 0 &&
           nats_subject(s.substr(0, s.size() - 2));
}

bool inbox_prefix(const std::string& s) {
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

}  // namespace

void ConfigReader::nats_servers(const YAML::Node& n, const std::string& path,
                                std::vector<std::string>& out) {
    std::vector<std::pair<std::string, YAML::Node>> given;
    if (n.IsScalar()) {
        for (auto& url : split_commas(n.Scalar())) given.emplace_back(url, n);
    } else if (n.IsSequence()) {
        for (const auto& item : n) {
            if (!item.IsScalar()) {
                error(item, path + " must list server URLs (strings)");
                return;
            }
            for (auto& url : split_commas(item.Scalar())) given.emplace_back(url, item);
        }
    }
    if (given.empty() || given.size() > 64) {
        error(n, path + " must be a server URL, a comma list or a list of 1 to 64 of them");
        return;
    }
    std::vector<std::string> servers;
    for (const auto& [url, node] : given) {
        if (std::string problem = server_problem(url); !problem.empty()) {
            error(node, problem.insert(0, path + ": "));
            return;
        }
        servers.push_back(url);
    }
    out = std::move(servers);
}

ConfigReader::Handler ConfigReader::nats_text(std::string& out, const char* expected,
                                              bool (*valid)(const std::string&)) {
    return [this, &out, expected, valid](const YAML::Node& v, const std::string& p) {
        if (!v.IsNull() && !v.IsScalar()) {
            error(v, p + " must be a string");
            return;
        }
        const std::string t = v.IsScalar() ? v.Scalar() : std::string();
        if (!valid(t)) {
            error(v, p + " must be " + expected);
            return;
        }
        out = t;
    };
}

ConfigReader::Handler ConfigReader::nats_inbox_prefix(std::string& out) {
    return nats_text(out, "a subject without wildcards (_INBOX_demo)", inbox_prefix);
}

ConfigReader::Handler ConfigReader::nats_server_list(std::vector<std::string>& out) {
    return [this, &out](const YAML::Node& v, const std::string& p) { nats_servers(v, p, out); };
}

void ConfigReader::nats(const YAML::Node& n, const std::string& path, NatsSettings& s) {
    static constexpr const char* name_rule = "a name of letters, digits, '-' or '_'";
    auto& st = s.stream_settings;
    fields(
        n, path,
        {{"enabled", [&](const YAML::Node& x, const std::string& q) { flag(x, q, s.enabled); }},
         {"url", nats_server_list(s.servers)},
         {"credentials",
          [&](const YAML::Node& x, const std::string& q) { text(x, q, s.credentials); }},
         {"inbox_prefix", nats_inbox_prefix(s.inbox_prefix)},
         {"connect_retry_seconds", uint_field(0, 86400, s.connect_retry_seconds)},
         {"stream", nats_text(s.stream, name_rule, nats_name)},
         {"subjects", nats_text(s.subjects, "a subject prefix and .> (events.>)", nats_subjects)},
         {"replicas", uint_field(1, 5, st.replicas)},
         {"max_age_seconds", uint_field(0, 100ULL * 365 * 86400, st.max_age_seconds)},
         {"max_bytes", uint_field(0, 1ULL << 50, st.max_bytes)},
         {"duplicate_window_seconds", uint_field(1, 7ULL * 86400, st.duplicate_window_seconds)},
         {"consumer", nats_text(s.consumer, name_rule, nats_name)},
         {"dead_letter_subject",
          nats_text(s.dead_letter_subject, "a subject without wildcards", nats_subject)},
         {"fetch_batch", uint_field(1, 10000, s.fetch_batch)},
         {"ack_wait_seconds", uint_field(1, 3600, s.ack_wait_seconds)},
         {"max_deliver", uint_field(1, 1000, s.max_deliver)},
         {"max_ack_pending", uint_field(1, 1000000, s.max_ack_pending)}});
    if (st.max_age_seconds != 0 && st.duplicate_window_seconds > st.max_age_seconds)
        error(n, path + ".duplicate_window_seconds must not exceed max_age_seconds");
}

}  // namespace vigie
