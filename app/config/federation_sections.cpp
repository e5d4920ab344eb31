// SPDX-License-Identifier: EUPL-1.2
// The `federation:` section of the `vigie serve` configuration
// (federation/taxii/federation_config.hpp): unknown keys, bad values, duplicate peer ids, a
// credential without its pair are errors with their file:line:col.
#include <yaml-cpp/yaml.h>

#include "app/config/sections.hpp"
#include "core/identifiers.hpp"
#include "core/text.hpp"
#include "federation/stix/stix_id.hpp"

namespace vigie {

namespace {

using taxii::FederationPeer;
using taxii::FederationSettings;

// identity--<uuid>, lower-cased.
bool identity_id(std::string& id) {
    const std::string lowered = ascii_lower(id);
    if (!stix::valid_stix_id(lowered, "identity")) return false;
    id = lowered;
    return true;
}

void check_credentials(SchemaReader& r, const YAML::Node& n, const std::string& path,
                       const FederationPeer& p) {
    if (p.user.empty() != p.password_file.empty())
        r.error(n, path + ": user and password_file go together");
    if (!p.user.empty() && !p.token_file.empty())
        r.error(n, path + ": user + password_file or token_file, not both");
    if (p.cert_file.empty() != p.key_file.empty())
        r.error(n, path + ": cert_file and key_file go together");
    if (p.user.empty() && p.token_file.empty() && p.cert_file.empty())
        r.error(n, path + " needs a credential: user + password_file, token_file or cert_file");
}

void check_peer(SchemaReader& r, const YAML::Node& n, const std::string& path, FederationPeer& p) {
    if (!is_name_token(p.id)) {
        r.error(n, path + ".id must be letters, digits, '-' or '_' (at most 64)");
    } else if (!r.claim("federation peer", p.id)) {
        r.error(n, path + ".id '" + p.id + "' is used twice");
    }
    if (p.url.rfind("https://", 0) != 0 && p.url.rfind("http://", 0) != 0) {
        r.error(n, path + ".url must be the peer's API root, http:// or https://");
    } else if (p.url.back() != '/') {
        p.url += '/';  // TAXII's API root URLs end with '/': collections/ is appended
    }
    p.collection = ascii_lower(p.collection);
    if (!is_uuid_text(p.collection))
        r.error(n, path + ".collection must be a collection id (a UUID)");
    p.sightings_collection = ascii_lower(p.sightings_collection);
    if (!p.sightings_collection.empty() && !is_uuid_text(p.sightings_collection))
        r.error(n, path + ".sightings_collection must be a collection id (a UUID)");
    check_credentials(r, n, path, p);
    if (p.max_objects_per_poll < p.page_limit)
        r.error(n, path + ".max_objects_per_poll must be at least page_limit");
}

const Schema<FederationPeer>& peer_schema() {
    using namespace keys;
    using P = FederationPeer;
    static const Schema<P> schema{
        {
            text("id", &P::id),
            text("url", &P::url),
            text("collection", &P::collection),
            text("user", &P::user),
            text("password_file", &P::password_file),
            text("token_file", &P::token_file),
            text("ca_file", &P::ca_file),
            text("cert_file", &P::cert_file),
            text("key_file", &P::key_file),
            number("interval_seconds", &P::interval_seconds, 1, 86400),
            number("page_limit", &P::page_limit, 1, 100000),
            number("max_page_bytes", &P::max_page_bytes, 1024, 1ULL << 30),
            number("max_objects_per_poll", &P::max_objects_per_poll, 1, 100'000'000),
            text("sightings_collection", &P::sightings_collection),
            flag("tlp_amber", &P::tlp_amber),
        },
        [](SchemaReader& r, const YAML::Node& n, const std::string& path, P& p) {
            if (n.IsNull()) r.error(n, path + " is empty");
            if (n.IsMap()) check_peer(r, n, path, p);
        }};
    return schema;
}

}  // namespace

const Schema<FederationSettings>& federation_schema() {
    using namespace keys;
    using F = FederationSettings;
    static const Schema<F> schema{
        {
            text("identity", &F::identity_id, {"identity--<uuid>", identity_id}),
            text("name", &F::identity_name),
            list("peers", &F::peers, {}, peer_schema()),
        },
        [](SchemaReader& r, const YAML::Node& n, const std::string& path, F& f) {
            if (!f.peers.empty() && f.identity_id.empty())
                r.error(n,
                        path + ".identity is needed with peers (our sightings are created by it)");
        }};
    return schema;
}

}  // namespace vigie
