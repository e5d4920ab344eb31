// The `federation:` section of the `vigie serve` configuration
// (federation/taxii/federation_config.hpp).
#include "app/config/federation_config_reader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <set>

namespace vigie {

namespace {

using taxii::FederationPeer;
using taxii::FederationSettings;

bool name_token(const std::string& s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

// 8-4-4-4-12 hex digits.
bool uuid_text(std::string_view s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash != (s[i] == '-')) return false;
        if (!dash && std::isxdigit(static_cast<unsigned char>(s[i])) == 0) return false;
    }
    return true;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

class FederationReader {
  public:
    FederationReader(const std::string& origin, Diagnostics& diags)
        : origin_(origin), diags_(diags) {}

    void read(const YAML::Node& n, const std::string& path, FederationSettings& f);
    [[nodiscard]] size_t errors() const { return errors_; }

  private:
    using Handler = std::function<void(const YAML::Node&, const std::string&)>;
    struct Field {
        const char* key;
        Handler handler;
    };

    void error(const YAML::Node& n, std::string message) {
        const YAML::Mark m = n.Mark();
        diags_.push_back(
            {Severity::Error,
             {origin_, static_cast<uint32_t>(m.line + 1), static_cast<uint32_t>(m.column + 1)},
             {},
             std::move(message)});
        ++errors_;
    }
    void fields(const YAML::Node& map, const std::string& path, const std::vector<Field>& known);
    Handler text(std::string& out) {
        return [this, &out](const YAML::Node& n, const std::string& p) {
            if (n.IsScalar()) {
                out = n.Scalar();
            } else if (!n.IsNull()) {
                error(n, p + " must be a string");
            }
        };
    }
    Handler flag(bool& out) {
        return [this, &out](const YAML::Node& n, const std::string& p) {
            if (!n.IsScalar() || (n.Scalar() != "true" && n.Scalar() != "false"))
                return error(n, p + " must be true or false");
            out = n.Scalar() == "true";
        };
    }
    template <class T>
    Handler number(uint64_t min, uint64_t max, T& out) {
        return [this, min, max, &out](const YAML::Node& n, const std::string& p) {
            uint64_t v = 0;
            const std::string t = n.IsScalar() ? n.Scalar() : std::string();
            const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v, 10);
            if (t.empty() || ec != std::errc() || end != t.data() + t.size() || v < min || v > max)
                return error(n, p + " must be a whole number from " + std::to_string(min) + " to " +
                                    std::to_string(max));
            out = static_cast<T>(v);
        };
    }
    void peer(const YAML::Node& n, const std::string& path, FederationPeer& p);
    void check_peer(const YAML::Node& n, const std::string& path, FederationPeer& p);

