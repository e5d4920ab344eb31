// SPDX-License-Identifier: EUPL-1.2
#include "federation/misp/misp_attributes.hpp"

#include <array>
#include <vector>

#include "federation/indicators/observable.hpp"

namespace vigie::misp {
namespace {

std::string comparison(std::string_view path, std::string_view value) {
    return std::string(path) + " = " + stix_quote(value);
}

std::optional<std::string> ip_comparison(std::string_view value) {
    auto prefix = IpNetwork::parse(value);
    if (!prefix) return std::nullopt;
    const char* type = prefix->network.v6 ? "ipv6-addr:value" : "ipv4-addr:value";
    if (value.find('/') != std::string_view::npos)
        return std::string(type) + " ISSUBSET " + stix_quote(value);
    return comparison(type, value);
}

// The comparison of a single-valued type.
std::optional<std::string> single(std::string_view type, std::string_view value) {
    if (value.empty()) return std::nullopt;
    if (type == "ip-src" || type == "ip-dst" || type == "ip") return ip_comparison(value);
    if (type == "domain" || type == "hostname") return comparison("domain-name:value", value);
    if (type == "url" || type == "uri" || type == "link") return comparison("url:value", value);
    if (type == "email" || type == "email-src" || type == "email-dst")
        return comparison("email-addr:value", value);
    struct Hash {
        std::string_view misp, stix;
    };
    static constexpr std::array<Hash, 6> kHashes{{{"md5", "MD5"},
                                                  {"sha1", "'SHA-1'"},
                                                  {"sha256", "'SHA-256'"},
                                                  {"sha512", "'SHA-512'"},
                                                  {"ssdeep", "SSDEEP"},
                                                  {"tlsh", "TLSH"}}};
    for (const Hash& h : kHashes) {
        if (type == h.misp) return comparison("file:hashes." + std::string(h.stix), value);
    }
    return std::nullopt;
}

}  // namespace

std::string stix_quote(std::string_view value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::optional<std::string> attribute_pattern(std::string_view type, std::string_view value) {
    const size_t bar = type.find('|');
    std::vector<std::string> parts;
    if (bar == std::string_view::npos) {
        if (auto c = single(type, value)) parts.push_back(*c);
    } else {
        // "domain|ip", "filename|md5", "ip-dst|port": each half by its own type.
        const size_t vbar = value.find('|');
        if (vbar == std::string_view::npos) return std::nullopt;
        if (auto c = single(type.substr(0, bar), value.substr(0, vbar))) parts.push_back(*c);
        if (auto c = single(type.substr(bar + 1), value.substr(vbar + 1))) parts.push_back(*c);
    }
    if (parts.empty()) return std::nullopt;
    std::string pattern;
    for (const auto& p : parts) {
        if (!pattern.empty()) pattern += " OR ";
        pattern += "[" + p + "]";
    }
    return pattern;
}

}  // namespace vigie::misp
