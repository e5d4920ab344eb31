// The `taxii:` section of the `vigie serve` configuration (see federation/taxii/taxii_config.hpp).
#include "app/config/taxii_config_reader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <set>

#include "core/token_digest.hpp"

namespace vigie {

namespace {

using taxii::ApiRootSettings;
using taxii::CollectionRights;
using taxii::CollectionSettings;
using taxii::PeerSettings;
using taxii::TaxiiSettings;

// Paths that the other routes of the listener own: an API root must not shadow them.
const std::set<std::string> kReservedRootPaths{"taxii2", "v1", "healthz", "readyz", "metrics"};

bool url_token(const std::string& s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

// 8-4-4-4-12 hex digits, as TAXII collection ids are.
bool uuid_text(const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash != (s[i] == '-')) return false;
        if (!dash && std::isxdigit(static_cast<unsigned char>(s[i])) == 0) return false;
    }
    return true;
}

class TaxiiReader {
  public:
    TaxiiReader(const std::string& origin, Diagnostics& diags) : origin_(origin), diags_(diags) {}

    void read(const YAML::Node& n, const std::string& path, TaxiiSettings& t);
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
    Handler digest(std::string& out) {
        return [this, &out](const YAML::Node& n, const std::string& p) {
            if (!n.IsScalar() || !is_sha256_hex(n.Scalar()))
                return error(n, p + " must be 64 hex digits (printf %s SECRET | sha256sum)");
            out = n.Scalar();
            std::transform(out.begin(), out.end(), out.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        };
    }
    template <class T>
    void list(const YAML::Node& n, const std::string& path, std::vector<T>& out,
              const std::function<void(const YAML::Node&, const std::string&, T&)>& item) {
        if (!n.IsSequence()) return error(n, path + " must be a list");
        size_t index = 0;
        for (const auto& entry : n) {
            T value;
            item(entry, path + "[" + std::to_string(index++) + "]", value);
            out.push_back(std::move(value));
        }
    }
    void api_root(const YAML::Node& n, const std::string& path, ApiRootSettings& r);
    void collection(const YAML::Node& n, const std::string& path, CollectionSettings& c);
    void peer(const YAML::Node& n, const std::string& path, PeerSettings& p);
    void rights(const YAML::Node& n, const std::string& path, CollectionRights& r);
    void cross_check(const YAML::Node& n, TaxiiSettings& t);

    const std::string& origin_;
    Diagnostics& diags_;
    size_t errors_ = 0;
    std::set<std::string> root_paths_;
    std::set<std::string> collection_ids_;
    std::set<std::string> peer_ids_;
    std::set<std::string> credentials_;
};

void TaxiiReader::fields(const YAML::Node& map, const std::string& path,
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

void TaxiiReader::api_root(const YAML::Node& n, const std::string& path, ApiRootSettings& r) {
    fields(n, path,
           {{"path", text(r.path)},
            {"title", text(r.title)},
            {"description", text(r.description)},
            {"max_content_length", number(1024, 1ULL << 30, r.max_content_length)}});
    if (!url_token(r.path)) {
        error(n, path + ".path must be letters, digits, '-' or '_' (the URL is /<path>/)");
    } else if (kReservedRootPaths.count(r.path) > 0) {
        error(n, path + ".path '" + r.path + "' is a route of vigie serve already");
    } else if (!root_paths_.insert(r.path).second) {
        error(n, path + ".path '" + r.path + "' is used twice");
    }
    if (r.title.empty()) r.title = r.path;
}

void TaxiiReader::collection(const YAML::Node& n, const std::string& path, CollectionSettings& c) {
    fields(n, path,
           {{"id", text(c.id)},
            {"api_root", text(c.api_root)},
            {"title", text(c.title)},
            {"description", text(c.description)},
            {"seed", text(c.seed)}});
    std::transform(c.id.begin(), c.id.end(), c.id.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (!uuid_text(c.id)) {
        error(n, path + ".id must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
    } else if (!collection_ids_.insert(c.id).second) {
        error(n, path + ".id " + c.id + " is used twice");
    }
    if (c.title.empty()) c.title = c.id;
}

void TaxiiReader::rights(const YAML::Node& n, const std::string& path, CollectionRights& r) {
    fields(n, path, {{"id", text(r.collection)}, {"read", flag(r.read)}, {"write", flag(r.write)}});
    std::transform(r.collection.begin(), r.collection.end(), r.collection.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (collection_ids_.count(r.collection) == 0)
        error(n, path + ".id '" + r.collection + "' is not a collection of taxii.collections");
}

void TaxiiReader::peer(const YAML::Node& n, const std::string& path, PeerSettings& p) {
    fields(n, path,
           {{"id", text(p.id)},
            {"user", text(p.user)},
            {"password_sha256", digest(p.password_sha256)},
            {"token_sha256", digest(p.token_sha256)},
            {"certificate_cn", text(p.certificate_cn)},
            {"tlp_amber", flag(p.tlp_amber)},
            {"collections", [&](const YAML::Node& v, const std::string& q) {
                 list<CollectionRights>(v, q, p.collections,
                                        [this](const YAML::Node& x, const std::string& r,
                                               CollectionRights& out) { rights(x, r, out); });
             }}});
    if (!url_token(p.id)) error(n, path + ".id must be letters, digits, '-' or '_'");
    if (!p.id.empty() && !peer_ids_.insert(p.id).second)
        error(n, path + ".id '" + p.id + "' is used twice");
    if (p.user.empty() != p.password_sha256.empty())
        error(n, path + ": user and password_sha256 go together");
    if (p.user.empty() && p.token_sha256.empty() && p.certificate_cn.empty())
        error(n, path +
                     " needs a credential: user + password_sha256, token_sha256 or "
                     "certificate_cn");
    // Two peers with one credential: the first would always win, silently.
    if (!p.user.empty() && !credentials_.insert("user:" + p.user).second)
        error(n, path + ".user '" + p.user + "' is another peer's");
    if (!p.token_sha256.empty() && !credentials_.insert("token:" + p.token_sha256).second)
        error(n, path + ".token_sha256 is another peer's");
    if (!p.certificate_cn.empty() && p.user.empty() && p.token_sha256.empty() &&
        !credentials_.insert("cn:" + p.certificate_cn).second)
        error(n, path + ".certificate_cn '" + p.certificate_cn + "' is another peer's");
}

void TaxiiReader::cross_check(const YAML::Node& n, TaxiiSettings& t) {
    for (auto& c : t.collections) {
        if (c.api_root.empty() && t.api_roots.size() == 1) c.api_root = t.api_roots[0].path;
        if (root_paths_.count(c.api_root) == 0)
            error(n, "taxii.collections: collection " + c.id + " names api_root '" + c.api_root +
                         "', which is not one of taxii.api_roots");
    }
    if (!t.default_api_root.empty() && root_paths_.count(t.default_api_root) == 0)
        error(n, "taxii.discovery.default '" + t.default_api_root + "' is not an API root");
    if (t.page_size > t.max_page_size)
        error(n, "taxii.page_size must not be over taxii.max_page_size");
}

void TaxiiReader::read(const YAML::Node& n, const std::string& path, TaxiiSettings& t) {
    // Collections before peers, whatever their order in the file: rights name collections.
    if (n.IsMap() && n["collections"]) {
        list<CollectionSettings>(n["collections"], path + ".collections", t.collections,
                                 [this](const YAML::Node& x, const std::string& p,
                                        CollectionSettings& c) { collection(x, p, c); });
    }
    auto ignore = [](const YAML::Node&, const std::string&) {};
    fields(n, path,
           {{"enabled", flag(t.enabled)},
            {"discovery",
             [&](const YAML::Node& v, const std::string& p) {
                 fields(v, p,
                        {{"title", text(t.discovery_title)},
                         {"description", text(t.discovery_description)},
                         {"contact", text(t.contact)},
                         {"base_url", text(t.base_url)},
                         {"default", text(t.default_api_root)}});
             }},
            {"default_tlp",
             [&](const YAML::Node& v, const std::string& p) {
                 auto level = v.IsScalar() ? stix::parse_tlp(v.Scalar()) : std::nullopt;
                 if (!level)
                     return error(v, p + " must be clear, green, amber, amber+strict or red");
                 t.default_tlp = *level;
             }},
            {"store", text(t.store)},
            {"page_size", number(1, 100000, t.page_size)},
            {"max_page_size", number(1, 100000, t.max_page_size)},
            {"api_roots",
             [&](const YAML::Node& v, const std::string& p) {
                 list<ApiRootSettings>(v, p, t.api_roots,
                                       [this](const YAML::Node& x, const std::string& q,
                                              ApiRootSettings& r) { api_root(x, q, r); });
             }},
            {"collections", ignore},
            {"peers", [&](const YAML::Node& v, const std::string& p) {
                 list<PeerSettings>(v, p, t.peers,
                                    [this](const YAML::Node& x, const std::string& q,
                                           PeerSettings& out) { peer(x, q, out); });
             }}});
    cross_check(n, t);
}

}  // namespace

size_t read_taxii_config(const YAML::Node& node, const std::string& path, const std::string& origin,
                         Diagnostics& diags, taxii::TaxiiSettings& out) {
    TaxiiReader reader(origin, diags);
    reader.read(node, path, out);
    return reader.errors();
}

}  // namespace vigie
