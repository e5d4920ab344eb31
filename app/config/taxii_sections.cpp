// SPDX-License-Identifier: EUPL-1.2
// The `taxii:` section of the `vigie serve` configuration (federation/taxii/taxii_config.hpp),
// with the same strictness as the rest of the file: unknown keys, bad values, duplicate
// ids and rights on unknown collections are errors with their file:line:col.
#include <yaml-cpp/yaml.h>

#include <set>

#include "app/config/sections.hpp"
#include "core/identifiers.hpp"
#include "core/text.hpp"

namespace vigie {

namespace {

using taxii::ApiRootSettings;
using taxii::CollectionRights;
using taxii::CollectionSettings;
using taxii::PeerSettings;
using taxii::TaxiiSettings;

constexpr const char* kSecretDigest = "64 hex digits (printf %s SECRET | sha256sum)";
// The names each reading claims (SchemaReader::claim): unique across their list.
constexpr const char* kRootPaths = "taxii api root";
constexpr const char* kCollectionIds = "taxii collection";

// Paths that the other routes of the listener own: an API root must not shadow them.
const std::set<std::string> kReservedRootPaths{"taxii2", "v1", "healthz", "readyz", "metrics"};

void check_api_root(SchemaReader& r, const YAML::Node& n, const std::string& path,
                    ApiRootSettings& a) {
    if (!is_name_token(a.path)) {
        r.error(n, path + ".path must be letters, digits, '-' or '_' (the URL is /<path>/)");
    } else if (kReservedRootPaths.count(a.path) > 0) {
        r.error(n, path + ".path '" + a.path + "' is a route of vigie serve already");
    } else if (!r.claim(kRootPaths, a.path)) {
        r.error(n, path + ".path '" + a.path + "' is used twice");
    }
    if (a.title.empty()) a.title = a.path;
}

void check_collection(SchemaReader& r, const YAML::Node& n, const std::string& path,
                      CollectionSettings& c) {
    c.id = ascii_lower(c.id);
    if (!is_uuid_text(c.id)) {
        r.error(n, path + ".id must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
    } else if (!r.claim(kCollectionIds, c.id)) {
        r.error(n, path + ".id " + c.id + " is used twice");
    }
    if (c.title.empty()) c.title = c.id;
}

void check_rights(SchemaReader& r, const YAML::Node& n, const std::string& path,
                  CollectionRights& rights) {
    rights.collection = ascii_lower(rights.collection);
    if (!r.claimed(kCollectionIds, rights.collection))
        r.error(n,
                path + ".id '" + rights.collection + "' is not a collection of taxii.collections");
}

void check_peer(SchemaReader& r, const YAML::Node& n, const std::string& path, PeerSettings& p) {
    if (!is_name_token(p.id)) r.error(n, path + ".id must be letters, digits, '-' or '_'");
    if (!p.id.empty() && !r.claim("taxii peer", p.id))
        r.error(n, path + ".id '" + p.id + "' is used twice");
    if (p.user.empty() != p.password_sha256.empty())
        r.error(n, path + ": user and password_sha256 go together");
    if (p.user.empty() && p.token_sha256.empty() && p.certificate_cn.empty())
        r.error(n, path +
                       " needs a credential: user + password_sha256, token_sha256 or "
                       "certificate_cn");
    // Two peers with one credential: the first would always win, silently.
    if (!p.user.empty() && !r.claim("taxii credential", "user:" + p.user))
        r.error(n, path + ".user '" + p.user + "' is another peer's");
    if (!p.token_sha256.empty() && !r.claim("taxii credential", "token:" + p.token_sha256))
        r.error(n, path + ".token_sha256 is another peer's");
    if (!p.certificate_cn.empty() && p.user.empty() && p.token_sha256.empty() &&
        !r.claim("taxii credential", "cn:" + p.certificate_cn))
        r.error(n, path + ".certificate_cn '" + p.certificate_cn + "' is another peer's");
}

const Schema<ApiRootSettings>& api_root_schema() {
    using namespace keys;
    using A = ApiRootSettings;
    static const Schema<A> schema{
        {
            text("path", &A::path),
            text("title", &A::title),
            text("description", &A::description),
            number("max_content_length", &A::max_content_length, 1024, 1ULL << 30),
        },
        check_api_root};
    return schema;
}

const Schema<CollectionSettings>& collection_schema() {
    using namespace keys;
    using C = CollectionSettings;
    static const Schema<C> schema{{
                                      text("id", &C::id),
                                      text("api_root", &C::api_root),
                                      text("title", &C::title),
                                      text("description", &C::description),
                                      text("seed", &C::seed),
                                  },
                                  check_collection};
    return schema;
}

const Schema<PeerSettings>& peer_schema() {
    using namespace keys;
    using P = PeerSettings;
    using R = CollectionRights;
    static const Schema<R> rights{{
                                      text("id", &R::collection),
                                      flag("read", &R::read),
                                      flag("write", &R::write),
                                  },
                                  check_rights};
    static const Schema<P> schema{{
                                      text("id", &P::id),
                                      text("user", &P::user),
                                      digest("password_sha256", &P::password_sha256, kSecretDigest),
                                      digest("token_sha256", &P::token_sha256, kSecretDigest),
                                      text("certificate_cn", &P::certificate_cn),
                                      flag("tlp_amber", &P::tlp_amber),
                                      list("collections", &P::collections, {}, rights),
                                  },
                                  check_peer};
    return schema;
}

void cross_check(SchemaReader& r, const YAML::Node& n, const std::string&, TaxiiSettings& t) {
    for (auto& c : t.collections) {
        if (c.api_root.empty() && t.api_roots.size() == 1) c.api_root = t.api_roots[0].path;
        if (!r.claimed(kRootPaths, c.api_root))
            r.error(n, "taxii.collections: collection " + c.id + " names api_root '" + c.api_root +
                           "', which is not one of taxii.api_roots");
    }
    if (!t.default_api_root.empty() && !r.claimed(kRootPaths, t.default_api_root))
        r.error(n, "taxii.discovery.default '" + t.default_api_root + "' is not an API root");
    if (t.page_size > t.max_page_size)
        r.error(n, "taxii.page_size must not be over taxii.max_page_size");
}

const Schema<TaxiiSettings>& taxii_schema() {
    using namespace keys;
    using T = TaxiiSettings;
    static const Schema<T> discovery{{
        text("title", &T::discovery_title, {}, NullText::KeepsDefault),
        text("description", &T::discovery_description),
        text("contact", &T::contact),
        text("base_url", &T::base_url),
        text("default", &T::default_api_root),
    }};
    static const Schema<T> schema{{
                                      flag("enabled", &T::enabled),
                                      section("discovery", std::identity{}, discovery),
                                      parsed("default_tlp", &T::default_tlp, stix::parse_tlp,
                                             "clear, green, amber, amber+strict or red"),
                                      text("store", &T::store),
                                      number("page_size", &T::page_size, 1, 100000),
                                      number("max_page_size", &T::max_page_size, 1, 100000),
                                      list("api_roots", &T::api_roots, {}, api_root_schema()),
                                      read_before("collections"),
                                      list("peers", &T::peers, {}, peer_schema()),
                                  },
                                  cross_check};
    return schema;
}

}  // namespace

void read_taxii(SchemaReader& r, const YAML::Node& n, const std::string& path, TaxiiSettings& t) {
    // Collections before peers, whatever their order in the file: rights name collections.
    if (n.IsMap() && n["collections"]) {
        r.each_item(n["collections"], path + ".collections", {},
                    [&](const YAML::Node& item, const std::string& where) {
                        CollectionSettings c;
                        collection_schema().read(r, item, where, c);
                        t.collections.push_back(std::move(c));
                    });
    }
    taxii_schema().read(r, n, path, t);
}

}  // namespace vigie
