// SPDX-License-Identifier: EUPL-1.2
#pragma once
// STIX objects and a TAXII handler over an in-memory store, for the taxii_*_test.cpp files.
#include <memory>
#include <string>

#include "core/token_digest.hpp"
#include "federation/stix/tlp.hpp"
#include "federation/taxii/collection_store.hpp"
#include "federation/taxii/taxii_handler.hpp"

namespace taxii_test {

using namespace vigie;
using namespace vigie::taxii;

inline const std::string kCollection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
inline const std::string kOtherCollection = "52892447-4d7e-4f70-b94d-d7f22742ff63";

// An indicator with the given uuid suffix, modified time and TLP marking (none: unmarked).
inline std::string indicator(int n, const std::string& modified = "2024-01-01T00:00:00.000Z",
                             std::optional<stix::Tlp> tlp = stix::Tlp::Green) {
    char uuid[40];
    std::snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012d", n);
    std::string o = R"({"type":"indicator","spec_version":"2.1","id":"indicator--)" +
                    std::string(uuid) + R"(","created":"2024-01-01T00:00:00.000Z","modified":")" +
                    modified + R"(","pattern":"[domain-name:value = 'x)" + std::to_string(n) +
                    R"(.example']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z")";
    if (tlp) o += R"(,"object_marking_refs":[")" + std::string(stix::tlp_marking_id(*tlp)) + "\"]";
    return o + "}";
}

inline std::string indicator_id(int n) {
    char uuid[40];
    std::snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012d", n);
    return "indicator--" + std::string(uuid);
}

inline std::string envelope(const std::vector<std::string>& objects) {
    std::string out = R"({"objects":[)";
    for (size_t i = 0; i < objects.size(); ++i) out += (i > 0 ? "," : "") + objects[i];
    return out + "]}";
}

// Peers: "amber" (cleared for AMBER, read + write), "green" (read only), "none" (no right).
inline TaxiiSettings settings() {
    TaxiiSettings s;
    s.enabled = true;
    s.page_size = 100;
    s.api_roots.push_back({"api1", "API 1", "", 4096});
    s.collections.push_back({kCollection, "api1", "Indicators", "", ""});
    s.collections.push_back({kOtherCollection, "api1", "Other", "", ""});
    s.peers.push_back(
        {"amber", "amber-user", sha256_hex("amber-pw"), "", "", true, {{kCollection, true, true}}});
    s.peers.push_back(
        {"green", "", "", sha256_hex("green-token"), "", false, {{kCollection, true, false}}});
    s.peers.push_back({"none", "", "", sha256_hex("none-token"), "", true, {}});
    return s;
}

struct Server {
    std::unique_ptr<CollectionStore> store;
    std::unique_ptr<TaxiiHandler> handler;
    std::vector<std::string> hooked;  // objects given to the ingest hook

    explicit Server(TaxiiSettings s = settings()) {
        store = CollectionStore::open(":memory:").value();
        handler = std::make_unique<TaxiiHandler>(
            std::move(s), *store, 1 << 20,
            [this](const std::string&, const std::string&, const std::vector<std::string>& o) {
                hooked.insert(hooked.end(), o.begin(), o.end());
            });
    }

    HttpAnswer request(const std::string& method, const std::string& target, const std::string& who,
                       const std::string& body = {},
                       const std::string& content_type = "application/taxii+json;version=2.1") {
        HttpRequest r;
        r.method = method;
        r.target = target;
        r.accept = "application/taxii+json;version=2.1";
        if (who == "amber") {
            r.basic_user = "amber-user";
            r.basic_password = "amber-pw";
            r.authorization = "Basic x";
        } else if (!who.empty()) {
            r.authorization = "Bearer " + who + "-token";
        }
        r.content_type = content_type;
        r.body = body;
        return handler->handle(r);
    }
};

inline std::string objects_path(const std::string& collection = kCollection) {
    return "/api1/collections/" + collection + "/objects/";
}

inline size_t count(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace taxii_test