    const std::string& origin_;
    Diagnostics& diags_;
    size_t errors_ = 0;
    std::set<std::string> peer_ids_;
};

void FederationReader::fields(const YAML::Node& map, const std::string& path,
                              const std::vector<Field>& known) {
    if (map.IsNull()) return;
    if (!map.IsMap()) return error(map, path + " must be a mapping of settings");
    std::set<std::string> seen;
    for (const auto& entry : map) {
        const std::string key = entry.first.Scalar();
        const std::string full = path + "." + key;
        if (!seen.insert(key).second) {
            error(entry.first, "setting " + full + " is given twice");
            continue;
        }
        auto it =
            std::find_if(known.begin(), known.end(), [&](const Field& f) { return key == f.key; });
        if (it == known.end()) {
            std::string names;
            for (const auto& f : known) names += (names.empty() ? "" : ", ") + std::string(f.key);
            error(entry.first, "unknown setting " + full + " (known here: " + names + ")");
            continue;
        }
        it->handler(entry.second, full);
    }
}

void FederationReader::peer(const YAML::Node& n, const std::string& path, FederationPeer& p) {
    fields(n, path,
           {{"id", text(p.id)},
            {"url", text(p.url)},
            {"collection", text(p.collection)},
            {"user", text(p.user)},
            {"password_file", text(p.password_file)},
            {"token_file", text(p.token_file)},
            {"ca_file", text(p.ca_file)},
            {"cert_file", text(p.cert_file)},
            {"key_file", text(p.key_file)},
            {"interval_seconds", number(1, 86400, p.interval_seconds)},
            {"page_limit", number(1, 100000, p.page_limit)},
            {"max_page_bytes", number(1024, 1ULL << 30, p.max_page_bytes)},
            {"max_objects_per_poll", number(1, 100'000'000, p.max_objects_per_poll)},
            {"sightings_collection", text(p.sightings_collection)},
            {"tlp_amber", flag(p.tlp_amber)}});
    if (n.IsNull()) error(n, path + " is empty");
    if (n.IsMap()) check_peer(n, path, p);
}

void FederationReader::check_peer(const YAML::Node& n, const std::string& path, FederationPeer& p) {
    if (!name_token(p.id)) {
        error(n, path + ".id must be letters, digits, '-' or '_' (at most 64)");
    } else if (!peer_ids_.insert(p.id).second) {
        error(n, path + ".id '" + p.id + "' is used twice");
    }
    if (p.url.rfind("https://", 0) != 0 && p.url.rfind("http://", 0) != 0) {
        error(n, path + ".url must be the peer's API root, http:// or https://");
    } else if (p.url.back() != '/') {
        p.url += '/';  // TAXII's API root URLs end with '/': collections/ is appended
    }
    p.collection = lower(p.collection);
    if (!uuid_text(p.collection)) error(n, path + ".collection must be a collection id (a UUID)");
    p.sightings_collection = lower(p.sightings_collection);
    if (!p.sightings_collection.empty() && !uuid_text(p.sightings_collection))
        error(n, path + ".sightings_collection must be a collection id (a UUID)");
    if (p.user.empty() != p.password_file.empty())
        error(n, path + ": user and password_file go together");
    if (!p.user.empty() && !p.token_file.empty())
        error(n, path + ": user + password_file or token_file, not both");
    if (p.cert_file.empty() != p.key_file.empty())
        error(n, path + ": cert_file and key_file go together");
    if (p.user.empty() && p.token_file.empty() && p.cert_file.empty())
        error(n, path + " needs a credential: user + password_file, token_file or cert_file");
    if (p.max_objects_per_poll < p.page_limit)
        error(n, path + ".max_objects_per_poll must be at least page_limit");
}

void FederationReader::read(const YAML::Node& n, const std::string& path, FederationSettings& f) {
    fields(n, path,
           {{"identity",
             [&](const YAML::Node& v, const std::string& p) {
                 text(f.identity_id)(v, p);
                 const std::string id = lower(f.identity_id);
                 if (id.rfind("identity--", 0) != 0 || !uuid_text(std::string_view(id).substr(10)))
                     return error(v, p + " must be identity--<uuid>");
                 f.identity_id = id;
             }},
            {"name", text(f.identity_name)},
            {"peers", [&](const YAML::Node& v, const std::string& p) {
                 if (!v.IsSequence()) return error(v, p + " must be a list");
                 size_t index = 0;
                 for (const auto& entry : v) {
                     FederationPeer peer_settings;
                     peer(entry, p + "[" + std::to_string(index++) + "]", peer_settings);
                     f.peers.push_back(std::move(peer_settings));
                 }
             }}});
    if (!f.peers.empty() && f.identity_id.empty())
        error(n, path + ".identity is needed with peers (our sightings are created by it)");
}

}  // namespace

size_t read_federation_config(const YAML::Node& node, const std::string& path,
                              const std::string& origin, Diagnostics& diags,
                              taxii::FederationSettings& out) {
    FederationReader reader(origin, diags);
    reader.read(node, path, out);
    return reader.errors();
}

}  // namespace vigie
