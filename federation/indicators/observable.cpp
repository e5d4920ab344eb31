// SPDX-License-Identifier: EUPL-1.2
#include "federation/indicators/observable.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/text.hpp"

namespace vigie {
namespace {

bool ends_with_value_ref(std::string_view path) {
    return path.ends_with("_ref.value") || path.ends_with("_refs[*].value");
}

constexpr std::string_view kHashPrefix = "file:hashes.";

}  // namespace

std::optional<std::string_view> stix_hash_name(std::string_view name) {
    // Compared with '-', '_' and quotes left out, so that Sysmon's SHA256, STIX's 'SHA-256'
    // and sha_256 are one name; no allocation, since event Hashes fields come through here.
    struct Name {
        std::string_view squeezed;
        std::string_view stix;
    };
    static constexpr std::array<Name, 7> kNames{{{"md5", "MD5"},
                                                 {"sha1", "SHA-1"},
                                                 {"sha256", "SHA-256"},
                                                 {"sha512", "SHA-512"},
                                                 {"sha3256", "SHA3-256"},
                                                 {"ssdeep", "SSDEEP"},
                                                 {"tlsh", "TLSH"}}};
    for (const Name& n : kNames) {
        size_t j = 0;
        bool same = true;
        for (char c : name) {
            if (c == '-' || c == '_' || c == '\'') continue;
            if (j >= n.squeezed.size() || ascii_lower(c) != n.squeezed[j]) {
                same = false;
                break;
            }
            ++j;
        }
        if (same && j == n.squeezed.size()) return n.stix;
    }
    return std::nullopt;
}

ValueKind kind_of_path(std::string_view path) {
    if (path == "domain-name:value") return ValueKind::Domain;
    if (path == "url:value") return ValueKind::Url;
    if (path == "ipv4-addr:value" || path == "ipv6-addr:value") return ValueKind::Ip;
    if (path.starts_with("network-traffic:") && ends_with_value_ref(path)) return ValueKind::Ip;
    if (path == "email-addr:value" ||
        (path.starts_with("email-message:") && ends_with_value_ref(path)))
        return ValueKind::Email;
    if (path.starts_with(kHashPrefix) || path.starts_with("artifact:hashes."))
        return ValueKind::Hash;
    return ValueKind::Text;
}

void canonical_key(std::string_view path, std::string& out) {
    out.clear();
    switch (kind_of_path(path)) {
        case ValueKind::Ip:
            out = "ip";
            return;
        case ValueKind::Email:
            out = "email-addr:value";
            return;
        case ValueKind::Hash: {
            auto algorithm = stix_hash_name(path.substr(path.find("hashes.") + 7));
            out = kHashPrefix;
            out += algorithm ? *algorithm : path.substr(path.find("hashes.") + 7);
            return;
        }
        default:
            out = path;
            return;
    }
}

bool normalize_value(ValueKind kind, std::string_view value, std::string& out) {
    switch (kind) {
        case ValueKind::Domain:
        case ValueKind::Email:
            if (value.ends_with('.')) value.remove_suffix(1);
            if (value.empty()) return false;
            append_ascii_lower(out, value);
            return true;
        case ValueKind::Hash:
            if (value.empty()) return false;
            for (char c : value) {
                if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
                out += ascii_lower(c);
            }
            return true;
        case ValueKind::Url: {
            // Scheme and host are case-insensitive (RFC 3986), the path is not.
            const size_t scheme = value.find("://");
            const size_t host_end =
                scheme == std::string_view::npos ? 0 : value.find_first_of("/?#", scheme + 3);
            const size_t fold = scheme == std::string_view::npos     ? 0
                                : host_end == std::string_view::npos ? value.size()
                                                                     : host_end;
            for (size_t i = 0; i < value.size(); ++i)
                out += i < fold ? ascii_lower(value[i]) : value[i];
            return !value.empty();
        }
        case ValueKind::Ip:
        case ValueKind::Text:
            out.append(value);
            return true;
    }
    return false;
}

}  // namespace vigie
